//! Everything written survives closing, reopening and a crash of the process.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Command;

use switchyard_store::{Cdr, NewTask, SqliteStore, Store, StoreUrl, TaskState, open_store};
use tempfile::TempDir;

fn task(group: &str, runtime_ms: i64) -> NewTask {
    NewTask {
        group: group.into(),
        description: "hangup".into(),
        runtime_ms,
        action: "hangup:ALLOTTED_TIMEOUT".into(),
        owner: Some("uuid-1".into()),
        created_ms: 1,
        host: "node-a".into(),
        repeat_s: Some(60),
    }
}

fn schema_version(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}

#[test]
fn data_survives_close_and_reopen() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("switchyard.db");
    let (task_id, cdr_id) = {
        let store = SqliteStore::open(&path).unwrap();
        store.db_put("cidname", "1000", "Alice").unwrap();
        let task_id = store.task_insert(&task("g", 10)).unwrap();
        store.task_mark_running(task_id).unwrap();
        let cdr_id = store.cdr_insert(&Cdr { dst: "200".into(), ..Cdr::default() }).unwrap();
        (task_id, cdr_id)
    };
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.db_get("cidname", "1000").unwrap().as_deref(), Some("Alice"));
    let tasks = store.task_list().unwrap();
    assert_eq!((tasks[0].id, tasks[0].state), (task_id, TaskState::Running));
    assert_eq!(tasks[0].repeat_s, Some(60));
    let cdrs = store.cdr_recent(1).unwrap();
    assert_eq!((cdrs[0].0, cdrs[0].1.dst.as_str()), (cdr_id, "200"));
}

#[test]
fn opening_twice_keeps_data_and_schema_version() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("s.db");
    SqliteStore::open(&path).unwrap().db_put("f", "k", "v").unwrap();
    let version = schema_version(&path);
    assert!(version >= 1);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.db_get("f", "k").unwrap().as_deref(), Some("v"));
    drop(store);
    assert_eq!(schema_version(&path), version);
}

#[test]
fn task_ids_keep_growing_after_deleting_the_newest_and_reopening() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("s.db");
    let highest = {
        let store = SqliteStore::open(&path).unwrap();
        let ids = store.task_insert_batch(&[task("g", 1), task("g", 2)]).unwrap();
        store.task_delete_group("g").unwrap();
        ids[1]
    };
    let store = SqliteStore::open(&path).unwrap();
    assert!(store.task_insert(&task("g", 3)).unwrap() > highest);
}

#[test]
fn open_creates_missing_parent_directories() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("a/b/switchyard.db");
    SqliteStore::open(&path).unwrap().db_put("f", "k", "v").unwrap();
    assert!(path.is_file());
}

#[test]
fn flush_folds_the_log_into_the_database_file() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("s.db");
    let store = SqliteStore::open(&path).unwrap();
    store.db_put("f", "k", "v").unwrap();
    let wal = dir.path().join("s.db-wal");
    assert!(wal.metadata().unwrap().len() > 0);
    store.flush().unwrap();
    assert_eq!(wal.metadata().unwrap().len(), 0);
    assert_eq!(store.db_get("f", "k").unwrap().as_deref(), Some("v"));
}

#[test]
fn open_store_opens_sqlite_file_and_memory_urls() {
    let dir = TempDir::new().unwrap();
    let url = StoreUrl::parse(&format!("sqlite:{}/s.db", dir.path().display())).unwrap();
    open_store(&url).unwrap().db_put("f", "k", "file").unwrap();
    let reopened = open_store(&url).unwrap();
    assert_eq!(reopened.db_get("f", "k").unwrap().as_deref(), Some("file"));
    let memory = open_store(&StoreUrl::SqliteMemory).unwrap();
    assert_eq!(memory.db_get("f", "k").unwrap(), None);
}

#[test]
fn open_store_refuses_postgres_for_now() {
    let url = StoreUrl::parse("postgres://u:p@h/db").unwrap();
    let err = open_store(&url).err().expect("postgres opened");
    assert_eq!(err.to_string(), "PostgreSQL store is not built into this version");
}

const CRASH_ENV: &str = "SWITCHYARD_STORE_CRASH_DB";

/// Re-runs this test in a child process that writes and then `kill -9`s itself.
#[test]
fn writes_survive_kill_9_right_after_they_return() {
    if let Some(path) = std::env::var_os(CRASH_ENV) {
        write_then_kill_9(Path::new(&path));
    }
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("s.db");
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "writes_survive_kill_9_right_after_they_return"])
        .args(["--test-threads", "1", "--nocapture"])
        .env(CRASH_ENV, &path)
        .status()
        .unwrap();
    assert_eq!(status.signal(), Some(9), "the child should have been killed: {status}");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.db_get("crash", "key").unwrap().as_deref(), Some("kept"));
    assert_eq!(store.task_list().unwrap()[0].group, "crash");
}

fn write_then_kill_9(path: &Path) -> ! {
    let store = SqliteStore::open(path).unwrap();
    store.db_put("crash", "key", "kept").unwrap();
    store.task_insert(&task("crash", 5)).unwrap();
    let pid = std::process::id().to_string();
    Command::new("kill").args(["-9", &pid]).status().unwrap();
    loop {
        std::thread::park();
    }
}
