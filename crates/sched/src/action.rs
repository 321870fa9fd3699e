//! What a scheduled task does, stored in the task row as JSON.

use serde::{Deserialize, Serialize};

/// A task's action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TaskAction {
    /// Hang a channel up.
    Hangup {
        /// Channel uuid.
        uuid: String,
        /// FreeSWITCH cause name.
        cause: String,
    },
    /// Send a channel elsewhere in the dialplan.
    Transfer {
        /// Channel uuid.
        uuid: String,
        /// Extension.
        exten: String,
        /// Dialplan (`XML`, …), informational.
        dialplan: String,
        /// Context.
        context: String,
    },
    /// Play a file (or run `app::args`) on a channel.
    Broadcast {
        /// Channel uuid.
        uuid: String,
        /// File path or `app::args`.
        path: String,
        /// `aleg`, `bleg` or `both`.
        leg: String,
    },
    /// Run an API command line.
    Api {
        /// The command line.
        command: String,
    },
}

/// The kind of a task's action: all the timer keeps in memory (the action itself stays in the store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// `sched_hangup`.
    Hangup,
    /// `sched_transfer`.
    Transfer,
    /// `sched_broadcast`.
    Broadcast,
    /// `sched_api`.
    Api,
}

impl ActionKind {
    /// FreeSWITCH's task description.
    pub fn description(self) -> &'static str {
        match self {
            Self::Hangup => "switch_ivr_schedule_hangup",
            Self::Transfer => "switch_ivr_schedule_transfer",
            Self::Broadcast => "switch_ivr_schedule_broadcast",
            Self::Api => "sched_api_function",
        }
    }

    /// True when the task's group is the channel it acts on.
    pub fn is_channel_task(self) -> bool {
        self != Self::Api
    }
}

impl TaskAction {
    /// Its kind.
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Hangup { .. } => ActionKind::Hangup,
            Self::Transfer { .. } => ActionKind::Transfer,
            Self::Broadcast { .. } => ActionKind::Broadcast,
            Self::Api { .. } => ActionKind::Api,
        }
    }

    /// FreeSWITCH's task description for this action.
    pub fn description(&self) -> &'static str {
        self.kind().description()
    }

    /// The channel the task belongs to, if any.
    pub fn owner(&self) -> Option<&str> {
        match self {
            Self::Hangup { uuid, .. } | Self::Transfer { uuid, .. } | Self::Broadcast { uuid, .. } => Some(uuid),
            Self::Api { .. } => None,
        }
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads the stored form.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_through_json() {
        let a = TaskAction::Transfer {
            uuid: "u".into(),
            exten: "7001".into(),
            dialplan: "XML".into(),
            context: "default".into(),
        };
        assert_eq!(TaskAction::from_json(&a.to_json()).unwrap(), a);
        assert_eq!(a.owner(), Some("u"));
        assert_eq!(TaskAction::Api { command: "status".into() }.owner(), None);
    }
}
