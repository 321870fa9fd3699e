//! Outbound registration against a registrar played by the test (our own digest code checks the answer).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::*;
use crate::digest::{NonceKey, Verdict, parse_authorization};
use crate::wire::response_to;

const LOCAL: &str = "127.0.0.1:5060";

fn local(_: Transport) -> SocketAddr {
    LOCAL.parse().unwrap()
}

fn spec() -> RegistrationSpec {
    RegistrationSpec {
        trunk: "carrier".into(),
        host: "127.0.0.1:5099".into(),
        addr: Some("127.0.0.1:5099".parse().unwrap()),
        transport: Transport::Udp,
        user: "trunkuser".into(),
        password: "trunkpw".into(),
        expires: 300,
    }
}

fn parse(send: &Send) -> Message {
    Message::parse(&send.2, Transport::Udp).unwrap()
}

fn reply(req: &Message, code: u16, extra: &[(&str, String)]) -> Message {
    let mut b = response_to(req, code, Some("reg"));
    for (k, v) in extra {
        b = b.header(k, v);
    }
    Message::parse(&b.finish(), Transport::Udp).unwrap()
}

#[test]
fn challenge_answered_then_registered_and_refreshed_at_half_expiry() {
    let t0 = Instant::now();
    let mut regs = TrunkRegistrations::new(vec![spec()], t0);
    let (sends, _) = regs.poll(t0, local);
    let first = parse(&sends[0]);
    assert_eq!((first.method(), first.expires()), (Some("REGISTER"), Some(300)));
    assert!(first.header("Authorization").is_none());
    assert_eq!(first.header("To"), Some("<sip:trunkuser@127.0.0.1:5099>"));

    let key = NonceKey::new("k", "carrier");
    let challenge = reply(&first, 401, &[("WWW-Authenticate", key.challenges(1000, false).remove(0))]);
    let (sends, events) = regs.on_response(t0, &challenge, local).unwrap();
    assert!(events.is_empty());
    let second = parse(&sends[0]);
    assert_eq!(second.cseq(), (2, "REGISTER"));
    assert_eq!(second.call_id(), first.call_id());
    let creds = parse_authorization(second.header("Authorization").unwrap()).unwrap();
    assert_eq!(key.verify(&creds, "REGISTER", "trunkpw", 1001), Verdict::Ok, "{creds:?}");

    let ok = reply(&second, 200, &[("Contact", "<sip:trunkuser@127.0.0.1:5060>;expires=120".into())]);
    let (sends, events) = regs.on_response(t0, &ok, local).unwrap();
    assert!(sends.is_empty());
    assert_eq!(
        events,
        vec![TrunkRegEvent::Registered {
            trunk: "carrier".into(),
            username: "sip:trunkuser@127.0.0.1:5099".into(),
            domain: "sip:127.0.0.1:5099".into(),
            expires: 120,
        }]
    );
    assert_eq!(regs.next_due(), Some(t0 + Duration::from_secs(60)));
    assert!(regs.poll(t0 + Duration::from_secs(59), local).0.is_empty());
    let (sends, _) = regs.poll(t0 + Duration::from_secs(60), local);
    assert_eq!(parse(&sends[0]).cseq(), (3, "REGISTER"));
}

#[test]
fn udp_retransmits_then_times_out_and_retries_later() {
    let t0 = Instant::now();
    let mut regs = TrunkRegistrations::new(vec![spec()], t0);
    let (sends, _) = regs.poll(t0, local);
    let at = |ms| t0 + Duration::from_millis(ms);
    assert!(regs.poll(at(499), local).0.is_empty());
    assert_eq!(regs.poll(at(500), local).0[0].2, sends[0].2);
    assert!(regs.poll(at(1499), local).0.is_empty());
    assert_eq!(regs.poll(at(1500), local).0.len(), 1);
    let (_, events) = regs.poll(at(32_000), local);
    assert!(matches!(&events[..], [TrunkRegEvent::Failed { code: 408, .. }]));
    assert!(regs.poll(at(32_000 + 29_999), local).0.is_empty());
    assert_eq!(regs.poll(at(32_000 + 30_000), local).0.len(), 1);
}

#[test]
fn a_second_challenge_or_a_rejection_fails_with_its_code() {
    let t0 = Instant::now();
    let mut regs = TrunkRegistrations::new(vec![spec()], t0);
    let first = parse(&regs.poll(t0, local).0[0]);
    let ch = NonceKey::new("k", "carrier").challenges(1000, false).remove(0);
    let (sends, _) = regs.on_response(t0, &reply(&first, 407, &[("Proxy-Authenticate", ch.clone())]), local).unwrap();
    let second = parse(&sends[0]);
    assert!(second.header("Authorization").is_some());
    let (sends, events) = regs.on_response(t0, &reply(&second, 401, &[("WWW-Authenticate", ch)]), local).unwrap();
    assert!(sends.is_empty());
    assert!(matches!(&events[..], [TrunkRegEvent::Failed { code: 401, .. }]));

    let mut regs = TrunkRegistrations::new(vec![spec()], t0);
    let first = parse(&regs.poll(t0, local).0[0]);
    let (_, events) = regs.on_response(t0, &reply(&first, 403, &[]), local).unwrap();
    assert!(matches!(&events[..], [TrunkRegEvent::Failed { code: 403, reason, .. }] if reason == "Forbidden"));
}

#[test]
fn responses_to_other_requests_are_not_ours() {
    let t0 = Instant::now();
    let mut regs = TrunkRegistrations::new(vec![spec()], t0);
    regs.poll(t0, local);
    let other = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\n\
                 To: <sip:a@b>;tag=2\r\nCall-ID: someone-else@x\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
    let other = Message::parse(other.as_bytes(), Transport::Udp).unwrap();
    assert!(regs.on_response(t0, &other, local).is_none());
}

/// A trunk known by name: "pbx.example" at port 5099.
fn named() -> RegistrationSpec {
    RegistrationSpec { host: "pbx.example:5099".into(), addr: None, ..spec() }
}

#[test]
fn a_named_trunk_is_resolved_before_each_register_and_keeps_its_name_in_the_uris() {
    let t0 = Instant::now();
    let mut regs = TrunkRegistrations::new(vec![named()], t0);
    let (sends, events) = regs.poll(t0, local);
    assert!(sends.is_empty() && events.is_empty());
    assert_eq!(regs.take_resolves(), ["carrier"]);
    assert_eq!(regs.next_due(), None, "nothing to do until the address comes");
    assert!(regs.poll(t0 + Duration::from_secs(5), local).0.is_empty());
    assert!(regs.take_resolves().is_empty(), "asked once");

    let addr: SocketAddr = "192.0.2.9:5099".parse().unwrap();
    let (sends, _) = regs.resolved(t0, "carrier", Some(addr), local);
    assert_eq!(sends[0].1, addr);
    let first = parse(&sends[0]);
    assert_eq!(first.header("To"), Some("<sip:trunkuser@pbx.example:5099>"));
    assert!(String::from_utf8_lossy(&sends[0].2).starts_with("REGISTER sip:pbx.example:5099 SIP/2.0\r\n"));
    assert_eq!(regs.poll(t0 + Duration::from_millis(500), local).0[0].1, addr, "retransmitted to the address");

    let ch = NonceKey::new("k", "carrier").challenges(1000, false).remove(0);
    let (sends, _) = regs.on_response(t0, &reply(&first, 401, &[("WWW-Authenticate", ch)]), local).unwrap();
    assert_eq!(sends[0].1, addr, "the challenge is answered without a new lookup");
    let creds = parse_authorization(parse(&sends[0]).header("Authorization").unwrap()).unwrap();
    assert_eq!(creds.uri, "sip:pbx.example:5099");
    let ok = reply(&parse(&sends[0]), 200, &[("Expires", "120".into())]);
    let (_, events) = regs.on_response(t0, &ok, local).unwrap();
    assert!(matches!(&events[..], [TrunkRegEvent::Registered { domain, .. }] if domain == "sip:pbx.example:5099"));

    assert!(regs.poll(t0 + Duration::from_secs(60), local).0.is_empty());
    assert_eq!(regs.take_resolves(), ["carrier"], "the refresh resolves again");
}

#[test]
fn a_name_that_does_not_resolve_fails_the_attempt_with_503_dns_error_and_is_retried() {
    let t0 = Instant::now();
    let mut regs = TrunkRegistrations::new(vec![named()], t0);
    regs.poll(t0, local);
    regs.take_resolves();
    assert_eq!(regs.resolved(t0, "other", None, local), (Vec::new(), Vec::new()), "not a trunk asking");
    let (sends, events) = regs.resolved(t0, "carrier", None, local);
    assert!(sends.is_empty());
    assert!(matches!(&events[..], [TrunkRegEvent::Failed { code: 503, reason, .. }] if reason == "DNS Error"));
    assert_eq!(regs.next_due(), Some(t0 + RETRY_AFTER));
    regs.poll(t0 + RETRY_AFTER, local);
    assert_eq!(regs.take_resolves(), ["carrier"]);
}
