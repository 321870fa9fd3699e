//! A channel's life: created and announced, dialed (outbound), routed to its target, hung up, destroyed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::cause::HangupCause;
use crate::channel::{Channel, ChannelHandle, ChannelShared, Extensions, Interrupted, WaitFor, Woken};
use crate::event::EventKind;
use crate::originate::{OriginateOutcome, OriginateReason, OriginateTarget};
use crate::snapshot::ChannelSnapshot;
use crate::state::{LineState, Phase};
use crate::switch::Switch;
use crate::tech::{Endpoint, LocalEvent};

/// What a new channel's task does.
pub(crate) enum ChannelPlan {
    /// Dial the far end, report the outcome, and run `target` once answered.
    Outbound {
        timeout: Duration,
        target: OriginateTarget,
        reply: oneshot::Sender<OriginateOutcome>,
        /// The resource dialed (AMI `DialString`).
        dialstring: String,
    },
    /// An incoming call: it rings (Asterisk `Ring`) and goes straight to `target`; with `hold`, only
    /// once that is released (or dropped).
    Inbound { target: OriginateTarget, hold: Option<oneshot::Receiver<()>> },
}

/// Registers a channel, announces it (`ChannelCreate`) and starts its task.
pub(crate) fn spawn_channel(
    switch: &Switch,
    snap: ChannelSnapshot,
    endpoint: Box<dyn Endpoint>,
    plan: ChannelPlan,
) -> ChannelHandle {
    let media = endpoint.media();
    let snap = crate::snapshot::WorkingSnapshot::from(snap);
    let shared = Arc::new(ChannelShared { snapshot: RwLock::new(snap.share()), media });
    let (tx, rx) = mpsc::unbounded_channel();
    let handle = ChannelHandle::new(snap.id, shared.clone(), tx);
    let mut endpoint = endpoint;
    endpoint.bind(&handle);
    let mut chan = Channel {
        switch: switch.clone(),
        snap,
        shared,
        rx,
        endpoint,
        dtmf: VecDeque::new(),
        dtmf_open: None,
        hangup: None,
        redirect: None,
        queued_apps: VecDeque::new(),
        bridge: None,
        phase_before_bridge: Phase::New,
        unbridged: false,
        extensions: Extensions::default(),
    };
    switch.channels().insert(handle.clone());
    switch.stats().channel_created(switch.now());
    switch.stats().observe_active(switch.channels().len() as u64, switch.now());
    chan.publish(EventKind::ChannelCreate);
    chan.endpoint.on_created(Instant::now());
    tokio::spawn(run(chan, plan));
    handle
}

async fn run(mut chan: Channel, plan: ChannelPlan) {
    match plan {
        ChannelPlan::Outbound { timeout, target, reply, dialstring } => {
            let outcome = chan.dial(timeout, dialstring).await;
            let answered = outcome.answered;
            let _ = reply.send(outcome);
            if answered {
                chan.run_target(target).await;
            }
        }
        ChannelPlan::Inbound { target, hold } => {
            if let Some(hold) = hold {
                // Until released the channel only answers commands; a hangup, or the holder gone
                // without releasing it, ends it here.
                let released = tokio::select! {
                    r = hold => r.is_ok(),
                    w = chan.wait_until(None, WaitFor::default()) => w.is_ok(),
                };
                if !released || chan.hangup_cause().is_some() {
                    chan.request_hangup(HangupCause::NORMAL_CLEARING, "never started");
                    chan.finish().await;
                    return;
                }
            }
            let _ = chan.change_state(|s| s.set_line(LineState::Ring));
            chan.set_phase(Phase::Init);
            chan.run_target(target).await;
        }
    }
    chan.finish().await;
}

impl Channel {
    async fn dial(&mut self, timeout: Duration, dialstring: String) -> OriginateOutcome {
        self.set_phase(Phase::Init);
        self.endpoint.on_local(LocalEvent::Dialing, Instant::now());
        // After the far end was asked, as Asterisk's dial.c (a Local pair's `LocalBridge` comes first);
        // a Local `;2` starts its dialplan only once this channel waits, so nothing it does precedes this.
        if self.dialed_by_nobody() {
            let dest = self.publish_snapshot();
            self.switch.bus().publish(EventKind::DialBegin { dest, dialstring }, None);
        }
        let want = WaitFor { answer: true, ..WaitFor::default() };
        let result = self.wait_until(Some(Instant::now() + timeout), want).await;
        let ringing = self.current().state.line() == LineState::Ringing;
        let (reason, cause) = match result {
            Ok(Woken::Answered) => (OriginateReason::Answered, HangupCause::NORMAL_CLEARING),
            Ok(_) => {
                self.request_hangup(HangupCause::NO_ANSWER, "originate timeout");
                let reason = if ringing { OriginateReason::RingTimeout } else { OriginateReason::Failed };
                (reason, HangupCause::NO_ANSWER)
            }
            Err(Interrupted::HungUp(cause)) => (OriginateReason::for_failure(cause, ringing), cause),
            Err(Interrupted::Redirected { .. }) => {
                self.request_hangup(HangupCause::NORMAL_UNSPECIFIED, "redirected before answer");
                (OriginateReason::Failed, HangupCause::NORMAL_UNSPECIFIED)
            }
        };
        let answered = reason == OriginateReason::Answered;
        if self.dialed_by_nobody() {
            let (dest, status) = (self.publish_snapshot(), dial_status(reason).to_owned());
            self.switch.bus().publish(EventKind::DialEnd { dest, status }, None);
        }
        OriginateOutcome::new(self.current(), answered, reason, cause)
    }

    /// True for an originated channel that no other channel dialed (AMI/CLI/ESL originate): its dial
    /// events carry only the destination, as Asterisk's for an Originate. A channel dialed by another
    /// (Dial, bridge) joins the dialer's call chain, so its linked id is not its own.
    pub(crate) fn dialed_by_nobody(&self) -> bool {
        self.snap.direction == crate::snapshot::Direction::Outbound && self.snap.linked_id == self.snap.id
    }

    async fn run_target(&mut self, target: OriginateTarget) {
        let result = match target {
            OriginateTarget::App { name, args } => self.run_app_target(&name, &args).await,
            OriginateTarget::Extension { context, exten, priority } => {
                self.set_location(&context, &exten, priority);
                Ok(())
            }
            OriginateTarget::Park => self.run_app_target("park", "").await,
        };
        let needs_dialplan = match result {
            Ok(()) => !self.current().location.exten.is_empty() && self.hangup_cause().is_none(),
            Err(Interrupted::Redirected { context, exten, priority }) => {
                self.set_location(&context, &exten, priority);
                true
            }
            Err(Interrupted::HungUp(_)) => false,
        };
        if needs_dialplan {
            self.run_dialplan().await;
        }
    }

    async fn run_app_target(&mut self, name: &str, args: &str) -> Result<(), Interrupted> {
        self.set_phase(Phase::Execute);
        match self.execute(name, args).await {
            Ok(Ok(_)) => {
                self.request_hangup(HangupCause::NORMAL_CLEARING, "application finished");
                Ok(())
            }
            Ok(Err(interrupted)) => Err(interrupted),
            Err(no_app) => {
                tracing::warn!(channel = %self.current().name, "{no_app}");
                self.request_hangup(HangupCause::NORMAL_CLEARING, "no such application");
                Ok(())
            }
        }
    }

    async fn run_dialplan(&mut self) {
        self.set_phase(Phase::Routing);
        match self.switch().dialplan() {
            Some(engine) => engine.run(self).await,
            None => {
                let loc = &self.current().location;
                tracing::warn!(channel = %self.current().name, "no dialplan loaded for {}@{}", loc.exten, loc.context);
                self.request_hangup(HangupCause::NO_ROUTE_DESTINATION, "no dialplan");
            }
        }
    }

    async fn finish(&mut self) {
        self.close_open_dtmf();
        let cause = self.hangup_cause().unwrap_or(HangupCause::NORMAL_CLEARING);
        self.request_hangup(cause, "channel");
        self.endpoint.on_local(LocalEvent::Hangup(cause), Instant::now());
        self.snap.hungup = Some(self.switch.now());
        self.leave_bridge(true);
        if let Some(engine) = self.switch().dialplan() {
            engine.run_hangup(self).await;
        }
        self.set_phase(Phase::Reporting);
        self.publish(EventKind::Hangup { cause });
        self.snap.state.set_phase(Phase::Destroy).ok();
        self.publish(EventKind::ChannelDestroy);
        self.leave_device();
        self.switch.channels().remove(self.id());
    }
}

/// Asterisk's `DIALSTATUS` for an originate's outcome.
fn dial_status(reason: OriginateReason) -> &'static str {
    match reason {
        OriginateReason::Answered => "ANSWER",
        OriginateReason::Busy => "BUSY",
        OriginateReason::Congestion => "CONGESTION",
        OriginateReason::RingTimeout | OriginateReason::HungUp => "NOANSWER",
        OriginateReason::Failed => "CHANUNAVAIL",
    }
}
