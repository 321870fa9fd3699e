//! Hangup handlers (Asterisk 11+): per-channel LIFO stacks of Gosub locations pushed, popped and
//! wiped with `CHANNEL(hangup_handler_*)`, each change published; run after `h` at hangup.

use std::collections::HashMap;

use parking_lot::Mutex;
use switchyard_core::{Channel, ChannelId, EventKind};

/// The stacks, by channel (shared so `core show hanguphandlers` can list them).
#[derive(Default)]
pub struct HandlerRegistry(Mutex<HashMap<ChannelId, Vec<String>>>);

impl HandlerRegistry {
    /// Pushes `value` (missing context and extension taken from the channel now); empty is ignored.
    pub(crate) fn push(&self, chan: &mut Channel, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let handler = expand(chan, value);
        self.0.lock().entry(chan.id()).or_default().push(handler.clone());
        chan.publish(EventKind::HangupHandlerPush { handler });
    }

    /// Pops the newest handler (if any), then pushes `value` if not empty.
    pub(crate) fn pop(&self, chan: &mut Channel, value: &str) {
        let popped = self.0.lock().get_mut(&chan.id()).and_then(Vec::pop);
        if let Some(handler) = popped {
            chan.publish(EventKind::HangupHandlerPop { handler });
        }
        self.push(chan, value);
    }

    /// Pops every handler, then pushes `value` if not empty.
    pub(crate) fn wipe(&self, chan: &mut Channel, value: &str) {
        loop {
            let popped = self.0.lock().get_mut(&chan.id()).and_then(Vec::pop);
            let Some(handler) = popped else { break };
            chan.publish(EventKind::HangupHandlerPop { handler });
        }
        self.push(chan, value);
    }

    /// Removes and returns the handler to run next.
    pub(crate) fn take_next(&self, chan: &Channel) -> Option<String> {
        self.0.lock().get_mut(&chan.id()).and_then(Vec::pop)
    }

    /// Drops a finished channel's stack.
    pub(crate) fn forget(&self, id: ChannelId) {
        self.0.lock().remove(&id);
    }

    /// A channel's handlers, newest first.
    pub fn list(&self, id: ChannelId) -> Vec<String> {
        self.0.lock().get(&id).map(|v| v.iter().rev().cloned().collect()).unwrap_or_default()
    }
}

/// `[[context,]exten,]priority[(args)]` with the missing parts filled from the channel.
fn expand(chan: &Channel, value: &str) -> String {
    let (loc, args) = match value.find('(') {
        Some(p) => value.split_at(p),
        None => (value, ""),
    };
    let here = &chan.current().location;
    let parts: Vec<&str> = loc.split(',').map(str::trim).collect();
    let (c, e, p) = match parts.as_slice() {
        [p] => (here.context.as_str(), here.exten.as_str(), *p),
        [e, p] => (here.context.as_str(), *e, *p),
        [c, e, p, ..] => (*c, *e, *p),
        [] => (here.context.as_str(), here.exten.as_str(), "1"),
    };
    format!("{c},{e},{p}{args}")
}
