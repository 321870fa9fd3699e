//! Fuzzes the FreeSWITCH XML dialplan parser and hunter: never panics; errors name the file and a
//! position; a parsed dialplan can be hunted for a destination.
#![no_main]
#![forbid(unsafe_code)]

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use libfuzzer_sys::fuzz_target;
use switchyard_core::app::BoxFuture;
use switchyard_dialplan::fsxml::hunt::{HuntEnv, hunt};
use switchyard_dialplan::fsxml::parse_untrusted;

struct Call;

impl HuntEnv for Call {
    fn field(&mut self, field: &str) -> String {
        if field == "destination_number" { "1000".to_owned() } else { field.chars().rev().collect() }
    }
    fn expand(&mut self, text: &str) -> String {
        text.to_owned()
    }
    fn inline<'a>(&'a mut self, _app: &'a str, _data: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    fn now(&self) -> i64 {
        1_800_000_000
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_untrusted("fuzz.xml", &text) {
        Ok(plan) => {
            for ctx in plan.contexts.values() {
                let mut env = Call;
                let mut fut = pin!(hunt(ctx, &mut env));
                assert!(matches!(fut.as_mut().poll(&mut Context::from_waker(Waker::noop())), Poll::Ready(_)));
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.xml:"), "{e}"),
    }
});
