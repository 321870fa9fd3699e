//! Extension names and patterns (`_NXX`, `_[1-5a-c].`, `_9!`): matching, and Asterisk's sort order
//! (literals first, then patterns by how many characters each position admits).

use std::cmp::Ordering;

/// One position of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Elem {
    /// Exactly this character.
    Char(char),
    /// Any character of the set (`N`, `X`, `Z`, `[…]`), as a 256-bit map.
    Set(Box<[bool; 256]>),
    /// `.`: one or more characters.
    Dot,
    /// `!`: zero or more characters.
    Bang,
}

/// An extension name as written: a literal (`100`, `s`) or a pattern (`_1XX`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    elems: Option<Vec<Elem>>,
}

impl Pattern {
    /// Parses an extension name; a leading `_` makes it a pattern.
    pub fn new(text: &str) -> Self {
        let elems = text.strip_prefix('_').map(parse_elems);
        Self { text: text.to_owned(), elems }
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True for a `_` pattern.
    pub fn is_pattern(&self) -> bool {
        self.elems.is_some()
    }

    /// True when `exten` matches completely.
    pub fn matches(&self, exten: &str) -> bool {
        match &self.elems {
            None => without_fluff(&self.text).eq(without_fluff(exten)),
            Some(elems) => match_elems(elems, &exten.chars().filter(|c| *c != '-').collect::<Vec<_>>(), false),
        }
    }

    /// True when `exten` followed by more characters could match (Asterisk's "match more").
    pub fn could_match_more(&self, exten: &str) -> bool {
        match &self.elems {
            None => {
                let (t, e) = (strip_fluff(&self.text), strip_fluff(exten));
                t.len() > e.len() && t.starts_with(&e)
            }
            Some(elems) => match_elems(elems, &exten.chars().collect::<Vec<_>>(), true),
        }
    }
}

fn strip_fluff(s: &str) -> String {
    without_fluff(s).collect()
}

/// The characters of `s` without the `-` that Asterisk ignores in extensions.
fn without_fluff(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| *c != '-')
}

fn set_of(chars: impl IntoIterator<Item = char>) -> Elem {
    let mut map = Box::new([false; 256]);
    for c in chars {
        if (c as u32) < 256 {
            map[c as usize] = true;
        }
    }
    Elem::Set(map)
}

fn parse_elems(p: &str) -> Vec<Elem> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '-' => {}
            'N' | 'n' => out.push(set_of('2'..='9')),
            'X' | 'x' => out.push(set_of('0'..='9')),
            'Z' | 'z' => out.push(set_of('1'..='9')),
            '.' => out.push(Elem::Dot),
            '!' => out.push(Elem::Bang),
            '[' => {
                let end = chars[i..].iter().position(|c| *c == ']').map_or(chars.len(), |p| i + p);
                out.push(set_of(expand_set(&chars[i..end])));
                i = end + 1;
            }
            c => out.push(Elem::Char(c)),
        }
    }
    out
}

fn expand_set(body: &[char]) -> Vec<char> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == '-' {
            out.extend(body[i]..=body[i + 2]);
            i += 3;
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

fn match_elems(elems: &[Elem], s: &[char], partial: bool) -> bool {
    match elems.first() {
        None => s.is_empty() && !partial,
        Some(Elem::Dot) => !s.is_empty() || partial,
        Some(Elem::Bang) => true,
        Some(e) => match s.first() {
            None => partial,
            Some(c) => elem_admits(e, *c) && match_elems(&elems[1..], &s[1..], partial),
        },
    }
}

fn elem_admits(e: &Elem, c: char) -> bool {
    match e {
        Elem::Char(x) => *x == c,
        Elem::Set(map) => (c as u32) < 256 && map[c as usize],
        Elem::Dot | Elem::Bang => true,
    }
}

/// Asterisk's order of extensions in a context: literals (by name) before patterns; patterns
/// position by position, the position admitting fewer characters first.
pub fn compare(a: &Pattern, b: &Pattern) -> Ordering {
    match (&a.elems, &b.elems) {
        (None, None) => strip_fluff(&a.text).cmp(&strip_fluff(&b.text)),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => compare_elems(x, y),
    }
}

/// The weight of one position: (how specific, then which set) — lower sorts first.
fn weight(e: Option<&Elem>) -> (u32, [u8; 32]) {
    let mut bits = [0u8; 32];
    let w = match e {
        None => 0x30000,
        Some(Elem::Char(c)) => {
            let b = (*c as u32).min(255) as usize;
            bits[b / 8] = 1 << (7 - b % 8);
            0x100 | b as u32
        }
        Some(Elem::Set(map)) => {
            let mut count = 0;
            let mut min = 255;
            for (i, on) in map.iter().enumerate().filter(|(_, on)| **on) {
                let _ = on;
                bits[i / 8] |= 1 << (7 - i % 8);
                count += 0x100;
                min = min.min(i as u32);
            }
            count | min
        }
        Some(Elem::Dot) => 0x18000,
        Some(Elem::Bang) => 0x28000,
    };
    (w, bits)
}

fn compare_elems(a: &[Elem], b: &[Elem]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..=n {
        let ((wa, ba), (wb, bb)) = (weight(a.get(i)), weight(b.get(i)));
        // Equal weights: the set with the lower characters sorts first (its high bits are set).
        let ord = wa.cmp(&wb).then_with(|| bb.cmp(&ba));
        if ord != Ordering::Equal || (a.get(i).is_none() && b.get(i).is_none()) {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<Pattern> = names.iter().map(|n| Pattern::new(n)).collect();
        v.sort_by(compare);
        v.into_iter().map(|p| p.as_str().to_owned()).collect()
    }

    #[test]
    fn patterns_match_as_asterisk_documents() {
        assert!(Pattern::new("_NXX").matches("200"));
        assert!(!Pattern::new("_NXX").matches("100"));
        assert!(Pattern::new("_Z").matches("1") && !Pattern::new("_Z").matches("0"));
        assert!(Pattern::new("_[1-5a-c]").matches("b") && !Pattern::new("_[1-5a-c]").matches("6"));
        assert!(Pattern::new("_9.").matches("91") && !Pattern::new("_9.").matches("9"));
        assert!(Pattern::new("_9!").matches("9") && Pattern::new("_9!").matches("912"));
        assert!(Pattern::new("100").matches("100") && !Pattern::new("100").matches("1000"));
    }

    #[test]
    fn could_match_more_sees_longer_candidates() {
        assert!(Pattern::new("_1XX").could_match_more("1"));
        assert!(!Pattern::new("_1XX").could_match_more("100"));
        assert!(Pattern::new("123").could_match_more("12"));
        assert!(Pattern::new("_9.").could_match_more("9"));
    }

    #[test]
    fn literals_sort_before_patterns_and_narrow_sets_before_wide() {
        assert_eq!(
            sorted(&["_X.", "_!", "_NXX", "_1XX", "_ZXX", "_XXX", "100", "_[1-3]XX", "_.", "s"]),
            vec!["100", "s", "_1XX", "_[1-3]XX", "_NXX", "_ZXX", "_XXX", "_X.", "_.", "_!"]
        );
    }

    #[test]
    fn longer_patterns_sort_before_shorter_ones_they_extend_as_in_asterisk() {
        assert_eq!(sorted(&["_1XX", "_1XXX"]), vec!["_1XXX", "_1XX"]);
    }
}
