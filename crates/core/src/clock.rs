//! Time passed into the core: wall-clock timestamps and an injectable clock for tests on virtual time.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Whole seconds since the epoch.
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// The microsecond part within the second.
    pub fn subsec_micros(self) -> i64 {
        self.0.rem_euclid(1_000_000)
    }

    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0.div_euclid(1_000)
    }

    /// `secs.micros` as Asterisk prints `Timestamp:` headers.
    pub fn asterisk_format(self) -> String {
        format!("{}.{:06}", self.secs(), self.subsec_micros())
    }
}

/// The source of wall-clock time for everything in the core.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The system's real-time clock, read through the CPU's time-stamp counter where it is reliable.
///
/// Every event is stamped (several per dialplan priority), and asking the system for the time costs
/// about four times what reading the counter does. The counter (`quanta`, calibrated against the
/// monotonic clock) gives the time elapsed since an anchor taken from the system's real-time clock;
/// the anchor is taken again every `REANCHOR_NS`, so wall-clock steps and the counter's drift against
/// the real-time clock (NTP slewing) show within that time. Without a reliable counter `quanta` falls
/// back to the monotonic clock, and the result is the same.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp(Anchored::get().now_ns().div_euclid(1_000))
    }
}

/// How often (in counter time) the real-time clock is read again.
const REANCHOR_NS: u64 = 100_000_000;

/// The counter and how far the real-time clock is ahead of it.
struct Anchored {
    counter: quanta::Clock,
    /// The counter's raw reading at the start: counter time is the nanoseconds since.
    start: u64,
    /// Real time minus counter time, in nanoseconds, at the last anchor.
    offset_ns: AtomicI64,
    /// Counter time after which the anchor is taken again.
    next_anchor: AtomicU64,
}

impl Anchored {
    fn get() -> &'static Anchored {
        static ANCHORED: OnceLock<Anchored> = OnceLock::new();
        ANCHORED.get_or_init(|| {
            let counter = quanta::Clock::new();
            let start = counter.raw();
            let anchored = Anchored { counter, start, offset_ns: AtomicI64::new(0), next_anchor: AtomicU64::new(0) };
            anchored.reanchor(0);
            anchored
        })
    }

    /// Nanoseconds since the Unix epoch.
    fn now_ns(&self) -> i64 {
        let counted = self.counter.delta_as_nanos(self.start, self.counter.raw());
        if counted >= self.next_anchor.load(Ordering::Relaxed) {
            self.reanchor(counted);
        }
        counted as i64 + self.offset_ns.load(Ordering::Relaxed)
    }

    /// Takes the real-time clock's reading as the new anchor (a thread racing here takes its own,
    /// which is as good).
    fn reanchor(&self, counted: u64) {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let real_ns = real.as_secs() as i64 * 1_000_000_000 + i64::from(real.subsec_nanos());
        self.offset_ns.store(real_ns - counted as i64, Ordering::Relaxed);
        self.next_anchor.store(counted + REANCHOR_NS, Ordering::Relaxed);
    }
}

/// A clock that moves only when told to: tests run on virtual time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> Self {
        Self(Arc::new(AtomicI64::new(start.0)))
    }

    /// Moves the clock forward by `micros`.
    pub fn advance_micros(&self, micros: i64) {
        self.0.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_timestamps_have_six_decimal_places() {
        assert_eq!(Timestamp(1_700_000_000_000_042).asterisk_format(), "1700000000.000042");
    }

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let c = ManualClock::new(Timestamp(5));
        assert_eq!(c.now(), Timestamp(5));
        c.advance_micros(10);
        assert_eq!(c.now(), Timestamp(15));
    }

    fn micros(t: SystemTime) -> i64 {
        t.duration_since(UNIX_EPOCH).unwrap().as_micros() as i64
    }

    #[test]
    fn the_system_clock_reads_the_real_time_and_does_not_go_back() {
        let before = micros(SystemTime::now());
        let mut last = SystemClock.now();
        for _ in 0..100_000 {
            let now = SystemClock.now();
            // Re-anchoring may step back by the counter's drift since the last anchor (microseconds).
            assert!(now.0 >= last.0 - 1_000, "{now:?} after {last:?}");
            last = now;
        }
        let after = micros(SystemTime::now());
        // Within a millisecond of the real-time clock read around it (it is read through the counter).
        assert!(last.0 >= before - 1_000 && last.0 <= after + 1_000, "{before} <= {last:?} <= {after}");
    }
}
