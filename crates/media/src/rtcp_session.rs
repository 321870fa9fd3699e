//! A session's RTCP: every few seconds a compound SR/RR + SDES to the far end's RTCP address (the
//! RTP port + 1, or where its RTCP comes from), received compounds parsed; both published on the
//! channel as `EventKind::Rtcp` (AMI `RTCPSent`/`RTCPReceived`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use switchyard_core::rtcp::{RtcpReport, RtcpSenderInfo};
use switchyard_core::{ChannelCommand, EventKind};

use crate::rtcp;
use crate::session::{Counters, Shared, Sock, State};

/// Seconds from 1900 (NTP epoch) to 1970.
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;
/// At most one `RTCPReceived` per session this often (a flood of RTCP must not flood the bus).
const MIN_RECEIVED_EVENT_GAP: Duration = Duration::from_secs(1);
/// RTP header bytes, not counted in the SR's octet count.
const RTP_HEADER: u64 = 12;

/// NTP format (seconds since 1900 in the high word, fraction in the low word) of a wall-clock time.
pub fn ntp_time(now: SystemTime) -> u64 {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() + NTP_UNIX_OFFSET;
    let frac = (u64::from(since.subsec_nanos()) << 32) / 1_000_000_000;
    (secs << 32) | frac
}

/// Sends our report (an SR once we have sent RTP, else an RR; a block once we have received RTP).
pub(crate) fn send_report(shared: &Shared, sock: &Sock) {
    let packets = shared.counters.packets_sent.load(Ordering::Relaxed);
    let octets = shared.counters.bytes_sent.load(Ordering::Relaxed).saturating_sub(RTP_HEADER * packets);
    let mut st = shared.state.lock();
    let Some(to) = st.rtcp_remote.or(st.remote.map(|r| SocketAddr::new(r.ip(), r.port().wrapping_add(1)))) else {
        return;
    };
    let block = st.rx_stats.block(Instant::now());
    if packets == 0 && block.is_none() {
        return;
    }
    let sender = (packets > 0).then(|| RtcpSenderInfo {
        ntp: ntp_time(SystemTime::now()),
        rtp_timestamp: st.tx.next_timestamp(),
        packets: packets as u32,
        octets: octets as u32,
    });
    let ssrc = st.tx.ssrc();
    let blocks: Vec<_> = block.into_iter().collect();
    let mut out = Vec::with_capacity(96);
    rtcp::write_compound(ssrc, sender.as_ref(), &blocks, &format!("switchyard@{}", shared.local.ip()), &mut out);
    if sock.get_ref().send_to(&out, to).is_err() {
        return;
    }
    Counters::add(&shared.counters.rtcp_sent, 1);
    let local = sock.get_ref().local_addr().unwrap_or(shared.local);
    publish(&st, true, RtcpReport { local, remote: to, ssrc, sender, blocks });
}

/// One received RTCP datagram: parsed, the SR time kept for our next block, published.
pub(crate) fn on_datagram(shared: &Shared, local: SocketAddr, buf: &[u8], from: SocketAddr) {
    Counters::add(&shared.counters.rtcp_received, 1);
    let c = match rtcp::parse(buf) {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("RTCP from {from} on {local}: {e}");
            return;
        }
    };
    let now = Instant::now();
    let mut st = shared.state.lock();
    st.rtcp_remote = Some(from);
    if let Some(s) = &c.sender {
        st.rx_stats.on_sender_report(s.ntp, now);
    }
    if st.last_rtcp_event.is_some_and(|at| now.duration_since(at) < MIN_RECEIVED_EVENT_GAP) {
        return;
    }
    st.last_rtcp_event = Some(now);
    publish(&st, false, RtcpReport { local, remote: from, ssrc: c.ssrc, sender: c.sender, blocks: c.blocks });
}

fn publish(st: &State, sent: bool, report: RtcpReport) {
    if let Some(ch) = &st.channel {
        let _ = ch.send(ChannelCommand::Publish(EventKind::Rtcp { sent, report: Arc::new(report) }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntp_time_counts_from_1900() {
        assert_eq!(ntp_time(UNIX_EPOCH), NTP_UNIX_OFFSET << 32);
        let half = UNIX_EPOCH + Duration::from_millis(1500);
        assert_eq!(ntp_time(half), ((NTP_UNIX_OFFSET + 1) << 32) | 0x8000_0000);
    }
}
