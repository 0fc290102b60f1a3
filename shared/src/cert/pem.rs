//! Finding PEM blocks (RFC 7468) in pasted text.
//!
//! Lenient on purpose, because people paste whatever their terminal shows:
//! text before, between and after blocks is skipped, line endings may be CRLF,
//! and whitespace inside the base64 is ignored. Strict where it matters: a
//! `BEGIN` needs its matching `END`, and the base64 must decode.

use base64ct::{Base64, Encoding};

use super::CertError;

const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";
const DASHES: &str = "-----";
/// The longest label we accept (RFC 7468 labels are short, e.g. "CERTIFICATE").
const MAX_LABEL: usize = 64;

/// One PEM block: its label and, unless it is a private key, its decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub(crate) label: String,
    pub(crate) der: Vec<u8>,
}

/// Whether a label names private key material, in any of its spellings
/// ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", …).
pub(crate) fn is_private_key_label(label: &str) -> bool {
    label.contains("PRIVATE KEY")
}

/// Whether the text contains at least one PEM encapsulation boundary.
pub(crate) fn looks_like_pem(text: &[u8]) -> bool {
    text.windows(BEGIN.len()).any(|w| w == BEGIN.as_bytes())
}

/// Splits `text` into PEM blocks. Private-key blocks are returned with empty
/// `der`: their content is never decoded, kept or echoed.
pub(crate) fn blocks(text: &str) -> Result<Vec<Block>, CertError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after_begin = rest.get(start + BEGIN.len()..).unwrap_or("");
        let Some(label_end) = after_begin.find(DASHES) else {
            return Err(CertError::PemBoundary { detail: super::PemBoundary::NoDashes });
        };
        let label = after_begin.get(..label_end).unwrap_or("");
        if label.len() > MAX_LABEL || label.contains(['\n', '\r']) {
            return Err(CertError::PemBoundary { detail: super::PemBoundary::BadLabel });
        }
        let label = label.trim().to_owned();
        let body_start = after_begin.get(label_end + DASHES.len()..).unwrap_or("");
        let end_marker = format!("{END}{label}{DASHES}");
        let Some(body_len) = body_start.find(&end_marker) else {
            return Err(CertError::PemUnterminated { label: redact(&label) });
        };
        let body = body_start.get(..body_len).unwrap_or("");
        rest = body_start.get(body_len + end_marker.len()..).unwrap_or("");
        if is_private_key_label(&label) {
            out.push(Block { label, der: Vec::new() });
            continue;
        }
        if body.contains(BEGIN) {
            return Err(CertError::PemUnterminated { label: redact(&label) });
        }
        out.push(Block { der: decode_body(body, &label)?, label });
    }
    Ok(out)
}

/// Decodes the base64 body, skipping RFC 1421 headers ("Proc-Type: …") and whitespace.
fn decode_body(body: &str, label: &str) -> Result<Vec<u8>, CertError> {
    let mut b64 = String::with_capacity(body.len());
    for line in body.lines() {
        if line.contains(':') {
            continue;
        }
        b64.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
    }
    if b64.is_empty() {
        return Err(CertError::PemBase64 { label: label.to_owned(), detail: "found an empty body".to_owned() });
    }
    Base64::decode_vec(&b64).map_err(|e| CertError::PemBase64 { label: label.to_owned(), detail: format!("found {e}") })
}

/// A label is echoed in errors only if it cannot carry key material.
fn redact(label: &str) -> String {
    if is_private_key_label(label) { "PRIVATE KEY".to_owned() } else { label.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_around_blocks_is_skipped() {
        let text = "subject=CN=x\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAw==\r\n-----END CERTIFICATE-----\r\nnoise\n-----BEGIN PUBLIC KEY-----\nBAU=\n-----END PUBLIC KEY-----trailer";
        let b = blocks(text).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0], Block { label: "CERTIFICATE".into(), der: vec![0, 1, 2, 3] });
        assert_eq!(b[1].der, vec![4, 5]);
    }

    #[test]
    fn private_key_content_is_never_decoded() {
        let text = "-----BEGIN EC PRIVATE KEY-----\n!!!not base64!!!\n-----END EC PRIVATE KEY-----\n";
        assert_eq!(blocks(text).unwrap(), vec![Block { label: "EC PRIVATE KEY".into(), der: vec![] }]);
    }

    #[test]
    fn bad_base64_is_an_error() {
        let err = blocks("-----BEGIN CERTIFICATE-----\nAA*C\n-----END CERTIFICATE-----").unwrap_err();
        assert!(err.to_string().starts_with("expected base64 in the CERTIFICATE block, found"), "{err}");
    }

    #[test]
    fn unterminated_block_is_an_error() {
        let err = blocks("-----BEGIN CERTIFICATE-----\nAAEC\n").unwrap_err();
        assert_eq!(err.to_string(), "expected \"-----END CERTIFICATE-----\", found none");
        assert!(blocks("-----BEGIN CERT").is_err());
    }
}
