//! The checker's state and view model. Every DANE decision comes from the
//! core: [`geleit::check::DomainCheck`] runs the whole check (RFC 7672 §2.2
//! resolution and DNSSEC validation, which hosts to probe, the verdict per
//! domain, MX host, address and signature family with typed findings and
//! fixes), driven by [`crate::drive`]. This module keeps track of what has
//! arrived (the driver's [`Step`]s, then the [`CheckOutcome`]) and puts it
//! into the page's words ([`crate::verdict_words`]).

use geleit::check::{CheckOutcome, ResolverFailure};
use geleit::dns::{SmtpReport, Status};
use geleit::smtp;
use geleit::verdict::{
    self, AddressVerdict, DomainVerdict, FamilyVerdict, Finding, HostVerdict, Reported, Tone, Verdict, status_tone,
};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::dates::ymd;
use crate::detail_words::trace_text;
use crate::domain::Domain;
use crate::drive::{DriveError, Step};
use crate::drive_words::{
    drive_error_text, failed_text, policy_fetch_failed_text, policy_not_fetched_text, resolver_failure_text,
};
use crate::generator::explain;
use crate::i18n::{Lang, Strings};
use crate::matcher::unusable_words;
use crate::verdict_words::{About, finding_text, fix_text, headline, policy_text, state_word, summary};
use geleit::mailpolicy::{PolicyFinding, PolicyReported};

/// What the result area shows: the core's verdict, or one of the states that
/// have none. Its word is the page's `data-verdict`; its tone the colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Probes (or DNS) still running.
    Pending,
    /// The core's verdict for the domain.
    Verdict(Verdict),
    /// The check could not run (bad settings, a name the core rejects).
    Failed,
    /// Geleit's own DNS resolver could not be reached: nothing is known
    /// about the domain (neither a verdict nor a DNSSEC failure).
    ResolverUnreachable,
}

impl Shown {
    /// The word: the core's `Verdict::as_str`, `pending`, `failed` or `resolver_unreachable`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verdict(v) => v.as_str(),
            Self::Failed => "failed",
            Self::ResolverUnreachable => "resolver_unreachable",
        }
    }

    /// The style class: the core's tone of the verdict (`ok`, `info`,
    /// `warning`, `error`, `neutral`), `pending` while running; a check that
    /// could not run is an error of the page, an unreachable resolver neutral.
    #[must_use]
    pub const fn tone(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verdict(v) => v.tone().as_str(),
            Self::Failed => Tone::Error.as_str(),
            Self::ResolverUnreachable => Tone::Neutral.as_str(),
        }
    }
}

impl Shown {
    /// The state of its word ([`Self::as_str`]); `None` for any other word.
    #[must_use]
    pub fn from_word(word: &str) -> Option<Self> {
        match word {
            "pending" => Some(Self::Pending),
            "failed" => Some(Self::Failed),
            "resolver_unreachable" => Some(Self::ResolverUnreachable),
            other => Verdict::from_word(other).map(Self::Verdict),
        }
    }
}

impl Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Shown {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let word = String::deserialize(d)?;
        Self::from_word(&word)
            .ok_or_else(|| serde::de::Error::invalid_value(serde::de::Unexpected::Str(&word), &"a verdict word"))
    }
}

/// What the checker is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Phase {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// DNS queries in flight: rounds and queries so far.
    Dns { rounds: u32, queries: u32 },
    /// DNS done, probes in flight.
    Probing,
    /// Everything is in.
    Done,
}

/// One MX host's probe through the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Not a probe target (the core handed out no address to connect to).
    Skipped,
    /// In flight.
    Running,
    /// The edge answered 429 (too many requests): asked again after this many seconds.
    Waiting(u64),
    /// The edge's report.
    Done(smtp::HostReport),
    /// The edge could not be reached, refused, or sent no report.
    Failed(DriveError),
}

/// A check of one domain.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckRun {
    /// Counter that tells results of an older run from this one's.
    pub id: u32,
    pub domain: Option<Domain>,
    pub phase: Phase,
    /// The core's DNS report (none when the resolver could not be reached).
    pub dns: Option<SmtpReport>,
    /// The probes the core handed out, by MX host (without the trailing dot,
    /// lower case). A host may be probed before the whole DNS stage is in.
    pub probes: Vec<(String, Probe)>,
    /// The core's outcome, once the check is done.
    pub outcome: Option<CheckOutcome>,
    /// The check could not run (bad settings, a name the core rejects): the
    /// English words, for logs and the export ([`Self::fail`] sets them with
    /// [`Self::failure`]; words set here alone are shown as they are).
    pub error: Option<String>,
    /// Why the check could not run, as the driver said it (worded per language).
    pub failure: Option<DriveError>,
    /// The last DoH attempt that failed: what the page says when Geleit's
    /// resolver could not be reached.
    pub doh_error: Option<DriveError>,
    /// Why the MTA-STS policy could not be asked for (the core reports it as not fetched).
    pub policy_error: Option<DriveError>,
    /// Unix seconds the check ran at.
    pub now: i64,
}

fn bare(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

impl CheckRun {
    /// Starts a run for `domain`.
    #[must_use]
    pub fn start(id: u32, domain: Domain, now: i64) -> Self {
        Self { id, domain: Some(domain), phase: Phase::Dns { rounds: 0, queries: 0 }, now, ..Self::default() }
    }

    /// What the driver reported.
    pub fn step(&mut self, step: Step) {
        match step {
            Step::Dns { rounds, queries } => {
                if matches!(self.phase, Phase::Dns { .. }) {
                    self.phase = Phase::Dns { rounds, queries };
                }
            }
            Step::Probing { host } => self.set_probe(&host, Probe::Running),
            Step::DnsDone { report } => {
                self.dns = Some(*report);
                self.settle();
            }
            Step::Probed { host, report } => {
                let probe = match report {
                    Ok(r) => Probe::Done(*r),
                    Err(why) => Probe::Failed(why),
                };
                self.set_probe(&host, probe);
            }
            Step::DohFailed { error } => self.doh_error = Some(error),
            Step::PolicyFailed { error } => self.policy_error = Some(error),
        }
    }

    /// The probe of `host` (without or with the trailing dot): [`Probe::Skipped`]
    /// when the core handed out none for it.
    #[must_use]
    pub fn probe(&self, host: &str) -> &Probe {
        let host = bare(host);
        self.probes.iter().find(|(h, _)| *h == host).map_or(&Probe::Skipped, |(_, p)| p)
    }

    fn set_probe(&mut self, host: &str, probe: Probe) {
        let host = bare(host);
        match self.probes.iter_mut().find(|(h, _)| *h == host) {
            Some((_, slot)) => *slot = probe,
            None => self.probes.push((host, probe)),
        }
        self.settle();
    }

    /// How many probes are in flight (waiting after a 429 included).
    #[must_use]
    pub fn probing(&self) -> usize {
        self.probes.iter().filter(|(_, p)| matches!(p, Probe::Running | Probe::Waiting(_))).count()
    }

    /// The edge asked to wait before `host` is probed again: `seconds` left
    /// (0: asking again now).
    pub fn wait(&mut self, host: &str, seconds: u64) {
        let host = bare(host);
        if let Some((_, p)) = self.probes.iter_mut().find(|(h, _)| *h == host)
            && matches!(p, Probe::Running | Probe::Waiting(_))
        {
            *p = if seconds == 0 { Probe::Running } else { Probe::Waiting(seconds) };
        }
    }

    /// The phase after the DNS stage: probes in flight, or everything in.
    fn settle(&mut self) {
        if self.dns.is_some() && self.outcome.is_none() && self.error.is_none() {
            self.phase = if self.probing() > 0 { Phase::Probing } else { Phase::Done };
        }
    }

    /// The check is done: the core's outcome.
    pub fn finish(&mut self, outcome: CheckOutcome) {
        match &outcome {
            CheckOutcome::Verdict(_) => {}
            CheckOutcome::Dns(report) => self.dns = Some((**report).clone()),
            // What the DNS stage found without its resolver says nothing about the domain.
            CheckOutcome::ResolverUnreachable(_) => {
                self.dns = None;
                self.probes.clear();
            }
        }
        for (_, p) in &mut self.probes {
            if matches!(p, Probe::Running | Probe::Waiting(_)) {
                *p = Probe::Skipped;
            }
        }
        self.outcome = Some(outcome);
        self.phase = Phase::Done;
    }

    /// The check could not run.
    pub fn fail(&mut self, error: DriveError) {
        self.error = Some(error.to_string());
        self.failure = Some(error);
        self.phase = Phase::Done;
    }

    /// Why the check has nothing to say about the domain: Geleit's resolver
    /// could not be reached.
    #[must_use]
    pub fn resolver_failure(&self) -> Option<&ResolverFailure> {
        match &self.outcome {
            Some(CheckOutcome::ResolverUnreachable(f)) => Some(f),
            _ => None,
        }
    }

    /// The edge's reports that are in.
    fn reports(&self) -> impl Iterator<Item = &smtp::HostReport> {
        self.probes.iter().filter_map(|(_, p)| if let Probe::Done(r) = p { Some(r) } else { None })
    }

    /// The core's verdict: once done, the check's own; before, the core's
    /// verdict over what has arrived so far (hosts still probed show as pending).
    #[must_use]
    pub fn verdict(&self) -> Option<DomainVerdict> {
        match &self.outcome {
            Some(CheckOutcome::Verdict(v)) => Some((**v).clone()),
            Some(CheckOutcome::ResolverUnreachable(_)) => None,
            Some(CheckOutcome::Dns(_)) | None => {
                let dns = self.dns.as_ref()?;
                let probes: Vec<smtp::HostReport> = self.reports().cloned().collect();
                Some(verdict::evaluate(dns, &probes, self.now))
            }
        }
    }
}

/// A word of the view from a fixed set (a style class, a core code, an RFC
/// section): static where the view is made, owned where it was read from
/// JSON (the edge's worded answer to the widget, `/api/check?view=`).
pub type Word = Cow<'static, str>;

/// A state as a CSS class and a word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    /// The core's tone (`ok`, `info`, `warning`, `error`, `neutral`) or `pending` (styling).
    pub class: Word,
    pub text: String,
}

/// A finding in words: what, the RFC behind it, the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    /// The core's stable code (`dnssec_bogus`, `tlsa_no_match`, …).
    pub code: Word,
    /// The core's tone of its severity: `error`, `warning`, `info`.
    pub severity: Word,
    pub title: String,
    pub rfc: Word,
    pub fix: Option<String>,
    /// The record the fix asks to publish, to copy (`owner IN TLSA rdata`).
    pub record: Option<String>,
    /// The core's technical detail (English), e.g. the failing DNSSEC link:
    /// shown behind a details toggle, after the words.
    pub detail: Option<String>,
}

/// The fix to make first, shown right under the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstFix {
    /// The MX host it concerns (without the trailing dot); `None`: the domain.
    pub host: Option<String>,
    pub finding: FindingView,
}

/// One TLSA record of a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsaLine {
    pub rdata: String,
    pub explanation: String,
    pub usable: bool,
    pub reasons: Vec<String>,
}

/// One handshake (per signature algorithm) at one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlgorithmView {
    /// `ECDSA` or `RSA`.
    pub family: Word,
    /// The chain a default sender gets (the core's default family).
    pub decides: bool,
    pub badge: Badge,
    pub tls_version: Option<String>,
    /// Which record matched at which depth.
    pub matched: Vec<String>,
    /// One line per certificate.
    pub chain: Vec<String>,
    /// The `3 1 1` record that would pin this chain's key.
    pub suggested: Option<String>,
    pub notes: Vec<String>,
    /// The probe's own error text (English), behind a details toggle.
    pub raw: Option<String>,
}

/// One address of a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressView {
    pub address: String,
    /// The core's verdict word (`authenticated`, `not_authenticated`, …).
    pub state: Word,
    pub badge: Badge,
    pub algorithms: Vec<AlgorithmView>,
    pub findings: Vec<FindingView>,
}

/// One MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostView {
    pub host: String,
    pub preference: u16,
    /// The core's verdict word, or `pending` while its probe runs.
    pub state: Word,
    pub badge: Badge,
    /// What a DANE client does with the host (RFC 7672 §2.2).
    pub outcome: String,
    pub outcome_rfc: Word,
    /// The host is an alias (CNAME): where its TLSA records were looked up, in words.
    pub alias: Option<String>,
    /// "A 127.0.1.1 (DNSSEC secure)".
    pub address_sets: Vec<String>,
    pub tlsa_base: Option<String>,
    pub tlsa_badge: Badge,
    pub tlsa: Vec<TlsaLine>,
    pub findings: Vec<FindingView>,
    pub addresses: Vec<AddressView>,
    /// Probe running, or failed (in words).
    pub probe_note: Option<String>,
    pub trace: Vec<String>,
}

/// Advice for the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    pub code: Word,
    pub title: String,
    pub text: String,
    /// Configuration to copy, if any.
    pub snippet: Option<String>,
}

/// Everything the checker shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckView {
    pub domain: String,
    pub domain_unicode: String,
    /// One host named directly (`[mx.example.org]`): no MX lookup.
    #[serde(default)]
    pub direct: bool,
    /// The verdict (or the state without one) and its tone.
    pub shown: Shown,
    pub headline: String,
    pub summary: String,
    /// The fix to make first (the core's choice), with its record to copy.
    pub first_fix: Option<FirstFix>,
    pub mx_badge: Badge,
    pub mx_findings: Vec<FindingView>,
    pub mx_trace: Vec<String>,
    /// TLSRPT and MTA-STS findings, beside the DANE verdict (never part of it).
    pub policy_findings: Vec<FindingView>,
    pub hosts: Vec<HostView>,
    /// MX hosts the core did not check (beyond its bound), "host (preference N)".
    pub unchecked: Vec<String>,
    pub advice: Vec<Advice>,
    /// Progress in words, for the live region.
    pub progress: String,
    /// The check learned nothing about the domain (Geleit's resolver could
    /// not be reached): the page offers to run it again, and shows no verdict.
    pub retry: bool,
    /// Technical words (English) about why, when `retry` is set.
    pub detail: Option<String>,
}

fn badge(class: &'static str, text: &str) -> Badge {
    Badge { class: Word::from(class), text: text.to_owned() }
}

fn status_badge(status: Status, t: &Strings) -> Badge {
    let text = match status {
        Status::Secure => t.lang.ck().ck_secure,
        Status::Insecure => t.lang.ck().ck_insecure,
        Status::Bogus => t.lang.ck().ck_bogus,
        Status::Indeterminate => t.lang.ck().ck_indeterminate,
    };
    badge(status_tone(status).as_str(), text)
}

fn verdict_badge(v: Verdict, lang: Lang) -> Badge {
    badge(v.tone().as_str(), state_word(v, lang))
}

fn finding_view(r: &Reported, lang: Lang) -> FindingView {
    let detail = match &r.finding {
        Finding::DnssecBogus { detail, .. } | Finding::DnssecIndeterminate { detail, .. } => Some(detail.clone()),
        // The probe's own words, and why an address was not probed (the
        // driver's or the edge's English): behind the toggle.
        Finding::ProbeFailed { message, .. } | Finding::NotProbed { reason: message } => Some(message.clone()),
        Finding::TaPathInvalid { detail, .. } => Some(detail.clone()),
        _ => None,
    };
    FindingView {
        code: Word::from(r.code()),
        severity: Word::from(r.tone().as_str()),
        title: finding_text(r, lang),
        rfc: Word::from(r.rfc),
        fix: r.fix.as_ref().map(|f| fix_text(f, lang)),
        record: r.fix.as_ref().and_then(|f| f.fix.record_line()),
        detail,
    }
}

fn policy_view(r: &PolicyReported, lang: Lang) -> FindingView {
    FindingView {
        code: Word::from(r.finding.code()),
        severity: Word::from(r.tone.as_str()),
        title: policy_text(&r.finding, lang),
        rfc: Word::from(r.finding.rfc()),
        fix: None,
        record: None,
        detail: None,
    }
}

/// TLSRPT and MTA-STS beside the verdict (RFC 8460, RFC 8461), in the
/// page's words: why the policy was not fetched or the fetch failed in words
/// from the typed failure (`policy_error`, the page driver's own, when it
/// has one; else the core's), and the English detail each finding carries
/// behind the toggle. The same for the page's run and the edge's verdict.
fn policy_views(dv: &DomainVerdict, policy_error: Option<&DriveError>, lang: Lang) -> Vec<FindingView> {
    let findings = dv.mail_policy.iter().flat_map(|mp| mp.findings.iter());
    findings
        .map(|r| {
            let mut v = policy_view(r, lang);
            match &r.finding {
                PolicyFinding::StsNotFetched { url, detail } => {
                    if let Some(e) = policy_error {
                        v.title = policy_not_fetched_text(url, e, lang);
                    }
                    v.detail = Some(detail.clone());
                }
                PolicyFinding::StsFetchFailed { url, failure } => {
                    v.title = policy_fetch_failed_text(url, failure, lang);
                    v.detail = Some(failure.to_string());
                }
                PolicyFinding::LookupFailed { detail, .. }
                | PolicyFinding::LookupBogus { detail, .. }
                | PolicyFinding::TlsRptInvalid { detail, .. }
                | PolicyFinding::StsRecordInvalid { detail, .. }
                | PolicyFinding::StsPolicyInvalid { detail, .. } => v.detail = Some(detail.clone()),
                _ => {}
            }
            v
        })
        .collect()
}

/// What the verdict words need to know (see [`About`]).
fn about(dv: &DomainVerdict) -> About {
    About {
        failing: dv.failing_hosts().map(|h| bare(&h.host)).collect(),
        hosts: dv.hosts.len(),
        direct: dv.mx_outcome == geleit::dns::MxOutcome::Direct,
        proven: dv.mx_status == Status::Secure,
    }
}

/// The core's first fix, in the page's words.
fn first_fix(dv: &DomainVerdict, lang: Lang) -> Option<FirstFix> {
    let (host, r) = dv.first_fix()?;
    Some(FirstFix { host: host.map(|h| bare(&h.host)), finding: finding_view(r, lang) })
}

/// The words for an MX host that is an alias: its TLSA records are those of
/// the alias target (RFC 7672 §2.2.2, §3.2.2).
fn alias_words(host: &str, tlsa_base: Option<&str>, t: &Strings) -> Option<String> {
    let target = bare(tlsa_base?.strip_prefix("_25._tcp.")?);
    (target != bare(host)).then(|| (t.lang.ck().ck_alias)(&bare(host), &target))
}

/// Builds the view of a run; `None` before a run started.
#[must_use]
pub fn view(run: &CheckRun, lang: Lang) -> Option<CheckView> {
    let t = lang.t();
    let domain = run.domain.as_ref()?;
    let running = run.probing();
    let progress = match &run.phase {
        Phase::Idle => String::new(),
        Phase::Dns { rounds, queries } => {
            (lang.ck().ck_progress_dns)(usize::try_from(*rounds).unwrap_or(0), usize::try_from(*queries).unwrap_or(0))
        }
        Phase::Probing => (lang.ck().ck_progress_probe)(running),
        Phase::Done => t.ck_progress_done.to_owned(),
    };
    let mut out = CheckView {
        domain: domain.ascii.clone(),
        direct: domain.direct,
        domain_unicode: domain.unicode.clone(),
        shown: Shown::Pending,
        headline: t.ck_pending.to_owned(),
        summary: String::new(),
        first_fix: None,
        mx_badge: badge("pending", t.ck_pending),
        mx_findings: Vec::new(),
        mx_trace: Vec::new(),
        policy_findings: Vec::new(),
        hosts: Vec::new(),
        unchecked: Vec::new(),
        advice: Vec::new(),
        progress,
        retry: false,
        detail: None,
    };
    if let Some(error) = &run.error {
        out.shown = Shown::Failed;
        out.headline = t.ck_failed.to_owned();
        // In words from the driver's failure; its English behind the toggle.
        (out.summary, out.detail) = match &run.failure {
            Some(f) => (failed_text(f, lang), Some(error.clone())),
            None => (error.clone(), None),
        };
        return Some(out);
    }
    if let Some(failure) = run.resolver_failure() {
        // What failed, in words (the core's count, the driver's last DoH
        // failure); the core's English sentence behind the toggle.
        let mut v = unreachable_view(domain, Some(failure.to_string()), lang);
        v.summary.push(' ');
        v.summary.push_str(&resolver_failure_text(failure, run.doh_error.as_ref(), lang));
        return Some(v);
    }
    let (Some(dns), Some(dv)) = (&run.dns, run.verdict()) else { return Some(out) };
    out.mx_badge = status_badge(dns.mx_status, t);
    out.mx_trace = dns.trace.iter().map(|s| trace_text(s, lang)).collect();
    out.mx_findings = dv.findings.iter().map(|f| finding_view(f, lang)).collect();
    out.policy_findings = policy_views(&dv, run.policy_error.as_ref(), lang);
    out.unchecked = unchecked_lines(&dv.unchecked, t);

    let mut lets_encrypt = false;
    // Hosts with something to fix first (the core's order), then the others.
    for hv in dv.hosts_worst_first() {
        let Some(host) = dns.hosts.iter().find(|h| bare(&h.host) == bare(&hv.host)) else { continue };
        let probe = run.probe(&host.host);
        let view = host_view(host, hv, probe, lang);
        lets_encrypt |= hv
            .addresses
            .iter()
            .flat_map(|a| &a.families)
            .flat_map(|f| &f.chain)
            .any(|c| c.issuer.contains("Let's Encrypt"));
        out.hosts.push(view);
    }
    // Hosts still probed go last: their verdict is not in.
    geleit::order::sort_by_key(&mut out.hosts, |h| h.state == "pending");

    let about = about(&dv);
    (out.shown, out.headline, out.summary) = if running > 0 {
        (Shown::Pending, t.ck_pending.to_owned(), lang.ck().ck_pending_summary.to_owned())
    } else {
        out.first_fix = first_fix(&dv, lang);
        (Shown::Verdict(dv.verdict), headline(dv.verdict, lang, &about).to_owned(), summary(dv.verdict, lang, &about))
    };

    // Advice: rollover (RFC 7671 §8.1). The core flags a single record on an
    // authenticated host with its plan; for the others count what is published.
    let mut single = Vec::new();
    let mut dane_hosts = 0usize;
    for (host, hv) in dns.hosts.iter().zip(&dv.hosts) {
        if hv.outcome != geleit::dns::HostOutcome::DaneRequired {
            continue;
        }
        dane_hosts += 1;
        let usable = host.tlsa.secure().map_or(0, |r| r.iter().filter(|x| x.problems.is_empty()).count());
        if usable == 1 && !hv.findings.iter().any(|f| matches!(f.finding, Finding::SingleRecordPinned { .. })) {
            single.push(bare(&hv.host));
        }
    }
    if !single.is_empty() {
        out.advice.push(Advice {
            code: Word::from("rollover"),
            title: lang.ck().adv_rollover_title.to_owned(),
            text: (lang.ck().adv_rollover_single)(&single.join(", ")),
            snippet: None,
        });
    } else if dane_hosts > 0
        && !dv.hosts.iter().any(|h| h.findings.iter().any(|f| matches!(f.finding, Finding::SingleRecordPinned { .. })))
    {
        out.advice.push(Advice {
            code: Word::from("rollover"),
            title: lang.ck().adv_rollover_title.to_owned(),
            text: lang.ck().adv_rollover_ok.to_owned(),
            snippet: None,
        });
    }
    out.advice.push(Advice {
        code: Word::from("lets_encrypt"),
        title: lang.ck().adv_le_title.to_owned(),
        text: if lets_encrypt {
            format!("{} {}", lang.ck().adv_le_seen, lang.ck().adv_le)
        } else {
            lang.ck().adv_le.to_owned()
        },
        snippet: Some("certbot renew --reuse-key".to_owned()),
    });
    out.advice.push(Advice {
        code: Word::from("postfix"),
        title: lang.ck().adv_postfix_title.to_owned(),
        text: lang.ck().adv_postfix.to_owned(),
        snippet: Some("smtp_dns_support_level = dnssec\nsmtp_tls_security_level = dane\n".to_owned()),
    });
    out.advice.push(Advice {
        code: Word::from("exim"),
        title: lang.ck().adv_exim_title.to_owned(),
        text: lang.ck().adv_exim.to_owned(),
        snippet: Some("# main section\ndns_dnssec_ok = 1\n\n# remote_smtp transport\ndnssec_request_domains = *\nhosts_try_dane = *\n# or, to insist on DANE where TLSA records exist:\n# hosts_require_dane = *\n".to_owned()),
    });
    Some(out)
}

fn host_view(host: &geleit::dns::HostReport, hv: &HostVerdict, probe: &Probe, lang: Lang) -> HostView {
    let t = lang.t();
    let (_, records) = host.tlsa.with_proof();
    let tlsa = records
        .iter()
        .map(|r| TlsaLine {
            rdata: r.to_text(),
            explanation: explain(&r.record, t),
            usable: r.problems.is_empty(),
            reasons: r.problems.iter().map(|p| unusable_words(p, t)).collect(),
        })
        .collect();
    let running = matches!(probe, Probe::Running | Probe::Waiting(_));
    // While the probe runs, "not probed" is not known yet.
    let findings: Vec<FindingView> = hv
        .findings
        .iter()
        .filter(|f| !(running && matches!(f.finding, Finding::NotProbed { .. })))
        .map(|f| finding_view(f, lang))
        .collect();
    let address_sets = host
        .addresses
        .iter()
        .map(|s| {
            let list = if s.addresses.is_empty() {
                "—".to_owned()
            } else {
                s.addresses.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            };
            format!("{} {list} ({})", s.rtype, status_badge(s.status, t).text)
        })
        .collect();
    let (state, badge, probe_note, addresses) = match probe {
        Probe::Running => {
            ("pending", badge("pending", t.ck_pending), Some(lang.ck().ck_probe_running.to_owned()), Vec::new())
        }
        Probe::Waiting(seconds) => {
            ("pending", badge("pending", t.ck_pending), Some((lang.ck().ck_probe_waiting)(*seconds)), Vec::new())
        }
        other => {
            // In words from the driver's failure; its English is the
            // address findings' detail (the core's "not probed" reason).
            let note = if let Probe::Failed(e) = other {
                Some((lang.ck().ck_probe_failed)(&drive_error_text(e, lang)))
            } else {
                None
            };
            // A failed probe's addresses say they were not probed, with the
            // driver's English behind their toggles.
            let addresses = if matches!(other, Probe::Done(_) | Probe::Failed(_)) {
                hv.addresses.iter().map(|a| address_view(a, lang)).collect()
            } else {
                Vec::new()
            };
            (hv.verdict.as_str(), verdict_badge(hv.verdict, lang), note, addresses)
        }
    };
    let outcome = outcome_words(hv.outcome, t);
    HostView {
        host: hv.host.clone(),
        preference: hv.preference,
        state: Word::from(state),
        badge,
        outcome: outcome.to_owned(),
        outcome_rfc: Word::from(hv.outcome_rfc),
        alias: alias_words(&hv.host, hv.tlsa_base.as_deref(), t),
        address_sets,
        tlsa_base: hv.tlsa_base.clone(),
        tlsa_badge: status_badge(hv.tlsa_status, t),
        tlsa,
        // Address-level findings are shown with their address.
        findings,
        addresses,
        probe_note,
        trace: host.tlsa_trace.iter().map(|s| trace_text(s, t.lang)).collect(),
    }
}

fn outcome_words(outcome: geleit::dns::HostOutcome, t: &Strings) -> &'static str {
    match outcome {
        geleit::dns::HostOutcome::DaneRequired => t.lang.ck().ck_outcome_required,
        geleit::dns::HostOutcome::TlsUnauthenticated => t.lang.ck().ck_outcome_unauthenticated,
        geleit::dns::HostOutcome::NoDane => t.lang.ck().ck_outcome_no_dane,
        geleit::dns::HostOutcome::Deferred => t.lang.ck().ck_outcome_deferred,
        _ => t.lang.ck().ck_no_address,
    }
}

/// The view of a finished check from the core's verdict alone, as the edge's
/// `/api/check` returns it (what `geleit check --json` prints): verdict,
/// findings with fixes and RFCs, per MX host its state, outcome and
/// addresses, in the same words as [`view`]. What only the DNS report
/// carries is left empty: the DNS traces, the address sets, the TLSA
/// records' explanations and the advice (the embeddable widget shows none
/// of them, and so links no DNS engine).
#[must_use]
pub fn verdict_view(domain: &Domain, dv: &DomainVerdict, lang: Lang) -> CheckView {
    let t = lang.t();
    let about = about(dv);
    let hosts = dv
        .hosts_worst_first()
        .map(|hv| HostView {
            host: hv.host.clone(),
            preference: hv.preference,
            state: Word::from(hv.verdict.as_str()),
            badge: verdict_badge(hv.verdict, lang),
            outcome: outcome_words(hv.outcome, t).to_owned(),
            outcome_rfc: Word::from(hv.outcome_rfc),
            alias: alias_words(&hv.host, hv.tlsa_base.as_deref(), t),
            address_sets: Vec::new(),
            tlsa_base: hv.tlsa_base.clone(),
            tlsa_badge: status_badge(hv.tlsa_status, t),
            tlsa: Vec::new(),
            findings: hv.findings.iter().map(|f| finding_view(f, lang)).collect(),
            addresses: hv.addresses.iter().map(|a| address_view(a, lang)).collect(),
            probe_note: None,
            trace: Vec::new(),
        })
        .collect();
    CheckView {
        domain: domain.ascii.clone(),
        direct: domain.direct,
        domain_unicode: domain.unicode.clone(),
        shown: Shown::Verdict(dv.verdict),
        headline: headline(dv.verdict, lang, &about).to_owned(),
        summary: summary(dv.verdict, lang, &about),
        first_fix: first_fix(dv, lang),
        mx_badge: status_badge(dv.mx_status, t),
        mx_findings: dv.findings.iter().map(|f| finding_view(f, lang)).collect(),
        mx_trace: Vec::new(),
        policy_findings: policy_views(dv, None, lang),
        hosts,
        unchecked: unchecked_lines(&dv.unchecked, t),
        advice: Vec::new(),
        progress: t.ck_progress_done.to_owned(),
        retry: false,
        detail: None,
    }
}

/// The view of a check whose DNS resolver could not be reached (the page's
/// own over DoH, or the edge's behind `/api/check`): neutral, no verdict and
/// no DNSSEC status, since nothing is known about the domain; `detail` says
/// what failed (English, technical).
#[must_use]
pub fn unreachable_view(domain: &Domain, detail: Option<String>, lang: Lang) -> CheckView {
    let c = lang.ck();
    let shown = if domain.unicode.is_empty() { &domain.ascii } else { &domain.unicode };
    CheckView {
        domain: domain.ascii.clone(),
        direct: domain.direct,
        domain_unicode: domain.unicode.clone(),
        shown: Shown::ResolverUnreachable,
        headline: c.ck_unreachable.to_owned(),
        summary: (c.ck_unreachable_summary)(shown),
        first_fix: None,
        mx_badge: badge("neutral", "—"),
        mx_findings: Vec::new(),
        mx_trace: Vec::new(),
        policy_findings: Vec::new(),
        hosts: Vec::new(),
        unchecked: Vec::new(),
        advice: Vec::new(),
        progress: c.ck_unreachable.to_owned(),
        retry: true,
        detail,
    }
}

/// The MX hosts not checked, one line each.
fn unchecked_lines(hosts: &[geleit::dns::UncheckedHost], t: &Strings) -> Vec<String> {
    hosts.iter().map(|u| format!("{} ({})", u.host, (t.ck_preference)(usize::from(u.preference)))).collect()
}

fn address_view(a: &AddressVerdict, lang: Lang) -> AddressView {
    let t = lang.t();
    AddressView {
        address: a.address.to_string(),
        state: Word::from(a.verdict.as_str()),
        badge: verdict_badge(a.verdict, lang),
        // Without any handshake (no STARTTLS, no connection) the address's
        // finding says why; there is nothing to say per algorithm.
        algorithms: if a.families.iter().any(|f| !f.chain.is_empty()) {
            a.families.iter().map(|f| family_view(f, a, t)).collect()
        } else {
            Vec::new()
        },
        findings: a.findings.iter().map(|f| finding_view(f, lang)).collect(),
    }
}

fn family_name(f: smtp::SignatureFamily) -> &'static str {
    match f {
        smtp::SignatureFamily::Ecdsa => "ECDSA",
        smtp::SignatureFamily::Rsa => "RSA",
    }
}

/// One handshake of an address that completed at least one (see [`address_view`]).
fn family_view(f: &FamilyVerdict, a: &AddressVerdict, t: &Strings) -> AlgorithmView {
    let family = family_name(f.family);
    let badge = if f.chain.is_empty() {
        badge(Tone::Info.as_str(), t.lang.ck().ck_no_chain_for_family)
    } else if f.chain_matches {
        badge(Tone::Good.as_str(), t.verdict_authenticated)
    } else {
        badge(Tone::Error.as_str(), t.verdict_not_authenticated)
    };
    let mut notes = Vec::new();
    let raw = f.error.clone();
    if f.chain.is_empty() {
        // In words: which handshake did complete; the probe's text behind a toggle.
        let other = a.families.iter().find(|o| !o.chain.is_empty()).map_or("", |o| family_name(o.family));
        notes.push((t.lang.ck().ck_no_chain_for_family_note)(family, other));
    } else if f.error.is_some() {
        notes.push(t.lang.ck().ck_family_error.to_owned());
    }
    AlgorithmView {
        family: Word::from(family),
        decides: a.default_family == Some(f.family),
        badge,
        tls_version: f.tls_version.clone(),
        matched: f.matched.iter().map(|m| (t.lang.ck().ck_matched_at)(&m.record, m.depth)).collect(),
        chain: f
            .chain
            .iter()
            .map(|c| {
                format!(
                    "{}: {} — {} {} · {} · {}",
                    c.depth,
                    c.subject,
                    t.gen_issuer,
                    c.issuer,
                    (t.gen_valid)(&ymd(c.not_before), &ymd(c.not_after)),
                    c.key
                )
            })
            .collect(),
        suggested: if f.chain_matches { None } else { f.suggested.clone() },
        notes,
        raw,
    }
}

/// The whole result as JSON (the export): the core's verdict with its
/// findings, the DNS report, the edge's probe reports, and the page's words.
/// Indented for the reader of the downloaded file, the text that
/// `serde_json::to_string_pretty` writes, but serialised compactly and then
/// indented ([`indent`]): the compact serialiser of the view is linked for
/// the engine's updates anyway, and a second, pretty instance of every
/// type's `Serialize` cost the engine module about 10 KB gzip.
#[must_use]
pub fn export_json(run: &CheckRun, view: &CheckView) -> String {
    #[derive(Serialize)]
    struct Export<'a> {
        domain: &'a str,
        domain_unicode: &'a str,
        checked_at: String,
        verdict: &'a str,
        result: Option<DomainVerdict>,
        dns: Option<&'a SmtpReport>,
        probes: Vec<Option<&'a smtp::HostReport>>,
        page: &'a CheckView,
    }
    // Per MX host of the DNS report, in its order.
    let probes = run
        .dns
        .iter()
        .flat_map(|d| &d.hosts)
        .map(|h| if let Probe::Done(r) = run.probe(&h.host) { Some(r) } else { None })
        .collect();
    let export = Export {
        domain: &view.domain,
        domain_unicode: &view.domain_unicode,
        checked_at: crate::dates::ymd_hm(run.now),
        verdict: view.shown.as_str(),
        result: run.verdict(),
        dns: run.dns.as_ref(),
        probes,
        page: view,
    };
    crate::json::indent(&serde_json::to_string(&export).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use geleit::dns::{MxOutcome, UncheckedHost};
    use geleit::verdict::Finding;

    use super::*;

    #[test]
    fn every_shown_state_is_read_from_its_word_as_serde_reads_it() {
        let states = [Shown::Pending, Shown::Failed, Shown::ResolverUnreachable];
        for shown in states.into_iter().chain(Verdict::ALL.map(Shown::Verdict)) {
            let json = serde_json::to_string(&shown).unwrap();
            assert_eq!(json, format!("\"{}\"", shown.as_str()));
            assert_eq!(Shown::from_word(shown.as_str()), Some(shown));
            assert_eq!(serde_json::from_str::<Shown>(&json).unwrap(), shown);
        }
        for word in ["", "fine", "Pending", "verdict"] {
            assert_eq!(Shown::from_word(word), None, "{word}");
            assert!(serde_json::from_str::<Shown>(&format!("\"{word}\"")).is_err(), "{word}");
        }
    }

    #[test]
    fn mx_hosts_not_checked_are_listed_with_the_finding() {
        let dv = DomainVerdict {
            domain: "example.".into(),
            mx_status: Status::Secure,
            mx_outcome: MxOutcome::Hosts,
            verdict: Verdict::Incomplete,
            authenticated: false,
            findings: vec![Reported::new(Finding::MxHostsUnchecked { checked: 64, unchecked: 1 }, None)],
            hosts: Vec::new(),
            unchecked: vec![UncheckedHost { host: "mx65.example.".into(), preference: 65 }],
            rounds: 2,
            queries: 580,
            first_signature_expiry: None,
            mail_policy: None,
        };
        let domain = crate::domain::parse("example.").unwrap_or_else(|e| panic!("{e:?}"));
        let v = verdict_view(&domain, &dv, Lang::De);
        assert_eq!((v.shown.as_str(), v.headline.as_str()), ("incomplete", "Nicht jeder MX-Host geprüft"));
        assert_eq!(v.shown.tone(), "warning");
        assert_eq!(v.unchecked, vec!["mx65.example. (Präferenz 65)".to_owned()]);
        assert_eq!(
            v.mx_findings.iter().map(|f| (&*f.code, &*f.severity)).collect::<Vec<_>>(),
            [("mx_hosts_unchecked", "error")]
        );
        assert!(v.mx_findings[0].title.starts_with("Die MX-Records nennen 65 Hosts"), "{}", v.mx_findings[0].title);
    }

    #[test]
    fn a_policy_the_page_could_not_fetch_is_said_from_the_typed_failure() {
        use geleit::mailpolicy::{FetchFailure, MailPolicy, TxtState};
        let txt = |name: &str| TxtState {
            name: name.into(),
            status: Status::Secure,
            outcome: geleit::dns::TxtOutcome::Records,
            proof: "secure".into(),
            records: Vec::new(),
        };
        let url = "https://mta-sts.example/.well-known/mta-sts.txt";
        let policy = |finding: PolicyFinding| DomainVerdict {
            domain: "example.".into(),
            mx_status: Status::Secure,
            mx_outcome: MxOutcome::Hosts,
            verdict: Verdict::Authenticated,
            authenticated: true,
            findings: Vec::new(),
            hosts: Vec::new(),
            unchecked: Vec::new(),
            rounds: 2,
            queries: 30,
            first_signature_expiry: None,
            mail_policy: Some(MailPolicy {
                tlsrpt_txt: txt("_smtp._tls.example."),
                tlsrpt: None,
                mta_sts_txt: txt("_mta-sts.example."),
                mta_sts: None,
                policy: None,
                findings: vec![finding.into()],
            }),
        };
        let edge_down = crate::drive::DriveError::Timeout {
            url: "https://edge.example/api/sts-policy?domain=example".into(),
            after_ms: 15_000,
        };
        let run = CheckRun { policy_error: Some(edge_down.clone()), ..CheckRun::default() };
        let not_fetched = policy(PolicyFinding::StsNotFetched { url: url.into(), detail: edge_down.to_string() });
        let de = policy_views(&not_fetched, run.policy_error.as_ref(), Lang::De);
        assert_eq!(
            de[0].title,
            "Die MTA-STS-Policy unter https://mta-sts.example/.well-known/mta-sts.txt wurde nicht abgerufen: https://edge.example/api/sts-policy hat nicht innerhalb von 15 s geantwortet."
        );
        assert_eq!(de[0].detail.as_deref(), Some(edge_down.to_string().as_str()), "the English behind the toggle");
        let en = policy_views(&not_fetched, run.policy_error.as_ref(), Lang::En);
        assert!(
            en[0].title.ends_with("https://edge.example/api/sts-policy did not answer within 15 s."),
            "{}",
            en[0].title
        );
        // Without the page's own failure (the edge's view), no English in the German sentence either.
        let alone =
            verdict_view(&crate::domain::parse("example").unwrap_or_else(|e| panic!("{e:?}")), &not_fetched, Lang::De);
        assert_eq!(alone.policy_findings[0].title, format!("Die MTA-STS-Policy unter {url} wurde nicht abgerufen."));
        let refused = policy(PolicyFinding::StsFetchFailed {
            url: url.into(),
            failure: FetchFailure::Connect { detail: "connection refused".into() },
        });
        let de = policy_views(&refused, None, Lang::De);
        assert!(de[0].title.contains(": keine Verbindung zum Policy-Host auf Port 443. Absender"), "{}", de[0].title);
        assert!(!de[0].title.contains("refused") && !de[0].title.contains("expected"), "{}", de[0].title);
        assert!(de[0].detail.as_deref().is_some_and(|d| d.contains("connection refused")), "{:?}", de[0].detail);
    }

    #[test]
    fn mail_policy_findings_are_shown_beside_the_verdict_in_the_page_language() {
        use geleit::dns::TxtOutcome;
        use geleit::mailpolicy::{MailPolicy, Mode, PolicyFinding, TxtState};
        let txt = |name: &str| TxtState {
            name: name.into(),
            status: Status::Secure,
            outcome: TxtOutcome::Records,
            proof: "secure".into(),
            records: Vec::new(),
        };
        let dv = DomainVerdict {
            domain: "example.".into(),
            mx_status: Status::Secure,
            mx_outcome: MxOutcome::Hosts,
            verdict: Verdict::Authenticated,
            authenticated: true,
            findings: Vec::new(),
            hosts: Vec::new(),
            unchecked: Vec::new(),
            rounds: 2,
            queries: 30,
            first_signature_expiry: None,
            mail_policy: Some(MailPolicy {
                tlsrpt_txt: txt("_smtp._tls.example."),
                tlsrpt: None,
                mta_sts_txt: txt("_mta-sts.example."),
                mta_sts: None,
                policy: None,
                findings: vec![
                    PolicyFinding::StsMxNotCovered { host: "mx.example".into(), mode: Mode::Enforce, patterns: vec![] }
                        .into(),
                    PolicyFinding::DaneTakesPrecedence.into(),
                ],
            }),
        };
        let domain = crate::domain::parse("example.").unwrap_or_else(|e| panic!("{e:?}"));
        let v = verdict_view(&domain, &dv, Lang::De);
        assert_eq!(v.shown.as_str(), "authenticated", "the headline stays DANE's");
        assert_eq!(
            v.policy_findings.iter().map(|f| (&*f.code, &*f.severity, &*f.rfc)).collect::<Vec<_>>(),
            [("sts_mx_not_covered", "error", "RFC 8461 §4.1"), ("dane_takes_precedence", "info", "RFC 8461 §2")]
        );
        assert!(
            v.policy_findings[1].title.starts_with("Die Domain hat DANE und MTA-STS"),
            "{}",
            v.policy_findings[1].title
        );
    }
}
