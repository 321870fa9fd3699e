//! AstDB on SQLite: one row per `/family/key` path in the `astdb` table.

use rusqlite::{Connection, OptionalExtension, params};

use crate::astdb::subtree_bounds;

/// Sets `path` to `value`.
pub(super) fn put(conn: &Connection, path: &str, value: &str) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO astdb (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    stmt.execute(params![path, value]).map(drop)
}

/// The value at `path`, if any.
pub(super) fn get(conn: &Connection, path: &str) -> rusqlite::Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT value FROM astdb WHERE key = ?1")?;
    stmt.query_row([path], |r| r.get(0)).optional()
}

/// Deletes `path`; `true` if it existed.
pub(super) fn del(conn: &Connection, path: &str) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare_cached("DELETE FROM astdb WHERE key = ?1")?;
    Ok(stmt.execute([path])? > 0)
}

/// Deletes `root` and everything under `root/`; returns how many rows went.
pub(super) fn deltree(conn: &Connection, root: &str) -> rusqlite::Result<usize> {
    let (lower, upper) = subtree_bounds(root);
    let mut stmt = conn.prepare_cached("DELETE FROM astdb WHERE key = ?1 OR (key >= ?2 AND key < ?3)")?;
    stmt.execute(params![root, lower, upper])
}

/// `(path, value)` of `root` and everything under `root/`, or of everything; sorted by path.
pub(super) fn show(conn: &Connection, root: Option<&str>) -> rusqlite::Result<Vec<(String, String)>> {
    let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?));
    let Some(root) = root else {
        let mut stmt = conn.prepare_cached("SELECT key, value FROM astdb ORDER BY key")?;
        return stmt.query_map([], row)?.collect();
    };
    let (lower, upper) = subtree_bounds(root);
    let mut stmt =
        conn.prepare_cached("SELECT key, value FROM astdb WHERE key = ?1 OR (key >= ?2 AND key < ?3) ORDER BY key")?;
    stmt.query_map(params![root, lower, upper], row)?.collect()
}

#[cfg(test)]
mod tests {
    use crate::error::StoreError;
    use crate::sqlite::SqliteStore;
    use crate::store::Store;

    fn store_with(entries: &[(&str, &str, &str)]) -> SqliteStore {
        let store = SqliteStore::open_in_memory().unwrap();
        for (family, key, value) in entries {
            store.db_put(family, key, value).unwrap();
        }
        store
    }

    fn keys(rows: Vec<(String, String)>) -> Vec<String> {
        rows.into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn put_then_get_returns_the_value_and_put_again_replaces_it() {
        let store = store_with(&[("cidname", "1000", "Alice")]);
        assert_eq!(store.db_get("cidname", "1000").unwrap().as_deref(), Some("Alice"));
        store.db_put("cidname", "1000", "Bob").unwrap();
        assert_eq!(store.db_get("cidname", "1000").unwrap().as_deref(), Some("Bob"));
    }

    #[test]
    fn get_of_a_missing_key_is_none() {
        let store = store_with(&[("fam", "key", "v")]);
        assert_eq!(store.db_get("fam", "other").unwrap(), None);
        assert_eq!(store.db_get("other", "key").unwrap(), None);
    }

    #[test]
    fn del_reports_whether_the_key_existed() {
        let store = store_with(&[("fam", "key", "v")]);
        assert!(store.db_del("fam", "key").unwrap());
        assert!(!store.db_del("fam", "key").unwrap());
        assert_eq!(store.db_get("fam", "key").unwrap(), None);
    }

    #[test]
    fn empty_family_or_key_is_rejected_by_every_method() {
        let store = store_with(&[]);
        let invalid = |r: Result<(), StoreError>| matches!(r, Err(StoreError::InvalidKey { .. }));
        assert!(invalid(store.db_put("", "k", "v")));
        assert!(invalid(store.db_put("f", "", "v")));
        assert!(invalid(store.db_get("", "k").map(drop)));
        assert!(invalid(store.db_del("f", "").map(drop)));
        assert!(invalid(store.db_deltree("", None).map(drop)));
    }

    #[test]
    fn deltree_of_a_family_spares_families_that_merely_share_its_prefix() {
        let store = store_with(&[
            ("fam", "a", "1"),
            ("fam", "b/c", "2"),
            ("famX", "a", "3"),
            ("fa", "m", "4"),
            ("fam-1", "a", "5"),
        ]);
        assert_eq!(store.db_deltree("fam", None).unwrap(), 2);
        assert_eq!(keys(store.db_show(None).unwrap()), ["/fa/m", "/fam-1/a", "/famX/a"]);
    }

    #[test]
    fn deltree_of_a_subkey_removes_the_entry_and_its_subtree_only() {
        let store = store_with(&[
            ("fam", "sub", "0"),
            ("fam", "sub/a", "1"),
            ("fam", "sub/a/b", "2"),
            ("fam", "subway", "3"),
            ("fam", "other", "4"),
        ]);
        assert_eq!(store.db_deltree("fam", Some("sub")).unwrap(), 3);
        assert_eq!(keys(store.db_show(None).unwrap()), ["/fam/other", "/fam/subway"]);
    }

    #[test]
    fn deltree_of_nothing_deletes_nothing() {
        let store = store_with(&[("fam", "a", "1")]);
        assert_eq!(store.db_deltree("nope", None).unwrap(), 0);
        assert_eq!(store.db_deltree("fam", Some("nope")).unwrap(), 0);
        assert_eq!(store.db_show(None).unwrap().len(), 1);
    }

    #[test]
    fn deltree_treats_like_wildcards_literally() {
        let store = store_with(&[("f_m", "a", "1"), ("fam", "a", "2"), ("f%", "a", "3")]);
        assert_eq!(store.db_deltree("f_m", None).unwrap(), 1);
        assert_eq!(store.db_deltree("f%", None).unwrap(), 1);
        assert_eq!(keys(store.db_show(None).unwrap()), ["/fam/a"]);
    }

    #[test]
    fn show_lists_everything_sorted_by_path() {
        let store = store_with(&[("b", "x", "1"), ("a", "y", "2"), ("a", "x", "3")]);
        let all = store.db_show(None).unwrap();
        let expected = [("/a/x", "3"), ("/a/y", "2"), ("/b/x", "1")];
        let expected: Vec<(String, String)> = expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(all, expected);
    }

    #[test]
    fn show_with_a_family_lists_only_that_family() {
        let store = store_with(&[("fam", "a", "1"), ("fam", "b/c", "2"), ("famX", "a", "3")]);
        assert_eq!(keys(store.db_show(Some("fam")).unwrap()), ["/fam/a", "/fam/b/c"]);
    }

    #[test]
    fn show_with_a_keytree_lists_that_key_and_its_subtree() {
        let store = store_with(&[("fam", "b", "0"), ("fam", "b/c", "1"), ("fam", "bc", "2"), ("fam", "a", "3")]);
        assert_eq!(keys(store.db_show(Some("fam/b")).unwrap()), ["/fam/b", "/fam/b/c"]);
    }

    #[test]
    fn show_of_an_unknown_family_is_empty() {
        let store = store_with(&[("fam", "a", "1")]);
        assert!(store.db_show(Some("nope")).unwrap().is_empty());
    }
}
