//! Outbound registration of the `[[sip.trunks]]` that ask for it (`register = true`), sans-io: a
//! REGISTER is sent at start and refreshed at half the granted expiry, a 401/407 is answered once per
//! attempt with the trunk's credentials (MD5 or SHA-256), UDP requests are retransmitted (T1 doubling
//! up to T2) until a response or 32 s, and a failed attempt is retried after [`RETRY_AFTER`]. A trunk
//! known by host name asks the driver for its address before each new REGISTER (first, refresh, retry:
//! [`TrunkRegistrations::take_resolves`], answered by [`TrunkRegistrations::resolved`]); a name that
//! does not resolve fails the attempt with `503 DNS Error`, the local response sofia-sip's nta gives
//! (`SIPDNS_503_ERROR` in nta.c), so FreeSWITCH shows it as the gateway's `Status`/`Phrase`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::dialog::token;
use super::timers::{T1, T2, TX_LIFETIME};
use crate::digest;
use crate::wire::{AGENT, Message, MessageBuilder, StartLine, Transport, param};

/// How long after a failure (rejection or timeout) the next attempt is made (FreeSWITCH's default
/// `retry-seconds` is 30).
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

/// One trunk to register with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationSpec {
    /// Trunk name.
    pub trunk: String,
    /// Registrar `host:port` as configured (Request-URI, To and From; a name stays a name).
    pub host: String,
    /// Its address; `None` when `host` is a name, resolved by the driver before each new REGISTER.
    pub addr: Option<SocketAddr>,
    /// How.
    pub transport: Transport,
    /// Our user at the carrier (From/To user, digest username).
    pub user: String,
    /// Digest password.
    pub password: String,
    /// Expiry asked for, seconds.
    pub expires: u32,
}

/// A change worth publishing (AMI `Registry`, ESL `sofia::gateway_state`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrunkRegEvent {
    /// The carrier accepted the registration (first time, or again after a failure).
    Registered {
        /// Trunk name.
        trunk: String,
        /// `sip:user@host:port`.
        username: String,
        /// `sip:host:port`.
        domain: String,
        /// Seconds granted.
        expires: u32,
    },
    /// The carrier refused it, or did not answer.
    Failed {
        /// Trunk name.
        trunk: String,
        /// `sip:user@host:port`.
        username: String,
        /// `sip:host:port`.
        domain: String,
        /// Final status code (408 when nothing came back).
        code: u16,
        /// Its reason phrase.
        reason: String,
    },
}

impl TrunkRegEvent {
    /// As FreeSWITCH publishes a gateway's state: CUSTOM `sofia::gateway_state` with `Gateway` and
    /// `State` (`REGED`, or `FAIL_WAIT` with `Status`/`Phrase`), plus `Register-Username` and
    /// `Register-Domain` (what AMI's `Registry` event shows).
    pub fn custom_event(&self) -> (&'static str, Vec<(String, String)>) {
        let (trunk, username, domain, state) = match self {
            Self::Registered { trunk, username, domain, .. } => (trunk, username, domain, "REGED"),
            Self::Failed { trunk, username, domain, .. } => (trunk, username, domain, "FAIL_WAIT"),
        };
        let mut h = vec![
            ("Gateway".to_owned(), trunk.clone()),
            ("State".to_owned(), state.to_owned()),
            ("Ping-Status".to_owned(), "UP".to_owned()),
            ("Register-Username".to_owned(), username.clone()),
            ("Register-Domain".to_owned(), domain.clone()),
        ];
        match self {
            Self::Registered { expires, .. } => h.push(("Expires".to_owned(), expires.to_string())),
            Self::Failed { code, reason, .. } => {
                h.push(("Status".to_owned(), code.to_string()));
                h.push(("Phrase".to_owned(), reason.clone()));
            }
        }
        ("sofia::gateway_state", h)
    }
}

/// Bytes to send.
pub type Send = (Transport, SocketAddr, Bytes);

struct Pending {
    dest: SocketAddr,
    branch: String,
    cseq: u32,
    data: Bytes,
    resend_at: Instant,
    interval: Duration,
    deadline: Instant,
    authed: bool,
}

struct Entry {
    spec: RegistrationSpec,
    call_id: String,
    from_tag: String,
    cseq: u32,
    registered: bool,
    next_at: Instant,
    pending: Option<Pending>,
    /// Waiting for the driver to resolve the host.
    resolving: bool,
}

impl Entry {
    fn domain(&self) -> String {
        format!("sip:{}", self.spec.host)
    }

    fn username(&self) -> String {
        format!("sip:{}@{}", self.spec.user, self.spec.host)
    }

    /// A new REGISTER transaction to `dest` (with `authorization` when answering a challenge).
    fn request(&mut self, now: Instant, local: SocketAddr, dest: SocketAddr, authorization: Option<String>) -> Send {
        self.cseq += 1;
        let (spec, branch) = (&self.spec, format!("z9hG4bK{}", token()));
        let aor = format!("<sip:{}@{}>", spec.user, spec.host);
        let mut b = MessageBuilder::request("REGISTER", &format!("sip:{}", spec.host))
            .header("Via", format_args!("SIP/2.0/{} {local};branch={branch};rport", spec.transport.via_token()))
            .header("Max-Forwards", 70)
            .header("From", format_args!("{aor};tag={}", self.from_tag))
            .header("To", &aor)
            .header("Call-ID", &self.call_id)
            .header("CSeq", format_args!("{} REGISTER", self.cseq))
            .header("Contact", format_args!("<sip:{}@{local}>", spec.user))
            .header("Expires", spec.expires)
            .header("User-Agent", AGENT);
        if let Some(value) = &authorization {
            b = b.header("Authorization", value);
        }
        let data = b.finish();
        self.pending = Some(Pending {
            dest,
            branch,
            cseq: self.cseq,
            data: data.clone(),
            resend_at: now + T1,
            interval: T1,
            deadline: now + TX_LIFETIME,
            authed: authorization.is_some(),
        });
        (spec.transport, dest, data)
    }

    fn failed(&mut self, now: Instant, code: u16, reason: &str) -> TrunkRegEvent {
        self.pending = None;
        self.registered = false;
        self.next_at = now + RETRY_AFTER;
        let (username, domain) = (self.username(), self.domain());
        TrunkRegEvent::Failed { trunk: self.spec.trunk.clone(), username, domain, code, reason: reason.to_owned() }
    }
}

/// All outbound registrations.
pub struct TrunkRegistrations {
    entries: Vec<Entry>,
    /// Trunks whose host the driver should resolve.
    resolves: Vec<String>,
}

impl TrunkRegistrations {
    /// Registrations for these trunks, the first REGISTER due at `now`.
    pub fn new(specs: Vec<RegistrationSpec>, now: Instant) -> Self {
        let entry = |spec| Entry {
            spec,
            call_id: format!("{}@switchyard", token()),
            from_tag: token(),
            cseq: 0,
            registered: false,
            next_at: now,
            pending: None,
            resolving: false,
        };
        Self { entries: specs.into_iter().map(entry).collect(), resolves: Vec::new() }
    }

    /// Sends what is due at `now` (new REGISTERs, retransmissions) and reports timeouts; `local` is our
    /// address for a transport (Via and Contact).
    pub fn poll(&mut self, now: Instant, local: impl Fn(Transport) -> SocketAddr) -> (Vec<Send>, Vec<TrunkRegEvent>) {
        let (mut sends, mut events) = (Vec::new(), Vec::new());
        for e in &mut self.entries {
            match &mut e.pending {
                Some(p) if now >= p.deadline => events.push(e.failed(now, 408, "Request Timeout")),
                Some(p) if e.spec.transport == Transport::Udp && now >= p.resend_at => {
                    p.interval = (p.interval * 2).min(T2);
                    p.resend_at = now + p.interval;
                    sends.push((e.spec.transport, p.dest, p.data.clone()));
                }
                Some(_) => {}
                None if e.resolving || now < e.next_at => {}
                None => match e.spec.addr {
                    Some(dest) => sends.push(e.request(now, local(e.spec.transport), dest, None)),
                    None => {
                        e.resolving = true;
                        self.resolves.push(e.spec.trunk.clone());
                    }
                },
            }
        }
        (sends, events)
    }

    /// Takes a response if it answers one of our REGISTERs (`None` otherwise: not ours).
    pub fn on_response(
        &mut self,
        now: Instant,
        msg: &Message,
        local: impl Fn(Transport) -> SocketAddr,
    ) -> Option<(Vec<Send>, Vec<TrunkRegEvent>)> {
        let e = self.entries.iter_mut().find(|e| e.call_id == msg.call_id())?;
        let p = e.pending.as_ref().filter(|p| p.branch == msg.branch() && p.cseq == msg.cseq().0);
        let Some(p) = p else { return Some((Vec::new(), Vec::new())) }; // stale or retransmitted
        let (code, authed, dest) = (msg.code().unwrap_or(0), p.authed, p.dest);
        let (mut sends, mut events) = (Vec::new(), Vec::new());
        match code {
            0..=199 => {}
            200..=299 => {
                let granted = granted_expiry(msg, e.spec.expires);
                e.pending = None;
                e.next_at = now + Duration::from_secs(u64::from(granted / 2).max(1));
                if !std::mem::replace(&mut e.registered, true) {
                    let (username, domain) = (e.username(), e.domain());
                    let trunk = e.spec.trunk.clone();
                    events.push(TrunkRegEvent::Registered { trunk, username, domain, expires: granted });
                }
            }
            401 | 407 if !authed => match answer(e, msg, code) {
                Some(value) => sends.push(e.request(now, local(e.spec.transport), dest, Some(value))),
                None => events.push(e.failed(now, code, "no usable challenge")),
            },
            _ => events.push(e.failed(now, code, reason_phrase(msg))),
        }
        Some((sends, events))
    }

    /// The trunks [`TrunkRegistrations::poll`] found due whose host name needs resolving first.
    pub fn take_resolves(&mut self) -> Vec<String> {
        std::mem::take(&mut self.resolves)
    }

    /// The driver's answer for a trunk's host: sends the REGISTER there, or fails the attempt with
    /// `503 DNS Error` (retried after [`RETRY_AFTER`]).
    pub fn resolved(
        &mut self,
        now: Instant,
        trunk: &str,
        addr: Option<SocketAddr>,
        local: impl Fn(Transport) -> SocketAddr,
    ) -> (Vec<Send>, Vec<TrunkRegEvent>) {
        let Some(e) = self.entries.iter_mut().find(|e| e.spec.trunk == trunk && e.resolving) else {
            return (Vec::new(), Vec::new());
        };
        e.resolving = false;
        match addr {
            Some(dest) => (vec![e.request(now, local(e.spec.transport), dest, None)], Vec::new()),
            None => (Vec::new(), vec![e.failed(now, 503, "DNS Error")]),
        }
    }

    /// When [`TrunkRegistrations::poll`] next has something to do.
    pub fn next_due(&self) -> Option<Instant> {
        let due = |e: &Entry| match &e.pending {
            Some(p) if e.spec.transport == Transport::Udp => Some(p.resend_at.min(p.deadline)),
            Some(p) => Some(p.deadline),
            None if e.resolving => None,
            None => Some(e.next_at),
        };
        self.entries.iter().filter_map(due).min()
    }
}

/// The `Authorization` answering a 401 (`WWW-Authenticate`) or 407 (`Proxy-Authenticate`).
fn answer(e: &Entry, msg: &Message, code: u16) -> Option<String> {
    let header = if code == 407 { "Proxy-Authenticate" } else { "WWW-Authenticate" };
    let ch = digest::pick_challenge(msg.headers_named(header))?;
    let uri = format!("sip:{}", e.spec.host);
    Some(digest::answer_challenge(&ch, "REGISTER", &uri, &e.spec.user, &e.spec.password))
}

fn reason_phrase(msg: &Message) -> &str {
    match &msg.start {
        StartLine::Response { reason, .. } => reason,
        StartLine::Request { .. } => "",
    }
}

/// The expiry the registrar granted: our Contact's `expires` parameter, else `Expires`, else ours.
fn granted_expiry(msg: &Message, asked: u32) -> u32 {
    let from_contact = msg.header_values("Contact").find_map(|c| param(c, "expires").and_then(|v| v.parse().ok()));
    from_contact.or(msg.expires()).unwrap_or(asked)
}

#[cfg(test)]
mod tests;
