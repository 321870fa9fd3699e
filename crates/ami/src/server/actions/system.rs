//! `Reload` (the dialplan, through the command registry), `WaitEvent` and `ExtensionState`.

use std::time::Duration;

use bytes::BytesMut;

use crate::proto::{AmiEvent, Response};
use crate::server::session::Session;

/// Modules that name the dialplan (Asterisk's `pbx_config` loads extensions.conf).
const DIALPLAN_MODULES: &[&str] = &["pbx_config", "pbx_config.so", "dialplan", "extensions"];

/// `Reload`: without `Module`, or with the dialplan's, runs `dialplan reload` when a dialplan is
/// loaded; other modules do not exist here.
pub async fn reload(s: &mut Session, id: Option<&str>, module: Option<&str>) {
    if module.is_some_and(|m| !DIALPLAN_MODULES.iter().any(|d| d.eq_ignore_ascii_case(m))) {
        return Response::error(id, "No such module").write(&mut s.out);
    }
    let switch = s.shared.switch.clone();
    match switch.commands().execute(&switch, "dialplan reload").await {
        Ok(out) if out.status == switchyard_core::command::CommandStatus::Success => {
            Response::ack(id, "Module Reloaded").write(&mut s.out)
        }
        Ok(_) => Response::error(id, "An unknown error occurred").write(&mut s.out),
        // No dialplan in this build: nothing to reload, as a successful no-op.
        Err(_) if module.is_none() => Response::ack(id, "Module Reloaded").write(&mut s.out),
        Err(_) => Response::error(id, "Module not initialized").write(&mut s.out),
    }
}

/// `WaitEvent`: answers when the next event is published (or after `Timeout` seconds), then
/// `WaitEventComplete`. Events themselves reach the session as usual; the wait runs in its own task.
pub fn wait_event(s: &mut Session, id: Option<&str>, timeout_s: Option<u64>) {
    let mut sub = s.shared.switch.bus().subscribe(format!("ami-waitevent:{}", s.peer));
    let later = s.later_tx.clone();
    let id = id.map(str::to_owned);
    tokio::spawn(async move {
        // No Timeout: wait for an event however long it takes (capped at a day).
        let limit = Duration::from_secs(timeout_s.unwrap_or(86_400).min(86_400));
        let _ = tokio::time::timeout(limit, sub.recv()).await;
        let mut out = BytesMut::new();
        Response::ack(id.as_deref(), "Waiting for Event completed.").write(&mut out);
        let mut done = AmiEvent::list_item("WaitEventComplete");
        if let Some(id) = &id {
            done.push("ActionID", id.as_str());
        }
        done.write(&mut out);
        let _ = later.send(out.freeze());
    });
}

/// `ExtensionState`: Switchyard has no hints yet, so every extension is `-1`/`Unknown`, as Asterisk
/// answers for an extension without a hint.
pub fn extension_state(s: &mut Session, id: Option<&str>, exten: &str, context: &str) {
    Response::ack(id, "Extension Status")
        .header("Exten", exten)
        .header("Context", context)
        .header("Hint", "")
        .header("Status", "-1")
        .header("StatusText", "Unknown")
        .write(&mut s.out);
}
