//! Switch-wide counters: sessions since start, peaks, setup rates, originate outcomes.

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::clock::Timestamp;

const WINDOW_SECS: usize = 300;

/// Per-second creation counts over the last five minutes.
struct RateWindow {
    counts: [u32; WINDOW_SECS],
    last_sec: i64,
    peak_rate: u32,
}

impl RateWindow {
    fn advance_to(&mut self, sec: i64) {
        let gap = (sec - self.last_sec).clamp(0, WINDOW_SECS as i64);
        for i in 1..=gap {
            self.counts[((self.last_sec + i).rem_euclid(WINDOW_SECS as i64)) as usize] = 0;
        }
        self.last_sec = self.last_sec.max(sec);
    }

    fn slot(sec: i64) -> usize {
        sec.rem_euclid(WINDOW_SECS as i64) as usize
    }
}

/// Counters read by `status`, `core show channels` and the metrics endpoint.
pub struct SwitchStats {
    created: AtomicU64,
    peak: AtomicU64,
    peak_5min: Mutex<Vec<(i64, u64)>>,
    rates: Mutex<RateWindow>,
    originate_answered: AtomicU64,
    originate_failed: AtomicU64,
}

impl Default for SwitchStats {
    fn default() -> Self {
        Self {
            created: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            peak_5min: Mutex::new(Vec::new()),
            rates: Mutex::new(RateWindow { counts: [0; WINDOW_SECS], last_sec: 0, peak_rate: 0 }),
            originate_answered: AtomicU64::new(0),
            originate_failed: AtomicU64::new(0),
        }
    }
}

impl SwitchStats {
    pub(crate) fn channel_created(&self, now: Timestamp) {
        self.created.fetch_add(1, Ordering::Relaxed);
        let sec = now.secs();
        let mut r = self.rates.lock();
        r.advance_to(sec);
        let slot = RateWindow::slot(sec);
        r.counts[slot] += 1;
        r.peak_rate = r.peak_rate.max(r.counts[slot]);
    }

    /// Records the number of live channels, for the peaks.
    pub fn observe_active(&self, active: u64, now: Timestamp) {
        self.peak.fetch_max(active, Ordering::Relaxed);
        let mut recent = self.peak_5min.lock();
        let cutoff = now.secs() - WINDOW_SECS as i64;
        recent.retain(|(t, _)| *t > cutoff);
        match recent.last_mut() {
            Some((t, v)) if *t == now.secs() => *v = (*v).max(active),
            _ => recent.push((now.secs(), active)),
        }
    }

    pub(crate) fn originate_finished(&self, answered: bool) {
        let counter = if answered { &self.originate_answered } else { &self.originate_failed };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Channels created since start.
    pub fn sessions_since_startup(&self) -> u64 {
        self.created.load(Ordering::Relaxed)
    }

    /// Most channels alive at once since start.
    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    /// Most channels alive at once in the last five minutes.
    pub fn peak_last_5min(&self, now: Timestamp) -> u64 {
        let cutoff = now.secs() - WINDOW_SECS as i64;
        self.peak_5min.lock().iter().filter(|(t, _)| *t > cutoff).map(|(_, v)| *v).max().unwrap_or(0)
    }

    /// (channels created in the last full second, peak per second since start, peak per second in
    /// the last five minutes).
    pub fn rates(&self, now: Timestamp) -> (u32, u32, u32) {
        let mut r = self.rates.lock();
        r.advance_to(now.secs());
        let current = r.counts[RateWindow::slot(now.secs() - 1)];
        let recent = r.counts.iter().copied().max().unwrap_or(0);
        (current, r.peak_rate, recent)
    }

    /// (answered, failed) originates.
    pub fn originates(&self) -> (u64, u64) {
        (self.originate_answered.load(Ordering::Relaxed), self.originate_failed.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_count_per_second_and_forget_after_five_minutes() {
        let s = SwitchStats::default();
        let t = |sec: i64| Timestamp(sec * 1_000_000);
        for _ in 0..3 {
            s.channel_created(t(1000));
        }
        s.channel_created(t(1001));
        assert_eq!(s.rates(t(1001)), (3, 3, 3));
        assert_eq!(s.rates(t(1400)), (0, 3, 0));
        assert_eq!(s.sessions_since_startup(), 4);
    }

    #[test]
    fn peaks_remember_the_highest_count() {
        let s = SwitchStats::default();
        let t = |sec: i64| Timestamp(sec * 1_000_000);
        s.observe_active(5, t(10));
        s.observe_active(2, t(11));
        assert_eq!((s.peak(), s.peak_last_5min(t(11))), (5, 5));
        assert_eq!(s.peak_last_5min(t(400)), 0);
    }
}
