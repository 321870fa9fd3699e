//! Precedence climbing over expr2's levels, lowest first: `? ::`, `|`, `&`, comparisons, `+ -`,
//! `* / %`, unary `! -`, then the regex operators `: =~ ~~`, then parentheses and calls.

use super::lexer::Tok;
use super::value::{self, Val};

/// An expression that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExprError {
    /// The text does not follow the grammar.
    #[error("syntax error: {0}")]
    Syntax(String),
}

pub(super) struct Parser<'a> {
    /// The tokens; `primary` takes each one out as it consumes it (nothing looks back).
    toks: &'a mut [Tok],
    pos: usize,
    depth: usize,
}

/// Deepest nesting of parentheses and unary operators accepted (keeps the stack bounded).
const MAX_DEPTH: usize = 200;

const LEVELS: [&[&str]; 5] =
    [&["|", "||"], &["&", "&&"], &["=", "==", "!=", "<", ">", "<=", ">="], &["+", "-"], &["*", "/", "%"]];

impl<'a> Parser<'a> {
    pub fn new(toks: &'a mut [Tok]) -> Self {
        Self { toks, pos: 0, depth: 0 }
    }

    pub fn parse(mut self) -> Result<Val, ExprError> {
        if self.toks.is_empty() {
            return Ok(Val::Str(String::new()));
        }
        let v = self.ternary()?;
        match self.toks.get(self.pos) {
            None => Ok(v),
            Some(t) => Err(ExprError::Syntax(format!("unexpected {t:?}"))),
        }
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(Tok::Op(op)) => Some(op),
            _ => None,
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), ExprError> {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(ExprError::Syntax(format!("expected '{op}'")))
        }
    }

    fn ternary(&mut self) -> Result<Val, ExprError> {
        let mut v = self.binary(0)?;
        while self.peek_op() == Some("?") {
            self.pos += 1;
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(ExprError::Syntax(format!("nested deeper than {MAX_DEPTH}")));
            }
            let yes = self.ternary()?;
            self.depth -= 1;
            self.expect("::")?;
            let no = self.binary(0)?;
            v = value::condition(v, yes, no);
        }
        Ok(v)
    }

    fn binary(&mut self, level: usize) -> Result<Val, ExprError> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut v = self.binary(level + 1)?;
        while let Some(op) = self.peek_op().filter(|op| LEVELS[level].contains(op)) {
            self.pos += 1;
            let rhs = self.binary(level + 1)?;
            v = value::binary(op, v, rhs);
        }
        Ok(v)
    }

    fn unary(&mut self) -> Result<Val, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::Syntax(format!("nested deeper than {MAX_DEPTH}")));
        }
        let v = self.unary_inner();
        self.depth -= 1;
        v
    }

    fn unary_inner(&mut self) -> Result<Val, ExprError> {
        match self.peek_op() {
            Some("!") => {
                self.pos += 1;
                Ok(value::complement(self.unary()?))
            }
            Some("-") => {
                self.pos += 1;
                Ok(value::negate(self.unary()?))
            }
            _ => self.regex(),
        }
    }

    fn regex(&mut self) -> Result<Val, ExprError> {
        let mut v = self.primary()?;
        while let Some(op) = self.peek_op().filter(|op| matches!(*op, ":" | "=~" | "~~")) {
            self.pos += 1;
            let rhs = self.primary()?;
            v = value::binary(op, v, rhs);
        }
        Ok(v)
    }

    fn primary(&mut self) -> Result<Val, ExprError> {
        let slot = self.toks.get_mut(self.pos).ok_or_else(|| ExprError::Syntax("unexpected end".into()))?;
        let tok = std::mem::replace(slot, Tok::Op(""));
        self.pos += 1;
        match tok {
            Tok::Op("(") => {
                let v = self.ternary()?;
                self.expect(")")?;
                Ok(v)
            }
            Tok::Op(op) => Err(ExprError::Syntax(format!("unexpected '{op}'"))),
            Tok::Num(n) => Ok(Val::NumStr(n)),
            Tok::Str(s) if self.peek_op() == Some("(") => self.call(&s),
            Tok::Str(s) => Ok(Val::Str(s)),
        }
    }

    fn call(&mut self, name: &str) -> Result<Val, ExprError> {
        self.pos += 1;
        let mut args = Vec::new();
        while self.peek_op() != Some(")") {
            args.push(self.ternary()?);
            if self.peek_op() == Some(",") {
                self.pos += 1;
            } else {
                break;
            }
        }
        self.expect(")")?;
        value::function(name, &args).ok_or_else(|| ExprError::Syntax(format!("unknown function {name}")))
    }
}
