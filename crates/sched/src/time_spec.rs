//! Time arguments of the scheduler commands: `+N` (seconds from now, fractions allowed), an absolute
//! epoch, or `@N` (recurring every N seconds for `sched_api`, an absolute epoch for `sched_broadcast`).

/// A parsed time argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeSpec {
    /// `+N`: N seconds from now.
    Relative(f64),
    /// `N`: at epoch second N.
    Absolute(f64),
    /// `@N`.
    At(f64),
}

/// A time argument that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid time '{0}' (expected +seconds, an epoch time, or @seconds)")]
pub struct TimeSpecError(pub String);

impl TimeSpec {
    /// Parses `+N`, `N` or `@N` (N may have a fractional part; it must be finite and not negative).
    pub fn parse(text: &str) -> Result<Self, TimeSpecError> {
        let err = || TimeSpecError(text.to_owned());
        let (ctor, number): (fn(f64) -> Self, &str) = match text.as_bytes().first() {
            Some(b'+') => (Self::Relative, &text[1..]),
            Some(b'@') => (Self::At, &text[1..]),
            _ => (Self::Absolute, text),
        };
        let valid = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let value: f64 = if valid { number.parse().map_err(|_| err())? } else { return Err(err()) };
        if !value.is_finite() || value > 1e12 {
            return Err(err());
        }
        Ok(ctor(value))
    }

    /// The run time in epoch milliseconds, `now_ms` being now; `At` counts as relative (recurring).
    pub fn runtime_ms(self, now_ms: i64) -> i64 {
        match self {
            Self::Relative(s) | Self::At(s) => now_ms + (s * 1000.0).round() as i64,
            Self::Absolute(s) => (s * 1000.0).round() as i64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_absolute_and_recurring_forms_parse() {
        assert_eq!(TimeSpec::parse("+600").unwrap(), TimeSpec::Relative(600.0));
        assert_eq!(TimeSpec::parse("+0.25").unwrap().runtime_ms(1_000), 1_250);
        assert_eq!(TimeSpec::parse("1700000000").unwrap().runtime_ms(0), 1_700_000_000_000);
        assert_eq!(TimeSpec::parse("@30").unwrap(), TimeSpec::At(30.0));
    }

    #[test]
    fn garbage_and_negative_times_are_refused() {
        for bad in ["", "+", "soon", "-5", "+-5", "+1e3", "1.2.3", "+inf"] {
            assert!(TimeSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
