//! `geleit tlsa match`: the DANE verdict for a certificate chain (RFC 7672 §3).
//!
//! Exit codes: 0 authenticated, 1 not authenticated or no usable records,
//! 2 usage or input error.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use clap::Args;
use geleit::cert::{MAX_INPUT, Object, read_input};
use geleit::dane::{Anchor, Check, ReferenceNames, Report, Verdict, check};
use geleit::tlsa::Tlsa;
use serde_json::json;

use super::{read_limited, rfc3339, shown};
use crate::outcome::Outcome;
use crate::term;

/// The most records read from the command line and `--tlsa-file` together.
const MAX_RECORDS: usize = 256;

/// Arguments of `geleit tlsa match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The chain the server presents, PEM or DER, leaf first ("-" for standard input).
    #[arg(long, value_name = "FILE")]
    chain: PathBuf,
    /// A TLSA record, "3 1 1 <hex>" (mnemonics and zone-file lines work too); repeatable.
    #[arg(long = "tlsa", value_name = "RECORD")]
    tlsa: Vec<String>,
    /// A file of TLSA records, one a line; blank lines and ";" comments are skipped.
    #[arg(long, value_name = "FILE")]
    tlsa_file: Option<PathBuf>,
    /// Reference name: the TLSA base domain, and the MX host name (RFC 7672 §3.2.3); repeatable.
    #[arg(long = "name", value_name = "NAME", required = true)]
    names: Vec<String>,
    /// Check at this moment (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Also check whether it would still authenticate N days later.
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// Print the full report as JSON.
    #[arg(long)]
    json: bool,
}

fn records(args: &MatchArgs) -> anyhow::Result<Vec<Tlsa>> {
    let mut records = Vec::new();
    for (i, text) in args.tlsa.iter().enumerate() {
        records.push(Tlsa::scan(text).with_context(|| format!("--tlsa #{}", i + 1))?);
    }
    if let Some(path) = &args.tlsa_file {
        let bytes = read_limited(path, MAX_INPUT)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow!("{}: expected UTF-8 text, found other bytes", path.display()))?;
        for scanned in geleit::tlsa::scan_records(&text) {
            let scanned = scanned.with_context(|| path.display().to_string())?;
            records.push(scanned.record);
            if records.len() > MAX_RECORDS {
                break;
            }
        }
    }
    if records.is_empty() {
        bail!("expected at least one TLSA record (--tlsa or --tlsa-file), found none");
    }
    if records.len() > MAX_RECORDS {
        bail!("expected at most {MAX_RECORDS} TLSA records, found more");
    }
    Ok(records)
}

fn now(at: Option<&str>) -> anyhow::Result<i64> {
    match at {
        Some(text) => time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map(time::OffsetDateTime::unix_timestamp)
            .map_err(|e| anyhow!("--at: expected an RFC 3339 time such as 2030-01-01T00:00:00Z, found {text:?} ({e})")),
        None => Ok(time::OffsetDateTime::now_utc().unix_timestamp()),
    }
}

pub fn run(args: &MatchArgs) -> anyhow::Result<Outcome> {
    let bytes = read_limited(&args.chain, MAX_INPUT)?;
    let input = read_input(&bytes).with_context(|| shown(&args.chain))?;
    for w in &input.warnings {
        term::warning(w);
    }
    let mut chain = Vec::new();
    for object in &input.objects {
        match object {
            Object::Certificate(c) => chain.push(c.der().to_vec()),
            _ => bail!(
                "{}: expected only certificates in the chain, found a public key or certificate request",
                shown(&args.chain)
            ),
        }
    }
    let records = records(args)?;
    let names = ReferenceNames::new(&args.names)?;
    let now = now(args.at.as_deref())?;
    let report = check(&chain, &records, Check { names: &names, now, look_ahead_days: args.days })?;
    if args.json {
        term::print_json(&json_report(&report)?)?;
    } else {
        term::print(&human(&report))?;
    }
    Ok(Outcome::from_ok(report.authenticated))
}

fn json_report(report: &Report) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(report)?;
    if let Some(list) = v.get_mut("records").and_then(|r| r.as_array_mut()) {
        for (r, rr) in list.iter_mut().zip(&report.records) {
            r["record"] = json!(rr.record.to_string());
        }
    }
    v["matched"] = report
        .matched
        .iter()
        .map(|m| {
            let record = report.records.get(m.record).map(|r| r.record.to_string());
            json!({ "record": record, "index": m.record, "depth": m.depth })
        })
        .collect();
    Ok(v)
}

fn human(report: &Report) -> String {
    let mut s = String::new();
    for (i, r) in report.records.iter().enumerate() {
        let _ = writeln!(s, "record {}: {}", i + 1, r.record);
        match &r.reason {
            Some(reason) => {
                let _ = writeln!(s, "  unusable: {reason}");
            }
            None => {
                let place = match (r.authenticates, r.depth, r.anchor) {
                    (true, Some(_), Some(Anchor::NotSent)) => {
                        "authenticates, trust anchor not sent by the server".to_owned()
                    }
                    (true, Some(d), _) => format!("authenticates at depth {d}"),
                    (false, Some(d), _) if r.matched => format!("matched at depth {d}, does not authenticate"),
                    _ => "no match".to_owned(),
                };
                let _ = writeln!(s, "  {place}: {}", r.detail);
            }
        }
    }
    let _ = writeln!(s, "chain:");
    for c in &report.chain {
        let cert = &c.certificate;
        let _ = writeln!(
            s,
            "  depth {}: {} (issuer {}; valid {} to {})",
            c.depth,
            cert.subject,
            cert.issuer,
            rfc3339(cert.not_before),
            rfc3339(cert.not_after)
        );
    }
    if let Some(e) = &report.expiry {
        let place = e.depth.map_or_else(|| "the trust anchor in the record".to_owned(), |d| format!("depth {d}"));
        let _ =
            writeln!(s, "expires: {} ({place}, {}): DANE-TA authentication ends then", rfc3339(e.not_after), e.subject);
    }
    if let Some(l) = &report.look_ahead {
        let state = if l.authenticated { "still authenticated" } else { "not authenticated" };
        let _ = writeln!(s, "in {} days ({}): {state}", l.days, rfc3339(l.at));
    }
    let verdict = match report.verdict {
        Verdict::Authenticated => "authenticated",
        Verdict::NotAuthenticated => "not authenticated (a DANE client must not deliver)",
        Verdict::NoUsableRecords => "no usable TLSA records (TLS still mandatory, unauthenticated; RFC 7672 §2.2)",
    };
    let _ = writeln!(s, "verdict: {verdict}");
    s
}
