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
mod render;

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

use anyhow::Context;
use clap::Args;
use geleit::api::{self, ErrorCode, ProbeRequest};
use geleit::check::{CheckOutcome, DomainCheck, SMTP_PORT};
use geleit::dns::{self, SmtpReport};
use geleit::smtp::{AfterTls, Config, HostReport, TlsMode};
use geleit::verdict::ProbeTarget;

use crate::dns::Resolver;
use crate::doh::{Doh, Recorded};
use crate::outcome::Outcome;
use crate::probe::{self, Policy};
use crate::term;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Mail domain (the part after @), or `[host]` for one mail server without
    /// an MX lookup (as Postfix's next-hop syntax).
    pub domain: String,
    /// Only the DNS verdicts: do not connect to the MX hosts.
    #[arg(long)]
    pub no_probe: bool,
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
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Write every DNS response and the time to FILE (JSON), for replay in tests.
    #[arg(long, value_name = "FILE", hide = true)]
    pub record: Option<std::path::PathBuf>,
}

pub fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    let direct = args.domain.strip_prefix('[').and_then(|d| d.strip_suffix(']'));
    let domain = dns::parse_name(direct.unwrap_or(&args.domain))?;
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
    let probe = !args.no_probe;
    let mut check = if direct.is_some() {
        DomainCheck::new_host(domain, config, now, probe)
    } else {
        DomainCheck::new(domain, config, now, probe)
    };
    let prober = match &args.edge {
        Some(edge) => Prober::Edge(edge.clone()),
        None => Prober::Native(probe_config),
    };
    let mut recorded = args.record.as_ref().map(|_| Vec::new());
    drive(&mut check, &doh, &prober, recorded.as_mut())?;
    if let (Some(path), Some(responses)) = (&args.record, &recorded) {
        let doc = serde_json::json!({ "domain": args.domain, "now": now, "responses": responses });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match check.into_result().context("the check ended without an outcome")? {
        CheckOutcome::Dns(report) => {
            if args.json {
                term::print_json(&report)?;
            } else {
                term::print(&dns_text(&report))?;
            }
            Ok(Outcome::from_ok(report.dane_ready))
        }
        CheckOutcome::Verdict(verdict) => {
            if args.json {
                term::print_json(&verdict)?;
            } else {
                term::print(&render::text(&verdict))?;
            }
            Ok(Outcome::from_ok(verdict.authenticated))
        }
        CheckOutcome::ResolverUnreachable(failure) => {
            let message = failure.to_string();
            if args.json {
                // The edge's error shape, with its code for the same case.
                let body: serde_json::Value =
                    serde_json::from_str(&api::error_body(&ErrorCode::DnsUnreachable, &message))?;
                term::print_json(&body)?;
            }
            term::error(&message);
            Ok(Outcome::ResolverUnreachable)
        }
    }
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
    mut record: Option<&mut Vec<Recorded>>,
) -> anyhow::Result<()> {
    let (finished, reports) = mpsc::channel();
    let mut running = 0usize;
    while !check.is_done() {
        let asked = doh.exchange(check, record.as_deref_mut())?;
        let targets = check.poll_probes();
        if !asked && targets.is_empty() && running == 0 && !check.is_done() {
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
                let _ = finished.send((target, report));
            });
        }
        // With nothing to ask, wait for a probe; else take those that are in.
        let mut next = if asked || running == 0 { reports.try_recv().ok() } else { reports.recv().ok() };
        while let Some((target, report)) = next {
            running -= 1;
            match report {
                Ok(report) => check.handle_probe(report),
                Err(e) => check.handle_probe_failed(&target, &format!("{e:#}")),
            }
            next = reports.try_recv().ok();
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

fn dns_text(r: &SmtpReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: MX {} ({})", r.domain, r.mx_proof, serde_plain(&r.mx_outcome));
    for h in &r.hosts {
        let _ = writeln!(out, "  {} (preference {})", h.host, h.preference);
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
