//! AstDB key paths: how a family and key become Asterisk's `/family/key` path, and the subtrees
//! that `deltree` and `database show` select.
//!
//! As in Asterisk's astdb, a family may itself contain `/`, so `("a/b", "c")` and `("a", "b/c")`
//! name the same entry `/a/b/c`.

use crate::error::StoreError;

/// The stored path of `key` in `family`: `/family/key`.
pub fn key_path(family: &str, key: &str) -> Result<String, StoreError> {
    require_non_empty(family, "family is empty")?;
    require_non_empty(key, "key is empty")?;
    Ok(format!("/{family}/{key}"))
}

/// The root of the subtree `deltree(family, subkey)` removes: `/family/subkey`, or `/family`.
///
/// An empty `subkey` means the whole family, as in Asterisk's `ast_db_deltree`.
pub fn deltree_root(family: &str, subkey: Option<&str>) -> Result<String, StoreError> {
    require_non_empty(family, "family is empty")?;
    Ok(match subkey.filter(|k| !k.is_empty()) {
        Some(subkey) => format!("/{family}/{subkey}"),
        None => format!("/{family}"),
    })
}

/// The root of the subtree `database show [family [keytree]]` lists, given `family` or
/// `family/keytree`; `None` (or an empty prefix) lists everything.
pub fn show_root(prefix: Option<&str>) -> Option<String> {
    let prefix = prefix?.trim_matches('/');
    (!prefix.is_empty()).then(|| format!("/{prefix}"))
}

/// A subtree as a half-open range of paths `[lower, upper)`: `root/…` sorts bytewise between
/// `root/` and `root0` (`'0'` follows `'/'`), so an index range scan finds it without `LIKE`,
/// whose `%` and `_` wildcards and case folding would match the wrong keys.
pub fn subtree_bounds(root: &str) -> (String, String) {
    (format!("{root}/"), format!("{root}0"))
}

fn require_non_empty(part: &str, reason: &'static str) -> Result<(), StoreError> {
    if part.is_empty() {
        return Err(StoreError::InvalidKey { reason });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_path_joins_family_and_key_with_slashes() {
        assert_eq!(key_path("cidname", "1000").unwrap(), "/cidname/1000");
        assert_eq!(key_path("a/b", "c").unwrap(), "/a/b/c");
    }

    #[test]
    fn empty_family_or_key_is_an_invalid_key() {
        assert!(matches!(key_path("", "k"), Err(StoreError::InvalidKey { .. })));
        assert!(matches!(key_path("f", ""), Err(StoreError::InvalidKey { .. })));
        assert!(matches!(deltree_root("", None), Err(StoreError::InvalidKey { .. })));
    }

    #[test]
    fn deltree_root_with_empty_subkey_is_the_family() {
        assert_eq!(deltree_root("fam", Some("")).unwrap(), "/fam");
        assert_eq!(deltree_root("fam", None).unwrap(), "/fam");
        assert_eq!(deltree_root("fam", Some("x/y")).unwrap(), "/fam/x/y");
    }

    #[test]
    fn show_root_ignores_surrounding_slashes_and_empty_prefix() {
        assert_eq!(show_root(None), None);
        assert_eq!(show_root(Some("")), None);
        assert_eq!(show_root(Some("/")), None);
        assert_eq!(show_root(Some("fam/key/")).as_deref(), Some("/fam/key"));
    }

    #[test]
    fn subtree_bounds_contain_children_but_not_siblings_with_longer_names() {
        let (lower, upper) = subtree_bounds("/fam");
        let inside = |k: &str| lower.as_str() <= k && k < upper.as_str();
        assert!(inside("/fam/a"));
        assert!(inside("/fam/a/b"));
        assert!(!inside("/fam"));
        assert!(!inside("/famX/a"));
        assert!(!inside("/fam-a/a"));
        assert!(!inside("/fa"));
    }
}
