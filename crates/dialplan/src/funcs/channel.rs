//! `CHANNEL()`, `CALLERID()`, `HANGUPCAUSE()` and `TIMEOUT()`: the channel's own facts and settings.

use std::sync::Arc;

use switchyard_core::Channel;

use super::FuncError;
use crate::engine::Engine;
use crate::state::pc;

pub(super) fn read(chan: &Channel, item: &str) -> Result<String, FuncError> {
    let s = chan.current();
    Ok(match item.trim() {
        "name" => s.name.as_str().to_owned(),
        "uniqueid" => s.id.to_string(),
        "linkedid" => s.linked_id.to_string(),
        "state" => s.state.line().asterisk_name().to_owned(),
        "language" => s.language.as_str().to_owned(),
        "accountcode" => s.account_code.as_str().to_owned(),
        "channeltype" => s.tech.as_str().to_owned(),
        "context" => s.location.context.as_str().to_owned(),
        "exten" => s.location.exten.as_str().to_owned(),
        "hangupcause" => s.hangup_cause.map_or(0, |c| c.asterisk_code()).to_string(),
        "callid" | "musicclass" | "parkinglot" | "peer" | "amaflags" => String::new(),
        other => return Err(FuncError::Bad(format!("CHANNEL(): unknown item '{other}'"))),
    })
}

pub(super) fn write(engine: &Arc<Engine>, chan: &mut Channel, item: &str, value: &str) -> Result<(), FuncError> {
    match item.trim() {
        "hangup_handler_push" => engine.handlers.push(chan, value),
        "hangup_handler_pop" => engine.handlers.pop(chan, value),
        "hangup_handler_wipe" => engine.handlers.wipe(chan, value),
        "language" => {
            chan.current_mut().language = value.into();
            chan.publish_snapshot();
        }
        "accountcode" => {
            chan.current_mut().account_code = value.into();
            chan.publish_snapshot();
        }
        "musicclass" | "amaflags" | "callgroup" | "pickupgroup" | "parkinglot" => {}
        other => return Err(FuncError::Bad(format!("CHANNEL(): cannot set '{other}'"))),
    }
    Ok(())
}

pub(super) fn callerid_read(chan: &Channel, item: &str) -> Result<String, FuncError> {
    let c = &chan.current().caller;
    Ok(match item.trim().split(',').next().unwrap_or("") {
        "num" | "number" | "ani" => c.number.as_str().to_owned(),
        "name" => c.name.as_str().to_owned(),
        "all" => match (c.name.is_empty(), c.number.is_empty()) {
            (true, _) => format!("<{}>", c.number),
            (false, _) => format!("\"{}\" <{}>", c.name, c.number),
        },
        "dnid" => chan.current().dialed.as_str().to_owned(),
        other => return Err(FuncError::Bad(format!("CALLERID(): unknown item '{other}'"))),
    })
}

pub(super) fn callerid_write(chan: &mut Channel, item: &str, value: &str) -> Result<(), FuncError> {
    let before = chan.current().caller.clone();
    let caller = &mut chan.current_mut().caller;
    match item.trim() {
        "num" | "number" | "ani" => caller.number = value.into(),
        "name" => caller.name = value.into(),
        "all" => {
            let (name, num) = parse_all(value);
            caller.name = name.into();
            caller.number = num.into();
        }
        other => return Err(FuncError::Bad(format!("CALLERID(): cannot set '{other}'"))),
    }
    if chan.current().caller != before {
        chan.publish(switchyard_core::EventKind::CallerIdChange);
    }
    Ok(())
}

/// `"Name" <number>` (or a bare number) into (name, number).
fn parse_all(v: &str) -> (String, String) {
    match (v.find('<'), v.rfind('>')) {
        (Some(a), Some(b)) if a < b => (v[..a].trim().trim_matches('"').to_owned(), v[a + 1..b].trim().to_owned()),
        _ => (String::new(), v.trim().to_owned()),
    }
}

pub(super) fn hangupcause(chan: &Channel, args: &str) -> String {
    let kind = args.split(',').nth(1).unwrap_or("").trim();
    let cause = chan.current().hangup_cause;
    match kind {
        "tech" => cause.map(|c| c.asterisk_text().to_owned()).unwrap_or_default(),
        _ => cause.map(|c| c.asterisk_code().to_string()).unwrap_or_default(),
    }
}

pub(super) fn timeout_read(chan: &mut Channel, which: &str) -> Result<String, FuncError> {
    let now = chan.switch().now().0;
    let p = pc(chan);
    let fmt = |v: Option<f64>| v.map(|s| s.to_string()).unwrap_or_else(|| "0".into());
    Ok(match which.trim() {
        "response" => fmt(p.response_timeout.or(Some(10.0))),
        "digit" => fmt(p.digit_timeout.or(Some(5.0))),
        // Asterisk prints the time left with milliseconds (`%.3f`), 0 when none is set.
        "absolute" => match p.absolute_deadline_us {
            Some(at) => format!("{:.3}", (at - now) as f64 / 1e6),
            None => "0".into(),
        },
        other => return Err(FuncError::Bad(format!("TIMEOUT(): unknown type '{other}'"))),
    })
}

pub(super) async fn timeout_write(chan: &mut Channel, which: &str, value: &str) -> Result<(), FuncError> {
    let secs: f64 = value.trim().parse().unwrap_or(0.0);
    let secs = if secs.is_finite() { secs.max(0.0) } else { 0.0 };
    match which.trim() {
        "response" => pc(chan).response_timeout = Some(secs),
        "digit" => pc(chan).digit_timeout = Some(secs),
        "absolute" => absolute_timeout(chan, secs).await?,
        other => return Err(FuncError::Bad(format!("TIMEOUT(): unknown type '{other}'"))),
    }
    Ok(())
}

/// `TIMEOUT(absolute)`, backed by the persistent scheduler through its console commands (so it
/// survives restarts and shows in `show tasks`): after `secs` the channel is redirected to `T`, and
/// the interpreter then chooses as Asterisk does, in the context the channel is in by then: `T`, else
/// `e`, else hangup with ALLOTTED_TIMEOUT. 0 cancels; setting it again replaces it.
async fn absolute_timeout(chan: &mut Channel, secs: f64) -> Result<(), FuncError> {
    let switch = chan.switch().clone();
    pc(chan).absolute_deadline_us = None;
    if let Some(old) = pc(chan).absolute_timeout_task.take() {
        console(&switch, &format!("unsched_api {old}")).await;
    }
    if secs <= 0.0 {
        return Ok(());
    }
    let (uuid, snap) = (chan.id(), chan.current());
    let line = format!("sched_transfer +{secs} {uuid} T XML {}", snap.location.context);
    let reply = console(&switch, &line).await;
    let id = reply.strip_prefix("+OK ").and_then(|r| r.trim().parse::<u64>().ok());
    let id = id.ok_or_else(|| FuncError::Bad(format!("TIMEOUT(absolute): {}", reply.trim())))?;
    pc(chan).absolute_timeout_task = Some(id);
    pc(chan).absolute_deadline_us = Some(switch.now().0 + (secs * 1e6) as i64);
    Ok(())
}

async fn console(switch: &switchyard_core::Switch, line: &str) -> String {
    match switch.commands().execute(switch, line).await {
        Ok(out) => out.text,
        Err(unknown) => format!("the scheduler is not running ({unknown})"),
    }
}
