//! `geleit check` on domains with many MX hosts (issue 12, defect 3): every
//! host up to the bound is judged, a bad 17th host makes the domain fail,
//! and hosts beyond the bound are listed as not checked — never passed.
//! A signed world (geleit-test-support) is served by a local DoH server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use geleit_test_support::zone::{KeyAlg, ZoneSpec};
use geleit_test_support::{NOW, World, doh};
use hickory_proto::rr::RecordType;

use common::{Run, TempDir, geleit};

/// `many.example.` with `hosts` MX hosts mx1 … mxN, each with an A record
/// and a `3 1 1` TLSA record; host `bad` gets a TLSA record no SMTP client
/// can use (usage 0, PKIX-TA, RFC 7672 §3.1.3).
fn world(hosts: u16, bad: u16) -> World {
    let mut zone = ZoneSpec::signed("many.example.", KeyAlg::P256);
    for i in 1..=hosts {
        let host = format!("mx{i}");
        let usage = if i == bad { 0 } else { 3 };
        zone = zone.mx("@", i, &host).a(&host, &format!("192.0.2.{}", i % 250 + 1)).tlsa(
            &host,
            usage,
            1,
            1,
            &geleit_test_support::world::digest(&host),
        );
    }
    World::build(vec![ZoneSpec::signed(".", KeyAlg::P256), ZoneSpec::signed("example.", KeyAlg::P256), zone], NOW)
}

fn check(w: &'static World, extra: &[&str]) -> Run {
    let url = doh::serve(move |qname, qtype, _| {
        let rtype: RecordType = qtype.parse().ok()?;
        Some(w.answer(&geleit_test_support::zone::name(qname), rtype).to_wire())
    });
    let dir = TempDir::new("many-mx");
    let anchor = dir.join("anchor.ds");
    std::fs::write(&anchor, &w.anchor).unwrap_or_else(|e| panic!("{e}"));
    let at = NOW.to_string();
    let mut args = vec!["check", "many.example.", "--no-probe"];
    args.extend_from_slice(extra);
    args.extend(["--doh", &url, "--trust-anchor", anchor.to_str().unwrap_or_default(), "--at", &at]);
    geleit(&args)
}

fn leak(w: World) -> &'static World {
    Box::leak(Box::new(w))
}

#[test]
fn forty_mx_hosts_are_all_judged_and_a_bad_seventeenth_fails_the_domain() {
    let run = check(leak(world(40, 17)), &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    let hosts = v["hosts"].as_array().cloned().unwrap_or_default();
    assert_eq!(hosts.len(), 40, "every host judged");
    let outcomes: Vec<&str> = hosts.iter().map(|h| h["outcome"].as_str().unwrap_or_default()).collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "dane_required").count(), 39, "{outcomes:?}");
    assert_eq!(hosts[16]["host"], "mx17.many.example.");
    assert_eq!(hosts[16]["outcome"], "tls_unauthenticated");
    assert_eq!(v["dane_ready"], false);
    assert_eq!(v["unchecked"].as_array().map(Vec::len), Some(0));
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn forty_good_mx_hosts_are_dane_ready() {
    let run = check(leak(world(40, 0)), &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    assert_eq!(v["hosts"].as_array().map(Vec::len), Some(40));
    assert_eq!((v["dane_ready"].as_bool(), run.code), (Some(true), 0), "{}", run.stderr);
}

#[test]
fn hosts_beyond_the_bound_are_listed_as_not_checked_and_the_domain_is_not_ready() {
    let run = check(leak(world(70, 0)), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let unchecked: Vec<&str> = run.stdout.lines().filter(|l| l.contains("not checked")).collect();
    assert_eq!(unchecked.len(), 6, "{}", run.stdout);
    assert!(unchecked[0].contains("mx65.many.example. (preference 65)"), "{}", unchecked[0]);
    assert!(run.stdout.contains("verdict: not DANE-ready"), "{}", run.stdout);
}
