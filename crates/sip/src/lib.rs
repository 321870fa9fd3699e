//! SIP for Switchyard: UDP and TCP listeners, a registrar with digest authentication, and SIP calls as
//! channel technologies (`SIP/`, `PJSIP/`, `sofia/`, `user/`).
//!
//! # Layers
//! - [`wire`]: our thin wrapper over **rsipstack** (pinned `=0.7.14`): its parser splits the start line
//!   and headers and parses the Request-URI; we frame messages ourselves (Content-Length on streams,
//!   the rest of the datagram on UDP) and read header parameters ourselves, because rsipstack drops a
//!   UDP body without Content-Length, accepts a Content-Length larger than the data, and is strict
//!   about `tag = x` spacing and escaped quotes. Replacing the stack means rewriting `wire/mod.rs` only.
//! - [`engine`]: our own **sans-io** transaction, dialog and call core (time passed in). We do not use
//!   rsipstack's transaction and dialog layers: they own sockets and spawn tasks per transaction, while
//!   a single state machine fed by one task is simpler to test without a network, parses each message
//!   once, and has no task or thread per call.
//! - [`registrar`], [`digest`], [`sdp`], [`causes`]: sans-io pieces the engine uses; [`sendevent`]: the
//!   events (ESL `sendevent`) that make SIP send MESSAGE or NOTIFY.
//! - [`transport`], [`driver`], [`tech`], [`media`]: the async shell: sockets (UDP with a 4 MiB receive
//!   buffer, TCP), the task that runs the engine and creates channels, the dial-string techs, and the
//!   seam to the media engine. Host names ([`host`]) are resolved there too, never in the engine.

#![forbid(unsafe_code)]

pub mod causes;
pub mod dialstring;
pub mod digest;
pub mod driver;
pub mod engine;
pub mod host;
pub mod media;
pub mod registrar;
pub mod sdp;
pub mod sendevent;
pub mod tech;
pub mod transport;
pub mod wire;

pub use driver::{SipConfig, SipServer, SipStarted, Trunk};
