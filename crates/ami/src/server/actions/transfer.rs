//! `BlindTransfer`: the transferer's bridge peer is redirected to the destination and the transferer
//! hangs up (Asterisk's `ast_bridge_transfer_blind`). `Atxfer` answers as Asterisk without an `atxfer`
//! feature code.

use switchyard_core::{ChannelCommand, HangupCause};

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
    let context = context.map_or_else(|| snap.location.context.clone(), str::to_owned);
    let redirect = ChannelCommand::Redirect { context, exten: exten.to_owned(), priority: 1 };
    if peer.send(redirect).is_err() {
        return Response::error(id, "Transfer failed").write(&mut s.out);
    }
    let _ = transferer.hangup(HangupCause::NORMAL_CLEARING, "ami");
    Response::ack(id, "Transfer succeeded").write(&mut s.out);
}

/// `Atxfer` works through the `atxfer` DTMF feature code, which Switchyard does not configure (as
/// Asterisk's default features.conf): Asterisk's answer in that case.
pub fn attended(s: &mut Session, id: Option<&str>, channel: &str) {
    if s.shared.switch.channels().find(channel).is_none() {
        return Response::error(id, "Channel specified does not exist").write(&mut s.out);
    }
    Response::error(id, "No attended transfer feature code found").write(&mut s.out);
}
