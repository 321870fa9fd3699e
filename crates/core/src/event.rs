//! The one typed event that every protocol renders: sequence number, time, kind and channel snapshot.

use std::sync::Arc;

use crate::cause::HangupCause;
use crate::clock::Timestamp;
use crate::snapshot::ChannelSnapshot;
use crate::state::ChannelState;

/// What happened.
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
        name: String,
        /// New value.
        value: String,
    },
    /// An application starts (AMI `Newexten` at a dialplan step, ESL `CHANNEL_EXECUTE`).
    Execute {
        /// Application name.
        app: String,
        /// Its arguments.
        data: String,
        /// Id of this execution (ESL `Application-UUID`).
        app_uuid: String,
    },
    /// An application finished (ESL `CHANNEL_EXECUTE_COMPLETE`).
    ExecuteComplete {
        /// Application name.
        app: String,
        /// Its arguments.
        data: String,
        /// Id of this execution.
        app_uuid: String,
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
    /// A digit was received or sent (AMI `DTMFEnd`, ESL `DTMF`).
    Dtmf {
        /// The digit.
        digit: char,
        /// Duration in milliseconds.
        duration_ms: u32,
        /// True when received from the far end.
        received: bool,
    },
    /// Two channels were joined (AMI `BridgeEnter`, ESL `CHANNEL_BRIDGE`); `other` is the peer.
    Bridge {
        /// Bridge id.
        bridge_id: String,
        /// The peer channel.
        other: Arc<ChannelSnapshot>,
    },
    /// A channel left a bridge (AMI `BridgeLeave`, ESL `CHANNEL_UNBRIDGE`).
    Unbridge {
        /// Bridge id.
        bridge_id: String,
        /// The peer channel.
        other: Arc<ChannelSnapshot>,
    },
    /// An originate finished (AMI `OriginateResponse`).
    OriginateResult {
        /// Caller's correlation id (AMI `ActionID`), if any.
        request_id: Option<String>,
        /// Outcome.
        outcome: crate::originate::OriginateOutcome,
    },
    /// A named event with free headers (AMI `UserEvent`, ESL `CUSTOM`/`sendevent`).
    Custom {
        /// Event name or subclass.
        name: String,
        /// Headers in order.
        headers: Vec<(String, String)>,
        /// Optional body.
        body: Option<String>,
    },
    /// The scheduler added, deleted, ran or re-armed a task (ESL `ADD_SCHEDULE`, `DEL_SCHEDULE`,
    /// `EXE_SCHEDULE`, `RE_SCHEDULE`).
    Schedule {
        /// What happened to the task.
        op: ScheduleOp,
        /// Task id.
        task_id: u64,
        /// Description (`Task-Desc`).
        desc: String,
        /// Group (`Task-Group`).
        group: String,
        /// Run time, epoch seconds (`Task-Runtime`).
        runtime: i64,
        /// Why, for deletions the user did not ask for (channel gone, overdue after restart).
        reason: Option<String>,
    },
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
    BackgroundJob {
        /// The job id given to the client.
        job_uuid: String,
        /// The channel controlled by the connection that asked, if any (`Job-Owner-UUID`).
        owner: Option<String>,
        /// The command name.
        command: String,
        /// Its arguments (may be empty).
        args: String,
        /// What the command printed.
        output: String,
    },
    /// The periodic liveness event (ESL `HEARTBEAT`, every 20 s by default).
    Heartbeat {
        /// Live channels.
        sessions: usize,
        /// Channels created since start.
        since_startup: u64,
        /// Peak of live channels.
        peak: u64,
    },
    /// This channel started dialing `dest` (AMI `DialBegin`).
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
            Self::Bridge { .. } => "bridge",
            Self::Unbridge { .. } => "unbridge",
            Self::OriginateResult { .. } => "originate_result",
            Self::Custom { .. } => "custom",
            Self::Schedule { .. } => "schedule",
            Self::Shutdown => "shutdown",
            Self::HangupHandlerPush { .. } => "hangup_handler_push",
            Self::HangupHandlerPop { .. } => "hangup_handler_pop",
            Self::HangupHandlerRun { .. } => "hangup_handler_run",
            Self::BackgroundJob { .. } => "background_job",
            Self::Heartbeat { .. } => "heartbeat",
            Self::DialBegin { .. } => "dial_begin",
            Self::DialEnd { .. } => "dial_end",
            Self::CallerIdChange => "callerid_change",
            Self::Reload { .. } => "reload",
        }
    }
}

/// One published event. Immutable; shared by `Arc` among all subscribers.
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
