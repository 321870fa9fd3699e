//! Optimising a Local pair away (Asterisk's unreal swap optimisation): once `;1` and `;2` are both
//! bridged, to channels other than each other, the channel bridged with `;2` takes `;1`'s place in
//! `;1`'s bridge and both legs hang up. `LocalOptimizationBegin`/`End` frame it. `/n` turns it off.

use std::collections::HashSet;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use parking_lot::Mutex;

use switchyard_core::channel::ChannelHandle;
use switchyard_core::transfer::LocalOptimization;
use switchyard_core::{ChannelCommand, ChannelId, EventKind, HangupCause, Switch};

/// Numbers optimisations (the events' `Id`), as Asterisk's global counter does.
static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// Channels whose part in their bridge would be lost with them: a Dial time limit or feature codes
/// run in that channel's task. A Local leg among them keeps its pair (ids are UUIDs: one set serves
/// every switch of the process).
static PINNED: LazyLock<Mutex<HashSet<ChannelId>>> = LazyLock::new(Mutex::default);

/// Keeps `id`'s Local pair, if it is a Local leg, from being optimised while this lives.
pub(crate) struct Pin(ChannelId);

/// Pins `id` (see `PINNED`).
pub(crate) fn pin(id: ChannelId) -> Pin {
    PINNED.lock().insert(id);
    Pin(id)
}

impl Drop for Pin {
    fn drop(&mut self) {
        PINNED.lock().remove(&self.0);
    }
}

/// The other member of `bridge_id`.
fn peer_in(switch: &Switch, bridge_id: &str, me: ChannelId) -> Option<ChannelId> {
    switch.bridges().get(bridge_id)?.members.into_iter().find(|m| *m != me)
}

/// Optimises the pair when both legs are bridged; `begun` makes it happen once per pair (either
/// leg may see the other bridged first).
pub(crate) fn try_optimize(switch: &Switch, one: &ChannelHandle, two: &ChannelHandle, begun: &AtomicBool) {
    let (s1, s2) = (one.snapshot(), two.snapshot());
    let (Some(b1), Some(b2)) = (s1.bridge_id.clone(), s2.bridge_id.clone()) else { return };
    let (Some(outer1), Some(outer2)) = (peer_in(switch, &b1, s1.id), peer_in(switch, &b2, s2.id)) else { return };
    if outer1 == outer2 || outer1 == s2.id || s1.state.phase().is_ending() || s2.state.phase().is_ending() {
        return;
    }
    if [s1.id, s2.id].iter().any(|id| PINNED.lock().contains(id)) {
        return;
    }
    if begun.swap(true, Ordering::SeqCst) {
        return;
    }
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let source = switch.channels().get(outer2).map(|h| h.snapshot());
    let dest_uniqueid = s1.id.to_string();
    let begin = LocalOptimization::Begin { one: s1.clone(), two: s2.clone(), source, dest_uniqueid, id };
    switch.bus().publish(EventKind::LocalOptimization(Box::new(begin)), None);
    let success = switch.swap_bridge_member(&b1, s1.id, outer2).is_ok();
    if success {
        // `;2` must not tell the moved channel it left: that channel is in `;1`'s bridge now.
        let _ = two.send(ChannelCommand::LeaveBridge { bridge_id: b2, notify_peer: false });
    }
    tracing::info!("Local optimisation {id} of {}: {}", s1.name, if success { "done" } else { "failed" });
    let end = LocalOptimization::End { one: one.snapshot(), two: two.snapshot(), success, id };
    switch.bus().publish(EventKind::LocalOptimization(Box::new(end)), None);
    if success {
        let _ = one.hangup(HangupCause::NORMAL_CLEARING, "local optimized");
        let _ = two.hangup(HangupCause::NORMAL_CLEARING, "local optimized");
    }
}
