//! The Switchyard program: configuration, the running server (control socket, metrics, shutdown), the
//! console client and load benchmarks, wired around `switchyard-core` and `switchyard-store`.
//! `main.rs` only parses the command line and calls `args::dispatch`.
#![forbid(unsafe_code)]

pub mod args;
pub mod bench;
mod bench_ami;
mod bench_esl;
mod bench_media;
mod bench_sched;
pub mod cli_client;
pub mod config;
pub mod control_proto;
mod log_feed;
pub mod logging;
pub mod server;
