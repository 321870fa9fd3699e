//! Benchmarks the event bus: one publisher fanning out to ten subscribers, and publishing on its own.
//!
//! `fanout/*` counts deliveries (events × subscribers) per second, from the first publish until every
//! subscriber has read the last event; the readers are tasks on a two-worker tokio runtime (the machine
//! has two cores) and the publisher is the bench thread. `publish/*` counts events published per second
//! with no subscriber and with ten that never read, which should cost the same: a subscriber is only a
//! cursor into the shared ring.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use switchyard_core::bus::{BusConfig, BusItem, EventBus, Subscription};
use switchyard_core::clock::SystemClock;
use switchyard_core::event::EventKind;
use switchyard_core::{ChannelId, ChannelSnapshot, Direction, Switch, SwitchConfig, SwitchInfo};
use tokio::runtime::Runtime;

/// Events published per measured run.
const EVENTS: u64 = 100_000;
/// Subscribers in the fan-out runs.
const SUBSCRIBERS: u64 = 10;
/// Most items a reader takes under one lock, like the protocol writers do.
const BATCH: usize = 256;

/// What each published event carries.
enum Payload {
    /// `Shutdown` with no channel: the bus's own cost.
    Bare,
    /// `VarSet` with a shared snapshot of a real channel, as channel events are published.
    Snapshot(Arc<ChannelSnapshot>),
}

impl Payload {
    fn both() -> [Self; 2] {
        [Self::Bare, Self::Snapshot(sample_snapshot())]
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Bare => "shutdown_bare",
            Self::Snapshot(_) => "varset_snapshot",
        }
    }

    fn publish(&self, bus: &EventBus) -> u64 {
        match self {
            Self::Bare => bus.publish(EventKind::Shutdown, None),
            Self::Snapshot(snap) => {
                let kind = EventKind::VarSet { name: "CALLERID(num)".into(), value: "1000".into() };
                bus.publish(kind, Some(snap.clone()))
            }
        }
    }
}

/// A snapshot built the way originate builds one, with a few variables set.
fn sample_snapshot() -> Arc<ChannelSnapshot> {
    let info = SwitchInfo {
        version: "0.1.0".into(),
        hostname: "benchhost".into(),
        core_uuid: "00000000-0000-4000-8000-000000000000".into(),
        max_channels: 0,
    };
    let switch = Switch::new(SwitchConfig { info, bus: BusConfig::default(), clock: Arc::new(SystemClock) });
    let mut snap =
        switch.blank_snapshot(ChannelId::new_v4(), "sim", "sim/alice-00000001".to_owned(), Direction::Outbound);
    snap.dialed = "alice?answer".into();
    snap.variables.set("origination_caller_id_number", "1000");
    snap.variables.set("sip_h_X-Bench", "fanout");
    Arc::new(snap)
}

/// A bus whose window and queues hold a whole run, so no reader can lose an event and every publish is
/// one delivery to each subscriber.
fn lossless_bus() -> EventBus {
    let size = EVENTS as usize;
    EventBus::new(BusConfig { replay_window: size, subscriber_queue: size }, Arc::new(SystemClock))
}

/// Reads until the event numbered `last` arrives; returns how many events it read.
async fn drain(mut sub: Subscription, last: u64) -> u64 {
    let mut out = Vec::with_capacity(BATCH + 1);
    let mut read = 0;
    loop {
        sub.recv_batch(&mut out, BATCH).await;
        for item in out.drain(..) {
            match item {
                BusItem::Event(ev) if ev.seq == last => return read + 1,
                BusItem::Event(_) => read += 1,
                BusItem::Lost(n) => panic!("a reader lost {n} events on a bus sized to lose none"),
            }
        }
    }
}

/// One measured run: `EVENTS` published while `SUBSCRIBERS` readers drain them.
fn fanout_once(rt: &Runtime, payload: &Payload) -> Duration {
    let bus = lossless_bus();
    let last = bus.next_seq() + EVENTS - 1;
    let readers: Vec<_> =
        (0..SUBSCRIBERS).map(|i| rt.spawn(drain(bus.subscribe(format!("bench-{i}")), last))).collect();
    let start = Instant::now();
    for _ in 0..EVENTS {
        payload.publish(&bus);
    }
    let mut delivered = 0;
    for reader in readers {
        delivered += rt.block_on(reader).expect("reader task");
    }
    let elapsed = start.elapsed();
    assert_eq!(delivered, EVENTS * SUBSCRIBERS);
    elapsed
}

fn fanout(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let mut group = c.benchmark_group("fanout");
    group.throughput(Throughput::Elements(EVENTS * SUBSCRIBERS)).sampling_mode(SamplingMode::Flat);
    for payload in Payload::both() {
        let id = BenchmarkId::new(payload.name(), format!("{SUBSCRIBERS}_readers"));
        group.bench_function(id, |b| b.iter_custom(|iters| (0..iters).map(|_| fanout_once(&rt, &payload)).sum()));
    }
    group.finish();
}

/// Publishes `EVENTS` events with no reader in the loop.
fn publish_run(bus: &EventBus, payload: &Payload) {
    for _ in 0..EVENTS {
        black_box(payload.publish(bus));
    }
}

fn publish(c: &mut Criterion) {
    let mut group = c.benchmark_group("publish");
    group.throughput(Throughput::Elements(EVENTS));
    for idle in [0, 10] {
        for payload in Payload::both() {
            let bus = EventBus::new(BusConfig::default(), Arc::new(SystemClock));
            let _idle: Vec<_> = (0..idle).map(|i| bus.subscribe(format!("idle-{i}"))).collect();
            let id = BenchmarkId::new(payload.name(), format!("{idle}_idle"));
            group.bench_function(id, |b| b.iter(|| publish_run(&bus, &payload)));
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = fanout, publish
}
criterion_main!(benches);
