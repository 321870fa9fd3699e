//! Instant messages and notifications: an incoming MESSAGE (its sender authenticated like an INVITE's)
//! is answered 202 Accepted and published as FreeSWITCH's `MESSAGE` event; an incoming NOTIFY is
//! answered 200 and published as `NOTIFY_IN`; MESSAGE and NOTIFY requests we send outside any call
//! (ESL `sendevent SEND_MESSAGE`, `NOTIFY`, `MESSAGE_WAITING`) are written here and retransmitted over
//! UDP until a final response.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;

use super::dialog::token;
use super::timers::TimerId;
use super::{CallKey, Engine, Output};
use crate::wire::{
    AGENT, Message, MessageBuilder, Transport, name_addr_uri, param, response_to, uri_host_port, uri_user,
};

/// A request to send outside any call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutRequest {
    /// `MESSAGE` or `NOTIFY`.
    pub method: &'static str,
    /// Request-URI (the user's registered contact, or the given URI).
    pub request_uri: String,
    /// Where to send it.
    pub dest: SocketAddr,
    /// How.
    pub transport: Transport,
    /// From URI (`sip:1000@host`).
    pub from: String,
    /// To URI.
    pub to: String,
    /// Call-ID to use (a fresh one when `None`).
    pub call_id: Option<String>,
    /// Further headers (`Event`, `Subscription-State`, extra headers), in order.
    pub headers: Vec<(String, String)>,
    /// Content-Type of the body (no body when empty and the body is empty).
    pub content_type: String,
    /// Body.
    pub body: Bytes,
}

/// A request to send inside a call's dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InDialog {
    /// `NOTIFY` or `MESSAGE`.
    pub method: &'static str,
    /// Headers besides the dialog's (`Event`, `Subscription-State`, …).
    pub headers: Vec<(String, String)>,
    /// Content-Type of the body.
    pub content_type: String,
    /// Body.
    pub body: Bytes,
}

/// `user@host` of a URI (FreeSWITCH's `from`/`to` event header form).
fn user_at_host(uri: &str) -> (String, String, String) {
    let user = uri_user(uri).to_owned();
    let (host, port) = uri_host_port(uri);
    let host = match port {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    let both = if user.is_empty() { host.clone() } else { format!("{user}@{host}") };
    (both, user, host)
}

/// The `MESSAGE` event of a received MESSAGE: FreeSWITCH's chat headers (`login`, `proto`, `from`,
/// `from_user`, `from_host`, `to`, `to_user`, `to_host`, `subject`, `type`, …) and the text as body.
pub fn message_event(msg: &Message, login: &str, context: &str, source: SocketAddr) -> Vec<(String, String)> {
    let from_hdr = msg.header("From").unwrap_or_default();
    let (from, from_user, from_host) = user_at_host(name_addr_uri(from_hdr));
    let (to, to_user, to_host) = user_at_host(name_addr_uri(msg.header("To").unwrap_or_default()));
    let content_type = msg.header("Content-Type").unwrap_or("text/plain").to_owned();
    let subject = msg.header("Subject").unwrap_or("SIMPLE MESSAGE").to_owned();
    [
        ("login", login.to_owned()),
        ("proto", "sip".to_owned()),
        ("to_proto", "sip".to_owned()),
        ("from", from),
        ("from_user", from_user),
        ("from_host", from_host),
        ("to_user", to_user),
        ("to_host", to_host),
        ("from_sip_ip", source.ip().to_string()),
        ("from_sip_port", source.port().to_string()),
        ("to", to),
        ("from_full", from_hdr.to_owned()),
        ("sip_profile", "internal".to_owned()),
        ("context", context.to_owned()),
        ("subject", subject),
        ("type", content_type.clone()),
        ("content-type", content_type),
        ("Call-ID", msg.call_id().to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The `NOTIFY_IN` event of a received NOTIFY: the headers FreeSWITCH adds for a NOTIFY it passes on
/// (`event-package`, `event-id`, `contact`, `from`, `from-tag`, `to`, `to-tag`, `call-id`,
/// `subscription-*`), then `content-type`.
pub fn notify_event(msg: &Message) -> Vec<(String, String)> {
    let event = msg.header("Event").unwrap_or_default();
    let mut h = vec![("event-package", event.split(';').next().unwrap_or_default().trim().to_owned())];
    if let Some(id) = param(&format!("<>{event}"), "id") {
        h.push(("event-id", id.to_owned()));
    }
    if let Some(c) = msg.header_values("Contact").next() {
        h.push(("contact", user_at_host(name_addr_uri(c)).0));
    }
    h.push(("from", user_at_host(name_addr_uri(msg.header("From").unwrap_or_default())).0));
    h.push(("from-tag", msg.from_tag().to_owned()));
    h.push(("to", user_at_host(name_addr_uri(msg.header("To").unwrap_or_default())).0));
    h.push(("to-tag", msg.to_tag().to_owned()));
    h.push(("call-id", msg.call_id().to_owned()));
    if let Some(state) = msg.header("Subscription-State") {
        h.push(("subscription-substate", state.split(';').next().unwrap_or_default().trim().to_owned()));
        let state = format!("<>{state}");
        for (p, name) in [("reason", "subscription-reason"), ("expires", "subscription-expires")] {
            if let Some(v) = param(&state, p) {
                h.push((name, v.to_owned()));
            }
        }
    }
    if let Some(ct) = msg.header("Content-Type") {
        h.push(("content-type", ct.to_owned()));
    }
    h.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn body_text(msg: &Message) -> Option<String> {
    (!msg.body.is_empty()).then(|| String::from_utf8_lossy(&msg.body).into_owned())
}

impl Engine {
    /// A MESSAGE: authenticated like an INVITE outside calls (inside a call the dialog vouches for it),
    /// answered 202 and published.
    pub(super) fn on_message(
        &mut self,
        now: Instant,
        transport: Transport,
        source: SocketAddr,
        msg: &Message,
        key: Option<CallKey>,
    ) {
        let context = match key {
            Some(_) => String::new(),
            None => {
                let caller = uri_user(name_addr_uri(msg.header("From").unwrap_or_default())).to_owned();
                let Some((context, _)) = self.authorize(now, transport, source, msg, &caller) else { return };
                context
            }
        };
        let login = format!("sip:switchyard@{}", self.local_addr(transport));
        let headers = message_event(msg, &login, &context, source);
        self.respond(now, transport, source, msg, response_to(msg, 202, Some(&token())).finish());
        self.out.push(Output::Publish { key, name: "MESSAGE", headers, body: body_text(msg) });
    }

    /// A NOTIFY: answered 200 and published as `NOTIFY_IN`.
    pub(super) fn on_notify(
        &mut self,
        now: Instant,
        transport: Transport,
        source: SocketAddr,
        msg: &Message,
        key: Option<CallKey>,
    ) {
        let headers = notify_event(msg);
        self.respond(now, transport, source, msg, response_to(msg, 200, Some(&token())).finish());
        self.out.push(Output::Publish { key, name: "NOTIFY_IN", headers, body: body_text(msg) });
    }

    /// Sends a request outside any call; retransmitted (UDP) until a final response.
    pub(super) fn send_standalone(&mut self, now: Instant, req: OutRequest) {
        let local = self.local_addr(req.transport);
        let call_id = req.call_id.clone().unwrap_or_else(|| format!("{}@{}", token(), local.ip()));
        let via = format!("SIP/2.0/{} {local};branch=z9hG4bK{};rport", req.transport.via_token(), token());
        let mut b = MessageBuilder::request(req.method, &req.request_uri)
            .header("Via", via)
            .header("Max-Forwards", 70)
            .header("From", format_args!("<{}>;tag={}", req.from, token()))
            .header("To", format_args!("<{}>", req.to))
            .header("Call-ID", &call_id)
            .header("CSeq", format_args!("1 {}", req.method))
            .header("User-Agent", AGENT);
        for (name, value) in &req.headers {
            b = b.header(name, value);
        }
        if !req.body.is_empty() || !req.content_type.is_empty() {
            b = b.body(&req.content_type, req.body.clone());
        }
        let data = b.finish();
        self.timers.start(now, TimerId::Standalone(call_id), req.transport, req.dest, data.clone());
        self.send(req.transport, req.dest, data);
    }

    /// Sends a request inside a call's dialog (a NOTIFY or MESSAGE), retransmitted (UDP) until answered.
    pub(super) fn send_in_dialog(&mut self, now: Instant, key: CallKey, req: InDialog) {
        let Some(transport) = self.calls.get(&key).map(|c| c.transport) else { return };
        let contact = format!("<sip:switchyard@{}>", self.local_addr(transport));
        let Some((mut b, transport, peer)) = self.dialog_builder(key, req.method) else { return };
        b = b.header("Contact", contact);
        for (name, value) in &req.headers {
            b = b.header(name, value);
        }
        if !req.body.is_empty() || !req.content_type.is_empty() {
            b = b.body(&req.content_type, req.body);
        }
        let data = b.finish();
        let Some(call) = self.calls.get_mut(&key) else { return };
        let cseq = call.local_cseq;
        call.in_dialog_cseqs.push(cseq);
        self.timers.start(now, TimerId::InDialog(key, cseq), transport, peer, data.clone());
        self.send(transport, peer, data);
    }

    /// A response outside any call: a final one ends our request's retransmissions.
    pub(super) fn on_standalone_response(&mut self, msg: &Message, code: u16) {
        if code >= 200 && self.timers.stop(&TimerId::Standalone(msg.call_id().to_owned())) {
            tracing::debug!(call_id = msg.call_id(), code, method = msg.cseq().1, "response to our request");
        }
    }
}
