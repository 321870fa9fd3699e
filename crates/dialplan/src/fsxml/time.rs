//! Time-of-day conditions (`wday`, `hour`, `minute`, `minute-of-day`, `mday`, `mon`, `year`,
//! `yday`, `week`, `mweek`, `time-of-day`, `date-time`, `tz-offset`), evaluated as FreeSWITCH's
//! `switch_xml_std_datetime_check` does: in the channel's `tod_tz_offset` (hours east of UTC) or
//! `timezone` (IANA name) when set, else in the switch's local time zone (the same helper as
//! `IFTIME`/`GotoIfTime`); `date-time` ranges are read in the switch's local time zone.

use jiff::tz::{Offset, TimeZone};

use crate::localtime::local;

/// The attribute names that make a condition a time condition.
pub const ATTRIBUTES: &[&str] = &[
    "year",
    "yday",
    "mon",
    "mday",
    "week",
    "mweek",
    "wday",
    "hour",
    "minute",
    "minute-of-day",
    "time-of-day",
    "date-time",
    "tz-offset",
];

const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// A broken-down time, as C's `struct tm` holds it, in the zone the conditions are evaluated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    /// Seconds since the epoch.
    pub epoch: i64,
    /// The same moment as a wall clock of the switch's local zone, counted as if it were UTC
    /// (what `date-time` ranges are compared with).
    pub local_wall: i64,
    /// Whole hours east of UTC of the zone (`tz-offset`).
    pub offset_hours: i64,
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month 1–12.
    pub mon: i64,
    /// Day of month 1–31.
    pub mday: i64,
    /// Day of year, 0-based (`tm_yday`).
    pub yday0: i64,
    /// Day of week, 0 = Sunday (`tm_wday`).
    pub wday0: i64,
    /// Hour, minute, second.
    pub hour: i64,
    /// Minute.
    pub minute: i64,
    /// Second.
    pub second: i64,
}

impl CivilTime {
    /// The civil time of `epoch` seconds in UTC (the switch's zone being UTC too).
    pub fn from_epoch(epoch: i64) -> Self {
        Self::in_zone(epoch, &TimeZone::UTC, &TimeZone::UTC)
    }

    /// The civil time of `epoch` seconds in `zone`, with `date-time` read in `local` (the switch's).
    pub fn in_zone(epoch: i64, zone: &TimeZone, local_zone: &TimeZone) -> Self {
        let t = local(epoch, zone);
        let wall_offset = local(epoch, local_zone).offset;
        Self {
            epoch,
            local_wall: epoch + i64::from(wall_offset),
            offset_hours: i64::from(t.offset) / 3600,
            year: t.year,
            mon: t.month,
            mday: t.day,
            yday0: t.yday - 1,
            wday0: t.weekday,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
        }
    }

    /// Week of the year (1–53): `tm_yday / 7 + 1`, as FreeSWITCH counts it.
    fn week(&self) -> i64 {
        self.yday0 / 7 + 1
    }

    /// Week of the month (1–6), counted as FreeSWITCH does.
    fn mweek(&self) -> i64 {
        let first = (7 - (self.mday - (self.wday0 + 1)).rem_euclid(7)) % 7;
        (self.mday + first + 6) / 7
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One time attribute and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeTest {
    /// Attribute name (one of [`ATTRIBUTES`]).
    pub name: &'static str,
    /// Its value, e.g. `mon-fri`, `9-17`, `08:00-17:30`.
    pub value: String,
}

impl TimeTest {
    /// A test, if `name` is a time attribute.
    pub fn new(name: &str, value: &str) -> Option<Self> {
        let name = ATTRIBUTES.iter().find(|a| **a == name)?;
        Some(Self { name, value: value.to_owned() })
    }

    /// True when `t` satisfies it.
    pub fn matches(&self, t: &CivilTime) -> bool {
        let number = |v: i64| number_matches(&self.value, v, |s| s.trim().parse().ok());
        match self.name {
            "year" => number(t.year),
            "yday" => number(t.yday0 + 1),
            "mon" => number(t.mon),
            "mday" => number(t.mday),
            "week" => number(t.week()),
            "mweek" => number(t.mweek()),
            "wday" => number_matches(&self.value, t.wday0 + 1, weekday),
            "hour" => number(t.hour),
            "minute" => number(t.minute),
            "minute-of-day" => number(t.hour * 60 + t.minute + 1),
            "time-of-day" => time_of_day_matches(&self.value, t.hour * 3600 + t.minute * 60 + t.second),
            "date-time" => date_time_matches(&self.value, t.local_wall),
            "tz-offset" => self.value.trim().parse::<i64>().is_ok_and(|h| h == t.offset_hours),
            _ => false,
        }
    }
}

/// A weekday as a number 1–7 (Sunday = 1), by number or by name.
fn weekday(s: &str) -> Option<i64> {
    let s = s.trim();
    s.parse().ok().or_else(|| {
        let lower = s.to_ascii_lowercase();
        DAYS.iter().position(|d| lower.starts_with(d)).map(|p| p as i64 + 1)
    })
}

/// `value` is a comma list of numbers and `a-b` ranges (a range with `a > b` wraps around).
fn number_matches(value: &str, n: i64, parse: impl Fn(&str) -> Option<i64>) -> bool {
    value.split(',').filter(|p| !p.trim().is_empty()).any(|part| match part.split_once('-') {
        Some((a, b)) => match (parse(a), parse(b)) {
            (Some(a), Some(b)) if a <= b => (a..=b).contains(&n),
            (Some(a), Some(b)) => n >= a || n <= b,
            _ => false,
        },
        None => parse(part) == Some(n),
    })
}

/// `HH:MM[:SS]-HH:MM[:SS]` ranges (comma list), wrapping past midnight when the end is earlier.
fn time_of_day_matches(value: &str, secs: i64) -> bool {
    let parse = |s: &str| -> Option<i64> {
        let mut it = s.trim().split(':').map(|p| p.trim().parse::<i64>().ok());
        let (h, m, sec) = (it.next()??, it.next().unwrap_or(Some(0))?, it.next().unwrap_or(Some(0))?);
        Some(h * 3600 + m * 60 + sec)
    };
    value.split(',').any(|range| match range.split_once('-').map(|(a, b)| (parse(a), parse(b))) {
        Some((Some(a), Some(b))) if a <= b => (a..=b).contains(&secs),
        Some((Some(a), Some(b))) => secs >= a || secs <= b,
        _ => false,
    })
}

/// `YYYY-MM-DD HH:MM[:SS]~YYYY-MM-DD HH:MM[:SS]` ranges (comma list), against a wall clock.
fn date_time_matches(value: &str, wall: i64) -> bool {
    value.split(',').any(|range| match range.split_once('~').map(|(a, b)| (parse_date_time(a), parse_date_time(b))) {
        Some((Some(a), Some(b))) => (a..=b).contains(&wall),
        _ => false,
    })
}

/// The zone time conditions are evaluated in, from the channel's `tod_tz_offset` (a number of
/// hours east of UTC) or else `timezone` (an IANA name) variables; `local` when neither is set.
pub fn condition_zone(tod_tz_offset: &str, timezone: &str, local_zone: &TimeZone) -> TimeZone {
    if let Some(hours) = tod_tz_offset.trim().parse::<i8>().ok().filter(|h| (-25..=25).contains(h)) {
        return TimeZone::fixed(Offset::constant(hours));
    }
    match timezone.trim() {
        "" => local_zone.clone(),
        name => crate::localtime::zone(name),
    }
}

/// Seconds since the epoch of `YYYY-MM-DD[ HH:MM[:SS]]` read as UTC.
pub fn parse_date_time(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once(' ').unwrap_or((s.trim(), "00:00"));
    let mut d = date.split('-').map(|p| p.trim().parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.trim().split(':').map(|p| p.trim().parse::<i64>().ok());
    let (h, mi, sec) = (t.next()??, t.next().unwrap_or(Some(0))?, t.next().unwrap_or(Some(0))?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + mi * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-24 is a Tuesday.
    fn tuesday_0930() -> CivilTime {
        CivilTime::from_epoch(parse_date_time("2026-11-24 09:30:15").unwrap())
    }

    fn test(name: &str, value: &str) -> bool {
        TimeTest::new(name, value).unwrap().matches(&tuesday_0930())
    }

    #[test]
    fn civil_fields_follow_struct_tm() {
        let t = tuesday_0930();
        assert_eq!((t.year, t.mon, t.mday, t.wday0, t.hour, t.minute, t.second), (2026, 11, 24, 2, 9, 30, 15));
        assert_eq!(t.yday0, 327);
    }

    #[test]
    fn numbers_lists_ranges_and_weekday_names() {
        assert!(test("wday", "3") && test("wday", "mon-fri") && test("wday", "2-4") && !test("wday", "sat,sun"));
        assert!(test("wday", "fri-tue") && !test("wday", "wed-sat"));
        assert!(test("hour", "9") && test("hour", "8-17") && !test("hour", "10-17"));
        assert!(test("minute", "30") && test("mday", "1,24") && test("mon", "11") && test("year", "2020-2030"));
        assert!(test("minute-of-day", "571") && test("yday", "328"));
        // FreeSWITCH's week of the year is `tm_yday / 7 + 1` (switch_xml.c), not an ISO week.
        assert!(test("mweek", "4") && test("week", "47") && !test("week", "48"));
    }

    #[test]
    fn fields_follow_the_zone_and_tz_offset_its_whole_hours() {
        let epoch = parse_date_time("2026-11-24 02:30:00").unwrap();
        let ny = TimeZone::get("America/New_York").unwrap();
        let t = CivilTime::in_zone(epoch, &ny, &TimeZone::UTC);
        assert_eq!((t.mday, t.wday0, t.hour, t.minute, t.offset_hours), (23, 1, 21, 30, -5));
        assert_eq!(t.local_wall, epoch, "date-time reads the switch's zone (UTC here)");
        assert!(TimeTest::new("tz-offset", "-5").unwrap().matches(&t));
        let fixed = condition_zone("9", "Europe/Paris", &TimeZone::UTC);
        assert_eq!(CivilTime::in_zone(epoch, &fixed, &TimeZone::UTC).hour, 11);
        let named = condition_zone("", "Europe/Paris", &TimeZone::UTC);
        assert_eq!(CivilTime::in_zone(epoch, &named, &TimeZone::UTC).hour, 3);
        assert_eq!(condition_zone("x", "", &ny), ny);
    }

    #[test]
    fn time_of_day_and_date_time_ranges() {
        assert!(test("time-of-day", "09:00-17:00") && !test("time-of-day", "09:31-17:00"));
        assert!(test("time-of-day", "22:00-09:45") && test("time-of-day", "08:00:00-09:30:15"));
        assert!(test("date-time", "2026-11-24 09:00~2026-11-24 10:00"));
        assert!(!test("date-time", "2026-12-01 00:00~2026-12-31 23:59"));
        assert!(TimeTest::new("colour", "red").is_none());
    }
}
