//! A session's socket task: drains received datagrams (relay, echo, DTMF, recording) and runs the
//! 20 ms clock for what the session itself sends (playback, DTMF, comfort silence) and records.

use std::cell::RefCell;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use switchyard_core::ChannelHandle;
use switchyard_core::media::{FRAME_SAMPLES, PlayOutcome, RecordLeg};
use switchyard_core::tech::RemoteAction;
use tokio::io::Interest;
use tokio::time::{Instant, MissedTickBehavior, interval, interval_at};

use crate::batch::RecvBatch;
use crate::codec::Codec;
use crate::dtmf::{DtmfSender, DtmfSignal};
use crate::jitter::Frame;
use crate::rtp::{self, RtpPacket};
use crate::session::{Counters, Shared, Sock, State};

/// Datagrams taken per `recvmmsg` (a leg gets 50 packets/s: one per wake-up is the rule).
const RECV_BATCH: usize = 8;
/// `recvmmsg` calls per wake-up before yielding to other sessions.
const DRAIN_ROUNDS: usize = 8;
const PTIME: Duration = Duration::from_millis(20);
const RTCP_INTERVAL: Duration = Duration::from_secs(5);

/// What woke the session task (several at once possible).
#[derive(Default)]
struct Ready {
    rtp: bool,
    rtcp: bool,
    tick: bool,
    report: bool,
    wake: bool,
    failed: bool,
}

/// Runs until the session is closed. One hand-written poll per wake-up: the sockets' readiness is
/// polled in place (no waiter registered and removed per packet) and the wake-up notification stays
/// registered across iterations.
pub(crate) async fn run(shared: Arc<Shared>, rtp: Arc<Sock>, rtcp: Arc<Sock>) {
    let mut tick = interval(PTIME);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut rtcp_tick = interval_at(Instant::now() + RTCP_INTERVAL, RTCP_INTERVAL);
    let mut ticking = false;
    let mut wake = std::pin::pin!(shared.wake.notified());
    while !shared.is_closed() {
        let want = shared.state.lock().wants_tick();
        if want && !ticking {
            tick.reset_immediately();
        }
        ticking = want;
        let ready = std::future::poll_fn(|cx| {
            let mut r = Ready::default();
            match rtp.poll_read_ready(cx) {
                Poll::Ready(Ok(_)) => r.rtp = true,
                Poll::Ready(Err(_)) => r.failed = true,
                Poll::Pending => {}
            }
            match rtcp.poll_read_ready(cx) {
                Poll::Ready(Ok(_)) => r.rtcp = true,
                Poll::Ready(Err(_)) => r.failed = true,
                Poll::Pending => {}
            }
            r.tick = ticking && tick.poll_tick(cx).is_ready();
            r.report = rtcp_tick.poll_tick(cx).is_ready();
            r.wake = wake.as_mut().poll(cx).is_ready();
            let any = r.rtp || r.rtcp || r.tick || r.report || r.wake || r.failed;
            if any { Poll::Ready(r) } else { Poll::Pending }
        })
        .await;
        if ready.failed {
            break;
        }
        if ready.wake {
            wake.set(shared.wake.notified());
        }
        if ready.rtp {
            drain(&rtp, |buf, from| on_datagram(&shared, buf, from));
        }
        if ready.rtcp {
            drain_rtcp(&shared, &rtcp);
        }
        if ready.tick {
            on_tick(&shared);
        }
        if ready.report {
            crate::rtcp_session::send_report(&shared, &rtcp);
        }
    }
    shared.close();
}

thread_local! {
    /// Receive buffers of this worker thread, shared by the sessions it runs (processing is
    /// synchronous, so one batch is in use at a time).
    static BATCH: RefCell<RecvBatch> = RefCell::new(RecvBatch::new(RECV_BATCH, false));
}

/// Takes what is queued on `sock` in `recvmmsg` batches and hands each datagram to `each`. A batch
/// that comes back short means the queue was empty: the socket's readiness is then cleared without
/// the extra empty read (tokio keeps it if a datagram arrived meanwhile).
fn drain(sock: &Sock, mut each: impl FnMut(&mut [u8], SocketAddr)) {
    BATCH.with_borrow_mut(|batch| {
        for _ in 0..DRAIN_ROUNDS {
            let round = sock.try_io(Interest::READABLE, |inner| {
                let n = batch.recv(inner)?;
                for i in 0..n {
                    let (buf, meta) = batch.get(i);
                    if let Some(from) = meta.from {
                        each(buf, from);
                    }
                }
                if n < batch.capacity() { Err(std::io::ErrorKind::WouldBlock.into()) } else { Ok(()) }
            });
            match round {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    tracing::debug!("RTP receive on {:?}: {e}", sock.get_ref().local_addr());
                    return;
                }
            }
        }
    });
}

fn drain_rtcp(shared: &Shared, sock: &Sock) {
    let local = sock.get_ref().local_addr().unwrap_or(shared.local);
    drain(sock, |buf, from| crate::rtcp_session::on_datagram(shared, local, buf, from));
}

/// One received datagram: latch, DTMF, record, echo, or relay to the linked peer.
fn on_datagram(shared: &Shared, buf: &mut [u8], from: SocketAddr) {
    Counters::add(&shared.counters.packets_received, 1);
    Counters::add(&shared.counters.bytes_received, buf.len() as u64);
    let pkt = match rtp::parse(buf) {
        Ok(p) if !rtp::is_rtcp(buf) => p,
        _ => {
            Counters::add(&shared.counters.invalid, 1);
            return;
        }
    };
    let h = pkt.header;
    let payload = pkt.payload_start..pkt.payload_end;
    let mut guard = shared.state.lock();
    let st = &mut *guard;
    if st.remote != Some(from) && st.sock.is_some() {
        tracing::debug!("RTP on {}: latching to {from}", shared.local);
        st.remote = Some(from);
    }
    let is_dtmf = st.dtmf_pt == Some(h.payload_type);
    if is_dtmf || h.payload_type == st.payload_type {
        st.rx_stats.on_rtp(h.ssrc, h.seq, h.timestamp, shared.epoch.elapsed());
    }
    if is_dtmf {
        let sink = &st.channel;
        st.dtmf_rx.on_packet(h.timestamp, &buf[payload.clone()], |signal| dtmf_to_channel(sink.as_ref(), signal));
    } else if h.payload_type != st.payload_type {
        return;
    } else {
        let sink = &st.channel;
        st.dtmf_rx.on_audio(h.timestamp, |signal| dtmf_to_channel(sink.as_ref(), signal));
        record_read(st, h.seq, &buf[payload.clone()]);
        if st.echo {
            let out = st.tx.relay_header(st.payload_type, &h);
            out.rewrite(buf);
            send(st, &shared.counters, buf, Some(from));
            return;
        }
    }
    let Some(peer) = st.peer.clone() else { return };
    let codec = st.codec;
    drop(guard);
    forward(&peer, buf, &pkt, is_dtmf, codec);
}

/// Tells the channel a received digit began or ended (it queues the digit for the dialplan at begin).
fn dtmf_to_channel(sink: Option<&ChannelHandle>, signal: DtmfSignal) {
    let Some(sink) = sink else { return };
    let action = match signal {
        DtmfSignal::Begin(d) => RemoteAction::DtmfBegin(d),
        DtmfSignal::End(d, ms) => RemoteAction::DtmfEnd(d, ms),
    };
    let _ = sink.remote(action);
}

fn record_read(st: &mut State, seq: u16, payload: &[u8]) {
    let codec = st.codec;
    if let Some(rec) = st.record.as_mut().filter(|r| r.leg != RecordLeg::Write) {
        rec.read.push(seq, &decode_frame(codec, payload));
    }
}

fn decode_frame(codec: Codec, payload: &[u8]) -> Frame {
    let mut frame = [0i16; FRAME_SAMPLES];
    codec.decode(payload, &mut frame);
    frame
}

/// Sends a packet received on one leg out of its linked peer, rewritten into the peer's stream and
/// transcoded when the codecs differ. The peer's own playback or DTMF takes precedence.
fn forward(peer: &Shared, buf: &mut [u8], pkt: &RtpPacket, is_dtmf: bool, from_codec: Codec) {
    let mut guard = peer.state.lock();
    let ps = &mut *guard;
    if !ps.plays.is_empty() || ps.dtmf_out.is_some() {
        return;
    }
    let pt = match (is_dtmf, ps.dtmf_pt) {
        (false, _) => ps.payload_type,
        (true, Some(pt)) => pt,
        (true, None) => return,
    };
    let out = ps.tx.relay_header(pt, &pkt.header);
    out.rewrite(buf);
    if !is_dtmf {
        let payload = &mut buf[pkt.payload_start..pkt.payload_end];
        from_codec.transcode_in_place(ps.codec, payload);
        let codec = ps.codec;
        if let Some(rec) = ps.record.as_mut().filter(|r| r.leg != RecordLeg::Read) {
            rec.write.push(out.seq, &decode_frame(codec, payload));
        }
    }
    send(ps, &peer.counters, buf, None);
}

/// Sends `datagram` to `to` or the session's remote.
pub(crate) fn send(st: &State, counters: &Counters, datagram: &[u8], to: Option<SocketAddr>) {
    let (Some(sock), Some(remote)) = (st.sock.as_ref(), to.or(st.remote)) else { return };
    match sock.get_ref().send_to(datagram, remote) {
        Ok(n) => {
            Counters::add(&counters.packets_sent, 1);
            Counters::add(&counters.bytes_sent, n as u64);
        }
        Err(_) => Counters::add(&counters.send_errors, 1),
    }
}

/// The 20 ms clock: one DTMF packet, or one frame of playback, or comfort silence; then recording.
fn on_tick(shared: &Shared) {
    let mut finished = None;
    let mut st = shared.state.lock();
    let sent = if send_dtmf_packet(&mut st, &shared.counters) {
        None
    } else if let Some(play) = st.plays.front_mut() {
        let mut frame = [0i16; FRAME_SAMPLES];
        let n = (play.pcm.len() - play.pos).min(FRAME_SAMPLES);
        frame[..n].copy_from_slice(&play.pcm[play.pos..play.pos + n]);
        play.pos += n;
        if play.pos >= play.pcm.len() {
            finished = st.plays.pop_front();
        }
        send_frame(&mut st, &shared.counters, &frame);
        Some(frame)
    } else if st.peer.is_none() && !st.echo && st.remote.is_some() {
        let silence = [0i16; FRAME_SAMPLES];
        send_frame(&mut st, &shared.counters, &silence);
        Some(silence)
    } else {
        None
    };
    record_tick(&mut st, sent);
    drop(st);
    if let Some(play) = finished {
        play.finish(PlayOutcome::Finished);
    }
}

fn send_frame(st: &mut State, counters: &Counters, pcm: &Frame) {
    let mut datagram = [0u8; rtp::HEADER_LEN + FRAME_SAMPLES];
    let header = st.tx.next_header(st.payload_type, FRAME_SAMPLES as u32);
    let n = header.write(&mut datagram);
    st.codec.encode(pcm, &mut datagram[n..]);
    send(st, counters, &datagram, None);
}

/// Sends the next telephone-event packet if a digit is being sent; false when none is.
fn send_dtmf_packet(st: &mut State, counters: &Counters) -> bool {
    if st.dtmf_out.is_none() {
        let Some((digit, ms)) = st.dtmf_queue.pop_front() else { return false };
        if st.dtmf_pt.is_none() {
            tracing::debug!("DTMF '{digit}' not sent: the far end offered no telephone-event");
            st.dtmf_queue.clear();
            return false;
        }
        let Some(sender) = DtmfSender::new(digit, ms) else { return false };
        st.dtmf_out = Some((sender, st.tx.next_timestamp()));
    }
    let Some((sender, start_ts)) = st.dtmf_out.as_mut() else { return false };
    let start_ts = *start_ts;
    match sender.next_packet() {
        Some(p) => {
            let pt = st.dtmf_pt.unwrap_or(101);
            let mut datagram = [0u8; rtp::HEADER_LEN + crate::dtmf::EVENT_LEN];
            let n = st.tx.event_header(pt, start_ts, p.marker).write(&mut datagram);
            p.event.write(&mut datagram[n..]);
            send(st, counters, &datagram, None);
            true
        }
        None => {
            let total = sender.total_samples();
            st.dtmf_out = None;
            st.tx.skip(total);
            st.tx.talkspurt();
            false
        }
    }
}

/// Hands the recording one frame per tick: what was received, what was sent, or both mixed.
fn record_tick(st: &mut State, sent: Option<Frame>) {
    let Some(rec) = st.record.as_mut() else { return };
    let read = if rec.leg == RecordLeg::Write { None } else { rec.read.pop() };
    let write = if rec.leg == RecordLeg::Read { None } else { sent.or_else(|| rec.write.pop()) };
    let frame = match (read, write) {
        (Some(r), Some(w)) => std::array::from_fn(|i| r[i].saturating_add(w[i])),
        (Some(f), None) | (None, Some(f)) => f,
        (None, None) => [0; FRAME_SAMPLES],
    };
    rec.sink.frame(&frame);
}
