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

#![forbid(unsafe_code)]

use std::sync::Arc;

use geleit::smtp::{Certificate, SignatureFamily, TlsFacts};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, Error, PeerMisbehaved, SignatureScheme, SupportedCipherSuite};

/// Accepts every chain; verifies handshake signatures with the provider's
/// algorithms, limited to one signature family.
#[derive(Debug)]
struct RecordingVerifier {
    provider: Arc<CryptoProvider>,
    schemes: Vec<SignatureScheme>,
}

impl RecordingVerifier {
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
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.check_scheme(dss)?;
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
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
    let schemes: Vec<SignatureScheme> = provider
        .signature_verification_algorithms
        .supported_schemes()
        .into_iter()
        .filter(|&s| in_family(s, family))
        .collect();
    let provider = Arc::new(provider);
    let verifier = Arc::new(RecordingVerifier { provider: Arc::clone(&provider), schemes });
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
}
