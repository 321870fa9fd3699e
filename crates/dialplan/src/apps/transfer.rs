//! Transfers a bridged party starts with a feature code (Asterisk's bridge_basic.c): blind (the
//! peer goes to the extension dialed) and attended (the peer waits while the transferer talks to
//! the target on a `Local/exten@context` channel; hanging up or `atxfercomplete` leaves the two
//! together, `atxferabort` or the target hanging up brings the transferer back).

use std::sync::Arc;

use switchyard_core::channel::{ChannelHandle, WaitFor, Woken};
use switchyard_core::features::{CodeMatch, match_code};
use switchyard_core::transfer::{AttendedDestination, AttendedTransfer, BlindTransfer, BridgeSide, TransferResult};
use switchyard_core::{
    Channel, ChannelCommand, ChannelId, ChannelSnapshot, EventKind, HangupCause, Interrupted, OriginateRequest,
    OriginateTarget,
};
use tokio::time::Instant;

use super::dial::CalleePlan;
use super::dial_features::FeatureRole;
use crate::engine::Engine;

/// How an attended transfer left the transferer.
pub(crate) enum Attended {
    /// Back with the transferee (aborted, target busy or gone, nothing dialed).
    Back,
    /// The transferee and the target are together; the transferer leaves.
    Completed,
    /// The transferee is gone; the transferer stays with the target.
    WithTarget,
}

/// Digits after a transfer code until they name an extension of `context` that no longer digit
/// could extend, `#`, or the transfer digit timeout (Asterisk's `ast_app_dtget`). None when nothing
/// valid was dialed.
pub(crate) async fn destination(e: &Engine, chan: &mut Channel, context: &str) -> Result<Option<String>, Interrupted> {
    let plan = e.plan();
    let timeout = e.switch.features().transfer_digit_timeout;
    let cid = chan.current().caller.number.clone();
    let mut digits = String::new();
    let want = WaitFor { digit: true, ..WaitFor::default() };
    loop {
        if !digits.is_empty() && plan.exists(context, &digits, &cid) && !plan.could_match_more(context, &digits) {
            break;
        }
        match chan.wait_until(Some(Instant::now() + timeout), want).await? {
            Woken::Digit('#') => break,
            Woken::Digit(d) => digits.push(d),
            _ => break,
        }
    }
    if !digits.is_empty() && plan.exists(context, &digits, &cid) {
        Ok(Some(digits))
    } else {
        tracing::info!(channel = %chan.current().name, "transfer: no extension '{digits}' in '{context}'");
        Ok(None)
    }
}

/// The bridge `chan` is in, as a transfer event shows it.
fn bridge_side(e: &Engine, chan: &Channel) -> Option<BridgeSide> {
    let id = chan.bridge_id()?;
    let members = e.switch.bridges().get(id).map_or(0, |b| b.members.len());
    Some(BridgeSide { id: id.to_owned(), members })
}

/// Sends the bridge peer to `exten@context`, publishes `BlindTransfer` and hangs this party up.
pub(crate) fn blind(e: &Engine, chan: &mut Channel, context: &str, exten: &str) {
    let Some(peer) = chan.bridge_peer().cloned() else { return };
    tracing::info!(channel = %chan.current().name, "blind transfer of {} to {exten}@{context}", peer.snapshot().name);
    chan.set_var("BLINDTRANSFER", &peer.snapshot().name);
    let bridge = bridge_side(e, chan);
    let redirect = ChannelCommand::Redirect { context: context.to_owned(), exten: exten.to_owned(), priority: 1 };
    let result = if peer.send(redirect).is_ok() { TransferResult::Success } else { TransferResult::Fail };
    let info = BlindTransfer {
        result,
        transferer: chan.publish_snapshot(),
        transferee: Some(peer.snapshot()),
        bridge,
        is_external: false,
        context: context.to_owned(),
        exten: exten.to_owned(),
    };
    e.switch.bus().publish(EventKind::BlindTransfer(Box::new(info)), None);
    chan.request_hangup(HangupCause::NORMAL_CLEARING, "blind transfer");
}

/// The transferer's side before the consultation: its snapshot and bridge, and the transferee.
struct Original {
    transferer: Arc<ChannelSnapshot>,
    bridge: Option<BridgeSide>,
    transferee: ChannelHandle,
}

/// Runs an attended transfer to `exten@context` from `chan`, whose bridge peer is the transferee.
pub(crate) async fn attended(
    e: &Arc<Engine>,
    chan: &mut Channel,
    context: &str,
    exten: &str,
) -> Result<Attended, Interrupted> {
    let Some(transferee) = chan.bridge_peer().cloned() else { return Ok(Attended::Back) };
    let orig = Original { transferer: chan.publish_snapshot(), bridge: bridge_side(e, chan), transferee };
    let Some(target) = call_target(e, chan, context, exten, &orig).await? else {
        return Ok(back(e, chan, &orig));
    };
    if e.switch.bridge(chan.id(), target.id()).is_err() {
        let _ = target.hangup(HangupCause::NORMAL_CLEARING, "attended transfer");
        return Ok(back(e, chan, &orig));
    }
    consult(e, chan, &orig, &target).await
}

/// Calls `Local/exten@context` and waits up to `atxfernoanswertimeout` for it to answer and be ready.
async fn call_target(
    e: &Arc<Engine>,
    chan: &mut Channel,
    context: &str,
    exten: &str,
    orig: &Original,
) -> Result<Option<ChannelHandle>, Interrupted> {
    let id = ChannelId::new_v4();
    let (tx, ready) = tokio::sync::oneshot::channel();
    e.dials.insert(id, CalleePlan::new(tx, FeatureRole::default()));
    let target = OriginateTarget::App { name: "AppDial2".into(), args: "(Outgoing Line)".into() };
    let mut req = OriginateRequest::new(format!("Local/{exten}@{context}"), target);
    req.channel_id = Some(id);
    req.timeout = e.switch.features().atxfer_no_answer_timeout;
    req.caller_id = chan.current().caller.clone();
    req.linked_id = Some(chan.current().linked_id);
    let pending = match e.switch.originate(req) {
        Ok(p) => p,
        Err(err) => {
            e.dials.forget(id);
            tracing::warn!(channel = %chan.current().name, "attended transfer: cannot call {exten}@{context}: {err}");
            return Ok(None);
        }
    };
    let handle = pending.channel.clone();
    let mut outcome = tokio::spawn(pending.outcome());
    let abort = e.switch.features().atxfer_abort.clone();
    let mut aborting = AbortCode::new(&abort, e.switch.features().feature_digit_timeout);
    let want = WaitFor { digit: !abort.is_empty(), ..WaitFor::default() };
    let answered = loop {
        tokio::select! {
            o = &mut outcome => break o.is_ok_and(|o| o.answered),
            w = chan.wait_until(aborting.deadline, want) => match w {
                Ok(woken) if aborting.woken(woken) => {
                    e.dials.forget(id);
                    let _ = handle.hangup(HangupCause::NORMAL_CLEARING, "attended transfer aborted");
                    return Ok(None);
                }
                Ok(_) => {}
                Err(i) => {
                    abandon(e, chan, orig, (id, outcome, ready, handle), &i);
                    return Err(i);
                }
            }
        }
    };
    if !answered || !ready.await.unwrap_or(false) {
        e.dials.forget(id);
        return Ok(None);
    }
    Ok(Some(handle))
}

/// The transferer left while the target rang: a hangup hands the transferee to the target (Asterisk's
/// blond transfer); anything else cancels the target.
fn abandon(
    e: &Arc<Engine>,
    chan: &mut Channel,
    orig: &Original,
    call: (ChannelId, tokio::task::JoinHandle<switchyard_core::OriginateOutcome>, Ready, ChannelHandle),
    why: &Interrupted,
) {
    let (id, outcome, ready, handle) = call;
    if matches!(why, Interrupted::HungUp(_)) && orig.transferee.is_alive() {
        chan.leave_bridge_quietly();
        tokio::spawn(blond(e.clone(), outcome, ready, chan.publish_snapshot(), orig.transferee.clone(), handle));
    } else {
        e.dials.forget(id);
        let _ = handle.hangup(HangupCause::NORMAL_CLEARING, "attended transfer abandoned");
    }
}

/// Tells when the target of an attended transfer is ready to be bridged.
type Ready = tokio::sync::oneshot::Receiver<bool>;

/// One DTMF code (`atxferabort` while the target rings) matched with the feature digit timeout.
struct AbortCode<'a> {
    code: &'a str,
    digits: String,
    deadline: Option<Instant>,
    timeout: std::time::Duration,
}

impl<'a> AbortCode<'a> {
    fn new(code: &'a str, timeout: std::time::Duration) -> Self {
        Self { code, digits: String::new(), deadline: None, timeout }
    }

    /// True when `woken` completes the code.
    fn woken(&mut self, woken: Woken) -> bool {
        let table = [(self.code, ())];
        let hit = match woken {
            Woken::Digit(d) => {
                self.digits.push(d);
                match match_code(&self.digits, &table) {
                    CodeMatch::Exact(()) => true,
                    CodeMatch::Partial(_) => {
                        self.deadline = Some(Instant::now() + self.timeout);
                        return false;
                    }
                    CodeMatch::None => false,
                }
            }
            _ => matches!(match_code(&self.digits, &table), CodeMatch::Partial(Some(()))),
        };
        self.digits.clear();
        self.deadline = None;
        hit
    }
}

/// The transferer hung up while the target rang: once the target answers it is bridged with the
/// transferee (`AttendedTransfer`); when it does not, both are hung up (Switchyard does not call the
/// transferer back as Asterisk's `atxferdropcall = no` does).
async fn blond(
    e: Arc<Engine>,
    outcome: tokio::task::JoinHandle<switchyard_core::OriginateOutcome>,
    ready: Ready,
    transferer: Arc<ChannelSnapshot>,
    transferee: ChannelHandle,
    target: ChannelHandle,
) {
    let answered = outcome.await.is_ok_and(|o| o.answered) && ready.await.unwrap_or(false);
    let joined =
        if answered && transferee.is_alive() { e.switch.bridge(transferee.id(), target.id()).ok() } else { None };
    let Some(bridge) = joined else {
        e.dials.forget(target.id());
        let _ = target.hangup(HangupCause::NORMAL_CLEARING, "blond transfer failed");
        let _ = transferee.hangup(HangupCause::NORMAL_CLEARING, "blond transfer failed");
        return;
    };
    let info = AttendedTransfer {
        result: TransferResult::Success,
        orig_transferer: transferer.clone(),
        orig_bridge: None,
        second_transferer: transferer,
        second_bridge: None,
        transferee: Some(transferee.snapshot()),
        target: Some(target.snapshot()),
        is_external: false,
        destination: AttendedDestination::Bridge(bridge),
    };
    e.switch.bus().publish(EventKind::AttendedTransfer(Box::new(info)), None);
}

/// The consultation: the transferer talks to the target until a code, a hangup or the target leaving.
async fn consult(
    e: &Arc<Engine>,
    chan: &mut Channel,
    orig: &Original,
    target: &ChannelHandle,
) -> Result<Attended, Interrupted> {
    let cfg = e.switch.features();
    let codes = [(cfg.atxfer_abort.as_str(), true), (cfg.atxfer_complete.as_str(), false)];
    let codes: Vec<(&str, bool)> = codes.into_iter().filter(|(c, _)| !c.is_empty()).collect();
    let want = WaitFor { digit: true, unbridged: true, ..WaitFor::default() };
    let mut digits = String::new();
    let mut deadline = None;
    loop {
        let woken = match chan.wait_until(deadline, want).await {
            Ok(w) => w,
            Err(i) => {
                complete(e, chan, orig, target);
                return Err(i);
            }
        };
        let abort = match woken {
            Woken::Digit(d) => {
                digits.push(d);
                match match_code(&digits, &codes) {
                    CodeMatch::Exact(abort) => Some(abort),
                    CodeMatch::Partial(_) => {
                        deadline = Some(Instant::now() + cfg.feature_digit_timeout);
                        continue;
                    }
                    CodeMatch::None => None,
                }
            }
            Woken::Timeout => match match_code(&digits, &codes) {
                CodeMatch::Partial(Some(abort)) => Some(abort),
                _ => None,
            },
            Woken::Unbridged => return Ok(back(e, chan, orig)),
            Woken::Answered | Woken::QueuedApp => None,
        };
        digits.clear();
        deadline = None;
        match abort {
            Some(true) => {
                // Back first: the target's leaving must find the transferer already elsewhere.
                let target = current_target(chan, orig, target);
                let end = back(e, chan, orig);
                let _ = target.hangup(HangupCause::NORMAL_CLEARING, "attended transfer aborted");
                return Ok(end);
            }
            Some(false) if orig.transferee.is_alive() => {
                complete(e, chan, orig, target);
                chan.request_hangup(HangupCause::NORMAL_CLEARING, "attended transfer");
                return Ok(Attended::Completed);
            }
            Some(false) => return Ok(Attended::WithTarget),
            None => {}
        }
    }
}

/// Who the transferer talks to now: the target's Local pair may have optimised itself away, leaving
/// the channel it called in its place.
fn current_target(chan: &Channel, orig: &Original, target: &ChannelHandle) -> ChannelHandle {
    let peer = chan.bridge_peer().filter(|p| p.id() != orig.transferee.id());
    peer.unwrap_or(target).clone()
}

/// Bridges the transferee with the target and publishes `AttendedTransfer`.
fn complete(e: &Engine, chan: &mut Channel, orig: &Original, target: &ChannelHandle) {
    let target = &current_target(chan, orig, target);
    if !orig.transferee.is_alive() || !target.is_alive() {
        return;
    }
    let second_bridge = bridge_side(e, chan);
    let (result, destination) = match e.switch.bridge(orig.transferee.id(), target.id()) {
        Ok(id) => (TransferResult::Success, AttendedDestination::Bridge(id)),
        Err(_) => (TransferResult::Fail, AttendedDestination::Fail),
    };
    tracing::info!(channel = %chan.current().name, "attended transfer: {} with {}", orig.transferee.snapshot().name, target.snapshot().name);
    // Both bridges as they are now: the transferee waited alone in the first.
    let orig_bridge = orig.bridge.as_ref().map(|b| BridgeSide {
        id: b.id.clone(),
        members: e.switch.bridges().get(&b.id).map_or(1, |r| r.members.len()),
    });
    let info = AttendedTransfer {
        result,
        orig_transferer: orig.transferer.clone(),
        orig_bridge,
        second_transferer: chan.publish_snapshot(),
        second_bridge,
        transferee: Some(orig.transferee.snapshot()),
        target: Some(target.snapshot()),
        is_external: false,
        destination,
    };
    e.switch.bus().publish(EventKind::AttendedTransfer(Box::new(info)), None);
}

/// Returns the transferer to the transferee (a new bridge), when the transferee is still there.
fn back(e: &Engine, chan: &mut Channel, orig: &Original) -> Attended {
    if orig.transferee.is_alive() && chan.bridge_peer().map(ChannelHandle::id) != Some(orig.transferee.id()) {
        let _ = e.switch.bridge(chan.id(), orig.transferee.id());
    }
    Attended::Back
}
