//! The one typed event that every protocol renders: sequence number, time, kind and channel snapshot.

use std::sync::Arc;

use crate::cause::HangupCause;
use crate::clock::Timestamp;
pub use crate::event_payload::{BackgroundJobEvent, ConferenceEvent, CustomEvent, LocalBridgeEvent, ScheduleEvent};
use crate::execution::Execution;
use crate::snapshot::ChannelSnapshot;
use crate::state::ChannelState;
use crate::text::SharedStr;

/// Which part of a DTMF digit an `EventKind::Dtmf` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DtmfPhase {
    /// The digit started (RFC 4733 first event packet); its end follows as `End`.
    Begin,
    /// The digit that started with `Begin` ended, after `duration_ms`.
    End,
    /// The whole digit at once (SendDTMF, digits whose start and end are not told apart).
    Whole,
}

/// What happened. Variants that are seldom published and large keep their fields in a box, so that
/// every event (65,536 of them are kept for replay) stays small.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum EventKind {
    /// A channel was created (AMI `Newchannel`, ESL `CHANNEL_CREATE`).
    ChannelCreate,
    /// The state machine moved (AMI `Newstate` when the line changed; ESL `CHANNEL_STATE` when the
    /// phase changed, `CHANNEL_CALLSTATE` when the call state changed).
    ChannelState {
        /// The state before; the snapshot holds the new one.
        previous: ChannelState,
    },
    /// The channel was answered (ESL `CHANNEL_ANSWER`).
    ChannelAnswer,
    /// Early media / progress (ESL `CHANNEL_PROGRESS_MEDIA`).
    ChannelProgress,
    /// A channel variable was set (AMI `VarSet`).
    VarSet {
        /// Variable name.
        name: SharedStr,
        /// New value.
        value: SharedStr,
    },
    /// An application starts (AMI `Newexten` at a dialplan step, ESL `CHANNEL_EXECUTE`).
    Execute {
        /// The execution (application, arguments, id), shared with its `ExecuteComplete`.
        exec: Arc<Execution>,
    },
    /// An application finished (ESL `CHANNEL_EXECUTE_COMPLETE`).
    ExecuteComplete {
        /// The execution, as its `Execute` reported it.
        exec: Arc<Execution>,
        /// Its result text (`Application-Response`).
        response: String,
    },
    /// Hangup was requested (AMI `SoftHangupRequest`/`HangupRequest`, ESL `CHANNEL_HANGUP`).
    HangupRequest {
        /// Cause.
        cause: HangupCause,
        /// Who asked (e.g. `cli`, `ami`, `remote`), for logs.
        source: String,
    },
    /// The channel finished hanging up after `h` and hangup handlers (AMI `Hangup`, ESL
    /// `CHANNEL_HANGUP_COMPLETE`).
    Hangup {
        /// Cause.
        cause: HangupCause,
    },
    /// The channel is gone (ESL `CHANNEL_DESTROY`).
    ChannelDestroy,
    /// A digit was received or sent: AMI `DTMFBegin` when it starts and `DTMFEnd` when it ends,
    /// ESL `DTMF` when it ends (FreeSWITCH reports a digit once its duration is known).
    Dtmf {
        /// The digit.
        digit: char,
        /// Duration in milliseconds (0 at `DtmfPhase::Begin`).
        duration_ms: u32,
        /// True when received from the far end.
        received: bool,
        /// Which part of the digit this event reports.
        phase: DtmfPhase,
    },
    /// An RTCP compound packet was sent or received on the channel's media (AMI `RTCPSent` /
    /// `RTCPReceived`).
    Rtcp {
        /// True when we sent it.
        sent: bool,
        /// What it reported.
        report: Arc<crate::rtcp::RtcpReport>,
    },
    /// Two channels were joined (AMI `BridgeEnter`, ESL `CHANNEL_BRIDGE`); `other` is the peer.
    Bridge {
        /// Bridge id.
        bridge_id: String,
        /// The peer channel.
        other: Arc<ChannelSnapshot>,
        /// Channels in the bridge once this one entered (AMI `BridgeNumChannels`).
        members: usize,
    },
    /// A channel left a bridge (AMI `BridgeLeave`, ESL `CHANNEL_UNBRIDGE`).
    Unbridge {
        /// Bridge id.
        bridge_id: String,
        /// The peer channel.
        other: Arc<ChannelSnapshot>,
        /// Channels still in the bridge once this one left.
        members: usize,
    },
    /// A bridge was created, before any channel enters it (AMI `BridgeCreate`).
    BridgeCreate {
        /// Bridge id.
        bridge_id: String,
    },
    /// The last channel left a bridge, which is gone (AMI `BridgeDestroy`).
    BridgeDestroy {
        /// Bridge id.
        bridge_id: String,
    },
    /// The channel was put on hold or taken off it (ESL `CHANNEL_HOLD`/`CHANNEL_UNHOLD`, AMI
    /// `Hold`/`Unhold`). Published by `Channel::set_hold`.
    Hold {
        /// True when the channel is now on hold.
        on: bool,
    },
    /// The channel's media codec was set (ESL `CODEC`): published by the media side with
    /// `Channel::publish_codec` when it negotiates or changes a codec.
    Codec {
        /// The read codec.
        read: CodecInfo,
        /// The write codec, when this is the write side's change (FreeSWITCH fires one event per side).
        write: Option<Box<CodecInfo>>,
    },
    /// A device's aggregated state changed (AMI `DeviceStateChange`), derived from its channels.
    DeviceState {
        /// Device, e.g. `SIP/1000` or `Local/100@test`.
        device: String,
        /// The new state.
        state: DeviceState,
    },
    /// A `Local` channel pair was created (AMI `LocalBridge`); the event has no main channel.
    LocalBridge(Box<LocalBridgeEvent>),
    /// A channel being dialed signalled progress (AMI `DialState`, `DialStatus: RINGING|PROGRESS`).
    /// Without a main channel when no channel dialed it (originate).
    DialState {
        /// The channel being dialed.
        dest: Arc<ChannelSnapshot>,
        /// `RINGING`, `PROGRESS` or `PROCEEDING`.
        status: String,
    },
    /// An originate finished (AMI `OriginateResponse`).
    OriginateResult {
        /// Caller's correlation id (AMI `ActionID`), if any.
        request_id: Option<String>,
        /// Outcome.
        outcome: Box<crate::originate::OriginateOutcome>,
    },
    /// A named event with free headers (AMI `UserEvent`, ESL `CUSTOM`/`sendevent`).
    Custom(Box<CustomEvent>),
    /// The scheduler added, deleted, ran or re-armed a task (ESL `ADD_SCHEDULE`, `DEL_SCHEDULE`,
    /// `EXE_SCHEDULE`, `RE_SCHEDULE`).
    Schedule(Box<ScheduleEvent>),
    /// The switch is shutting down.
    Shutdown,
    /// A hangup handler was pushed on the channel's stack (AMI `HangupHandlerPush`).
    HangupHandlerPush {
        /// The handler as stored: `context,exten,priority(args)`.
        handler: String,
    },
    /// A hangup handler was popped off the channel's stack (AMI `HangupHandlerPop`).
    HangupHandlerPop {
        /// The handler removed.
        handler: String,
    },
    /// A hangup handler is about to run (AMI `HangupHandlerRun`).
    HangupHandlerRun {
        /// The handler.
        handler: String,
    },
    /// A background API command finished (ESL `BACKGROUND_JOB`).
    BackgroundJob(Box<BackgroundJobEvent>),
    /// The periodic liveness event (ESL `HEARTBEAT`, every 20 s by default).
    Heartbeat {
        /// Live channels.
        sessions: usize,
        /// Channels created since start.
        since_startup: u64,
        /// Peak of live channels.
        peak: u64,
    },
    /// This channel started dialing `dest` (AMI `DialBegin`). Published without a main channel
    /// for an originate that no channel asked for (AMI/CLI Originate), as Asterisk does.
    DialBegin {
        /// The channel being dialed.
        dest: Arc<ChannelSnapshot>,
        /// What was dialed, after the technology (`100@test` for `Local/100@test`).
        dialstring: String,
    },
    /// Dialing `dest` ended with a Dial status (`ANSWER`, `BUSY`, `NOANSWER`, `CANCEL`, …; AMI `DialEnd`).
    DialEnd {
        /// The channel that was dialed.
        dest: Arc<ChannelSnapshot>,
        /// The status.
        status: String,
    },
    /// The channel's caller id changed; the snapshot holds the new one (AMI `NewCallerid`).
    CallerIdChange,
    /// A module's configuration was reloaded (AMI `Reload`): `status` as Asterisk's reload result
    /// (0 success, 3 error).
    Reload {
        /// Module name, e.g. `pbx_config.so`.
        module: String,
        /// Result code.
        status: u8,
    },
    /// A conference changed (ESL `CUSTOM conference::maintenance`): a member joined, left or was muted,
    /// the conference was created, locked, … The event's channel is the member's, when one is concerned.
    Conference(Box<ConferenceEvent>),
    /// A blind transfer happened or failed (AMI `BlindTransfer`); published without a main channel.
    BlindTransfer(Box<crate::transfer::BlindTransfer>),
    /// An attended transfer completed or failed (AMI `AttendedTransfer`); without a main channel.
    AttendedTransfer(Box<crate::transfer::AttendedTransfer>),
    /// A Local pair's optimisation began or ended (AMI `LocalOptimizationBegin`/`End`).
    LocalOptimization(Box<crate::transfer::LocalOptimization>),
}

/// A codec as FreeSWITCH's `CODEC` event names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecInfo {
    /// Name, e.g. `PCMU`, `L16`.
    pub name: String,
    /// Sample rate in Hz.
    pub rate: u32,
    /// Bit rate in bit/s.
    pub bit_rate: u32,
}

/// A device's state, with Asterisk's `ast_devstate_str` texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceState {
    /// `NOT_INUSE`.
    NotInUse,
    /// `INUSE`.
    InUse,
    /// `BUSY`.
    Busy,
    /// `UNAVAILABLE`.
    Unavailable,
    /// `RINGING`.
    Ringing,
    /// `RINGINUSE`.
    RingInUse,
    /// `ONHOLD`.
    OnHold,
}

impl DeviceState {
    /// Asterisk's text (`State:` in `DeviceStateChange`).
    pub fn asterisk_name(self) -> &'static str {
        match self {
            Self::NotInUse => "NOT_INUSE",
            Self::InUse => "INUSE",
            Self::Busy => "BUSY",
            Self::Unavailable => "UNAVAILABLE",
            Self::Ringing => "RINGING",
            Self::RingInUse => "RINGINUSE",
            Self::OnHold => "ONHOLD",
        }
    }
}

/// What happened to a scheduled task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleOp {
    /// Added (`ADD_SCHEDULE`).
    Add,
    /// Deleted or finished (`DEL_SCHEDULE`).
    Del,
    /// About to run (`EXE_SCHEDULE`).
    Exe,
    /// Re-armed after running (`RE_SCHEDULE`).
    Re,
}

impl ScheduleOp {
    /// FreeSWITCH's event name.
    pub fn fs_event_name(self) -> &'static str {
        match self {
            Self::Add => "ADD_SCHEDULE",
            Self::Del => "DEL_SCHEDULE",
            Self::Exe => "EXE_SCHEDULE",
            Self::Re => "RE_SCHEDULE",
        }
    }
}

impl EventKind {
    /// A short stable name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ChannelCreate => "channel_create",
            Self::ChannelState { .. } => "channel_state",
            Self::ChannelAnswer => "channel_answer",
            Self::ChannelProgress => "channel_progress",
            Self::VarSet { .. } => "var_set",
            Self::Execute { .. } => "execute",
            Self::ExecuteComplete { .. } => "execute_complete",
            Self::HangupRequest { .. } => "hangup_request",
            Self::Hangup { .. } => "hangup",
            Self::ChannelDestroy => "channel_destroy",
            Self::Dtmf { .. } => "dtmf",
            Self::Rtcp { .. } => "rtcp",
            Self::Bridge { .. } => "bridge",
            Self::Unbridge { .. } => "unbridge",
            Self::OriginateResult { .. } => "originate_result",
            Self::Custom(_) => "custom",
            Self::Schedule(_) => "schedule",
            Self::Shutdown => "shutdown",
            Self::HangupHandlerPush { .. } => "hangup_handler_push",
            Self::HangupHandlerPop { .. } => "hangup_handler_pop",
            Self::HangupHandlerRun { .. } => "hangup_handler_run",
            Self::BackgroundJob(_) => "background_job",
            Self::Heartbeat { .. } => "heartbeat",
            Self::DialBegin { .. } => "dial_begin",
            Self::DialEnd { .. } => "dial_end",
            Self::CallerIdChange => "callerid_change",
            Self::Reload { .. } => "reload",
            Self::Conference(_) => "conference",
            Self::BridgeCreate { .. } => "bridge_create",
            Self::BridgeDestroy { .. } => "bridge_destroy",
            Self::Hold { .. } => "hold",
            Self::Codec { .. } => "codec",
            Self::DeviceState { .. } => "device_state",
            Self::LocalBridge(_) => "local_bridge",
            Self::DialState { .. } => "dial_state",
            Self::BlindTransfer(_) => "blind_transfer",
            Self::AttendedTransfer(_) => "attended_transfer",
            Self::LocalOptimization(_) => "local_optimization",
        }
    }
}

/// One published event. Immutable; the bus keeps it once and each subscriber gets a copy (what it
/// points to, the snapshot and the payload, is shared by `Arc`).
#[derive(Clone, Debug)]
pub struct Event {
    /// Global sequence number, gap-free, starting at 1.
    pub seq: u64,
    /// When it was published.
    pub timestamp: Timestamp,
    /// What happened.
    pub kind: EventKind,
    /// The channel concerned, as it was right after the change.
    pub channel: Option<Arc<ChannelSnapshot>>,
}
