//! Certificate input: what a person pastes or a server presents.
//!
//! [`read_input`] takes PEM (any number of blocks, with text around them) or
//! DER and returns the certificates (in the order given, leaf first as in
//! `fullchain.pem`), bare public keys (SPKI, "PUBLIC KEY") and PKCS#10
//! certificate requests it found. A private key pasted by mistake is refused
//! with a warning and its content is never decoded or echoed.
//!
//! All ASN.1 work is done by `x509-parser`; signatures are checked with `ring`
//! (through `x509-parser`'s `verify` feature).

mod name;
mod pem;

use core::fmt;

use data_encoding::HEXLOWER;
use serde::Serialize;
use x509_parser::certificate::{X509Certificate, X509CertificateParser};
use x509_parser::der_parser::asn1_rs::{Any, BitString, Tag};
use x509_parser::error::{X509Error, X509Result};
use x509_parser::extensions::{BasicConstraints, GeneralName, KeyUsage, SubjectAlternativeName};
use x509_parser::nom::Parser;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_NIST_EC_P521, OID_PKCS1_RSAENCRYPTION,
    OID_PKCS1_RSASSAPSS, OID_PKCS1_SHA1WITHRSA, OID_SHA1_WITH_RSA, OID_SIG_ED448, OID_SIG_ED25519,
    OID_X509_EXT_BASIC_CONSTRAINTS, OID_X509_EXT_KEY_USAGE, OID_X509_EXT_SUBJECT_ALT_NAME,
};
use x509_parser::prelude::FromDer;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo, X509Name};

/// The largest input accepted (a long `fullchain.pem` is under 20 KiB).
pub const MAX_INPUT: usize = 256 * 1024;
/// The most certificates, keys and requests accepted in one input.
pub const MAX_OBJECTS: usize = 32;

/// Why certificate input could not be read.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// The input exceeds [`MAX_INPUT`].
    #[error("expected at most {max} bytes of input, found {found}")]
    TooLarge { max: usize, found: usize },
    /// More objects than [`MAX_OBJECTS`].
    #[error("expected at most {max} certificates, keys or requests, found {found}")]
    TooMany { max: usize, found: usize },
    /// Nothing usable in the input.
    #[error("expected a PEM block (\"-----BEGIN CERTIFICATE-----\") or DER data, found {found}")]
    Nothing { found: Nothing },
    /// Only private keys were found; they are refused.
    #[error(
        "expected a certificate, public key or certificate request, found only a private key (refused and not read)"
    )]
    OnlyPrivateKey,
    /// A broken `-----BEGIN` line.
    #[error("{detail}")]
    PemBoundary { detail: PemBoundary },
    /// A `-----BEGIN X-----` without its `-----END X-----`.
    #[error("expected \"-----END {label}-----\", found none")]
    PemUnterminated { label: String },
    /// The body of a PEM block is not base64.
    #[error("expected base64 in the {label} block, found {detail}")]
    PemBase64 { label: String, detail: String },
    /// DER that does not parse as what its label says.
    #[error("expected {what} in DER at position {index}, found invalid data: {detail}")]
    Der { what: DerObject, index: usize, detail: String },
    /// Bytes after the end of a DER object.
    #[error("expected {what} to end at its DER length at position {index}, found {count} more bytes")]
    TrailingData { what: DerObject, index: usize, count: usize },
}

/// What [`CertError::Nothing`] found instead.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nothing {
    /// The input is empty.
    Empty,
    /// Only PEM blocks of kinds that carry no certificate or key.
    OtherPemBlocks,
    /// Neither PEM nor DER.
    NotDer,
}

impl fmt::Display for Nothing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty input",
            Self::OtherPemBlocks => "PEM blocks of other kinds only",
            Self::NotDer => "neither (DER starts with a SEQUENCE, byte 0x30)",
        })
    }
}

/// What is wrong with a `-----BEGIN` line (RFC 7468 §2).
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemBoundary {
    /// No `-----` after the label.
    NoDashes,
    /// The label spans lines or is overlong.
    BadLabel,
}

impl fmt::Display for PemBoundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoDashes => "expected \"-----\" after the label of \"-----BEGIN\", found none",
            Self::BadLabel => "expected a one-line label after \"-----BEGIN\", found a line break or an overlong label",
        })
    }
}

/// What a DER object was read as.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerObject {
    /// An X.509 certificate (RFC 5280 §4.1).
    Certificate,
    /// A SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    PublicKey,
    /// A PKCS#10 certificate request (RFC 2986 §4).
    Request,
    /// A basicConstraints extension (RFC 5280 §4.2.1.9).
    BasicConstraints,
    /// A keyUsage extension (RFC 5280 §4.2.1.3).
    KeyUsage,
    /// Raw DER that is none of certificate, key or request.
    Any,
}

impl fmt::Display for DerObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Certificate => "an X.509 certificate",
            Self::PublicKey => "a SubjectPublicKeyInfo",
            Self::Request => "a PKCS#10 certificate request",
            Self::BasicConstraints => "a basicConstraints extension",
            Self::KeyUsage => "a keyUsage extension",
            Self::Any => "an X.509 certificate, SubjectPublicKeyInfo or certificate request",
        })
    }
}

/// Something about the input worth telling the person, that did not stop reading it.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// A private key block was found and skipped without being decoded.
    PrivateKeyRefused { label: &'static str },
    /// A PEM block of a kind that carries no certificate or public key.
    IgnoredBlock { label: String },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PrivateKeyRefused { .. } => f.write_str(
                "a private key was pasted; it was refused and not read (TLSA records need only the certificate or public key; keep the private key secret)",
            ),
            Self::IgnoredBlock { label } => write!(
                f,
                "ignored a \"{label}\" block; expected CERTIFICATE, PUBLIC KEY or CERTIFICATE REQUEST"
            ),
        }
    }
}

/// The kind and size of a public key, for people to read.
fn describe_key(spki: &SubjectPublicKeyInfo<'_>) -> String {
    let alg = &spki.algorithm.algorithm;
    if *alg == OID_PKCS1_RSAENCRYPTION || *alg == OID_PKCS1_RSASSAPSS {
        let bits = spki.parsed().map(|k| k.key_size()).unwrap_or(0);
        format!("RSA {bits}")
    } else if *alg == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok());
        match curve {
            Some(c) if c == OID_EC_P256 => "ECDSA P-256".to_owned(),
            Some(c) if c == OID_NIST_EC_P384 => "ECDSA P-384".to_owned(),
            Some(c) if c == OID_NIST_EC_P521 => "ECDSA P-521".to_owned(),
            Some(c) => format!("ECDSA curve {c}"),
            None => "ECDSA".to_owned(),
        }
    } else if *alg == OID_SIG_ED25519 {
        "Ed25519".to_owned()
    } else if *alg == OID_SIG_ED448 {
        "Ed448".to_owned()
    } else {
        format!("key algorithm {alg}")
    }
}

/// Parses a certificate without x509-parser's "deep" parsing of extensions.
///
/// That parsing runs a parser for every extension type x509-parser knows
/// (CRL distribution points, policies, SCTs, ...) and would link all of them
/// into the web app; DANE needs only subjectAltName, basicConstraints and
/// keyUsage, which [`dns_names_of`] and [`from_der_at`](Certificate::from_der_at)
/// parse on their own, with the same results as the deep parse.
fn parse_certificate(der: &[u8]) -> X509Result<'_, X509Certificate<'_>> {
    X509CertificateParser::new().with_deep_parse_extensions(false).parse(der)
}

/// The subjectAltName extensions that parse (RFC 5280 §4.2.1.6). As with
/// x509-parser's deep parse, one that does not parse counts as absent.
fn subject_alt_names<'a>(cert: &'a X509Certificate<'_>) -> impl Iterator<Item = SubjectAlternativeName<'a>> {
    cert.extensions()
        .iter()
        .filter(|e| e.oid == OID_X509_EXT_SUBJECT_ALT_NAME)
        .filter_map(|e| SubjectAlternativeName::from_der(e.value).ok().map(|(_, san)| san))
}

fn dns_names_of(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut names = Vec::new();
    for san in subject_alt_names(cert) {
        for gn in &san.general_names {
            if let GeneralName::DNSName(n) = gn {
                names.push((*n).to_owned());
            }
        }
    }
    names
}

fn has_san_extension(cert: &X509Certificate<'_>) -> bool {
    subject_alt_names(cert).next().is_some()
}

/// basicConstraints (RFC 5280 §4.2.1.9): an error when present twice; one that
/// does not parse counts as absent (as x509-parser's `basic_constraints()`).
fn basic_constraints_of(cert: &X509Certificate<'_>) -> Result<Option<BasicConstraints>, X509Error> {
    Ok(cert
        .get_extension_unique(&OID_X509_EXT_BASIC_CONSTRAINTS)?
        .and_then(|e| BasicConstraints::from_der(e.value).ok().map(|(_, bc)| bc)))
}

/// keyUsage (RFC 5280 §4.2.1.3): an error when present twice or when it does
/// not parse (as x509-parser's `key_usage()`).
fn key_usage_of(cert: &X509Certificate<'_>) -> Result<Option<KeyUsage>, X509Error> {
    match cert.get_extension_unique(&OID_X509_EXT_KEY_USAGE)? {
        None => Ok(None),
        Some(e) => KeyUsage::from_der(e.value).map(|(_, ku)| Some(ku)).map_err(|_| X509Error::InvalidExtensions),
    }
}

/// A PKCS#10 request's subject and key (RFC 2986 §4.1), and the bytes after
/// it. Not x509-parser's request parser: that one deep-parses the requested
/// extensions (see [`parse_certificate`]), which are not used here.
///
/// ```text
/// CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature BIT STRING }
/// CertificationRequestInfo ::= SEQUENCE { version INTEGER { v1(0) }, subject Name,
///                                         subjectPKInfo SubjectPublicKeyInfo, attributes [0] Attributes }
/// ```
#[allow(clippy::type_complexity)]
fn parse_request(der: &[u8]) -> Result<(&[u8], X509Name<'_>, SubjectPublicKeyInfo<'_>, &[u8]), X509Error> {
    fn bad<E>(_: E) -> X509Error {
        X509Error::InvalidCertificate
    }
    fn x509(e: x509_parser::nom::Err<X509Error>) -> X509Error {
        match e {
            x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e,
            x509_parser::nom::Err::Incomplete(_) => X509Error::InvalidCertificate,
        }
    }
    fn sequence(i: &[u8]) -> Result<(&[u8], &[u8]), X509Error> {
        let (rest, any) = Any::from_der(i).map_err(bad)?;
        if any.tag() != Tag::Sequence || !any.header.is_constructed() {
            return Err(X509Error::InvalidCertificate);
        }
        Ok((rest, any.data))
    }
    let (rest, outer) = sequence(der)?;
    let (signed, info) = sequence(outer)?;
    let (i, version) = u32::from_der(info).map_err(|_| X509Error::InvalidVersion)?;
    if version != 0 {
        return Err(X509Error::InvalidVersion);
    }
    let (i, subject) = X509Name::from_der(i).map_err(x509)?;
    let (i, spki) = SubjectPublicKeyInfo::from_der(i).map_err(x509)?;
    let (i, attributes) = Any::from_der(i).map_err(|_| X509Error::InvalidAttributes)?;
    if attributes.tag() != Tag(0) || !attributes.header.is_constructed() || !i.is_empty() {
        return Err(X509Error::InvalidAttributes);
    }
    let (i, _) = AlgorithmIdentifier::from_der(signed).map_err(x509)?;
    let (i, _) = BitString::from_der(i).map_err(|_| X509Error::InvalidSignatureValue)?;
    if !i.is_empty() {
        return Err(X509Error::InvalidCertificate);
    }
    Ok((rest, subject, spki, attributes.data))
}

/// DER contents of the OID 1.2.840.113549.1.9.14, PKCS #9 extensionRequest (RFC 2985 §5.4.2).
const EXTENSION_REQUEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e];
/// DER contents of the OID 2.5.29.17, subjectAltName (RFC 5280 §4.2.1.6).
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];

/// The dNSNames a request's extensionRequest attribute asks for in its
/// subjectAltName (RFC 2986 §4.1, RFC 2985 §5.4.2, RFC 5280 §4.2.1.6);
/// what does not parse counts as absent, as for certificates.
///
/// ```text
/// Attribute ::= SEQUENCE { type OID, values SET OF Extensions }
/// Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
/// ```
fn requested_dns_names(attributes: &[u8]) -> Vec<String> {
    /// The DER elements one after another, until one does not parse.
    fn elements(mut i: &[u8]) -> impl Iterator<Item = Any<'_>> {
        core::iter::from_fn(move || {
            let (rest, any) = Any::from_der(i).ok()?;
            i = rest;
            Some(any)
        })
    }
    let mut names = Vec::new();
    for attribute in elements(attributes).filter(|a| a.tag() == Tag::Sequence) {
        let mut parts = elements(attribute.data);
        let is_request = parts.next().is_some_and(|oid| oid.tag() == Tag::Oid && oid.data == EXTENSION_REQUEST);
        let Some(values) = parts.next().filter(|v| is_request && v.tag() == Tag::Set) else { continue };
        for extensions in elements(values.data).filter(|e| e.tag() == Tag::Sequence) {
            for extension in elements(extensions.data).filter(|e| e.tag() == Tag::Sequence) {
                let mut fields = elements(extension.data);
                if !fields.next().is_some_and(|oid| oid.tag() == Tag::Oid && oid.data == SUBJECT_ALT_NAME) {
                    continue;
                }
                let Some(value) = fields.find(|f| f.tag() == Tag::OctetString) else { continue };
                let Ok((_, san)) = SubjectAlternativeName::from_der(value.data) else { continue };
                for gn in &san.general_names {
                    if let GeneralName::DNSName(n) = gn {
                        names.push((*n).to_owned());
                    }
                }
            }
        }
    }
    names
}

fn common_names_of(name: &X509Name<'_>) -> Vec<String> {
    name.iter_common_name().filter_map(|a| a.as_str().ok()).map(str::to_owned).collect()
}

/// A parsed X.509 certificate (RFC 5280 §4.1) with the facts DANE needs.
///
/// Owns its DER; the summary fields are read once, at construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    #[serde(skip)]
    der: Vec<u8>,
    #[serde(skip)]
    spki: Vec<u8>,
    #[serde(skip)]
    subject_raw: Vec<u8>,
    #[serde(skip)]
    issuer_raw: Vec<u8>,
    /// Subject distinguished name (RFC 4514 string form).
    pub subject: String,
    /// Issuer distinguished name (RFC 4514 string form).
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// Subject alternative name dNSName entries, in order.
    pub dns_names: Vec<String>,
    /// Whether a subjectAltName extension is present at all.
    pub has_san: bool,
    /// Subject common names.
    pub common_names: Vec<String>,
    /// basicConstraints cA flag (RFC 5280 §4.2.1.9).
    pub is_ca: bool,
    /// basicConstraints pathLenConstraint.
    pub path_len: Option<u32>,
    /// keyUsage keyCertSign, or `None` without a keyUsage extension (RFC 5280 §4.2.1.3).
    pub key_cert_sign: Option<bool>,
    /// Key kind and size, e.g. "RSA 2048", "ECDSA P-256".
    pub key: String,
}

impl Certificate {
    /// Parses one DER certificate; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        Self::from_der_at(der, 0)
    }

    fn from_der_at(der: &[u8], index: usize) -> Result<Self, CertError> {
        let what = DerObject::Certificate;
        let (rest, cert) = parse_certificate(der).map_err(|e| CertError::Der { what, index, detail: e.to_string() })?;
        if !rest.is_empty() {
            return Err(CertError::TrailingData { what, index, count: rest.len() });
        }
        let tbs = &cert.tbs_certificate;
        let (is_ca, path_len) = match basic_constraints_of(&cert) {
            Ok(Some(bc)) => (bc.ca, bc.path_len_constraint),
            Ok(None) => (false, None),
            Err(e) => {
                return Err(CertError::Der { what: DerObject::BasicConstraints, index, detail: e.to_string() });
            }
        };
        let key_cert_sign = match key_usage_of(&cert) {
            Ok(ku) => ku.map(|k| k.key_cert_sign()),
            Err(e) => return Err(CertError::Der { what: DerObject::KeyUsage, index, detail: e.to_string() }),
        };
        Ok(Self {
            der: der.to_vec(),
            spki: tbs.subject_pki.raw.to_vec(),
            subject_raw: tbs.subject.as_raw().to_vec(),
            issuer_raw: tbs.issuer.as_raw().to_vec(),
            subject: name::name_text(&tbs.subject),
            issuer: name::name_text(&tbs.issuer),
            serial: HEXLOWER.encode(tbs.raw_serial()),
            not_before: tbs.validity.not_before.timestamp(),
            not_after: tbs.validity.not_after.timestamp(),
            dns_names: dns_names_of(&cert),
            has_san: has_san_extension(&cert),
            common_names: common_names_of(&tbs.subject),
            is_ca,
            path_len,
            key_cert_sign,
            key: describe_key(&tbs.subject_pki),
        })
    }

    /// The whole certificate, DER (what selector Cert(0) selects, RFC 6698 §2.1.2).
    #[must_use]
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The DER SubjectPublicKeyInfo (what selector SPKI(1) selects, RFC 6698 §2.1.2).
    #[must_use]
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// Whether `issuer`'s subject name is this certificate's issuer name
    /// (compared as encoded, which is what a CA that issued it produces).
    #[must_use]
    pub fn is_named_issuer(&self, issuer: &Certificate) -> bool {
        self.issuer_raw == issuer.subject_raw || self.issuer.eq_ignore_ascii_case(&issuer.subject)
    }

    /// Whether subject and issuer names are the same (RFC 5280 §6.1 "self-issued").
    #[must_use]
    pub fn is_self_issued(&self) -> bool {
        self.issuer_raw == self.subject_raw
    }

    /// Whether this certificate is valid at `now` (Unix seconds), bounds inclusive.
    #[must_use]
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// Checks that the key in `issuer_spki` (DER SubjectPublicKeyInfo) made this
    /// certificate's signature. RSA PKCS#1 v1.5 and PSS, ECDSA P-256/P-384 and
    /// Ed25519 are supported (ring); SHA-1 signatures are refused.
    pub fn verify_signed_by(&self, issuer_spki: &[u8]) -> Result<(), SignatureError> {
        let (_, cert) = parse_certificate(&self.der).map_err(|_| SignatureError::Unparsable)?;
        let (_, spki) = SubjectPublicKeyInfo::from_der(issuer_spki).map_err(|_| SignatureError::Unparsable)?;
        let alg = &cert.signature_algorithm.algorithm;
        if *alg == OID_PKCS1_SHA1WITHRSA || *alg == OID_SHA1_WITH_RSA {
            return Err(SignatureError::Sha1);
        }
        match cert.verify_signature(Some(&spki)) {
            Ok(()) => Ok(()),
            Err(X509Error::SignatureUnsupportedAlgorithm) => {
                Err(SignatureError::Unsupported { algorithm: alg.to_id_string() })
            }
            Err(_) => Err(SignatureError::Invalid),
        }
    }
}

/// The DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of one DER certificate,
/// whatever its version (v1 certificates have no extensions, RFC 5280
/// §4.1.2.1) and without reading its extensions; trailing bytes are an error.
///
/// The same bytes as [`Certificate::spki`], which selector SPKI(1) hashes
/// (RFC 6698 §2.1.2): the key a TLS server's handshake signature is checked
/// with, so a probe that accepts any chain still reports only a leaf whose
/// key the server holds, and DANE-EE(3) SPKI(1) judges that same key.
pub fn certificate_spki(der: &[u8]) -> Result<&[u8], CertError> {
    let what = DerObject::Certificate;
    let (rest, cert) = parse_certificate(der).map_err(|e| CertError::Der { what, index: 0, detail: e.to_string() })?;
    if !rest.is_empty() {
        return Err(CertError::TrailingData { what, index: 0, count: rest.len() });
    }
    Ok(cert.tbs_certificate.subject_pki.raw)
}

/// Why a signature check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The certificate or key could not be parsed again (should not happen after construction).
    #[error("expected a parsable certificate and key, found invalid DER")]
    Unparsable,
    /// SHA-1 based signatures are not accepted.
    #[error("expected a SHA-2 based signature, found SHA-1")]
    Sha1,
    /// Algorithm (or key/algorithm pairing) not supported.
    #[error("expected RSA (PKCS#1 v1.5 or PSS), ECDSA P-256/P-384 or Ed25519, found signature algorithm {algorithm}")]
    Unsupported { algorithm: String },
    /// The signature does not verify.
    #[error("expected a signature made by the issuer's key, found one that does not verify")]
    Invalid,
}

/// A bare public key ("PUBLIC KEY", RFC 7468 §13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicKey {
    #[serde(skip)]
    spki: Vec<u8>,
    /// Key kind and size.
    pub key: String,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7); trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        Self::from_der_at(der, 0)
    }

    fn from_der_at(der: &[u8], index: usize) -> Result<Self, CertError> {
        let what = DerObject::PublicKey;
        let (rest, spki) =
            SubjectPublicKeyInfo::from_der(der).map_err(|e| CertError::Der { what, index, detail: e.to_string() })?;
        if !rest.is_empty() {
            return Err(CertError::TrailingData { what, index, count: rest.len() });
        }
        Ok(Self { spki: der.to_vec(), key: describe_key(&spki) })
    }

    /// The DER SubjectPublicKeyInfo.
    #[must_use]
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }
}

/// A PKCS#10 certificate signing request (RFC 2986): only its key is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    #[serde(skip)]
    spki: Vec<u8>,
    /// Subject distinguished name.
    pub subject: String,
    /// Key kind and size.
    pub key: String,
    /// dNSNames of the requested subjectAltName (RFC 2985 §5.4.2).
    #[serde(skip)]
    pub dns_names: Vec<String>,
    /// Common names of the subject.
    #[serde(skip)]
    pub common_names: Vec<String>,
}

impl Request {
    /// Parses a DER certificate request; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        Self::from_der_at(der, 0)
    }

    fn from_der_at(der: &[u8], index: usize) -> Result<Self, CertError> {
        let what = DerObject::Request;
        let (rest, subject, spki, attributes) =
            parse_request(der).map_err(|e| CertError::Der { what, index, detail: e.to_string() })?;
        if !rest.is_empty() {
            return Err(CertError::TrailingData { what, index, count: rest.len() });
        }
        Ok(Self {
            spki: spki.raw.to_vec(),
            subject: name::name_text(&subject),
            key: describe_key(&spki),
            dns_names: requested_dns_names(attributes),
            common_names: common_names_of(&subject),
        })
    }

    /// The DER SubjectPublicKeyInfo of the requested key.
    #[must_use]
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }
}

/// One thing found in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Object {
    /// An X.509 certificate.
    Certificate(Certificate),
    /// A bare SubjectPublicKeyInfo.
    PublicKey(PublicKey),
    /// A PKCS#10 certificate request.
    Request(Request),
}

impl Object {
    /// The DER SubjectPublicKeyInfo of the object's key.
    #[must_use]
    pub fn spki(&self) -> &[u8] {
        match self {
            Self::Certificate(c) => c.spki(),
            Self::PublicKey(k) => k.spki(),
            Self::Request(r) => r.spki(),
        }
    }
}

/// Everything read from one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Input {
    /// Objects in input order.
    pub objects: Vec<Object>,
    /// Things skipped along the way.
    pub warnings: Vec<Warning>,
}

impl Input {
    /// The certificates, in input order (leaf first for a chain).
    pub fn certificates(&self) -> impl Iterator<Item = &Certificate> {
        self.objects.iter().filter_map(|o| match o {
            Object::Certificate(c) => Some(c),
            _ => None,
        })
    }

    /// Appends another input's objects and warnings (several files, one chain).
    pub fn extend(&mut self, other: Input) -> Result<(), CertError> {
        let found = self.objects.len().saturating_add(other.objects.len());
        if found > MAX_OBJECTS {
            return Err(CertError::TooMany { max: MAX_OBJECTS, found });
        }
        self.objects.extend(other.objects);
        self.warnings.extend(other.warnings);
        Ok(())
    }
}

/// Reads PEM or DER input (see the module documentation).
///
/// PEM is recognised by a `-----BEGIN ` boundary anywhere in the input; other
/// input is read as one or more concatenated DER objects, each tried as a
/// certificate, then a SubjectPublicKeyInfo, then a certificate request.
pub fn read_input(input: &[u8]) -> Result<Input, CertError> {
    if input.len() > MAX_INPUT {
        return Err(CertError::TooLarge { max: MAX_INPUT, found: input.len() });
    }
    if pem::looks_like_pem(input) { read_pem(input) } else { read_der(input) }
}

fn read_pem(input: &[u8]) -> Result<Input, CertError> {
    // Non-UTF-8 bytes can only be in the garbage around blocks: replace them.
    let text = String::from_utf8_lossy(input);
    let mut out = Input::default();
    let mut private = false;
    for (index, block) in pem::blocks(&text)?.into_iter().enumerate() {
        let object = match block.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" => Object::Certificate(Certificate::from_der_at(&block.der, index)?),
            // OpenSSL's "TRUSTED CERTIFICATE" is a certificate followed by trust settings.
            "TRUSTED CERTIFICATE" => {
                let what = DerObject::Certificate;
                let (rest, _) =
                    parse_certificate(&block.der).map_err(|e| CertError::Der { what, index, detail: e.to_string() })?;
                let len = block.der.len().saturating_sub(rest.len());
                let der = block.der.get(..len).unwrap_or(&[]);
                Object::Certificate(Certificate::from_der_at(der, index)?)
            }
            "PUBLIC KEY" => Object::PublicKey(PublicKey::from_der_at(&block.der, index)?),
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                Object::Request(Request::from_der_at(&block.der, index)?)
            }
            label if pem::is_private_key_label(label) => {
                private = true;
                if !out.warnings.iter().any(|w| matches!(w, Warning::PrivateKeyRefused { .. })) {
                    out.warnings.push(Warning::PrivateKeyRefused { label: "PRIVATE KEY" });
                }
                continue;
            }
            label => {
                out.warnings.push(Warning::IgnoredBlock { label: label.to_owned() });
                continue;
            }
        };
        if out.objects.len() >= MAX_OBJECTS {
            return Err(CertError::TooMany { max: MAX_OBJECTS, found: out.objects.len() + 1 });
        }
        out.objects.push(object);
    }
    if out.objects.is_empty() {
        return Err(if private {
            CertError::OnlyPrivateKey
        } else {
            CertError::Nothing { found: Nothing::OtherPemBlocks }
        });
    }
    Ok(out)
}

fn read_der(input: &[u8]) -> Result<Input, CertError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(CertError::Nothing { found: Nothing::Empty });
    }
    if input.first() != Some(&0x30) {
        return Err(CertError::Nothing { found: Nothing::NotDer });
    }
    let mut out = Input::default();
    let mut rest = input;
    let mut index = 0usize;
    while !rest.is_empty() {
        if out.objects.len() >= MAX_OBJECTS {
            return Err(CertError::TooMany { max: MAX_OBJECTS, found: out.objects.len() + 1 });
        }
        let (object, after) = if let Ok((after, _)) = parse_certificate(rest) {
            let len = rest.len().saturating_sub(after.len());
            (Object::Certificate(Certificate::from_der_at(rest.get(..len).unwrap_or(&[]), index)?), after)
        } else if let Ok((after, _)) = SubjectPublicKeyInfo::from_der(rest) {
            let len = rest.len().saturating_sub(after.len());
            (Object::PublicKey(PublicKey::from_der_at(rest.get(..len).unwrap_or(&[]), index)?), after)
        } else if let Ok((after, _, _, _)) = parse_request(rest) {
            let len = rest.len().saturating_sub(after.len());
            (Object::Request(Request::from_der_at(rest.get(..len).unwrap_or(&[]), index)?), after)
        } else {
            // Report the certificate parser's complaint: certificates are what people paste.
            let detail = parse_certificate(rest).err().map(|e| e.to_string()).unwrap_or_default();
            return Err(CertError::Der { what: DerObject::Any, index, detail });
        };
        out.objects.push(object);
        rest = after;
        index = index.saturating_add(1);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_text_input_are_errors() {
        assert_eq!(read_input(b"").unwrap_err(), CertError::Nothing { found: Nothing::Empty });
        assert!(matches!(read_input(b"hello").unwrap_err(), CertError::Nothing { .. }));
    }

    #[test]
    fn huge_input_is_refused() {
        let big = vec![b'A'; MAX_INPUT + 1];
        assert_eq!(read_input(&big).unwrap_err(), CertError::TooLarge { max: MAX_INPUT, found: MAX_INPUT + 1 });
    }

    #[test]
    fn private_key_alone_is_refused_without_echo() {
        let text = b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
        let err = read_input(text).unwrap_err();
        assert_eq!(err, CertError::OnlyPrivateKey);
        assert!(!err.to_string().contains("MIGHAgEA"));
        let enc = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nxx\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(read_input(enc).unwrap_err(), CertError::OnlyPrivateKey);
    }

    #[test]
    fn truncated_der_is_an_error() {
        let err = read_input(&[0x30, 0x82, 0x05, 0x00, 0x30]).unwrap_err();
        assert!(matches!(err, CertError::Der { index: 0, .. }), "{err}");
    }

    #[test]
    fn pem_with_garbage_der_is_an_error() {
        let err = read_input(b"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n").unwrap_err();
        assert!(err.to_string().starts_with("expected an X.509 certificate in DER at position 0"), "{err}");
    }

    /// A version 1 certificate (no extensions, `openssl x509 -req -signkey`),
    /// as old self-signed mail server set-ups have.
    const V1_LEAF: &[u8] = include_bytes!("../../../tests/fixtures/smtp/rsa-v1.der");

    #[test]
    fn certificate_spki_of_a_v1_certificate_is_the_selector_1_key() {
        let spki = certificate_spki(V1_LEAF).unwrap();
        assert_eq!(spki, Certificate::from_der(V1_LEAF).unwrap().spki());
        let (rest, key) = SubjectPublicKeyInfo::from_der(spki).unwrap();
        assert!(rest.is_empty());
        assert_eq!(describe_key(&key), "RSA 2048");
    }

    #[test]
    fn certificate_spki_refuses_what_is_no_certificate() {
        let err = certificate_spki(&[0x30, 0x03, 0x02, 0x01, 0x00]).unwrap_err();
        assert!(matches!(err, CertError::Der { index: 0, .. }), "{err}");
        let mut trailing = V1_LEAF.to_vec();
        trailing.push(0);
        assert_eq!(
            certificate_spki(&trailing).unwrap_err(),
            CertError::TrailingData { what: DerObject::Certificate, index: 0, count: 1 }
        );
    }

    fn sample_der() -> Vec<u8> {
        geleit_test_support::certs::self_signed("mx.example.com", &["mx.example.com"]).der
    }

    #[test]
    fn every_truncation_of_a_certificate_is_an_error() {
        let der = sample_der();
        assert!(read_input(&der).is_ok());
        for cut in 0..der.len() {
            assert!(read_input(&der[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(read_input(&trailing).is_err());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_der_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let mut input = vec![0x30];
            input.extend(bytes);
            let _ = read_input(&input);
        }

        #[test]
        fn flipped_bytes_never_panic(pos in 0usize..400, bit in 0u8..8) {
            let mut der = sample_der();
            let i = pos % der.len();
            der[i] ^= 1 << bit;
            let _ = read_input(&der);
        }

        #[test]
        fn arbitrary_pem_never_panics(label in "[A-Z ]{0,20}", body in "[A-Za-z0-9+/=\\n\\r -]{0,300}") {
            let text = format!("x-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
            let _ = read_input(text.as_bytes());
        }
    }

    fn sample_request() -> (Vec<u8>, Vec<u8>) {
        use geleit_test_support::certs::Spec;
        use geleit_test_support::certs::rcgen::{DistinguishedName, DnType};
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CommonName, "mx.example.com");
        subject.push(DnType::OrganizationName, "Example");
        let request = Spec::leaf("mx.example.com", &["mx.example.com"]).subject(subject).request();
        (request.der, request.spki)
    }

    #[test]
    fn certificate_request_gives_subject_and_key_as_x509_parser_does() {
        use x509_parser::certification_request::X509CertificationRequest;
        let (der, spki) = sample_request();
        let input = read_input(&der).unwrap();
        let [Object::Request(req)] = input.objects.as_slice() else { panic!("{:?}", input.objects) };
        assert_eq!(req.spki(), spki.as_slice());
        assert_eq!(req.subject, "CN=mx.example.com, O=Example");
        assert_eq!(req.key, "ECDSA P-256");
        let (_, theirs) = X509CertificationRequest::from_der(&der).unwrap();
        assert_eq!(theirs.certification_request_info.subject_pki.raw, req.spki());
        assert_eq!(theirs.certification_request_info.subject.to_string(), req.subject);
    }

    #[test]
    fn every_truncation_of_a_request_is_an_error() {
        let (der, _) = sample_request();
        for cut in 0..der.len() {
            assert!(Request::from_der(&der[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(matches!(Request::from_der(&trailing), Err(CertError::TrailingData { count: 1, .. })));
        let mut v1 = der.clone();
        // The version INTEGER 0 sits right after the two SEQUENCE headers.
        let at = der.windows(3).position(|w| w == [0x02, 0x01, 0x00]).unwrap();
        v1[at + 2] = 1;
        assert!(
            Request::from_der(&v1).unwrap_err().to_string().contains("version"),
            "{}",
            Request::from_der(&v1).unwrap_err()
        );
    }

    #[test]
    fn extensions_read_as_the_deep_parse_reads_them() {
        use geleit_test_support::certs::{Spec, rcgen::KeyUsagePurpose};
        let der = Spec::leaf("mx.example.com", &["mx.example.com", "mail.example.com"])
            .path_len(1)
            .key_usages(&[KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature])
            .self_signed()
            .der;
        let ours = Certificate::from_der(&der).unwrap();
        let (_, theirs) = X509Certificate::from_der(&der).unwrap();
        let bc = theirs.basic_constraints().unwrap().unwrap().value;
        assert_eq!((ours.is_ca, ours.path_len), (bc.ca, bc.path_len_constraint));
        assert_eq!((ours.is_ca, ours.path_len), (true, Some(1)));
        assert_eq!(ours.key_cert_sign, Some(theirs.key_usage().unwrap().unwrap().value.key_cert_sign()));
        assert_eq!(ours.key_cert_sign, Some(true));
        assert_eq!(ours.dns_names, ["mx.example.com", "mail.example.com"]);
        assert!(ours.has_san);
        let plain = Certificate::from_der(&sample_der()).unwrap();
        assert_eq!((plain.is_ca, plain.path_len, plain.key_cert_sign), (false, None, None));
    }

    #[test]
    fn other_blocks_only_is_nothing() {
        let text = b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        assert_eq!(read_input(text).unwrap_err(), CertError::Nothing { found: Nothing::OtherPemBlocks });
    }
}
