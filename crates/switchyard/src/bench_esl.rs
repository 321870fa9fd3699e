//! `switchyard bench esl`: the Event Socket under load, in process over loopback TCP: plain-event
//! fan-out to many listeners, `api` round-trip latency, and `bgapi originate sim/…` throughput.

use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use switchyard_core::{Direction, EventKind, Switch};
use switchyard_esl::proto::Limits;
use switchyard_esl::{EslServerConfig, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PASSWORD: &str = "bench";
const DONE_MARK: &[u8] = b"bench%3A%3Adone";

/// Runs the three measurements and returns the report.
pub async fn run(listeners: usize, events: usize, api_calls: usize, originates: usize) -> anyhow::Result<String> {
    // The bus keeps everything the run publishes, so no listener loses events to a short window.
    let switch = crate::bench::bench_switch_for(events + originates * 32);
    let config = EslServerConfig {
        listen: "127.0.0.1:0".parse()?,
        password: PASSWORD.into(),
        acl: None,
        limits: Limits::default(),
        users: Vec::new(),
    };
    let (addr, _task) = serve(config, switch.clone()).await?;
    let mut out = String::new();
    let (rate, elapsed) = fanout(&switch, addr, listeners, events).await?;
    writeln!(
        out,
        "fan-out: {events} events x {listeners} listeners in {:.2} s = {rate:.0} rendered plain events/s",
        elapsed.as_secs_f64()
    )?;
    let lat = api_latency(addr, api_calls).await?;
    writeln!(
        out,
        "api round trip ({api_calls} x `api uptime`): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        lat[0], lat[1], lat[2]
    )?;
    let (calls, secs) = bgapi_originate(addr, originates).await?;
    writeln!(
        out,
        "bgapi originate sim/…: {calls} BACKGROUND_JOBs in {secs:.2} s = {:.0} calls/s",
        calls as f64 / secs
    )?;
    Ok(out)
}

async fn client(addr: SocketAddr) -> anyhow::Result<(TcpStream, Vec<u8>)> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let mut buf = Vec::new();
    read_until(&mut s, &mut buf, b"auth/request\n\n").await?;
    s.write_all(format!("auth {PASSWORD}\n\n").as_bytes()).await?;
    read_until(&mut s, &mut buf, b"+OK accepted\n\n").await?;
    Ok((s, buf))
}

/// Reads until `mark` appears in what was read since the call; keeps any later bytes.
async fn read_until(s: &mut TcpStream, buf: &mut Vec<u8>, mark: &[u8]) -> anyhow::Result<()> {
    loop {
        if let Some(pos) = buf.windows(mark.len()).position(|w| w == mark) {
            buf.drain(..pos + mark.len());
            return Ok(());
        }
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Every listener subscribes to ALL; `events` channel-sized events are published at once; each
/// listener reads until the final marker event. Returns events delivered per second in total.
async fn fanout(switch: &Switch, addr: SocketAddr, listeners: usize, events: usize) -> anyhow::Result<(f64, Duration)> {
    let mut readers = Vec::new();
    for _ in 0..listeners {
        let (mut s, mut buf) = client(addr).await?;
        s.write_all(b"event plain ALL\n\n").await?;
        read_until(&mut s, &mut buf, b"listener enabled plain\n\n").await?;
        readers.push((s, buf));
    }
    let started = Instant::now();
    let tasks: Vec<_> = readers.into_iter().map(|(s, _)| tokio::spawn(drain_until_done(s))).collect();
    publish(switch, events);
    for t in tasks {
        t.await??;
    }
    let elapsed = started.elapsed();
    Ok(((events * listeners) as f64 / elapsed.as_secs_f64(), elapsed))
}

fn publish(switch: &Switch, events: usize) {
    let mut snap = switch.blank_snapshot(
        switchyard_core::ChannelId::new_v4(),
        "sim",
        "sim/bench-00000001".into(),
        Direction::Outbound,
    );
    snap.caller = switchyard_core::CallerId::new("1000", "Bench");
    snap.variables.set("bench_var", "a value with spaces & symbols");
    let snap = Arc::new(snap);
    for _ in 0..events.saturating_sub(1) {
        switch.bus().publish(EventKind::ChannelAnswer, Some(snap.clone()));
    }
    let done = EventKind::custom("bench::done", vec![], None);
    switch.bus().publish(done, None);
}

async fn drain_until_done(mut s: TcpStream) -> anyhow::Result<()> {
    let mut tail: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = s.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "server closed the connection");
        // The marker event is the last one published: only the end of the stream can hold it.
        tail.extend_from_slice(&chunk[..n]);
        let from = tail.len().saturating_sub(4096);
        if tail[from..].windows(DONE_MARK.len()).any(|w| w == DONE_MARK) {
            return Ok(());
        }
        let keep = tail.len().min(4096);
        tail.drain(..tail.len() - keep);
    }
}

async fn api_latency(addr: SocketAddr, calls: usize) -> anyhow::Result<[f64; 3]> {
    let (mut s, mut buf) = client(addr).await?;
    let mut lat = Vec::with_capacity(calls);
    for _ in 0..calls {
        let began = Instant::now();
        s.write_all(b"api uptime\n\n").await?;
        read_until(&mut s, &mut buf, b"api/response\nContent-Length: ").await?;
        read_until(&mut s, &mut buf, b"\n").await?;
        read_until(&mut s, &mut buf, b"\n").await?;
        lat.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(f64::total_cmp);
    let at = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    Ok([at(0.5), at(0.99), at(1.0)])
}

async fn bgapi_originate(addr: SocketAddr, calls: usize) -> anyhow::Result<(usize, f64)> {
    let (mut s, mut buf) = client(addr).await?;
    s.write_all(b"event plain BACKGROUND_JOB\n\n").await?;
    read_until(&mut s, &mut buf, b"listener enabled plain\n\n").await?;
    let started = Instant::now();
    let mut batch = String::new();
    for i in 0..calls {
        let _ = write!(batch, "bgapi originate sim/bench{i} &hangup\n\n");
    }
    s.write_all(batch.as_bytes()).await?;
    for _ in 0..calls {
        read_until(&mut s, &mut buf, b"Event-Name: BACKGROUND_JOB\n").await?;
    }
    Ok((calls, started.elapsed().as_secs_f64()))
}
