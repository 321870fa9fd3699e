//! Engine tests for MESSAGE, NOTIFY and REFER: incoming requests answered and published, our own
//! MESSAGE/NOTIFY written and retransmitted until answered, and a REFER's 202 and sipfrag NOTIFYs.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::tests::{UA, authorize, codes, engine, new_call, packet, request, sent, ua};
use super::*;

/// What an [`Output::Publish`] holds.
type Published = (Option<CallKey>, &'static str, Vec<(String, String)>, Option<String>);

fn published(out: &[Output]) -> Vec<Published> {
    out.iter()
        .filter_map(|o| match o {
            Output::Publish { key, name, headers, body } => Some((*key, *name, headers.clone(), body.clone())),
            _ => None,
        })
        .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn guest_message_is_accepted_and_published() {
    let now = Instant::now();
    let mut e = engine(now);
    let extra = "\r\nContent-Type: text/plain\r\nSubject: hello";
    let out = packet(&mut e, now, request("MESSAGE", "guest", "m1", "z9hG4bKm1", 1, extra, "hi there"));
    assert_eq!(codes(&out), vec![202]);
    let p = published(&out);
    assert_eq!(p.len(), 1);
    let (key, name, h, body) = &p[0];
    assert_eq!((*key, *name, body.as_deref()), (None, "MESSAGE", Some("hi there")));
    assert_eq!(header(h, "proto"), "sip");
    assert_eq!(header(h, "from"), "guest@127.0.0.1");
    assert_eq!((header(h, "from_user"), header(h, "from_host")), ("guest", "127.0.0.1"));
    assert_eq!(header(h, "to_user"), "guest");
    assert_eq!((header(h, "subject"), header(h, "type")), ("hello", "text/plain"));
    assert_eq!(header(h, "context"), "public");
    // A retransmission is answered from the cache and not published again.
    let out = packet(&mut e, now, request("MESSAGE", "guest", "m1", "z9hG4bKm1", 1, extra, "hi there"));
    assert_eq!(codes(&out), vec![202]);
    assert!(published(&out).is_empty());
}

#[test]
fn account_message_is_challenged_first() {
    let now = Instant::now();
    let mut e = engine(now);
    let out = packet(&mut e, now, request("MESSAGE", "1000", "m2", "z9hG4bKm2", 1, "", "x"));
    let challenge = sent(&out).remove(0);
    assert_eq!(challenge.code(), Some(407));
    assert!(published(&out).is_empty());
    let auth = authorize(&challenge, "MESSAGE", "Proxy-Authenticate", "p1000");
    let extra = format!("\r\nProxy-Authorization: {auth}");
    let out = packet(&mut e, now, request("MESSAGE", "1000", "m2", "z9hG4bKm3", 2, &extra, "x"));
    assert_eq!(codes(&out), vec![202]);
    assert_eq!(header(&published(&out)[0].2, "context"), "office");
}

#[test]
fn notify_is_answered_and_published_as_notify_in() {
    let now = Instant::now();
    let mut e = engine(now);
    let extra = "\r\nEvent: message-summary;id=7\r\nSubscription-State: active;expires=300\r\nContent-Type: application/simple-message-summary";
    let out = packet(&mut e, now, request("NOTIFY", "guest", "n1", "z9hG4bKn1", 1, extra, "Messages-Waiting: no\r\n"));
    assert_eq!(codes(&out), vec![200]);
    let (_, name, h, body) = published(&out).remove(0);
    assert_eq!(name, "NOTIFY_IN");
    assert_eq!((header(&h, "event-package"), header(&h, "event-id")), ("message-summary", "7"));
    assert_eq!((header(&h, "subscription-substate"), header(&h, "subscription-expires")), ("active", "300"));
    assert_eq!((header(&h, "from"), header(&h, "from-tag"), header(&h, "call-id")), ("guest@127.0.0.1", "ft", "n1"));
    assert_eq!(body.as_deref(), Some("Messages-Waiting: no\r\n"));
}

fn out_request() -> OutRequest {
    OutRequest {
        method: "MESSAGE",
        request_uri: format!("sip:1000@{UA}"),
        dest: ua(),
        transport: Transport::Udp,
        from: "sip:switchyard@127.0.0.1".into(),
        to: "sip:1000@127.0.0.1".into(),
        call_id: None,
        headers: vec![("Subject".into(), "s".into())],
        content_type: "text/plain".into(),
        body: Bytes::from_static(b"hello"),
    }
}

fn response(req: &Message, code: u16) -> Bytes {
    wire::response_to(req, code, Some("uatag")).finish()
}

#[test]
fn our_message_is_retransmitted_until_answered() {
    let now = Instant::now();
    let mut e = engine(now);
    let out = e.handle(now, Input::Request(out_request()));
    let msg = sent(&out).remove(0);
    assert_eq!(msg.method(), Some("MESSAGE"));
    assert_eq!(
        msg.start,
        wire::StartLine::Request { method: "MESSAGE".into(), uri: format!("sip:1000@{UA}"), user: "1000".into() }
    );
    assert_eq!((msg.header("To"), msg.cseq()), (Some("<sip:1000@127.0.0.1>"), (1, "MESSAGE")));
    assert!(msg.from_tag().len() > 4);
    assert_eq!(
        (msg.header("Subject"), msg.content_type().as_str(), &msg.body[..]),
        (Some("s"), "text/plain", &b"hello"[..])
    );
    // Not answered: sent again after T1.
    let again = sent(&e.handle(now + Duration::from_millis(600), Input::Tick));
    assert_eq!(again.len(), 1);
    // A provisional response does not stop it, a final one does.
    packet(&mut e, now, response(&msg, 100));
    assert_eq!(sent(&e.handle(now + Duration::from_millis(1700), Input::Tick)).len(), 1);
    packet(&mut e, now, response(&msg, 202));
    assert!(sent(&e.handle(now + Duration::from_secs(5), Input::Tick)).is_empty());
}

/// An answered, ACKed guest call; returns its key and the To tag we gave.
fn confirmed_call(e: &mut Engine, now: Instant, call_id: &str) -> (CallKey, String) {
    let key = new_call(e, now, call_id, &format!("z9hG4bK{call_id}"));
    let out = e.handle(now, Input::Local { key, event: CallEvent::Answer });
    let tag = format!(";tag={}", sent(&out).remove(0).to_tag());
    packet(e, now, request("ACK", "guest", call_id, "z9hG4bKack", 1, &tag, ""));
    (key, tag)
}

fn sipfrag_of(m: &Message) -> String {
    assert_eq!(m.method(), Some("NOTIFY"));
    assert_eq!(m.header("Event"), Some("refer"));
    assert_eq!(m.header("Content-Type"), Some("message/sipfrag;version=2.0"));
    String::from_utf8_lossy(&m.body).into_owned()
}

#[test]
fn refer_is_accepted_then_notified() {
    let now = Instant::now();
    let mut e = engine(now);
    let (key, tag) = confirmed_call(&mut e, now, "r1");
    let extra = format!("{tag}\r\nRefer-To: <sip:700@127.0.0.1>\r\nReferred-By: <sip:guest@127.0.0.1>");
    let out = packet(&mut e, now, request("REFER", "guest", "r1", "z9hG4bKr1", 2, &extra, ""));
    let msgs = sent(&out);
    assert_eq!(msgs[0].code(), Some(202));
    assert_eq!(sipfrag_of(&msgs[1]), "SIP/2.0 100 Trying\r\n");
    assert!(msgs[1].header("Subscription-State").unwrap().starts_with("active"));
    let refer = out.iter().find_map(|o| match o {
        Output::Refer { key, exten, uri } => Some((*key, exten.clone(), uri.clone())),
        _ => None,
    });
    assert_eq!(refer, Some((key, "700".into(), "sip:700@127.0.0.1".into())));
    let out = e.handle(now, Input::ReferDone { key, code: 200 });
    let notify = sent(&out).remove(0);
    assert_eq!(sipfrag_of(&notify), "SIP/2.0 200 OK\r\n");
    assert_eq!(notify.header("Subscription-State"), Some("terminated;reason=noresource"));
    assert!(notify.cseq().0 > msgs[1].cseq().0);
    // Answered NOTIFYs are not sent again; the call is still up (the driver hangs up the referrer).
    packet(&mut e, now, response(&msgs[1], 200));
    packet(&mut e, now, response(&notify, 200));
    assert!(sent(&e.handle(now + Duration::from_secs(2), Input::Tick)).is_empty());
    assert_eq!(e.call_count(), 1);
}

#[test]
fn refer_failures() {
    let now = Instant::now();
    let mut e = engine(now);
    let (key, tag) = confirmed_call(&mut e, now, "r2");
    let out = e.handle(now, Input::ReferDone { key, code: 404 });
    assert_eq!(sipfrag_of(&sent(&out)[0]), "SIP/2.0 404 Not Found\r\n");
    // No Refer-To, an attended transfer (Replaces), a REFER outside a call.
    let out = packet(&mut e, now, request("REFER", "guest", "r2", "z9hG4bKr2", 2, &tag, ""));
    assert_eq!(codes(&out), vec![400]);
    let replaces = format!("{tag}\r\nRefer-To: <sip:700@h?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>");
    let out = packet(&mut e, now, request("REFER", "guest", "r2", "z9hG4bKr3", 3, &replaces, ""));
    assert_eq!(codes(&out), vec![501]);
    assert!(!out.iter().any(|o| matches!(o, Output::Refer { .. })));
    let out = packet(&mut e, now, request("REFER", "guest", "r9", "z9hG4bKr4", 1, "\r\nRefer-To: <sip:700@h>", ""));
    assert_eq!(codes(&out), vec![405]);
}

#[test]
fn reoffer_sends_a_versioned_reinvite_and_acks_its_answer() {
    let now = Instant::now();
    let mut e = engine(now);
    let (key, _) = confirmed_call(&mut e, now, "v1");
    let peer = e.negotiated(key).cloned().map(|mut n| {
        n.remote = "127.0.0.1:40000".parse().unwrap();
        n
    });
    let out = e.handle(now, Input::Reoffer { key, to: peer });
    let inv = sent(&out).remove(0);
    assert_eq!((inv.method(), inv.cseq()), (Some("INVITE"), (1, "INVITE")));
    let body = String::from_utf8_lossy(&inv.body).into_owned();
    assert!(body.contains("m=audio 40000 RTP/AVP 0 101\r\n") && body.contains("c=IN IP4 127.0.0.1"), "{body}");
    let o = body.lines().find(|l| l.starts_with("o=")).unwrap().to_owned();
    let fields: Vec<&str> = o.split(' ').collect();
    assert_eq!(fields[2].parse::<u64>().unwrap(), fields[1].parse::<u64>().unwrap() + 1, "{o}");
    // A second offer waits for the first one's answer.
    assert!(sent(&e.handle(now, Input::Reoffer { key, to: None })).is_empty());
    // Not answered yet: retransmitted; the 200 is ACKed with the INVITE's CSeq, again if repeated.
    assert_eq!(sent(&e.handle(now + Duration::from_millis(600), Input::Tick)).len(), 1);
    let ok = response(&inv, 200);
    let ack = sent(&packet(&mut e, now, ok.clone())).remove(0);
    assert_eq!((ack.method(), ack.cseq()), (Some("ACK"), (1, "ACK")));
    assert_ne!(ack.branch(), inv.branch());
    let again = sent(&packet(&mut e, now, ok)).remove(0);
    assert_eq!(again.cseq(), (1, "ACK"));
    assert!(sent(&e.handle(now + Duration::from_secs(3), Input::Tick)).is_empty());
    // Back to our own media; a refusal is ACKed on the INVITE's branch and the call stays.
    let inv = sent(&e.handle(now, Input::Reoffer { key, to: None })).remove(0);
    assert!(String::from_utf8_lossy(&inv.body).contains("m=audio 20000 "));
    let ack = sent(&packet(&mut e, now, response(&inv, 488))).remove(0);
    assert_eq!((ack.cseq(), ack.branch()), ((2, "ACK"), inv.branch()));
    assert_eq!(e.call_count(), 1);
}

#[test]
fn requests_inside_a_call_use_its_dialog() {
    let now = Instant::now();
    let mut e = engine(now);
    let (key, tag) = confirmed_call(&mut e, now, "d1");
    let request = InDialog {
        method: "MESSAGE",
        headers: vec![],
        content_type: "text/plain".into(),
        body: Bytes::from_static(b"in call"),
    };
    let msg = sent(&e.handle(now, Input::DialogRequest { key, request })).remove(0);
    assert_eq!((msg.method(), msg.call_id(), msg.cseq()), (Some("MESSAGE"), "d1", (1, "MESSAGE")));
    // Our From carries our tag (the To tag we gave), To carries theirs.
    assert_eq!((format!(";tag={}", msg.from_tag()), msg.to_tag()), (tag, "ft"));
    assert_eq!(sent(&e.handle(now + Duration::from_millis(600), Input::Tick)).len(), 1);
    packet(&mut e, now, response(&msg, 200));
    assert!(sent(&e.handle(now + Duration::from_secs(2), Input::Tick)).is_empty());
}
