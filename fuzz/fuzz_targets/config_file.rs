//! Fuzzes the switchyard.toml loader: any text gives a config or an error naming the file — never a panic.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(err) = switchyard::config::parse_str(&text, "fuzz.toml") {
        assert!(err.to_string().contains("fuzz.toml"), "error without the file name: {err}");
    }
});
