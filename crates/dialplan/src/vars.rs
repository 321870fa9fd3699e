//! Variables as the dialplan sees them: channel variables (with `_`/`__` inheritance prefixes),
//! the built-in ones (`EXTEN`, `CONTEXT`, `UNIQUEID`, `EPOCH`…), then globals; and substrings.

use std::borrow::Cow;

use switchyard_core::Channel;

/// The value of `${name}`.
pub(crate) fn get(chan: &Channel, name: &str) -> Option<String> {
    lookup(chan, name).map(Cow::into_owned)
}

/// The value of `${name}`, borrowed when it is a channel variable.
pub(crate) fn lookup<'c>(chan: &'c Channel, name: &str) -> Option<Cow<'c, str>> {
    if let Some(v) = builtin(chan, name) {
        return Some(Cow::Owned(v));
    }
    let vars = &chan.current().variables;
    let prefixed = vars.may_have_underscored() || name.starts_with('_');
    let found = vars.get(name).or_else(|| {
        if !prefixed {
            return None;
        }
        let spellings = Spellings::of(name);
        vars.get(spellings.single()).or_else(|| vars.get(spellings.double())).or_else(|| vars.get(spellings.bare()))
    });
    match found {
        Some(v) => Some(Cow::Borrowed(v)),
        None => chan.switch().globals().get(name).map(Cow::Owned),
    }
}

fn builtin(chan: &Channel, name: &str) -> Option<String> {
    let snap = chan.current();
    Some(match name {
        "EXTEN" => snap.location.exten.as_str().to_owned(),
        "CONTEXT" => snap.location.context.as_str().to_owned(),
        "PRIORITY" => snap.location.priority.to_string(),
        "CHANNEL" => snap.name.as_str().to_owned(),
        "UNIQUEID" => snap.id.to_string(),
        "EPOCH" => (chan.switch().now().0 / 1_000_000).to_string(),
        "HANGUPCAUSE" => snap.hangup_cause.map_or(0, |c| c.asterisk_code()).to_string(),
        "CALLERID(num)" => snap.caller.number.as_str().to_owned(),
        "LANGUAGE" => snap.language.as_str().to_owned(),
        "ACCOUNTCODE" => snap.account_code.as_str().to_owned(),
        _ => return None,
    })
}

/// Sets a channel variable; an empty value removes it, as Asterisk's `Set(X=)` does. A name
/// given with or without `_`/`__` replaces the other spellings.
pub(crate) fn set(chan: &mut Channel, name: &str, value: &str) {
    // Without any `_` name on the channel, the other spellings of a plain name cannot be set.
    if chan.current().variables.may_have_underscored() || name.starts_with('_') {
        let spellings = Spellings::of(name);
        for other in [spellings.bare(), spellings.single(), spellings.double()] {
            if other != name && chan.var(other).is_some() {
                chan.unset_var(other);
            }
        }
    }
    if value.is_empty() {
        chan.unset_var(name);
    } else {
        chan.set_var(name, value);
    }
}

/// A name's three spellings (`X`, `_X`, `__X`) in one string, on the stack for usual names (this
/// runs at every variable set and every lookup of an unset name).
enum Spellings {
    Inline([u8; 64], usize),
    Heap(String),
}

impl Spellings {
    fn of(name: &str) -> Self {
        let bare = name.trim_start_matches('_').as_bytes();
        let mut buf = [0u8; 64];
        match buf.get_mut(2..2 + bare.len()) {
            Some(dest) => {
                dest.copy_from_slice(bare);
                buf[..2].copy_from_slice(b"__");
                Self::Inline(buf, bare.len() + 2)
            }
            None => Self::Heap(format!("__{}", name.trim_start_matches('_'))),
        }
    }
    fn double(&self) -> &str {
        match self {
            // The bytes are `__` and a `&str`'s bytes: always UTF-8.
            Self::Inline(buf, len) => std::str::from_utf8(&buf[..*len]).unwrap_or_default(),
            Self::Heap(s) => s,
        }
    }
    fn single(&self) -> &str {
        self.double().get(1..).unwrap_or_default()
    }
    fn bare(&self) -> &str {
        self.double().get(2..).unwrap_or_default()
    }
}

/// The variables a new channel inherits: `__X` as `__X`, `_X` as `X`.
pub(crate) fn inheritable(chan: &Channel) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in chan.current().variables.iter() {
        if k.starts_with("__") {
            out.push((k.to_owned(), v.to_owned()));
        } else if let Some(bare) = k.strip_prefix('_') {
            out.push((bare.to_owned(), v.to_owned()));
        }
    }
    out
}

/// `${VAR:offset:length}` as Asterisk cuts it (negative offset counts from the end; negative
/// length leaves that many characters off the end).
pub fn substring(value: &str, offset: i64, length: Option<i64>) -> String {
    let chars: Vec<char> = value.chars().collect();
    let len = chars.len() as i64;
    let mut start = offset;
    if start < 0 {
        start = (len + start).max(0);
    }
    if start >= len {
        return String::new();
    }
    let avail = len - start;
    let take = match length {
        None => avail,
        Some(l) if l >= 0 => l.min(avail),
        Some(l) => (avail + l).max(0),
    };
    chars[start as usize..(start + take) as usize].iter().collect()
}

/// Splits `NAME:offset:length` (colons inside parentheses belong to the name).
pub(crate) fn split_name(full: &str) -> (&str, Option<(i64, Option<i64>)>) {
    let mut depth = 0i32;
    for (i, c) in full.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ':' if depth <= 0 => {
                let rest = &full[i + 1..];
                let (off, len) = rest.split_once(':').map_or((rest, None), |(o, l)| (o, Some(l)));
                let num = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
                return (&full[..i], Some((num(off), len.map(num))));
            }
            _ => {}
        }
    }
    (full, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings_follow_asterisk_offsets_and_lengths() {
        let cases = [
            ((0, None), "1234567890"),
            ((2, None), "34567890"),
            ((-4, None), "7890"),
            ((0, Some(3)), "123"),
            ((2, Some(3)), "345"),
            ((-4, Some(2)), "78"),
            ((0, Some(-3)), "1234567"),
            ((2, Some(-3)), "34567"),
            ((-5, Some(-2)), "678"),
            ((20, None), ""),
            ((-20, Some(2)), "12"),
            ((0, Some(-20)), ""),
            ((1, Some(0)), ""),
        ];
        for ((off, len), want) in cases {
            assert_eq!(substring("1234567890", off, len), want, "{off}:{len:?}");
        }
    }

    #[test]
    fn spellings_of_short_and_long_names_agree() {
        for name in ["X", "_X", "__X", &"L".repeat(62), &"L".repeat(63), &format!("_{}", "é".repeat(40))] {
            let s = Spellings::of(name);
            let bare = name.trim_start_matches('_');
            assert_eq!((s.bare(), s.single(), s.double()), (bare, &*format!("_{bare}"), &*format!("__{bare}")));
        }
    }

    #[test]
    fn names_split_at_colons_outside_parentheses() {
        assert_eq!(split_name("X:1:2"), ("X", Some((1, Some(2)))));
        assert_eq!(split_name("X:-3"), ("X", Some((-3, None))));
        assert_eq!(split_name("CUT(a,:,2)"), ("CUT(a,:,2)", None));
        assert_eq!(split_name("CALLERID(num):0:3"), ("CALLERID(num)", Some((0, Some(3)))));
    }
}
