//! Freeing events that left the bus's replay window, a batch at a time.
//!
//! By the time an event leaves a 65,536-event window the memory it points to (its snapshot, the
//! strings and variable changes only it still holds) has long left the CPU caches. Dropping one costs a
//! cache miss per object, and each miss is waited for in turn: the reference-count decrement that
//! drops an object is an atomic instruction, which waits for every load before it. Reading first
//! what the drops will touch, for a whole batch, with plain loads that do not wait for each other,
//! lets those misses overlap; the drops then find their objects in the cache.

use std::sync::Arc;

use crate::bus::Slot;
use crate::event::EventKind;
use crate::snapshot::ChannelSnapshot;

/// Events freed together.
pub(crate) const BATCH: usize = 32;

/// Frees `batch`, touching level by level (what the events point to, then what that points to) what
/// dropping them will touch.
pub(crate) fn free(batch: Vec<Slot>) {
    let mut sum = 0usize;
    for event in &batch {
        sum = sum.wrapping_add(touch_kind(&event.kind));
        if let Some(snap) = &event.channel {
            sum = sum.wrapping_add(Arc::strong_count(snap));
        }
    }
    for event in &batch {
        if let Some(snap) = &event.channel {
            sum = sum.wrapping_add(touch_snapshot(snap));
        }
    }
    std::hint::black_box(sum);
    drop(batch);
}

/// Reads the reference counts of the objects the event's own fields share.
fn touch_kind(kind: &EventKind) -> usize {
    match kind {
        EventKind::Execute { exec } | EventKind::ExecuteComplete { exec, .. } => {
            Arc::strong_count(exec).wrapping_add(exec.data.touch())
        }
        EventKind::VarSet { name, value } => name.touch().wrapping_add(value.touch()),
        _ => 0,
    }
}

/// Reads what dropping the snapshot's last reference touches: its body, the execution and the newest
/// variable change.
fn touch_snapshot(snap: &ChannelSnapshot) -> usize {
    let exec = snap.location.exec.as_ref().map_or(0, Arc::strong_count);
    exec.wrapping_add(snap.location.priority as usize).wrapping_add(snap.variables.touch())
}
