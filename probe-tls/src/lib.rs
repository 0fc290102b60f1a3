//! rustls set-up for SMTP probing, shared by the native CLI (`geleit probe`)
//! and the edge worker (wasm32): accept any chain (DANE decides later, in the
//! core), record it, and still check the handshake signature against the
//! leaf's key, so the chain reported is one the server holds the key for.
//!
//! ```text
//!   SignatureFamily ─► client_config() ─► rustls::ClientConfig
//!                                              │  (the shell runs the handshake
//!                                              ▼   on its own socket)
//!   geleit::smtp::TlsFacts ◄─ facts() ◄─ rustls::ClientConnection
//! ```
//!
//! No IO and no async runtime here: the shells own the sockets.
//!
//! The handshake signature (TLS 1.3 CertificateVerify, RFC 8446 §4.4.3; TLS
//! 1.2 ServerKeyExchange, RFC 5246 §7.4.3) is checked against the leaf's
//! SubjectPublicKeyInfo alone, read by the core ([`geleit::cert::certificate_spki`]),
//! not against a certificate webpki would have to accept: webpki refuses
//! X.509 v1 certificates, which self-signed DANE-EE(3) servers still present
//! (RFC 7672 §3.1.1 leaves everything but the key to the TLSA record).

#![forbid(unsafe_code)]

use std::fmt;
use std::sync::Arc;

use geleit::cert::CertError;
use geleit::smtp::{Certificate, SignatureFamily, TlsFacts};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, ring};
use rustls::pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, OtherError, PeerMisbehaved, SignatureScheme,
    SupportedCipherSuite,
};

/// Why the server's handshake signature could not even be checked.
#[derive(Debug)]
#[non_exhaustive]
pub enum LeafKeyError {
    /// The leaf does not parse as an X.509 certificate far enough to read its
    /// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    Unreadable(CertError),
}

impl fmt::Display for LeafKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable(e) => {
                write!(
                    f,
                    "expected a server certificate whose public key can be read to check the handshake signature: {e}"
                )
            }
        }
    }
}

impl std::error::Error for LeafKeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreadable(e) => Some(e),
        }
    }
}

/// The leaf's SubjectPublicKeyInfo, whatever the certificate's version.
fn leaf_key<'a>(cert: &'a CertificateDer<'_>) -> Result<SubjectPublicKeyInfoDer<'a>, Error> {
    geleit::cert::certificate_spki(cert.as_ref())
        .map(SubjectPublicKeyInfoDer::from)
        .map_err(|e| Error::Other(OtherError(Arc::new(LeafKeyError::Unreadable(e)))))
}

/// A TLS 1.2 signature made with `spki`'s key: each of the provider's
/// algorithms for the scheme is tried in turn, as rustls does for a
/// certificate (in TLS 1.2 an ECDSA scheme does not name the curve, RFC 5246
/// §7.4.1.4.1); an algorithm for another key type is refused by webpki, so a
/// scheme must match the key.
fn verify_tls12_with_key(
    message: &[u8],
    spki: &SubjectPublicKeyInfoDer<'_>,
    dss: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
) -> Result<HandshakeSignatureValid, Error> {
    let candidates = algorithms
        .mapping
        .iter()
        .find_map(|&(scheme, algs)| (scheme == dss.scheme).then_some(algs))
        .ok_or(PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme)?;
    let key = webpki::RawPublicKeyEntity::try_from(spki).map_err(pki_error)?;
    let mut error = PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme.into();
    for &alg in candidates {
        match key.verify_signature(alg, message, dss.signature()) {
            Ok(()) => return Ok(HandshakeSignatureValid::assertion()),
            Err(e @ webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => error = pki_error(e),
            Err(e) => return Err(pki_error(e)),
        }
    }
    Err(error)
}

/// webpki's verdict on a signature as the rustls error rustls gives for the
/// same verdict on a certificate's key.
fn pki_error(error: webpki::Error) -> Error {
    match error {
        webpki::Error::InvalidSignatureForPublicKey => CertificateError::BadSignature.into(),
        webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(cx) => {
            CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
                signature_algorithm_id: cx.signature_algorithm_id,
                public_key_algorithm_id: cx.public_key_algorithm_id,
            }
            .into()
        }
        webpki::Error::BadDer | webpki::Error::TrailingData(_) => CertificateError::BadEncoding.into(),
        other => CertificateError::Other(OtherError(Arc::new(other))).into(),
    }
}

/// Accepts every chain; verifies handshake signatures against the leaf's
/// SubjectPublicKeyInfo with the provider's algorithms, limited to one
/// signature family.
#[derive(Debug)]
struct RecordingVerifier {
    provider: Arc<CryptoProvider>,
    schemes: Vec<SignatureScheme>,
}

impl RecordingVerifier {
    /// Verifies with `provider`'s algorithms, for `family`'s schemes only.
    fn new(provider: Arc<CryptoProvider>, family: SignatureFamily) -> Self {
        let schemes = provider
            .signature_verification_algorithms
            .supported_schemes()
            .into_iter()
            .filter(|&s| in_family(s, family))
            .collect();
        Self { provider, schemes }
    }

    fn check_scheme(&self, dss: &DigitallySignedStruct) -> Result<(), Error> {
        if self.schemes.contains(&dss.scheme) {
            Ok(())
        } else {
            Err(PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme.into())
        }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        // The chain is judged by DANE in the core, not by a WebPKI path here;
        // it is read back with `peer_certificates` after the handshake.
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.check_scheme(dss)?;
        let spki = leaf_key(cert)?;
        verify_tls12_with_key(message, &spki, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.check_scheme(dss)?;
        let spki = leaf_key(cert)?;
        // The scheme names key type, curve and hash (RFC 8446 §4.2.3): rustls
        // takes the first algorithm for it, and refuses PKCS#1 v1.5 here.
        rustls::crypto::verify_tls13_signature_with_raw_key(
            message,
            &spki,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

fn in_family(scheme: SignatureScheme, family: SignatureFamily) -> bool {
    use SignatureScheme as S;
    match family {
        SignatureFamily::Ecdsa => {
            matches!(scheme, S::ECDSA_NISTP256_SHA256 | S::ECDSA_NISTP384_SHA384 | S::ECDSA_NISTP521_SHA512)
        }
        SignatureFamily::Rsa => matches!(
            scheme,
            S::RSA_PSS_SHA256
                | S::RSA_PSS_SHA384
                | S::RSA_PSS_SHA512
                | S::RSA_PKCS1_SHA256
                | S::RSA_PKCS1_SHA384
                | S::RSA_PKCS1_SHA512
        ),
    }
}

/// A client config offering only `family`'s signature schemes (and, for
/// TLS 1.2, only the cipher suites authenticated by that family), TLS 1.3
/// and 1.2, ring provider (RFC 8446 §4.2.3, RFC 5246 §7.4.1.4.1).
///
/// Fails only if rustls rejects the fixed protocol set, which would be a
/// build problem, not bad input.
pub fn client_config(family: SignatureFamily) -> Result<Arc<ClientConfig>, Error> {
    let mut provider = ring::default_provider();
    provider.cipher_suites.retain(|suite| match suite {
        SupportedCipherSuite::Tls13(_) => true,
        SupportedCipherSuite::Tls12(s) => s.sign.iter().any(|&scheme| in_family(scheme, family)),
    });
    let provider = Arc::new(provider);
    let verifier = Arc::new(RecordingVerifier::new(Arc::clone(&provider), family));
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // Each probe is a fresh handshake: no session resumption.
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

/// The facts of a finished handshake, for the core's report.
#[must_use]
pub fn facts(conn: &rustls::ClientConnection) -> TlsFacts {
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_owned(),
    };
    let cipher_suite = conn.negotiated_cipher_suite().map_or_else(
        || "unknown".to_owned(),
        |s| s.suite().as_str().map_or_else(|| format!("{:?}", s.suite()), str::to_owned),
    );
    let kx_group = conn
        .negotiated_key_exchange_group()
        .map(|g| g.name().as_str().map_or_else(|| format!("{:?}", g.name()), str::to_owned));
    let chain =
        conn.peer_certificates().unwrap_or_default().iter().map(|der| Certificate::from_der(der.as_ref())).collect();
    TlsFacts { version, cipher_suite, kx_group, chain }
}

#[cfg(test)]
mod tests {
    // rustls' codec is doc(hidden) and unstable; here it only builds the
    // DigitallySignedStruct a server would send, which has no public constructor.
    use rustls::internal::msgs::codec::{Codec, Reader};
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

    use super::*;

    #[test]
    fn families_offer_disjoint_schemes_and_suites() {
        let ecdsa = client_config(SignatureFamily::Ecdsa).unwrap();
        let rsa = client_config(SignatureFamily::Rsa).unwrap();
        let suites = |c: &ClientConfig| -> Vec<String> {
            c.crypto_provider().cipher_suites.iter().map(|s| format!("{:?}", s.suite())).collect()
        };
        let (e, r) = (suites(&ecdsa), suites(&rsa));
        assert!(e.iter().any(|s| s.contains("ECDHE_ECDSA")) && !e.iter().any(|s| s.contains("ECDHE_RSA")));
        assert!(r.iter().any(|s| s.contains("ECDHE_RSA")) && !r.iter().any(|s| s.contains("ECDHE_ECDSA")));
        assert!(e.iter().any(|s| s.starts_with("TLS13_")) && r.iter().any(|s| s.starts_with("TLS13_")));
    }

    /// X.509 version 1 leaves and their keys (see tests/fixtures/smtp/README.md).
    const ECDSA_V1: &[u8] = include_bytes!("../../tests/fixtures/smtp/ecdsa-v1.der");
    const ECDSA_V1_KEY: &[u8] = include_bytes!("../../tests/fixtures/smtp/ecdsa-v1.key.der");
    const RSA_V1: &[u8] = include_bytes!("../../tests/fixtures/smtp/rsa-v1.der");
    const RSA_V1_KEY: &[u8] = include_bytes!("../../tests/fixtures/smtp/rsa-v1.key.der");
    /// Another P-256 key than the v1 leaf's.
    const OTHER_ECDSA_KEY: &[u8] = include_bytes!("../../tests/fixtures/smtp/ecdsa-leaf.key.der");
    /// Stands in for the handshake bytes a server signs.
    const MESSAGE: &[u8] = b"handshake transcript, as signed by the server";

    #[derive(Clone, Copy)]
    enum Tls {
        V12,
        V13,
    }
    use Tls::{V12, V13};

    fn verifier(family: SignatureFamily) -> RecordingVerifier {
        RecordingVerifier::new(Arc::new(ring::default_provider()), family)
    }

    /// `message` signed by the PKCS#8 `key` with `scheme`, as a server sends it
    /// (RFC 8446 §4.4.3, RFC 5246 §4.7).
    fn signed(key: &[u8], scheme: SignatureScheme, message: &[u8]) -> DigitallySignedStruct {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.to_vec()));
        let signer = ring::sign::any_supported_type(&key).unwrap().choose_scheme(&[scheme]).unwrap();
        let signature = signer.sign(message).unwrap();
        let mut wire = Vec::new();
        scheme.encode(&mut wire);
        wire.extend_from_slice(&u16::try_from(signature.len()).unwrap().to_be_bytes());
        wire.extend_from_slice(&signature);
        DigitallySignedStruct::read(&mut Reader::init(&wire)).unwrap()
    }

    fn verify(
        verifier: &RecordingVerifier,
        tls: Tls,
        cert: &[u8],
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let cert = CertificateDer::from(cert);
        match tls {
            V12 => verifier.verify_tls12_signature(MESSAGE, &cert, dss),
            V13 => verifier.verify_tls13_signature(MESSAGE, &cert, dss),
        }
    }

    #[test]
    fn v1_leaf_handshake_signatures_verify() {
        use SignatureScheme as S;
        let cases = [
            (SignatureFamily::Ecdsa, ECDSA_V1, ECDSA_V1_KEY, S::ECDSA_NISTP256_SHA256, [V12, V13].as_slice()),
            (SignatureFamily::Rsa, RSA_V1, RSA_V1_KEY, S::RSA_PSS_SHA256, &[V12, V13]),
            (SignatureFamily::Rsa, RSA_V1, RSA_V1_KEY, S::RSA_PSS_SHA512, &[V12, V13]),
            (SignatureFamily::Rsa, RSA_V1, RSA_V1_KEY, S::RSA_PKCS1_SHA256, &[V12]),
        ];
        for (family, cert, key, scheme, versions) in cases {
            for &tls in versions {
                let result = verify(&verifier(family), tls, cert, &signed(key, scheme, MESSAGE));
                assert!(result.is_ok(), "{scheme:?}: {result:?}");
            }
        }
    }

    #[test]
    fn v1_leaf_signature_by_another_key_is_bad() {
        let ecdsa = verifier(SignatureFamily::Ecdsa);
        let dss = signed(OTHER_ECDSA_KEY, SignatureScheme::ECDSA_NISTP256_SHA256, MESSAGE);
        for tls in [V12, V13] {
            let err = verify(&ecdsa, tls, ECDSA_V1, &dss).unwrap_err();
            assert_eq!(err, Error::InvalidCertificate(CertificateError::BadSignature));
        }
        // The leaf's own key, over other bytes than those signed.
        let rsa = verifier(SignatureFamily::Rsa);
        let dss = signed(RSA_V1_KEY, SignatureScheme::RSA_PSS_SHA256, b"another transcript");
        for tls in [V12, V13] {
            let err = verify(&rsa, tls, RSA_V1, &dss).unwrap_err();
            assert_eq!(err, Error::InvalidCertificate(CertificateError::BadSignature));
        }
    }

    #[test]
    fn v1_leaf_scheme_must_match_its_key_type() {
        // An RSA-PSS signature (valid, by an RSA key) offered for an ECDSA leaf.
        let dss = signed(RSA_V1_KEY, SignatureScheme::RSA_PSS_SHA256, MESSAGE);
        for tls in [V12, V13] {
            let err = verify(&verifier(SignatureFamily::Rsa), tls, ECDSA_V1, &dss).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidCertificate(
                        CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. }
                    )
                ),
                "{err:?}"
            );
        }
    }

    #[test]
    fn schemes_outside_the_family_or_the_version_are_refused() {
        let unadvertised = Error::PeerMisbehaved(PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme);
        // The ECDSA probe did not offer RSA schemes (RFC 8446 §4.2.3).
        let dss = signed(RSA_V1_KEY, SignatureScheme::RSA_PSS_SHA256, MESSAGE);
        for tls in [V12, V13] {
            assert_eq!(verify(&verifier(SignatureFamily::Ecdsa), tls, RSA_V1, &dss).unwrap_err(), unadvertised);
        }
        // PKCS#1 v1.5 is for TLS 1.2 only (RFC 8446 §4.4.3).
        let dss = signed(RSA_V1_KEY, SignatureScheme::RSA_PKCS1_SHA256, MESSAGE);
        assert_eq!(verify(&verifier(SignatureFamily::Rsa), V13, RSA_V1, &dss).unwrap_err(), unadvertised);
    }

    #[test]
    fn unreadable_leaf_is_a_clear_error() {
        let dss = signed(ECDSA_V1_KEY, SignatureScheme::ECDSA_NISTP256_SHA256, MESSAGE);
        for tls in [V12, V13] {
            let err =
                verify(&verifier(SignatureFamily::Ecdsa), tls, &[0x30, 0x03, 0x02, 0x01, 0x00], &dss).unwrap_err();
            assert!(matches!(err, Error::Other(_)), "{err:?}");
            assert!(
                err.to_string().starts_with(
                    "other error: expected a server certificate whose public key can be read to check the \
                     handshake signature: expected an X.509 certificate in DER at position 0, found invalid data"
                ),
                "{err}"
            );
        }
    }
}
