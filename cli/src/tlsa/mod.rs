//! `geleit tlsa …`: TLSA records for a certificate, and the DANE verdict for a chain.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use clap::Subcommand;

use crate::outcome::Outcome;

// `gen` is a reserved keyword in Rust 2024; the file keeps the command's name.
#[path = "gen.rs"]
mod generate;
mod matching;
mod parse;

/// TLSA subcommands.
#[derive(Debug, Subcommand)]
pub enum TlsaCommand {
    /// Make TLSA records (every selector and matching type) from a certificate, chain, public key or CSR.
    Gen(generate::GenArgs),
    /// Check a certificate chain against TLSA records, as an SMTP client would (RFC 7672).
    Match(matching::MatchArgs),
    /// Read TLSA records and explain what each pins and whether SMTP can use it.
    Parse(parse::ParseArgs),
}

/// Runs a `geleit tlsa` subcommand.
pub fn run(command: TlsaCommand) -> anyhow::Result<Outcome> {
    match command {
        TlsaCommand::Gen(args) => generate::run(&args),
        TlsaCommand::Match(args) => matching::run(&args),
        TlsaCommand::Parse(args) => Ok(parse::run(&args)),
    }
}

/// Reads a file (or stdin for "-"), refusing more than `max` bytes.
pub(crate) fn read_limited(path: &Path, max: usize) -> anyhow::Result<Vec<u8>> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf).context("reading standard input")?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut buf))
            .with_context(|| format!("reading {}", path.display()))?;
    }
    if buf.len() > max {
        anyhow::bail!("{}: expected at most {max} bytes, found more", shown(path));
    }
    Ok(buf)
}

/// How to name an input path in messages.
pub(crate) fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" { "standard input".to_owned() } else { path.display().to_string() }
}

/// Formats Unix seconds as RFC 3339 UTC.
pub(crate) fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| format!("@{secs}"))
}
