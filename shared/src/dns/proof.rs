//! How an RRset was proven (RFC 4033 §5, RFC 4035 §4.3) and why proofs fail,
//! with the RFC 8914 Extended DNS Error code where one fits.

use core::fmt;

use serde::Serialize;

/// The four security states of RFC 4035 §4.3, without their details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Validated from a trust anchor down.
    Secure,
    /// Provably outside any signed zone (an unsigned delegation).
    Insecure,
    /// Should be signed but the signatures or the proof of their absence fail.
    Bogus,
    /// The engine could not get what it needed to decide.
    Indeterminate,
}

impl Status {
    /// The lowercase name, as serialised.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Secure => "secure",
            Self::Insecure => "insecure",
            Self::Bogus => "bogus",
            Self::Indeterminate => "indeterminate",
        }
    }

    /// Rank for combining proofs: the weakest link decides.
    const fn weakness(self) -> u8 {
        match self {
            Self::Secure => 0,
            Self::Insecure => 1,
            Self::Indeterminate => 2,
            Self::Bogus => 3,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a validation failure, mapped to RFC 8914 EDE codes.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// RFC 8914 code 1.
    UnsupportedDnskeyAlgorithm,
    /// RFC 8914 code 2.
    UnsupportedDsDigest,
    /// RFC 8914 code 1: the algorithm is implemented, but not for a key of
    /// this size (an RSA modulus outside what the crypto library verifies).
    UnsupportedKeySize,
    /// RFC 8914 code 6: a signature does not verify.
    SignatureInvalid,
    /// RFC 8914 code 7.
    SignatureExpired,
    /// RFC 8914 code 8.
    SignatureNotYetValid,
    /// RFC 8914 code 9: no DNSKEY matches the DS RRset (or the signature's key tag).
    DnskeyMissing,
    /// RFC 8914 code 10.
    RrsigsMissing,
    /// RFC 8914 code 12: no NSEC/NSEC3 proof of a denial.
    NsecMissing,
    /// RFC 8914 code 27: NSEC3 iterations above the limit of RFC 9276 §3.2.
    Nsec3Iterations,
    /// RFC 8914 code 6: the data contradicts itself (e.g. a DS in a denial's bitmap).
    Inconsistent,
    /// RFC 8914 code 23: the transport failed or the resolver answered with an error.
    Network,
    /// RFC 8914 code 5: the answer could not be used (malformed, wrong question, too large).
    Malformed,
    /// RFC 8914 code 5: no trust anchor covers the name.
    NoTrustAnchor,
}

impl ReasonKind {
    /// The RFC 8914 Extended DNS Error info-code.
    #[must_use]
    pub const fn ede_code(self) -> u16 {
        match self {
            Self::UnsupportedDnskeyAlgorithm | Self::UnsupportedKeySize => 1,
            Self::UnsupportedDsDigest => 2,
            Self::SignatureInvalid | Self::Inconsistent => 6,
            Self::SignatureExpired => 7,
            Self::SignatureNotYetValid => 8,
            Self::DnskeyMissing => 9,
            Self::RrsigsMissing => 10,
            Self::NsecMissing => 12,
            Self::Nsec3Iterations => 27,
            Self::Network => 23,
            Self::Malformed | Self::NoTrustAnchor => 5,
        }
    }

    /// The RFC 8914 §4 name of the EDE code.
    #[must_use]
    pub const fn ede_name(self) -> &'static str {
        match self {
            Self::UnsupportedDnskeyAlgorithm | Self::UnsupportedKeySize => "Unsupported DNSKEY Algorithm",
            Self::UnsupportedDsDigest => "Unsupported DS Digest Type",
            Self::SignatureInvalid | Self::Inconsistent => "DNSSEC Bogus",
            Self::SignatureExpired => "Signature Expired",
            Self::SignatureNotYetValid => "Signature Not Yet Valid",
            Self::DnskeyMissing => "DNSKEY Missing",
            Self::RrsigsMissing => "RRSIGs Missing",
            Self::NsecMissing => "NSEC Missing",
            Self::Nsec3Iterations => "Unsupported NSEC3 Iterations Value",
            Self::Network => "Network Error",
            Self::Malformed | Self::NoTrustAnchor => "DNSSEC Indeterminate",
        }
    }
}

/// Why a proof failed, in words a mail admin understands, naming the failing link.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Reason {
    /// What kind of failure.
    pub kind: ReasonKind,
    /// The sentence, e.g. "RRSIG over TLSA at _25._tcp.mx.example. expired on 2026-…".
    pub detail: String,
    /// RFC 8914 Extended DNS Error info-code.
    pub ede: u16,
}

impl Reason {
    /// A reason of `kind` with the sentence `detail`.
    #[must_use]
    pub fn new(kind: ReasonKind, detail: impl Into<String>) -> Self {
        Self { kind, detail: detail.into(), ede: kind.ede_code() }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (EDE {} {})", self.detail, self.ede, self.kind.ede_name())
    }
}

/// The security of one RRset or denial (RFC 4035 §4.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Proof {
    /// Validated from a trust anchor down.
    Secure,
    /// Provably unsigned; `zone_cut` is the delegation where the chain of trust ends.
    Insecure {
        /// The name of the unsigned (or unsupported) delegation.
        zone_cut: String,
        /// Why the delegation counts as insecure.
        why: String,
    },
    /// Should be signed but is not validly signed.
    Bogus {
        /// What failed.
        reason: Reason,
    },
    /// The engine could not decide.
    Indeterminate {
        /// What was missing.
        reason: Reason,
    },
}

impl Proof {
    /// The state without details.
    #[must_use]
    pub const fn status(&self) -> Status {
        match self {
            Self::Secure => Status::Secure,
            Self::Insecure { .. } => Status::Insecure,
            Self::Bogus { .. } => Status::Bogus,
            Self::Indeterminate { .. } => Status::Indeterminate,
        }
    }

    /// Whether the proof is secure.
    #[must_use]
    pub const fn is_secure(&self) -> bool {
        matches!(self, Self::Secure)
    }

    /// The failure reason of a bogus or indeterminate proof.
    #[must_use]
    pub const fn reason(&self) -> Option<&Reason> {
        match self {
            Self::Bogus { reason } | Self::Indeterminate { reason } => Some(reason),
            _ => None,
        }
    }

    pub(crate) fn bogus(kind: ReasonKind, detail: impl Into<String>) -> Self {
        Self::Bogus { reason: Reason::new(kind, detail) }
    }

    pub(crate) fn indeterminate(kind: ReasonKind, detail: impl Into<String>) -> Self {
        Self::Indeterminate { reason: Reason::new(kind, detail) }
    }

    /// The weaker of two proofs (a chain is as strong as its weakest link).
    #[must_use]
    pub fn weakest(self, other: Self) -> Self {
        if other.status().weakness() > self.status().weakness() { other } else { self }
    }
}

impl fmt::Display for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Secure => f.write_str("secure"),
            Self::Insecure { zone_cut, why } => write!(f, "insecure: {why} (chain of trust ends at {zone_cut})"),
            Self::Bogus { reason } => write!(f, "bogus: {reason}"),
            Self::Indeterminate { reason } => write!(f, "indeterminate: {reason}"),
        }
    }
}

/// Data together with how it was proven. The data is only reachable through
/// methods that make the caller look at the proof first (in the manner of
/// hickory's `Proven`): [`Validated::secure`] hands it out only when secure,
/// [`Validated::into_parts`] hands out both together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Validated<T> {
    proof: Proof,
    value: T,
}

impl<T> Validated<T> {
    pub(crate) const fn new(proof: Proof, value: T) -> Self {
        Self { proof, value }
    }

    /// How the data was proven.
    #[must_use]
    pub const fn proof(&self) -> &Proof {
        &self.proof
    }

    /// The data, if and only if it is secure.
    #[must_use]
    pub const fn secure(&self) -> Option<&T> {
        match self.proof {
            Proof::Secure => Some(&self.value),
            _ => None,
        }
    }

    /// The data whatever its proof, for display; the proof comes with it.
    #[must_use]
    pub const fn with_proof(&self) -> (&Proof, &T) {
        (&self.proof, &self.value)
    }

    /// Both halves.
    #[must_use]
    pub fn into_parts(self) -> (Proof, T) {
        (self.proof, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weakest_link_decides() {
        let bogus = Proof::bogus(ReasonKind::SignatureExpired, "x");
        assert_eq!(Proof::Secure.weakest(bogus.clone()), bogus);
        let insecure = Proof::Insecure { zone_cut: "a.".into(), why: "no DS".into() };
        assert_eq!(insecure.clone().weakest(Proof::Secure), insecure);
        assert_eq!(serde_json::to_value(Status::Indeterminate).ok(), Some(serde_json::json!("indeterminate")));
        assert_eq!(serde_json::to_value(&Proof::Secure).ok(), Some(serde_json::json!({"status": "secure"})));
    }

    #[test]
    fn validated_hides_insecure_data() {
        let v = Validated::new(Proof::bogus(ReasonKind::RrsigsMissing, "no RRSIG"), 5);
        assert_eq!(v.secure(), None);
        assert_eq!(v.proof().reason().map(|r| r.ede), Some(10));
        assert_eq!(Validated::new(Proof::Secure, 5).secure(), Some(&5));
    }
}
