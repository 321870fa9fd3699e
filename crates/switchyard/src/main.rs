//! Switchyard's entry point: parse the command line and hand over to the chosen mode.

use std::process::ExitCode;

use clap::Parser;
use switchyard::args::{Args, dispatch};

/// mimalloc returns freed memory to the system far better than glibc's per-thread arenas when many
/// small objects (channels, scheduled tasks) come and go across worker and blocking threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match dispatch(Args::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("switchyard: {err:#}");
            ExitCode::FAILURE
        }
    }
}
