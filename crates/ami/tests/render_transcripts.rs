//! Event bytes compared with the oracle: every expected block below is copied from
//! /work/shared/reference/oracle/asterisk-ami-transcript.txt (real Asterisk 22), with `\r\n` written out.
//! Normalised: Asterisk's `Uniqueid`/`Linkedid` (`1795457746.N`) become our channel ids (UUIDs).

use std::sync::Arc;

use switchyard_ami::proto::render::{OriginateDestination, RenderContext};
use switchyard_ami::proto::{render, security};
use switchyard_core::{
    BusConfig, CallerId, ChannelId, ChannelSnapshot, Direction, Event, EventKind, HangupCause, LineState,
    OriginateOutcome, OriginateReason, Switch, SwitchConfig, SwitchInfo, SystemClock, Timestamp,
};

fn switch() -> Switch {
    Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0.1.0".into(), hostname: "t".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    })
}

const ONE: &str = "00000000-0000-4000-8000-000000000000";
const TWO: &str = "00000000-0000-4000-8000-000000000001";

/// `Local/100@test-00000000;2` from the transcript: Ring, caller 5551000 "Oracle", linked to `;1`.
fn local2(line: LineState, exten: &str, priority: u32) -> ChannelSnapshot {
    let sw = switch();
    let mut s =
        sw.blank_snapshot(TWO.parse().unwrap(), "Local", "Local/100@test-00000000;2".into(), Direction::Inbound);
    s.linked_id = ONE.parse::<ChannelId>().unwrap();
    s.state.set_line(line).ok();
    s.caller = CallerId::new("5551000", "Oracle");
    s.connected = CallerId::new("5551000", "Oracle");
    s.location.context = "test".into();
    s.location.exten = exten.into();
    s.location.priority = priority;
    s
}

fn event(kind: EventKind, snap: ChannelSnapshot) -> Event {
    Event { seq: 1, timestamp: Timestamp(0), kind, channel: Some(Arc::new(snap)) }
}

fn wire(ev: &Event) -> String {
    let ctx = RenderContext::default();
    render(ev, &ctx).iter().map(|e| String::from_utf8(e.to_bytes().to_vec()).unwrap()).collect()
}

fn block(uniqueid: &str) -> String {
    "Channel: Local/100@test-00000000;2\r\nChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: 5551000\r\n\
         CallerIDName: Oracle\r\nConnectedLineNum: 5551000\r\nConnectedLineName: Oracle\r\nLanguage: en\r\n\
         AccountCode: \r\nContext: test\r\n"
        .to_owned()
        + uniqueid
}

#[test]
fn hangup_renders_cause_and_cause_txt_after_the_channel_block() {
    let snap = local2(LineState::Up, "h", 2);
    let got = wire(&event(EventKind::Hangup { cause: HangupCause::NORMAL_CLEARING }, snap));
    let want = "Event: Hangup\r\nPrivilege: call,all\r\n".to_owned()
        + &block(&format!("Exten: h\r\nPriority: 2\r\nUniqueid: {TWO}\r\nLinkedid: {ONE}\r\n"))
        + "Cause: 16\r\nCause-txt: Normal Clearing\r\n\r\n";
    assert_eq!(got, want);
}

#[test]
fn hangup_handler_run_carries_the_handler() {
    let snap = local2(LineState::Up, "h", 1);
    let got = wire(&event(EventKind::HangupHandlerRun { handler: "hdlr,s,1(three,four)".into() }, snap));
    let want = "Event: HangupHandlerRun\r\nPrivilege: dialplan,all\r\n".to_owned()
        + &block(&format!("Exten: h\r\nPriority: 1\r\nUniqueid: {TWO}\r\nLinkedid: {ONE}\r\n"))
        + "Handler: hdlr,s,1(three,four)\r\n\r\n";
    assert_eq!(got, want);
}

#[test]
fn var_set_and_soft_hangup_request_match_the_oracle() {
    let snap = local2(LineState::Up, "h", 1);
    let got = wire(&event(EventKind::VarSet { name: "LOCAL(ARG1)".into(), value: "three".into() }, snap));
    let tail = format!("Exten: h\r\nPriority: 1\r\nUniqueid: {TWO}\r\nLinkedid: {ONE}\r\n");
    let want = "Event: VarSet\r\nPrivilege: dialplan,all\r\n".to_owned()
        + &block(&tail)
        + "Variable: LOCAL(ARG1)\r\nValue: three\r\n\r\n";
    assert_eq!(got, want);
    let snap = local2(LineState::Up, "100", 5);
    let kind = EventKind::HangupRequest { cause: HangupCause::NORMAL_CLEARING, source: "dialplan".into() };
    let want = "Event: SoftHangupRequest\r\nPrivilege: call,all\r\n".to_owned()
        + &block(&format!("Exten: 100\r\nPriority: 5\r\nUniqueid: {TWO}\r\nLinkedid: {ONE}\r\n"))
        + "Cause: 16\r\n\r\n";
    assert_eq!(wire(&event(kind, snap)), want);
}

#[test]
fn newchannel_prints_unknown_for_an_empty_caller_id() {
    let mut snap = local2(LineState::Ring, "100", 1);
    snap.caller = CallerId::default();
    snap.connected = CallerId::default();
    let want = format!(
        "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: Local/100@test-00000000;2\r\nChannelState: 4\r\n\
         ChannelStateDesc: Ring\r\nCallerIDNum: <unknown>\r\nCallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\n\
         ConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\nContext: test\r\nExten: 100\r\nPriority: 1\r\n\
         Uniqueid: {TWO}\r\nLinkedid: {ONE}\r\n\r\n"
    );
    assert_eq!(wire(&event(EventKind::ChannelCreate, snap)), want);
}

#[test]
fn newstate_is_rendered_only_when_the_line_state_changed() {
    let snap = local2(LineState::Up, "100", 1);
    let same = EventKind::ChannelState { previous: snap.state };
    assert_eq!(wire(&event(same, snap.clone())), "");
    let changed = EventKind::ChannelState { previous: Default::default() };
    assert!(wire(&event(changed, snap)).starts_with("Event: Newstate\r\nPrivilege: call,all\r\n"));
}

#[test]
fn originate_response_matches_the_oracle_for_an_application() {
    let mut snap = local2(LineState::Up, "100", 1);
    snap.id = ONE.parse().unwrap();
    snap.name = "Local/100@test-00000000;1".into();
    let outcome = OriginateOutcome {
        channel_id: snap.id,
        channel_name: snap.name.as_str().to_owned(),
        answered: true,
        reason: OriginateReason::Answered,
        cause: HangupCause::NORMAL_CLEARING,
        snapshot: Arc::new(snap),
    };
    let ctx = RenderContext::default();
    ctx.remember_destination(outcome.channel_id, OriginateDestination::App { name: "Wait".into(), data: "1".into() });
    let ev = Event {
        seq: 1,
        timestamp: Timestamp(0),
        kind: EventKind::OriginateResult { request_id: Some("orig-100".into()), outcome: Box::new(outcome) },
        channel: None,
    };
    let got: String = render(&ev, &ctx).iter().map(|e| String::from_utf8(e.to_bytes().to_vec()).unwrap()).collect();
    let want = format!(
        "Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: orig-100\r\nResponse: Success\r\n\
         Channel: Local/100@test-00000000;1\r\nApplication: Wait\r\nData: 1\r\nReason: 4\r\nUniqueid: {ONE}\r\n\
         CallerIDNum: 5551000\r\nCallerIDName: Oracle\r\n\r\n"
    );
    assert_eq!(got, want);
}

#[test]
fn successful_auth_and_request_bad_format_match_the_oracle_field_order() {
    let facts = security::SessionFacts {
        session_id: "0x7f05180011a0".into(),
        local: "IPV4/TCP/127.0.0.1/5038".into(),
        remote: "IPV4/TCP/127.0.0.1/34926".into(),
        session_tv: "2026-11-23T18:15:45.589+0000".into(),
    };
    let ok = security::SecurityEvent::SuccessfulAuth { using_password: false };
    let got = ok.to_event("2026-11-23T18:15:45.589+0000", Some("admin"), &facts).to_bytes();
    let want = "Event: SuccessfulAuth\r\nPrivilege: security,all\r\nEventTV: 2026-11-23T18:15:45.589+0000\r\n\
                Severity: Informational\r\nService: AMI\r\nEventVersion: 1\r\nAccountID: admin\r\n\
                SessionID: 0x7f05180011a0\r\nLocalAddress: IPV4/TCP/127.0.0.1/5038\r\n\
                RemoteAddress: IPV4/TCP/127.0.0.1/34926\r\nUsingPassword: 0\r\n\
                SessionTV: 2026-11-23T18:15:45.589+0000\r\n\r\n";
    assert_eq!(std::str::from_utf8(&got).unwrap(), want);
    let bad = security::SecurityEvent::RequestBadFormat { request_type: "Action: NoSuchAction".into() };
    let got = bad.to_event("2026-11-23T18:15:52.525+0000", Some("admin"), &facts).to_bytes();
    let want = "Event: RequestBadFormat\r\nPrivilege: security,all\r\nEventTV: 2026-11-23T18:15:52.525+0000\r\n\
                Severity: Error\r\nService: AMI\r\nEventVersion: 1\r\nSessionID: 0x7f05180011a0\r\n\
                LocalAddress: IPV4/TCP/127.0.0.1/5038\r\nRemoteAddress: IPV4/TCP/127.0.0.1/34926\r\n\
                RequestType: Action: NoSuchAction\r\nSessionTV: 2026-11-23T18:15:45.589+0000\r\nAccountID: admin\r\n\r\n";
    assert_eq!(std::str::from_utf8(&got).unwrap(), want);
}

#[test]
fn a_far_end_hangup_is_hangup_request_with_the_cause() {
    let snap = local2(LineState::Up, "100", 1);
    for source in ["remote", "bridge peer left"] {
        let kind = EventKind::HangupRequest { cause: HangupCause::NORMAL_CLEARING, source: source.into() };
        let want = "Event: HangupRequest\r\nPrivilege: call,all\r\n".to_owned()
            + &block(&format!("Exten: 100\r\nPriority: 1\r\nUniqueid: {TWO}\r\nLinkedid: {ONE}\r\n"))
            + "Cause: 16\r\n\r\n";
        assert_eq!(wire(&event(kind, snap.clone())), want);
    }
}
