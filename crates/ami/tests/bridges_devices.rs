//! Bridge, device-state, dial and hold events rendered from the core, and the Bridge/BridgeList/BridgeInfo
//! actions. Expected forms: seed 004 (BridgeCreate/Enter/Leave/Destroy, DeviceStateChange, DialBegin
//! examples), the oracle transcript (Dest-only DialBegin/DialEnd for an Originate, DeviceStateChange).

mod common;

use common::{Client, Msg, server, switch};

async fn originate_parked(c: &mut Client, name: &str) -> String {
    c.action("Originate", &[("Channel", &format!("sim/{name}")), ("Application", "park"), ("Async", "yes")]).await;
    let ev = c.wait_event("OriginateResponse").await;
    assert_eq!(ev.get("Response"), Some("Success"));
    ev.get("Uniqueid").unwrap().to_owned()
}

/// Events until `last` (included), keeping those named in `names`.
async fn collect_until(c: &mut Client, names: &[&str], last: &str) -> Vec<Msg> {
    let mut out = Vec::new();
    loop {
        let m = c.next().await;
        let name = m.event().unwrap_or("").to_owned();
        if names.contains(&name.as_str()) {
            out.push(m);
        }
        if name == last {
            return out;
        }
    }
}

#[tokio::test]
async fn a_bridge_is_created_entered_listed_left_and_destroyed() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let a = originate_parked(&mut c, "a").await;
    let b = originate_parked(&mut c, "b").await;
    let r = c.action("Bridge", &[("Channel1", "nope"), ("Channel2", &b)]).await;
    assert_eq!(r.get("Message"), Some("Channel1 does not exist: nope"));
    let r = c.action("Bridge", &[("Channel1", &a), ("Channel2", &b)]).await;
    assert_eq!(r.get("Message"), Some("Channels have been bridged"));
    let created = c.wait_event("BridgeCreate").await;
    let bridge_id = created.get("BridgeUniqueid").unwrap().to_owned();
    assert!(created.raw.starts_with(&format!(
        "Event: BridgeCreate\r\nPrivilege: call,all\r\nBridgeUniqueid: {bridge_id}\r\nBridgeType: basic\r\n\
         BridgeTechnology: simple_bridge\r\nBridgeCreator: <unknown>\r\nBridgeName: <unknown>\r\nBridgeNumChannels: 0\r\n"
    )));
    let first = c.wait_event("BridgeEnter").await;
    let second = c.wait_event("BridgeEnter").await;
    let mut counts = [first.get("BridgeNumChannels"), second.get("BridgeNumChannels")];
    counts.sort();
    assert_eq!(counts, [Some("1"), Some("2")]);

    let r = c.action("BridgeList", &[]).await;
    assert_eq!((r.get("EventList"), r.get("Message")), (Some("start"), Some("Bridge listing will follow")));
    let item = c.wait_event("BridgeListItem").await;
    assert_eq!((item.get("BridgeUniqueid"), item.get("BridgeNumChannels")), (Some(bridge_id.as_str()), Some("2")));
    assert_eq!(c.wait_event("BridgeListComplete").await.get("ListItems"), Some("1"));

    let r = c.action("BridgeInfo", &[("BridgeUniqueid", &bridge_id)]).await;
    assert_eq!(r.get("Message"), Some("Bridge channel listing will follow"));
    let mut members = vec![
        c.wait_event("BridgeInfoChannel").await.get("Uniqueid").unwrap().to_owned(),
        c.wait_event("BridgeInfoChannel").await.get("Uniqueid").unwrap().to_owned(),
    ];
    members.sort();
    let mut want = vec![a.clone(), b.clone()];
    want.sort();
    assert_eq!(members, want);
    let done = c.wait_event("BridgeInfoComplete").await;
    assert_eq!((done.get("ListItems"), done.get("BridgeUniqueid")), (Some("2"), Some(bridge_id.as_str())));
    let r = c.action("BridgeInfo", &[("BridgeUniqueid", "nope")]).await;
    assert_eq!(r.get("Message"), Some("Specified BridgeUniqueid not found"));
    let r = c.action("BridgeInfo", &[]).await;
    assert_eq!(r.get("Message"), Some("BridgeUniqueid must be provided"));

    c.action("Hangup", &[("Channel", &a)]).await;
    let events = collect_until(&mut c, &["BridgeLeave", "BridgeDestroy"], "BridgeDestroy").await;
    let left: Vec<Option<&str>> = events.iter().map(|m| m.get("BridgeNumChannels")).collect();
    assert_eq!(left, [Some("1"), Some("0"), Some("0")]);
    assert_eq!(events[2].get("BridgeUniqueid"), Some(bridge_id.as_str()));
}

#[tokio::test]
async fn an_originate_publishes_dest_only_dial_events_and_device_states() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    c.action("Originate", &[("Channel", "sim/dev?ring=10ms"), ("Application", "Wait"), ("Data", "0"), ("Async", "1")])
        .await;
    let names = ["DialBegin", "DialState", "DialEnd", "DeviceStateChange"];
    let events = collect_until(&mut c, &names, "Hangup").await;
    let begin = &events[0];
    assert!(begin.raw.starts_with("Event: DialBegin\r\nPrivilege: call,all\r\nDestChannel: sim/dev-"), "{}", begin.raw);
    assert_eq!((begin.get("Channel"), begin.get("DialString")), (None, Some("dev?ring=10ms")));
    let kinds: Vec<String> = events
        .iter()
        .map(|m| match m.event() {
            Some("DeviceStateChange") => format!("{} {}", m.get("Device").unwrap(), m.get("State").unwrap()),
            Some("DialState" | "DialEnd") => format!("{} {}", m.event().unwrap(), m.get("DialStatus").unwrap()),
            other => other.unwrap().to_owned(),
        })
        .collect();
    assert_eq!(
        kinds,
        ["DialBegin", "sim/dev RINGING", "DialState RINGING", "sim/dev INUSE", "DialEnd ANSWER"],
        "{kinds:?}"
    );
    let after = collect_until(&mut c, &["DeviceStateChange"], "DeviceStateChange").await;
    assert_eq!(
        after[0].raw,
        "Event: DeviceStateChange\r\nPrivilege: call,all\r\nDevice: sim/dev\r\nState: NOT_INUSE\r\n\r\n"
    );
}

#[tokio::test]
async fn hold_and_unhold_are_published_with_the_channel_and_its_device_state() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let uuid = originate_parked(&mut c, "held").await;
    let handle = sw.channels().get(uuid.parse().unwrap()).unwrap();
    handle.hold(true).unwrap();
    let held = c.wait_event("Hold").await;
    assert_eq!((held.get("Privilege"), held.get("Uniqueid")), (Some("call,all"), Some(uuid.as_str())));
    assert_eq!(c.wait_event("DeviceStateChange").await.get("State"), Some("ONHOLD"));
    handle.hold(false).unwrap();
    assert_eq!(c.wait_event("Unhold").await.get("Uniqueid"), Some(uuid.as_str()));
    assert_eq!(c.wait_event("DeviceStateChange").await.get("State"), Some("INUSE"));
}
