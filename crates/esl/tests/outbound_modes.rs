//! Outbound socket modes and session commands FreeSWITCH's mod_event_socket/switch_ivr.c define:
//! non-`async` runs applications inline (no park), `xferext` runs a transient extension,
//! `divert_events` delivers the controlled channel's events, `nomedia` is refused honestly.

mod common;

use common::{Client, Msg, server, switch};

trait AnyEvent {
    async fn event_named_any(&mut self) -> String;
}

impl AnyEvent for Client {
    /// The name of the next plain event.
    async fn event_named_any(&mut self) -> String {
        loop {
            let m = self.read().await.expect("open");
            if m.get("Content-Type") == Some("text/event-plain") {
                return m.event().get("Event-Name").unwrap_or("").to_owned();
            }
        }
    }
}
use switchyard_core::tech::RemoteAction;
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

/// Runs `sleep 10` twice with blocking-style sendmsg; returns the event names seen meanwhile, up to
/// the second CHANNEL_EXECUTE_COMPLETE (replies are checked and skipped).
async fn execute_twice(c: &mut Client) -> Vec<String> {
    c.cmd("event plain CHANNEL_PARK CHANNEL_UNPARK CHANNEL_EXECUTE_COMPLETE").await;
    let mut names = Vec::new();
    for _ in 0..2 {
        c.send(b"sendmsg\ncall-command: execute\nexecute-app-name: sleep\nexecute-app-arg: 10\n\n").await;
        loop {
            let m = c.read().await.expect("open");
            if m.get("Content-Type") == Some("command/reply") {
                assert_eq!(m.get("Reply-Text"), Some("+OK"));
                break;
            }
            names.push(m.event().get("Event-Name").unwrap_or("").to_owned());
        }
    }
    while names.iter().filter(|n| *n == "CHANNEL_EXECUTE_COMPLETE").count() < 2 {
        names.push(c.event_named_any().await);
    }
    names
}

#[tokio::test]
async fn without_async_applications_run_inline_and_the_channel_never_parks() {
    let sw = switch();
    let (mut c, _) = call_into_socket(&sw, "full").await;
    c.cmd("connect").await;
    let names = execute_twice(&mut c).await;
    assert_eq!(names, ["CHANNEL_EXECUTE_COMPLETE", "CHANNEL_EXECUTE_COMPLETE"]);
}

#[tokio::test]
async fn with_async_the_channel_parks_between_applications() {
    let sw = switch();
    let (mut c, _) = call_into_socket(&sw, "async full").await;
    c.cmd("connect").await;
    let names = execute_twice(&mut c).await;
    assert_eq!(names[0], "CHANNEL_UNPARK", "{names:?}");
    assert_eq!(c.event_named_any().await, "CHANNEL_PARK");
}

#[tokio::test]
async fn xferext_runs_its_applications_in_order_then_hangs_up() {
    let sw = switch();
    let (mut c, uuid) = call_into_socket(&sw, "async full").await;
    c.cmd("connect").await;
    c.cmd("myevents").await;
    let r = c.cmd("sendmsg\ncall-command: xferext\napplication: NoOp first step\napplication: sleep 10").await;
    assert_eq!(r.get("Reply-Text"), Some("+OK"));
    let mut ran = Vec::new();
    loop {
        let m = c.read().await.expect("open");
        if m.get("Content-Type") == Some("text/disconnect-notice") {
            break;
        }
        let ev: Msg = m.event();
        if ev.get("Event-Name") == Some("CHANNEL_EXECUTE") {
            ran.push(format!("{} {}", ev.get("Application").unwrap_or(""), ev.get("Application-Data").unwrap_or("")));
            assert_eq!(ev.get("Unique-ID"), Some(uuid.as_str()));
        }
    }
    assert_eq!(ran, ["NoOp first step", "sleep 10", "hangup NORMAL_CLEARING"]);
}

#[tokio::test]
async fn divert_events_delivers_the_channels_digits_and_sent_events_without_a_subscription() {
    let sw = switch();
    let (mut c, uuid) = call_into_socket(&sw, "async full").await;
    c.cmd("connect").await;
    assert_eq!(c.cmd("divert_events on").await.get("Reply-Text"), Some("+OK events diverted"));
    let id = uuid.parse().unwrap();
    sw.channels().get(id).unwrap().remote(RemoteAction::Dtmf('7')).unwrap();
    let dtmf = c.event_named("DTMF").await;
    assert_eq!((dtmf.get("DTMF-Digit"), dtmf.get("Unique-ID")), (Some("7"), Some(uuid.as_str())));
    let addr = server(&sw).await;
    let mut other = Client::authed(addr).await;
    let r = other.cmd(&format!("sendevent CUSTOM\nEvent-Subclass: app::note\nUnique-ID: {uuid}\nNote: hi")).await;
    assert!(r.get("Reply-Text").unwrap().starts_with("+OK"));
    let custom = c.event_named("CUSTOM").await;
    assert_eq!((custom.get("Event-Subclass"), custom.get("Note")), (Some("app::note"), Some("hi")));
}

#[tokio::test]
async fn nomedia_and_unicast_without_media_say_why_they_are_refused() {
    let sw = switch();
    let (mut c, _) = call_into_socket(&sw, "async full").await;
    c.cmd("connect").await;
    let r = c.cmd("sendmsg\ncall-command: nomedia\nnomedia-uuid: x").await;
    assert_eq!(r.get("Reply-Text"), Some("-ERR nomedia: media bypass is not supported by Switchyard"));
    let r = c.cmd("sendmsg\ncall-command: unicast\nremote-port: 9").await;
    assert_eq!(r.get("Reply-Text"), Some("-ERR unicast: the channel carries no media"));
    let r = c.cmd("sendmsg\ncall-command: unicast\ntransport: sctp").await;
    assert!(r.get("Reply-Text").unwrap().starts_with("-ERR"), "{r:?}");
}

#[tokio::test]
async fn each_processed_execute_is_followed_by_private_command_repeating_the_message_first() {
    let sw = switch();
    let (mut c, uuid) = call_into_socket(&sw, "async full").await;
    c.cmd("connect").await;
    c.cmd("event plain CHANNEL_EXECUTE_COMPLETE PRIVATE_COMMAND").await;
    c.send(b"sendmsg\ncall-command: execute\nexecute-app-name: NoOp\nexecute-app-arg: x\nEvent-UUID: pc-1\n\n").await;
    assert_eq!(c.event_named_any().await, "CHANNEL_EXECUTE_COMPLETE");
    let private = c.event_named("PRIVATE_COMMAND").await;
    assert_eq!(private.headers[0], ("Command".to_owned(), "sendmsg".to_owned()));
    assert_eq!((private.get("execute-app-name"), private.get("Event-UUID")), (Some("NoOp"), Some("pc-1")));
    assert_eq!(private.get("Unique-ID"), Some(uuid.as_str()));
}
