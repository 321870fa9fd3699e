//! Reception statistics of one incoming RTP stream, kept as RFC 3550 appendix A describes them
//! (A.1 sequence numbers, A.3 loss, A.8 interarrival jitter), and turned into report blocks.

use std::time::Instant;

use switchyard_core::rtcp::RtcpReportBlock;

/// RTP clock of G.711 and telephone-event (8 kHz).
const CLOCK_HZ: u64 = 8000;

/// One source's statistics.
#[derive(Debug, Default)]
pub struct ReceiveStats {
    source: Option<Source>,
    /// Middle 32 bits of the last SR's NTP time and when it arrived.
    last_sr: Option<(u32, Instant)>,
}

#[derive(Debug)]
struct Source {
    ssrc: u32,
    base_seq: u32,
    max_seq: u16,
    cycles: u32,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    transit: Option<i64>,
    /// Jitter in timestamp units, scaled by 16 (RFC 3550 A.8).
    jitter_q4: i64,
}

impl Source {
    fn new(ssrc: u32, seq: u16) -> Self {
        Source {
            ssrc,
            base_seq: u32::from(seq),
            max_seq: seq,
            cycles: 0,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            transit: None,
            jitter_q4: 0,
        }
    }

    fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }
}

impl ReceiveStats {
    /// One RTP packet: its SSRC, sequence number, timestamp, and arrival time since `epoch` (any fixed
    /// instant of the session). A new SSRC restarts the statistics.
    pub fn on_rtp(&mut self, ssrc: u32, seq: u16, timestamp: u32, arrival: std::time::Duration) {
        let s = match &mut self.source {
            Some(s) if s.ssrc == ssrc => s,
            _ => self.source.insert(Source::new(ssrc, seq)),
        };
        let delta = seq.wrapping_sub(s.max_seq) as i16;
        if delta > 0 {
            if seq < s.max_seq {
                s.cycles = s.cycles.wrapping_add(1 << 16);
            }
            s.max_seq = seq;
        }
        s.received = s.received.wrapping_add(1);
        let arrival_ts = (arrival.as_micros() as u64 * CLOCK_HZ / 1_000_000) as u32;
        let transit = i64::from(arrival_ts.wrapping_sub(timestamp) as i32);
        if let Some(prev) = s.transit {
            let d = (transit - prev).abs();
            s.jitter_q4 += d - ((s.jitter_q4 + 8) >> 4);
        }
        s.transit = Some(transit);
    }

    /// A sender report arrived with this NTP time.
    pub fn on_sender_report(&mut self, ntp: u64, at: Instant) {
        self.last_sr = Some(((ntp >> 16) as u32, at));
    }

    /// The report block for our next report (none before any RTP arrived); advances the interval.
    pub fn block(&mut self, now: Instant) -> Option<RtcpReportBlock> {
        let s = self.source.as_mut()?;
        let extended = s.extended_max();
        let expected = extended.wrapping_sub(s.base_seq).wrapping_add(1);
        let lost = i64::from(expected) - i64::from(s.received);
        let expected_interval = expected.wrapping_sub(s.expected_prior);
        let received_interval = s.received.wrapping_sub(s.received_prior);
        (s.expected_prior, s.received_prior) = (expected, s.received);
        let lost_interval = i64::from(expected_interval) - i64::from(received_interval);
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / i64::from(expected_interval)).min(255) as u8
        };
        let (lsr, dlsr) = match self.last_sr {
            Some((lsr, at)) => (lsr, (now.saturating_duration_since(at).as_secs_f64() * 65_536.0) as u32),
            None => (0, 0),
        };
        Some(RtcpReportBlock {
            source_ssrc: s.ssrc,
            fraction_lost,
            cumulative_lost: lost.clamp(-0x80_0000, 0x7F_FFFF) as i32,
            highest_sequence: extended,
            jitter: (s.jitter_q4 >> 4) as u32,
            lsr,
            dlsr,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn nothing_received_means_no_block() {
        assert_eq!(ReceiveStats::default().block(Instant::now()), None);
    }

    #[test]
    fn steady_stream_has_no_loss_and_no_jitter() {
        let mut st = ReceiveStats::default();
        for i in 0..50u16 {
            st.on_rtp(9, 100 + i, 160 * u32::from(i), ms(20 * u64::from(i)));
        }
        let b = st.block(Instant::now()).unwrap();
        assert_eq!((b.source_ssrc, b.fraction_lost, b.cumulative_lost, b.highest_sequence), (9, 0, 0, 149));
        assert_eq!(b.jitter, 0);
    }

    #[test]
    fn loss_counts_gaps_and_the_fraction_is_per_interval() {
        let mut st = ReceiveStats::default();
        for i in (0..100u16).filter(|i| i % 4 != 3) {
            st.on_rtp(1, i, 160 * u32::from(i), ms(20 * u64::from(i)));
        }
        let b = st.block(Instant::now()).unwrap();
        // Sequence 0..=98 expected (99 packets), 75 received: 24 lost, 24/99·256 = 62.
        assert_eq!((b.cumulative_lost, b.fraction_lost), (24, 62));
        // Next interval: 99 lost, 100 received → half of it lost.
        st.on_rtp(1, 100, 16_000, ms(2000));
        assert_eq!(st.block(Instant::now()).unwrap().fraction_lost, 128);
        st.on_rtp(1, 101, 16_160, ms(2020));
        assert_eq!(st.block(Instant::now()).unwrap().fraction_lost, 0);
    }

    #[test]
    fn sequence_wrap_adds_a_cycle() {
        let mut st = ReceiveStats::default();
        for (k, seq) in [65_534u16, 65_535, 0, 1].into_iter().enumerate() {
            st.on_rtp(1, seq, 160 * k as u32, ms(20 * k as u64));
        }
        let b = st.block(Instant::now()).unwrap();
        assert_eq!((b.highest_sequence, b.cumulative_lost), (65_537, 0));
    }

    #[test]
    fn late_packets_raise_jitter() {
        let mut st = ReceiveStats::default();
        for i in 0..200u16 {
            let late = if i % 2 == 0 { 0 } else { 10 };
            st.on_rtp(1, i, 160 * u32::from(i), ms(20 * u64::from(i) + late));
        }
        // Each packet's transit differs by 80 timestamp units from the previous one: J converges to 80.
        let j = st.block(Instant::now()).unwrap().jitter;
        assert!((75..=80).contains(&j), "{j}");
    }

    #[test]
    fn lsr_is_the_middle_of_the_ntp_time_and_dlsr_counts_from_its_arrival() {
        let mut st = ReceiveStats::default();
        st.on_rtp(1, 0, 0, ms(0));
        let at = Instant::now();
        st.on_sender_report(0x1122_3344_5566_7788, at);
        let b = st.block(at + ms(500)).unwrap();
        assert_eq!(b.lsr, 0x3344_5566);
        assert_eq!(b.dlsr, 32_768);
    }
}
