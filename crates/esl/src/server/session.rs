//! One Event Socket connection (inbound client or outbound `socket` app): its state, and the loop
//! that moves bytes between the socket, the protocol core and the event bus.

use std::sync::Arc;
use std::time::Duration;

use std::io::IoSlice;

use bytes::{Buf, Bytes, BytesMut};
use switchyard_core::{BusItem, ChannelId, Event, EventKind, Subscription};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::broadcast;
use tokio::time::{Instant, sleep_until};

use super::Shared;
use super::cache::PreparedEvent;
use super::subscription::{EventSet, Filters};
use crate::logs::LogLine;
use crate::proto::{self, Decoder, EventFormat, FrameError};

/// How long an unauthenticated inbound client may stay silent (FreeSWITCH: 25 s).
const AUTH_TIMEOUT: Duration = Duration::from_secs(25);
/// `LOG` events carry lines at this FreeSWITCH level or more severe (INFO) unless `log <level>` says otherwise.
const LOG_EVENT_LEVEL: u8 = 6;

/// Who started the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A client connected to our listener.
    Inbound,
    /// The `socket` app connected to a client's server.
    Outbound {
        /// `async`: the channel parks and runs queued messages; replies do not wait.
        asynchronous: bool,
        /// `full`: every inbound command is allowed.
        full: bool,
    },
}

/// The channel a connection controls (outbound, or inbound after `myevents <uuid>`).
#[derive(Clone, Debug)]
pub struct Controlled {
    /// Its id.
    pub id: ChannelId,
    /// Its name (for the linger notice).
    pub name: String,
}

/// The state of one connection.
pub struct Session {
    pub(super) shared: Arc<Shared>,
    pub(super) mode: Mode,
    pub(super) out: BytesMut,
    /// Frames ready to write, in order (shared event frames are queued without copying).
    pub(super) queue: Vec<Bytes>,
    pub(super) authed: bool,
    /// The `userauth` account, when the connection is restricted to it.
    pub(super) account: Option<super::EslUser>,
    pub(super) format: EventFormat,
    pub(super) events: EventSet,
    pub(super) filters: Filters,
    pub(super) sub: Option<Subscription>,
    pub(super) controlled: Option<Controlled>,
    pub(super) myevents: bool,
    /// FreeSWITCH's `LFLAG_EVENTS`: set by `event`/`myevents`, cleared by `noevents` only.
    pub(super) listening: bool,
    pub(super) linger: Option<Option<u32>>,
    pub(super) linger_until: Option<Instant>,
    pub(super) divert: bool,
    pub(super) log_level: Option<u8>,
    pub(super) logs: Option<broadcast::Receiver<Arc<LogLine>>>,
    pub(super) resume: bool,
    pub(super) closing: bool,
    pub(super) peer: String,
}

enum Wake {
    Read(std::io::Result<usize>),
    Events,
    Log(Result<Arc<LogLine>, broadcast::error::RecvError>),
    LingerOver,
    AuthTimeout,
}

impl Session {
    /// A new connection's state.
    pub fn new(shared: Arc<Shared>, mode: Mode, controlled: Option<Controlled>, peer: String) -> Self {
        Self {
            shared,
            authed: mode != Mode::Inbound,
            mode,
            account: None,
            out: BytesMut::with_capacity(4096),
            queue: Vec::with_capacity(256),
            format: EventFormat::Plain,
            events: EventSet::default(),
            filters: Filters::default(),
            sub: None,
            controlled,
            myevents: false,
            listening: false,
            linger: None,
            linger_until: None,
            divert: false,
            log_level: None,
            logs: None,
            resume: false,
            closing: false,
            peer,
        }
    }

    /// Runs the connection until either side closes it. Returns whether `resume` was asked for.
    pub async fn run(mut self, stream: TcpStream) -> bool {
        let _ = stream.set_nodelay(true);
        let (mut rd, mut wr) = stream.into_split();
        let mut decoder = Decoder::new(self.shared.limits);
        let mut buf = vec![0u8; 16 * 1024];
        let mut items = Vec::with_capacity(256);
        let auth_deadline = Instant::now() + AUTH_TIMEOUT;
        if self.mode != Mode::Inbound {
            self.ensure_subscribed();
        }
        loop {
            self.process_input(&mut decoder).await;
            self.seal_out();
            if write_frames(&mut wr, &mut self.queue).await.is_err() || self.closing {
                break;
            }
            let linger = self.linger_until;
            let waiting_auth = !self.authed;
            let wake = tokio::select! {
                r = rd.read(&mut buf) => Wake::Read(r),
                _ = next_items(&mut self.sub, &mut items) => Wake::Events,
                line = next_log(&mut self.logs) => Wake::Log(line),
                _ = sleep_until(linger.unwrap_or_else(Instant::now)), if linger.is_some() => Wake::LingerOver,
                _ = sleep_until(auth_deadline), if waiting_auth => Wake::AuthTimeout,
            };
            match wake {
                Wake::Read(Ok(0) | Err(_)) => break,
                Wake::Read(Ok(n)) => decoder.feed(&buf[..n]),
                Wake::Events => self.deliver(&mut items),
                Wake::Log(line) => self.on_log(line),
                Wake::LingerOver | Wake::AuthTimeout => self.goodbye(),
            }
        }
        let _ = wr.shutdown().await;
        tracing::debug!(peer = %self.peer, "event socket connection closed");
        self.resume
    }

    async fn process_input(&mut self, decoder: &mut Decoder) {
        while !self.closing {
            match decoder.next_frame() {
                Ok(Some(frame)) => self.on_frame(frame).await,
                Ok(None) => return,
                Err(FrameError::NotUtf8) => self.reply("-ERR command is not valid UTF-8"),
                Err(e) => {
                    tracing::warn!(peer = %self.peer, "event socket: {e}");
                    self.reply(&format!("-ERR {e}"));
                    self.goodbye();
                }
            }
        }
    }

    /// Appends a `command/reply`.
    pub(super) fn reply(&mut self, text: &str) {
        proto::command_reply(text, &mut self.out);
    }

    /// Sends the disconnect notice and closes.
    pub(super) fn goodbye(&mut self) {
        let uuid = self.controlled.as_ref().map(|c| c.id.to_string());
        proto::disconnect_notice(uuid.as_deref(), proto::GOODBYE, &mut self.out);
        self.closing = true;
    }

    /// Starts reading the bus (from now on) if not already.
    pub(super) fn ensure_subscribed(&mut self) {
        if self.sub.is_none() {
            self.sub = Some(self.shared.switch.bus().subscribe(format!("esl:{}", self.peer)));
        }
    }

    fn deliver(&mut self, items: &mut Vec<BusItem>) {
        for item in items.drain(..) {
            if self.closing {
                continue; // nothing may follow the disconnect notice
            }
            match item {
                BusItem::Lost(n) => self.lost_notice(n),
                BusItem::Event(ev) => self.on_bus_event(&ev),
            }
        }
    }

    fn on_bus_event(&mut self, ev: &Event) {
        let diverted = self.diverted(ev);
        if !self.events.is_empty() || diverted {
            let prepared = self.shared.cache.prepare(ev);
            for p in prepared.iter() {
                if diverted || self.wanted(p) {
                    let frame = p.frame(self.format);
                    self.push_frame(frame);
                }
            }
        }
        self.watch_controlled(ev);
    }

    /// `divert_events on`: the events an embedded script's input callback would get on the controlled
    /// channel (digits, and events sent to the channel: `sendevent`/CUSTOM, MESSAGE) come to this
    /// socket whether or not it subscribed to them (FreeSWITCH delivers the session's queued events).
    fn diverted(&self, ev: &Event) -> bool {
        let Some(c) = self.controlled.as_ref().filter(|_| self.divert) else { return false };
        let mine = ev.channel.as_ref().is_some_and(|s| s.id == c.id);
        mine && matches!(ev.kind, EventKind::Dtmf { .. } | EventKind::Custom { .. })
    }

    fn wanted(&self, p: &PreparedEvent) -> bool {
        if !self.events.wants(&p.name, p.subclass.as_deref()) || !self.filters.pass(p) {
            return false;
        }
        let Some(c) = self.controlled.as_ref().filter(|_| self.myevents) else { return true };
        let own = c.id.to_string();
        p.unique_id.as_deref() == Some(own.as_str()) || p.job_owner.as_deref() == Some(own.as_str())
    }

    /// The controlled channel finished hanging up: linger or close, as FreeSWITCH.
    fn watch_controlled(&mut self, ev: &Event) {
        let Some(c) = &self.controlled else { return };
        let mine = ev.channel.as_ref().is_some_and(|s| s.id == c.id);
        if !mine || !matches!(ev.kind, EventKind::Hangup { .. }) || self.linger_until.is_some() {
            return;
        }
        match self.linger {
            Some(secs) => {
                let (id, name) = (c.id.to_string(), c.name.clone());
                proto::linger_notice(&id, &name, secs, &mut self.out);
                let forever = Instant::now() + Duration::from_secs(100 * 365 * 86_400);
                self.linger_until = Some(secs.map_or(forever, |s| Instant::now() + Duration::from_secs(s.into())));
            }
            None => self.goodbye(),
        }
    }

    /// Switchyard's documented notice for a listener that fell behind: a CUSTOM event
    /// `switchyard::lost_events` with `Lost-Events: <n>` (FreeSWITCH would disconnect it silently).
    fn lost_notice(&mut self, lost: u64) {
        tracing::warn!(peer = %self.peer, lost, "event socket listener fell behind");
        if self.events.is_empty() {
            return;
        }
        let sw = &self.shared.switch;
        let ctx = self.shared.cache.context();
        let mut ev = proto::EslEvent::default();
        ev.push("Event-Subclass", "switchyard::lost_events");
        let base = proto::base_at(sw.bus().next_seq(), sw.now(), ctx, "CUSTOM");
        ev.headers.extend(base.headers);
        ev.push("Lost-Events", lost.to_string());
        let frame = ev.to_frame(self.format);
        self.push_frame(frame);
    }

    /// Sends a log line at or below the level asked for with `log` as `log/data`, and as a `LOG` event
    /// when that event was subscribed by name.
    fn on_log(&mut self, line: Result<Arc<LogLine>, broadcast::error::RecvError>) {
        let line = match line {
            Ok(l) => l,
            Err(broadcast::error::RecvError::Closed) => return self.logs = None,
            Err(broadcast::error::RecvError::Lagged(_)) => return,
        };
        if self.log_level.is_some_and(|level| line.level <= level) {
            proto::log_data(line.level, &line.file, &line.func, line.line, &line.text, &mut self.out);
        }
        if self.events.named("LOG") && line.level <= self.log_level.unwrap_or(LOG_EVENT_LEVEL) {
            self.log_event(&line);
        }
    }

    /// A log line as FreeSWITCH's `LOG` event (switch_log.c fires it with `Log-Data`, `Log-File`,
    /// `Log-Function`, `Log-Line`; we add `Log-Level`), filtered like any other event.
    fn log_event(&mut self, line: &LogLine) {
        let sw = &self.shared.switch;
        let ctx = self.shared.cache.context();
        let mut ev = proto::base_at(sw.bus().next_seq(), sw.now(), ctx, "LOG");
        ev.push("Log-Data", line.text.trim_end().to_owned());
        ev.push("Log-File", line.file.clone());
        ev.push("Log-Function", line.func.clone());
        ev.push("Log-Line", line.line.to_string());
        ev.push("Log-Level", line.level.to_string());
        let prepared = PreparedEvent::new(ev);
        if self.wanted(&prepared) {
            let frame = prepared.frame(self.format);
            self.push_frame(frame);
        }
    }

    /// Reads the log feed while `log` is on or `LOG` events are subscribed, and only then.
    pub(super) fn sync_log_feed(&mut self) {
        let want = self.log_level.is_some() || self.events.named("LOG");
        match (want, self.logs.is_some()) {
            (true, false) => self.logs = Some(crate::logs::subscribe()),
            (false, true) => self.logs = None,
            _ => {}
        }
    }

    /// Queues a rendered frame after whatever replies are pending.
    fn push_frame(&mut self, frame: Bytes) {
        self.seal_out();
        self.queue.push(frame);
    }

    /// Moves pending reply bytes into the write queue.
    fn seal_out(&mut self) {
        if !self.out.is_empty() {
            self.queue.push(self.out.split().freeze());
        }
    }
}

async fn next_log(
    logs: &mut Option<broadcast::Receiver<Arc<LogLine>>>,
) -> Result<Arc<LogLine>, broadcast::error::RecvError> {
    match logs {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn next_items(sub: &mut Option<Subscription>, items: &mut Vec<BusItem>) {
    match sub {
        Some(s) => {
            s.recv_batch(items, 256).await;
        }
        None => std::future::pending().await,
    }
}

/// Writes every queued frame with vectored writes (no copy of shared event bytes).
async fn write_frames(wr: &mut tokio::net::tcp::OwnedWriteHalf, queue: &mut Vec<Bytes>) -> std::io::Result<()> {
    let mut first = 0;
    while first < queue.len() {
        let slices: Vec<IoSlice<'_>> = queue[first..].iter().take(64).map(|b| IoSlice::new(b)).collect();
        let mut written = wr.write_vectored(&slices).await?;
        if written == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        while written > 0 {
            let len = queue[first].len();
            if written >= len {
                written -= len;
                first += 1;
            } else {
                queue[first].advance(written);
                written = 0;
            }
        }
    }
    queue.clear();
    Ok(())
}
