//! Expression values and the operators on them, with Asterisk's coercions (a quoted or alphabetic
//! string never becomes a number; a numeric string does when arithmetic needs it).

use super::wide::Wide;

/// A value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Val {
    /// A number (C `long double` precision, see `Wide`).
    Num(Wide),
    /// Text that looks like a number (`12`, `1.5`, `-3`).
    NumStr(String),
    /// Any other text (quotes kept).
    Str(String),
}

/// `INT_MAX`, what Asterisk returns for division by zero or by a non-number.
const INT_MAX: f64 = 2_147_483_647.0;

fn num(x: f64) -> Val {
    Val::Num(Wide::from_f64(x))
}

impl Val {
    /// A result string typed as Asterisk's `make_str` does.
    pub fn text(s: String) -> Self {
        let numeric = s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
            && s.chars().skip(1).all(|c| c.is_ascii_digit() || c == '.');
        if numeric { Self::NumStr(s) } else { Self::Str(s) }
    }

    fn number(&self) -> Option<Wide> {
        match self {
            Self::Num(n) => Some(*n),
            Self::Str(_) => None,
            Self::NumStr(s) => Some(Wide::parse_prefix(s)),
        }
    }

    fn is_string(&self) -> bool {
        matches!(self, Self::Str(_))
    }

    fn is_zero_or_null(&self) -> bool {
        match self {
            Self::Num(n) => n.is_zero(),
            Self::Str(s) => s.is_empty(),
            Self::NumStr(s) => s.is_empty() || Wide::parse_prefix(s).is_zero(),
        }
    }

    /// The printed form.
    pub fn into_string(self) -> String {
        match self {
            Self::Num(n) => n.format_g18(),
            Self::NumStr(s) | Self::Str(s) => s,
        }
    }

    fn stripped(self) -> String {
        let s = self.into_string();
        if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') { s.replace('"', "") } else { s }
    }
}

fn boolean(b: bool) -> Val {
    num(if b { 1.0 } else { 0.0 })
}

/// A binary operator.
pub(super) fn binary(op: &str, a: Val, b: Val) -> Val {
    match op {
        "|" | "||" => {
            if a.is_zero_or_null() {
                b
            } else {
                a
            }
        }
        "&" | "&&" => {
            if a.is_zero_or_null() || b.is_zero_or_null() {
                num(0.0)
            } else {
                a
            }
        }
        "=" | "==" | "!=" | "<" | ">" | "<=" | ">=" => compare(op, a, b),
        "+" => plus(a, b),
        "-" => minus(a, b),
        "*" => match (a.number(), b.number()) {
            (Some(x), Some(y)) => Val::Num(x.mul(y)),
            _ => num(0.0),
        },
        "/" => divide(a, b),
        "%" => match (a.number(), b.number()) {
            (Some(_), Some(y)) if y.is_zero() => b,
            (Some(x), Some(y)) => Val::Num(x.rem(y)),
            _ => num(0.0),
        },
        ":" => regex_match(a, b, true),
        "=~" => regex_match(a, b, false),
        "~~" => Val::text(a.stripped() + &b.stripped()),
        _ => Val::Str(String::new()),
    }
}

fn compare(op: &str, a: Val, b: Val) -> Val {
    let ord = if a.is_string() || b.is_string() {
        a.into_string().cmp(&b.into_string())
    } else {
        let (x, y) = (a.number().unwrap_or(Wide::ZERO), b.number().unwrap_or(Wide::ZERO));
        x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal)
    };
    use std::cmp::Ordering::*;
    boolean(match op {
        "=" | "==" => ord == Equal,
        "!=" => ord != Equal,
        "<" => ord == Less,
        ">" => ord == Greater,
        "<=" => ord != Greater,
        _ => ord != Less,
    })
}

fn plus(a: Val, b: Val) -> Val {
    match (a.number(), b.number()) {
        (Some(x), Some(y)) => Val::Num(x.add(y)),
        (Some(_), None) => a,
        (None, Some(_)) => b,
        (None, None) => num(0.0),
    }
}

fn minus(a: Val, b: Val) -> Val {
    match (a.number(), b.number()) {
        (Some(x), Some(y)) => Val::Num(x.sub(y)),
        (Some(_), None) => a,
        (None, Some(y)) => Val::Num(y.neg()),
        (None, None) => num(0.0),
    }
}

fn divide(a: Val, b: Val) -> Val {
    match (a.number(), b.number()) {
        (None, _) => num(0.0),
        (Some(_), None) => num(INT_MAX),
        (Some(_), Some(y)) if y.is_zero() => num(INT_MAX),
        (Some(x), Some(y)) => Val::Num(x.div(y)),
    }
}

/// Unary minus.
pub(super) fn negate(a: Val) -> Val {
    Val::Num(a.number().map_or(Wide::ZERO, Wide::neg))
}

/// Unary `!`.
pub(super) fn complement(a: Val) -> Val {
    let truthy = match &a {
        Val::Num(n) => !n.is_zero(),
        Val::Str(s) | Val::NumStr(s) => !(s.is_empty() || s == "0") && atoi(s) != 0,
    };
    boolean(!truthy)
}

fn atoi(s: &str) -> i64 {
    let t = s.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let n: String = digits.chars().take_while(char::is_ascii_digit).take(18).collect();
    sign * n.parse::<i64>().unwrap_or(0)
}

/// The ternary `a ? b :: c`.
pub(super) fn condition(a: Val, b: Val, c: Val) -> Val {
    let truthy = match &a {
        Val::Str(s) => !s.is_empty() && s != "\"\"" && s != "0",
        other => other.number().is_some_and(|n| !n.is_zero()),
    };
    if truthy { b } else { c }
}

fn regex_match(a: Val, b: Val, anchored: bool) -> Val {
    let (subject, pattern) = (a.stripped(), b.stripped());
    let Ok(re) = regex::Regex::new(&pattern) else { return Val::Str(String::new()) };
    let groups = re.captures_len() > 1;
    match re.captures(&subject).filter(|c| !anchored || c.get(0).is_some_and(|m| m.start() == 0)) {
        Some(caps) => match caps.get(1) {
            Some(g) => Val::text(g.as_str().to_owned()),
            None if groups => Val::Str(String::new()),
            None => num(caps.get(0).map_or(0, |m| m.len()) as f64),
        },
        None if groups => Val::Str(String::new()),
        None => num(0.0),
    }
}

/// A math function by name (`SQRT(2)`), as Asterisk's expression parser offers.
pub(super) fn function(name: &str, args: &[Val]) -> Option<Val> {
    // The functions compute in `f64` (Asterisk uses the `long double` C functions: their results may
    // differ past the 16th digit).
    let x = |i: usize| args.get(i).and_then(Val::number).map_or(0.0, Wide::to_f64);
    let r = match name {
        "COS" => x(0).cos(),
        "SIN" => x(0).sin(),
        "TAN" => x(0).tan(),
        "ACOS" => x(0).acos(),
        "ASIN" => x(0).asin(),
        "ATAN" => x(0).atan(),
        "ATAN2" => x(0).atan2(x(1)),
        "POW" => x(0).powf(x(1)),
        "SQRT" => x(0).sqrt(),
        "FLOOR" => x(0).floor(),
        "CEIL" => x(0).ceil(),
        "ROUND" => x(0).round(),
        "RINT" => x(0).round_ties_even(),
        "TRUNC" => x(0).trunc(),
        "EXP" => x(0).exp(),
        "EXP2" => x(0).exp2(),
        "EXP10" => 10f64.powf(x(0)),
        "LOG" => x(0).ln(),
        "LOG2" => x(0).log2(),
        "LOG10" => x(0).log10(),
        "REMAINDER" => {
            let (a, b) = (x(0), x(1));
            a - b * (a / b).round_ties_even()
        }
        "ABS" => x(0).abs(),
        _ => return None,
    };
    Some(num(r))
}
