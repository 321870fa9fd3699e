//! Calls we receive: INVITE (authenticated when the caller is an account) → 100, a new channel,
//! 180/183/200 as the channel rings, progresses and answers; CANCEL → 487; ACK; and the timers of
//! the INVITE server transaction.

use std::net::SocketAddr;
use std::time::Instant;

use switchyard_core::{HangupCause, tech::RemoteAction};

use super::dialog::{Call, Phase, token};
use super::timers::{Expired, TimerId};
use super::{CallEvent, CallKey, Engine, NewCall, Output};
use crate::causes::status_for_cause;
use crate::sdp;
use crate::wire::{Message, Transport, name_addr_uri, quoted_or_token, response_to, uri_user};

/// The display name of a From/To value (`"Alice" <sip:…>` → `Alice`).
fn display_name(value: &str) -> String {
    match value.find('<') {
        Some(p) => quoted_or_token(&value[..p]),
        None => String::new(),
    }
}

impl Engine {
    pub(super) fn on_invite(&mut self, now: Instant, transport: Transport, source: SocketAddr, msg: &Message) {
        if let Some(&key) = self.by_invite_branch.get(msg.branch()) {
            self.stats.retransmissions += 1;
            return self.resend_invite_state(key, transport, source, msg);
        }
        let from = msg.header("From").unwrap_or_default().to_owned();
        let caller_number = uri_user(name_addr_uri(&from)).to_owned();
        let Some((context, account)) = self.authorize(now, transport, source, msg, &caller_number) else {
            return;
        };
        let offer = match sdp::negotiate(&msg.body) {
            Ok(o) => o,
            Err(e) => {
                tracing::debug!(call = msg.call_id(), "INVITE refused: {e}");
                return self.respond(now, transport, source, msg, response_to(msg, 488, Some(&token())).finish());
            }
        };
        let key = self.allocate_key();
        let local_tag = token();
        let session_id = rand::random::<u32>() as u64;
        let call_id = msg.call_id().to_owned();
        let contact = msg.header_values("Contact").next().map(|c| name_addr_uri(c).to_owned());
        let call = Call {
            call_id: call_id.clone(),
            local_tag: local_tag.clone(),
            remote_tag: msg.from_tag().to_owned(),
            local_hdr: format!("{};tag={local_tag}", msg.header("To").unwrap_or_default()),
            remote_hdr: from.clone(),
            remote_target: contact.unwrap_or_else(|| name_addr_uri(&from).to_owned()),
            transport,
            peer: source,
            local_cseq: 0,
            phase: Phase::Early,
            inbound: true,
            invite: Some(msg.clone()),
            invite_branch: msg.branch().to_owned(),
            media: None,
            negotiated: Some(offer.clone()),
            session_id,
            out_invite: None,
            provisional: false,
            cancel_pending: false,
            auth: None,
            in_dialog_cseqs: Vec::new(),
            sdp_version: session_id,
            reinvite: None,
            reinvite_ack: None,
        };
        self.by_dialog.insert((call_id.clone(), local_tag), key);
        self.by_invite_branch.insert(call.invite_branch.clone(), key);
        self.calls.insert(key, call);
        self.send(transport, source, response_to(msg, 100, None).finish());
        let exten = match &msg.start {
            crate::wire::StartLine::Request { user, .. } => user.clone(),
            _ => String::new(),
        };
        let call = NewCall {
            context,
            exten,
            caller_number,
            caller_name: display_name(&from),
            account,
            offer,
            call_id,
            source,
        };
        self.out.push(Output::NewCall { key, call });
    }

    /// Accounts must authenticate (407 challenge); others go to the guest context or get 403.
    pub(super) fn authorize(
        &mut self,
        now: Instant,
        transport: Transport,
        source: SocketAddr,
        msg: &Message,
        caller: &str,
    ) -> Option<(String, Option<String>)> {
        let secs = self.secs(now);
        if self.find_account(caller).is_none() {
            if let Some(ctx) = self.cfg.guest_context.clone() {
                return Some((ctx, None));
            }
            self.respond(now, transport, source, msg, response_to(msg, 403, Some(&token())).finish());
            return None;
        }
        match self.registrar.authenticate(msg, source, secs) {
            Ok(a) => Some((a.context, Some(a.username))),
            Err(f) => {
                let (data, events) = self.registrar.refuse(msg, f, "Proxy-Authenticate", 407, caller, source, secs);
                self.out.extend(events.into_iter().map(Output::Registrar));
                self.respond(now, transport, source, msg, data);
                None
            }
        }
    }

    /// A retransmitted INVITE: repeat where we are (100, or the 2xx that is being retransmitted anyway).
    fn resend_invite_state(&mut self, key: CallKey, transport: Transport, source: SocketAddr, msg: &Message) {
        let early = self.calls.get(&key).is_some_and(|c| c.phase == Phase::Early);
        if early {
            self.send(transport, source, response_to(msg, 100, None).finish());
        }
    }

    pub(super) fn on_accepted(&mut self, _now: Instant, key: CallKey, media: std::net::SocketAddr) {
        if let Some(call) = self.calls.get_mut(&key) {
            call.media = Some(media);
        }
    }

    pub(super) fn on_local(&mut self, now: Instant, key: CallKey, event: CallEvent) {
        let Some(call) = self.calls.get(&key) else { return };
        if !call.inbound {
            return self.on_local_outbound(now, key, event);
        }
        let (phase, invite) = (call.phase, call.invite.clone());
        let Some(invite) = invite else { return };
        match (event, phase) {
            (CallEvent::Ringing, Phase::Early) => self.provisional(key, &invite, 180, false),
            (CallEvent::Progress, Phase::Early) => self.provisional(key, &invite, 183, true),
            (CallEvent::Answer, Phase::Early) => self.answer(now, key, &invite),
            (CallEvent::Hangup(cause), Phase::Early) => {
                self.refuse_invite(now, key, &invite, status_for_cause(cause));
                self.out.push(Output::Remote { key, action: RemoteAction::Hangup(cause) });
            }
            (CallEvent::Hangup(_), Phase::Confirmed) => self.send_bye(now, key),
            _ => {}
        }
    }

    fn invite_response(&self, key: CallKey, invite: &Message, code: u16, sdp: bool) -> Option<bytes::Bytes> {
        let call = self.calls.get(&key)?;
        let mut b = response_to(invite, code, Some(&call.local_tag));
        if code < 300 {
            b = b.header("Contact", format_args!("<sip:switchyard@{}>", self.local_addr(call.transport)));
        }
        if code == 200 {
            b = b.header("Allow", super::dialog::ALLOW);
        }
        if sdp && let Some(s) = call.answer_sdp() {
            b = b.body("application/sdp", s);
        }
        Some(b.finish())
    }

    fn provisional(&mut self, key: CallKey, invite: &Message, code: u16, sdp: bool) {
        let Some(data) = self.invite_response(key, invite, code, sdp) else { return };
        let call = &self.calls[&key];
        let (t, p) = (call.transport, call.peer);
        self.send(t, p, data);
    }

    fn answer(&mut self, now: Instant, key: CallKey, invite: &Message) {
        let Some(data) = self.invite_response(key, invite, 200, true) else { return };
        let Some(call) = self.calls.get_mut(&key) else { return };
        call.phase = Phase::Confirmed;
        let (t, p) = (call.transport, call.peer);
        self.timers.start(now, TimerId::Invite2xx(key), t, p, data.clone());
        self.send(t, p, data);
    }

    /// A final failure to the INVITE; retransmitted until the ACK.
    fn refuse_invite(&mut self, now: Instant, key: CallKey, invite: &Message, code: u16) {
        let Some(data) = self.invite_response(key, invite, code, false) else { return };
        let Some(call) = self.calls.get_mut(&key) else { return };
        call.phase = Phase::Ending;
        let (t, p) = (call.transport, call.peer);
        self.timers.start(now, TimerId::InviteError(key), t, p, data.clone());
        self.send(t, p, data);
    }

    pub(super) fn on_cancel(&mut self, now: Instant, transport: Transport, source: SocketAddr, msg: &Message) {
        let Some(&key) = self.by_invite_branch.get(msg.branch()) else {
            return self.respond(now, transport, source, msg, response_to(msg, 481, None).finish());
        };
        self.respond(now, transport, source, msg, response_to(msg, 200, None).finish());
        let Some(call) = self.calls.get(&key) else { return };
        if call.inbound
            && call.phase == Phase::Early
            && let Some(invite) = call.invite.clone()
        {
            self.refuse_invite(now, key, &invite, 487);
            let action = RemoteAction::Hangup(HangupCause::ORIGINATOR_CANCEL);
            self.out.push(Output::Remote { key, action });
        }
    }

    pub(super) fn on_ack(&mut self, msg: &Message) {
        let id = (msg.call_id().to_owned(), msg.to_tag().to_owned());
        let Some(&key) = self.by_dialog.get(&id) else { return };
        self.timers.stop(&TimerId::Invite2xx(key));
        if self.timers.stop(&TimerId::InviteError(key)) {
            self.end_call(key);
        }
    }

    pub(super) fn on_timer(&mut self, now: Instant, Expired(id): Expired) {
        match id {
            TimerId::Invite2xx(key) => {
                tracing::debug!(key, "no ACK for our 2xx: hanging up");
                let action = RemoteAction::Hangup(HangupCause::from_number(102));
                self.out.push(Output::Remote { key, action });
                self.send_bye(now, key);
            }
            TimerId::Request(key, "INVITE") => {
                let action = RemoteAction::Reject(HangupCause::from_number(102));
                self.out.push(Output::Remote { key, action });
                self.end_call(key);
            }
            TimerId::Request(_, "CANCEL") | TimerId::InDialog(..) => {}
            TimerId::Request(key, "REINVITE") => self.reinvite_timed_out(key),
            TimerId::Standalone(call_id) => tracing::debug!(%call_id, "no final response to our request"),
            TimerId::InviteError(key) | TimerId::Request(key, _) => self.end_call(key),
        }
    }
}
