//! Fuzzes RFC 4733 telephone-event decoding and the DTMF receive state machine: the input is a series
//! of (timestamp, payload) packets; never panics, and every event survives write then parse.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_media::dtmf::{DtmfReceiver, TelephoneEvent};

fuzz_target!(|data: &[u8]| {
    let mut rx = DtmfReceiver::default();
    for chunk in data.chunks(6) {
        let [t0, t1, payload @ ..] = chunk else { break };
        let ts = u32::from(u16::from_be_bytes([*t0, *t1]));
        if let Ok(ev) = TelephoneEvent::parse(payload) {
            let mut out = [0u8; 4];
            ev.write(&mut out);
            assert_eq!(TelephoneEvent::parse(&out), Ok(TelephoneEvent { volume: ev.volume & 0x3F, ..ev }));
        }
        let _ = rx.on_packet(ts, payload);
    }
});
