//! `geleit check DOMAIN`: what a DANE-aware sender concludes about a mail
//! domain. The DNS stage (RFC 7672 §2.2) runs in the core; the SMTP probe
//! stage (STARTTLS and certificate matching) will follow it here.

use anyhow::Context;
use clap::Args;
use geleit::dns::{self, SmtpCheck, SmtpReport};

use crate::dns::Resolver;
use crate::outcome::Outcome;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Mail domain (the part after @).
    pub domain: String,
    /// Only the DNS verdicts: do not connect to the MX hosts.
    #[arg(long)]
    pub no_probe: bool,
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
    if !args.no_probe {
        anyhow::bail!(
            "probing MX hosts over SMTP is not built yet; run `geleit check {} --no-probe` for the DNS verdicts",
            args.domain
        );
    }
    let domain = dns::parse_name(&args.domain)?;
    let (config, doh) = args.resolver.setup()?;
    let now = args.resolver.now();
    let mut check = SmtpCheck::new(domain, config, now);
    let mut recorded = Vec::new();
    doh.drive(&mut check, args.record.as_ref().map(|_| &mut recorded))?;
    if let Some(path) = &args.record {
        let doc = serde_json::json!({ "domain": args.domain, "now": now, "responses": recorded });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let report = check.poll_result().context("the check ended without a report")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print_report(report);
    }
    Ok(Outcome::from_ok(report.dane_ready))
}

fn print_report(r: &SmtpReport) {
    println!("{}: MX {} ({})", r.domain, r.mx_proof, serde_plain(&r.mx_outcome));
    for h in &r.hosts {
        println!("  {} (preference {})", h.host, h.preference);
        for link in &h.cname_chain {
            println!("    CNAME {link}");
        }
        for a in &h.addresses {
            let list = if a.addresses.is_empty() {
                "none".to_owned()
            } else {
                a.addresses.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
            };
            println!("    {} {list}: {}", a.rtype, a.status);
        }
        let (proof, records) = h.tlsa.with_proof();
        println!("    TLSA at {}: {proof}", h.tlsa_base.as_deref().unwrap_or("-"));
        for t in records {
            let verdict = if t.problems.is_empty() {
                "usable".to_owned()
            } else {
                t.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            };
            println!("      {} ({verdict})", t.to_text());
        }
        println!("    => {} ({}): {}", h.outcome.describe(), h.outcome.rfc(), h.why);
    }
    println!("verdict: {}", if r.dane_ready { "every MX host is DANE-ready" } else { "not DANE-ready" });
    println!("{} rounds, {} queries", r.rounds, r.queries);
}

fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
