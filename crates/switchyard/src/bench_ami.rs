//! `switchyard bench ami`: the manager interface under load, in process over loopback TCP: event
//! fan-out to many logged-in sessions, publish-to-socket latency at a fixed rate, and async
//! `Originate` of `sim/…` calls.

use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use switchyard_ami::proto::Privilege;
use switchyard_ami::{AmiServerConfig, AmiUser, serve};
use switchyard_core::{Direction, EventKind, Switch};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DONE_MARK: &[u8] = b"UserEvent: bench-done";

/// Runs the three measurements and returns the report.
pub async fn run(sessions: usize, events: usize, rate: u32, originates: usize) -> anyhow::Result<String> {
    let switch = crate::bench::bench_switch_for(events + originates * 32);
    let user = AmiUser {
        username: "bench".into(),
        secret: "bench".into(),
        read: Privilege::ALL,
        write: Privilege::ALL,
        permit: None,
    };
    let mut config = AmiServerConfig::new("127.0.0.1:0".parse()?, vec![user]);
    config.event_queue = switch.bus().config().subscriber_queue;
    let (addr, _task) = serve(config, switch.clone()).await?;
    let mut out = String::new();
    let (total, elapsed) = fanout(&switch, addr, sessions, events).await?;
    writeln!(
        out,
        "fan-out: {events} events x {sessions} sessions in {:.2} s = {:.0} rendered events/s delivered",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    )?;
    let lat = latency(&switch, addr, rate).await?;
    writeln!(
        out,
        "publish-to-socket at {rate} events/s (1 s): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        lat[0], lat[1], lat[2]
    )?;
    let secs = originate(addr, originates).await?;
    writeln!(
        out,
        "async Originate sim/…: {originates} OriginateResponses in {secs:.2} s = {:.0} originates/s",
        originates as f64 / secs
    )?;
    Ok(out)
}

/// A logged-in session; `events` is the Login `Events` header.
async fn session(addr: SocketAddr, events: &str) -> anyhow::Result<(TcpStream, Vec<u8>)> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let mut buf = Vec::new();
    s.write_all(format!("Action: Login\r\nUsername: bench\r\nSecret: bench\r\nEvents: {events}\r\n\r\n").as_bytes())
        .await?;
    read_until(&mut s, &mut buf, b"Authentication accepted\r\n\r\n").await?;
    Ok((s, buf))
}

async fn read_until(s: &mut TcpStream, buf: &mut Vec<u8>, mark: &[u8]) -> anyhow::Result<()> {
    loop {
        if let Some(pos) = buf.windows(mark.len()).position(|w| w == mark) {
            buf.drain(..pos + mark.len());
            return Ok(());
        }
        let mut chunk = [0u8; 8192];
        let n = s.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn bench_snapshot(switch: &Switch) -> Arc<switchyard_core::ChannelSnapshot> {
    let id = switchyard_core::ChannelId::new_v4();
    let mut snap = switch.blank_snapshot(id, "sim", "sim/bench-00000001".into(), Direction::Outbound);
    snap.caller = switchyard_core::CallerId::new("1000", "Bench");
    Arc::new(snap)
}

/// Every session reads until the marker; `events` VarSet events (each one AMI event with the channel
/// block) are published at once. Returns the events delivered in total and the time taken.
async fn fanout(
    switch: &Switch,
    addr: SocketAddr,
    sessions: usize,
    events: usize,
) -> anyhow::Result<(usize, Duration)> {
    let mut readers = Vec::new();
    for _ in 0..sessions {
        readers.push(session(addr, "dialplan,user").await?.0);
    }
    let started = Instant::now();
    let tasks: Vec<_> = readers.into_iter().map(|s| tokio::spawn(drain_until_done(s))).collect();
    let snap = bench_snapshot(switch);
    for i in 0..events.saturating_sub(1) {
        let kind = EventKind::VarSet { name: "BENCH".into(), value: i.to_string().into() };
        switch.bus().publish(kind, Some(snap.clone()));
    }
    switch.bus().publish(EventKind::custom("bench-done", vec![], None), None);
    for t in tasks {
        t.await??;
    }
    Ok((events * sessions, started.elapsed()))
}

async fn drain_until_done(mut s: TcpStream) -> anyhow::Result<()> {
    let mut tail: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = s.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "server closed the connection");
        tail.extend_from_slice(&chunk[..n]);
        let from = tail.len().saturating_sub(4096);
        if tail[from..].windows(DONE_MARK.len()).any(|w| w == DONE_MARK) {
            return Ok(());
        }
        let keep = tail.len().min(4096);
        tail.drain(..tail.len() - keep);
    }
}

/// One session; one `UserEvent` published every 1/rate s for a second; the time from publish to the
/// event's bytes read by the client.
async fn latency(switch: &Switch, addr: SocketAddr, rate: u32) -> anyhow::Result<[f64; 3]> {
    let (mut s, mut buf) = session(addr, "user").await?;
    let count = rate.max(1) as usize;
    let gap = Duration::from_secs(1) / rate.max(1);
    let mut lat = Vec::with_capacity(count);
    let mut tick = tokio::time::interval(gap);
    for _ in 0..count {
        tick.tick().await;
        let began = Instant::now();
        switch.bus().publish(EventKind::custom("lat", vec![], None), None);
        read_until(&mut s, &mut buf, b"UserEvent: lat\r\n\r\n").await?;
        lat.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(f64::total_cmp);
    let at = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    Ok([at(0.5), at(0.99), at(1.0)])
}

/// `originates` async Originates of `sim/…` to `Hangup` sent at once; time until every
/// `OriginateResponse` arrived.
async fn originate(addr: SocketAddr, calls: usize) -> anyhow::Result<f64> {
    let (s, mut buf) = session(addr, "call").await?;
    let started = Instant::now();
    let mut batch = String::new();
    for i in 0..calls {
        let _ =
            write!(batch, "Action: Originate\r\nChannel: sim/bench{i}\r\nApplication: Hangup\r\nAsync: yes\r\n\r\n");
    }
    // Write and read at once, so neither side's socket buffer fills while the other waits.
    let (mut rd, mut wr) = s.into_split();
    // The task hands the write half back: dropping it would shut the connection's write side.
    let writer = tokio::spawn(async move { wr.write_all(batch.as_bytes()).await.map(|_| wr) });
    for _ in 0..calls {
        read_until_half(&mut rd, &mut buf, b"Event: OriginateResponse\r\n").await?;
    }
    let _write_half = writer.await??;
    Ok(started.elapsed().as_secs_f64())
}

async fn read_until_half(s: &mut tokio::net::tcp::OwnedReadHalf, buf: &mut Vec<u8>, mark: &[u8]) -> anyhow::Result<()> {
    loop {
        if let Some(pos) = buf.windows(mark.len()).position(|w| w == mark) {
            buf.drain(..pos + mark.len());
            return Ok(());
        }
        let mut chunk = [0u8; 8192];
        let n = s.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}
