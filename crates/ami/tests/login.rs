//! Login, challenge, ACL, permissions and malformed input against the real server over TCP.

mod common;

use std::sync::Arc;

use common::{Client, SECRET, server, server_with, switch};
use switchyard_ami::proto::md5_key;

#[tokio::test]
async fn banner_then_plain_login_answers_as_asterisk_with_fully_booted() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::connect(addr).await;
    assert_eq!(c.banner, "Asterisk Call Manager/11.0.0");
    c.send(b"Action: Login\r\nUsername: admin\r\nSecret: s3cret\r\nActionID: login-1\r\n\r\n").await;
    let r = c.next().await;
    assert_eq!(r.raw, "Response: Success\r\nActionID: login-1\r\nMessage: Authentication accepted\r\n\r\n");
    let booted = c.next().await;
    assert!(booted.raw.starts_with("Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: "));
    assert!(booted.raw.ends_with("Status: Fully Booted\r\n\r\n"));
    let auth = c.next().await;
    assert_eq!(auth.event(), Some("SuccessfulAuth"));
    assert_eq!(auth.get("AccountID"), Some("admin"));
    assert_eq!(auth.get("Service"), Some("AMI"));
}

#[tokio::test]
async fn md5_challenge_login_is_accepted_and_a_wrong_key_fails() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::connect(addr).await;
    let r = c.action("Challenge", &[("AuthType", "md5")]).await;
    let challenge = r.get("Challenge").unwrap().to_owned();
    let key = md5_key(&challenge, SECRET);
    let r = c.action("Login", &[("AuthType", "MD5"), ("Username", "admin"), ("Key", &key)]).await;
    assert_eq!(r.get("Message"), Some("Authentication accepted"));

    let mut bad = Client::connect(addr).await;
    bad.action("Challenge", &[("AuthType", "md5")]).await;
    let r = bad.action("Login", &[("AuthType", "md5"), ("Username", "admin"), ("Key", "00")]).await;
    assert_eq!((r.get("Response"), r.get("Message")), (Some("Error"), Some("Authentication failed")));
    assert!(bad.closed().await);
    let ev = c.wait_event("ChallengeResponseFailed").await;
    assert_eq!(ev.get("ExpectedResponse"), Some(md5_key(ev.get("Challenge").unwrap(), SECRET).as_str()));
}

#[tokio::test]
async fn a_wrong_password_fails_closes_and_reports_invalid_password_to_security_readers() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut watcher = Client::admin(addr).await;
    let mut c = Client::connect(addr).await;
    c.send(b"Action: Login\r\nUsername: admin\r\nSecret: nope\r\nActionID: l\r\n\r\n").await;
    assert_eq!(c.next().await.raw, "Response: Error\r\nActionID: l\r\nMessage: Authentication failed\r\n\r\n");
    assert!(c.closed().await);
    let ev = watcher.wait_event("InvalidPassword").await;
    assert_eq!((ev.get("AccountID"), ev.get("Severity")), (Some("admin"), Some("Error")));
    let mut c = Client::connect(addr).await;
    c.action("Login", &[("Username", "ghost"), ("Secret", "x")]).await;
    assert_eq!(watcher.wait_event("InvalidAccountID").await.get("AccountID"), Some("ghost"));
}

#[tokio::test]
async fn the_permit_acl_refuses_other_addresses_with_failed_acl() {
    let sw = switch();
    let addr = server_with(&sw, |c| c.users[1].permit = Some(Arc::new(|ip: std::net::IpAddr| !ip.is_loopback()))).await;
    let mut watcher = Client::admin(addr).await;
    let mut c = Client::connect(addr).await;
    let r = c.action("Login", &[("Username", "reader"), ("Secret", SECRET)]).await;
    assert_eq!(r.get("Message"), Some("Authentication failed"));
    assert_eq!(watcher.wait_event("FailedACL").await.get("AccountID"), Some("reader"));
}

#[tokio::test]
async fn actions_before_login_are_denied_and_reported() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut watcher = Client::admin(addr).await;
    let mut c = Client::connect(addr).await;
    let r = c.action("Ping", &[]).await;
    assert_eq!(r.get("Message"), Some("Permission denied"));
    assert_eq!(watcher.wait_event("RequestNotAllowed").await.get("RequestType"), Some("Ping"));
}

#[tokio::test]
async fn an_unknown_action_is_an_error_and_the_session_carries_on() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    c.send(b"Action: NoSuchAction\r\nActionID: bad-1\r\n\r\n").await;
    let r = c.next().await;
    assert_eq!(
        r.raw,
        "Response: Error\r\nActionID: bad-1\r\nMessage: Invalid/unknown command: NoSuchAction. \
         Use Action: ListCommands to show available commands.\r\n\r\n"
    );
    assert_eq!(c.next().await.event(), Some("RequestBadFormat"));
    assert_eq!(c.action("Ping", &[]).await.get("Ping"), Some("Pong"));
}

#[tokio::test]
async fn a_two_kib_garbage_line_is_an_error_and_the_connection_survives() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    let mut garbage = vec![b'#'; 2048];
    garbage.extend_from_slice(b"\r\n\r\n");
    c.send(&garbage).await;
    let r = c.next().await;
    assert_eq!(r.get("Response"), Some("Error"));
    assert!(r.get("Message").unwrap().starts_with("Line too long"));
    c.send(&[0xff, 0xfe, b'\r', b'\n', b'\r', b'\n']).await;
    assert_eq!(c.next().await.get("Message"), Some("Missing action in request"));
    assert_eq!(c.action("Ping", &[]).await.get("Ping"), Some("Pong"));
}

#[tokio::test]
async fn a_user_without_the_write_class_is_denied_the_action() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::connect(addr).await;
    let r = c.action("Login", &[("Username", "reader"), ("Secret", SECRET)]).await;
    assert_eq!(r.get("Message"), Some("Authentication accepted"));
    let r = c.action("Originate", &[("Channel", "sim/x"), ("Application", "Wait"), ("Data", "1")]).await;
    assert_eq!(r.get("Message"), Some("Permission denied"));
    let r = c.action("DBPut", &[("Family", "f"), ("Key", "k"), ("Val", "v")]).await;
    assert_eq!(r.get("Message"), Some("Updated database successfully"));
}

#[tokio::test]
async fn logoff_says_goodbye_and_closes() {
    let sw = switch();
    let addr = server(&sw).await;
    let mut c = Client::admin(addr).await;
    c.send(b"Action: Logoff\r\nActionID: logoff-1\r\n\r\n").await;
    assert_eq!(
        c.next().await.raw,
        "Response: Goodbye\r\nActionID: logoff-1\r\nMessage: Thanks for all the fish.\r\n\r\n"
    );
    assert!(c.closed().await);
}

#[tokio::test]
async fn an_idle_unauthenticated_connection_is_closed_after_the_auth_timeout() {
    let sw = switch();
    let addr = server_with(&sw, |c| c.auth_timeout = std::time::Duration::from_millis(50)).await;
    let mut c = Client::connect(addr).await;
    assert!(c.closed().await);
}

#[tokio::test]
async fn connections_beyond_the_auth_limit_are_closed_until_one_logs_in() {
    use tokio::io::AsyncReadExt;
    let sw = switch();
    let addr = server_with(&sw, |c| c.auth_limit = 2).await;
    let mut first = Client::connect(addr).await;
    let _second = Client::connect(addr).await;
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert_eq!(third.read(&mut [0u8; 64]).await.unwrap(), 0);
    let r = first.action("Login", &[("Username", "admin"), ("Secret", SECRET)]).await;
    assert_eq!(r.get("Message"), Some("Authentication accepted"));
    assert_eq!(Client::connect(addr).await.banner, "Asterisk Call Manager/11.0.0");
}
