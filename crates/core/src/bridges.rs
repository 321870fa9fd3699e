//! The live bridges: which channels are in which bridge, for `BridgeCreate`/`BridgeDestroy`, member
//! counts on enter/leave events, and listings (AMI `BridgeList`/`BridgeInfo`).

use std::collections::HashMap;

use parking_lot::Mutex;

use crate::clock::Timestamp;
use crate::id::ChannelId;

/// One bridge as listings show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgeRecord {
    /// Bridge id (AMI `BridgeUniqueid`).
    pub id: String,
    /// When it was created.
    pub created: Timestamp,
    /// Channels in it, in the order they entered.
    pub members: Vec<ChannelId>,
    /// Channels that were asked to join and have not left (or refused) yet.
    pending: usize,
}

/// What a leave or a refused join did to the bridge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Departure {
    /// Channels still in the bridge.
    pub members: usize,
    /// True when nobody is left or expected: the bridge is gone.
    pub destroyed: bool,
}

/// Every live bridge.
#[derive(Debug, Default)]
pub struct BridgeRegistry {
    bridges: Mutex<HashMap<String, BridgeRecord>>,
}

impl BridgeRegistry {
    /// Registers a new bridge that `expected` channels are about to join.
    pub fn create(&self, id: &str, created: Timestamp, expected: usize) {
        let record = BridgeRecord { id: id.to_owned(), created, members: Vec::new(), pending: expected };
        self.bridges.lock().insert(id.to_owned(), record);
    }

    /// A channel entered; returns the member count (0 when the bridge is unknown).
    pub fn enter(&self, id: &str, channel: ChannelId) -> usize {
        let mut map = self.bridges.lock();
        let Some(b) = map.get_mut(id) else { return 0 };
        if !b.members.contains(&channel) {
            b.members.push(channel);
        }
        b.members.len()
    }

    /// A channel is about to take `leaving`'s place: `leaving` no longer counts as a member (its own
    /// leave, later, only settles its expectation), one more channel is expected.
    pub fn swap_member(&self, id: &str, leaving: ChannelId) {
        if let Some(b) = self.bridges.lock().get_mut(id) {
            b.members.retain(|c| *c != leaving);
            b.pending += 1;
        }
    }

    /// A channel left (or will never enter); the bridge is removed when nobody is left or expected.
    pub fn leave(&self, id: &str, channel: ChannelId) -> Departure {
        let mut map = self.bridges.lock();
        let Some(b) = map.get_mut(id) else { return Departure { members: 0, destroyed: false } };
        b.members.retain(|c| *c != channel);
        b.pending = b.pending.saturating_sub(1);
        let members = b.members.len();
        let destroyed = b.pending == 0 && members == 0;
        if destroyed {
            map.remove(id);
        }
        Departure { members, destroyed }
    }

    /// One bridge.
    pub fn get(&self, id: &str) -> Option<BridgeRecord> {
        self.bridges.lock().get(id).cloned()
    }

    /// Every bridge, oldest first.
    pub fn list(&self) -> Vec<BridgeRecord> {
        let mut all: Vec<BridgeRecord> = self.bridges.lock().values().cloned().collect();
        all.sort_by(|a, b| a.created.0.cmp(&b.created.0).then_with(|| a.id.cmp(&b.id)));
        all
    }

    /// How many bridges exist.
    pub fn len(&self) -> usize {
        self.bridges.lock().len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bridge_is_gone_once_both_expected_channels_left() {
        let reg = BridgeRegistry::default();
        let (a, b) = (ChannelId::new_v4(), ChannelId::new_v4());
        reg.create("x", Timestamp(1), 2);
        assert_eq!((reg.enter("x", a), reg.enter("x", b)), (1, 2));
        assert_eq!(reg.leave("x", a), Departure { members: 1, destroyed: false });
        assert_eq!(reg.leave("x", b), Departure { members: 0, destroyed: true });
        assert!(reg.is_empty());
    }

    #[test]
    fn a_swapped_in_member_replaces_the_leaving_one_at_once() {
        let reg = BridgeRegistry::default();
        let (a, old, new) = (ChannelId::new_v4(), ChannelId::new_v4(), ChannelId::new_v4());
        reg.create("x", Timestamp(1), 2);
        reg.enter("x", a);
        reg.enter("x", old);
        reg.swap_member("x", old);
        assert_eq!(reg.enter("x", new), 2, "the leaving member no longer counts");
        assert!(!reg.leave("x", old).destroyed);
        assert!(!reg.leave("x", a).destroyed);
        assert!(reg.leave("x", new).destroyed);
    }

    #[test]
    fn a_refused_join_counts_as_a_departure() {
        let reg = BridgeRegistry::default();
        let (a, b) = (ChannelId::new_v4(), ChannelId::new_v4());
        reg.create("x", Timestamp(1), 2);
        reg.enter("x", a);
        assert!(!reg.leave("x", b).destroyed);
        assert!(reg.leave("x", a).destroyed);
    }
}
