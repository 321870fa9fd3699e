//! Originate: create a channel on a technology, wait for answer, then run an application or the dialplan.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::cause::HangupCause;
use crate::channel::{ChannelHandle, ChannelPlan, spawn_channel};
use crate::id::ChannelId;
use crate::snapshot::{CallerId, ChannelSnapshot, Direction};
use crate::switch::Switch;
use crate::tech::{DialString, DialStringError};

/// Where an answered channel goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginateTarget {
    /// Run one application, then hang up.
    App {
        /// Application name.
        name: String,
        /// Its arguments.
        args: String,
    },
    /// Enter the dialplan here.
    Extension {
        /// Context.
        context: String,
        /// Extension.
        exten: String,
        /// Priority.
        priority: u32,
    },
    /// Park and wait for commands.
    Park,
}

/// A request to originate a call.
#[derive(Clone, Debug)]
pub struct OriginateRequest {
    /// Dial string, e.g. `sim/alice?ring=1s`.
    pub dial: String,
    /// How long to wait for answer.
    pub timeout: Duration,
    /// Caller id presented.
    pub caller_id: CallerId,
    /// Channel variables set before dialing.
    pub variables: Vec<(String, String)>,
    /// Account code.
    pub account: String,
    /// A preset unique id (AMI `ChannelId`, FreeSWITCH `origination_uuid`).
    pub channel_id: Option<ChannelId>,
    /// Where the answered channel goes.
    pub target: OriginateTarget,
    /// The call chain this channel joins (Asterisk `Linkedid`); its own id when None.
    pub linked_id: Option<ChannelId>,
}

impl OriginateRequest {
    /// A request with defaults: 30 s timeout, no caller id, no variables.
    pub fn new(dial: impl Into<String>, target: OriginateTarget) -> Self {
        Self {
            dial: dial.into(),
            timeout: Duration::from_secs(30),
            caller_id: CallerId::default(),
            variables: Vec::new(),
            account: String::new(),
            channel_id: None,
            target,
            linked_id: None,
        }
    }
}

/// Asterisk's originate reason code (AMI `OriginateResponse` `Reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginateReason {
    /// 0: the channel could not be reached (no such number, unavailable) or gave no sign of life.
    Failed = 0,
    /// 1: the far end hung up before answer.
    HungUp = 1,
    /// 3: it rang until the timeout.
    RingTimeout = 3,
    /// 4: answered.
    Answered = 4,
    /// 5: busy.
    Busy = 5,
    /// 8: congestion.
    Congestion = 8,
}

impl OriginateReason {
    /// The number AMI prints.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The reason for a call that ended with `cause` before answer.
    pub fn for_failure(cause: HangupCause, was_ringing: bool) -> Self {
        match cause.number() {
            17 => Self::Busy,
            34 | 42 => Self::Congestion,
            1 | 3 | 20 | 44 | 66 | 806 => Self::Failed,
            _ if was_ringing => Self::HungUp,
            _ => Self::Failed,
        }
    }
}

/// How an originate ended.
#[derive(Clone, Debug)]
pub struct OriginateOutcome {
    /// The channel that was created.
    pub channel_id: ChannelId,
    /// Its name.
    pub channel_name: String,
    /// True when answered.
    pub answered: bool,
    /// Asterisk's reason code.
    pub reason: OriginateReason,
    /// FreeSWITCH's cause (`NORMAL_CLEARING` on success).
    pub cause: HangupCause,
    /// The channel as it was when the outcome was known.
    pub snapshot: Arc<ChannelSnapshot>,
}

impl OriginateOutcome {
    pub(crate) fn new(snap: &ChannelSnapshot, answered: bool, reason: OriginateReason, cause: HangupCause) -> Self {
        Self {
            channel_id: snap.id,
            channel_name: snap.name.as_str().to_owned(),
            answered,
            reason,
            cause,
            snapshot: Arc::new(snap.clone()),
        }
    }
}

/// An originate that could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginateError {
    /// The dial string is wrong.
    #[error(transparent)]
    DialString(#[from] DialStringError),
    /// The preset id is in use.
    #[error("channel id {0} is already in use")]
    DuplicateId(ChannelId),
    /// The channel limit is reached.
    #[error("too many channels (limit {0})")]
    TooManyChannels(usize),
    /// The switch is shutting down.
    #[error("the switch is shutting down")]
    ShuttingDown,
}

impl OriginateError {
    /// The hangup cause FreeSWITCH would report for this failure.
    pub fn cause(&self) -> HangupCause {
        match self {
            Self::DialString(DialStringError::UnknownTech { .. }) => HangupCause::CHAN_NOT_IMPLEMENTED,
            Self::DialString(_) => HangupCause::from_number(810), // INVALID_URL
            Self::DuplicateId(_) => HangupCause::from_number(702), // LOSE_RACE
            Self::TooManyChannels(_) => HangupCause::SWITCH_CONGESTION,
            Self::ShuttingDown => HangupCause::SYSTEM_SHUTDOWN,
        }
    }
}

/// A started originate: the channel exists; the outcome arrives when it answers or fails.
pub struct PendingOriginate {
    /// The new channel.
    pub channel: ChannelHandle,
    outcome: oneshot::Receiver<OriginateOutcome>,
}

impl PendingOriginate {
    /// Waits for the outcome.
    pub async fn outcome(self) -> OriginateOutcome {
        let fallback = self.channel.snapshot();
        self.outcome.await.unwrap_or_else(|_| {
            OriginateOutcome::new(&fallback, false, OriginateReason::Failed, HangupCause::NORMAL_TEMPORARY_FAILURE)
        })
    }
}

impl Switch {
    /// Creates the channel and starts dialing; returns at once.
    pub fn originate(&self, mut req: OriginateRequest) -> Result<PendingOriginate, OriginateError> {
        let dial = DialString::parse(&req.dial)?;
        if req.channel_id.is_none() {
            // FreeSWITCH's `origination_uuid` channel variable presets the id.
            let preset = dial.variables.iter().chain(&req.variables).find(|(k, _)| k == "origination_uuid");
            req.channel_id = preset.and_then(|(_, v)| v.parse().ok());
        }
        self.admit(req.channel_id)?;
        let tech = self.techs().get(&dial.tech).ok_or_else(|| DialStringError::UnknownTech {
            tech: dial.tech.clone(),
            dial: req.dial.clone(),
            known: self.techs().names().join(", "),
        })?;
        let endpoint = tech.request(self, &dial.resource)?;
        let name = tech.channel_name(&dial.resource, self.next_channel_number());
        let snap = self.new_snapshot(&dial, tech.name(), name, &req);
        let (reply, outcome) = oneshot::channel();
        let dialstring = dial.resource.clone();
        let plan = ChannelPlan::Outbound { timeout: req.timeout, target: req.target, reply, dialstring };
        let channel = spawn_channel(self, snap, endpoint, plan);
        Ok(PendingOriginate { channel, outcome })
    }

    /// Originates and waits for the outcome.
    pub async fn originate_and_wait(&self, req: OriginateRequest) -> Result<OriginateOutcome, OriginateError> {
        let pending = self.originate(req)?;
        let outcome = pending.outcome().await;
        self.stats().originate_finished(outcome.answered);
        Ok(outcome)
    }

    pub(crate) fn admit(&self, id: Option<ChannelId>) -> Result<(), OriginateError> {
        if self.is_shutting_down() {
            return Err(OriginateError::ShuttingDown);
        }
        let limit = self.max_channels();
        if limit > 0 && self.channels().len() >= limit {
            return Err(OriginateError::TooManyChannels(limit));
        }
        match id {
            Some(id) if self.channels().get(id).is_some() => Err(OriginateError::DuplicateId(id)),
            _ => Ok(()),
        }
    }

    fn new_snapshot(&self, dial: &DialString, tech: &str, name: String, req: &OriginateRequest) -> ChannelSnapshot {
        let id = req.channel_id.unwrap_or_else(ChannelId::new_v4);
        let mut snap = self.blank_snapshot(id, tech, name, Direction::Outbound);
        if let Some(linked) = req.linked_id {
            snap.linked_id = linked;
        }
        snap.dialed = dial.name_base().into();
        snap.caller = req.caller_id.clone();
        snap.account_code = req.account.as_str().into();
        for (k, v) in dial.variables.iter().chain(&req.variables) {
            snap.variables.set(k, v);
        }
        snap
    }
}
