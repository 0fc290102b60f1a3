//! `geleit dns NAME TYPE`: one DNSSEC-validated lookup over DoH, with its trace.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use geleit::dns::{self, AnswerData, Config, Lookup, TrustAnchors};
use serde_json::json;

use crate::doh::Doh;
use crate::outcome::Outcome;
use crate::term;

/// Where DNS answers come from and where validation starts (shared by `dns` and `check`).
#[derive(Debug, Args)]
pub struct Resolver {
    /// DNS-over-HTTPS endpoint (RFC 8484).
    #[arg(long, env = "GELEIT_DOH", default_value = "https://cloudflare-dns.com/dns-query")]
    pub doh: String,
    /// Use POST instead of GET for DoH.
    #[arg(long)]
    pub post: bool,
    /// Trust only the CA certificates in this PEM file for an https DoH server (instead of the web PKI roots).
    #[arg(long, env = "GELEIT_DOH_CA", value_name = "FILE")]
    pub doh_ca: Option<PathBuf>,
    /// Trust anchor file: DS or DNSKEY records in presentation format (default: the IANA root anchors).
    #[arg(long, env = "GELEIT_TRUST_ANCHOR")]
    pub trust_anchor: Option<PathBuf>,
    /// Validate as of this Unix time instead of now (replaying recorded answers).
    #[arg(long, value_name = "UNIX_TIME", hide = true)]
    pub at: Option<u64>,
}

impl Resolver {
    /// The engine configuration and the transport.
    pub fn setup(&self) -> anyhow::Result<(Config, Doh)> {
        let anchors = match &self.trust_anchor {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read trust anchor file {}", path.display()))?;
                TrustAnchors::scan(&text).with_context(|| format!("trust anchor file {}", path.display()))?
            }
            None => TrustAnchors::iana_root(),
        };
        Ok((Config { anchors, ..Config::default() }, Doh::new(&self.doh, self.post, self.doh_ca.as_deref())?))
    }
}

impl Resolver {
    /// The validation time: `--at`, else the clock (the core takes time as a parameter).
    pub fn now(&self) -> u64 {
        self.at.unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
        })
    }
}

#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Domain name to look up.
    pub name: String,
    /// Record type (A, AAAA, MX, TLSA, DS, DNSKEY, ...).
    #[arg(value_name = "TYPE")]
    pub rtype: String,
    #[command(flatten)]
    pub resolver: Resolver,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: DnsArgs) -> anyhow::Result<Outcome> {
    let name = dns::parse_name(&args.name)?;
    let rtype = dns::parse_type(&args.rtype)?;
    let (config, doh) = args.resolver.setup()?;
    let mut lookup = Lookup::new(name, rtype, config, args.resolver.now());
    while !lookup.is_done() {
        if !doh.exchange(&mut lookup, None)? && !lookup.is_done() {
            anyhow::bail!("the lookup stalled: nothing to ask and no answer");
        }
    }
    // The core retried every failed query; one that still failed says
    // nothing about the name, so there is no answer to print: exit 3 as for
    // `geleit check`, with the edge's error shape under `--json`.
    if let Some(failure) = lookup.resolver_failure() {
        let message = failure.to_string();
        if args.json {
            term::print_json(&crate::check::unreachable_body(&message)?)?;
        }
        term::error(&message);
        return Ok(Outcome::ResolverUnreachable);
    }
    let stats = lookup.stats();
    let answer = lookup.poll_result().context("the lookup ended without an answer")?;
    let (proof, data) = answer.data.with_proof();
    if args.json {
        let kind = match data {
            AnswerData::Records(_) => "data",
            AnswerData::NoData => "nodata",
            AnswerData::NxDomain => "nxdomain",
            AnswerData::Unknown => "unknown",
        };
        let records = match data {
            AnswerData::Records(_) => data.to_lines(),
            _ => Vec::new(),
        };
        let out = json!({
            "name": answer.qname.to_ascii(),
            "type": answer.qtype.to_string(),
            "status": proof.status(),
            "proof": proof,
            "answer": kind,
            "chain": answer.chain,
            "records": records,
            "ttl": answer.ttl,
            "trace": answer.trace,
            "rounds": stats.rounds,
            "queries": stats.queries,
        });
        term::print_json(&out)?;
    } else {
        let mut out = String::new();
        let _ = writeln!(out, ";; {} {}: {proof}", answer.qname, answer.qtype);
        for link in &answer.chain {
            let _ = writeln!(out, ";; CNAME {} -> {}: {}", link.from, link.to, link.proof.status());
        }
        for line in data.to_lines() {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, ";; validation:");
        for step in &answer.trace {
            let _ = writeln!(out, ";;   {step}");
        }
        let _ = writeln!(out, ";; {} rounds, {} queries", stats.rounds, stats.queries);
        term::print(&out)?;
    }
    Ok(Outcome::from_ok(proof.is_secure()))
}
