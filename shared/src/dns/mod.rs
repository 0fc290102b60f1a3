//! DNS with DNSSEC validation, sans-IO (RFC 4033–4035, 5155, 6840, 8624),
//! and SMTP DANE resolution on top of it (RFC 7672 §2.2, RFC 7671 §7).
//!
//! The engine never touches the network. It says which queries it needs —
//! wire-format messages ready for DNS over HTTPS (RFC 8484: ID 0, RD, CD and
//! EDNS0 DO set) — and the caller sends them over any transport and hands the
//! answers back. Because the resolver the caller talks to is not trusted, the
//! engine asks it with CD set and validates every RRset itself, from a trust
//! anchor down.
//!
//! ```text
//!   Lookup / SmtpCheck ── poll_queries() ──► [Query, Query, …] ──► caller's transport (DoH)
//!        ▲                                                              │
//!        └──────── handle_response(id, bytes) / handle_error(id) ◄──────┘
//!   … repeat until poll_result() is Some(report)
//! ```
//!
//! Every query whose name is already known goes out at once: zone cuts are
//! found by asking DS and DNSKEY for every ancestor of a name in the same
//! round as the name itself, not by walking down one label per round trip.
//! A DANE check of a domain whose MX hosts are not aliases therefore takes two
//! rounds (MX, then addresses and TLSA), three with a CNAME hop.

mod anchor;
mod denial;
mod engine;
mod lookup;
mod proof;
mod smtp;
mod verify;
mod wire;

pub use anchor::{AnchorError, TrustAnchors};
pub use engine::{Config, Stats};
pub use lookup::{Answer, AnswerData, Link, Lookup};
pub use proof::{Proof, Reason, ReasonKind, Status, Validated};
pub use smtp::{AddressSet, HostOutcome, HostReport, MxOutcome, SmtpCheck, SmtpReport, TlsaRecord};
pub use wire::{DEFAULT_UDP_PAYLOAD, MAX_MESSAGE_LEN, Query, QueryId, WireError};

/// Names and record types as hickory-proto spells them, for callers that build queries.
pub use hickory_proto::rr::{Name, RecordType};

/// Errors of the DNS module that reach a caller (misuse and bad input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// A name given by the user is not a valid domain name.
    #[error("expected a domain name, found {input:?}: {detail}")]
    BadName { input: String, detail: String },
    /// A record type given by the user is unknown.
    #[error("expected a record type such as A, AAAA, MX or TLSA, found {0:?}")]
    BadType(String),
    /// A response or error was handed in for a query id this engine never issued or already has.
    #[error("expected a response to an outstanding query, found one for unknown query id {0}")]
    UnknownQuery(u32),
    /// Trust anchor text could not be read.
    #[error(transparent)]
    Anchor(#[from] AnchorError),
}

/// Parses a user-supplied domain name into an absolute name.
pub fn parse_name(input: &str) -> Result<Name, DnsError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(DnsError::BadName { input: input.to_owned(), detail: "empty".into() });
    }
    let parsed = if trimmed.is_ascii() { Name::from_ascii(trimmed) } else { Name::from_utf8(trimmed) };
    let mut name = parsed.map_err(|e| DnsError::BadName {
        input: input.to_owned(),
        detail: e.to_string().trim_end_matches([':', ' ']).to_lowercase(),
    })?;
    name.set_fqdn(true);
    Ok(name)
}

/// Parses a user-supplied record type mnemonic ("TLSA", "mx", "TYPE52").
pub fn parse_type(input: &str) -> Result<RecordType, DnsError> {
    let upper = input.trim().to_ascii_uppercase();
    if let Some(n) = upper.strip_prefix("TYPE").and_then(|num| num.parse::<u16>().ok()) {
        return Ok(RecordType::from(n));
    }
    match upper.parse::<RecordType>() {
        Ok(RecordType::Unknown(_)) | Err(_) => Err(DnsError::BadType(input.to_owned())),
        Ok(t) => Ok(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types_parse() {
        assert_eq!(parse_name("Example.COM").map(|n| n.to_ascii()), Ok("Example.COM.".to_owned()));
        assert!(parse_name("").is_err());
        assert!(parse_name("a..b").is_err());
        assert_eq!(parse_type("tlsa"), Ok(RecordType::TLSA));
        assert_eq!(parse_type("TYPE52"), Ok(RecordType::TLSA));
        assert_eq!(
            parse_type("bogus").unwrap_err().to_string(),
            "expected a record type such as A, AAAA, MX or TLSA, found \"bogus\""
        );
    }
}
