//! Splitting application and function arguments as Asterisk's standard argument parser does:
//! commas inside `( )`, `[ ]` or `"…"` do not split, quotes are removed, `\x` keeps `x`.

/// Splits `data` on `delim` with quote and escape removal.
pub fn split(data: &str, delim: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut paren, mut bracket, mut quote) = (0i32, 0i32, false);
    let mut chars = data.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.extend(chars.next()),
            '"' if delim != '"' => quote = !quote,
            c if c == delim && !quote && paren <= 0 && bracket <= 0 => out.push(std::mem::take(&mut cur)),
            c => {
                match c {
                    '(' if !quote => paren += 1,
                    ')' if !quote => paren -= 1,
                    '[' if !quote => bracket += 1,
                    ']' if !quote => bracket -= 1,
                    _ => {}
                }
                cur.push(c);
            }
        }
    }
    out.push(cur);
    out
}

/// Splits without removing quotes or backslashes (Asterisk's "raw" argument parsing).
pub fn split_raw(data: &str, delim: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut paren, mut quote) = (0i32, false);
    for c in data.chars() {
        match c {
            '"' => quote = !quote,
            '(' if !quote => paren += 1,
            ')' if !quote => paren -= 1,
            _ => {}
        }
        if c == delim && !quote && paren <= 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

/// `name(args)` into its parts; `None` when there are no parentheses.
pub fn call(text: &str) -> Option<(&str, &str)> {
    let open = text.find('(')?;
    let inner = &text[open + 1..];
    Some((text[..open].trim(), inner.strip_suffix(')').unwrap_or(inner)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_inside_parentheses_and_quotes_do_not_split() {
        assert_eq!(split("a,b(c,d),\"e,f\",g\\,h", ','), vec!["a", "b(c,d)", "e,f", "g,h"]);
        assert_eq!(split("", ','), vec![""]);
    }

    #[test]
    fn raw_splitting_keeps_quotes() {
        assert_eq!(split_raw("\"a,b\",c", ','), vec!["\"a,b\"", "c"]);
    }

    #[test]
    fn calls_split_name_and_arguments() {
        assert_eq!(call("DB(a/b)"), Some(("DB", "a/b")));
        assert_eq!(call("X"), None);
    }
}
