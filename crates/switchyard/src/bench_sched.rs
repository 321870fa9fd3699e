//! `switchyard bench sched`: durable insert rate, memory for many pending tasks, restart recovery time,
//! and firing lateness at a steady rate, on a real SQLite store in a temporary directory.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use switchyard_core::bus::BusItem;
use switchyard_core::{EventKind, ScheduleOp};
use switchyard_sched::{Scheduler, SchedulerConfig, TaskAction, TaskSpec};
use switchyard_store::{SqliteStore, Store};

use crate::bench::{bench_switch, percentile, rss_bytes};

const CONCURRENT_INSERTS: usize = 4096;

/// Runs the scheduler benchmark; returns the report.
pub async fn run(tasks: usize, rate: u32, duration: Duration) -> anyhow::Result<String> {
    let dir = tempfile_dir()?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("bench.db"))?);
    let base_rss = rss_bytes();
    let (sched, _) = start(store.clone()).await?;
    let far = sched.now_ms() + 86_400_000;
    let began = Instant::now();
    insert_many(&sched, tasks, far).await?;
    let insert_secs = began.elapsed().as_secs_f64();
    let pending_rss = rss_bytes();
    let (_, recovery) = start(store.clone()).await?;
    let lateness = lateness_run(&sched, rate, duration).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "inserts:     {tasks} tasks in {insert_secs:.2}s = {:.0} durable inserts/s\n\
         memory:      RSS {:.1} MiB before, {:.1} MiB with {tasks} pending tasks ({:.0} bytes per task)\n\
         recovery:    {tasks} stored tasks reloaded by a fresh scheduler in {:.2}s\n\
         lateness:    {} firings at {rate}/s: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        tasks as f64 / insert_secs,
        base_rss as f64 / 1048576.0,
        pending_rss as f64 / 1048576.0,
        pending_rss.saturating_sub(base_rss) as f64 / tasks.max(1) as f64,
        recovery.as_secs_f64(),
        lateness.len(),
        percentile(&lateness, 0.5),
        percentile(&lateness, 0.99),
        percentile(&lateness, 1.0),
    ))
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("switchyard-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn start(store: Arc<dyn Store>) -> anyhow::Result<(Scheduler, Duration)> {
    let config = SchedulerConfig { overdue_grace: Duration::from_secs(60), host: "bench".to_owned() };
    let began = Instant::now();
    let sched = Scheduler::start(bench_switch(), store, config).await?;
    Ok((sched, began.elapsed()))
}

async fn insert_many(sched: &Scheduler, tasks: usize, at_ms: i64) -> anyhow::Result<()> {
    let mut done = 0;
    while done < tasks {
        let n = CONCURRENT_INSERTS.min(tasks - done);
        let mut joins = Vec::with_capacity(n);
        for _ in 0..n {
            let s = sched.clone();
            let spec = api_task(at_ms, "bench");
            joins.push(tokio::spawn(async move { s.add(spec).await }));
        }
        for j in joins {
            j.await??;
        }
        done += n;
    }
    Ok(())
}

fn api_task(runtime_ms: i64, group: &str) -> TaskSpec {
    let action = TaskAction::Api { command: "global_getvar bench".to_owned() };
    TaskSpec { runtime_ms, group: group.to_owned(), repeat_s: None, action }
}

/// Schedules `rate` tasks per second, each due 200 ms after it is added, and measures how late each
/// one starts (EXE_SCHEDULE time minus its run time), in microseconds.
async fn lateness_run(sched: &Scheduler, rate: u32, duration: Duration) -> anyhow::Result<Vec<u32>> {
    let due: Arc<Mutex<HashMap<u64, i64>>> = Arc::default();
    let total = (f64::from(rate) * duration.as_secs_f64()) as usize;
    let collector = tokio::spawn(collect_lateness(sched.clone(), due.clone(), total));
    let began = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let mut added = 0usize;
    while added < total {
        tick.tick().await;
        let target = ((began.elapsed().as_secs_f64() * f64::from(rate)) as usize).min(total);
        while added < target {
            let at = sched.now_ms() + 200;
            let id = sched.add(api_task(at, "lateness")).await?;
            due.lock().insert(id, at);
            added += 1;
        }
    }
    Ok(tokio::time::timeout(Duration::from_secs(30), collector).await??)
}

async fn collect_lateness(sched: Scheduler, due: Arc<Mutex<HashMap<u64, i64>>>, total: usize) -> Vec<u32> {
    let mut sub = sched.switch().bus().subscribe("bench-sched");
    let mut late = Vec::with_capacity(total);
    while late.len() < total {
        let BusItem::Event(e) = sub.recv().await else { continue };
        if let EventKind::Schedule(s) = &e.kind
            && s.op == ScheduleOp::Exe
            && let Some(at_ms) = due.lock().remove(&s.task_id)
        {
            late.push((e.timestamp.0 - at_ms * 1000).clamp(0, i64::from(u32::MAX)) as u32);
        }
    }
    late.sort_unstable();
    late
}
