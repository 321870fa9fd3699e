//! FreeSWITCH Event Socket for Switchyard: the sans-io protocol core (`proto`: framing, typed commands,
//! plain/JSON/XML event rendering) and the server (`server`: inbound listener, outbound `socket` app).
//!
//! This crate renders the core's events and calls the core's command registry; it never keeps channel
//! state of its own and reads no configuration files (the binary hands it an `EslServerConfig`).
#![forbid(unsafe_code)]

pub mod api;
pub mod logs;
pub mod proto;
pub mod server;

pub use server::{EslServerConfig, serve};
