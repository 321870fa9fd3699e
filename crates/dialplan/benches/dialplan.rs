//! Dialplan benchmarks: loading a generated 10,000-extension `extensions.conf` (target < 200 ms),
//! and running a 20-priority Set/GotoIf/Gosub loop on a channel (priorities per second).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchyard_core::bus::BusItem;
use switchyard_core::{
    BusConfig, EventKind, OriginateRequest, OriginateTarget, Switch, SwitchConfig, SwitchInfo, SystemClock,
};
use switchyard_store::{SqliteStore, Store};

/// The binary's allocator, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 10,000 extensions in 100 contexts: literals and patterns, three priorities each.
fn generated_conf() -> String {
    let mut s = String::from("[globals]\nX=1\n");
    for c in 0..100 {
        s.push_str(&format!("[ctx{c}]\ninclude => ctx{}\n", (c + 1) % 100));
        for e in 0..100 {
            let name = if e % 4 == 0 { format!("_{c}{e}XX") } else { format!("{c}{e:03}") };
            s.push_str(&format!("exten => {name},1,NoOp(${{EXTEN}})\nsame => n(l{e}),Set(A=$[${{X}} + {e}])\n"));
            s.push_str("same => n,Dial(sim/a,30,tU(sub^${CALLERID(num)}^${EXTEN}))\n");
        }
    }
    s
}

fn bench_load(c: &mut Criterion) {
    let text = generated_conf();
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("extensions_conf_10000", |b| {
        b.iter(|| switchyard_dialplan::astconf::parse_str("gen.conf", &text).unwrap());
    });
    g.finish();
}

/// The loop, `N` turns.
const LOOP: &str = include_str!("loop.conf");

/// Priorities executed per turn (the loop has 20 lines; `NoOp(never)`, `Set(I=0)` and `Hangup` run
/// not at every turn).
const PRIORITIES_PER_TURN: u64 = 17;

fn run_loop(turns: u64) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let switch = Switch::new(SwitchConfig {
            info: SwitchInfo { version: "b".into(), hostname: "h".into(), core_uuid: "u".into(), max_channels: 0 },
            bus: BusConfig::default(),
            clock: Arc::new(SystemClock),
        });
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
        let plan = switchyard_dialplan::astconf::parse_str("bench.conf", LOOP).unwrap();
        switchyard_dialplan::install_plan(&switch, store, plan, &[]);
        let mut sub = switch.bus().subscribe("bench");
        let target = OriginateTarget::Extension { context: "bench".into(), exten: "s".into(), priority: 1 };
        let mut req = OriginateRequest::new("null/bench", target);
        req.variables = vec![("N".into(), turns.to_string())];
        let start = Instant::now();
        switch.originate(req).unwrap();
        loop {
            match sub.recv().await {
                BusItem::Event(e) if matches!(e.kind, EventKind::ChannelDestroy) => break,
                _ => {}
            }
        }
        start.elapsed()
    })
}

fn bench_priorities(c: &mut Criterion) {
    let mut g = c.benchmark_group("interpreter");
    g.sample_size(10);
    let turns = 5_000;
    g.throughput(Throughput::Elements(turns * PRIORITIES_PER_TURN));
    g.bench_function("set_gotoif_gosub_loop_100000_priorities", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| run_loop(turns)).sum());
    });
    g.finish();
}

criterion_group!(benches, bench_load, bench_priorities);
criterion_main!(benches);
