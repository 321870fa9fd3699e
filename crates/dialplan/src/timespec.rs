//! Asterisk time specs (`times,weekdays,mdays,months[,timezone]`, e.g. `09:00-17:00,mon-fri,*,*`),
//! in the zone named last, else the machine's time zone.

use crate::localtime::{local, zone};

const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// True when the time `epoch` (seconds) falls in `spec`.
pub fn matches(spec: &str, epoch: i64) -> bool {
    let parts: Vec<&str> = spec.split([',', '|']).map(str::trim).collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or("*");
    let t = local(epoch, &zone(parts.get(4).copied().unwrap_or("")));
    let f = [t.hour, t.minute, t.weekday, t.day, t.month].map(|v| v as u32);
    time_ok(part(0), f[0] * 60 + f[1])
        && list_ok(part(1), f[2], |s| DAYS.iter().position(|d| s.eq_ignore_ascii_case(d)).map(|p| p as u32))
        && list_ok(part(2), f[3], |s| s.parse().ok())
        && list_ok(part(3), f[4], |s| MONTHS.iter().position(|m| s.eq_ignore_ascii_case(m)).map(|p| p as u32 + 1))
}

fn time_ok(spec: &str, minute: u32) -> bool {
    if spec == "*" || spec.is_empty() {
        return true;
    }
    let hm = |s: &str| {
        let (h, m) = s.split_once(':').unwrap_or((s, "0"));
        h.trim().parse::<u32>().unwrap_or(0) * 60 + m.trim().parse::<u32>().unwrap_or(0)
    };
    spec.split('&').any(|range| {
        let (a, b) = range.split_once('-').map_or((hm(range), hm(range)), |(a, b)| (hm(a), hm(b)));
        if a <= b { (a..=b).contains(&minute) } else { minute >= a || minute <= b }
    })
}

fn list_ok(spec: &str, value: u32, parse: impl Fn(&str) -> Option<u32>) -> bool {
    if spec == "*" || spec.is_empty() {
        return true;
    }
    spec.split('&').any(|range| match range.split_once('-') {
        Some((a, b)) => match (parse(a.trim()), parse(b.trim())) {
            (Some(a), Some(b)) if a <= b => (a..=b).contains(&value),
            (Some(a), Some(b)) => value >= a || value <= b,
            _ => false,
        },
        None => parse(range.trim()) == Some(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_hours_match_on_a_weekday_afternoon_only() {
        let monday_1815 = 1_795_457_746; // Mon 2026-11-23 18:15 UTC
        assert!(matches("*,*,*,*,UTC", monday_1815));
        assert!(matches("18:00-19:00,mon-fri,*,*,UTC", monday_1815));
        assert!(!matches("09:00-17:00,mon-fri,*,*,UTC", monday_1815));
        assert!(!matches("*,sat-sun,*,*,UTC", monday_1815));
        assert!(matches("*,*,23,nov,UTC", monday_1815));
        assert!(!matches("*,*,1-22,*,UTC", monday_1815));
    }

    #[test]
    fn the_zone_named_last_decides_the_local_hour_and_day() {
        let monday_1815 = 1_795_457_746; // Tue 2026-11-24 03:15 in Tokyo
        assert!(matches("03:00-04:00,tue,24,nov,Asia/Tokyo", monday_1815));
        assert!(!matches("18:00-19:00,mon,*,*,Asia/Tokyo", monday_1815));
        let here = local(monday_1815, &zone(""));
        let hour = format!("{:02}:00-{:02}:59,*,*,*", here.hour, here.hour);
        assert!(matches(&hour, monday_1815), "without a zone, the machine's zone");
    }
}
