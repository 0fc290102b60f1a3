//! Reference identifiers and name checks for DANE-TA(2) (RFC 7672 §3.2.2–3.2.3).
//!
//! With DANE-TA, the server's certificate must carry one of the reference
//! names: the TLSA base domain, and the MX host name (RFC 7672 §3.2.3). A
//! subjectAltName dNSName matches case-insensitively; a wildcard is accepted
//! only as the whole left-most label and matches exactly one label. The
//! subject common name is consulted only when the certificate has no dNSName
//! at all (RFC 7672 §3.2.3 last paragraph, RFC 6125 §6.4.4).

use serde::Serialize;

use crate::cert::Certificate;

/// The longest host name (RFC 1035 §2.3.4, without the final dot).
const MAX_NAME: usize = 253;

/// Why reference names are unusable, or why the leaf does not carry one.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// A reference name is not a host name.
    #[error("expected a host name as reference name (letters, digits, hyphens; labels of 1 to 63), found {}", crate::quoted::Quoted(.found))]
    BadName { found: String },
    /// No reference names were given, so DANE-TA(2) cannot be checked.
    #[error(
        "expected at least one reference name (TLSA base domain or MX host) to check the certificate's names, found none"
    )]
    NoNames,
    /// The leaf carries none of the reference names.
    #[error("the server's certificate names {presented} but none of the reference names {reference} (RFC 7672 §3.2.3)")]
    NoMatch { presented: String, reference: String },
}

/// The validated, lowercased reference names (RFC 7672 §3.2.3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReferenceNames(Vec<String>);

fn normalise(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

impl ReferenceNames {
    /// Validates host names (a trailing dot is allowed and dropped).
    pub fn new<S: AsRef<str>>(names: &[S]) -> Result<Self, NameError> {
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let n = normalise(name.as_ref());
            let label_ok = |l: &str| {
                !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            };
            if n.is_empty() || n.len() > MAX_NAME || !n.split('.').all(label_ok) {
                return Err(NameError::BadName { found: name.as_ref().to_owned() });
            }
            if !out.contains(&n) {
                out.push(n);
            }
        }
        Ok(Self(out))
    }

    /// The names, lowercased, without trailing dots.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Finds the reference name the leaf carries; the matched presented name on success.
    pub fn check_leaf(&self, leaf: &Certificate) -> Result<String, NameError> {
        if self.0.is_empty() {
            return Err(NameError::NoNames);
        }
        let presented: &[String] = if leaf.dns_names.is_empty() { &leaf.common_names } else { &leaf.dns_names };
        for p in presented {
            if self.0.iter().any(|r| name_matches(p, r)) {
                return Ok(p.clone());
            }
        }
        let shown = if presented.is_empty() {
            "no DNS names".to_owned()
        } else if leaf.dns_names.is_empty() {
            format!("only the common name {}", presented.join(", "))
        } else {
            presented.join(", ")
        };
        Err(NameError::NoMatch { presented: shown, reference: self.0.join(", ") })
    }
}

/// Whether a presented DNS name matches a (normalised) reference name:
/// ASCII case-insensitive; `*` only as the whole left-most label, standing
/// for exactly one label, and never directly under a top-level domain.
#[must_use]
pub fn name_matches(presented: &str, reference: &str) -> bool {
    let p = normalise(presented);
    let r = normalise(reference);
    if let Some(parent) = p.strip_prefix("*.") {
        if parent.contains('*') || !parent.contains('.') {
            return false;
        }
        match r.split_once('.') {
            Some((first, rest)) => !first.is_empty() && rest == parent,
            None => false,
        }
    } else {
        !p.contains('*') && p == r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_is_one_whole_leftmost_label() {
        assert!(name_matches("*.example.com", "mx.example.com"));
        assert!(name_matches("*.Example.COM.", "MX.example.com"));
        assert!(!name_matches("*.example.com", "a.mx.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("m*.example.com", "mx.example.com"));
        assert!(!name_matches("mx.*.com", "mx.example.com"));
        assert!(!name_matches("*.com", "example.com"));
        assert!(!name_matches("*", "com"));
        assert!(name_matches("MX.Example.com", "mx.example.com."));
    }

    #[test]
    fn reference_names_are_validated() {
        assert!(ReferenceNames::new(&["mx.example.com.", "Example.COM"]).is_ok());
        assert_eq!(ReferenceNames::new(&["Example.COM."]).unwrap().as_slice(), ["example.com"]);
        assert!(matches!(ReferenceNames::new(&["bad name"]), Err(NameError::BadName { .. })));
        assert!(matches!(ReferenceNames::new(&[""]), Err(NameError::BadName { .. })));
    }
}
