//! Each `session` operation, performed by the channel's task with `&mut Channel`.

use std::time::Duration;

use switchyard_core::{Channel, HangupCause, Interrupted};

use crate::call::{Collect, Op, Prompted, Value};
use crate::serve::SessionState;

/// Runs one operation. Channel interruptions are recorded in `state`, never returned.
pub(crate) async fn run(chan: &mut Channel, state: &mut SessionState, op: Op) -> Value {
    match op {
        Op::Ready => Value::Bool(state.ready()),
        Op::Answered => Value::Bool(chan.current().state.is_up()),
        Op::GetVariable(name) => variable(chan, &name).map_or(Value::Nil, Value::Str),
        Op::GetState => Value::Str(chan.current().state.phase().fs_name().to_owned()),
        Op::HangupCause => Value::Str(state.hung_up.map_or("NONE", |c| c.fs_name()).to_owned()),
        Op::SetAutoHangup(on) => {
            state.auto_hangup = on;
            Value::Nil
        }
        Op::SetVariable(name, value) => {
            match value {
                Some(v) => chan.set_var(&name, &v),
                None => chan.unset_var(&name),
            }
            Value::Nil
        }
        op if !state.ready() => acting_on_gone_channel(op),
        op => act(chan, state, op).await,
    }
}

/// Operations that need a live channel return at once after hangup or transfer.
fn acting_on_gone_channel(op: Op) -> Value {
    match op {
        Op::GetDigits(_) | Op::PlayAndGetDigits(_) | Op::WaitDigit(_) => Value::Str(String::new()),
        _ => Value::Nil,
    }
}

async fn act(chan: &mut Channel, state: &mut SessionState, op: Op) -> Value {
    let result = match op {
        Op::Answer => chan.answer().map(|_| Value::Nil),
        Op::PreAnswer => chan.progress().map(|_| Value::Nil),
        Op::Hangup(cause) => Err(hangup(chan, &cause)),
        Op::Sleep(ms) => chan.sleep(Duration::from_millis(ms)).await.map(|_| Value::Nil),
        Op::WaitDigit(ms) => wait_digit(chan, ms).await.map(|d| Value::Str(d.map(String::from).unwrap_or_default())),
        Op::StreamFile(path) => stream_file(chan, &path).await.map(|_| Value::Nil),
        Op::GetDigits(c) => collect(chan, &c, String::new()).await.map(Value::Str),
        Op::PlayAndGetDigits(p) => play_and_get_digits(chan, &p).await.map(Value::Str),
        Op::Execute(app, args) => execute(chan, &app, &args).await.map(|_| Value::Nil),
        Op::Transfer(dest) => execute(chan, "transfer", &dest).await.map(|_| Value::Nil),
        Op::FlushDigits => flush_digits(chan).await.map(|_| Value::Nil),
        _ => Ok(Value::Nil),
    };
    result.unwrap_or_else(|interrupted| {
        state.note(interrupted);
        Value::Nil
    })
}

/// Channel variables, then the caller profile fields FreeSWITCH resolves by name, then globals.
fn variable(chan: &Channel, name: &str) -> Option<String> {
    if let Some(v) = chan.var(name) {
        return Some(v.to_owned());
    }
    let snap = chan.current();
    let profile = match name {
        "uuid" => snap.id.to_string(),
        "channel_name" => snap.name.as_str().to_owned(),
        "caller_id_name" => snap.caller.name.as_str().to_owned(),
        "caller_id_number" => snap.caller.number.as_str().to_owned(),
        "destination_number" => snap.location.exten.as_str().to_owned(),
        "context" => snap.location.context.as_str().to_owned(),
        _ => return chan.switch().globals().get(name),
    };
    Some(profile)
}

fn hangup(chan: &mut Channel, cause: &str) -> Interrupted {
    let cause = if cause.trim().is_empty() { HangupCause::NORMAL_CLEARING } else { HangupCause::parse_lenient(cause) };
    chan.request_hangup(cause, "lua");
    Interrupted::HungUp(chan.hangup_cause().unwrap_or(cause))
}

async fn wait_digit(chan: &mut Channel, ms: u64) -> Result<Option<char>, Interrupted> {
    chan.wait_for_digit(Some(Duration::from_millis(ms))).await
}

/// Plays through the `playback` application when one is registered (the media crate's).
pub(crate) async fn stream_file(chan: &mut Channel, path: &str) -> Result<(), Interrupted> {
    if path.is_empty() {
        return Ok(());
    }
    if chan.switch().apps().get("playback").is_none() {
        tracing::info!(channel = %chan.current().name, "streamFile {path}: no playback application, nothing played");
        return Ok(());
    }
    execute(chan, "playback", path).await
}

async fn execute(chan: &mut Channel, app: &str, args: &str) -> Result<(), Interrupted> {
    match chan.execute(app, args).await {
        Ok(result) => result.map(|_| ()),
        Err(no_app) => {
            tracing::error!(channel = %chan.current().name, "lua session:execute: {no_app}");
            Ok(())
        }
    }
}

async fn flush_digits(chan: &mut Channel) -> Result<(), Interrupted> {
    while chan.wait_for_digit(Some(Duration::ZERO)).await?.is_some() {}
    Ok(())
}

/// Collects up to `c.max` digits after `already`; a terminator ends collection and is not kept.
async fn collect(chan: &mut Channel, c: &Collect, mut digits: String) -> Result<String, Interrupted> {
    let interdigit = if c.interdigit == 0 { c.timeout } else { c.interdigit };
    while digits.chars().count() < c.max.max(1) {
        let wait = if digits.is_empty() { c.timeout } else { interdigit };
        match wait_digit(chan, wait).await? {
            None => break,
            Some(d) if c.terminators.contains(d) => break,
            Some(d) => digits.push(d),
        }
    }
    Ok(digits)
}

/// FreeSWITCH `play_and_get_digits`: prompt, collect, check length and regex, retry after the
/// invalid prompt; the digits (also stored in `var`) or "" once the tries are used up.
async fn play_and_get_digits(chan: &mut Channel, p: &Prompted) -> Result<String, Interrupted> {
    let regex = match p.regex.is_empty() {
        true => None,
        false => regex::Regex::new(&p.regex)
            .map_err(|e| tracing::error!(channel = %chan.current().name, "playAndGetDigits: bad regex: {e}"))
            .ok(),
    };
    for _ in 0..p.tries.max(1) {
        stream_file(chan, &p.file).await?;
        let digits = collect(chan, &p.collect, String::new()).await?;
        let long_enough = digits.chars().count() >= p.min;
        if long_enough && regex.as_ref().is_none_or(|r| r.is_match(&digits)) && !digits.is_empty() {
            if !p.var.is_empty() {
                chan.set_var(&p.var, &digits);
            }
            return Ok(digits);
        }
        stream_file(chan, &p.invalid_file).await?;
    }
    Ok(String::new())
}
