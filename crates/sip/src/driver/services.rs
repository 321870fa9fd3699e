//! The driver's side of messaging and transfer: bus events that make SIP send MESSAGE/NOTIFY (read by
//! a small task and passed to the driver), received MESSAGE/NOTIFY published on the bus, and the blind
//! transfer a REFER asks for (the bridged peer redirected, the referrer hung up).

use switchyard_core::switch::Switch;
use switchyard_core::transfer::{BlindTransfer, BridgeSide, TransferResult};
use switchyard_core::{BusItem, ChannelCommand, ChannelHandle, EventKind, HangupCause};
use tokio::sync::mpsc;

use super::{Driver, DriverMsg};
use crate::engine::{InDialog, Input, OutRequest};
use crate::sendevent::{self, Outgoing};
use crate::wire::{Transport, uri_user};

/// Reads the bus for `SEND_MESSAGE`, `NOTIFY` and `MESSAGE_WAITING` and hands what they ask to the
/// driver; an event that cannot be sent is logged with the reason.
pub(super) fn forward_events(switch: &Switch, tx: mpsc::UnboundedSender<DriverMsg>, host: String) {
    let mut sub = switch.bus().subscribe("sip");
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(64);
        loop {
            sub.recv_batch(&mut batch, 64).await;
            for item in batch.drain(..) {
                let BusItem::Event(ev) = item else { continue };
                let EventKind::Custom(custom) = &ev.kind else { continue };
                match sendevent::outgoing(&custom.name, &custom.headers, custom.body.as_deref(), &host) {
                    Ok(Some(out)) => {
                        if tx.send(DriverMsg::Send(out)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!("SIP: event not sent: {e}"),
                }
            }
        }
    });
}

/// The NOTIFY status of a transfer that cannot happen (the referrer is not bridged, or is gone).
const NOTHING_TO_TRANSFER: u16 = 503;

impl Driver {
    /// Sends what an event asked for: to the user's registered contact, else to the URI's address
    /// unless that is one of our listeners (a local user who is not registered: dropped and logged).
    pub(super) fn send_request(&mut self, out: Outgoing) {
        if let Some(uuid) = out.uuid.clone() {
            return self.send_in_call(&uuid, out);
        }
        let user = uri_user(&out.to);
        let (request_uri, dest, transport) = match self.shared.location_of(user) {
            Some(b) => (b.contact.clone(), b.source, b.transport),
            None => match sendevent::direct_target(&out.to, &self.bound) {
                Ok(dest) => (out.to.clone(), dest, Transport::Udp),
                Err(why) => return tracing::warn!("SIP {}: '{}' {why}", out.method, out.to),
            },
        };
        let req = OutRequest {
            method: out.method,
            request_uri,
            dest,
            transport,
            from: out.from,
            to: out.to,
            call_id: out.call_id,
            headers: out.headers,
            content_type: out.content_type,
            body: out.body.into(),
        };
        self.feed(Input::Request(req));
    }

    /// An event naming a channel: the request goes inside that channel's SIP dialog.
    fn send_in_call(&mut self, uuid: &str, out: Outgoing) {
        let key = self.switch.channels().find(uuid).and_then(|h| self.key_of(h.id()));
        let Some(key) = key else {
            return tracing::warn!("SIP {}: uuid '{uuid}' is not a SIP call", out.method);
        };
        let request = InDialog {
            method: out.method,
            headers: out.headers,
            content_type: out.content_type,
            body: out.body.into(),
        };
        self.feed(Input::DialogRequest { key, request });
    }

    /// Publishes a received MESSAGE or NOTIFY, with the call's channel when it came in a call.
    pub(super) fn publish_event(
        &self,
        key: Option<u64>,
        name: &'static str,
        headers: Vec<(String, String)>,
        body: Option<String>,
    ) {
        let channel = key.and_then(|k| self.slots.get(&k)).and_then(|s| s.handle.as_ref()).map(|h| h.snapshot());
        let kind = EventKind::custom(name.to_owned(), headers, body);
        self.switch.bus().publish(kind, channel);
    }

    /// A REFER's blind transfer; returns the outcome for the final NOTIFY.
    pub(super) fn refer(&mut self, key: u64, exten: &str, uri: &str) -> Input {
        let code = self.transfer(key, exten);
        tracing::debug!(key, uri, code, "REFER");
        Input::ReferDone { key, code }
    }

    fn transfer(&mut self, key: u64, exten: &str) -> u16 {
        let Some(slot) = self.slots.get(&key) else { return NOTHING_TO_TRANSFER };
        let Some(referrer) = slot.handle.clone() else { return NOTHING_TO_TRANSFER };
        let context = self.transfer_context(&referrer, slot.account.as_deref());
        let peer = self.bridge_peer(&referrer);
        let exists = self.switch.dialplan().and_then(|d| d.extension_exists(&context, exten));
        let (code, result) = match &peer {
            None => (NOTHING_TO_TRANSFER, TransferResult::Invalid),
            Some(_) if exists == Some(false) => (404, TransferResult::Invalid),
            Some(peer) => {
                let redirect =
                    ChannelCommand::Redirect { context: context.clone(), exten: exten.to_owned(), priority: 1 };
                match peer.send(redirect) {
                    Ok(()) => (200, TransferResult::Success),
                    Err(_) => (NOTHING_TO_TRANSFER, TransferResult::Fail),
                }
            }
        };
        self.publish_blind_transfer(&referrer, peer.as_ref(), result, context, exten);
        if code == 200 {
            // Hung up once the final NOTIFY is out: the hangup reaches the engine through the queue.
            let _ = referrer.hangup(HangupCause::NORMAL_CLEARING, "sip");
        }
        code
    }

    /// AMI `BlindTransfer` (Asterisk publishes one per attempt, with its result).
    fn publish_blind_transfer(
        &self,
        referrer: &ChannelHandle,
        peer: Option<&ChannelHandle>,
        result: TransferResult,
        context: String,
        exten: &str,
    ) {
        let snap = referrer.snapshot();
        let bridge = snap.bridge_id.clone().map(|id| {
            let members = self.switch.bridges().get(&id).map_or(0, |b| b.members.len());
            BridgeSide { id, members }
        });
        let info = BlindTransfer {
            result,
            transferer: snap,
            transferee: peer.map(ChannelHandle::snapshot),
            bridge,
            is_external: true,
            context,
            exten: exten.to_owned(),
        };
        self.switch.bus().publish(EventKind::BlindTransfer(Box::new(info)), None);
    }

    /// Asterisk's choice: the referrer channel's `TRANSFER_CONTEXT`, else its account's context, else
    /// the channel's own context.
    fn transfer_context(&self, referrer: &ChannelHandle, account: Option<&str>) -> String {
        if let Some(c) = referrer.var("TRANSFER_CONTEXT").filter(|c| !c.is_empty()) {
            return c;
        }
        match account.and_then(|a| self.engine.registrar().account(a)) {
            Some(a) => a.context.clone(),
            None => referrer.snapshot().location.context.to_string(),
        }
    }

    /// The other channel in the referrer's bridge.
    pub(super) fn bridge_peer(&self, referrer: &ChannelHandle) -> Option<ChannelHandle> {
        let snap = referrer.snapshot();
        let bridge = snap.bridge_id.as_deref()?;
        let handles = self.switch.channels().handles();
        handles.into_iter().find(|h| h.id() != snap.id && h.snapshot().bridge_id.as_deref() == Some(bridge))
    }
}
