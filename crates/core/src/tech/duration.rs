//! Durations as written in dial strings and commands: `200ms`, `1.5s`, `2m`, or bare seconds.

use std::time::Duration;

/// A duration that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration '{0}' (expected e.g. 200ms, 1.5s, 2m, or a number of seconds)")]
pub struct DurationError(pub String);

/// Parses `200ms`, `1.5s`, `2m`, `1h` or bare (fractional) seconds.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let err = || DurationError(text.to_owned());
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().map_err(|_| err())?;
    let scale = match unit {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(err()),
    };
    let secs = value * scale;
    if !secs.is_finite() || secs > 31_536_000.0 {
        return Err(err());
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_understood() {
        assert_eq!(parse_duration("200ms").unwrap(), Duration::from_millis(200));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
    }

    #[test]
    fn nonsense_is_refused_with_the_text() {
        for bad in ["", "ms", "5 parsecs", "-1s", "1e400", "1.2.3s"] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("'{bad}'")), "{bad}");
        }
    }
}
