//! Event rendering compared with real FreeSWITCH bytes (tests/transcripts/*.txt name their source).

use std::sync::Arc;

use switchyard_core::{
    BackgroundJobEvent, BusConfig, ChannelId, Direction, DtmfPhase, Event, EventKind, Execution, ManualClock, Switch,
    SwitchConfig, SwitchInfo, Timestamp,
};
use switchyard_esl::proto::{EventFormat, RenderContext, translate};

fn ctx() -> RenderContext {
    RenderContext {
        core_uuid: "fc8c93a8-3968-4de4-be28-76b0ba92fe5c".into(),
        hostname: "vm".into(),
        ipv4: "192.0.2.2".into(),
        ipv6: "fd00::2".into(),
        time_zone: jiff::tz::TimeZone::UTC,
        version: "1.11.1".into(),
        started: Timestamp(1_795_458_540_000_000),
        max_sessions: 1000,
    }
}

fn expected(file: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/tests/transcripts/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    text.split_once("--- bytes ---\n").unwrap().1.to_owned()
}

#[test]
fn background_job_is_byte_identical_to_freeswitch() {
    let ev = Event {
        seq: 432,
        timestamp: Timestamp(1_795_458_544_177_807),
        kind: EventKind::from(BackgroundJobEvent {
            job_uuid: "7277a2ce-9025-4eab-b1b1-d57c7e00cb42".into(),
            owner: None,
            command: "originate".into(),
            args: "loopback/1000/default &park".into(),
            output: "+OK 81ad6145-ba14-4aa1-aed1-a4c7bbc3194c\n".into(),
        }),
        channel: None,
    };
    let events = translate(&ev, &ctx());
    assert_eq!(events.len(), 1);
    let frame = events[0].to_frame(EventFormat::Plain);
    assert_eq!(String::from_utf8(frame.to_vec()).unwrap(), expected("background_job.txt"));
}

#[test]
fn channel_execute_headers_come_in_freeswitch_order() {
    let order: Vec<String> =
        std::fs::read_to_string(format!("{}/tests/transcripts/channel_execute_order.txt", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0".into(), hostname: "vm".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(ManualClock::new(Timestamp(1))),
    });
    let mut snap = sw.blank_snapshot(ChannelId::new_v4(), "loopback", "loopback/1000-b".into(), Direction::Inbound);
    snap.caller.number = "0000000000".into();
    snap.caller.name = "Me".into();
    snap.connected.name = "Outbound Call".into();
    snap.connected.number = "default".into();
    snap.dialed = "1000".into();
    snap.location.context = "default".into();
    let exec = Arc::new(Execution { app: "answer".into(), data: "x".into(), app_uuid: "u".into() });
    snap.location.exec = Some(exec.clone());
    let ev =
        Event { seq: 1, timestamp: Timestamp(5), kind: EventKind::Execute { exec }, channel: Some(Arc::new(snap)) };
    let got = translate(&ev, &ctx());
    let names: Vec<&str> = got[0].headers.iter().map(|(k, _)| k.as_ref()).collect();
    let mut pos = 0;
    for name in &names {
        let found = order[pos..].iter().position(|o| o == name);
        assert!(found.is_some(), "{name} is out of FreeSWITCH's order (or unknown) in {names:?}");
        pos += found.unwrap() + 1;
    }
    assert!(names.len() >= 55, "{names:?}");
}

#[test]
fn one_state_change_may_be_channel_state_park_and_callstate_together() {
    use switchyard_core::{LineState, Phase};
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0".into(), hostname: "vm".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(ManualClock::new(Timestamp(1))),
    });
    let mut snap = sw.blank_snapshot(ChannelId::new_v4(), "sim", "sim/a-00000001".into(), Direction::Outbound);
    let previous = snap.state;
    snap.state.set_phase(Phase::Park).unwrap();
    snap.state.set_line(LineState::Up).unwrap();
    let ev = Event {
        seq: 9,
        timestamp: Timestamp(5),
        kind: EventKind::ChannelState { previous },
        channel: Some(Arc::new(snap)),
    };
    let names: Vec<String> = translate(&ev, &ctx()).iter().map(|e| e.name().to_owned()).collect();
    assert_eq!(names, ["CHANNEL_STATE", "CHANNEL_PARK", "CHANNEL_CALLSTATE"]);
    let callstate = &translate(&ev, &ctx())[2];
    assert_eq!(callstate.header("Original-Channel-Call-State"), Some("DOWN"));
    assert_eq!(callstate.header("Channel-Call-State"), Some("ACTIVE"));
    assert_eq!(callstate.headers[12].0, "Event-Sequence");
    assert_eq!(callstate.headers[13].0, "Original-Channel-Call-State");
}

#[test]
fn heartbeat_dtmf_and_bridge_carry_their_own_headers() {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0".into(), hostname: "vm".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(ManualClock::new(Timestamp(1))),
    });
    let hb = Event {
        seq: 1,
        timestamp: Timestamp(1_795_458_540_000_000 + 61_000_000),
        kind: EventKind::Heartbeat { sessions: 2, since_startup: 5, peak: 3 },
        channel: None,
    };
    let hb = &translate(&hb, &ctx())[0];
    assert_eq!(hb.header("Event-Info"), Some("System Ready"));
    assert_eq!(
        hb.header("Up-Time"),
        Some("0 years, 0 days, 0 hours, 1 minute, 1 second, 0 milliseconds, 0 microseconds")
    );
    assert_eq!((hb.header("Session-Count"), hb.header("Session-Peak-Max")), (Some("2"), Some("3")));

    let a = Arc::new(sw.blank_snapshot(ChannelId::new_v4(), "sim", "sim/a-00000001".into(), Direction::Inbound));
    let b = Arc::new(sw.blank_snapshot(ChannelId::new_v4(), "sim", "sim/b-00000002".into(), Direction::Outbound));
    let dtmf = Event {
        seq: 2,
        timestamp: Timestamp(5),
        kind: EventKind::Dtmf { digit: '5', duration_ms: 0, received: true, phase: DtmfPhase::Begin },
        channel: Some(a.clone()),
    };
    assert!(translate(&dtmf, &ctx()).is_empty(), "FreeSWITCH reports a digit once, when it ends");
    let dtmf =
        Event { kind: EventKind::Dtmf { digit: '5', duration_ms: 130, received: true, phase: DtmfPhase::End }, ..dtmf };
    let d = &translate(&dtmf, &ctx())[0];
    // DTMF-Duration is in samples at 8 kHz (src/switch_channel.c, switch_core_default_dtmf_duration).
    assert_eq!(
        (d.header("DTMF-Digit"), d.header("DTMF-Duration"), d.header("DTMF-Source")),
        (Some("5"), Some("1040"), Some("RTP"))
    );
    assert!(d.header("variable_uuid").is_none(), "DTMF carries no variables");
    let bridge = Event {
        seq: 3,
        timestamp: Timestamp(5),
        kind: EventKind::Bridge { bridge_id: "x".into(), other: b.clone(), members: 2 },
        channel: Some(a.clone()),
    };
    let br = &translate(&bridge, &ctx())[0];
    assert_eq!(br.name(), "CHANNEL_BRIDGE");
    assert_eq!(br.header("Bridge-A-Unique-ID"), Some(a.id.to_string().as_str()));
    assert_eq!(br.header("Bridge-B-Unique-ID"), Some(b.id.to_string().as_str()));
    // FreeSWITCH follows a bridge with CALL_UPDATE naming the peer.
    let update = &translate(&bridge, &ctx())[1];
    assert_eq!((update.name(), update.header("Direction")), ("CALL_UPDATE", Some("RECV")));
    assert_eq!(update.header("Bridged-To"), Some(b.id.to_string().as_str()));
    assert!(update.header("variable_uuid").is_some(), "CALL_UPDATE carries variables");
}

#[test]
fn hold_and_codec_events_render_as_freeswitch_names_them() {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0".into(), hostname: "vm".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(ManualClock::new(Timestamp(1))),
    });
    let snap = Arc::new(sw.blank_snapshot(ChannelId::new_v4(), "sim", "sim/a-00000001".into(), Direction::Outbound));
    let ev = |kind| Event { seq: 1, timestamp: Timestamp(5), kind, channel: Some(snap.clone()) };
    let name = |kind| translate(&ev(kind), &ctx())[0].name().to_owned();
    assert_eq!(name(EventKind::Hold { on: true }), "CHANNEL_HOLD");
    assert_eq!(name(EventKind::Hold { on: false }), "CHANNEL_UNHOLD");
    let l16 = switchyard_core::CodecInfo { name: "L16".into(), rate: 8000, bit_rate: 128_000 };
    let read = translate(&ev(EventKind::Codec { read: l16.clone(), write: None }), &ctx()).remove(0);
    assert_eq!(
        (read.name(), read.header("Event-Calling-Function")),
        ("CODEC", Some("switch_core_session_set_read_codec"))
    );
    assert_eq!(
        read.headers.last().map(|(k, v)| (k.as_ref(), v.as_str())),
        Some(("channel-read-codec-bit-rate", "128000"))
    );
    let write = translate(&ev(EventKind::Codec { read: l16.clone(), write: Some(Box::new(l16)) }), &ctx()).remove(0);
    assert_eq!(write.header("Event-Calling-Function"), Some("switch_core_session_set_write_codec"));
    assert_eq!(write.header("Channel-Write-Codec-Name"), Some("L16"));
    assert_eq!(write.header("FreeSWITCH-IPv6"), Some("fd00::2"));
}
