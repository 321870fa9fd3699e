//! Fuzzes the `extensions.conf` parser: never panics; errors carry a position; a parsed dialplan can
//! be listed and searched.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_dialplan::astconf::parse_str;
use switchyard_dialplan::ir::Step;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_str("fuzz.conf", &text) {
        Ok(plan) => {
            let _ = switchyard_dialplan::commands::render_show(&plan, None);
            for name in plan.context_names() {
                let _ = plan.find(name, "100", "", Step::Number(1));
                let _ = plan.could_match_more(name, "1");
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.conf:"), "{e}"),
    }
});
