//! Transfer and Local optimisation events against Asterisk's definitions: `BlindTransfer` and
//! `AttendedTransfer` (main/stasis_bridges.c `blind_transfer_to_ami`, `attended_transfer_to_ami`),
//! `LocalOptimizationBegin`/`End` (main/core_local.c `local_message_to_ami`). Only header names and
//! their order are checked; the channel and bridge blocks are the shared renderers'.

use std::sync::Arc;

use switchyard_ami::proto::render;
use switchyard_ami::proto::render::RenderContext;
use switchyard_core::transfer::{
    AttendedDestination, AttendedTransfer, BlindTransfer, BridgeSide, LocalOptimization, TransferResult,
};
use switchyard_core::{
    BusConfig, ChannelId, ChannelSnapshot, Direction, Event, EventKind, Switch, SwitchConfig, SwitchInfo, SystemClock,
    Timestamp,
};

fn snap(name: &str) -> Arc<ChannelSnapshot> {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0.1.0".into(), hostname: "t".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    });
    Arc::new(sw.blank_snapshot(ChannelId::new_v4(), "sim", name.into(), Direction::Outbound))
}

/// The header names of the rendered event, with the values of the few that are checked.
fn headers(kind: EventKind) -> Vec<String> {
    let ev = Event { seq: 1, timestamp: Timestamp(0), kind, channel: None };
    let text: String = render(&ev, &RenderContext::default())
        .iter()
        .map(|e| String::from_utf8(e.to_bytes().to_vec()).unwrap())
        .collect();
    text.split("\r\n").filter(|l| !l.is_empty()).map(|l| l.split(": ").next().unwrap().to_owned()).collect()
}

/// Names of a channel block with a prefix, in Asterisk's order.
fn block(prefix: &str) -> Vec<String> {
    let names = [
        "Channel",
        "ChannelState",
        "ChannelStateDesc",
        "CallerIDNum",
        "CallerIDName",
        "ConnectedLineNum",
        "ConnectedLineName",
        "Language",
        "AccountCode",
        "Context",
        "Exten",
        "Priority",
        "Uniqueid",
        "Linkedid",
    ];
    names.iter().map(|n| format!("{prefix}{n}")).collect()
}

fn bridge(prefix: &str) -> Vec<String> {
    let names = [
        "BridgeUniqueid",
        "BridgeType",
        "BridgeTechnology",
        "BridgeCreator",
        "BridgeName",
        "BridgeNumChannels",
        "BridgeVideoSourceMode",
    ];
    names.iter().map(|n| format!("{prefix}{n}")).collect()
}

fn names(parts: &[&[&str]]) -> Vec<String> {
    parts.iter().flat_map(|p| p.iter().map(|s| (*s).to_owned())).collect()
}

#[test]
fn blind_transfer_is_result_transferer_transferee_bridge_then_destination() {
    let t = BlindTransfer {
        result: TransferResult::Success,
        transferer: snap("sim/a-1"),
        transferee: Some(snap("sim/b-2")),
        bridge: Some(BridgeSide { id: "br".into(), members: 2 }),
        is_external: true,
        context: "c".into(),
        exten: "42".into(),
    };
    let mut want = names(&[&["Event", "Privilege", "Result"]]);
    want.extend(block("Transferer"));
    want.extend(block("Transferee"));
    want.extend(bridge(""));
    want.extend(names(&[&["IsExternal", "Context", "Extension"]]));
    assert_eq!(headers(EventKind::BlindTransfer(Box::new(t))), want);
}

#[test]
fn attended_transfer_puts_is_external_before_the_destination_fields() {
    let t = AttendedTransfer {
        result: TransferResult::Success,
        orig_transferer: snap("sim/a-1"),
        orig_bridge: Some(BridgeSide { id: "b1".into(), members: 1 }),
        second_transferer: snap("sim/a-1"),
        second_bridge: Some(BridgeSide { id: "b2".into(), members: 2 }),
        transferee: Some(snap("sim/b-2")),
        target: Some(snap("Local/42@c-3;1")),
        is_external: false,
        destination: AttendedDestination::Bridge("b3".into()),
    };
    let mut want = names(&[&["Event", "Privilege", "Result"]]);
    want.extend(block("OrigTransferer"));
    want.extend(bridge("Orig"));
    want.extend(block("SecondTransferer"));
    want.extend(bridge("Second"));
    want.extend(block("Transferee"));
    want.extend(block("TransferTarget"));
    want.extend(names(&[&["IsExternal", "DestType", "DestBridgeUniqueid"]]));
    assert_eq!(headers(EventKind::AttendedTransfer(Box::new(t))), want);
}

#[test]
fn local_optimization_begin_and_end_follow_the_two_leg_blocks() {
    let (one, two) = (snap("Local/1@c-1;1"), snap("Local/1@c-1;2"));
    let begin = LocalOptimization::Begin {
        one: one.clone(),
        two: two.clone(),
        source: Some(snap("sim/d-3")),
        dest_uniqueid: one.id.to_string(),
        id: 7,
    };
    let mut want = names(&[&["Event", "Privilege"]]);
    want.extend(block("LocalOne"));
    want.extend(block("LocalTwo"));
    let mut begin_want = want.clone();
    begin_want.extend(block("Source"));
    begin_want.extend(names(&[&["DestUniqueId", "Id"]]));
    assert_eq!(headers(EventKind::LocalOptimization(Box::new(begin))), begin_want);
    let end = LocalOptimization::End { one, two, success: true, id: 7 };
    want.extend(names(&[&["Success", "Id"]]));
    assert_eq!(headers(EventKind::LocalOptimization(Box::new(end))), want);
}
