//! The full DANE verdict for a mail domain: the single place where Geleit
//! decides whether a sender can authenticate every MX host (RFC 7672).
//!
//! Inputs are the DNS engine's [`SmtpReport`] (validated MX, addresses and
//! TLSA records per host), the SMTP probe reports per host (one handshake
//! per signature family, from the CLI or the edge) and `now`. Output is a
//! [`DomainVerdict`] with a verdict, typed [`Finding`]s and fixes per domain,
//! per MX host and per address.
//!
//! ```text
//!  SmtpReport ──► probe_targets() ──► (shell probes each address, per family)
//!      │                                          │
//!      └──────────────► evaluate(dns, probes, now) ◄┘
//!                          │ per address: dane::check per family chain
//!                          │              default family decides (see below)
//!                          ▼
//!                   DomainVerdict ─► hosts ─► addresses ─► findings + fixes
//! ```
//!
//! Semantics (RFC 7672 §2.2): a host whose TLSA RRset is secure with usable
//! records ("DANE required") must authenticate on every address; with only
//! unusable records TLS is mandatory but unauthenticated; insecure data or a
//! secure denial of TLSA means no DANE (opportunistic TLS); bogus or
//! indeterminate lookups defer delivery; no STARTTLS where TLS is required
//! defers delivery. The domain is authenticated only when its MX RRset is
//! secure and every address of every MX host authenticates; an MX RRset
//! naming more hosts than are checked
//! ([`MAX_MX_HOSTS`](crate::dns::MAX_MX_HOSTS)) is never authenticated
//! ([`Verdict::Incomplete`]): a host not checked is not a host that passed.
//!
//! **Several chains.** A server may hold an ECDSA and an RSA chain and picks
//! one by what the client offers. The probe sees each (one handshake per
//! family); the address verdict is the one a default Postfix sender gets,
//! which is the ECDSA chain whenever the server has one: OpenSSL's default
//! signature algorithm list (TLS 1.3) and cipher order (TLS 1.2) put ECDSA
//! first, and a Postfix/OpenSSL server chooses by the client's order unless
//! told to prefer its own — whose default list also starts with ECDSA. The
//! lab's `dual-*-pinned` scenarios confirm it with posttls-finger. The other
//! chain is still judged and reported ([`Finding::UnpinnedChain`]), because
//! a sender with other preferences (GnuTLS-based, for one) gets it.

mod findings;
mod tone;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

pub use findings::{Finding, Fix, FixReport, Reported, Severity, UnusableRecord, utc};
pub use tone::{Tone, status_tone};

use crate::cert::Certificate as ParsedCert;
use crate::dane::{self, Check, Failure, ReferenceNames};
use crate::dns::{
    HostOutcome, HostReport as DnsHost, MxOutcome, Proof, SigExpiry, SmtpReport, Status, TlsaRecord, UncheckedHost,
};
use crate::smtp::{AddressReport, HostReport as ProbeHost, SignatureFamily};
use crate::tlsa::{MatchingType, Selector, Tlsa, Usage};
use crate::tlsa_gen::association_data;

/// A DANE-TA(2) path that expires within this many days is reported
/// ([`Finding::ChainExpiresSoon`]); ACME clients renew 30 days ahead, so a
/// chain this close to its end means renewal is failing.
pub const EXPIRY_WARNING_DAYS: i64 = 21;

/// Signatures that expire within this many days may be reported
/// ([`Finding::SignaturesExpireSoon`], see [`LookAhead`]).
pub const SIGNATURE_WARNING_DAYS: i64 = 7;

/// How far ahead a verdict looks for what will stop mail: certificates on a
/// DANE-TA(2) path, and the RRSIGs of every RRset the verdict rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookAhead {
    /// Days ahead for certificates ([`Finding::ChainExpiresSoon`]).
    pub certificate_days: i64,
    /// Days ahead for signatures ([`Finding::SignaturesExpireSoon`]).
    pub signature_days: i64,
}

impl Default for LookAhead {
    fn default() -> Self {
        Self { certificate_days: EXPIRY_WARNING_DAYS, signature_days: SIGNATURE_WARNING_DAYS }
    }
}

impl LookAhead {
    /// The same window for certificates and signatures (`--days N`).
    #[must_use]
    pub const fn days(days: u32) -> Self {
        Self { certificate_days: days as i64, signature_days: days as i64 }
    }

    /// Whether `e` is worth a warning at `now`: it expires within
    /// [`Self::signature_days`] and has used more than three quarters of its
    /// validity period.
    ///
    /// Signers refresh signatures well before they expire (RFC 6781 §4.4.2;
    /// BIND's default refreshes 5 days ahead of a 14-day validity, Knot 7 of
    /// 14 days, PowerDNS weekly with 3 weeks), and online signers such as
    /// Cloudflare's sign every answer with a validity of days. A signature
    /// close to its end *and* far into its validity is one a signer would
    /// have replaced by now: re-signing appears to have stopped. A window
    /// alone would warn about every healthy zone signed with short lifetimes.
    #[must_use]
    pub fn signature_due(&self, e: &SigExpiry, now: i64) -> bool {
        let left = e.expiration.saturating_sub(now);
        left <= self.signature_days.saturating_mul(DAY) && left.saturating_mul(4) <= e.validity()
    }
}

const DAY: i64 = 86_400;

/// The signature findings of a DNS report at `now`: the MX answer's (for
/// the domain) and each host's, by host name; a host whose first signature
/// to expire is the MX answer's has it reported once, for the domain.
#[must_use]
pub fn signature_findings(
    dns: &SmtpReport,
    now: i64,
    ahead: &LookAhead,
) -> (Option<Reported>, Vec<(String, Reported)>) {
    let domain = dns.mx_expiry.as_ref().filter(|e| ahead.signature_due(e, now)).map(|e| signature_finding(e, now));
    let hosts = dns
        .hosts
        .iter()
        .filter_map(|h| {
            let e = h.expiry.as_ref().filter(|e| ahead.signature_due(e, now))?;
            let shared = dns.mx_expiry.as_ref().is_some_and(|m| m.rrset() == e.rrset());
            (!shared).then(|| (h.host.clone(), signature_finding(e, now)))
        })
        .collect();
    (domain, hosts)
}

fn signature_finding(e: &SigExpiry, now: i64) -> Reported {
    Reported::new(
        Finding::SignaturesExpireSoon {
            rrset: e.rrset(),
            inception: e.inception,
            expiration: e.expiration,
            hours_left: e.expiration.saturating_sub(now).div_euclid(3600),
        },
        Some(Fix::ResignZone { owner: e.owner.clone(), rtype: e.rtype.clone() }),
    )
}

/// The verdict at any level, from best to worst (the order is used to
/// combine addresses into a host and hosts into the domain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// DANE authenticates (RFC 7672 §3).
    Authenticated,
    /// Every host authenticates, but the MX RRset is insecure, so the host
    /// names are not authenticated (RFC 7672 §2.2.1). Domain level only.
    Trusted,
    /// Not every MX host was checked (more than
    /// [`MAX_MX_HOSTS`](crate::dns::MAX_MX_HOSTS)): a host that was not
    /// checked is not a host that passed, so the domain is not authenticated
    /// even when every host checked is ([`Finding::MxHostsUnchecked`]).
    /// Domain level only; a worse verdict of a host checked wins.
    Incomplete,
    /// No DANE: opportunistic TLS (RFC 7672 §2.2.2).
    NoDane,
    /// TLS mandatory but unauthenticated: only unusable records (RFC 7672 §3.1.3).
    TlsUnauthenticated,
    /// The domain accepts no mail (null MX, RFC 7505).
    NullMx,
    /// DANE is required and the chain does not authenticate: mail is deferred.
    NotAuthenticated,
    /// The server offers no STARTTLS.
    NoStarttls,
    /// The probe did not reach TLS (connection, greeting or handshake failed).
    Unreachable,
    /// The address was not probed.
    NotProbed,
    /// The host has no addresses.
    NoAddress,
    /// A lookup is bogus or indeterminate: delivery is deferred (RFC 7672 §2.1.1).
    Deferred,
    /// The domain does not exist.
    NxDomain,
}

impl Verdict {
    /// Every verdict, from best to worst (the order of [`Ord`]).
    pub const ALL: [Self; 13] = [
        Self::Authenticated,
        Self::Trusted,
        Self::Incomplete,
        Self::NoDane,
        Self::TlsUnauthenticated,
        Self::NullMx,
        Self::NotAuthenticated,
        Self::NoStarttls,
        Self::Unreachable,
        Self::NotProbed,
        Self::NoAddress,
        Self::Deferred,
        Self::NxDomain,
    ];

    /// The verdict of its word ([`Self::as_str`], as serialised): what the
    /// derived `Deserialize` reads, without serde (the web app's first
    /// module reads the word from the engine module's JSON).
    #[must_use]
    pub fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == word)
    }

    /// The snake_case word, as serialised.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Authenticated => "authenticated",
            Self::Trusted => "trusted",
            Self::Incomplete => "incomplete",
            Self::NoDane => "no_dane",
            Self::TlsUnauthenticated => "tls_unauthenticated",
            Self::NullMx => "null_mx",
            Self::NotAuthenticated => "not_authenticated",
            Self::NoStarttls => "no_starttls",
            Self::Unreachable => "unreachable",
            Self::NotProbed => "not_probed",
            Self::NoAddress => "no_address",
            Self::Deferred => "deferred",
            Self::NxDomain => "nx_domain",
        }
    }

    /// A short phrase for people.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Authenticated => "authenticated with DANE",
            Self::Trusted => "hosts authenticated, but the MX records are not signed",
            Self::Incomplete => "not every MX host checked",
            Self::NoDane => "no DANE (opportunistic TLS)",
            Self::TlsUnauthenticated => "TLS required but not authenticated (no usable TLSA record)",
            Self::NullMx => "accepts no mail (null MX)",
            Self::NotAuthenticated => "NOT authenticated: DANE senders defer mail",
            Self::NoStarttls => "no STARTTLS",
            Self::Unreachable => "probe failed",
            Self::NotProbed => "not probed",
            Self::NoAddress => "no addresses",
            Self::Deferred => "DNSSEC failure: DANE senders defer mail",
            Self::NxDomain => "domain does not exist",
        }
    }
}

impl core::fmt::Display for Verdict {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One certificate of a presented chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCert {
    /// 0 = the server's own certificate.
    pub depth: usize,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
    pub subject: String,
    pub issuer: String,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
    /// Key kind and size, e.g. "ECDSA P-256".
    pub key: String,
}

/// One record that authenticated, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedRecord {
    /// Presentation format.
    pub record: String,
    /// Depth matched (0 = leaf; one above the chain for an anchor carried in the record).
    pub depth: usize,
}

/// What one handshake (one signature family) presented and whether it authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyVerdict {
    pub family: SignatureFamily,
    pub tls_version: Option<String>,
    pub cipher_suite: Option<String>,
    pub chain: Vec<ChainCert>,
    pub matched: Vec<MatchedRecord>,
    /// The chain authenticates against the usable records (whatever the DNS status).
    pub chain_matches: bool,
    /// Why there is no chain, or why it could not be read.
    pub error: Option<String>,
    /// Per record: usable, matched, depth, why not (from `dane::check`).
    pub records: Vec<dane::RecordReport>,
    /// The `3 1 1` record that would pin this chain's leaf key (RFC 7671 §5.1).
    pub suggested: Option<String>,
}

/// The verdict for one address of an MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressVerdict {
    pub address: IpAddr,
    pub verdict: Verdict,
    pub authenticated: bool,
    /// STARTTLS succeeded (in at least one handshake): TLS was established,
    /// and EHLO over TLS succeeded where the probe asked it (a check's probe
    /// ends at the handshake, `smtp::AfterTls::Quit`).
    pub starttls: bool,
    /// The family whose chain decides (see the module documentation).
    pub default_family: Option<SignatureFamily>,
    /// Of the default family's handshake.
    pub tls_version: Option<String>,
    /// The default family's chain.
    pub chain: Vec<ChainCert>,
    /// The default family's authenticating records.
    pub matched: Vec<MatchedRecord>,
    pub findings: Vec<Reported>,
    /// Every handshake.
    pub families: Vec<FamilyVerdict>,
}

/// The verdict for one MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostVerdict {
    pub host: String,
    pub preference: u16,
    /// What the DNS says a DANE client does (RFC 7672 §2.2).
    pub outcome: HostOutcome,
    /// The RFC section behind `outcome`.
    pub outcome_rfc: &'static str,
    /// Why, in words (from the DNS stage).
    pub why: String,
    pub tlsa_base: Option<String>,
    pub tlsa_status: Status,
    /// The TLSA records, presentation format.
    pub tlsa: Vec<String>,
    pub verdict: Verdict,
    pub authenticated: bool,
    pub findings: Vec<Reported>,
    pub addresses: Vec<AddressVerdict>,
}

/// [`HostVerdict`] as read back: `outcome_rfc` follows from `outcome` (a
/// `&'static str` cannot borrow from the input, so the text read is not kept).
#[derive(Deserialize)]
struct HostVerdictWire {
    host: String,
    preference: u16,
    outcome: HostOutcome,
    why: String,
    tlsa_base: Option<String>,
    tlsa_status: Status,
    tlsa: Vec<String>,
    verdict: Verdict,
    authenticated: bool,
    findings: Vec<Reported>,
    addresses: Vec<AddressVerdict>,
}

impl<'de> Deserialize<'de> for HostVerdict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        HostVerdictWire::deserialize(deserializer).map(Self::from)
    }
}

impl From<HostVerdictWire> for HostVerdict {
    fn from(w: HostVerdictWire) -> Self {
        Self {
            host: w.host,
            preference: w.preference,
            outcome: w.outcome,
            outcome_rfc: w.outcome.rfc(),
            why: w.why,
            tlsa_base: w.tlsa_base,
            tlsa_status: w.tlsa_status,
            tlsa: w.tlsa,
            verdict: w.verdict,
            authenticated: w.authenticated,
            findings: w.findings,
            addresses: w.addresses,
        }
    }
}

/// The verdict for a mail domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainVerdict {
    pub domain: String,
    pub mx_status: Status,
    pub mx_outcome: MxOutcome,
    pub verdict: Verdict,
    /// The MX RRset is secure and every address of every MX host authenticates.
    pub authenticated: bool,
    pub findings: Vec<Reported>,
    pub hosts: Vec<HostVerdict>,
    /// MX hosts beyond [`MAX_MX_HOSTS`](crate::dns::MAX_MX_HOSTS), by
    /// preference: not checked, so the domain is not authenticated
    /// ([`Finding::MxHostsUnchecked`]).
    #[serde(default)]
    pub unchecked: Vec<UncheckedHost>,
    /// Sequential rounds of DNS queries.
    pub rounds: u32,
    /// DNS queries in all.
    pub queries: u32,
    /// The first signature to expire among those the verdict rests on
    /// ([`SmtpReport::first_signature_expiry`]), whether or not it is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_signature_expiry: Option<SigExpiry>,
    /// TLSRPT and MTA-STS beside the DANE verdict (never part of it); none
    /// for a host named directly or a domain that takes no mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_policy: Option<crate::mailpolicy::MailPolicy>,
}

/// Addresses of one MX host to probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeTarget {
    /// The MX host name without the trailing dot (the probe report carries it).
    pub host: String,
    /// The name to send as SNI: the TLSA base domain (RFC 7672 §8.1), which
    /// is the MX host name unless the host is a secure alias whose target
    /// has the TLSA records.
    pub sni: String,
    pub addresses: Vec<IpAddr>,
}

fn bare(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// The addresses a check should probe: those of every MX host whose RRset
/// validated as secure or insecure. Bogus or indeterminate addresses are
/// never connected to (they may be an attacker's, RFC 7672 §2.2).
#[must_use]
pub fn probe_targets(dns: &SmtpReport) -> Vec<ProbeTarget> {
    dns.hosts.iter().filter_map(probe_target).collect()
}

/// The probe target of one MX host (see [`probe_targets`]), or `None` when
/// it has no address to probe.
#[must_use]
pub fn probe_target(h: &DnsHost) -> Option<ProbeTarget> {
    let target = ProbeTarget {
        host: bare(&h.host),
        sni: h.tlsa_base.as_deref().map_or_else(|| bare(&h.host), |b| bare(b.strip_prefix("_25._tcp.").unwrap_or(b))),
        addresses: h
            .addresses
            .iter()
            .filter(|set| matches!(set.status, Status::Secure | Status::Insecure))
            .flat_map(|set| set.addresses.iter().copied())
            .collect(),
    };
    (!target.addresses.is_empty()).then_some(target)
}

/// Why the policy findings say "not fetched" when a check made no fetch.
const NOT_FETCHED: &str = "not fetched by this check";

/// The full verdict (see the module documentation). `probes` holds one
/// report per probed host (matched by name, case and trailing dot ignored).
#[must_use]
pub fn evaluate(dns: &SmtpReport, probes: &[ProbeHost], now: i64) -> DomainVerdict {
    evaluate_with(dns, probes, now, &LookAhead::default())
}

/// [`evaluate`] with the look-ahead windows `ahead`; the MTA-STS policy
/// counts as not fetched (see [`evaluate_with_policy`]).
#[must_use]
pub fn evaluate_with(dns: &SmtpReport, probes: &[ProbeHost], now: i64, ahead: &LookAhead) -> DomainVerdict {
    evaluate_with_policy(dns, probes, now, ahead, &PolicyFetch::NotFetched)
}

/// What the check knows of the MTA-STS policy (RFC 8461 §3.3) for the
/// TLSRPT/MTA-STS findings beside the verdict ([`crate::mailpolicy::assess`]).
#[derive(Debug, Clone, Copy)]
pub enum PolicyFetch<'a> {
    /// This check made no fetch.
    NotFetched,
    /// This check made none, but the id seen last time is known (a changed
    /// `_mta-sts` id is still reported).
    NotFetchedWithPrevious(&'a str),
    /// The fetch's result, and the id seen last time if known.
    Fetched(&'a crate::check::FetchResult, Option<&'a str>),
}

/// [`evaluate_with`], with what the check fetched of the MTA-STS policy:
/// the mail policy is assessed once, here, never overwritten by a caller.
#[must_use]
pub fn evaluate_with_policy(
    dns: &SmtpReport,
    probes: &[ProbeHost],
    now: i64,
    ahead: &LookAhead,
    policy: &PolicyFetch<'_>,
) -> DomainVerdict {
    let (domain_signatures, host_signatures) = signature_findings(dns, now, ahead);
    let hosts: Vec<HostVerdict> = dns
        .hosts
        .iter()
        .map(|h| {
            let probe = probes.iter().find(|p| bare(&p.host) == bare(&h.host));
            let mut v = host_verdict(h, probe, now, ahead);
            v.findings.extend(host_signatures.iter().filter(|(host, _)| *host == h.host).map(|(_, r)| r.clone()));
            v
        })
        .collect();
    let mut findings: Vec<Reported> = domain_signatures.into_iter().collect();
    let mut verdict = match dns.mx_outcome {
        MxOutcome::NullMx => {
            findings.push(Reported::new(Finding::NullMx, None));
            Verdict::NullMx
        }
        MxOutcome::NxDomain => {
            findings.push(Reported::new(Finding::DomainMissing, None));
            Verdict::NxDomain
        }
        MxOutcome::Deferred => {
            findings.push(dnssec_finding(&dns.domain, "MX", &dns.mx_proof));
            Verdict::Deferred
        }
        MxOutcome::Hosts | MxOutcome::Implicit | MxOutcome::Direct => {
            let worst = hosts.iter().map(|h| h.verdict).max().unwrap_or(Verdict::NoAddress);
            if let Proof::Insecure { zone_cut, .. } = &dns.mx_proof {
                findings.push(Reported::new(
                    Finding::MxInsecure { zone_cut: zone_cut.clone() },
                    Some(Fix::SignZone { zone: zone_cut.clone() }),
                ));
                if worst == Verdict::Authenticated { Verdict::Trusted } else { worst }
            } else {
                worst
            }
        }
    };
    if !dns.unchecked.is_empty() {
        findings.push(Reported::new(
            Finding::MxHostsUnchecked { checked: dns.hosts.len(), unchecked: dns.unchecked.len() },
            None,
        ));
        verdict = verdict.max(Verdict::Incomplete);
    }
    DomainVerdict {
        domain: dns.domain.clone(),
        mx_status: dns.mx_status,
        mx_outcome: dns.mx_outcome,
        verdict,
        authenticated: verdict == Verdict::Authenticated,
        findings,
        hosts,
        unchecked: dns.unchecked.clone(),
        rounds: dns.rounds,
        queries: dns.queries,
        first_signature_expiry: dns.first_signature_expiry(),
        mail_policy: match *policy {
            PolicyFetch::NotFetched => crate::mailpolicy::assess(dns, Err(NOT_FETCHED), None),
            PolicyFetch::NotFetchedWithPrevious(id) => crate::mailpolicy::assess(dns, Err(NOT_FETCHED), Some(id)),
            PolicyFetch::Fetched(result, previous) => crate::mailpolicy::assess(dns, Ok(result), previous),
        },
    }
}

/// A DNSSEC failure as a finding with its repair.
fn dnssec_finding(name: &str, rtype: &str, proof: &Proof) -> Reported {
    let (finding, kind) = match proof {
        Proof::Bogus { reason } => (
            Finding::DnssecBogus {
                name: name.to_owned(),
                rtype: rtype.to_owned(),
                kind: reason.kind,
                detail: reason.detail.clone(),
            },
            reason.kind,
        ),
        Proof::Indeterminate { reason } => (
            Finding::DnssecIndeterminate {
                name: name.to_owned(),
                rtype: rtype.to_owned(),
                kind: reason.kind,
                detail: reason.detail.clone(),
            },
            reason.kind,
        ),
        // Not a failure; callers only pass failed proofs.
        Proof::Secure | Proof::Insecure { .. } => (
            Finding::DnssecIndeterminate {
                name: name.to_owned(),
                rtype: rtype.to_owned(),
                kind: crate::dns::ReasonKind::Malformed,
                detail: proof.to_string(),
            },
            crate::dns::ReasonKind::Malformed,
        ),
    };
    Reported::new(finding, Some(Fix::RepairDnssec { name: name.to_owned(), rtype: rtype.to_owned(), kind }))
}

/// `_25._tcp.<base>` from the TLSA base as the DNS engine reports it (which
/// already carries the prefix).
fn owner_of(h: &DnsHost) -> String {
    h.tlsa_base.clone().unwrap_or_else(|| format!("_25._tcp.{}", h.host))
}

/// The reference names: the TLSA base domain and the MX host name (RFC 7672 §3.2.3).
fn reference_names(h: &DnsHost) -> ReferenceNames {
    let mut names = Vec::new();
    if let Some(base) = &h.tlsa_base {
        names.push(base.strip_prefix("_25._tcp.").unwrap_or(base).to_owned());
    }
    names.push(h.host.clone());
    ReferenceNames::new(&names).unwrap_or_default()
}

fn unusable(records: &[TlsaRecord]) -> Vec<UnusableRecord> {
    records
        .iter()
        .filter(|r| !r.problems.is_empty())
        .map(|r| UnusableRecord { record: r.to_text(), problems: r.problems.iter().map(ToString::to_string).collect() })
        .collect()
}

fn record_text(t: &Tlsa) -> String {
    format!("{} {} {} {}", t.usage, t.selector, t.matching_type, data_encoding::HEXLOWER.encode(&t.data))
}

/// The time of a verdict and how far it looks ahead.
#[derive(Clone, Copy)]
struct When<'a> {
    now: i64,
    ahead: &'a LookAhead,
}

fn host_verdict(h: &DnsHost, probe: Option<&ProbeHost>, now: i64, ahead: &LookAhead) -> HostVerdict {
    let (proof, records) = h.tlsa.with_proof();
    let owner = owner_of(h);
    let names = reference_names(h);
    let tlsa: Vec<Tlsa> = records.iter().map(|r| r.record.clone()).collect();
    let mut findings = Vec::new();
    // Addresses first: their chains give the data for the fixes below.
    let mut addresses = Vec::new();
    if !matches!(h.outcome, HostOutcome::NoAddress) {
        for set in &h.addresses {
            if !matches!(set.status, Status::Secure | Status::Insecure) {
                continue;
            }
            for ip in &set.addresses {
                let report = probe.and_then(|p| p.addresses.iter().find(|a| a.address == *ip));
                addresses.push(address_verdict(h, &owner, &names, &tlsa, *ip, report, When { now, ahead }));
            }
        }
    }
    let suggested = addresses.iter().find_map(|a| a.chain.first().and_then(|_| suggested_record(a)));
    let publish = |replaces: Vec<String>| {
        suggested.clone().map(|record| Fix::PublishTlsa { owner: owner.clone(), record, replaces, keep: Vec::new() })
    };
    match h.outcome {
        HostOutcome::Deferred => {
            if let Some(bad) = h.addresses.iter().find(|a| matches!(a.status, Status::Bogus | Status::Indeterminate)) {
                findings.push(dnssec_finding(&h.host, &bad.rtype, &bad.proof));
            } else {
                findings.push(dnssec_finding(&owner, "TLSA", proof));
            }
        }
        HostOutcome::NoAddress => {
            findings.push(Reported::new(Finding::NoAddress { host: h.host.clone() }, Some(Fix::CheckReachability)));
        }
        HostOutcome::NoDane => {
            let insecure = h.addresses.iter().find(|a| a.status == Status::Insecure && !a.addresses.is_empty());
            match (insecure, proof) {
                (Some(set), _) => {
                    let zone_cut = match &set.proof {
                        Proof::Insecure { zone_cut, .. } => zone_cut.clone(),
                        other => other.to_string(),
                    };
                    findings.push(Reported::new(
                        Finding::InsecureNoDane {
                            name: h.host.clone(),
                            rtype: set.rtype.clone(),
                            zone_cut: zone_cut.clone(),
                        },
                        Some(Fix::SignZone { zone: zone_cut }),
                    ));
                }
                (None, Proof::Insecure { zone_cut, .. }) => findings.push(Reported::new(
                    Finding::InsecureNoDane { name: owner.clone(), rtype: "TLSA".into(), zone_cut: zone_cut.clone() },
                    Some(Fix::SignZone { zone: zone_cut.clone() }),
                )),
                (None, _) => {
                    findings.push(Reported::new(Finding::NoTlsa { owner: owner.clone() }, publish(Vec::new())))
                }
            }
        }
        HostOutcome::TlsUnauthenticated => {
            let bad = unusable(records);
            let replaces = bad.iter().map(|r| r.record.clone()).collect();
            findings.push(Reported::new(
                Finding::OnlyUnusableRecords { owner: owner.clone(), records: bad },
                publish(replaces),
            ));
        }
        HostOutcome::DaneRequired => {
            let bad = unusable(records);
            if !bad.is_empty() {
                findings
                    .push(Reported::new(Finding::UnusableRecordsIgnored { owner: owner.clone(), records: bad }, None));
            }
            let usable: Vec<&TlsaRecord> = records.iter().filter(|r| r.problems.is_empty()).collect();
            let all_auth = !addresses.is_empty() && addresses.iter().all(|a| a.authenticated);
            if let [only] = usable.as_slice()
                && all_auth
            {
                findings.push(Reported::new(
                    Finding::SingleRecordPinned { owner: owner.clone(), record: only.to_text() },
                    Some(Fix::PublishNextKey { owner: owner.clone(), current: only.to_text() }),
                ));
            }
        }
    }
    let verdict = match h.outcome {
        HostOutcome::Deferred => Verdict::Deferred,
        HostOutcome::NoAddress => Verdict::NoAddress,
        _ if addresses.is_empty() => Verdict::NotProbed,
        _ => addresses.iter().map(|a| a.verdict).max().unwrap_or(Verdict::NotProbed),
    };
    HostVerdict {
        host: h.host.clone(),
        preference: h.preference,
        outcome: h.outcome,
        outcome_rfc: h.outcome.rfc(),
        why: h.why.clone(),
        tlsa_base: h.tlsa_base.clone(),
        tlsa_status: proof.status(),
        tlsa: records.iter().map(TlsaRecord::to_text).collect(),
        verdict,
        authenticated: verdict == Verdict::Authenticated,
        findings,
        addresses,
    }
}

/// `3 1 1` over the default chain's leaf: the record to publish.
fn suggested_record(a: &AddressVerdict) -> Option<String> {
    a.families.iter().find(|f| Some(f.family) == a.default_family).and_then(|f| f.suggested.clone())
}

/// A family's chain, checked.
struct Judged {
    verdict: FamilyVerdict,
    /// `dane::check` ran (the chain parsed).
    report: Option<dane::Report>,
}

fn judge_family(
    family: SignatureFamily,
    probe: &crate::smtp::Report,
    tlsa: &[Tlsa],
    names: &ReferenceNames,
    now: i64,
) -> Judged {
    let mut v = FamilyVerdict {
        family,
        tls_version: None,
        cipher_suite: None,
        chain: Vec::new(),
        matched: Vec::new(),
        chain_matches: false,
        error: None,
        records: Vec::new(),
        suggested: None,
    };
    let Some(tls) = &probe.tls else {
        v.error =
            Some(probe.error.as_ref().map_or_else(|| "no TLS".to_owned(), |e| format!("{}: {}", e.step, e.message)));
        return Judged { verdict: v, report: None };
    };
    v.tls_version = Some(tls.version.clone());
    v.cipher_suite = Some(tls.cipher_suite.clone());
    let ders: Result<Vec<Vec<u8>>, _> = tls.chain.iter().map(crate::smtp::Certificate::der).collect();
    let ders = match ders {
        Ok(d) => d,
        Err(e) => {
            v.error = Some(format!("expected base64 DER certificates in the probe report, found {e}"));
            return Judged { verdict: v, report: None };
        }
    };
    match dane::check(&ders, tlsa, Check { names, now, look_ahead_days: None }) {
        Ok(report) => {
            v.chain = report
                .chain
                .iter()
                .zip(&tls.chain)
                .map(|(entry, presented)| summarise(entry.depth, &presented.sha256, &entry.certificate))
                .collect();
            v.matched = report
                .matched
                .iter()
                .filter_map(|m| {
                    report
                        .records
                        .get(m.record)
                        .map(|r| MatchedRecord { record: record_text(&r.record), depth: m.depth })
                })
                .collect();
            v.chain_matches = report.authenticated;
            v.suggested = ders.first().and_then(|leaf| ee_record(leaf));
            v.records = report.records.clone();
            Judged { verdict: v, report: Some(report) }
        }
        Err(e) => {
            v.error = Some(e.to_string());
            Judged { verdict: v, report: None }
        }
    }
}

fn summarise(depth: usize, sha256: &str, c: &ParsedCert) -> ChainCert {
    ChainCert {
        depth,
        sha256: sha256.to_owned(),
        subject: c.subject.clone(),
        issuer: c.issuer.clone(),
        not_before: c.not_before,
        not_after: c.not_after,
        key: c.key.clone(),
    }
}

/// `3 1 1 <SHA-256 of the leaf's SPKI>`: the record RFC 7671 §5.1 recommends.
fn ee_record(leaf_der: &[u8]) -> Option<String> {
    let cert = ParsedCert::from_der(leaf_der).ok()?;
    let data = association_data(cert.der(), cert.spki(), Selector::SPKI, MatchingType::SHA2_256)?;
    Some(record_text(&Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, data)))
}

/// The family a default client (Postfix with OpenSSL) negotiates: ECDSA
/// when the server has an ECDSA chain, else RSA (module documentation).
fn default_family(families: &[Judged]) -> Option<usize> {
    SignatureFamily::ALL
        .iter()
        .find_map(|f| families.iter().position(|j| j.verdict.family == *f && !j.verdict.chain.is_empty()))
}

fn address_verdict(
    h: &DnsHost,
    owner: &str,
    names: &ReferenceNames,
    tlsa: &[Tlsa],
    ip: IpAddr,
    probe: Option<&AddressReport>,
    when: When<'_>,
) -> AddressVerdict {
    let When { now, ahead } = when;
    let tls_required = matches!(h.outcome, HostOutcome::DaneRequired | HostOutcome::TlsUnauthenticated);
    let mut v = AddressVerdict {
        address: ip,
        verdict: Verdict::NotProbed,
        authenticated: false,
        starttls: false,
        default_family: None,
        tls_version: None,
        chain: Vec::new(),
        matched: Vec::new(),
        findings: Vec::new(),
        families: Vec::new(),
    };
    let Some(probe) = probe else {
        v.findings.push(Reported::new(Finding::NotProbed { reason: "no probe result for this address".into() }, None));
        return v;
    };
    if let Some(refused) = &probe.refused {
        v.findings.push(Reported::new(Finding::NotProbed { reason: refused.clone() }, None));
        return v;
    }
    let judged: Vec<Judged> =
        probe.probes.iter().map(|p| judge_family(p.signature_family, &p.report, tlsa, names, now)).collect();
    v.starttls = probe.probes.iter().any(|p| p.report.starttls);
    let offered = probe.probes.iter().find_map(|p| p.report.starttls_offered);
    let default = default_family(&judged);
    if let Some(i) = default
        && let Some(j) = judged.get(i)
    {
        v.default_family = Some(j.verdict.family);
        v.tls_version = j.verdict.tls_version.clone();
        v.chain = j.verdict.chain.clone();
        v.matched = j.verdict.matched.clone();
    }
    v.families = judged.iter().map(|j| j.verdict.clone()).collect();
    // No chain at all: why?
    let Some(default_judged) = default.and_then(|i| judged.get(i)) else {
        if offered == Some(false) {
            v.verdict = Verdict::NoStarttls;
            v.findings.push(Reported::new(Finding::StarttlsMissing { dane: tls_required }, Some(Fix::EnableStarttls)));
        } else {
            v.verdict = Verdict::Unreachable;
            let failure = probe.probes.iter().find_map(|p| p.report.error.as_ref());
            let (step, message) = failure.map_or_else(
                || ("tls_handshake".to_owned(), "no certificate chain was presented".to_owned()),
                |e| (e.step.to_string(), e.message.clone()),
            );
            v.findings.push(Reported::new(Finding::ProbeFailed { step, message }, Some(Fix::CheckReachability)));
        }
        return v;
    };
    match h.outcome {
        HostOutcome::DaneRequired => {}
        HostOutcome::TlsUnauthenticated => {
            v.verdict = Verdict::TlsUnauthenticated;
            return v;
        }
        HostOutcome::NoDane => {
            v.verdict = Verdict::NoDane;
            return v;
        }
        HostOutcome::Deferred | HostOutcome::NoAddress => {
            v.verdict = Verdict::Deferred;
            return v;
        }
    }
    v.authenticated = default_judged.verdict.chain_matches;
    v.verdict = if v.authenticated { Verdict::Authenticated } else { Verdict::NotAuthenticated };
    let suggested = default_judged.verdict.suggested.clone();
    match &default_judged.report {
        Some(report) if report.authenticated => {
            // DANE-TA: the dates matter; warn ahead of the first expiry.
            if let Some(e) = &report.expiry
                && e.not_after.saturating_sub(now) < ahead.certificate_days.saturating_mul(DAY)
            {
                v.findings.push(Reported::new(
                    Finding::ChainExpiresSoon { depth: e.depth, subject: e.subject.clone(), not_after: e.not_after },
                    Some(Fix::RenewCertificate { depth: e.depth, subject: e.subject.clone() }),
                ));
            }
            // DANE-EE only, over an expired leaf: fine for DANE, worth knowing.
            let by_ee_only = report
                .matched
                .iter()
                .all(|m| report.records.get(m.record).is_some_and(|r| r.record.usage == Usage::DANE_EE));
            if let Some(leaf) = v.chain.first()
                && by_ee_only
                && leaf.not_after < now
            {
                v.findings.push(Reported::new(
                    Finding::LeafExpiredUnderDaneEe { not_after: leaf.not_after },
                    Some(Fix::RenewCertificate { depth: Some(0), subject: leaf.subject.clone() }),
                ));
            }
        }
        Some(report) => {
            let specific = failures(report, owner, names, suggested.as_deref());
            // Records that match nothing; when every record failed for a
            // specific reason (expired, name, anchor not sent), those say it.
            let unmatched: Vec<String> = report
                .records
                .iter()
                .filter(|r| r.usable && matches!(r.failure, None | Some(Failure::NoMatch)))
                .map(|r| record_text(&r.record))
                .collect();
            let generic = !unmatched.is_empty() || specific.is_empty();
            v.findings.extend(specific);
            if generic {
                let matching: Vec<&Judged> = judged.iter().filter(|j| j.verdict.chain_matches).collect();
                let no_match = Finding::TlsaNoMatch {
                    family: default_judged.verdict.family,
                    matching_families: matching.iter().map(|j| j.verdict.family).collect(),
                    records: unmatched,
                };
                let fix = suggested.clone().map(|record| Fix::PublishTlsa {
                    owner: owner.to_owned(),
                    record,
                    replaces: Vec::new(),
                    keep: matched_records(matching.iter().map(|j| &j.verdict)),
                });
                v.findings.push(Reported::new(no_match, fix));
            }
        }
        None => {
            let detail = default_judged.verdict.error.clone().unwrap_or_default();
            v.findings.push(Reported::new(
                Finding::ProbeFailed { step: "tls_handshake".into(), message: detail },
                Some(Fix::CheckReachability),
            ));
        }
    }
    // The other chains: each must match too, or the senders that get it defer.
    for j in &judged {
        if Some(j.verdict.family) != v.default_family && !j.verdict.chain.is_empty() && !j.verdict.chain_matches {
            let fix = j.verdict.suggested.clone().map(|record| Fix::PublishTlsa {
                owner: owner.to_owned(),
                record,
                replaces: Vec::new(),
                keep: matched_records(std::iter::once(&default_judged.verdict)),
            });
            v.findings.push(Reported::new(Finding::UnpinnedChain { family: j.verdict.family }, fix));
        }
    }
    v
}

/// The records that authenticate these chains, each once, in order.
fn matched_records<'a>(chains: impl Iterator<Item = &'a FamilyVerdict>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in chains.flat_map(|c| &c.matched) {
        if !out.contains(&m.record) {
            out.push(m.record.clone());
        }
    }
    out
}

/// The specific DANE-TA(2) failures of a chain that did not authenticate, as
/// findings (the generic [`Finding::TlsaNoMatch`] covers records that match nothing).
fn failures(report: &dane::Report, owner: &str, names: &ReferenceNames, suggested: Option<&str>) -> Vec<Reported> {
    let mut out: Vec<Reported> = Vec::new();
    for r in report.records.iter().filter(|r| r.usable) {
        let text = record_text(&r.record);
        let item = match &r.failure {
            None | Some(Failure::NoMatch) => continue,
            Some(Failure::AnchorNotSent) => {
                Reported::new(Finding::TaNotSent { record: text.clone() }, Some(Fix::ServeFullChain { record: text }))
            }
            Some(Failure::TaMatchesLeaf) => Reported::new(
                Finding::TaMatchesLeaf { record: text.clone() },
                suggested.map(|s| Fix::PublishTlsa {
                    owner: owner.to_owned(),
                    record: s.to_owned(),
                    replaces: vec![text],
                    keep: Vec::new(),
                }),
            ),
            Some(Failure::Expired { depth, subject, not_after }) => Reported::new(
                Finding::ChainExpiredUnderDaneTa { depth: *depth, subject: subject.clone(), not_after: *not_after },
                Some(Fix::RenewCertificate { depth: *depth, subject: subject.clone() }),
            ),
            Some(Failure::NotYetValid { depth, subject, not_before }) => Reported::new(
                Finding::ChainNotYetValidUnderDaneTa {
                    depth: *depth,
                    subject: subject.clone(),
                    not_before: *not_before,
                },
                Some(Fix::RenewCertificate { depth: *depth, subject: subject.clone() }),
            ),
            Some(Failure::NameMismatch { presented, reference }) => Reported::new(
                Finding::NameMismatch { presented: presented.clone(), reference: reference.clone() },
                Some(Fix::ReissueWithNames {
                    names: names.as_slice().to_vec(),
                    owner: owner.to_owned(),
                    record: suggested.map(str::to_owned),
                }),
            ),
            Some(Failure::InvalidPath) => {
                Reported::new(Finding::TaPathInvalid { record: text, detail: r.detail.clone() }, None)
            }
        };
        if !out.iter().any(|o| o.finding == item.finding) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests;
