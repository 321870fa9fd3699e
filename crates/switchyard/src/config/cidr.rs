//! IPv4/IPv6 address blocks (`10.0.0.0/8`, `::1/128`) for the AMI `permit` and ESL `acl` lists.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use super::scalars::ParseWith;

/// An address block: every address whose first `prefix` bits equal those of `addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The address as written (host bits are kept, they are ignored by [`Cidr::contains`]).
    pub addr: IpAddr,
    /// Number of leading bits that must match: 0–32 for IPv4, 0–128 for IPv6.
    pub prefix: u8,
}

impl Cidr {
    /// The block holding exactly one address.
    pub fn host(addr: IpAddr) -> Self {
        let prefix = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        Cidr { addr, prefix }
    }

    /// Whether `ip` lies in this block. An IPv4 block never contains an IPv6 address and vice versa,
    /// except IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`), which are compared as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_matches(u32::from(net).into(), u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_matches(u128::from(net), u128::from(ip), 128, self.prefix),
            _ => false,
        }
    }
}

/// Compares the top `prefix` bits of two `width`-bit numbers held in a `u128`.
fn prefix_matches(net: u128, ip: u128, width: u32, prefix: u8) -> bool {
    let ignored = width - u32::from(prefix);
    net.checked_shr(ignored).unwrap_or(0) == ip.checked_shr(ignored).unwrap_or(0)
}

impl FromStr for Cidr {
    type Err = String;

    /// Accepts `ADDR/PREFIX`, or a bare address meaning a single host.
    fn from_str(text: &str) -> Result<Self, String> {
        let invalid = || format!("invalid CIDR '{text}'");
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| invalid())?;
        let max = Cidr::host(addr).prefix;
        let prefix = match prefix {
            None => max,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => p.parse().map_err(|_| invalid())?,
            Some(_) => return Err(invalid()),
        };
        if prefix > max {
            return Err(format!("invalid CIDR '{text}': prefix is longer than {max} bits"));
        }
        Ok(Cidr { addr, prefix })
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_str(ParseWith(str::parse))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv4_block_contains_its_addresses_only() {
        let block = cidr("10.1.0.0/16");
        assert!(block.contains(ip("10.1.0.1")));
        assert!(block.contains(ip("10.1.255.255")));
        assert!(!block.contains(ip("10.2.0.0")));
    }

    #[test]
    fn host_bits_in_the_written_address_are_ignored() {
        assert!(cidr("192.168.1.77/24").contains(ip("192.168.1.3")));
    }

    #[test]
    fn prefix_zero_contains_every_address_of_its_family() {
        assert!(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(cidr("::/0").contains(ip("2001:db8::1")));
        assert!(!cidr("0.0.0.0/0").contains(ip("2001:db8::1")));
    }

    #[test]
    fn full_prefix_matches_exactly_one_address() {
        assert!(cidr("127.0.0.1/32").contains(ip("127.0.0.1")));
        assert!(!cidr("127.0.0.1/32").contains(ip("127.0.0.2")));
        assert!(cidr("::1/128").contains(ip("::1")));
        assert!(!cidr("::1/128").contains(ip("::2")));
    }

    #[test]
    fn ipv6_block_contains_its_addresses_only() {
        let block = cidr("2001:db8::/32");
        assert!(block.contains(ip("2001:db8:ffff::1")));
        assert!(!block.contains(ip("2001:db9::1")));
    }

    #[test]
    fn ipv4_mapped_ipv6_addresses_match_ipv4_blocks() {
        assert!(cidr("127.0.0.0/8").contains(ip("::ffff:127.0.0.1")));
    }

    #[test]
    fn bare_address_means_a_single_host() {
        assert_eq!(cidr("10.0.0.1"), cidr("10.0.0.1/32"));
        assert_eq!(cidr("::1").prefix, 128);
    }

    #[test]
    fn malformed_blocks_are_rejected_with_the_text() {
        for bad in ["10.0.0.300/8", "10.0.0.0/", "10.0.0.0/+8", "x/8", "", "10.0.0.0/8/8"] {
            assert_eq!(bad.parse::<Cidr>(), Err(format!("invalid CIDR '{bad}'")), "{bad}");
        }
    }

    #[test]
    fn prefix_longer_than_the_address_is_rejected() {
        assert_eq!(
            "10.0.0.0/33".parse::<Cidr>(),
            Err("invalid CIDR '10.0.0.0/33': prefix is longer than 32 bits".to_string())
        );
        assert!("::/129".parse::<Cidr>().is_err());
    }

    #[test]
    fn display_round_trips() {
        for text in ["10.0.0.0/8", "::1/128", "2001:db8::/32"] {
            assert_eq!(cidr(text).to_string(), text);
        }
    }
}
