//! Date and duration formatting used by command outputs (no time-zone database: UTC).

use crate::clock::Timestamp;

/// `YYYY-MM-DD HH:MM:SS` in UTC, as FreeSWITCH prints `created` (which uses local time; Switchyard
/// always prints UTC).
pub fn format_utc(ts: Timestamp) -> String {
    let secs = ts.secs();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's civil-from-days algorithm.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// An elapsed time split as FreeSWITCH's `status` prints it:
/// (years, days, hours, minutes, seconds, milliseconds, microseconds).
pub fn uptime_parts(micros: i64) -> [i64; 7] {
    let micros = micros.max(0);
    let secs = micros / 1_000_000;
    [
        secs / (365 * 86_400),
        secs % (365 * 86_400) / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
        micros % 1_000_000 / 1000,
        micros % 1000,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_format_like_freeswitch() {
        assert_eq!(format_utc(Timestamp(0)), "1970-01-01 00:00:00");
        assert_eq!(format_utc(Timestamp(1_795_458_550 * 1_000_000)), "2026-11-23 18:29:10");
        assert_eq!(format_utc(Timestamp(951_782_400 * 1_000_000)), "2000-02-29 00:00:00");
    }

    #[test]
    fn uptime_splits_into_units() {
        let us = ((400 * 86_400 + 3 * 3600 + 4 * 60 + 5) * 1_000_000) + 6_007;
        assert_eq!(uptime_parts(us), [1, 35, 3, 4, 5, 6, 7]);
    }
}
