//! `SharedStr`: an immutable string whose clone is a reference count, for snapshot fields that every
//! copy of a channel snapshot carries (names, dialplan location, caller id).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// An immutable, cheaply cloned string. Reads like a `&str` (it derefs to one); replace it whole
/// (`field = value.into()`) to change it. The empty string holds no allocation, so cloning it
/// touches no reference count (many snapshot fields are empty).
#[derive(Clone, Default)]
pub struct SharedStr(Option<Arc<str>>);

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }

    /// How many holders share the text (0 for the empty string); a plain read, for `retire`.
    pub(crate) fn ref_count(&self) -> usize {
        self.0.as_ref().map_or(0, Arc::strong_count)
    }

    /// Replaces the text with `text` unless it is already that (so an unchanged field costs nothing).
    pub fn set(&mut self, text: &str) {
        if self.as_str() != text {
            *self = Self::from(text);
        }
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

/// Hashes as the `str` it holds (required by `Borrow<str>`).
impl Hash for SharedStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        Self((!s.is_empty()).then(|| Arc::from(s)))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        Self((!s.is_empty()).then(|| Arc::from(s)))
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
        s.as_str().to_owned()
    }
}

impl From<&SharedStr> for String {
    fn from(s: &SharedStr) -> Self {
        s.as_str().to_owned()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == other.as_str()
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
        assert!(std::ptr::eq(s.as_str(), before.as_str()));
        s.set("other");
        assert_eq!(s, "other");
        assert_eq!(before, "ctx");
    }

    #[test]
    fn empty_strings_hold_no_allocation_and_equal_each_other() {
        let (a, b) = (SharedStr::default(), SharedStr::from(String::new()));
        assert!(a.0.is_none() && b.0.is_none());
        assert_eq!((a.as_str(), &a), ("", &b));
        assert_eq!(SharedStr::default().cmp(&SharedStr::from("a")), Ordering::Less);
    }

    #[test]
    fn hashes_as_the_str_it_holds() {
        let mut set = std::collections::HashSet::new();
        set.insert(SharedStr::from("ctx"));
        assert!(set.contains("ctx"));
        set.insert(SharedStr::default());
        assert!(set.contains(""));
    }
}
