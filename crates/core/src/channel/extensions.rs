//! Typed per-channel state that other crates attach to a channel (Gosub stack, hangup handlers, …).

use std::any::{Any, TypeId};

/// A map from type to one value of that type. A channel holds a handful, looked up at every
/// dialplan step: a short list searched in order beats hashing the type id.
#[derive(Default)]
pub struct Extensions(Vec<(TypeId, Box<dyn Any + Send>)>);

impl Extensions {
    /// The value of type `T`, created with `Default` on first use.
    pub fn get_or_default<T: Any + Send + Default>(&mut self) -> &mut T {
        let key = TypeId::of::<T>();
        let index = match self.0.iter().position(|(k, _)| *k == key) {
            Some(index) => index,
            None => {
                self.0.push((key, Box::new(T::default())));
                self.0.len() - 1
            }
        };
        self.0[index].1.downcast_mut().expect("entry is keyed by its own TypeId")
    }

    /// The value of type `T`, if present.
    pub fn get<T: Any + Send>(&self) -> Option<&T> {
        let key = TypeId::of::<T>();
        self.0.iter().find(|(k, _)| *k == key).and_then(|(_, b)| b.downcast_ref())
    }

    /// Removes and returns the value of type `T`.
    pub fn remove<T: Any + Send>(&mut self) -> Option<T> {
        let key = TypeId::of::<T>();
        let index = self.0.iter().position(|(k, _)| *k == key)?;
        self.0.swap_remove(index).1.downcast().ok().map(|b| *b)
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
