//! TLSRPT (RFC 8460) and MTA-STS (RFC 8461) against the running lab:
//! `geleit check` over every scenario with a `mail_policy` in
//! `tests/lab/scenarios.json` — the TXT records from the lab's DNSSEC tree,
//! the policy fetched over HTTPS from nginx on `mta-sts.<domain>` (its
//! certificate from the lab's MTA-STS CA, given with `--sts-ca`; the lab's
//! loopback addresses allowed with `--sts-allow-range`): a good policy, mx
//! patterns that miss the host, mode testing, a changed id, a redirect, an
//! oversized policy, a certificate from an untrusted CA, no TLSRPT, a
//! malformed TLSRPT. The mail-policy findings are the catalogue's, and the
//! DANE verdict is the same whether or not the policy could be fetched.
//!
//! Run inside the lab: `tests/lab/in cargo test -p geleit-cli --features lab --test sts_lab`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/lab.rs"]
mod lab;

use std::process::Command;

use serde_json::Value;

/// `geleit check DOMAIN --json` in the lab with `extra` arguments: the JSON.
fn check(domain: &str, extra: &[&str]) -> Value {
    let env = lab::env();
    let out = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(["check", domain, "--json", "--timeout-ms", "5000"])
        .args(extra)
        .env("GELEIT_DOH", &env.doh)
        .env("GELEIT_TRUST_ANCHOR", &env.trust_anchor)
        .env_remove("GELEIT_EDGE")
        .env_remove("GELEIT_STS_CA")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{domain}: {e}: {stdout}{}", String::from_utf8_lossy(&out.stderr)))
}

fn codes(v: &Value) -> Vec<String> {
    v["mail_policy"]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no mail_policy findings: {v}"))
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn finding<'a>(v: &'a Value, code: &str) -> &'a Value {
    let all = v["mail_policy"]["findings"].as_array().unwrap();
    all.iter().find(|f| f["code"] == code).unwrap_or_else(|| panic!("no {code} in {all:?}"))
}

#[test]
fn every_mail_policy_scenario_gives_its_findings_beside_an_unchanged_dane_verdict() {
    let cat = lab::catalogue();
    let ca = lab::lab_dir().join("run/sts/ca.pem");
    let ca = ca.to_str().unwrap();
    let scenarios: Vec<_> = cat.scenarios.iter().filter(|s| s.mail_policy.is_some()).collect();
    assert!(scenarios.len() >= 11, "the catalogue names the cases of issue 16");
    for s in scenarios {
        let mp = s.mail_policy.as_ref().unwrap();
        let mut args = vec!["--sts-ca", ca, "--sts-allow-range", "127.0.0.0/8"];
        if let Some(prev) = &mp.previous_id {
            args.extend(["--sts-id", prev]);
        }
        let v = check(&s.domain, &args);
        let found = codes(&v);
        for want in &mp.expect {
            assert!(found.contains(want), "{}: expected {want} in {found:?}", s.name);
        }
        // Without the lab CA the fetch fails PKIX (or never got as far):
        // the DANE verdict does not move.
        let without = check(&s.domain, &["--sts-allow-range", "127.0.0.0/8"]);
        assert_eq!(
            (&v["verdict"], &v["authenticated"], &v["hosts"]),
            (&without["verdict"], &without["authenticated"], &without["hosts"]),
            "{}: the mail policy must not change the DANE verdict",
            s.name
        );
        // The TXT lookups are DNSSEC-validated like everything else.
        assert_eq!(v["mail_policy"]["mta_sts_txt"]["status"], "secure", "{}", s.name);
    }
}

#[test]
fn the_failures_say_what_happened() {
    let ca = lab::lab_dir().join("run/sts/ca.pem");
    let ca = ca.to_str().unwrap();
    let lab_args = ["--sts-ca", ca, "--sts-allow-range", "127.0.0.0/8"];
    let v = check("dual-ec-pinned.example.", &lab_args);
    let f = finding(&v, "sts_redirect");
    assert_eq!((f["status"].as_u64(), f["tone"].as_str()), (Some(301), Some("warning")));
    assert_eq!(f["location"], "https://www.dual-ec-pinned.example/.well-known/mta-sts.txt");

    let v = check("dual-stack.example.", &lab_args);
    assert_eq!(finding(&v, "sts_fetch_failed")["failure"], serde_json::json!({"kind": "too_large", "limit": 65536}));

    let v = check("cname-mx-original.example.", &lab_args);
    assert_eq!(finding(&v, "sts_fetch_failed")["failure"]["kind"], "certificate");

    // An endless chunked policy stops at the limit; a policy host sending
    // 16 bytes a second ends at the fetch's timeout, as "could not fetch".
    let v = check("mixed-usable.example.", &lab_args);
    assert_eq!(finding(&v, "sts_fetch_failed")["failure"], serde_json::json!({"kind": "too_large", "limit": 65536}));
    // Its TLSRPT record is 3000 octets in several TXT strings: read whole.
    assert_eq!(finding(&v, "tls_rpt_published")["rua"], serde_json::json!(["mailto:tlsrpt@mixed-usable.example"]));
    let started = std::time::Instant::now();
    let v = check("ee-wrong-name.example.", &lab_args);
    let f = finding(&v, "sts_fetch_failed");
    assert_eq!((f["failure"]["kind"].as_str(), f["tone"].as_str()), (Some("timeout"), Some("neutral")));
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "within the check's budget");

    let v = check("ee-cert.example.", &lab_args);
    let f = finding(&v, "sts_mx_not_covered");
    assert_eq!((f["host"].as_str(), f["tone"].as_str()), (Some("mx.ee-cert.example"), Some("error")));

    let v = check("ta-spki.example.", &lab_args);
    assert_eq!(finding(&v, "sts_policy_active")["mode"], "testing");

    let v = check("ta-fullkey.example.", &[&lab_args[..], &["--sts-id", "20261101a"]].concat());
    let f = finding(&v, "sts_id_changed");
    assert_eq!((f["previous"].as_str(), f["current"].as_str()), (Some("20261101a"), Some("20261207b")));

    let v = check("ta-cert.example.", &lab_args);
    let f = finding(&v, "tls_rpt_invalid");
    assert_eq!(f["detail"], "expected a mailto: or https: URI in rua=, found \"ftp://reports.ta-cert.example/\"");

    // The probe's SSRF rule: without the lab's range, the loopback policy host is refused, not fetched.
    let v = check("ee-fullcert.example.", &["--sts-ca", ca]);
    let f = finding(&v, "sts_fetch_failed");
    assert_eq!((f["failure"]["kind"].as_str(), f["tone"].as_str()), (Some("refused"), Some("neutral")));
}
