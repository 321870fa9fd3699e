//! Fuzzes the ESL `sendevent` headers SIP reads (SEND_MESSAGE, NOTIFY, MESSAGE_WAITING): `name: value`
//! lines, then a blank line and a body, never panic.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_sip::sendevent::outgoing;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let headers: Vec<(String, String)> = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    for name in ["SEND_MESSAGE", "NOTIFY", "MESSAGE_WAITING"] {
        let _ = outgoing(name, &headers, Some(body), "127.0.0.1");
    }
});
