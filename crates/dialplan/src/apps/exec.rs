//! `Exec(App(args))`, `TryExec(App(args))` and `ExecIf(cond?App(args)[:App(args)])`.

use std::sync::Arc;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::{Channel, HangupCause};

use crate::engine::Engine;
use crate::funcs::strings::truthy;

/// Runs `App(args)` directly (no new dialplan step); None when the application is unknown.
async fn run(chan: &mut Channel, call: &str) -> Option<AppResult> {
    let (name, args) = crate::args::call(call).unwrap_or((call.trim(), ""));
    let app = chan.switch().apps().get(name)?;
    Some(app.execute(chan, args).await)
}

pub(crate) fn exec<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        match run(chan, args).await {
            Some(r) => r,
            None => {
                tracing::warn!(channel = %chan.current().name, "Could not find application ({args})");
                Err(chan.hangup(HangupCause::NORMAL_CLEARING))
            }
        }
    })
}

pub(crate) fn try_exec<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let status = match run(chan, args).await {
            Some(Ok(_)) => "SUCCESS",
            Some(Err(_)) => "FAILED",
            None => "NOAPP",
        };
        chan.set_var("TRYSTATUS", status);
        Ok(String::new())
    })
}

pub(crate) fn exec_if<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let Some((cond, rest)) = args.split_once('?') else {
            tracing::warn!("ExecIf requires an argument: expr?app(args)[:app(args)]");
            return Ok(String::new());
        };
        let branches = crate::args::split_raw(rest, ':');
        let chosen = if truthy(cond) { branches.first() } else { branches.get(1) };
        match chosen.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
            Some(call) => exec(e, chan, &call).await,
            None => Ok(String::new()),
        }
    })
}
