//! From one core event to the FreeSWITCH events it stands for (usually one; a state change may be
//! both CHANNEL_STATE and CHANNEL_CALLSTATE, and entering park adds CHANNEL_PARK).

use switchyard_core::command::{format_utc, uptime_parts};
use switchyard_core::{
    CallState, ChannelSnapshot, CodecInfo, Direction, DtmfPhase, Event, EventKind, Execution, Phase, Timestamp,
};

use super::channel_data;
use super::event::EslEvent;
use super::names;

/// Facts about the switch printed in every event's base headers.
#[derive(Clone, Debug)]
pub struct RenderContext {
    /// `Core-UUID`.
    pub core_uuid: String,
    /// `FreeSWITCH-Hostname` and `-Switchname`.
    pub hostname: String,
    /// `FreeSWITCH-IPv4`.
    pub ipv4: String,
    /// `FreeSWITCH-IPv6`.
    pub ipv6: String,
    /// The machine's time zone, for `Event-Date-Local` (FreeSWITCH prints local time).
    pub time_zone: jiff::tz::TimeZone,
    /// `FreeSWITCH-Version` in HEARTBEAT.
    pub version: String,
    /// Start time, for HEARTBEAT's up-time.
    pub started: Timestamp,
    /// `Max-Sessions`.
    pub max_sessions: usize,
}

/// The FreeSWITCH events for `ev`, in the order FreeSWITCH fires them.
pub fn translate(ev: &Event, ctx: &RenderContext) -> Vec<EslEvent> {
    let snap = ev.channel.as_deref();
    let mut out = Vec::new();
    let mut chan = |name: &'static str, pre: &[(&'static str, String)], post: &[(&'static str, String)]| {
        if let Some(snap) = snap {
            out.push(channel_event(ev, ctx, snap, name, pre, post));
        }
    };
    match &ev.kind {
        EventKind::ChannelCreate => {
            chan("CHANNEL_CREATE", &[], &[]);
            if snap.is_some_and(|s| s.direction == Direction::Outbound) {
                chan("CHANNEL_ORIGINATE", &[], &[]);
            }
        }
        EventKind::ChannelState { previous } => {
            let Some(snap) = snap else { return out };
            return state_events(ev, ctx, snap, previous);
        }
        EventKind::ChannelAnswer => chan("CHANNEL_ANSWER", &[], &[]),
        EventKind::ChannelProgress => chan("CHANNEL_PROGRESS_MEDIA", &[], &[]),
        EventKind::Execute { exec } => chan("CHANNEL_EXECUTE", &[], &execute_headers(exec, None)),
        EventKind::ExecuteComplete { exec, response } => {
            let response = if response.is_empty() { "_none_" } else { response.as_str() };
            chan("CHANNEL_EXECUTE_COMPLETE", &[], &execute_headers(exec, Some(response)))
        }
        EventKind::HangupRequest { cause, .. } => {
            let post = if snap.is_some_and(|s| s.hangup_cause.is_none()) {
                vec![("Hangup-Cause", cause.fs_name().to_owned())]
            } else {
                vec![]
            };
            chan("CHANNEL_HANGUP", &[], &post)
        }
        EventKind::Hangup { cause } => {
            chan("CHANNEL_HANGUP_COMPLETE", &[("Hangup-Cause", cause.fs_name().to_owned())], &[])
        }
        EventKind::ChannelDestroy => chan("CHANNEL_DESTROY", &[], &[]),
        // FreeSWITCH queues a digit once its duration is known: nothing at its begin.
        EventKind::Dtmf { phase: DtmfPhase::Begin, .. } => {}
        EventKind::Dtmf { digit, duration_ms, received, .. } => {
            let source = if *received { "RTP" } else { "APP" };
            let post = [
                ("DTMF-Digit", digit.to_string()),
                ("DTMF-Duration", (duration_ms * 8).to_string()),
                ("DTMF-Source", source.to_owned()),
            ];
            chan("DTMF", &[], &post)
        }
        EventKind::Bridge { other, .. } => {
            chan("CHANNEL_BRIDGE", &bridge_headers(snap, other), &[]);
            let pre = [("Direction", "RECV".to_owned()), ("Bridged-To", other.id.to_string())];
            chan("CALL_UPDATE", &pre, &[]);
        }
        EventKind::CallerIdChange => chan("CALL_UPDATE", &[("Direction", "RECV".to_owned())], &[]),
        EventKind::Hold { on } => chan(if *on { "CHANNEL_HOLD" } else { "CHANNEL_UNHOLD" }, &[], &[]),
        EventKind::Codec { read, write } => {
            let Some(snap) = snap else { return out };
            out.push(codec(ev, ctx, snap, read, write.as_deref()));
        }
        EventKind::Unbridge { other, .. } => chan("CHANNEL_UNBRIDGE", &bridge_headers(snap, other), &[]),
        EventKind::Custom(c) => out.push(custom(ev, ctx, &c.name, &c.headers, c.body.as_deref())),
        EventKind::Conference(c) => {
            out.push(super::conference::render(ev, ctx, &c.action, &c.conference, &c.member, &c.extra))
        }
        EventKind::Shutdown => out.push(base(ev, ctx, "SHUTDOWN")),
        EventKind::Schedule(s) => {
            let mut e = base(ev, ctx, s.op.fs_event_name());
            e.push("Task-ID", s.task_id.to_string());
            e.push("Task-Desc", s.desc.clone());
            e.push("Task-Group", s.group.clone());
            e.push("Task-Runtime", s.runtime.to_string());
            out.push(e);
        }
        EventKind::BackgroundJob(job) => {
            let mut e = base(ev, ctx, "BACKGROUND_JOB");
            e.push("Job-UUID", job.job_uuid.clone());
            e.push("Job-Owner-UUID", job.owner.clone().unwrap_or_default());
            e.push("Job-Command", job.command.clone());
            e.push("Job-Command-Arg", job.args.clone());
            e.body = Some(job.output.clone());
            out.push(e);
        }
        EventKind::Heartbeat { sessions, since_startup, peak } => {
            out.push(heartbeat(ev, ctx, *sessions, *since_startup, *peak))
        }
        _ => {}
    }
    out
}

/// The base headers every event starts with.
pub fn base(ev: &Event, ctx: &RenderContext, name: &'static str) -> EslEvent {
    base_at(ev.seq, ev.timestamp, ctx, name)
}

/// The base headers for an event that is not on the bus (e.g. the outbound `connect` reply).
pub fn base_at(seq: u64, ts: Timestamp, ctx: &RenderContext, name: &str) -> EslEvent {
    let (file, func, line) = names::calling(name);
    let mut e = EslEvent::default();
    e.headers.reserve(96);
    e.push("Event-Name", name.to_owned());
    e.push("Core-UUID", ctx.core_uuid.clone());
    e.push("FreeSWITCH-Hostname", ctx.hostname.clone());
    e.push("FreeSWITCH-Switchname", ctx.hostname.clone());
    e.push("FreeSWITCH-IPv4", ctx.ipv4.clone());
    e.push("FreeSWITCH-IPv6", ctx.ipv6.clone());
    e.push("Event-Date-Local", local_date(ts, &ctx.time_zone));
    e.push("Event-Date-GMT", rfc822(ts));
    e.push("Event-Date-Timestamp", ts.0.to_string());
    e.push("Event-Calling-File", file);
    e.push("Event-Calling-Function", func);
    e.push("Event-Calling-Line-Number", line);
    e.push("Event-Sequence", seq.to_string());
    e
}

fn channel_event(
    ev: &Event,
    ctx: &RenderContext,
    snap: &ChannelSnapshot,
    name: &'static str,
    pre: &[(&'static str, String)],
    post: &[(&'static str, String)],
) -> EslEvent {
    let mut e = base(ev, ctx, name);
    for (k, v) in pre {
        e.push(*k, v.clone());
    }
    channel_data::append(&mut e, snap, name);
    for (k, v) in post {
        e.push(*k, v.clone());
    }
    e
}

fn state_events(
    ev: &Event,
    ctx: &RenderContext,
    snap: &ChannelSnapshot,
    previous: &switchyard_core::ChannelState,
) -> Vec<EslEvent> {
    let mut out = Vec::new();
    let (phase, before) = (snap.state.phase(), previous.phase());
    if phase != before {
        out.push(channel_event(ev, ctx, snap, "CHANNEL_STATE", &[], &[]));
        if phase == Phase::Park {
            out.push(channel_event(ev, ctx, snap, "CHANNEL_PARK", &[], &[]));
        } else if before == Phase::Park {
            out.push(channel_event(ev, ctx, snap, "CHANNEL_UNPARK", &[], &[]));
        }
    }
    let (call, call_before) = (snap.state.call_state(), previous.call_state());
    if call != call_before {
        let pre = [
            ("Original-Channel-Call-State", call_before.fs_name().to_owned()),
            ("Channel-Call-State-Number", (call as u8).to_string()),
        ];
        out.push(channel_event(ev, ctx, snap, "CHANNEL_CALLSTATE", &pre, &[]));
        if call == CallState::Ringing && snap.direction == Direction::Outbound {
            out.push(channel_event(ev, ctx, snap, "CHANNEL_PROGRESS", &[], &[]));
        }
    }
    out
}

fn execute_headers(exec: &Execution, response: Option<&str>) -> Vec<(&'static str, String)> {
    let mut v =
        vec![("Application", exec.app.as_str().to_owned()), ("Application-Data", exec.data.as_str().to_owned())];
    if let Some(r) = response {
        v.push(("Application-Response", r.to_owned()));
    }
    v.push(("Application-UUID", exec.app_uuid.to_string()));
    v
}

fn bridge_headers(snap: Option<&ChannelSnapshot>, other: &ChannelSnapshot) -> Vec<(&'static str, String)> {
    let own = snap.map(|s| s.id.to_string()).unwrap_or_default();
    vec![
        ("Bridge-A-Unique-ID", own),
        ("Bridge-B-Unique-ID", other.id.to_string()),
        ("Other-Leg-Unique-ID", other.id.to_string()),
        ("Other-Leg-Channel-Name", other.name.as_str().to_owned()),
    ]
}

/// `CODEC`: the channel block, then the read codec (and for the write side's event the write codec),
/// in the oracle transcript's order: `Channel-*-Codec-*` then the lower-case copies FreeSWITCH adds.
fn codec(
    ev: &Event,
    ctx: &RenderContext,
    snap: &ChannelSnapshot,
    read: &CodecInfo,
    write: Option<&CodecInfo>,
) -> EslEvent {
    let mut e = base(ev, ctx, if write.is_some() { "CODEC_WRITE" } else { "CODEC" });
    e.headers[0].1 = "CODEC".to_owned();
    channel_data::basic(&mut e, snap);
    let (name, rate, bits) = (read.name.clone(), read.rate.to_string(), read.bit_rate.to_string());
    e.push("Channel-Read-Codec-Name", name.clone());
    e.push("Channel-Read-Codec-Rate", rate.clone());
    e.push("Channel-Read-Codec-Bit-Rate", bits.clone());
    match write {
        None => {
            e.push("channel-read-codec-name", name);
            e.push("channel-read-codec-rate", rate);
            e.push("channel-read-codec-bit-rate", bits);
        }
        Some(w) => {
            let (name, rate, bits) = (w.name.clone(), w.rate.to_string(), w.bit_rate.to_string());
            e.push("Channel-Write-Codec-Name", name.clone());
            e.push("Channel-Write-Codec-Rate", rate.clone());
            e.push("Channel-Write-Codec-Bit-Rate", bits.clone());
            e.push("Channel-Write-Codec-Name", name);
            e.push("Channel-Write-Codec-Rate", rate);
            e.push("Channel-Write-codec-bit-rate", bits);
        }
    }
    e
}

fn custom(ev: &Event, ctx: &RenderContext, name: &str, headers: &[(String, String)], body: Option<&str>) -> EslEvent {
    let known = names::known(name).filter(|n| *n != "CUSTOM" && *n != "ALL");
    if known == Some("PRIVATE_COMMAND") {
        return private_command(ev, ctx, headers);
    }
    let mut e = match known {
        Some(n) => base(ev, ctx, n),
        None => {
            let mut e = EslEvent::default();
            e.push("Event-Subclass", name.to_owned());
            let b = base(ev, ctx, "CUSTOM");
            e.headers.extend(b.headers);
            e
        }
    };
    for (k, v) in headers {
        if !is_reserved(k) {
            e.push(k.clone(), v.clone());
        }
    }
    if let Some(snap) = ev.channel.as_deref() {
        channel_data::append(&mut e, snap, "CUSTOM");
    }
    e.body = body.map(str::to_owned);
    e
}

/// PRIVATE_COMMAND (switch_ivr.c, after a queued sendmsg was processed): the message's headers first,
/// then the base headers, then the channel data.
fn private_command(ev: &Event, ctx: &RenderContext, headers: &[(String, String)]) -> EslEvent {
    let mut e = EslEvent::default();
    for (k, v) in headers {
        e.push(k.clone(), v.clone());
    }
    e.headers.extend(base(ev, ctx, "PRIVATE_COMMAND").headers);
    if let Some(snap) = ev.channel.as_deref() {
        channel_data::append(&mut e, snap, "PRIVATE_COMMAND");
    }
    e
}

/// Headers a client may not set on a sent event: the framing and the base block are ours.
fn is_reserved(name: &str) -> bool {
    ["Content-Length", "Event-Name", "Event-Subclass", "Event-Sequence", "Core-UUID"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
}

fn heartbeat(ev: &Event, ctx: &RenderContext, sessions: usize, since: u64, peak: u64) -> EslEvent {
    let up = ev.timestamp.0 - ctx.started.0;
    let [y, d, h, m, s, ms, us] = uptime_parts(up);
    let mut e = base(ev, ctx, "HEARTBEAT");
    e.push("Event-Info", "System Ready");
    let units =
        [(y, "year"), (d, "day"), (h, "hour"), (m, "minute"), (s, "second"), (ms, "millisecond"), (us, "microsecond")];
    let parts: Vec<String> =
        units.iter().map(|(n, unit)| format!("{n} {unit}{}", if *n == 1 { "" } else { "s" })).collect();
    e.push("Up-Time", parts.join(", "));
    e.push("FreeSWITCH-Version", ctx.version.clone());
    e.push("Uptime-msec", (up / 1000).to_string());
    e.push("Session-Count", sessions.to_string());
    e.push("Max-Sessions", ctx.max_sessions.to_string());
    e.push("Session-Since-Startup", since.to_string());
    e.push("Session-Peak-Max", peak.to_string());
    e.push("Idle-CPU", "100.000000");
    e
}

/// `2026-11-23 18:29:04` in `tz` (UTC when the time is out of range).
pub fn local_date(ts: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_microsecond(ts.0) {
        Ok(t) => tz.to_datetime(t).strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => format_utc(ts),
    }
}

/// `Mon, 23 Nov 2026 18:29:04 GMT`.
pub fn rfc822(ts: Timestamp) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let local = format_utc(ts); // YYYY-MM-DD HH:MM:SS
    let (date, time) = local.split_once(' ').unwrap_or((&local, ""));
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next().unwrap_or(""), parts.next().unwrap_or("1"), parts.next().unwrap_or(""));
    let month = MONTHS[m.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1];
    let weekday = DAYS[ts.secs().div_euclid(86_400).rem_euclid(7) as usize];
    format!("{weekday}, {d} {month} {y} {time} GMT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_dates_follow_the_time_zone() {
        let ts = Timestamp(1_795_458_544_157_784); // 2026-11-23 18:29:04 UTC (oracle transcript)
        assert_eq!(local_date(ts, &jiff::tz::TimeZone::UTC), "2026-11-23 18:29:04");
        let new_york = jiff::tz::TimeZone::get("America/New_York").unwrap();
        assert_eq!(local_date(ts, &new_york), "2026-11-23 13:29:04");
        let berlin_summer = Timestamp(1_782_000_000_000_000); // 2026-06-21, CEST
        assert_eq!(
            local_date(berlin_summer, &jiff::tz::TimeZone::get("Europe/Berlin").unwrap()),
            "2026-06-21 02:00:00"
        );
    }

    #[test]
    fn gmt_dates_are_rfc_822_like_freeswitch() {
        // 1795458544 = Mon, 23 Nov 2026 18:29:04 GMT (oracle transcript).
        assert_eq!(rfc822(Timestamp(1_795_458_544_157_784)), "Mon, 23 Nov 2026 18:29:04 GMT");
    }
}
