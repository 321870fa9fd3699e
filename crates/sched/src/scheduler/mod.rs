//! The running scheduler: durable add/delete, the timer loop, execution, restart recovery, and
//! clean-up of tasks whose channel ended.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use switchyard_core::bus::BusItem;
use switchyard_core::{ChannelCommand, EventKind, HangupCause, ScheduleEvent, ScheduleOp, Switch};
use switchyard_store::{NewTask, Store};
use tokio::sync::Notify;

use crate::action::TaskAction;
use crate::queue::{QueuedTask, TimerQueue};
use crate::writer::InsertWriter;

mod recovery;

/// Settings.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// After a restart, overdue tasks within this grace run at once; older ones are dropped.
    pub overdue_grace: Duration,
    /// Host name stored with each task (`show tasks` `hostname`).
    pub host: String,
}

/// A task to add.
#[derive(Clone, Debug)]
pub struct TaskSpec {
    /// Run time, epoch milliseconds.
    pub runtime_ms: i64,
    /// Group: a channel uuid, `none`, or a user's name.
    pub group: String,
    /// Repeat every N seconds.
    pub repeat_s: Option<i64>,
    /// What to do.
    pub action: TaskAction,
}

/// Why a scheduler operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The store refused the write.
    #[error("the task store failed: {0}")]
    Store(String),
    /// The scheduler is stopping.
    #[error("the scheduler is stopped")]
    Stopped,
}

struct Inner {
    switch: Switch,
    store: Arc<dyn Store>,
    writer: InsertWriter,
    queue: Mutex<TimerQueue>,
    wake: Notify,
    config: SchedulerConfig,
}

/// The scheduler service; cheap to clone.
#[derive(Clone)]
pub struct Scheduler(Arc<Inner>);

impl Scheduler {
    /// Loads the stored tasks (running overdue ones within the grace), then starts the timer and the
    /// channel watcher.
    pub async fn start(switch: Switch, store: Arc<dyn Store>, config: SchedulerConfig) -> Result<Self, ScheduleError> {
        let writer = InsertWriter::spawn(store.clone());
        let inner =
            Inner { switch, store, writer, queue: Mutex::new(TimerQueue::default()), wake: Notify::new(), config };
        let sched = Self(Arc::new(inner));
        sched.recover().await?;
        tokio::spawn(sched.clone().timer_loop());
        tokio::spawn(sched.clone().watch_channels());
        Ok(sched)
    }

    /// The switch.
    pub fn switch(&self) -> &Switch {
        &self.0.switch
    }

    /// Stores a task durably, queues it and announces it; returns its id.
    pub async fn add(&self, spec: TaskSpec) -> Result<u64, ScheduleError> {
        self.add_then(spec, |_| {}).await
    }

    /// Like `add`, calling `on_stored` with the id after the task is stored and before it can fire
    /// (so, e.g., `last_sched_id` is set on a channel before an immediate task hangs it up).
    pub async fn add_then(&self, spec: TaskSpec, on_stored: impl FnOnce(u64)) -> Result<u64, ScheduleError> {
        let now_ms = self.now_ms();
        let new = NewTask {
            group: spec.group.clone(),
            description: spec.action.description().to_owned(),
            runtime_ms: spec.runtime_ms,
            action: spec.action.to_json(),
            owner: spec.action.owner().map(str::to_owned),
            created_ms: now_ms,
            host: self.0.config.host.clone(),
            repeat_s: spec.repeat_s,
        };
        let id = self.0.writer.insert(new).await.map_err(ScheduleError::Store)?.ok_or(ScheduleError::Stopped)?;
        on_stored(id);
        let task = QueuedTask {
            id,
            kind: spec.action.kind(),
            group: spec.group.into(),
            runtime_ms: spec.runtime_ms,
            repeat_s: spec.repeat_s,
        };
        self.announce(ScheduleOp::Add, &task, None);
        self.0.queue.lock().insert(task);
        self.0.wake.notify_one();
        Ok(id)
    }

    /// Deletes one task; false if there was none.
    pub async fn delete(&self, id: u64) -> Result<bool, ScheduleError> {
        let queued = self.0.queue.lock().remove(id);
        let deleted = self.blocking(move |s| s.task_delete(id)).await?;
        if let Some(task) = &queued {
            self.announce(ScheduleOp::Del, task, None);
        }
        Ok(deleted || queued.is_some())
    }

    /// Deletes every task of `group`; returns how many.
    pub async fn delete_group(&self, group: &str, reason: Option<&str>) -> Result<usize, ScheduleError> {
        let owned = group.to_owned();
        let ids = self.blocking(move |s| s.task_delete_group(&owned)).await?;
        let mut count = 0;
        let queued = self.0.queue.lock().ids_in_group(group);
        for id in queued.into_iter().chain(ids.iter().copied()) {
            let removed = self.0.queue.lock().remove(id);
            if let Some(task) = removed {
                self.announce(ScheduleOp::Del, &task, reason);
                count += 1;
            }
        }
        Ok(count.max(ids.len()))
    }

    /// Pending tasks, earliest first.
    pub fn list(&self) -> Vec<QueuedTask> {
        self.0.queue.lock().list().into_iter().cloned().collect()
    }

    /// A pending task.
    pub fn get(&self, id: u64) -> Option<QueuedTask> {
        self.0.queue.lock().get(id).cloned()
    }

    /// The host name stored with tasks.
    pub fn host(&self) -> &str {
        &self.0.config.host
    }

    /// Now, epoch milliseconds, by the switch's clock.
    pub fn now_ms(&self) -> i64 {
        self.0.switch.now().millis()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, switchyard_store::StoreError> + Send + 'static,
    ) -> Result<T, ScheduleError> {
        let store = self.0.store.clone();
        match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
            Ok(r) => r.map_err(|e| ScheduleError::Store(e.to_string())),
            Err(_) => Err(ScheduleError::Stopped),
        }
    }

    fn announce(&self, op: ScheduleOp, task: &QueuedTask, reason: Option<&str>) {
        let kind = EventKind::from(ScheduleEvent {
            op,
            task_id: task.id,
            desc: task.kind.description().to_owned(),
            group: task.group.to_string(),
            runtime: task.runtime_ms.div_euclid(1000),
            reason: reason.map(str::to_owned),
        });
        self.0.switch.bus().publish(kind, None);
    }

    async fn timer_loop(self) {
        loop {
            let next = self.0.queue.lock().next_deadline();
            let wait = next.map(|t| Duration::from_millis((t - self.now_ms()).max(0) as u64));
            let notified = self.0.wake.notified();
            tokio::select! {
                _ = tokio::time::sleep(wait.unwrap_or(Duration::from_secs(3600))) => {}
                _ = notified => continue,
            }
            let due = self.0.queue.lock().pop_due(self.now_ms());
            if !due.is_empty() {
                self.fire_batch(due).await;
            }
        }
    }

    /// Runs a batch of due tasks: claims them durably in one transaction (a task never runs twice),
    /// runs them, then removes the finished ones in one transaction.
    async fn fire_batch(&self, due: Vec<QueuedTask>) {
        let ids: Vec<u64> = due.iter().map(|t| t.id).collect();
        let claimed: HashSet<u64> = match self.blocking(move |s| s.task_mark_running_batch(&ids)).await {
            Ok(claimed) => claimed.into_iter().collect(),
            Err(e) => return tracing::error!("{} due task(s) not run: {e}", due.len()),
        };
        let actions = self.load_actions(claimed.iter().copied().collect()).await;
        let mut finished = Vec::new();
        for task in due.into_iter().filter(|t| claimed.contains(&t.id)) {
            self.announce(ScheduleOp::Exe, &task, None);
            match actions.get(&task.id) {
                Some(action) => self.execute(action),
                None => tracing::error!("task {}: its stored action could not be read", task.id),
            }
            match task.repeat_s {
                Some(every) => self.rearm(task, every).await,
                None => finished.push(task),
            }
        }
        // Removing finished tasks is off the timer's path: once claimed durably, a task cannot run
        // again even if the switch stops before the removal commits.
        if !finished.is_empty() {
            tokio::spawn(self.clone().remove_finished(finished));
        }
    }

    async fn remove_finished(self, finished: Vec<QueuedTask>) {
        let ids: Vec<u64> = finished.iter().map(|t| t.id).collect();
        if let Err(e) = self.blocking(move |s| s.task_delete_batch(&ids)).await {
            tracing::error!("removing finished tasks: {e}");
        }
        for task in &finished {
            self.announce(ScheduleOp::Del, task, None);
        }
    }

    async fn load_actions(&self, ids: Vec<u64>) -> HashMap<u64, TaskAction> {
        match self.blocking(move |s| s.task_get_batch(&ids)).await {
            Ok(rows) => rows.iter().filter_map(|r| Some((r.id, TaskAction::from_json(&r.action).ok()?))).collect(),
            Err(e) => {
                tracing::error!("reading due tasks: {e}");
                HashMap::new()
            }
        }
    }

    async fn rearm(&self, mut task: QueuedTask, every_s: i64) {
        task.runtime_ms = self.now_ms() + every_s.max(1) * 1000;
        let (id, at) = (task.id, task.runtime_ms);
        if self.blocking(move |s| s.task_reschedule(id, at)).await.unwrap_or(false) {
            self.announce(ScheduleOp::Re, &task, None);
            self.0.queue.lock().insert(task);
        }
    }

    /// Starts a task's action; API commands run in their own task so a slow one (an originate) never
    /// holds up the timer.
    fn execute(&self, action: &TaskAction) {
        let channels = self.0.switch.channels();
        let send = |uuid: &str, cmd: ChannelCommand| match channels.find(uuid) {
            Some(h) => drop(h.send(cmd)),
            None => tracing::info!("scheduled task for {uuid}: channel is gone"),
        };
        match action {
            TaskAction::Hangup { uuid, cause } => {
                let cause = HangupCause::parse_lenient(cause);
                send(uuid, ChannelCommand::Hangup { cause, source: "scheduler".into() });
            }
            TaskAction::Transfer { uuid, exten, context, .. } => {
                send(uuid, ChannelCommand::Redirect { context: context.clone(), exten: exten.clone(), priority: 1 });
            }
            TaskAction::Broadcast { uuid, path, .. } => {
                let (app, args) = path.split_once("::").unwrap_or(("playback", path));
                send(uuid, ChannelCommand::Execute { app: app.to_owned(), args: args.to_owned() });
            }
            TaskAction::Api { command } => {
                tokio::spawn(self.clone().run_api(command.clone()));
            }
        }
    }

    async fn run_api(self, command: String) {
        let sw = &self.0.switch;
        match sw.commands().execute(sw, &command).await {
            Ok(out) => tracing::debug!("sched_api '{command}': {}", out.text.trim_end()),
            Err(e) => tracing::warn!("sched_api '{command}': {e}"),
        }
    }

    async fn watch_channels(self) {
        let mut sub = self.0.switch.bus().subscribe("scheduler");
        loop {
            match sub.recv().await {
                BusItem::Event(e) if matches!(e.kind, EventKind::ChannelDestroy) => {
                    if let Some(snap) = &e.channel {
                        self.forget_channel(&snap.id.to_string()).await;
                    }
                }
                BusItem::Lost(_) => self.sweep_orphans().await,
                _ => {}
            }
        }
    }

    async fn forget_channel(&self, uuid: &str) {
        let has_tasks = !self.0.queue.lock().ids_in_group(uuid).is_empty();
        if has_tasks && let Err(e) = self.delete_group(uuid, Some("channel ended")).await {
            tracing::error!("deleting the tasks of channel {uuid}: {e}");
        }
    }

    /// After lost events: drop tasks whose channel no longer exists.
    async fn sweep_orphans(&self) {
        let owners: Vec<String> = self.list().into_iter().filter_map(|t| t.owner().map(str::to_owned)).collect();
        for uuid in owners {
            if self.0.switch.channels().find(&uuid).is_none() {
                self.forget_channel(&uuid).await;
            }
        }
    }
}
