//! Permission classes: a user's `read`/`write` sets, an event's class (`Privilege:` header) and the
//! classes an action needs, with Asterisk's bit values.

use std::fmt;

/// A set of classes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Privilege(pub u32);

/// Names and bits in Asterisk's order (`perms[]` in manager.c).
pub const CLASSES: &[(&str, u32)] = &[
    ("system", 1),
    ("call", 1 << 1),
    ("log", 1 << 2),
    ("verbose", 1 << 3),
    ("command", 1 << 4),
    ("agent", 1 << 5),
    ("user", 1 << 6),
    ("config", 1 << 7),
    ("dtmf", 1 << 8),
    ("reporting", 1 << 9),
    ("cdr", 1 << 10),
    ("dialplan", 1 << 11),
    ("originate", 1 << 12),
    ("agi", 1 << 13),
    ("cc", 1 << 14),
    ("aoc", 1 << 15),
    ("test", 1 << 16),
    ("security", 1 << 17),
    ("message", 1 << 18),
];

impl Privilege {
    /// No class.
    pub const NONE: Self = Self(0);
    /// Every class.
    pub const ALL: Self = Self((1 << 19) - 1);
    /// `system`.
    pub const SYSTEM: Self = Self(1);
    /// `call`.
    pub const CALL: Self = Self(1 << 1);
    /// `command`.
    pub const COMMAND: Self = Self(1 << 4);
    /// `user`.
    pub const USER: Self = Self(1 << 6);
    /// `config`.
    pub const CONFIG: Self = Self(1 << 7);
    /// `dtmf`.
    pub const DTMF: Self = Self(1 << 8);
    /// `reporting`.
    pub const REPORTING: Self = Self(1 << 9);
    /// `dialplan`.
    pub const DIALPLAN: Self = Self(1 << 11);
    /// `originate`.
    pub const ORIGINATE: Self = Self(1 << 12);
    /// `security`.
    pub const SECURITY: Self = Self(1 << 17);

    /// Union.
    pub const fn or(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// True when every class of `other` is in `self`.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when the sets share a class.
    pub fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// True when empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// As in a `Privilege:` header: the classes, then `all` (Asterisk's `authority_to_str`, where the
/// `all` entry matches any non-empty set).
impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("<none>");
        }
        for (name, bit) in CLASSES {
            if self.0 & bit != 0 {
                write!(f, "{name},")?;
            }
        }
        f.write_str("all")
    }
}

/// A class list (`system,call`), `all`, `on`/`yes` (everything), `off`/`no`/`none`, or a number.
/// `None` when a word is not a class.
pub fn parse_classes(text: &str) -> Option<Privilege> {
    let text = text.trim();
    if let Ok(n) = text.parse::<u32>() {
        return Some(Privilege(n & Privilege::ALL.0));
    }
    let mut set = Privilege::NONE;
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let w = word.to_ascii_lowercase();
        match w.as_str() {
            "all" | "on" | "yes" | "true" => set = Privilege::ALL,
            "off" | "no" | "none" | "false" => {}
            _ => set = set.or(Privilege(CLASSES.iter().find(|(n, _)| *n == w)?.1)),
        }
    }
    Some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_class_prints_with_all_after_it() {
        assert_eq!(Privilege::CALL.to_string(), "call,all");
        assert_eq!(Privilege::SYSTEM.or(Privilege::REPORTING).to_string(), "system,reporting,all");
    }

    #[test]
    fn class_lists_parse_case_insensitively() {
        assert_eq!(parse_classes("System, CALL"), Some(Privilege::SYSTEM.or(Privilege::CALL)));
        assert_eq!(parse_classes("on"), Some(Privilege::ALL));
        assert_eq!(parse_classes("off"), Some(Privilege::NONE));
        assert_eq!(parse_classes("bogus"), None);
    }

    proptest::proptest! {
        #[test]
        fn printed_sets_parse_back(bits in 1u32..(1 << 19)) {
            let p = Privilege(bits);
            let text = p.to_string();
            let listed = text.trim_end_matches("all").trim_end_matches(',');
            proptest::prop_assert_eq!(parse_classes(listed), Some(p));
        }
    }
}
