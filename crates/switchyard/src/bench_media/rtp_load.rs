//! The RTP side of `bench media`: one sender thread paces a 20 ms G.711 stream per call leg, one
//! receiver thread per side timestamps what the switch relays. Each packet's payload carries a marker,
//! its stream id, the measuring epoch and the time it was actually sent, so the receiver measures the
//! transit through the switch and the inter-arrival deviation RFC 3550 calls D(i-1, i):
//! (arrival_i − arrival_{i−1}) − (sent_i − sent_{i−1}), i.e. the jitter the switch adds.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// Marks our packets (the switch's own comfort silence does not carry it).
const MAGIC: &[u8; 4] = b"SYB1";
const HEADER: usize = 12;
const PAYLOAD: usize = 160;
const PTIME: Duration = Duration::from_millis(20);
/// Histogram range in microseconds (larger values land in the last bucket).
pub const HIST_US: usize = 200_000;

/// Epochs written into each packet: warm-up, measured, draining.
pub const WARMUP: u8 = 0;
/// Packets sent in this epoch are counted.
pub const MEASURE: u8 = 1;
/// After the measured window.
pub const DRAIN: u8 = 2;

/// One leg's outgoing stream: which of our two sockets sends it, and to which switch port.
#[derive(Clone, Copy, Debug)]
pub struct Stream {
    /// Unique id (also the SSRC).
    pub id: u32,
    /// True: sent from the B side's socket.
    pub side_b: bool,
    /// The switch's RTP address for this leg.
    pub to: SocketAddr,
}

/// A histogram in 1 µs buckets.
#[derive(Clone)]
pub struct Hist(Vec<u32>);

impl Hist {
    fn new() -> Self {
        Self(vec![0; HIST_US + 1])
    }

    fn add(&mut self, us: u64) {
        self.0[(us as usize).min(HIST_US)] += 1;
    }

    fn merge(&mut self, other: &Hist) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a += b);
    }

    /// Samples counted.
    pub fn count(&self) -> u64 {
        self.0.iter().map(|&c| u64::from(c)).sum()
    }

    /// The `q` quantile (0..=1) in µs.
    pub fn quantile(&self, q: f64) -> u64 {
        let total = self.count();
        let want = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        for (us, &c) in self.0.iter().enumerate() {
            seen += u64::from(c);
            if seen >= want {
                return us as u64;
            }
        }
        0
    }

    /// Largest sample in µs.
    pub fn max(&self) -> u64 {
        self.0.iter().rposition(|&c| c > 0).unwrap_or(0) as u64
    }
}

/// What the receivers measured in the measuring epoch.
pub struct Measured {
    /// Packets counted.
    pub received: u64,
    /// Datagrams that were not ours (the switch's comfort silence before the bridge, …), any epoch.
    pub foreign: u64,
    /// Transit through the switch (send → receive), µs.
    pub transit: Hist,
    /// |D(i−1, i)| per stream, µs.
    pub ipdv: Hist,
}

/// What the sender did in the measuring epoch.
pub struct Sent {
    /// Packets sent.
    pub sent: u64,
    /// Sends the kernel refused.
    pub errors: u64,
    /// How late each send was against its 20 ms schedule, µs (the generator's own health).
    pub lateness: Hist,
}

/// The running load: sockets, threads and the shared epoch.
pub struct Load {
    epoch: Arc<AtomicU8>,
    stop: Arc<AtomicBool>,
    sender: Option<std::thread::JoinHandle<Sent>>,
    receivers: Vec<std::thread::JoinHandle<Measured>>,
}

/// The two media sockets (A side = calling UAs, B side = called UAs), bound before signalling so the
/// SDP can name them.
pub struct Sockets {
    /// Calling side.
    pub a: UdpSocket,
    /// Called side.
    pub b: UdpSocket,
}

impl Sockets {
    /// Binds both on loopback.
    pub fn bind() -> std::io::Result<Self> {
        Ok(Self { a: UdpSocket::bind("127.0.0.1:0")?, b: UdpSocket::bind("127.0.0.1:0")? })
    }
}

impl Load {
    /// Starts sending every stream (phases spread evenly over 20 ms) and receiving on both sockets.
    pub fn start(sockets: Sockets, streams: Vec<Stream>, max_id: u32) -> std::io::Result<Load> {
        let base = Instant::now();
        let epoch = Arc::new(AtomicU8::new(WARMUP));
        let stop = Arc::new(AtomicBool::new(false));
        let (a, b) = (Arc::new(sockets.a), Arc::new(sockets.b));
        let mut receivers = Vec::new();
        for sock in [a.clone(), b.clone()] {
            sock.set_read_timeout(Some(Duration::from_millis(50)))?;
            let stop = stop.clone();
            receivers.push(std::thread::spawn(move || receive(&sock, base, &stop, max_id)));
        }
        let (e, s) = (epoch.clone(), stop.clone());
        let sender = std::thread::spawn(move || send(&a, &b, &streams, base, &e, &s));
        Ok(Load { epoch, stop, sender: Some(sender), receivers })
    }

    /// Switches the epoch written into packets from now on.
    pub fn set_epoch(&self, epoch: u8) {
        self.epoch.store(epoch, Ordering::Release);
    }

    /// Stops sending, lets in-flight packets land, stops receiving; returns the tallies.
    pub fn finish(mut self) -> (Sent, Measured) {
        let sender = self.sender.take().map(|h| {
            self.stop.store(true, Ordering::Release);
            h.join().expect("sender thread")
        });
        std::thread::sleep(Duration::from_millis(300));
        let mut total = Measured { received: 0, foreign: 0, transit: Hist::new(), ipdv: Hist::new() };
        for h in self.receivers.drain(..) {
            let m = h.join().expect("receiver thread");
            total.received += m.received;
            total.foreign += m.foreign;
            total.transit.merge(&m.transit);
            total.ipdv.merge(&m.ipdv);
        }
        (sender.expect("sender"), total)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn now_ns(base: Instant) -> u64 {
    base.elapsed().as_nanos() as u64
}

/// The sender loop: every stream once per 20 ms at its phase; the payload gets the actual send time.
fn send(a: &UdpSocket, b: &UdpSocket, streams: &[Stream], base: Instant, epoch: &AtomicU8, stop: &AtomicBool) -> Sent {
    let mut out = Sent { sent: 0, errors: 0, lateness: Hist::new() };
    let n = streams.len().max(1) as u64;
    let period = PTIME.as_nanos() as u64;
    let mut pkt = [0xFFu8; HEADER + PAYLOAD];
    pkt[..2].copy_from_slice(&[0x80, 0]);
    pkt[HEADER..HEADER + 4].copy_from_slice(MAGIC);
    let mut cycle = 0u64;
    let mut done = false;
    while !done {
        for (k, s) in streams.iter().enumerate() {
            let due = cycle * period + (k as u64) * period / n;
            wait_until(base, due);
            if stop.load(Ordering::Acquire) {
                done = true;
                break;
            }
            let ep = epoch.load(Ordering::Acquire);
            fill(&mut pkt, s.id, cycle, ep);
            let sent_at = now_ns(base);
            pkt[HEADER + 8..HEADER + 16].copy_from_slice(&sent_at.to_be_bytes());
            let sock = if s.side_b { b } else { a };
            let ok = sock.send_to(&pkt, s.to).is_ok();
            if ep == MEASURE {
                out.sent += u64::from(ok);
                out.errors += u64::from(!ok);
                out.lateness.add(sent_at.saturating_sub(due) / 1000);
            }
        }
        cycle += 1;
    }
    out
}

/// Sleeps until `due` ns after `base` unless it is less than 100 µs away (then sends at once: the
/// embedded send time keeps the measurement honest).
fn wait_until(base: Instant, due: u64) {
    let now = now_ns(base);
    if due > now + 100_000 {
        std::thread::sleep(Duration::from_nanos(due - now - 50_000));
    }
}

fn fill(pkt: &mut [u8; HEADER + PAYLOAD], id: u32, cycle: u64, epoch: u8) {
    pkt[2..4].copy_from_slice(&(cycle as u16).to_be_bytes());
    pkt[4..8].copy_from_slice(&((cycle as u32).wrapping_mul(160)).to_be_bytes());
    pkt[8..12].copy_from_slice(&id.to_be_bytes());
    pkt[HEADER + 4..HEADER + 8].copy_from_slice(&id.to_be_bytes());
    pkt[HEADER + 16] = epoch;
}

/// Per-stream receive state: the previous packet's transit time (ns), if any.
struct Receiver {
    last_transit: Vec<Option<i64>>,
    m: Measured,
}

fn receive(sock: &UdpSocket, base: Instant, stop: &AtomicBool, max_id: u32) -> Measured {
    let mut r = Receiver {
        last_transit: vec![None; max_id as usize + 1],
        m: Measured { received: 0, foreign: 0, transit: Hist::new(), ipdv: Hist::new() },
    };
    let mut buf = [0u8; 1500];
    while !stop.load(Ordering::Acquire) {
        let Ok(n) = sock.recv(&mut buf) else { continue };
        let at = now_ns(base);
        r.on_packet(&buf[..n], at);
    }
    r.m
}

impl Receiver {
    fn on_packet(&mut self, pkt: &[u8], at: u64) {
        let Some(p) = payload(pkt).filter(|p| p.len() >= 17 && &p[..4] == MAGIC) else {
            self.m.foreign += 1;
            return;
        };
        let id = u32::from_be_bytes(p[4..8].try_into().unwrap_or_default()) as usize;
        let sent = u64::from_be_bytes(p[8..16].try_into().unwrap_or_default());
        let Some(slot) = self.last_transit.get_mut(id) else { return };
        let transit = at as i64 - sent as i64;
        let previous = slot.replace(transit);
        if p[16] != MEASURE {
            return;
        }
        self.m.received += 1;
        self.m.transit.add(transit.max(0) as u64 / 1000);
        if let Some(prev) = previous {
            self.m.ipdv.add(transit.abs_diff(prev) / 1000);
        }
    }
}

/// The RTP payload (after CSRCs and a header extension), if the packet is RTP version 2.
fn payload(pkt: &[u8]) -> Option<&[u8]> {
    if pkt.len() < HEADER || pkt[0] >> 6 != 2 {
        return None;
    }
    let mut off = HEADER + 4 * usize::from(pkt[0] & 0x0F);
    if pkt[0] & 0x10 != 0 {
        let words = u16::from_be_bytes([*pkt.get(off + 2)?, *pkt.get(off + 3)?]);
        off += 4 + 4 * usize::from(words);
    }
    pkt.get(off..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packet_round_trips_through_fill_and_the_receiver() {
        let mut pkt = [0xFFu8; HEADER + PAYLOAD];
        pkt[0] = 0x80;
        pkt[HEADER..HEADER + 4].copy_from_slice(MAGIC);
        fill(&mut pkt, 7, 3, MEASURE);
        pkt[HEADER + 8..HEADER + 16].copy_from_slice(&1_000_000u64.to_be_bytes());
        let mut r = Receiver {
            last_transit: vec![None; 8],
            m: Measured { received: 0, foreign: 0, transit: Hist::new(), ipdv: Hist::new() },
        };
        r.on_packet(&pkt, 1_250_000);
        pkt[HEADER + 8..HEADER + 16].copy_from_slice(&21_000_000u64.to_be_bytes());
        r.on_packet(&pkt, 21_400_000);
        assert_eq!(r.m.received, 2);
        assert_eq!(r.m.transit.quantile(0.5), 250);
        assert_eq!(r.m.transit.max(), 400);
        assert_eq!(r.m.ipdv.quantile(1.0), 150);
    }

    #[test]
    fn foreign_packets_are_ignored() {
        let mut r = Receiver {
            last_transit: vec![None; 2],
            m: Measured { received: 0, foreign: 0, transit: Hist::new(), ipdv: Hist::new() },
        };
        r.on_packet(&[0x80; 172], 5);
        r.on_packet(&[0x00; 4], 5);
        assert_eq!(r.m.received, 0);
    }
}
