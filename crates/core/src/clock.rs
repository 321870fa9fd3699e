//! Time passed into the core: wall-clock timestamps and an injectable clock for tests on virtual time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
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

/// The system's real-time clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        // Whole seconds and microseconds apart: no 128-bit arithmetic (this runs at every event).
        Timestamp(d.as_secs() as i64 * 1_000_000 + i64::from(d.subsec_micros()))
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
}
