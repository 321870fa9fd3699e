//! Tokens of an expression, as Asterisk's flex scanner cuts them (longest match, numbers before words).

use super::parser::ExprError;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    /// An operator or parenthesis, as written.
    Op(&'static str),
    /// A word or quoted string (quotes kept).
    Str(String),
    /// A number as written (`12`, `1.5`).
    Num(String),
}

const OPS: [&str; 25] = [
    "||", "&&", "==", "=~", "~~", ">=", "<=", "!=", "::", "|", "&", "=", ">", "<", "+", ",", "-", "*", "/", "%", "?",
    "!", ":", "(", ")",
];

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".';\\_^#@".contains(c) || (c as u32) >= 0x80
}

/// Cuts `text` into tokens.
pub(super) fn tokens(text: &str) -> Result<Vec<Tok>, ExprError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if matches!(c, ' ' | '\t' | '\r' | '\n') {
            rest = &rest[1..];
            continue;
        }
        if c == '"' {
            let end = rest[1..].find('"').ok_or_else(|| ExprError::Syntax("unterminated quoted string".into()))?;
            out.push(Tok::Str(rest[..end + 2].to_owned()));
            rest = &rest[end + 2..];
            continue;
        }
        let word = word_len(rest);
        let num = number_len(rest);
        if word > 0 || num > 0 {
            let (len, tok) = if num >= word {
                (num, Tok::Num(rest[..num].to_owned()))
            } else {
                (word, Tok::Str(rest[..word].to_owned()))
            };
            out.push(tok);
            rest = &rest[len..];
            continue;
        }
        let op = OPS
            .iter()
            .find(|op| rest.starts_with(**op))
            .ok_or_else(|| ExprError::Syntax(format!("unexpected '{c}'")))?;
        out.push(Tok::Op(op));
        rest = &rest[op.len()..];
    }
    Ok(out)
}

fn word_len(s: &str) -> usize {
    let mut len = 0;
    for (i, c) in s.char_indices() {
        let ok = is_word_char(c) || (c == '$' && !s[i + 1..].starts_with('{'));
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

fn number_len(s: &str) -> usize {
    let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    let int = digits(s);
    if int == 0 {
        return 0;
    }
    match s[int..].strip_prefix('.') {
        Some(frac) if digits(frac) > 0 => int + 1 + digits(frac),
        _ => int,
    }
}
