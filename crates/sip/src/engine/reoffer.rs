//! Our re-INVITEs: a new offer inside an answered call, for media bypass (`uuid_media off`, ESL
//! `nomedia`: each phone is offered its bridged peer's RTP address and codec, so the two send RTP to
//! each other) and back (`uuid_media`: our own address again). One at a time per call; the 2xx is
//! ACKed with the re-INVITE's CSeq (again for a retransmitted 2xx), a failure is ACKed and logged.

use std::time::Instant;

use super::dialog::{Phase, token};
use super::timers::TimerId;
use super::{CallKey, Engine};
use crate::sdp::{self, Negotiated};
use crate::wire::{AGENT, Message, MessageBuilder};

impl Engine {
    pub(super) fn reoffer(&mut self, now: Instant, key: CallKey, to: Option<Negotiated>) {
        let Some(call) = self.calls.get_mut(&key) else { return };
        if call.phase != Phase::Confirmed || call.reinvite.is_some() {
            return tracing::debug!(key, "re-INVITE not sent: call not up or one pending");
        }
        let (addr, n) = match (to, call.media, call.negotiated.clone()) {
            (Some(peer), _, _) => (peer.remote, peer),
            (None, Some(ours), Some(n)) => (ours, n),
            _ => return,
        };
        call.sdp_version += 1;
        let body = sdp::reoffer(addr, call.session_id, call.sdp_version, &n);
        let transport = call.transport;
        let contact = format!("<sip:switchyard@{}>", self.local_addr(transport));
        let Some((b, transport, peer)) = self.dialog_builder(key, "INVITE") else { return };
        let data = b.header("Contact", contact).body("application/sdp", body).finish();
        let Ok(sent) = Message::parse(&data, transport) else { return };
        let Some(call) = self.calls.get_mut(&key) else { return };
        call.reinvite = Some((call.local_cseq, sent.header("Via").unwrap_or_default().to_owned()));
        self.timers.start(now, TimerId::Request(key, "REINVITE"), transport, peer, data.clone());
        self.send(transport, peer, data);
    }

    /// Whether a response with this CSeq number answers our re-INVITE (pending or just answered).
    pub(super) fn is_reinvite(&self, key: CallKey, cseq: u32) -> bool {
        self.calls.get(&key).is_some_and(|c| {
            c.reinvite.as_ref().is_some_and(|(n, _)| *n == cseq)
                || c.reinvite_ack.as_ref().is_some_and(|(n, _)| *n == cseq)
        })
    }

    pub(super) fn on_reinvite_response(&mut self, key: CallKey, code: u16, msg: &Message) {
        let Some(call) = self.calls.get_mut(&key) else { return };
        if code < 200 {
            return;
        }
        let (t, p) = (call.transport, call.peer);
        let Some((cseq, via)) = call.reinvite.take() else {
            // A retransmitted 2xx: its ACK again.
            if let Some((_, ack)) = call.reinvite_ack.clone() {
                self.send(t, p, ack);
            }
            return;
        };
        self.timers.stop(&TimerId::Request(key, "REINVITE"));
        let local = self.local_addr(t);
        let Some(call) = self.calls.get_mut(&key) else { return };
        // A 2xx ACK is a new transaction; a failure's ACK belongs to the INVITE's (same Via).
        let via = match code {
            200..=299 => format!("SIP/2.0/{} {local};branch=z9hG4bK{};rport", t.via_token(), token()),
            _ => via,
        };
        let ack = MessageBuilder::request("ACK", &call.remote_target)
            .header("Via", via)
            .header("Max-Forwards", 70)
            .header("From", &call.local_hdr)
            .header("To", msg.header("To").unwrap_or(&call.remote_hdr))
            .header("Call-ID", &call.call_id)
            .header("CSeq", format_args!("{cseq} ACK"))
            .header("User-Agent", AGENT)
            .finish();
        if code < 300 {
            call.reinvite_ack = Some((cseq, ack.clone()));
        } else {
            tracing::info!(call = %call.call_id, code, "re-INVITE refused; media unchanged");
        }
        self.send(t, p, ack);
    }

    pub(super) fn reinvite_timed_out(&mut self, key: CallKey) {
        if let Some(call) = self.calls.get_mut(&key) {
            tracing::info!(call = %call.call_id, "no response to our re-INVITE");
            call.reinvite = None;
        }
    }
}
