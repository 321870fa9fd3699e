//! Schema migrations, keyed on `PRAGMA user_version` and applied in one transaction.
//!
//! A database at version `n` has had the first `n` entries of [`MIGRATIONS`] applied. Append new
//! steps; never edit a released one.

use rusqlite::{Connection, TransactionBehavior};

/// Each step's SQL, in order; the schema version is the number of steps applied.
const MIGRATIONS: &[&str] = &[SCHEMA_V1];

const SCHEMA_V1: &str = "
CREATE TABLE astdb (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sched_tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    grp         TEXT NOT NULL,
    description TEXT NOT NULL,
    runtime_ms  INTEGER NOT NULL,
    action      TEXT NOT NULL,
    owner       TEXT,
    created_ms  INTEGER NOT NULL,
    host        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    repeat_s    INTEGER
);
CREATE INDEX sched_tasks_runtime ON sched_tasks (runtime_ms);
CREATE INDEX sched_tasks_grp ON sched_tasks (grp);
CREATE INDEX sched_tasks_owner ON sched_tasks (owner);

CREATE TABLE cdr (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    accountcode  TEXT NOT NULL,
    src          TEXT NOT NULL,
    dst          TEXT NOT NULL,
    dcontext     TEXT NOT NULL,
    clid         TEXT NOT NULL,
    channel      TEXT NOT NULL,
    dstchannel   TEXT NOT NULL,
    lastapp      TEXT NOT NULL,
    lastdata     TEXT NOT NULL,
    start_us     INTEGER NOT NULL,
    answer_us    INTEGER NULL,
    end_us       INTEGER NOT NULL,
    duration     INTEGER NOT NULL,
    billsec      INTEGER NOT NULL,
    disposition  TEXT NOT NULL,
    amaflags     TEXT NOT NULL,
    uniqueid     TEXT NOT NULL,
    linkedid     TEXT NOT NULL,
    userfield    TEXT NOT NULL,
    hangup_cause INTEGER NOT NULL
);
";

/// The schema version this build creates and understands.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why the schema could not be brought up to date.
#[derive(Debug)]
pub(crate) enum MigrationError {
    /// The file's schema is newer than this build.
    TooNew { found: i64, supported: i64 },
    /// The file records a negative schema version, which no Switchyard writes.
    NegativeVersion(i64),
    /// SQLite failed, e.g. busy or corrupt.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrationError {
    fn from(error: rusqlite::Error) -> Self {
        MigrationError::Sqlite(error)
    }
}

/// Brings the schema to [`SCHEMA_VERSION`]. `BEGIN IMMEDIATE` takes the write lock up front,
/// so a database held by another writer fails here with `SQLITE_BUSY` rather than later.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), MigrationError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let applied = usize::try_from(found).map_err(|_| MigrationError::NegativeVersion(found))?;
    if found > SCHEMA_VERSION {
        return Err(MigrationError::TooNew { found, supported: SCHEMA_VERSION });
    }
    for step in &MIGRATIONS[applied..] {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// The schema version recorded in the database.
#[cfg(test)]
pub(crate) fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_count(conn: &Connection) -> i64 {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('astdb', 'sched_tasks', 'cdr')",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn fresh_database_gets_every_table_and_the_current_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(table_count(&conn), 3);
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute("INSERT INTO astdb VALUES ('/f/k', 'v')", []).unwrap();
        migrate(&mut conn).unwrap();
        let value: String = conn.query_row("SELECT value FROM astdb WHERE key = '/f/k'", [], |r| r.get(0)).unwrap();
        assert_eq!(value, "v");
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn newer_schema_is_refused_and_left_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(
            err,
            MigrationError::TooNew { found, supported }
                if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION
        ));
        assert_eq!(table_count(&conn), 0);
    }
}
