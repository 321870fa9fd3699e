//! Local time for the dialplan's time functions (`STRFTIME`, `IFTIME`, `GotoIfTime`): the machine's
//! time zone (`TZ`, else `/etc/localtime`), or a zone named in the call, from the system's zoneinfo
//! or, where the system has none, the copy of the time-zone database built in (jiff).

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A moment broken down in a time zone, as C's `struct tm` (plus the offset and its abbreviation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalTime {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month 1–12.
    pub month: i64,
    /// Day of the month 1–31.
    pub day: i64,
    /// Hour 0–23.
    pub hour: i64,
    /// Minute 0–59.
    pub minute: i64,
    /// Second 0–59.
    pub second: i64,
    /// Day of the week, 0 = Sunday.
    pub weekday: i64,
    /// Day of the year, 1-based.
    pub yday: i64,
    /// Seconds east of UTC.
    pub offset: i32,
    /// Zone abbreviation (`CET`, `EST`, `UTC`).
    pub abbreviation: String,
}

/// The zone named `name` (IANA, e.g. `Europe/Berlin`); the machine's zone when `name` is empty.
/// An unknown name is logged and read as UTC.
pub fn zone(name: &str) -> TimeZone {
    let name = name.trim();
    if name.is_empty() {
        return TimeZone::system();
    }
    TimeZone::get(name).unwrap_or_else(|e| {
        tracing::warn!("unknown time zone '{name}' ({e}); using UTC");
        TimeZone::UTC
    })
}

/// `epoch` (seconds) broken down in `tz`.
pub fn local(epoch: i64, tz: &TimeZone) -> LocalTime {
    let ts = Timestamp::from_second(epoch).unwrap_or(Timestamp::UNIX_EPOCH);
    let z = tz.to_datetime(ts);
    let info = tz.to_offset_info(ts);
    LocalTime {
        year: z.year().into(),
        month: z.month().into(),
        day: z.day().into(),
        hour: z.hour().into(),
        minute: z.minute().into(),
        second: z.second().into(),
        weekday: z.weekday().to_sunday_zero_offset().into(),
        yday: z.day_of_year().into(),
        offset: info.offset().seconds(),
        abbreviation: info.abbreviation().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_zones_apply_their_offset_and_daylight_saving() {
        let winter = local(0, &zone("America/New_York"));
        assert_eq!((winter.year, winter.month, winter.day, winter.hour), (1969, 12, 31, 19));
        assert_eq!((winter.offset, winter.abbreviation.as_str(), winter.weekday), (-5 * 3600, "EST", 3));
        let summer = local(1_782_000_000, &zone("Europe/Berlin")); // 2026-06-21
        assert_eq!((summer.offset, summer.abbreviation.as_str()), (7200, "CEST"));
    }

    #[test]
    fn an_unknown_zone_reads_as_utc() {
        assert_eq!(local(0, &zone("Nowhere/Atlantis")).abbreviation, "UTC");
    }
}
