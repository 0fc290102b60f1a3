//! SMTP DANE resolution for a mail domain (RFC 7672 §2.2, RFC 7671 §7):
//! MX RRset, per host the addresses, the TLSA base domain and the TLSA RRset,
//! and what a DANE-aware sending MTA does with each host.

use std::net::IpAddr;

use hickory_proto::rr::{Label, Name, RData, RecordType};
use serde::{Serialize, Serializer};

use super::DnsError;
use super::engine::{Config, Data, Engine, Resolved, Stats};
use super::expiry::{SigExpiry, earliest};
use super::lookup::{Answer, AnswerData};
use super::proof::{Proof, Status, Validated};
use super::trace::Step;
use super::wire::{Query, QueryId};
use crate::tlsa::{MatchingType, Selector, Tlsa, Unusable, Usage};

/// Most MX hosts checked, by preference (a bound on work against hostile
/// data; RFC 5321 sets none). Hosts beyond it are listed in
/// [`SmtpReport::unchecked`], and a domain with unchecked hosts is never
/// DANE-ready: a host that was not checked is not a host that passed
/// (RFC 7672 §2.2 asks for every MX host).
pub const MAX_MX_HOSTS: usize = 64;

/// An MX host named by the MX RRset but not checked, because the RRset names
/// more than [`MAX_MX_HOSTS`] hosts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct UncheckedHost {
    /// The MX exchange.
    pub host: String,
    /// Its MX preference.
    pub preference: u16,
}

/// What the MX lookup says about the domain (RFC 7672 §2.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MxOutcome {
    /// MX records name the hosts.
    Hosts,
    /// Null MX (RFC 7505 §3): the domain accepts no mail.
    NullMx,
    /// No MX records: the domain itself is the host (implicit MX, RFC 5321 §5.1).
    Implicit,
    /// The domain does not exist.
    NxDomain,
    /// The MX lookup is bogus or failed: delivery is deferred (RFC 7672 §2.2.1).
    Deferred,
    /// No MX lookup: the host was named directly, as in Postfix's `[host]`
    /// next-hop syntax. The name comes from configuration, not from DNS, so
    /// it needs no proof (the MX status reads secure).
    Direct,
}

/// What a DANE-aware client does with one MX host (RFC 7672 §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostOutcome {
    /// Secure TLSA RRset with usable records: TLS with DANE authentication is required.
    DaneRequired,
    /// Secure TLSA RRset but none usable: TLS is mandatory, not authenticated.
    TlsUnauthenticated,
    /// No DANE: insecure data or a secure proof that there are no TLSA records.
    NoDane,
    /// Bogus or failed lookups: the client skips the host and defers delivery.
    Deferred,
    /// The host has no addresses.
    NoAddress,
}

impl HostOutcome {
    /// The section of RFC 7672 the outcome comes from.
    #[must_use]
    pub const fn rfc(self) -> &'static str {
        match self {
            Self::DaneRequired => "RFC 7672 §2.2, §3.1",
            Self::TlsUnauthenticated => "RFC 7672 §2.2, §3.1.3",
            Self::NoDane => "RFC 7672 §2.2, §2.2.2",
            Self::Deferred => "RFC 7672 §2.1.1, §2.2",
            Self::NoAddress => "RFC 5321 §5.1",
        }
    }

    /// A sentence for a mail admin.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::DaneRequired => {
                "DANE required: senders must authenticate this host's certificate with its TLSA records"
            }
            Self::TlsUnauthenticated => "TLS mandatory but unauthenticated: the TLSA records are all unusable",
            Self::NoDane => "no DANE: senders fall back to opportunistic TLS",
            Self::Deferred => "delivery deferred: DANE-aware senders will not deliver to this host until DNS validates",
            Self::NoAddress => "the host has no address records",
        }
    }
}

/// One TLSA record and why it may be unusable for SMTP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TlsaRecord {
    /// The record itself.
    #[serde(skip)]
    pub record: Tlsa,
    /// Certificate usage.
    pub usage: Usage,
    /// Selector.
    pub selector: Selector,
    /// Matching type.
    pub matching_type: MatchingType,
    /// Certificate association data in hex.
    pub data: String,
    /// Why the record cannot authenticate an SMTP server; empty when usable.
    pub problems: Vec<Unusable>,
}

impl TlsaRecord {
    fn new(record: Tlsa) -> Self {
        Self {
            usage: record.usage,
            selector: record.selector,
            matching_type: record.matching_type,
            data: data_encoding::HEXLOWER.encode(&record.data),
            problems: record.smtp_problems(),
            record,
        }
    }

    /// Presentation format ("3 1 1 ab…").
    #[must_use]
    pub fn to_text(&self) -> String {
        format!("{} {} {} {}", self.usage, self.selector, self.matching_type, self.data)
    }
}

/// An address RRset of a host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddressSet {
    /// "A" or "AAAA".
    #[serde(rename = "type")]
    pub rtype: String,
    /// Its security.
    pub status: Status,
    /// Its proof in full.
    pub proof: Proof,
    /// The addresses (whatever the status; look at it).
    pub addresses: Vec<IpAddr>,
}

/// One MX host's DNS verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostReport {
    /// The MX exchange (or the domain, for an implicit MX).
    pub host: String,
    /// MX preference (0 for an implicit MX).
    pub preference: u16,
    /// CNAME links from the host to its address records.
    pub cname_chain: Vec<String>,
    /// A and AAAA.
    pub addresses: Vec<AddressSet>,
    /// The TLSA base domain used (RFC 7671 §7), `_25._tcp.` prefix included.
    pub tlsa_base: Option<String>,
    /// The TLSA records with their proof.
    pub tlsa: Validated<Vec<TlsaRecord>>,
    /// The TTL the zone gives the TLSA RRset (or its denial), in seconds:
    /// the RRSIG Original TTL when validated (RFC 4034 §3.1.4), which bounds
    /// how long a cache may keep the old RRset after a change (RFC 7671
    /// §8.1); 0 when the lookup failed.
    pub tlsa_ttl: u32,
    /// What a DANE client does.
    pub outcome: HostOutcome,
    /// Why, in words.
    pub why: String,
    /// Validation steps of the TLSA lookup used.
    pub tlsa_trace: Vec<Step>,
    /// The first signature to expire among those the host's secure A, AAAA
    /// and TLSA answers rest on (their own, CNAME links, DS and DNSKEY up
    /// to the trust anchor).
    pub expiry: Option<SigExpiry>,
}

impl Serialize for HostReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            host: &'a str,
            preference: u16,
            cname_chain: &'a [String],
            addresses: &'a [AddressSet],
            tlsa_base: &'a Option<String>,
            tlsa_status: Status,
            tlsa_proof: &'a Proof,
            tlsa: &'a [TlsaRecord],
            tlsa_ttl: u32,
            outcome: HostOutcome,
            rfc: &'static str,
            why: &'a str,
            tlsa_trace: &'a [Step],
            #[serde(skip_serializing_if = "Option::is_none")]
            expiry: &'a Option<SigExpiry>,
        }
        let (proof, records) = self.tlsa.with_proof();
        View {
            host: &self.host,
            preference: self.preference,
            cname_chain: &self.cname_chain,
            addresses: &self.addresses,
            tlsa_base: &self.tlsa_base,
            tlsa_status: proof.status(),
            tlsa_proof: proof,
            tlsa: records,
            tlsa_ttl: self.tlsa_ttl,
            outcome: self.outcome,
            rfc: self.outcome.rfc(),
            why: &self.why,
            tlsa_trace: &self.tlsa_trace,
            expiry: &self.expiry,
        }
        .serialize(s)
    }
}

/// What a mail-policy TXT lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxtOutcome {
    /// TXT records exist (whether they are the protocol's is for its parser).
    Records,
    /// The name has no TXT records, or does not exist.
    NoRecords,
    /// Nothing usable came back: the lookup failed (see the proof). Never
    /// "missing": the records may well exist.
    Unknown,
}

/// The TXT RRset of a mail policy — TLSRPT at `_smtp._tls.<domain>`
/// (RFC 8460 §3) or MTA-STS at `_mta-sts.<domain>` (RFC 8461 §3.1) — with
/// its proof. Asked in the first round, with the MX RRset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyTxt {
    /// The name looked up.
    pub name: String,
    /// Its security: an unsigned or bogus answer is said as such.
    pub status: Status,
    /// Its proof in full.
    pub proof: Proof,
    pub outcome: TxtOutcome,
    /// Each TXT record as its strings (RFC 1035 §3.3.14), in a fixed order.
    #[serde(skip)]
    pub records: Vec<Vec<Vec<u8>>>,
    /// The same, strings concatenated, for people (octets outside printable
    /// ASCII escaped).
    pub text: Vec<String>,
}

impl PolicyTxt {
    fn new(name: &Name, resolved: Resolved) -> Self {
        let (outcome, mut records) = match &resolved.data {
            Data::Records(rs) => (
                TxtOutcome::Records,
                rs.iter()
                    .filter_map(|r| match &r.data {
                        RData::TXT(t) => Some(t.txt_data.iter().map(|s| s.to_vec()).collect::<Vec<_>>()),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            Data::NoData | Data::NxDomain => (TxtOutcome::NoRecords, Vec::new()),
            Data::Unknown => (TxtOutcome::Unknown, Vec::new()),
        };
        // RFC 2181 §5: an RRset has no order.
        crate::order::sort(&mut records);
        records.dedup();
        let text = records.iter().map(|r| crate::smtp::sanitize(&r.concat(), 2048)).collect();
        Self { name: name.to_ascii(), status: resolved.proof.status(), proof: resolved.proof, outcome, records, text }
    }
}

/// The addresses of the MTA-STS policy host `mta-sts.<domain>` (RFC 8461
/// §3.3), validated like an MX host's, asked only when the domain has an
/// MTA-STS record (with the MX hosts' lookups: no round of its own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyHost {
    /// `mta-sts.<domain>`.
    pub host: String,
    /// A and AAAA.
    pub addresses: Vec<AddressSet>,
}

impl PolicyHost {
    /// The addresses a fetch may connect to: those of RRsets that validated
    /// as secure or insecure (never bogus or indeterminate data, which may
    /// be an attacker's), sorted.
    #[must_use]
    pub fn usable_addresses(&self) -> Vec<IpAddr> {
        let mut ips: Vec<IpAddr> = self
            .addresses
            .iter()
            .filter(|a| matches!(a.status, Status::Secure | Status::Insecure))
            .flat_map(|a| a.addresses.iter().copied())
            .collect();
        crate::order::sort(&mut ips);
        ips
    }

    /// Why there is nothing to connect to, when so: a failed lookup, or no addresses.
    #[must_use]
    pub fn problem(&self) -> Option<String> {
        if let Some(bad) = self.addresses.iter().find(|a| matches!(a.status, Status::Bogus | Status::Indeterminate)) {
            return Some(format!("the {} lookup of {} is {}: {}", bad.rtype, self.host, bad.status, bad.proof));
        }
        self.usable_addresses().is_empty().then(|| format!("{} has no A or AAAA records", self.host))
    }
}

/// `_smtp._tls.<domain>` (RFC 8460 §3).
fn tlsrpt_name(domain: &Name) -> Option<Name> {
    domain.prepend_label(Label::from_ascii("_tls").ok()?).ok()?.prepend_label(Label::from_ascii("_smtp").ok()?).ok()
}

/// `_mta-sts.<domain>` (RFC 8461 §3.1).
fn mta_sts_name(domain: &Name) -> Option<Name> {
    domain.prepend_label(Label::from_ascii("_mta-sts").ok()?).ok()
}

/// The DNS side of a DANE check of one mail domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SmtpReport {
    /// The domain checked.
    pub domain: String,
    /// Security of the MX RRset (or of its denial).
    pub mx_status: Status,
    /// Its proof in full.
    pub mx_proof: Proof,
    /// What the MX lookup means.
    pub mx_outcome: MxOutcome,
    /// The hosts checked, by preference.
    pub hosts: Vec<HostReport>,
    /// The MX hosts beyond [`MAX_MX_HOSTS`], by preference: not checked.
    pub unchecked: Vec<UncheckedHost>,
    /// Whether every MX host is checked and DANE-ready and the MX RRset is secure.
    pub dane_ready: bool,
    /// Sequential rounds of queries.
    pub rounds: u32,
    /// Queries in all.
    pub queries: u32,
    /// Validation steps of the MX lookup.
    pub trace: Vec<Step>,
    /// The first signature to expire that a secure MX answer (or its
    /// denial) rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mx_expiry: Option<SigExpiry>,
    /// The TLSRPT TXT lookup (RFC 8460 §3); none for a host named directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tlsrpt_txt: Option<PolicyTxt>,
    /// The MTA-STS TXT lookup (RFC 8461 §3.1); none for a host named directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mta_sts_txt: Option<PolicyTxt>,
    /// The policy host's addresses, when the domain has an MTA-STS record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mta_sts_host: Option<PolicyHost>,
}

impl SmtpReport {
    /// The first signature to expire among those of the MX answer and every
    /// host's answers (see [`HostReport::expiry`]).
    #[must_use]
    pub fn first_signature_expiry(&self) -> Option<SigExpiry> {
        self.hosts.iter().map(|h| h.expiry.clone()).fold(self.mx_expiry.clone(), earliest)
    }
}

/// The MX stage of a check (see `SmtpCheck::mx_stage`).
struct MxStage {
    mx: Answer,
    mx_proof: Proof,
    mx_outcome: MxOutcome,
    hosts: Vec<(u16, Name)>,
    unchecked: Vec<UncheckedHost>,
}

/// A DANE DNS check of a mail domain, sans-IO (same call order as [`super::Lookup`]):
/// [`SmtpCheck::poll_queries`] → send all → `handle_response`/`handle_error` for
/// each → repeat until [`SmtpCheck::is_done`], then [`SmtpCheck::poll_result`].
///
/// Round 1 asks for the MX RRset with DS and DNSKEY of every ancestor; round 2
/// for A, AAAA and TLSA of every host with their ancestors' DS and DNSKEY;
/// round 3 only when a host is an alias (the TLSA base of its target).
#[must_use]
pub struct SmtpCheck {
    engine: Engine,
    domain: Name,
    /// `[host]`: skip the MX lookup.
    direct: bool,
    result: Option<SmtpReport>,
}

impl SmtpCheck {
    /// Starts a check of `domain` at Unix time `now`.
    pub fn new(domain: Name, config: Config, now: u64) -> Self {
        Self { engine: Engine::new(config, now), domain, direct: false, result: None }
    }

    /// Starts a check of one host named directly (Postfix's `[host]`): no
    /// MX lookup; the host's addresses and TLSA records as for an MX host.
    pub fn new_host(host: Name, config: Config, now: u64) -> Self {
        Self { engine: Engine::new(config, now), domain: host, direct: true, result: None }
    }

    /// The queries that can be sent now, all at once.
    pub fn poll_queries(&mut self) -> Vec<Query> {
        if self.result.is_some() {
            return Vec::new();
        }
        if let Some(report) = self.evaluate() {
            self.result = Some(report);
            return Vec::new();
        }
        let queries = self.engine.take_queries();
        if queries.is_empty() && !self.engine.has_pending() {
            // Defensive: nothing to ask and nothing outstanding cannot make progress.
            let proof = Proof::indeterminate(super::ReasonKind::Network, "the check stalled without an answer");
            let stats = self.engine.stats();
            self.result = Some(SmtpReport {
                domain: self.domain.to_ascii(),
                mx_status: proof.status(),
                mx_proof: proof,
                mx_outcome: MxOutcome::Deferred,
                hosts: Vec::new(),
                unchecked: Vec::new(),
                dane_ready: false,
                rounds: stats.rounds,
                queries: stats.queries,
                trace: Vec::new(),
                mx_expiry: None,
                tlsrpt_txt: None,
                mta_sts_txt: None,
                mta_sts_host: None,
            });
        }
        queries
    }

    /// Hands in the response bytes for query `id`.
    pub fn handle_response(&mut self, id: QueryId, bytes: &[u8]) -> Result<(), DnsError> {
        self.engine.handle_response(id, bytes)
    }

    /// Reports that query `id` got no answer.
    pub fn handle_error(&mut self, id: QueryId, error: &str) -> Result<(), DnsError> {
        self.engine.handle_error(id, error)
    }

    /// Whether the report is ready.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.result.is_some()
    }

    /// The report, once done.
    #[must_use]
    pub fn poll_result(&self) -> Option<&SmtpReport> {
        self.result.as_ref()
    }

    /// Rounds and queries so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }

    fn evaluate(&mut self) -> Option<SmtpReport> {
        let domain = self.domain.clone();
        if self.direct {
            self.engine.allow_hosts(1);
            let host = self.host(0, &domain)?;
            let dane_ready = host.outcome == HostOutcome::DaneRequired;
            let stats = self.engine.stats();
            return Some(SmtpReport {
                domain: domain.to_ascii(),
                mx_status: Status::Secure,
                mx_proof: Proof::Secure,
                mx_outcome: MxOutcome::Direct,
                hosts: vec![host],
                unchecked: Vec::new(),
                dane_ready,
                rounds: stats.rounds,
                queries: stats.queries,
                trace: Vec::new(),
                mx_expiry: None,
                tlsrpt_txt: None,
                mta_sts_txt: None,
                mta_sts_host: None,
            });
        }
        // The mail-policy TXT records go out in the first round, with the
        // MX RRset: they cost no round trip of their own.
        let policy = self.policy_txt();
        let policy_host = self.policy_host();
        let MxStage { mx, mx_proof, mx_outcome, hosts, unchecked } = self.mx_stage()?;
        // Ask for every host at once; finish only when all are complete.
        let mut reports = Vec::with_capacity(hosts.len());
        let mut complete = true;
        for (pref, host) in &hosts {
            match self.host(*pref, host) {
                Some(r) => reports.push(r),
                None => complete = false,
            }
        }
        if !complete {
            return None;
        }
        // Only now: the hosts' lookups above go out in the same round as the policy host's.
        let (tlsrpt_txt, mta_sts_txt) = policy?;
        let mta_sts_host = policy_host?;
        let dane_ready = mx_proof.is_secure()
            && matches!(mx_outcome, MxOutcome::Hosts | MxOutcome::Implicit)
            && !reports.is_empty()
            && unchecked.is_empty()
            && reports.iter().all(|h| h.outcome == HostOutcome::DaneRequired);
        let stats = self.engine.stats();
        Some(SmtpReport {
            domain: domain.to_ascii(),
            mx_status: mx_proof.status(),
            mx_proof,
            mx_outcome,
            hosts: reports,
            unchecked,
            dane_ready,
            rounds: stats.rounds,
            queries: stats.queries,
            mx_expiry: mx.expiry,
            trace: mx.trace,
            tlsrpt_txt: Some(tlsrpt_txt),
            mta_sts_txt: Some(mta_sts_txt),
            mta_sts_host,
        })
    }

    /// The policy host's addresses once validated: `Some(None)` when the
    /// domain has no MTA-STS record to fetch a policy for, `None` while
    /// answers are out.
    fn policy_host(&mut self) -> Option<Option<PolicyHost>> {
        let (_, sts) = self.policy_txt()?;
        let has_record =
            sts.status != Status::Bogus && matches!(crate::mailpolicy::StsRecord::select(&sts.records), Ok(Some(_)));
        let host = self.domain.prepend_label(Label::from_ascii("mta-sts").ok()?).ok();
        let Some(host) = host.filter(|_| has_record) else { return Some(None) };
        let a = self.engine.resolve(&host, RecordType::A);
        let aaaa = self.engine.resolve(&host, RecordType::AAAA);
        let (a, aaaa) = (a?, aaaa?);
        let addresses = [(RecordType::A, a), (RecordType::AAAA, aaaa)]
            .into_iter()
            .map(|(rtype, r)| {
                let ans = Answer::from_resolved(&host, rtype, r);
                let (proof, data) = ans.data.with_proof();
                let mut ips: Vec<IpAddr> = match data {
                    AnswerData::Records(rs) => rs.iter().filter_map(|r| r.data.ip_addr()).collect(),
                    _ => Vec::new(),
                };
                crate::order::sort(&mut ips);
                ips.dedup();
                AddressSet { rtype: rtype.to_string(), status: proof.status(), proof: proof.clone(), addresses: ips }
            })
            .collect();
        Some(Some(PolicyHost { host: host.to_ascii(), addresses }))
    }

    /// The MTA-STS policy host's addresses as soon as they are validated
    /// (before the whole check is done), so that the policy can be fetched
    /// while MX hosts are still being looked up; `Some(None)`: nothing to
    /// fetch.
    pub fn mta_sts_host_ready(&mut self) -> Option<Option<PolicyHost>> {
        if let Some(r) = &self.result {
            return Some(r.mta_sts_host.clone());
        }
        if self.direct {
            return Some(None);
        }
        self.policy_host()
    }

    /// The TLSRPT and MTA-STS TXT lookups of the domain (asked with the MX
    /// RRset), once both are validated; `None` for a host named directly.
    fn policy_txt(&mut self) -> Option<(PolicyTxt, PolicyTxt)> {
        if self.direct {
            return None;
        }
        let names = tlsrpt_name(&self.domain).zip(mta_sts_name(&self.domain));
        let Some((tlsrpt, sts)) = names else {
            // A domain too long for the prefixes: nothing can be published there.
            let too_long = || {
                Resolved::stalled(
                    &self.domain,
                    Proof::indeterminate(super::ReasonKind::Malformed, "the domain is too long for the policy names"),
                )
            };
            return Some((PolicyTxt::new(&self.domain, too_long()), PolicyTxt::new(&self.domain, too_long())));
        };
        let a = self.engine.resolve(&tlsrpt, RecordType::TXT);
        let b = self.engine.resolve(&sts, RecordType::TXT);
        Some((PolicyTxt::new(&tlsrpt, a?), PolicyTxt::new(&sts, b?)))
    }

    /// The MX stage (RFC 7672 §2.2.1): what the MX lookup means and the
    /// hosts to check (at most [`MAX_MX_HOSTS`], the rest unchecked), once
    /// the MX RRset is validated. Grows the query budget with the hosts.
    fn mx_stage(&mut self) -> Option<MxStage> {
        let domain = self.domain.clone();
        let mx = self.engine.resolve(&domain, RecordType::MX)?;
        let mx = Answer::from_resolved(&domain, RecordType::MX, mx);
        let (mx_proof, mx_data) = mx.data.with_proof();
        let mx_proof = mx_proof.clone();
        let mut hosts: Vec<(u16, Name)> = Vec::new();
        let mut unchecked = Vec::new();
        let mx_outcome = match (mx_proof.status(), mx_data) {
            (Status::Bogus | Status::Indeterminate, _) | (_, AnswerData::Unknown) => MxOutcome::Deferred,
            (_, AnswerData::NxDomain) => MxOutcome::NxDomain,
            (_, AnswerData::NoData) => {
                hosts.push((0, domain.clone()));
                MxOutcome::Implicit
            }
            (_, AnswerData::Records(records)) => {
                for r in records {
                    if let RData::MX(mx) = &r.data {
                        let h = mx.exchange.to_lowercase();
                        if !hosts.iter().any(|(_, n)| *n == h) {
                            hosts.push((mx.preference, h));
                        }
                    }
                }
                crate::order::sort(&mut hosts);
                if hosts.len() == 1 && hosts.first().is_some_and(|(_, h)| h.is_root()) {
                    hosts.clear();
                    MxOutcome::NullMx
                } else {
                    hosts.retain(|(_, h)| !h.is_root());
                    if hosts.len() > MAX_MX_HOSTS {
                        unchecked = hosts
                            .split_off(MAX_MX_HOSTS)
                            .into_iter()
                            .map(|(preference, h)| UncheckedHost { host: h.to_ascii(), preference })
                            .collect();
                    }
                    MxOutcome::Hosts
                }
            }
        };
        // The query budget grows with the hosts to check (see `Config::max_queries_per_host`).
        self.engine.allow_hosts(hosts.len());
        Some(MxStage { mx, mx_proof, mx_outcome, hosts, unchecked })
    }

    /// The MX hosts whose lookups are complete so far (every host once the
    /// check is done), so that a driver can probe a host as soon as its
    /// addresses are validated rather than when the whole check ends.
    pub fn ready_hosts(&mut self) -> Vec<HostReport> {
        if let Some(report) = &self.result {
            return report.hosts.clone();
        }
        let hosts = if self.direct {
            vec![(0, self.domain.clone())]
        } else {
            match self.mx_stage() {
                Some(stage) => stage.hosts,
                None => return Vec::new(),
            }
        };
        hosts.iter().filter_map(|(pref, host)| self.host(*pref, host)).collect()
    }

    fn host(&mut self, preference: u16, host: &Name) -> Option<HostReport> {
        let tlsa_name = tlsa_name(host);
        // All three go out together, with their ancestors' DS/DNSKEY.
        let a = self.engine.resolve(host, RecordType::A);
        let aaaa = self.engine.resolve(host, RecordType::AAAA);
        let tlsa_orig = tlsa_name.as_ref().map(|n| self.engine.resolve(n, RecordType::TLSA));
        // An alias: ask for the TLSA RRset of the target while its chain is being validated.
        let peeked = self.engine.peek_target(host, RecordType::A).and_then(|t| tlsa_name_of(&t));
        let tlsa_peeked = peeked.map(|n| self.engine.resolve(&n, RecordType::TLSA));
        let (a, aaaa) = (a?, aaaa?);
        let _ = tlsa_peeked;
        let tlsa_orig = match tlsa_orig {
            Some(t) => Some(t?),
            None => None,
        };
        let a = Answer::from_resolved(host, RecordType::A, a);
        let aaaa = Answer::from_resolved(host, RecordType::AAAA, aaaa);
        let cname_chain: Vec<String> = a.chain.iter().map(|l| format!("{} → {}", l.from, l.to)).collect();
        let expanded = (a.target != *host).then(|| a.target.clone());
        // RFC 7671 §7 / RFC 7672 §2.2.3: the expanded name first, if the whole chain is secure.
        let mut base: Option<(Name, Resolved)> = None;
        let secure_target = expanded.as_ref().filter(|_| a.chain_is_secure() && a.status() == Status::Secure);
        if let Some(t_name) = secure_target.and_then(tlsa_name_of) {
            let t = self.engine.resolve(&t_name, RecordType::TLSA)?;
            // Fall back to the original name only after a secure proof of no records at the target.
            let has_records = !matches!(t.data, Data::NoData | Data::NxDomain) || !t.proof.is_secure();
            if has_records {
                base = Some((t_name, t));
            }
        }
        if base.is_none() {
            base = tlsa_name.zip(tlsa_orig);
        }
        let addresses = [&a, &aaaa]
            .iter()
            .map(|ans| {
                let (proof, data) = ans.data.with_proof();
                AddressSet {
                    rtype: ans.qtype.to_string(),
                    status: proof.status(),
                    proof: proof.clone(),
                    addresses: match data {
                        // RRsets have no order (RFC 2181 §5): sorted, so that a
                        // resolver rotating them changes nothing in a report.
                        AnswerData::Records(rs) => {
                            let mut ips: Vec<IpAddr> = rs.iter().filter_map(|r| r.data.ip_addr()).collect();
                            crate::order::sort(&mut ips);
                            ips.dedup();
                            ips
                        }
                        _ => Vec::new(),
                    },
                }
            })
            .collect::<Vec<_>>();
        let tlsa_trace = base.as_ref().map(|(_, r)| r.trace.clone()).unwrap_or_default();
        let expiry = [a.expiry.clone(), aaaa.expiry.clone(), base.as_ref().and_then(|(_, r)| r.expiry.clone())]
            .into_iter()
            .fold(None, earliest);
        let tlsa_ttl = base.as_ref().map_or(0, |(_, r)| r.zone_ttl);
        let (tlsa_base, tlsa) = match base {
            Some((n, r)) => {
                let records = match &r.data {
                    Data::Records(rs) => {
                        // In a fixed order (RFC 2181 §5: an RRset has none), duplicates once.
                        let mut records: Vec<TlsaRecord> =
                            rs.iter().filter_map(|rec| tlsa_of(&rec.data)).map(TlsaRecord::new).collect();
                        crate::order::sort_by_key(&mut records, TlsaRecord::to_text);
                        records.dedup_by(|a, b| a.to_text() == b.to_text());
                        records
                    }
                    _ => Vec::new(),
                };
                (Some(n.to_ascii()), Validated::new(r.proof, records))
            }
            None => (
                None,
                Validated::new(
                    Proof::indeterminate(super::ReasonKind::Malformed, "the host name is too long for a TLSA name"),
                    Vec::new(),
                ),
            ),
        };
        let (outcome, why) = decide(&addresses, &tlsa);
        Some(HostReport {
            host: host.to_ascii(),
            preference,
            cname_chain,
            addresses,
            tlsa_base,
            tlsa,
            tlsa_ttl,
            outcome,
            why,
            tlsa_trace,
            expiry,
        })
    }
}

/// The per-host decision of RFC 7672 §2.2.
fn decide(addresses: &[AddressSet], tlsa: &Validated<Vec<TlsaRecord>>) -> (HostOutcome, String) {
    if let Some(bad) = addresses.iter().find(|a| matches!(a.status, Status::Bogus | Status::Indeterminate)) {
        return (HostOutcome::Deferred, format!("the {} lookup is {}: {}", bad.rtype, bad.status, bad.proof));
    }
    if addresses.iter().all(|a| a.addresses.is_empty()) {
        return (HostOutcome::NoAddress, "neither A nor AAAA records exist".into());
    }
    if let Some(insecure) = addresses.iter().find(|a| a.status == Status::Insecure && !a.addresses.is_empty()) {
        return (
            HostOutcome::NoDane,
            format!(
                "DNSSEC does not authenticate the {} records ({}), so TLSA records are not used (RFC 7672 §2.2.2)",
                insecure.rtype, insecure.proof
            ),
        );
    }
    let (proof, records) = tlsa.with_proof();
    match proof.status() {
        Status::Bogus | Status::Indeterminate => (HostOutcome::Deferred, format!("the TLSA lookup is {proof}")),
        Status::Insecure => (HostOutcome::NoDane, format!("the TLSA lookup is {proof}")),
        Status::Secure if records.is_empty() => (HostOutcome::NoDane, "DNSSEC proves there are no TLSA records".into()),
        Status::Secure => {
            let usable = records.iter().filter(|r| r.problems.is_empty()).count();
            if usable > 0 {
                (HostOutcome::DaneRequired, format!("{usable} of {} TLSA records are usable", records.len()))
            } else {
                (
                    HostOutcome::TlsUnauthenticated,
                    format!("none of the {} TLSA records is usable for SMTP", records.len()),
                )
            }
        }
    }
}

/// `_25._tcp.<host>` (RFC 7672 §2.2.3).
fn tlsa_name(host: &Name) -> Option<Name> {
    tlsa_name_of(host)
}

fn tlsa_name_of(host: &Name) -> Option<Name> {
    // ASCII labels: `&str` labels would go through IDNA mapping (and link its tables).
    host.prepend_label(Label::from_ascii("_tcp").ok()?).ok()?.prepend_label(Label::from_ascii("_25").ok()?).ok()
}

/// A TLSA RDATA as the core's [`Tlsa`].
fn tlsa_of(rdata: &RData) -> Option<Tlsa> {
    match rdata {
        RData::TLSA(t) => Some(Tlsa::new(
            Usage::from_u8(u8::from(t.cert_usage)),
            Selector::from_u8(u8::from(t.selector)),
            MatchingType::from_u8(u8::from(t.matching)),
            t.cert_data.clone(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(rtype: &str, status: Status, n: usize) -> AddressSet {
        let proof = match status {
            Status::Secure => Proof::Secure,
            Status::Insecure => Proof::Insecure { zone_cut: "x.".into(), why: "no DS".into() },
            Status::Bogus => Proof::bogus(super::super::ReasonKind::SignatureExpired, "expired"),
            Status::Indeterminate => Proof::indeterminate(super::super::ReasonKind::Network, "down"),
        };
        AddressSet {
            rtype: rtype.into(),
            status,
            proof,
            addresses: vec!["192.0.2.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])); n],
        }
    }

    fn rec(usage: u8) -> TlsaRecord {
        TlsaRecord::new(Tlsa::new(Usage::from_u8(usage), Selector::SPKI, MatchingType::SHA2_256, vec![0; 32]))
    }

    #[test]
    fn outcomes_follow_rfc7672() {
        let good = [set("A", Status::Secure, 1), set("AAAA", Status::Secure, 0)];
        assert_eq!(decide(&good, &Validated::new(Proof::Secure, vec![rec(3), rec(1)])).0, HostOutcome::DaneRequired);
        assert_eq!(decide(&good, &Validated::new(Proof::Secure, vec![rec(1)])).0, HostOutcome::TlsUnauthenticated);
        assert_eq!(decide(&good, &Validated::new(Proof::Secure, vec![])).0, HostOutcome::NoDane);
        let bogus = Proof::bogus(super::super::ReasonKind::RrsigsMissing, "x");
        assert_eq!(decide(&good, &Validated::new(bogus, vec![rec(3)])).0, HostOutcome::Deferred);
        let insecure_addr = [set("A", Status::Insecure, 1)];
        assert_eq!(decide(&insecure_addr, &Validated::new(Proof::Secure, vec![rec(3)])).0, HostOutcome::NoDane);
        let bogus_addr = [set("A", Status::Secure, 1), set("AAAA", Status::Bogus, 1)];
        assert_eq!(decide(&bogus_addr, &Validated::new(Proof::Secure, vec![rec(3)])).0, HostOutcome::Deferred);
        assert_eq!(
            tlsa_name(&Name::from_ascii("mx.example.").unwrap_or_default()).map(|n| n.to_ascii()),
            Some("_25._tcp.mx.example.".into())
        );
    }
}
