//! Opening an SQLite database safely: durable pragmas, an integrity check, the schema, and
//! errors that tell the user whether the file is corrupt or held by another process.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::migrations::{self, MigrationError};
use crate::error::OpenError;

/// Shown as the path of an in-memory database in errors.
const MEMORY_PATH: &str = ":memory:";
/// Enough cached statements for every query the store runs, so none is ever re-prepared.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// Knobs for opening an SQLite store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    /// How long to wait for another connection's lock before giving up.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { busy_timeout: Duration::from_millis(2000) }
    }
}

/// Opens (creating if needed) the database file at `path`, ready for use.
pub(super) fn open_file(path: &Path, options: &OpenOptions) -> Result<Connection, OpenError> {
    create_parent_dir(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
    prepare(conn, path, options)
}

/// Opens a private in-memory database, ready for use.
pub(super) fn open_memory(options: &OpenOptions) -> Result<Connection, OpenError> {
    let path = Path::new(MEMORY_PATH);
    let conn = Connection::open_in_memory().map_err(|e| classify(path, e))?;
    prepare(conn, path, options)
}

fn create_parent_dir(path: &Path) -> Result<(), OpenError> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    std::fs::create_dir_all(dir).map_err(|source| OpenError::CreateDir { path: dir.to_path_buf(), source })
}

fn prepare(mut conn: Connection, path: &Path, options: &OpenOptions) -> Result<Connection, OpenError> {
    configure(&conn, options).map_err(|e| classify(path, e))?;
    check_integrity(&conn, path)?;
    migrations::migrate(&mut conn).map_err(|e| migration_error(path, e))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    Ok(conn)
}

/// WAL with `synchronous=FULL` makes every commit durable before it returns.
fn configure(conn: &Connection, options: &OpenOptions) -> rusqlite::Result<()> {
    conn.busy_timeout(options.busy_timeout)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        tracing::warn!(%mode, "SQLite refused WAL journal mode; writes stay durable but slower");
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")
}

/// `quick_check` reports damaged pages and indexes as rows; a healthy database gives one `ok`.
fn check_integrity(conn: &Connection, path: &Path) -> Result<(), OpenError> {
    let mut problems = Vec::new();
    conn.pragma_query(None, "quick_check", |row| {
        problems.push(row.get::<_, String>(0)?);
        Ok(())
    })
    .map_err(|e| classify(path, e))?;
    if problems == ["ok"] {
        return Ok(());
    }
    Err(OpenError::Corrupt { path: path.to_path_buf(), detail: problems.join("; ") })
}

fn migration_error(path: &Path, error: MigrationError) -> OpenError {
    match error {
        MigrationError::TooNew { found, supported } => OpenError::TooNew { path: path.to_path_buf(), found, supported },
        MigrationError::NegativeVersion(found) => {
            OpenError::Corrupt { path: path.to_path_buf(), detail: format!("unknown schema version {found}") }
        }
        MigrationError::Sqlite(e) => classify(path, e),
    }
}

/// Sorts an SQLite failure into what the user must do about it.
fn classify(path: &Path, error: rusqlite::Error) -> OpenError {
    let path = PathBuf::from(path);
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            OpenError::Corrupt { path, detail: error.to_string() }
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => OpenError::Locked { path },
        _ => OpenError::Open { path, source: error.into() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(conn: &Connection, name: &str) -> String {
        conn.pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    }

    #[test]
    fn opened_file_uses_wal_full_sync_foreign_keys_and_the_busy_timeout() {
        let dir = tempfile::TempDir::new().unwrap();
        let options = OpenOptions { busy_timeout: Duration::from_millis(1234) };
        let conn = open_file(&dir.path().join("s.db"), &options).unwrap();
        assert_eq!(pragma(&conn, "journal_mode"), r#"Text("wal")"#);
        assert_eq!(pragma(&conn, "synchronous"), "Integer(2)");
        assert_eq!(pragma(&conn, "foreign_keys"), "Integer(1)");
        assert_eq!(pragma(&conn, "busy_timeout"), "Integer(1234)");
        assert_eq!(migrations::schema_version(&conn).unwrap(), migrations::SCHEMA_VERSION);
    }

    #[test]
    fn in_memory_database_has_the_schema() {
        let conn = open_memory(&OpenOptions::default()).unwrap();
        assert_eq!(migrations::schema_version(&conn).unwrap(), migrations::SCHEMA_VERSION);
    }
}
