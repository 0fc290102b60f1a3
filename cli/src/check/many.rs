//! `geleit check --from FILE`: many domains in one run, for providers who
//! watch their customers' domains. Up to `--jobs` checks run at once over
//! one DoH client whose DS and DNSKEY answers are shared within their TTLs
//! (`geleit::dns::SharedAnswers`; every check still validates everything
//! itself). Output is in input order: JSON Lines (the `--json` document of
//! each domain on one line), or all domains' Prometheus metrics, or one
//! Monitoring Plugins status for them all; a summary goes to standard error.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use anyhow::Context;
use geleit::api::{self, ErrorCode};
use geleit::check::CheckOutcome;
use geleit::monitor::{self, Monitor, State};
use geleit::verdict::LookAhead;

use super::{CheckArgs, Format, Setup, monitor as render_monitor};
use crate::outcome::Outcome;
use crate::term;
use crate::tlsa::{read_limited, shown};

/// The largest domain list read (about a million domains).
const MAX_LIST: usize = 64 * 1024 * 1024;

/// The domains of a list: one a line, surrounding blanks trimmed; blank
/// lines and lines starting with `#` are skipped.
fn domains(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

/// How one domain ended.
enum Done {
    Checked(CheckOutcome),
    /// Not checked: bad input, or the check failed; the code says which.
    Failed(ErrorCode, String),
}

impl Done {
    /// The exit code of this domain alone.
    fn outcome(&self) -> Outcome {
        match self {
            Self::Checked(CheckOutcome::Verdict(v)) => Outcome::from_ok(v.authenticated),
            Self::Checked(CheckOutcome::Dns(r)) => Outcome::from_ok(r.dane_ready),
            Self::Checked(CheckOutcome::ResolverUnreachable(_)) => Outcome::ResolverUnreachable,
            Self::Failed(..) => Outcome::Error,
        }
    }

    /// Prints the JSON Lines line: the `--json` document, or the edge's error shape with the domain.
    fn print_json_line(&self, domain: &str) -> anyhow::Result<()> {
        let error = |code: &ErrorCode, message: &str, domain: &str| -> anyhow::Result<()> {
            let mut body: serde_json::Value = serde_json::from_str(&api::error_body(code, message))?;
            body["domain"] = serde_json::Value::String(domain.to_owned());
            term::print_json_line(&body)
        };
        match self {
            Self::Checked(CheckOutcome::Verdict(v)) => term::print_json_line(v),
            Self::Checked(CheckOutcome::Dns(r)) => term::print_json_line(r),
            // The domain as the verdicts name it (absolute); a bad line as it was.
            Self::Checked(CheckOutcome::ResolverUnreachable(f)) => {
                error(&ErrorCode::DnsUnreachable, &f.to_string(), &f.domain)
            }
            Self::Failed(code, message) => error(code, message, domain),
        }
    }

    /// The monitoring view (a domain that could not be checked is UNKNOWN).
    fn monitor(&self, domain: &str, now: i64, ahead: &LookAhead) -> Monitor {
        match self {
            Self::Checked(outcome) => monitor::summarize_with(outcome, now, ahead),
            Self::Failed(_, message) => Monitor::not_checked(domain, message.clone()),
        }
    }
}

/// Worse exit codes last: a bad line is worse than an unreachable resolver,
/// which is worse than a domain that is not authenticated.
fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Success => 0,
        Outcome::Failure => 1,
        Outcome::ResolverUnreachable => 2,
        Outcome::Error => 3,
        Outcome::Monitor(s) => s.code(),
    }
}

fn check_one(setup: &Setup, domain: &str) -> Done {
    let direct = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']'));
    if let Err(e) = geleit::dns::parse_name(direct.unwrap_or(domain)) {
        return Done::Failed(ErrorCode::BadDomain, e.to_string());
    }
    match std::panic::catch_unwind(AssertUnwindSafe(|| setup.check(domain, None))) {
        Ok(Ok(outcome)) => Done::Checked(outcome),
        Ok(Err(e)) => Done::Failed(ErrorCode::Internal, format!("{e:#}")),
        Err(_) => Done::Failed(ErrorCode::Internal, "the check failed unexpectedly".to_owned()),
    }
}

pub fn run(from: &Path, args: &CheckArgs, format: Format) -> anyhow::Result<Outcome> {
    let bytes = read_limited(from, MAX_LIST)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}: expected UTF-8 text, one domain a line, found other bytes", shown(from)))?;
    let list = domains(&text);
    if list.is_empty() {
        anyhow::bail!("{}: expected at least one domain (one a line), found none", shown(from));
    }
    let mut setup = Setup::new(args)?;
    if !args.no_share {
        setup.doh = setup.doh.sharing_answers(setup.now);
    }
    let at = i64::try_from(setup.now).unwrap_or(i64::MAX);
    let started = Instant::now();
    let jobs = usize::from(args.jobs).min(list.len());
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Done)>();
    let mut worst = Outcome::Success;
    let mut counts = [0usize; 4];
    let mut monitors = Vec::new();
    std::thread::scope(|s| -> anyhow::Result<()> {
        for _ in 0..jobs {
            let (tx, next, setup, list) = (tx.clone(), &next, &setup, &list);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(domain) = list.get(i) else { break };
                    if tx.send((i, check_one(setup, domain))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // In input order: keep what arrives early until its turn.
        let mut waiting = BTreeMap::new();
        let mut turn = 0usize;
        for (i, done) in rx {
            waiting.insert(i, done);
            while let Some(done) = waiting.remove(&turn) {
                let domain = list.get(turn).copied().unwrap_or_default();
                turn += 1;
                let outcome = done.outcome();
                if rank(outcome) > rank(worst) {
                    worst = outcome;
                }
                if let Some(c) = counts.get_mut(usize::from(rank(outcome))) {
                    *c += 1;
                }
                match &done {
                    Done::Checked(CheckOutcome::ResolverUnreachable(f)) => term::error(format_args!("{domain}: {f}")),
                    Done::Failed(_, message) => term::error(format_args!("{domain}: {message}")),
                    Done::Checked(_) => {}
                }
                match format {
                    Format::Text | Format::Json => done.print_json_line(domain)?,
                    Format::Nagios | Format::Prometheus => monitors.push(done.monitor(domain, at, &setup.ahead)),
                }
            }
        }
        Ok(())
    })
    .context("checking the domains")?;
    let elapsed = started.elapsed().as_secs_f64();
    let (ok, bad) =
        if args.no_probe { ("DANE-ready", "not DANE-ready") } else { ("authenticated", "not authenticated") };
    term::error(format_args!(
        "{} domains: {} {ok}, {} {bad}, {} not checked (resolver unreachable), {} not checked (bad input or failure)",
        list.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    ));
    if args.timing {
        let mut line =
            format!("{} domains in {elapsed:.3} s: {:.1} domains/s", list.len(), list.len() as f64 / elapsed.max(1e-9));
        if let Some((hits, misses)) = setup.doh.shared_stats() {
            let _ = write!(line, "; shared DS/DNSKEY answers: {hits} reused, {misses} fetched");
        }
        term::error(line);
    }
    match format {
        Format::Text | Format::Json => Ok(worst),
        Format::Prometheus => {
            term::print(&render_monitor::prometheus(&monitors))?;
            Ok(Outcome::Success)
        }
        Format::Nagios => {
            let m = combined(&monitors);
            term::print(&m)?;
            Ok(Outcome::Monitor(monitors.iter().fold(State::Ok, |s, m| s.worst(m.state))))
        }
    }
}

/// One plugin status for many domains: the worst state, how many domains
/// are in each, the first domains that are not OK, and each domain's own
/// status line as long output.
fn combined(monitors: &[Monitor]) -> String {
    let state = monitors.iter().fold(State::Ok, |s, m| s.worst(m.state));
    let count = |s: State| monitors.iter().filter(|m| m.state == s).count();
    let (ok, warn, crit, unknown) =
        (count(State::Ok), count(State::Warning), count(State::Critical), count(State::Unknown));
    let mut line = format!(
        "DANE {} - {} domains: {ok} OK, {warn} WARNING, {crit} CRITICAL, {unknown} UNKNOWN",
        state.as_str(),
        monitors.len()
    );
    let not_ok: Vec<&str> =
        monitors.iter().filter(|m| m.state != State::Ok).map(|m| m.domain.as_str()).take(5).collect();
    if !not_ok.is_empty() {
        let more = if warn + crit + unknown > not_ok.len() { ", ..." } else { "" };
        let _ = write!(line, " ({}{more})", not_ok.join(", "));
    }
    let mut out = format!(
        "{}|domains={} domains_ok={ok} domains_warning={warn} domains_critical={crit} domains_unknown={unknown}\n",
        line.replace('|', "/"),
        monitors.len()
    );
    // Each domain's status line, without its performance data (a `|` in
    // the long output would start more of it).
    for m in monitors {
        let status = render_monitor::nagios(m);
        let first = status.lines().next().unwrap_or_default();
        let _ = writeln!(out, "{}", first.split('|').next().unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_skip_blank_lines_and_comments() {
        let text = "# customers\nexample.com\n\n  example.org  \n\t# old\n[mx.example.net]\n";
        assert_eq!(domains(text), ["example.com", "example.org", "[mx.example.net]"]);
    }
}
