//! The adversary catalogue (tests/support, tests/adversary/README.md)
//! through the `geleit` binary: `geleit dns NAME TYPE --json` for every
//! case and `geleit check DOMAIN --no-probe --json` for every case with a
//! mail domain, against a local DoH server that answers through the case's
//! attack. Exit codes and statuses are compared with what the RFCs call
//! for; a forged answer reported secure, or a forged TLSA reported
//! DANE-ready, fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use geleit_test_support::{Case, Kind, NOW, attacks::statuses, catalogue, doh, world, zone::name};
use hickory_proto::rr::RecordType;

use common::{Run, TempDir, geleit};

/// A DoH server answering through `case`'s attack, and the number of
/// queries the attack dropped (answered with HTTP 404: no DNS message).
fn serve(case: &Case) -> (String, Arc<AtomicUsize>) {
    let case = case.clone();
    let dropped = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&dropped);
    let url = doh::serve(move |qname, qtype, _| {
        let rtype: RecordType = qtype.parse().ok()?;
        let answer = case.respond_wire(world(), &name(qname), rtype);
        if answer.is_none() {
            count.fetch_add(1, Ordering::Relaxed);
        }
        answer
    });
    (url, dropped)
}

fn run(args: &[&str], url: &str, anchor: &str, post: bool) -> Run {
    let at = NOW.to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--doh", url, "--trust-anchor", anchor, "--at", &at]);
    if post {
        all.push("--post");
    }
    geleit(&all)
}

fn json(run: &Run) -> Result<serde_json::Value, String> {
    serde_json::from_str(&run.stdout).map_err(|e| format!("stdout is not JSON ({e}): {} {}", run.stdout, run.stderr))
}

/// One case through `geleit dns` and, if it has a mail domain, `geleit check --no-probe`.
fn one(case: &Case, anchor: &str, post: bool) -> Vec<String> {
    let mut failures = Vec::new();
    let (url, dropped) = serve(case);
    let qtype = case.qtype.to_string();
    let r = run(&["dns", case.qname, &qtype, "--json"], &url, anchor, post);
    match json(&r) {
        // A dropped query is, to the lookup as to the check, a resolver that
        // cannot be reached: no answer (no status), dns_unreachable and exit 3.
        v if dropped.load(Ordering::Relaxed) > 0 => {
            let v = v.unwrap_or_default();
            if (r.code, v["error"]["code"].as_str()) != (3, Some("dns_unreachable"))
                || v.get("status").is_some()
                || !r.stderr.starts_with("geleit: the DNS resolver could not be reached (")
            {
                failures.push(format!(
                    "{} [{}]: geleit dns {} {qtype} with dropped queries exited {}, expected 3 with dns_unreachable: {} {}",
                    case.name,
                    case.kind.as_str(),
                    case.qname,
                    r.code,
                    r.stdout,
                    r.stderr
                ));
            }
        }
        Ok(v) => {
            let status = v["status"].as_str().unwrap_or_default().to_owned();
            if !case.expect.status.iter().any(|s| s.as_str() == status) {
                failures.push(format!(
                    "{} [{}]: geleit dns {} {qtype}: status {status}, expected {}: {}",
                    case.name,
                    case.kind.as_str(),
                    case.qname,
                    statuses(case.expect.status),
                    v["proof"]
                ));
            }
            if case.kind == Kind::Forged && status == "secure" {
                failures.push(format!("{}: geleit dns reports forged data as secure", case.name));
            }
            let want = if status == "secure" { 0 } else { 1 };
            if r.code != want {
                failures.push(format!("{}: geleit dns exited {} with status {status}", case.name, r.code));
            }
        }
        Err(e) => failures.push(format!("{}: geleit dns: {e}", case.name)),
    }
    if let Some(c) = &case.check {
        let (url, dropped) = serve(case);
        let r = run(&["check", c.domain, "--no-probe", "--json"], &url, anchor, post);
        match json(&r) {
            // A dropped query is, to the check, a resolver that cannot be
            // reached (the core asks it again, in vain): it says nothing
            // about the domain, so there is no verdict but exit 3.
            Ok(v) if dropped.load(Ordering::Relaxed) > 0 => {
                if (r.code, v["error"]["code"].as_str()) != (3, Some("dns_unreachable")) {
                    failures.push(format!(
                        "{} [{}]: geleit check {} with dropped queries exited {}, expected 3 with dns_unreachable: {v}",
                        case.name,
                        case.kind.as_str(),
                        c.domain,
                        r.code
                    ));
                }
            }
            Ok(v) => {
                let ready = v["dane_ready"].as_bool();
                let first = v["hosts"][0]["outcome"].as_str().map(str::to_owned);
                let want_first = c.first_host.map(|o| {
                    serde_json::to_value(o).ok().and_then(|x| x.as_str().map(str::to_owned)).unwrap_or_default()
                });
                if ready != Some(c.dane_ready) || first != want_first {
                    failures.push(format!(
                        "{} [{}]: geleit check {}: dane_ready {ready:?} first host {first:?}, expected {} {want_first:?}",
                        case.name,
                        case.kind.as_str(),
                        c.domain,
                        c.dane_ready
                    ));
                }
                let want = if c.dane_ready { 0 } else { 1 };
                if r.code != want {
                    failures.push(format!("{}: geleit check exited {}, expected {want}", case.name, r.code));
                }
            }
            Err(e) => failures.push(format!("{}: geleit check: {e}", case.name)),
        }
    }
    failures
}

#[test]
fn every_case_through_the_cli() {
    let dir = TempDir::new("adversary");
    let anchor = dir.join("anchor.ds");
    std::fs::write(&anchor, &world().anchor).unwrap_or_else(|e| panic!("{e}"));
    let anchor = anchor.to_str().unwrap_or_default().to_owned();
    let cases = catalogue();
    // Four at a time: each run is a process waiting on the in-process server.
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(cases.len().div_ceil(4))
            .enumerate()
            .map(|(i, chunk)| {
                let anchor = &anchor;
                // Every other batch sends its queries with POST (RFC 8484 §4.1).
                s.spawn(move || chunk.iter().flat_map(|c| one(c, anchor, i % 2 == 1)).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|_| vec!["a batch panicked".into()])).collect()
    });
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn check_text_output_names_the_attack() {
    // The human-readable verdict for a forged TLSA (wildcard replayed at another depth).
    let dir = TempDir::new("adversary-text");
    let anchor = dir.join("anchor.ds");
    std::fs::write(&anchor, &world().anchor).unwrap_or_else(|e| panic!("{e}"));
    let case = catalogue()
        .into_iter()
        .find(|c| c.name == "wildcard-replayed-at-other-depth")
        .unwrap_or_else(|| panic!("case"));
    let (url, _) = serve(&case);
    let r = run(&["check", "plain.nsec.example.", "--no-probe"], &url, anchor.to_str().unwrap_or_default(), false);
    assert_eq!((r.code, r.stderr.as_str()), (1, ""));
    assert!(
        r.stdout.starts_with("plain.nsec.example.: MX secure (hosts)\n  mx2.nsec.example. (preference 10)\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "    TLSA at _25._tcp.mx2.nsec.example.: bogus: RRSIG over TLSA at _25._tcp.mx2.nsec.example. (key tag "
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("=> delivery deferred: DANE-aware senders will not deliver to this host until DNS validates"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\nverdict: not DANE-ready\n"), "{}", r.stdout);
}
