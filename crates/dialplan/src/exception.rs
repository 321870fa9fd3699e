//! The `e` extension: where a channel goes when `i` or `t` is missing, or on `RaiseException`;
//! `EXCEPTION(reason|context|exten|priority)` tells where it came from and why.

use switchyard_core::Channel;

use crate::engine::Engine;
use crate::state::{jump, pc};

/// Why and where an exception was raised.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exception {
    pub reason: String,
    pub context: String,
    pub exten: String,
    pub priority: u32,
}

/// Sends the channel to `e` in `ctx` if it exists; false when there is none.
pub(crate) fn raise(engine: &Engine, chan: &mut Channel, ctx: &str, reason: &str) -> bool {
    if !engine.plan().exists(ctx, "e", &chan.current().caller.number) {
        return false;
    }
    let loc = chan.current().location.clone();
    let ex = Exception {
        reason: reason.to_owned(),
        context: loc.context.as_str().to_owned(),
        exten: loc.exten.as_str().to_owned(),
        priority: loc.priority,
    };
    pc(chan).exception = Some(ex);
    jump(chan, ctx, "e", 1);
    true
}

/// `EXCEPTION(field)`.
pub(crate) fn read(chan: &mut Channel, field: &str) -> String {
    let Some(ex) = pc(chan).exception.clone() else { return String::new() };
    match field.trim() {
        "reason" => ex.reason,
        "context" => ex.context,
        "exten" => ex.exten,
        "priority" => ex.priority.to_string(),
        _ => String::new(),
    }
}
