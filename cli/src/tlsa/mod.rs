//! `geleit tlsa …`: commands about TLSA records themselves.

use clap::Subcommand;

use crate::outcome::Outcome;

mod parse;

/// The `tlsa` subcommands.
#[derive(Debug, Subcommand)]
pub enum TlsaCommand {
    /// Read TLSA records and explain what each pins and whether SMTP can use it.
    Parse(parse::ParseArgs),
}

/// Runs a `tlsa` subcommand.
pub fn run(command: TlsaCommand) -> anyhow::Result<Outcome> {
    match command {
        TlsaCommand::Parse(args) => Ok(parse::run(&args)),
    }
}
