//! Splitting a command line into words: whitespace separates, quotes group, backslash escapes.

/// Splits a command line as the Asterisk CLI and FreeSWITCH's `switch_separate_string` do: runs of
/// spaces collapse, `"…"` and `'…'` group (quotes removed), `\x` takes `x` literally.
pub fn split_args(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', _) => {
                cur.extend(chars.next());
                in_word = true;
            }
            (q, None) if q == '"' || q == '\'' => {
                quote = Some(q);
                in_word = true;
            }
            (q, Some(open)) if q == open => quote = None,
            (c, None) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (c, _) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_collapse_and_quotes_group() {
        assert_eq!(split_args("  core   show \"a b\" 'c d' e\\ f "), vec!["core", "show", "a b", "c d", "e f"]);
    }

    #[test]
    fn empty_quotes_make_an_empty_word() {
        assert_eq!(split_args("set x ''"), vec!["set", "x", ""]);
    }

    #[test]
    fn an_empty_line_has_no_words() {
        assert!(split_args("   ").is_empty());
    }
}
