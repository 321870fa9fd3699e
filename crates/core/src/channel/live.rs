//! The channel as its own task sees it: state it owns, and the operations applications call.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::cause::HangupCause;
use crate::channel::{ChannelCommand, ChannelShared, Extensions};
use crate::event::EventKind;
use crate::id::ChannelId;
use crate::snapshot::{ChannelSnapshot, WorkingSnapshot};
use crate::state::{ChannelState, LineState, Phase, TransitionError};
use crate::switch::Switch;
use crate::tech::{Endpoint, LocalEvent};
use crate::text::SharedStr;

/// Why an application stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Interrupted {
    /// The channel is hanging up.
    HungUp(HangupCause),
    /// The channel was sent elsewhere in the dialplan.
    Redirected {
        /// Context.
        context: String,
        /// Extension.
        exten: String,
        /// Priority.
        priority: u32,
    },
}

/// A live channel, owned by its task. Applications and dialplans get `&mut Channel`.
pub struct Channel {
    pub(crate) switch: Switch,
    pub(crate) snap: WorkingSnapshot,
    pub(crate) shared: Arc<ChannelShared>,
    pub(crate) rx: mpsc::UnboundedReceiver<ChannelCommand>,
    pub(crate) endpoint: Box<dyn Endpoint>,
    pub(crate) dtmf: VecDeque<char>,
    /// A received digit that began and has not ended yet, and when it began.
    pub(crate) dtmf_open: Option<(char, tokio::time::Instant)>,
    pub(crate) hangup: Option<HangupCause>,
    pub(crate) redirect: Option<Interrupted>,
    pub(crate) queued_apps: VecDeque<(String, String)>,
    pub(crate) bridge: Option<(String, super::ChannelHandle)>,
    pub(crate) phase_before_bridge: Phase,
    pub(crate) unbridged: bool,
    /// State other crates keep on the channel (Gosub stack, hangup handlers, …).
    pub extensions: Extensions,
}

impl Channel {
    /// The switch this channel belongs to.
    pub fn switch(&self) -> &Switch {
        &self.switch
    }

    /// The channel id.
    pub fn id(&self) -> ChannelId {
        self.snap.id
    }

    /// The working state (not yet published changes included).
    pub fn current(&self) -> &ChannelSnapshot {
        &self.snap
    }

    /// Mutable access for dialplan engines (caller id, location, language…). Call `publish_snapshot`
    /// or publish an event afterwards so readers see the change.
    pub fn current_mut(&mut self) -> &mut ChannelSnapshot {
        &mut self.snap
    }

    /// Publishes an event about this channel with a fresh snapshot.
    pub fn publish(&mut self, kind: EventKind) -> u64 {
        let snap = self.publish_snapshot();
        self.switch.bus().publish(kind, Some(snap))
    }

    /// Makes the working state visible to handles; returns the snapshot. Costs no copy: the
    /// working state is shared until its next change (see `WorkingSnapshot`).
    pub fn publish_snapshot(&mut self) -> Arc<ChannelSnapshot> {
        if self.snap.is_published() {
            return self.snap.share();
        }
        let snap = self.snap.share();
        *self.shared.snapshot.write() = snap.clone();
        snap
    }

    /// A channel variable.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.snap.variables.get(name)
    }

    /// Sets a channel variable and publishes `VarSet`. Setting the value it already has changes
    /// nothing: the event then carries the snapshot as it is (no copy of the working state).
    pub fn set_var(&mut self, name: &str, value: &str) {
        let (name, value) = match self.snap.variables.find_stored(name) {
            Some((stored, Some(old))) if *old == *value => (stored.clone(), old.clone()),
            Some((stored, _)) => {
                let stored = stored.clone();
                self.snap.variables.set_stored(stored, value)
            }
            None => self.snap.variables.set_stored(name.into(), value),
        };
        self.publish(EventKind::VarSet { name, value });
    }

    /// Removes a channel variable.
    pub fn unset_var(&mut self, name: &str) {
        if self.snap.variables.unset(name) {
            self.publish(EventKind::VarSet { name: name.into(), value: SharedStr::default() });
        }
    }

    /// Applies a state change and publishes `ChannelState` if any view changed.
    pub fn change_state(
        &mut self,
        change: impl FnOnce(&mut ChannelState) -> Result<(), TransitionError>,
    ) -> Result<(), TransitionError> {
        let previous = self.snap.state;
        change(&mut self.snap.state)?;
        if self.snap.state != previous {
            self.publish(EventKind::ChannelState { previous });
            if self.snap.state.line() != previous.line() && !self.is_initial_ring(previous.line()) {
                self.update_device();
            }
        }
        Ok(())
    }

    /// An incoming channel's first move to `Ring` is its creation state in Asterisk, which announces
    /// no device state.
    fn is_initial_ring(&self, previous: LineState) -> bool {
        previous == LineState::Down
            && self.snap.state.line() == LineState::Ring
            && self.snap.direction == crate::snapshot::Direction::Inbound
    }

    /// Moves to a life-cycle phase (no-op when already there).
    pub fn set_phase(&mut self, phase: Phase) {
        if self.snap.state.phase() != phase {
            let _ = self.change_state(|s| s.set_phase(phase));
        }
    }

    /// Answers the channel (no-op when already up).
    pub fn answer(&mut self) -> Result<(), Interrupted> {
        self.check()?;
        if self.snap.state.is_up() {
            return Ok(());
        }
        self.mark_up();
        Ok(())
    }

    pub(crate) fn mark_up(&mut self) {
        if self.change_state(|s| s.set_line(LineState::Up)).is_ok() {
            self.snap.answered = Some(self.switch.now());
            self.publish(EventKind::ChannelAnswer);
            self.endpoint.on_local(LocalEvent::Up, Instant::now());
            self.run_answer_hooks();
        }
    }

    /// Signals ringing to the caller (Asterisk `Ringing`).
    /// The far end hears it (`Endpoint::on_ringing`); an answered channel stays up.
    pub fn ring(&mut self) -> Result<(), Interrupted> {
        self.check()?;
        if self.snap.state.is_up() {
            return Ok(());
        }
        if self.endpoint.on_ringing(Instant::now()) {
            let _ = self.change_state(|s| s.set_line(LineState::Ringing));
        }
        Ok(())
    }

    /// Early media (Asterisk `Progress`, FreeSWITCH `pre_answer`).
    pub fn progress(&mut self) -> Result<(), Interrupted> {
        self.check()?;
        if self.change_state(|s| s.set_early_media()).is_ok() {
            self.publish(EventKind::ChannelProgress);
            self.endpoint.on_progress(Instant::now());
        }
        Ok(())
    }

    /// Requests hangup with `cause`: publishes the request and makes every later wait return
    /// `Interrupted::HungUp`. The first cause wins.
    pub fn request_hangup(&mut self, cause: HangupCause, source: &str) {
        if self.hangup.is_some() {
            return;
        }
        self.hangup = Some(cause);
        self.snap.hangup_cause = Some(cause);
        self.publish(EventKind::HangupRequest { cause, source: source.to_owned() });
        self.set_phase(Phase::Hangup);
    }

    /// Hangs up from inside an application; returns the interruption to propagate.
    pub fn hangup(&mut self, cause: HangupCause) -> Interrupted {
        self.request_hangup(cause, "dialplan");
        Interrupted::HungUp(self.hangup.unwrap_or(cause))
    }

    /// The hangup cause once hangup was requested.
    pub fn hangup_cause(&self) -> Option<HangupCause> {
        self.hangup
    }

    /// Ok while the channel may go on; the pending interruption otherwise.
    pub fn check(&mut self) -> Result<(), Interrupted> {
        if let Some(cause) = self.hangup {
            return Err(Interrupted::HungUp(cause));
        }
        match self.redirect.take() {
            Some(r) => Err(r),
            None => Ok(()),
        }
    }

    /// Sets the dialplan position (published with the next event).
    pub fn set_location(&mut self, context: &str, exten: &str, priority: u32) {
        let loc = &mut self.snap.location;
        loc.context.set(context);
        loc.exten.set(exten);
        loc.priority = priority;
    }

    /// The next application queued by `ChannelCommand::Execute`.
    pub fn next_queued_app(&mut self) -> Option<(String, String)> {
        self.queued_apps.pop_front()
    }
}
