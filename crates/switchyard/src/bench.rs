//! `switchyard bench calls`: drives sim calls through an in-process core and reports setup rate,
//! concurrency, memory per channel and setup latency. `bench sched` lives in `bench_sched`, `bench
//! media` in `bench_media`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Subcommand;
use parking_lot::Mutex;
use switchyard_core::tech::parse_duration;
use switchyard_core::{BusConfig, OriginateRequest, OriginateTarget, Switch, SwitchConfig, SwitchInfo, SystemClock};

/// Load runs.
#[derive(Subcommand, Debug)]
pub enum BenchKind {
    /// Originate sim calls at a fixed rate.
    Calls {
        /// Call attempts per second.
        #[arg(long, default_value_t = 1000)]
        rate: u32,
        /// How long to keep originating (e.g. 10s).
        #[arg(long, default_value = "10s", value_parser = parse_duration)]
        duration: Duration,
        /// How long each answered call stays up (e.g. 30s); 0 hangs up at once.
        #[arg(long, default_value = "0s", value_parser = parse_duration)]
        hold: Duration,
    },
    /// Scheduler: durable inserts, memory, restart recovery and firing lateness.
    Sched {
        /// Pending tasks to insert.
        #[arg(long, default_value_t = 1_000_000)]
        tasks: usize,
        /// Firings per second for the lateness run.
        #[arg(long, default_value_t = 1000)]
        rate: u32,
        /// Length of the lateness run.
        #[arg(long, default_value = "5s", value_parser = parse_duration)]
        duration: Duration,
    },
    /// Event Socket: plain-event fan-out to many listeners, `api` latency, `bgapi originate` rate.
    Esl {
        /// Listeners subscribed to `event plain ALL`.
        #[arg(long, default_value_t = 10)]
        listeners: usize,
        /// Events published for the fan-out run.
        #[arg(long, default_value_t = 200_000)]
        events: usize,
        /// `api uptime` round trips for the latency run.
        #[arg(long, default_value_t = 10_000)]
        api_calls: usize,
        /// `bgapi originate sim/…` jobs for the originate run.
        #[arg(long, default_value_t = 20_000)]
        originates: usize,
    },
    /// RTP: concurrent bridged SIP calls (a child `switchyard run`), G.711 both ways on both legs;
    /// reports added jitter, transit, loss and the switch's CPU.
    Media {
        /// Concurrent bridged calls.
        #[arg(long, default_value_t = 1000)]
        calls: usize,
        /// Calls set up per second.
        #[arg(long, default_value_t = 200)]
        rate: u32,
        /// Measured window (at most 60s).
        #[arg(long, default_value = "20s", value_parser = parse_duration)]
        duration: Duration,
        /// The switch's `[media] rtp_threads` (default: its own default).
        #[arg(long)]
        rtp_threads: Option<usize>,
        /// Generator thread and the switch's media threads at normal priority (by default the
        /// switch keeps its `[media] rtp_realtime` default, real-time round robin 1, and the generator
        /// runs at real-time round robin 2, above them, so its send times are exact).
        #[arg(long)]
        normal_priority: bool,
    },
    /// Manager interface: event fan-out to many sessions, publish-to-socket latency, async Originate rate.
    Ami {
        /// Logged-in sessions receiving every event.
        #[arg(long, default_value_t = 10)]
        sessions: usize,
        /// Events published for the fan-out run.
        #[arg(long, default_value_t = 200_000)]
        events: usize,
        /// Events per second for the latency run.
        #[arg(long, default_value_t = 10_000)]
        rate: u32,
        /// Async `Originate` of `sim/…` for the originate run.
        #[arg(long, default_value_t = 20_000)]
        originates: usize,
    },
}

/// Runs the chosen benchmark.
pub fn run(kind: BenchKind) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let report = match kind {
        BenchKind::Calls { rate, duration, hold } => rt.block_on(bench_calls(rate.max(1), duration, hold)),
        BenchKind::Sched { tasks, rate, duration } => {
            rt.block_on(crate::bench_sched::run(tasks, rate.max(1), duration))?
        }
        BenchKind::Esl { listeners, events, api_calls, originates } => {
            rt.block_on(crate::bench_esl::run(listeners.max(1), events.max(1), api_calls.max(1), originates.max(1)))?
        }
        BenchKind::Media { calls, rate, duration, rtp_threads, normal_priority } => {
            let realtime = !normal_priority;
            let duration = duration.min(Duration::from_secs(60));
            let (calls, rate) = (calls.max(1), rate.max(1));
            let bench = crate::bench_media::MediaBench { calls, rate, duration, rtp_threads, realtime };
            rt.block_on(crate::bench_media::run(bench))?
        }
        BenchKind::Ami { sessions, events, rate, originates } => {
            rt.block_on(crate::bench_ami::run(sessions.max(1), events.max(1), rate, originates.max(1)))?
        }
    };
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// Resident memory of this process in bytes.
pub(crate) fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

struct Tally {
    latencies_us: Vec<u32>,
    answered: u64,
    failed: u64,
}

async fn bench_calls(rate: u32, duration: Duration, hold: Duration) -> String {
    let switch = bench_switch();
    let tally = Arc::new(Mutex::new(Tally { latencies_us: Vec::new(), answered: 0, failed: 0 }));
    let base_rss = rss_bytes();
    let (mut peak, mut peak_rss, mut attempted) = (0usize, base_rss, 0u64);
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let mut next_progress = Duration::from_secs(1);
    while start.elapsed() < duration {
        tick.tick().await;
        let due = (start.elapsed().as_secs_f64() * f64::from(rate)) as u64;
        while attempted < due {
            attempted += 1;
            start_call(&switch, attempted, hold, &tally);
        }
        let live = switch.channels().len();
        if live > peak {
            peak = live;
            peak_rss = peak_rss.max(rss_bytes());
        }
        if start.elapsed() >= next_progress {
            next_progress += Duration::from_secs(1);
            progress(start.elapsed(), &tally, live, peak);
        }
    }
    let elapsed = start.elapsed();
    peak_rss = peak_rss.max(rss_bytes());
    drain(&switch, hold).await;
    let t = tally.lock();
    summary(rate, attempted, elapsed, &t, peak, base_rss, peak_rss)
}

/// A switch whose bus keeps every event of a run of `events` (so benchmarks measure delivery, not loss).
pub(crate) fn bench_switch_for(events: usize) -> Switch {
    let window = (events + 1024).next_power_of_two().max(1 << 18);
    switch_with_bus(BusConfig { replay_window: window, subscriber_queue: window })
}

pub(crate) fn bench_switch() -> Switch {
    switch_with_bus(BusConfig::default())
}

fn switch_with_bus(bus: BusConfig) -> Switch {
    Switch::new(SwitchConfig {
        info: SwitchInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            hostname: "bench".to_owned(),
            core_uuid: switchyard_core::ChannelId::new_v4().to_string(),
            max_channels: 0,
        },
        bus,
        clock: Arc::new(SystemClock),
    })
}

fn start_call(switch: &Switch, n: u64, hold: Duration, tally: &Arc<Mutex<Tally>>) {
    let target = OriginateTarget::App { name: "Wait".to_owned(), args: format!("{}", hold.as_secs_f64()) };
    let req = OriginateRequest::new(format!("sim/bench{n}"), target);
    let began = Instant::now();
    let pending = match switch.originate(req) {
        Ok(p) => p,
        Err(_) => {
            tally.lock().failed += 1;
            return;
        }
    };
    let tally = tally.clone();
    tokio::spawn(async move {
        let outcome = pending.outcome().await;
        let us = began.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        let mut t = tally.lock();
        if outcome.answered {
            t.answered += 1;
            t.latencies_us.push(us);
        } else {
            t.failed += 1;
        }
    });
}

fn progress(elapsed: Duration, tally: &Mutex<Tally>, live: usize, peak: usize) {
    let t = tally.lock();
    let rate = t.answered as f64 / elapsed.as_secs_f64();
    eprintln!(
        "[{:>4.0}s] answered {} ({rate:.0}/s), failed {}, live {live}, peak {peak}, rss {} MiB",
        elapsed.as_secs_f64(),
        t.answered,
        t.failed,
        rss_bytes() / (1 << 20)
    );
}

/// Lets held calls finish (bounded: hold + 10 s).
async fn drain(switch: &Switch, hold: Duration) {
    let deadline = Instant::now() + hold + Duration::from_secs(10);
    while !switch.channels().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

fn summary(
    rate: u32,
    attempted: u64,
    elapsed: Duration,
    t: &Tally,
    peak: usize,
    base_rss: u64,
    peak_rss: u64,
) -> String {
    let mut lat = t.latencies_us.clone();
    lat.sort_unstable();
    let per_channel = (peak_rss.saturating_sub(base_rss)) as f64 / peak.max(1) as f64 / 1024.0;
    format!(
        "calls:       {attempted} attempted, {} answered, {} failed in {:.2}s\n\
         setup rate:  {:.0} answered calls/s (target {rate}/s)\n\
         concurrent:  peak {peak} channels\n\
         memory:      RSS {:.1} MiB at start, {:.1} MiB at peak: {per_channel:.1} KiB per channel\n\
         latency:     originate→answer p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        t.answered,
        t.failed,
        elapsed.as_secs_f64(),
        t.answered as f64 / elapsed.as_secs_f64(),
        base_rss as f64 / 1048576.0,
        peak_rss as f64 / 1048576.0,
        percentile(&lat, 0.5),
        percentile(&lat, 0.9),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    )
}
