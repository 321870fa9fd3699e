//! The registrar (sans-io): REGISTER with digest authentication against the configured users, bindings
//! with expiry and several contacts per user, and a per-source limit on failed attempts.
//!
//! Answers: no credentials or a bad/old nonce → 401 with a fresh challenge (`stale=true` for an
//! expired nonce); credentials for an unknown user → 404 Not Found; a wrong password → 403 Forbidden
//! (FreeSWITCH's choice; Asterisk re-challenges). A source with too many failures in a minute is
//! answered 403 without a check until the window passes.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;

use crate::digest::{self, NonceKey, Verdict};
use crate::wire::{Message, Transport, name_addr_uri, param, response_to};

/// Failed attempts per source within [`FAIL_WINDOW_SECS`] before it is blocked.
pub const MAX_FAILURES: u32 = 10;
/// The failure-counting window (and block time).
pub const FAIL_WINDOW_SECS: u64 = 60;
/// Expiry used when the UA gives none.
pub const DEFAULT_EXPIRES: u32 = 3600;
/// Smallest non-zero expiry accepted (423 below it).
pub const MIN_EXPIRES: u32 = 60;
/// Largest expiry granted.
pub const MAX_EXPIRES: u32 = 7200;

/// An account from `[[sip.users]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// User name (the AOR user part and the digest username).
    pub username: String,
    /// Password.
    pub password: String,
    /// Dialplan context for its calls.
    pub context: String,
}

/// Where a user can be reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The Contact URI.
    pub contact: String,
    /// Absolute expiry, seconds on the registrar's clock.
    pub expires_at: u64,
    /// Where the REGISTER came from (requests are sent there: symmetric signalling, NAT friendly).
    pub source: SocketAddr,
    /// Its transport.
    pub transport: Transport,
    /// Call-ID of the registration.
    pub call_id: String,
    /// User-Agent, if given.
    pub user_agent: String,
}

/// Something worth reporting (AMI PeerStatus, ESL `sofia::register`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegEvent {
    /// A contact was added or refreshed.
    Registered {
        /// User.
        user: String,
        /// Contact URI.
        contact: String,
        /// Source.
        source: SocketAddr,
        /// Seconds granted.
        expires: u32,
        /// User-Agent.
        user_agent: String,
    },
    /// A contact was removed (by the UA or by expiry).
    Unregistered {
        /// User.
        user: String,
        /// Contact URI.
        contact: String,
        /// `expired` or `unregistered`.
        reason: &'static str,
    },
    /// An authentication failure.
    AuthFailed {
        /// The user it was for.
        user: String,
        /// Source.
        source: SocketAddr,
        /// `unknown user`, `wrong password`, `rate limited`.
        reason: &'static str,
    },
}

#[derive(Default)]
struct Failures {
    count: u32,
    window_start: u64,
}

/// The registrar's state.
pub struct Registrar {
    accounts: HashMap<String, Account>,
    bindings: HashMap<String, Vec<Binding>>,
    failures: HashMap<IpAddr, Failures>,
    key: NonceKey,
}

/// The outcome of one REGISTER: the response bytes and what to report.
pub type Handled = (Bytes, Vec<RegEvent>);

impl Registrar {
    /// A registrar for these accounts, challenging with `key`.
    pub fn new(accounts: Vec<Account>, key: NonceKey) -> Self {
        let accounts = accounts.into_iter().map(|a| (a.username.clone(), a)).collect();
        Self { accounts, bindings: HashMap::new(), failures: HashMap::new(), key }
    }

    /// The account of that user.
    pub fn account(&self, user: &str) -> Option<&Account> {
        self.accounts.get(user)
    }

    /// The nonce key (INVITE authentication uses the same).
    pub fn key(&self) -> &NonceKey {
        &self.key
    }

    /// Live bindings of a user.
    pub fn lookup(&self, user: &str, now: u64) -> Vec<&Binding> {
        self.bindings.get(user).map(|v| v.iter().filter(|b| b.expires_at > now).collect()).unwrap_or_default()
    }

    /// Every user with at least one live binding, and how many.
    pub fn registered(&self, now: u64) -> Vec<(String, usize)> {
        let mut v: Vec<_> = self
            .bindings
            .iter()
            .map(|(u, b)| (u.clone(), b.iter().filter(|b| b.expires_at > now).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        v.sort();
        v
    }

    /// Removes expired bindings and stale failure counters.
    pub fn expire(&mut self, now: u64) -> Vec<RegEvent> {
        let mut events = Vec::new();
        for (user, list) in &mut self.bindings {
            list.retain(|b| {
                let live = b.expires_at > now;
                if !live {
                    events.push(RegEvent::Unregistered {
                        user: user.clone(),
                        contact: b.contact.clone(),
                        reason: "expired",
                    });
                }
                live
            });
        }
        self.bindings.retain(|_, l| !l.is_empty());
        self.failures.retain(|_, f| now < f.window_start + FAIL_WINDOW_SECS);
        events
    }

    fn blocked(&self, ip: IpAddr, now: u64) -> bool {
        self.failures.get(&ip).is_some_and(|f| f.count >= MAX_FAILURES && now < f.window_start + FAIL_WINDOW_SECS)
    }

    /// Counts a failure from `ip`.
    pub fn fail(&mut self, ip: IpAddr, now: u64) {
        let f = self.failures.entry(ip).or_default();
        if now >= f.window_start + FAIL_WINDOW_SECS {
            *f = Failures { count: 0, window_start: now };
        }
        f.count += 1;
    }

    /// Checks a request's credentials (REGISTER: `Authorization`; INVITE: `Proxy-Authorization`).
    /// `Ok(account)` when good; `Err(response code, reason)` otherwise (401/407 carry a challenge).
    pub fn authenticate(&mut self, req: &Message, source: SocketAddr, now: u64) -> Result<Account, AuthFailure> {
        if self.blocked(source.ip(), now) {
            return Err(AuthFailure::Forbidden("rate limited"));
        }
        let header = ["Authorization", "Proxy-Authorization"].into_iter().find_map(|h| req.header(h));
        let Some(creds) = header.and_then(digest::parse_authorization) else {
            return Err(AuthFailure::Challenge { stale: false });
        };
        let method = req.method().unwrap_or_default();
        let Some(account) = self.accounts.get(&creds.username).cloned() else {
            self.fail(source.ip(), now);
            return Err(AuthFailure::NotFound);
        };
        match self.key.verify(&creds, method, &account.password, now) {
            Verdict::Ok => Ok(account),
            Verdict::Stale => Err(AuthFailure::Challenge { stale: true }),
            Verdict::BadNonce => Err(AuthFailure::Challenge { stale: false }),
            Verdict::WrongPassword => {
                self.fail(source.ip(), now);
                Err(AuthFailure::Forbidden("wrong password"))
            }
        }
    }

    /// Handles a REGISTER from `source` at `now` (seconds).
    pub fn handle(&mut self, req: &Message, source: SocketAddr, transport: Transport, now: u64) -> Handled {
        let aor_user = crate::wire::uri_user(name_addr_uri(req.header("To").unwrap_or_default())).to_owned();
        let account = match self.authenticate(req, source, now) {
            Ok(a) => a,
            Err(f) => return self.refuse(req, f, "WWW-Authenticate", 401, &aor_user, source, now),
        };
        if account.username != aor_user {
            let ev = RegEvent::AuthFailed { user: aor_user, source, reason: "wrong user for this address" };
            return (response_to(req, 403, Some("reg")).finish(), vec![ev]);
        }
        self.update_bindings(req, account, source, transport, now)
    }

    /// The response to a failed authentication and its event.
    #[allow(clippy::too_many_arguments)]
    pub fn refuse(
        &self,
        req: &Message,
        failure: AuthFailure,
        challenge_header: &str,
        challenge_code: u16,
        user: &str,
        source: SocketAddr,
        now: u64,
    ) -> Handled {
        let tag = Some("auth");
        match failure {
            AuthFailure::Challenge { stale } => {
                let mut b = response_to(req, challenge_code, tag);
                for value in self.key.challenges(now, stale) {
                    b = b.header(challenge_header, value);
                }
                (b.finish(), Vec::new())
            }
            AuthFailure::NotFound => {
                let ev = RegEvent::AuthFailed { user: user.to_owned(), source, reason: "unknown user" };
                (response_to(req, 404, tag).finish(), vec![ev])
            }
            AuthFailure::Forbidden(reason) => {
                let ev = RegEvent::AuthFailed { user: user.to_owned(), source, reason };
                (response_to(req, 403, tag).finish(), vec![ev])
            }
        }
    }

    fn update_bindings(
        &mut self,
        req: &Message,
        account: Account,
        source: SocketAddr,
        transport: Transport,
        now: u64,
    ) -> Handled {
        let user = account.username;
        let default_exp = req.expires().unwrap_or(DEFAULT_EXPIRES);
        let mut events = Vec::new();
        let contacts: Vec<&str> = req.header_values("Contact").collect();
        let list = self.bindings.entry(user.clone()).or_default();
        if contacts.iter().any(|c| c.trim() == "*") {
            if default_exp != 0 {
                return (response_to(req, 400, Some("reg")).finish(), events);
            }
            for b in list.drain(..) {
                events.push(RegEvent::Unregistered { user: user.clone(), contact: b.contact, reason: "unregistered" });
            }
        }
        for c in contacts.iter().filter(|c| c.trim() != "*") {
            let uri = name_addr_uri(c).to_owned();
            let exp = param(c, "expires").and_then(|e| e.parse().ok()).unwrap_or(default_exp);
            if exp != 0 && exp < MIN_EXPIRES {
                let b = response_to(req, 423, Some("reg")).header("Min-Expires", MIN_EXPIRES);
                return (b.finish(), events);
            }
            list.retain(|b| b.contact != uri);
            if exp == 0 {
                events.push(RegEvent::Unregistered { user: user.clone(), contact: uri, reason: "unregistered" });
                continue;
            }
            let exp = exp.min(MAX_EXPIRES);
            let user_agent = req.header("User-Agent").unwrap_or_default().to_owned();
            events.push(RegEvent::Registered {
                user: user.clone(),
                contact: uri.clone(),
                source,
                expires: exp,
                user_agent: user_agent.clone(),
            });
            let call_id = req.call_id().to_owned();
            list.push(Binding { contact: uri, expires_at: now + exp as u64, source, transport, call_id, user_agent });
        }
        let mut b = response_to(req, 200, Some("reg"));
        for binding in list.iter() {
            b = b.header("Contact", format_args!("<{}>;expires={}", binding.contact, binding.expires_at - now));
        }
        (b.finish(), events)
    }
}

/// Why a request was not authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// No (usable) credentials: challenge.
    Challenge {
        /// The nonce was ours but expired.
        stale: bool,
    },
    /// Unknown username.
    NotFound,
    /// Wrong password or rate limited.
    Forbidden(&'static str),
}
