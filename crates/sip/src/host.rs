//! Hosts as written in `[[sip.trunks]] host` and dial strings: an IP literal or a DNS host name
//! (letters, digits, `-` and `.`, RFC 1123 labels), with an optional `:port`. Pure parsing; names
//! are resolved by the driver (`driver::resolve`).

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// Longest host name (RFC 1035 §2.3.4, in text form without the trailing dot).
const MAX_NAME: usize = 253;
/// Longest label.
const MAX_LABEL: usize = 63;

/// Why a host is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// Empty text.
    #[error("empty host")]
    Empty,
    /// Not an IP literal and not a valid host name.
    #[error("'{host}' is neither an IP address nor a valid host name: {why}")]
    Invalid {
        /// What was given.
        host: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The text after the last `:` is not a port.
    #[error("bad port in '{0}'")]
    Port(String),
}

/// Where a peer is: an address, or a name the system resolver turns into one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// An IP literal.
    Ip(IpAddr),
    /// A DNS host name (kept as written, compared case-insensitively by the resolver).
    Name(String),
}

impl Host {
    /// An IP literal (`10.0.0.1`, `::1`, `[::1]`) or a host name.
    pub fn parse(text: &str) -> Result<Self, HostError> {
        if let Ok(ip) = text.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return Ok(Self::Ip(ip));
        }
        check_hostname(text)?;
        Ok(Self::Name(text.to_owned()))
    }

    /// The address at `port` when this is an IP literal.
    pub fn socket_addr(&self, port: u16) -> Option<SocketAddr> {
        match self {
            Self::Ip(ip) => Some(SocketAddr::new(*ip, port)),
            Self::Name(_) => None,
        }
    }

    /// `host:port` as written in a SIP URI (IPv6 in brackets).
    pub fn with_port(&self, port: u16) -> String {
        format!("{self}:{port}")
    }
}

impl fmt::Display for Host {
    /// As in a SIP URI: `10.0.0.1`, `[::1]`, `example.com`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Self::Ip(ip) => write!(f, "{ip}"),
            Self::Name(name) => f.write_str(name),
        }
    }
}

/// `host`, `host:port`, `[v6]:port` or a bare IPv6 literal; the port is `None` when not given.
pub fn parse_host_port(text: &str) -> Result<(Host, Option<u16>), HostError> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok((Host::Ip(addr.ip()), Some(addr.port())));
    }
    if let Ok(host) = Host::parse(text) {
        return Ok((host, None));
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            let port = port.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| HostError::Port(text.to_owned()))?;
            Ok((Host::parse(host)?, Some(port)))
        }
        _ => Host::parse(text).map(|h| (h, None)),
    }
}

/// Checks a DNS host name: dot-separated labels of letters, digits and `-` (not at either end of a
/// label), no empty label, at most 63 characters a label and 253 in all (RFC 1123 §2.1), and a last
/// label that is not all digits (that would be a mistyped IPv4 address, RFC 3696 §2).
pub fn check_hostname(name: &str) -> Result<(), HostError> {
    let invalid = |why| Err(HostError::Invalid { host: name.to_owned(), why });
    if name.is_empty() {
        return Err(HostError::Empty);
    }
    if name.len() > MAX_NAME {
        return invalid("longer than 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return invalid("empty label (two dots in a row, or a dot at either end)");
        }
        if label.len() > MAX_LABEL {
            return invalid("a label is longer than 63 characters");
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return invalid("only letters, digits, '-' and '.' are allowed");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return invalid("a label starts or ends with '-'");
        }
    }
    if name.rsplit('.').next().is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit())) {
        return invalid("not a valid IP address, and a host name cannot end in a numeric label");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(name: &str) -> &'static str {
        match check_hostname(name) {
            Err(HostError::Invalid { why, .. }) => why,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn host_names_are_letters_digits_hyphens_and_dots() {
        for ok in ["localhost", "sip.example.com", "carrier-1.example", "a", "x1.y2", "EXAMPLE.org", "123abc"] {
            assert_eq!(check_hostname(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_hostname(""), Err(HostError::Empty));
        assert!(why("a..b").starts_with("empty label"));
        assert!(why(".example.com").starts_with("empty label"));
        assert!(why("example.com.").starts_with("empty label"));
        assert!(why("bad_name").starts_with("only letters"));
        assert!(why("sip example").starts_with("only letters"));
        assert!(why("-x.example").starts_with("a label starts"));
        assert!(why("x-.example").starts_with("a label starts"));
        assert!(why(&"a".repeat(64)).contains("63"));
        assert!(why(&["abc"; 70].join(".")).contains("253"));
        assert!(why("10.0.0.300").starts_with("not a valid IP address"));
    }

    #[test]
    fn hosts_are_ip_literals_or_names() {
        assert_eq!(Host::parse("10.0.0.1"), Ok(Host::Ip("10.0.0.1".parse().unwrap())));
        assert_eq!(Host::parse("[::1]"), Ok(Host::Ip("::1".parse().unwrap())));
        assert_eq!(Host::parse("::1"), Ok(Host::Ip("::1".parse().unwrap())));
        assert_eq!(Host::parse("localhost"), Ok(Host::Name("localhost".into())));
        assert!(Host::parse("no such host").is_err());
        assert_eq!(Host::parse("::1").unwrap().with_port(5060), "[::1]:5060");
        assert_eq!(Host::parse("pbx.example").unwrap().with_port(5070), "pbx.example:5070");
        assert_eq!(Host::parse("10.0.0.1").unwrap().socket_addr(5060), Some("10.0.0.1:5060".parse().unwrap()));
        assert_eq!(Host::parse("localhost").unwrap().socket_addr(5060), None);
    }

    #[test]
    fn host_and_port() {
        let name = |n: &str| Host::Name(n.into());
        let ip = |i: &str| Host::Ip(i.parse().unwrap());
        assert_eq!(parse_host_port("localhost:5099"), Ok((name("localhost"), Some(5099))));
        assert_eq!(parse_host_port("localhost"), Ok((name("localhost"), None)));
        assert_eq!(parse_host_port("127.0.0.1:5062"), Ok((ip("127.0.0.1"), Some(5062))));
        assert_eq!(parse_host_port("[::1]:5062"), Ok((ip("::1"), Some(5062))));
        assert_eq!(parse_host_port("::1"), Ok((ip("::1"), None)));
        assert_eq!(parse_host_port("localhost:http"), Err(HostError::Port("localhost:http".into())));
        assert_eq!(parse_host_port("localhost:0"), Err(HostError::Port("localhost:0".into())));
        assert!(matches!(parse_host_port("bad_host:5060"), Err(HostError::Invalid { .. })));
    }
}
