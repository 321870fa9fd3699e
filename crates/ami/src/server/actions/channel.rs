//! Actions on channels and variables: Hangup (name, uuid or `/regex/`), Redirect (with ExtraChannel),
//! Getvar, Setvar, AbsoluteTimeout (through the scheduler), UserEvent, PlayDTMF (through `SendDTMF`).

use regex::Regex;
use switchyard_core::{ChannelCommand, ChannelHandle, EventKind, HangupCause};
use switchyard_sched::{TaskAction, TaskSpec};

use super::info::{list_complete, list_item};
use crate::proto::action::Location;
use crate::proto::{Action, Response};
use crate::server::session::Session;

/// One channel action.
pub async fn handle(s: &mut Session, id: Option<&str>, action: &Action) {
    match action {
        Action::Hangup { channel, cause } => hangup(s, id, channel, *cause),
        Action::Redirect { channel, to, extra } => redirect(s, id, channel, to, extra.as_ref()),
        Action::Getvar { channel, variable } => getvar(s, id, channel.as_deref(), variable),
        Action::Setvar { channel, variable, value } => setvar(s, id, channel.as_deref(), variable, value),
        Action::AbsoluteTimeout { channel, seconds } => absolute_timeout(s, id, channel, *seconds).await,
        Action::UserEvent { name, headers } => {
            let kind = EventKind::custom(name.clone(), headers.clone(), None);
            Response::ack(id, "Event Sent").write(&mut s.out);
            s.shared.switch.bus().publish(kind, None);
        }
        Action::PlayDtmf { channel, digit, duration_ms } => play_dtmf(s, id, channel, *digit, *duration_ms),
        _ => {}
    }
}

fn find(s: &Session, name: &str) -> Option<ChannelHandle> {
    s.shared.switch.channels().find(name)
}

fn cause_of(code: Option<u16>) -> HangupCause {
    code.and_then(|c| HangupCause::parse(&c.to_string()).ok())
        .filter(|c| c.q850() != 0)
        .unwrap_or(HangupCause::NORMAL_CLEARING)
}

fn hangup(s: &mut Session, id: Option<&str>, channel: &str, cause: Option<u16>) {
    let cause = cause_of(cause);
    if channel.len() > 1 && channel.starts_with('/') && channel.ends_with('/') {
        return hangup_matching(s, id, &channel[1..channel.len() - 1], cause);
    }
    let r = match find(s, channel).map(|h| h.hangup(cause, "ami")) {
        Some(Ok(())) => Response::ack(id, "Channel Hungup"),
        _ => Response::error(id, "No such channel"),
    };
    r.write(&mut s.out);
}

/// `Channel: /regex/`: a list of `ChannelHungup` events (manager.c's `ast_manager_hangup_helper`).
fn hangup_matching(s: &mut Session, id: Option<&str>, expr: &str, cause: HangupCause) {
    let Ok(re) = Regex::new(expr) else {
        return Response::error(id, &format!("Regex compile failed on: /{expr}/")).write(&mut s.out);
    };
    Response::list_start(id, "Channels hung up will follow").write(&mut s.out);
    let mut count = 0;
    for h in s.shared.switch.channels().handles() {
        let name = h.snapshot().name.clone();
        if re.is_match(&name) && h.hangup(cause, "ami").is_ok() {
            let mut e = list_item("ChannelHungup", None);
            e.push("Channel", name);
            if let Some(id) = id {
                e.push("ActionID", id);
            }
            e.write(&mut s.out);
            count += 1;
        }
    }
    list_complete(s, "ChannelsHungupListComplete", id, count, &[]);
}

fn redirect(s: &mut Session, id: Option<&str>, channel: &str, to: &Location, extra: Option<&(String, Location)>) {
    let Some(first) = find(s, channel) else {
        return Response::error(id, &format!("Channel does not exist: {channel}")).write(&mut s.out);
    };
    let second = match extra {
        Some((name, loc)) => match find(s, name) {
            Some(h) => Some((h, loc)),
            None => return Response::error(id, &format!("ExtraChannel does not exist: {name}")).write(&mut s.out),
        },
        None => None,
    };
    let send = |h: &ChannelHandle, l: &Location| {
        h.send(ChannelCommand::Redirect { context: l.context.clone(), exten: l.exten.clone(), priority: l.priority })
    };
    let mut ok = send(&first, to).is_ok();
    if let Some((h, loc)) = second {
        ok &= send(&h, loc).is_ok();
    }
    let r = if ok { Response::ack(id, "Redirect successful") } else { Response::error(id, "Redirect failed") };
    r.write(&mut s.out);
}

fn getvar(s: &mut Session, id: Option<&str>, channel: Option<&str>, variable: &str) {
    let value = match channel {
        None => s.shared.switch.globals().get(variable),
        Some(name) => match find(s, name) {
            Some(h) => h.var(variable),
            None => return Response::error(id, "No such channel").write(&mut s.out),
        },
    };
    Response::success(id).header("Variable", variable).header("Value", value.unwrap_or_default()).write(&mut s.out);
}

fn setvar(s: &mut Session, id: Option<&str>, channel: Option<&str>, variable: &str, value: &str) {
    match channel {
        None => s.shared.switch.globals().set(variable, value),
        Some(name) => match find(s, name).map(|h| h.set_var(variable, value)) {
            Some(Ok(())) => {}
            _ => return Response::error(id, "No such channel").write(&mut s.out),
        },
    }
    Response::ack(id, "Variable Set").write(&mut s.out);
}

/// Schedules a hangup `seconds` from now (`ALLOTTED_TIMEOUT`); 0 cancels the channel's timeouts.
async fn absolute_timeout(s: &mut Session, id: Option<&str>, channel: &str, seconds: f64) {
    let Some(h) = find(s, channel) else {
        return Response::error(id, "No such channel").write(&mut s.out);
    };
    let Some(sched) = s.shared.config.scheduler.clone() else {
        return Response::error(id, "Scheduler unavailable").write(&mut s.out);
    };
    let uuid = h.id().to_string();
    let _ = sched.delete_group(&uuid, Some("replaced by AbsoluteTimeout")).await;
    if seconds > 0.0 {
        let runtime_ms = sched.now_ms() + (seconds * 1000.0) as i64;
        let action = TaskAction::Hangup { uuid: uuid.clone(), cause: "ALLOTTED_TIMEOUT".into() };
        let spec = TaskSpec { runtime_ms, group: uuid, repeat_s: None, action };
        if sched.add(spec).await.is_err() {
            return Response::error(id, "Could not schedule the timeout").write(&mut s.out);
        }
    }
    Response::ack(id, "Timeout Set").write(&mut s.out);
}

/// `PlayDTMF`: as in Asterisk it comes with the `SendDTMF` application (app_senddtmf), which plays the
/// digit when the channel next runs an application (at once when parked).
fn play_dtmf(s: &mut Session, id: Option<&str>, channel: &str, digit: char, duration_ms: u32) {
    let Some(h) = find(s, channel) else {
        return Response::error(id, "Channel not found").write(&mut s.out);
    };
    if s.shared.switch.apps().get("SendDTMF").is_none() {
        return Response::error(id, "PlayDTMF needs the SendDTMF application (load a dialplan)").write(&mut s.out);
    }
    let cmd = ChannelCommand::Execute { app: "SendDTMF".into(), args: format!("{digit},,{duration_ms}") };
    match h.send(cmd) {
        Ok(()) => Response::ack(id, "DTMF successfully queued").write(&mut s.out),
        Err(_) => Response::error(id, "Channel not found").write(&mut s.out),
    }
}
