//! `geleit rollover prepare|status`: the guided next-key rollover ("current +
//! next", RFC 7671 §8.1). The decisions are the core's (`geleit::rollover`):
//! this shell makes or reads the next key, reads and writes the state file,
//! runs the DNS stage of `DomainCheck` for each host (as `geleit guard`
//! does) and prints the stage.
//!
//! Exit codes of `status`, as for `geleit guard`: 0 switch now (or done);
//! 1 action needed or wait (publish, wait, remove the old record); 2 could
//! not decide (bad input or state file, DNS unreachable, bogus or insecure).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use geleit::cert::{MAX_INPUT, Object, read_input};
use geleit::check::DomainCheck;
use geleit::dns::{self, SmtpReport};
use geleit::rollover::{self, Live, MAX_STATE, RolloverReport, Stage, State};

use crate::dns::Resolver;
use crate::guard::dns_stage;
use crate::outcome::Outcome;
use crate::term;
use crate::tlsa::{read_limited, shown};

#[derive(Debug, Subcommand)]
pub enum RolloverCommand {
    /// Start a rollover: make the next key (ECDSA P-256, written with mode 0600) or take one with
    /// --next, print its `3 1 1` record and the zone-file lines to publish beside the current
    /// record, and write the state file. Reads no DNS.
    Prepare(PrepareArgs),
    /// Look up the live TLSA records of every host of the rollover (DNSSEC-validated), remember
    /// when the next record was first seen, and say the stage: publish-next, wait, switch-now,
    /// remove-old, done or undecided. Exit 0 switch now (or done), 1 act or wait, 2 could not decide.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct PrepareArgs {
    /// The certificate (chain, leaf first) or public key the MX hosts serve now, e.g. the file
    /// Postfix's smtpd_tls_chain_files names. Private keys are refused.
    #[arg(long, value_name = "FILE")]
    pub live: PathBuf,
    /// An MX host that serves this key; repeatable.
    #[arg(long = "host", value_name = "HOST", required = true)]
    pub hosts: Vec<String>,
    /// Where to write the private key of a new ECDSA P-256 key (mode 0600; an existing file is
    /// never overwritten). For RSA, make the key yourself (`openssl genrsa -out next.key 2048`)
    /// and give its public key with --next.
    #[arg(long, value_name = "FILE", conflicts_with = "next", required_unless_present = "next")]
    pub new_key: Option<PathBuf>,
    /// Take the next key from this file instead: a public key, a certificate request or a
    /// certificate (PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub next: Option<PathBuf>,
    /// The rollover's state file to create (JSON; an existing file is never overwritten).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The certificate (chain, leaf first) or public key the MX hosts serve now: the current key
    /// before the switch, the next key after it.
    #[arg(long, value_name = "FILE")]
    pub live: PathBuf,
    /// The rollover's state file (from `geleit rollover prepare`); updated in place.
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    #[command(flatten)]
    pub resolver: Resolver,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: RolloverCommand) -> anyhow::Result<Outcome> {
    match command {
        RolloverCommand::Prepare(args) => prepare(&args),
        RolloverCommand::Status(args) => status(&args),
    }
}

/// The SubjectPublicKeyInfo of the key in `path`: the leaf of a chain, or
/// the one public key or certificate request.
fn key_of(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes = read_limited(path, MAX_INPUT)?;
    let input = read_input(&bytes).with_context(|| shown(path))?;
    for w in &input.warnings {
        term::warning(w);
    }
    let spki = match input.objects.as_slice() {
        [first, ..] if input.certificates().next().is_some() => match first {
            Object::Certificate(c) => c.spki().to_vec(),
            _ => anyhow::bail!("{}: expected the certificate first (leaf first), found a {}", shown(path), kind(first)),
        },
        [one] => one.spki().to_vec(),
        [] => anyhow::bail!("{}: expected a certificate, public key or certificate request, found none", shown(path)),
        more => {
            anyhow::bail!("{}: expected one key, found {} public keys or certificate requests", shown(path), more.len())
        }
    };
    Ok(spki)
}

fn kind(o: &Object) -> &'static str {
    match o {
        Object::Certificate(_) => "certificate",
        Object::PublicKey(_) => "public key",
        Object::Request(_) => "certificate request",
    }
}

/// Creates `path` with mode `mode`, refusing to replace anything there.
fn create_new(path: &Path, mode: u32, text: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("creating {} (an existing file is never overwritten)", path.display()))?;
    f.write_all(text.as_bytes()).and_then(|()| f.sync_all()).with_context(|| format!("writing {}", path.display()))
}

fn prepare(args: &PrepareArgs) -> anyhow::Result<Outcome> {
    let current = key_of(&args.live)?;
    // Everything is checked before a key or a file is made.
    if args.state.exists() {
        anyhow::bail!(
            "{} exists: a rollover is under way (run `geleit rollover status`), or remove the file to start over",
            args.state.display()
        );
    }
    let (next, made) = match (&args.next, &args.new_key) {
        (Some(path), _) => (key_of(path)?, None),
        (None, Some(path)) => {
            if path.exists() {
                anyhow::bail!("{} exists: an existing file is never overwritten", path.display());
            }
            let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                .map_err(|e| anyhow::anyhow!("cannot generate an ECDSA P-256 key: {e}"))?;
            let spki = rcgen::PublicKeyData::subject_public_key_info(&key);
            (spki, Some((path, key)))
        }
        (None, None) => anyhow::bail!("expected --new-key FILE or --next FILE, found neither"),
    };
    let state = State::new(&current, &next, &args.hosts)?;
    if let Some((path, key)) = &made {
        create_new(path, 0o600, &key.serialize_pem())?;
    }
    if let Err(e) = create_new(&args.state, 0o644, &state.to_json()) {
        if let Some((path, _)) = &made {
            // The key is useless without its rollover; do not leave it half-made.
            let _ = std::fs::remove_file(path);
        }
        return Err(e);
    }
    let mut out = String::new();
    let _ = writeln!(out, "current key: {}; its record: {}", state.current().kind, state.current().record());
    match (&made, &args.next) {
        (Some((path, _)), _) => {
            let _ = writeln!(out, "next key: {}, new, written to {} (mode 0600)", state.next().kind, path.display());
        }
        (None, Some(path)) => {
            let _ = writeln!(out, "next key: {}, from {}", state.next().kind, shown(path));
        }
        (None, None) => {}
    }
    let _ = writeln!(out, "  its record: {}", state.next().record());
    let _ = writeln!(out, "publish now, next to the current record:");
    for line in state.publish_lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "then, in this order (RFC 7671 §8.1):");
    for (i, step) in state.prepare_steps().iter().enumerate() {
        let _ = writeln!(out, "  {}. {step}", i + 1);
    }
    let _ = writeln!(out, "state: {}", args.state.display());
    term::print(&out)?;
    Ok(Outcome::Success)
}

fn status(args: &StatusArgs) -> anyhow::Result<Outcome> {
    let now = args.resolver.now();
    let at = i64::try_from(now).unwrap_or(i64::MAX);
    let bytes = read_limited(&args.state, MAX_STATE)?;
    let state = State::parse(&bytes, at).with_context(|| shown(&args.state))?;
    let live = key_of(&args.live)?;
    let names = state.hosts().iter().map(|h| dns::parse_name(&h.host)).collect::<Result<Vec<_>, _>>()?;
    let (config, doh) = args.resolver.setup()?;
    let reports: Vec<SmtpReport> = names
        .into_iter()
        .map(|n| dns_stage(DomainCheck::new_host(n, config.clone(), now, false), &doh))
        .collect::<anyhow::Result<_>>()?;
    let hosts: Vec<_> = reports.iter().flat_map(|r| r.hosts.iter()).collect();
    let (report, updated) = rollover::decide(&state, &live, &hosts, at)?;
    if updated != state {
        save(&args.state, &updated.to_json())?;
    }
    if args.json {
        term::print_json(&report)?;
    } else {
        term::print(&text(&report))?;
    }
    Ok(match report.stage {
        s if s.is_go() => Outcome::Success,
        Stage::Undecided => Outcome::Error,
        _ => Outcome::Failure,
    })
}

/// Replaces the state file at once (a new file beside it, then a rename).
fn save(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    create_new(&tmp, 0o644, text)?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

fn text(r: &RolloverReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "current key: {}; its record: {}", r.current_key, r.current_record);
    let _ = writeln!(out, "next key: {}; its record: {}", r.next_key, r.next_record);
    let _ = writeln!(
        out,
        "the server uses the {} key",
        match r.live {
            Live::Current => "current",
            Live::Next => "next",
        }
    );
    for h in &r.hosts {
        let _ = writeln!(out, "{}: {}", h.host, h.stage.as_str());
        match (h.tlsa_status, h.ttl) {
            (Some(status), 0) => {
                let _ = writeln!(out, "  TLSA at {} ({status}):", h.owner);
            }
            (Some(status), ttl) => {
                let _ = writeln!(out, "  TLSA at {} ({status}, TTL {ttl} s):", h.owner);
            }
            (None, _) => {}
        }
        if h.tlsa_status.is_some() && h.records.is_empty() {
            let _ = writeln!(out, "    none");
        }
        for rec in &h.records {
            let _ = writeln!(out, "    {rec}");
        }
        let _ = writeln!(out, "  {}", h.detail);
        for w in &h.warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
    }
    let _ = writeln!(out, "stage: {}: {}", r.stage.as_str(), r.stage.describe());
    let _ = writeln!(out, "next steps:");
    for (i, step) in r.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {step}", i + 1);
    }
    out
}
