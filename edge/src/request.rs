//! `GET /api/probe?host=<mx host>&port=25`: the query, checked before any
//! lookup or connection.
//!
//! The host must be a DNS host name (RFC 1123 §2.1: letters, digits and
//! hyphens, labels of 1 to 63 octets, 253 in all). Literal IP addresses are
//! refused: the edge connects only where DNS points, after checking every
//! address against the SSRF policy. A name whose last label is all digits is
//! refused too (RFC 3696 §2: no top-level domain is numeric), which keeps out
//! the shorthand IPv4 spellings such as `127.1`.

use std::net::IpAddr;

use geleit::smtp::{ALLOWED_PORTS, TlsMode};

use crate::error::EdgeError;

/// A checked probe request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeRequest {
    /// Lower case, without a trailing dot.
    pub host: String,
    pub port: u16,
}

impl ProbeRequest {
    /// From the decoded query pairs of the URL. Unknown parameters are
    /// ignored; `host` and `port` may appear once each.
    pub fn from_query<I, K, V>(pairs: I) -> Result<Self, EdgeError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut host = None;
        let mut port = None;
        for (key, value) in pairs {
            let slot = match key.as_ref() {
                "host" => &mut host,
                "port" => &mut port,
                _ => continue,
            };
            if slot.is_some() {
                return Err(EdgeError::DuplicateParameter {
                    name: if key.as_ref() == "host" { "host" } else { "port" },
                });
            }
            *slot = Some(value.as_ref().to_owned());
        }
        let host = host.ok_or(EdgeError::MissingParameter { name: "host" })?;
        let port = match port {
            None => 25,
            Some(p) => parse_port(&p)?,
        };
        Ok(Self { host: check_host(&host)?, port })
    }

    /// STARTTLS on 25 and 587, implicit TLS on 465 (RFC 8314 §3.3).
    #[must_use]
    pub fn mode(&self) -> TlsMode {
        if self.port == 465 { TlsMode::ImplicitTls } else { TlsMode::Starttls }
    }
}

fn parse_port(text: &str) -> Result<u16, EdgeError> {
    let bad = || EdgeError::BadPort { found: geleit::smtp::sanitize(text.as_bytes(), 16) };
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let port: u16 = text.parse().map_err(|_| bad())?;
    if ALLOWED_PORTS.contains(&port) { Ok(port) } else { Err(bad()) }
}

/// Longest host name, without the trailing dot (RFC 1035 §2.3.4: 255 octets
/// on the wire).
pub const MAX_HOST_OCTETS: usize = 253;

/// The host in lower case without a trailing dot, or why it is refused.
pub fn check_host(text: &str) -> Result<String, EdgeError> {
    let shown = || geleit::smtp::sanitize(text.as_bytes(), 80);
    let bad = |reason| EdgeError::BadHost { found: shown(), reason };
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        return Err(EdgeError::LiteralAddress { found: shown() });
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    if name.is_empty() {
        return Err(bad("the name is empty"));
    }
    if name.len() > MAX_HOST_OCTETS {
        return Err(bad("longer than 253 octets"));
    }
    let mut last = "";
    for label in name.split('.') {
        if label.is_empty() {
            return Err(bad("a label is empty"));
        }
        if label.len() > 63 {
            return Err(bad("a label is longer than 63 octets"));
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(bad("only letters, digits, \"-\" and \".\" are allowed"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(bad("a label starts or ends with \"-\""));
        }
        last = label;
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EdgeError::LiteralAddress { found: shown() });
    }
    Ok(name.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &[(&str, &str)]) -> Result<ProbeRequest, EdgeError> {
        ProbeRequest::from_query(q.iter().copied())
    }

    #[test]
    fn accepts_mail_hosts_and_ports() {
        let r = req(&[("host", "MX.Example.COM."), ("x", "1")]).unwrap();
        assert_eq!(r, ProbeRequest { host: "mx.example.com".into(), port: 25 });
        assert_eq!(r.mode(), TlsMode::Starttls);
        let r = req(&[("port", "465"), ("host", "smtp.example")]).unwrap();
        assert_eq!((r.port, r.mode()), (465, TlsMode::ImplicitTls));
        assert_eq!(req(&[("host", "a-1.b"), ("port", "587")]).unwrap().port, 587);
    }

    #[test]
    fn refuses_literal_addresses() {
        for host in ["127.0.0.1", "::1", "[::1]", "[2001:db8::1]", "10.1.2.3", "127.1", "2130706433", "0.0.0.0."] {
            let e = req(&[("host", host)]).unwrap_err();
            assert_eq!(e.code(), "literal_address", "{host}");
            assert_eq!(e.status(), 400);
        }
        assert_eq!(
            req(&[("host", "127.0.0.1")]).unwrap_err().to_string(),
            "expected a host name, found the IP address \"127.0.0.1\"; the edge probes names only"
        );
    }

    #[test]
    fn refuses_bad_names() {
        let long = format!("{}.example", "a".repeat(64));
        let too_long = ["a"; 127].join(".") + ".bb";
        for (host, reason) in [
            ("", "the name is empty"),
            (".", "the name is empty"),
            ("a..b", "a label is empty"),
            (&long, "a label is longer than 63 octets"),
            (&too_long, "longer than 253 octets"),
            ("mx.exa mple", "only letters, digits, \"-\" and \".\" are allowed"),
            ("mx_1.example", "only letters, digits, \"-\" and \".\" are allowed"),
            ("mx.example/x", "only letters, digits, \"-\" and \".\" are allowed"),
            ("-mx.example", "a label starts or ends with \"-\""),
        ] {
            match req(&[("host", host)]) {
                Err(EdgeError::BadHost { reason: r, .. }) => assert_eq!(r, reason, "{host}"),
                other => panic!("{host}: {other:?}"),
            }
        }
        assert_eq!(
            req(&[("host", "a\u{1b}[31m.example")]).unwrap_err().to_string(),
            "expected a mail server host name, found \"a\\x1b[31m.example\": only letters, digits, \"-\" and \".\" are allowed"
        );
    }

    #[test]
    fn refuses_other_ports_and_bad_queries() {
        for port in ["0", "22", "80", "443", "2525", "65536", "25.0", "+25", " 25", ""] {
            let e = req(&[("host", "mx.example"), ("port", port)]).unwrap_err();
            assert_eq!(e.code(), "bad_port", "{port:?}");
        }
        assert_eq!(req(&[("port", "25")]).unwrap_err(), EdgeError::MissingParameter { name: "host" });
        assert_eq!(
            req(&[("host", "a.example"), ("host", "b.example")]).unwrap_err(),
            EdgeError::DuplicateParameter { name: "host" }
        );
    }
}
