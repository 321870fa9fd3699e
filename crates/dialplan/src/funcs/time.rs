//! `STRFTIME([epoch][,timezone][,format])` in the machine's time zone or the one named, with C
//! `strftime` conversions and Asterisk's `%q`.

use jiff::tz::TimeZone;
use switchyard_core::Channel;

use crate::localtime::{local, zone};

const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(super) fn strftime_func(chan: &Channel, args: &str) -> String {
    let mut parts = args.splitn(3, ',');
    let epoch = parts.next().unwrap_or("").trim();
    let zone_name = parts.next().unwrap_or("").trim();
    let format = parts.next().unwrap_or("");
    let now_us = chan.switch().now().0;
    let (secs, micros) = match epoch.parse::<f64>() {
        Ok(e) => (e.floor() as i64, ((e.fract()) * 1e6) as i64),
        Err(_) => (now_us.div_euclid(1_000_000), now_us.rem_euclid(1_000_000)),
    };
    strftime_in(secs, micros, if format.is_empty() { "%c" } else { format }, &zone(zone_name))
}

/// Formats `secs` (+`micros`) since the epoch in UTC (see `strftime_in`).
pub fn strftime(secs: i64, micros: i64, format: &str) -> String {
    strftime_in(secs, micros, format, &TimeZone::UTC)
}

/// Formats `secs` (+`micros`) since the epoch in `tz`, with C `strftime` conversions (C locale) and
/// Asterisk's `%q` (fractions of a second, `%1q`…`%6q`).
pub fn strftime_in(secs: i64, micros: i64, format: &str, tz: &TimeZone) -> String {
    let t = local(secs, tz);
    let (y, m, d, h, mi, s) = (t.year, t.month, t.day, t.hour, t.minute, t.second);
    let (wday, yday) = (t.weekday as usize, t.yday);
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(dg) = chars.peek().filter(|c| c.is_ascii_digit()) {
            digits.push(*dg);
            chars.next();
        }
        let Some(conv) = chars.next() else { break };
        let month = MONTHS[(m - 1) as usize];
        let text = match conv {
            'Y' => y.to_string(),
            'y' => format!("{:02}", y.rem_euclid(100)),
            'C' => format!("{:02}", y / 100),
            'm' => format!("{m:02}"),
            'd' => format!("{d:02}"),
            'e' => format!("{d:2}"),
            'H' => format!("{h:02}"),
            'I' => format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 }),
            'M' => format!("{mi:02}"),
            'S' => format!("{s:02}"),
            'p' => (if h < 12 { "AM" } else { "PM" }).into(),
            'j' => format!("{yday:03}"),
            'a' => DAYS[wday][..3].into(),
            'A' => DAYS[wday].into(),
            'u' => (if wday == 0 { 7 } else { wday }).to_string(),
            'w' => wday.to_string(),
            'b' | 'h' => month[..3].into(),
            'B' => month.into(),
            's' => secs.to_string(),
            'T' => format!("{h:02}:{mi:02}:{s:02}"),
            'R' => format!("{h:02}:{mi:02}"),
            'D' => format!("{m:02}/{d:02}/{:02}", y.rem_euclid(100)),
            'F' => format!("{y}-{m:02}-{d:02}"),
            'c' => format!("{} {} {d:2} {h:02}:{mi:02}:{s:02} {y}", &DAYS[wday][..3], &month[..3]),
            'Z' => t.abbreviation.clone(),
            'z' => {
                let (sign, off) = if t.offset < 0 { ('-', -t.offset) } else { ('+', t.offset) };
                format!("{sign}{:02}{:02}", off / 3600, off % 3600 / 60)
            }
            'n' => "\n".into(),
            't' => "\t".into(),
            '%' => "%".into(),
            'q' => {
                let n: usize = digits.parse().unwrap_or(3).clamp(1, 6);
                format!("{:06}", micros)[..n].to_owned()
            }
            other => format!("%{other}"),
        };
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strftime_formats_utc_like_c() {
        assert_eq!(strftime(1_795_457_746, 0, "%Y-%m-%d %H:%M:%S"), "2026-11-23 18:15:46");
        assert_eq!(strftime(0, 0, "%a %b %e %j %A %B %s %%"), "Thu Jan  1 001 Thursday January 0 %");
        assert_eq!(strftime(86_400 * 59, 123_456, "%F %T.%3q"), "1970-03-01 00:00:00.123");
        assert_eq!(strftime(1_795_457_746, 0, "%c"), "Mon Nov 23 18:15:46 2026");
    }

    #[test]
    fn strftime_in_a_named_zone_shows_its_local_time_name_and_offset() {
        let tz = zone("Asia/Kolkata");
        assert_eq!(strftime_in(0, 0, "%F %T %Z %z", &tz), "1970-01-01 05:30:00 IST +0530");
        let ny = zone("America/New_York");
        assert_eq!(strftime_in(0, 0, "%a %e %H %Z %z", &ny), "Wed 31 19 EST -0500");
    }
}
