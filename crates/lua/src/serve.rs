//! The channel side of a script's session: the channel's task answers the script's requests one at a
//! time and, between them, keeps handling the channel's own commands (hangup, transfer).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use switchyard_core::channel::WaitFor;
use switchyard_core::{Channel, HangupCause, Interrupted};
use tokio::time::{Instant, sleep_until};

use crate::call::{CallReceiver, Reply};

/// What the script did to the channel, applied when it ends.
#[derive(Debug)]
pub(crate) struct SessionState {
    pub(crate) hung_up: Option<HangupCause>,
    pub(crate) redirect: Option<Interrupted>,
    pub(crate) auto_hangup: bool,
    hung_up_at: Option<Instant>,
}

impl Default for SessionState {
    fn default() -> Self {
        Self { hung_up: None, redirect: None, auto_hangup: true, hung_up_at: None }
    }
}

impl SessionState {
    /// Records why a channel operation stopped.
    pub(crate) fn note(&mut self, interrupted: Interrupted) {
        match interrupted {
            Interrupted::HungUp(cause) => {
                self.hung_up.get_or_insert(cause);
                self.hung_up_at.get_or_insert_with(Instant::now);
            }
            redirect @ Interrupted::Redirected { .. } => self.redirect = Some(redirect),
        }
    }

    /// True while the script may still act on the channel (FreeSWITCH `session:ready()`).
    pub(crate) fn ready(&self) -> bool {
        self.hung_up.is_none() && self.redirect.is_none()
    }

    /// How the application ends once the script has finished.
    pub(crate) fn outcome(self, chan: &mut Channel) -> Result<String, Interrupted> {
        if let Some(cause) = self.hung_up {
            return Err(Interrupted::HungUp(cause));
        }
        if let Some(redirect) = self.redirect {
            return Err(redirect);
        }
        if self.auto_hangup {
            return Err(chan.hangup(HangupCause::NORMAL_CLEARING));
        }
        Ok(String::new())
    }
}

/// Serves requests until the script drops its end of the link. Once the channel is gone, a script
/// still running after `grace` is told to stop through `abort`.
pub(crate) async fn serve(
    chan: &mut Channel,
    mut calls: CallReceiver,
    state: &mut SessionState,
    abort: &Arc<AtomicBool>,
    grace: Duration,
) {
    loop {
        let abort_at = state.hung_up_at.map(|t| t + grace);
        let call = tokio::select! {
            call = calls.recv() => match call {
                Some(call) => call,
                None => return,
            },
            waited = chan.wait_until(None, WaitFor::default()), if state.hung_up.is_none() => {
                if let Err(interrupted) = waited {
                    state.note(interrupted);
                }
                continue;
            }
            _ = sleep_until(abort_at.unwrap_or_else(Instant::now)), if abort_at.is_some() && !abort.load(Ordering::Relaxed) => {
                tracing::warn!(channel = %chan.current().name, "lua script still running after hangup: aborting it");
                abort.store(true, Ordering::Relaxed);
                continue;
            }
        };
        let value = crate::ops::run(chan, state, call.op).await;
        let _ = call.reply.send(Reply { value, hung_up: state.hung_up.is_some() });
    }
}
