//! The sans-io SIP core: one transaction layer and dialog table for every call. Packets, local call
//! events and ticks go in (with the time); packets to send, calls to create, remote actions and
//! reports come out. No sockets, no tasks, no clock of its own, so it is tested without a network.

mod dialog;
mod inbound;
mod messaging;
mod outbound;
mod refer;
mod reoffer;
mod timers;
pub mod trunk_reg;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use switchyard_core::{HangupCause, tech::RemoteAction};

use crate::registrar::{Account, Binding, RegEvent, Registrar};
use crate::sdp::Negotiated;
use crate::wire::{self, Message, StartLine, Transport, response_to};

pub use messaging::{InDialog, OutRequest};
pub use outbound::OutboundTarget;
use timers::Timers;

/// Identifies one call between the engine and its driver.
pub type CallKey = u64;

/// Engine settings.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Registrar accounts.
    pub accounts: Vec<Account>,
    /// Context for calls from callers that are not accounts; `None` refuses them with 403.
    pub guest_context: Option<String>,
    /// Digest realm.
    pub realm: String,
    /// Digest algorithms offered, in order of preference (MD5 when empty).
    pub digest_algorithms: Vec<crate::digest::Algorithm>,
    /// Secret for nonces (random per process).
    pub secret: String,
    /// Our address per transport (for Via and Contact).
    pub local: Vec<(Transport, SocketAddr)>,
    /// Trunks we register with.
    pub trunk_registrations: Vec<trunk_reg::RegistrationSpec>,
}

/// Something the channel side did to a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallEvent {
    /// Ring (180).
    Ringing,
    /// Early media (183 with SDP).
    Progress,
    /// Answer (200 with SDP).
    Answer,
    /// Hang up or refuse with this cause.
    Hangup(HangupCause),
}

/// What goes into the engine.
#[derive(Debug)]
pub enum Input {
    /// Bytes received.
    Packet {
        /// How.
        transport: Transport,
        /// From where.
        source: SocketAddr,
        /// What.
        data: Bytes,
    },
    /// The driver created the channel for an inbound call; `media` is our RTP address for the answer.
    Accepted {
        /// Call.
        key: CallKey,
        /// Our media address.
        media: SocketAddr,
    },
    /// The channel side did something.
    Local {
        /// Call.
        key: CallKey,
        /// What.
        event: CallEvent,
    },
    /// Place an outgoing call.
    Originate {
        /// Call.
        key: CallKey,
        /// Where.
        target: OutboundTarget,
        /// Our media address for the offer.
        media: SocketAddr,
    },
    /// Send a request outside any call (MESSAGE, NOTIFY).
    Request(OutRequest),
    /// Send a request inside a call's dialog (MESSAGE, NOTIFY).
    DialogRequest {
        /// Call.
        key: CallKey,
        /// What.
        request: InDialog,
    },
    /// The transfer asked by a call's REFER ([`Output::Refer`]) is done: `code` is the status its
    /// NOTIFY reports (200 transferred, 404 no such extension, 503 nothing to transfer…).
    ReferDone {
        /// Call.
        key: CallKey,
        /// Status for the sipfrag.
        code: u16,
    },
    /// Offer new media inside an answered call (re-INVITE): the given far end's description (media
    /// bypass: the two phones send RTP to each other), or ours again when `None`.
    Reoffer {
        /// Call.
        key: CallKey,
        /// The media to offer instead of ours.
        to: Option<Negotiated>,
    },
    /// The driver resolved a trunk's host name ([`Output::ResolveTrunk`]): its address, or `None`
    /// when it does not resolve.
    TrunkAddress {
        /// Trunk name.
        trunk: String,
        /// Where to register.
        addr: Option<SocketAddr>,
    },
    /// Time passed (retransmissions, expiry).
    Tick,
}

/// An incoming call the driver should create a channel for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCall {
    /// Dialplan context.
    pub context: String,
    /// Request-URI user.
    pub exten: String,
    /// From user.
    pub caller_number: String,
    /// From display name.
    pub caller_name: String,
    /// The authenticated account, if any.
    pub account: Option<String>,
    /// What the offer negotiated.
    pub offer: Negotiated,
    /// Call-ID (sip_call_id).
    pub call_id: String,
    /// Where it came from.
    pub source: SocketAddr,
}

/// What comes out of the engine.
#[derive(Debug)]
pub enum Output {
    /// Send bytes.
    Send {
        /// How.
        transport: Transport,
        /// To where.
        dest: SocketAddr,
        /// What.
        data: Bytes,
    },
    /// Create an inbound channel, then feed [`Input::Accepted`].
    NewCall {
        /// Call.
        key: CallKey,
        /// Details.
        call: NewCall,
    },
    /// Tell the channel what the far end did.
    Remote {
        /// Call.
        key: CallKey,
        /// What.
        action: RemoteAction,
    },
    /// The far end's media changed (answer SDP, re-INVITE): point RTP there.
    Media {
        /// Call.
        key: CallKey,
        /// Negotiated.
        media: Negotiated,
    },
    /// The call's SIP side is over: release its media.
    Ended {
        /// Call.
        key: CallKey,
    },
    /// A registrar event to publish.
    Registrar(RegEvent),
    /// An event to publish on the bus (ESL `MESSAGE`, `NOTIFY_IN`), about a call when `key` is set.
    Publish {
        /// The call the request came in, if any.
        key: Option<CallKey>,
        /// Event name.
        name: &'static str,
        /// Headers in order.
        headers: Vec<(String, String)>,
        /// Body.
        body: Option<String>,
    },
    /// The far end of a call asked for a blind transfer (REFER): transfer, then feed
    /// [`Input::ReferDone`].
    Refer {
        /// Call.
        key: CallKey,
        /// The Refer-To user part (the extension).
        exten: String,
        /// The Refer-To URI.
        uri: String,
    },
    /// An outbound (trunk) registration event to publish.
    TrunkRegistration(trunk_reg::TrunkRegEvent),
    /// A trunk registration is due and the trunk's host is a name: resolve it, then feed
    /// [`Input::TrunkAddress`].
    ResolveTrunk {
        /// Trunk name.
        trunk: String,
    },
    /// The bindings of a user changed.
    Location {
        /// User.
        user: String,
        /// Live bindings.
        bindings: Vec<Binding>,
    },
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Messages that could not be parsed.
    pub malformed: u64,
    /// Of those, answered with 400.
    pub answered_400: u64,
    /// Requests received.
    pub requests: u64,
    /// Responses received.
    pub responses: u64,
    /// Retransmissions absorbed (answered from the transaction cache).
    pub retransmissions: u64,
}

/// The engine.
pub struct Engine {
    cfg: EngineConfig,
    registrar: Registrar,
    trunk_regs: trunk_reg::TrunkRegistrations,
    calls: HashMap<CallKey, dialog::Call>,
    by_dialog: HashMap<(String, String), CallKey>,
    by_invite_branch: HashMap<String, CallKey>,
    timers: Timers,
    next_key: CallKey,
    epoch: Instant,
    epoch_secs: u64,
    out: Vec<Output>,
    stats: EngineStats,
}

impl Engine {
    /// A new engine; `now` and `unix_secs` anchor its clock (nonces and bindings use seconds).
    pub fn new(cfg: EngineConfig, now: Instant, unix_secs: u64) -> Self {
        let key = crate::digest::NonceKey::new(cfg.secret.clone(), cfg.realm.clone())
            .with_algorithms(cfg.digest_algorithms.clone());
        let registrar = Registrar::new(cfg.accounts.clone(), key);
        let trunk_regs = trunk_reg::TrunkRegistrations::new(cfg.trunk_registrations.clone(), now);
        Self {
            cfg,
            registrar,
            trunk_regs,
            calls: HashMap::new(),
            by_dialog: HashMap::new(),
            by_invite_branch: HashMap::new(),
            timers: Timers::default(),
            next_key: 1 << 32,
            epoch: now,
            epoch_secs: unix_secs,
            out: Vec::new(),
            stats: EngineStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// Live calls.
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// The registrar (for `sip show registrations`-like views and tests).
    pub fn registrar(&self) -> &Registrar {
        &self.registrar
    }

    /// What the call's offer/answer negotiated with the far end (its RTP address and codec).
    pub fn negotiated(&self, key: CallKey) -> Option<&Negotiated> {
        self.calls.get(&key).and_then(|c| c.negotiated.as_ref())
    }

    /// A key for a call the driver places (outbound); inbound keys come from the engine.
    pub fn allocate_key(&mut self) -> CallKey {
        self.next_key += 1;
        self.next_key
    }

    fn secs(&self, now: Instant) -> u64 {
        self.epoch_secs + now.saturating_duration_since(self.epoch).as_secs()
    }

    /// When [`Input::Tick`] should next be fed.
    pub fn next_tick(&self, now: Instant) -> Instant {
        let due = self.timers.next_due().into_iter().chain(self.trunk_regs.next_due()).min();
        due.unwrap_or(now + Duration::from_millis(500)).min(now + Duration::from_millis(500))
    }

    /// Feeds one input; returns what to do.
    pub fn handle(&mut self, now: Instant, input: Input) -> Vec<Output> {
        match input {
            Input::Packet { transport, source, data } => self.on_packet(now, transport, source, &data),
            Input::Accepted { key, media } => self.on_accepted(now, key, media),
            Input::Local { key, event } => self.on_local(now, key, event),
            Input::Originate { key, target, media } => self.originate(now, key, target, media),
            Input::Request(req) => self.send_standalone(now, req),
            Input::DialogRequest { key, request } => self.send_in_dialog(now, key, request),
            Input::ReferDone { key, code } => self.refer_done(now, key, code),
            Input::Reoffer { key, to } => self.reoffer(now, key, to),
            Input::TrunkAddress { trunk, addr } => {
                let local = &self.cfg.local;
                let (sends, events) = self.trunk_regs.resolved(now, &trunk, addr, |t| local_for(local, t));
                self.trunk_reg_outputs(sends, events);
            }
            Input::Tick => self.on_tick(now),
        }
        std::mem::take(&mut self.out)
    }

    fn send(&mut self, transport: Transport, dest: SocketAddr, data: Bytes) {
        self.out.push(Output::Send { transport, dest, data });
    }

    fn local_addr(&self, transport: Transport) -> SocketAddr {
        local_for(&self.cfg.local, transport)
    }

    fn on_packet(&mut self, now: Instant, transport: Transport, source: SocketAddr, data: &[u8]) {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return; // keep-alive
        }
        let msg = match Message::parse(data, transport) {
            Ok(m) => m,
            Err(e) => return self.malformed(transport, source, data, &e),
        };
        match msg.start {
            StartLine::Request { .. } => {
                self.stats.requests += 1;
                self.on_request(now, transport, source, &msg);
            }
            StartLine::Response { .. } => {
                self.stats.responses += 1;
                if !self.on_trunk_response(now, &msg) {
                    self.on_response(now, transport, source, &msg);
                }
            }
        }
    }

    fn malformed(&mut self, transport: Transport, source: SocketAddr, data: &[u8], err: &wire::WireError) {
        self.stats.malformed += 1;
        tracing::debug!(%source, "malformed SIP ({err})");
        if let Some(bytes) = wire::bad_request(data, &err.to_string()) {
            self.stats.answered_400 += 1;
            self.send(transport, source, bytes);
        }
    }

    fn on_request(&mut self, now: Instant, transport: Transport, source: SocketAddr, msg: &Message) {
        let method = msg.method().unwrap_or_default().to_owned();
        if method != "ACK"
            && let Some(cached) = self.timers.cached_response(msg.branch(), &method)
        {
            self.stats.retransmissions += 1;
            return self.send(transport, source, cached);
        }
        let in_dialog = !msg.to_tag().is_empty();
        match method.as_str() {
            "INVITE" if !in_dialog => self.on_invite(now, transport, source, msg),
            "CANCEL" => self.on_cancel(now, transport, source, msg),
            "ACK" => self.on_ack(msg),
            "REGISTER" => self.on_register(now, transport, source, msg),
            _ if in_dialog => self.on_in_dialog(now, transport, source, msg),
            "OPTIONS" => {
                let b = response_to(msg, 200, Some("opt"))
                    .header("Allow", dialog::ALLOW)
                    .header("Accept", "application/sdp");
                self.respond(now, transport, source, msg, b.finish());
            }
            "MESSAGE" => self.on_message(now, transport, source, msg, None),
            "NOTIFY" => self.on_notify(now, transport, source, msg, None),
            "BYE" | "INFO" | "UPDATE" | "PRACK" => {
                self.respond(now, transport, source, msg, response_to(msg, 481, None).finish())
            }
            _ => {
                let b = response_to(msg, 405, Some("na")).header("Allow", dialog::ALLOW);
                self.respond(now, transport, source, msg, b.finish());
            }
        }
    }

    /// Sends a final response to a non-INVITE request and keeps it for retransmissions.
    fn respond(&mut self, now: Instant, transport: Transport, source: SocketAddr, req: &Message, data: Bytes) {
        let method = req.method().unwrap_or_default();
        self.timers.cache_response(now, req.branch(), method, data.clone());
        self.send(transport, source, data);
    }

    fn on_register(&mut self, now: Instant, transport: Transport, source: SocketAddr, msg: &Message) {
        let secs = self.secs(now);
        let (data, events) = self.registrar.handle(msg, source, transport, secs);
        let changed = events.iter().any(|e| !matches!(e, RegEvent::AuthFailed { .. }));
        let user = wire::uri_user(wire::name_addr_uri(msg.header("To").unwrap_or_default())).to_owned();
        self.out.extend(events.into_iter().map(Output::Registrar));
        if changed {
            let bindings = self.registrar.lookup(&user, secs).into_iter().cloned().collect();
            self.out.push(Output::Location { user, bindings });
        }
        self.respond(now, transport, source, msg, data);
    }

    /// A response to one of our trunk REGISTERs; false when it is not one.
    fn on_trunk_response(&mut self, now: Instant, msg: &Message) -> bool {
        let local = &self.cfg.local;
        let Some((sends, events)) = self.trunk_regs.on_response(now, msg, |t| local_for(local, t)) else {
            return false;
        };
        self.trunk_reg_outputs(sends, events);
        true
    }

    fn trunk_reg_outputs(&mut self, sends: Vec<trunk_reg::Send>, events: Vec<trunk_reg::TrunkRegEvent>) {
        for (transport, dest, data) in sends {
            self.send(transport, dest, data);
        }
        self.out.extend(events.into_iter().map(Output::TrunkRegistration));
    }

    fn on_tick(&mut self, now: Instant) {
        let local = &self.cfg.local;
        let (sends, events) = self.trunk_regs.poll(now, |t| local_for(local, t));
        self.trunk_reg_outputs(sends, events);
        let resolves = self.trunk_regs.take_resolves().into_iter().map(|trunk| Output::ResolveTrunk { trunk });
        self.out.extend(resolves);
        let secs = self.secs(now);
        let events = self.registrar.expire(secs);
        for e in events {
            if let RegEvent::Unregistered { user, .. } = &e {
                let bindings = self.registrar.lookup(user, secs).into_iter().cloned().collect();
                self.out.push(Output::Location { user: user.clone(), bindings });
            }
            self.out.push(Output::Registrar(e));
        }
        let expired = self.timers.due(now);
        for (transport, dest, data) in self.timers.take_resends() {
            self.send(transport, dest, data);
        }
        for e in expired {
            self.on_timer(now, e);
        }
    }

    fn find_account(&self, user: &str) -> Option<&Account> {
        self.registrar.account(user)
    }
}

/// Our address for a transport (the first listener when there is none of that transport).
fn local_for(local: &[(Transport, SocketAddr)], transport: Transport) -> SocketAddr {
    let found = local.iter().find(|(t, _)| *t == transport).or(local.first());
    found.map(|(_, a)| *a).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 5060)))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_messaging;
