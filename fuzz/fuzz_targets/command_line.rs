//! Fuzzes command-line splitting and command lookup in the built-in registry: never panic.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use switchyard_core::command::{CommandRegistry, split_args};

static REGISTRY: LazyLock<CommandRegistry> = LazyLock::new(CommandRegistry::with_builtins);

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let words = split_args(&line);
    match REGISTRY.resolve(&line) {
        // The arguments handed to a command are the words after its name.
        Ok((_, args)) => assert!(args.len() < words.len() && words.ends_with(&args)),
        Err(unknown) => drop(unknown.freeswitch_text()),
    }
});
