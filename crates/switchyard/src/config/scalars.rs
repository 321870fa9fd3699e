//! Config values written as one string (`"udp:127.0.0.1:5060"`, `"20000-30000"`, store URLs, socket
//! addresses, SIP hosts), parsed into types with error messages that say what was expected.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use switchyard_sip::host::{Host, HostError};

/// A serde visitor that parses a string with `self.0`. Failing inside the visitor (rather than after
/// deserializing, as `#[serde(try_from)]` does) lets toml attach the value's own span to the error,
/// so an array element's error names that element.
pub(crate) struct ParseWith<T>(pub(crate) fn(&str) -> Result<T, String>);

impl<T> Visitor<'_> for ParseWith<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.0)(text).map_err(E::custom)
    }
}

/// Deserializes a `SocketAddr` from `"IP:PORT"` with a message that shows the expected form.
pub(crate) fn socket_addr<'de, D: Deserializer<'de>>(de: D) -> Result<SocketAddr, D::Error> {
    de.deserialize_str(ParseWith(parse_socket_addr))
}

fn parse_socket_addr(text: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|_| format!("expected a socket address like 127.0.0.1:5038, got '{text}'"))
}

/// Deserializes a SIP peer's host: an IP address or a DNS host name (checked here, resolved by SIP).
pub(crate) fn sip_host<'de, D: Deserializer<'de>>(de: D) -> Result<Host, D::Error> {
    de.deserialize_str(ParseWith(parse_sip_host))
}

fn parse_sip_host(text: &str) -> Result<Host, String> {
    match Host::parse(text) {
        Ok(host) => Ok(host),
        Err(HostError::Empty) => Err("expected an IP address or a host name, got ''".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// SIP transport of one listening socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SipTransport {
    Udp,
    Tcp,
}

/// One SIP listening socket, written `udp:IP:PORT` or `tcp:IP:PORT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SipListen {
    pub transport: SipTransport,
    pub addr: SocketAddr,
}

impl FromStr for SipListen {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let expected = || format!("expected udp:IP:PORT or tcp:IP:PORT, got '{text}'");
        let (transport, addr) = text.split_once(':').ok_or_else(expected)?;
        let transport = match transport {
            "udp" => SipTransport::Udp,
            "tcp" => SipTransport::Tcp,
            _ => return Err(expected()),
        };
        let addr = addr.parse().map_err(|_| expected())?;
        Ok(SipListen { transport, addr })
    }
}

impl<'de> Deserialize<'de> for SipListen {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_str(ParseWith(str::parse))
    }
}

impl fmt::Display for SipListen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = match self.transport {
            SipTransport::Udp => "udp",
            SipTransport::Tcp => "tcp",
        };
        write!(f, "{transport}:{}", self.addr)
    }
}

/// A digest algorithm the registrar offers: `MD5` or `SHA-256` (RFC 8760 names, any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Md5,
    Sha256,
}

impl FromStr for DigestAlgorithm {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_uppercase().as_str() {
            "MD5" => Ok(Self::Md5),
            "SHA-256" => Ok(Self::Sha256),
            _ => Err(format!("expected MD5 or SHA-256, got '{text}'")),
        }
    }
}

impl<'de> Deserialize<'de> for DigestAlgorithm {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_str(ParseWith(str::parse))
    }
}

/// The UDP port range for RTP, written `A-B`: `1024 <= A < B <= 65535`, `A` even (RTP takes the even
/// port of each pair, RTCP the odd one above it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RtpPorts {
    pub first: u16,
    pub last: u16,
}

impl FromStr for RtpPorts {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let expected = || format!("expected a port range like 20000-30000, got '{text}'");
        let (first, last) = text.split_once('-').ok_or_else(expected)?;
        let port = |p: &str| p.trim().parse::<u16>().map_err(|_| expected());
        let (first, last) = (port(first)?, port(last)?);
        if first < 1024 || first >= last {
            return Err(format!("port range '{text}' must satisfy 1024 <= first < last <= 65535"));
        }
        if first % 2 != 0 {
            return Err(format!("port range '{text}' must start on an even port"));
        }
        Ok(RtpPorts { first, last })
    }
}

impl<'de> Deserialize<'de> for RtpPorts {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_str(ParseWith(str::parse))
    }
}

impl fmt::Display for RtpPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// Where the store lives: `sqlite:PATH` (relative paths are relative to the config file) or a
/// PostgreSQL URL (`postgres://user:pass@host/db`), passed through untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

/// The SQLite path meaning "no file, in memory"; never resolved against a directory.
pub const SQLITE_IN_MEMORY: &str = ":memory:";

impl FromStr for StoreUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(format!("store url '{text}' has no database path"));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(text.to_string()));
        }
        Err(format!("unsupported store url '{text}': expected sqlite:PATH or postgres://user:pass@host/db"))
    }
}

impl<'de> Deserialize<'de> for StoreUrl {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_str(ParseWith(str::parse))
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreUrl::Postgres(url) => f.write_str(url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_addresses_need_an_ip_and_a_port() {
        assert_eq!(parse_socket_addr("[::1]:8021"), Ok("[::1]:8021".parse().unwrap()));
        assert_eq!(
            parse_socket_addr("localhost"),
            Err("expected a socket address like 127.0.0.1:5038, got 'localhost'".to_string())
        );
    }

    #[test]
    fn sip_listen_names_transport_and_address() {
        let listen: SipListen = "tcp:[::1]:5060".parse().unwrap();
        assert_eq!(listen.transport, SipTransport::Tcp);
        assert_eq!(listen.addr, "[::1]:5060".parse().unwrap());
        assert_eq!(listen.to_string(), "tcp:[::1]:5060");
    }

    #[test]
    fn sip_listen_rejects_unknown_transports_and_bad_addresses() {
        for bad in ["tls:127.0.0.1:5061", "127.0.0.1:5060", "udp:127.0.0.1", "udp", ""] {
            assert_eq!(bad.parse::<SipListen>(), Err(format!("expected udp:IP:PORT or tcp:IP:PORT, got '{bad}'")));
        }
    }

    #[test]
    fn rtp_ports_accept_an_even_start_below_the_end() {
        assert_eq!("20000-30000".parse(), Ok(RtpPorts { first: 20000, last: 30000 }));
        assert_eq!("1024-65535".parse::<RtpPorts>().unwrap().to_string(), "1024-65535");
    }

    #[test]
    fn rtp_ports_reject_malformed_ranges() {
        for bad in ["20000", "a-b", "20000-70000", "-", "20000-"] {
            assert_eq!(bad.parse::<RtpPorts>(), Err(format!("expected a port range like 20000-30000, got '{bad}'")));
        }
    }

    #[test]
    fn rtp_ports_reject_privileged_empty_or_odd_ranges() {
        let order = |t: &str| format!("port range '{t}' must satisfy 1024 <= first < last <= 65535");
        assert_eq!("1000-2000".parse::<RtpPorts>(), Err(order("1000-2000")));
        assert_eq!("3000-3000".parse::<RtpPorts>(), Err(order("3000-3000")));
        assert_eq!("4000-3000".parse::<RtpPorts>(), Err(order("4000-3000")));
        assert_eq!(
            "20001-30000".parse::<RtpPorts>(),
            Err("port range '20001-30000' must start on an even port".to_string())
        );
    }

    #[test]
    fn store_urls_are_sqlite_paths_or_postgres_urls() {
        assert_eq!("sqlite:a/b.db".parse(), Ok(StoreUrl::Sqlite("a/b.db".into())));
        assert_eq!("sqlite:///abs.db".parse(), Ok(StoreUrl::Sqlite("/abs.db".into())));
        let pg = "postgres://u:p@db/switchyard";
        assert_eq!(pg.parse(), Ok(StoreUrl::Postgres(pg.to_string())));
        assert_eq!(pg.parse::<StoreUrl>().unwrap().to_string(), pg);
    }

    #[test]
    fn store_urls_of_other_kinds_are_rejected() {
        assert_eq!(
            "mysql://db".parse::<StoreUrl>(),
            Err("unsupported store url 'mysql://db': expected sqlite:PATH or \
                 postgres://user:pass@host/db"
                .to_string())
        );
        assert_eq!("sqlite:".parse::<StoreUrl>(), Err("store url 'sqlite:' has no database path".to_string()));
    }
}
