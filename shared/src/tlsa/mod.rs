//! The TLSA resource record (RFC 6698 §2) and its IANA registries.
//!
//! The three registry fields are newtypes over `u8` with named constants, in
//! the manner of NLnet Labs `domain`: an unassigned value never fails
//! decoding; it is kept and reported as unusable (RFC 7671 §4, RFC 7672
//! §3.1.3 for SMTP).

use core::fmt;

use serde::{Deserialize, Serialize};

pub mod owner;
pub mod present;
pub mod scan;
pub mod wire;

#[cfg(test)]
mod proptests;

pub use owner::{OwnerError, Protocol, tlsa_owner};
pub use present::to_hex;
pub use scan::{Position, ScanError, Scanned, scan_record, scan_records};
pub use wire::WireError;

/// Defines a registry newtype over `u8` with named constants and RFC 7218
/// mnemonics.
macro_rules! registry {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$cmeta:meta])* $const:ident = $value:literal, $mnemonic:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(u8);

        impl $name {
            $( $(#[$cmeta])* pub const $const: Self = Self($value); )*

            /// Wraps a raw registry value; unassigned values are kept.
            #[must_use]
            pub const fn from_u8(value: u8) -> Self {
                Self(value)
            }

            /// The raw registry value.
            #[must_use]
            pub const fn to_u8(self) -> u8 {
                self.0
            }

            /// The RFC 7218 mnemonic, or `None` for an unassigned value.
            #[must_use]
            pub const fn mnemonic(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($mnemonic), )*
                    _ => None,
                }
            }

            /// Looks up an RFC 7218 mnemonic (ASCII case-insensitive).
            #[must_use]
            pub fn from_mnemonic(text: &str) -> Option<Self> {
                $( if text.eq_ignore_ascii_case($mnemonic) { return Some(Self::$const); } )*
                None
            }

            /// Whether IANA has assigned this value (private-use 255 counts as assigned).
            #[must_use]
            pub const fn is_assigned(self) -> bool {
                self.mnemonic().is_some()
            }
        }

        impl From<u8> for $name {
            fn from(value: u8) -> Self {
                Self(value)
            }
        }

        impl From<$name> for u8 {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.mnemonic() {
                    Some(m) => write!(f, "{}({})", m, self.0),
                    None => write!(f, "{}({})", stringify!($name), self.0),
                }
            }
        }

        /// Displays the number, as in the presentation format (RFC 6698 §2.2).
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

registry! {
    /// Certificate usage (RFC 6698 §2.1.1, mnemonics RFC 7218 §2.1).
    Usage {
        /// CA constraint: a PKIX-validated path must contain this CA.
        PKIX_TA = 0, "PKIX-TA";
        /// Service certificate constraint: PKIX-validated end entity.
        PKIX_EE = 1, "PKIX-EE";
        /// Trust anchor assertion (RFC 7671 §5.2).
        DANE_TA = 2, "DANE-TA";
        /// Domain-issued certificate (RFC 7671 §5.1).
        DANE_EE = 3, "DANE-EE";
        /// Private use.
        PRIV_CERT = 255, "PrivCert";
    }
}

registry! {
    /// Selector (RFC 6698 §2.1.2, mnemonics RFC 7218 §2.2).
    Selector {
        /// The full DER certificate.
        CERT = 0, "Cert";
        /// The DER SubjectPublicKeyInfo.
        SPKI = 1, "SPKI";
        /// Private use.
        PRIV_SEL = 255, "PrivSel";
    }
}

registry! {
    /// Matching type (RFC 6698 §2.1.3, mnemonics RFC 7218 §2.3).
    MatchingType {
        /// Exact match on the selected content.
        FULL = 0, "Full";
        /// SHA2-256 hash of the selected content.
        SHA2_256 = 1, "SHA2-256";
        /// SHA2-512 hash of the selected content.
        SHA2_512 = 2, "SHA2-512";
        /// Private use.
        PRIV_MATCH = 255, "PrivMatch";
    }
}

impl MatchingType {
    /// The digest length this matching type requires, if it fixes one.
    #[must_use]
    pub const fn digest_len(self) -> Option<usize> {
        match self.0 {
            1 => Some(32),
            2 => Some(64),
            _ => None,
        }
    }
}

/// One TLSA record's RDATA (RFC 6698 §2.1).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Tlsa {
    /// Certificate usage field.
    pub usage: Usage,
    /// Selector field.
    pub selector: Selector,
    /// Matching type field.
    pub matching_type: MatchingType,
    /// Certificate association data.
    pub data: Vec<u8>,
}

impl Tlsa {
    /// Builds a record from its four fields.
    #[must_use]
    pub fn new(usage: Usage, selector: Selector, matching_type: MatchingType, data: Vec<u8>) -> Self {
        Self { usage, selector, matching_type, data }
    }
}

/// Why a syntactically valid record cannot authenticate an SMTP server.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unusable {
    /// PKIX-TA(0) and PKIX-EE(1) are not usable for SMTP (RFC 7672 §3.1.3).
    PkixUsage { usage: Usage },
    /// The usage value is not assigned by IANA, or is private use (RFC 7671 §4).
    UnknownUsage { usage: Usage },
    /// The selector value is not assigned, or is private use (RFC 7671 §4).
    UnknownSelector { selector: Selector },
    /// The matching type is not assigned, or is private use (RFC 7671 §4).
    UnknownMatchingType { matching_type: MatchingType },
    /// The data length does not fit the matching type's digest (RFC 6698 §2.1.3).
    DigestLength { matching_type: MatchingType, expected: usize, found: usize },
    /// Full (0) matching with no data at all.
    EmptyData,
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PkixUsage { usage } => write!(
                f,
                "usage {usage} ({}) relies on public CAs, which SMTP clients do not use; expected DANE-TA(2) or DANE-EE(3) (RFC 7672 §3.1.3)",
                usage.mnemonic().unwrap_or("?")
            ),
            Self::UnknownUsage { usage } => {
                write!(
                    f,
                    "certificate usage {usage} is not one a client implements; expected 2 (DANE-TA) or 3 (DANE-EE) (RFC 7671 §4)"
                )
            }
            Self::UnknownSelector { selector } => {
                write!(
                    f,
                    "selector {selector} is not one a client implements; expected 0 (Cert) or 1 (SPKI) (RFC 7671 §4)"
                )
            }
            Self::UnknownMatchingType { matching_type } => write!(
                f,
                "matching type {matching_type} is not one a client implements; expected 0 (Full), 1 (SHA2-256) or 2 (SHA2-512) (RFC 7671 §4)"
            ),
            Self::DigestLength { matching_type, expected, found } => write!(
                f,
                "expected {expected} bytes ({} hex digits) of {} data, found {found} bytes (RFC 6698 §2.1.3)",
                expected * 2,
                matching_type.mnemonic().unwrap_or("digest")
            ),
            Self::EmptyData => f.write_str("expected certificate association data, found none"),
        }
    }
}

impl Tlsa {
    /// Every reason this record cannot authenticate an SMTP server (RFC 7672
    /// §3.1.3, RFC 7671 §4); empty when the record is usable. A client ignores
    /// unusable records and keeps the rest of the RRset.
    #[must_use]
    pub fn smtp_problems(&self) -> Vec<Unusable> {
        let mut problems = Vec::new();
        match self.usage {
            Usage::DANE_TA | Usage::DANE_EE => {}
            Usage::PKIX_TA | Usage::PKIX_EE => problems.push(Unusable::PkixUsage { usage: self.usage }),
            usage => problems.push(Unusable::UnknownUsage { usage }),
        }
        if !matches!(self.selector, Selector::CERT | Selector::SPKI) {
            problems.push(Unusable::UnknownSelector { selector: self.selector });
        }
        match self.matching_type {
            MatchingType::FULL if self.data.is_empty() => problems.push(Unusable::EmptyData),
            MatchingType::FULL => {}
            mt => match mt.digest_len() {
                Some(expected) if expected != self.data.len() => {
                    problems.push(Unusable::DigestLength { matching_type: mt, expected, found: self.data.len() });
                }
                Some(_) => {}
                None => problems.push(Unusable::UnknownMatchingType { matching_type: mt }),
            },
        }
        problems
    }

    /// Whether this record can authenticate an SMTP server (see [`Tlsa::smtp_problems`]).
    #[must_use]
    pub fn is_usable_for_smtp(&self) -> bool {
        self.smtp_problems().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unassigned_values_are_kept() {
        let u = Usage::from_u8(7);
        assert_eq!(u.to_u8(), 7);
        assert!(!u.is_assigned());
        assert_eq!(u.mnemonic(), None);
        assert_eq!(format!("{u:?}"), "Usage(7)");
    }

    #[test]
    fn mnemonics_round_trip() {
        for v in 0..=255u8 {
            for m in
                [Usage::from_u8(v).mnemonic(), Selector::from_u8(v).mnemonic(), MatchingType::from_u8(v).mnemonic()]
                    .into_iter()
                    .flatten()
            {
                let ok = Usage::from_mnemonic(m).map(Usage::to_u8) == Some(v)
                    || Selector::from_mnemonic(m).map(Selector::to_u8) == Some(v)
                    || MatchingType::from_mnemonic(m).map(MatchingType::to_u8) == Some(v);
                assert!(ok, "{m}");
            }
        }
        assert_eq!(Usage::from_mnemonic("dane-ee"), Some(Usage::DANE_EE));
        assert_eq!(MatchingType::SHA2_512.digest_len(), Some(64));
    }

    #[test]
    fn smtp_usability() {
        let good = Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, vec![0; 32]);
        assert!(good.is_usable_for_smtp());
        let short = Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, vec![0; 31]);
        assert_eq!(
            short.smtp_problems(),
            vec![Unusable::DigestLength { matching_type: MatchingType::SHA2_256, expected: 32, found: 31 }]
        );
        assert_eq!(
            short.smtp_problems()[0].to_string(),
            "expected 32 bytes (64 hex digits) of SHA2-256 data, found 31 bytes (RFC 6698 §2.1.3)"
        );
        let pkix = Tlsa::new(Usage::PKIX_EE, Selector::from_u8(9), MatchingType::PRIV_MATCH, vec![1]);
        assert_eq!(pkix.smtp_problems().len(), 3);
    }
}
