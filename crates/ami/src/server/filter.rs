//! `Filter` action semantics (Asterisk 13+): regexes over an event's text; `!` excludes. With any
//! include filter, an event must match one; an exclude match always drops it.

use regex::Regex;

/// A session's filters.
#[derive(Debug, Default)]
pub struct Filters {
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl Filters {
    /// Adds `[!]regex`; Err when the regex does not compile.
    pub fn add(&mut self, filter: &str) -> Result<(), regex::Error> {
        let (list, expr) = match filter.strip_prefix('!') {
            Some(e) => (&mut self.exclude, e),
            None => (&mut self.include, filter),
        };
        list.push(Regex::new(expr)?);
        Ok(())
    }

    /// Whether an event with this text passes.
    pub fn pass(&self, text: &str) -> bool {
        if self.exclude.iter().any(|r| r.is_match(text)) {
            return false;
        }
        self.include.is_empty() || self.include.iter().any(|r| r.is_match(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_filters_keep_only_matching_events_and_excludes_win() {
        let mut f = Filters::default();
        assert!(f.pass("Event: Newexten\r\n"));
        f.add("Event: New").unwrap();
        f.add("!Event: Newexten").unwrap();
        assert!(f.pass("Event: Newchannel\r\n"));
        assert!(!f.pass("Event: Newexten\r\n"));
        assert!(!f.pass("Event: Hangup\r\n"));
        assert!(f.add("(").is_err());
    }
}
