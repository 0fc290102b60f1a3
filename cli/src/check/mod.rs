//! `geleit check DOMAIN`: what a DANE-aware sender concludes about a mail
//! domain. The whole check is the core's `geleit::check::DomainCheck`: the
//! DNS stage (RFC 7672 §2.2), which addresses to probe with which SNI, the
//! retries of failed DoH queries, and the verdict. This shell is its driver:
//! it sends the queries over DoH, probes the targets (natively, or through
//! an edge), hands everything back and prints the outcome.
//!
//! ```text
//!  DomainCheck ── poll_queries ──► Doh::exchange (a round in parallel)
//!       │     ◄── answers / transport errors (the core retries)
//!       ├──── poll_probes ──► a thread per host: native probes (tokio) or
//!       │                     GET <edge>/api/probe, while DNS goes on
//!       │     ◄── reports / "not probed" with the reason
//!       └──── outcome ──► text or JSON; exit 0, 1, or 3 (resolver unreachable)
//! ```

mod edge;
mod many;
mod monitor;
mod render;
mod sts;

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::mpsc;

use anyhow::Context;
use clap::{Args, ValueEnum};
use geleit::api::{self, ErrorCode, ProbeRequest};
use geleit::check::{CheckOutcome, DomainCheck, FetchFailure, FetchResult, SMTP_PORT};
use geleit::dns::{self, SmtpReport};
use geleit::monitor::State;
use geleit::smtp::{AfterTls, Config, HostReport, TlsMode};
use geleit::verdict::{LookAhead, ProbeTarget};

use crate::dns::Resolver;
use crate::doh::{Doh, Recorded};
use crate::outcome::Outcome;
use crate::probe::{self, Policy};
use crate::term;

/// Output formats of `geleit check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// The verdict as JSON (with --from: JSON Lines, one verdict a line).
    Json,
    /// A Monitoring Plugins status line with performance data; the exit code
    /// is the state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    Nagios,
    /// Prometheus text exposition (node_exporter textfile collector); exit 0
    /// whenever the metrics are written.
    Prometheus,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Mail domain (the part after @), or `[host]` for one mail server without
    /// an MX lookup (as Postfix's next-hop syntax).
    #[arg(required_unless_present = "from", conflicts_with = "from")]
    pub domain: Option<String>,
    /// Check every domain in FILE, one a line ("-": standard input; blank
    /// lines and lines starting with # are skipped). Prints JSON Lines (one
    /// verdict a line, in input order) and a summary on standard error; the
    /// exit code is the worst of all.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Domains checked at once with --from.
    #[arg(long, default_value_t = 8, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Only the DNS verdicts: do not connect to the MX hosts.
    #[arg(long)]
    pub no_probe: bool,
    /// Look N days ahead: warn about certificates on a DANE-TA(2) path and
    /// DNSSEC signatures (RRSIGs of the MX, A/AAAA and TLSA answers, their
    /// denials and CNAMEs, and DS/DNSKEY up to the root) that expire within N
    /// days. A signature is reported only when it has also used three
    /// quarters of its validity, so zones that re-sign on schedule stay quiet.
    /// [default: 21 for certificates, 7 for signatures]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=3650))]
    pub days: Option<u32>,
    /// Probe through this edge (`GET <URL>/api/probe` with each MX host's validated addresses and SNI) instead of natively (ignored with --no-probe).
    #[arg(long, env = "GELEIT_EDGE", value_name = "URL")]
    pub edge: Option<String>,
    /// Time each SMTP step may take, in milliseconds (native probing).
    #[arg(long, default_value_t = geleit::smtp::DEFAULT_STEP_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout_ms: u64,
    /// Name sent with EHLO (native probing).
    #[arg(long, default_value = "geleit.invalid")]
    pub ehlo_name: String,
    #[command(flatten)]
    pub resolver: Resolver,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print JSON (the same as --format json).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Write every DNS response and the time to FILE (JSON), for replay in tests.
    #[arg(long, value_name = "FILE", hide = true, conflicts_with = "from")]
    pub record: Option<PathBuf>,
    /// With --from: do not share DS and DNSKEY answers between the domains (for benchmarks).
    #[arg(long, hide = true, requires = "from")]
    pub no_share: bool,
    /// Trust the CA certificates of this PEM file too (beside the webpki
    /// roots) for the MTA-STS policy's HTTPS server (a private CA, the lab's).
    #[arg(long, env = "GELEIT_STS_CA", value_name = "FILE")]
    pub sts_ca: Option<PathBuf>,
    /// Also fetch the MTA-STS policy from addresses in this range (repeatable;
    /// non-public addresses are refused otherwise, as by the edge).
    #[arg(long = "sts-allow-range", value_name = "CIDR")]
    pub sts_allow_ranges: Vec<geleit::smtp::Cidr>,
    /// The MTA-STS id seen at an earlier check: a different id now is reported.
    #[arg(long, value_name = "ID")]
    pub sts_id: Option<String>,
    /// With --from: print the time taken and the shared answers' use on standard error (for benchmarks).
    #[arg(long, hide = true, requires = "from")]
    pub timing: bool,
}

impl CheckArgs {
    fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
}

/// What every check of a run shares: the resolver, the transport, the
/// prober and the time.
pub(crate) struct Setup {
    config: geleit::dns::Config,
    doh: Doh,
    prober: Prober,
    fetcher: sts::Fetcher,
    previous_sts_id: Option<String>,
    probe: bool,
    now: u64,
    pub(crate) ahead: LookAhead,
}

impl Setup {
    fn new(args: &CheckArgs) -> anyhow::Result<Self> {
        let (config, doh) = args.resolver.setup()?;
        let now = args.resolver.now();
        // The verdict reads the chain only: each probe ends at the TLS handshake.
        let probe_config = Config {
            ehlo_name: args.ehlo_name.clone(),
            mode: TlsMode::Starttls,
            step_timeout_ms: args.timeout_ms,
            after_tls: AfterTls::Quit,
        };
        // Check the EHLO name before any network traffic.
        geleit::smtp::Client::new(probe_config.clone(), 0)?;
        let prober = match &args.edge {
            Some(edge) => Prober::Edge(edge.clone()),
            None => Prober::Native(probe_config),
        };
        let ahead = args.days.map_or_else(LookAhead::default, LookAhead::days);
        let fetcher = sts::Fetcher::new(args.sts_ca.as_deref(), args.sts_allow_ranges.clone())?;
        Ok(Self {
            config,
            doh,
            prober,
            fetcher,
            previous_sts_id: args.sts_id.clone(),
            probe: !args.no_probe,
            now,
            ahead,
        })
    }

    /// Checks one domain (`[host]` for a host without MX lookup) to its outcome.
    fn check(&self, input: &str, record: Option<&mut Vec<Recorded>>) -> anyhow::Result<CheckOutcome> {
        let input = input.trim();
        let direct = input.strip_prefix('[').and_then(|d| d.strip_suffix(']'));
        let domain = dns::parse_name(direct.unwrap_or(input))?;
        let config = self.config.clone();
        let mut check = if direct.is_some() {
            DomainCheck::new_host(domain, config, self.now, self.probe)
        } else {
            DomainCheck::new(domain, config, self.now, self.probe).with_previous_sts_id(self.previous_sts_id.clone())
        }
        .look_ahead(self.ahead);
        drive(&mut check, &self.doh, &self.prober, &self.fetcher, record)?;
        check.into_result().context("the check ended without an outcome")
    }
}

pub fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    let format = args.format();
    if let Some(from) = &args.from {
        return many::run(from, &args, format);
    }
    let domain = args.domain.clone().unwrap_or_default();
    let checked = Setup::new(&args).and_then(|setup| {
        let mut recorded = args.record.as_ref().map(|_| Vec::new());
        let outcome = setup.check(&domain, recorded.as_mut())?;
        if let (Some(path), Some(responses)) = (&args.record, &recorded) {
            let doc = serde_json::json!({ "domain": domain, "now": setup.now, "responses": responses });
            std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok((outcome, setup.now, setup.ahead))
    });
    let (outcome, now, ahead) = match checked {
        Ok(done) => done,
        // A plugin that cannot run says UNKNOWN (Monitoring Plugins guidelines).
        Err(e) if format == Format::Nagios => {
            term::print(&monitor::nagios_unknown(&format!("{e:#}")))?;
            return Ok(Outcome::Monitor(State::Unknown));
        }
        Err(e) => return Err(e),
    };
    let at = i64::try_from(now).unwrap_or(i64::MAX);
    match format {
        Format::Nagios => {
            let m = geleit::monitor::summarize_with(&outcome, at, &ahead);
            term::print(&monitor::nagios(&m))?;
            return Ok(Outcome::Monitor(m.state));
        }
        Format::Prometheus => {
            term::print(&monitor::prometheus(&[geleit::monitor::summarize_with(&outcome, at, &ahead)]))?;
            return Ok(Outcome::Success);
        }
        Format::Text | Format::Json => {}
    }
    let json = format == Format::Json;
    match outcome {
        CheckOutcome::Dns(report) => {
            if json {
                term::print_json(&report)?;
            } else {
                term::print(&dns_text(&report, at, &ahead))?;
            }
            Ok(Outcome::from_ok(report.dane_ready))
        }
        CheckOutcome::Verdict(verdict) => {
            if json {
                term::print_json(&verdict)?;
            } else {
                term::print(&render::text(&verdict))?;
            }
            Ok(Outcome::from_ok(verdict.authenticated))
        }
        CheckOutcome::ResolverUnreachable(failure) => {
            let message = failure.to_string();
            if json {
                term::print_json(&unreachable_body(&message)?)?;
            }
            term::error(&message);
            Ok(Outcome::ResolverUnreachable)
        }
    }
}

/// The edge's error shape, with its code for an unreachable resolver
/// (`geleit check` and `geleit dns`).
pub(crate) fn unreachable_body(message: &str) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::from_str(&api::error_body(&ErrorCode::DnsUnreachable, message))?)
}

/// Runs the check to its outcome: the DNS rounds over `doh` on this
/// thread, and every probe target on a thread of its own as soon as the core
/// hands it out, so that one host is probed while the answers for another
/// are still out (and all hosts at once). A probe that fails outright
/// (an edge that cannot be reached, a refused request) leaves that host's
/// addresses not probed, with the reason.
fn drive(
    check: &mut DomainCheck,
    doh: &Doh,
    prober: &Prober,
    fetcher: &sts::Fetcher,
    mut record: Option<&mut Vec<Recorded>>,
) -> anyhow::Result<()> {
    let (finished, reports) = mpsc::channel();
    let mut running = 0usize;
    while !check.is_done() {
        let asked = doh.exchange(check, record.as_deref_mut())?;
        let targets = check.poll_probes();
        let fetches = check.poll_fetches();
        if !asked && targets.is_empty() && fetches.is_empty() && running == 0 && !check.is_done() {
            anyhow::bail!("the check stalled: nothing to ask and nothing to probe");
        }
        for target in targets {
            let (prober, finished) = (prober.clone(), finished.clone());
            running += 1;
            // Not scoped: the outcome may be ready (the resolver unreachable)
            // with probes still out, and nobody needs to wait for them then.
            std::thread::spawn(move || {
                let report = std::panic::catch_unwind(AssertUnwindSafe(|| prober.probe(&target)))
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the probe of {} failed unexpectedly", target.host)));
                let _ = finished.send(Done::Probe(target, report));
            });
        }
        // The MTA-STS policy, beside the probes (RFC 8461 §3.3).
        for request in fetches {
            let (fetcher, finished) = (fetcher.clone(), finished.clone());
            running += 1;
            std::thread::spawn(move || {
                let result =
                    std::panic::catch_unwind(AssertUnwindSafe(|| fetcher.fetch(&request))).unwrap_or_else(|_| {
                        FetchResult::Failed(FetchFailure::Unavailable {
                            detail: "the fetch failed unexpectedly".into(),
                        })
                    });
                let _ = finished.send(Done::Fetch(result));
            });
        }
        // With nothing to ask, wait for a probe; else take those that are in.
        let mut next = if asked || running == 0 { reports.try_recv().ok() } else { reports.recv().ok() };
        while let Some(done) = next {
            running -= 1;
            match done {
                Done::Probe(_, Ok(report)) => check.handle_probe(report),
                Done::Probe(target, Err(e)) => check.handle_probe_failed(&target, &format!("{e:#}")),
                Done::Fetch(result) => check.handle_fetch(result),
            }
            next = reports.try_recv().ok();
        }
    }
    Ok(())
}

/// What a worker thread hands back.
enum Done {
    Probe(ProbeTarget, anyhow::Result<HostReport>),
    Fetch(FetchResult),
}

/// Runs a DNS-only check (no probes) to its outcome over `doh`.
pub(crate) fn drive_dns(check: &mut DomainCheck, doh: &Doh) -> anyhow::Result<()> {
    while !check.is_done() {
        if !doh.exchange(check, None)? && !check.is_done() {
            anyhow::bail!("the check stalled: nothing to ask and nothing to probe");
        }
    }
    Ok(())
}

/// Who probes the targets.
#[derive(Debug, Clone)]
enum Prober {
    /// This process, with this SMTP configuration.
    Native(Config),
    /// The edge at this URL (`GET /api/probe` with the validated target).
    Edge(String),
}

impl Prober {
    /// Probes one target (blocking): its validated addresses, with its SNI.
    fn probe(&self, target: &ProbeTarget) -> anyhow::Result<HostReport> {
        match self {
            Self::Native(config) => probe::probe_target(target, SMTP_PORT, config, &Policy::default()),
            Self::Edge(edge) => {
                let mut report = edge::probe(edge, &ProbeRequest::for_target(target, SMTP_PORT))?;
                // The core matches reports to targets by the MX host name.
                report.host.clone_from(&target.host);
                Ok(report)
            }
        }
    }
}

fn dns_text(r: &SmtpReport, now: i64, ahead: &LookAhead) -> String {
    let mut out = String::new();
    let (domain_signatures, host_signatures) = geleit::verdict::signature_findings(r, now, ahead);
    let _ = writeln!(out, "{}: MX {} ({})", r.domain, r.mx_proof, serde_plain(&r.mx_outcome));
    if let Some(f) = &domain_signatures {
        let _ = writeln!(out, "  ! {}", f.message);
    }
    for h in &r.hosts {
        let _ = writeln!(out, "  {} (preference {})", h.host, h.preference);
        for (_, f) in host_signatures.iter().filter(|(host, _)| *host == h.host) {
            let _ = writeln!(out, "    ! {}", f.message);
        }
        for link in &h.cname_chain {
            let _ = writeln!(out, "    CNAME {link}");
        }
        for a in &h.addresses {
            let list = if a.addresses.is_empty() {
                "none".to_owned()
            } else {
                a.addresses.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
            };
            let _ = writeln!(out, "    {} {list}: {}", a.rtype, a.status);
        }
        let (proof, records) = h.tlsa.with_proof();
        let _ = writeln!(out, "    TLSA at {}: {proof}", h.tlsa_base.as_deref().unwrap_or("-"));
        for t in records {
            let verdict = if t.problems.is_empty() {
                "usable".to_owned()
            } else {
                t.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            };
            let _ = writeln!(out, "      {} ({verdict})", t.to_text());
        }
        let _ = writeln!(out, "    => {} ({}): {}", h.outcome.describe(), h.outcome.rfc(), h.why);
    }
    for u in &r.unchecked {
        let _ = writeln!(
            out,
            "  {} (preference {}): not checked (more than {} MX hosts)",
            u.host,
            u.preference,
            dns::MAX_MX_HOSTS
        );
    }
    let _ = writeln!(out, "verdict: {}", if r.dane_ready { "every MX host is DANE-ready" } else { "not DANE-ready" });
    let _ = writeln!(out, "{} rounds, {} queries", r.rounds, r.queries);
    out
}

pub(crate) fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
