//! The operator's settings, read from the worker's environment bindings
//! (text variables in `wrangler.toml` or `workerd.capnp`). Every value has a
//! safe default; an unparsable value is a configuration error, never a
//! silent fallback.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `GELEIT_DOH_UPSTREAM` | `https://cloudflare-dns.com/dns-query` | RFC 8484 resolver for `/dns-query`, the probe's A/AAAA lookups and `/api/check`'s queries |
//! | `GELEIT_TRUST_ANCHOR` | the IANA root KSKs | where `/api/check` starts DNSSEC validation: DS or DNSKEY records in zone-file lines (a lab: its private root's DS) |
//! | `GELEIT_ALLOW_RANGES` | (none) | extra CIDR ranges the probe may reach, comma separated (a lab: `127.0.0.0/8,::1/128`) |
//! | `GELEIT_CORS_ORIGINS` | `*` | origins allowed to embed the API, comma separated, or `*` |
//! | `GELEIT_STEP_TIMEOUT_MS` | 8000 | time each SMTP/TLS step may take |
//! | `GELEIT_REQUEST_BUDGET_MS` | 25000 | time one `/api/probe` or `/api/check` request may take in total |
//! | `GELEIT_MAX_ADDRESSES` | 8 | addresses probed per host (the rest are reported, not probed) |
//! | `GELEIT_MAX_PARALLEL` | 4 | connections open at once per request |
//! | `GELEIT_MAX_BYTES` | 1048576 | octets read from mail servers per request |
//! | `GELEIT_PROBE_RATE` | `10/60` | probes per client per seconds (`N/S`) |
//! | `GELEIT_TARGET_RATE` | `30/60` | probes per target address per seconds, across clients and names |
//! | `GELEIT_CLIENT_IP_HEADER` | (none) | request header naming the client, set by the operator's proxy; without it `cf-connecting-ip` on Cloudflare, elsewhere one bucket for all |

use std::str::FromStr;

use geleit::dns::{AnchorError, TrustAnchors};
use geleit::smtp::Cidr;
use thiserror::Error;

use crate::cors::CorsPolicy;
use crate::ratelimit::Rate;

pub const DEFAULT_DOH_UPSTREAM: &str = "https://cloudflare-dns.com/dns-query";

/// Limits for one `/api/probe` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub step_timeout_ms: u64,
    pub request_budget_ms: u64,
    pub max_addresses: usize,
    pub max_parallel: usize,
    pub max_bytes: u64,
}

impl Limits {
    /// Connections one request may open: one per signature family per
    /// address.
    #[must_use]
    pub fn max_connections(&self) -> u32 {
        let n = self.max_addresses.saturating_mul(geleit::smtp::SignatureFamily::ALL.len());
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            step_timeout_ms: 8_000,
            request_budget_ms: 25_000,
            max_addresses: 8,
            max_parallel: 4,
            max_bytes: 1 << 20,
        }
    }
}

/// Everything the operator configures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub doh_upstream: String,
    /// Where `/api/check` starts validating (never the upstream's AD bit).
    pub trust_anchors: TrustAnchors,
    pub extra_allowed: Vec<Cidr>,
    pub cors: CorsPolicy,
    pub limits: Limits,
    pub probe_rate: Rate,
    pub target_rate: Rate,
    /// Lower case; `None` when unset (see [`crate::ratelimit::client_key`]).
    pub client_ip_header: Option<String>,
    /// Most DoH upstream requests in flight at once in one isolate, all
    /// requests together (`crate::gate`): the upstream connections it holds.
    pub upstream_parallel: usize,
}

/// [`Settings::upstream_parallel`] unless `GELEIT_UPSTREAM_PARALLEL` says
/// otherwise: a check's largest round (about ten queries per MX host) goes
/// out at once, and a front's connection cap (hundreds) is never reached.
pub const DEFAULT_UPSTREAM_PARALLEL: usize = 32;

/// A setting that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("{name}: expected {expected}, found {found:?}")]
    Invalid { name: &'static str, expected: &'static str, found: String },
    #[error("GELEIT_ALLOW_RANGES: {0}")]
    Range(#[from] geleit::smtp::CidrError),
    #[error("GELEIT_TRUST_ANCHOR: {0}")]
    Anchor(#[from] AnchorError),
}

impl Settings {
    /// Reads the settings through `var` (the name of a binding to its text,
    /// `None` when unset).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Limits::default();
        let text = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let doh_upstream = text("GELEIT_DOH_UPSTREAM").unwrap_or_else(|| DEFAULT_DOH_UPSTREAM.into());
        if !(doh_upstream.starts_with("https://") || doh_upstream.starts_with("http://"))
            || doh_upstream.contains(['?', '#'])
        {
            return Err(ConfigError::Invalid {
                name: "GELEIT_DOH_UPSTREAM",
                expected: "an http(s) URL without query or fragment",
                found: doh_upstream,
            });
        }
        let trust_anchors = match text("GELEIT_TRUST_ANCHOR") {
            None => TrustAnchors::iana_root(),
            Some(lines) => TrustAnchors::scan(&lines)?,
        };
        let extra_allowed = match text("GELEIT_ALLOW_RANGES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Cidr::from_str)
                .collect::<Result<_, _>>()?,
        };
        let cors = CorsPolicy::parse(text("GELEIT_CORS_ORIGINS").as_deref().unwrap_or("*"));

        let number = |name: &'static str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
            match text(name) {
                None => Ok(default),
                Some(v) => v.parse::<u64>().ok().filter(|n| (min..=max).contains(n)).ok_or(ConfigError::Invalid {
                    name,
                    expected: "a whole number in range",
                    found: v,
                }),
            }
        };
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let limits = Limits {
            step_timeout_ms: number("GELEIT_STEP_TIMEOUT_MS", defaults.step_timeout_ms, 100, 120_000)?,
            request_budget_ms: number("GELEIT_REQUEST_BUDGET_MS", defaults.request_budget_ms, 100, 300_000)?,
            max_addresses: size(number("GELEIT_MAX_ADDRESSES", defaults.max_addresses as u64, 1, 64)?),
            max_parallel: size(number("GELEIT_MAX_PARALLEL", defaults.max_parallel as u64, 1, 6)?),
            max_bytes: number("GELEIT_MAX_BYTES", defaults.max_bytes, 1024, 64 << 20)?,
        };
        let rate = |name: &'static str, default: Rate| -> Result<Rate, ConfigError> {
            match text(name) {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
                    name,
                    expected: "N/SECONDS with N and SECONDS from 1 to 86400",
                    found: v,
                }),
            }
        };
        Ok(Self {
            doh_upstream,
            trust_anchors,
            extra_allowed,
            cors,
            limits,
            probe_rate: rate("GELEIT_PROBE_RATE", Rate::new(10, 60))?,
            target_rate: rate("GELEIT_TARGET_RATE", Rate::new(30, 60))?,
            client_ip_header: text("GELEIT_CLIENT_IP_HEADER").map(|h| h.to_ascii_lowercase()),
            upstream_parallel: size(number("GELEIT_UPSTREAM_PARALLEL", DEFAULT_UPSTREAM_PARALLEL as u64, 1, 256)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Settings::from_vars(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_public_only() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.doh_upstream, DEFAULT_DOH_UPSTREAM);
        assert_eq!(s.trust_anchors, TrustAnchors::iana_root());
        assert!(s.extra_allowed.is_empty());
        assert_eq!(s.cors, CorsPolicy::Any);
        assert_eq!(s.limits, Limits::default());
        assert_eq!(s.limits.max_connections(), 16);
        assert_eq!(s.client_ip_header, None);
        assert_eq!(s.upstream_parallel, DEFAULT_UPSTREAM_PARALLEL);
    }

    #[test]
    fn lab_settings() {
        let s = settings(&[
            ("GELEIT_DOH_UPSTREAM", "http://127.0.0.1:8053/dns-query"),
            ("GELEIT_ALLOW_RANGES", "127.0.0.0/8, ::1/128"),
            ("GELEIT_STEP_TIMEOUT_MS", "1500"),
            ("GELEIT_PROBE_RATE", "1000/1"),
            ("GELEIT_UPSTREAM_PARALLEL", "8"),
        ])
        .unwrap();
        assert_eq!(s.upstream_parallel, 8);
        assert_eq!(s.extra_allowed.len(), 2);
        assert_eq!(s.extra_allowed[1].to_string(), "::1/128");
        assert_eq!(s.limits.step_timeout_ms, 1500);
        assert_eq!(s.probe_rate, Rate::new(1000, 1));
        // The lab's private root, as edge/run.sh --lab passes it (the file's text).
        let anchor =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/check/anchor.ds")).unwrap();
        let s = settings(&[("GELEIT_TRUST_ANCHOR", &anchor)]).unwrap();
        assert_eq!(s.trust_anchors, TrustAnchors::scan(&anchor).unwrap());
        assert_ne!(s.trust_anchors, TrustAnchors::iana_root());
    }

    #[test]
    fn bad_values_are_errors_not_defaults() {
        let cases = [
            (
                ("GELEIT_DOH_UPSTREAM", "ftp://x/dns-query"),
                "GELEIT_DOH_UPSTREAM: expected an http(s) URL without query or fragment, found \"ftp://x/dns-query\"",
            ),
            (
                ("GELEIT_ALLOW_RANGES", "10.0.0.1/8"),
                "GELEIT_ALLOW_RANGES: expected the host bits after /8 to be zero, found 10.0.0.1",
            ),
            (
                ("GELEIT_TRUST_ANCHOR", ". IN DS 1 8 2"),
                "GELEIT_TRUST_ANCHOR: line 1: expected DS record data, found \"1 8 2\": expected the digest field",
            ),
            (("GELEIT_MAX_PARALLEL", "64"), "GELEIT_MAX_PARALLEL: expected a whole number in range, found \"64\""),
            (
                ("GELEIT_UPSTREAM_PARALLEL", "0"),
                "GELEIT_UPSTREAM_PARALLEL: expected a whole number in range, found \"0\"",
            ),
            (
                ("GELEIT_PROBE_RATE", "10"),
                "GELEIT_PROBE_RATE: expected N/SECONDS with N and SECONDS from 1 to 86400, found \"10\"",
            ),
        ];
        for (var, message) in cases {
            assert_eq!(settings(&[var]).unwrap_err().to_string(), message);
        }
    }
}
