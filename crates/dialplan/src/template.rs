//! Argument text compiled once for substitution: literal runs, `${…}` references and `$[…]`
//! expressions, nested as written.

/// Deeper `${`/`$[` nesting is kept as literal text (keeps the stack bounded).
const MAX_DEPTH: usize = 64;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text copied as is.
    Lit(String),
    /// `${…}`: a variable or function reference whose own text may need substitution first.
    Var(Template),
    /// `$[…]`: an expression, substituted first, then evaluated.
    Expr(Template),
}

/// Compiled text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template(pub Vec<Piece>);

impl Template {
    /// Compiles `text`. Never fails: an unclosed `${` or `$[` takes the rest of the text, as
    /// Asterisk does (it logs and carries on).
    pub fn compile(text: &str) -> Self {
        Self::compile_at(text, 0)
    }

    fn compile_at(text: &str, depth: usize) -> Self {
        if depth > MAX_DEPTH {
            return Self(vec![Piece::Lit(text.to_owned())]);
        }
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find('$') {
            let after = &rest[pos + 1..];
            let (open, close) = match after.as_bytes().first() {
                Some(b'{') => ('{', '}'),
                Some(b'[') => ('[', ']'),
                _ => {
                    lit.push_str(&rest[..=pos]);
                    rest = after;
                    continue;
                }
            };
            lit.push_str(&rest[..pos]);
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            let body = &after[1..];
            let end = matching(body, open, close);
            let inner = Self::compile_at(&body[..end], depth + 1);
            pieces.push(if open == '{' { Piece::Var(inner) } else { Piece::Expr(inner) });
            rest = body.get(end + 1..).unwrap_or("");
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        Self(pieces)
    }

    /// The text when it holds no reference.
    pub fn as_literal(&self) -> Option<&str> {
        match self.0.as_slice() {
            [] => Some(""),
            [Piece::Lit(s)] => Some(s),
            _ => None,
        }
    }
}

/// The byte index of the `close` matching an already opened `open` (or the end of `s`).
fn matching(s: &str, open: char, close: char) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return i;
            }
            depth -= 1;
        }
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Piece {
        Piece::Lit(s.into())
    }

    #[test]
    fn references_and_expressions_nest() {
        let t = Template::compile("a${X}b$[${Y}+1]${${Z}}$");
        assert_eq!(
            t.0,
            vec![
                lit("a"),
                Piece::Var(Template(vec![lit("X")])),
                lit("b"),
                Piece::Expr(Template(vec![Piece::Var(Template(vec![lit("Y")])), lit("+1")])),
                Piece::Var(Template(vec![Piece::Var(Template(vec![lit("Z")]))])),
                lit("$"),
            ]
        );
    }

    #[test]
    fn very_deep_nesting_compiles_without_overflowing() {
        let deep = "${".repeat(100_000);
        assert!(!Template::compile(&deep).0.is_empty());
    }

    #[test]
    fn plain_text_is_a_literal() {
        assert_eq!(Template::compile("hello, world").as_literal(), Some("hello, world"));
        assert_eq!(Template::compile("").as_literal(), Some(""));
        assert_eq!(Template::compile("${X").0, vec![Piece::Var(Template(vec![lit("X")]))]);
    }
}
