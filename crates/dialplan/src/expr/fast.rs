//! The most common expression shape, `A op B` with two plain decimal integers and `+ - *` or a
//! comparison (counters and loop tests: `$[${I} + 1]`, `$[${I} < ${N}]`), computed without
//! cutting tokens. Anything else (other operators, signs, words, results that would not print as
//! an integer) is left to the full evaluation, whose result this must equal (see the tests).

/// Operands and results stay below this: exact in a `long double`, printed by `%.18Lg` as an integer.
const LIMIT: i64 = 1_000_000_000_000_000;

/// The result of `text` if it has the simple shape.
#[cfg(test)]
fn simple(text: &str) -> Option<String> {
    simple_value(text).map(|v| v.to_string())
}

/// The value of `text` (printed as an integer) if it has the simple shape.
pub(super) fn simple_value(text: &str) -> Option<i64> {
    let (a, rest) = integer(skip_space(text))?;
    let rest = skip_space(rest);
    let (op, rest) = operator(rest)?;
    let (b, rest) = integer(skip_space(rest))?;
    if !skip_space(rest).is_empty() {
        return None;
    }
    let value = match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a.checked_mul(b)?,
        "=" | "==" => i64::from(a == b),
        "!=" => i64::from(a != b),
        "<" => i64::from(a < b),
        ">" => i64::from(a > b),
        "<=" => i64::from(a <= b),
        _ => i64::from(a >= b),
    };
    (value.abs() < LIMIT).then_some(value)
}

/// The lexer's white space.
fn skip_space(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\r', '\n'])
}

/// Leading digits (1 to 15) read as a number, when what follows cannot continue the token (a word
/// character or `.` would make it a word or a decimal).
fn integer(s: &str) -> Option<(i64, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 15 {
        return None;
    }
    let (digits, rest) = s.split_at(len);
    match rest.chars().next() {
        None | Some(' ' | '\t' | '\r' | '\n' | '+' | '-' | '*' | '<' | '>' | '=' | '!') => {}
        Some(_) => return None,
    }
    Some((digits.parse().ok()?, rest))
}

/// The operator at the start of `s`, longest first as the lexer cuts it; `=~`/`!~`-like
/// continuations are not simple.
fn operator(s: &str) -> Option<(&'static str, &str)> {
    const OPS: [&str; 10] = ["<=", ">=", "==", "!=", "+", "-", "*", "<", ">", "="];
    let op = OPS.into_iter().find(|op| s.starts_with(op))?;
    let rest = &s[op.len()..];
    if rest.starts_with(['=', '~', '<', '>', '!', '|', '&', ':']) {
        return None;
    }
    Some((op, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full evaluation without the shortcut.
    fn full(text: &str) -> Option<String> {
        let mut tokens = super::super::lexer::tokens(text).ok()?;
        super::super::parser::Parser::new(&mut tokens).parse().ok().map(|v| v.into_string())
    }

    #[test]
    fn the_shortcut_agrees_with_the_full_evaluation() {
        let numbers = ["0", "1", "7", "007", "42", "999999999999999", "123456789012345", "1000000", "31623"];
        let ops = ["+", "-", "*", "=", "==", "!=", "<", ">", "<=", ">="];
        let mut taken = 0;
        for a in numbers {
            for b in numbers {
                for op in ops {
                    for text in [format!("{a} {op} {b}"), format!("{a}{op}{b}"), format!(" {a}\t{op}  {b} ")] {
                        if let Some(got) = simple(&text) {
                            taken += 1;
                            assert_eq!(Some(got), full(&text), "{text:?}");
                        }
                    }
                }
            }
        }
        assert!(taken > 2000, "the shortcut took only {taken} cases");
    }

    #[test]
    fn other_shapes_are_left_to_the_full_evaluation() {
        for text in [
            "-5 + 1",
            "5 + -1",
            "1.5 + 1",
            "5a + 1",
            "5 + 1a",
            "5 / 2",
            "5 % 2",
            "5 =~ 1",
            "5 + 1 + 1",
            "5",
            "5 +",
            "(5) + 1",
            "\"5\" + 1",
            "5 & 1",
            "5 | 1",
            "1234567890123456 + 1",
            "999999999999999 * 999999999999999",
            "5 :: 1",
            "5 ? 1 :: 2",
            "",
        ] {
            assert_eq!(simple(text), None, "{text:?}");
        }
    }
}
