//! The async shell around the engine: one task owns the [`Engine`], reads packets and channel events
//! from one queue, creates inbound channels, hands remote actions to channels, drives media legs and
//! publishes registrar events on the bus. No task or thread per call (a host name being resolved
//! gets a short lookup task, [`resolve`]).

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use parking_lot::RwLock;
use switchyard_core::switch::Switch;
use switchyard_core::{CallerId, ChannelHandle, EventKind, HangupCause, InboundCall, OriginateTarget};
use tokio::sync::mpsc;

use crate::engine::{CallEvent, CallKey, Engine, EngineConfig, Input, NewCall, Output};
use crate::host::Host;
use crate::media::{MediaBackend, MediaLeg};
use crate::registrar::{Account, Binding, RegEvent};
use crate::tech::{Plan, SipEndpoint, SipTech};
use crate::transport::{Inbound, Transports};
use crate::wire::Transport;

mod bypass;
mod originate;
pub mod resolve;
mod services;

/// A `[[sip.trunks]]` entry: a peer reached by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trunk {
    /// Name used in dial strings.
    pub name: String,
    /// Where it is: an IP literal, or a name resolved when SIP starts, before each REGISTER and
    /// before each call (at most once a minute, [`resolve::REFRESH`]).
    pub host: Host,
    /// Its port.
    pub port: u16,
    /// How.
    pub transport: Transport,
    /// Credentials for its digest challenges.
    pub auth: Option<(String, String)>,
    /// Register with it, asking for this expiry (seconds); needs `auth`.
    pub register: Option<u32>,
}

/// What the binary configures.
pub struct SipConfig {
    /// Listeners.
    pub listen: Vec<(Transport, SocketAddr)>,
    /// Registrar accounts.
    pub accounts: Vec<Account>,
    /// Context for callers that are not accounts (`None`: refused with 403).
    pub guest_context: Option<String>,
    /// Digest realm.
    pub realm: String,
    /// Digest algorithms offered, in order of preference (MD5 when empty).
    pub digest_algorithms: Vec<crate::digest::Algorithm>,
    /// Media legs.
    pub media: Arc<dyn MediaBackend>,
    /// Trunks by name.
    pub trunks: Vec<Trunk>,
}

/// Messages to the driver task.
pub(crate) enum DriverMsg {
    Net(Inbound),
    Local {
        key: CallKey,
        event: CallEvent,
    },
    Originate {
        key: CallKey,
        plan: Plan,
        handle: ChannelHandle,
    },
    /// A request an event asked for (ESL `sendevent SEND_MESSAGE`, `NOTIFY`, `MESSAGE_WAITING`).
    Send(crate::sendevent::Outgoing),
    /// `uuid_media [off]`: re-INVITE a channel and its bridged peer out of or back into the media path.
    Media {
        channel: switchyard_core::ChannelId,
        bypass: bool,
        reply: bypass::Reply,
    },
    /// The host name of an outgoing call was looked up.
    CallResolved {
        key: CallKey,
        result: Result<std::net::IpAddr, resolve::ResolveError>,
    },
    /// The host name of a trunk due to register was looked up.
    TrunkResolved(Input),
}

/// State shared with the techs.
pub(crate) struct Shared {
    pub tx: mpsc::UnboundedSender<DriverMsg>,
    pub media: Arc<dyn MediaBackend>,
    pub trunks: HashMap<String, Trunk>,
    location: RwLock<HashMap<String, Vec<Binding>>>,
    keys: AtomicU64,
}

impl Shared {
    pub fn next_key(&self) -> CallKey {
        self.keys.fetch_add(1, Ordering::Relaxed)
    }

    pub fn location_of(&self, user: &str) -> Option<Binding> {
        self.location.read().get(user).and_then(|v| v.last().cloned())
    }
}

/// The running SIP server.
pub struct SipServer;

/// What [`SipServer::start`] bound.
#[derive(Clone, Debug)]
pub struct SipStarted {
    /// Listener addresses (ports resolved).
    pub bound: Vec<(Transport, SocketAddr)>,
}

struct Slot {
    handle: Option<ChannelHandle>,
    leg: Box<dyn MediaLeg>,
    /// The registrar account on the far end (the caller of an inbound call, the user dialed).
    account: Option<String>,
}

struct Driver {
    switch: Switch,
    engine: Engine,
    shared: Arc<Shared>,
    transports: Transports,
    net_tx: mpsc::UnboundedSender<Inbound>,
    slots: HashMap<CallKey, Slot>,
    /// Our listeners (a request for an unregistered user at one of them is not sent).
    bound: Vec<(Transport, SocketAddr)>,
    resolver: Arc<resolve::Resolver>,
    /// Outgoing calls waiting for their host name to resolve.
    unresolved: HashMap<CallKey, originate::Unresolved>,
}

impl SipServer {
    /// Binds the listeners, registers the `SIP`, `PJSIP`, `sofia` and `user` techs, starts the driver.
    pub async fn start(switch: Switch, cfg: SipConfig) -> io::Result<SipStarted> {
        let (net_tx, mut net_rx) = mpsc::unbounded_channel::<Inbound>();
        let (tx, rx) = mpsc::unbounded_channel::<DriverMsg>();
        let (transports, bound) = Transports::bind(&cfg.listen, net_tx.clone()).await?;
        let fwd = tx.clone();
        tokio::spawn(async move {
            while let Some(p) = net_rx.recv().await {
                if fwd.send(DriverMsg::Net(p)).is_err() {
                    return;
                }
            }
        });
        let tx_for_events = tx.clone();
        let shared = Arc::new(Shared {
            tx,
            media: cfg.media.clone(),
            trunks: cfg.trunks.iter().map(|t| (t.name.clone(), t.clone())).collect(),
            location: RwLock::new(HashMap::new()),
            keys: AtomicU64::new(1),
        });
        switch.commands().register(Arc::new(bypass::UuidMedia(shared.tx.clone())));
        for tech in SipTech::all(&shared) {
            switch.techs().register(Arc::new(tech));
        }
        let unix = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let ecfg = EngineConfig {
            accounts: cfg.accounts,
            guest_context: cfg.guest_context,
            realm: cfg.realm,
            digest_algorithms: cfg.digest_algorithms,
            secret: format!("{:032x}", rand::random::<u128>()),
            local: bound.clone(),
            trunk_registrations: cfg.trunks.iter().filter_map(registration_spec).collect(),
        };
        let engine = Engine::new(ecfg, Instant::now(), unix);
        let host = bound.first().map_or_else(|| "127.0.0.1".to_owned(), |(_, a)| a.ip().to_string());
        services::forward_events(&switch, tx_for_events, host);
        let resolver = Arc::new(resolve::Resolver::default());
        resolve::warm_up(&resolver, &cfg.trunks, bound.first().is_none_or(|(_, a)| a.is_ipv4())).await;
        let (slots, unresolved) = (HashMap::new(), HashMap::new());
        let bound_copy = bound.clone();
        let driver =
            Driver { switch, engine, shared, transports, net_tx, slots, bound: bound_copy, resolver, unresolved };
        tokio::spawn(driver.run(rx));
        Ok(SipStarted { bound })
    }
}

impl Driver {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<DriverMsg>) {
        let mut batch = Vec::with_capacity(64);
        loop {
            let deadline = self.engine.next_tick(Instant::now());
            tokio::select! {
                n = rx.recv_many(&mut batch, 64) => {
                    if n == 0 {
                        return;
                    }
                    for msg in batch.drain(..) {
                        self.on_msg(msg);
                    }
                }
                _ = tokio::time::sleep_until(deadline.into()) => self.feed(Input::Tick),
            }
        }
    }

    fn feed(&mut self, input: Input) {
        let mut queue = std::collections::VecDeque::from([input]);
        while let Some(input) = queue.pop_front() {
            for out in self.engine.handle(Instant::now(), input) {
                if let Some(next) = self.on_output(out) {
                    queue.push_back(next);
                }
            }
        }
    }

    fn on_msg(&mut self, msg: DriverMsg) {
        match msg {
            DriverMsg::Net(p) => self.feed(Input::Packet { transport: p.transport, source: p.source, data: p.data }),
            DriverMsg::Local { key, event: CallEvent::Hangup(_) } if self.drop_unresolved(key) => {}
            DriverMsg::Local { key, event } => self.feed(Input::Local { key, event }),
            DriverMsg::Originate { key, plan, handle } => self.originate(key, plan, handle),
            DriverMsg::Send(out) => self.send_request(out),
            DriverMsg::Media { channel, bypass, reply } => {
                let _ = reply.send(self.media_bypass(channel, bypass));
            }
            DriverMsg::CallResolved { key, result } => self.on_call_resolved(key, result),
            DriverMsg::TrunkResolved(input) => self.feed(input),
        }
    }

    /// Acts on one output; may return an input to feed back.
    fn on_output(&mut self, out: Output) -> Option<Input> {
        match out {
            Output::Send { transport, dest, data } => self.transports.send(transport, dest, data, &self.net_tx),
            Output::NewCall { key, call } => return Some(self.new_call(key, call)),
            Output::Remote { key, action } => {
                if let Some(h) = self.slots.get(&key).and_then(|s| s.handle.as_ref()) {
                    let _ = h.remote(action);
                }
            }
            Output::Media { key, media } => {
                if let Some(s) = self.slots.get_mut(&key) {
                    s.leg.set_remote(&media);
                }
            }
            Output::Ended { key } => {
                if let Some(mut s) = self.slots.remove(&key) {
                    s.leg.close();
                }
            }
            Output::Registrar(ev) => self.publish(ev),
            Output::Publish { key, name, headers, body } => self.publish_event(key, name, headers, body),
            Output::Refer { key, exten, uri } => return Some(self.refer(key, &exten, &uri)),
            Output::ResolveTrunk { trunk } => return self.resolve_trunk(trunk),
            Output::TrunkRegistration(ev) => {
                let (name, headers) = ev.custom_event();
                self.switch.bus().publish(EventKind::custom(name, headers, None), None);
            }
            Output::Location { user, bindings } => {
                let mut loc = self.shared.location.write();
                match bindings.is_empty() {
                    true => loc.remove(&user),
                    false => loc.insert(user, bindings),
                };
            }
        }
        None
    }

    fn new_call(&mut self, key: CallKey, call: NewCall) -> Input {
        let refuse = |cause| Input::Local { key, event: CallEvent::Hangup(cause) };
        let mut leg = match self.shared.media.open() {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!("SIP call refused: no media port: {e}");
                return refuse(HangupCause::SWITCH_CONGESTION);
            }
        };
        let who = call.account.clone().unwrap_or_else(|| call.caller_number.clone());
        let who = if who.is_empty() { "anonymous".to_owned() } else { who };
        let n = self.switch.next_channel_number();
        let variables = vec![
            ("sip_call_id".to_owned(), call.call_id.clone()),
            ("sip_from_user".to_owned(), call.caller_number.clone()),
            ("sip_to_user".to_owned(), call.exten.clone()),
            ("sip_network_ip".to_owned(), call.source.ip().to_string()),
            ("sip_network_port".to_owned(), call.source.port().to_string()),
            ("sip_auth_username".to_owned(), call.account.clone().unwrap_or_default()),
        ];
        let inbound = InboundCall {
            tech: "SIP".into(),
            name: format!("SIP/{who}-{n:08x}"),
            caller: CallerId::new(call.caller_number.clone(), call.caller_name.clone()),
            dialed: call.exten.clone(),
            variables,
            channel_id: None,
            linked_id: None,
            target: OriginateTarget::Extension {
                context: call.context.clone(),
                exten: call.exten.clone(),
                priority: 1,
            },
        };
        leg.set_remote(&call.offer);
        let port = leg.port();
        let endpoint = SipEndpoint { key, tx: self.shared.tx.clone(), port, plan: None, own: None };
        match self.switch.spawn_inbound(inbound, Box::new(endpoint)) {
            Ok(handle) => {
                leg.set_dtmf_sink(handle.clone());
                let media = leg.local_addr();
                self.slots.insert(key, Slot { handle: Some(handle), leg, account: call.account });
                Input::Accepted { key, media }
            }
            Err(e) => {
                tracing::warn!("SIP call refused: {e}");
                leg.close();
                refuse(HangupCause::SWITCH_CONGESTION)
            }
        }
    }

    fn publish(&self, ev: RegEvent) {
        let (name, headers) = match ev {
            RegEvent::Registered { user, contact, source, expires, user_agent } => (
                "sofia::register",
                vec![
                    ("profile-name".into(), "internal".into()),
                    ("from-user".into(), user.clone()),
                    ("username".into(), user),
                    ("contact".into(), contact),
                    ("network-ip".into(), source.ip().to_string()),
                    ("network-port".into(), source.port().to_string()),
                    ("expires".into(), expires.to_string()),
                    ("user-agent".into(), user_agent),
                ],
            ),
            RegEvent::Unregistered { user, contact, reason } => (
                if reason == "expired" { "sofia::expire" } else { "sofia::unregister" },
                vec![
                    ("profile-name".into(), "internal".into()),
                    ("from-user".into(), user.clone()),
                    ("username".into(), user),
                    ("contact".into(), contact),
                    ("reason".into(), reason.into()),
                ],
            ),
            RegEvent::AuthFailed { user, source, reason } => (
                "sofia::register_failure",
                vec![
                    ("profile-name".into(), "internal".into()),
                    ("to-user".into(), user),
                    ("network-ip".into(), source.ip().to_string()),
                    ("network-port".into(), source.port().to_string()),
                    ("reason".into(), reason.into()),
                ],
            ),
        };
        let kind = EventKind::custom(name, headers, None);
        self.switch.bus().publish(kind, None);
    }
}

/// What registering with a trunk needs, if it asks for it and has credentials.
fn registration_spec(t: &Trunk) -> Option<crate::engine::trunk_reg::RegistrationSpec> {
    let ((user, password), expires) = (t.auth.clone()?, t.register?);
    let (trunk, host, addr, transport) =
        (t.name.clone(), t.host.with_port(t.port), t.host.socket_addr(t.port), t.transport);
    Some(crate::engine::trunk_reg::RegistrationSpec { trunk, host, addr, transport, user, password, expires })
}
