//! Fuzzes the `features.conf` parser: never panics; errors carry the file name and a position; parsed
//! feature codes are DTMF digits a matcher can use.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_core::features::{Allowed, match_code};
use switchyard_dialplan::astconf::parse_features;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_features("fuzz.conf", &text) {
        Ok((cfg, _warnings)) => {
            let codes = cfg.featuremap.codes(Allowed { transfer: true, disconnect: true });
            for (code, _) in &codes {
                assert!(code.chars().all(|c| c.is_ascii_digit() || "*#ABCD".contains(c)), "{code}");
                let _ = match_code(code, &codes);
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.conf:"), "{e}"),
    }
});
