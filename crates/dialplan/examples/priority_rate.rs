//! Prints how many dialplan priorities per second the 20-priority Set/GotoIf/Gosub loop of the
//! `dialplan` benchmark runs, by wall clock and by the thread's own CPU time (the second figure
//! holds on a machine busy with other work). `cargo run --release -p switchyard-dialplan --example
//! priority_rate [turns [replay-window]]` (the bus keeps 65,536 events by default).
//!
//! The three rounds run on one switch, one channel each, as a running server would: the first fills
//! the replay window (and the allocator's memory), the next ones run with it full.

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchyard_core::bus::BusItem;
use switchyard_core::{
    BusConfig, EventKind, OriginateRequest, OriginateTarget, Switch, SwitchConfig, SwitchInfo, SystemClock,
};
use switchyard_store::{SqliteStore, Store};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LOOP: &str = include_str!("../benches/loop.conf");
/// Priorities executed per turn (see the benchmark).
const PRIORITIES_PER_TURN: u64 = 17;

/// CPU time of this thread so far (Linux `schedstat`), or zero elsewhere.
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    Duration::from_nanos(text.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0))
}

fn main() {
    let arg = |i: usize, default: u64| std::env::args().nth(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (turns, window) = (arg(1, 50_000), arg(2, 65_536) as usize);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let switch = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "b".into(), hostname: "h".into(), core_uuid: "u".into(), max_channels: 0 },
        bus: BusConfig { replay_window: window, subscriber_queue: 1024 },
        clock: Arc::new(SystemClock),
    });
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let plan = switchyard_dialplan::astconf::parse_str("loop.conf", LOOP).unwrap();
    switchyard_dialplan::install_plan(&switch, store, plan, &[]);
    for round in 1..=3 {
        let (wall, cpu) = rt.block_on(run(&switch, turns));
        let n = (turns * PRIORITIES_PER_TURN) as f64;
        println!(
            "round {round}: {} priorities: {:.0}/s wall, {:.0}/s CPU",
            n,
            n / wall.as_secs_f64(),
            n / cpu.as_secs_f64()
        );
    }
}

async fn run(switch: &Switch, turns: u64) -> (Duration, Duration) {
    let mut sub = switch.bus().subscribe("rate");
    let target = OriginateTarget::Extension { context: "bench".into(), exten: "s".into(), priority: 1 };
    let mut req = OriginateRequest::new("null/bench", target);
    req.variables = vec![("N".into(), turns.to_string())];
    let (start, cpu0) = (Instant::now(), thread_cpu());
    switch.originate(req).unwrap();
    loop {
        if let BusItem::Event(e) = sub.recv().await
            && matches!(e.kind, EventKind::ChannelDestroy)
        {
            break;
        }
    }
    (start.elapsed(), thread_cpu() - cpu0)
}
