//! A TLS server's certificates for tests that let the probe connect:
//! certified keys from DER bytes, and a resolver that picks the ECDSA or the
//! RSA chain by the signature schemes the client offers, as Postfix
//! (OpenSSL) does with both configured (rustls, ring).

use std::sync::Arc;

use rustls::crypto::ring::sign::any_supported_type;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ServerConfig, SignatureScheme, SupportedProtocolVersion};

/// `chain` (DER, leaf first) with the PKCS#8 key that signs the handshake
/// (the leaf's own, or another one for a server that does not hold it).
pub fn certified(chain: &[Vec<u8>], key_pkcs8: &[u8]) -> Arc<CertifiedKey> {
    let chain = chain.iter().map(|c| CertificateDer::from(c.clone())).collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pkcs8.to_vec()));
    Arc::new(CertifiedKey::new(chain, any_supported_type(&key).unwrap_or_else(|e| panic!("{e}"))))
}

/// Picks the chain by the signature schemes the client offered: ECDSA to a
/// client that offers ECDSA P-256 or P-384 (when there is an ECDSA chain),
/// else RSA.
#[derive(Debug)]
pub struct ByAlgorithm {
    pub ecdsa: Option<Arc<CertifiedKey>>,
    pub rsa: Arc<CertifiedKey>,
}

impl ResolvesServerCert for ByAlgorithm {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let wants_ecdsa = hello
            .signature_schemes()
            .iter()
            .any(|s| matches!(s, SignatureScheme::ECDSA_NISTP256_SHA256 | SignatureScheme::ECDSA_NISTP384_SHA384));
        match (&self.ecdsa, wants_ecdsa) {
            (Some(ecdsa), true) => Some(Arc::clone(ecdsa)),
            _ => Some(Arc::clone(&self.rsa)),
        }
    }
}

/// A server configuration (ring provider, no client authentication) for
/// `versions`, serving `chains`.
pub fn server_config(versions: &[&'static SupportedProtocolVersion], chains: ByAlgorithm) -> Arc<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(chains));
    Arc::new(config)
}
