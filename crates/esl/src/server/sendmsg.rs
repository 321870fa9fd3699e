//! `sendmsg`: execute an application on a channel (queued, or waited for in a non-async outbound
//! socket; PRIVATE_COMMAND follows each execution as in FreeSWITCH), run a transient extension (`xferext`),
//! stream its audio (`unicast`), hang it up, or take it out of the media path (`nomedia`: the
//! `uuid_media off` command SIP registers; refused when no technology offers media bypass).

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
            SendMsg::Unicast(spec) => match super::unicast::start(&handle, spec).await {
                Ok(()) => self.reply("+OK"),
                Err(text) => self.reply(&text),
            },
            SendMsg::NoMedia(other) => {
                let uuid = other.filter(|u| !u.is_empty()).unwrap_or_else(|| handle.id().to_string());
                let text = self.nomedia(&uuid).await;
                self.reply(&text);
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
        // Subscribed before the command is sent, so the completion cannot be missed.
        let mut watch = self.shared.switch.bus().subscribe("esl-sendmsg");
        let loops = if e.loops < 0 { MAX_LOOPS } else { e.loops.clamp(1, MAX_LOOPS) };
        let mut last = String::new();
        for _ in 0..loops {
            last = e.event_uuid.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let _ = handle.set_var("app_uuid", &last);
            let _ = handle.send(ChannelCommand::Execute { app: e.app.clone(), args: e.arg.clone() });
        }
        let headers = private_command_headers(&e);
        let (handle, switch) = (handle.clone(), self.shared.switch.clone());
        let announce = async move {
            if let Some(snap) = wait_for_completion(&mut watch, &handle, &last).await {
                let kind = EventKind::custom("PRIVATE_COMMAND", headers, None);
                switch.bus().publish(kind, Some(snap));
            }
        };
        if blocking {
            announce.await;
        } else {
            tokio::spawn(announce);
        }
        self.reply("+OK");
    }
}

/// The sendmsg as FreeSWITCH's PRIVATE_COMMAND repeats it (the message's own headers first).
fn private_command_headers(e: &Execute) -> Vec<(String, String)> {
    let mut h = vec![
        ("Command".to_owned(), "sendmsg".to_owned()),
        ("call-command".to_owned(), "execute".to_owned()),
        ("execute-app-name".to_owned(), e.app.clone()),
    ];
    if !e.arg.is_empty() {
        h.push(("execute-app-arg".to_owned(), e.arg.clone()));
    }
    if e.loops != 1 {
        h.push(("loops".to_owned(), e.loops.to_string()));
    }
    if e.event_lock {
        h.push(("event-lock".to_owned(), "true".to_owned()));
    }
    if let Some(id) = &e.event_uuid {
        h.push(("Event-UUID".to_owned(), id.clone()));
    }
    h
}

impl Session {
    /// `nomedia` through `uuid_media off <uuid>` (registered by SIP, which re-INVITEs both legs).
    async fn nomedia(&mut self, uuid: &str) -> String {
        let switch = self.shared.switch.clone();
        let Ok((cmd, _)) = switch.commands().resolve("uuid_media") else { return unsupported_text("nomedia") };
        let out = cmd.run(&switch, &["off".to_owned(), uuid.to_owned()]).await;
        match out.text.trim_end() {
            t if t.starts_with("+OK") => "+OK".to_owned(),
            t => t.to_owned(),
        }
    }
}

/// Why a media command is refused: without a technology that offers media bypass (`nomedia`
/// re-INVITEs the far ends to talk directly).
fn unsupported_text(what: &str) -> String {
    match what {
        "nomedia" => "-ERR nomedia: media bypass is not supported by Switchyard".to_owned(),
        other => format!("-ERR {other} is not supported by Switchyard"),
    }
}

/// Waits until the execution `app_uuid` completes (its snapshot, for PRIVATE_COMMAND) or the channel
/// hangs up (None: FreeSWITCH processes no more messages of a channel that hung up).
async fn wait_for_completion(
    sub: &mut Subscription,
    handle: &ChannelHandle,
    app_uuid: &str,
) -> Option<std::sync::Arc<switchyard_core::ChannelSnapshot>> {
    let id = handle.id();
    loop {
        let BusItem::Event(ev) = sub.recv().await else { continue };
        if ev.channel.as_ref().is_none_or(|s| s.id != id) {
            continue;
        }
        match &ev.kind {
            EventKind::ExecuteComplete { exec, .. } if exec.app_uuid == app_uuid => return ev.channel.clone(),
            EventKind::Hangup { .. } | EventKind::ChannelDestroy => return None,
            _ => {}
        }
    }
}
