//! `switchyard bench media`: N real bridged SIP calls through a switch started as a child process
//! (`switchyard run`), with 20 ms G.711 RTP flowing both ways on both legs of every call.
//!
//! Each call: our calling UA sends INVITE to extension 3000, whose dialplan `Dial`s a second SIP leg to
//! our called UA, which answers; the switch bridges the two legs and relays RTP between them. Our load
//! thread then sends 50 packets/s on every leg (100 per call into the switch, 100 out) and measures
//! what comes back: transit through the switch, added jitter (inter-arrival deviation against
//! the send times), loss, plus the switch's CPU use from `/proc/<pid>/stat`.

mod rtp_load;
mod rtp_measure;
mod server;
mod sip_ua;
mod tx_stamps;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio::net::UdpSocket;

use rtp_load::{Load, Sockets, Stream};
use server::{ChildSwitch, cpu_ticks};

/// Warm-up before the measured window (latching, first packets).
const WARMUP: Duration = Duration::from_secs(2);

/// What one run is asked to do.
pub struct MediaBench {
    /// Concurrent calls.
    pub calls: usize,
    /// Calls set up per second.
    pub rate: u32,
    /// Measured window.
    pub duration: Duration,
    /// The switch's `[media] rtp_threads`, if not its default.
    pub rtp_threads: Option<usize>,
    /// Generator and media threads at real-time round-robin priority.
    pub realtime: bool,
}

/// Runs the benchmark; returns the report.
pub async fn run(b: MediaBench) -> anyhow::Result<String> {
    let uas_sock = UdpSocket::bind("127.0.0.1:0").await?;
    let switch = ChildSwitch::start(uas_sock.local_addr()?.port(), b.calls, b.rtp_threads, b.realtime).await?;
    let sockets = Sockets::bind()?;
    for s in [&sockets.a, &sockets.b] {
        server::grow_buffers(s);
    }
    let (media_a, media_b) = (sockets.a.local_addr()?, sockets.b.local_addr()?);
    let tally = Arc::new(Mutex::new(sip_ua::UasTally::default()));
    let uas = tokio::spawn(sip_ua::run_uas(uas_sock, media_b, tally.clone()));
    let mut uac = sip_ua::Uac::new(switch.sip, media_a, "3000").await?;
    let setup_start = Instant::now();
    let setup_deadline = Duration::from_secs_f64(b.calls as f64 / f64::from(b.rate) + 15.0);
    let placed = uac.place(b.calls, b.rate, setup_deadline).await?;
    let setup = setup_start.elapsed();
    let b_legs = tally.lock().rtp.clone();
    let streams = streams(&placed.rtp, &b_legs);
    let max_id = streams.len() as u32;
    let load = Load::start(sockets, streams.clone(), max_id, b.realtime)?;
    tokio::time::sleep(WARMUP).await;
    let (cpu0, self0, at0) = (cpu_ticks(switch.pid()), cpu_ticks(std::process::id()), Instant::now());
    let (idle0, drops0) = (server::system_ticks(), server::udp_rcvbuf_errors());
    load.set_epoch(rtp_load::MEASURE);
    tokio::time::sleep(b.duration).await;
    load.set_epoch(rtp_load::DRAIN);
    let secs = at0.elapsed().as_secs_f64();
    let (cpu1, self1, idle1) = (cpu_ticks(switch.pid()), cpu_ticks(std::process::id()), server::system_ticks());
    let rss = server::rss_kib(switch.pid());
    let (drops, load_avg) = (server::udp_rcvbuf_errors() - drops0, server::load_average());
    let scheduling = format!(
        "switch's media threads {}; generator {}",
        server::thread_scheduling(switch.pid(), "media-"),
        server::thread_scheduling(std::process::id(), "rtp-load")
    );
    let (sent, measured) = load.finish();
    let hung_up = uac.hang_up(Duration::from_secs(10)).await?;
    uas.abort();
    drop(switch);
    let cpu = Cpu {
        switch: (cpu1 - cpu0) as f64 / 100.0 / secs,
        generator: (self1 - self0) as f64 / 100.0 / secs,
        system: server::busy_share(idle0, idle1),
        load_avg,
        kernel_drops: drops,
        scheduling,
    };
    let calls = Setup { asked: b.calls, up: placed.rtp.len().min(b_legs.len()), failed: placed.failed, setup, hung_up };
    Ok(report(&calls, streams.len(), secs, &sent, &measured, &cpu, rss, placed.retransmits))
}

/// Where the send times came from.
fn send_times(m: &rtp_measure::Measured) -> String {
    if m.kernel_sent == 0 {
        return "send times read by the generator just before sending".to_owned();
    }
    format!("kernel send times for {:.1}% of packets", 100.0 * m.kernel_sent as f64 / m.received.max(1) as f64)
}

/// Microseconds, or "≥ 200 ms" for the histogram's overflow bucket.
fn us(v: u64) -> String {
    if v >= rtp_measure::HIST_US as u64 { "≥ 200 ms".to_owned() } else { format!("{v} µs") }
}

/// One stream per leg: A legs from the calling side's socket, B legs from the called side's.
fn streams(a_legs: &[std::net::SocketAddr], b_legs: &[std::net::SocketAddr]) -> Vec<Stream> {
    let a = a_legs.iter().map(|&to| (false, to));
    let b = b_legs.iter().map(|&to| (true, to));
    a.chain(b).enumerate().map(|(id, (side_b, to))| Stream { id: id as u32, side_b, to }).collect()
}

struct Setup {
    asked: usize,
    up: usize,
    failed: usize,
    setup: Duration,
    hung_up: usize,
}

struct Cpu {
    switch: f64,
    generator: f64,
    system: f64,
    load_avg: String,
    kernel_drops: u64,
    scheduling: String,
}

#[allow(clippy::too_many_arguments)]
fn report(
    c: &Setup,
    streams: usize,
    secs: f64,
    sent: &rtp_measure::Sent,
    m: &rtp_measure::Measured,
    cpu: &Cpu,
    rss_kib: u64,
    retransmits: u64,
) -> String {
    let loss = 100.0 * (1.0 - m.received as f64 / sent.sent.max(1) as f64);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "media bench: {} calls asked, {} bridged ({} failed, set up in {:.1} s, {} INVITE retransmissions), {} RTP streams",
        c.asked,
        c.up,
        c.failed,
        c.setup.as_secs_f64(),
        retransmits,
        streams
    );
    let _ = writeln!(
        out,
        "  RTP over {secs:.1} s: sent {:.0} pkt/s into the switch, received {:.0} pkt/s back, loss {loss:.3}% ({} send errors, {} foreign datagrams)",
        sent.sent as f64 / secs,
        m.received as f64 / secs,
        sent.errors,
        m.foreign
    );
    let _ = writeln!(
        out,
        "  added jitter |D(i-1,i)|: p50 {}, p99 {}, p99.9 {}, max {}",
        us(m.ipdv.quantile(0.5)),
        us(m.ipdv.quantile(0.99)),
        us(m.ipdv.quantile(0.999)),
        us(m.ipdv.max())
    );
    let _ = writeln!(
        out,
        "  transit through the switch: p50 {}, p99 {}, max {}; generator send lateness p99 {}; {}",
        us(m.transit.quantile(0.5)),
        us(m.transit.quantile(0.99)),
        us(m.transit.max()),
        us(sent.lateness.quantile(0.99)),
        send_times(m)
    );
    let _ = writeln!(
        out,
        "  CPU (1.0 = one core): switch {:.2}, generator {:.2}, machine busy {:.0}% (load average {}); \
         UDP receive-buffer drops (machine-wide) {}",
        cpu.switch,
        cpu.generator,
        100.0 * cpu.system,
        cpu.load_avg,
        cpu.kernel_drops
    );
    let _ = writeln!(out, "  scheduling: {}", cpu.scheduling);
    let relayed = m.received as f64 / secs;
    let per_packet = 1e6 * cpu.switch / relayed.max(1.0);
    let _ = write!(
        out,
        "  switch: {per_packet:.1} µs CPU per relayed packet → {:.0} pkt/s per core ≈ {:.0} calls per core; \
         RSS {} MiB; BYE answered {}/{}",
        1e6 / per_packet.max(0.001),
        1e4 / per_packet.max(0.001),
        rss_kib / 1024,
        c.hung_up,
        c.up
    );
    out
}
