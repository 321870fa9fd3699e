//! Opening a damaged, foreign, newer or busy database fails with an error the user can act on.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use switchyard_store::{OpenError, OpenOptions, SqliteStore, Store};
use tempfile::TempDir;

fn quick() -> OpenOptions {
    OpenOptions { busy_timeout: Duration::from_millis(50) }
}

/// Deterministic garbage (xorshift), so a failure reproduces.
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

fn open_err(path: &Path) -> OpenError {
    SqliteStore::open_with(path, &quick()).expect_err("open succeeded")
}

#[test]
fn a_file_of_random_bytes_is_reported_corrupt_naming_the_path() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("junk.db");
    std::fs::write(&path, garbage(8192)).unwrap();
    let err = open_err(&path);
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("database {} is corrupt: file is not a database", path.display()));
}

#[test]
fn a_database_with_a_damaged_page_is_reported_corrupt() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("damaged.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        for n in 0..2000 {
            store.db_put("fam", &format!("key{n:05}"), &"v".repeat(40)).unwrap();
        }
    }
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    assert!(bytes.len() > 8 * page, "database too small to damage");
    bytes[3 * page..6 * page].copy_from_slice(&garbage(3 * page));
    std::fs::write(&path, bytes).unwrap();
    let err = open_err(&path);
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("database {} is corrupt: ", path.display())));
}

#[test]
fn a_database_held_exclusively_by_another_connection_is_reported_locked() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("busy.db");
    let other = Connection::open(&path).unwrap();
    other.execute_batch("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);").unwrap();
    let err = open_err(&path);
    assert!(matches!(err, OpenError::Locked { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("database {} is locked by another process (is another switchyard running?)", path.display())
    );
}

#[test]
fn a_store_whose_writer_lock_is_held_by_another_connection_is_reported_locked() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("busy-wal.db");
    SqliteStore::open(&path).unwrap().db_put("f", "k", "v").unwrap();
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE; DELETE FROM astdb;").unwrap();
    let err = open_err(&path);
    assert!(matches!(err, OpenError::Locked { .. }), "{err:?}");
    other.execute_batch("ROLLBACK").unwrap();
    let store = SqliteStore::open_with(&path, &quick()).unwrap();
    assert_eq!(store.db_get("f", "k").unwrap().as_deref(), Some("v"));
}

#[test]
fn a_database_from_a_newer_switchyard_is_refused() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("new.db");
    drop(SqliteStore::open(&path).unwrap());
    Connection::open(&path).unwrap().pragma_update(None, "user_version", 999).unwrap();
    let err = open_err(&path);
    assert!(matches!(err, OpenError::TooNew { found: 999, .. }), "{err:?}");
    assert!(err.to_string().contains("newer than this switchyard supports"), "{err}");
}

#[test]
fn a_parent_that_is_a_file_is_reported_as_a_directory_problem() {
    let dir = TempDir::new().unwrap();
    let blocker = dir.path().join("data");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let err = open_err(&blocker.join("s.db"));
    assert!(matches!(err, OpenError::CreateDir { .. }), "{err:?}");
    assert!(err.to_string().contains(&blocker.display().to_string()), "{err}");
}
