//! A minimal AMI client for the server tests: reads the banner and whole messages (up to the empty line).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use switchyard_ami::proto::{Privilege, parse_classes};
use switchyard_ami::{AmiServerConfig, AmiUser, serve};
use switchyard_core::{BusConfig, Switch, SwitchConfig, SwitchInfo, SystemClock};
use switchyard_sched::{Scheduler, SchedulerConfig};
use switchyard_store::SqliteStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const SECRET: &str = "s3cret";

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

pub fn user(name: &str, read: &str, write: &str) -> AmiUser {
    AmiUser {
        username: name.into(),
        secret: SECRET.into(),
        read: parse_classes(read).unwrap(),
        write: parse_classes(write).unwrap(),
        permit: None,
    }
}

pub async fn server(sw: &Switch) -> SocketAddr {
    server_with(sw, |_| {}).await
}

pub async fn server_with(sw: &Switch, tweak: impl FnOnce(&mut AmiServerConfig)) -> SocketAddr {
    let users = vec![user("admin", "all", "all"), user("reader", "call", "system")];
    let mut config = AmiServerConfig::new("127.0.0.1:0".parse().unwrap(), users);
    config.auth_failure_delay = Duration::from_millis(1);
    let store: Arc<dyn switchyard_store::Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let sched_config = SchedulerConfig { overdue_grace: Duration::from_secs(60), host: "test".into() };
    config.scheduler = Some(Scheduler::start(sw.clone(), store.clone(), sched_config).await.unwrap());
    config.store = Some(store);
    tweak(&mut config);
    serve(config, sw.clone()).await.unwrap().0
}

/// One message from the server.
#[derive(Debug, Clone)]
pub struct Msg {
    pub raw: String,
    pub headers: Vec<(String, String)>,
}

impl Msg {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn event(&self) -> Option<&str> {
        self.get("Event")
    }
}

pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
    pub banner: String,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Self {
        let mut c = Self { stream: TcpStream::connect(addr).await.unwrap(), buf: Vec::new(), banner: String::new() };
        c.banner = c.read_line().await;
        c
    }

    /// Connects and logs in as `admin`, discarding FullyBooted and SuccessfulAuth.
    pub async fn admin(addr: SocketAddr) -> Self {
        let mut c = Self::connect(addr).await;
        let r = c.action("Login", &[("Username", "admin"), ("Secret", SECRET)]).await;
        assert_eq!(r.get("Message"), Some("Authentication accepted"));
        c.wait_event("SuccessfulAuth").await;
        c
    }

    async fn read_line(&mut self) -> String {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                self.buf.drain(..i + 2);
                return line;
            }
            self.fill().await;
        }
    }

    async fn fill(&mut self) {
        let mut tmp = [0u8; 8192];
        let n = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut tmp))
            .await
            .expect("server silent for 10 s")
            .unwrap();
        assert!(n > 0, "connection closed; buffered: {:?}", String::from_utf8_lossy(&self.buf));
        self.buf.extend_from_slice(&tmp[..n]);
    }

    /// The next whole message.
    pub async fn next(&mut self) -> Msg {
        loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let raw = String::from_utf8_lossy(&self.buf[..i + 4]).into_owned();
                self.buf.drain(..i + 4);
                let headers = raw
                    .split("\r\n")
                    .filter_map(|l| l.split_once(": "))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                return Msg { raw, headers };
            }
            self.fill().await;
        }
    }

    /// True when the server closed the connection (after reading what is left).
    pub async fn closed(&mut self) -> bool {
        let mut tmp = [0u8; 1024];
        loop {
            match tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut tmp)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
                Err(_) => return false,
            }
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    pub async fn send_action(&mut self, name: &str, headers: &[(&str, &str)]) {
        let mut text = format!("Action: {name}\r\n");
        for (k, v) in headers {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        text.push_str("\r\n");
        self.send(text.as_bytes()).await;
    }

    /// Sends an action with an `ActionID` and returns the response to it (events before it are skipped).
    pub async fn action(&mut self, name: &str, headers: &[(&str, &str)]) -> Msg {
        let id = format!("id-{name}-{}", headers.len());
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.push(("ActionID", &id));
        self.send_action(name, &all).await;
        loop {
            let m = self.next().await;
            if m.get("Response").is_some() && m.get("ActionID") == Some(id.as_str()) {
                return m;
            }
        }
    }

    /// Skips messages until the event called `name`.
    pub async fn wait_event(&mut self, name: &str) -> Msg {
        loop {
            let m = self.next().await;
            if m.event() == Some(name) {
                return m;
            }
        }
    }
}

pub fn privilege(text: &str) -> Privilege {
    parse_classes(text).unwrap()
}
