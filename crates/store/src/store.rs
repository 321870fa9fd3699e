//! The `Store` trait: everything Switchyard persists (AstDB, scheduled tasks, CDRs).
//!
//! Every method blocks, and a write is durable (committed and synced) before it returns, so a
//! reply sent after it survives `kill -9`. Async callers wrap calls in `spawn_blocking`.

use crate::cdr::Cdr;
use crate::error::StoreError;
use crate::task::{NewTask, StoredTask};

/// Persistent storage shared by the whole switch, usable as `Arc<dyn Store>`.
pub trait Store: Send + Sync + 'static {
    /// Sets `/family/key` to `value`, replacing any previous value (`database put`).
    fn db_put(&self, family: &str, key: &str, value: &str) -> Result<(), StoreError>;

    /// Reads `/family/key` (`database get`); `None` if it does not exist.
    fn db_get(&self, family: &str, key: &str) -> Result<Option<String>, StoreError>;

    /// Deletes `/family/key` (`database del`); `false` if it did not exist.
    fn db_del(&self, family: &str, key: &str) -> Result<bool, StoreError>;

    /// Deletes `/family/subkey` and everything under `/family/subkey/`, or with `None` (or an
    /// empty subkey) `/family` and everything under `/family/` (`database deltree`).
    /// `/familyX/…` is untouched. Returns how many entries were deleted, like `ast_db_deltree`.
    fn db_deltree(&self, family: &str, subkey: Option<&str>) -> Result<usize, StoreError>;

    /// Lists `(path, value)` pairs sorted by path (`database show [family [keytree]]`).
    /// `prefix` is `family` or `family/keytree` and selects that entry and everything under it;
    /// `None` lists everything.
    fn db_show(&self, prefix: Option<&str>) -> Result<Vec<(String, String)>, StoreError>;

    /// Persists one task and returns its new id.
    fn task_insert(&self, task: &NewTask) -> Result<u64, StoreError>;

    /// Persists many tasks in one transaction and returns their ids, in input order.
    /// Either all are stored or none.
    fn task_insert_batch(&self, tasks: &[NewTask]) -> Result<Vec<u64>, StoreError>;

    /// Deletes a task; `false` if it did not exist.
    fn task_delete(&self, id: u64) -> Result<bool, StoreError>;

    /// Deletes every task of `group` and returns their ids, ascending.
    fn task_delete_group(&self, group: &str) -> Result<Vec<u64>, StoreError>;

    /// Deletes every task owned by `owner` and returns their ids, ascending.
    fn task_delete_owner(&self, owner: &str) -> Result<Vec<u64>, StoreError>;

    /// Claims a pending task for running. Returns `false` if the task is missing or already
    /// running: whoever gets `true` runs it, so a task never runs twice.
    fn task_mark_running(&self, id: u64) -> Result<bool, StoreError>;
    /// [`Store::task_mark_running`] for many tasks in one durable transaction; returns the ids that
    /// were pending (and are now running), in the order given.
    fn task_mark_running_batch(&self, ids: &[u64]) -> Result<Vec<u64>, StoreError>;
    /// The stored tasks with these ids (missing ones are skipped), in id order.
    fn task_get_batch(&self, ids: &[u64]) -> Result<Vec<StoredTask>, StoreError>;
    /// Deletes many tasks in one transaction; returns how many existed. Durable no later than the next
    /// durable write (finished tasks were claimed durably, so a lost delete never runs a task twice).
    fn task_delete_batch(&self, ids: &[u64]) -> Result<usize, StoreError>;

    /// Sets a task's runtime and puts it back to pending (the next turn of a recurring task).
    /// Returns `false` if the task does not exist.
    fn task_reschedule(&self, id: u64, runtime_ms: i64) -> Result<bool, StoreError>;

    /// All tasks, ordered by runtime then id.
    fn task_list(&self) -> Result<Vec<StoredTask>, StoreError>;

    /// Persists a CDR and returns its id.
    fn cdr_insert(&self, cdr: &Cdr) -> Result<u64, StoreError>;

    /// The `limit` most recent CDRs with their ids, newest first.
    fn cdr_recent(&self, limit: usize) -> Result<Vec<(u64, Cdr)>, StoreError>;

    /// Folds the write-ahead log into the main file; called at shutdown. Durability does not
    /// depend on it.
    fn flush(&self) -> Result<(), StoreError>;
}
