//! What `bench media` measures of the RTP the switch relays: per-stream transit and the
//! inter-arrival deviation RFC 3550 calls D(i-1, i), in 1 µs histograms, from the kernel's send and
//! arrival times.

use crate::bench_media::rtp_load::{HEADER, MAGIC, MEASURE};

/// Histogram range in microseconds (larger values land in the last bucket).
pub const HIST_US: usize = 200_000;

/// A histogram in 1 µs buckets.
#[derive(Clone)]
pub struct Hist(Vec<u32>);

impl Hist {
    pub(crate) fn new() -> Self {
        Self(vec![0; HIST_US + 1])
    }

    pub(crate) fn add(&mut self, us: u64) {
        self.0[(us as usize).min(HIST_US)] += 1;
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
    /// Packets counted whose send time came from the kernel (the rest used the time in the payload).
    pub kernel_sent: u64,
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

/// Slots per stream for send times: cycles still in flight (a relayed packet is back within a few).
const CYCLES_KEPT: usize = 4;

/// The kernel's send time of each stream's recent packets, by 20 ms cycle.
pub struct SendTimes(Vec<[Option<(u32, u64)>; CYCLES_KEPT]>);

impl SendTimes {
    /// Room for stream ids `0..=max_id`.
    pub fn new(max_id: u32) -> Self {
        Self(vec![[None; CYCLES_KEPT]; max_id as usize + 1])
    }

    /// Stream `id`'s packet of `cycle` left at `ns`.
    pub fn record(&mut self, id: u32, cycle: u32, ns: u64) {
        if let Some(slots) = self.0.get_mut(id as usize) {
            slots[cycle as usize % CYCLES_KEPT] = Some((cycle, ns));
        }
    }

    /// When stream `id`'s packet of `cycle` left, if the kernel said.
    pub fn get(&self, id: usize, cycle: u32) -> Option<u64> {
        match self.0.get(id)?[cycle as usize % CYCLES_KEPT] {
            Some((c, ns)) if c == cycle => Some(ns),
            _ => None,
        }
    }
}

/// Per-stream receive state: the previous packet's transit time (ns), if any.
pub struct Receiver {
    last_transit: Vec<Option<i64>>,
    m: Measured,
}

impl Receiver {
    /// State for stream ids `0..=max_id`.
    pub fn new(max_id: u32) -> Self {
        Self {
            last_transit: vec![None; max_id as usize + 1],
            m: Measured { received: 0, foreign: 0, transit: Hist::new(), ipdv: Hist::new(), kernel_sent: 0 },
        }
    }

    /// The tallies so far.
    pub fn into_measured(self) -> Measured {
        self.m
    }

    /// One received datagram, `at` ns (the same clock as the send times), sent at the kernel's time
    /// in `times` or else at the time in its payload.
    pub fn on_packet(&mut self, pkt: &[u8], at: u64, times: &SendTimes) {
        let Some(p) = payload(pkt).filter(|p| p.len() >= 21 && &p[..4] == MAGIC) else {
            self.m.foreign += 1;
            return;
        };
        let id = u32::from_be_bytes(p[4..8].try_into().unwrap_or_default()) as usize;
        let cycle = u32::from_be_bytes(p[17..21].try_into().unwrap_or_default());
        let kernel = times.get(id, cycle);
        let sent = kernel.unwrap_or_else(|| u64::from_be_bytes(p[8..16].try_into().unwrap_or_default()));
        let Some(slot) = self.last_transit.get_mut(id) else { return };
        let transit = at as i64 - sent as i64;
        let previous = slot.replace(transit);
        if p[16] != MEASURE {
            return;
        }
        self.m.received += 1;
        self.m.kernel_sent += u64::from(kernel.is_some());
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
    use crate::bench_media::rtp_load::{PAYLOAD, fill};

    /// A measured packet of stream `id`, `cycle`, whose payload says it was sent at 1 ms.
    fn packet(id: u32, cycle: u64) -> [u8; HEADER + PAYLOAD] {
        let mut pkt = [0xFFu8; HEADER + PAYLOAD];
        pkt[0] = 0x80;
        pkt[HEADER..HEADER + 4].copy_from_slice(MAGIC);
        fill(&mut pkt, id, cycle, MEASURE);
        pkt[HEADER + 8..HEADER + 16].copy_from_slice(&1_000_000u64.to_be_bytes());
        pkt
    }

    #[test]
    fn a_packet_round_trips_through_fill_and_the_receiver() {
        let mut pkt = packet(7, 3);
        let mut r = Receiver::new(7);
        let times = SendTimes::new(7);
        r.on_packet(&pkt, 1_250_000, &times);
        pkt[HEADER + 8..HEADER + 16].copy_from_slice(&21_000_000u64.to_be_bytes());
        r.on_packet(&pkt, 21_400_000, &times);
        assert_eq!(r.m.received, 2);
        assert_eq!(r.m.kernel_sent, 0);
        assert_eq!(r.m.transit.quantile(0.5), 250);
        assert_eq!(r.m.transit.max(), 400);
        assert_eq!(r.m.ipdv.quantile(1.0), 150);
    }

    #[test]
    fn foreign_packets_are_ignored() {
        let mut r = Receiver::new(1);
        let times = SendTimes::new(1);
        r.on_packet(&[0x80; 172], 5, &times);
        r.on_packet(&[0x00; 4], 5, &times);
        assert_eq!(r.m.received, 0);
    }

    #[test]
    fn the_kernel_send_time_of_the_same_cycle_wins_over_the_payload_time() {
        let pkt = packet(3, 9);
        let mut times = SendTimes::new(3);
        times.record(3, 5, 1_100_000);
        let mut r = Receiver::new(3);
        r.on_packet(&pkt, 1_300_000, &times);
        assert_eq!((r.m.transit.max(), r.m.kernel_sent), (300, 0), "cycle 5's time is not cycle 9's");
        times.record(3, 9, 1_200_000);
        r.on_packet(&pkt, 1_300_000, &times);
        assert_eq!((r.m.transit.quantile(0.0), r.m.kernel_sent), (100, 1));
    }
}
