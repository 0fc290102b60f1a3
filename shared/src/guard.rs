//! The renewal guard: will the certificate that is about to go live
//! authenticate under the TLSA records published now? (RFC 7671 §8.1,
//! RFC 7672 §3.1.)
//!
//! Renewing a certificate with a new key while the TLSA records pin the old
//! one, or under a CA whose intermediate the DANE-TA record no longer
//! names, stops mail from every DANE-aware sender until the records are
//! fixed and the old RRset has left their caches. The guard answers before
//! the certificate is deployed: the input is the candidate (the chain about
//! to go live, or only its key or certificate request), the MX hosts' DNS
//! reports with their validated TLSA RRsets, and `now`.
//!
//! ```text
//!  cert::Input ──► Candidate::from_input (chain valid now? one key?)
//!  SmtpReport  ──► select_hosts (the MX hosts the certificate serves)
//!                        │
//!  candidate + hosts + now ──► decide ──► per host: Safe | Breaks | Undecided
//!                                          Breaks: records to publish, the TTL
//!                                          to wait, the steps of RFC 7671 §8.1
//! ```
//!
//! The guard never says "safe" for what it could not check: a TLSA lookup
//! that is bogus, indeterminate or insecure, addresses that are not
//! validated, and DANE-TA(2) records judged against a bare key (whose chain
//! the CA has not issued yet) are [`Decision::Undecided`].

use serde::Serialize;

use crate::cert::{Certificate, Input, Object};
use crate::dane::{self, Check, ReferenceNames};
use crate::dns::{HostReport, MxOutcome, SmtpReport, Status};
use crate::time::format_utc;
use crate::tlsa::{MatchingType, Selector, Tlsa, Usage};
use crate::tlsa_gen::association_data;

/// Why the guard cannot start: the input is not a deployable candidate, or
/// the hosts to check cannot be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// Neither a chain of certificates nor a single key or request.
    #[error(
        "expected a certificate chain (leaf first, as in fullchain.pem), or one public key or certificate request, found {found}"
    )]
    Candidate { found: String },
    /// A certificate of the chain has expired.
    #[error(
        "expected a certificate chain that is valid now ({now}), found the certificate at depth {depth} ({subject}) expired at {not_after}"
    )]
    Expired { depth: usize, subject: String, not_after: String, now: String },
    /// A certificate of the chain is not valid yet.
    #[error(
        "expected a certificate chain that is valid now ({now}), found the certificate at depth {depth} ({subject}) valid only from {not_before}"
    )]
    NotYetValid { depth: usize, subject: String, not_before: String, now: String },
    /// No host names to check: a key or request names none.
    #[error(
        "expected the MX host names the certificate serves, found none: a {what} carries no host names, so name the hosts"
    )]
    NoHosts { what: &'static str },
    /// The mail domain has no MX hosts to serve.
    #[error("expected {domain} to have MX hosts, found {found}")]
    NoMx { domain: String, found: String },
    /// The MX lookup did not validate: the hosts cannot be told.
    #[error("cannot tell the MX hosts of {domain}: the MX lookup is {status} ({detail})")]
    MxUnknown { domain: String, status: Status, detail: String },
    /// A host given is not an MX host of the domain.
    #[error("expected an MX host of {domain} ({mx}), found {host}")]
    NotAnMxHost { host: String, domain: String, mx: String },
    /// The certificate names none of the domain's MX hosts.
    #[error("expected the certificate to name an MX host of {domain} ({mx}), found the names {names}")]
    NoMxNamed { domain: String, mx: String, names: String },
}

/// What is about to go live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    /// The new chain, leaf first (as in `fullchain.pem`).
    Chain(Vec<Certificate>),
    /// Only the new key: a bare public key or the key of a certificate
    /// request. Only DANE-EE(3) SPKI(1) records can be judged against it.
    Key {
        /// The DER SubjectPublicKeyInfo.
        spki: Vec<u8>,
        /// "public key" or "certificate request".
        what: &'static str,
        /// Key kind and size.
        key: String,
    },
}

/// The candidate, summarised for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidateSummary {
    /// "certificate chain", "public key" or "certificate request".
    pub kind: &'static str,
    /// The leaf's subject (chains only).
    pub subject: Option<String>,
    /// The leaf's DNS names (chains only).
    pub names: Vec<String>,
    /// The leaf's issuer (chains only).
    pub issuer: Option<String>,
    /// The leaf's `notAfter`, Unix seconds (chains only).
    pub not_after: Option<i64>,
    /// Key kind and size.
    pub key: String,
    /// The `3 1 1` record that pins the new key (RFC 7671 §5.1).
    pub record: String,
}

impl Candidate {
    /// The candidate in `input`, checked to be deployable at `now`: a chain
    /// of certificates each valid now, or exactly one public key or
    /// certificate request. (A private key never gets here: the certificate
    /// reader refuses it.)
    ///
    /// # Errors
    /// Mixed or several keys, or a certificate not valid at `now`.
    pub fn from_input(input: &Input, now: i64) -> Result<Self, GuardError> {
        let certs: Vec<&Certificate> = input.certificates().collect();
        if !certs.is_empty() {
            if certs.len() != input.objects.len() {
                return Err(GuardError::Candidate {
                    found: "certificates mixed with public keys or certificate requests".to_owned(),
                });
            }
            for (depth, c) in certs.iter().enumerate() {
                if now > c.not_after {
                    return Err(GuardError::Expired {
                        depth,
                        subject: c.subject.clone(),
                        not_after: format_utc(c.not_after),
                        now: format_utc(now),
                    });
                }
                if now < c.not_before {
                    return Err(GuardError::NotYetValid {
                        depth,
                        subject: c.subject.clone(),
                        not_before: format_utc(c.not_before),
                        now: format_utc(now),
                    });
                }
            }
            return Ok(Self::Chain(certs.into_iter().cloned().collect()));
        }
        match input.objects.as_slice() {
            [Object::PublicKey(k)] => Ok(Self::Key { spki: k.spki().to_vec(), what: "public key", key: k.key.clone() }),
            [Object::Request(r)] => {
                Ok(Self::Key { spki: r.spki().to_vec(), what: "certificate request", key: r.key.clone() })
            }
            [] => Err(GuardError::Candidate { found: "nothing".to_owned() }),
            more => Err(GuardError::Candidate { found: format!("{} public keys or certificate requests", more.len()) }),
        }
    }

    /// The DER SubjectPublicKeyInfo of the new key.
    #[must_use]
    pub fn spki(&self) -> &[u8] {
        match self {
            Self::Chain(c) => c.first().map_or(&[][..], Certificate::spki),
            Self::Key { spki, .. } => spki,
        }
    }

    /// The `3 1 1` record of the new key (RFC 7671 §5.1).
    #[must_use]
    pub fn ee_record(&self) -> Tlsa {
        spki_record(Usage::DANE_EE, self.spki())
    }

    /// The host names the leaf carries (SAN dNSNames, else its common
    /// names, RFC 7672 §3.2.3); none for a key or request.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::Chain(c) => c
                .first()
                .map(|leaf| if leaf.dns_names.is_empty() { leaf.common_names.clone() } else { leaf.dns_names.clone() })
                .unwrap_or_default(),
            Self::Key { .. } => Vec::new(),
        }
    }

    /// The summary for the report.
    #[must_use]
    pub fn summary(&self) -> CandidateSummary {
        let record = self.ee_record().to_string();
        match self {
            Self::Chain(c) => {
                let leaf = c.first();
                CandidateSummary {
                    kind: "certificate chain",
                    subject: leaf.map(|l| l.subject.clone()),
                    names: self.names(),
                    issuer: leaf.map(|l| l.issuer.clone()),
                    not_after: leaf.map(|l| l.not_after),
                    key: leaf.map(|l| l.key.clone()).unwrap_or_default(),
                    record,
                }
            }
            Self::Key { what, key, .. } => CandidateSummary {
                kind: what,
                subject: None,
                names: Vec::new(),
                issuer: None,
                not_after: None,
                key: key.clone(),
                record,
            },
        }
    }
}

/// `usage 1 1`: SHA-256 of a SubjectPublicKeyInfo.
pub(crate) fn spki_record(usage: Usage, spki: &[u8]) -> Tlsa {
    let data = association_data(&[], spki, Selector::SPKI, MatchingType::SHA2_256).unwrap_or_default();
    Tlsa::new(usage, Selector::SPKI, MatchingType::SHA2_256, data)
}

fn bare(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// The MX hosts of `report` the candidate serves: those in `wanted` (each
/// must be an MX host), or else the MX hosts the certificate names.
///
/// # Errors
/// The domain has no MX hosts or its MX lookup did not validate; a wanted
/// host is not an MX host; the certificate names none (or is only a key).
pub fn select_hosts<'a>(
    report: &'a SmtpReport,
    candidate: &Candidate,
    wanted: &[String],
) -> Result<Vec<&'a HostReport>, GuardError> {
    let domain = report.domain.clone();
    match report.mx_outcome {
        MxOutcome::NxDomain => {
            return Err(GuardError::NoMx { domain, found: "that the domain does not exist (NXDOMAIN)".to_owned() });
        }
        MxOutcome::NullMx => {
            return Err(GuardError::NoMx {
                domain,
                found: "a null MX: the domain accepts no mail (RFC 7505)".to_owned(),
            });
        }
        MxOutcome::Deferred => {
            return Err(GuardError::MxUnknown {
                domain,
                status: report.mx_status,
                detail: report.mx_proof.to_string(),
            });
        }
        MxOutcome::Hosts | MxOutcome::Implicit | MxOutcome::Direct => {}
    }
    let mx = || {
        let mut list: Vec<String> = report.hosts.iter().map(|h| bare(&h.host)).collect();
        list.extend(report.unchecked.iter().map(|u| bare(&u.host)));
        list.join(", ")
    };
    if !wanted.is_empty() {
        let mut out = Vec::new();
        for w in wanted {
            let Some(h) = report.hosts.iter().find(|h| bare(&h.host) == bare(w)) else {
                return Err(GuardError::NotAnMxHost { host: bare(w), domain, mx: mx() });
            };
            if !out.iter().any(|o: &&HostReport| o.host == h.host) {
                out.push(h);
            }
        }
        return Ok(out);
    }
    if let Candidate::Key { what, .. } = candidate {
        return Err(GuardError::NoHosts { what });
    }
    let names = candidate.names();
    let served: Vec<&HostReport> =
        report.hosts.iter().filter(|h| names.iter().any(|n| dane::name_matches(n, &bare(&h.host)))).collect();
    if served.is_empty() {
        let names = if names.is_empty() { "(none)".to_owned() } else { names.join(", ") };
        return Err(GuardError::NoMxNamed { domain, mx: mx(), names });
    }
    Ok(served)
}

/// The guard's answer overall (the worst host decides: undecided, then
/// breaks, then safe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardVerdict {
    /// Deploying now keeps DANE working for every host.
    Safe,
    /// Deploying now breaks DANE for at least one host.
    Breaks,
    /// At least one host could not be decided.
    Undecided,
}

impl GuardVerdict {
    /// A sentence for the admin.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Safe => "safe to deploy: the new certificate authenticates under the published TLSA records",
            Self::Breaks => {
                "do NOT deploy yet: the new certificate does not authenticate under the published TLSA records, and DANE-aware senders would defer mail"
            }
            Self::Undecided => "could not decide: do not deploy until the guard can check every host",
        }
    }
}

/// Why a host is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SafeReason {
    /// A usable record authenticates the new chain (or pins the new key).
    Matches,
    /// DNSSEC proves there are no TLSA records: DANE does not apply (RFC 7672 §2.2.2).
    NoTlsa,
    /// Only unusable records: TLS is mandatory but unauthenticated, whatever
    /// the certificate (RFC 7672 §3.1.3).
    NoUsableRecords,
}

/// What the guard decided for one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Deploying keeps this host authenticated.
    Safe {
        reason: SafeReason,
        /// The records that authenticate the new chain, presentation format.
        matched: Vec<String>,
        /// In words.
        detail: String,
    },
    /// Deploying now breaks DANE for this host.
    Breaks {
        /// Why the published records do not authenticate the new chain, per record.
        why: Vec<String>,
        /// The records to publish now, next to the current ones (presentation format).
        publish: Vec<String>,
        /// Seconds to wait after publishing before deploying: the TLSA RRset's TTL.
        wait_seconds: u32,
        /// The records to remove once the new certificate is live.
        remove_after: Vec<String>,
        /// The steps in order (RFC 7671 §8.1).
        steps: Vec<String>,
    },
    /// The guard could not decide for this host.
    Undecided {
        /// Why, in words.
        why: String,
    },
}

/// The guard's answer for one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostGuard {
    /// The MX host.
    pub host: String,
    /// Where its TLSA records live (`_25._tcp.` prefix included).
    pub owner: Option<String>,
    /// The TLSA lookup's DNSSEC status.
    pub tlsa_status: Status,
    /// The TTL the zone gives the TLSA RRset, seconds.
    pub ttl: u32,
    /// The published TLSA records, presentation format.
    pub records: Vec<String>,
    /// The decision.
    #[serde(flatten)]
    pub decision: Decision,
}

/// The guard's full answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuardReport {
    /// Overall.
    pub verdict: GuardVerdict,
    /// The moment judged, Unix seconds.
    pub now: i64,
    /// What is about to go live.
    pub candidate: CandidateSummary,
    /// One entry per host, in the order given.
    pub hosts: Vec<HostGuard>,
}

/// Decides for every host whether the candidate authenticates under its
/// published TLSA records at `now` (see the module documentation).
#[must_use]
pub fn decide(candidate: &Candidate, hosts: &[&HostReport], now: i64) -> GuardReport {
    let hosts: Vec<HostGuard> = hosts.iter().map(|h| decide_host(candidate, h, now)).collect();
    let verdict = hosts
        .iter()
        .map(|h| match h.decision {
            Decision::Safe { .. } => GuardVerdict::Safe,
            Decision::Breaks { .. } => GuardVerdict::Breaks,
            Decision::Undecided { .. } => GuardVerdict::Undecided,
        })
        .max()
        .unwrap_or(GuardVerdict::Undecided);
    GuardReport { verdict, now, candidate: candidate.summary(), hosts }
}

fn decide_host(candidate: &Candidate, h: &HostReport, now: i64) -> HostGuard {
    let (proof, records) = h.tlsa.with_proof();
    HostGuard {
        host: h.host.clone(),
        owner: h.tlsa_base.clone(),
        tlsa_status: proof.status(),
        ttl: h.tlsa_ttl,
        records: records.iter().map(|r| r.to_text()).collect(),
        decision: host_decision(candidate, h, now),
    }
}

fn undecided(why: impl Into<String>) -> Decision {
    Decision::Undecided { why: why.into() }
}

/// Where the TLSA records of `h` live (`_25._tcp.` prefix included).
pub(crate) fn tlsa_owner(h: &HostReport) -> String {
    h.tlsa_base.clone().unwrap_or_else(|| format!("_25._tcp.{}", h.host))
}

/// Why the DNS answers for `h` do not let anyone decide about its TLSA
/// records: a bogus or missing address lookup, unsigned addresses (DANE is
/// not in force, RFC 7672 §2.2.2), or a TLSA lookup that is not secure.
/// `None` when the addresses and the TLSA RRset (or its denial) are secure.
/// `who` names the deciding tool in the sentence ("the guard").
pub(crate) fn dns_blocker(h: &HostReport, who: &str) -> Option<String> {
    // What a DANE client sees first: the address lookups (RFC 7672 §2.2).
    if let Some(bad) = h.addresses.iter().find(|a| matches!(a.status, Status::Bogus | Status::Indeterminate)) {
        return Some(format!("the {} lookup of {} is {}: {}", bad.rtype, h.host, bad.status, bad.proof));
    }
    if h.addresses.iter().all(|a| a.addresses.is_empty()) {
        return Some(format!("{} has no A or AAAA records, so no sender connects to it", h.host));
    }
    if let Some(insecure) = h.addresses.iter().find(|a| a.status == Status::Insecure && !a.addresses.is_empty()) {
        return Some(format!(
            "the {} records of {} are not DNSSEC-signed ({}), so senders do not use its TLSA records (RFC 7672 §2.2.2) and {who} cannot check a DANE set-up",
            insecure.rtype, h.host, insecure.proof
        ));
    }
    let proof = h.tlsa.proof();
    let owner = tlsa_owner(h);
    match proof.status() {
        Status::Bogus | Status::Indeterminate => Some(format!("the TLSA lookup at {owner} is {proof}")),
        Status::Insecure => {
            Some(format!("the TLSA records at {owner} are not DNSSEC-signed ({proof}), so {who} cannot check them"))
        }
        Status::Secure => None,
    }
}

fn host_decision(candidate: &Candidate, h: &HostReport, now: i64) -> Decision {
    if let Some(why) = dns_blocker(h, "the guard") {
        return undecided(why);
    }
    let (_, records) = h.tlsa.with_proof();
    let owner = tlsa_owner(h);
    if records.is_empty() {
        return Decision::Safe {
            reason: SafeReason::NoTlsa,
            matched: Vec::new(),
            detail: format!(
                "DNSSEC proves there are no TLSA records at {owner}: DANE does not apply, any certificate keeps working (RFC 7672 §2.2.2)"
            ),
        };
    }
    let usable: Vec<Tlsa> = records.iter().filter(|r| r.problems.is_empty()).map(|r| r.record.clone()).collect();
    if usable.is_empty() {
        return Decision::Safe {
            reason: SafeReason::NoUsableRecords,
            matched: Vec::new(),
            detail: format!(
                "none of the TLSA records at {owner} is usable for SMTP: senders require TLS without authenticating it, whatever the certificate (RFC 7672 §3.1.3)"
            ),
        };
    }
    match candidate {
        Candidate::Chain(chain) => chain_decision(chain, candidate, &usable, h, &owner, now),
        Candidate::Key { what, .. } => key_decision(candidate, what, &usable, h, &owner),
    }
}

fn chain_decision(
    chain: &[Certificate],
    candidate: &Candidate,
    usable: &[Tlsa],
    h: &HostReport,
    owner: &str,
    now: i64,
) -> Decision {
    let base = owner.strip_prefix("_25._tcp.").unwrap_or(owner);
    let names = match ReferenceNames::new(&[base, h.host.as_str()]) {
        Ok(n) => n,
        Err(e) => return undecided(format!("the reference names of {} cannot be checked: {e}", h.host)),
    };
    let ders: Vec<&[u8]> = chain.iter().map(Certificate::der).collect();
    let report = match dane::check(&ders, usable, Check { names: &names, now, look_ahead_days: None }) {
        Ok(r) => r,
        Err(e) => return undecided(format!("the new chain cannot be checked: {e}")),
    };
    if report.authenticated {
        let matched: Vec<String> =
            report.matched.iter().filter_map(|m| report.records.get(m.record)).map(|r| r.record.to_string()).collect();
        let detail = report
            .records
            .iter()
            .find(|r| r.authenticates)
            .map(|r| format!("`{}`: {}", r.record, r.detail))
            .unwrap_or_default();
        return Decision::Safe { reason: SafeReason::Matches, matched, detail };
    }
    let why: Vec<String> =
        report.records.iter().filter(|r| r.usable).map(|r| format!("`{}`: {}", r.record, r.detail)).collect();
    let mut publish = vec![candidate.ee_record()];
    // The domain pins a CA and the new chain's issuer is not it: offer the
    // new issuer's `2 1 1` too (RFC 7671 §5.2, §8.4).
    if usable.iter().any(|r| r.usage == Usage::DANE_TA)
        && let Some(issuer) = chain.get(1)
        && issuer.is_ca
    {
        publish.push(spki_record(Usage::DANE_TA, issuer.spki()));
    }
    breaks(why, publish, usable, h, owner)
}

fn key_decision(candidate: &Candidate, what: &str, usable: &[Tlsa], h: &HostReport, owner: &str) -> Decision {
    let spki = candidate.spki();
    let pins = |r: &&Tlsa| {
        r.usage == Usage::DANE_EE
            && r.selector == Selector::SPKI
            && association_data(&[], spki, r.selector, r.matching_type).is_some_and(|d| d == r.data)
    };
    if let Some(r) = usable.iter().find(pins) {
        return Decision::Safe {
            reason: SafeReason::Matches,
            matched: vec![r.to_string()],
            detail: format!(
                "`{r}` pins the key of the {what} (DANE-EE(3) SPKI: names, dates and the CA do not matter, RFC 7672 §3.1.1)"
            ),
        };
    }
    if usable.iter().any(|r| r.usage == Usage::DANE_TA) {
        return undecided(format!(
            "the TLSA records at {owner} include DANE-TA(2) records, which depend on the chain the CA issues; a {what} has no chain: give the issued certificate chain (fullchain.pem)"
        ));
    }
    let why = usable
        .iter()
        .map(|r| {
            if r.selector == Selector::SPKI {
                format!("`{r}`: DANE-EE(3) pins another key")
            } else {
                format!("`{r}`: DANE-EE(3) pins a whole certificate, which a new certificate never matches")
            }
        })
        .collect();
    breaks(why, vec![candidate.ee_record()], usable, h, owner)
}

/// Hours and minutes of `secs`, for people ("1 h", "5 min", "1 h 30 min").
pub(crate) fn duration(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (h, 0, 0) => format!("{h} h"),
        (h, m, 0) => format!("{h} h {m} min"),
        _ => format!("{secs} s"),
    }
}

fn breaks(why: Vec<String>, publish: Vec<Tlsa>, usable: &[Tlsa], h: &HostReport, owner: &str) -> Decision {
    let publish: Vec<String> = publish.iter().filter(|p| !usable.contains(p)).map(ToString::to_string).collect();
    let remove_after: Vec<String> = usable.iter().map(ToString::to_string).collect();
    let wait = h.tlsa_ttl;
    let mut steps = Vec::new();
    steps.push(format!(
        "publish {} at {owner}, next to the current records (keep those: the old certificate is still live)",
        publish.iter().map(|r| format!("`{owner} IN TLSA {r}`")).collect::<Vec<_>>().join(" and ")
    ));
    steps.push(format!(
        "wait until the new records have been visible for the TLSA TTL, {} ({wait} s): caches may hold the old RRset that long; then run the guard again, which says safe once the new records are live and validated",
        duration(wait)
    ));
    steps.push("deploy the new certificate (reload Postfix or Exim)".to_owned());
    steps.push(format!(
        "once every MX host serves the new certificate, remove the records that pin the old one: {}",
        remove_after.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
    ));
    Decision::Breaks { why, publish, wait_seconds: wait, remove_after, steps }
}

#[cfg(test)]
mod tests;
