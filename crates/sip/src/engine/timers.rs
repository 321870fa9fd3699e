//! Transaction timers (RFC 3261 §17): the response cache that absorbs retransmitted requests, and
//! retransmission of what we send over UDP (T1 doubling up to T2, given up after 64·T1).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::CallKey;
use crate::wire::Transport;

/// RTT estimate.
pub const T1: Duration = Duration::from_millis(500);
/// Longest retransmit interval.
pub const T2: Duration = Duration::from_secs(4);
/// Transaction lifetime (64·T1).
pub const TX_LIFETIME: Duration = Duration::from_secs(32);

/// What a retransmission timer is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TimerId {
    /// Our 2xx to an INVITE, until the ACK.
    Invite2xx(CallKey),
    /// Our error response to an INVITE, until the ACK.
    InviteError(CallKey),
    /// A request we sent (INVITE, BYE, CANCEL), until a response.
    Request(CallKey, &'static str),
    /// A NOTIFY or MESSAGE we sent inside a call (REFER progress, ESL `sendevent` with `uuid`), by its
    /// CSeq number, until a response.
    InDialog(CallKey, u32),
    /// A request we sent outside any call (MESSAGE, NOTIFY), by its Call-ID, until a final response.
    Standalone(String),
}

/// A timer that fired for good (no more retransmissions).
#[derive(Debug)]
pub struct Expired(pub TimerId);

struct Retrans {
    transport: Transport,
    dest: SocketAddr,
    data: Bytes,
    next: Instant,
    interval: Duration,
    deadline: Instant,
}

/// All transaction timers of the engine.
#[derive(Default)]
pub struct Timers {
    cache: HashMap<(String, String), Bytes>,
    cache_order: VecDeque<(Instant, (String, String))>,
    retrans: HashMap<TimerId, Retrans>,
    resend: Vec<(Transport, SocketAddr, Bytes)>,
}

impl Timers {
    /// Keeps a final response for retransmitted requests of this transaction.
    pub fn cache_response(&mut self, now: Instant, branch: &str, method: &str, data: Bytes) {
        if branch.is_empty() {
            return;
        }
        let key = (branch.to_owned(), method.to_owned());
        if self.cache.insert(key.clone(), data).is_none() {
            self.cache_order.push_back((now + TX_LIFETIME, key));
        }
    }

    /// The response already sent for this transaction, if any.
    pub fn cached_response(&self, branch: &str, method: &str) -> Option<Bytes> {
        if branch.is_empty() {
            return None;
        }
        self.cache.get(&(branch.to_owned(), method.to_owned())).cloned()
    }

    /// Starts retransmitting `data` (UDP), or only the deadline (TCP).
    pub fn start(&mut self, now: Instant, id: TimerId, transport: Transport, dest: SocketAddr, data: Bytes) {
        let interval = T1;
        let next = if transport == Transport::Udp { now + interval } else { now + TX_LIFETIME };
        let r = Retrans { transport, dest, data, next, interval, deadline: now + TX_LIFETIME };
        self.retrans.insert(id, r);
    }

    /// Stops a timer; true when it was running.
    pub fn stop(&mut self, id: &TimerId) -> bool {
        self.retrans.remove(id).is_some()
    }

    /// The retransmissions to send now (call after [`Timers::due`]).
    pub fn take_resends(&mut self) -> Vec<(Transport, SocketAddr, Bytes)> {
        std::mem::take(&mut self.resend)
    }

    /// Earliest instant something is due.
    pub fn next_due(&self) -> Option<Instant> {
        let r = self.retrans.values().map(|r| r.next.min(r.deadline)).min();
        let c = self.cache_order.front().map(|(t, _)| *t);
        r.into_iter().chain(c).min()
    }

    /// Advances to `now`: queues resends, forgets old cache entries, returns expired timers.
    pub fn due(&mut self, now: Instant) -> Vec<Expired> {
        while let Some((t, _)) = self.cache_order.front()
            && *t <= now
        {
            if let Some((_, key)) = self.cache_order.pop_front() {
                self.cache.remove(&key);
            }
        }
        let mut expired = Vec::new();
        for (id, r) in &mut self.retrans {
            if r.deadline <= now {
                expired.push(Expired(id.clone()));
            } else if r.next <= now && r.transport == Transport::Udp {
                self.resend.push((r.transport, r.dest, r.data.clone()));
                r.interval = (r.interval * 2).min(T2);
                r.next = now + r.interval;
            }
        }
        for Expired(id) in &expired {
            self.retrans.remove(id);
        }
        expired
    }
}
