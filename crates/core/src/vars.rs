//! Channel and global variables: an insertion-ordered map, cheap to snapshot.

use std::sync::Arc;

/// Variables in the order they were first set (FreeSWITCH prints `variable_*` headers in that order).
/// Cloning shares the storage; the first write after a clone copies it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variables(Arc<Vec<(String, String)>>);

impl Variables {
    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Sets `name`, keeping its original position when it already exists.
    pub fn set(&mut self, name: &str, value: &str) {
        let vars = Arc::make_mut(&mut self.0);
        match vars.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => value.clone_into(&mut slot.1),
            None => vars.push((name.to_owned(), value.to_owned())),
        }
    }

    /// Removes `name`; true if it was set.
    pub fn unset(&mut self, name: &str) -> bool {
        let Some(pos) = self.0.iter().position(|(k, _)| k == name) else {
            return false;
        };
        Arc::make_mut(&mut self.0).remove(pos);
        true
    }

    /// All variables in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no variable is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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
        let snap = v.clone();
        v.set("a", "2");
        assert!(v.unset("a"));
        assert_eq!(snap.get("a"), Some("1"));
        assert!(!v.unset("a"));
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
