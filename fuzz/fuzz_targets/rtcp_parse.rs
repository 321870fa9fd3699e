//! Fuzzes the RTCP compound parser with arbitrary datagrams: never panics, and whatever parses
//! survives being written back out by our compound writer and parsed again unchanged.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_media::rtcp;

fuzz_target!(|data: &[u8]| {
    let Ok(c) = rtcp::parse(data) else { return };
    assert!(c.blocks.len() <= 31);
    let mut out = Vec::new();
    let cname = c.cname.clone().unwrap_or_default();
    rtcp::write_compound(c.ssrc, c.sender.as_ref(), &c.blocks, &cname, &mut out);
    let again = rtcp::parse(&out).expect("our own compound parses");
    assert_eq!((again.ssrc, again.sender, &again.blocks), (c.ssrc, c.sender, &c.blocks));
    if cname.len() <= 255 {
        assert_eq!(again.cname.unwrap_or_default(), cname);
    }
});
