//! Fuzzes the RTP header parser with arbitrary datagrams: never panics, the payload range lies inside
//! the datagram, and rewriting the header in place keeps the same payload range.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_media::rtp;

fuzz_target!(|data: &[u8]| {
    let Ok(p) = rtp::parse(data) else { return };
    assert!(p.payload_start <= p.payload_end && p.payload_end <= data.len());
    let mut copy = data.to_vec();
    let mut h = p.header;
    h.seq = h.seq.wrapping_add(1);
    h.rewrite(&mut copy);
    let again = rtp::parse(&copy).expect("a rewritten header still parses");
    assert_eq!((again.payload_start, again.payload_end), (p.payload_start, p.payload_end));
    assert_eq!(again.header, h);
});
