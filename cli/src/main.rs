//! `geleit`: the command-line face of Geleit.
//!
//! A thin binary in the manner of ripgrep: it parses arguments, reads files,
//! moves bytes and prints; every decision about TLSA, DANE and DNSSEC is made
//! in the `geleit` core crate. Exit codes are a stable interface:
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success / authenticated |
//! | 1 | not authenticated, or records unusable |
//! | 2 | usage or input error (message on stderr, prefixed `geleit:`) |

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod outcome;
mod tlsa;
mod probe;
mod tls;

use outcome::Outcome;

/// DANE/TLSA toolkit for mail servers.
#[derive(Debug, Parser)]
#[command(name = "geleit", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// TLSA records: generate them from certificates, match them against a chain.
    #[command(subcommand)]
    Tlsa(tlsa::TlsaCommand),
    /// Probe a mail server's STARTTLS and record its certificate chains.
    Probe(probe::ProbeArgs),
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Tlsa(command) => tlsa::run(command),
        Command::Probe(args) => probe::run(args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            eprintln!("geleit: {err:#}");
            Outcome::Error.exit_code()
        }
    }
}
