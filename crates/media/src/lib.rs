//! Switchyard's media: RTP sessions on a port range (one socket task per call leg, relaying bridged
//! legs without decoding), our own G.711 µ-law/A-law, RFC 4733 DTMF, a jitter buffer, WAV prompts and
//! recordings, an N-party mixer, and the media applications (Playback, Background, Echo, Record,
//! MusicOnHold, SendDTMF and their FreeSWITCH names) plus `uuid_record`.
//!
//! The protocol pieces (`g711`, `rtp`, `dtmf`, `jitter`, `packetizer`, `mixer`, `resample`) are sans-io;
//! the engine owns the sockets. The crate never reads configuration files: the binary passes
//! [`MediaConfig`] and [`MediaSettings`].
#![deny(unsafe_code)] // one audited exception: registering a socket we own (session.rs)
#![warn(missing_docs)]

pub mod apps;
pub mod batch;
pub mod codec;
mod commands;
pub mod dtmf;
mod engine;
mod error;
pub mod g711;
mod io;
pub mod jitter;
pub mod mixer;
pub mod packetizer;
mod port;
pub mod prompts;
pub mod resample;
pub mod rtcp;
mod rtcp_session;
pub mod rtcp_stats;
pub mod rtp;
mod session;
mod threads;
pub mod wav;

pub use apps::{MediaSettings, install};
pub use codec::Codec;
pub use engine::{MediaConfig, MediaEngine};
pub use error::MediaError;
pub use mixer::Mixer;
pub use session::{RtpSession, RtpStats};
pub use threads::{no_huge_page_collapse, set_realtime, set_realtime_priority};
