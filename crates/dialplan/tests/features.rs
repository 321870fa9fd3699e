//! In-call features from features.conf on Dial bridges: blind and attended transfer, disconnect,
//! codes of several digits, and the events they publish.
//! They run on tokio's paused clock: the sim channels' timings (answer, DTMF, hangup after) are
//! exact whatever the machine's load, and the waits take no real time.

mod support;

use support::harness;
use switchyard_core::transfer::{AttendedDestination, TransferResult};
use switchyard_core::{Event, EventKind};

/// The sample features.conf codes (features.conf.sample): `#1`, `*2`, `*0`.
const FEATURES: &str =
    "[general]\nfeaturedigittimeout = 300\n[featuremap]\nblindxfer => #1\natxfer => *2\ndisconnect => *0\n";

fn with_features(conf: &str) -> support::Harness {
    let h = harness(conf);
    let (features, _) = switchyard_dialplan::astconf::parse_features("features.conf", FEATURES).unwrap();
    h.switch.set_features(features);
    h
}

fn r(h: &support::Harness, key: &str) -> String {
    h.db("r", key).unwrap_or_else(|| "<unset>".into())
}

/// A sim caller that sends `digits` soon after answer, then hangs up after `hangup`.
fn caller(digits: &str, hangup: &str) -> String {
    format!("sim/caller?dtmf={digits}&dtmf_delay=100ms&dtmf_gap=10ms&hangup={hangup}")
}

fn bridge_peers(events: &[Event], name_prefix: &str) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Bridge { other, .. } if e.channel.as_ref()?.name.starts_with(name_prefix) => {
                Some(other.name.as_str().to_owned())
            }
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_configured_blindxfer_code_of_two_digits_transfers_and_publishes_blind_transfer() {
    let conf = "
[c]
exten => 1,1,Dial(sim/callee,5,T)
same => n,Set(DB(r/not-reached)=1)
exten => 42,1,Set(DB(r/transferred)=${CHANNEL})
";
    let mut h = with_features(conf);
    h.call(&caller("#142", "5s"), "c", "1");
    let events = h.until_idle().await;
    assert_eq!(r(&h, "not-reached"), "<unset>");
    assert!(r(&h, "transferred").starts_with("sim/callee-"), "{}", r(&h, "transferred"));
    let blind = events.iter().find_map(|e| match &e.kind {
        EventKind::BlindTransfer(t) => Some(t.clone()),
        _ => None,
    });
    let blind = blind.expect("a BlindTransfer event");
    assert_eq!(blind.result, TransferResult::Success);
    assert!(blind.transferer.name.starts_with("sim/caller-"));
    assert!(blind.transferee.unwrap().name.starts_with("sim/callee-"));
    assert_eq!((blind.context.as_str(), blind.exten.as_str(), blind.is_external), ("c", "42", false));
    assert_eq!(blind.bridge.map(|b| b.members), Some(2));
}

#[tokio::test(start_paused = true)]
async fn the_default_hash_is_not_a_code_once_blindxfer_is_configured_otherwise() {
    let conf = "
[c]
exten => 1,1,Dial(sim/callee?hangup=600ms,5,Tg)
same => n,Set(DB(r/after)=${DIALSTATUS})
exten => 42,1,Set(DB(r/transferred)=${CHANNEL})
";
    let mut h = with_features(conf);
    h.call(&caller("#42", "5s"), "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "transferred"), "<unset>");
    assert_eq!(r(&h, "after"), "ANSWER");
}

#[tokio::test(start_paused = true)]
async fn with_h_upper_the_callers_disconnect_code_hangs_up_the_callee_and_g_continues() {
    let conf = "
[c]
exten => 1,1,Dial(sim/callee,5,Hg)
same => n,Set(DB(r/after)=${DIALSTATUS})
";
    let mut h = with_features(conf);
    h.call(&caller("*0", "5s"), "c", "1");
    let events = h.until_idle().await;
    assert_eq!(r(&h, "after"), "ANSWER");
    let callee_hangup = events.iter().any(|e| {
        matches!(e.kind, EventKind::HangupRequest { ref source, .. } if source == "disconnect feature")
            && e.channel.as_ref().is_some_and(|c| c.name.starts_with("sim/callee-"))
    });
    assert!(callee_hangup, "the callee is hung up by the disconnect feature");
}

#[tokio::test(start_paused = true)]
async fn without_h_the_disconnect_code_is_just_digits() {
    let conf = "
[c]
exten => 1,1,Dial(sim/callee?hangup=500ms,5,g)
same => n,Set(DB(r/after)=${DIALSTATUS})
";
    let mut h = with_features(conf);
    h.call(&caller("*0", "5s"), "c", "1");
    let events = h.until_idle().await;
    assert_eq!(r(&h, "after"), "ANSWER");
    assert!(
        !events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::HangupRequest { source, .. } if source == "disconnect feature"))
    );
}

#[tokio::test(start_paused = true)]
async fn with_h_the_callee_disconnects_and_the_caller_continues_with_g() {
    let conf = "
[c]
exten => 1,1,Dial(Local/op@d,5,hg)
same => n,Set(DB(r/after)=${DIALSTATUS})
[d]
exten => op,1,Answer()
same => n,Wait(0.05)
same => n,SendDTMF(*0)
same => n,Wait(5)
same => n,Set(DB(r/callee-waited)=1)
";
    let mut h = with_features(conf);
    h.call("null/caller", "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "after"), "ANSWER");
    assert_eq!(r(&h, "callee-waited"), "<unset>");
}

const ATTENDED: &str = "
[c]
exten => 1,1,Dial(sim/callee,10,T)
exten => 42,1,Answer()
same => n,Set(DB(r/target)=${CHANNEL})
same => n,Wait(0.8)
";

#[tokio::test(start_paused = true)]
async fn an_attended_transfer_completes_when_the_transferer_hangs_up() {
    let mut h = with_features(ATTENDED);
    h.call(&caller("*242", "500ms"), "c", "1");
    let events = h.until_idle().await;
    let target = r(&h, "target");
    assert!(target.starts_with("Local/42@c-") && target.ends_with(";2"), "{target}");
    let done = events.iter().find_map(|e| match &e.kind {
        EventKind::AttendedTransfer(t) => Some(t.clone()),
        _ => None,
    });
    let done = done.expect("an AttendedTransfer event");
    assert_eq!(done.result, TransferResult::Success);
    assert!(done.orig_transferer.name.starts_with("sim/caller-"));
    assert!(done.second_transferer.name.starts_with("sim/caller-"));
    assert!(done.transferee.as_ref().unwrap().name.starts_with("sim/callee-"));
    let one = target.replace(";2", ";1");
    assert_eq!(done.target.as_ref().unwrap().name, one);
    assert_eq!(done.orig_bridge.as_ref().map(|b| b.members), Some(1), "the transferee waits alone");
    assert_eq!(done.second_bridge.as_ref().map(|b| b.members), Some(2));
    let AttendedDestination::Bridge(dest) = &done.destination else { panic!("{:?}", done.destination) };
    let callee_bridged_to_target = events.iter().any(
        |e| matches!(&e.kind, EventKind::Bridge { bridge_id, other, .. } if bridge_id == dest && other.name == one),
    );
    assert!(callee_bridged_to_target, "the transferee and the target share the destination bridge");
}

#[tokio::test(start_paused = true)]
async fn atxferabort_brings_the_transferer_back_to_the_transferee() {
    let mut h = with_features(ATTENDED);
    h.call(&caller("*242*1", "1s"), "c", "1");
    let events = h.until_idle().await;
    assert!(r(&h, "target").starts_with("Local/42@c-"));
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::AttendedTransfer(_))));
    let peers = bridge_peers(&events, "sim/caller-");
    assert_eq!(peers.len(), 3, "{peers:?}");
    assert!(peers[0].starts_with("sim/callee-") && peers[1].starts_with("Local/42@c-") && peers[2] == peers[0]);
}

#[tokio::test(start_paused = true)]
async fn a_target_that_hangs_up_returns_the_transferer_to_the_transferee() {
    let conf = "
[c]
exten => 1,1,Dial(sim/callee,10,T)
same => n,Set(DB(r/dial)=${DIALSTATUS})
exten => 42,1,Answer()
same => n,Wait(0.1)
same => n,Hangup()
";
    let mut h = with_features(conf);
    h.call(&caller("*242", "1s"), "c", "1");
    let events = h.until_idle().await;
    let peers = bridge_peers(&events, "sim/caller-");
    assert_eq!(peers.len(), 3, "{peers:?}");
    assert_eq!(peers[2], peers[0]);
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::AttendedTransfer(_))));
}

#[tokio::test(start_paused = true)]
async fn without_an_atxfer_code_the_digits_do_nothing() {
    let mut h = harness(ATTENDED);
    h.call(&caller("*242", "500ms"), "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "target"), "<unset>");
}

const LOCAL: &str = "
[c]
exten => 1,1,Dial(Local/2@c,5,g)
same => n,Set(DB(r/after)=${DIALSTATUS})
exten => 2,1,Dial(sim/op?hangup=300ms,5)
exten => 3,1,Dial(Local/2@c/n,5,g)
same => n,Set(DB(r/after)=${DIALSTATUS})
";

fn optimizations(events: &[Event]) -> Vec<switchyard_core::transfer::LocalOptimization> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::LocalOptimization(o) => Some((**o).clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_local_pair_bridged_on_both_sides_optimizes_itself_away() {
    use switchyard_core::transfer::LocalOptimization::{Begin, End};
    let mut h = harness(LOCAL);
    h.call("null/caller", "c", "1");
    let events = h.until_idle().await;
    assert_eq!(r(&h, "after"), "ANSWER");
    let opts = optimizations(&events);
    let [Begin { one, two, source, dest_uniqueid, id }, End { success, id: end_id, .. }] = opts.as_slice() else {
        panic!("{opts:?}")
    };
    assert!(one.name.ends_with(";1") && two.name.ends_with(";2"));
    assert!(source.as_ref().unwrap().name.starts_with("sim/op-"));
    assert_eq!((dest_uniqueid.as_str(), *success, id), (one.id.to_string().as_str(), true, end_id));
    let op_with_caller = events.iter().any(|e| {
        matches!(&e.kind, EventKind::Bridge { other, .. } if other.name.starts_with("null/caller-"))
            && e.channel.as_ref().is_some_and(|c| c.name.starts_with("sim/op-"))
    });
    assert!(op_with_caller, "the callee took ;1's place in the caller's bridge");
    let locals_hung_up = events.iter().filter(|e| {
        matches!(e.kind, EventKind::Hangup { .. }) && e.channel.as_ref().is_some_and(|c| c.name.starts_with("Local/"))
    });
    assert_eq!(locals_hung_up.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn with_n_the_local_pair_stays() {
    let mut h = harness(LOCAL);
    h.call("null/caller", "c", "3");
    let events = h.until_idle().await;
    assert_eq!(r(&h, "after"), "ANSWER");
    assert!(optimizations(&events).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_transferer_hanging_up_while_the_target_rings_leaves_the_transferee_to_it() {
    let conf = "
[c]
exten => 1,1,Dial(sim/callee,10,T)
exten => 42,1,Ringing()
same => n,Wait(0.5)
same => n,Answer()
same => n,Set(DB(r/target)=${CHANNEL})
same => n,Wait(0.3)
";
    let mut h = with_features(conf);
    h.call(&caller("*242", "300ms"), "c", "1");
    let events = h.until_idle().await;
    assert!(r(&h, "target").starts_with("Local/42@c-"));
    let done = events.iter().find_map(|e| match &e.kind {
        EventKind::AttendedTransfer(t) => Some(t.clone()),
        _ => None,
    });
    let done = done.expect("an AttendedTransfer event once the target answered");
    assert!(done.transferee.as_ref().unwrap().name.starts_with("sim/callee-"));
    let target = done.target.as_ref().unwrap().name.to_string();
    assert!(target.starts_with("Local/42@c-") && target.ends_with(";1"));
    let callee_peers = bridge_peers(&events, "sim/callee-");
    assert_eq!(callee_peers.last(), Some(&target), "{callee_peers:?}");
}

#[tokio::test(start_paused = true)]
async fn atxferabort_while_the_target_rings_cancels_it() {
    let conf = "
[c]
exten => 1,1,Dial(sim/callee,10,T)
exten => 42,1,Ringing()
same => n,Wait(0.5)
same => n,Answer()
same => n,Set(DB(r/target)=${CHANNEL})
";
    let mut h = with_features(conf);
    h.call(&caller("*242*1", "800ms"), "c", "1");
    let events = h.until_idle().await;
    assert_eq!(r(&h, "target"), "<unset>", "the target was hung up before it answered");
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::AttendedTransfer(_))));
    let aborted = events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::HangupRequest { source, .. } if source == "attended transfer aborted"));
    assert!(aborted);
    let peers = bridge_peers(&events, "sim/caller-");
    assert_eq!(peers.len(), 1, "the caller never left the callee: {peers:?}");
}
