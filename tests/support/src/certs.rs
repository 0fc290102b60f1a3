//! Certificates made fresh for a test with rcgen: leaves, CAs and chains
//! with the names, dates, key types and CA constraints a test asks for, the
//! certificate with a hostile subject, and certification requests.
//!
//! Everything comes out as bytes (DER, PEM, PKCS#8), never as a `geleit`
//! type, so the core's own unit tests (which see their own copy of the
//! `geleit` crate) can use these builders as well as the integration tests.
//! For what rcgen cannot make (X.509 version 1, dates chosen by the
//! reference tools), see [`crate::openssl`].
//!
//! ```
//! use geleit_test_support::certs::{KeyAlg, Spec};
//! let root = Spec::ca("Root").alg(KeyAlg::P384).self_signed();
//! let inter = Spec::ca("Inter").until(2025, 1, 1).signed_by(&root);
//! let leaf = Spec::leaf("mx.example.com", &["mx.example.com"]).signed_by(&inter);
//! assert!(leaf.pem.starts_with("-----BEGIN CERTIFICATE-----"));
//! ```

pub use rcgen;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PublicKeyData, date_time_ymd,
};

/// The key (and signature) algorithm of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlg {
    /// ECDSA P-256 with SHA-256 (the default).
    P256,
    /// ECDSA P-384 with SHA-384.
    P384,
    Ed25519,
}

impl KeyAlg {
    fn rcgen(self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            Self::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Self::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            Self::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }
}

/// A year, month and day (UTC midnight).
pub type Day = (i32, u8, u8);

/// rcgen's default validity: 1975-01-01 to 4096-01-01.
pub const DEFAULT_VALIDITY: (Day, Day) = ((1975, 1, 1), (4096, 1, 1));

/// What to put in a certificate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The subject: by default one CN.
    pub subject: DistinguishedName,
    /// DNS names of the subjectAltName extension (none: no extension).
    pub sans: Vec<String>,
    /// `None`: an end entity (basicConstraints absent); `Some(None)`: a CA
    /// without a path length; `Some(Some(n))`: a CA with pathLenConstraint `n`.
    pub ca: Option<Option<u8>>,
    /// notBefore and notAfter; `None` keeps rcgen's default ([`DEFAULT_VALIDITY`]).
    pub valid: Option<(Day, Day)>,
    pub alg: KeyAlg,
    /// The keyUsage extension (empty: none).
    pub key_usages: Vec<KeyUsagePurpose>,
}

fn cn_only(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

impl Spec {
    /// An end-entity certificate with subject CN `cn` and DNS names `sans`, ECDSA P-256.
    pub fn leaf(cn: &str, sans: &[&str]) -> Self {
        Self {
            subject: cn_only(cn),
            sans: sans.iter().map(|s| (*s).to_owned()).collect(),
            ca: None,
            valid: None,
            alg: KeyAlg::P256,
            key_usages: Vec::new(),
        }
    }

    /// A CA certificate (basicConstraints CA, no path length) with subject CN `cn`, ECDSA P-256.
    pub fn ca(cn: &str) -> Self {
        Self { ca: Some(None), ..Self::leaf(cn, &[]) }
    }

    pub fn alg(mut self, alg: KeyAlg) -> Self {
        self.alg = alg;
        self
    }

    /// Valid from the first day to the second (both at 00:00 UTC).
    pub fn valid(mut self, from: Day, until: Day) -> Self {
        self.valid = Some((from, until));
        self
    }

    /// Valid from January 1st of `from` to January 1st of `until`.
    pub fn years(self, from: i32, until: i32) -> Self {
        self.valid((from, 1, 1), (until, 1, 1))
    }

    /// notAfter set to this day (notBefore as set before, else rcgen's).
    pub fn until(mut self, y: i32, m: u8, d: u8) -> Self {
        let from = self.valid.map_or(DEFAULT_VALIDITY.0, |(f, _)| f);
        self.valid = Some((from, (y, m, d)));
        self
    }

    /// notBefore set to this day (notAfter as set before, else rcgen's).
    pub fn from(mut self, y: i32, m: u8, d: u8) -> Self {
        let until = self.valid.map_or(DEFAULT_VALIDITY.1, |(_, u)| u);
        self.valid = Some(((y, m, d), until));
        self
    }

    /// A CA with pathLenConstraint `n`.
    pub fn path_len(mut self, n: u8) -> Self {
        self.ca = Some(Some(n));
        self
    }

    /// No basicConstraints (not a CA), whatever the name says.
    pub fn not_ca(mut self) -> Self {
        self.ca = None;
        self
    }

    /// The subject CN `cn` only.
    pub fn cn(mut self, cn: &str) -> Self {
        self.subject = cn_only(cn);
        self
    }

    /// Any subject.
    pub fn subject(mut self, subject: DistinguishedName) -> Self {
        self.subject = subject;
        self
    }

    pub fn key_usages(mut self, usages: &[KeyUsagePurpose]) -> Self {
        self.key_usages = usages.to_vec();
        self
    }

    fn params(&self) -> CertificateParams {
        let mut p = CertificateParams::new(self.sans.clone()).unwrap_or_else(|e| panic!("{e}"));
        p.distinguished_name = self.subject.clone();
        p.is_ca = match self.ca {
            None => IsCa::NoCa,
            Some(None) => IsCa::Ca(BasicConstraints::Unconstrained),
            Some(Some(n)) => IsCa::Ca(BasicConstraints::Constrained(n)),
        };
        if let Some(((fy, fm, fd), (uy, um, ud))) = self.valid {
            p.not_before = date_time_ymd(fy, fm, fd);
            p.not_after = date_time_ymd(uy, um, ud);
        }
        p.key_usages = self.key_usages.clone();
        p
    }

    /// A certificate with a fresh key, signed by `issuer` (self-signed without one).
    pub fn make(&self, issuer: Option<&Cert>) -> Cert {
        self.make_with(issuer, &Key::new(self.alg))
    }

    /// A certificate for `key` (a renewal that keeps its key), signed by
    /// `issuer` (self-signed without one). The key's own type decides the
    /// signature of a self-signed certificate, not [`Spec::alg`].
    pub fn make_with(&self, issuer: Option<&Cert>, key: &Key) -> Cert {
        let signer = key.pair();
        let params = self.params();
        let cert = match issuer {
            Some(i) => params.signed_by(&signer, &Issuer::from_params(&i.params, &i.signer)),
            None => params.self_signed(&signer),
        }
        .unwrap_or_else(|e| panic!("{e}"));
        Cert { der: cert.der().to_vec(), pem: cert.pem(), spki: key.spki.clone(), key: key.clone(), params, signer }
    }

    /// A certificate with a fresh key, self-signed.
    pub fn self_signed(&self) -> Cert {
        self.make(None)
    }

    /// A certificate with a fresh key, signed by `issuer`'s key and naming its subject as issuer.
    pub fn signed_by(&self, issuer: &Cert) -> Cert {
        self.make(Some(issuer))
    }

    /// A PKCS#10 certification request for `key` with this subject and these names.
    pub fn request_with(&self, key: &Key) -> Request {
        let request = self.params().serialize_request(&key.pair()).unwrap_or_else(|e| panic!("{e}"));
        Request {
            der: request.der().to_vec(),
            pem: request.pem().unwrap_or_else(|e| panic!("{e}")),
            spki: key.spki.clone(),
        }
    }

    /// A PKCS#10 certification request with a fresh key.
    pub fn request(&self) -> Request {
        self.request_with(&Key::new(self.alg))
    }
}

/// A key pair, as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The private key, PKCS#8 PEM (`privkey.pem`).
    pub pem: String,
    /// The private key, PKCS#8 DER.
    pub pkcs8: Vec<u8>,
    /// The SubjectPublicKeyInfo, DER (what selector 1 covers, RFC 6698 §2.1.2).
    pub spki: Vec<u8>,
    /// The public key, PEM (`-----BEGIN PUBLIC KEY-----`).
    pub public_pem: String,
}

impl Key {
    /// A fresh key pair.
    pub fn new(alg: KeyAlg) -> Self {
        Self::of(&KeyPair::generate_for(alg.rcgen()).unwrap_or_else(|e| panic!("{e}")))
    }

    /// A key pair from its PKCS#8 PEM.
    pub fn from_pem(pem: &str) -> Self {
        Self::of(&KeyPair::from_pem(pem).unwrap_or_else(|e| panic!("{e}")))
    }

    fn of(pair: &KeyPair) -> Self {
        Self {
            pem: pair.serialize_pem(),
            pkcs8: pair.serialize_der(),
            spki: pair.subject_public_key_info(),
            public_pem: pair.public_key_pem(),
        }
    }

    fn pair(&self) -> KeyPair {
        KeyPair::from_pem(&self.pem).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// A certification request made by [`Spec::request_with`].
#[derive(Debug, Clone)]
pub struct Request {
    pub der: Vec<u8>,
    pub pem: String,
    /// The requested key's SubjectPublicKeyInfo, DER.
    pub spki: Vec<u8>,
}

/// A certificate made by [`Spec`], with its key (to sign others with).
pub struct Cert {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The certificate, PEM.
    pub pem: String,
    /// The SubjectPublicKeyInfo, DER (what selector 1 covers, RFC 6698 §2.1.2).
    pub spki: Vec<u8>,
    /// The certificate's key pair.
    pub key: Key,
    params: CertificateParams,
    signer: KeyPair,
}

impl std::fmt::Debug for Cert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cert").field("pem", &self.pem).finish_non_exhaustive()
    }
}

/// The PEM of `certs`, one after the other (a chain file, leaf first).
pub fn pem_chain(certs: &[&Cert]) -> String {
    certs.iter().map(|c| c.pem.as_str()).collect()
}

/// A self-signed ECDSA P-256 certificate with default dates.
pub fn self_signed(cn: &str, sans: &[&str]) -> Cert {
    Spec::leaf(cn, sans).self_signed()
}

/// root (ECDSA P-384) → intermediate (ECDSA P-256) → leaf (Ed25519) for
/// `sans`, default dates; returned leaf first.
pub fn three_level_chain(sans: &[&str]) -> [Cert; 3] {
    let root = Spec::ca("Test Root").alg(KeyAlg::P384).self_signed();
    let inter = Spec::ca("Test Intermediate").signed_by(&root);
    let leaf = Spec::leaf(sans.first().copied().unwrap_or("leaf"), sans).alg(KeyAlg::Ed25519).signed_by(&inter);
    [leaf, inter, root]
}

/// Common name of [`hostile`]: an OSC 0 sequence (sets the terminal's
/// title) ended by BEL, and a CSI sequence (red text).
pub const HOSTILE_CN: &str = "mx\u{1b}]0;pwned\u{7}.example\u{1b}[31m";
/// Organization of [`hostile`]: a one-character C1 CSI (clears the
/// screen), a carriage return and a right-to-left override.
pub const HOSTILE_O: &str = "\u{9b}2JEvil\r\u{202e}gpj.exe";

/// A self-signed certificate for `mx.example.com` whose subject (and so
/// issuer) holds [`HOSTILE_O`] and [`HOSTILE_CN`] as UTF8Strings.
pub fn hostile() -> Cert {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, HOSTILE_O);
    dn.push(DnType::CommonName, HOSTILE_CN);
    Spec::leaf("mx.example.com", &["mx.example.com"]).subject(dn).self_signed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::{FromDer, X509Certificate};

    fn parse(der: &[u8]) -> X509Certificate<'_> {
        X509Certificate::from_der(der).unwrap().1
    }

    #[test]
    fn chains_carry_what_the_spec_says() {
        let root = Spec::ca("Root").alg(KeyAlg::P384).path_len(1).self_signed();
        let leaf = Spec::leaf("mx.example.com", &["mx.example.com", "*.example.com"])
            .alg(KeyAlg::Ed25519)
            .valid((2021, 2, 3), (2031, 4, 5))
            .signed_by(&root);
        let (r, l) = (parse(&root.der), parse(&leaf.der));
        assert_eq!((r.subject().to_string(), l.issuer().to_string()), ("CN=Root".into(), "CN=Root".into()));
        let bc = r.basic_constraints().unwrap().unwrap().value;
        assert_eq!((bc.ca, bc.path_len_constraint), (true, Some(1)));
        assert!(l.basic_constraints().unwrap().is_none_or(|b| !b.value.ca));
        assert_eq!(l.validity().not_before.to_datetime().date().to_string(), "2021-02-03");
        assert_eq!(l.validity().not_after.to_datetime().date().to_string(), "2031-04-05");
        let sans = l.subject_alternative_name().unwrap().unwrap().value.general_names.len();
        assert_eq!(sans, 2);
        assert_eq!(l.public_key().raw, leaf.spki.as_slice());
        // A renewal with the same key has the same key, another certificate.
        let renewed =
            Spec::leaf("mx.example.com", &["mx.example.com"]).until(2032, 1, 1).make_with(Some(&root), &leaf.key);
        assert_eq!((renewed.spki == leaf.spki, renewed.der == leaf.der), (true, false));
        assert!(parse(&renewed.der).verify_signature(Some(r.public_key())).is_ok());
        assert_eq!(Key::from_pem(&leaf.key.pem), leaf.key);
        assert!(leaf.key.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        let request = Spec::leaf("mx.example.com", &["mx.example.com"]).request_with(&leaf.key);
        assert_eq!(request.spki, leaf.spki);
        assert!(request.pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
        assert!(l.verify_signature(Some(r.public_key())).is_ok());
        assert!(l.verify_signature(Some(l.public_key())).is_err());
        assert_eq!(root.pem.matches("BEGIN CERTIFICATE").count(), 1);
        assert_eq!(pem_chain(&[&leaf, &root]).matches("BEGIN CERTIFICATE").count(), 2);
    }

    #[test]
    fn hostile_subject_is_kept_as_is() {
        let c = hostile();
        let subject = parse(&c.der).subject().to_string();
        assert!(subject.contains(HOSTILE_CN) && subject.contains(HOSTILE_O), "{subject:?}");
    }
}
