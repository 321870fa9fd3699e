//! Calls we place: INVITE with our offer (retransmitted over UDP), provisional and final responses
//! to channel actions, ACK, CANCEL before answer, BYE after, and responses to our BYE.

use std::net::SocketAddr;
use std::time::Instant;

use switchyard_core::tech::RemoteAction;

use super::dialog::{Call, Phase, token};
use super::timers::TimerId;
use super::{CallEvent, CallKey, Engine, Output};
use crate::causes::cause_for_status;
use crate::sdp;
use crate::wire::{AGENT, Message, MessageBuilder, Transport, name_addr_uri};

/// Where an outgoing call goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundTarget {
    /// Request-URI (`sip:1000@127.0.0.1:5062`).
    pub request_uri: String,
    /// Where to send it.
    pub dest: SocketAddr,
    /// How.
    pub transport: Transport,
    /// Caller number (From user).
    pub caller_number: String,
    /// Caller name (From display name).
    pub caller_name: String,
    /// Credentials for a 401/407 challenge (trunks).
    pub auth: Option<(String, String)>,
}

impl Engine {
    pub(super) fn originate(&mut self, now: Instant, key: CallKey, target: OutboundTarget, media: SocketAddr) {
        let local = self.local_addr(target.transport);
        let (call_id, local_tag, branch) = (format!("{}@{}", token(), local.ip()), token(), token());
        let session_id = rand::random::<u32>() as u64;
        let number = if target.caller_number.is_empty() { "switchyard" } else { &target.caller_number };
        let name = target.caller_name.replace(['"', '\\'], "");
        let display = if name.is_empty() { String::new() } else { format!("\"{name}\" ") };
        let from = format!("{display}<sip:{number}@{local}>;tag={local_tag}");
        let to = format!("<{}>", target.request_uri);
        let data = MessageBuilder::request("INVITE", &target.request_uri)
            .header(
                "Via",
                format_args!("SIP/2.0/{} {local};branch=z9hG4bK{branch};rport", target.transport.via_token()),
            )
            .header("Max-Forwards", 70)
            .header("From", &from)
            .header("To", &to)
            .header("Call-ID", &call_id)
            .header("CSeq", "1 INVITE")
            .header("Contact", format_args!("<sip:{number}@{local}>"))
            .header("Allow", super::dialog::ALLOW)
            .header("User-Agent", AGENT)
            .body("application/sdp", sdp::offer(media, session_id))
            .finish();
        let Ok(out_invite) = Message::parse(&data, target.transport) else { return };
        let call = Call {
            call_id: call_id.clone(),
            local_tag: local_tag.clone(),
            remote_tag: String::new(),
            local_hdr: from,
            remote_hdr: to,
            remote_target: target.request_uri.clone(),
            transport: target.transport,
            peer: target.dest,
            local_cseq: 1,
            phase: Phase::Early,
            inbound: false,
            invite: None,
            invite_branch: out_invite.branch().to_owned(),
            media: Some(media),
            negotiated: None,
            session_id,
            out_invite: Some(out_invite),
            provisional: false,
            cancel_pending: false,
            auth: target.auth.clone(),
            in_dialog_cseqs: Vec::new(),
            sdp_version: session_id,
            reinvite: None,
            reinvite_ack: None,
        };
        self.by_dialog.insert((call_id, local_tag), key);
        self.calls.insert(key, call);
        self.timers.start(now, TimerId::Request(key, "INVITE"), target.transport, target.dest, data.clone());
        self.send(target.transport, target.dest, data);
    }

    pub(super) fn on_local_outbound(&mut self, now: Instant, key: CallKey, event: CallEvent) {
        let Some(call) = self.calls.get_mut(&key) else { return };
        let CallEvent::Hangup(_) = event else { return };
        match call.phase {
            Phase::Confirmed => self.send_bye(now, key),
            Phase::Early if call.provisional => self.send_cancel(now, key),
            Phase::Early => call.cancel_pending = true,
            Phase::Ending => {}
        }
    }

    fn send_cancel(&mut self, now: Instant, key: CallKey) {
        let Some(call) = self.calls.get_mut(&key) else { return };
        let Some(inv) = &call.out_invite else { return };
        call.phase = Phase::Ending;
        let uri = match &inv.start {
            crate::wire::StartLine::Request { uri, .. } => uri.clone(),
            _ => return,
        };
        let data = MessageBuilder::request("CANCEL", &uri)
            .header("Via", inv.header("Via").unwrap_or_default())
            .header("Max-Forwards", 70)
            .header("From", inv.header("From").unwrap_or_default())
            .header("To", inv.header("To").unwrap_or_default())
            .header("Call-ID", inv.call_id())
            .header("CSeq", format_args!("{} CANCEL", inv.cseq().0))
            .header("User-Agent", AGENT)
            .finish();
        let (t, p) = (call.transport, call.peer);
        self.timers.start(now, TimerId::Request(key, "CANCEL"), t, p, data.clone());
        self.send(t, p, data);
    }

    pub(super) fn on_response(&mut self, now: Instant, _transport: Transport, _source: SocketAddr, msg: &Message) {
        let id = (msg.call_id().to_owned(), msg.from_tag().to_owned());
        let code = msg.code().unwrap_or(0);
        let Some(&key) = self.by_dialog.get(&id) else { return self.on_standalone_response(msg, code) };
        match msg.cseq().1 {
            "INVITE" if self.is_reinvite(key, msg.cseq().0) => self.on_reinvite_response(key, code, msg),
            "NOTIFY" | "MESSAGE" if code >= 200 => {
                self.timers.stop(&TimerId::InDialog(key, msg.cseq().0));
            }
            "INVITE" => self.on_invite_response(now, key, code, msg),
            "BYE" if code >= 200 => self.end_call(key),
            "CANCEL" if code >= 200 => {
                self.timers.stop(&TimerId::Request(key, "CANCEL"));
            }
            _ => {}
        }
    }

    fn on_invite_response(&mut self, now: Instant, key: CallKey, code: u16, msg: &Message) {
        let Some(call) = self.calls.get_mut(&key) else { return };
        if call.inbound {
            return;
        }
        if code < 200 {
            self.timers.stop(&TimerId::Request(key, "INVITE"));
            let first = !call.provisional;
            call.provisional = true;
            if call.cancel_pending {
                return self.send_cancel(now, key);
            }
            let action = match code {
                180..=182 if first || code == 180 => RemoteAction::Ringing,
                183 => RemoteAction::Progress,
                _ => return,
            };
            if let Ok(n) = sdp::negotiate(&msg.body) {
                self.out.push(Output::Media { key, media: n });
            }
            self.out.push(Output::Remote { key, action });
        } else if code < 300 {
            self.on_invite_2xx(now, key, msg);
        } else {
            self.timers.stop(&TimerId::Request(key, "INVITE"));
            self.ack_failure(key, msg);
            if matches!(code, 401 | 407) && self.retry_with_credentials(now, key, msg) {
                return;
            }
            self.out.push(Output::Remote { key, action: RemoteAction::Reject(cause_for_status(code)) });
            self.end_call(key);
        }
    }

    fn on_invite_2xx(&mut self, now: Instant, key: CallKey, msg: &Message) {
        self.timers.stop(&TimerId::Request(key, "INVITE"));
        let Some(call) = self.calls.get_mut(&key) else { return };
        let retransmitted = call.phase != Phase::Early || !call.remote_tag.is_empty();
        if !retransmitted {
            call.remote_tag = msg.to_tag().to_owned();
            call.remote_hdr = msg.header("To").unwrap_or_default().to_owned();
            if let Some(c) = msg.header_values("Contact").next() {
                call.remote_target = name_addr_uri(c).to_owned();
            }
        }
        let hang_up = call.cancel_pending || call.phase == Phase::Ending;
        self.send_ack_2xx(key);
        if retransmitted {
            return;
        }
        if let Some(call) = self.calls.get_mut(&key) {
            call.phase = Phase::Confirmed;
        }
        if hang_up {
            return self.send_bye(now, key);
        }
        if let Ok(n) = sdp::negotiate(&msg.body) {
            if let Some(call) = self.calls.get_mut(&key) {
                call.negotiated = Some(n.clone());
            }
            self.out.push(Output::Media { key, media: n });
        }
        self.out.push(Output::Remote { key, action: RemoteAction::Answer });
    }

    fn send_ack_2xx(&mut self, key: CallKey) {
        let Some(call) = self.calls.get(&key) else { return };
        let local = self.local_addr(call.transport);
        let data = MessageBuilder::request("ACK", &call.remote_target)
            .header(
                "Via",
                format_args!("SIP/2.0/{} {local};branch=z9hG4bK{};rport", call.transport.via_token(), token()),
            )
            .header("Max-Forwards", 70)
            .header("From", &call.local_hdr)
            .header("To", &call.remote_hdr)
            .header("Call-ID", &call.call_id)
            .header("CSeq", "1 ACK")
            .header("User-Agent", AGENT)
            .finish();
        let (t, p) = (call.transport, call.peer);
        self.send(t, p, data);
    }

    fn ack_failure(&mut self, key: CallKey, resp: &Message) {
        let Some(call) = self.calls.get(&key) else { return };
        let Some(inv) = &call.out_invite else { return };
        let crate::wire::StartLine::Request { uri, .. } = &inv.start else { return };
        let data = MessageBuilder::request("ACK", uri)
            .header("Via", inv.header("Via").unwrap_or_default())
            .header("Max-Forwards", 70)
            .header("From", inv.header("From").unwrap_or_default())
            .header("To", resp.header("To").unwrap_or_default())
            .header("Call-ID", inv.call_id())
            .header("CSeq", format_args!("{} ACK", inv.cseq().0))
            .finish();
        let (t, p) = (call.transport, call.peer);
        self.send(t, p, data);
    }

    /// Answers a 401/407 to our INVITE once, with the call's credentials; false when there are none.
    fn retry_with_credentials(&mut self, now: Instant, key: CallKey, challenge: &Message) -> bool {
        let Some(transport) = self.calls.get(&key).map(|c| c.transport) else { return false };
        let local = self.local_addr(transport);
        let Some(call) = self.calls.get_mut(&key) else { return false };
        let (Some((user, password)), Some(inv)) = (call.auth.take(), call.out_invite.clone()) else { return false };
        let (header, answer) = match challenge.code() {
            Some(407) => ("Proxy-Authenticate", "Proxy-Authorization"),
            _ => ("WWW-Authenticate", "Authorization"),
        };
        let Some(ch) = crate::digest::pick_challenge(challenge.headers_named(header)) else { return false };
        let crate::wire::StartLine::Request { uri, .. } = &inv.start else { return false };
        let value = crate::digest::answer_challenge(&ch, "INVITE", uri, &user, &password);
        let cseq = inv.cseq().0 + 1;
        let mut b = MessageBuilder::request("INVITE", uri).header(
            "Via",
            format_args!("SIP/2.0/{} {local};branch=z9hG4bK{};rport", call.transport.via_token(), token()),
        );
        for (name, v) in &inv.headers {
            b = match name.as_str() {
                "Via" | "CSeq" | "Content-Length" | "Content-Type" | "Authorization" | "Proxy-Authorization" => b,
                _ => b.header(name, v),
            };
        }
        let data = b
            .header("CSeq", format_args!("{cseq} INVITE"))
            .header(answer, value)
            .body("application/sdp", inv.body.clone())
            .finish();
        let Ok(parsed) = Message::parse(&data, call.transport) else { return false };
        call.invite_branch = parsed.branch().to_owned();
        call.local_cseq = cseq;
        call.out_invite = Some(parsed);
        let (t, p) = (call.transport, call.peer);
        self.timers.start(now, TimerId::Request(key, "INVITE"), t, p, data.clone());
        self.send(t, p, data);
        true
    }
}
