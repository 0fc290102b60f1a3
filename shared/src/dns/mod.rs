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
//! A query that failed on the transport is asked again by [`Retries`] (used
//! by [`Lookup::handle_transport_error`] and the whole check,
//! `crate::check::DomainCheck`); one whose every attempt failed makes the
//! resolver unreachable ([`ResolverFailure`]), which says nothing about the
//! name.
//!
//! Every query whose name is already known goes out at once: zone cuts are
//! found by asking DS and DNSKEY for every ancestor of a name in the same
//! round as the name itself, not by walking down one label per round trip.
//! A DANE check of a domain whose MX hosts are not aliases therefore takes two
//! rounds (MX, then addresses and TLSA), three with a CNAME hop.

mod anchor;
mod cache;
mod denial;
mod engine;
mod expiry;
mod lookup;
mod proof;
#[cfg(test)]
mod regressions;
mod retry;
mod smtp;
#[cfg(test)]
pub(crate) mod testkit;
mod trace;
mod verify;
mod wire;

pub use anchor::{AnchorError, TrustAnchors};
pub use cache::SharedAnswers;
pub use engine::{Config, Stats};
pub use expiry::SigExpiry;
pub use lookup::{Answer, AnswerData, Link, Lookup};
pub use proof::{Proof, Reason, ReasonKind, Status, Validated};
pub use retry::{Handling, MAX_TRANSPORT_ATTEMPTS, ResolverFailure, Retries};
pub use smtp::{
    AddressSet, HostOutcome, HostReport, MAX_MX_HOSTS, MxOutcome, PolicyTxt, SmtpCheck, SmtpReport, TlsaRecord,
    TxtOutcome, UncheckedHost,
};
pub use trace::{Denial, Insecurity, Step, WalkRrset};
pub use wire::{DEFAULT_UDP_PAYLOAD, MAX_MESSAGE_LEN, Query, QueryId, WireError};

/// Names and record types as hickory-proto spells them, for callers that build queries.
pub use hickory_proto::rr::{Name, RecordType};

use std::fmt;

use hickory_proto::ProtoError;
use hickory_proto::serialize::binary::DecodeError;

/// Errors of the DNS module that reach a caller (misuse and bad input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// A name given by the user is not a valid domain name.
    #[error("expected a domain name, found {}: {detail}", crate::quoted::Quoted(.input))]
    BadName { input: String, detail: String },
    /// A record type given by the user is unknown.
    #[error("expected a record type such as A, AAAA, MX or TLSA, found {}", crate::quoted::Quoted(.0))]
    BadType(String),
    /// A response or error was handed in for a query id this engine never issued or already has.
    #[error("expected a response to an outstanding query, found one for unknown query id {0}")]
    UnknownQuery(u32),
    /// Trust anchor text could not be read.
    #[error(transparent)]
    Anchor(#[from] AnchorError),
}

/// Parses a user-supplied domain name into an absolute name; U-labels are
/// converted to A-labels (IDNA, UTS 46).
pub fn parse_name(input: &str) -> Result<Name, DnsError> {
    if input.trim().is_ascii() { parse_ascii_name(input) } else { finish_name(input, Name::from_utf8(input.trim())) }
}

/// Parses a domain name already in A-label (ASCII) form into an absolute name.
///
/// Unlike [`parse_name`] this never needs IDNA mapping tables, which keeps
/// them out of the web app's wasm (the browser converts U-labels itself).
pub fn parse_ascii_name(input: &str) -> Result<Name, DnsError> {
    finish_name(input, Name::from_ascii(input.trim()))
}

fn finish_name(input: &str, parsed: Result<Name, ProtoError>) -> Result<Name, DnsError> {
    if input.trim().is_empty() {
        return Err(DnsError::BadName { input: input.to_owned(), detail: "empty".into() });
    }
    let mut name = parsed.map_err(|e| DnsError::BadName {
        input: input.to_owned(),
        // ASCII only: hickory's texts are English, and full Unicode lowering
        // would link the case tables into the web app.
        detail: proto_error_text(&e).trim_end_matches([':', ' ']).to_ascii_lowercase(),
    })?;
    name.set_fqdn(true);
    Ok(name)
}

/// hickory-proto's text for one of its errors.
///
/// On wasm32 this does not call hickory's `Display`: its decode errors can
/// print a domain name through UTS 46, which would link the IDNA tables into
/// the web app. There the texts are hickory's, except that decode errors
/// other than a misplaced EDNS name are summed up as "decoding error:
/// malformed DNS wire data".
pub(crate) fn proto_error_text(e: &ProtoError) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    {
        e.to_string()
    }
    #[cfg(target_arch = "wasm32")]
    {
        match e {
            ProtoError::Msg(m) => m.clone(),
            ProtoError::Message(m) => (*m).to_owned(),
            ProtoError::FormError { error, .. } => format!("message format error: {}", proto_error_text(error)),
            ProtoError::Decode(d) => format!("decoding error: {}", decode_error_text(d)),
            ProtoError::CharacterDataTooLong { max, len, .. } => format!("char data length exceeds {max}: {len}"),
            ProtoError::MaxBufferSizeExceeded(n) => format!("maximum buffer size exceeded: {n}"),
            ProtoError::Utf8(_) | ProtoError::FromUtf8(_) => "error parsing utf8 string".to_owned(),
            ProtoError::ParseInt(_) => "error parsing int".to_owned(),
            _ => "malformed DNS data".to_owned(),
        }
    }
}

/// hickory-proto's text for a wire decoding error; on wasm32 worded here
/// (see [`proto_error_text`]): "malformed DNS wire data" for all but a
/// misplaced EDNS name.
pub(crate) fn decode_error_text(e: &DecodeError) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    {
        e.to_string()
    }
    #[cfg(target_arch = "wasm32")]
    {
        match e {
            DecodeError::EdnsNameNotRoot(n) => {
                format!("edns resource record label must be the root label (.): {}", shown(n))
            }
            _ => "malformed DNS wire data".to_owned(),
        }
    }
}

/// `name.trim_to(num_labels)`: the last `num_labels` labels, as an absolute name.
///
/// Built label by label: hickory's `trim_to` (and `base_name`) go through
/// `Name::from_labels`, whose error path formats names through UTS 46 and
/// so links the IDNA tables into the web app.
pub(crate) fn trim_to(name: &Name, num_labels: usize) -> Name {
    let total = name.iter().len();
    if num_labels > total {
        return name.clone();
    }
    name.iter()
        .skip(total - num_labels)
        .try_fold(Name::root(), |n, label| {
            hickory_proto::rr::Label::from_raw_bytes(label).and_then(|l| n.append_label(l))
        })
        .unwrap_or_else(|_| name.clone())
}

/// `name.base_name()`: the parent name (the root stays the root); see [`trim_to`].
pub(crate) fn base_name(name: &Name) -> Name {
    match name.iter().len() {
        0 => name.clone(),
        n => trim_to(name, n - 1),
    }
}

/// A name for messages: like hickory's `Display` (U-labels for IDNs, a
/// trailing dot), see [`shown`].
#[derive(Clone, Copy)]
pub struct Shown<'a>(&'a Name);

/// Shows `name` in messages the way hickory-proto's `Display` does.
///
/// On wasm32 the A-labels are decoded with Punycode alone (RFC 3492), so the
/// web app links no UTS 46 mapping tables; an `xn--` label that does not
/// decode, or does not encode back to itself, is shown as it is.
#[must_use]
pub fn shown(name: &Name) -> Shown<'_> {
    Shown(name)
}

impl fmt::Display for Shown<'_> {
    #[cfg(not(target_arch = "wasm32"))]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }

    #[cfg(target_arch = "wasm32")]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_punycode(self.0, f)
    }
}

/// Writes `name` with each `xn--` label that [`crate::idn::label_to_unicode`]
/// shows decoded (RFC 3492) and every other label in ASCII presentation form.
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
fn write_punycode(name: &Name, f: &mut impl fmt::Write) -> fmt::Result {
    if name.is_root() {
        return f.write_char('.');
    }
    for (i, label) in name.iter().enumerate() {
        if i > 0 {
            f.write_char('.')?;
        }
        let decoded = std::str::from_utf8(label).ok().and_then(crate::idn::label_to_unicode);
        match decoded {
            Some(u) => f.write_str(&u)?,
            None => hickory_proto::rr::Label::from_raw_bytes(label).map_err(|_| fmt::Error)?.write_ascii(f)?,
        }
    }
    if name.is_fqdn() {
        f.write_char('.')?;
    }
    Ok(())
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
    fn punycode_display_matches_hickory() {
        for text in
            [".", "example.com.", "xn--bcher-kva.example.", "mx.xn--mnchen-3ya.de", "_25._tcp.xn--bcher-kva.example."]
        {
            let name = Name::from_ascii(text).unwrap();
            let mut ours = String::new();
            write_punycode(&name, &mut ours).unwrap();
            assert_eq!(ours, name.to_string(), "{text}");
            assert_eq!(shown(&name).to_string(), name.to_string(), "{text}");
        }
        assert_eq!(shown(&Name::from_ascii("xn--bcher-kva.example.").unwrap()).to_string(), "bücher.example.");
        // Labels that are not valid Punycode stay as they are.
        for text in ["xn--.example.", "xn--a.example.", "xn--abc-.example."] {
            let name = Name::from_ascii(text).unwrap();
            let mut ours = String::new();
            write_punycode(&name, &mut ours).unwrap();
            assert_eq!(ours, text);
        }
    }

    #[test]
    fn trims_like_hickory() {
        for text in [".", "com.", "example.com.", "*.a.example.com.", "a.b.c", "xn--bcher-kva.example."] {
            let name = Name::from_ascii(text).unwrap();
            for n in 0..6 {
                let ours = trim_to(&name, n);
                let theirs = name.trim_to(n);
                assert_eq!((ours.to_ascii(), ours.is_fqdn()), (theirs.to_ascii(), theirs.is_fqdn()), "{text} {n}");
            }
            assert_eq!(base_name(&name).to_ascii(), name.base_name().to_ascii(), "{text}");
            assert_eq!(base_name(&name).is_fqdn(), name.base_name().is_fqdn(), "{text}");
        }
    }

    #[test]
    fn ascii_names_parse() {
        assert_eq!(parse_ascii_name(" mx.Example.com ").map(|n| n.to_ascii()), Ok("mx.Example.com.".to_owned()));
        assert!(parse_ascii_name("bücher.example").is_err());
        assert!(parse_ascii_name("").is_err());
        assert_eq!(parse_name("bücher.example").map(|n| n.to_ascii()), Ok("xn--bcher-kva.example.".to_owned()));
    }

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
