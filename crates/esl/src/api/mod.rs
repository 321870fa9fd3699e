//! FreeSWITCH API commands that need the event renderer, added to the shared command registry.

mod bgapi;
mod uuid_dump;

use std::sync::Arc;

use switchyard_core::Switch;

use crate::proto::RenderContext;

/// Registers this crate's commands on `switch`.
pub fn register(switch: &Switch, ctx: RenderContext) {
    switch.commands().register(Arc::new(uuid_dump::UuidDump { ctx }));
    switch.commands().register(Arc::new(bgapi::BgApi));
}
