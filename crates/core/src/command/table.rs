//! FreeSWITCH's SQL-table output, shared by `show channels`, `show calls` and `show tasks`: CSV whose
//! header comes only with the first row, then `N total.`; or `as json` with every value a string.

use std::fmt::Write;

/// CSV as `show …` prints it; zero rows give exactly `\n0 total.\n`.
pub fn render_csv<R: AsRef<[String]>>(columns: &[&str], rows: &[R]) -> String {
    let mut out = String::new();
    if !rows.is_empty() {
        out.push_str(&columns.join(","));
        out.push('\n');
    }
    for r in rows {
        out.push_str(&r.as_ref().join(","));
        out.push('\n');
    }
    let _ = write!(out, "\n{} total.\n", rows.len());
    out
}

/// `{"row_count":N,"rows":[{…}]}` with columns in table order; zero rows give `{"row_count": 0}\n`
/// (FreeSWITCH's own spacing and newline).
pub fn render_json<R: AsRef<[String]>>(columns: &[&str], rows: &[R]) -> String {
    if rows.is_empty() {
        return "{\"row_count\": 0}\n".to_owned();
    }
    let objects: Vec<String> = rows
        .iter()
        .map(|r| {
            let fields: Vec<String> =
                columns.iter().zip(r.as_ref()).map(|(k, v)| format!("\"{k}\":{}", json_string(v))).collect();
            format!("{{{}}}", fields.join(","))
        })
        .collect();
    format!("{{\"row_count\":{},\"rows\":[{}]}}", rows.len(), objects.join(","))
}

fn json_string(v: &str) -> String {
    serde_json::Value::from(v).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rows_print_only_the_footer() {
        let none: [Vec<String>; 0] = [];
        assert_eq!(render_csv(&["a"], &none), "\n0 total.\n");
        assert_eq!(render_json(&["a"], &none), "{\"row_count\": 0}\n");
    }

    #[test]
    fn rows_keep_the_column_order() {
        let rows = [vec!["1".to_owned(), "x\"y".to_owned()]];
        assert_eq!(render_csv(&["z", "a"], &rows), "z,a\n1,x\"y\n\n1 total.\n");
        assert_eq!(render_json(&["z", "a"], &rows), "{\"row_count\":1,\"rows\":[{\"z\":\"1\",\"a\":\"x\\\"y\"}]}");
    }
}
