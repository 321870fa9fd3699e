//! The sending side of one RTP stream: SSRC, sequence numbers and timestamps for our own 20 ms frames
//! (marker bit at each talkspurt start), and the mapping that keeps the stream continuous when
//! packets relayed from another leg are sent on it.

use crate::rtp::RtpHeader;

/// Samples per 20 ms packet at 8 kHz.
pub const PTIME_SAMPLES: u32 = 160;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RelayMap {
    source_ssrc: u32,
    seq_offset: u16,
    ts_offset: u32,
}

/// One outgoing RTP stream.
#[derive(Debug, Clone)]
pub struct RtpTx {
    ssrc: u32,
    next_seq: u16,
    next_ts: u32,
    marker: bool,
    map: Option<RelayMap>,
}

impl RtpTx {
    /// A stream with these starting values (random in production, RFC 3550 §5.1).
    pub fn new(ssrc: u32, seq: u16, ts: u32) -> Self {
        Self { ssrc, next_seq: seq, next_ts: ts, marker: true, map: None }
    }

    /// Our SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The timestamp of the next packet.
    pub fn next_timestamp(&self) -> u32 {
        self.next_ts
    }

    /// Starts a new talkspurt: the next packet carries the marker bit, and relayed packets re-anchor.
    pub fn talkspurt(&mut self) {
        self.marker = true;
        self.map = None;
    }

    /// The header for our next packet of `samples` samples; advances the stream.
    pub fn next_header(&mut self, payload_type: u8, samples: u32) -> RtpHeader {
        self.map = None;
        let h = RtpHeader {
            marker: std::mem::take(&mut self.marker),
            payload_type,
            seq: self.next_seq,
            timestamp: self.next_ts,
            ssrc: self.ssrc,
        };
        self.next_seq = self.next_seq.wrapping_add(1);
        self.next_ts = self.next_ts.wrapping_add(samples);
        h
    }

    /// A header for an event packet that keeps timestamp `ts` (RFC 4733: all packets of one event
    /// share the start timestamp).
    pub fn event_header(&mut self, payload_type: u8, ts: u32, marker: bool) -> RtpHeader {
        self.map = None;
        let h = RtpHeader { marker, payload_type, seq: self.next_seq, timestamp: ts, ssrc: self.ssrc };
        self.next_seq = self.next_seq.wrapping_add(1);
        h
    }

    /// Moves the timestamp on by `samples` without sending (after an event).
    pub fn skip(&mut self, samples: u32) {
        self.next_ts = self.next_ts.wrapping_add(samples);
    }

    /// The header to send a relayed packet with: its sequence and timestamp shifted so our stream
    /// continues where it was, keeping the source's spacing, gaps and order.
    pub fn relay_header(&mut self, payload_type: u8, src: &RtpHeader) -> RtpHeader {
        let map = match self.map {
            Some(m) if m.source_ssrc == src.ssrc => m,
            _ => {
                let m = RelayMap {
                    source_ssrc: src.ssrc,
                    seq_offset: self.next_seq.wrapping_sub(src.seq),
                    ts_offset: self.next_ts.wrapping_sub(src.timestamp),
                };
                self.map = Some(m);
                self.marker = true;
                m
            }
        };
        let seq = src.seq.wrapping_add(map.seq_offset);
        let timestamp = src.timestamp.wrapping_add(map.ts_offset);
        if seq.wrapping_sub(self.next_seq) as i16 >= 0 {
            self.next_seq = seq.wrapping_add(1);
        }
        if timestamp.wrapping_sub(self.next_ts) as i32 >= 0 {
            self.next_ts = timestamp.wrapping_add(PTIME_SAMPLES);
        }
        let marker = std::mem::take(&mut self.marker) || src.marker;
        RtpHeader { marker, payload_type, seq, timestamp, ssrc: self.ssrc }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn own_frames_advance_seq_and_timestamp_with_marker_on_talkspurt_start() {
        let mut tx = RtpTx::new(7, 65535, 1000);
        let a = tx.next_header(0, 160);
        let b = tx.next_header(0, 160);
        assert_eq!((a.seq, a.timestamp, a.marker), (65535, 1000, true));
        assert_eq!((b.seq, b.timestamp, b.marker), (0, 1160, false));
        tx.talkspurt();
        assert!(tx.next_header(0, 160).marker);
    }

    #[test]
    fn relayed_packets_continue_our_stream() {
        let mut tx = RtpTx::new(7, 100, 5000);
        tx.next_header(0, 160);
        let src = |seq: u16, ts: u32| RtpHeader { marker: false, payload_type: 8, seq, timestamp: ts, ssrc: 99 };
        let a = tx.relay_header(0, &src(40000, 123_456));
        let b = tx.relay_header(0, &src(40002, 123_776));
        let late = tx.relay_header(0, &src(40001, 123_616));
        assert_eq!((a.seq, a.timestamp, a.marker, a.ssrc), (101, 5160, true, 7));
        assert_eq!((b.seq, b.timestamp, b.marker), (103, 5480, false));
        assert_eq!((late.seq, late.timestamp), (102, 5320));
        assert_eq!(tx.next_header(0, 160).seq, 104);
    }

    proptest! {
        #[test]
        fn a_relayed_in_order_stream_stays_contiguous(seq0 in any::<u16>(), ts0 in any::<u32>(), n in 1u16..300) {
            let mut tx = RtpTx::new(1, 0, 0);
            let mut last: Option<RtpHeader> = None;
            for i in 0..n {
                let src = RtpHeader { marker: false, payload_type: 0, seq: seq0.wrapping_add(i),
                                      timestamp: ts0.wrapping_add(160 * u32::from(i)), ssrc: 5 };
                let h = tx.relay_header(0, &src);
                if let Some(l) = last {
                    prop_assert_eq!(h.seq, l.seq.wrapping_add(1));
                    prop_assert_eq!(h.timestamp, l.timestamp.wrapping_add(160));
                }
                last = Some(h);
            }
        }
    }
}
