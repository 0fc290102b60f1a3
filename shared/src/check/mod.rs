//! One whole check of a mail domain, sans-IO: DNS (RFC 7672 §2.2) → probe
//! targets → SMTP probes → the verdict. Every face of Geleit (the CLI, the
//! edge's `/api/check`, the web app and the widget) runs this one machine;
//! each only moves its bytes.
//!
//! ```text
//!   DomainCheck ── poll_queries() ──► DoH queries ──► driver's transport
//!        ▲  ◄── handle_response(id, bytes) / handle_transport_error(id, why)
//!        │
//!        ├──── poll_probes() ──► ProbeTarget (validated addresses, SNI)
//!        │  ◄── handle_probe(report) / handle_probe_failed(target, why)
//!        │
//!        ├──── poll_fetches() ──► FetchRequest (the MTA-STS policy, RFC 8461 §3.3)
//!        │  ◄── handle_fetch(result)
//!        │
//!        └──── poll_result() ──► CheckOutcome: Verdict | Dns | ResolverUnreachable
//! ```
//!
//! Call order: loop until [`DomainCheck::is_done`]: send every query of
//! [`DomainCheck::poll_queries`] (they may go in parallel) and hand each
//! answer back as it arrives; probe every target of
//! [`DomainCheck::poll_probes`] (they may run in parallel, and while DNS
//! queries are still out) and hand each report back; fetch every request of
//! [`DomainCheck::poll_fetches`] (at most one: the MTA-STS policy, as soon
//! as the `_mta-sts` TXT record is validated) and hand its result back (a
//! face that cannot fetch hands back [`FetchFailure::Unavailable`]). Then
//! read [`DomainCheck::poll_result`].
//!
//! What the machine decides, so that no driver has to:
//! - which addresses to probe and which SNI to send ([`verdict::probe_targets`]:
//!   only validated addresses, the TLSA base domain as SNI, RFC 7672 §8.1);
//! - that a DoH query which failed on the transport is asked again (it is
//!   idempotent, RFC 8484 §4.1 with ID 0) up to [`MAX_TRANSPORT_ATTEMPTS`] times
//!   (the bookkeeping is [`crate::dns::Retries`], shared with `dns::Lookup`);
//! - that a resolver which still could not be reached makes the check
//!   [`CheckOutcome::ResolverUnreachable`]: that says nothing about the domain,
//!   so it is never turned into a DNSSEC verdict (bogus, indeterminate, deferred).

#[cfg(test)]
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::dns::{Config, DnsError, Handling, Name, Query, QueryId, Retries, SmtpCheck, SmtpReport, Stats};
pub use crate::dns::{MAX_TRANSPORT_ATTEMPTS, ResolverFailure};
pub use crate::mailpolicy::{FetchFailure, FetchRequest, FetchResult};
use crate::smtp::{AddressReport, HostReport as ProbeHost, TlsMode};
use crate::verdict::{self, DomainVerdict, LookAhead, ProbeTarget};

/// SMTP between mail servers: RFC 7672 applies to port 25.
pub const SMTP_PORT: u16 = 25;

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The full verdict (DNS and probes).
    Verdict(Box<DomainVerdict>),
    /// Only the DNS stage was asked for (no probes).
    Dns(Box<SmtpReport>),
    /// Geleit's own resolver could not be reached: nothing is known about
    /// the domain.
    ResolverUnreachable(ResolverFailure),
}

/// Where a check stands, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// DNS rounds and queries so far.
    pub rounds: u32,
    pub queries: u32,
    /// Hosts handed out for probing, and those whose reports are in.
    pub probes_started: u32,
    pub probes_done: u32,
    pub done: bool,
}

/// The check machine (see the module documentation for the call order).
#[must_use]
pub struct DomainCheck {
    dns: SmtpCheck,
    domain: String,
    now: u64,
    probe: bool,
    /// The DNS queries handed out, their attempts, and those to hand out
    /// with the next [`Self::poll_queries`] (a new round, and retries).
    retries: Retries,
    targets: Vec<ProbeTarget>,
    handed_out: usize,
    probes: Vec<ProbeHost>,
    ahead: LookAhead,
    /// The MTA-STS policy fetch (RFC 8461 §3.3).
    fetch: Fetch,
    /// The MTA-STS id the caller saw before (a change is worth knowing).
    previous_sts_id: Option<String>,
    outcome: Option<CheckOutcome>,
}

/// Where the policy fetch stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fetch {
    /// The `_mta-sts` record is not validated yet.
    Undecided,
    /// Nothing to fetch (no usable record, or no probes asked for).
    NotNeeded,
    /// To hand out with the next [`DomainCheck::poll_fetches`].
    Pending(FetchRequest),
    /// Handed out; waiting for the result.
    Out(FetchRequest),
    Done(FetchResult),
}

impl DomainCheck {
    /// A check of the mail domain `domain` at Unix time `now`; `probe` says
    /// whether to probe the MX hosts (else the outcome is [`CheckOutcome::Dns`]).
    pub fn new(domain: Name, config: Config, now: u64, probe: bool) -> Self {
        let shown = domain.to_ascii();
        Self::with(SmtpCheck::new(domain, config, now), shown, now, probe)
    }

    /// A check of one host named directly (Postfix's `[host]`), no MX lookup.
    pub fn new_host(host: Name, config: Config, now: u64, probe: bool) -> Self {
        let shown = host.to_ascii();
        Self::with(SmtpCheck::new_host(host, config, now), shown, now, probe)
    }

    fn with(dns: SmtpCheck, domain: String, now: u64, probe: bool) -> Self {
        Self {
            dns,
            domain,
            now,
            probe,
            retries: Retries::new(),
            targets: Vec::new(),
            handed_out: 0,
            probes: Vec::new(),
            ahead: LookAhead::default(),
            fetch: Fetch::Undecided,
            previous_sts_id: None,
            outcome: None,
        }
    }

    /// How far the verdict looks ahead for expiring certificates and
    /// signatures (default: [`LookAhead::default`]).
    pub fn look_ahead(mut self, ahead: LookAhead) -> Self {
        self.ahead = ahead;
        self
    }

    /// Tells the check the MTA-STS id seen at an earlier check (a monitor
    /// keeps it): a different id now is reported (RFC 8461 §3.1).
    pub fn with_previous_sts_id(mut self, id: Option<String>) -> Self {
        self.previous_sts_id = id;
        self
    }

    /// The MTA-STS policy to fetch, once: handed out as soon as the
    /// `_mta-sts` record is validated and usable, and only when the check
    /// probes (a DNS-only check makes no connection to the domain's hosts).
    pub fn poll_fetches(&mut self) -> Vec<FetchRequest> {
        self.advance();
        match std::mem::replace(&mut self.fetch, Fetch::NotNeeded) {
            Fetch::Pending(req) => {
                self.fetch = Fetch::Out(req.clone());
                vec![req]
            }
            other => {
                self.fetch = other;
                Vec::new()
            }
        }
    }

    /// The result of the fetch handed out by [`Self::poll_fetches`] (a
    /// second result, or one never asked for, is ignored).
    pub fn handle_fetch(&mut self, result: FetchResult) {
        if matches!(self.fetch, Fetch::Out(_) | Fetch::Pending(_)) {
            self.fetch = Fetch::Done(result);
            self.advance();
        }
    }

    /// The DoH queries to send now (a new round and retries), all at once.
    pub fn poll_queries(&mut self) -> Vec<Query> {
        self.advance();
        self.retries.take()
    }

    /// The answer to query `id`.
    ///
    /// # Errors
    /// `id` is not a query of this check that is waiting for an answer.
    pub fn handle_response(&mut self, id: QueryId, bytes: &[u8]) -> Result<(), DnsError> {
        if self.retries.handle_response(id)? == Handling::Deliver {
            self.dns.handle_response(id, bytes)?;
            self.advance();
        }
        Ok(())
    }

    /// Query `id` failed on the transport (no HTTP answer, HTTP error, not a
    /// DNS message): it is asked again, or counted as unreachable.
    ///
    /// # Errors
    /// `id` is not a query of this check that is waiting for an answer.
    pub fn handle_transport_error(&mut self, id: QueryId, error: &str) -> Result<(), DnsError> {
        if self.retries.handle_transport_error(id, error)? == Handling::Deliver {
            self.dns.handle_error(id, error)?;
            self.advance();
        }
        Ok(())
    }

    /// The hosts to probe that were not handed out yet: validated addresses
    /// only, with the SNI to send (RFC 7672 §8.1).
    pub fn poll_probes(&mut self) -> Vec<ProbeTarget> {
        let new = self.targets.get(self.handed_out..).unwrap_or_default().to_vec();
        self.handed_out = self.targets.len();
        new
    }

    /// The probe report of a host handed out by [`Self::poll_probes`]
    /// (matched by host name; a second report for a host replaces the first).
    pub fn handle_probe(&mut self, report: ProbeHost) {
        let key = bare(&report.host);
        self.probes.retain(|p| bare(&p.host) != key);
        self.probes.push(report);
        self.advance();
    }

    /// A host handed out for probing could not be probed at all (the
    /// driver's transport to a probe service failed): its addresses are
    /// reported as not probed, with `why`.
    pub fn handle_probe_failed(&mut self, target: &ProbeTarget, why: &str) {
        let why = crate::smtp::sanitize(why.as_bytes(), 300);
        self.handle_probe(ProbeHost {
            host: target.host.clone(),
            port: SMTP_PORT,
            mode: TlsMode::Starttls,
            addresses: target
                .addresses
                .iter()
                .map(|ip| AddressReport {
                    address: *ip,
                    port: SMTP_PORT,
                    refused: Some(why.clone()),
                    probes: Vec::new(),
                })
                .collect(),
        });
    }

    /// Whether the outcome is ready.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.outcome.is_some()
    }

    /// The outcome, once done.
    #[must_use]
    pub fn poll_result(&self) -> Option<&CheckOutcome> {
        self.outcome.as_ref()
    }

    /// The outcome, once done.
    #[must_use]
    pub fn into_result(self) -> Option<CheckOutcome> {
        self.outcome
    }

    /// The DNS stage's report, once it is complete.
    #[must_use]
    pub fn dns_report(&self) -> Option<&SmtpReport> {
        self.dns.poll_result()
    }

    /// DNS rounds and queries so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.dns.stats()
    }

    /// Where the check stands.
    #[must_use]
    pub fn progress(&self) -> Progress {
        let stats = self.dns.stats();
        Progress {
            rounds: stats.rounds,
            queries: stats.queries,
            probes_started: u32::try_from(self.handed_out).unwrap_or(u32::MAX),
            probes_done: u32::try_from(self.probes.len()).unwrap_or(u32::MAX),
            done: self.outcome.is_some(),
        }
    }

    /// Adds a target unless its host is already one (a host's addresses are
    /// validated once; the complete report holds the same target).
    fn add_target(&mut self, target: Option<ProbeTarget>) {
        if let Some(t) = target
            && !self.targets.iter().any(|known| known.host == t.host)
        {
            self.targets.push(t);
        }
    }

    /// Moves on as far as the facts allow.
    fn advance(&mut self) {
        if self.outcome.is_some() {
            return;
        }
        if self.fetch == Fetch::Undecided {
            if !self.probe {
                self.fetch = Fetch::NotNeeded;
            } else if let Some(host) = self.dns.mta_sts_host_ready() {
                self.fetch = match host {
                    None => Fetch::NotNeeded,
                    // Nothing validated to connect to: decided here, not fetched.
                    Some(h) => match h.problem() {
                        Some(why) => Fetch::Done(FetchResult::Failed(FetchFailure::Dns { detail: why })),
                        None => Fetch::Pending(FetchRequest::for_domain(&self.domain, h.usable_addresses())),
                    },
                };
            }
        }
        if !self.dns.is_done() {
            // A round is over once every query is answered (or given up):
            // then the DNS stage says the next round, or finishes.
            if self.retries.is_idle() {
                self.retries.ask(self.dns.poll_queries());
            }
            if !self.dns.is_done() {
                // A host whose lookups are complete is probed now, while
                // other hosts' answers are still out.
                if self.probe && self.retries.failed() == 0 {
                    for host in self.dns.ready_hosts() {
                        self.add_target(verdict::probe_target(&host));
                    }
                }
                return;
            }
        }
        let Some(report) = self.dns.poll_result().cloned() else { return };
        if let Some(failure) = self.retries.failure(self.domain.clone()) {
            self.outcome = Some(CheckOutcome::ResolverUnreachable(failure));
            return;
        }
        if !self.probe {
            self.outcome = Some(CheckOutcome::Dns(Box::new(report)));
            return;
        }
        for target in verdict::probe_targets(&report) {
            self.add_target(Some(target));
        }
        let all_in = self.targets.iter().all(|t| self.probes.iter().any(|p| bare(&p.host) == bare(&t.host)));
        let fetched = match &self.fetch {
            Fetch::Done(result) => Some(result),
            Fetch::NotNeeded | Fetch::Undecided => None,
            Fetch::Pending(_) | Fetch::Out(_) => return,
        };
        if self.handed_out == self.targets.len() && all_in {
            let at = i64::try_from(self.now).unwrap_or(i64::MAX);
            let previous = self.previous_sts_id.as_deref();
            let policy = match (fetched, previous) {
                (Some(result), previous) => verdict::PolicyFetch::Fetched(result, previous),
                (None, Some(id)) => verdict::PolicyFetch::NotFetchedWithPrevious(id),
                (None, None) => verdict::PolicyFetch::NotFetched,
            };
            let v = verdict::evaluate_with_policy(&report, &self.probes, at, &self.ahead, &policy);
            self.outcome = Some(CheckOutcome::Verdict(Box::new(v)));
        }
    }
}

fn bare(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

#[cfg(test)]
mod tests;
