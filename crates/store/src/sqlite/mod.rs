//! The SQLite store: one connection behind a mutex, WAL with full sync, cached statements.

mod astdb;
mod cdr;
mod migrations;
mod open;
mod tasks;

use std::path::Path;

use parking_lot::{Mutex, MutexGuard};
use rusqlite::Connection;

pub use self::open::OpenOptions;
use self::tasks::Column;
use crate::astdb::{deltree_root, key_path, show_root};
use crate::cdr::Cdr;
use crate::error::{OpenError, StoreError};
use crate::store::Store;
use crate::task::{NewTask, StoredTask};

/// [`Store`] on an embedded SQLite database.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens or creates the database at `path` (creating its directory), with default options.
    pub fn open(path: &Path) -> Result<SqliteStore, OpenError> {
        Self::open_with(path, &OpenOptions::default())
    }

    /// Opens or creates the database at `path` (creating its directory).
    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<SqliteStore, OpenError> {
        open::open_file(path, options).map(Self::from_connection)
    }

    /// Opens a private in-memory database, gone when the store is dropped.
    pub fn open_in_memory() -> Result<SqliteStore, OpenError> {
        open::open_memory(&OpenOptions::default()).map(Self::from_connection)
    }

    fn from_connection(conn: Connection) -> SqliteStore {
        SqliteStore { conn: Mutex::new(conn) }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock()
    }
}

/// Turns a rowid into a store id; SQLite's `AUTOINCREMENT` ids are always positive.
fn row_id(rowid: i64) -> rusqlite::Result<u64> {
    u64::try_from(rowid).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, rowid))
}

/// Reads a store id from an `INTEGER PRIMARY KEY` column.
fn id_column(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<u64> {
    row_id(row.get(index)?)
}

/// Ids beyond `i64::MAX` cannot exist in SQLite, so operations on them find nothing.
fn sql_id(id: u64) -> Option<i64> {
    i64::try_from(id).ok()
}

fn failed(operation: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |error| StoreError::backend(operation, error)
}

impl Store for SqliteStore {
    fn db_put(&self, family: &str, key: &str, value: &str) -> Result<(), StoreError> {
        let path = key_path(family, key)?;
        astdb::put(&self.conn(), &path, value).map_err(failed("db_put"))
    }

    fn db_get(&self, family: &str, key: &str) -> Result<Option<String>, StoreError> {
        let path = key_path(family, key)?;
        astdb::get(&self.conn(), &path).map_err(failed("db_get"))
    }

    fn db_del(&self, family: &str, key: &str) -> Result<bool, StoreError> {
        let path = key_path(family, key)?;
        astdb::del(&self.conn(), &path).map_err(failed("db_del"))
    }

    fn db_deltree(&self, family: &str, subkey: Option<&str>) -> Result<usize, StoreError> {
        let root = deltree_root(family, subkey)?;
        astdb::deltree(&self.conn(), &root).map_err(failed("db_deltree"))
    }

    fn db_show(&self, prefix: Option<&str>) -> Result<Vec<(String, String)>, StoreError> {
        let root = show_root(prefix);
        astdb::show(&self.conn(), root.as_deref()).map_err(failed("db_show"))
    }

    fn task_insert(&self, task: &NewTask) -> Result<u64, StoreError> {
        tasks::insert(&self.conn(), task).map_err(failed("task_insert"))
    }

    fn task_insert_batch(&self, batch: &[NewTask]) -> Result<Vec<u64>, StoreError> {
        tasks::insert_batch(&mut self.conn(), batch).map_err(failed("task_insert_batch"))
    }

    fn task_delete(&self, id: u64) -> Result<bool, StoreError> {
        let Some(id) = sql_id(id) else {
            return Ok(false);
        };
        tasks::delete(&self.conn(), id).map_err(failed("task_delete"))
    }

    fn task_delete_group(&self, group: &str) -> Result<Vec<u64>, StoreError> {
        tasks::delete_where(&self.conn(), Column::Group, group).map_err(failed("task_delete_group"))
    }

    fn task_delete_owner(&self, owner: &str) -> Result<Vec<u64>, StoreError> {
        tasks::delete_where(&self.conn(), Column::Owner, owner).map_err(failed("task_delete_owner"))
    }

    fn task_mark_running(&self, id: u64) -> Result<bool, StoreError> {
        let Some(id) = sql_id(id) else {
            return Ok(false);
        };
        tasks::mark_running(&self.conn(), id).map_err(failed("task_mark_running"))
    }

    fn task_mark_running_batch(&self, ids: &[u64]) -> Result<Vec<u64>, StoreError> {
        let ids: Vec<i64> = ids.iter().filter_map(|&id| sql_id(id)).collect();
        tasks::mark_running_batch(&mut self.conn(), &ids).map_err(failed("task_mark_running_batch"))
    }

    fn task_get_batch(&self, ids: &[u64]) -> Result<Vec<StoredTask>, StoreError> {
        let ids: Vec<i64> = ids.iter().filter_map(|&id| sql_id(id)).collect();
        tasks::get_batch(&self.conn(), &ids).map_err(failed("task_get_batch"))
    }

    fn task_delete_batch(&self, ids: &[u64]) -> Result<usize, StoreError> {
        let ids: Vec<i64> = ids.iter().filter_map(|&id| sql_id(id)).collect();
        tasks::delete_batch(&mut self.conn(), &ids).map_err(failed("task_delete_batch"))
    }

    fn task_reschedule(&self, id: u64, runtime_ms: i64) -> Result<bool, StoreError> {
        let Some(id) = sql_id(id) else {
            return Ok(false);
        };
        tasks::reschedule(&self.conn(), id, runtime_ms).map_err(failed("task_reschedule"))
    }

    fn task_list(&self) -> Result<Vec<StoredTask>, StoreError> {
        tasks::list(&self.conn()).map_err(failed("task_list"))
    }

    fn cdr_insert(&self, cdr: &Cdr) -> Result<u64, StoreError> {
        cdr::insert(&self.conn(), cdr).map_err(failed("cdr_insert"))
    }

    fn cdr_recent(&self, limit: usize) -> Result<Vec<(u64, Cdr)>, StoreError> {
        cdr::recent(&self.conn(), limit).map_err(failed("cdr_recent"))
    }

    fn flush(&self) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(failed("flush"))
    }
}
