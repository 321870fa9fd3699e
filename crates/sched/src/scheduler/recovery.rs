//! Restart recovery: which stored tasks are queued again, which are dropped and why.

use switchyard_core::ScheduleOp;
use switchyard_store::{StoredTask, TaskState};

use super::{ScheduleError, Scheduler};
use crate::action::TaskAction;
use crate::queue::QueuedTask;

impl Scheduler {
    pub(super) async fn recover(&self) -> Result<(), ScheduleError> {
        let stored = self.blocking(|s| s.task_list()).await?;
        let now_ms = self.now_ms();
        let grace_ms = self.0.config.overdue_grace.as_millis() as i64;
        for row in stored {
            let Some(task) = queued_from_row(&row) else {
                self.drop_stored(&row, "its action could not be read").await;
                continue;
            };
            let reason =
                recovery_verdict(&row, &task, now_ms, grace_ms, |uuid| self.0.switch.channels().find(uuid).is_some());
            match reason {
                Some(reason) => {
                    self.drop_stored(&row, reason).await;
                    self.announce(ScheduleOp::Del, &task, Some(reason));
                }
                None => self.0.queue.lock().insert(task),
            }
        }
        Ok(())
    }

    async fn drop_stored(&self, row: &StoredTask, reason: &str) {
        tracing::warn!("scheduled task {} ({}) dropped at start-up: {reason}", row.id, row.description);
        let id = row.id;
        let _ = self.blocking(move |s| s.task_delete(id)).await;
    }
}

fn queued_from_row(row: &StoredTask) -> Option<QueuedTask> {
    let kind = TaskAction::from_json(&row.action).ok()?.kind();
    Some(QueuedTask {
        id: row.id,
        group: row.group.as_str().into(),
        runtime_ms: row.runtime_ms,
        repeat_s: row.repeat_s,
        kind,
    })
}

/// Why a stored task must not be queued again after a restart, or None to queue it.
fn recovery_verdict(
    row: &StoredTask,
    task: &QueuedTask,
    now_ms: i64,
    grace_ms: i64,
    channel_exists: impl Fn(&str) -> bool,
) -> Option<&'static str> {
    if row.state == TaskState::Running {
        return Some("it was running when the switch stopped; a task never runs twice");
    }
    if task.owner().is_some_and(|uuid| !channel_exists(uuid)) {
        return Some("its channel no longer exists");
    }
    if task.repeat_s.is_none() && task.runtime_ms < now_ms - grace_ms {
        return Some("it is overdue beyond the restart grace period");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: TaskState, runtime_ms: i64, action: TaskAction) -> (StoredTask, QueuedTask) {
        let r = StoredTask {
            id: 1,
            group: "none".into(),
            description: action.description().into(),
            runtime_ms,
            action: action.to_json(),
            owner: action.owner().map(str::to_owned),
            created_ms: 0,
            host: "h".into(),
            state,
            repeat_s: None,
        };
        let q = queued_from_row(&r).unwrap();
        (r, q)
    }

    #[test]
    fn recovery_keeps_due_tasks_within_grace_and_drops_the_rest() {
        let api = || TaskAction::Api { command: "status".into() };
        let (r, q) = row(TaskState::Pending, 95_000, api());
        assert_eq!(recovery_verdict(&r, &q, 100_000, 60_000, |_| false), None);
        let (r, q) = row(TaskState::Pending, 10_000, api());
        assert!(recovery_verdict(&r, &q, 100_000, 60_000, |_| false).unwrap().contains("overdue"));
        let (r, q) = row(TaskState::Running, 200_000, api());
        assert!(recovery_verdict(&r, &q, 100_000, 60_000, |_| false).unwrap().contains("never runs twice"));
        let hangup = TaskAction::Hangup { uuid: "u".into(), cause: "NORMAL_CLEARING".into() };
        let (r, q) = row(TaskState::Pending, 200_000, hangup);
        assert!(recovery_verdict(&r, &q, 100_000, 60_000, |_| false).unwrap().contains("channel"));
    }
}
