//! One manager connection: its state, and the loop that moves bytes between the socket, the protocol
//! core, the event bus, the security broadcast and actions finishing in the background.

use std::io::IoSlice;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use switchyard_core::{BusItem, Event, Subscription};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{broadcast, mpsc};
use tokio::time::{Instant, sleep_until};

use super::filter::Filters;
use super::{Shared, UnauthSlot};
use crate::proto::security::{SecurityEvent, SessionFacts, address};
use crate::proto::{Decoder, FrameError, Message, Privilege, Response, time};

/// A logged-in user's rights.
#[derive(Clone, Debug)]
pub struct LoggedIn {
    /// Account name.
    pub name: String,
    /// Event classes it may read.
    pub read: Privilege,
    /// Action classes it may run.
    pub write: Privilege,
}

/// The state of one connection.
pub struct Session {
    pub(super) shared: Arc<Shared>,
    pub(super) peer: SocketAddr,
    pub(super) facts: SessionFacts,
    pub(super) out: BytesMut,
    queue: Vec<Bytes>,
    pub(super) user: Option<LoggedIn>,
    /// Classes asked for with `Events` (on Login or the action).
    pub(super) send_events: Privilege,
    pub(super) challenge: Option<String>,
    pub(super) filters: Filters,
    pub(super) sub: Option<Subscription>,
    pub(super) security: Option<broadcast::Receiver<Bytes>>,
    /// Our `SwitchyardSeq` header on events (after `ResumeEvents` or Login `SwitchyardSeq: yes`).
    pub(super) with_seq: bool,
    pub(super) closing: bool,
    /// Held until login (the auth limit).
    pub(super) unauth: Option<UnauthSlot>,
    /// Replies of actions that run in their own task (sync Originate).
    pub(super) later_tx: mpsc::UnboundedSender<Bytes>,
    later_rx: mpsc::UnboundedReceiver<Bytes>,
}

enum Wake {
    Read(std::io::Result<usize>),
    Events,
    Security(Result<Bytes, broadcast::error::RecvError>),
    Later(Option<Bytes>),
    AuthTimeout,
}

impl Session {
    /// A new connection's state.
    pub(crate) fn new(shared: Arc<Shared>, peer: SocketAddr, unauth: UnauthSlot) -> Self {
        let number = shared.next_session();
        let facts = SessionFacts {
            session_id: format!("0x{:x}", 0x5500_0000_0000u64 + number),
            local: address(shared.local),
            remote: address(peer),
            session_tv: time::event_tv(shared.switch.now()),
        };
        let (later_tx, later_rx) = mpsc::unbounded_channel();
        Self {
            shared,
            peer,
            facts,
            out: BytesMut::with_capacity(4096),
            queue: Vec::with_capacity(256),
            user: None,
            send_events: Privilege::ALL,
            challenge: None,
            filters: Filters::default(),
            sub: None,
            security: None,
            with_seq: false,
            closing: false,
            unauth: Some(unauth),
            later_tx,
            later_rx,
        }
    }

    /// Runs the connection until either side closes it.
    pub async fn run(mut self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let (mut rd, mut wr) = stream.into_split();
        let mut decoder = Decoder::new(self.shared.config.limits);
        let mut buf = vec![0u8; 16 * 1024];
        let mut items = Vec::with_capacity(256);
        let auth_deadline = Instant::now() + self.shared.config.auth_timeout;
        self.queue.push(Bytes::from_static(crate::proto::BANNER));
        loop {
            self.process_input(&mut decoder).await;
            self.seal_out();
            if write_frames(&mut wr, &mut self.queue).await.is_err() || self.closing {
                break;
            }
            let waiting_auth = self.user.is_none();
            let wake = tokio::select! {
                r = rd.read(&mut buf) => Wake::Read(r),
                _ = next_items(&mut self.sub, &mut items) => Wake::Events,
                s = next_security(&mut self.security) => Wake::Security(s),
                l = self.later_rx.recv() => Wake::Later(l),
                _ = sleep_until(auth_deadline), if waiting_auth => Wake::AuthTimeout,
            };
            match wake {
                Wake::Read(Ok(0) | Err(_)) | Wake::AuthTimeout => break,
                Wake::Read(Ok(n)) => decoder.feed(&buf[..n]),
                Wake::Events => self.deliver(&mut items),
                Wake::Security(Ok(bytes)) if self.may_read(Privilege::SECURITY) => self.push_frame(bytes),
                Wake::Security(Ok(_)) => {}
                Wake::Security(Err(_)) | Wake::Later(None) => {}
                Wake::Later(Some(bytes)) => self.push_frame(bytes),
            }
        }
        let _ = wr.shutdown().await;
        tracing::debug!(peer = %self.peer, "manager connection closed");
    }

    async fn process_input(&mut self, decoder: &mut Decoder) {
        while !self.closing {
            match decoder.next_message() {
                Ok(Some(msg)) => self.on_message(msg).await,
                Ok(None) => return,
                Err(e) => self.on_frame_error(&e),
            }
        }
    }

    fn on_frame_error(&mut self, e: &FrameError) {
        tracing::warn!(peer = %self.peer, "manager: {e}");
        Response::error(e.action_id(), &e.to_string()).write(&mut self.out);
    }

    async fn on_message(&mut self, msg: Message) {
        super::actions::handle(self, &msg).await;
    }

    /// Publishes a security event to every session allowed to read it.
    pub(super) fn report(&self, event: SecurityEvent, account: Option<&str>) {
        let tv = time::event_tv(self.shared.switch.now());
        let bytes = event.to_event(&tv, account, &self.facts).to_bytes();
        let _ = self.shared.security.send(bytes);
    }

    /// Starts reading the bus from `from` (None: from now) and the security broadcast.
    pub(super) fn subscribe(&mut self, from: Option<u64>) {
        let bus = self.shared.switch.bus();
        let name = format!("ami:{}", self.peer);
        let from = from.unwrap_or_else(|| bus.next_seq());
        self.sub = Some(bus.subscribe_from(name, from, self.shared.config.event_queue));
        if self.security.is_none() {
            self.security = Some(self.shared.security.subscribe());
        }
    }

    fn deliver(&mut self, items: &mut Vec<BusItem>) {
        for item in std::mem::take(items) {
            match item {
                BusItem::Lost(n) => self.lost_notice(n),
                BusItem::Event(ev) => self.on_bus_event(&ev),
            }
        }
    }

    /// Whether events of `class` reach this session (read permission and `Events` mask).
    pub(super) fn may_read(&self, class: Privilege) -> bool {
        self.user.as_ref().is_some_and(|u| u.read.contains(class)) && self.send_events.contains(class)
    }

    fn on_bus_event(&mut self, ev: &Event) {
        let Some(user) = &self.user else { return };
        let allowed = Privilege(user.read.0 & self.send_events.0);
        if allowed.is_empty() {
            return;
        }
        let prepared = self.shared.cache.prepare(ev);
        for p in prepared.iter() {
            if allowed.contains(p.privilege) && self.filters.pass(p.text()) {
                let bytes = if self.with_seq { p.bytes_with_seq() } else { p.bytes.clone() };
                self.push_frame(bytes);
            }
        }
    }

    /// Switchyard's `EventsLost` event: the session fell behind the bus and `Lost` events were
    /// dropped (Asterisk would grow its queue without bound or disconnect).
    fn lost_notice(&mut self, lost: u64) {
        let wants_events = self.user.as_ref().is_some_and(|u| u.read.intersects(self.send_events));
        if !wants_events {
            // Events are off for this session: it missed nothing it asked for.
            return;
        }
        tracing::warn!(peer = %self.peer, lost, "manager session fell behind");
        let mut e = crate::proto::AmiEvent::new("EventsLost", Privilege::SYSTEM);
        e.push("Lost", lost.to_string()).push("NextSeq", self.sub.as_ref().map_or(0, |s| s.position()).to_string());
        self.push_frame(e.to_bytes());
    }

    /// Queues bytes after whatever replies are pending.
    pub(super) fn push_frame(&mut self, frame: Bytes) {
        self.seal_out();
        self.queue.push(frame);
    }

    fn seal_out(&mut self) {
        if !self.out.is_empty() {
            self.queue.push(self.out.split().freeze());
        }
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

async fn next_security(rx: &mut Option<broadcast::Receiver<Bytes>>) -> Result<Bytes, broadcast::error::RecvError> {
    match rx {
        Some(r) => r.recv().await,
        None => std::future::pending().await,
    }
}

/// Writes every queued frame with vectored writes (no copy of shared event bytes).
async fn write_frames(wr: &mut OwnedWriteHalf, queue: &mut Vec<Bytes>) -> std::io::Result<()> {
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
