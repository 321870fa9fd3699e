//! Events not in the oracle capture, checked against Asterisk's own definitions: `NewCallerid`
//! (main/manager_channels.c: channel block, then `CID-CallingPres: %d (%s)`) and `Reload`
//! (main/loader.c `publish_load_message_type`: `Module`, then `Status`, class system).

use std::sync::Arc;

use switchyard_ami::proto::render;
use switchyard_ami::proto::render::RenderContext;
use switchyard_core::{
    BusConfig, CallerId, ChannelId, Direction, DtmfPhase, Event, EventKind, LineState, Switch, SwitchConfig,
    SwitchInfo, SystemClock, Timestamp,
};

fn wire(kind: EventKind, channel: Option<Arc<switchyard_core::ChannelSnapshot>>) -> String {
    let ev = Event { seq: 1, timestamp: Timestamp(0), kind, channel };
    render(&ev, &RenderContext::default()).iter().map(|e| String::from_utf8(e.to_bytes().to_vec()).unwrap()).collect()
}

#[test]
fn new_callerid_carries_the_channel_block_and_the_presentation() {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0.1.0".into(), hostname: "t".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    });
    let id: ChannelId = "00000000-0000-4000-8000-000000000002".parse().unwrap();
    let mut s = sw.blank_snapshot(id, "sim", "sim/a-00000001".into(), Direction::Outbound);
    s.state.set_line(LineState::Up).ok();
    s.caller = CallerId::new("200", "Bob");
    let got = wire(EventKind::CallerIdChange, Some(Arc::new(s)));
    assert!(got.starts_with("Event: NewCallerid\r\nPrivilege: call,all\r\nChannel: sim/a-00000001\r\n"), "{got}");
    assert!(got.contains("\r\nCallerIDNum: 200\r\nCallerIDName: Bob\r\n"), "{got}");
    assert!(
        got.ends_with(&format!("Linkedid: {id}\r\nCID-CallingPres: 0 (Presentation Allowed, Not Screened)\r\n\r\n")),
        "{got}"
    );
}

#[test]
fn reload_names_the_module_and_its_status() {
    let got = wire(EventKind::Reload { module: "pbx_config.so".into(), status: 0 }, None);
    assert_eq!(got, "Event: Reload\r\nPrivilege: system,all\r\nModule: pbx_config.so\r\nStatus: 0\r\n\r\n");
}

#[test]
fn dial_begin_and_end_carry_the_caller_then_the_dest_block() {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0.1.0".into(), hostname: "t".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    });
    let caller_id: ChannelId = "00000000-0000-4000-8000-000000000003".parse().unwrap();
    let dest_id: ChannelId = "00000000-0000-4000-8000-000000000004".parse().unwrap();
    let caller = sw.blank_snapshot(caller_id, "sim", "sim/in-00000001".into(), Direction::Inbound);
    let dest = Arc::new(sw.blank_snapshot(dest_id, "Local", "Local/100@test-00000002;1".into(), Direction::Outbound));
    let begin = EventKind::DialBegin { dest: dest.clone(), dialstring: "100@test".into() };
    let got = wire(begin, Some(Arc::new(caller.clone())));
    assert!(got.starts_with("Event: DialBegin\r\nPrivilege: call,all\r\nChannel: sim/in-00000001\r\n"), "{got}");
    // The Dest block has the oracle's DialBegin form: DestChannel … DestLinkedid, then DialString.
    let dest_block =
        "\r\nDestChannel: Local/100@test-00000002;1\r\nDestChannelState: 0\r\nDestChannelStateDesc: Down\r\n";
    assert!(got.contains(dest_block), "{got}");
    assert!(got.ends_with(&format!("DestLinkedid: {dest_id}\r\nDialString: 100@test\r\n\r\n")), "{got}");
    let end = wire(EventKind::DialEnd { dest, status: "ANSWER".into() }, Some(Arc::new(caller)));
    assert!(end.starts_with("Event: DialEnd\r\n") && end.ends_with("\r\nDialStatus: ANSWER\r\n\r\n"), "{end}");
}

/// Asterisk raises `DTMFBegin` when a digit starts and `DTMFEnd` (with `DurationMs`) when it ends
/// (main/manager_channels.c `channel_dtmf_begin_cb` / `channel_dtmf_end_cb`).
#[test]
fn dtmf_begin_and_end_are_rendered_at_their_own_phase() {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0.1.0".into(), hostname: "t".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    });
    let id: ChannelId = "00000000-0000-4000-8000-000000000005".parse().unwrap();
    let s = Arc::new(sw.blank_snapshot(id, "sim", "sim/d-00000001".into(), Direction::Inbound));
    let dtmf = |duration_ms, phase| EventKind::Dtmf { digit: '7', duration_ms, received: true, phase };
    let names =
        |got: &str| got.lines().filter_map(|l| l.strip_prefix("Event: ")).map(str::to_owned).collect::<Vec<_>>();
    let begin = wire(dtmf(0, DtmfPhase::Begin), Some(s.clone()));
    assert_eq!(names(&begin), ["DTMFBegin"]);
    assert!(begin.ends_with("\r\nDigit: 7\r\nDirection: Received\r\n\r\n"), "{begin}");
    let end = wire(dtmf(135, DtmfPhase::End), Some(s.clone()));
    assert_eq!(names(&end), ["DTMFEnd"]);
    assert!(end.ends_with("\r\nDigit: 7\r\nDurationMs: 135\r\nDirection: Received\r\n\r\n"), "{end}");
    let whole =
        wire(EventKind::Dtmf { digit: '#', duration_ms: 250, received: false, phase: DtmfPhase::Whole }, Some(s));
    assert_eq!(names(&whole), ["DTMFBegin", "DTMFEnd"]);
    assert!(whole.contains("\r\nDigit: #\r\nDurationMs: 250\r\nDirection: Sent\r\n"), "{whole}");
}
