//! `SharedStr`: an immutable string whose clone is a reference count, for snapshot fields that every
//! copy of a channel snapshot carries (names, dialplan location, caller id).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// An immutable, cheaply cloned string. Reads like a `&str` (it derefs to one); replace it whole
/// (`field = value.into()`) to change it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Replaces the text with `text` unless it is already that (so an unchanged field costs nothing).
    pub fn set(&mut self, text: &str) {
        if *self.0 != *text {
            *self = Self::from(text);
        }
    }
}

impl Default for SharedStr {
    /// The empty string, shared by every empty field (no allocation per use).
    fn default() -> Self {
        static EMPTY: OnceLock<Arc<str>> = OnceLock::new();
        Self(EMPTY.get_or_init(|| Arc::from("")).clone())
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        if s.is_empty() { Self::default() } else { Self(Arc::from(s)) }
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        if s.is_empty() { Self::default() } else { Self(Arc::from(s)) }
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> Self {
        Self::from(s.as_str())
    }
}

impl From<&SharedStr> for SharedStr {
    fn from(s: &SharedStr) -> Self {
        s.clone()
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> Self {
        s.0.to_string()
    }
}

impl From<&SharedStr> for String {
    fn from(s: &SharedStr) -> Self {
        s.0.to_string()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == *other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_compares_like_a_str() {
        let s = SharedStr::from("abc");
        assert_eq!(s, "abc");
        assert_eq!("abc", s);
        assert_eq!(s, "abc".to_owned());
        assert!(s.starts_with("ab"));
        assert_eq!(format!("{s}/{s:?}"), "abc/\"abc\"");
        assert_eq!(String::from(s.clone()), "abc");
    }

    #[test]
    fn set_keeps_the_same_text_shared_and_replaces_other_text() {
        let mut s = SharedStr::from("ctx");
        let before = s.clone();
        s.set("ctx");
        assert!(Arc::ptr_eq(&s.0, &before.0));
        s.set("other");
        assert_eq!(s, "other");
        assert_eq!(before, "ctx");
    }

    #[test]
    fn empty_strings_share_one_allocation() {
        let (a, b) = (SharedStr::default(), SharedStr::from(String::new()));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(a.is_empty());
    }
}
