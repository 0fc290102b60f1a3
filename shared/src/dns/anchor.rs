//! Trust anchors (RFC 4033 §2, RFC 7958): the IANA root KSK DS records built
//! in, or anchors scanned from DS/DNSKEY presentation text.

use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS};
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKeyBuf};
use hickory_proto::rr::{Name, RData, RecordType};

/// The IANA root zone KSK DS records (data.iana.org/root-anchors/root-anchors.xml):
/// KSK-2017 (key tag 20326) and KSK-2024 (key tag 38696), RSASHA256, SHA-256.
const IANA_ROOT_DS: &str = "\
. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
. IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
";

/// Most anchor lines we read; real files hold a handful.
const MAX_ANCHORS: usize = 64;

/// Why trust anchor text could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnchorError {
    /// A line is not `owner [ttl] [class] DS|DNSKEY rdata`.
    #[error("line {line}: expected `OWNER [TTL] [IN] DS|DNSKEY RDATA`, found {}", crate::quoted::Quoted(.found))]
    Syntax { line: usize, found: String },
    /// The owner name does not parse.
    #[error("line {line}: expected a domain name, found {}", crate::quoted::Quoted(.found))]
    Owner { line: usize, found: String },
    /// The RDATA does not parse.
    #[error("line {line}: expected {rtype} record data, found {}: {detail}", crate::quoted::Quoted(.found))]
    Rdata { line: usize, rtype: &'static str, found: String, detail: String },
    /// Nothing usable in the text.
    #[error("expected at least one DS or DNSKEY record, found none")]
    Empty,
    /// More lines than any anchor file has.
    #[error("expected at most {MAX_ANCHORS} trust anchors, found more")]
    TooMany,
}

/// Scans DNSKEY RDATA `FLAGS 3 ALGORITHM BASE64` (RFC 4034 §2.2); hickory
/// does not read DNSKEYs from text.
fn scan_dnskey(text: &str) -> Result<RData, String> {
    let mut tokens = text.split_whitespace();
    let flags: u16 = tokens.next().and_then(|t| t.parse().ok()).ok_or("expected the flags field")?;
    let protocol: u8 = tokens.next().and_then(|t| t.parse().ok()).ok_or("expected the protocol field")?;
    if protocol != 3 {
        return Err(format!("expected protocol 3, found {protocol}"));
    }
    let alg: u8 = tokens.next().and_then(|t| t.parse().ok()).ok_or("expected a numeric algorithm field")?;
    let b64: String = tokens.collect();
    let key = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64)
        .map_err(|e| format!("expected base64 key data, found {e}"))?;
    let key = PublicKeyBuf::new(key, Algorithm::from_u8(alg));
    Ok(RData::DNSSEC(DNSSECRData::DNSKEY(DNSKEY::with_flags(flags, key))))
}

/// Scans DS RDATA `KEY-TAG ALGORITHM DIGEST-TYPE HEX` (RFC 4034 §5.3); the
/// digest may be split by white space. (Not hickory's generic RDATA text
/// parser: it reads every record type, names included, and would link the
/// IDNA tables into the web app.)
fn scan_ds(text: &str) -> Result<RData, String> {
    let mut tokens = text.split_whitespace();
    let key_tag: u16 = tokens.next().and_then(|t| t.parse().ok()).ok_or("expected a numeric key tag field")?;
    let alg: u8 = tokens.next().and_then(|t| t.parse().ok()).ok_or("expected a numeric algorithm field")?;
    let digest_type: u8 = tokens.next().and_then(|t| t.parse().ok()).ok_or("expected a numeric digest type field")?;
    let hex: String = tokens.collect();
    if hex.is_empty() {
        return Err("expected the digest field".into());
    }
    let digest = crate::tlsa::present::from_hex(&hex).ok_or_else(|| {
        format!("expected a hex digest (an even number of hex digits), found {} characters", hex.len())
    })?;
    let ds = DS::new(key_tag, Algorithm::from_u8(alg), DigestType::from(digest_type), digest);
    Ok(RData::DNSSEC(DNSSECRData::DS(ds)))
}

/// One anchor: a DS record or a DNSKEY at a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    Ds(Name, DS),
    Key(Name, DNSKEY),
}

impl Anchor {
    pub(crate) fn owner(&self) -> &Name {
        match self {
            Self::Ds(n, _) | Self::Key(n, _) => n,
        }
    }
}

/// A set of trust anchors; validation starts at the deepest anchor above a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnchors {
    anchors: Vec<Anchor>,
}

impl Default for TrustAnchors {
    /// The IANA root anchors.
    fn default() -> Self {
        Self::iana_root()
    }
}

impl TrustAnchors {
    /// The IANA root KSK DS records (key tags 20326 and 38696).
    #[must_use]
    pub fn iana_root() -> Self {
        // The built-in text is fixed and covered by a test; fall back to no anchors
        // (everything indeterminate) rather than panic.
        Self::scan(IANA_ROOT_DS).unwrap_or(Self { anchors: Vec::new() })
    }

    /// Scans DS or DNSKEY records in presentation format, one per line
    /// (unbound `trust-anchor-file`, `dig +noall +answer` or `dnssec-dsfromkey`
    /// output). Comments after `;` and blank lines are skipped.
    pub fn scan(text: &str) -> Result<Self, AnchorError> {
        let mut anchors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.split(';').next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('$') {
                continue;
            }
            if anchors.len() >= MAX_ANCHORS {
                return Err(AnchorError::TooMany);
            }
            let tokens: Vec<&str> = line.split_whitespace().collect();
            let syntax = || AnchorError::Syntax { line: line_no, found: line.to_owned() };
            let owner_text = tokens.first().ok_or_else(syntax)?;
            let mut owner = Name::from_ascii(owner_text)
                .map_err(|_| AnchorError::Owner { line: line_no, found: (*owner_text).to_owned() })?;
            owner.set_fqdn(true);
            // Skip an optional TTL and class, in either order (RFC 1035 §5.1).
            let mut idx = 1;
            while let Some(t) = tokens.get(idx) {
                if t.chars().all(|c| c.is_ascii_digit()) || t.eq_ignore_ascii_case("IN") {
                    idx += 1;
                } else {
                    break;
                }
            }
            let rtype_text = tokens.get(idx).ok_or_else(syntax)?;
            let rdata_text = tokens.get(idx + 1..).map(|t| t.join(" ")).unwrap_or_default();
            let (rtype, name) = if rtype_text.eq_ignore_ascii_case("DS") {
                (RecordType::DS, "DS")
            } else if rtype_text.eq_ignore_ascii_case("DNSKEY") {
                (RecordType::DNSKEY, "DNSKEY")
            } else {
                return Err(syntax());
            };
            let rdata =
                if rtype == RecordType::DNSKEY { scan_dnskey(&rdata_text) } else { scan_ds(&rdata_text) }.map_err(
                    |detail| AnchorError::Rdata { line: line_no, rtype: name, found: rdata_text.clone(), detail },
                )?;
            match rdata {
                RData::DNSSEC(DNSSECRData::DS(ds)) => anchors.push(Anchor::Ds(owner, ds)),
                RData::DNSSEC(DNSSECRData::DNSKEY(key)) => anchors.push(Anchor::Key(owner, key)),
                _ => return Err(syntax()),
            }
        }
        if anchors.is_empty() {
            return Err(AnchorError::Empty);
        }
        Ok(Self { anchors })
    }

    /// The owner of the deepest anchor at or above `name`.
    pub(crate) fn closest(&self, name: &Name) -> Option<&Name> {
        self.anchors
            .iter()
            .map(Anchor::owner)
            .filter(|owner| owner.zone_of(name))
            .max_by_key(|owner| owner.num_labels())
    }

    /// The anchors at `owner`.
    pub(crate) fn at<'a>(&'a self, owner: &'a Name) -> impl Iterator<Item = &'a Anchor> + 'a {
        self.anchors.iter().filter(move |a| a.owner() == owner)
    }

    /// Number of anchors.
    #[must_use]
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use hickory_proto::dnssec::DigestType;

    use super::*;

    /// The root KSKs as published in Debian's dns-root-data (/usr/share/dns/root.key).
    const ROOT_KEYS: &str = "\
. IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU= ; keytag 20326
. 172800 IN DNSKEY 257 3 8 AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc=
";

    #[test]
    fn builtin_root_ds_match_the_root_ksks() {
        let ds = TrustAnchors::iana_root();
        let keys = TrustAnchors::scan(ROOT_KEYS).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ds.len(), 2);
        for (d, k) in ds.anchors.iter().zip(&keys.anchors) {
            let (Anchor::Ds(_, d), Anchor::Key(owner, k)) = (d, k) else { panic!("kinds") };
            assert_eq!(k.calculate_key_tag().ok(), Some(d.key_tag()));
            let digest = k.to_digest(owner, DigestType::SHA256).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(digest.as_ref(), d.digest());
            assert_eq!(super::super::verify::ds_digest(owner, k, DigestType::SHA256).as_deref(), Some(d.digest()));
            assert_eq!(
                super::super::verify::ds_digest(owner, k, DigestType::SHA1),
                k.to_digest(owner, DigestType::SHA1).ok().map(|x| x.as_ref().to_vec())
            );
        }
        assert_eq!(ds.closest(&Name::from_ascii("mx.example.").unwrap_or_default()), Some(&Name::root()));
    }

    #[test]
    fn scan_errors_say_what_was_expected() {
        assert_eq!(TrustAnchors::scan("; nothing\n\n"), Err(AnchorError::Empty));
        assert_eq!(
            TrustAnchors::scan("example. IN A 1.2.3.4").unwrap_err().to_string(),
            "line 1: expected `OWNER [TTL] [IN] DS|DNSKEY RDATA`, found \"example. IN A 1.2.3.4\""
        );
        assert!(matches!(TrustAnchors::scan(". DS 1 8 2 zz"), Err(AnchorError::Rdata { line: 1, .. })));
        let lab = TrustAnchors::scan(
            "example. 3600 IN DS 1 13 2 0000000000000000000000000000000000000000000000000000000000000000",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            lab.closest(&Name::from_ascii("a.example.").unwrap_or_default()).map(Name::to_ascii),
            Some("example.".into())
        );
        assert_eq!(lab.closest(&Name::from_ascii("other.").unwrap_or_default()), None);
    }
}
