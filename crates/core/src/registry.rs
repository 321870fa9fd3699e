//! The live channels, found by id or name without a global lock (sharded maps).

use std::sync::Arc;

use dashmap::DashMap;

use crate::channel::ChannelHandle;
use crate::id::ChannelId;
use crate::snapshot::ChannelSnapshot;

/// Live channels by id and by name.
#[derive(Default)]
pub struct ChannelRegistry {
    by_id: DashMap<ChannelId, ChannelHandle>,
    by_name: DashMap<String, ChannelId>,
}

impl ChannelRegistry {
    pub(crate) fn insert(&self, handle: ChannelHandle) {
        let name = handle.snapshot().name.as_str().to_owned();
        self.by_name.insert(name, handle.id());
        self.by_id.insert(handle.id(), handle);
    }

    pub(crate) fn remove(&self, id: ChannelId) {
        if let Some((_, handle)) = self.by_id.remove(&id) {
            self.by_name.remove(handle.snapshot().name.as_str());
        }
    }

    /// A channel by id.
    pub fn get(&self, id: ChannelId) -> Option<ChannelHandle> {
        self.by_id.get(&id).map(|h| h.clone())
    }

    /// A channel by exact name (Asterisk names are case-insensitive: tried as given, then ignoring case).
    pub fn by_name(&self, name: &str) -> Option<ChannelHandle> {
        if let Some(id) = self.by_name.get(name).map(|r| *r) {
            return self.get(id);
        }
        self.by_id.iter().find(|h| h.snapshot().name.eq_ignore_ascii_case(name)).map(|h| h.clone())
    }

    /// A channel by uuid text or by name.
    pub fn find(&self, key: &str) -> Option<ChannelHandle> {
        key.parse().ok().and_then(|id| self.get(id)).or_else(|| self.by_name(key))
    }

    /// Number of live channels.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when no channel is up.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// All handles.
    pub fn handles(&self) -> Vec<ChannelHandle> {
        self.by_id.iter().map(|h| h.clone()).collect()
    }

    /// Snapshots of all live channels, oldest first (ties by name).
    pub fn snapshots(&self) -> Vec<Arc<ChannelSnapshot>> {
        let mut v: Vec<_> = self.by_id.iter().map(|h| h.snapshot()).collect();
        v.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.name.cmp(&b.name)));
        v
    }
}
