//! The fields of the large, seldom published event kinds, which `EventKind` keeps boxed so that
//! every event stays small.

use std::sync::Arc;

use crate::event::{EventKind, ScheduleOp};
use crate::snapshot::ChannelSnapshot;

/// A named event with free headers (`EventKind::Custom`: AMI `UserEvent`, ESL `CUSTOM`/`sendevent`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomEvent {
    /// Event name or subclass.
    pub name: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Optional body.
    pub body: Option<String>,
}

/// A scheduler task changed (`EventKind::Schedule`: ESL `ADD_SCHEDULE`, `DEL_SCHEDULE`,
/// `EXE_SCHEDULE`, `RE_SCHEDULE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleEvent {
    /// What happened to the task.
    pub op: ScheduleOp,
    /// Task id.
    pub task_id: u64,
    /// Description (`Task-Desc`).
    pub desc: String,
    /// Group (`Task-Group`).
    pub group: String,
    /// Run time, epoch seconds (`Task-Runtime`).
    pub runtime: i64,
    /// Why, for deletions the user did not ask for (channel gone, overdue after restart).
    pub reason: Option<String>,
}

/// A background API command finished (`EventKind::BackgroundJob`: ESL `BACKGROUND_JOB`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackgroundJobEvent {
    /// The job id given to the client.
    pub job_uuid: String,
    /// The channel controlled by the connection that asked, if any (`Job-Owner-UUID`).
    pub owner: Option<String>,
    /// The command name.
    pub command: String,
    /// Its arguments (may be empty).
    pub args: String,
    /// What the command printed.
    pub output: String,
}

/// A conference changed (`EventKind::Conference`: ESL `CUSTOM conference::maintenance`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConferenceEvent {
    /// The `Action` header, e.g. `add-member`, `conference-create`.
    pub action: String,
    /// Conference headers (`Conference-Name` … `Conference-Unique-ID`, then `Floor` for a member), in order.
    pub conference: Vec<(String, String)>,
    /// Member headers that follow the channel block (`Video`, `Hear`, … `Current-Energy`); empty for
    /// an event about the whole conference.
    pub member: Vec<(String, String)>,
    /// Headers after `Action` (e.g. `File`, `Async`).
    pub extra: Vec<(String, String)>,
}

/// A `Local` channel pair was created (`EventKind::LocalBridge`: AMI `LocalBridge`).
#[derive(Clone, Debug)]
pub struct LocalBridgeEvent {
    /// The `;1` leg.
    pub one: Arc<ChannelSnapshot>,
    /// The `;2` leg.
    pub two: Arc<ChannelSnapshot>,
    /// Context dialed.
    pub context: String,
    /// Extension dialed.
    pub exten: String,
    /// Whether optimisation was allowed (no `/n`).
    pub optimize: bool,
}

impl EventKind {
    /// A `Custom` event.
    pub fn custom(name: impl Into<String>, headers: Vec<(String, String)>, body: Option<String>) -> Self {
        Self::Custom(Box::new(CustomEvent { name: name.into(), headers, body }))
    }
}

impl From<CustomEvent> for EventKind {
    fn from(e: CustomEvent) -> Self {
        Self::Custom(Box::new(e))
    }
}

impl From<ScheduleEvent> for EventKind {
    fn from(e: ScheduleEvent) -> Self {
        Self::Schedule(Box::new(e))
    }
}

impl From<BackgroundJobEvent> for EventKind {
    fn from(e: BackgroundJobEvent) -> Self {
        Self::BackgroundJob(Box::new(e))
    }
}

impl From<ConferenceEvent> for EventKind {
    fn from(e: ConferenceEvent) -> Self {
        Self::Conference(Box::new(e))
    }
}

impl From<LocalBridgeEvent> for EventKind {
    fn from(e: LocalBridgeEvent) -> Self {
        Self::LocalBridge(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    /// Each of the 65,536 events the bus keeps for replay is one allocation of this size: the
    /// large kinds are boxed to keep it at 72 bytes (88 with the reference counts; it was 144).
    #[test]
    fn events_stay_small() {
        assert!(std::mem::size_of::<EventKind>() <= 48, "EventKind is {} bytes", std::mem::size_of::<EventKind>());
        assert!(std::mem::size_of::<Event>() <= 72, "Event is {} bytes", std::mem::size_of::<Event>());
    }
}
