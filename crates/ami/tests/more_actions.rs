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
    let ev = c.wait_event("BlindTransfer").await;
    assert_eq!((ev.get("Result"), ev.get("IsExternal")), (Some("Success"), Some("Yes")));
    assert_eq!((ev.get("TransfererUniqueid"), ev.get("TransfereeUniqueid")), (Some(a.as_str()), Some(b.as_str())));
    assert_eq!(
        (ev.get("Context"), ev.get("Extension"), ev.get("BridgeNumChannels")),
        (Some("default"), Some("100"), Some("2"))
    );
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

/// Stands in for the dialplan's `SendDTMF`: records what it was asked to play.
struct FakeSendDtmf;

impl switchyard_core::app::Application for FakeSendDtmf {
    fn names(&self) -> &'static [&'static str] {
        &["SendDTMF"]
    }
    fn execute<'a>(
        &'a self,
        chan: &'a mut switchyard_core::Channel,
        args: &'a str,
    ) -> switchyard_core::app::BoxFuture<'a, switchyard_core::app::AppResult> {
        Box::pin(async move {
            chan.set_var("PLAYED", args);
            Ok(String::new())
        })
    }
}

#[tokio::test]
async fn play_dtmf_runs_send_dtmf_on_the_channel_when_the_application_exists() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let uuid = parked(&mut c, "dtmf").await;
    let r = c.action("PlayDTMF", &[("Channel", &uuid), ("Digit", "5")]).await;
    assert_eq!(r.get("Response"), Some("Error"));
    sw.apps().register(std::sync::Arc::new(FakeSendDtmf));
    let r = c.action("PlayDTMF", &[("Channel", &uuid), ("Digit", "5"), ("Duration", "300")]).await;
    assert_eq!(r.get("Message"), Some("DTMF successfully queued"));
    let set = c.wait_event("VarSet").await;
    assert_eq!((set.get("Variable"), set.get("Value")), (Some("PLAYED"), Some("5,,300")));
    assert_eq!(
        c.action("PlayDTMF", &[("Channel", "nope"), ("Digit", "1")]).await.get("Message"),
        Some("Channel not found")
    );
}

#[tokio::test]
async fn list_commands_shows_only_what_the_user_may_run() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::connect(addr).await;
    c.action("Login", &[("Username", "reader"), ("Secret", common::SECRET)]).await;
    let r = c.action("ListCommands", &[]).await;
    assert_eq!(r.get("Ping"), Some("Keepalive command. (Priv: <none>)"));
    assert_eq!(r.get("DBPut"), Some("Put DB entry. (Priv: system,all)"));
    assert_eq!(r.get("Originate"), None);
}

#[tokio::test]
async fn atxfer_answers_as_asterisk_without_a_feature_code() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let uuid = parked(&mut c, "atx").await;
    let r = c.action("Atxfer", &[("Channel", &uuid), ("Exten", "200")]).await;
    assert_eq!(r.get("Message"), Some("No attended transfer feature code found"));
    let r = c.action("Atxfer", &[("Channel", "nope"), ("Exten", "200")]).await;
    assert_eq!(r.get("Message"), Some("Channel specified does not exist"));
}

#[tokio::test]
async fn atxfer_queues_the_feature_code_and_extension_as_dtmf_once_atxfer_is_configured() {
    let sw = switch();
    let mut features = switchyard_core::features::FeatureConfig::default();
    features.featuremap.atxfer = "*2".into();
    sw.set_features(features);
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let uuid = parked(&mut c, "atx").await;
    let r = c.action("Atxfer", &[("Channel", &uuid), ("Exten", "200"), ("Context", "xfer")]).await;
    assert_eq!(r.get("Response"), Some("Success"));
    assert_eq!(r.get("Message"), Some("Atxfer successfully queued"));
    let var = c.wait_event("VarSet").await;
    assert_eq!((var.get("Variable"), var.get("Value")), (Some("TRANSFER_CONTEXT"), Some("xfer")));
    let mut digits = String::new();
    while digits.len() < 5 {
        let end = c.wait_event("DTMFEnd").await;
        assert_eq!(end.get("Direction"), Some("Received"));
        digits.push_str(end.get("Digit").unwrap());
    }
    assert_eq!(digits, "*2200");
    let r = c.action("Atxfer", &[("Channel", &uuid)]).await;
    assert_eq!(r.get("Message"), Some("No extension specified"));
}

#[tokio::test]
async fn show_dialplan_lists_priorities_with_counts_and_refuses_unknown_contexts() {
    use switchyard_ami::DialplanEntry;
    let entry = |context: &str, exten: &str, priority: u32, app: &str| DialplanEntry {
        context: context.into(),
        extension: exten.into(),
        label: None,
        priority,
        application: app.into(),
        app_data: String::new(),
        include: None,
    };
    let plan = vec![
        entry("test", "100", 1, "Answer"),
        entry("test", "100", 2, "Hangup"),
        DialplanEntry::include("test", "other"),
        entry("other", "s", 1, "NoOp"),
    ];
    let sw = switch();
    let addr = common::server_with(&sw, move |c| c.dialplan = Some(std::sync::Arc::new(move || plan.clone()))).await;
    let mut c = Client::admin(addr).await;
    let r = c.action("ShowDialPlan", &[("Context", "test")]).await;
    assert_eq!(r.get("Message"), Some("DialPlan list will follow"));
    let first = c.next().await;
    assert!(first.raw.starts_with(
        "Event: ListDialplan\r\nActionID: id-ShowDialPlan-1\r\nContext: test\r\nExtension: 100\r\nPriority: 1\r\n"
    ));
    assert_eq!(c.next().await.get("Application"), Some("Hangup"));
    let include = c.next().await;
    assert_eq!(
        include.raw,
        "Event: ListDialplan\r\nActionID: id-ShowDialPlan-1\r\nContext: test\r\nIncludeContext: other\r\n\
         Registrar: pbx_config\r\n\r\n"
    );
    let done = c.next().await;
    assert_eq!(done.event(), Some("ShowDialPlanComplete"));
    assert_eq!(
        (done.get("ListItems"), done.get("ListExtensions"), done.get("ListPriorities"), done.get("ListContexts")),
        (Some("3"), Some("1"), Some("2"), Some("1"))
    );
    let r = c.action("ShowDialPlan", &[("Context", "nope")]).await;
    assert_eq!(r.get("Message"), Some("Did not find context nope"));
}
