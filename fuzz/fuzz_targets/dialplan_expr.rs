//! Fuzzes `$[ ]` expressions and argument templates: never panic, whatever the text.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_dialplan::template::Template;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = switchyard_dialplan::expr::evaluate(&text);
    let _ = Template::compile(&text);
    let _ = switchyard_dialplan::funcs::math(&text);
    let _ = switchyard_dialplan::pattern::Pattern::new(&text).matches("12345");
});
