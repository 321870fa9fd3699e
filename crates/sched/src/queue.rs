//! The timer queue: every pending task in one heap ordered by run time then id. Sans-io: now is passed in.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::action::ActionKind;

/// A task as the queue holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedTask {
    /// Id (from the store).
    pub id: u64,
    /// Group (`none`, a channel uuid, or a user's name).
    pub group: Box<str>,
    /// Run time, epoch milliseconds.
    pub runtime_ms: i64,
    /// Repeat interval in seconds (`sched_api @N`).
    pub repeat_s: Option<i64>,
    /// What kind of action it runs (the action itself is read from the store when it fires).
    pub kind: ActionKind,
}

impl QueuedTask {
    /// The channel the task belongs to, if any.
    pub fn owner(&self) -> Option<&str> {
        self.kind.is_channel_task().then_some(&*self.group)
    }
}

/// Pending tasks by run time. Removal is lazy: the heap may hold ids no longer in `tasks`.
#[derive(Default)]
pub struct TimerQueue {
    heap: BinaryHeap<Reverse<(i64, u64)>>,
    tasks: HashMap<u64, QueuedTask>,
}

impl TimerQueue {
    /// Adds (or replaces) a task.
    pub fn insert(&mut self, task: QueuedTask) {
        self.heap.push(Reverse((task.runtime_ms, task.id)));
        self.tasks.insert(task.id, task);
    }

    /// Removes a task; returns it.
    pub fn remove(&mut self, id: u64) -> Option<QueuedTask> {
        self.tasks.remove(&id)
    }

    /// Ids of the tasks in `group`.
    pub fn ids_in_group(&self, group: &str) -> Vec<u64> {
        let mut ids: Vec<u64> = self.tasks.values().filter(|t| &*t.group == group).map(|t| t.id).collect();
        ids.sort_unstable();
        ids
    }

    /// A task by id.
    pub fn get(&self, id: u64) -> Option<&QueuedTask> {
        self.tasks.get(&id)
    }

    /// When the earliest live task is due.
    pub fn next_deadline(&mut self) -> Option<i64> {
        self.drop_stale_head();
        self.heap.peek().map(|Reverse((t, _))| *t)
    }

    /// Removes and returns every task due at `now_ms`, earliest first (ties by id).
    pub fn pop_due(&mut self, now_ms: i64) -> Vec<QueuedTask> {
        let mut due = Vec::new();
        while let Some(t) = self.next_deadline().filter(|t| *t <= now_ms) {
            let Reverse((_, id)) = self.heap.pop().expect("peeked");
            if let Some(task) = self.tasks.remove(&id) {
                debug_assert_eq!(task.runtime_ms, t);
                due.push(task);
            }
        }
        due
    }

    /// Number of pending tasks.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// All pending tasks ordered by run time then id.
    pub fn list(&self) -> Vec<&QueuedTask> {
        let mut v: Vec<&QueuedTask> = self.tasks.values().collect();
        v.sort_by_key(|t| (t.runtime_ms, t.id));
        v
    }

    fn drop_stale_head(&mut self) {
        while let Some(Reverse((t, id))) = self.heap.peek() {
            match self.tasks.get(id) {
                Some(task) if task.runtime_ms == *t => return,
                _ => {
                    self.heap.pop();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: u64, at: i64, group: &str) -> QueuedTask {
        QueuedTask { id, group: group.into(), runtime_ms: at, repeat_s: None, kind: ActionKind::Api }
    }

    #[test]
    fn tasks_come_out_in_time_order() {
        let mut q = TimerQueue::default();
        q.insert(task(1, 300, "a"));
        q.insert(task(2, 100, "a"));
        q.insert(task(3, 200, "b"));
        assert_eq!(q.next_deadline(), Some(100));
        assert!(q.pop_due(99).is_empty());
        let ids: Vec<u64> = q.pop_due(250).iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![2, 3]);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn same_millisecond_ties_run_in_id_order() {
        let mut q = TimerQueue::default();
        for id in [5, 3, 9, 1] {
            q.insert(task(id, 1000, "g"));
        }
        let ids: Vec<u64> = q.pop_due(1000).iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![1, 3, 5, 9]);
    }

    #[test]
    fn removed_tasks_never_fire_and_groups_are_found() {
        let mut q = TimerQueue::default();
        q.insert(task(1, 10, "chan"));
        q.insert(task(2, 20, "chan"));
        q.insert(task(3, 30, "other"));
        assert_eq!(q.ids_in_group("chan"), vec![1, 2]);
        for id in q.ids_in_group("chan") {
            q.remove(id);
        }
        assert_eq!(q.next_deadline(), Some(30));
        assert_eq!(q.pop_due(100).len(), 1);
        assert!(q.is_empty());
    }

    #[test]
    fn a_rescheduled_task_fires_at_its_new_time_only() {
        let mut q = TimerQueue::default();
        q.insert(task(1, 10, "g"));
        q.insert(task(1, 50, "g"));
        assert!(q.pop_due(20).is_empty());
        assert_eq!(q.pop_due(50).len(), 1);
        assert!(q.pop_due(1000).is_empty());
    }
}
