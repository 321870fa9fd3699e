//! Engine tests without sockets: registrar with digest computed here, inbound INVITE/ACK/BYE, CANCEL,
//! retransmissions, outbound calls, INFO DTMF, malformed input.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use switchyard_core::HangupCause;
use switchyard_core::tech::RemoteAction;

use super::*;
use crate::digest::{Credentials, expected_response, parse_authorization};
use crate::registrar::Account;

pub(super) const UA: &str = "127.0.0.1:5070";
pub(super) const SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

pub(super) fn engine(now: Instant) -> Engine {
    let cfg = EngineConfig {
        accounts: vec![Account { username: "1000".into(), password: "p1000".into(), context: "office".into() }],
        guest_context: Some("public".into()),
        realm: "switchyard".into(),
        digest_algorithms: Vec::new(),
        secret: "s".into(),
        local: vec![(Transport::Udp, "127.0.0.1:5060".parse().unwrap())],
        trunk_registrations: Vec::new(),
    };
    Engine::new(cfg, now, 1_000_000)
}

pub(super) fn ua() -> SocketAddr {
    UA.parse().unwrap()
}

pub(super) fn request(
    method: &str,
    from_user: &str,
    call_id: &str,
    branch: &str,
    cseq: u32,
    extra: &str,
    body: &str,
) -> Bytes {
    let cl = body.len();
    Bytes::from(format!(
        "{method} sip:600@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP {UA};branch={branch}\r\nFrom: \"Al\" <sip:{from_user}@127.0.0.1>;tag=ft\r\n\
         To: <sip:{from_user}@127.0.0.1>{extra}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\nContact: <sip:{from_user}@{UA}>\r\n\
         Content-Length: {cl}\r\n\r\n{body}"
    ))
}

pub(super) fn packet(e: &mut Engine, now: Instant, data: Bytes) -> Vec<Output> {
    e.handle(now, Input::Packet { transport: Transport::Udp, source: ua(), data })
}

pub(super) fn sent(out: &[Output]) -> Vec<Message> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send { data, .. } => Some(Message::parse(data, Transport::Udp).unwrap()),
            _ => None,
        })
        .collect()
}

pub(super) fn codes(out: &[Output]) -> Vec<u16> {
    sent(out).iter().filter_map(Message::code).collect()
}

pub(super) fn authorize(challenge: &Message, method: &str, header: &str, password: &str) -> String {
    let value = challenge.header(header).unwrap();
    let ch = parse_authorization(value).unwrap();
    let mut c = Credentials {
        username: "1000".into(),
        realm: ch.realm,
        nonce: ch.nonce,
        uri: "sip:127.0.0.1".into(),
        qop: "auth".into(),
        nc: "00000001".into(),
        cnonce: "abc".into(),
        ..Default::default()
    };
    c.response = expected_response(&c, method, password);
    format!(
        "Digest username=\"1000\", realm=\"{}\", nonce=\"{}\", uri=\"sip:127.0.0.1\", response=\"{}\", qop=auth, nc=00000001, cnonce=\"abc\", algorithm=MD5",
        c.realm, c.nonce, c.response
    )
}

#[test]
fn register_challenge_then_digest_then_unregister() {
    let now = Instant::now();
    let mut e = engine(now);
    let out = packet(&mut e, now, request("REGISTER", "1000", "r1", "z9hG4bKr1", 1, "", ""));
    let challenge = sent(&out).remove(0);
    assert_eq!(challenge.code(), Some(401));
    assert!(challenge.header("WWW-Authenticate").unwrap().contains("qop=\"auth\""));

    let auth = authorize(&challenge, "REGISTER", "WWW-Authenticate", "p1000");
    let reg = request("REGISTER", "1000", "r1", "z9hG4bKr2", 2, &format!("\r\nAuthorization: {auth}"), "");
    let out = packet(&mut e, now, reg.clone());
    let ok = &sent(&out)[0];
    assert_eq!(ok.code(), Some(200));
    assert!(ok.header("Contact").unwrap().contains(&format!("sip:1000@{UA}")));
    assert!(out.iter().any(|o| matches!(o, Output::Registrar(RegEvent::Registered { user, .. }) if user == "1000")));
    assert_eq!(e.registrar().registered(1_000_000), vec![("1000".to_owned(), 1)]);

    // The same REGISTER again is a retransmission: same answer, no new work.
    assert_eq!(codes(&packet(&mut e, now, reg)), vec![200]);
    assert_eq!(e.stats().retransmissions, 1);

    let wrong = authorize(&challenge, "REGISTER", "WWW-Authenticate", "nope");
    let out = packet(
        &mut e,
        now,
        request("REGISTER", "1000", "r1", "z9hG4bKr3", 3, &format!("\r\nAuthorization: {wrong}"), ""),
    );
    assert_eq!(codes(&out), vec![403]);
    assert!(out.iter().any(|o| matches!(o, Output::Registrar(RegEvent::AuthFailed { reason: "wrong password", .. }))));

    let unreg = format!("\r\nAuthorization: {auth}\r\nExpires: 0");
    let out = packet(&mut e, now, request("REGISTER", "1000", "r1", "z9hG4bKr4", 4, &unreg, ""));
    assert_eq!(codes(&out), vec![200]);
    assert!(e.registrar().registered(1_000_000).is_empty());
}

#[test]
fn bindings_expire_on_tick() {
    let now = Instant::now();
    let mut e = engine(now);
    let challenge = sent(&packet(&mut e, now, request("REGISTER", "1000", "r", "z9hG4bKa", 1, "", ""))).remove(0);
    let auth = authorize(&challenge, "REGISTER", "WWW-Authenticate", "p1000");
    let extra = format!("\r\nAuthorization: {auth}\r\nExpires: 60");
    assert_eq!(codes(&packet(&mut e, now, request("REGISTER", "1000", "r", "z9hG4bKb", 2, &extra, ""))), vec![200]);
    let later = now + Duration::from_secs(61);
    let out = e.handle(later, Input::Tick);
    assert!(out.iter().any(|o| matches!(o, Output::Registrar(RegEvent::Unregistered { reason: "expired", .. }))));
    assert!(out.iter().any(|o| matches!(o, Output::Location { bindings, .. } if bindings.is_empty())));
}

#[test]
fn failures_from_one_source_are_rate_limited() {
    let now = Instant::now();
    let mut e = engine(now);
    let challenge = sent(&packet(&mut e, now, request("REGISTER", "1000", "r", "z9hG4bK0", 1, "", ""))).remove(0);
    let wrong = authorize(&challenge, "REGISTER", "WWW-Authenticate", "guess");
    for i in 0..crate::registrar::MAX_FAILURES {
        let extra = format!("\r\nAuthorization: {wrong}");
        let out = packet(&mut e, now, request("REGISTER", "1000", "r", &format!("z9hG4bKw{i}"), i + 2, &extra, ""));
        assert_eq!(codes(&out), vec![403]);
    }
    let good = authorize(&challenge, "REGISTER", "WWW-Authenticate", "p1000");
    let out = packet(
        &mut e,
        now,
        request("REGISTER", "1000", "r", "z9hG4bKg", 99, &format!("\r\nAuthorization: {good}"), ""),
    );
    assert_eq!(codes(&out), vec![403]);
    assert!(out.iter().any(|o| matches!(o, Output::Registrar(RegEvent::AuthFailed { reason: "rate limited", .. }))));
}

pub(super) fn new_call(e: &mut Engine, now: Instant, call_id: &str, branch: &str) -> CallKey {
    let out = packet(e, now, request("INVITE", "guest", call_id, branch, 1, "", SDP));
    assert_eq!(codes(&out), vec![100]);
    let (key, call) = out
        .into_iter()
        .find_map(|o| match o {
            Output::NewCall { key, call } => Some((key, call)),
            _ => None,
        })
        .unwrap();
    assert_eq!((call.context.as_str(), call.exten.as_str(), call.caller_name.as_str()), ("public", "600", "Al"));
    assert_eq!(call.offer.dtmf_pt, Some(101));
    e.handle(now, Input::Accepted { key, media: "127.0.0.1:20000".parse().unwrap() });
    key
}

#[test]
fn inbound_call_answer_ack_info_bye() {
    let now = Instant::now();
    let mut e = engine(now);
    let key = new_call(&mut e, now, "c1", "z9hG4bKi1");
    // A retransmitted INVITE creates nothing new.
    let out = packet(&mut e, now, request("INVITE", "guest", "c1", "z9hG4bKi1", 1, "", SDP));
    assert_eq!(codes(&out), vec![100]);
    assert!(!out.iter().any(|o| matches!(o, Output::NewCall { .. })));

    let out = e.handle(now, Input::Local { key, event: CallEvent::Answer });
    let ok = sent(&out).remove(0);
    assert_eq!(ok.code(), Some(200));
    assert!(String::from_utf8_lossy(&ok.body).contains("m=audio 20000 RTP/AVP 0 101"));
    let tag = format!(";tag={}", ok.to_tag());
    // Without the ACK, the 200 is retransmitted.
    assert_eq!(codes(&e.handle(now + Duration::from_millis(600), Input::Tick)), vec![200]);
    packet(&mut e, now, request("ACK", "guest", "c1", "z9hG4bKack", 1, &tag, ""));
    assert!(codes(&e.handle(now + Duration::from_secs(2), Input::Tick)).is_empty());

    let info = request(
        "INFO",
        "guest",
        "c1",
        "z9hG4bKinfo",
        2,
        &format!("{tag}\r\nContent-Type: application/dtmf-relay"),
        "Signal=7\r\nDuration=100\r\n",
    );
    let out = packet(&mut e, now, info);
    assert_eq!(codes(&out), vec![200]);
    let dtmf: Vec<_> =
        out.iter().filter_map(|o| if let Output::Remote { action, .. } = o { Some(action) } else { None }).collect();
    assert_eq!(
        dtmf,
        [&RemoteAction::DtmfBegin('7'), &RemoteAction::DtmfEnd('7', 100)],
        "the INFO Duration is the digit's"
    );

    let out = packet(&mut e, now, request("BYE", "guest", "c1", "z9hG4bKbye", 3, &tag, ""));
    assert_eq!(codes(&out), vec![200]);
    assert!(out.iter().any(
        |o| matches!(o, Output::Remote { action: RemoteAction::Hangup(c), .. } if *c == HangupCause::NORMAL_CLEARING)
    ));
    assert!(out.iter().any(|o| matches!(o, Output::Ended { .. })));
    assert_eq!(e.call_count(), 0);
}

#[test]
fn cancel_gives_487_and_originator_cancel() {
    let now = Instant::now();
    let mut e = engine(now);
    let key = new_call(&mut e, now, "c2", "z9hG4bKi2");
    let cancel = request("CANCEL", "guest", "c2", "z9hG4bKi2", 1, "", "");
    let out = packet(&mut e, now, cancel);
    let mut got: Vec<(u16, String)> = sent(&out).iter().map(|m| (m.code().unwrap(), m.cseq().1.to_owned())).collect();
    got.sort();
    assert_eq!(got, vec![(200, "CANCEL".into()), (487, "INVITE".into())]);
    assert!(out.iter().any(|o| matches!(o, Output::Remote { key: k, action: RemoteAction::Hangup(c) } if *k == key && *c == HangupCause::ORIGINATOR_CANCEL)));
    let tag = sent(&out).into_iter().find(|m| m.code() == Some(487)).unwrap().to_tag().to_owned();
    let out = packet(&mut e, now, request("ACK", "guest", "c2", "z9hG4bKi2", 1, &format!(";tag={tag}"), ""));
    assert!(out.iter().any(|o| matches!(o, Output::Ended { .. })));
}

#[test]
fn busy_indication_refuses_with_486() {
    let now = Instant::now();
    let mut e = engine(now);
    let key = new_call(&mut e, now, "c3", "z9hG4bKi3");
    let out = e.handle(now, Input::Local { key, event: CallEvent::Hangup(HangupCause::USER_BUSY) });
    assert_eq!(codes(&out), vec![486]);
}

#[test]
fn accounts_must_authenticate_their_invites() {
    let now = Instant::now();
    let mut e = engine(now);
    let out = packet(&mut e, now, request("INVITE", "1000", "c4", "z9hG4bKa1", 1, "", SDP));
    let challenge = sent(&out).remove(0);
    assert_eq!(challenge.code(), Some(407));
    let auth = authorize(&challenge, "INVITE", "Proxy-Authenticate", "p1000");
    let out = packet(
        &mut e,
        now,
        request("INVITE", "1000", "c4", "z9hG4bKa2", 2, &format!("\r\nProxy-Authorization: {auth}"), SDP),
    );
    let call = out.iter().find_map(|o| match o {
        Output::NewCall { call, .. } => Some(call.clone()),
        _ => None,
    });
    assert_eq!(call.map(|c| (c.context, c.account)), Some(("office".into(), Some("1000".into()))));
}

fn outbound(e: &mut Engine, now: Instant) -> (CallKey, Message) {
    let key = 7;
    let target = OutboundTarget {
        request_uri: format!("sip:1001@{UA}"),
        dest: ua(),
        transport: Transport::Udp,
        caller_number: "1000".into(),
        caller_name: "Alice".into(),
        auth: Some(("trunkuser".into(), "trunkpw".into())),
    };
    let out = e.handle(now, Input::Originate { key, target, media: "127.0.0.1:20002".parse().unwrap() });
    let invite = sent(&out).remove(0);
    assert_eq!(invite.method(), Some("INVITE"));
    assert!(String::from_utf8_lossy(&invite.body).contains("m=audio 20002 RTP/AVP 0 8 101"));
    (key, invite)
}

fn reply(req: &Message, code: u16, body: &str) -> Bytes {
    let mut b = crate::wire::response_to(req, code, Some("uas")).header("Contact", format!("<sip:1001@{UA}>"));
    if !body.is_empty() {
        b = b.body("application/sdp", body.to_owned());
    }
    b.finish()
}

#[test]
fn outbound_call_rings_answers_acks_and_hangs_up_with_bye() {
    let now = Instant::now();
    let mut e = engine(now);
    let (key, invite) = outbound(&mut e, now);
    let out = packet(&mut e, now, reply(&invite, 180, ""));
    assert!(out.iter().any(|o| matches!(o, Output::Remote { action: RemoteAction::Ringing, .. })));
    let out = packet(&mut e, now, reply(&invite, 200, SDP));
    assert!(out.iter().any(|o| matches!(o, Output::Remote { action: RemoteAction::Answer, .. })));
    assert!(out.iter().any(|o| matches!(o, Output::Media { media, .. } if media.remote.port() == 6000)));
    assert_eq!(sent(&out)[0].method(), Some("ACK"));
    let out = e.handle(now, Input::Local { key, event: CallEvent::Hangup(HangupCause::NORMAL_CLEARING) });
    let bye = sent(&out).remove(0);
    assert_eq!((bye.method(), bye.to_tag()), (Some("BYE"), "uas"));
    let out = packet(&mut e, now, crate::wire::response_to(&bye, 200, None).finish());
    assert!(out.iter().any(|o| matches!(o, Output::Ended { .. })));
}

#[test]
fn outbound_busy_is_user_busy_and_acked() {
    let now = Instant::now();
    let mut e = engine(now);
    let (_key, invite) = outbound(&mut e, now);
    let out = packet(&mut e, now, reply(&invite, 486, ""));
    assert!(
        out.iter().any(
            |o| matches!(o, Output::Remote { action: RemoteAction::Reject(c), .. } if *c == HangupCause::USER_BUSY)
        )
    );
    let ack = sent(&out).remove(0);
    assert_eq!((ack.method(), ack.branch()), (Some("ACK"), invite.branch()));
}

#[test]
fn outbound_hangup_while_ringing_cancels() {
    let now = Instant::now();
    let mut e = engine(now);
    let (key, invite) = outbound(&mut e, now);
    packet(&mut e, now, reply(&invite, 180, ""));
    let out = e.handle(now, Input::Local { key, event: CallEvent::Hangup(HangupCause::NORMAL_CLEARING) });
    let cancel = sent(&out).remove(0);
    assert_eq!((cancel.method(), cancel.branch()), (Some("CANCEL"), invite.branch()));
}

#[test]
fn unanswered_invite_times_out_with_recovery_on_timer_expire() {
    let now = Instant::now();
    let mut e = engine(now);
    let (_key, _invite) = outbound(&mut e, now);
    assert_eq!(sent(&e.handle(now + Duration::from_millis(600), Input::Tick)).len(), 1);
    let out = e.handle(now + Duration::from_secs(33), Input::Tick);
    assert!(
        out.iter().any(|o| matches!(o, Output::Remote { action: RemoteAction::Reject(c), .. } if c.number() == 102))
    );
}

#[test]
fn options_message_and_unknown_dialogs() {
    let now = Instant::now();
    let mut e = engine(now);
    assert_eq!(codes(&packet(&mut e, now, request("OPTIONS", "x", "o", "z9hG4bKo", 1, "", ""))), vec![200]);
    assert_eq!(codes(&packet(&mut e, now, request("MESSAGE", "x", "m", "z9hG4bKm", 1, "", ""))), vec![202]);
    assert_eq!(codes(&packet(&mut e, now, request("BYE", "x", "b", "z9hG4bKb", 1, ";tag=zz", ""))), vec![481]);
    assert_eq!(codes(&packet(&mut e, now, request("SUBSCRIBE", "x", "s", "z9hG4bKs", 1, "", ""))), vec![405]);
}

#[test]
fn malformed_input_is_answered_or_dropped_and_counted() {
    let now = Instant::now();
    let mut e = engine(now);
    let no_sdp_codec =
        request("INVITE", "guest", "m1", "z9hG4bKm1", 1, "", "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 9\r\n");
    assert_eq!(codes(&packet(&mut e, now, no_sdp_codec)), vec![488]);
    let bad_cseq = Bytes::from_static(b"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK9\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: 9\r\nCSeq: nine OPTIONS\r\n\r\n");
    let out = packet(&mut e, now, bad_cseq);
    assert_eq!(out.len(), 1);
    assert!(packet(&mut e, now, Bytes::from_static(b"\x00\x01garbage")).is_empty());
    assert_eq!((e.stats().malformed, e.stats().answered_400), (2, 1));
}

#[test]
fn a_challenged_invite_is_sent_again_with_credentials_once() {
    let now = Instant::now();
    let mut e = engine(now);
    let (_key, invite) = outbound(&mut e, now);
    let challenge = crate::wire::response_to(&invite, 407, Some("px"))
        .header("Proxy-Authenticate", "Digest realm=\"carrier\", nonce=\"n1\", qop=\"auth\"")
        .finish();
    let out = packet(&mut e, now, challenge.clone());
    let msgs = sent(&out);
    assert_eq!(msgs[0].method(), Some("ACK"));
    let again = &msgs[1];
    assert_eq!((again.method(), again.cseq().0, again.call_id()), (Some("INVITE"), 2, invite.call_id()));
    assert_ne!(again.branch(), invite.branch());
    let creds = parse_authorization(again.header("Proxy-Authorization").unwrap()).unwrap();
    assert_eq!((creds.username.as_str(), creds.realm.as_str()), ("trunkuser", "carrier"));
    assert_eq!(creds.response, expected_response(&creds, "INVITE", "trunkpw"));
    assert!(!out.iter().any(|o| matches!(o, Output::Remote { .. })));
    // A second challenge is a failure.
    let again_challenge = crate::wire::response_to(again, 407, Some("px"))
        .header("Proxy-Authenticate", "Digest realm=\"carrier\", nonce=\"n2\"")
        .finish();
    let out = packet(&mut e, now, again_challenge);
    assert!(out.iter().any(
        |o| matches!(o, Output::Remote { action: RemoteAction::Reject(c), .. } if *c == HangupCause::CALL_REJECTED)
    ));
}

#[test]
fn one_register_can_bind_several_contacts() {
    let now = Instant::now();
    let mut e = engine(now);
    let challenge = sent(&packet(&mut e, now, request("REGISTER", "1000", "r", "z9hG4bKm0", 1, "", ""))).remove(0);
    let auth = authorize(&challenge, "REGISTER", "WWW-Authenticate", "p1000");
    let extra =
        format!("\r\nAuthorization: {auth}\r\nContact: <sip:1000@10.0.0.2:5060>;expires=300, <sip:1000@10.0.0.3>");
    let ok = sent(&packet(&mut e, now, request("REGISTER", "1000", "r", "z9hG4bKm1", 2, &extra, ""))).remove(0);
    assert_eq!(ok.code(), Some(200));
    assert_eq!(ok.header_values("Contact").count(), 3, "{:?}", ok.headers);
    let bound: Vec<String> = e.registrar().lookup("1000", 1_000_000).iter().map(|b| b.contact.clone()).collect();
    assert_eq!(bound.len(), 3);
    assert!(bound.contains(&"sip:1000@10.0.0.2:5060".to_owned()) && bound.contains(&format!("sip:1000@{UA}")));
}

#[test]
fn a_hold_reinvite_is_answered_recvonly_and_moves_media() {
    let now = Instant::now();
    let mut e = engine(now);
    let key = new_call(&mut e, now, "h1", "z9hG4bKh1");
    let ok = sent(&e.handle(now, Input::Local { key, event: CallEvent::Answer })).remove(0);
    let tag = format!(";tag={}", ok.to_tag());
    packet(&mut e, now, request("ACK", "guest", "h1", "z9hG4bKh2", 1, &tag, ""));
    let hold = SDP.replace("m=audio 6000", "m=audio 7000") + "a=sendonly\r\n";
    let out = packet(&mut e, now, request("INVITE", "guest", "h1", "z9hG4bKh3", 2, &tag, &hold));
    let answer = sent(&out).remove(0);
    assert_eq!(answer.code(), Some(200));
    assert!(String::from_utf8_lossy(&answer.body).contains("a=recvonly"));
    assert!(out.iter().any(|o| matches!(o, Output::Media { media, .. } if media.remote.port() == 7000)));
}
