//! `geleit guard FILE`: before a renewed certificate goes live, may it? The
//! decision is the core's (`geleit::guard`): this shell reads the file, runs
//! the DNS stage of `DomainCheck` (no probes) for the domain or for each
//! host named, and prints the answer.
//!
//! Exit codes: 0 safe to deploy; 1 deploying now breaks DANE (the records to
//! publish, the TTL to wait and the steps are printed); 2 could not decide
//! (bad input, DNS unreachable, bogus or insecure TLSA records, ...).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use geleit::cert::{MAX_INPUT, read_input};
use geleit::check::{CheckOutcome, DomainCheck};
use geleit::dns::{self, SmtpReport};
use geleit::guard::{self, Candidate, Decision, GuardReport, GuardVerdict, SafeReason};

use crate::dns::Resolver;
use crate::doh::Doh;
use crate::outcome::Outcome;
use crate::term;
use crate::tlsa::{read_limited, rfc3339, shown};

#[derive(Debug, Args)]
pub struct GuardArgs {
    /// The certificate chain about to go live (PEM or DER, leaf first, as
    /// fullchain.pem), or only its public key or certificate request; "-"
    /// reads standard input. Private keys are refused.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// An MX host the certificate serves; repeatable. With --domain, each
    /// must be an MX host of the domain.
    #[arg(long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,
    /// The mail domain: without --host, its MX hosts that the certificate names are checked.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    #[command(flatten)]
    pub resolver: Resolver,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: GuardArgs) -> anyhow::Result<Outcome> {
    if args.hosts.is_empty() && args.domain.is_none() {
        anyhow::bail!(
            "expected the MX hosts the certificate serves (--host HOST, repeatable) or the mail domain (--domain DOMAIN), found neither"
        );
    }
    let bytes = read_limited(&args.file, MAX_INPUT)?;
    let input = read_input(&bytes).with_context(|| shown(&args.file))?;
    for w in &input.warnings {
        term::warning(w);
    }
    let now = args.resolver.now();
    let at = i64::try_from(now).unwrap_or(i64::MAX);
    let candidate = Candidate::from_input(&input, at).with_context(|| shown(&args.file))?;
    // Names are checked before any DNS traffic.
    let hosts = args.hosts.iter().map(|h| dns::parse_name(h)).collect::<Result<Vec<_>, _>>()?;
    let domain = args.domain.as_deref().map(dns::parse_name).transpose()?;
    let (config, doh) = args.resolver.setup()?;
    let reports: Vec<SmtpReport> = match domain {
        Some(domain) => vec![dns_stage(DomainCheck::new(domain, config, now, false), &doh)?],
        None => hosts
            .into_iter()
            .map(|h| dns_stage(DomainCheck::new_host(h, config.clone(), now, false), &doh))
            .collect::<anyhow::Result<_>>()?,
    };
    let selected = match (&args.domain, reports.as_slice()) {
        (Some(_), [report]) => {
            let wanted: Vec<String> = args.hosts.iter().map(|h| h.trim().to_owned()).collect();
            guard::select_hosts(report, &candidate, &wanted)?
        }
        _ => reports.iter().flat_map(|r| r.hosts.iter()).collect(),
    };
    let report = guard::decide(&candidate, &selected, at);
    if args.json {
        term::print_json(&report)?;
    } else {
        term::print(&text(&report))?;
    }
    Ok(match report.verdict {
        GuardVerdict::Safe => Outcome::Success,
        GuardVerdict::Breaks => Outcome::Failure,
        GuardVerdict::Undecided => Outcome::Error,
    })
}

/// Runs a DNS-only check to its report; a resolver that cannot be reached
/// is an error (the guard then cannot decide: exit 2).
pub(crate) fn dns_stage(mut check: DomainCheck, doh: &Doh) -> anyhow::Result<SmtpReport> {
    crate::check::drive_dns(&mut check, doh)?;
    match check.into_result().context("the DNS lookups ended without an outcome")? {
        CheckOutcome::Dns(report) => Ok(*report),
        CheckOutcome::ResolverUnreachable(failure) => anyhow::bail!("cannot decide: {failure}"),
        CheckOutcome::Verdict(_) => anyhow::bail!("the DNS lookups ended with a probe verdict"),
    }
}

fn text(r: &GuardReport) -> String {
    let mut out = String::new();
    let c = &r.candidate;
    match &c.subject {
        Some(subject) => {
            let _ = writeln!(out, "new certificate: {subject}, issued by {}", c.issuer.as_deref().unwrap_or("-"));
            if !c.names.is_empty() {
                let _ = writeln!(out, "  names: {}", c.names.join(", "));
            }
            if let Some(na) = c.not_after {
                let _ = writeln!(out, "  valid until {}", rfc3339(na));
            }
        }
        None => {
            let _ = writeln!(out, "new key: from a {}", c.kind);
        }
    }
    let _ = writeln!(out, "  key {}; its DANE-EE record: {}", c.key, c.record);
    for h in &r.hosts {
        let owner = h.owner.as_deref().unwrap_or("-");
        let word = match &h.decision {
            Decision::Safe { .. } => "safe",
            Decision::Breaks { .. } => "BREAKS",
            Decision::Undecided { .. } => "undecided",
        };
        let _ = writeln!(out, "{}: {word}", h.host);
        if h.ttl > 0 {
            let _ = writeln!(out, "  TLSA at {owner} ({}, TTL {} s):", h.tlsa_status, h.ttl);
        } else {
            let _ = writeln!(out, "  TLSA at {owner} ({}):", h.tlsa_status);
        }
        if h.records.is_empty() {
            let _ = writeln!(out, "    none");
        }
        for rec in &h.records {
            let _ = writeln!(out, "    {rec}");
        }
        match &h.decision {
            Decision::Safe { reason, detail, .. } => {
                let label = match reason {
                    SafeReason::Matches => "authenticates",
                    SafeReason::NoTlsa | SafeReason::NoUsableRecords => "no DANE to break",
                };
                let _ = writeln!(out, "  {label}: {detail}");
            }
            Decision::Breaks { why, publish, steps, .. } => {
                for w in why {
                    let _ = writeln!(out, "  does not authenticate: {w}");
                }
                let _ = writeln!(out, "  publish now:");
                for p in publish {
                    let _ = writeln!(out, "    {owner} {} IN TLSA {p}", h.ttl);
                }
                let _ = writeln!(out, "  then, in this order (RFC 7671 §8.1):");
                for (i, step) in steps.iter().enumerate() {
                    let _ = writeln!(out, "    {}. {step}", i + 1);
                }
            }
            Decision::Undecided { why } => {
                let _ = writeln!(out, "  cannot decide: {why}");
            }
        }
    }
    let _ = writeln!(out, "verdict: {}", r.verdict.describe());
    out
}
