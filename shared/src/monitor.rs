//! A check's outcome for monitoring systems: one state on the Monitoring
//! Plugins scale (OK, WARNING, CRITICAL, UNKNOWN) and the facts a plugin's
//! performance data or a Prometheus exposition carries, per domain, MX host
//! and address. The shells only render [`Monitor`] (`geleit check --format
//! nagios|prometheus`).
//!
//! The state follows the verdict's own severity scale
//! ([`Severity`](crate::verdict::Severity)): any finding of severity error
//! makes the domain CRITICAL (DANE senders defer mail, or send it without
//! the authentication DANE asks for), a warning makes it WARNING (works
//! today, weaker or fragile), information leaves it OK. An address that was
//! not probed, and a resolver that could not be reached, say nothing about
//! the domain: UNKNOWN, unless something else is known to be wrong. States
//! combine as CRITICAL > WARNING > UNKNOWN > OK (the Monitoring Plugins'
//! `max_state_alt`).

use std::net::IpAddr;

use serde::Serialize;

use crate::check::CheckOutcome;
use crate::dns::{HostOutcome, MxOutcome, SigExpiry, SmtpReport, Status};
use crate::tlsa::Tlsa;
use crate::verdict::{DomainVerdict, Finding, LookAhead, Reported, Severity, Verdict, signature_findings};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A Monitoring Plugins state; the discriminant is the plugin's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl State {
    /// The plugin's exit code.
    #[must_use]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// "OK", "WARNING", "CRITICAL" or "UNKNOWN".
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Warning => "WARNING",
            Self::Critical => "CRITICAL",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// How bad, for combining: OK < UNKNOWN < WARNING < CRITICAL.
    const fn rank(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Unknown => 1,
            Self::Warning => 2,
            Self::Critical => 3,
        }
    }

    /// The worse of two states.
    #[must_use]
    pub const fn worst(self, other: Self) -> Self {
        if other.rank() > self.rank() { other } else { self }
    }
}

/// One address of an MX host (full checks only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressMonitor {
    pub address: IpAddr,
    pub verdict: Verdict,
    pub authenticated: bool,
    /// The earliest `notAfter` in the chain the address presents (the one
    /// a default client gets), Unix seconds.
    pub first_expiry: Option<i64>,
}

/// One MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostMonitor {
    /// Without the trailing dot.
    pub host: String,
    /// The host's verdict (full checks) or what a DANE client does (DNS only), in words.
    pub summary: String,
    /// DNSSEC-validated usable TLSA records make DANE required (RFC 7672 §2.2).
    pub dane_required: bool,
    /// Usable TLSA records: fewer than two means no next key is published
    /// (RFC 7671 §8.1).
    pub usable_records: usize,
    /// Every address authenticates (`None`: DNS only, not probed).
    pub authenticated: Option<bool>,
    pub addresses: Vec<AddressMonitor>,
}

/// What a monitoring system needs of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Monitor {
    /// Without the trailing dot.
    pub domain: String,
    pub state: State,
    /// The outcome in a few words ("authenticated with DANE").
    pub summary: String,
    /// What decided a state other than OK, in words.
    pub reason: Option<String>,
    /// The check reached a verdict (false: the resolver could not be reached).
    pub checked: bool,
    /// The hosts were probed (a full verdict, not DNS only).
    pub probed: bool,
    /// The domain is authenticated (full checks) or DANE-ready (DNS only).
    pub authenticated: bool,
    pub hosts: Vec<HostMonitor>,
    /// The earliest `notAfter` of any presented chain, Unix seconds.
    pub first_expiry: Option<i64>,
    /// Whole days from `now` to [`Self::first_expiry`] (negative: expired).
    pub days_to_expiry: Option<i64>,
    /// The first RRSIG to expire among the answers the check rests on
    /// (see [`SmtpReport::first_signature_expiry`]).
    pub first_signature_expiry: Option<SigExpiry>,
    /// Whole days from `now` to [`Self::first_signature_expiry`].
    pub days_to_signature_expiry: Option<i64>,
}

impl Monitor {
    /// A domain that could not be checked (the resolver could not be
    /// reached, the input was not a domain): UNKNOWN, with the reason.
    #[must_use]
    pub fn not_checked(domain: &str, reason: String) -> Self {
        Self {
            domain: domain.to_owned(),
            state: State::Unknown,
            summary: "not checked".to_owned(),
            reason: Some(reason),
            checked: false,
            probed: false,
            authenticated: false,
            hosts: Vec::new(),
            first_expiry: None,
            days_to_expiry: None,
            first_signature_expiry: None,
            days_to_signature_expiry: None,
        }
    }

    /// MX hosts checked.
    #[must_use]
    pub fn host_count(&self) -> usize {
        self.hosts.len()
    }

    /// MX hosts that authenticate (full checks) or require DANE (DNS only).
    #[must_use]
    pub fn hosts_ok(&self) -> usize {
        self.hosts.iter().filter(|h| h.authenticated.unwrap_or(h.dane_required)).count()
    }

    /// Addresses probed.
    #[must_use]
    pub fn address_count(&self) -> usize {
        self.hosts.iter().map(|h| h.addresses.len()).sum()
    }

    /// Addresses that authenticate.
    #[must_use]
    pub fn addresses_authenticated(&self) -> usize {
        self.hosts.iter().flat_map(|h| &h.addresses).filter(|a| a.authenticated).count()
    }
}

fn bare(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_owned()
}

/// The monitoring view of a check's outcome at `now` (see the module documentation).
#[must_use]
pub fn summarize(outcome: &CheckOutcome, now: i64) -> Monitor {
    summarize_with(outcome, now, &LookAhead::default())
}

/// [`summarize`] with the look-ahead `ahead` for DNS-only outcomes (a full
/// verdict carries the findings of the window it was evaluated with).
#[must_use]
pub fn summarize_with(outcome: &CheckOutcome, now: i64, ahead: &LookAhead) -> Monitor {
    match outcome {
        CheckOutcome::Verdict(v) => full(v, now),
        CheckOutcome::Dns(r) => dns_only(r, now, ahead),
        CheckOutcome::ResolverUnreachable(f) => Monitor::not_checked(&bare(&f.domain), f.to_string()),
    }
}

/// The state a verdict implies on its own (a safety net under the findings).
const fn verdict_state(v: Verdict) -> State {
    match v {
        Verdict::Authenticated | Verdict::NullMx => State::Ok,
        Verdict::Trusted | Verdict::Incomplete | Verdict::NoDane | Verdict::TlsUnauthenticated => State::Warning,
        Verdict::NotProbed => State::Unknown,
        Verdict::NotAuthenticated
        | Verdict::NoStarttls
        | Verdict::Unreachable
        | Verdict::NoAddress
        | Verdict::Deferred
        | Verdict::NxDomain => State::Critical,
    }
}

/// The state one finding implies: its severity, except that an address
/// that was not probed is unknown, not wrong.
fn finding_state(r: &Reported) -> State {
    if matches!(r.finding, Finding::NotProbed { .. }) {
        return State::Unknown;
    }
    match r.severity {
        Severity::Error => State::Critical,
        Severity::Warning => State::Warning,
        Severity::Info => State::Ok,
    }
}

fn full(v: &DomainVerdict, now: i64) -> Monitor {
    let mut state = verdict_state(v.verdict);
    let mut reason: Option<(State, String)> = None;
    let mut note = |s: State, r: &Reported, place: &str| {
        // The first finding of the worst state explains it.
        if s != State::Ok && reason.as_ref().is_none_or(|(worst, _)| s.rank() > worst.rank()) {
            reason = Some((s, format!("{place}{}", r.message)));
        }
    };
    for r in &v.findings {
        let s = finding_state(r);
        note(s, r, "");
        state = state.worst(s);
    }
    let mut hosts = Vec::new();
    for h in &v.hosts {
        let host = bare(&h.host);
        for r in &h.findings {
            let s = finding_state(r);
            note(s, r, &format!("{host}: "));
            state = state.worst(s);
        }
        let mut addresses = Vec::new();
        for a in &h.addresses {
            for r in &a.findings {
                let s = finding_state(r);
                note(s, r, &format!("{host} {}: ", a.address));
                state = state.worst(s);
            }
            addresses.push(AddressMonitor {
                address: a.address,
                verdict: a.verdict,
                authenticated: a.authenticated,
                first_expiry: a.chain.iter().map(|c| c.not_after).min(),
            });
        }
        hosts.push(HostMonitor {
            host,
            summary: h.verdict.describe().to_owned(),
            dane_required: h.outcome == HostOutcome::DaneRequired,
            usable_records: usable(&h.tlsa),
            authenticated: Some(h.authenticated),
            addresses,
        });
    }
    let first_expiry = hosts.iter().flat_map(|h| &h.addresses).filter_map(|a| a.first_expiry).min();
    Monitor {
        domain: bare(&v.domain),
        state,
        summary: v.verdict.describe().to_owned(),
        reason: if state == State::Ok { None } else { reason.map(|(_, r)| r) },
        checked: true,
        probed: true,
        authenticated: v.authenticated,
        hosts,
        first_expiry,
        days_to_expiry: first_expiry.map(|t| (t - now).div_euclid(DAY)),
        first_signature_expiry: v.first_signature_expiry.clone(),
        days_to_signature_expiry: v.first_signature_expiry.as_ref().map(|e| (e.expiration - now).div_euclid(DAY)),
    }
}

/// Usable TLSA records among records in presentation format.
fn usable(records: &[String]) -> usize {
    records.iter().filter_map(|r| Tlsa::scan(r).ok()).filter(|t| t.smtp_problems().is_empty()).count()
}

fn host_state(o: HostOutcome) -> State {
    match o {
        HostOutcome::DaneRequired => State::Ok,
        HostOutcome::NoDane => State::Warning,
        HostOutcome::TlsUnauthenticated | HostOutcome::Deferred | HostOutcome::NoAddress => State::Critical,
    }
}

fn dns_only(r: &SmtpReport, now: i64, ahead: &LookAhead) -> Monitor {
    let mut state = State::Ok;
    let mut reason: Option<(State, String)> = None;
    let mut note = |s: State, why: String| {
        if s != State::Ok && reason.as_ref().is_none_or(|(worst, _)| s.rank() > worst.rank()) {
            reason = Some((s, why));
        }
    };
    let mx = match r.mx_outcome {
        MxOutcome::NxDomain => (State::Critical, "the domain does not exist".to_owned()),
        MxOutcome::Deferred => (State::Critical, format!("the MX lookup is {}", r.mx_proof)),
        MxOutcome::NullMx | MxOutcome::Direct => (State::Ok, String::new()),
        MxOutcome::Hosts | MxOutcome::Implicit if r.mx_status == Status::Insecure => {
            (State::Warning, format!("the MX records are not DNSSEC-signed ({})", r.mx_proof))
        }
        MxOutcome::Hosts | MxOutcome::Implicit => (State::Ok, String::new()),
    };
    note(mx.0, mx.1);
    state = state.worst(mx.0);
    let (domain_signatures, host_signatures) = signature_findings(r, now, ahead);
    for (place, found) in domain_signatures
        .iter()
        .map(|f| (String::new(), f))
        .chain(host_signatures.iter().map(|(host, f)| (format!("{}: ", bare(host)), f)))
    {
        let s = finding_state(found);
        note(s, format!("{place}{}", found.message));
        state = state.worst(s);
    }
    if !r.unchecked.is_empty() {
        let s = State::Critical;
        note(s, format!("{} MX hosts were not checked (more than {})", r.unchecked.len(), crate::dns::MAX_MX_HOSTS));
        state = state.worst(s);
    }
    let hosts = r
        .hosts
        .iter()
        .map(|h| {
            let s = host_state(h.outcome);
            note(s, format!("{}: {}", bare(&h.host), h.why));
            state = state.worst(s);
            let (_, records) = h.tlsa.with_proof();
            HostMonitor {
                host: bare(&h.host),
                summary: h.outcome.describe().to_owned(),
                dane_required: h.outcome == HostOutcome::DaneRequired,
                usable_records: records.iter().filter(|t| t.problems.is_empty()).count(),
                authenticated: None,
                addresses: Vec::new(),
            }
        })
        .collect();
    let first_signature = r.first_signature_expiry();
    let summary = if r.mx_outcome == MxOutcome::NullMx {
        "accepts no mail (null MX)"
    } else if r.dane_ready {
        "every MX host is DANE-ready"
    } else {
        "not DANE-ready"
    };
    Monitor {
        domain: bare(&r.domain),
        state,
        summary: summary.to_owned(),
        reason: if state == State::Ok { None } else { reason.map(|(_, r)| r) },
        checked: true,
        probed: false,
        authenticated: r.dane_ready,
        hosts,
        first_expiry: None,
        days_to_expiry: None,
        first_signature_expiry: first_signature.clone(),
        days_to_signature_expiry: first_signature.as_ref().map(|e| (e.expiration - now).div_euclid(DAY)),
    }
}

#[cfg(test)]
mod tests;
