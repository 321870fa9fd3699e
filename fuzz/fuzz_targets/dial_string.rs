//! Fuzzes dial-string parsing (`[{vars}]tech/resource`) and, for `sim/`, the resource's options: never panic.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_core::tech::{DialString, SimSpec};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The options parser also runs on raw input, so it is reached without the fuzzer first finding `sim/`.
    let _ = SimSpec::parse(&text).map_err(|e| e.to_string());
    match DialString::parse(&text) {
        Ok(dial) => check_parsed(&dial),
        Err(e) => drop(e.to_string()),
    }
});

/// A parsed dial string re-parses to itself without its variables, and `sim/` resources parse too.
fn check_parsed(dial: &DialString) {
    assert!(dial.resource.starts_with(dial.name_base()));
    let again = DialString::parse(&format!("{}/{}", dial.tech, dial.resource)).expect("re-parse");
    assert_eq!((again.tech.as_str(), again.resource.as_str()), (dial.tech.as_str(), dial.resource.as_str()));
    if dial.tech == "sim" {
        let _ = SimSpec::parse(&dial.resource).map_err(|e| e.to_string());
    }
}
