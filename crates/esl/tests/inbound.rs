//! The inbound Event Socket over TCP: greeting, auth, api/bgapi, subscriptions, filters, sendmsg,
//! sendevent, exit and malformed input. Expected replies follow reference/freeswitch.md §1–2 and the
//! oracle transcript.

mod common;

use common::{Client, PASSWORD, server, server_with, switch};
use switchyard_esl::proto::Limits;

#[tokio::test]
async fn auth_api_status_and_exit_follow_the_freeswitch_transcript() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::authed(addr).await;
    let status = c.cmd("api status").await;
    assert_eq!(status.get("Content-Type"), Some("api/response"));
    assert!(status.body.starts_with("UP 0 years, 0 days"), "{}", status.body);
    assert_eq!(c.cmd("exit").await.get("Reply-Text"), Some("+OK bye"));
    let bye = c.read().await.unwrap();
    assert_eq!(bye.get("Content-Type"), Some("text/disconnect-notice"));
    assert_eq!(bye.body, "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n");
    assert!(c.read().await.is_none());
}

#[tokio::test]
async fn a_wrong_password_gets_err_invalid_and_a_disconnect_notice() {
    let sw = switch();
    let mut c = Client::connect(server(&sw).await).await;
    c.read().await.unwrap();
    assert_eq!(c.cmd("auth nope").await.get("Reply-Text"), Some("-ERR invalid"));
    assert_eq!(c.read().await.unwrap().get("Content-Type"), Some("text/disconnect-notice"));
    assert!(c.read().await.is_none());
}

#[tokio::test]
async fn commands_before_auth_are_not_found_and_the_client_may_still_auth() {
    let sw = switch();
    let mut c = Client::connect(server(&sw).await).await;
    c.read().await.unwrap();
    assert_eq!(c.cmd("api status").await.get("Reply-Text"), Some("-ERR command not found"));
    assert_eq!(c.cmd(&format!("auth {PASSWORD}")).await.get("Reply-Text"), Some("+OK accepted"));
}

#[tokio::test]
async fn an_acl_rejection_is_rude_as_freeswitch() {
    let sw = switch();
    let deny: switchyard_esl::server::Acl = std::sync::Arc::new(|_| false);
    let mut c = Client::connect(server_with(&sw, Some(deny), Limits::default()).await).await;
    let m = c.read().await.unwrap();
    assert_eq!(m.get("Content-Type"), Some("text/rude-rejection"));
    assert_eq!(m.body, "Access Denied, go away.\n");
    assert_eq!(c.read().await.unwrap().get("Content-Type"), Some("text/disconnect-notice"));
}

#[tokio::test]
async fn unknown_api_commands_and_unknown_socket_commands_have_freeswitch_errors() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    assert_eq!(c.cmd("api frobnicate now").await.body, "-ERR frobnicate Command not found!\n");
    assert_eq!(c.cmd("frobnicate").await.get("Reply-Text"), Some("-ERR command not found"));
    assert_eq!(c.cmd("event plain").await.get("Reply-Text"), Some("-ERR no keywords supplied"));
}

#[tokio::test]
async fn bgapi_originate_replies_with_the_job_uuid_then_a_background_job_event() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    let r = c.cmd("event plain BACKGROUND_JOB").await;
    assert_eq!(r.get("Reply-Text"), Some("+OK event listener enabled plain"));
    let r = c.cmd("bgapi originate sim/alice &park\nJob-UUID: my-job-1").await;
    assert_eq!(r.get("Reply-Text"), Some("+OK Job-UUID: my-job-1"));
    assert_eq!(r.get("Job-UUID"), Some("my-job-1"));
    let ev = c.event_named("BACKGROUND_JOB").await;
    assert_eq!(ev.get("Job-UUID"), Some("my-job-1"));
    assert_eq!(ev.get("Job-Command"), Some("originate"));
    assert_eq!(ev.get("Job-Command-Arg"), Some("sim/alice &park"));
    assert!(ev.body.starts_with("+OK "), "{}", ev.body);
    let uuid = ev.body.trim().strip_prefix("+OK ").unwrap();
    assert_eq!(c.cmd(&format!("api uuid_kill {uuid}")).await.body, "+OK\n");
}

#[tokio::test]
async fn event_all_with_a_unique_id_filter_only_delivers_that_channel() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    c.cmd("event plain ALL").await;
    let uuid = "0b7c4b6e-1111-4222-8333-944455556666";
    let r = c.cmd(&format!("filter Unique-ID {uuid}")).await;
    assert_eq!(r.get("Reply-Text"), Some(format!("+OK filter added. [Unique-ID]=[{uuid}]").as_str()));
    let other = c.cmd("api originate sim/other &park").await;
    assert!(other.body.starts_with("+OK"), "{}", other.body);
    let mine = c.cmd(&format!("api originate {{origination_uuid={uuid}}}sim/mine &park")).await;
    assert_eq!(mine.body, format!("+OK {uuid}\n"));
    let ev = c.event_named("CHANNEL_CREATE").await;
    assert_eq!(ev.get("Unique-ID"), Some(uuid));
    assert_eq!(ev.get("Channel-State"), Some("CS_NEW").or(ev.get("Channel-State")));
}

#[tokio::test]
async fn sendmsg_execute_reports_the_event_uuid_as_application_uuid() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    let uuid = c.cmd("api originate sim/bob &park").await.body.trim().strip_prefix("+OK ").unwrap().to_owned();
    c.cmd("event plain CHANNEL_EXECUTE_COMPLETE").await;
    let r = c
        .cmd(&format!(
            "sendmsg {uuid}\ncall-command: execute\nexecute-app-name: sleep\nexecute-app-arg: 1\nEvent-UUID: app-42"
        ))
        .await;
    assert_eq!(r.get("Reply-Text"), Some("+OK"));
    let ev = c.event_named("CHANNEL_EXECUTE_COMPLETE").await;
    assert_eq!((ev.get("Application"), ev.get("Application-UUID")), (Some("sleep"), Some("app-42")));
    assert_eq!(ev.get("Unique-ID"), Some(uuid.as_str()));
    let r = c.cmd("sendmsg 00000000-0000-4000-8000-000000000000\ncall-command: hangup").await;
    assert_eq!(r.get("Reply-Text"), Some("-ERR invalid session id [00000000-0000-4000-8000-000000000000]"));
}

#[tokio::test]
async fn sendmsg_hangup_fires_channel_hangup_with_the_cause() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    let uuid = c.cmd("api originate sim/carol &park").await.body.trim()[4..].to_owned();
    c.cmd("event json CHANNEL_HANGUP_COMPLETE").await;
    c.cmd("event plain CHANNEL_HANGUP").await;
    c.cmd(&format!("sendmsg {uuid}\ncall-command: hangup\nhangup-cause: USER_BUSY")).await;
    let ev = c.event_named("CHANNEL_HANGUP").await;
    assert_eq!(ev.get("Hangup-Cause"), Some("USER_BUSY"));
}

#[tokio::test]
async fn sendevent_publishes_a_custom_event_to_subscribers_of_its_subclass() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut watcher = Client::authed(addr).await;
    watcher.cmd("event plain CUSTOM my::thing").await;
    let mut c = Client::authed(addr).await;
    let r = c.cmd("sendevent CUSTOM\nEvent-Subclass: my::thing\nX-Note: hello world\ncontent-length: 2\n\nOK").await;
    assert!(r.get("Reply-Text").unwrap().starts_with("+OK "));
    let ev = watcher.event_named("CUSTOM").await;
    assert_eq!(ev.get("Event-Subclass"), Some("my::thing"));
    assert_eq!(ev.get("X-Note"), Some("hello world"));
    assert_eq!(ev.body, "OK");
    assert_eq!(ev.headers[0].0, "Event-Subclass");
}

#[tokio::test]
async fn json_events_are_flat_string_maps() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    assert_eq!(c.cmd("event json CHANNEL_ANSWER").await.get("Reply-Text"), Some("+OK event listener enabled json"));
    c.cmd("api originate sim/dave &park").await;
    let m = loop {
        let m = c.read().await.unwrap();
        if m.get("Content-Type") == Some("text/event-json") {
            break m;
        }
    };
    let v: serde_json::Value = serde_json::from_str(&m.body).unwrap();
    assert_eq!(v["Event-Name"], "CHANNEL_ANSWER");
    assert_eq!(v["Answer-State"], "answered");
}

#[tokio::test]
async fn a_one_mebibyte_header_line_gets_an_error_and_a_clean_close_and_the_server_lives_on() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::authed(addr).await;
    c.send(&vec![b'a'; 1 << 20]).await;
    let m = c.read().await.unwrap();
    assert!(m.get("Reply-Text").unwrap().starts_with("-ERR header block longer than"), "{m:?}");
    assert_eq!(c.read().await.unwrap().get("Content-Type"), Some("text/disconnect-notice"));
    let mut again = Client::authed(addr).await;
    assert_eq!(again.cmd("api create_uuid").await.get("Content-Type"), Some("api/response"));
}

#[tokio::test]
async fn non_utf8_input_gets_an_error_and_the_connection_stays_usable() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    c.send(b"api \xff\xfe\n\n").await;
    assert_eq!(c.read().await.unwrap().get("Reply-Text"), Some("-ERR command is not valid UTF-8"));
    assert_eq!(c.cmd("api status").await.get("Content-Type"), Some("api/response"));
}

#[tokio::test]
async fn a_content_length_beyond_the_limit_is_refused_and_closed() {
    let sw = switch();
    let mut c = Client::authed(server_with(&sw, None, Limits { max_header_block: 4096, max_body: 100 }).await).await;
    c.send(b"sendevent CUSTOM\nContent-Length: 5000\n\nshort").await;
    let m = c.read().await.unwrap();
    assert!(m.get("Reply-Text").unwrap().starts_with("-ERR Content-Length"), "{m:?}");
    assert_eq!(c.read().await.unwrap().get("Content-Type"), Some("text/disconnect-notice"));
}

#[tokio::test]
async fn a_content_length_larger_than_the_body_waits_and_a_close_is_handled() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::authed(addr).await;
    c.send(b"sendevent CUSTOM\nContent-Length: 50\n\nshort").await;
    c.stream.shutdown().await.unwrap();
    assert!(c.read().await.is_none());
    let mut again = Client::authed(addr).await;
    assert_eq!(again.cmd("api status").await.get("Content-Type"), Some("api/response"));
}

#[tokio::test]
async fn myevents_locks_on_one_channel_and_closes_when_it_hangs_up() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    let uuid = c.cmd("api originate sim/erin &park").await.body.trim()[4..].to_owned();
    assert_eq!(
        c.cmd("myevents 00000000-0000-4000-8000-000000000000").await.get("Reply-Text"),
        Some("-ERR invalid uuid")
    );
    assert_eq!(c.cmd(&format!("myevents {uuid}")).await.get("Reply-Text"), Some("+OK Events Enabled"));
    assert_eq!(c.cmd("linger 0").await.get("Reply-Text"), Some("+OK will linger 0 seconds"));
    assert_eq!(c.cmd("nolinger").await.get("Reply-Text"), Some("+OK will not linger"));
    let mut other = Client::authed(c.stream.peer_addr().unwrap()).await;
    other.cmd("api originate sim/frank &park").await;
    other.cmd(&format!("api uuid_kill {uuid}")).await;
    let ev = c.event_named("CHANNEL_HANGUP").await;
    assert_eq!(ev.get("Unique-ID"), Some(uuid.as_str()));
    let last = loop {
        let m = c.read().await.unwrap();
        if m.get("Content-Type") == Some("text/disconnect-notice") {
            break m;
        }
    };
    assert_eq!(last.get("Controlled-Session-UUID"), Some(uuid.as_str()));
    assert_eq!(last.get("Content-Disposition"), Some("disconnect"));
    assert!(c.read().await.is_none(), "nothing follows the disconnect notice");
}

use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn uuid_dump_lists_the_channel_headers_and_variables() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    let uuid = c.cmd("api originate {color=blue}sim/gina &park").await.body.trim()[4..].to_owned();
    let dump = c.cmd(&format!("api uuid_dump {uuid}")).await.body;
    assert!(dump.contains(&format!("Unique-ID: {uuid}\n")), "{dump}");
    assert!(dump.contains("variable_color: blue\n"), "{dump}");
    assert_eq!(c.cmd("api uuid_dump nope").await.body, "-ERR No such channel!\n");
}

#[tokio::test]
async fn a_listener_that_falls_behind_is_told_how_many_events_it_lost_and_keeps_going() {
    use std::sync::Arc;
    use switchyard_core::{BusConfig, EventKind, Switch, SwitchConfig, SwitchInfo, SystemClock};
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "0".into(), hostname: "t".into(), core_uuid: "c".into(), max_channels: 0 },
        bus: BusConfig { replay_window: 64, subscriber_queue: 8 },
        clock: Arc::new(SystemClock),
    });
    let mut c = Client::authed(server(&sw).await).await;
    c.cmd("event plain ALL").await;
    // Publishing without yielding: on this single-threaded runtime the listener cannot read meanwhile.
    for i in 0..100 {
        let headers = vec![("N".to_owned(), i.to_string())];
        sw.bus().publish(EventKind::custom("t::load", headers, None), None);
    }
    let notice = c.event_named("CUSTOM").await;
    assert_eq!(notice.get("Event-Subclass"), Some("switchyard::lost_events"));
    assert_eq!(notice.get("Lost-Events"), Some("92"));
    let next = c.event_named("CUSTOM").await;
    assert_eq!((next.get("Event-Subclass"), next.get("N")), (Some("t::load"), Some("92")));
}

#[tokio::test]
async fn sendevent_naming_a_channel_reaches_the_socket_locked_on_it() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::authed(addr).await;
    let uuid = c.cmd("api originate sim/henry &park").await.body.trim()[4..].to_owned();
    c.cmd(&format!("myevents {uuid}")).await;
    c.cmd("event plain CUSTOM note::x").await;
    let mut other = Client::authed(addr).await;
    other.cmd(&format!("sendevent CUSTOM\nEvent-Subclass: note::x\nUnique-ID: {uuid}\nX-Text: hi")).await;
    let ev = c.event_named("CUSTOM").await;
    assert_eq!((ev.get("Unique-ID"), ev.get("X-Text")), (Some(uuid.as_str()), Some("hi")));
    assert_eq!(ev.get("Channel-Name"), Some("sim/henry-00000001"));
}

#[tokio::test]
async fn the_bgapi_api_command_answers_at_once_and_reports_by_event() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    c.cmd("event plain BACKGROUND_JOB").await;
    let reply = c.cmd("api bgapi frobnicate x").await.body;
    let job = reply.strip_prefix("+OK Job-UUID: ").unwrap().trim().to_owned();
    let ev = c.event_named("BACKGROUND_JOB").await;
    assert_eq!(ev.get("Job-UUID"), Some(job.as_str()));
    assert_eq!(ev.body, "frobnicate: Command not found!\n");
}

#[tokio::test]
async fn userauth_accounts_get_their_permissions_and_nothing_more() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::connect(addr).await;
    c.read().await.unwrap();
    let r = c.cmd("userauth ops@example:opspw").await;
    assert_eq!(r.get("Reply-Text"), Some("+OK accepted"));
    assert_eq!(r.get("Allowed-Events"), Some("CHANNEL_CREATE HEARTBEAT"));
    assert_eq!((r.get("Allowed-API"), r.get("Allowed-LOG")), (Some("status"), Some("false")));
    assert_eq!(c.cmd("api status").await.get("Content-Type"), Some("api/response"));
    assert_eq!(c.cmd("api uuid_kill x").await.get("Reply-Text"), Some("-ERR permission denied"));
    assert_eq!(c.cmd("event plain ALL").await.get("Reply-Text"), Some("-ERR permission denied"));
    assert_eq!(c.cmd("event plain HEARTBEAT").await.get("Reply-Text"), Some("+OK event listener enabled plain"));
    assert_eq!(c.cmd("log").await.get("Reply-Text"), Some("-ERR permission denied"));
    let mut bad = Client::connect(addr).await;
    bad.read().await.unwrap();
    assert_eq!(bad.cmd("userauth ops@example:wrong").await.get("Reply-Text"), Some("-ERR invalid"));
}

#[tokio::test(start_paused = true)]
async fn heartbeat_arrives_every_twenty_seconds_of_switch_time() {
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    assert_eq!(c.cmd("event plain HEARTBEAT").await.get("Reply-Text"), Some("+OK event listener enabled plain"));
    let started = tokio::time::Instant::now();
    let hb = c.event_named("HEARTBEAT").await;
    assert_eq!(hb.get("Event-Info"), Some("System Ready"));
    assert!(started.elapsed() >= std::time::Duration::from_secs(19), "{:?}", started.elapsed());
}

#[tokio::test]
async fn log_sends_log_data_at_or_below_the_level_asked_for() {
    use switchyard_esl::logs::{LogLine, publish};
    let sw = switch();
    let mut c = Client::authed(server(&sw).await).await;
    assert_eq!(c.cmd("log info").await.get("Reply-Text"), Some("+OK log level info [6]"));
    let line = |level: u8, text: &str| LogLine {
        level,
        file: "esl_test.rs".into(),
        func: "log_test".into(),
        line: 7,
        text: format!("{text}\n"),
    };
    publish(line(7, "too chatty"));
    publish(line(4, "log-test-marker"));
    let m = loop {
        let m = c.read().await.unwrap();
        if m.get("Content-Type") == Some("log/data") && m.body.contains("log-test-marker") {
            break m;
        }
        assert!(!m.body.contains("too chatty"), "a DEBUG line passed an INFO listener");
    };
    assert_eq!((m.get("Log-Level"), m.get("Log-File"), m.get("Log-Line")), (Some("4"), Some("esl_test.rs"), Some("7")));
    assert_eq!(c.cmd("nolog").await.get("Reply-Text"), Some("+OK no longer logging"));
}
