//! Fuzzes hangup-cause and duration parsing (both read from dial strings, AMI and ESL): never panic.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_core::HangupCause;
use switchyard_core::tech::parse_duration;

/// The longest duration `parse_duration` accepts: one year.
const MAX_SECS: u64 = 31_536_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match HangupCause::parse(&text) {
        Ok(cause) => check_cause(cause),
        Err(e) => drop(e.to_string()),
    }
    let _ = HangupCause::parse_lenient(&text);
    match parse_duration(&text) {
        Ok(d) => assert!(d.as_secs() <= MAX_SECS, "{text:?} gave {d:?}"),
        Err(e) => drop(e.to_string()),
    }
});

/// Every view of a parsed cause renders, and a named cause parses back from its name.
fn check_cause(cause: HangupCause) {
    let _ = (cause.q850(), cause.asterisk_code(), cause.asterisk_text(), cause.to_string());
    let name = cause.fs_name();
    if name != "UNKNOWN" {
        assert_eq!(HangupCause::parse(name), Ok(cause), "{name}");
    }
}
