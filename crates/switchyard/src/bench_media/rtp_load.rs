//! The RTP side of `bench media`: one thread paces a 20 ms G.711 stream per call leg and takes in what
//! the switch relays. Sends go out in `sendmmsg` batches every [`TICK`]; receives are drained with
//! `recvmmsg` and timed by the kernel on arrival (`SO_TIMESTAMPNS`), so reading late does not distort
//! the figures and the switch's sends never have to wake a blocked reader. Each packet's payload
//! carries a marker, its stream id, its 20 ms cycle, the measuring epoch and the wall-clock time read
//! just before sending, which the receiver turns into transit and added jitter
//! ([`crate::bench_media::rtp_measure`]). At real-time priority above the switch nothing comes between
//! that reading and the send; at normal priority the switch's threads may preempt the generator there,
//! so each datagram is also stamped by the kernel as it leaves ([`crate::bench_media::tx_stamps`]) and
//! that time is used instead.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant, SystemTime};

use switchyard_media::batch::{RecvBatch, SendBatch, enable_timestamps};

use crate::bench_media::rtp_measure::{Hist, Measured, Receiver, SendTimes, Sent};
use crate::bench_media::tx_stamps::{self, TxStamps};

/// Marks our packets (the switch's own comfort silence does not carry it).
pub(crate) const MAGIC: &[u8; 4] = b"SYB1";
pub(crate) const HEADER: usize = 12;
pub(crate) const PAYLOAD: usize = 160;
const PTIME: Duration = Duration::from_millis(20);
/// How often the thread wakes to send what is due and read what arrived.
const TICK: Duration = Duration::from_micros(100);
/// How long receiving goes on after the last send (packets in flight).
const LINGER: Duration = Duration::from_millis(300);
/// Datagrams per batched system call.
const BATCH: usize = 64;
/// The generator's real-time round-robin priority: one above the switch's media threads (1).
const GENERATOR_PRIORITY: u8 = 2;

/// Epochs written into each packet: warm-up, measured, draining.
pub const WARMUP: u8 = 0;
/// Packets sent in this epoch are counted.
pub const MEASURE: u8 = 1;
/// After the measured window.
pub const DRAIN: u8 = 2;

type Packet = [u8; HEADER + PAYLOAD];

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

/// The running load: its thread and the shared epoch.
pub struct Load {
    epoch: Arc<AtomicU8>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<(Sent, Measured)>>,
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
    /// Binds both on loopback, non-blocking, with kernel receive timestamps.
    pub fn bind() -> std::io::Result<Self> {
        let (a, b) = (UdpSocket::bind("127.0.0.1:0")?, UdpSocket::bind("127.0.0.1:0")?);
        for s in [&a, &b] {
            s.set_nonblocking(true)?;
            enable_timestamps(s)?;
        }
        Ok(Self { a, b })
    }
}

impl Load {
    /// Starts sending every stream (phases spread evenly over 20 ms) and receiving on both sockets, at
    /// real-time priority when asked: round robin [`GENERATOR_PRIORITY`], above the switch's media
    /// threads, so no relayed packet delays a send and every send time written into a packet is exact.
    pub fn start(sockets: Sockets, streams: Vec<Stream>, max_id: u32, realtime: bool) -> std::io::Result<Load> {
        let epoch = Arc::new(AtomicU8::new(WARMUP));
        let stop = Arc::new(AtomicBool::new(false));
        let (e, s) = (epoch.clone(), stop.clone());
        if realtime {
            switchyard_media::no_huge_page_collapse();
        }
        let thread = std::thread::Builder::new().name("rtp-load".into()).spawn(move || {
            let on_top = realtime
                && switchyard_media::set_realtime_priority(GENERATOR_PRIORITY)
                    .inspect_err(|err| eprintln!("bench media: the generator stays at normal priority ({err:?})"))
                    .is_ok();
            Generator::new(sockets, streams, max_id, !on_top).run(&e, &s)
        })?;
        Ok(Load { epoch, stop, thread: Some(thread) })
    }

    /// Switches the epoch written into packets from now on.
    pub fn set_epoch(&self, epoch: u8) {
        self.epoch.store(epoch, Ordering::Release);
    }

    /// Stops sending, lets in-flight packets land, returns the tallies.
    pub fn finish(mut self) -> (Sent, Measured) {
        self.stop.store(true, Ordering::Release);
        self.thread.take().expect("load thread").join().expect("load thread")
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

/// Nanoseconds since the Unix epoch: the clock the kernel's receive timestamps use.
fn wall_ns() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// The generator thread's state.
struct Generator {
    sockets: Sockets,
    streams: Vec<Stream>,
    packets: Vec<Packet>,
    base: Instant,
    /// The next stream to send (index into `streams`) and its 20 ms cycle.
    next: usize,
    cycle: u64,
    sender: SendBatch,
    batch: RecvBatch,
    /// Per socket (A, B): datagrams awaiting their kernel send times, keyed (stream, cycle), when the
    /// kernel stamps them.
    stamps: Option<[TxStamps<(u32, u32)>; 2]>,
    send_times: SendTimes,
    receiver: Receiver,
    sent: Sent,
}

impl Generator {
    /// `kernel_send_times`: have the kernel stamp every datagram sent (when it can).
    fn new(sockets: Sockets, streams: Vec<Stream>, max_id: u32, kernel_send_times: bool) -> Self {
        let stamps = (kernel_send_times
            && [&sockets.a, &sockets.b].into_iter().all(|s| {
                tx_stamps::enable(s).inspect_err(|e| eprintln!("bench media: no kernel send times ({e})")).is_ok()
            }))
        .then(|| [TxStamps::new(), TxStamps::new()]);
        let mut template = [0xFFu8; HEADER + PAYLOAD];
        template[..2].copy_from_slice(&[0x80, 0]);
        template[HEADER..HEADER + 4].copy_from_slice(MAGIC);
        Self {
            sockets,
            packets: vec![template; streams.len()],
            streams,
            base: Instant::now(),
            next: 0,
            cycle: 0,
            sender: SendBatch::new(BATCH),
            batch: RecvBatch::new(BATCH, true),
            stamps,
            send_times: SendTimes::new(max_id),
            receiver: Receiver::new(max_id),
            sent: Sent { sent: 0, errors: 0, lateness: Hist::new() },
        }
    }

    fn run(mut self, epoch: &AtomicU8, stop: &AtomicBool) -> (Sent, Measured) {
        while !stop.load(Ordering::Acquire) {
            self.send_due(epoch.load(Ordering::Acquire));
            self.receive();
            std::thread::sleep(TICK);
        }
        let until = Instant::now() + LINGER;
        while Instant::now() < until {
            self.receive();
            std::thread::sleep(TICK);
        }
        (self.sent, self.receiver.into_measured())
    }

    /// When stream `k` of cycle `c` is due, in ns after `base`.
    fn due(&self, k: usize, cycle: u64) -> u64 {
        let period = PTIME.as_nanos() as u64;
        cycle * period + (k as u64) * period / self.streams.len().max(1) as u64
    }

    /// Sends every packet due by now (at most one per stream), in one batch per socket.
    fn send_due(&mut self, ep: u8) {
        let now = self.base.elapsed().as_nanos() as u64;
        let stamp = wall_ns();
        let mut due = Vec::new();
        while due.len() < self.streams.len() && self.due(self.next, self.cycle) <= now {
            let lateness = now - self.due(self.next, self.cycle);
            fill(&mut self.packets[self.next], self.streams[self.next].id, self.cycle, ep);
            self.packets[self.next][HEADER + 8..HEADER + 16].copy_from_slice(&stamp.to_be_bytes());
            due.push((self.next, lateness));
            self.next += 1;
            if self.next == self.streams.len() {
                (self.next, self.cycle) = (0, self.cycle + 1);
            }
        }
        for side_b in [false, true] {
            let picked: Vec<(usize, u64)> =
                due.iter().copied().filter(|&(k, _)| self.streams[k].side_b == side_b).collect();
            let datagrams: Vec<(&[u8], SocketAddr)> =
                picked.iter().map(|&(k, _)| (&self.packets[k][..], self.streams[k].to)).collect();
            let sock = if side_b { &self.sockets.b } else { &self.sockets.a };
            let ok = self.sender.send(sock, &datagrams).unwrap_or(0);
            if self.stamps.is_some() {
                let keys: Vec<(u32, u32)> =
                    picked[..ok].iter().map(|&(k, _)| (self.streams[k].id, self.cycle_of(k))).collect();
                if let Some(stamps) = self.stamps.as_mut() {
                    stamps[usize::from(side_b)].sent(keys);
                }
            }
            if ep == MEASURE {
                self.sent.sent += ok as u64;
                self.sent.errors += (picked.len() - ok) as u64;
                picked.iter().for_each(|&(_, late)| self.sent.lateness.add(late / 1000));
            }
        }
    }

    /// The 20 ms cycle written into stream `k`'s packet.
    fn cycle_of(&self, k: usize) -> u32 {
        u32::from_be_bytes(self.packets[k][HEADER + 17..HEADER + 21].try_into().unwrap_or_default())
    }

    /// Reads every send time and then everything received queued on both sockets (a datagram's send
    /// time is queued before the switch can have relayed it).
    fn receive(&mut self) {
        if let Some(stamps) = self.stamps.as_mut() {
            let times = &mut self.send_times;
            for (sock, stamps) in [&self.sockets.a, &self.sockets.b].into_iter().zip(stamps.iter_mut()) {
                stamps.drain(sock, |(id, cycle), ns| times.record(id, cycle, ns));
            }
        }
        for side_b in [false, true] {
            let sock = if side_b { &self.sockets.b } else { &self.sockets.a };
            while let Ok(n) = self.batch.recv(sock) {
                for i in 0..n {
                    let (bytes, meta) = self.batch.get(i);
                    let at = meta.at.map_or_else(wall_ns, |t| t.as_nanos() as u64);
                    self.receiver.on_packet(bytes, at, &self.send_times);
                }
                if n < self.batch.capacity() {
                    break;
                }
            }
        }
    }
}

pub(crate) fn fill(pkt: &mut Packet, id: u32, cycle: u64, epoch: u8) {
    pkt[2..4].copy_from_slice(&(cycle as u16).to_be_bytes());
    pkt[4..8].copy_from_slice(&((cycle as u32).wrapping_mul(160)).to_be_bytes());
    pkt[8..12].copy_from_slice(&id.to_be_bytes());
    pkt[HEADER + 4..HEADER + 8].copy_from_slice(&id.to_be_bytes());
    pkt[HEADER + 16] = epoch;
    pkt[HEADER + 17..HEADER + 21].copy_from_slice(&(cycle as u32).to_be_bytes());
}
