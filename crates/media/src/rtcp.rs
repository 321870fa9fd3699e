//! Minimal RTCP: a sender report every few seconds while the session sends (RFC 3550 §6.4.1);
//! received RTCP is only counted.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::net::UdpSocket;

use crate::session::{Counters, Shared};

/// Seconds from 1900 (NTP epoch) to 1970.
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// Builds a sender report with no report blocks.
pub fn sender_report(ssrc: u32, now: SystemTime, rtp_ts: u32, packets: u32, octets: u32) -> [u8; 28] {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let ntp_secs = (since.as_secs() + NTP_UNIX_OFFSET) as u32;
    let ntp_frac = ((u64::from(since.subsec_nanos()) << 32) / 1_000_000_000) as u32;
    let mut out = [0u8; 28];
    out[..4].copy_from_slice(&[0x80, 200, 0, 6]);
    for (i, word) in [ssrc, ntp_secs, ntp_frac, rtp_ts, packets, octets].into_iter().enumerate() {
        out[4 + 4 * i..8 + 4 * i].copy_from_slice(&word.to_be_bytes());
    }
    out
}

pub(crate) fn send_report(shared: &Shared, sock: &UdpSocket) {
    let packets = shared.counters.packets_sent.load(Ordering::Relaxed);
    let (ssrc, ts, remote) = {
        let st = shared.state.lock();
        (st.tx.ssrc(), st.tx.next_timestamp(), st.remote)
    };
    let Some(remote) = remote.filter(|_| packets > 0) else { return };
    let octets = shared.counters.bytes_sent.load(Ordering::Relaxed).saturating_sub(12 * packets);
    let sr = sender_report(ssrc, SystemTime::now(), ts, packets as u32, octets as u32);
    let to = SocketAddr::new(remote.ip(), remote.port().wrapping_add(1));
    if sock.try_send_to(&sr, to).is_ok() {
        Counters::add(&shared.counters.rtcp_sent, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_report_layout() {
        let sr = sender_report(0x0102_0304, UNIX_EPOCH, 160, 3, 480);
        assert_eq!(&sr[..8], &[0x80, 200, 0, 6, 1, 2, 3, 4]);
        assert_eq!(u32::from_be_bytes(sr[8..12].try_into().unwrap()), NTP_UNIX_OFFSET as u32);
        assert_eq!(u32::from_be_bytes(sr[20..24].try_into().unwrap()), 3);
        assert_eq!(u32::from_be_bytes(sr[24..28].try_into().unwrap()), 480);
        assert!(crate::rtp::is_rtcp(&sr));
    }
}
