//! `Dial(Tech/res[&Tech2/res2…][,timeout[,options]])`: originates the callees, takes the first
//! that answers, runs `U(sub^args)` on it, bridges, waits for the bridge to end; sets `DIALSTATUS`,
//! `DIALEDTIME`, `ANSWEREDTIME`. Also the `Originate` application.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::bus::BusItem;
use switchyard_core::channel::WaitFor;
use switchyard_core::originate::PendingOriginate;
use switchyard_core::{
    Channel, ChannelId, EventKind, HangupCause, LineState, OriginateOutcome, OriginateReason, OriginateRequest,
    OriginateTarget,
};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::dial_features::{FeatureRole, TalkEnd, TimeLimit, talk};
use crate::engine::Engine;
use crate::interp::{End, run_sub};
use switchyard_core::features::Allowed;

/// What an answered callee does before it is bridged, and the features it may use (`t`, `h`).
pub(crate) struct CalleePlan {
    gosub: Option<String>,
    ready: oneshot::Sender<bool>,
    role: FeatureRole,
}

impl CalleePlan {
    /// A callee with no `U()` Gosub.
    pub(crate) fn new(ready: oneshot::Sender<bool>, role: FeatureRole) -> Self {
        Self { gosub: None, ready, role }
    }
}

/// Plans of callees being dialed, by callee id.
#[derive(Default)]
pub(crate) struct DialRegistry(Mutex<HashMap<ChannelId, CalleePlan>>);

impl DialRegistry {
    /// Registers the plan of a callee about to be originated with `id`.
    pub(crate) fn insert(&self, id: ChannelId, plan: CalleePlan) {
        self.0.lock().insert(id, plan);
    }

    /// Drops a callee's plan (it hung up): the waiting caller sees the callee is gone.
    pub(crate) fn forget(&self, id: ChannelId) {
        self.0.lock().remove(&id);
    }
}

/// Parsed `Dial` options.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct DialOptions {
    pub go_on: bool,
    pub gosub: Option<String>,
    pub limit: Option<TimeLimit>,
    /// `t`: the callee may blind-transfer the caller.
    pub callee_transfers: bool,
    /// `T`: the caller may blind-transfer the callee.
    pub caller_transfers: bool,
    /// `h`: the callee may use the disconnect feature.
    pub callee_disconnects: bool,
    /// `H`: the caller may use the disconnect feature.
    pub caller_disconnects: bool,
}

/// Parses option letters, some with `(args)`.
pub(crate) fn parse_options(text: &str) -> DialOptions {
    let mut opts = DialOptions::default();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let letter = chars[i];
        i += 1;
        let mut arg = None;
        if chars.get(i) == Some(&'(') {
            let mut depth = 0;
            let start = i + 1;
            while i < chars.len() {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            arg = Some(chars[start..i.min(chars.len())].iter().collect::<String>());
            i += 1;
        }
        match letter {
            'g' => opts.go_on = true,
            'U' => opts.gosub = arg.map(|a| gosub_spec(&a)),
            'L' => opts.limit = arg.as_deref().and_then(TimeLimit::parse),
            't' => opts.callee_transfers = true,
            'T' => opts.caller_transfers = true,
            'h' => opts.callee_disconnects = true,
            'H' => opts.caller_disconnects = true,
            _ => {}
        }
    }
    opts
}

/// `sub^arg1^arg2` into a Gosub spec: `sub,s,1(arg1,arg2)` (or `sub(args)` when `sub` has commas).
fn gosub_spec(arg: &str) -> String {
    let mut parts = arg.split('^');
    let sub = parts.next().unwrap_or("").trim();
    let args: Vec<&str> = parts.collect();
    let loc = if sub.contains(',') { sub.to_owned() } else { format!("{sub},s,1") };
    if args.is_empty() { loc } else { format!("{loc}({})", args.join(",")) }
}

fn status_for(outcome: &OriginateOutcome) -> &'static str {
    match (outcome.reason, outcome.cause.number()) {
        (OriginateReason::Answered, _) => "ANSWER",
        (_, 17) | (OriginateReason::Busy, _) => "BUSY",
        (_, 34 | 42) | (OriginateReason::Congestion, _) => "CONGESTION",
        (_, 18 | 19) | (OriginateReason::RingTimeout | OriginateReason::HungUp, _) => "NOANSWER",
        _ => "CHANUNAVAIL",
    }
}

/// Worst-to-best order Asterisk reports when every callee failed.
fn rank(status: &str) -> u8 {
    match status {
        "BUSY" => 4,
        "CONGESTION" => 3,
        "NOANSWER" => 2,
        _ => 1,
    }
}

pub(crate) fn dial<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(dial_impl(e, chan, args))
}

async fn dial_impl(e: &Arc<Engine>, chan: &mut Channel, args: &str) -> AppResult {
    let a = crate::args::split(args, ',');
    let timeout = a.get(1).and_then(|t| t.trim().parse::<f64>().ok()).filter(|t| *t > 0.0);
    let opts = parse_options(a.get(2).map_or("", String::as_str));
    let dests: Vec<String> = a[0].split('&').map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned).collect();
    dial_dests(e, chan, &dests, timeout, &opts).await
}

/// Dials `dests` at once and bridges the first to answer, as `Dial` does; also the entry point of
/// FreeSWITCH's `bridge`, whose dial strings may hold `&` and `,` (so they come already split).
pub(crate) async fn dial_dests(
    e: &Arc<Engine>,
    chan: &mut Channel,
    dests: &[String],
    timeout: Option<f64>,
    opts: &DialOptions,
) -> AppResult {
    let start = Instant::now();
    // Callees' ringing and progress are seen on the bus and relayed to the caller.
    let mut watch = e.switch.bus().subscribe(format!("dial:{}", chan.current().name));
    let mut relayed = Relayed::default();
    let mut calls = JoinSet::new();
    let mut ids = Vec::new();
    // Callees with no DialEnd yet.
    let mut ringing = Vec::new();
    for dest in dests.iter().map(String::as_str) {
        match start_callee(e, chan, dest, timeout, opts) {
            Ok((pending, rx)) => {
                ids.push(pending.channel.id());
                ringing.push(pending.channel.id());
                let dialstring = dest.split_once('/').map_or(dest, |(_, r)| r).to_owned();
                chan.publish(EventKind::DialBegin { dest: pending.channel.snapshot(), dialstring });
                calls.spawn(async move { (pending.outcome().await, rx) });
            }
            Err(why) => tracing::warn!(channel = %chan.current().name, "Unable to create channel '{dest}': {why}"),
        }
    }
    let mut best = "CHANUNAVAIL";
    let answered = loop {
        let next = tokio::select! {
            r = calls.join_next() => r,
            item = watch.recv() => {
                relay(chan, item, &ringing, &mut relayed);
                continue;
            }
            w = chan.wait_until(None, WaitFor::default()) => {
                dial_end_all(e, chan, &ringing, "CANCEL");
                cancel(e, &ids);
                finish(chan, "CANCEL", start, None);
                return w.map(|_| String::new());
            }
        };
        let Some(Ok((outcome, rx))) = next else { break None };
        let status = status_for(&outcome);
        ringing.retain(|id| *id != outcome.channel_id);
        let dest = e.switch.channels().get(outcome.channel_id).map_or(outcome.snapshot.clone(), |h| h.snapshot());
        chan.publish(EventKind::DialEnd { dest, status: status.to_owned() });
        if outcome.answered {
            break Some((outcome, rx));
        }
        if rank(status) > rank(best) {
            best = status;
        }
    };
    let Some((outcome, rx)) = answered else {
        finish(chan, best, start, None);
        return Ok(String::new());
    };
    let others: Vec<ChannelId> = ids.into_iter().filter(|id| *id != outcome.channel_id).collect();
    dial_end_all(e, chan, &ringing, "CANCEL");
    cancel(e, &others);
    connect(e, chan, outcome, rx, start, opts).await
}

/// What `Dial` already told the caller.
#[derive(Default)]
struct Relayed {
    ringing: bool,
    progress: bool,
}

/// A callee that rings or makes progress: the caller gets `DialState` and, once, the indication
/// itself (Asterisk's `Dial` indicates ringing to the caller once, progress each time it changes).
fn relay(chan: &mut Channel, item: BusItem, callees: &[ChannelId], relayed: &mut Relayed) {
    let BusItem::Event(ev) = item else { return };
    let Some(dest) = ev.channel.as_ref().filter(|c| callees.contains(&c.id)) else { return };
    let status = match &ev.kind {
        EventKind::ChannelState { previous }
            if dest.state.line() == LineState::Ringing && previous.line() != LineState::Ringing =>
        {
            "RINGING"
        }
        EventKind::ChannelProgress => "PROGRESS",
        _ => return,
    };
    chan.publish(EventKind::DialState { dest: dest.clone(), status: status.to_owned() });
    if status == "RINGING" && !relayed.ringing {
        relayed.ringing = true;
        let _ = chan.ring();
    } else if status == "PROGRESS" && !relayed.progress {
        relayed.progress = true;
        let _ = chan.progress();
    }
}

fn start_callee(
    e: &Arc<Engine>,
    chan: &Channel,
    dest: &str,
    timeout: Option<f64>,
    opts: &DialOptions,
) -> Result<(PendingOriginate, oneshot::Receiver<bool>), String> {
    let id = ChannelId::new_v4();
    let (tx, rx) = oneshot::channel();
    let role = FeatureRole {
        allowed: Allowed { transfer: opts.callee_transfers, disconnect: opts.callee_disconnects },
        context: chan.current().location.context.to_string(),
    };
    e.dials.insert(id, CalleePlan { gosub: opts.gosub.clone(), ready: tx, role });
    let target = OriginateTarget::App { name: "AppDial2".into(), args: "(Outgoing Line)".into() };
    let mut req = OriginateRequest::new(dest, target);
    req.channel_id = Some(id);
    req.timeout = Duration::from_secs_f64(timeout.unwrap_or(86_400.0));
    req.caller_id = chan.current().caller.clone();
    req.linked_id = Some(chan.current().linked_id);
    req.account = chan.current().account_code.as_str().to_owned();
    req.variables = crate::vars::inheritable(chan);
    e.switch.originate(req).map(|p| (p, rx)).map_err(|err| {
        e.dials.forget(id);
        err.to_string()
    })
}

/// `DialEnd` for callees that are still being dialed.
fn dial_end_all(e: &Engine, chan: &mut Channel, ids: &[ChannelId], status: &str) {
    for id in ids {
        if let Some(h) = e.switch.channels().get(*id) {
            chan.publish(EventKind::DialEnd { dest: h.snapshot(), status: status.to_owned() });
        }
    }
}

fn cancel(e: &Engine, ids: &[ChannelId]) {
    for id in ids {
        e.dials.forget(*id);
        if let Some(h) = e.switch.channels().get(*id) {
            let _ = h.hangup(HangupCause::NORMAL_CLEARING, "dial cancelled");
        }
    }
}

fn finish(chan: &mut Channel, status: &str, start: Instant, answered: Option<Instant>) {
    chan.set_var("DIALSTATUS", status);
    let dialed = start.elapsed();
    chan.set_var("DIALEDTIME", &dialed.as_secs().to_string());
    chan.set_var("DIALEDTIME_MS", &dialed.as_millis().to_string());
    if let Some(at) = answered {
        chan.set_var("ANSWEREDTIME", &at.elapsed().as_secs().to_string());
        chan.set_var("ANSWEREDTIME_MS", &at.elapsed().as_millis().to_string());
    }
}

async fn connect(
    e: &Arc<Engine>,
    chan: &mut Channel,
    outcome: OriginateOutcome,
    ready: oneshot::Receiver<bool>,
    start: Instant,
    opts: &DialOptions,
) -> AppResult {
    let callee = outcome.channel_id;
    chan.set_var("DIALEDPEERNAME", &outcome.channel_name);
    let go = tokio::select! {
        r = ready => r.unwrap_or(false),
        w = chan.wait_until(None, WaitFor::default()) => {
            cancel(e, &[callee]);
            finish(chan, "CANCEL", start, None);
            return w.map(|_| String::new());
        }
    };
    if !go {
        finish(chan, "CHANUNAVAIL", start, None);
        return Ok(String::new());
    }
    let _ = chan.answer();
    let answered_at = Instant::now();
    if e.switch.bridge(chan.id(), callee).is_err() {
        finish(chan, "ANSWER", start, Some(answered_at));
        return if opts.go_on { Ok(String::new()) } else { Err(chan.hangup(HangupCause::NORMAL_CLEARING)) };
    }
    let role = FeatureRole {
        allowed: Allowed { transfer: opts.caller_transfers, disconnect: opts.caller_disconnects },
        context: chan.current().location.context.to_string(),
    };
    let result = talk(e, chan, opts.limit.map(|l| (answered_at, l)), &role).await;
    finish(chan, "ANSWER", start, Some(answered_at));
    match result {
        Ok(TalkEnd::TimeUp) => {
            // The peer may no longer be the callee (a transfer, a Local pair optimised away).
            if let Some(peer) = chan.bridge_peer() {
                let _ = peer.hangup(HangupCause::NORMAL_CLEARING, "dial time limit");
            }
            cancel(e, &[callee]);
            Ok(String::new())
        }
        Ok(TalkEnd::Disconnected) => {
            // The caller's disconnect hangs up whoever it is bridged with now (transfers may have changed it).
            if let Some(peer) = chan.bridge_peer() {
                let _ = peer.hangup(HangupCause::NORMAL_CLEARING, "disconnect feature");
            }
            if opts.go_on { Ok(String::new()) } else { Err(chan.hangup(HangupCause::NORMAL_CLEARING)) }
        }
        Ok(TalkEnd::Transferred) => Err(chan.hangup(HangupCause::NORMAL_CLEARING)),
        Ok(TalkEnd::Unbridged) if opts.go_on => Ok(String::new()),
        Ok(TalkEnd::Unbridged) => Err(chan.hangup(HangupCause::NORMAL_CLEARING)),
        Err(i) => Err(i),
    }
}

/// `AppDial2`: what an answered callee runs: its `U()` Gosub, then it waits in the bridge.
pub(crate) fn callee<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let Some(plan) = e.dials.0.lock().remove(&chan.id()) else {
            return Err(chan.hangup(HangupCause::NORMAL_CLEARING));
        };
        if let Some(spec) = &plan.gosub {
            let end = run_sub(e, chan, spec).await;
            let aborted = matches!(chan.var("GOSUB_RESULT"), Some("ABORT" | "BUSY" | "CONGESTION"));
            if end == End::HungUp || end == End::Fell || aborted || chan.hangup_cause().is_some() {
                let _ = plan.ready.send(false);
                return Err(chan.hangup(HangupCause::NORMAL_CLEARING));
            }
        }
        let _ = plan.ready.send(true);
        match talk(e, chan, None, &plan.role).await? {
            TalkEnd::Transferred | TalkEnd::Disconnected => Err(chan.hangup(HangupCause::NORMAL_CLEARING)),
            TalkEnd::Unbridged | TalkEnd::TimeUp => Ok(String::new()),
        }
    })
}

/// `Originate(tech_data,type,arg1[,arg2[,arg3[,timeout]]])`: waits for the answer; sets
/// `ORIGINATE_STATUS`.
pub(crate) fn originate_app<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let a = crate::args::split(args, ',');
        let arg = |i: usize| a.get(i).map(|s| s.trim().to_owned()).unwrap_or_default();
        let target = match arg(1).to_ascii_lowercase().as_str() {
            "app" => OriginateTarget::App { name: arg(2), args: arg(3) },
            "exten" => {
                let priority = arg(4).parse().unwrap_or(1);
                let exten = if arg(3).is_empty() { "s".to_owned() } else { arg(3) };
                OriginateTarget::Extension { context: arg(2), exten, priority }
            }
            other => {
                tracing::warn!("Originate: type must be 'exten' or 'app' (got '{other}')");
                chan.set_var("ORIGINATE_STATUS", "FAILED");
                return Ok(String::new());
            }
        };
        let mut req = OriginateRequest::new(arg(0), target);
        req.timeout = Duration::from_secs_f64(arg(5).parse::<f64>().ok().filter(|t| *t > 0.0).unwrap_or(30.0));
        req.caller_id = chan.current().caller.clone();
        let status = match e.switch.originate_and_wait(req).await {
            Ok(o) if o.answered => "SUCCESS",
            Ok(o) => match status_for(&o) {
                "BUSY" => "BUSY",
                "CONGESTION" => "CONGESTION",
                "NOANSWER" => "NOANSWER",
                _ => "FAILED",
            },
            Err(_) => "FAILED",
        };
        chan.set_var("ORIGINATE_STATUS", status);
        Ok(String::new())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_letters_and_arguments() {
        let o = parse_options("tU(sub-on-answer^5551000^101)gL(60000:30000)");
        assert!(o.go_on);
        assert_eq!(o.gosub.as_deref(), Some("sub-on-answer,s,1(5551000,101)"));
        assert_eq!(o.limit.map(|l| l.total), Some(Duration::from_secs(60)));
        assert!(o.callee_transfers && !o.caller_transfers);
        assert!(parse_options("T").caller_transfers);
        assert_eq!(parse_options("U(ctx,100,2)").gosub.as_deref(), Some("ctx,100,2"));
        assert_eq!(parse_options("").gosub, None);
    }
}
