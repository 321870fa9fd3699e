//! Conferences as FreeSWITCH's mod_conference presents them: the `conference` application (a channel
//! joins a named room, created on first join and destroyed when empty, and stays until it hangs up or
//! is kicked), the `conference` API (`list`, `count`, `kick`, `hup`, `mute`, `unmute`, `deaf`,
//! `undeaf`, `lock`, `unlock`, `play`, `dial`) with FreeSWITCH's reply texts, and
//! `CUSTOM conference::maintenance` events published as core `Conference` events.
//!
//! Membership and control work for every channel (sim/, loopback/, SIP); members whose channels
//! carry media (`Channel::media()`) are mixed every 20 ms with the media crate's `Mixer`, and their
//! talking is reported. This crate holds no socket and reads no configuration.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod app;
mod args;
mod events;
mod files;
mod floor;
mod member;
mod mix;
mod mixing;
mod play;
mod room;

use std::sync::Arc;

use switchyard_core::Switch;
pub use switchyard_media::prompts::Library;

pub use args::{JoinFlags, JoinRequest};

/// The mixer on fake media ports, for the `mix_bench` example (not a stable interface).
#[doc(hidden)]
pub mod bench {
    use std::sync::Arc;

    use crate::mix::MixBus;
    pub use crate::mix::fake::FakePort;

    /// A conference mixer over `ports`, every member hearing and speaking.
    pub struct MixBench(MixBus);

    impl MixBench {
        /// One member per port.
        pub fn new(ports: &[Arc<FakePort>]) -> Self {
            let bus = MixBus::default();
            for (i, port) in ports.iter().enumerate() {
                bus.add(i as u32 + 1, port.clone(), 100, true, true);
            }
            Self(bus)
        }

        /// One 20 ms mixing step.
        pub fn tick(&self) {
            self.0.tick();
        }
    }
}
pub use room::{Conferences, Leave};

/// Registers the `conference` application and API command on `switch`; returns the conference table.
/// `conference <name> play` finds its files with `sounds` (the prompts directory, as `playback`).
pub fn install(switch: &Switch, sounds: Library) -> Conferences {
    let conferences = Conferences::new(switch.clone(), sounds);
    switch.apps().register(Arc::new(app::ConferenceApp(conferences.clone())));
    switch.commands().register(Arc::new(api::ConferenceCommand(conferences.clone())));
    conferences
}
