//! Transfer and Local optimisation events: `BlindTransfer`, `AttendedTransfer` (main/stasis_bridges.c
//! `blind_transfer_to_ami`, `attended_transfer_to_ami`) and `LocalOptimizationBegin`/`End`
//! (main/core_local.c `local_message_to_ami`); header order as those functions write them.

use switchyard_core::transfer::{AttendedDestination, AttendedTransfer, BlindTransfer, BridgeSide, LocalOptimization};

use super::event::AmiEvent;
use super::privilege::Privilege;
use super::render::bridge_block_prefixed;

fn yes_no(v: bool) -> &'static str {
    if v { "Yes" } else { "No" }
}

fn bridge(e: &mut AmiEvent, prefix: &str, side: Option<&BridgeSide>) {
    if let Some(b) = side {
        bridge_block_prefixed(e, prefix, &b.id, b.members);
    }
}

/// `Result`, the transferer's block, the transferee's, the bridge, `IsExternal`, `Context`, `Extension`.
pub(crate) fn blind_transfer(t: &BlindTransfer) -> AmiEvent {
    let mut e = AmiEvent::new("BlindTransfer", Privilege::CALL);
    e.push("Result", t.result.asterisk_name()).channel("Transferer", &t.transferer);
    if let Some(s) = &t.transferee {
        e.channel("Transferee", s);
    }
    bridge(&mut e, "", t.bridge.as_ref());
    e.push("IsExternal", yes_no(t.is_external)).push("Context", t.context.as_str()).push("Extension", t.exten.as_str());
    e
}

/// `Result`, both transferer legs with their bridges, transferee, target, `IsExternal`, then the
/// destination (`DestType` and its fields).
pub(crate) fn attended_transfer(t: &AttendedTransfer) -> AmiEvent {
    let mut e = AmiEvent::new("AttendedTransfer", Privilege::CALL);
    e.push("Result", t.result.asterisk_name()).channel("OrigTransferer", &t.orig_transferer);
    bridge(&mut e, "Orig", t.orig_bridge.as_ref());
    e.channel("SecondTransferer", &t.second_transferer);
    bridge(&mut e, "Second", t.second_bridge.as_ref());
    if let Some(s) = &t.transferee {
        e.channel("Transferee", s);
    }
    if let Some(s) = &t.target {
        e.channel("TransferTarget", s);
    }
    e.push("IsExternal", yes_no(t.is_external));
    match &t.destination {
        AttendedDestination::Bridge(id) => e.push("DestType", "Bridge").push("DestBridgeUniqueid", id.as_str()),
        AttendedDestination::App(app) => e.push("DestType", "App").push("DestApp", app.as_str()),
        AttendedDestination::Link(one, two) => {
            e.push("DestType", "Link").channel("LocalOne", one).channel("LocalTwo", two)
        }
        AttendedDestination::Fail => e.push("DestType", "Fail"),
    };
    e
}

/// Both legs' blocks, then `Source…`, `DestUniqueId`, `Id` (Begin) or `Success`, `Id` (End).
pub(crate) fn local_optimization(o: &LocalOptimization) -> AmiEvent {
    match o {
        LocalOptimization::Begin { one, two, source, dest_uniqueid, id } => {
            let mut e = AmiEvent::new("LocalOptimizationBegin", Privilege::CALL);
            e.channel("LocalOne", one).channel("LocalTwo", two);
            if let Some(s) = source {
                e.channel("Source", s);
            }
            e.push("DestUniqueId", dest_uniqueid.as_str()).push("Id", id.to_string());
            e
        }
        LocalOptimization::End { one, two, success, id } => {
            let mut e = AmiEvent::new("LocalOptimizationEnd", Privilege::CALL);
            e.channel("LocalOne", one).channel("LocalTwo", two);
            e.push("Success", yes_no(*success)).push("Id", id.to_string());
            e
        }
    }
}
