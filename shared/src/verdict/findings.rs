//! Findings: what is wrong (or worth knowing) about a mail domain's DANE
//! set-up, each with a stable code, a severity, the RFC section behind it and
//! a concrete fix.
//!
//! A [`Finding`] is data (the web UI translates from its `code` and fields);
//! [`Finding::message`] and [`Fix::message`] are the plain-English words the
//! CLI prints. [`Reported`] is the serialised form: the finding's fields plus
//! `severity`, `rfc`, `message` and `fix`.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::dns::ReasonKind;
use crate::smtp::SignatureFamily;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Mail is deferred, sent without authentication where DANE asks for it,
    /// or not deliverable at all.
    Error,
    /// Works today, but weaker than it should be or fragile.
    Warning,
    /// Worth knowing; nothing is broken.
    Info,
}

impl Severity {
    /// The lowercase word, as serialised.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, with the data a translation needs. Serialised with its
/// `code` as tag (see [`Reported`] for the full form).
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Finding {
    // ── the domain ──────────────────────────────────────────────────────
    /// Null MX: the domain accepts no mail (RFC 7505 §3).
    NullMx,
    /// The mail domain does not exist (NXDOMAIN, DNSSEC-checked).
    DomainMissing,
    /// The MX RRset is not DNSSEC-signed: an attacker can substitute MX
    /// hosts, so the host names are not authenticated (RFC 7672 §2.2.1).
    MxInsecure { zone_cut: String },
    /// The MX RRset names more hosts than are checked
    /// ([`MAX_MX_HOSTS`](crate::dns::MAX_MX_HOSTS)): the hosts beyond are
    /// not checked, and a host that was not checked is not a host that
    /// passed, so the domain is not authenticated (RFC 7672 §2.2 asks for
    /// every MX host).
    MxHostsUnchecked {
        /// Hosts checked (the first by preference).
        checked: usize,
        /// Hosts not checked.
        unchecked: usize,
    },
    // ── DNS, any level ──────────────────────────────────────────────────
    /// A lookup a DANE client needs is bogus: delivery is deferred
    /// (RFC 7672 §2.1.1, RFC 4035 §5.5).
    DnssecBogus { name: String, rtype: String, kind: ReasonKind, detail: String },
    /// A lookup could not be validated at all (no answer, network error):
    /// delivery is deferred (RFC 7672 §2.1.1).
    DnssecIndeterminate { name: String, rtype: String, kind: ReasonKind, detail: String },
    // ── one MX host ─────────────────────────────────────────────────────
    /// The host has no A or AAAA records (RFC 5321 §5.1).
    NoAddress { host: String },
    /// The host's addresses or TLSA records are not DNSSEC-signed, so DANE
    /// does not apply: opportunistic TLS only (RFC 7672 §2.2.2).
    InsecureNoDane { name: String, rtype: String, zone_cut: String },
    /// DNSSEC proves there are no TLSA records: no DANE (RFC 7672 §2.2.2).
    NoTlsa { owner: String },
    /// Every TLSA record is unusable for SMTP: TLS is mandatory but
    /// unauthenticated (RFC 7672 §2.2, §3.1.3).
    OnlyUnusableRecords { owner: String, records: Vec<UnusableRecord> },
    /// Some records are unusable and ignored next to usable ones (RFC 7672 §3.1.3).
    UnusableRecordsIgnored { owner: String, records: Vec<UnusableRecord> },
    /// Only one key or certificate is pinned: a key change breaks delivery
    /// unless the next record is published first (RFC 7671 §8.1).
    SingleRecordPinned { owner: String, record: String },
    // ── one address ─────────────────────────────────────────────────────
    /// The address was not probed (refused by the probe's policy, or no
    /// probe result for it).
    NotProbed { reason: String },
    /// The probe did not get through: connection, greeting, EHLO, TLS.
    ProbeFailed { step: String, message: String },
    /// The server does not offer STARTTLS. With DANE required (or TLS
    /// mandatory) mail is deferred (RFC 7672 §2.2); without DANE it is sent
    /// in plaintext (RFC 3207).
    StarttlsMissing { dane: bool },
    /// Usable TLSA records match nothing in the chain a default client
    /// gets, and no record authenticates it (RFC 7672 §3.1, RFC 7671 §5).
    /// Mail is deferred.
    TlsaNoMatch {
        /// The chain judged (see `AddressVerdict::default_family`).
        family: SignatureFamily,
        /// Other chains of the server that do match.
        matching_families: Vec<SignatureFamily>,
        /// The usable records that match nothing, presentation format.
        records: Vec<String>,
    },
    /// A DANE-TA(2) record pins a CA the server does not send: the chain
    /// cannot be built (RFC 7671 §5.2.2).
    TaNotSent { record: String },
    /// A DANE-TA(2) record matches the server's own certificate; DANE-TA
    /// pins a CA (RFC 7671 §5.2).
    TaMatchesLeaf { record: String },
    /// A certificate on the DANE-TA(2) path has expired; with DANE-TA the
    /// dates are checked (RFC 7672 §3.1.2).
    ChainExpiredUnderDaneTa { depth: Option<usize>, subject: String, not_after: i64 },
    /// A certificate on the DANE-TA(2) path is not valid yet (RFC 7672 §3.1.2).
    ChainNotYetValidUnderDaneTa { depth: Option<usize>, subject: String, not_before: i64 },
    /// Under DANE-TA(2) the leaf lacks every reference name (RFC 7672 §3.2.3).
    NameMismatch { presented: Vec<String>, reference: Vec<String> },
    /// The DANE-TA(2) path does not verify (CA flags, issuer names,
    /// signatures; RFC 5280 §6.1).
    TaPathInvalid { record: String, detail: String },
    /// The server holds a second chain (another signature family) that no
    /// usable record matches: clients that negotiate it fail (RFC 7671 §5,
    /// RFC 8446 §4.2.3).
    UnpinnedChain { family: SignatureFamily },
    /// The DANE-TA(2) path that authenticates expires within
    /// [`EXPIRY_WARNING_DAYS`](super::EXPIRY_WARNING_DAYS) days; after that,
    /// senders defer mail (RFC 7672 §3.1.2).
    ChainExpiresSoon { depth: Option<usize>, subject: String, not_after: i64 },
    /// DANE-EE(3) authenticates, and the leaf has expired: fine for DANE
    /// (RFC 7672 §3.1.1), but clients that fall back to other checks complain.
    LeafExpiredUnderDaneEe { not_after: i64 },
    /// The RRSIG that runs out first on the path of an answer the verdict
    /// rests on (the RRset itself, a CNAME link, a denial, or DS/DNSKEY up
    /// to the trust anchor) expires within the look-ahead window and is far
    /// into its validity (see [`LookAhead`](super::LookAhead)): re-signing
    /// appears to have stopped. Once it expires, validating resolvers answer
    /// SERVFAIL (RFC 4035 §5.3.1) and DANE-aware senders defer mail
    /// (RFC 7672 §2.1.1).
    SignaturesExpireSoon { rrset: String, inception: i64, expiration: i64, hours_left: i64 },
}

/// A record that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusableRecord {
    /// Presentation format.
    pub record: String,
    /// Why, in words.
    pub problems: Vec<String>,
}

/// What to do about a finding, with the data to do it (serialised with its
/// `action` as tag).
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Fix {
    /// Publish this TLSA record (computed from what the server presents),
    /// replacing the listed ones and next to those in `keep` (the records
    /// that pin the server's other chain, RFC 7671 §5: both must stay).
    PublishTlsa {
        owner: String,
        record: String,
        replaces: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        keep: Vec<String>,
    },
    /// Rollover: publish the next key's record next to the current one
    /// before switching keys (RFC 7671 §8.1).
    PublishNextKey { owner: String, current: String },
    /// Configure the server to send the CA certificates after its own.
    ServeFullChain { record: String },
    /// Renew the certificate at this depth.
    RenewCertificate { depth: Option<usize>, subject: String },
    /// Get a certificate that names one of these hosts, or pin the leaf with DANE-EE.
    ReissueWithNames { names: Vec<String>, owner: String, record: Option<String> },
    /// Offer STARTTLS.
    EnableStarttls,
    /// Repair DNSSEC for this RRset.
    RepairDnssec { name: String, rtype: String, kind: ReasonKind },
    /// Sign the zone and publish its DS in the parent.
    SignZone { zone: String },
    /// Make the address reachable on port 25 (or remove it from DNS).
    CheckReachability,
    /// Re-sign the zone that holds this RRset (for DS: the parent zone)
    /// and make sure its automatic re-signing runs.
    ResignZone { owner: String, rtype: String },
}

impl Fix {
    /// The fix in plain English.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::PublishTlsa { owner, record, replaces, keep } => {
                let mut m = format!("publish `{owner} IN TLSA {record}` (computed from the key the server presents)");
                if !keep.is_empty() {
                    m.push_str(&format!(
                        " in addition to {}, which pins the server's other chain: keep both",
                        list(keep)
                    ));
                }
                if !replaces.is_empty() {
                    m.push_str(&format!(" and remove {}", list(replaces)));
                }
                m
            }
            Self::PublishNextKey { owner, current } if current.starts_with("2 ") => format!(
                "before the CA changes (Let's Encrypt rotates its intermediates), publish the next CA's record at {owner} next to `{current}`, or add a `3 1 1` record of the server key; remove the old record only after the new chain is served (RFC 7671 §8.1, §8.4)"
            ),
            Self::PublishNextKey { owner, current } => format!(
                "generate the next key now and publish its `3 1 1` record at {owner} next to `{current}`; switch the server to the new key only after both records have been visible for at least two TTLs, then remove the old record (RFC 7671 §8.1; `geleit rollover prepare` and `geleit rollover status` guide through these steps); with Let's Encrypt, renew with the same key (certbot --reuse-key) so that `3 1 1` stays valid"
            ),
            Self::ServeFullChain { record } => format!(
                "serve the full chain: the server sends only its own certificate, so the CA pinned by `{record}` never reaches the client; list the CA certificate(s) after the server certificate (Postfix: in smtpd_tls_chain_files), or pin the server key with `3 1 1`"
            ),
            Self::RenewCertificate { depth: Some(d), subject } => {
                format!("renew the certificate at depth {d} ({subject}) and install the new chain")
            }
            Self::RenewCertificate { depth: None, subject } => {
                format!("renew the trust anchor certificate ({subject}) and publish its new record")
            }
            Self::ReissueWithNames { names, owner, record } => {
                let mut m = format!(
                    "get a certificate whose subjectAltName includes {}",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ")
                );
                if let Some(r) = record {
                    m.push_str(&format!(
                        ", or pin the server key instead with `{owner} IN TLSA {r}` (DANE-EE checks no names)"
                    ));
                }
                m
            }
            Self::EnableStarttls => {
                "offer STARTTLS with a certificate (Postfix: smtpd_tls_security_level = may and smtpd_tls_chain_files)"
                    .to_owned()
            }
            Self::RepairDnssec { name, rtype, kind } => {
                let what = match kind {
                    ReasonKind::SignatureExpired => {
                        "the signatures have expired: re-sign the zone and make sure automatic re-signing runs"
                    }
                    ReasonKind::SignatureNotYetValid => "the signatures are not valid yet: check the signer's clock",
                    ReasonKind::DnskeyMissing => {
                        "no DNSKEY matches the DS in the parent zone: publish the DS of the current key at the registrar (or the key the DS names)"
                    }
                    ReasonKind::RrsigsMissing => {
                        "the records are not signed: sign the zone, or remove the DS from the parent"
                    }
                    ReasonKind::NsecMissing => "the zone does not prove the denial: re-sign it with NSEC or NSEC3",
                    ReasonKind::Network => "the resolver did not answer: check that the authoritative servers answer",
                    _ => "the signatures do not verify: re-sign the zone and check the DS in the parent",
                };
                format!("{rtype} at {name}: {what}")
            }
            Self::SignZone { zone } => format!("sign {zone} with DNSSEC and publish its DS record in the parent zone"),
            Self::CheckReachability => {
                "make sure the address accepts SMTP on port 25 from the internet, or remove it from DNS".to_owned()
            }
            Self::ResignZone { owner, rtype } if rtype == "DS" => format!(
                "the DS record of {owner} is signed by its parent zone: ask the parent's operator (registry or registrar) whether its re-signing runs"
            ),
            Self::ResignZone { owner, rtype } => format!(
                "re-sign the zone that holds the {rtype} records of {owner} now, and check why its automatic re-signing stopped (BIND: `rndc dnssec -status <zone>` and the log; OpenDNSSEC: `ods-enforcer zone list`; Knot: `knotc zone-status`; a cron job with dnssec-signzone or ldns-signzone: did it run?)"
            ),
        }
    }
}

impl Fix {
    /// The zone-file line this fix asks to publish, if it asks for one
    /// (`owner IN TLSA rdata`), to copy as it is.
    #[must_use]
    pub fn record_line(&self) -> Option<String> {
        match self {
            Self::PublishTlsa { owner, record, .. } | Self::ReissueWithNames { owner, record: Some(record), .. } => {
                Some(format!("{owner} IN TLSA {record}"))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// "in 3 days", "in 5 hours", "in less than an hour".
fn time_left(hours: i64) -> String {
    match hours {
        h if h >= 48 => format!("in {} days", h / 24),
        h if h >= 2 => format!("in {h} hours"),
        1 => "in 1 hour".to_owned(),
        _ => "in less than an hour".to_owned(),
    }
}

/// How much of its validity a signature has used, "93 %".
fn percent_used(inception: i64, expiration: i64, hours_left: i64) -> String {
    let validity = expiration.saturating_sub(inception).max(1);
    let used = validity.saturating_sub(hours_left.saturating_mul(3600)).clamp(0, validity);
    format!("{}% of the way", used.saturating_mul(100) / validity)
}

/// A duration in days (or hours, below two days).
fn span(seconds: i64) -> String {
    if seconds >= 2 * 86_400 { format!("{} days", seconds / 86_400) } else { format!("{} hours", seconds / 3600) }
}

fn family_name(f: SignatureFamily) -> &'static str {
    match f {
        SignatureFamily::Ecdsa => "ECDSA",
        SignatureFamily::Rsa => "RSA",
    }
}

fn list(items: &[String]) -> String {
    items.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
}

impl Finding {
    /// The stable machine-readable code (the serde tag).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NullMx => "null_mx",
            Self::DomainMissing => "domain_missing",
            Self::MxInsecure { .. } => "mx_insecure",
            Self::MxHostsUnchecked { .. } => "mx_hosts_unchecked",
            Self::DnssecBogus { .. } => "dnssec_bogus",
            Self::DnssecIndeterminate { .. } => "dnssec_indeterminate",
            Self::NoAddress { .. } => "no_address",
            Self::InsecureNoDane { .. } => "insecure_no_dane",
            Self::NoTlsa { .. } => "no_tlsa",
            Self::OnlyUnusableRecords { .. } => "only_unusable_records",
            Self::UnusableRecordsIgnored { .. } => "unusable_records_ignored",
            Self::SingleRecordPinned { .. } => "single_record_pinned",
            Self::NotProbed { .. } => "not_probed",
            Self::ProbeFailed { .. } => "probe_failed",
            Self::StarttlsMissing { .. } => "starttls_missing",
            Self::TlsaNoMatch { .. } => "tlsa_no_match",
            Self::TaNotSent { .. } => "ta_not_sent",
            Self::TaMatchesLeaf { .. } => "ta_matches_leaf",
            Self::ChainExpiredUnderDaneTa { .. } => "chain_expired_under_dane_ta",
            Self::ChainNotYetValidUnderDaneTa { .. } => "chain_not_yet_valid_under_dane_ta",
            Self::NameMismatch { .. } => "name_mismatch",
            Self::TaPathInvalid { .. } => "ta_path_invalid",
            Self::UnpinnedChain { .. } => "unpinned_chain",
            Self::LeafExpiredUnderDaneEe { .. } => "leaf_expired_under_dane_ee",
            Self::ChainExpiresSoon { .. } => "chain_expires_soon",
            Self::SignaturesExpireSoon { .. } => "signatures_expire_soon",
        }
    }

    /// How much it matters.
    #[must_use]
    pub const fn severity(&self) -> Severity {
        match self {
            Self::NullMx | Self::UnusableRecordsIgnored { .. } | Self::SingleRecordPinned { .. } => Severity::Info,
            Self::LeafExpiredUnderDaneEe { .. } => Severity::Info,
            Self::MxInsecure { .. }
            | Self::InsecureNoDane { .. }
            | Self::NoTlsa { .. }
            | Self::UnpinnedChain { .. }
            | Self::ChainExpiresSoon { .. }
            | Self::SignaturesExpireSoon { .. } => Severity::Warning,
            Self::StarttlsMissing { dane: false } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The standard behind it.
    #[must_use]
    pub const fn rfc(&self) -> &'static str {
        match self {
            Self::NullMx => "RFC 7505 §3",
            Self::DomainMissing => "RFC 7672 §2.2.1",
            Self::MxInsecure { .. } => "RFC 7672 §2.2.1",
            Self::MxHostsUnchecked { .. } => "RFC 7672 §2.2",
            Self::DnssecBogus { .. } | Self::DnssecIndeterminate { .. } => "RFC 7672 §2.1.1, RFC 4035 §5.5",
            Self::NoAddress { .. } => "RFC 5321 §5.1",
            Self::InsecureNoDane { .. } | Self::NoTlsa { .. } => "RFC 7672 §2.2.2",
            Self::OnlyUnusableRecords { .. } => "RFC 7672 §2.2, §3.1.3",
            Self::UnusableRecordsIgnored { .. } => "RFC 7672 §3.1.3",
            Self::SingleRecordPinned { .. } => "RFC 7671 §8.1",
            Self::NotProbed { .. } | Self::ProbeFailed { .. } => "RFC 7672 §2.2",
            Self::StarttlsMissing { .. } => "RFC 7672 §2.2, RFC 3207",
            Self::TlsaNoMatch { .. } => "RFC 7672 §3.1, RFC 7671 §5",
            Self::TaNotSent { .. } => "RFC 7671 §5.2.2",
            Self::TaMatchesLeaf { .. } => "RFC 7671 §5.2",
            Self::ChainExpiredUnderDaneTa { .. }
            | Self::ChainNotYetValidUnderDaneTa { .. }
            | Self::ChainExpiresSoon { .. } => "RFC 7672 §3.1.2",
            Self::NameMismatch { .. } => "RFC 7672 §3.2.3",
            Self::TaPathInvalid { .. } => "RFC 7672 §3.1.2, RFC 5280 §6.1",
            Self::UnpinnedChain { .. } => "RFC 7671 §5, RFC 8446 §4.2.3",
            Self::LeafExpiredUnderDaneEe { .. } => "RFC 7672 §3.1.1",
            Self::SignaturesExpireSoon { .. } => "RFC 4035 §5.3.1, RFC 7672 §2.1.1",
        }
    }

    /// What is wrong, in plain English.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::NullMx => "the domain publishes a null MX: it accepts no mail, so there is nothing to authenticate".to_owned(),
            Self::DomainMissing => "the domain does not exist (DNSSEC-validated NXDOMAIN)".to_owned(),
            Self::MxInsecure { zone_cut } => format!(
                "the MX records are not DNSSEC-signed (the chain of trust ends at {zone_cut}): an attacker can substitute other MX hosts, so senders cannot authenticate the host names (Postfix logs such connections as Trusted, not Verified)"
            ),
            Self::MxHostsUnchecked { checked, unchecked } => format!(
                "the MX records name {} hosts, more than the {checked} this check examines: {unchecked} {} with the highest preference values {} not checked, and a host that was not checked is not a host that passed, so the domain is not reported as authenticated",
                checked.saturating_add(*unchecked),
                if *unchecked == 1 { "host" } else { "hosts" },
                if *unchecked == 1 { "was" } else { "were" },
            ),
            Self::DnssecBogus { name, rtype, detail, .. } => format!(
                "the {rtype} lookup for {name} is bogus ({detail}): DANE-aware senders defer delivery until it validates"
            ),
            Self::DnssecIndeterminate { name, rtype, detail, .. } => format!(
                "the {rtype} lookup for {name} could not be validated ({detail}): DANE-aware senders defer delivery"
            ),
            Self::NoAddress { host } => format!("{host} has no A or AAAA records"),
            Self::InsecureNoDane { name, rtype, zone_cut } => format!(
                "the {rtype} records of {name} are not DNSSEC-signed (the chain of trust ends at {zone_cut}), so senders ignore TLSA records and fall back to opportunistic TLS"
            ),
            Self::NoTlsa { owner } => format!(
                "DNSSEC proves there are no TLSA records at {owner}: no DANE, senders fall back to opportunistic TLS"
            ),
            Self::OnlyUnusableRecords { owner, records } => format!(
                "none of the TLSA records at {owner} is usable for SMTP ({}): senders must use TLS but cannot authenticate the server",
                records.iter().map(|r| format!("`{}`: {}", r.record, r.problems.join("; "))).collect::<Vec<_>>().join(", ")
            ),
            Self::UnusableRecordsIgnored { owner, records } => format!(
                "{} of the TLSA records at {owner} cannot be used for SMTP and are ignored: {}",
                records.len(),
                records.iter().map(|r| format!("`{}`: {}", r.record, r.problems.join("; "))).collect::<Vec<_>>().join(", ")
            ),
            Self::SingleRecordPinned { owner, record } => format!(
                "only one record is published at {owner} (`{record}`): the next key change breaks delivery unless the next key's record is published first"
            ),
            Self::NotProbed { reason } => format!("the address was not probed: {reason}"),
            // The step in words; a step word this version does not know as it came.
            Self::ProbeFailed { step, message } => format!(
                "the probe failed at {}: {message}",
                crate::smtp::Step::from_word(step).map_or(step.as_str(), |s| s.describe())
            ),
            Self::StarttlsMissing { dane: true } => {
                "the server does not offer STARTTLS, but its TLSA records require TLS: DANE-aware senders defer mail to it".to_owned()
            }
            Self::StarttlsMissing { dane: false } => {
                "the server does not offer STARTTLS: mail to it travels in plaintext".to_owned()
            }
            Self::TlsaNoMatch { family, matching_families, records } => {
                let mut m = format!(
                    "{} {} no certificate of the {} chain the server presents to a default client: DANE-aware senders defer mail to it",
                    list(records),
                    if records.len() == 1 { "matches" } else { "match" },
                    family_name(*family)
                );
                if !matching_families.is_empty() {
                    m.push_str(&format!(
                        "; the server's {} chain does match, but clients that offer both get the {} chain",
                        matching_families.iter().map(|f| family_name(*f)).collect::<Vec<_>>().join(" and "),
                        family_name(*family)
                    ));
                }
                m
            }
            Self::TaNotSent { record } => format!(
                "`{record}` pins a CA that the server does not send (it sends only its own certificate), so no chain to the pinned CA can be built"
            ),
            Self::TaMatchesLeaf { record } => format!(
                "`{record}` is a DANE-TA(2) record but matches the server's own certificate; DANE-TA pins a CA"
            ),
            Self::ChainExpiredUnderDaneTa { depth, subject, not_after } => format!(
                "the certificate {} ({subject}) expired at {}; DANE-TA(2) checks validity dates, so the server is not authenticated",
                depth.map_or_else(|| "in the TLSA record".to_owned(), |d| format!("at depth {d}")),
                utc(*not_after)
            ),
            Self::ChainNotYetValidUnderDaneTa { depth, subject, not_before } => format!(
                "the certificate {} ({subject}) is not valid before {}; DANE-TA(2) checks validity dates",
                depth.map_or_else(|| "in the TLSA record".to_owned(), |d| format!("at depth {d}")),
                utc(*not_before)
            ),
            Self::NameMismatch { presented, reference } => format!(
                "the server certificate names {} but none of {}; with DANE-TA(2) it must carry the MX host name or the TLSA base domain",
                if presented.is_empty() { "nothing".to_owned() } else { presented.join(", ") },
                reference.join(", ")
            ),
            Self::TaPathInvalid { record, detail } => format!("`{record}`: {detail}"),
            Self::UnpinnedChain { family } => format!(
                "the server also holds an {} certificate chain that no usable TLSA record matches: senders that negotiate it defer mail",
                family_name(*family)
            ),
            Self::ChainExpiresSoon { depth, subject, not_after } => format!(
                "the certificate {} ({subject}) on the DANE-TA(2) path expires at {}; after that DANE-aware senders defer mail",
                depth.map_or_else(|| "in the TLSA record".to_owned(), |d| format!("at depth {d}")),
                utc(*not_after)
            ),
            Self::LeafExpiredUnderDaneEe { not_after } => format!(
                "the server certificate expired at {}; DANE-EE(3) ignores dates, so DANE senders still deliver, but senders without DANE may complain",
                utc(*not_after)
            ),
            Self::SignaturesExpireSoon { rrset, inception, expiration, hours_left } => format!(
                "the signatures of `{rrset}` expire at {} ({}), {} into a validity of {}: is re-signing running? Once they expire, validating resolvers reject the answer and DANE-aware senders defer mail",
                utc(*expiration),
                time_left(*hours_left),
                percent_used(*inception, *expiration, *hours_left),
                span(expiration.saturating_sub(*inception))
            ),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// A finding as reported: its data (flattened, with `code`), severity, RFC,
/// message and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reported {
    #[serde(flatten)]
    pub finding: Finding,
    pub severity: Severity,
    pub rfc: &'static str,
    pub message: String,
    pub fix: Option<FixReport>,
}

/// A fix as reported: its data (flattened, with `action`) and its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixReport {
    #[serde(flatten)]
    pub fix: Fix,
    pub message: String,
}

/// [`Reported`] as read back: `rfc` follows from the finding's code (a
/// `&'static str` cannot borrow from the input, so the text read is not kept).
#[derive(Deserialize)]
struct ReportedWire {
    #[serde(flatten)]
    finding: Finding,
    severity: Severity,
    message: String,
    fix: Option<FixReport>,
}

impl<'de> Deserialize<'de> for Reported {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ReportedWire::deserialize(deserializer).map(Self::from)
    }
}

impl From<ReportedWire> for Reported {
    fn from(w: ReportedWire) -> Self {
        Self { rfc: w.finding.rfc(), finding: w.finding, severity: w.severity, message: w.message, fix: w.fix }
    }
}

impl Reported {
    /// A finding and its fix.
    #[must_use]
    pub fn new(finding: Finding, fix: Option<Fix>) -> Self {
        Self {
            severity: finding.severity(),
            rfc: finding.rfc(),
            message: finding.message(),
            fix: fix.map(|fix| FixReport { message: fix.message(), fix }),
            finding,
        }
    }

    /// The stable code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.finding.code()
    }
}

pub use crate::time::format_utc as utc;
