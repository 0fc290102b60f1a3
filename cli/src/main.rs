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
//! | 2 | usage or input error (message on stderr, prefixed `geleit:`); `geleit guard` and `geleit rollover status`: could not decide, for any reason |
//! | 3 | could not decide: Geleit's resolver could not be reached (`geleit check`, `geleit dns`; message on stderr) |
//!
//! `geleit check --format nagios` exits with the Monitoring Plugins state
//! instead (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, bad input included).
//!
//! All output goes through [`term`], which shows terminal control characters
//! from peers and input as visible escapes; a closed standard output (`geleit
//! … | head`) ends the output quietly and leaves the exit code as above.

use std::borrow::Cow;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod dns;
mod doh;
mod guard;
mod outcome;
mod probe;
mod rollover;
mod term;
mod tls;
mod tlsa;

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
    /// Look up NAME TYPE over DoH and validate it with DNSSEC.
    Dns(dns::DnsArgs),
    /// Check a mail domain's DANE setup: DNSSEC, STARTTLS probes and the verdict per MX host and address.
    Check(check::CheckArgs),
    /// Before a renewed certificate goes live: will it authenticate under the published TLSA records?
    /// Exit 0 safe to deploy, 1 deploying now breaks DANE (prints what to publish first), 2 could not decide.
    Guard(guard::GuardArgs),
    /// Change the server key without breaking DANE: publish the next key's `3 1 1` beside the
    /// current one, wait until both are live for two TTLs, switch, remove the old record (RFC 7671 §8.1).
    #[command(subcommand)]
    Rollover(rollover::RolloverCommand),
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Tlsa(command) => tlsa::run(command),
        Command::Probe(args) => probe::run(args),
        Command::Dns(args) => dns::run(args),
        Command::Check(args) => check::run(args),
        Command::Guard(args) => guard::run(args),
        Command::Rollover(command) => rollover::run(command),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage(&err),
    };
    match run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            term::error(format_args!("{err:#}"));
            Outcome::Error.exit_code()
        }
    }
}

/// Help, version, or a usage error, printed by clap and styled as it likes,
/// unless an argument or the message holds characters that [`term::escape`]
/// escapes: clap writes arguments raw to a terminal (and strips escape
/// sequences, but nothing else, elsewhere), so then the plain text goes out
/// through [`term`].
fn usage(err: &clap::Error) -> ExitCode {
    let needs_escape = |text: &str| matches!(term::escape(text, term::Keep::Layout), Cow::Owned(_));
    let plain = err.render().to_string();
    if !needs_escape(&plain) && !std::env::args_os().any(|a| needs_escape(&a.to_string_lossy())) {
        // A closed pipe or terminal leaves nothing to report to.
        let _ = err.print();
    } else if err.use_stderr() {
        term::stderr_text(&plain);
    } else {
        let _ = term::print(&plain);
    }
    ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2))
}
