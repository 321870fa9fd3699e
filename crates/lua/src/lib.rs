//! Lua scripting as FreeSWITCH's mod_lua offers it: the `lua <script> [args]` application, the
//! `luarun` (detached) and `lua` (returns `stream:write` output) API commands, and the script objects
//! `session`, `freeswitch.API`, `freeswitch.Session`, `freeswitch.Event`, `freeswitch.consoleLog`,
//! `freeswitch.msleep`, `argv` and `stream`.
//!
//! Every script runs on its own OS thread (Lua 5.4 through mlua), never on the async workers: a busy
//! or endless script cannot stall the switch. `session` methods are requests sent to the channel's
//! own task, which performs them with `&mut Channel` and replies; meanwhile that task keeps handling
//! the channel's commands (hangup, transfer). See docs/lua.md for why this shape was chosen.
//! This crate reads no configuration file: the binary passes [`LuaSettings`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod app;
mod call;
mod commands;
mod event;
mod freeswitch;
mod ops;
mod remote;
mod runner;
mod script;
mod serve;
mod session;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use switchyard_core::Switch;

pub use runner::{LuaEngine, ScriptEnd};
pub use script::{ScriptCall, ScriptError};

/// Settings from the `[lua]` config section.
#[derive(Clone, Debug)]
pub struct LuaSettings {
    /// Relative script names are looked up here.
    pub scripts_dir: PathBuf,
    /// How long a script may keep running once its channel is gone before it is aborted.
    pub hangup_grace: Duration,
}

impl Default for LuaSettings {
    fn default() -> Self {
        Self { scripts_dir: PathBuf::from("scripts"), hangup_grace: Duration::from_secs(10) }
    }
}

/// Registers the `lua` application and the `lua`/`luarun` API commands on `switch`.
pub fn install(switch: &Switch, settings: LuaSettings) -> LuaEngine {
    let engine = LuaEngine::new(switch.clone(), settings);
    switch.apps().register(Arc::new(app::LuaApp(engine.clone())));
    commands::register(&engine);
    engine
}
