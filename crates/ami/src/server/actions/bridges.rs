//! `Bridge` (res_features' `action_bridge`), `BridgeList` and `BridgeInfo` (main/manager_bridges.c):
//! the core's live bridges. Every Switchyard bridge is a two-party `basic` bridge.

use super::info::{list_complete, list_item};
use crate::proto::Response;
use crate::proto::render::bridge_block;
use crate::server::session::Session;

/// Joins `channel1` and `channel2` (names or uniqueids) in a new bridge; each leaves any bridge it was in.
pub fn bridge(s: &mut Session, id: Option<&str>, channel1: &str, channel2: &str) {
    let channels = s.shared.switch.channels();
    let Some(a) = channels.find(channel1) else {
        return Response::error(id, &format!("Channel1 does not exist: {channel1}")).write(&mut s.out);
    };
    let Some(b) = channels.find(channel2) else {
        return Response::error(id, &format!("Channel2 does not exist: {channel2}")).write(&mut s.out);
    };
    match s.shared.switch.bridge(a.id(), b.id()) {
        Ok(_) => Response::ack(id, "Channels have been bridged").write(&mut s.out),
        Err(e) => Response::error(id, &format!("Unable to bridge channels: {e}")).write(&mut s.out),
    }
}

/// `BridgeListItem` per bridge (oldest first), then `BridgeListComplete`.
pub fn list(s: &mut Session, id: Option<&str>, bridge_type: Option<&str>) {
    let bridges = s.shared.switch.bridges().list();
    let wanted: Vec<_> =
        bridges.iter().filter(|_| bridge_type.is_none_or(|t| t.eq_ignore_ascii_case("basic"))).collect();
    Response::list_start(id, "Bridge listing will follow").write(&mut s.out);
    for b in &wanted {
        let mut e = list_item("BridgeListItem", id);
        bridge_block(&mut e, &b.id, b.members.len());
        e.write(&mut s.out);
    }
    list_complete(s, "BridgeListComplete", id, wanted.len(), &[]);
}

/// `BridgeInfoChannel` per member, then `BridgeInfoComplete` carrying the bridge block.
pub fn info(s: &mut Session, id: Option<&str>, bridge_id: &str) {
    let Some(bridge) = s.shared.switch.bridges().get(bridge_id) else {
        return Response::error(id, "Specified BridgeUniqueid not found").write(&mut s.out);
    };
    Response::list_start(id, "Bridge channel listing will follow").write(&mut s.out);
    let snaps: Vec<_> =
        bridge.members.iter().filter_map(|c| s.shared.switch.channels().get(*c)).map(|h| h.snapshot()).collect();
    for snap in &snaps {
        let mut e = list_item("BridgeInfoChannel", id);
        e.channel("", snap);
        e.write(&mut s.out);
    }
    let mut block = crate::proto::AmiEvent::list_item("BridgeInfoComplete");
    bridge_block(&mut block, &bridge.id, bridge.members.len());
    let extra: Vec<(&str, String)> = block.headers.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    list_complete(s, "BridgeInfoComplete", id, snaps.len(), &extra);
}
