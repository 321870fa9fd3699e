//! Actions on calls and the event stream against the real server: Originate, events, channel lists,
//! Hangup, variables, AstDB, UserEvent, Command, Events/Filter, ResumeEvents, slow consumers.

mod common;

use common::{Client, server, server_with, switch};

async fn originate_parked(c: &mut Client, name: &str) -> String {
    let r =
        c.action("Originate", &[("Channel", &format!("sim/{name}")), ("Application", "park"), ("Async", "yes")]).await;
    assert_eq!(r.get("Message"), Some("Originate successfully queued"));
    let ev = c.wait_event("OriginateResponse").await;
    assert_eq!(ev.get("Response"), Some("Success"));
    ev.get("Uniqueid").unwrap().to_owned()
}

#[tokio::test]
async fn async_originate_is_queued_then_answered_with_events_and_originate_response() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    c.send(b"Action: Originate\r\nChannel: sim/100\r\nApplication: Wait\r\nData: 0\r\nAsync: true\r\nCallerID: \"Oracle\" <5551000>\r\nActionID: orig-100\r\n\r\n").await;
    assert_eq!(
        c.next().await.raw,
        "Response: Success\r\nActionID: orig-100\r\nMessage: Originate successfully queued\r\n\r\n"
    );
    let created = c.wait_event("Newchannel").await;
    assert_eq!(created.get("Privilege"), Some("call,all"));
    let uuid = created.get("Uniqueid").unwrap().to_owned();
    let resp = c.wait_event("OriginateResponse").await;
    assert_eq!(resp.get("ActionID"), Some("orig-100"));
    assert_eq!((resp.get("Reason"), resp.get("Application"), resp.get("Data")), (Some("4"), Some("Wait"), Some("0")));
    assert_eq!((resp.get("CallerIDNum"), resp.get("CallerIDName")), (Some("5551000"), Some("Oracle")));
    let hangup = c.wait_event("Hangup").await;
    assert_eq!(hangup.get("Uniqueid"), Some(uuid.as_str()));
    assert_eq!(hangup.get("Cause-txt"), Some("Normal Clearing"));
}

#[tokio::test]
async fn a_failed_originate_reports_busy_with_reason_5() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    c.action("Originate", &[("Channel", "sim/b?busy"), ("Exten", "1"), ("Context", "default"), ("Async", "1")]).await;
    let ev = c.wait_event("OriginateResponse").await;
    assert_eq!((ev.get("Response"), ev.get("Reason")), (Some("Failure"), Some("5")));
    assert_eq!((ev.get("Context"), ev.get("Exten")), (Some("default"), Some("1")));
}

#[tokio::test]
async fn a_sync_originate_does_not_block_other_actions_on_the_session() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    c.send_action(
        "Originate",
        &[("Channel", "sim/slow?noanswer"), ("Application", "park"), ("Timeout", "60000"), ("ActionID", "o1")],
    )
    .await;
    assert_eq!(c.action("Ping", &[]).await.get("Ping"), Some("Pong"));
    let r = c.action("Hangup", &[("Channel", "/^sim\\/slow/")]).await;
    assert_eq!(r.get("EventList"), Some("start"));
    let done = c.wait_event("ChannelsHungupListComplete").await;
    assert_eq!(done.get("ListItems"), Some("1"));
    loop {
        let m = c.next().await;
        if m.get("ActionID") == Some("o1") && m.get("Response").is_some() {
            assert_eq!(m.get("Message"), Some("Originate failed"));
            break;
        }
    }
}

#[tokio::test]
async fn core_show_channels_and_status_list_live_channels_then_hangup_ends_them() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let uuid = originate_parked(&mut c, "alice").await;
    let r = c.action("CoreShowChannels", &[]).await;
    assert_eq!((r.get("EventList"), r.get("Message")), (Some("start"), Some("Channels will follow")));
    let item = c.next().await;
    assert_eq!((item.event(), item.get("Uniqueid")), (Some("CoreShowChannel"), Some(uuid.as_str())));
    assert!(item.raw.starts_with("Event: CoreShowChannel\r\nActionID: id-CoreShowChannels-0\r\nChannel: "));
    let done = c.next().await;
    assert_eq!((done.event(), done.get("ListItems")), (Some("CoreShowChannelsComplete"), Some("1")));
    c.action("Status", &[("Channel", &uuid)]).await;
    let st = c.wait_event("Status").await;
    assert_eq!(st.get("ChannelStateDesc"), Some("Up"));
    assert_eq!(c.wait_event("StatusComplete").await.get("Items"), Some("1"));
    let r = c.action("Hangup", &[("Channel", &uuid), ("Cause", "17")]).await;
    assert_eq!(r.get("Message"), Some("Channel Hungup"));
    let h = c.wait_event("Hangup").await;
    assert_eq!(h.get("Cause"), Some("17"));
    assert_eq!(c.action("Hangup", &[("Channel", &uuid)]).await.get("Message"), Some("No such channel"));
}

#[tokio::test]
async fn setvar_and_getvar_work_on_channels_and_globals() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let uuid = originate_parked(&mut c, "vars").await;
    let r = c.action("Setvar", &[("Channel", &uuid), ("Variable", "FOO"), ("Value", "bar")]).await;
    assert_eq!(r.get("Message"), Some("Variable Set"));
    let set = c.wait_event("VarSet").await;
    assert_eq!((set.get("Variable"), set.get("Value")), (Some("FOO"), Some("bar")));
    let r = c.action("Getvar", &[("Channel", &uuid), ("Variable", "FOO")]).await;
    assert_eq!(r.get("Value"), Some("bar"));
    c.action("Setvar", &[("Variable", "G"), ("Value", "1")]).await;
    assert_eq!(c.action("Getvar", &[("Variable", "G")]).await.get("Value"), Some("1"));
    assert_eq!(
        c.action("Getvar", &[("Channel", "nope"), ("Variable", "G")]).await.get("Message"),
        Some("No such channel")
    );
}

#[tokio::test]
async fn dbput_dbget_dbdel_round_trip_with_the_oracle_list_shape() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let r = c.action("DBPut", &[("Family", "test"), ("Key", "one"), ("Val", "42")]).await;
    assert_eq!(r.get("Message"), Some("Updated database successfully"));
    c.send(b"Action: DBGet\r\nFamily: test\r\nKey: one\r\nActionID: dbget-1\r\n\r\n").await;
    assert_eq!(
        c.next().await.raw,
        "Response: Success\r\nActionID: dbget-1\r\nEventList: start\r\nMessage: Result will follow\r\n\r\n"
    );
    assert_eq!(
        c.next().await.raw,
        "Event: DBGetResponse\r\nFamily: test\r\nKey: one\r\nVal: 42\r\nActionID: dbget-1\r\n\r\n"
    );
    assert_eq!(
        c.next().await.raw,
        "Event: DBGetComplete\r\nActionID: dbget-1\r\nEventList: Complete\r\nListItems: 1\r\n\r\n"
    );
    assert_eq!(
        c.action("DBDel", &[("Family", "test"), ("Key", "one")]).await.get("Message"),
        Some("Key deleted successfully")
    );
    let r = c.action("DBGet", &[("Family", "test"), ("Key", "one")]).await;
    assert_eq!(r.get("Message"), Some("Database entry not found"));
    c.action("DBPut", &[("Family", "tree"), ("Key", "a"), ("Val", "1")]).await;
    let r = c.action("DBDelTree", &[("Family", "tree")]).await;
    assert_eq!(r.get("Message"), Some("Key tree deleted successfully"));
}

#[tokio::test]
async fn user_event_reaches_sessions_with_the_user_class_only_through_filters() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let r = c.action("Filter", &[("Operation", "Add"), ("Filter", "UserEvent: Keep")]).await;
    assert_eq!(r.get("Message"), Some("Success"));
    c.action("UserEvent", &[("UserEvent", "Drop")]).await;
    c.action("UserEvent", &[("UserEvent", "Keep"), ("Extra", "x")]).await;
    let ev = c.wait_event("UserEvent").await;
    assert_eq!(
        (ev.get("UserEvent"), ev.get("Extra"), ev.get("Privilege")),
        (Some("Keep"), Some("x"), Some("user,all"))
    );
}

#[tokio::test]
async fn events_off_stops_events_and_on_restarts_them() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    assert_eq!(c.action("Events", &[("EventMask", "off")]).await.get("Events"), Some("Off"));
    c.action("UserEvent", &[("UserEvent", "Hidden")]).await;
    assert_eq!(c.action("Events", &[("EventMask", "user")]).await.get("Events"), Some("On"));
    c.action("UserEvent", &[("UserEvent", "Shown")]).await;
    assert_eq!(c.wait_event("UserEvent").await.get("UserEvent"), Some("Shown"));
    assert_eq!(c.action("Events", &[("EventMask", "bogus")]).await.get("Message"), Some("Invalid event mask"));
}

#[tokio::test]
async fn command_output_comes_as_output_lines() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let r = c.action("Command", &[("Command", "core show channels")]).await;
    assert_eq!(r.get("Message"), Some("Command output follows"));
    assert!(r.raw.contains("Output: "));
    assert!(r.raw.contains("active channel"));
    let r = c.action("Command", &[("Command", "no such thing")]).await;
    assert_eq!(r.get("Response"), Some("Error"));
    assert!(r.get("Output").unwrap().starts_with("No such command"));
}

#[tokio::test]
async fn resume_events_replays_what_was_published_since_a_sequence_number() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let from = sw.bus().next_seq();
    c.action("UserEvent", &[("UserEvent", "First")]).await;
    assert_eq!(c.wait_event("UserEvent").await.get("UserEvent"), Some("First"));
    let mut again = Client::admin(addr).await;
    let r = again.action("ResumeEvents", &[("Seq", &from.to_string())]).await;
    assert_eq!(r.get("Message"), Some("Resuming events"));
    let ev = again.wait_event("UserEvent").await;
    assert_eq!((ev.get("UserEvent"), ev.get("SwitchyardSeq")), (Some("First"), Some(from.to_string().as_str())));
}

#[tokio::test]
async fn a_session_that_falls_behind_is_told_how_many_events_it_lost() {
    let sw = switch();
    let addr = server_with(&sw, |c| c.event_queue = 4).await;
    let mut c = Client::admin(addr).await;
    // The session reads the bus only when its loop wakes; publish more than its queue in one go.
    for i in 0..50 {
        sw.bus().publish(switchyard_core::EventKind::custom(format!("e{i}"), vec![], None), None);
    }
    let lost = c.wait_event("EventsLost").await;
    assert!(lost.get("Lost").unwrap().parse::<u64>().unwrap() > 0);
    assert_eq!(c.action("Ping", &[]).await.get("Ping"), Some("Pong"));
}

#[tokio::test]
async fn absolute_timeout_hangs_the_channel_up_through_the_scheduler() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let uuid = originate_parked(&mut c, "timed").await;
    let r = c.action("AbsoluteTimeout", &[("Channel", &uuid), ("Timeout", "0.05")]).await;
    assert_eq!(r.get("Message"), Some("Timeout Set"));
    let h = c.wait_event("Hangup").await;
    assert_eq!(h.get("Uniqueid"), Some(uuid.as_str()));
}

#[tokio::test]
async fn an_originate_channel_id_becomes_the_uniqueid() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let id = "5a7c3f2e-0000-4000-8000-00000000abcd";
    c.action("Originate", &[("Channel", "sim/id"), ("Application", "park"), ("Async", "1"), ("ChannelId", id)]).await;
    assert_eq!(c.wait_event("OriginateResponse").await.get("Uniqueid"), Some(id));
}
