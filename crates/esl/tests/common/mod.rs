//! A minimal ESL client for the server tests: reads frames (headers, blank line, Content-Length body).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use switchyard_core::{BusConfig, Switch, SwitchConfig, SwitchInfo, SystemClock};
use switchyard_esl::proto::Limits;
use switchyard_esl::{EslServerConfig, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const PASSWORD: &str = "s3cret";

pub fn switch() -> Switch {
    Switch::new(SwitchConfig {
        info: SwitchInfo {
            version: "0.1.0".into(),
            hostname: "test".into(),
            core_uuid: "core-1".into(),
            max_channels: 0,
        },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    })
}

pub async fn server(sw: &Switch) -> SocketAddr {
    server_with(sw, None, Limits::default()).await
}

pub async fn server_with(sw: &Switch, acl: Option<switchyard_esl::server::Acl>, limits: Limits) -> SocketAddr {
    let users =
        vec![switchyard_esl::server::EslUser::new("ops@example", "opspw", "HEARTBEAT CHANNEL_CREATE", "status", false)];
    let config =
        EslServerConfig { listen: "127.0.0.1:0".parse().unwrap(), password: PASSWORD.into(), acl, limits, users };
    serve(config, sw.clone()).await.unwrap().0
}

/// One frame from the server.
#[derive(Debug, Clone)]
pub struct Msg {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Msg {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Headers of a plain event body.
    pub fn event(&self) -> Msg {
        parse_block(self.body.as_bytes())
    }
}

fn parse_block(block: &[u8]) -> Msg {
    let text = String::from_utf8_lossy(block);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let headers = head
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), switchyard_esl::proto::urlenc::decode(v)))
        .collect();
    Msg { headers, body: body.to_owned() }
}

pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Self {
        Self { stream: TcpStream::connect(addr).await.unwrap(), buf: Vec::new() }
    }

    pub fn from_stream(stream: TcpStream) -> Self {
        Self { stream, buf: Vec::new() }
    }

    pub async fn authed(addr: SocketAddr) -> Self {
        let mut c = Self::connect(addr).await;
        assert_eq!(c.read().await.unwrap().get("Content-Type"), Some("auth/request"));
        let r = c.cmd(&format!("auth {PASSWORD}")).await;
        assert_eq!(r.get("Reply-Text"), Some("+OK accepted"));
        c
    }

    pub async fn send(&mut self, raw: &[u8]) {
        self.stream.write_all(raw).await.unwrap();
    }

    /// Sends one command (adds the blank line) and returns the next frame.
    pub async fn cmd(&mut self, line: &str) -> Msg {
        self.send(format!("{line}\n\n").as_bytes()).await;
        self.read().await.expect("a reply")
    }

    /// The next frame, or None when the server closed.
    pub async fn read(&mut self) -> Option<Msg> {
        loop {
            if let Some(pos) = find(&self.buf, b"\n\n") {
                let head = parse_block(&self.buf[..pos + 2]);
                let len: usize = head.get("Content-Length").and_then(|l| l.parse().ok()).unwrap_or(0);
                if self.buf.len() >= pos + 2 + len {
                    let body = String::from_utf8_lossy(&self.buf[pos + 2..pos + 2 + len]).into_owned();
                    self.buf.drain(..pos + 2 + len);
                    return Some(Msg { headers: head.headers, body });
                }
            }
            let mut chunk = [0u8; 8192];
            match self.stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Reads frames until an event named `name` (plain) arrives; returns its parsed body.
    pub async fn event_named(&mut self, name: &str) -> Msg {
        loop {
            let m = self.read().await.expect("connection open");
            if m.get("Content-Type") == Some("text/event-plain") {
                let ev = m.event();
                if ev.get("Event-Name") == Some(name) {
                    return ev;
                }
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
