//! File name patterns as FreeSWITCH's `X-PRE-PROCESS cmd="include"` and the config's
//! `dialplan.freeswitch` list use them: `*` and `?` in any path component, matches sorted.

use std::path::{Component, Path, PathBuf};

/// The files matching `pattern`, sorted; a pattern without wildcards names itself (whether or
/// not it exists: the caller reports a missing file).
pub fn expand(pattern: &Path) -> Vec<PathBuf> {
    if !has_wildcard(pattern) {
        return vec![pattern.to_path_buf()];
    }
    let mut found = vec![PathBuf::new()];
    for comp in pattern.components() {
        let text = comp.as_os_str().to_string_lossy();
        if !matches!(comp, Component::Normal(_)) || !text.contains(['*', '?']) {
            found.iter_mut().for_each(|p| p.push(comp.as_os_str()));
            continue;
        }
        let mut next = Vec::new();
        for dir in &found {
            let listing = std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir });
            for entry in listing.into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.starts_with('.') && wildcard_match(&text, &name) {
                    next.push(dir.join(name));
                }
            }
        }
        found = next;
    }
    found.retain(|p| p.is_file());
    found.sort();
    found
}

fn has_wildcard(p: &Path) -> bool {
    p.to_string_lossy().contains(['*', '?'])
}

/// `*` matches any run of characters, `?` one character.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(wildcard_match("*.xml", "default.xml"));
        assert!(wildcard_match("0?_*.xml", "01_a.xml"));
        assert!(!wildcard_match("*.xml", "default.xml.bak"));
        assert!(wildcard_match("*", ""));
    }

    #[test]
    fn patterns_expand_to_sorted_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.xml", "a.xml", "c.txt"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let got = expand(&dir.path().join("*.xml"));
        assert_eq!(got, vec![dir.path().join("a.xml"), dir.path().join("b.xml")]);
        assert_eq!(expand(&dir.path().join("none.xml")), vec![dir.path().join("none.xml")]);
    }
}
