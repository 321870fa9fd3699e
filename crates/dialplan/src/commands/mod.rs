//! Console commands this crate adds: AstDB (`database …`), `dialplan show|reload`,
//! `core show hanguphandlers`. Outputs follow Asterisk's formats.

mod database;
mod dialplan;
mod handlers;

use std::sync::Arc;

use switchyard_core::Switch;

use crate::engine::Engine;

/// Registers every command.
pub(crate) fn register(switch: &Switch, engine: &Arc<Engine>) {
    database::register(switch, engine);
    dialplan::register(switch, engine);
    handlers::register(switch, engine);
}

pub use dialplan::render_show;
