//! The channel block FreeSWITCH appends to channel events (`switch_channel_event_set_data`): state,
//! ids, the caller profile with its times, and `variable_*` for the event types that carry them.

use switchyard_core::{ChannelSnapshot, Direction, Timestamp};

use super::event::EslEvent;

/// Event types that carry `variable_*` headers (src/switch_channel.c).
const VERBOSE: &[&str] = &[
    "CHANNEL_CREATE",
    "CHANNEL_ORIGINATE",
    "CHANNEL_UUID",
    "CHANNEL_ANSWER",
    "CHANNEL_PARK",
    "CHANNEL_UNPARK",
    "CHANNEL_BRIDGE",
    "CHANNEL_UNBRIDGE",
    "CHANNEL_PROGRESS",
    "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_DATA",
    "CHANNEL_EXECUTE",
    "CHANNEL_EXECUTE_COMPLETE",
    "CHANNEL_DESTROY",
    "API",
    "CALL_UPDATE",
    "CHANNEL_HOLD",
    "CHANNEL_UNHOLD",
    "CUSTOM",
];

/// Appends the channel block for `snap` to `ev`, whose Event-Name is `name`.
pub fn append(ev: &mut EslEvent, snap: &ChannelSnapshot, name: &str) {
    basic(ev, snap);
    caller_profile(ev, snap, "Caller");
    if VERBOSE.contains(&name) {
        variables(ev, snap);
    }
}

/// The state and id headers every channel event starts with.
pub fn basic(ev: &mut EslEvent, snap: &ChannelSnapshot) {
    let state = &snap.state;
    let uuid = snap.id.to_string();
    ev.push("Channel-State", state.phase().fs_name());
    ev.push("Channel-Call-State", state.call_state().fs_name());
    ev.push("Channel-State-Number", state.phase().number().to_string());
    ev.push("Channel-Name", snap.name.clone());
    ev.push("Unique-ID", uuid.clone());
    ev.push("Call-Direction", snap.direction.fs_name());
    ev.push("Presence-Call-Direction", snap.direction.fs_name());
    ev.push("Channel-HIT-Dialplan", hit_dialplan(snap).to_string());
    ev.push("Channel-Call-UUID", snap.variables.get("call_uuid").map_or(uuid, str::to_owned));
    ev.push("Answer-State", answer_state(snap));
    if let Some(cause) = snap.hangup_cause {
        ev.push("Hangup-Cause", cause.fs_name());
    }
}

fn hit_dialplan(snap: &ChannelSnapshot) -> bool {
    snap.direction == Direction::Inbound || !snap.location.context.is_empty()
}

fn answer_state(snap: &ChannelSnapshot) -> &'static str {
    if snap.state.phase().is_ending() {
        return "hangup";
    }
    match snap.state.answer_state() {
        "unanswered" => "ringing",
        other => other,
    }
}

/// The caller profile with prefix `p` (`Caller`, or `Channel` in the outbound `connect` reply).
pub fn caller_profile(ev: &mut EslEvent, snap: &ChannelSnapshot, p: &str) {
    let h = |suffix: &str| format!("{p}-{suffix}");
    ev.push(h("Direction"), snap.direction.fs_name());
    ev.push(h("Logical-Direction"), snap.direction.fs_name());
    ev.push(h("Dialplan"), "xml");
    ev.push(h("Caller-ID-Name"), snap.caller.name.clone());
    ev.push(h("Caller-ID-Number"), snap.caller.number.clone());
    ev.push(h("Orig-Caller-ID-Name"), snap.caller.name.clone());
    ev.push(h("Orig-Caller-ID-Number"), snap.caller.number.clone());
    ev.push(h("Callee-ID-Name"), snap.connected.name.clone());
    ev.push(h("Callee-ID-Number"), snap.connected.number.clone());
    ev.push(h("ANI"), snap.caller.number.clone());
    ev.push(h("Destination-Number"), destination(snap));
    ev.push(h("Unique-ID"), snap.id.to_string());
    ev.push(h("Source"), format!("mod_{}", snap.tech.to_ascii_lowercase()));
    ev.push(h("Context"), snap.location.context.clone());
    ev.push(h("Channel-Name"), snap.name.clone());
    ev.push(h("Profile-Index"), "1");
    times(ev, snap, p);
    ev.push(h("Screen-Bit"), "true");
    ev.push(h("Privacy-Hide-Name"), "false");
    ev.push(h("Privacy-Hide-Number"), "false");
}

fn destination(snap: &ChannelSnapshot) -> String {
    if snap.location.exten.is_empty() {
        snap.dialed.as_str().to_owned()
    } else {
        snap.location.exten.as_str().to_owned()
    }
}

fn times(ev: &mut EslEvent, snap: &ChannelSnapshot, p: &str) {
    let t = |ts: Option<Timestamp>| ts.map_or("0".to_owned(), |t| t.0.to_string());
    let created = t(Some(snap.created));
    let answered = t(snap.answered);
    let rows: [(&str, String); 11] = [
        ("Profile-Created-Time", created.clone()),
        ("Channel-Created-Time", created),
        ("Channel-Answered-Time", answered),
        ("Channel-Progress-Time", "0".into()),
        ("Channel-Progress-Media-Time", "0".into()),
        ("Channel-Hangup-Time", t(snap.hungup)),
        ("Channel-Transfer-Time", "0".into()),
        ("Channel-Resurrect-Time", "0".into()),
        ("Channel-Bridged-Time", "0".into()),
        ("Channel-Last-Hold", "0".into()),
        ("Channel-Hold-Accum", "0".into()),
    ];
    for (suffix, value) in rows {
        ev.push(format!("{p}-{suffix}"), value);
    }
}

/// `variable_*` headers: the standard ones FreeSWITCH always has, then the channel's own.
pub fn variables(ev: &mut EslEvent, snap: &ChannelSnapshot) {
    let vars = &snap.variables;
    let uuid = snap.id.to_string();
    let standard = [
        ("direction", snap.direction.fs_name().to_owned()),
        ("uuid", uuid.clone()),
        ("call_uuid", uuid),
        ("channel_name", snap.name.as_str().to_owned()),
    ];
    for (name, value) in standard {
        if vars.get(name).is_none() {
            ev.push(format!("variable_{name}"), value);
        }
    }
    for (name, value) in vars.iter() {
        ev.push(format!("variable_{name}"), value);
    }
    if let (Some(app), None) = (snap.location.app(), vars.get("current_application")) {
        ev.push("variable_current_application", app.clone());
    }
}
