//! Generating TLSA records from certificates and keys (RFC 6698 §2.1, RFC 7671, RFC 7672 §3.1).
//!
//! [`generate`] turns a [`cert::Input`](crate::cert::Input) into every record a
//! server could publish: for each certificate both selectors (Cert, SPKI) and
//! all three matching types (Full, SHA2-256, SHA2-512); for bare public keys
//! and certificate requests only SPKI(1) records, since there is no
//! certificate to pin. The first certificate is the leaf (as in
//! `fullchain.pem`) and gets DANE-EE(3); the certificates after it are CAs
//! and get DANE-TA(2). The recommended set is marked:
//!
//! - `3 1 1` for the leaf (RFC 7671 §5.1, §8.1: SPKI survives re-issuance with the same key);
//! - `2 1 1` for the CA that issued the leaf, when the chain includes it (RFC 7671 §5.2, RFC 7672 §3.1.2).

use ring::digest;
use serde::Serialize;

use crate::cert::{Certificate, Input, Object};
use crate::tlsa::{MatchingType, Selector, Tlsa, Usage};

/// Why owner-name options are not acceptable.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    /// The host name is not a valid DNS host name.
    #[error("expected a host name of letters, digits and hyphens in dot-separated labels of 1 to 63 characters, found {}", crate::quoted::Quoted(.found))]
    BadHost { found: String },
    /// A wildcard host (TLSA records live at one name, RFC 6698 §3).
    #[error("expected one host name, found the wildcard {} (TLSA records are published at _port._proto.host, RFC 6698 §3)", crate::quoted::Quoted(.found))]
    WildcardHost { found: String },
    /// The host name is longer than DNS allows.
    #[error("expected a TLSA owner name of at most 253 characters, found {found}")]
    NameTooLong { found: usize },
    /// The protocol label is not a protocol name.
    #[error("expected a protocol name such as tcp, udp or sctp, found {}", crate::quoted::Quoted(.found))]
    BadProto { found: String },
}

/// What one generated record pins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The server's own certificate (depth 0).
    Leaf,
    /// The CA that issued the leaf (depth 1).
    IssuingCa,
    /// A CA further up the chain (depth ≥ 2).
    UpperCa,
    /// A bare public key.
    PublicKey,
    /// The key in a certificate request.
    Request,
}

/// One certificate or key the records are made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Depth in the chain (0 = leaf) for certificates, `None` for keys and requests.
    pub depth: Option<usize>,
    /// What it is in the chain.
    pub role: Role,
    /// Subject name, where there is one.
    pub subject: Option<String>,
    /// Issuer name, for certificates.
    pub issuer: Option<String>,
    /// Key kind and size.
    pub key: String,
    /// Validity (Unix seconds), for certificates.
    pub not_before: Option<i64>,
    /// Validity end (Unix seconds), for certificates.
    pub not_after: Option<i64>,
}

/// One generated record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenRecord {
    /// The record.
    #[serde(flatten, serialize_with = "crate::dane::serialize_tlsa")]
    pub record: Tlsa,
    /// Index into [`Generated::sources`].
    pub source: usize,
    /// Part of the recommended set.
    pub recommended: bool,
}

/// Something the person should know about the input chain.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GenWarning {
    /// The certificate at `depth` did not issue the one below it (wrong order or unrelated).
    NotChained { depth: usize, subject: String, expected_issuer: String },
    /// The certificate at `depth` is not a CA, so a DANE-TA(2) record for it cannot work.
    NotCa { depth: usize, subject: String },
}

impl core::fmt::Display for GenWarning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotChained { depth, subject, expected_issuer } => write!(
                f,
                "expected the certificate at depth {depth} to be the issuer \"{expected_issuer}\" of the one below it, found \"{subject}\" (give the chain leaf first, as in fullchain.pem)"
            ),
            Self::NotCa { depth, subject } => write!(
                f,
                "the certificate at depth {depth} (\"{subject}\") is not a CA (basicConstraints cA), so DANE-TA(2) records for it will not verify"
            ),
        }
    }
}

/// Records for all sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generated {
    /// What the records pin.
    pub sources: Vec<Source>,
    /// Recommended records first, then the rest, in source order.
    pub records: Vec<GenRecord>,
    /// Notes about the chain.
    pub warnings: Vec<GenWarning>,
}

/// The certificate association data for `selector` and `matching_type` over a
/// certificate's DER and its SPKI DER (RFC 6698 §2.1.2, §2.1.3); `None` for
/// values this crate does not implement.
#[must_use]
pub fn association_data(
    cert_der: &[u8],
    spki_der: &[u8],
    selector: Selector,
    matching_type: MatchingType,
) -> Option<Vec<u8>> {
    let content = match selector {
        Selector::CERT => cert_der,
        Selector::SPKI => spki_der,
        _ => return None,
    };
    match matching_type {
        MatchingType::FULL => Some(content.to_vec()),
        MatchingType::SHA2_256 => Some(digest::digest(&digest::SHA256, content).as_ref().to_vec()),
        MatchingType::SHA2_512 => Some(digest::digest(&digest::SHA512, content).as_ref().to_vec()),
        _ => None,
    }
}

const SELECTORS: [Selector; 2] = [Selector::CERT, Selector::SPKI];
const MATCHING_TYPES: [MatchingType; 3] = [MatchingType::FULL, MatchingType::SHA2_256, MatchingType::SHA2_512];

/// Generates every record for the input (see the module documentation).
#[must_use]
pub fn generate(input: &Input) -> Generated {
    let mut sources = Vec::new();
    let mut all: Vec<GenRecord> = Vec::new();
    let mut warnings = Vec::new();
    let certs: Vec<&Certificate> = input.certificates().collect();

    for (depth, cert) in certs.iter().enumerate() {
        let role = match depth {
            0 => Role::Leaf,
            1 => Role::IssuingCa,
            _ => Role::UpperCa,
        };
        let chained = match depth.checked_sub(1).and_then(|below| certs.get(below)) {
            Some(child) => child.is_named_issuer(cert),
            None => true,
        };
        if !chained {
            let expected_issuer =
                depth.checked_sub(1).and_then(|b| certs.get(b)).map(|c| c.issuer.clone()).unwrap_or_default();
            warnings.push(GenWarning::NotChained { depth, subject: cert.subject.clone(), expected_issuer });
        }
        if depth > 0 && !cert.is_ca {
            warnings.push(GenWarning::NotCa { depth, subject: cert.subject.clone() });
        }
        let source = sources.len();
        sources.push(Source {
            depth: Some(depth),
            role,
            subject: Some(cert.subject.clone()),
            issuer: Some(cert.issuer.clone()),
            key: cert.key.clone(),
            not_before: Some(cert.not_before),
            not_after: Some(cert.not_after),
        });
        let usage = if depth == 0 { Usage::DANE_EE } else { Usage::DANE_TA };
        let recommend_here = depth == 0 || (depth == 1 && chained && cert.is_ca);
        for selector in SELECTORS {
            for mt in MATCHING_TYPES {
                if let Some(data) = association_data(cert.der(), cert.spki(), selector, mt) {
                    let recommended = recommend_here && selector == Selector::SPKI && mt == MatchingType::SHA2_256;
                    all.push(GenRecord { record: Tlsa::new(usage, selector, mt, data), source, recommended });
                }
            }
        }
    }

    for object in &input.objects {
        let (role, subject, key) = match object {
            Object::Certificate(_) => continue,
            Object::PublicKey(k) => (Role::PublicKey, None, k.key.clone()),
            Object::Request(r) => (Role::Request, Some(r.subject.clone()), r.key.clone()),
        };
        let source = sources.len();
        sources.push(Source { depth: None, role, subject, issuer: None, key, not_before: None, not_after: None });
        for mt in MATCHING_TYPES {
            if let Some(data) = association_data(&[], object.spki(), Selector::SPKI, mt) {
                let recommended = mt == MatchingType::SHA2_256;
                all.push(GenRecord {
                    record: Tlsa::new(Usage::DANE_EE, Selector::SPKI, mt, data),
                    source,
                    recommended,
                });
            }
        }
    }

    let (mut records, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(|r| r.recommended);
    records.extend(rest);
    Generated { sources, records, warnings }
}

/// The host name a certificate is most likely for: the leaf's first
/// non-wildcard SAN dNSName, or, without any SAN dNSName, its first common
/// name that is a host name. Without a certificate, the same from the first
/// certificate request (its requested subjectAltName, else its subject's
/// common name). `None` when neither names a host.
#[must_use]
pub fn default_host(input: &Input) -> Option<String> {
    let (dns_names, common_names) = match input.certificates().next() {
        Some(leaf) => (&leaf.dns_names, &leaf.common_names),
        None => input.objects.iter().find_map(|o| match o {
            Object::Request(r) => Some((&r.dns_names, &r.common_names)),
            _ => None,
        })?,
    };
    if dns_names.is_empty() {
        common_names.iter().find(|cn| check_host(cn).is_ok()).cloned()
    } else {
        dns_names.iter().find(|n| check_host(n).is_ok()).cloned()
    }
}

fn check_host(host: &str) -> Result<(), GenError> {
    let bare = host.strip_suffix('.').unwrap_or(host);
    if bare.split('.').any(|l| l == "*") {
        return Err(GenError::WildcardHost { found: host.to_owned() });
    }
    let label_ok = |l: &str| {
        !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if bare.is_empty() || !bare.split('.').all(label_ok) {
        return Err(GenError::BadHost { found: host.to_owned() });
    }
    Ok(())
}

/// The TLSA owner name `_port._proto.host.` (RFC 6698 §3), fully qualified.
pub fn owner_name(port: u16, proto: &str, host: &str) -> Result<String, GenError> {
    check_host(host)?;
    if proto.is_empty() || proto.len() > 15 || !proto.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(GenError::BadProto { found: proto.to_owned() });
    }
    let bare = host.strip_suffix('.').unwrap_or(host);
    let owner = format!("_{port}._{proto}.{bare}.");
    if owner.len() > 254 {
        return Err(GenError::NameTooLong { found: owner.len() - 1 });
    }
    Ok(owner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::read_input;

    /// (leaf PEM, CA PEM): an Ed25519 leaf for `*.example.com` and `mx.example.com` under an ECDSA CA.
    fn chain() -> (String, String) {
        use geleit_test_support::certs::{KeyAlg, Spec};
        let ca = Spec::ca("Test CA").self_signed();
        let names = ["*.example.com", "mx.example.com"];
        let leaf = Spec::leaf("mx.example.com", &names).alg(KeyAlg::Ed25519).signed_by(&ca);
        (leaf.pem, ca.pem)
    }

    #[test]
    fn a_certificate_request_names_the_host_by_its_san_or_cn() {
        use geleit_test_support::certs::rcgen;
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let with_san = rcgen::CertificateParams::new(vec!["*.example.org".into(), "mx.example.org".into()]).unwrap();
        let pem = with_san.serialize_request(&key).unwrap().pem().unwrap();
        assert_eq!(default_host(&read_input(pem.as_bytes()).unwrap()).as_deref(), Some("mx.example.org"));
        let mut cn_only = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        cn_only.distinguished_name.push(rcgen::DnType::CommonName, "mail.example.net");
        let pem = cn_only.serialize_request(&key).unwrap().pem().unwrap();
        assert_eq!(default_host(&read_input(pem.as_bytes()).unwrap()).as_deref(), Some("mail.example.net"));
        let mut nothing = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        nothing.distinguished_name.push(rcgen::DnType::OrganizationName, "Example");
        let pem = nothing.serialize_request(&key).unwrap().pem().unwrap();
        assert_eq!(default_host(&read_input(pem.as_bytes()).unwrap()), None);
    }

    #[test]
    fn chain_gives_all_records_and_recommends_3_1_1_and_2_1_1() {
        let (leaf, ca) = chain();
        let input = read_input(format!("{leaf}{ca}").as_bytes()).unwrap();
        let g = generate(&input);
        assert_eq!(g.records.len(), 12);
        assert!(g.warnings.is_empty(), "{:?}", g.warnings);
        let rec: Vec<_> = g.records.iter().filter(|r| r.recommended).map(|r| (r.record.usage, r.source)).collect();
        assert_eq!(rec, vec![(Usage::DANE_EE, 0), (Usage::DANE_TA, 1)]);
        assert_eq!(g.sources[1].role, Role::IssuingCa);
        let full = g
            .records
            .iter()
            .find(|r| {
                r.record.usage == Usage::DANE_EE
                    && r.record.selector == Selector::CERT
                    && r.record.matching_type == MatchingType::FULL
            })
            .unwrap();
        assert_eq!(full.record.data, input.certificates().next().unwrap().der());
        assert_eq!(default_host(&input).as_deref(), Some("mx.example.com"));
    }

    #[test]
    fn wrong_order_is_warned_and_not_recommended() {
        let (leaf, ca) = chain();
        let g = generate(&read_input(format!("{ca}{leaf}").as_bytes()).unwrap());
        assert!(matches!(g.warnings.first(), Some(GenWarning::NotChained { depth: 1, .. })));
        assert_eq!(g.records.iter().filter(|r| r.recommended).count(), 1);
    }

    #[test]
    fn owner_names() {
        assert_eq!(owner_name(25, "tcp", "MX.example.com.").unwrap(), "_25._tcp.MX.example.com.");
        assert!(matches!(owner_name(25, "tcp", "*.example.com"), Err(GenError::WildcardHost { .. })));
        assert!(matches!(owner_name(25, "tcp", "a..b"), Err(GenError::BadHost { .. })));
        assert!(matches!(owner_name(25, "t cp", "a.b"), Err(GenError::BadProto { .. })));
        let long = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");
        assert!(matches!(owner_name(25, "tcp", &long), Err(GenError::NameTooLong { .. })));
    }
}
