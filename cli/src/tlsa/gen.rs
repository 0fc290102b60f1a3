//! `geleit tlsa gen`: TLSA records for a certificate, chain, public key or CSR.
//!
//! Output (stdout) is exact and scriptable; warnings go to stderr prefixed
//! `geleit: warning:`. Record lines in `zone` format are tab-separated like
//! `ldns-dane create`: `owner TTL IN TLSA u s m hex`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::{Args, ValueEnum};
use geleit::cert::{Input, MAX_INPUT, read_input};
use geleit::tlsa_gen::{Generated, Role, default_host, generate, owner_name};
use serde_json::json;

use super::{read_limited, rfc3339, shown};
use crate::outcome::Outcome;
use crate::term;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Zone-file lines with `;` comments naming what each record pins.
    Zone,
    /// Only the RDATA, `u s m hex`, one record a line.
    Rdata,
    /// Zone-file lines in RFC 3597 generic form (`TYPE52 \# len hex`).
    Generic,
    /// Everything as JSON.
    Json,
}

/// Arguments of `geleit tlsa gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Host name of the TLSA owner `_port._proto.HOST.` [default: the leaf's first
    /// non-wildcard subjectAltName dNSName, or its common name if it has no dNSName]
    #[arg(long)]
    host: Option<String>,
    /// Port of the service.
    #[arg(long, default_value_t = 25)]
    port: u16,
    /// Transport protocol label.
    #[arg(long, default_value = "tcp")]
    proto: String,
    /// TTL of the zone-file lines.
    #[arg(long, default_value_t = 3600)]
    ttl: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Zone)]
    format: Format,
    /// Print only the recommended records (3 1 1 for the leaf; 2 1 1 for its issuing CA).
    #[arg(long)]
    recommended: bool,
    /// PEM or DER files: certificate, chain (leaf first, as fullchain.pem), public key or CSR.
    /// Several files form one chain in order; "-" or none reads standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(args: &GenArgs) -> anyhow::Result<Outcome> {
    let files = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files.clone() };
    let mut input = Input::default();
    for file in &files {
        let bytes = read_limited(file, MAX_INPUT)?;
        let one = read_input(&bytes).with_context(|| shown(file))?;
        input.extend(one).with_context(|| shown(file))?;
    }
    for w in &input.warnings {
        term::warning(w);
    }
    let generated = generate(&input);
    for w in &generated.warnings {
        term::warning(w);
    }
    let host = match &args.host {
        Some(h) => Some(h.clone()),
        None => default_host(&input),
    };
    let owner = match &host {
        Some(h) => Some(owner_name(args.port, &args.proto, h)?),
        None => None,
    };
    let need_owner = || {
        owner
            .clone()
            .ok_or_else(|| anyhow!("expected a host name for the owner name, found none in the input: give --host"))
    };
    let records: Vec<_> = generated.records.iter().filter(|r| r.recommended || !args.recommended).collect();
    let out = match args.format {
        Format::Rdata => records.iter().map(|r| format!("{}\n", r.record)).collect(),
        Format::Generic => {
            let owner = need_owner()?;
            records
                .iter()
                .map(|r| Ok(format!("{owner}\t{}\tIN\tTYPE52\t{}\n", args.ttl, r.record.to_generic()?)))
                .collect::<anyhow::Result<String>>()?
        }
        Format::Zone => zone(&generated, &need_owner()?, args),
        Format::Json => {
            let mut v = serde_json::to_value(&generated)?;
            if let Some(list) = v.get_mut("records").and_then(|r| r.as_array_mut()) {
                // Same order as `generated.records`: add the presentation form, then filter.
                for (r, g) in list.iter_mut().zip(&generated.records) {
                    r["rdata"] = json!(g.record.to_string());
                }
                list.retain(|r| !args.recommended || r["recommended"] == true);
            }
            v["owner"] = json!(owner);
            v["ttl"] = json!(args.ttl);
            v["warnings"] = json!(
                input
                    .warnings
                    .iter()
                    .map(ToString::to_string)
                    .chain(generated.warnings.iter().map(ToString::to_string))
                    .collect::<Vec<_>>()
            );
            term::print_json(&v)?;
            return Ok(Outcome::Success);
        }
    };
    term::print(&out)?;
    Ok(Outcome::Success)
}

fn role_words(role: Role) -> &'static str {
    match role {
        Role::Leaf => "leaf (server certificate); DANE-EE(3) records pin it",
        Role::IssuingCa => "issuing CA; DANE-TA(2) records pin it",
        Role::UpperCa => "CA above the issuer; DANE-TA(2) records pin it",
        Role::PublicKey => "public key; DANE-EE(3) SPKI records pin it",
        Role::Request => "key of a certificate request; DANE-EE(3) SPKI records pin it",
    }
}

fn zone(g: &Generated, owner: &str, args: &GenArgs) -> String {
    let mut s = String::new();
    for (i, src) in g.sources.iter().enumerate() {
        let place = src.depth.map_or_else(|| format!("key {i}"), |d| format!("depth {d}"));
        let _ = writeln!(s, "; {place}: {}", role_words(src.role));
        if let Some(subject) = &src.subject {
            let _ = writeln!(s, ";   subject {subject}");
        }
        if let (Some(issuer), Some(nb), Some(na)) = (&src.issuer, src.not_before, src.not_after) {
            let _ = writeln!(s, ";   issuer {issuer}; valid {} to {}", rfc3339(nb), rfc3339(na));
        }
        let _ = writeln!(s, ";   key {}", src.key);
    }
    let line = |s: &mut String, r: &geleit::tlsa_gen::GenRecord| {
        let _ = writeln!(s, "{owner}\t{}\tIN\tTLSA\t{}", args.ttl, r.record);
    };
    let _ = writeln!(s, "; recommended (RFC 7671 §5, §8; RFC 7672 §3.1):");
    for r in g.records.iter().filter(|r| r.recommended) {
        line(&mut s, r);
    }
    if !args.recommended {
        let mut current = None;
        for r in g.records.iter().filter(|r| !r.recommended) {
            if current != Some(r.source) {
                current = Some(r.source);
                let place = g
                    .sources
                    .get(r.source)
                    .and_then(|src| src.depth)
                    .map_or_else(|| format!("key {}", r.source), |d| format!("depth {d}"));
                let _ = writeln!(s, "; other records for {place}:");
            }
            line(&mut s, r);
        }
    }
    s
}
