//! FreeSWITCH's `show … as xml` format: `<result row_count="N">` with one `<row row_id="i">` per row.

use std::fmt::Write;

/// Splits a trailing `as xml` off the arguments.
pub(super) fn strip_as_xml(args: &[String]) -> (&[String], bool) {
    match args {
        [rest @ .., a, x] if a == "as" && x == "xml" => (rest, true),
        _ => (args, false),
    }
}

/// The rows as FreeSWITCH prints them (columns as elements, values XML-escaped).
pub(super) fn xml(columns: &[&str], rows: &[Vec<String>], count_only: bool) -> String {
    let mut out = format!("<result row_count=\"{}\">\n", rows.len());
    for (i, row) in rows.iter().enumerate().filter(|_| !count_only) {
        let _ = writeln!(out, "  <row row_id=\"{}\">", i + 1);
        for (name, value) in columns.iter().zip(row) {
            let _ = writeln!(out, "    <{name}>{}</{name}>", escape(value));
        }
        out.push_str("  </row>\n");
    }
    out.push_str("</result>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_numbered_elements_with_escaped_values() {
        let out = xml(&["uuid", "name"], &[vec!["u1".into(), "a<b".into()]], false);
        assert_eq!(
            out,
            "<result row_count=\"1\">\n  <row row_id=\"1\">\n    <uuid>u1</uuid>\n    <name>a&lt;b</name>\n  </row>\n</result>\n"
        );
        assert_eq!(xml(&["uuid"], &[], false), "<result row_count=\"0\">\n</result>\n");
    }

    #[test]
    fn as_xml_is_taken_off_the_end_only() {
        let words: Vec<String> = ["like", "x", "as", "xml"].map(String::from).to_vec();
        assert_eq!(strip_as_xml(&words), (&words[..2], true));
        assert!(!strip_as_xml(&words[..2]).1);
    }
}
