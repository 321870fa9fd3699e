//! Typed per-channel state that other crates attach to a channel (Gosub stack, hangup handlers, …).

use std::any::{Any, TypeId};
use std::collections::HashMap;

/// A map from type to one value of that type.
#[derive(Default)]
pub struct Extensions(HashMap<TypeId, Box<dyn Any + Send>>);

impl Extensions {
    /// The value of type `T`, created with `Default` on first use.
    pub fn get_or_default<T: Any + Send + Default>(&mut self) -> &mut T {
        self.0
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut()
            .expect("entry is keyed by its own TypeId")
    }

    /// The value of type `T`, if present.
    pub fn get<T: Any + Send>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>()).and_then(|b| b.downcast_ref())
    }

    /// Removes and returns the value of type `T`.
    pub fn remove<T: Any + Send>(&mut self) -> Option<T> {
        self.0.remove(&TypeId::of::<T>()).and_then(|b| b.downcast().ok()).map(|b| *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_type() {
        let mut ext = Extensions::default();
        ext.get_or_default::<Vec<u32>>().push(7);
        assert_eq!(ext.get::<Vec<u32>>(), Some(&vec![7]));
        assert_eq!(ext.get::<String>(), None);
        assert_eq!(ext.remove::<Vec<u32>>(), Some(vec![7]));
    }
}
