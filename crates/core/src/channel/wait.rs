//! Waiting inside a channel's task: time passes while commands and far-end actions are handled.

use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use crate::channel::{Channel, ChannelCommand, Interrupted};
use crate::event::EventKind;
use crate::state::LineState;
use crate::tech::RemoteAction;

/// What a wait should return early for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WaitFor {
    /// A DTMF digit from the far end.
    pub digit: bool,
    /// The line coming up (answer).
    pub answer: bool,
    /// A queued application (parked channels).
    pub queued_app: bool,
    /// The end of the bridge the channel is in.
    pub unbridged: bool,
}

/// Why a wait returned without interruption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Woken {
    /// The deadline passed.
    Timeout,
    /// A digit arrived.
    Digit(char),
    /// The line is up.
    Answered,
    /// An application was queued.
    QueuedApp,
    /// The bridge ended.
    Unbridged,
}

impl Channel {
    /// Waits until `deadline` (forever if None), handling commands and the far end meanwhile.
    pub async fn wait_until(&mut self, deadline: Option<Instant>, want: WaitFor) -> Result<Woken, Interrupted> {
        loop {
            self.check()?;
            if let Some(woken) = self.ready(want) {
                return Ok(woken);
            }
            let far_end = self.endpoint.next_deadline();
            let dtmf_end = self.dtmf_end_deadline();
            tokio::select! {
                cmd = self.rx.recv() => match cmd {
                    Some(cmd) => self.handle_command(cmd),
                    None => std::future::pending::<()>().await,
                },
                _ = sleep_until(far_end.unwrap_or_else(Instant::now)), if far_end.is_some() => {
                    if let Some(action) = self.endpoint.on_deadline(Instant::now()) {
                        self.handle_remote(action);
                    }
                }
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    return Ok(Woken::Timeout);
                }
                _ = sleep_until(dtmf_end.unwrap_or_else(Instant::now)), if dtmf_end.is_some() => {
                    self.dtmf_timed_out();
                }
            }
        }
    }

    /// Waits for `duration` (Asterisk `Wait`, FreeSWITCH `sleep`).
    pub async fn sleep(&mut self, duration: Duration) -> Result<(), Interrupted> {
        self.wait_until(Some(Instant::now() + duration), WaitFor::default()).await.map(|_| ())
    }

    /// Waits up to `timeout` for one digit.
    pub async fn wait_for_digit(&mut self, timeout: Option<Duration>) -> Result<Option<char>, Interrupted> {
        let deadline = timeout.map(|t| Instant::now() + t);
        match self.wait_until(deadline, WaitFor { digit: true, ..WaitFor::default() }).await? {
            Woken::Digit(d) => Ok(Some(d)),
            _ => Ok(None),
        }
    }

    fn ready(&mut self, want: WaitFor) -> Option<Woken> {
        if want.answer && self.snap.state.line() == LineState::Up {
            return Some(Woken::Answered);
        }
        if want.digit
            && let Some(d) = self.dtmf.pop_front()
        {
            return Some(Woken::Digit(d));
        }
        if want.unbridged && std::mem::take(&mut self.unbridged) {
            return Some(Woken::Unbridged);
        }
        (want.queued_app && !self.queued_apps.is_empty()).then_some(Woken::QueuedApp)
    }

    /// Applies one command from a handle.
    pub(crate) fn handle_command(&mut self, cmd: ChannelCommand) {
        match cmd {
            ChannelCommand::Hangup { cause, source } => self.request_hangup(cause, &source),
            ChannelCommand::SetVar { name, value } => self.set_var(&name, &value),
            ChannelCommand::Answer => {
                let _ = self.answer();
            }
            ChannelCommand::Remote(action) => self.handle_remote(action),
            ChannelCommand::Redirect { context, exten, priority } => {
                self.redirect = Some(Interrupted::Redirected { context, exten, priority });
            }
            ChannelCommand::Execute { app, args } => self.queued_apps.push_back((app, args)),
            ChannelCommand::JoinBridge { bridge_id, peer } => self.join_bridge(bridge_id, peer),
            ChannelCommand::PeerLeft { bridge_id } => self.peer_left(&bridge_id),
            ChannelCommand::LeaveBridge { bridge_id, notify_peer } => self.leave_bridge_named(&bridge_id, notify_peer),
            ChannelCommand::ReplacePeer { bridge_id, peer } => self.replace_peer(&bridge_id, peer),
            ChannelCommand::Hold { on } => self.set_hold(on),
            ChannelCommand::Publish(kind) => {
                self.publish(kind);
            }
        }
    }

    /// `DialState` (destination only) while an originate no channel asked for is being dialed.
    fn publish_dial_state(&mut self, status: &str) {
        if self.dialed_by_nobody() && !self.snap.state.is_up() && self.hangup.is_none() {
            let dest = self.publish_snapshot();
            self.switch.bus().publish(EventKind::DialState { dest, status: status.to_owned() }, None);
        }
    }

    /// Applies something the far end did.
    pub(crate) fn handle_remote(&mut self, action: RemoteAction) {
        match action {
            RemoteAction::Ringing => {
                let _ = self.change_state(|s| s.set_line(LineState::Ringing));
                self.publish_dial_state("RINGING");
            }
            RemoteAction::Progress => {
                let _ = self.progress();
                self.publish_dial_state("PROGRESS");
            }
            RemoteAction::Answer => self.mark_up(),
            RemoteAction::Reject(cause) | RemoteAction::Hangup(cause) => {
                self.request_hangup(cause, "remote");
            }
            RemoteAction::Dtmf(digit) => self.dtmf_received(digit),
            RemoteAction::DtmfBegin(digit) => self.dtmf_begin(digit),
            RemoteAction::DtmfEnd(digit, duration_ms) => self.dtmf_end(digit, duration_ms),
        }
    }
}
