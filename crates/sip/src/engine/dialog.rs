//! One call's dialog state and the requests inside a dialog: BYE, re-INVITE (hold noted), INFO DTMF,
//! and our own BYE.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use switchyard_core::{HangupCause, tech::RemoteAction};

use super::timers::TimerId;
use super::{CallKey, Engine, Output};
use crate::sdp::{self, Negotiated};
use crate::wire::{AGENT, Message, MessageBuilder, Transport, response_to};

/// Methods we accept.
pub const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, NOTIFY, REFER, UPDATE, REGISTER";

/// Where a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the channel to be created (inbound) or for a response (outbound).
    Early,
    /// 2xx sent or received.
    Confirmed,
    /// BYE, CANCEL or a final failure: waiting only for the last ACK or BYE response.
    Ending,
}

/// A call's SIP state.
#[derive(Debug)]
pub struct Call {
    /// Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// Their tag (empty until known for outbound calls).
    pub remote_tag: String,
    /// Our header value (From in our requests), with our tag.
    pub local_hdr: String,
    /// Their header value (To in our requests), with their tag.
    pub remote_hdr: String,
    /// Their Contact URI (Request-URI of our in-dialog requests).
    pub remote_target: String,
    /// Transport of the dialog.
    pub transport: Transport,
    /// Where their messages come from (and ours go: symmetric signalling).
    pub peer: SocketAddr,
    /// Our next CSeq.
    pub local_cseq: u32,
    /// Phase.
    pub phase: Phase,
    /// True when we received the INVITE.
    pub inbound: bool,
    /// The INVITE we answer (inbound).
    pub invite: Option<Message>,
    /// Branch of the INVITE transaction (theirs inbound, ours outbound).
    pub invite_branch: String,
    /// Our RTP address.
    pub media: Option<SocketAddr>,
    /// What the offer/answer negotiated.
    pub negotiated: Option<Negotiated>,
    /// SDP session id.
    pub session_id: u64,
    /// Our INVITE request (outbound), for CANCEL and ACK.
    pub out_invite: Option<Message>,
    /// A provisional response was received (outbound).
    pub provisional: bool,
    /// The channel asked to hang up before a provisional came (outbound): CANCEL on the first one.
    pub cancel_pending: bool,
    /// Credentials for one 401/407 challenge to our INVITE (taken when used).
    pub auth: Option<(String, String)>,
    /// CSeq numbers of our in-dialog NOTIFYs and MESSAGEs still waiting for a response.
    pub in_dialog_cseqs: Vec<u32>,
    /// SDP `o=` version: the session id, plus one per offer we made in the call.
    pub sdp_version: u64,
    /// Our re-INVITE waiting for its final response: CSeq number and Via.
    pub reinvite: Option<(u32, String)>,
    /// The ACK of our last answered re-INVITE (sent again for a retransmitted 2xx): CSeq and bytes.
    pub reinvite_ack: Option<(u32, Bytes)>,
}

/// A random token for tags and branches.
pub fn token() -> String {
    format!("{:016x}", rand::random::<u64>())
}

impl Call {
    /// Our SDP answer for the current negotiation.
    pub fn answer_sdp(&self) -> Option<String> {
        Some(sdp::answer_versioned(self.media?, self.session_id, self.sdp_version, self.negotiated.as_ref()?))
    }
}

/// The DTMF digit of an INFO body (`application/dtmf-relay` `Signal=5`, or `application/dtmf` `5`).
pub fn info_digit(content_type: &str, body: &[u8]) -> Option<char> {
    let text = std::str::from_utf8(body).ok()?;
    let raw = match content_type {
        "application/dtmf-relay" => text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            k.trim().eq_ignore_ascii_case("signal").then(|| v.trim())
        })?,
        "application/dtmf" => text.trim(),
        _ => return None,
    };
    let digit = match raw {
        "10" => '*',
        "11" => '#',
        d => d.chars().next()?.to_ascii_uppercase(),
    };
    matches!(digit, '0'..='9' | '*' | '#' | 'A'..='D').then_some(digit)
}

/// The `Duration=` (milliseconds) of an `application/dtmf-relay` INFO body, if it has a valid one.
pub fn info_duration(content_type: &str, body: &[u8]) -> Option<u32> {
    if content_type != "application/dtmf-relay" {
        return None;
    }
    std::str::from_utf8(body).ok()?.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        k.trim().eq_ignore_ascii_case("duration").then(|| v.trim().parse().ok())?
    })
}

impl Engine {
    /// A digit sent by INFO: with a known duration it begins and ends at once (so AMI and ESL report
    /// that duration), else it is a whole digit of the default duration.
    fn info_dtmf(&mut self, key: CallKey, digit: char, duration_ms: Option<u32>) {
        match duration_ms {
            Some(ms) => {
                self.out.push(Output::Remote { key, action: RemoteAction::DtmfBegin(digit) });
                self.out.push(Output::Remote { key, action: RemoteAction::DtmfEnd(digit, ms) });
            }
            None => self.out.push(Output::Remote { key, action: RemoteAction::Dtmf(digit) }),
        }
    }

    /// Builds a request inside the call's dialog.
    pub(super) fn dialog_request(&mut self, key: CallKey, method: &str) -> Option<(Bytes, Transport, SocketAddr)> {
        let (b, transport, peer) = self.dialog_builder(key, method)?;
        Some((b.finish(), transport, peer))
    }

    /// Starts a request inside the call's dialog (the caller adds headers and a body).
    pub(super) fn dialog_builder(
        &mut self,
        key: CallKey,
        method: &str,
    ) -> Option<(MessageBuilder, Transport, SocketAddr)> {
        let local = self.local_addr(self.calls.get(&key)?.transport);
        let call = self.calls.get_mut(&key)?;
        call.local_cseq += 1;
        let via = format!("SIP/2.0/{} {local};branch=z9hG4bK{};rport", call.transport.via_token(), token());
        let b = MessageBuilder::request(method, &call.remote_target)
            .header("Via", via)
            .header("Max-Forwards", 70)
            .header("From", &call.local_hdr)
            .header("To", &call.remote_hdr)
            .header("Call-ID", &call.call_id)
            .header("CSeq", format_args!("{} {method}", call.local_cseq))
            .header("User-Agent", AGENT);
        Some((b, call.transport, call.peer))
    }

    /// Sends BYE and waits for its response.
    pub(super) fn send_bye(&mut self, now: Instant, key: CallKey) {
        let Some((data, transport, peer)) = self.dialog_request(key, "BYE") else { return };
        if let Some(call) = self.calls.get_mut(&key) {
            call.phase = Phase::Ending;
        }
        self.timers.stop(&TimerId::Invite2xx(key));
        self.timers.start(now, TimerId::Request(key, "BYE"), transport, peer, data.clone());
        self.send(transport, peer, data);
    }

    /// Forgets a call.
    pub(super) fn end_call(&mut self, key: CallKey) {
        if let Some(call) = self.calls.remove(&key) {
            self.by_dialog.remove(&(call.call_id.clone(), call.local_tag.clone()));
            self.by_invite_branch.remove(&call.invite_branch);
            for id in [TimerId::Invite2xx(key), TimerId::InviteError(key), TimerId::Request(key, "INVITE")] {
                self.timers.stop(&id);
            }
            self.timers.stop(&TimerId::Request(key, "BYE"));
            self.timers.stop(&TimerId::Request(key, "CANCEL"));
            self.timers.stop(&TimerId::Request(key, "REINVITE"));
            for cseq in call.in_dialog_cseqs {
                self.timers.stop(&TimerId::InDialog(key, cseq));
            }
            self.out.push(Output::Ended { key });
        }
    }

    pub(super) fn on_in_dialog(&mut self, now: Instant, transport: Transport, source: SocketAddr, msg: &Message) {
        let id = (msg.call_id().to_owned(), msg.to_tag().to_owned());
        let Some(&key) = self.by_dialog.get(&id) else {
            return self.respond(now, transport, source, msg, response_to(msg, 481, None).finish());
        };
        let method = msg.method().unwrap_or_default().to_owned();
        match method.as_str() {
            "BYE" => {
                self.respond(now, transport, source, msg, response_to(msg, 200, None).finish());
                self.out.push(Output::Remote { key, action: RemoteAction::Hangup(HangupCause::NORMAL_CLEARING) });
                self.end_call(key);
            }
            "INVITE" => self.on_reinvite(now, key, transport, source, msg),
            "INFO" => {
                if let Some(d) = info_digit(&msg.content_type(), &msg.body) {
                    self.info_dtmf(key, d, info_duration(&msg.content_type(), &msg.body));
                }
                self.respond(now, transport, source, msg, response_to(msg, 200, None).finish());
            }
            "MESSAGE" => self.on_message(now, transport, source, msg, Some(key)),
            "NOTIFY" => self.on_notify(now, transport, source, msg, Some(key)),
            "REFER" => self.on_refer(now, key, transport, source, msg),
            "SUBSCRIBE" | "PRACK" => {
                let b = response_to(msg, 405, None).header("Allow", ALLOW);
                self.respond(now, transport, source, msg, b.finish());
            }
            _ => self.respond(now, transport, source, msg, response_to(msg, 200, None).finish()),
        }
    }

    fn on_reinvite(&mut self, now: Instant, key: CallKey, transport: Transport, source: SocketAddr, msg: &Message) {
        let negotiated = match msg.body.is_empty() {
            true => None,
            false => match sdp::negotiate(&msg.body) {
                Ok(n) => Some(n),
                Err(_) => return self.send(transport, source, response_to(msg, 488, None).finish()),
            },
        };
        let Some(call) = self.calls.get_mut(&key) else { return };
        if let Some(n) = negotiated {
            tracing::debug!(call = %call.call_id, direction = ?n.direction, "re-INVITE (hold when sendonly/inactive)");
            call.negotiated = Some(n.clone());
            self.out.push(Output::Media { key, media: n });
        }
        let Some(call) = self.calls.get(&key) else { return };
        let contact = format!("<sip:switchyard@{}>", self.local_addr(transport));
        let mut b = response_to(msg, 200, None).header("Contact", contact);
        if let Some(sdp) = call.answer_sdp() {
            b = b.body("application/sdp", sdp);
        }
        let data = b.finish();
        self.timers.start(now, TimerId::Invite2xx(key), transport, source, data.clone());
        self.send(transport, source, data);
    }
}

#[cfg(test)]
mod tests {
    use super::{info_digit, info_duration};

    #[test]
    fn info_bodies() {
        assert_eq!(info_digit("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n"), Some('5'));
        assert_eq!(info_digit("application/dtmf-relay", b"Signal= #\r\n"), Some('#'));
        assert_eq!(info_digit("application/dtmf", b"11"), Some('#'));
        assert_eq!(info_digit("application/dtmf-relay", b"Signal=x"), None);
        assert_eq!(info_digit("text/plain", b"Signal=5"), None);
    }

    #[test]
    fn info_durations() {
        assert_eq!(info_duration("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n"), Some(160));
        assert_eq!(info_duration("application/dtmf-relay", b"Signal=5\r\nduration = 250"), Some(250));
        assert_eq!(info_duration("application/dtmf-relay", b"Signal=5\r\nDuration=long\r\n"), None);
        assert_eq!(info_duration("application/dtmf-relay", b"Signal=5\r\n"), None);
        assert_eq!(info_duration("application/dtmf", b"5"), None);
    }
}
