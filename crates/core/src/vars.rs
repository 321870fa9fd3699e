//! Channel and global variables: an insertion-ordered map, cheap to snapshot and to change after
//! a snapshot.

use std::sync::Arc;

use crate::text::SharedStr;

/// Changes kept as a chain before they are folded into the ordered list. A lookup walks the chain
/// link by link, and dialplans read variables more often than they set them: 8 beat 16 (and 4, 12,
/// 32) on the priority-rate benchmark, whose `Set`s read one or two variables each.
const MAX_RECENT: u8 = 8;

/// Variables in the order they were first set (FreeSWITCH prints `variable_*` headers in that order).
///
/// A clone shares everything through one reference count. Changes go on a short shared chain in
/// front of the ordered list (one small allocation each, nothing copied); every `MAX_RECENT` changes
/// the chain is folded into a new list. Names and values are shared strings, so that copy costs one
/// allocation (and reference counts for long texts only); a name set again keeps its string, and the
/// strings stored are the ones `set_shared` returns (for the `VarSet` event).
#[derive(Clone, Default)]
pub struct Variables {
    /// The newest change, whose chain ends at the list; None when nothing was ever set.
    head: Option<Arc<Node>>,
    recent_len: u8,
    /// A name starting with `_` was set at some time (Asterisk's inheritance prefixes).
    underscored: bool,
    /// One bit (`bit`) for each name in the list or the chain: a lookup of a name whose bit is
    /// clear finds nothing without searching (most names looked up and not set, e.g. `app_uuid` at
    /// every application, end there).
    names: u64,
}

/// A hash of a name, kept next to it: a search compares hashes and reads the text of a stored name
/// only when they are equal.
fn name_hash(name: &str) -> u32 {
    name.bytes().fold(name.len() as u32, |h, b| h.rotate_left(5) ^ u32::from(b)).wrapping_mul(0x9E37_79B9)
}

/// The bit of a name hash in `Variables::names`.
fn bit(hash: u32) -> u64 {
    1 << (hash >> 26)
}

/// A variable of the ordered list.
#[derive(Clone)]
struct Entry {
    hash: u32,
    name: SharedStr,
    value: SharedStr,
}

/// A link of the chain: a change not yet folded into the list, or the list that ends the chain.
enum Node {
    /// A value, or `None` for a removal.
    Change {
        hash: u32,
        name: SharedStr,
        value: Option<SharedStr>,
        older: Option<Arc<Node>>,
    },
    List(Vec<Entry>),
}

impl Node {
    /// The changes from `head` on (newest first) and the list ending them.
    fn walk(head: Option<&Node>) -> impl Iterator<Item = &Node> {
        std::iter::successors(head, |node| match node {
            Node::Change { older, .. } => older.as_deref(),
            Node::List(_) => None,
        })
    }
}

impl Variables {
    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.lookup(name).and_then(|(_, v)| v).map(SharedStr::as_str)
    }

    /// The name of `name` as stored, with its value unless its last change removed it.
    pub(crate) fn find_stored(&self, name: &str) -> Option<(&SharedStr, Option<&SharedStr>)> {
        self.lookup(name)
    }

    /// Sets `stored` (the name as `find_stored` gave it, or a name not set here) without looking it
    /// up again; returns the name and value as stored.
    pub(crate) fn set_stored(&mut self, stored: SharedStr, value: &str) -> (SharedStr, SharedStr) {
        let value = SharedStr::from(value);
        self.push(stored.clone(), Some(value.clone()));
        (stored, value)
    }

    /// The stored name and value of `name`: the name alone when its last change removed it.
    fn lookup(&self, name: &str) -> Option<(&SharedStr, Option<&SharedStr>)> {
        let hash = name_hash(name);
        if self.names & bit(hash) == 0 {
            return None;
        }
        for node in Node::walk(self.head.as_deref()) {
            match node {
                Node::Change { hash: h, name: stored, value, .. } if *h == hash && **stored == *name => {
                    return Some((stored, value.as_ref()));
                }
                Node::Change { .. } => {}
                Node::List(list) => {
                    return list.iter().find(|e| e.hash == hash && *e.name == *name).map(|e| (&e.name, Some(&e.value)));
                }
            }
        }
        None
    }

    /// Sets `name`, keeping its original position when it already exists. Setting the value it
    /// already has changes nothing.
    pub fn set(&mut self, name: &str, value: &str) {
        self.set_shared(name, value);
    }

    /// Sets `name` as `set` does; returns the name and value as stored (shared, no copy).
    pub fn set_shared(&mut self, name: &str, value: &str) -> (SharedStr, SharedStr) {
        let name = match self.lookup(name) {
            Some((stored, Some(old))) if *old == *value => return (stored.clone(), old.clone()),
            Some((stored, _)) => stored.clone(),
            None => SharedStr::from(name),
        };
        let value = SharedStr::from(value);
        self.push(name.clone(), Some(value.clone()));
        (name, value)
    }

    /// Removes `name`; true if it was set.
    pub fn unset(&mut self, name: &str) -> bool {
        let stored = match self.lookup(name) {
            Some((stored, Some(_))) => stored.clone(),
            _ => return false,
        };
        self.push(stored, None);
        true
    }

    /// Reads the reference count a drop of this (last) copy touches; a plain read, for `retire`.
    pub(crate) fn touch(&self) -> usize {
        self.head.as_ref().map_or(0, Arc::strong_count)
    }

    /// False when no name starting with `_` was ever set here, so no `_X`/`__X` spelling can be
    /// found (lookups of those spellings may be skipped).
    pub fn may_have_underscored(&self) -> bool {
        self.underscored
    }

    fn push(&mut self, name: SharedStr, value: Option<SharedStr>) {
        self.underscored |= name.starts_with('_');
        let hash = name_hash(&name);
        self.names |= bit(hash);
        let older = self.head.take();
        self.head = Some(Arc::new(Node::Change { hash, name, value, older }));
        self.recent_len += 1;
        if self.recent_len >= MAX_RECENT {
            self.fold();
        }
    }

    /// Applies the chain to a copy of the list, oldest change first, and makes that the head.
    fn fold(&mut self) {
        let mut changes = Vec::with_capacity(usize::from(self.recent_len));
        let mut list = Vec::new();
        for node in Node::walk(self.head.as_deref()) {
            match node {
                Node::Change { hash, name, value, .. } => changes.push((*hash, name, value)),
                Node::List(entries) => list.clone_from(entries),
            }
        }
        for (hash, name, value) in changes.into_iter().rev() {
            let pos = list.iter().position(|e| e.hash == hash && e.name == *name);
            match (pos, value) {
                (Some(pos), Some(v)) => list[pos].value = v.clone(),
                (Some(pos), None) => {
                    list.remove(pos);
                }
                (None, Some(v)) => list.push(Entry { hash, name: name.clone(), value: v.clone() }),
                (None, None) => {}
            }
        }
        self.recent_len = 0;
        self.names = list.iter().fold(0, |bits, e| bits | bit(e.hash));
        self.head = Some(Arc::new(Node::List(list)));
    }

    /// The ordered list, when no change is waiting to be folded into it.
    fn listed(&self) -> Option<&[Entry]> {
        match self.head.as_deref() {
            None => Some(&[]),
            Some(Node::List(list)) => Some(list),
            Some(Node::Change { .. }) => None,
        }
    }

    /// All variables in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        if let Some(list) = self.listed() {
            return Iter::Listed(list.iter());
        }
        let mut changes = Vec::with_capacity(usize::from(self.recent_len));
        let mut merged: Vec<(&str, &str)> = Vec::new();
        for node in Node::walk(self.head.as_deref()) {
            match node {
                Node::Change { name, value, .. } => changes.push((name.as_str(), value.as_deref())),
                Node::List(list) => merged = list.iter().map(|e| (e.name.as_str(), e.value.as_str())).collect(),
            }
        }
        for (name, value) in changes.into_iter().rev() {
            let pos = merged.iter().position(|(k, _)| *k == name);
            match (pos, value) {
                (Some(pos), Some(v)) => merged[pos].1 = v,
                (Some(pos), None) => {
                    merged.remove(pos);
                }
                (None, Some(v)) => merged.push((name, v)),
                (None, None) => {}
            }
        }
        Iter::Merged(merged.into_iter())
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.listed().map_or_else(|| self.iter().count(), <[Entry]>::len)
    }

    /// True when no variable is set.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The iterator of `Variables::iter`: the list itself, or the list with the chain applied.
enum Iter<'a> {
    Listed(std::slice::Iter<'a, Entry>),
    Merged(std::vec::IntoIter<(&'a str, &'a str)>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Listed(it) => it.next().map(|e| (e.name.as_str(), e.value.as_str())),
            Self::Merged(it) => it.next(),
        }
    }
}

impl PartialEq for Variables {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Variables {}

impl std::fmt::Debug for Variables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Drop for Node {
    /// Frees a long chain without recursing once per link.
    fn drop(&mut self) {
        let Node::Change { older, .. } = self else { return };
        let mut link = older.take();
        // `into_inner` drops a shared link with one decrement and hands over the last reference.
        while let Some(mut owned) = link.and_then(Arc::into_inner) {
            link = match &mut owned {
                Node::Change { older, .. } => older.take(),
                Node::List(_) => None,
            };
        }
    }
}

/// Global variables shared by every channel (Asterisk `[globals]`, FreeSWITCH `global_getvar`).
#[derive(Debug, Default)]
pub struct GlobalVariables(parking_lot::RwLock<Variables>);

impl GlobalVariables {
    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.read().get(name).map(str::to_owned)
    }

    /// Sets `name`.
    pub fn set(&self, name: &str, value: &str) {
        self.0.write().set(name, value);
    }

    /// Removes `name`.
    pub fn unset(&self, name: &str) -> bool {
        self.0.write().unset(name)
    }

    /// A copy of all globals.
    pub fn snapshot(&self) -> Variables {
        self.0.read().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_again_keeps_the_first_position() {
        let mut v = Variables::default();
        v.set("a", "1");
        v.set("b", "2");
        v.set("a", "3");
        assert_eq!(v.iter().collect::<Vec<_>>(), vec![("a", "3"), ("b", "2")]);
    }

    #[test]
    fn a_clone_is_not_changed_by_later_writes() {
        let mut v = Variables::default();
        v.set("a", "1");
        assert!(!v.may_have_underscored());
        let snap = v.clone();
        v.set("a", "2");
        assert!(v.unset("a"));
        assert_eq!(snap.get("a"), Some("1"));
        assert!(!v.unset("a"));
        v.set("__b", "1");
        assert!(v.may_have_underscored() && !snap.may_have_underscored());
    }

    /// The plain model: an ordered list changed in place.
    fn model_set(m: &mut Vec<(String, String)>, k: &str, v: Option<&str>) {
        let pos = m.iter().position(|(n, _)| n == k);
        match (pos, v) {
            (Some(p), Some(v)) => m[p].1 = v.to_owned(),
            (Some(p), None) => {
                m.remove(p);
            }
            (None, Some(v)) => m.push((k.to_owned(), v.to_owned())),
            (None, None) => {}
        }
    }

    #[test]
    fn many_changes_after_snapshots_agree_with_a_plain_ordered_list() {
        let (mut v, mut model) = (Variables::default(), Vec::new());
        let mut snaps = Vec::new();
        for i in 0..200u32 {
            let k = format!("k{}", i % 7);
            if i % 5 == 0 {
                assert_eq!(v.unset(&k), model.iter().any(|(n, _)| *n == k));
                model_set(&mut model, &k, None);
            } else {
                v.set(&k, &i.to_string());
                model_set(&mut model, &k, Some(&i.to_string()));
            }
            snaps.push((v.clone(), model.clone()));
        }
        for (snap, model) in snaps {
            let got: Vec<(String, String)> = snap.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            assert_eq!(got, model);
            assert_eq!(snap.len(), model.len());
            for (k, val) in &model {
                assert_eq!(snap.get(k), Some(val.as_str()));
            }
            for i in 0..7 {
                let k = format!("k{i}");
                if !model.iter().any(|(n, _)| *n == k) {
                    assert_eq!(snap.get(&k), None, "{k} was removed");
                }
            }
            assert_eq!(snap.get("app_uuid"), None);
        }
    }

    #[test]
    fn set_shared_returns_the_strings_stored_and_setting_again_reuses_the_name() {
        let mut v = Variables::default();
        // A name too long to be held in place (see `SharedStr`), so that sharing shows.
        const NAME: &str = "A_VARIABLE_NAME_OF_MORE_THAN_23_BYTES";
        let (name, value) = v.set_shared(NAME, "1");
        assert_eq!((name.as_str(), value.as_str()), (NAME, "1"));
        let (again, _) = v.set_shared(NAME, "2");
        assert!(std::ptr::eq(name.as_str(), again.as_str()));
        let (_, same) = v.set_shared(NAME, "2");
        assert_eq!((same.as_str(), v.get(NAME)), ("2", Some("2")));
    }

    #[test]
    fn globals_are_shared() {
        let g = GlobalVariables::default();
        g.set("X", "y");
        assert_eq!(g.get("X").as_deref(), Some("y"));
        assert!(g.unset("X"));
        assert_eq!(g.get("X"), None);
    }
}
