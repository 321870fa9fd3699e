//! `BlindTransfer`: the transferer's bridge peer is redirected to the destination and the transferer
//! hangs up (Asterisk's `ast_bridge_transfer_blind`). `Atxfer` queues the attended transfer feature
//! code and the extension as DTMF on the transferer.

use switchyard_core::tech::RemoteAction;
use switchyard_core::transfer::{BlindTransfer, BridgeSide, TransferResult};
use switchyard_core::{ChannelCommand, EventKind, HangupCause};

use crate::proto::Response;
use crate::server::session::Session;

/// Transfers `channel`'s peer to `exten`@`context` (default: the transferer's context).
pub fn blind(s: &mut Session, id: Option<&str>, channel: &str, exten: &str, context: Option<&str>) {
    let Some(transferer) = s.shared.switch.channels().find(channel) else {
        return Response::error(id, "Channel specified does not exist").write(&mut s.out);
    };
    let snap = transferer.snapshot();
    let Some(bridge) = snap.bridge_id.clone() else {
        return Response::error(id, "Transfer invalid").write(&mut s.out);
    };
    let peer = s
        .shared
        .switch
        .channels()
        .handles()
        .into_iter()
        .find(|h| h.id() != snap.id && h.snapshot().bridge_id.as_deref() == Some(bridge.as_str()));
    let Some(peer) = peer else {
        return Response::error(id, "Transfer invalid").write(&mut s.out);
    };
    let context = context.map_or_else(|| snap.location.context.to_string(), str::to_owned);
    let redirect = ChannelCommand::Redirect { context: context.clone(), exten: exten.to_owned(), priority: 1 };
    if peer.send(redirect).is_err() {
        return Response::error(id, "Transfer failed").write(&mut s.out);
    }
    let switch = &s.shared.switch;
    let members = switch.bridges().get(&bridge).map_or(0, |b| b.members.len());
    let info = BlindTransfer {
        result: TransferResult::Success,
        transferer: snap.clone(),
        transferee: Some(peer.snapshot()),
        bridge: Some(BridgeSide { id: bridge, members }),
        is_external: true,
        context,
        exten: exten.to_owned(),
    };
    switch.bus().publish(EventKind::BlindTransfer(Box::new(info)), None);
    let _ = transferer.hangup(HangupCause::NORMAL_CLEARING, "ami");
    Response::ack(id, "Transfer succeeded").write(&mut s.out);
}

/// `Atxfer` queues the `atxfer` feature code and the extension as DTMF on the channel, as Asterisk's
/// `action_atxfer` does: the transfer then runs where the channel's bridge allows transfers (Dial
/// `t`/`T`). Without an `atxfer` code in features.conf's `[featuremap]` there is nothing to queue.
pub fn attended(s: &mut Session, id: Option<&str>, channel: &str, exten: &str, context: Option<&str>) {
    let Some(transferer) = s.shared.switch.channels().find(channel) else {
        return Response::error(id, "Channel specified does not exist").write(&mut s.out);
    };
    let code = s.shared.switch.features().featuremap.atxfer.clone();
    if code.is_empty() {
        return Response::error(id, "No attended transfer feature code found").write(&mut s.out);
    }
    if let Some(context) = context.filter(|c| !c.is_empty()) {
        let _ = transferer.send(ChannelCommand::SetVar { name: "TRANSFER_CONTEXT".into(), value: context.into() });
    }
    for digit in code.chars().chain(exten.chars()) {
        let _ = transferer.send(ChannelCommand::Remote(RemoteAction::Dtmf(digit)));
    }
    Response::ack(id, "Atxfer successfully queued").write(&mut s.out);
}
