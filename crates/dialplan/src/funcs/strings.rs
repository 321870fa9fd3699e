//! String and number functions: LEN, CUT, IF, ISNULL, EXISTS, RAND, MATH, REGEX, REPLACE, FILTER,
//! TOUPPER, TOLOWER, URIENCODE, URIDECODE.

use switchyard_core::Channel;

use crate::args::split;
use crate::vars;

/// A pure function by upper-case name; None when unknown.
pub(super) fn read(chan: &Channel, name: &str, args: &str) -> Option<String> {
    Some(match name {
        "LEN" => args.chars().count().to_string(),
        "CUT" => cut(chan, args),
        "IF" => if_func(args),
        "ISNULL" => bool_text(args.is_empty()),
        "EXISTS" => bool_text(!args.is_empty()),
        "RAND" => rand_func(args),
        "MATH" => math(args),
        "REGEX" => regex_func(args),
        "REPLACE" => replace(chan, args),
        "FILTER" => filter(args),
        "TOUPPER" => args.to_uppercase(),
        "TOLOWER" => args.to_lowercase(),
        "URIENCODE" => uri_encode(args),
        "URIDECODE" => uri_decode(args),
        _ => return None,
    })
}

fn bool_text(b: bool) -> String {
    (if b { "1" } else { "0" }).to_owned()
}

/// Asterisk's `pbx_checkcondition`: empty is false, a number is its value, other text is true.
pub(crate) fn truthy(cond: &str) -> bool {
    let t = cond.trim();
    if t.is_empty() {
        return false;
    }
    let digits: String = t
        .chars()
        .enumerate()
        .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+')))
        .map(|(_, c)| c)
        .collect();
    match digits.parse::<i64>() {
        Ok(n) => n != 0,
        Err(_) => true,
    }
}

fn if_func(args: &str) -> String {
    let (cond, branches) = args.split_once('?').unwrap_or((args, ""));
    let (yes, no) = branches.split_once(':').unwrap_or((branches, ""));
    (if truthy(cond) { yes } else { no }).to_owned()
}

fn cut(chan: &Channel, args: &str) -> String {
    let a = split(args, ',');
    let value = vars::get(chan, a[0].trim()).unwrap_or_default();
    let delim = a.get(1).and_then(|d| d.chars().next()).unwrap_or('-');
    let fields: Vec<&str> = value.split(delim).collect();
    let spec = a.get(2).map_or("1", String::as_str);
    let mut out = Vec::new();
    for part in spec.split('&') {
        let (from, to) = match part.split_once('-') {
            Some((f, t)) => (f.trim().parse().unwrap_or(1), t.trim().parse().unwrap_or(fields.len())),
            None => {
                let n = part.trim().parse().unwrap_or(1);
                (n, n)
            }
        };
        out.extend(fields.iter().skip(from.max(1) - 1).take((to + 1).saturating_sub(from.max(1))).copied());
    }
    out.join(&delim.to_string())
}

fn rand_func(args: &str) -> String {
    let a = split(args, ',');
    let num = |i: usize, d: i64| a.get(i).and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(d);
    let (mut lo, mut hi) = (num(0, 0), num(1, 2_147_483_647));
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    rand::random_range(lo..=hi).to_string()
}

/// `MATH(number1 op number2[,type])`; the default result type is a float printed `%f`.
pub fn math(args: &str) -> String {
    let (expr, kind) = args.rsplit_once(',').map_or((args, "f"), |(e, t)| (e, t.trim()));
    let expr: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    let ops = ["<<", ">>", "<=", ">=", "==", "+", "*", "/", "%", "^", "&", "|", "<", ">", "-"];
    // A leading sign belongs to the first number, so the operator search starts after it.
    let first = expr.chars().next().map_or(0, char::len_utf8);
    let found = ops.iter().find_map(|op| expr[first..].find(op).map(|i| (i + first, *op)));
    let Some((i, op)) = found else { return format_math(expr.parse().unwrap_or(0.0), kind) };
    let (a, b) = (expr[..i].parse::<f64>().unwrap_or(0.0), expr[i + op.len()..].parse::<f64>().unwrap_or(0.0));
    let r = match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        "%" => ((a as i64) % (b as i64).max(1)) as f64,
        "^" => a.powf(b),
        "<<" => ((a as i64) << (b as i64).clamp(0, 63)) as f64,
        ">>" => ((a as i64) >> (b as i64).clamp(0, 63)) as f64,
        "&" => ((a as i64) & (b as i64)) as f64,
        "|" => ((a as i64) | (b as i64)) as f64,
        c => {
            return bool_word(match c {
                "<" => a < b,
                ">" => a > b,
                "<=" => a <= b,
                ">=" => a >= b,
                _ => a == b,
            });
        }
    };
    format_math(r, kind)
}

fn bool_word(b: bool) -> String {
    (if b { "TRUE" } else { "FALSE" }).to_owned()
}

fn format_math(r: f64, kind: &str) -> String {
    match kind {
        "i" | "int" => (r.trunc() as i64).to_string(),
        "h" | "hex" => format!("{:x}", r as i64),
        "c" | "char" => ((r as i64 as u8) as char).to_string(),
        _ => format!("{r:.6}"),
    }
}

fn regex_func(args: &str) -> String {
    let Some(rest) = args.trim_start().strip_prefix('"') else { return "0".into() };
    let Some((re, subject)) = rest.split_once('"') else { return "0".into() };
    let subject = subject.strip_prefix(' ').unwrap_or(subject);
    bool_text(regex::Regex::new(re).is_ok_and(|r| r.is_match(subject)))
}

fn replace(chan: &Channel, args: &str) -> String {
    let a = split(args, ',');
    let value = vars::get(chan, a[0].trim()).unwrap_or_default();
    let find = a.get(1).cloned().unwrap_or_default();
    let with = a.get(2).and_then(|r| r.chars().next());
    value.chars().filter_map(|c| if find.contains(c) { with } else { Some(c) }).collect()
}

fn filter(args: &str) -> String {
    let (allowed, text) = args.split_once(',').unwrap_or((args, ""));
    let set: Vec<char> = allowed.chars().collect();
    let mut ok = Vec::new();
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == '-' {
            ok.extend(set[i]..=set[i + 2]);
            i += 3;
        } else {
            ok.push(set[i]);
            i += 1;
        }
    }
    text.chars().filter(|c| ok.contains(c)).collect()
}

/// Percent-encodes everything but letters, digits and `-_.!~*'()`.
pub fn uri_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` sequences.
pub fn uri_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_follow_pbx_checkcondition() {
        assert!(!truthy("") && !truthy("0") && truthy("1") && truthy("abc") && truthy("-1") && !truthy("00"));
    }

    #[test]
    fn if_picks_a_branch() {
        assert_eq!(if_func("1?yes:no"), "yes");
        assert_eq!(if_func("0?yes:no"), "no");
        assert_eq!(if_func("?yes"), "");
    }

    #[test]
    fn math_prints_floats_unless_asked_for_integers() {
        assert_eq!(math("3*8"), "24.000000");
        assert_eq!(math("7/2,i"), "3");
        assert_eq!(math("2^10,int"), "1024");
        assert_eq!(math("-3+1,i"), "-2");
        assert_eq!(math("5>3"), "TRUE");
        assert_eq!(math("255,h"), "ff");
        assert_eq!(math(""), "0.000000");
        assert_eq!(math("é+1"), "1.000000");
    }

    #[test]
    fn regex_takes_a_quoted_pattern_then_the_subject() {
        assert_eq!(regex_func("\"^5[0-9]+$\" 5551234"), "1");
        assert_eq!(regex_func("\"^6\" 5551234"), "0");
    }

    #[test]
    fn filter_keeps_allowed_characters_with_ranges() {
        assert_eq!(filter("0-9,+1 (555) 123-4567"), "15551234567");
    }

    #[test]
    fn uri_encoding_round_trips() {
        assert_eq!(uri_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(uri_decode("a%20b%26c%3Dd%2F%C3%A9"), "a b&c=d/é");
        assert_eq!(uri_decode("100%"), "100%");
    }
}
