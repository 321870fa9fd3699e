//! Asterisk Manager Interface for Switchyard: the sans-io protocol core (`proto`: framing, typed
//! actions, responses, event rendering from core events, MD5 challenge, permission classes) and the
//! TCP server (`server`: login, ACL, event delivery, action handlers).
//!
//! This crate renders the core's events and drives the core through `Switch`; it keeps no channel
//! state of its own and reads no configuration files (the binary hands it an `AmiServerConfig`).
#![forbid(unsafe_code)]

pub mod proto;
pub mod server;
pub use server::{AmiServerConfig, AmiUser, DialplanEntry, DialplanLister, serve};
