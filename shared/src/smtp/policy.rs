//! Which addresses a probe may connect to (server-side request forgery
//! policy for the edge worker, and for `geleit probe --public-only`).
//!
//! A probe service connects wherever DNS points, and DNS is controlled by
//! whoever asks. So a target must be a mail port ([`ALLOWED_PORTS`]) on a
//! globally reachable unicast address; the operator may allow extra ranges
//! explicitly (a lab, an internal relay). The address check is an allow-list
//! for IPv6 (global unicast 2000::/3 only, RFC 4291 §2.4) minus special
//! ranges, and a deny-list for IPv4, both from the IANA special-purpose
//! address registries (RFC 6890).
//!
//! Check the address the connection will go to, after resolution, and
//! connect to exactly that address (no second lookup: DNS rebinding).
//!
//! Decisions:
//! - 6to4 (2002::/16, RFC 3056) and Teredo (2001::/32, RFC 4380, inside
//!   2001::/23) are refused: they embed an IPv4 address that may be private,
//!   and no mail server needs them.
//! - NAT64 64:ff9b::/96 (RFC 6052) and IPv4-mapped ::ffff:0:0/96
//!   (RFC 4291 §2.5.5.2) are refused (outside 2000::/3): they are another
//!   spelling of an IPv4 address. Resolve and check the IPv4 address instead.
//! - Operator ranges are matched per family: 127.0.0.0/8 does not allow
//!   ::ffff:127.0.0.1. They allow an address, never a port.

use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use thiserror::Error;

/// SMTP (RFC 5321 §4.5.4.2), submissions over implicit TLS (RFC 8314 §3.3)
/// and submission (RFC 6409 §3.1).
pub const ALLOWED_PORTS: [u16; 3] = [25, 465, 587];

/// An address range in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    addr: IpAddr,
    prefix_len: u8,
}

/// Why a CIDR string was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CidrError {
    #[error("expected an IPv4 or IPv6 address before \"/\", found {}", crate::quoted::Quoted(.found))]
    BadAddress { found: String },
    #[error("expected a prefix length of 0 to {max}, found {}", crate::quoted::Quoted(.found))]
    BadPrefixLen { max: u8, found: String },
    #[error("expected the host bits after /{prefix_len} to be zero, found {found}")]
    HostBitsSet { prefix_len: u8, found: String },
}

impl Cidr {
    /// A range from a network address and prefix length; the host bits must
    /// be zero (a typo like 10.0.0.1/8 is refused rather than widened).
    pub fn new(addr: IpAddr, prefix_len: u8) -> Result<Self, CidrError> {
        let max = max_prefix(addr);
        if prefix_len > max {
            return Err(CidrError::BadPrefixLen { max, found: prefix_len.to_string() });
        }
        let cidr = Self { addr, prefix_len };
        if network(addr, prefix_len) != bits(addr) {
            return Err(CidrError::HostBitsSet { prefix_len, found: addr.to_string() });
        }
        Ok(cidr)
    }

    /// Whether `ip` lies in this range (same family only).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                network(ip, self.prefix_len) == bits(self.addr)
            }
            _ => false,
        }
    }

    #[must_use]
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    #[must_use]
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    /// `ADDR/LEN`, or a bare address meaning that one host (/32 or /128).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr_text, len_text) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = addr_text
            .parse()
            .map_err(|_| CidrError::BadAddress { found: super::sanitize(addr_text.as_bytes(), 64) })?;
        let max = max_prefix(addr);
        let prefix_len = match len_text {
            None => max,
            Some(l) => {
                let bad = || CidrError::BadPrefixLen { max, found: super::sanitize(l.as_bytes(), 16) };
                if l.is_empty() || l.len() > 3 || !l.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                l.parse::<u8>().map_err(|_| bad())?
            }
        };
        Self::new(addr, prefix_len)
    }
}

fn max_prefix(addr: IpAddr) -> u8 {
    if addr.is_ipv4() { 32 } else { 128 }
}

fn bits(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// The first `prefix_len` bits of `addr`, the rest zero.
fn network(addr: IpAddr, prefix_len: u8) -> u128 {
    let width = u32::from(max_prefix(addr));
    let host_bits = width.saturating_sub(u32::from(prefix_len));
    let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
    let width_mask = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
    bits(addr) & mask & width_mask
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PolicyRefusal {
    #[error("expected port 25, 465 or 587, found {port}")]
    Port { port: u16 },
    #[error("expected a public unicast address, found {ip} in {range} ({name})")]
    NotPublic { ip: IpAddr, range: &'static str, name: &'static str },
}

/// Special-purpose IPv4 ranges refused (IANA IPv4 Special-Purpose Address
/// Registry, RFC 6890; plus multicast and reserved space).
const V4_REFUSED: &[(&str, &str)] = &[
    ("0.0.0.0/8", "\"this network\", RFC 791"),
    ("10.0.0.0/8", "private, RFC 1918"),
    ("100.64.0.0/10", "shared address space (CGNAT), RFC 6598"),
    ("127.0.0.0/8", "loopback, RFC 1122"),
    ("169.254.0.0/16", "link-local, RFC 3927"),
    ("172.16.0.0/12", "private, RFC 1918"),
    ("192.0.0.0/24", "IETF protocol assignments, RFC 6890"),
    ("192.0.2.0/24", "documentation TEST-NET-1, RFC 5737"),
    ("192.88.99.0/24", "6to4 relay anycast, RFC 7526"),
    ("192.168.0.0/16", "private, RFC 1918"),
    ("198.18.0.0/15", "benchmarking, RFC 2544"),
    ("198.51.100.0/24", "documentation TEST-NET-2, RFC 5737"),
    ("203.0.113.0/24", "documentation TEST-NET-3, RFC 5737"),
    ("224.0.0.0/4", "multicast, RFC 5771"),
    ("240.0.0.0/4", "reserved and limited broadcast, RFC 1112, RFC 919"),
];

/// IPv6 ranges refused. Everything outside 2000::/3 is refused anyway; the
/// well-known ranges out there are listed to name the reason.
const V6_REFUSED: &[(&str, &str)] = &[
    ("::/128", "unspecified, RFC 4291"),
    ("::1/128", "loopback, RFC 4291"),
    ("::ffff:0:0/96", "IPv4-mapped, RFC 4291"),
    ("64:ff9b::/96", "NAT64, RFC 6052"),
    ("64:ff9b:1::/48", "local-use NAT64, RFC 8215"),
    ("100::/64", "discard-only, RFC 6666"),
    ("2001::/23", "IETF protocol assignments incl. Teredo, RFC 2928, RFC 4380"),
    ("2001:db8::/32", "documentation, RFC 3849"),
    ("2002::/16", "6to4, RFC 3056"),
    ("3fff::/20", "documentation, RFC 9637"),
    ("5f00::/16", "SRv6 SIDs, RFC 9602"),
    ("fc00::/7", "unique local, RFC 4193"),
    ("fe80::/10", "link-local, RFC 4291"),
    ("ff00::/8", "multicast, RFC 4291"),
];

const V6_GLOBAL_UNICAST: Cidr = Cidr { addr: IpAddr::V6(Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0)), prefix_len: 3 };

/// Checks a probe target: the port must be one of [`ALLOWED_PORTS`], and the
/// address public unicast or inside one of `extra_allowed` (operator
/// configured).
pub fn check_probe_target(ip: IpAddr, port: u16, extra_allowed: &[Cidr]) -> Result<(), PolicyRefusal> {
    if !ALLOWED_PORTS.contains(&port) {
        return Err(PolicyRefusal::Port { port });
    }
    check_public_address(ip, extra_allowed)
}

/// The address half of [`check_probe_target`], for other outbound
/// connections to hosts named by a domain (the MTA-STS policy fetch, RFC
/// 8461 §3.3): public unicast, or inside one of `extra_allowed`.
pub fn check_public_address(ip: IpAddr, extra_allowed: &[Cidr]) -> Result<(), PolicyRefusal> {
    if extra_allowed.iter().any(|c| c.contains(ip)) {
        return Ok(());
    }
    let table = match ip {
        IpAddr::V4(_) => V4_REFUSED,
        IpAddr::V6(_) => V6_REFUSED,
    };
    // The most specific listed range names the reason (2001:db8::/32 before 2001::/23).
    let hit = table
        .iter()
        .filter_map(|&(range, name)| {
            let cidr: Cidr = range.parse().ok()?;
            cidr.contains(ip).then_some((cidr.prefix_len, range, name))
        })
        .max_by_key(|&(len, _, _)| len);
    if let Some((_, range, name)) = hit {
        return Err(PolicyRefusal::NotPublic { ip, range, name });
    }
    if ip.is_ipv6() && !V6_GLOBAL_UNICAST.contains(ip) {
        return Err(PolicyRefusal::NotPublic { ip, range: "outside 2000::/3", name: "not global unicast, RFC 4291" });
    }
    Ok(())
}

/// Whether [`check_probe_target`] allows the target.
#[must_use]
pub fn is_probe_target_allowed(ip: IpAddr, port: u16, extra_allowed: &[Cidr]) -> bool {
    check_probe_target(ip, port, extra_allowed).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn listed_ranges_parse() {
        for (range, _) in V4_REFUSED.iter().chain(V6_REFUSED) {
            assert!(range.parse::<Cidr>().is_ok(), "{range}");
        }
    }

    #[test]
    fn public_addresses_on_mail_ports_are_allowed() {
        for addr in ["8.8.8.8", "1.1.1.1", "193.0.6.139", "2a00:1450:4001::1b", "2620:fe::fe"] {
            for port in ALLOWED_PORTS {
                assert!(is_probe_target_allowed(ip(addr), port, &[]), "{addr}:{port}");
            }
        }
    }

    #[test]
    fn other_ports_are_refused_even_in_extra_ranges() {
        let extra = ["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()];
        for port in [0, 22, 24, 26, 80, 443, 2525, 25025] {
            assert_eq!(check_probe_target(ip("8.8.8.8"), port, &extra), Err(PolicyRefusal::Port { port }));
        }
        assert_eq!(PolicyRefusal::Port { port: 80 }.to_string(), "expected port 25, 465 or 587, found 80");
    }

    #[test]
    fn special_ipv4_addresses_are_refused() {
        for addr in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_probe_target_allowed(ip(addr), 25, &[]), "{addr}");
        }
    }

    #[test]
    fn ipv4_range_edges() {
        for addr in [
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "11.0.0.0",
            "9.255.255.255",
        ] {
            assert!(is_probe_target_allowed(ip(addr), 25, &[]), "{addr}");
        }
    }

    #[test]
    fn special_ipv6_addresses_are_refused() {
        for addr in [
            "::",
            "::1",
            "::ffff:8.8.8.8",
            "::ffff:127.0.0.1",
            "::8.8.8.8",
            "64:ff9b::808:808",
            "100::1",
            "2001::1",
            "2001:0:4136:e378::1",
            "2001:db8::25",
            "2002:c000:0201::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "4000::1",
            "e000::1",
        ] {
            assert!(!is_probe_target_allowed(ip(addr), 25, &[]), "{addr}");
        }
    }

    #[test]
    fn refusal_names_the_most_specific_range() {
        assert_eq!(
            check_probe_target(ip("2001:db8::1"), 25, &[]).unwrap_err().to_string(),
            "expected a public unicast address, found 2001:db8::1 in 2001:db8::/32 (documentation, RFC 3849)"
        );
        assert_eq!(
            check_probe_target(ip("127.0.0.1"), 25, &[]).unwrap_err().to_string(),
            "expected a public unicast address, found 127.0.0.1 in 127.0.0.0/8 (loopback, RFC 1122)"
        );
        assert_eq!(
            check_probe_target(ip("4000::1"), 25, &[]).unwrap_err().to_string(),
            "expected a public unicast address, found 4000::1 in outside 2000::/3 (not global unicast, RFC 4291)"
        );
    }

    #[test]
    fn extra_ranges_allow_exactly_their_addresses() {
        let extra: Vec<Cidr> = ["127.0.0.0/8", "fd00:1::/64"].iter().map(|s| s.parse().unwrap()).collect();
        assert!(is_probe_target_allowed(ip("127.0.0.53"), 25, &extra));
        assert!(is_probe_target_allowed(ip("fd00:1::25"), 587, &extra));
        assert!(!is_probe_target_allowed(ip("fd00:2::25"), 25, &extra));
        assert!(!is_probe_target_allowed(ip("10.0.0.1"), 25, &extra));
        assert!(!is_probe_target_allowed(ip("::ffff:127.0.0.1"), 25, &extra));
    }

    #[test]
    fn cidr_parsing() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap();
        assert_eq!(c.to_string(), "10.0.0.0/8");
        assert!(c.contains(ip("10.255.255.255")));
        assert!(!c.contains(ip("11.0.0.0")));
        assert!(!c.contains(ip("::a00:1")));
        let host: Cidr = "192.0.2.7".parse().unwrap();
        assert_eq!(host.prefix_len(), 32);
        assert!(host.contains(ip("192.0.2.7")));
        assert!(!host.contains(ip("192.0.2.8")));
        let all: Cidr = "::/0".parse().unwrap();
        assert!(all.contains(ip("ffff::1")));
        let v6: Cidr = "2001:db8::/127".parse().unwrap();
        assert!(v6.contains(ip("2001:db8::1")));
        assert!(!v6.contains(ip("2001:db8::2")));
    }

    #[test]
    fn cidr_errors() {
        let cases = [
            ("10.0.0.1/8", "expected the host bits after /8 to be zero, found 10.0.0.1"),
            ("10.0.0.0/33", "expected a prefix length of 0 to 32, found \"33\""),
            ("::/129", "expected a prefix length of 0 to 128, found \"129\""),
            ("10.0.0.0/", "expected a prefix length of 0 to 32, found \"\""),
            ("10.0.0.0/+8", "expected a prefix length of 0 to 32, found \"+8\""),
            ("mx.example/8", "expected an IPv4 or IPv6 address before \"/\", found \"mx.example\""),
            ("", "expected an IPv4 or IPv6 address before \"/\", found \"\""),
        ];
        for (text, message) in cases {
            assert_eq!(text.parse::<Cidr>().unwrap_err().to_string(), message, "{text}");
        }
    }
}
