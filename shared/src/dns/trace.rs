//! The DNSSEC validation path, step by step, as data: the zone walk from a
//! trust anchor down (RFC 4035 §5.1–§5.2) and the proof of each answer, CNAME
//! and DNAME link (RFC 4035 §5.3–§5.4, RFC 6672 §5.3.3).
//!
//! [`Step`]'s `Display` is the English line the CLI prints (and the JSON
//! carries, see [`Step`]'s `Serialize`); the web faces word each variant with
//! its data in each language.

use core::fmt;

use serde::{Serialize, Serializer};

use super::proof::{Proof, Reason};

/// What a denial proved, for an answer without data.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Denial {
    /// The name does not exist (RFC 4035 §5.4).
    NxDomain,
    /// The name exists without records of the type (RFC 4035 §5.4).
    NoData,
    /// Nothing usable came of it (the proof says why).
    Unknown,
}

/// An RRset the zone walk checks at a zone cut.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WalkRrset {
    /// The DS RRset in the parent zone (RFC 4035 §5.2).
    Ds,
    /// The proof that there is no DS RRset (RFC 4035 §5.2).
    DsDenial,
    /// The zone's DNSKEY RRset (RFC 4035 §5.2).
    Dnskey,
    /// A DNAME above the name (RFC 6672 §5.3.3).
    Dname,
}

impl WalkRrset {
    const fn words(self) -> &'static str {
        match self {
            Self::Ds => "DS: bogus",
            Self::DsDenial => "DS: bogus denial",
            Self::Dnskey => "DNSKEY: bogus",
            Self::Dname => "DNAME: bogus",
        }
    }
}

/// One step of a validation path. Names are as shown to people (see
/// [`super::shown`]); free-text reasons (`why`, [`Reason::detail`]) are the
/// core's English.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// The trust anchor uses only algorithms or digests this validator does
    /// not implement: no authentication path below it (RFC 4035 §5.2).
    AnchorUnsupported {
        /// The anchor's zone.
        anchor: String,
    },
    /// The anchor's DNSKEY RRset is signed by a key the anchor names.
    AnchorSecure {
        /// The anchor's zone.
        anchor: String,
        /// The key tags that match the anchor, comma-separated.
        key_tags: String,
    },
    /// An RRset of the walk does not validate.
    Bogus {
        /// Its owner.
        owner: String,
        /// Which RRset.
        rrset: WalkRrset,
        /// Why.
        reason: Reason,
    },
    /// The name lies below a DNAME: no zone cut there (RFC 6672 §2.3).
    BelowDname {
        /// The name.
        name: String,
        /// The DNAME's owner.
        dname: String,
    },
    /// A CNAME rules out a cut, but its proof is insecure.
    Unproven {
        /// The name.
        name: String,
        /// Why (the core's English).
        why: String,
    },
    /// A delegation without DS: the zone below is unsigned (RFC 4035 §5.2).
    InsecureDelegation {
        /// The delegated name.
        name: String,
        /// The zone whose denial proves it.
        zone: String,
        /// Set when the proof is only an NSEC3 opt-out span (RFC 5155 §8.6).
        why: Option<Insecurity>,
    },
    /// The DS denial could not be checked (too many NSEC3 iterations, RFC 9276 §3.2).
    DsNotChecked {
        /// The name.
        name: String,
        /// Why.
        why: Option<Insecurity>,
    },
    /// The denial at the name only proves it insecure (NSEC3 opt-out, RFC 5155 §6).
    Insecure {
        /// The name.
        name: String,
        /// Why.
        why: Insecurity,
    },
    /// The name does not exist, proven by the zone above.
    Nonexistent {
        /// The name.
        name: String,
        /// The zone whose denial proves it.
        zone: String,
    },
    /// The DS records use only algorithms, digests or key sizes this
    /// validator does not implement: the zone counts as unsigned (RFC 4035 §5.2).
    DsUnsupported {
        /// The zone.
        name: String,
        /// Why (the core's English).
        why: String,
    },
    /// The zone has a DS in its parent but returned no DNSKEY records.
    DnskeyMissing {
        /// The zone.
        name: String,
    },
    /// No DNSKEY matches the zone's DS records.
    DsNoMatch {
        /// The zone.
        name: String,
    },
    /// The DS validates a DNSKEY of the child: a secure zone cut (RFC 4035 §5.2).
    ZoneCut {
        /// The zone.
        name: String,
        /// The key tags that match the DS, comma-separated.
        key_tags: String,
        /// A DS uses SHA-1 (RFC 8624 §3.3).
        sha1_ds: bool,
        /// A key uses an RSA/SHA-1 algorithm (RFC 8624 §3.1).
        sha1_key: bool,
    },
    /// The RRset asked for, and its proof.
    Answer {
        /// The name.
        name: String,
        /// The type.
        rtype: String,
        /// Its proof.
        proof: Proof,
    },
    /// No RRset: what the denial proved, and its proof.
    Denied {
        /// The name.
        name: String,
        /// The type.
        rtype: String,
        /// What was proven.
        denial: Denial,
        /// Its proof.
        proof: Proof,
    },
    /// A CNAME link and its proof (RFC 4035 §5.3).
    Cname {
        /// The alias.
        name: String,
        /// Its proof.
        proof: Proof,
    },
    /// A DNAME link and its proof (RFC 6672 §5.3.3).
    Dname {
        /// The DNAME's owner.
        owner: String,
        /// Its proof.
        proof: Proof,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AnchorUnsupported { anchor } => write!(
                f,
                "{anchor}: the trust anchor for {anchor} only uses algorithms or digest types this validator does not implement, so there is no authentication path (RFC 4035 §5.2)"
            ),
            Self::AnchorSecure { anchor, key_tags } => {
                write!(f, "{anchor} DNSKEY: secure, key tag {key_tags} matches the trust anchor")
            }
            Self::Bogus { owner, rrset, reason } => write!(f, "{owner} {}: {reason}", rrset.words()),
            Self::BelowDname { name, dname } => write!(f, "{name}: below the DNAME at {dname}"),
            Self::Unproven { name, why } => write!(f, "{name}: unproven: {why}"),
            Self::InsecureDelegation { name, .. } => write!(f, "{name} DS: none, insecure delegation: {}", self.why()),
            Self::DsNotChecked { name, .. } => write!(f, "{name} DS: not checked: {}", self.why()),
            Self::Insecure { name, why } => write!(f, "{name}: insecure: {why}"),
            Self::Nonexistent { name, zone } => write!(f, "{name}: does not exist (proven by {zone})"),
            Self::DsUnsupported { name, why } => write!(f, "{name} DS: {why}"),
            Self::DnskeyMissing { name } => write!(f, "{name} DNSKEY: missing"),
            Self::DsNoMatch { name } => write!(f, "{name} DS: does not match any DNSKEY"),
            Self::ZoneCut { name, key_tags, sha1_ds, sha1_key } => {
                write!(f, "{name} DS → DNSKEY: secure zone cut, key tag {key_tags}")?;
                if *sha1_ds {
                    f.write_str(" (warning: a DS uses SHA-1, RFC 8624 §3.3)")?;
                }
                if *sha1_key {
                    f.write_str(" (warning: a key uses an RSA/SHA-1 algorithm, RFC 8624 §3.1)")?;
                }
                Ok(())
            }
            Self::Answer { name, rtype, proof } => write!(f, "{name} {rtype}: {proof}"),
            Self::Denied { name, rtype, denial, proof } => {
                let what = match denial {
                    Denial::NxDomain => "NXDOMAIN,",
                    Denial::NoData => "no data,",
                    Denial::Unknown => "",
                };
                write!(f, "{name} {rtype}: {what} {proof}")
            }
            Self::Cname { name, proof } => write!(f, "{name} CNAME: {proof}"),
            Self::Dname { owner, proof } => write!(f, "{owner} DNAME: {proof}"),
        }
    }
}

impl Step {
    /// Why an insecure or unchecked delegation is so, in the core's English
    /// (as the zone state and the proof carry it); empty for other steps.
    #[must_use]
    pub fn why(&self) -> String {
        match self {
            Self::InsecureDelegation { name, zone, why: None } => {
                format!("{name} is delegated without a DS record (proven by {zone})")
            }
            Self::InsecureDelegation { why: Some(why), .. } | Self::DsNotChecked { why: Some(why), .. } => {
                why.to_string()
            }
            Self::Insecure { why, .. } => why.to_string(),
            Self::Unproven { why, .. } | Self::DsUnsupported { why, .. } => why.clone(),
            _ => String::new(),
        }
    }
}

/// Why a denial proves only that data is insecure, or could not be checked.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Insecurity {
    /// NSEC3 with more iterations than the limit: the proof is not checked
    /// and treated as insecure (RFC 9276 §3.2).
    Iterations {
        /// The zone's iterations.
        iterations: u16,
        /// The limit.
        limit: u16,
    },
    /// The next closer name lies in an NSEC3 opt-out span, which may hold
    /// unsigned delegations (RFC 5155 §6).
    OptOut {
        /// The next closer name.
        name: String,
        /// The zone of the NSEC3 records.
        zone: String,
    },
    /// The proof for a wildcard expansion lies in an NSEC3 opt-out span (RFC 5155 §8.8).
    WildcardOptOut {
        /// The name asked for.
        name: String,
    },
}

impl fmt::Display for Insecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Iterations { iterations, limit } => write!(
                f,
                "NSEC3 uses {iterations} iterations, above the limit of {limit} (RFC 9276 §3.2), so the proof is treated as insecure"
            ),
            Self::OptOut { name, zone } => write!(
                f,
                "{name} lies in an NSEC3 opt-out span of {zone}, which may hold unsigned delegations (RFC 5155 §6)"
            ),
            Self::WildcardOptOut { name } => write!(f, "the wildcard proof for {name} lies in an NSEC3 opt-out span"),
        }
    }
}

/// A step serialises as its English line, as the traces did when they were
/// strings: the JSON of `geleit dns`, `geleit check --json` and the edge keeps its shape.
impl Serialize for Step {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::ReasonKind;

    #[test]
    fn steps_read_as_the_trace_lines_did() {
        let cut = Step::ZoneCut { name: "example.".into(), key_tags: "1, 2".into(), sha1_ds: true, sha1_key: false };
        assert_eq!(
            cut.to_string(),
            "example. DS → DNSKEY: secure zone cut, key tag 1, 2 (warning: a DS uses SHA-1, RFC 8624 §3.3)"
        );
        let denied = Step::Denied {
            name: "x.example.".into(),
            rtype: "TLSA".into(),
            denial: Denial::Unknown,
            proof: Proof::Secure,
        };
        assert_eq!(denied.to_string(), "x.example. TLSA:  secure");
        let bogus = Step::Bogus {
            owner: "example.".into(),
            rrset: WalkRrset::DsDenial,
            reason: Reason::new(ReasonKind::NsecMissing, "no NSEC covers example."),
        };
        assert_eq!(bogus.to_string(), "example. DS: bogus denial: no NSEC covers example. (EDE 12 NSEC Missing)");
        assert_eq!(serde_json::to_value(&bogus).unwrap(), serde_json::Value::String(bogus.to_string()));
    }
}
