//! Conferences as FreeSWITCH's mod_conference presents them: the `conference` application (a channel
//! joins a named room, created on first join and destroyed when empty, and stays until it hangs up or
//! is kicked), the `conference` API (`list`, `count`, `kick`, `hup`, `mute`, `unmute`, `deaf`,
//! `undeaf`, `lock`, `unlock`, `play`, `dial`) with FreeSWITCH's reply texts, and
//! `CUSTOM conference::maintenance` events published as core `Conference` events.
//!
//! Membership and control work for every channel (sim/, loopback/, SIP). This crate holds no socket
//! and reads no configuration; it never mixes audio itself (see docs/conference.md).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod app;
mod args;
mod events;
mod member;
mod room;

use std::sync::Arc;

use switchyard_core::Switch;

pub use args::{JoinFlags, JoinRequest};
pub use room::{Conferences, Leave};

/// Registers the `conference` application and API command on `switch`; returns the conference table.
pub fn install(switch: &Switch) -> Conferences {
    let conferences = Conferences::new(switch.clone());
    switch.apps().register(Arc::new(app::ConferenceApp(conferences.clone())));
    switch.commands().register(Arc::new(api::ConferenceCommand(conferences.clone())));
    conferences
}
