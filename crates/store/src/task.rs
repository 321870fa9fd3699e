//! Scheduled-task rows: what the scheduler persists so tasks survive restarts and `kill -9`.

use std::fmt;
use std::str::FromStr;

/// A task to persist; the store assigns its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// Group name (FreeSWITCH `sched_del` by group, `show tasks` column).
    pub group: String,
    /// Human description shown by `show tasks`.
    pub description: String,
    /// When to run, milliseconds since the Unix epoch.
    pub runtime_ms: i64,
    /// What to run, serialised by the scheduler.
    pub action: String,
    /// Owner (e.g. a channel uuid) whose tasks are removed together.
    pub owner: Option<String>,
    /// When the task was created, milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// Node that created the task.
    pub host: String,
    /// Repeat interval in seconds for recurring tasks.
    pub repeat_s: Option<i64>,
}

/// A persisted task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTask {
    /// Store-assigned id; never reused, even after deletes and restarts.
    pub id: u64,
    /// See [`NewTask::group`].
    pub group: String,
    /// See [`NewTask::description`].
    pub description: String,
    /// See [`NewTask::runtime_ms`].
    pub runtime_ms: i64,
    /// See [`NewTask::action`].
    pub action: String,
    /// See [`NewTask::owner`].
    pub owner: Option<String>,
    /// See [`NewTask::created_ms`].
    pub created_ms: i64,
    /// See [`NewTask::host`].
    pub host: String,
    /// See [`NewTask::repeat_s`].
    pub repeat_s: Option<i64>,
    /// Whether the task has been claimed for running.
    pub state: TaskState,
}

/// Lifecycle of a persisted task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Waiting for its runtime.
    Pending,
    /// Claimed by a runner; it must not be run again.
    Running,
}

impl TaskState {
    /// The stored spelling: `pending` or `running`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Pending => "pending",
            TaskState::Running => "running",
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A task state spelling that is neither `pending` nor `running`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown task state {0:?}")]
pub struct UnknownTaskState(pub String);

impl FromStr for TaskState {
    type Err = UnknownTaskState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(TaskState::Pending),
            "running" => Ok(TaskState::Running),
            other => Err(UnknownTaskState(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_state_parses_its_own_spelling() {
        for state in [TaskState::Pending, TaskState::Running] {
            assert_eq!(state.as_str().parse::<TaskState>(), Ok(state));
        }
    }

    #[test]
    fn unknown_task_state_is_an_error() {
        assert_eq!("done".parse::<TaskState>(), Err(UnknownTaskState("done".into())));
    }
}
