//! Host names of trunks and dial strings, resolved in the async shell (the engine only ever sees
//! addresses): the system resolver (`getaddrinfo` through `tokio::net::lookup_host`, so A/AAAA records
//! and `/etc/hosts`; no SRV or NAPTR) behind a small cache that asks again at most every [`REFRESH`]
//! (getaddrinfo gives no TTL). An address of our listener's family is picked.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::Trunk;
use crate::host::Host;

/// How long an answer (or a failure) is reused before the name is looked up again.
pub const REFRESH: Duration = Duration::from_secs(60);

/// How long one lookup may take before it counts as failed.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Entries kept before stale ones are dropped (dial strings can name any host).
const PRUNE_AT: usize = 1024;

/// Why a name gives no usable address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The resolver failed or found nothing.
    #[error("host '{name}' does not resolve: {reason}")]
    NotFound {
        /// The name.
        name: String,
        /// The resolver's words.
        reason: String,
    },
    /// Only addresses of the other family.
    #[error("host '{name}' resolves only to IPv{theirs} addresses and SIP listens on IPv{ours}")]
    Family {
        /// The name.
        name: String,
        /// Our family.
        ours: u8,
        /// Theirs.
        theirs: u8,
    },
}

struct Cached {
    at: Instant,
    result: Result<Vec<IpAddr>, String>,
}

/// Answers by lower-cased name, with the time they were got (sans-io: time passed in).
#[derive(Default)]
pub struct DnsCache {
    entries: HashMap<String, Cached>,
}

impl DnsCache {
    /// The answer for `name` if it was got less than [`REFRESH`] before `now`.
    pub fn fresh(&self, name: &str, now: Instant) -> Option<Result<Vec<IpAddr>, String>> {
        let c = self.entries.get(&name.to_ascii_lowercase())?;
        (now.saturating_duration_since(c.at) < REFRESH).then(|| c.result.clone())
    }

    /// Keeps an answer (addresses, or the resolver's error) got at `now`.
    pub fn store(&mut self, name: &str, now: Instant, result: Result<Vec<IpAddr>, String>) {
        if self.entries.len() >= PRUNE_AT {
            self.entries.retain(|_, c| now.saturating_duration_since(c.at) < REFRESH);
        }
        self.entries.insert(name.to_ascii_lowercase(), Cached { at: now, result });
    }

    /// Names held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Nothing held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The first address of our family (`v4`: we listen on IPv4), in the resolver's order.
pub fn pick(name: &str, result: Result<Vec<IpAddr>, String>, v4: bool) -> Result<IpAddr, ResolveError> {
    let addrs = result.map_err(|reason| ResolveError::NotFound { name: name.to_owned(), reason })?;
    if let Some(ip) = addrs.iter().find(|ip| ip.is_ipv4() == v4) {
        return Ok(*ip);
    }
    let (ours, theirs) = if v4 { (4, 6) } else { (6, 4) };
    match addrs.is_empty() {
        true => Err(ResolveError::NotFound { name: name.to_owned(), reason: "no addresses".into() }),
        false => Err(ResolveError::Family { name: name.to_owned(), ours, theirs }),
    }
}

/// The cache and the system resolver, shared by the driver and its lookup tasks.
#[derive(Default)]
pub struct Resolver {
    cache: Mutex<DnsCache>,
}

impl Resolver {
    /// The address for `name` from the cache, if fresh.
    pub fn cached(&self, name: &str, v4: bool, now: Instant) -> Option<Result<IpAddr, ResolveError>> {
        let result = self.cache.lock().fresh(name, now)?;
        Some(pick(name, result, v4))
    }

    /// The address for `name`: cached if fresh, else looked up (and kept, failures too).
    pub async fn resolve(&self, name: &str, v4: bool) -> Result<IpAddr, ResolveError> {
        if let Some(hit) = self.cached(name, v4, Instant::now()) {
            return hit;
        }
        let result = lookup(name).await;
        self.cache.lock().store(name, Instant::now(), result.clone());
        pick(name, result, v4)
    }
}

/// One getaddrinfo lookup (run by tokio on its blocking pool), bounded by [`LOOKUP_TIMEOUT`].
async fn lookup(name: &str) -> Result<Vec<IpAddr>, String> {
    match tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((name, 0))).await {
        Ok(Ok(addrs)) => {
            let mut ips: Vec<IpAddr> = Vec::new();
            for a in addrs {
                if !ips.contains(&a.ip()) {
                    ips.push(a.ip());
                }
            }
            Ok(ips)
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} s", LOOKUP_TIMEOUT.as_secs())),
    }
}

/// At start: looks up every trunk host name (all at once), logging what each resolves to, or a
/// warning that the trunk cannot be used until it resolves. `v4` is our listeners' family.
pub async fn warm_up(resolver: &std::sync::Arc<Resolver>, trunks: &[Trunk], v4: bool) {
    let mut tasks = Vec::new();
    for t in trunks {
        let Host::Name(name) = &t.host else { continue };
        let (resolver, name, trunk) = (resolver.clone(), name.clone(), t.name.clone());
        tasks.push(tokio::spawn(async move {
            match resolver.resolve(&name, v4).await {
                Ok(ip) => tracing::info!("SIP trunk '{trunk}': host '{name}' resolves to {ip}"),
                Err(e) => tracing::warn!("SIP trunk '{trunk}' is unusable until its host resolves: {e}"),
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn answers_are_reused_for_a_minute_then_asked_again() {
        let (t0, mut cache) = (Instant::now(), DnsCache::default());
        assert_eq!(cache.fresh("pbx.example", t0), None);
        cache.store("PBX.example", t0, Ok(ips(&["192.0.2.7"])));
        assert_eq!(cache.fresh("pbx.EXAMPLE", t0 + Duration::from_secs(59)), Some(Ok(ips(&["192.0.2.7"]))));
        assert_eq!(cache.fresh("pbx.example", t0 + REFRESH), None);
        cache.store("gone.invalid", t0, Err("Name or service not known".into()));
        assert_eq!(
            cache.fresh("gone.invalid", t0 + Duration::from_secs(1)),
            Some(Err("Name or service not known".into()))
        );
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn stale_entries_are_dropped_when_the_cache_is_full() {
        let (t0, mut cache) = (Instant::now(), DnsCache::default());
        for i in 0..PRUNE_AT {
            cache.store(&format!("h{i}.example"), t0, Ok(Vec::new()));
        }
        cache.store("fresh.example", t0 + REFRESH, Ok(Vec::new()));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn an_address_of_our_family_is_picked() {
        let both = ips(&["2001:db8::1", "192.0.2.1", "192.0.2.2"]);
        assert_eq!(pick("x", Ok(both.clone()), true), Ok("192.0.2.1".parse().unwrap()));
        assert_eq!(pick("x", Ok(both), false), Ok("2001:db8::1".parse().unwrap()));
        let only_v6 = pick("x", Ok(ips(&["::1"])), true).unwrap_err();
        assert_eq!(only_v6.to_string(), "host 'x' resolves only to IPv6 addresses and SIP listens on IPv4");
        let none = pick("y.invalid", Err("Name or service not known".into()), true).unwrap_err();
        assert_eq!(none.to_string(), "host 'y.invalid' does not resolve: Name or service not known");
        assert!(matches!(pick("x", Ok(Vec::new()), true), Err(ResolveError::NotFound { .. })));
    }

    #[tokio::test]
    async fn localhost_resolves_and_is_then_cached() {
        let resolver = Resolver::default();
        assert!(resolver.cached("localhost", true, Instant::now()).is_none());
        let ip = resolver.resolve("localhost", true).await.unwrap();
        assert!(ip.is_loopback() && ip.is_ipv4(), "{ip}");
        assert_eq!(resolver.cached("localhost", true, Instant::now()), Some(Ok(ip)));
    }
}
