//! Core events to AMI events: one function per family, each a few lines, so adding an event is a
//! new arm and a new function. Events the AMI has no counterpart for render to nothing.

use std::collections::HashMap;

use parking_lot::Mutex;
use switchyard_core::{ChannelId, ChannelSnapshot, DtmfPhase, Event, EventKind, OriginateOutcome};

use super::event::AmiEvent;
use super::privilege::Privilege;

/// Where an originated channel was sent, for `OriginateResponse` (the core's outcome does not say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginateDestination {
    /// `Application` + `Data`.
    App {
        /// Application.
        name: String,
        /// Its data.
        data: String,
    },
    /// `Context` + `Exten`.
    Extension {
        /// Context.
        context: String,
        /// Extension.
        exten: String,
    },
}

/// Facts the renderer needs besides the event.
#[derive(Debug, Default)]
pub struct RenderContext {
    destinations: Mutex<HashMap<ChannelId, OriginateDestination>>,
}

/// Bound on remembered destinations (an entry normally lives until the outcome renders).
const MAX_DESTINATIONS: usize = 65_536;

impl RenderContext {
    /// Remembers where an originate goes, before its outcome is published.
    pub fn remember_destination(&self, id: ChannelId, dest: OriginateDestination) {
        let mut map = self.destinations.lock();
        if map.len() >= MAX_DESTINATIONS {
            map.clear();
        }
        map.insert(id, dest);
    }

    fn take_destination(&self, id: ChannelId) -> Option<OriginateDestination> {
        self.destinations.lock().remove(&id)
    }
}

/// The AMI events for one core event, in order.
pub fn render(ev: &Event, ctx: &RenderContext) -> Vec<AmiEvent> {
    let snap = ev.channel.as_deref();
    match (&ev.kind, snap) {
        (EventKind::ChannelCreate, Some(s)) => vec![chan("Newchannel", Privilege::CALL, s)],
        (EventKind::ChannelState { previous }, Some(s)) if previous.line() != s.state.line() => {
            vec![chan("Newstate", Privilege::CALL, s)]
        }
        (EventKind::VarSet { name, value }, Some(s)) => {
            vec![with(chan("VarSet", Privilege::DIALPLAN, s), &[("Variable", name), ("Value", value)])]
        }
        (EventKind::Execute { exec }, Some(s)) => vec![newexten(s, &exec.app, &exec.data)],
        (EventKind::HangupRequest { cause, source }, Some(s)) => vec![hangup_request(s, cause.asterisk_code(), source)],
        (EventKind::Hangup { cause }, Some(s)) => {
            let (code, text) = (cause.asterisk_code().to_string(), cause.asterisk_text());
            vec![with(chan("Hangup", Privilege::CALL, s), &[("Cause", &code), ("Cause-txt", text)])]
        }
        (EventKind::HangupHandlerPush { handler }, Some(s)) => vec![handler_event("HangupHandlerPush", s, handler)],
        (EventKind::HangupHandlerPop { handler }, Some(s)) => vec![handler_event("HangupHandlerPop", s, handler)],
        (EventKind::HangupHandlerRun { handler }, Some(s)) => vec![handler_event("HangupHandlerRun", s, handler)],
        (EventKind::Dtmf { digit, duration_ms, received, phase }, Some(s)) => {
            dtmf(s, *digit, *duration_ms, *received, *phase)
        }
        (EventKind::Rtcp { sent, report }, s) => vec![super::rtcp::render(s, *sent, report)],
        (EventKind::Bridge { bridge_id, members, .. }, Some(s)) => {
            vec![bridge("BridgeEnter", Some(s), bridge_id, *members)]
        }
        (EventKind::Unbridge { bridge_id, members, .. }, Some(s)) => {
            vec![bridge("BridgeLeave", Some(s), bridge_id, *members)]
        }
        (EventKind::BridgeCreate { bridge_id }, _) => vec![bridge("BridgeCreate", None, bridge_id, 0)],
        (EventKind::BridgeDestroy { bridge_id }, _) => vec![bridge("BridgeDestroy", None, bridge_id, 0)],
        (EventKind::Hold { on }, Some(s)) => vec![chan(if *on { "Hold" } else { "Unhold" }, Privilege::CALL, s)],
        (EventKind::DeviceState { device, state }, _) => vec![device_state(device, state.asterisk_name())],
        (EventKind::LocalBridge(b), _) => vec![local_bridge(&b.one, &b.two, &b.context, &b.exten, b.optimize)],
        (EventKind::OriginateResult { request_id, outcome }, _) => {
            vec![originate_response(request_id.as_deref(), outcome, ctx)]
        }
        (EventKind::Custom(c), s) => match super::peer::render(&c.name, &c.headers) {
            Some(events) => events,
            None => vec![user_event(&c.name, &c.headers, s)],
        },
        (EventKind::DialBegin { dest, dialstring }, s) => vec![dial("DialBegin", s, dest, ("DialString", dialstring))],
        (EventKind::DialState { dest, status }, s) => vec![dial("DialState", s, dest, ("DialStatus", status))],
        (EventKind::DialEnd { dest, status }, s) => vec![dial("DialEnd", s, dest, ("DialStatus", status))],
        (EventKind::CallerIdChange, Some(s)) => {
            vec![with(chan("NewCallerid", Privilege::CALL, s), &[("CID-CallingPres", CALLING_PRES_ALLOWED)])]
        }
        (EventKind::Reload { module, status }, _) => vec![reload(module, *status)],
        (EventKind::Shutdown, _) => vec![shutdown()],
        (EventKind::BlindTransfer(t), _) => vec![super::render_transfer::blind_transfer(t)],
        (EventKind::AttendedTransfer(t), _) => vec![super::render_transfer::attended_transfer(t)],
        (EventKind::LocalOptimization(o), _) => vec![super::render_transfer::local_optimization(o)],
        _ => Vec::new(),
    }
}

/// `CID-CallingPres` as Asterisk describes presentation 0 (Switchyard has no presentation flags yet).
const CALLING_PRES_ALLOWED: &str = "0 (Presentation Allowed, Not Screened)";

/// `DialBegin`/`DialState`/`DialEnd`: the caller's block (absent for an Originate, which no channel
/// dials), the callee's block prefixed `Dest`, then the dial string or status (main/dial.c's
/// `ast_channel_publish_dial` blobs; the oracle transcript's Originate shows the Dest-only form).
fn dial(name: &'static str, caller: Option<&ChannelSnapshot>, dest: &ChannelSnapshot, last: (&str, &str)) -> AmiEvent {
    let mut e = AmiEvent::new(name, Privilege::CALL);
    if let Some(caller) = caller {
        e.channel("", caller);
    }
    e.channel("Dest", dest).push(last.0, last.1);
    e
}

/// `DeviceStateChange` (main/devicestate.c's `devstate_to_ami`).
fn device_state(device: &str, state: &str) -> AmiEvent {
    let mut e = AmiEvent::new("DeviceStateChange", Privilege::CALL);
    e.push("Device", device).push("State", state);
    e
}

/// `LocalBridge`: both legs' blocks, what was dialed, and whether optimisation was allowed
/// (core_local.c's `local_message_to_ami`; field order from the oracle transcript).
fn local_bridge(one: &ChannelSnapshot, two: &ChannelSnapshot, context: &str, exten: &str, optimize: bool) -> AmiEvent {
    let mut e = AmiEvent::new("LocalBridge", Privilege::CALL);
    e.channel("LocalOne", one).channel("LocalTwo", two);
    e.push("Context", context).push("Exten", exten).push("LocalOptimization", if optimize { "Yes" } else { "No" });
    e
}

/// `Reload` as `publish_load_message_type` words it.
fn reload(module: &str, status: u8) -> AmiEvent {
    let mut e = AmiEvent::new("Reload", Privilege::SYSTEM);
    e.push("Module", module).push("Status", status.to_string());
    e
}

fn chan(name: &'static str, class: Privilege, s: &ChannelSnapshot) -> AmiEvent {
    let mut e = AmiEvent::new(name, class);
    e.channel("", s);
    e
}

fn with(mut e: AmiEvent, extra: &[(&str, &str)]) -> AmiEvent {
    for (k, v) in extra {
        e.push(*k, *v);
    }
    e
}

fn newexten(s: &ChannelSnapshot, app: &str, data: &str) -> AmiEvent {
    let exten = s.location.exten.clone();
    with(chan("Newexten", Privilege::DIALPLAN, s), &[("Extension", &exten), ("Application", app), ("AppData", data)])
}

/// A hangup the far end (or a bridge peer leaving) asked for is `HangupRequest` (Asterisk's
/// `ast_queue_hangup`); one asked for locally (dialplan, AMI, CLI) is `SoftHangupRequest`.
fn hangup_request(s: &ChannelSnapshot, code: u16, source: &str) -> AmiEvent {
    let queued = matches!(source, "remote" | "bridge peer left");
    let name = if queued { "HangupRequest" } else { "SoftHangupRequest" };
    with(chan(name, Privilege::CALL, s), &[("Cause", &code.to_string())])
}

fn handler_event(name: &'static str, s: &ChannelSnapshot, handler: &str) -> AmiEvent {
    with(chan(name, Privilege::DIALPLAN, s), &[("Handler", handler)])
}

/// `DTMFBegin` when the digit starts, `DTMFEnd` with its duration when it ends (Asterisk raises them
/// as the frames arrive: main/manager_channels.c); both at once for a whole digit.
fn dtmf(s: &ChannelSnapshot, digit: char, duration_ms: u32, received: bool, phase: DtmfPhase) -> Vec<AmiEvent> {
    let (digit, dir) = (digit.to_string(), if received { "Received" } else { "Sent" });
    let begin = || with(chan("DTMFBegin", Privilege::DTMF, s), &[("Digit", &digit), ("Direction", dir)]);
    let ms = duration_ms.to_string();
    let end =
        || with(chan("DTMFEnd", Privilege::DTMF, s), &[("Digit", &digit), ("DurationMs", &ms), ("Direction", dir)]);
    match phase {
        DtmfPhase::Begin => vec![begin()],
        DtmfPhase::End => vec![end()],
        DtmfPhase::Whole => vec![begin(), end()],
    }
}

/// The bridge block then the channel, if any.
fn bridge(name: &'static str, s: Option<&ChannelSnapshot>, bridge_id: &str, members: usize) -> AmiEvent {
    let mut e = AmiEvent::new(name, Privilege::CALL);
    bridge_block(&mut e, bridge_id, members);
    if let Some(s) = s {
        e.channel("", s);
    }
    e
}

/// The bridge block (`ast_manager_build_bridge_state_string`). Our bridges are two-party basic bridges.
pub fn bridge_block(e: &mut AmiEvent, bridge_id: &str, members: usize) {
    bridge_block_prefixed(e, "", bridge_id, members);
}

/// The bridge block with its field names prefixed (`Orig`, `Second` in `AttendedTransfer`).
pub fn bridge_block_prefixed(e: &mut AmiEvent, prefix: &str, bridge_id: &str, members: usize) {
    let fields = [
        ("BridgeUniqueid", bridge_id.to_owned()),
        ("BridgeType", "basic".to_owned()),
        ("BridgeTechnology", "simple_bridge".to_owned()),
        ("BridgeCreator", "<unknown>".to_owned()),
        ("BridgeName", "<unknown>".to_owned()),
        ("BridgeNumChannels", members.to_string()),
        ("BridgeVideoSourceMode", "none".to_owned()),
    ];
    for (k, v) in fields {
        e.push(format!("{prefix}{k}"), v);
    }
}

fn originate_response(request_id: Option<&str>, o: &OriginateOutcome, ctx: &RenderContext) -> AmiEvent {
    let mut e = AmiEvent::new("OriginateResponse", Privilege::CALL);
    if let Some(id) = request_id {
        e.push("ActionID", id);
    }
    e.push("Response", if o.answered { "Success" } else { "Failure" }).push("Channel", o.channel_name.as_str());
    match ctx.take_destination(o.channel_id) {
        Some(OriginateDestination::App { name, data }) => e.push("Application", name).push("Data", data),
        Some(OriginateDestination::Extension { context, exten }) => e.push("Context", context).push("Exten", exten),
        None => {
            e.push("Context", o.snapshot.location.context.as_str()).push("Exten", o.snapshot.location.exten.as_str())
        }
    };
    let unknown = |v: &str| if v.is_empty() { "<unknown>".to_owned() } else { v.to_owned() };
    e.push("Reason", o.reason.code().to_string())
        .push("Uniqueid", o.channel_id.to_string())
        .push("CallerIDNum", unknown(&o.snapshot.caller.number))
        .push("CallerIDName", unknown(&o.snapshot.caller.name));
    e
}

/// `UserEvent: <name>` then the headers as given (Asterisk's `action_userevent`).
fn user_event(name: &str, headers: &[(String, String)], s: Option<&ChannelSnapshot>) -> AmiEvent {
    let mut e = AmiEvent::new("UserEvent", Privilege::USER);
    if let Some(s) = s {
        e.channel("", s);
    }
    e.push("UserEvent", name);
    e.headers.extend(headers.iter().cloned());
    e
}

fn shutdown() -> AmiEvent {
    let mut e = AmiEvent::new("Shutdown", Privilege::SYSTEM);
    e.push("Shutdown", "Cleanly").push("Restart", "False");
    e
}
