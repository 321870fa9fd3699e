//! Switchyard's entry point: parse the command line and hand over to the chosen mode.

use std::process::ExitCode;

use clap::Parser;
use switchyard::args::{Args, dispatch};

fn main() -> ExitCode {
    match dispatch(Args::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("switchyard: {err:#}");
            ExitCode::FAILURE
        }
    }
}
