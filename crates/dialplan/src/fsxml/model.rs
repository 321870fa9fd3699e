//! The XML dialplan's own IR: contexts of extensions of conditions with actions and anti-actions.
//! A sibling of the Asterisk IR (`crate::ir`), because conditions, anti-actions, `break` and
//! `continue` have no counterpart in numbered priorities. Built once at load, then read-only.

use std::collections::HashMap;

use regex::Regex;

use crate::ir::Source;

/// A loaded XML dialplan.
#[derive(Clone, Debug, Default)]
pub struct XmlDialplan {
    /// Contexts by name (a context defined in several files is merged, in load order).
    pub contexts: HashMap<String, XmlContext>,
    /// `X-PRE-PROCESS cmd="set"` globals, in order.
    pub globals: Vec<(String, String)>,
    /// Files read, in order.
    pub files: Vec<String>,
}

impl XmlDialplan {
    /// Context names, sorted.
    pub fn context_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.contexts.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Every action and anti-action (nested conditions' too), with where it is.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        let mut out = Vec::new();
        for ext in self.contexts.values().flat_map(|c| c.extensions.iter()) {
            collect_actions(&ext.conditions, &mut out);
        }
        out.into_iter()
    }

    /// Number of extensions in all contexts.
    pub fn extension_count(&self) -> usize {
        self.contexts.values().map(|c| c.extensions.len()).sum()
    }
}

/// `<context name="…">`.
#[derive(Clone, Debug, Default)]
pub struct XmlContext {
    /// Name.
    pub name: String,
    /// Extensions in document order (hunting order).
    pub extensions: Vec<XmlExtension>,
    /// Which extensions can match a destination (built when loading finishes).
    pub index: super::index::DestIndex,
}

/// `<extension name="…" continue="true">`.
#[derive(Clone, Debug)]
pub struct XmlExtension {
    /// Name (FreeSWITCH logs it; `${current_extension}`).
    pub name: String,
    /// `continue="true"`: hunting goes on after this extension matched.
    pub continue_on_match: bool,
    /// Conditions in order.
    pub conditions: Vec<Condition>,
    /// Where it starts.
    pub source: Source,
}

/// When evaluation of an extension stops at a condition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Break {
    /// Stop when the condition is false (the default).
    #[default]
    OnFalse,
    /// Stop when it is true.
    OnTrue,
    /// Stop after it, whatever it gave.
    Always,
    /// Go on to the next condition whatever it gave.
    Never,
}

impl Break {
    /// Parses the attribute value.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "on-false" => Self::OnFalse,
            "on-true" => Self::OnTrue,
            "always" => Self::Always,
            "never" => Self::Never,
            _ => return None,
        })
    }
}

/// How `<regex>` children combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegexMode {
    /// All must match.
    All,
    /// At least one must match.
    Any,
    /// Exactly one must match.
    Xor,
}

/// A compiled regular expression with a cheap pre-check: the literal text every match of an
/// `^`-anchored pattern starts with (so most non-matching extensions are skipped without running
/// the regex).
#[derive(Clone, Debug)]
pub struct FieldRegex {
    /// The expression as written.
    pub text: String,
    /// Compiled.
    pub regex: Regex,
    /// Required prefix of the subject.
    pub prefix: String,
}

impl FieldRegex {
    /// Compiles `text`.
    pub fn new(text: &str) -> Result<Self, regex::Error> {
        Ok(Self { text: text.to_owned(), regex: Regex::new(text)?, prefix: anchored_prefix(text) })
    }

    /// The captures (`$0…$n`) when `subject` matches; with `want_captures` false an empty list
    /// (a plain match test, much cheaper than capturing).
    pub fn captures(&self, subject: &str, want_captures: bool) -> Option<Vec<String>> {
        if !subject.starts_with(self.prefix.as_str()) {
            return None;
        }
        if !want_captures {
            return self.regex.is_match(subject).then(Vec::new);
        }
        let caps = self.regex.captures(subject)?;
        Some(caps.iter().map(|m| m.map_or(String::new(), |m| m.as_str().to_owned())).collect())
    }
}

/// The literal text every match of `text` starts with: after a leading `^`, the literal characters
/// up to the first metacharacter, looking into leading groups (`^(1000)$`, `^(?:9)`) unless a group
/// is optional; a character made optional or repeatable by the quantifier after it is left out.
/// Empty when the pattern has no anchor or an alternation.
fn anchored_prefix(text: &str) -> String {
    let Some(rest) = text.strip_prefix('^').filter(|_| !text.contains('|')) else { return String::new() };
    let bytes = rest.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c == '(' {
            let inner = if rest[i + 1..].starts_with("?:") { i + 3 } else { i + 1 };
            if rest[inner..].starts_with('?') || group_is_optional(rest, i) {
                break;
            }
            i = inner;
            continue;
        }
        if !c.is_ascii() || "\\.[](){}|?*+^$".contains(c) {
            if matches!(c, '?' | '*' | '{') {
                out.pop();
            }
            break;
        }
        if matches!(bytes.get(i + 1), Some(b'?' | b'*' | b'{')) {
            break;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// True when the group opening at byte `open` of `text` is followed by `?`, `*` or `{` (or never closes).
fn group_is_optional(text: &str, open: usize) -> bool {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return matches!(bytes.get(i + 1), Some(b'?' | b'*' | b'{'));
                }
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// One field test: `field` (a caller-profile field, a variable name or `${…}` text) against a regex.
/// A `<regex>` child without a field tests only its time attributes (true when it has none), as
/// mod_dialplan_xml's "absolute condition".
#[derive(Clone, Debug)]
pub struct FieldTest {
    /// The field as written (empty for a time-only `<regex>`).
    pub field: String,
    /// The expression.
    pub regex: FieldRegex,
    /// Time attributes of a `<regex>` without a field.
    pub time: Vec<super::time::TimeTest>,
}

/// What a condition tests.
#[derive(Clone, Debug, Default)]
pub struct Test {
    /// Time-of-day attributes (all must hold).
    pub time: Vec<super::time::TimeTest>,
    /// `field`/`expression` or `<regex>` children.
    pub fields: FieldTests,
}

/// The field part of a condition.
#[derive(Clone, Debug, Default)]
pub enum FieldTests {
    /// No field: the condition is true unless a time test fails.
    #[default]
    None,
    /// `field="…" expression="…"`.
    One(FieldTest),
    /// `regex="all|any|xor"` with `<regex>` children.
    Many(RegexMode, Vec<FieldTest>),
}

/// `<condition>`.
#[derive(Clone, Debug)]
pub struct Condition {
    /// The test.
    pub test: Test,
    /// `break=`.
    pub brk: Break,
    /// `<action>`s, run when true.
    pub actions: Vec<Action>,
    /// `<anti-action>`s, run when false.
    pub anti_actions: Vec<Action>,
    /// Some action's data refers to a capture (`$N`), so a match must capture.
    pub uses_captures: bool,
    /// `<condition>`s inside this one, evaluated (as a list of their own) after its actions when
    /// it is true.
    pub nested: Vec<Condition>,
    /// `require-nested` (default true): the nested conditions must end true for this one to count
    /// as true.
    pub require_nested: bool,
    /// Where it starts.
    pub source: Source,
}

fn collect_actions<'a>(conditions: &'a [Condition], out: &mut Vec<&'a Action>) {
    for c in conditions {
        out.extend(c.actions.iter().chain(c.anti_actions.iter()));
        collect_actions(&c.nested, out);
    }
}

/// `<action application="…" data="…" inline="true"/>` (or an anti-action).
#[derive(Clone, Debug)]
pub struct Action {
    /// Application name.
    pub app: String,
    /// Data as written (`$N` and `${…}` still in it).
    pub data: String,
    /// Run while hunting.
    pub inline: bool,
    /// Where it is.
    pub source: Source,
}

#[cfg(test)]
mod tests {
    use super::anchored_prefix;

    #[test]
    fn prefixes_stop_at_metacharacters_and_drop_quantified_characters() {
        assert_eq!(anchored_prefix("^7001$"), "7001");
        assert_eq!(anchored_prefix("^(10[01][0-9])$"), "10");
        assert_eq!(anchored_prefix("^(1000)$"), "1000");
        assert_eq!(anchored_prefix("^(?:9)(\\d+)$"), "9");
        assert_eq!(anchored_prefix("^(9)?1"), "");
        assert_eq!(anchored_prefix("^(?i)abc"), "");
        assert_eq!(anchored_prefix("^é1"), "");
        assert_eq!(anchored_prefix("^10[01]"), "10");
        assert_eq!(anchored_prefix("^12?3"), "1");
        assert_eq!(anchored_prefix("^ab*"), "a");
        assert_eq!(anchored_prefix("^9\\d+"), "9");
        assert_eq!(anchored_prefix("7001"), "");
        assert_eq!(anchored_prefix("^100|^200"), "");
    }
}
