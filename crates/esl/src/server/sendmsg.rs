//! `sendmsg`: execute an application on a channel (queued, or waited for in a non-async outbound
//! socket), hang it up, or refuse the media commands Switchyard does not offer.

use switchyard_core::{BusItem, ChannelCommand, ChannelHandle, EventKind, HangupCause, Subscription};

use super::session::{Mode, Session};
use crate::proto::{Execute, SendMsg};

/// `loops: -1` means forever in FreeSWITCH; Switchyard caps it.
const MAX_LOOPS: i64 = 1000;

impl Session {
    pub(super) async fn sendmsg(&mut self, uuid: Option<String>, msg: SendMsg) {
        let target = match &uuid {
            Some(u) => u.parse().ok().and_then(|id| self.shared.switch.channels().get(id)),
            None => self.controlled.as_ref().and_then(|c| self.shared.switch.channels().get(c.id)),
        };
        let Some(handle) = target.filter(ChannelHandle::is_alive) else {
            return self.reply(&format!("-ERR invalid session id [{}]", uuid.unwrap_or_default()));
        };
        match msg {
            SendMsg::Execute(e) => self.execute(&handle, e).await,
            SendMsg::Hangup(cause) => {
                let _ = handle.hangup(HangupCause::parse_lenient(&cause), "esl");
                self.reply("+OK");
            }
            SendMsg::Unsupported(what) => self.reply(&format!("-ERR {what} is not supported by Switchyard")),
            SendMsg::Invalid(what) => {
                tracing::warn!(peer = %self.peer, "sendmsg: invalid call-command '{what}'");
                self.reply("+OK");
            }
        }
    }

    async fn execute(&mut self, handle: &ChannelHandle, e: Execute) {
        let own = self.controlled.as_ref().is_some_and(|c| c.id == handle.id());
        let blocking = own && matches!(self.mode, Mode::Outbound { asynchronous: false, .. }) && !e.asynchronous;
        let mut watch = blocking.then(|| self.shared.switch.bus().subscribe("esl-sendmsg"));
        let loops = if e.loops < 0 { MAX_LOOPS } else { e.loops.clamp(1, MAX_LOOPS) };
        let mut last = String::new();
        for _ in 0..loops {
            last = e.event_uuid.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let _ = handle.set_var("app_uuid", &last);
            let _ = handle.send(ChannelCommand::Execute { app: e.app.clone(), args: e.arg.clone() });
        }
        if let Some(sub) = watch.as_mut() {
            wait_for_completion(sub, handle, &last).await;
        }
        self.reply("+OK");
    }
}

/// Waits until the execution `app_uuid` completes or the channel hangs up.
async fn wait_for_completion(sub: &mut Subscription, handle: &ChannelHandle, app_uuid: &str) {
    let id = handle.id();
    loop {
        let BusItem::Event(ev) = sub.recv().await else { continue };
        if ev.channel.as_ref().is_none_or(|s| s.id != id) {
            continue;
        }
        match &ev.kind {
            EventKind::ExecuteComplete { app_uuid: done, .. } if done == app_uuid => return,
            EventKind::Hangup { .. } | EventKind::ChannelDestroy => return,
            _ => {}
        }
    }
}
