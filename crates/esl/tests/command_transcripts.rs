//! Replays tests/transcripts/{inbound,outbound}_commands.txt against a live server: every reply must match
//! the expected bytes (events and log lines that arrive in between are skipped; <UUID> matches any UUID).

mod common;

use common::{server, switch};
use regex::Regex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

enum Step {
    Send(String),
    Expect(String),
}

/// Splits the transcript at `>>>` (send) and `<<<` (expect) marker lines; `#` lines are comments.
fn steps(text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut current: Option<(bool, String)> = None;
    for line in text.split_inclusive('\n').filter(|l| !l.starts_with('#')) {
        match line {
            ">>>\n" | "<<<\n" => {
                steps.extend(current.take().map(to_step));
                current = Some((line == ">>>\n", String::new()));
            }
            _ => current.as_mut().expect("a marker first").1.push_str(line),
        }
    }
    steps.extend(current.map(to_step));
    steps
}

fn to_step((send, text): (bool, String)) -> Step {
    if send { Step::Send(text) } else { Step::Expect(text) }
}

/// Reads one raw frame: the header block, then Content-Length bytes.
async fn read_frame(s: &mut TcpStream, buf: &mut Vec<u8>) -> String {
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
            let head = String::from_utf8_lossy(&buf[..end + 2]).into_owned();
            let len: usize =
                head.lines().find_map(|l| l.strip_prefix("Content-Length: ")).and_then(|v| v.parse().ok()).unwrap_or(0);
            if buf.len() >= end + 2 + len {
                let frame = String::from_utf8_lossy(&buf[..end + 2 + len]).into_owned();
                buf.drain(..end + 2 + len);
                return frame;
            }
        }
        let mut chunk = [0u8; 8192];
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "server closed early");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn pattern(expected: &str) -> Regex {
    let escaped =
        regex::escape(expected).replace("<UUID>", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    Regex::new(&format!("^{escaped}$")).unwrap()
}

async fn replay(s: &mut TcpStream, file: &str) {
    let text = std::fs::read_to_string(format!("{}/tests/transcripts/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut buf = Vec::new();
    for step in steps(&text) {
        match step {
            Step::Send(cmd) => s.write_all(cmd.as_bytes()).await.unwrap(),
            Step::Expect(want) => loop {
                let got = read_frame(s, &mut buf).await;
                let log_line = got.starts_with("Content-Type: log/data\n");
                if log_line || got.starts_with("Content-Length: ") && got.contains("Content-Type: text/event-") {
                    continue;
                }
                assert!(pattern(&want).is_match(&got), "{file}: expected:\n{want}\n---- got:\n{got}");
                break;
            },
        }
    }
}

#[tokio::test]
async fn every_inbound_command_replies_as_freeswitch() {
    let sw = switch();
    let mut s = TcpStream::connect(server(&sw).await).await.unwrap();
    replay(&mut s, "inbound_commands.txt").await;
}

#[tokio::test]
async fn every_outbound_command_replies_as_freeswitch() {
    use switchyard_core::{OriginateRequest, OriginateTarget};
    let sw = switch();
    server(&sw).await;
    let app_server = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let args = format!("127.0.0.1:{} async full", app_server.local_addr().unwrap().port());
    let target = OriginateTarget::App { name: "socket".into(), args };
    let _pending = sw.originate(OriginateRequest::new("sim/transcript", target)).unwrap();
    let (mut s, _) = app_server.accept().await.unwrap();
    s.write_all(b"connect\n\n").await.unwrap();
    let reply = read_frame(&mut s, &mut Vec::new()).await;
    assert!(reply.starts_with("Event-Name: CHANNEL_DATA\n") && reply.ends_with("Control: full\n\n"), "{reply}");
    replay(&mut s, "outbound_commands.txt").await;
}
