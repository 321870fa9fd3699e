//! `SharedStr`: an immutable string whose clone is a copy (short text) or a reference count, for
//! snapshot fields that every copy of a channel snapshot carries (names, dialplan location, caller
//! id) and the texts events carry.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use smol_str::SmolStr;

/// An immutable, cheaply cloned string. Reads like a `&str` (it derefs to one); replace it whole
/// (`field = value.into()`) to change it.
///
/// Text of up to 23 bytes (`smol_str`) is held in place: making, cloning and dropping it allocate
/// nothing and touch no reference count (most dialplan texts are that short: contexts, extensions,
/// application names and arguments, variable values). Longer text is shared by reference count.
#[derive(Clone, Default)]
pub struct SharedStr(SmolStr);

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Reads the text's first byte (in its allocation when it has one); a plain read, for `retire`.
    pub(crate) fn touch(&self) -> usize {
        self.0.as_bytes().first().map_or(0, |b| usize::from(*b))
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
        // `new_inline` copies byte by byte, cheaper than the general copy for such short text.
        Self(if s.len() <= SmolStr::INLINE_CAP { SmolStr::new_inline(s) } else { SmolStr::new(s) })
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        Self(SmolStr::from(s))
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
        const LONG: &str = "a context name longer than 23 bytes";
        let mut s = SharedStr::from(LONG);
        let before = s.clone();
        s.set(LONG);
        assert!(std::ptr::eq(s.as_str(), before.as_str()));
        s.set("other");
        assert_eq!(s, "other");
        assert_eq!(before, LONG);
    }

    #[test]
    fn short_strings_hold_no_allocation_and_long_ones_are_shared() {
        let short = SharedStr::from("exactly 23 bytes long!!");
        assert!(!short.0.is_heap_allocated() && !SharedStr::from(String::from("s")).0.is_heap_allocated());
        let long = SharedStr::from(String::from("twenty-four bytes long!!"));
        assert!(long.0.is_heap_allocated());
        assert!(std::ptr::eq(long.clone().as_str(), long.as_str()));
        assert_eq!((short.touch(), long.touch()), (usize::from(b'e'), usize::from(b't')));
    }

    #[test]
    fn empty_strings_hold_no_allocation_and_equal_each_other() {
        let (a, b) = (SharedStr::default(), SharedStr::from(String::new()));
        assert!(!a.0.is_heap_allocated() && !b.0.is_heap_allocated());
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
