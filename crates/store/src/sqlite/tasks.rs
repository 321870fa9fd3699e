//! Scheduled tasks on SQLite: the `sched_tasks` table.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{Connection, Row, TransactionBehavior, params};

use crate::task::{NewTask, StoredTask, TaskState};

const INSERT: &str = "INSERT INTO sched_tasks
    (grp, description, runtime_ms, action, owner, created_ms, host, repeat_s)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

const SELECT_ALL: &str = "SELECT id, grp, description, runtime_ms, action, owner, created_ms,
    host, state, repeat_s FROM sched_tasks ORDER BY runtime_ms, id";

impl FromSql for TaskState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value.as_str()?.parse().map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// Stores one task; returns its id.
pub(super) fn insert(conn: &Connection, task: &NewTask) -> rusqlite::Result<u64> {
    let mut stmt = conn.prepare_cached(INSERT)?;
    insert_with(&mut stmt, task)
}

/// Stores all tasks in one transaction; returns their ids in order.
pub(super) fn insert_batch(conn: &mut Connection, tasks: &[NewTask]) -> rusqlite::Result<Vec<u64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ids = {
        let mut stmt = tx.prepare_cached(INSERT)?;
        tasks.iter().map(|task| insert_with(&mut stmt, task)).collect::<rusqlite::Result<Vec<u64>>>()?
    };
    tx.commit()?;
    Ok(ids)
}

fn insert_with(stmt: &mut rusqlite::CachedStatement<'_>, task: &NewTask) -> rusqlite::Result<u64> {
    let rowid = stmt.insert(params![
        task.group,
        task.description,
        task.runtime_ms,
        task.action,
        task.owner,
        task.created_ms,
        task.host,
        task.repeat_s,
    ])?;
    super::row_id(rowid)
}

/// Deletes one task; `true` if it existed.
pub(super) fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare_cached("DELETE FROM sched_tasks WHERE id = ?1")?;
    Ok(stmt.execute([id])? > 0)
}

/// Deletes the tasks whose `column` equals `value`; returns their ids, ascending.
pub(super) fn delete_where(conn: &Connection, column: Column, value: &str) -> rusqlite::Result<Vec<u64>> {
    let sql = match column {
        Column::Group => "DELETE FROM sched_tasks WHERE grp = ?1 RETURNING id",
        Column::Owner => "DELETE FROM sched_tasks WHERE owner = ?1 RETURNING id",
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut ids = stmt.query_map([value], |r| super::id_column(r, 0))?.collect::<rusqlite::Result<Vec<u64>>>()?;
    ids.sort_unstable();
    Ok(ids)
}

/// Which column [`delete_where`] matches.
pub(super) enum Column {
    Group,
    Owner,
}

/// Moves a task from pending to running; `false` if it was not pending.
pub(super) fn mark_running(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    let mut stmt =
        conn.prepare_cached("UPDATE sched_tasks SET state = 'running' WHERE id = ?1 AND state = 'pending'")?;
    Ok(stmt.execute([id])? > 0)
}

/// Marks each pending task of `ids` running, in one transaction; returns the ids that were pending.
pub(super) fn mark_running_batch(conn: &mut Connection, ids: &[i64]) -> rusqlite::Result<Vec<u64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut claimed = Vec::with_capacity(ids.len());
    {
        let mut stmt =
            tx.prepare_cached("UPDATE sched_tasks SET state = 'running' WHERE id = ?1 AND state = 'pending'")?;
        for &id in ids {
            if stmt.execute([id])? > 0 {
                claimed.push(id as u64);
            }
        }
    }
    tx.commit()?;
    Ok(claimed)
}

/// The tasks with these ids, in id order.
pub(super) fn get_batch(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<StoredTask>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, grp, description, runtime_ms, action, owner, created_ms, host, state, repeat_s \
         FROM sched_tasks WHERE id = ?1",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        if let Some(task) = stmt.query_map([id], stored_task)?.next() {
            out.push(task?);
        }
    }
    out.sort_by_key(|t| t.id);
    Ok(out)
}

/// Deletes the tasks of `ids` in one transaction; returns how many existed. The commit is not synced
/// on its own: it becomes durable with the next synced write (WAL frames are flushed in order), which
/// is all a finished task needs — it was durably claimed before it ran, so it never runs twice.
pub(super) fn delete_batch(conn: &mut Connection, ids: &[i64]) -> rusqlite::Result<usize> {
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let result = delete_batch_in_tx(conn, ids);
    conn.pragma_update(None, "synchronous", "FULL")?;
    result
}

fn delete_batch_in_tx(conn: &mut Connection, ids: &[i64]) -> rusqlite::Result<usize> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut count = 0;
    {
        let mut stmt = tx.prepare_cached("DELETE FROM sched_tasks WHERE id = ?1")?;
        for &id in ids {
            count += stmt.execute([id])?;
        }
    }
    tx.commit()?;
    Ok(count)
}

/// Sets a task's runtime and makes it pending again; `false` if it does not exist.
pub(super) fn reschedule(conn: &Connection, id: i64, runtime_ms: i64) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare_cached("UPDATE sched_tasks SET runtime_ms = ?2, state = 'pending' WHERE id = ?1")?;
    Ok(stmt.execute([id, runtime_ms])? > 0)
}

/// Every task, by runtime then id.
pub(super) fn list(conn: &Connection) -> rusqlite::Result<Vec<StoredTask>> {
    let mut stmt = conn.prepare_cached(SELECT_ALL)?;
    stmt.query_map([], stored_task)?.collect()
}

fn stored_task(row: &Row<'_>) -> rusqlite::Result<StoredTask> {
    Ok(StoredTask {
        id: super::id_column(row, 0)?,
        group: row.get(1)?,
        description: row.get(2)?,
        runtime_ms: row.get(3)?,
        action: row.get(4)?,
        owner: row.get(5)?,
        created_ms: row.get(6)?,
        host: row.get(7)?,
        state: row.get(8)?,
        repeat_s: row.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use crate::sqlite::SqliteStore;
    use crate::store::Store;
    use crate::task::{NewTask, TaskState};

    fn task(group: &str, runtime_ms: i64, owner: Option<&str>) -> NewTask {
        NewTask {
            group: group.into(),
            description: format!("hangup in {group}"),
            runtime_ms,
            action: "hangup:NORMAL_CLEARING".into(),
            owner: owner.map(Into::into),
            created_ms: 1_700_000_000_000,
            host: "node-a".into(),
            repeat_s: None,
        }
    }

    fn store() -> SqliteStore {
        SqliteStore::open_in_memory().unwrap()
    }

    #[test]
    fn inserted_task_is_listed_with_every_field_and_pending() {
        let store = store();
        let new = NewTask { repeat_s: Some(30), ..task("g", 5, Some("uuid-1")) };
        let id = store.task_insert(&new).unwrap();
        let listed = store.task_list().unwrap();
        assert_eq!(listed.len(), 1);
        let t = &listed[0];
        assert_eq!((t.id, t.state), (id, TaskState::Pending));
        assert_eq!((&t.group, &t.description, &t.action), (&new.group, &new.description, &new.action));
        assert_eq!((t.runtime_ms, t.created_ms, t.repeat_s), (5, new.created_ms, Some(30)));
        assert_eq!((t.owner.as_deref(), t.host.as_str()), (Some("uuid-1"), "node-a"));
    }

    #[test]
    fn list_is_ordered_by_runtime_then_id() {
        let store = store();
        let late = store.task_insert(&task("g", 300, None)).unwrap();
        let early = store.task_insert(&task("g", 100, None)).unwrap();
        let tie = store.task_insert(&task("g", 100, None)).unwrap();
        let ids: Vec<u64> = store.task_list().unwrap().iter().map(|t| t.id).collect();
        assert_eq!(ids, [early, tie, late]);
    }

    #[test]
    fn batch_insert_returns_increasing_ids_in_input_order() {
        let store = store();
        let batch: Vec<NewTask> = (0..100).map(|i| task("g", 1000 - i, None)).collect();
        let ids = store.task_insert_batch(&batch).unwrap();
        assert_eq!(ids.len(), 100);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let listed = store.task_list().unwrap();
        assert_eq!(listed.first().map(|t| t.id), ids.last().copied());
    }

    #[test]
    fn empty_batch_stores_nothing() {
        let store = store();
        assert!(store.task_insert_batch(&[]).unwrap().is_empty());
        assert!(store.task_list().unwrap().is_empty());
    }

    #[test]
    fn delete_reports_whether_the_task_existed() {
        let store = store();
        let id = store.task_insert(&task("g", 1, None)).unwrap();
        assert!(store.task_delete(id).unwrap());
        assert!(!store.task_delete(id).unwrap());
        assert!(!store.task_delete(u64::MAX).unwrap());
        assert!(store.task_list().unwrap().is_empty());
    }

    #[test]
    fn delete_group_removes_only_that_group_and_returns_its_ids() {
        let store = store();
        let a1 = store.task_insert(&task("a", 1, None)).unwrap();
        let b = store.task_insert(&task("b", 2, None)).unwrap();
        let a2 = store.task_insert(&task("a", 3, None)).unwrap();
        assert_eq!(store.task_delete_group("a").unwrap(), [a1, a2]);
        assert!(store.task_delete_group("a").unwrap().is_empty());
        let left: Vec<u64> = store.task_list().unwrap().iter().map(|t| t.id).collect();
        assert_eq!(left, [b]);
    }

    #[test]
    fn delete_owner_removes_only_that_owners_tasks() {
        let store = store();
        let mine = store.task_insert(&task("a", 1, Some("uuid-1"))).unwrap();
        let theirs = store.task_insert(&task("a", 2, Some("uuid-2"))).unwrap();
        let nobody = store.task_insert(&task("a", 3, None)).unwrap();
        assert_eq!(store.task_delete_owner("uuid-1").unwrap(), [mine]);
        let left: Vec<u64> = store.task_list().unwrap().iter().map(|t| t.id).collect();
        assert_eq!(left, [theirs, nobody]);
    }

    #[test]
    fn mark_running_succeeds_only_once() {
        let store = store();
        let id = store.task_insert(&task("g", 1, None)).unwrap();
        assert!(store.task_mark_running(id).unwrap());
        assert!(!store.task_mark_running(id).unwrap());
        assert_eq!(store.task_list().unwrap()[0].state, TaskState::Running);
    }

    #[test]
    fn batches_claim_only_pending_tasks_and_delete_what_exists() {
        let store = store();
        let a = store.task_insert(&task("g", 1, None)).unwrap();
        let b = store.task_insert(&task("g", 2, None)).unwrap();
        store.task_mark_running(b).unwrap();
        assert_eq!(store.task_mark_running_batch(&[a, b, 999, u64::MAX]).unwrap(), vec![a]);
        let got: Vec<u64> = store.task_get_batch(&[b, 999, a]).unwrap().iter().map(|t| t.id).collect();
        assert_eq!(got, vec![a, b]);
        assert_eq!(store.task_delete_batch(&[a, b, 999]).unwrap(), 2);
        assert!(store.task_list().unwrap().is_empty());
    }

    #[test]
    fn mark_running_of_a_missing_task_is_false() {
        let store = store();
        assert!(!store.task_mark_running(42).unwrap());
        assert!(!store.task_mark_running(u64::MAX).unwrap());
    }

    #[test]
    fn reschedule_moves_the_runtime_and_makes_the_task_pending_again() {
        let store = store();
        let id = store.task_insert(&task("g", 1, None)).unwrap();
        store.task_mark_running(id).unwrap();
        assert!(store.task_reschedule(id, 31_000).unwrap());
        let t = &store.task_list().unwrap()[0];
        assert_eq!((t.runtime_ms, t.state), (31_000, TaskState::Pending));
        assert!(store.task_mark_running(id).unwrap());
    }

    #[test]
    fn reschedule_of_a_missing_task_is_false() {
        let store = store();
        assert!(!store.task_reschedule(7, 1).unwrap());
        assert!(!store.task_reschedule(u64::MAX, 1).unwrap());
    }

    #[test]
    fn ids_are_not_reused_after_delete() {
        let store = store();
        let first = store.task_insert(&task("g", 1, None)).unwrap();
        store.task_delete(first).unwrap();
        assert!(store.task_insert(&task("g", 1, None)).unwrap() > first);
    }
}
