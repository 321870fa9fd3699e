//! Outbound mode: the `socket` app connects a channel to the client's server; `connect`, myevents,
//! linger, sendmsg and the disconnect notices as reference/freeswitch.md §4 and §11 describe.

mod common;

use common::{Client, server, switch};
use switchyard_core::{OriginateRequest, OriginateTarget, Switch};
use tokio::net::TcpListener;

async fn call_into_socket(sw: &Switch, flags: &str) -> (Client, String) {
    server(sw).await;
    let app_server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = app_server.local_addr().unwrap().port();
    let target = OriginateTarget::App { name: "socket".into(), args: format!("127.0.0.1:{port} {flags}") };
    let pending = sw.originate(OriginateRequest::new("sim/outbound", target)).unwrap();
    let uuid = pending.channel.id().to_string();
    let (stream, _) = app_server.accept().await.unwrap();
    (Client::from_stream(stream), uuid)
}

#[tokio::test]
async fn connect_returns_the_channel_data_with_socket_mode_and_control() {
    let sw = switch();
    let (mut c, uuid) = call_into_socket(&sw, "async full").await;
    let r = c.cmd("connect").await;
    assert_eq!(r.get("Content-Type"), Some("command/reply"));
    assert_eq!(r.get("Reply-Text"), Some("+OK\n"));
    assert_eq!(r.get("Event-Name"), Some("CHANNEL_DATA"));
    assert_eq!(r.get("Unique-ID"), Some(uuid.as_str()));
    assert_eq!(r.get("Channel-Unique-ID"), Some(uuid.as_str()));
    assert_eq!(r.get("variable_uuid"), Some(uuid.as_str()));
    assert_eq!((r.get("Socket-Mode"), r.get("Control")), (Some("async"), Some("full")));
}

#[tokio::test]
async fn execute_hangup_linger_and_exit_in_async_full_mode() {
    let sw = switch();
    let (mut c, uuid) = call_into_socket(&sw, "async full").await;
    c.cmd("connect").await;
    assert_eq!(c.cmd("myevents").await.get("Reply-Text"), Some("+OK Events Enabled"));
    assert_eq!(c.cmd("linger 5").await.get("Reply-Text"), Some("+OK will linger 5 seconds"));
    let r = c.cmd("sendmsg\ncall-command: execute\nexecute-app-name: answer\nevent-lock: true\nEvent-UUID: ev-1").await;
    assert_eq!(r.get("Reply-Text"), Some("+OK"));
    let done = c.event_named("CHANNEL_EXECUTE_COMPLETE").await;
    assert_eq!((done.get("Application-UUID"), done.get("Unique-ID")), (Some("ev-1"), Some(uuid.as_str())));
    c.cmd("sendmsg\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING").await;
    let notice = loop {
        let m = c.read().await.unwrap();
        if m.get("Content-Type") == Some("text/disconnect-notice") {
            break m;
        }
    };
    assert_eq!(notice.get("Content-Disposition"), Some("linger"));
    assert_eq!(notice.get("Linger-Time"), Some("5"));
    assert_eq!(notice.get("Controlled-Session-UUID"), Some(uuid.as_str()));
    let bye = loop {
        let m = c.cmd("exit").await;
        if m.get("Reply-Text") == Some("+OK bye") {
            break c.read().await.unwrap();
        }
    };
    assert_eq!(bye.get("Content-Disposition"), Some("disconnect"));
}

#[tokio::test]
async fn without_full_only_the_session_commands_work() {
    let sw = switch();
    let (mut c, _) = call_into_socket(&sw, "async").await;
    c.cmd("connect").await;
    assert_eq!(c.cmd("api status").await.get("Reply-Text"), Some("-ERR command not found"));
    assert_eq!(c.cmd("linger").await.get("Reply-Text"), Some("-ERR command not found"));
    assert_eq!(c.cmd("filter Unique-ID x").await.get("Reply-Text"), Some("+OK filter added. [Unique-ID]=[x]"));
}

#[tokio::test]
async fn static_mode_replies_to_execute_only_after_the_application_finished() {
    let sw = switch();
    let (mut c, uuid) = call_into_socket(&sw, "full").await;
    assert_eq!(c.cmd("connect").await.get("Socket-Mode"), Some("static"));
    c.cmd("event plain CHANNEL_EXECUTE_COMPLETE").await;
    let r = c.cmd("sendmsg\ncall-command: execute\nexecute-app-name: sleep\nexecute-app-arg: 50").await;
    assert_eq!(r.get("Reply-Text"), Some("+OK"));
    // The completion event was published before the reply: it is already queued behind it.
    let done = c.event_named("CHANNEL_EXECUTE_COMPLETE").await;
    assert_eq!(done.get("Unique-ID"), Some(uuid.as_str()));
}

#[tokio::test]
async fn closing_the_socket_without_resume_hangs_the_call_up() {
    let sw = switch();
    let (mut c, uuid) = call_into_socket(&sw, "async full").await;
    c.cmd("connect").await;
    let mut sub = sw.bus().subscribe("t");
    drop(c);
    loop {
        let switchyard_core::BusItem::Event(e) = sub.recv().await else { continue };
        if matches!(e.kind, switchyard_core::EventKind::ChannelDestroy)
            && e.channel.as_ref().is_some_and(|s| s.id.to_string() == uuid)
        {
            break;
        }
    }
}
