//! Wire tests: what we parse, and our guards for what rsipstack gets wrong.

use super::*;

const OPTIONS: &str = "OPTIONS sip:1000@127.0.0.1 SIP/2.0\r\n\
    v: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport\r\n\
    f: \"Al \\\"the\\\" ice\" <sip:alice@127.0.0.1>;tag = abc\r\n\
    t: <sip:1000@127.0.0.1>\r\n\
    i: call-1\r\n\
    CSeq: 1 OPTIONS\r\n\
    Content-Length: 0\r\n\r\n";

#[test]
fn compact_headers_spaced_tags_and_escaped_quotes() {
    let m = Message::parse(OPTIONS.as_bytes(), Transport::Udp).unwrap();
    assert_eq!(m.method(), Some("OPTIONS"));
    assert_eq!(m.call_id(), "call-1");
    assert_eq!(m.from_tag(), "abc");
    assert_eq!(m.branch(), "z9hG4bK1");
    assert_eq!(m.cseq(), (1, "OPTIONS"));
    let from = m.header("From").unwrap();
    assert_eq!(quoted_or_token(&from[..from.find('<').unwrap()]), "Al \"the\" ice");
    assert_eq!(uri_user(name_addr_uri(from)), "alice");
    assert!(matches!(&m.start, StartLine::Request { user, .. } if user == "1000"));
}

fn with_body(content_length: Option<usize>, body: &str) -> Vec<u8> {
    let mut s = OPTIONS.replace("Content-Length: 0\r\n", "");
    if let Some(n) = content_length {
        s = s.replace("\r\n\r\n", &format!("\r\nContent-Length: {n}\r\n\r\n"));
    }
    s.push_str(body);
    s.into_bytes()
}

#[test]
fn udp_without_content_length_keeps_the_body() {
    // rsipstack 0.7.14 alone returns an empty body here.
    let m = Message::parse(&with_body(None, "hello"), Transport::Udp).unwrap();
    assert_eq!(&m.body[..], b"hello");
}

#[test]
fn tcp_without_content_length_is_refused() {
    assert!(matches!(Message::parse(&with_body(None, ""), Transport::Tcp), Err(WireError::ContentLength(_))));
}

#[test]
fn oversized_content_length_is_refused() {
    // rsipstack 0.7.14 alone accepts this and truncates silently.
    let err = Message::parse(&with_body(Some(50), "short"), Transport::Udp).unwrap_err();
    assert!(matches!(err, WireError::ContentLength(_)), "{err}");
    let m = Message::parse(&with_body(Some(3), "hello"), Transport::Udp).unwrap();
    assert_eq!(&m.body[..], b"hel");
}

#[test]
fn stream_framing_waits_for_the_whole_body() {
    let msg = with_body(Some(5), "hello");
    assert_eq!(frame_stream(&msg[..msg.len() - 1]), Ok(None));
    let mut two = msg.clone();
    two.extend_from_slice(&msg);
    assert_eq!(frame_stream(&two), Ok(Some(msg.len())));
    assert_eq!(skip_keepalive(b"\r\n\r\nINVITE"), 4);
    assert!(frame_stream(&with_body(Some(999_999), "")).is_err());
    assert!(frame_stream(&with_body(None, "")).is_err());
}

#[test]
fn malformed_messages_are_errors_not_panics() {
    let cases: &[&[u8]] = &[
        b"",
        b"\r\n\r\n",
        b"INVITE\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\n\r\n",
        b"SIP/2.0 abc OK\r\nVia: x\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=1\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCall-ID: 1\r\nCSeq: x INVITE\r\n\r\n",
        b"\xff\xfe INVITE sip:x SIP/2.0\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\nContent-Length: -1\r\n\r\n",
    ];
    for c in cases {
        assert!(Message::parse(c, Transport::Udp).is_err(), "{:?}", String::from_utf8_lossy(c));
    }
}

#[test]
fn a_request_missing_only_its_cseq_number_gets_a_400() {
    let bad = "INVITE sip:x@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: 9\r\nCSeq: x INVITE\r\n\r\n";
    let err = Message::parse(bad.as_bytes(), Transport::Udp).unwrap_err();
    let resp = bad_request(bad.as_bytes(), &err.to_string()).unwrap();
    let text = String::from_utf8(resp.to_vec()).unwrap();
    assert!(text.starts_with("SIP/2.0 400 Bad Request (") && text.contains("CSeq 'x INVITE'"), "{text}");
    assert!(text.contains("Via: SIP/2.0/UDP h;branch=z9hG4bK2\r\n") && text.contains("Call-ID: 9\r\n"), "{text}");
    assert!(bad_request(b"SIP/2.0 200 OK\r\n\r\n", "x").is_none());
    assert!(bad_request(b"garbage", "x").is_none());
}

#[test]
fn responses_copy_the_transaction_headers_and_add_a_to_tag() {
    let m = Message::parse(OPTIONS.as_bytes(), Transport::Udp).unwrap();
    let r = Message::parse(&response_to(&m, 200, Some("xyz")).finish(), Transport::Udp).unwrap();
    assert_eq!((r.code(), r.to_tag(), r.branch(), r.call_id()), (Some(200), "xyz", "z9hG4bK1", "call-1"));
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        let _ = Message::parse(&data, Transport::Udp);
        let _ = Message::parse(&data, Transport::Tcp);
        let _ = frame_stream(&data);
        let _ = bad_request(&data, "x");
    }

    #[test]
    fn mutated_requests_never_panic(cut in 0usize..OPTIONS.len(), byte in proptest::num::u8::ANY) {
        let mut data = OPTIONS.as_bytes().to_vec();
        data[cut] = byte;
        let _ = Message::parse(&data, Transport::Udp);
        let _ = Message::parse(&data[..cut], Transport::Udp);
    }
}
