//! Fuzzes the Event Socket input path: framing (`Decoder`) and typed command parsing, fed in two
//! arbitrary chunks: never panic, and framing never depends on where the input was split.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_esl::proto::{Command, Decoder, Frame, Limits};

const LIMITS: Limits = Limits { max_header_block: 4096, max_body: 4096 };

fn frames(chunks: &[&[u8]]) -> Vec<Frame> {
    let mut d = Decoder::new(LIMITS);
    let mut out = Vec::new();
    for chunk in chunks {
        d.feed(chunk);
        loop {
            match d.next_frame() {
                Ok(Some(f)) => out.push(f),
                Ok(None) => break,
                Err(_) => return out,
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| *b as usize % (data.len().max(1)));
    let whole = frames(&[data]);
    let parts = frames(&[&data[..split], &data[split..]]);
    assert_eq!(whole, parts);
    for frame in whole {
        let _ = Command::parse(frame);
    }
});
