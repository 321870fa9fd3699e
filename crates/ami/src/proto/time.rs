//! Asterisk's time formats: `EventTV` (`2026-11-23T18:15:45.589+0000`) without a date crate.

use switchyard_core::Timestamp;

/// ISO-8601 in UTC with milliseconds, as security events print `EventTV` and `SessionTV`.
pub fn event_tv(ts: Timestamp) -> String {
    let secs = ts.secs();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let millis = ts.subsec_micros() / 1000;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}+0000", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_tv_matches_the_oracle_format() {
        // 1795457745.589 is 2026-11-23T18:15:45.589 UTC (the oracle transcript's login).
        let ts = Timestamp(1_795_457_745_589_000);
        assert_eq!(event_tv(ts), "2026-11-23T18:15:45.589+0000");
    }
}
