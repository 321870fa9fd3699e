//! One call leg's RTP session: the public handle the SIP layer holds, and the state shared between
//! that handle, the channel's [`MediaPort`] and the session's socket task.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use switchyard_core::ChannelHandle;
use switchyard_core::media::{MediaPort, PlayOutcome, RecordLeg, RecordSink};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::{Notify, oneshot};

use crate::codec::Codec;
use crate::dtmf::{DtmfReceiver, DtmfSender};
use crate::jitter::JitterBuffer;
use crate::packetizer::RtpTx;
use crate::rtcp_stats::ReceiveStats;

/// A session's UDP socket, registered with its thread's reactor for readability only. Sends go
/// straight to the socket (a full buffer drops the packet, as RTP may): with write interest
/// registered, every datagram sent would raise a write-readiness event on the reactor that owns the
/// socket, waking that media thread for nothing.
pub(crate) type Sock = AsyncFd<std::net::UdpSocket>;

/// Registers `socket` for readability with the current runtime's reactor.
#[allow(unsafe_code)]
fn register(socket: std::net::UdpSocket) -> std::io::Result<Sock> {
    // SAFETY: `register_with_interest` needs the descriptor that `as_raw_fd` returns to stay open and
    // refer to the same socket for the AsyncFd's whole life. A `std::net::UdpSocket` owns its
    // descriptor (an `OwnedFd`), never changes it and closes it only when dropped; the AsyncFd owns
    // the socket and only lends `&UdpSocket` out (`get_ref`), so the socket, and with it the
    // descriptor, lives exactly as long as the AsyncFd.
    unsafe { AsyncFd::register_with_interest(socket, Interest::READABLE) }.map_err(std::io::Error::from)
}

/// Packet and byte counters of a session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RtpStats {
    /// RTP packets sent.
    pub packets_sent: u64,
    /// RTP bytes sent (whole datagrams).
    pub bytes_sent: u64,
    /// RTP datagrams received.
    pub packets_received: u64,
    /// RTP bytes received.
    pub bytes_received: u64,
    /// Datagrams that were not valid RTP.
    pub invalid: u64,
    /// Sends the kernel refused (buffer full, no route).
    pub send_errors: u64,
    /// RTCP packets sent.
    pub rtcp_sent: u64,
    /// RTCP datagrams received.
    pub rtcp_received: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub packets_sent: AtomicU64,
    pub bytes_sent: AtomicU64,
    pub packets_received: AtomicU64,
    pub bytes_received: AtomicU64,
    pub invalid: AtomicU64,
    pub send_errors: AtomicU64,
    pub rtcp_sent: AtomicU64,
    pub rtcp_received: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    fn snapshot(&self) -> RtpStats {
        let l = |c: &AtomicU64| c.load(Ordering::Relaxed);
        RtpStats {
            packets_sent: l(&self.packets_sent),
            bytes_sent: l(&self.bytes_sent),
            packets_received: l(&self.packets_received),
            bytes_received: l(&self.bytes_received),
            invalid: l(&self.invalid),
            send_errors: l(&self.send_errors),
            rtcp_sent: l(&self.rtcp_sent),
            rtcp_received: l(&self.rtcp_received),
        }
    }
}

/// A queued playback.
pub(crate) struct Play {
    pub pcm: Arc<[i16]>,
    pub pos: usize,
    pub done: Option<oneshot::Sender<PlayOutcome>>,
}

impl Play {
    pub(crate) fn finish(mut self, outcome: PlayOutcome) {
        if let Some(tx) = self.done.take() {
            let _ = tx.send(outcome);
        }
    }
}

/// A recording in progress.
pub(crate) struct Recording {
    pub leg: RecordLeg,
    pub sink: Box<dyn RecordSink>,
    /// What the far end sent, decoded.
    pub read: JitterBuffer,
    /// What a linked peer sent us to forward, decoded.
    pub write: JitterBuffer,
}

/// Mutable session state (one short lock per packet or tick).
pub(crate) struct State {
    pub sock: Option<Arc<Sock>>,
    pub remote: Option<SocketAddr>,
    pub codec: Codec,
    pub payload_type: u8,
    pub dtmf_pt: Option<u8>,
    /// The channel this leg belongs to: received digits and RTCP reports go there.
    pub channel: Option<ChannelHandle>,
    /// Reception statistics for our RTCP report blocks.
    pub rx_stats: ReceiveStats,
    /// Where the far end's RTCP comes from (we send ours there).
    pub rtcp_remote: Option<SocketAddr>,
    /// When the last `RTCPReceived` was published.
    pub last_rtcp_event: Option<std::time::Instant>,
    pub peer: Option<Arc<Shared>>,
    pub tx: RtpTx,
    pub echo: bool,
    pub plays: VecDeque<Play>,
    pub dtmf_queue: VecDeque<(char, u32)>,
    pub dtmf_out: Option<(DtmfSender, u32)>,
    pub dtmf_rx: DtmfReceiver,
    pub record: Option<Recording>,
}

impl State {
    /// Whether the 20 ms clock must run: something to play or record, or comfort silence to send.
    pub(crate) fn wants_tick(&self) -> bool {
        !self.plays.is_empty()
            || self.dtmf_out.is_some()
            || !self.dtmf_queue.is_empty()
            || self.record.is_some()
            || (self.remote.is_some() && self.peer.is_none() && !self.echo && self.sock.is_some())
    }
}

/// What the handle, the port and the task share.
pub(crate) struct Shared {
    pub me: Weak<Shared>,
    pub local: SocketAddr,
    pub state: Mutex<State>,
    pub wake: Notify,
    pub counters: Counters,
    pub closed: AtomicBool,
    /// Start of the session: arrival times for the jitter estimate count from here.
    pub epoch: std::time::Instant,
}

impl Shared {
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Closes the session: the task stops, playbacks end as `Closed`, a recording is finished, a
    /// link is undone, the sockets are released.
    pub(crate) fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let (plays, record) = {
            let mut st = self.state.lock();
            st.sock = None;
            (std::mem::take(&mut st.plays), st.record.take())
        };
        plays.into_iter().for_each(|p| p.finish(PlayOutcome::Closed));
        if let Some(mut r) = record {
            r.sink.finish();
        }
        crate::port::unlink(self);
        self.wake.notify_one();
    }
}

/// One call leg's RTP (an even port for RTP, the next for RTCP). Dropping it or [`RtpSession::close`]
/// frees the ports.
pub struct RtpSession {
    shared: Arc<Shared>,
}

impl RtpSession {
    pub(crate) fn start(rtp: std::net::UdpSocket, rtcp: std::net::UdpSocket) -> std::io::Result<Self> {
        let local = rtp.local_addr()?;
        let rtp = Arc::new(register(rtp)?);
        let rtcp = Arc::new(register(rtcp)?);
        let state = State {
            sock: Some(rtp.clone()),
            remote: None,
            codec: Codec::Pcmu,
            payload_type: 0,
            dtmf_pt: None,
            channel: None,
            rx_stats: ReceiveStats::default(),
            rtcp_remote: None,
            last_rtcp_event: None,
            peer: None,
            tx: RtpTx::new(rand::random(), rand::random(), rand::random()),
            echo: false,
            plays: VecDeque::new(),
            dtmf_queue: VecDeque::new(),
            dtmf_out: None,
            dtmf_rx: DtmfReceiver::default(),
            record: None,
        };
        let shared = Arc::new_cyclic(|me| Shared {
            me: me.clone(),
            local,
            state: Mutex::new(state),
            wake: Notify::new(),
            counters: Counters::default(),
            closed: AtomicBool::new(false),
            epoch: std::time::Instant::now(),
        });
        tokio::spawn(crate::io::run(shared.clone(), rtp, rtcp));
        Ok(Self { shared })
    }

    /// The local RTP address (for the SDP `c=`/`m=` lines).
    pub fn local_addr(&self) -> SocketAddr {
        self.shared.local
    }

    /// Where to send, in which codec and payload types (from the far end's SDP). Packets arriving from
    /// another address later move the remote there (symmetric RTP).
    pub fn set_remote(&self, remote: SocketAddr, codec: Codec, payload_type: u8, dtmf_payload_type: Option<u8>) {
        {
            let mut st = self.shared.state.lock();
            st.remote = Some(remote);
            st.codec = codec;
            st.payload_type = payload_type;
            st.dtmf_pt = dtmf_payload_type;
            st.tx.talkspurt();
        }
        self.shared.wake.notify_one();
    }

    /// The far end's current address, if known (after latching, where its packets come from).
    pub fn remote(&self) -> Option<SocketAddr> {
        self.shared.state.lock().remote
    }

    /// Received RFC 4733 digits are delivered to this channel as `RemoteAction::DtmfBegin` / `DtmfEnd`, and RTCP
    /// reports sent and received are published on it.
    pub fn set_dtmf_sink(&self, handle: ChannelHandle) {
        self.shared.state.lock().channel = Some(handle);
    }

    /// The channel-facing side of this session.
    pub fn port(&self) -> Arc<dyn MediaPort> {
        self.shared.clone()
    }

    /// Counters so far.
    pub fn stats(&self) -> RtpStats {
        self.shared.counters.snapshot()
    }

    /// Stops the session and frees its ports.
    pub fn close(&self) {
        self.shared.close();
    }
}

impl Drop for RtpSession {
    fn drop(&mut self) {
        self.shared.close();
    }
}
