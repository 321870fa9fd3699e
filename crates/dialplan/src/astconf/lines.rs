//! Splitting `extensions.conf` text into lines: comments (`;`, `;-- --;`, `\;`), headers,
//! `#include` and `key => value` items, each with its position.

use std::sync::Arc;

use crate::error::DialplanError;

/// What a line holds.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum LineKind {
    /// `[name]`, `[name](!)`, `[name](tmpl1,tmpl2)`.
    Header { name: String, options: Vec<String> },
    /// `#include "file"`.
    Include(String),
    /// `key => value` or `key = value`; `value_col` is the 1-based column where the value starts.
    Item { key: String, value: String, value_col: usize },
}

/// A meaningful line.
#[derive(Debug)]
pub(super) struct Line {
    pub file: Arc<str>,
    pub number: usize,
    pub kind: LineKind,
}

/// The meaningful lines of `text`.
pub(super) fn lines(file: &Arc<str>, text: &str) -> Result<Vec<Line>, DialplanError> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let stripped = strip_comment(raw, &mut in_block);
        let body = stripped.trim();
        if body.is_empty() {
            continue;
        }
        let lead = stripped.len() - stripped.trim_start().len();
        let kind = classify(body, lead).map_err(|(col, what)| DialplanError::parse(file, number, col, what))?;
        out.push(Line { file: file.clone(), number, kind });
    }
    Ok(out)
}

/// Removes comments; `\;` becomes `;`. Block comments `;-- … --;` may span lines.
fn strip_comment(raw: &str, in_block: &mut bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    loop {
        if *in_block {
            match rest.find("--;") {
                Some(end) => {
                    *in_block = false;
                    rest = &rest[end + 3..];
                }
                None => return out,
            }
        }
        let mut chars = rest.char_indices().peekable();
        let mut cut = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if rest[i + 1..].starts_with(';') => {
                    out.push(';');
                    chars.next();
                }
                ';' => {
                    cut = Some(i);
                    break;
                }
                c => out.push(c),
            }
        }
        let Some(i) = cut else { return out };
        if rest[i..].starts_with(";--") {
            *in_block = true;
            rest = &rest[i + 3..];
        } else {
            return out;
        }
    }
}

type LineError = (usize, String);

fn classify(body: &str, lead: usize) -> Result<LineKind, LineError> {
    if let Some(rest) = body.strip_prefix('[') {
        return header(rest, lead);
    }
    if let Some(rest) = body.strip_prefix('#') {
        return directive(rest, lead);
    }
    let Some(eq) = body.find('=') else {
        let word = body.split_whitespace().next().unwrap_or(body);
        return Err((lead + body.len() + 1, format!("'=>' after '{word}'")));
    };
    let key = body[..eq].trim().to_owned();
    if key.is_empty() {
        return Err((lead + 1, "a name before '=>'".into()));
    }
    let after = &body[eq + 1..];
    let after = after.strip_prefix('>').unwrap_or(after);
    let value_start = body.len() - after.trim_start().len();
    Ok(LineKind::Item { key, value: after.trim().to_owned(), value_col: lead + value_start + 1 })
}

fn header(rest: &str, lead: usize) -> Result<LineKind, LineError> {
    let Some(close) = rest.find(']') else {
        return Err((lead + rest.len() + 2, "']' closing the context name".into()));
    };
    let name = rest[..close].trim().to_owned();
    if name.is_empty() {
        return Err((lead + 2, "a context name inside '[ ]'".into()));
    }
    let tail = rest[close + 1..].trim();
    let options = match tail {
        "" => Vec::new(),
        t if t.starts_with('(') && t.ends_with(')') => {
            t[1..t.len() - 1].split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        }
        _ => return Err((lead + close + 3, "'(!)' or '(template)' or the end of the line after ']'".into())),
    };
    Ok(LineKind::Header { name, options })
}

fn directive(rest: &str, lead: usize) -> Result<LineKind, LineError> {
    let (word, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !word.eq_ignore_ascii_case("include") && !word.eq_ignore_ascii_case("tryinclude") {
        return Err((lead + 2, format!("'#include' (found '#{word}')")));
    }
    let target = arg.trim().trim_matches(|c| c == '"' || c == '<' || c == '>').trim();
    if target.is_empty() {
        return Err((lead + rest.len() + 2, "a file name after #include".into()));
    }
    Ok(LineKind::Include(target.to_owned()))
}
