//! `geleit tlsa parse [--json] RECORD...`: scans each argument as one TLSA
//! record (plain RDATA, RFC 7218 mnemonics, RFC 3597 generic form or a whole
//! zone-file line) and explains it. All judgement comes from the core:
//! [`Tlsa::describe`] and [`Tlsa::smtp_problems`].
//!
//! Exit 0 when every record is usable for SMTP, 1 when any is not, 2 when any
//! fails to scan (`geleit: record N: <error>` on stderr; the others are still
//! explained on stdout).

use std::fmt::Write as _;

use clap::Args;
use geleit::tlsa::{Scanned, Tlsa, scan_record};
use serde::Serialize;

use crate::outcome::Outcome;
use crate::term;

/// Arguments of `geleit tlsa parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Print a JSON array instead of text.
    #[arg(long)]
    json: bool,
    /// One record per argument: `3 1 1 <hex>`, `DANE-EE SPKI SHA2-256 <hex>`,
    /// `\# 35 <hex>`, or a zone-file line `<owner> [TTL] [IN] TLSA ...`.
    #[arg(value_name = "RECORD", required = true)]
    records: Vec<String>,
}

/// One record as `--json` prints it.
#[derive(Serialize)]
struct JsonRecord<'a> {
    /// 1-based index of the argument.
    record: usize,
    #[serde(flatten)]
    tlsa: &'a Tlsa,
    presentation: String,
    description: String,
    usable: bool,
    problems: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
}

pub fn run(args: &ParseArgs) -> Outcome {
    let mut scanned = Vec::new();
    let mut failed = false;
    for (i, text) in args.records.iter().enumerate() {
        let n = i + 1;
        match scan_record(text) {
            Ok(s) => scanned.push((n, s)),
            Err(err) => {
                term::error(format_args!("record {n}: {err}"));
                failed = true;
            }
        }
    }
    let all_usable = scanned.iter().all(|(_, s)| s.record.is_usable_for_smtp());
    if args.json {
        let out: Vec<JsonRecord<'_>> = scanned.iter().map(|(n, s)| json_record(*n, s)).collect();
        if let Err(err) = term::print_json(&out) {
            term::error(format_args!("{err:#}"));
            return Outcome::Error;
        }
    } else {
        let text: String = scanned.iter().map(|(n, s)| explain(*n, s)).collect();
        if let Err(err) = term::print(&text) {
            term::error(err);
            return Outcome::Error;
        }
    }
    if failed { Outcome::Error } else { Outcome::from_ok(all_usable) }
}

fn json_record(n: usize, s: &Scanned) -> JsonRecord<'_> {
    let problems: Vec<String> = s.record.smtp_problems().iter().map(ToString::to_string).collect();
    JsonRecord {
        record: n,
        tlsa: &s.record,
        presentation: s.record.to_string(),
        description: s.record.describe(),
        usable: problems.is_empty(),
        problems,
        owner: s.owner.as_deref(),
        ttl: s.ttl,
        class: s.class.map(|c| c.to_string()),
    }
}

/// The text explanation of one record.
fn explain(n: usize, s: &Scanned) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "record {n}: {}", s.record);
    if let Some(owner) = &s.owner {
        let _ = write!(out, "  owner: {owner}");
        if let Some(ttl) = s.ttl {
            let _ = write!(out, ", TTL {ttl}");
        }
        if let Some(class) = s.class {
            let _ = write!(out, ", class {class}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "  {}", s.record.describe());
    let problems = s.record.smtp_problems();
    if problems.is_empty() {
        out.push_str("  usable for SMTP: yes\n");
    } else {
        out.push_str("  usable for SMTP: no\n");
        for problem in problems {
            let _ = writeln!(out, "    - {problem}");
        }
    }
    out
}
