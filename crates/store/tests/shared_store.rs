//! The store shared as `Arc<dyn Store>` between threads: claims stay exclusive.

use std::sync::{Arc, Barrier};
use std::thread;

use switchyard_store::{NewTask, SqliteStore, Store};

#[test]
fn concurrent_claims_of_one_task_let_exactly_one_thread_run_it() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let id = store
        .task_insert(&NewTask {
            group: "g".into(),
            description: "d".into(),
            runtime_ms: 1,
            action: "a".into(),
            owner: None,
            created_ms: 0,
            host: "h".into(),
            repeat_s: None,
        })
        .unwrap();
    let start = Arc::new(Barrier::new(8));
    let claims: Vec<_> = (0..8)
        .map(|_| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                store.task_mark_running(id).unwrap()
            })
        })
        .collect();
    let won = claims.into_iter().map(|h| h.join().unwrap()).filter(|&won| won);
    assert_eq!(won.count(), 1);
}
