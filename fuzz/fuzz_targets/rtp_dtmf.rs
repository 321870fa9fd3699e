//! Fuzzes RFC 4733 telephone-event decoding and the DTMF receive state machine: the input is a series
//! of (timestamp, payload) packets (a short payload stands for an audio packet); never panics, every
//! event survives write then parse, and the receiver reports each digit as Begin then End of the same digit.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_media::dtmf::{DtmfReceiver, DtmfSignal, TelephoneEvent};

fuzz_target!(|data: &[u8]| {
    let mut rx = DtmfReceiver::default();
    let mut open: Option<char> = None;
    let mut check = |s: DtmfSignal| match s {
        DtmfSignal::Begin(d) => assert_eq!(open.replace(d), None, "begin of {d} while a digit is open"),
        DtmfSignal::End(d, _) => assert_eq!(open.take(), Some(d), "end of {d} without its begin"),
    };
    for chunk in data.chunks(6) {
        let [t0, t1, payload @ ..] = chunk else { break };
        let ts = u32::from(u16::from_be_bytes([*t0, *t1]));
        if let Ok(ev) = TelephoneEvent::parse(payload) {
            let mut out = [0u8; 4];
            ev.write(&mut out);
            assert_eq!(TelephoneEvent::parse(&out), Ok(TelephoneEvent { volume: ev.volume & 0x3F, ..ev }));
        }
        if payload.len() < 4 {
            rx.on_audio(ts, &mut check);
        } else {
            rx.on_packet(ts, payload, &mut check);
        }
    }
});
