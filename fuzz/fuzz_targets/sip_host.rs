//! Fuzzes SIP hosts (`[[sip.trunks]] host`, the `@host[:port]` of dial strings) and the SIP dial-string
//! resources that carry them: never panic, and a host that parses prints back to text that parses to it.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use switchyard_sip::dialstring::{self, Route};
use switchyard_sip::host::{Host, check_hostname, parse_host_port};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok((host, port)) = parse_host_port(&text) {
        check_host(&host, port.unwrap_or(5060));
    }
    for tech in ["SIP", "PJSIP", "sofia"] {
        match dialstring::parse(tech, &text, &|name| name == "carrier") {
            Ok(Route::Direct { host, port, .. }) => check_host(&host, port),
            Ok(_) => {}
            Err(e) => drop(e.to_string()),
        }
    }
});

/// A name is a valid host name, and `host:port` parses back to the same host and port.
fn check_host(host: &Host, port: u16) {
    if let Host::Name(name) = host {
        assert_eq!(check_hostname(name), Ok(()));
    }
    let again = parse_host_port(&host.with_port(port)).expect("re-parse");
    assert_eq!(again, (host.clone(), Some(port)));
}
