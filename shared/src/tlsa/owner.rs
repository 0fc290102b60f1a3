//! The owner name of a TLSA record: `_<port>._<protocol>.<host>.`
//! (RFC 6698 §3), e.g. `_25._tcp.mx.example.com.` for SMTP (RFC 7672 §2.2.3).

use core::fmt;

/// Longest host name accepted, in presentation form without the trailing dot
/// (RFC 1035 §2.3.4: 255 octets on the wire).
pub const MAX_NAME_LEN: usize = 253;

/// Longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// The transport protocol label of a TLSA owner name (RFC 6698 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// `_tcp`, as SMTP uses.
    Tcp,
    /// `_udp` (DTLS).
    Udp,
    /// `_sctp`.
    Sctp,
}

impl Protocol {
    /// The label without its underscore: `tcp`, `udp`, `sctp`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a host name cannot be the base of a TLSA owner name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnerError {
    /// Nothing (or only a dot) was given.
    Empty,
    /// The name is longer than [`MAX_NAME_LEN`].
    NameTooLong {
        /// Length found, without the trailing dot.
        found: usize,
    },
    /// A label is empty (`a..b`, a leading dot, or two trailing dots).
    EmptyLabel {
        /// 1-based label index.
        label: usize,
    },
    /// A label is longer than [`MAX_LABEL_LEN`].
    LabelTooLong {
        /// 1-based label index.
        label: usize,
        /// Its length.
        found: usize,
    },
    /// A character other than letter, digit, hyphen or underscore.
    BadChar {
        /// 1-based label index.
        label: usize,
        /// The character.
        found: char,
    },
    /// A label starts or ends with a hyphen (RFC 952, RFC 1123 §2.1).
    Hyphen {
        /// 1-based label index.
        label: usize,
    },
    /// The last label is all digits: an IP address, not a host name (RFC 3696 §2).
    Numeric,
}

impl fmt::Display for OwnerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("expected a host name, found nothing"),
            Self::NameTooLong { found } => {
                write!(f, "expected a host name of at most {MAX_NAME_LEN} characters, found {found} (RFC 1035 §2.3.4)")
            }
            Self::EmptyLabel { label } => {
                write!(f, "expected a non-empty label {label} in the host name, found an empty one")
            }
            Self::LabelTooLong { label, found } => write!(
                f,
                "expected label {label} of the host name to have at most {MAX_LABEL_LEN} characters, found {found} (RFC 1035 §2.3.4)"
            ),
            Self::BadChar { label, found } => write!(
                f,
                "expected letters, digits, hyphens or underscores in label {label} of the host name, found {}",
                crate::quoted::QuotedChar(*found)
            ),
            Self::Hyphen { label } => {
                write!(
                    f,
                    "expected label {label} of the host name to start and end with a letter or digit, found a hyphen"
                )
            }
            Self::Numeric => f.write_str("expected a host name, found an address (the last label is all digits)"),
        }
    }
}

impl std::error::Error for OwnerError {}

/// Checks `host` and normalises it to lowercase with one trailing dot.
///
/// Labels are letters, digits and hyphens (RFC 1123 §2.1); underscores are
/// tolerated, as they occur in real names. One trailing dot is accepted.
///
/// # Errors
/// An [`OwnerError`] naming the offending label.
pub fn normalize_host(host: &str) -> Result<String, OwnerError> {
    let bare = host.strip_suffix('.').unwrap_or(host);
    if bare.is_empty() {
        return Err(OwnerError::Empty);
    }
    if bare.len() > MAX_NAME_LEN {
        return Err(OwnerError::NameTooLong { found: bare.len() });
    }
    let mut last_numeric = false;
    for (i, label) in bare.split('.').enumerate() {
        let index = i.saturating_add(1);
        if label.is_empty() {
            return Err(OwnerError::EmptyLabel { label: index });
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(OwnerError::LabelTooLong { label: index, found: label.len() });
        }
        if let Some(found) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
            return Err(OwnerError::BadChar { label: index, found });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(OwnerError::Hyphen { label: index });
        }
        last_numeric = label.bytes().all(|b| b.is_ascii_digit());
    }
    if last_numeric {
        return Err(OwnerError::Numeric);
    }
    let mut out = bare.to_ascii_lowercase();
    out.push('.');
    Ok(out)
}

/// The TLSA owner name for a service (RFC 6698 §3): `tlsa_owner("mx.example.com",
/// 25, Protocol::Tcp)` is `_25._tcp.mx.example.com.`.
///
/// # Errors
/// An [`OwnerError`] when `host` is not a valid host name (see [`normalize_host`]).
pub fn tlsa_owner(host: &str, port: u16, protocol: Protocol) -> Result<String, OwnerError> {
    Ok(format!("_{port}._{protocol}.{}", normalize_host(host)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_owner() {
        assert_eq!(tlsa_owner("mx.example.com", 25, Protocol::Tcp).unwrap(), "_25._tcp.mx.example.com.");
        assert_eq!(tlsa_owner("MX.Example.COM.", 25, Protocol::Tcp).unwrap(), "_25._tcp.mx.example.com.");
        assert_eq!(tlsa_owner("a_b.example", 443, Protocol::Udp).unwrap(), "_443._udp.a_b.example.");
    }

    #[test]
    fn bad_host_names() {
        assert_eq!(tlsa_owner("", 25, Protocol::Tcp), Err(OwnerError::Empty));
        assert_eq!(tlsa_owner(".", 25, Protocol::Tcp), Err(OwnerError::Empty));
        assert_eq!(tlsa_owner("a..b", 25, Protocol::Tcp), Err(OwnerError::EmptyLabel { label: 2 }));
        assert_eq!(tlsa_owner("a.b..", 25, Protocol::Tcp), Err(OwnerError::EmptyLabel { label: 3 }));
        assert_eq!(tlsa_owner(".a", 25, Protocol::Tcp), Err(OwnerError::EmptyLabel { label: 1 }));
        assert_eq!(tlsa_owner("-a.b", 25, Protocol::Tcp), Err(OwnerError::Hyphen { label: 1 }));
        assert_eq!(tlsa_owner("a b", 25, Protocol::Tcp), Err(OwnerError::BadChar { label: 1, found: ' ' }));
        assert_eq!(tlsa_owner("192.0.2.1", 25, Protocol::Tcp), Err(OwnerError::Numeric));
        let long_label = "a".repeat(64);
        assert_eq!(
            tlsa_owner(&format!("{long_label}.example"), 25, Protocol::Tcp),
            Err(OwnerError::LabelTooLong { label: 1, found: 64 })
        );
        let long_name = vec!["a".repeat(63); 4].join(".");
        assert_eq!(long_name.len(), 255);
        assert_eq!(tlsa_owner(&long_name, 25, Protocol::Tcp), Err(OwnerError::NameTooLong { found: 255 }));
        assert_eq!(
            OwnerError::LabelTooLong { label: 1, found: 64 }.to_string(),
            "expected label 1 of the host name to have at most 63 characters, found 64 (RFC 1035 §2.3.4)"
        );
    }
}
