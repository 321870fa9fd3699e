//! `sendmsg`: execute an application on a channel (queued, or waited for in a non-async outbound
//! socket), run a transient extension (`xferext`), hang it up, or refuse the media commands
//! Switchyard does not offer (`nomedia`, `unicast`).

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
            SendMsg::XferExt(apps) => {
                for (app, args) in apps.into_iter().chain([("hangup".to_owned(), "NORMAL_CLEARING".to_owned())]) {
                    let _ = handle.send(ChannelCommand::Execute { app, args });
                }
                self.reply("+OK");
            }
            SendMsg::Unsupported(what) => self.reply(&unsupported_text(&what)),
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

/// Why a media command is refused: Switchyard has no media bypass (`nomedia` re-INVITEs the far ends
/// to talk directly) and no raw audio socket (`unicast` streams L16 to a UDP/TCP peer).
fn unsupported_text(what: &str) -> String {
    match what {
        "nomedia" => "-ERR nomedia: media bypass is not supported by Switchyard".to_owned(),
        "unicast" => "-ERR unicast: audio streaming to a socket is not supported by Switchyard".to_owned(),
        other => format!("-ERR {other} is not supported by Switchyard"),
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
