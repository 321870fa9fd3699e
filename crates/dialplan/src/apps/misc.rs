//! Small applications: Verbose, Log, Progress, Ringing, Busy, Congestion, UserEvent, Echo,
//! Playback/Background (no media yet: they succeed at once), DumpChan.

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::state::LineState;
use switchyard_core::{Channel, EventKind, HangupCause};

use crate::engine::Engine;

type R<'a> = BoxFuture<'a, AppResult>;

pub(crate) fn verbose<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    let msg = match args.split_once(',') {
        Some((level, msg)) if level.trim().parse::<u32>().is_ok() => msg,
        _ => args,
    };
    tracing::info!(channel = %chan.current().name, "{msg}");
    Box::pin(async { Ok(String::new()) })
}

pub(crate) fn log<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    let (level, msg) = args.split_once(',').unwrap_or(("NOTICE", args));
    let name = &chan.current().name;
    match level.trim().to_ascii_uppercase().as_str() {
        "ERROR" => tracing::error!(channel = %name, "{msg}"),
        "WARNING" => tracing::warn!(channel = %name, "{msg}"),
        "DEBUG" => tracing::debug!(channel = %name, "{msg}"),
        _ => tracing::info!(channel = %name, "{msg}"),
    }
    Box::pin(async { Ok(String::new()) })
}

pub(crate) fn progress<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, _args: &'a str) -> R<'a> {
    Box::pin(async move { chan.progress().map(|_| String::new()) })
}

pub(crate) fn ringing<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, _args: &'a str) -> R<'a> {
    Box::pin(async move { chan.ring().map(|_| String::new()) })
}

/// Busy/Congestion: indicate, wait `timeout` seconds (or until hangup), then hang up with `cause`.
async fn indicate_then_hang_up(chan: &mut Channel, args: &str, line: LineState, cause: HangupCause) -> AppResult {
    if !chan.current().state.is_up() {
        let _ = chan.change_state(|s| s.set_line(line));
        chan.indicate(cause);
    }
    let secs: f64 = args.trim().parse().unwrap_or(0.0);
    let wait = if secs.is_finite() && secs > 0.0 {
        chan.sleep(Duration::from_secs_f64(secs)).await
    } else {
        chan.wait_until(None, Default::default()).await.map(|_| ())
    };
    wait?;
    Err(chan.hangup(cause))
}

pub(crate) fn busy<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(indicate_then_hang_up(chan, args, LineState::Busy, HangupCause::USER_BUSY))
}

pub(crate) fn congestion<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(indicate_then_hang_up(chan, args, LineState::Busy, HangupCause::NORMAL_CIRCUIT_CONGESTION))
}

/// `UserEvent(name[,Key: value[,…]])`: a `Custom` event whose first header is `UserEvent: name`.
pub(crate) fn user_event<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    let parts = crate::args::split(args, ',');
    let name = parts[0].trim().to_owned();
    let mut headers = vec![("UserEvent".to_owned(), name.clone())];
    for item in &parts[1..] {
        if let Some((k, v)) = item.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim_start().to_owned()));
        }
    }
    chan.publish(EventKind::custom(name, headers, None));
    Box::pin(async { Ok(String::new()) })
}

/// Echo: media is the media layer's; here the channel stays until hangup.
pub(crate) fn echo<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, _args: &'a str) -> R<'a> {
    Box::pin(async move { chan.wait_until(None, Default::default()).await.map(|_| String::new()) })
}

pub(crate) fn playback<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    tracing::debug!(channel = %chan.current().name, "Playback({args}): no media on this channel");
    chan.set_var("PLAYBACKSTATUS", "SUCCESS");
    Box::pin(async { Ok(String::new()) })
}

pub(crate) fn background<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    tracing::debug!(channel = %chan.current().name, "Background({args}): no media on this channel");
    chan.set_var("BACKGROUNDSTATUS", "SUCCESS");
    Box::pin(async { Ok(String::new()) })
}

pub(crate) fn dump_chan<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, _args: &'a str) -> R<'a> {
    let s = chan.current();
    let mut text = format!(
        "\nDumping Info For Channel: {}:\n{}\nName=               {}\nUniqueID=           {}\nCallerIDNum=        {}\nCallerIDName=       {}\nState=              {}\nContext=            {}\nExtension=          {}\nPriority=           {}\n\nVariables:\n",
        s.name,
        "=".repeat(80),
        s.name,
        s.id,
        s.caller.number,
        s.caller.name,
        s.state.line().asterisk_name(),
        s.location.context,
        s.location.exten,
        s.location.priority
    );
    for (k, v) in s.variables.iter() {
        text.push_str(&format!("{k}={v}\n"));
    }
    tracing::info!("{text}");
    Box::pin(async { Ok(String::new()) })
}
