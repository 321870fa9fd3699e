//! `System(cmd)` and `TrySystem(cmd)`: run a shell command, wait for the shell, set `SYSTEMSTATUS`.
//! The shell is bash when installed (scripts written for Asterisk hosts use `disown` and other
//! bash words), `/bin/sh` otherwise.

use std::process::Stdio;
use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_core::app::{AppResult, BoxFuture};

use crate::engine::Engine;

fn shell() -> &'static str {
    if std::path::Path::new("/bin/bash").exists() { "/bin/bash" } else { "/bin/sh" }
}

/// Runs `cmd`; the exit status, or None when it could not start.
async fn run(cmd: &str) -> Option<i32> {
    let status = tokio::process::Command::new(shell())
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .ok()?;
    Some(status.code().unwrap_or(-1))
}

async fn system_with(chan: &mut Channel, cmd: &str, fail: bool) -> AppResult {
    if cmd.trim().is_empty() {
        tracing::warn!("System requires an argument(command)");
        chan.set_var("SYSTEMSTATUS", "FAILURE");
        return Ok(String::new());
    }
    let status = match run(cmd).await {
        None | Some(127) => {
            tracing::warn!(channel = %chan.current().name, "Unable to execute '{cmd}'");
            "FAILURE"
        }
        Some(0) => "SUCCESS",
        Some(_) => "APPERROR",
    };
    chan.set_var("SYSTEMSTATUS", status);
    if fail && status == "FAILURE" {
        return Err(chan.hangup(switchyard_core::HangupCause::NORMAL_CLEARING));
    }
    Ok(String::new())
}

pub(crate) fn system<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(system_with(chan, args, true))
}

pub(crate) fn try_system<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(system_with(chan, args, false))
}
