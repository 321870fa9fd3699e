//! Relay throughput: N linked session pairs in one engine on loopback; one sender socket offers G.711
//! packets to every A leg at a paced rate, one receiver socket counts what the B legs relay. Prints
//! offered and delivered packets per second for a few rates. Run: `cargo bench -p switchyard-media`.
//! The sender and receiver share the machine's cores with the engine, so the rates are a lower bound;
//! the engine's own CPU time per relayed packet (its tokio worker threads, from /proc) gives the
//! capacity per core independently of them.

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use switchyard_media::rtp::RtpHeader;
use switchyard_media::{Codec, MediaConfig, MediaEngine, RtpSession};

const PAIRS: usize = 1000;
const SECONDS_PER_RATE: u64 = 3;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    grow_buffers(&rx);
    let (rx_addr, tx_addr) = (rx.local_addr().unwrap(), tx.local_addr().unwrap());
    let (legs, _keep) = runtime.block_on(async {
        let config =
            MediaConfig { bind_ip: "127.0.0.1".parse().unwrap(), ports: 40000..=44999, ..MediaConfig::default() };
        let engine = MediaEngine::start(config).await.unwrap();
        let mut legs = Vec::new();
        let mut keep: Vec<RtpSession> = Vec::new();
        for _ in 0..PAIRS {
            let (a, b) = (engine.open().unwrap(), engine.open().unwrap());
            a.set_remote(tx_addr, Codec::Pcmu, 0, Some(101));
            b.set_remote(rx_addr, Codec::Pcmu, 0, Some(101));
            a.port().link(&b.port());
            legs.push(a.local_addr());
            keep.extend([a, b]);
        }
        (legs, keep)
    });
    let received = Arc::new(AtomicU64::new(0));
    let latency = Arc::new(Histogram::new());
    let epoch = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let counter = {
        let (received, stop, latency) = (received.clone(), stop.clone(), latency.clone());
        rx.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while !stop.load(Ordering::Relaxed) {
                if let Ok(n) = rx.recv(&mut buf) {
                    received.fetch_add(1, Ordering::Relaxed);
                    if n >= 20 {
                        let sent = u64::from_be_bytes(buf[12..20].try_into().unwrap());
                        latency.add(epoch.elapsed().as_nanos() as u64 - sent);
                    }
                }
            }
        })
    };
    println!("relay bench: {PAIRS} linked pairs (one direction each), PCMU 172-byte packets, 2 runtime workers");
    for rate in [50_000u64, 100_000, 150_000, 0] {
        std::thread::sleep(Duration::from_millis(300)); // let in-flight packets land before counting
        let before = received.load(Ordering::Relaxed);
        let cpu_before = engine_cpu_ticks();
        let lat_before = latency.snapshot();
        let (offered, secs) = offer(&tx, &legs, rate, epoch);
        std::thread::sleep(Duration::from_millis(300));
        let delivered = received.load(Ordering::Relaxed) - before;
        let cpu_secs = (engine_cpu_ticks() - cpu_before) as f64 / 100.0;
        let lat = Histogram::delta(&latency.snapshot(), &lat_before);
        let label = if rate == 0 { "unpaced".to_owned() } else { format!("{rate}/s") };
        println!(
            "offered {label:>9}: sent {:>7.0} pkt/s, relayed {:>7.0} pkt/s, loss {:.2}%, engine CPU {:.2} core, {:.1} µs/packet → {:.0} pkt/s per core; sender→receiver latency p50 {} µs, p99 {} µs",
            offered as f64 / secs,
            delivered as f64 / secs,
            (100.0 * (1.0 - delivered as f64 / offered.max(1) as f64)).max(0.0),
            cpu_secs / secs,
            1e6 * cpu_secs / delivered.max(1) as f64,
            delivered as f64 / cpu_secs.max(0.01),
            Histogram::percentile(&lat, 0.50),
            Histogram::percentile(&lat, 0.99)
        );
    }
    stop.store(true, Ordering::Relaxed);
    counter.join().unwrap();
    drop(runtime);
}

/// Sends to every leg in turn at `rate` packets/s (0: as fast as possible); returns (sent, seconds).
fn offer(tx: &UdpSocket, legs: &[std::net::SocketAddr], rate: u64, epoch: Instant) -> (u64, f64) {
    let start = Instant::now();
    let end = start + Duration::from_secs(SECONDS_PER_RATE);
    let mut buf = [0x55u8; 172];
    let mut sent = 0u64;
    let mut seq = 0u16;
    while Instant::now() < end {
        for addr in legs {
            let h = RtpHeader { marker: false, payload_type: 0, seq, timestamp: u32::from(seq) * 160, ssrc: 42 };
            h.write(&mut buf);
            buf[12..20].copy_from_slice(&(epoch.elapsed().as_nanos() as u64).to_be_bytes());
            if tx.send_to(&buf, addr).is_ok() {
                sent += 1;
            }
        }
        seq = seq.wrapping_add(1);
        if rate > 0 {
            let due = start + Duration::from_secs_f64(sent as f64 / rate as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    }
    (sent, start.elapsed().as_secs_f64())
}

/// Latencies in 10 µs buckets up to 1 s.
struct Histogram(Vec<AtomicU64>);

impl Histogram {
    const BUCKETS: usize = 100_000;

    fn new() -> Self {
        Self((0..Self::BUCKETS).map(|_| AtomicU64::new(0)).collect())
    }

    fn add(&self, nanos: u64) {
        let i = ((nanos / 10_000) as usize).min(Self::BUCKETS - 1);
        self.0[i].fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> Vec<u64> {
        self.0.iter().map(|b| b.load(Ordering::Relaxed)).collect()
    }

    fn delta(after: &[u64], before: &[u64]) -> Vec<u64> {
        after.iter().zip(before).map(|(a, b)| a - b).collect()
    }

    /// The upper edge of the bucket holding quantile `q`, in µs.
    fn percentile(counts: &[u64], q: f64) -> u64 {
        let total: u64 = counts.iter().sum();
        let want = (total as f64 * q).ceil() as u64;
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= want.max(1) {
                return (i as u64 + 1) * 10;
            }
        }
        0
    }
}

/// User + system clock ticks (1/100 s) of this process's tokio worker threads.
fn engine_cpu_ticks() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .filter(|stat| stat.contains("(tokio-rt-worker"))
        .filter_map(|stat| {
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

fn grow_buffers(sock: &UdpSocket) {
    let s = socket2::SockRef::from(sock);
    let _ = s.set_recv_buffer_size(8 << 20);
}
