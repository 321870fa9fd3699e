//! The scheduler against a real switch, sim channels and a SQLite store: commands, firing, clean-up,
//! restart recovery.

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::bus::{BusItem, Subscription};
use switchyard_core::{BusConfig, Event, EventKind, ScheduleOp, Switch, SwitchConfig, SwitchInfo, SystemClock};
use switchyard_sched::{Scheduler, SchedulerConfig};
use switchyard_store::{SqliteStore, Store};

fn switch() -> Switch {
    Switch::new(SwitchConfig {
        info: SwitchInfo { version: "t".into(), hostname: "testhost".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    })
}

async fn start(sw: &Switch, store: Arc<dyn Store>) -> Scheduler {
    let cfg = SchedulerConfig { overdue_grace: Duration::from_secs(60), host: "testhost".into() };
    let sched = Scheduler::start(sw.clone(), store, cfg).await.unwrap();
    switchyard_sched::commands::register(&sched);
    switchyard_sched::apps::register(&sched);
    sched
}

async fn run(sw: &Switch, line: &str) -> String {
    sw.commands().execute(sw, line).await.unwrap().text
}

async fn until(sub: &mut Subscription, pred: impl Fn(&Event) -> bool) -> Event {
    loop {
        if let BusItem::Event(e) = sub.recv().await
            && pred(&e)
        {
            return e;
        }
    }
}

fn is_sched(op: ScheduleOp) -> impl Fn(&Event) -> bool {
    move |e| matches!(&e.kind, EventKind::Schedule(s) if s.op == op)
}

async fn parked(sw: &Switch, name: &str) -> String {
    let out = run(sw, &format!("originate sim/{name} &park")).await;
    out.trim().strip_prefix("+OK ").expect("answered").to_owned()
}

#[tokio::test]
async fn sched_hangup_returns_its_id_fires_and_leaves_no_task() {
    let sw = switch();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let _sched = start(&sw, store.clone()).await;
    let uuid = parked(&sw, "a").await;
    let mut sub = sw.bus().subscribe("t");
    let reply = run(&sw, &format!("sched_hangup +0.2 {uuid}")).await;
    let id: u64 = reply.trim().strip_prefix("+OK ").unwrap().parse().unwrap();
    assert_eq!(store.task_list().unwrap().len(), 1, "stored before the reply");
    let tasks = run(&sw, "show tasks").await;
    assert!(tasks.contains(&format!("\n{id},switch_ivr_schedule_hangup,{uuid},")), "{tasks}");
    until(
        &mut sub,
        |e| matches!(&e.kind, EventKind::VarSet { name, value } if name == "last_sched_id" && *value == id.to_string()),
    )
    .await;
    until(&mut sub, is_sched(ScheduleOp::Exe)).await;
    // The hangup and the task's removal are independent: their events come in either order.
    let (mut cause, mut removed) = (None, false);
    while cause.is_none() || !removed {
        let e = until(&mut sub, |e| matches!(e.kind, EventKind::Hangup { .. }) || is_sched(ScheduleOp::Del)(e)).await;
        match e.kind {
            EventKind::Hangup { cause: c } => cause = Some(c.fs_name()),
            _ => removed = true,
        }
    }
    assert_eq!(cause, Some("ALLOTTED_TIMEOUT"));
    assert_eq!(run(&sw, "show tasks").await, "\n0 total.\n");
    assert!(store.task_list().unwrap().is_empty());
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_stored() {
    let sw = switch();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let _sched = start(&sw, store.clone()).await;
    let uuid = parked(&sw, "b").await;
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(run(&sw, &format!("sched_hangup +10 {missing}")).await, "-ERR No such channel!\n");
    let bad_time = run(&sw, &format!("sched_hangup soon {uuid}")).await;
    assert!(bad_time.starts_with("-ERR invalid time 'soon'"), "{bad_time}");
    let bad_cause = run(&sw, &format!("sched_hangup +10 {uuid} PIGEONS")).await;
    assert!(bad_cause.starts_with("-ERR unknown hangup cause 'PIGEONS'"), "{bad_cause}");
    assert_eq!(run(&sw, "sched_hangup").await, "-USAGE: [+]<time> <uuid> [<cause>]\n");
    assert!(run(&sw, "sched_api +5 none").await.starts_with("-ERR Invalid syntax. USAGE:"));
    assert!(store.task_list().unwrap().is_empty());
}

#[tokio::test]
async fn sched_del_deletes_by_id_and_by_group() {
    let sw = switch();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let _sched = start(&sw, store.clone()).await;
    let a = run(&sw, "sched_api +100 grp status").await;
    let b = run(&sw, "sched_api +100 grp status").await;
    let c = run(&sw, "sched_api +100 other status").await;
    assert!(a.starts_with("+OK Added: ") && b.starts_with("+OK Added: "), "{a}{b}");
    let c_id = c.trim().strip_prefix("+OK Added: ").unwrap();
    assert_eq!(run(&sw, &format!("sched_del {c_id}")).await, "+OK Deleted: 1\n");
    assert_eq!(run(&sw, "sched_del grp").await, "+OK Deleted: 2\n");
    assert_eq!(run(&sw, "sched_del grp").await, "+OK Deleted: 0\n");
    assert_eq!(run(&sw, &format!("unsched_api {c_id}")).await, "-ERR No such id\n");
    assert!(store.task_list().unwrap().is_empty());
}

#[tokio::test]
async fn tasks_of_a_channel_are_removed_when_it_ends() {
    let sw = switch();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let _sched = start(&sw, store.clone()).await;
    let uuid = parked(&sw, "c").await;
    let mut sub = sw.bus().subscribe("t");
    run(&sw, &format!("sched_transfer +100 {uuid} 7001")).await;
    run(&sw, &format!("sched_broadcast +100 {uuid} /tmp/x.wav both")).await;
    assert_eq!(run(&sw, &format!("uuid_kill {uuid}")).await, "+OK\n");
    for _ in 0..2 {
        let e = until(&mut sub, is_sched(ScheduleOp::Del)).await;
        let EventKind::Schedule(s) = &e.kind else { unreachable!() };
        assert_eq!((s.reason.as_deref(), s.group.as_str()), (Some("channel ended"), uuid.as_str()));
    }
    assert!(store.task_list().unwrap().is_empty());
}

#[tokio::test]
async fn recurring_api_tasks_are_rearmed_after_each_run() {
    let sw = switch();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let _sched = start(&sw, store.clone()).await;
    let mut sub = sw.bus().subscribe("t");
    let out = run(&sw, "sched_api @1 none global_setvar x=y").await;
    assert!(out.starts_with("+OK Added: "));
    until(&mut sub, is_sched(ScheduleOp::Re)).await;
    assert_eq!(store.task_list().unwrap().len(), 1);
}

#[test]
fn pending_tasks_survive_a_restart_and_fire_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        // First life: schedule three API tasks, then stop the runtime as a crash would.
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let sw = switch();
            let _sched = start(&sw, Arc::new(SqliteStore::open(&path).unwrap())).await;
            for _ in 0..3 {
                assert!(run(&sw, "sched_api +0.3 restart status").await.starts_with("+OK Added: "));
            }
        });
        rt.shutdown_background();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sw = switch();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let mut sub = sw.bus().subscribe("t");
        let sched = start(&sw, store.clone()).await;
        assert_eq!(sched.list().len(), 3, "reloaded");
        let mut fired = std::collections::HashSet::new();
        while fired.len() < 3 {
            let e = until(&mut sub, is_sched(ScheduleOp::Exe)).await;
            let EventKind::Schedule(s) = &e.kind else { unreachable!() };
            let task_id = s.task_id;
            assert!(fired.insert(task_id), "task {task_id} ran twice");
        }
        until(&mut sub, is_sched(ScheduleOp::Del)).await;
    });
}
