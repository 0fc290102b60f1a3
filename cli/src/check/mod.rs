//! `geleit check DOMAIN`: what a DANE-aware sender concludes about a mail
//! domain. The DNS stage (RFC 7672 §2.2) runs in the core; this shell then
//! probes every validated address of every MX host (natively, or through an
//! edge) and hands everything to the core's `verdict::evaluate`, which
//! decides. Here bytes move and text is printed; nothing is decided.

mod edge;
mod render;

use std::fmt::Write as _;

use anyhow::Context;
use clap::Args;
use geleit::dns::{self, SmtpCheck, SmtpReport};
use geleit::smtp::{AddressReport, Config, HostReport, TlsMode};
use geleit::verdict::{self, ProbeTarget};

use crate::dns::Resolver;
use crate::outcome::Outcome;
use crate::probe::{self, Policy};
use crate::term;

/// SMTP (RFC 7672 applies to port 25 only).
const PORT: u16 = 25;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Mail domain (the part after @), or `[host]` for one mail server without
    /// an MX lookup (as Postfix's next-hop syntax).
    pub domain: String,
    /// Only the DNS verdicts: do not connect to the MX hosts.
    #[arg(long)]
    pub no_probe: bool,
    /// Probe through this edge (`GET <URL>/api/probe?host=<mx>&port=25`) instead of natively (ignored with --no-probe).
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
    let probe_config =
        Config { ehlo_name: args.ehlo_name.clone(), mode: TlsMode::Starttls, step_timeout_ms: args.timeout_ms };
    // Check the EHLO name before any network traffic.
    geleit::smtp::Client::new(probe_config.clone(), 0)?;
    let mut check =
        if direct.is_some() { SmtpCheck::new_host(domain, config, now) } else { SmtpCheck::new(domain, config, now) };
    let mut recorded = Vec::new();
    doh.drive(&mut check, args.record.as_ref().map(|_| &mut recorded))?;
    if let Some(path) = &args.record {
        let doc = serde_json::json!({ "domain": args.domain, "now": now, "responses": recorded });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let report = check.poll_result().context("the check ended without a report")?;
    if args.no_probe {
        if args.json {
            term::print_json(report)?;
        } else {
            term::print(&dns_text(report))?;
        }
        return Ok(Outcome::from_ok(report.dane_ready));
    }
    let targets = verdict::probe_targets(report);
    let probes = match &args.edge {
        // Every host at once, as the native probe does: one request per host.
        Some(edge) => std::thread::scope(|s| {
            let running: Vec<_> = targets.iter().map(|t| (t, s.spawn(|| through_edge(edge, t)))).collect();
            running
                .into_iter()
                .map(|(t, h)| h.join().unwrap_or_else(|_| not_probed(t, "the probe request failed".into())))
                .collect()
        }),
        None => probe::probe_targets(&targets, PORT, &probe_config, &Policy::default())?,
    };
    let at = i64::try_from(now).context("the time is out of range")?;
    let result = verdict::evaluate(report, &probes, at);
    if args.json {
        term::print_json(&result)?;
    } else {
        term::print(&render::text(&result))?;
    }
    Ok(Outcome::from_ok(result.authenticated))
}

/// One host through the edge, named by its TLSA base domain (the edge sends
/// it as SNI and resolves it to the same addresses, RFC 7672 §8.1); a failed
/// request marks the host's addresses as not probed.
fn through_edge(edge: &str, target: &ProbeTarget) -> HostReport {
    let reply = edge::probe(edge, &target.sni, PORT).map(|mut r| {
        r.host.clone_from(&target.host);
        r
    });
    reply.unwrap_or_else(|e| not_probed(target, format!("{e:#}")))
}

/// The target's addresses, none probed, each with `why`.
fn not_probed(target: &ProbeTarget, why: String) -> HostReport {
    HostReport {
        host: target.host.clone(),
        port: PORT,
        mode: TlsMode::Starttls,
        addresses: target
            .addresses
            .iter()
            .map(|ip| AddressReport { address: *ip, port: PORT, refused: Some(why.clone()), probes: Vec::new() })
            .collect(),
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
