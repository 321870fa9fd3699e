//! Fuzzes the AMI input path: framing (`Decoder`, with small limits) and typed action parsing, fed in
//! two arbitrary chunks: never panic, and framing never depends on where the input was split.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_ami::proto::{Decoder, FrameError, Limits, Message, Request};

const LIMITS: Limits = Limits { max_line: 64, max_headers: 8, max_message: 256 };

fn messages(chunks: &[&[u8]]) -> Vec<Result<Message, FrameError>> {
    let mut d = Decoder::new(LIMITS);
    let mut out = Vec::new();
    for chunk in chunks {
        d.feed(chunk);
        loop {
            match d.next_message() {
                Ok(Some(m)) => out.push(Ok(m)),
                Ok(None) => break,
                Err(e) => out.push(Err(e)),
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| *b as usize % (data.len().max(1)));
    let whole = messages(&[data]);
    let parts = messages(&[&data[..split], &data[split..]]);
    assert_eq!(whole, parts);
    for msg in whole.into_iter().flatten() {
        let _ = Request::parse(&msg);
    }
});
