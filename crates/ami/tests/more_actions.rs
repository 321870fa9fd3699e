//! WaitEvent, Reload and BlindTransfer against the real server.

mod common;

use common::{Client, server, switch};

async fn parked(c: &mut Client, name: &str) -> String {
    c.action("Originate", &[("Channel", &format!("sim/{name}")), ("Application", "park"), ("Async", "yes")]).await;
    c.wait_event("OriginateResponse").await.get("Uniqueid").unwrap().to_owned()
}

#[tokio::test]
async fn wait_event_answers_once_an_event_is_published() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    c.send(b"Action: WaitEvent\r\nTimeout: 30\r\nActionID: w1\r\n\r\n").await;
    assert_eq!(c.action("UserEvent", &[("UserEvent", "wake")]).await.get("Message"), Some("Event Sent"));
    let done = c.wait_event("WaitEventComplete").await;
    assert_eq!(done.get("ActionID"), Some("w1"));
}

#[tokio::test]
async fn reload_without_a_dialplan_is_a_no_op_and_unknown_modules_are_refused() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    assert_eq!(c.action("Reload", &[]).await.get("Message"), Some("Module Reloaded"));
    assert_eq!(c.action("Reload", &[("Module", "chan_pjsip")]).await.get("Message"), Some("No such module"));
}

#[tokio::test]
async fn blind_transfer_needs_a_bridge_and_hangs_the_transferer_up() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let a = parked(&mut c, "a").await;
    let b = parked(&mut c, "b").await;
    let r = c.action("BlindTransfer", &[("Channel", &a), ("Exten", "100"), ("Context", "default")]).await;
    assert_eq!(r.get("Message"), Some("Transfer invalid"));
    sw.bridge(a.parse().unwrap(), b.parse().unwrap()).unwrap();
    c.wait_event("BridgeEnter").await;
    let r = c.action("BlindTransfer", &[("Channel", &a), ("Exten", "100"), ("Context", "default")]).await;
    assert_eq!(r.get("Message"), Some("Transfer succeeded"));
    loop {
        let h = c.wait_event("Hangup").await;
        if h.get("Uniqueid") == Some(a.as_str()) {
            break;
        }
    }
}

#[tokio::test]
async fn extension_state_without_hints_is_unknown() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let r = c.action("ExtensionState", &[("Exten", "100")]).await;
    assert_eq!(
        (r.get("Message"), r.get("Context"), r.get("Status")),
        (Some("Extension Status"), Some("default"), Some("-1"))
    );
}
