//! Against the running lab (run inside it: `tests/lab/in cargo test -p geleit-cli
//! --features lab --test dns_lab`): for every scenario of tests/lab/scenarios.json,
//! `geleit dns` gives each RRset the catalogue's delv status and answer kind, bogus
//! RRsets name the cause the zone was built with, and `geleit check --no-probe`
//! gives each MX host the outcome that posttls-finger's verdict implies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::process::Command;

use serde_json::Value;

fn geleit(args: &[&str]) -> (Value, i32) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_geleit")).args(args).output().unwrap_or_else(|e| panic!("run geleit: {e}"));
    let code = out.status.code().unwrap_or(-1);
    let text = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("geleit {args:?} printed no JSON ({e}); exit {code}; stderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (json, code)
}

fn catalogue() -> Value {
    let dir =
        std::env::var("GELEIT_LAB_DIR").unwrap_or_else(|_| panic!("GELEIT_LAB_DIR unset: run inside tests/lab/in"));
    let path = format!("{dir}/scenarios.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// What `delv +cd` (the oracle) says is wrong with a bogus RRset: the failing
/// RRset ("name." and "TYPE"), Geleit's reason kind for delv's words, and a key
/// tag when delv names one.
struct DelvCause {
    name: String,
    rtype: String,
    kind: &'static str,
    keyid: Option<String>,
}

fn delv_cause(name: &str, rtype: &str) -> DelvCause {
    let dir = std::env::var("GELEIT_LAB_DIR").unwrap_or_default();
    let out = Command::new("delv")
        .args(["-a", &format!("{dir}/run/anchor/bind.keys"), "@127.0.0.53", "+cd", name, rtype])
        .output()
        .unwrap_or_else(|e| panic!("run delv: {e}"));
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    // ";; validating bogus-ds.example/DNSKEY: no valid signature found (DS)"
    let line =
        text.lines().find(|l| l.starts_with(";; validating ")).unwrap_or_else(|| panic!("delv gave no reason: {text}"));
    let subject = line.trim_start_matches(";; validating ").split(':').next().unwrap_or_default();
    let (owner, rrtype) = subject.rsplit_once('/').unwrap_or((subject, ""));
    let kind = if text.contains("RRSIG has expired") {
        "signature_expired"
    } else if text.contains("no valid signature found (DS)") {
        "dnskey_missing" // no DNSKEY matches the DS RRset
    } else if text.contains("RRSIG failed to verify") || text.contains("no valid signature found") {
        "signature_invalid"
    } else {
        "unknown"
    };
    let keyid = line.split("keyid=").nth(1).map(|k| k.chars().take_while(char::is_ascii_digit).collect());
    DelvCause { name: format!("{owner}."), rtype: rrtype.to_owned(), kind, keyid }
}

#[test]
fn rrset_status_matches_delv() {
    let cat = catalogue();
    let mut failures = Vec::new();
    let mut checked = 0;
    for s in cat["scenarios"].as_array().into_iter().flatten() {
        for e in s["dns"].as_array().into_iter().flatten() {
            let (name, rtype) = (e["name"].as_str().unwrap_or_default(), e["type"].as_str().unwrap_or_default());
            let (got, code) = geleit(&["dns", name, rtype, "--json"]);
            checked += 1;
            let want = (e["status"].as_str().unwrap_or_default(), e["answer"].as_str().unwrap_or_default());
            let have = (got["status"].as_str().unwrap_or_default(), got["answer"].as_str().unwrap_or_default());
            if want != have {
                failures
                    .push(format!("{} {name} {rtype}: delv {want:?}, geleit {have:?}: {}", s["name"], got["proof"]));
                continue;
            }
            if (code == 0) != (want.0 == "secure") {
                failures.push(format!("{name} {rtype}: exit {code} for status {}", want.0));
            }
            if want.0 == "bogus" {
                let kind = got["proof"]["reason"]["kind"].as_str().unwrap_or_default();
                let detail = got["proof"]["reason"]["detail"].as_str().unwrap_or_default();
                let delv = delv_cause(name, rtype);
                let names_link = detail.contains(&delv.name) && detail.contains(&delv.rtype);
                let same_key = delv.keyid.as_ref().is_none_or(|k| detail.contains(&format!("key tag {k}")));
                if kind != delv.kind || !names_link || !same_key {
                    failures.push(format!(
                        "{name} {rtype}: delv says {} at {} {} (key {:?}), geleit says {kind}: {detail}",
                        delv.kind, delv.name, delv.rtype, delv.keyid
                    ));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} RRsets in the catalogue");
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
}

/// The per-host outcome posttls-finger's verdict implies for the DNS stage.
fn outcome_for(verdict: &str) -> &'static str {
    match verdict {
        "untrusted:tlsa-unusable" => "tls_unauthenticated",
        "untrusted:no-tlsa" => "no_dane",
        "dns-error:servfail" | "dns-error:tlsa-lookup" => "deferred",
        "dns-error:nxdomain" => "no_address",
        // verified, no-match, expired, name-mismatch, no-starttls: DANE applies, the probe decides.
        _ => "dane_required",
    }
}

#[test]
fn host_outcomes_match_posttls_finger() {
    let cat = catalogue();
    let mut failures = Vec::new();
    for s in cat["scenarios"].as_array().into_iter().flatten() {
        let domain = s["domain"].as_str().unwrap_or_default();
        let (got, code) = geleit(&["check", domain, "--no-probe", "--json"]);
        let verdict = s["expect"]["posttls_finger"].as_str().unwrap_or_default();
        if verdict == "null-mx" {
            if got["mx_outcome"] != "null_mx" || code != 1 {
                failures.push(format!("{domain}: expected null MX and exit 1, got {} exit {code}", got["mx_outcome"]));
            }
            continue;
        }
        if got["rounds"].as_u64().unwrap_or(99) > 3 {
            failures.push(format!("{domain}: {} rounds", got["rounds"]));
        }
        if verdict == "dns-error:servfail" && got["mx_status"] == "bogus" {
            if got["mx_outcome"] != "deferred" {
                failures.push(format!("{domain}: bogus MX should defer, got {}", got["mx_outcome"]));
            }
            continue;
        }
        let mut all_ready = got["mx_status"] == "secure";
        for h in s["hosts"].as_array().into_iter().flatten() {
            let name = h["name"].as_str().unwrap_or_default();
            let per_host = h["expect"]["posttls_finger"]
                .as_object()
                .and_then(|m| m.values().next())
                .and_then(Value::as_str)
                .unwrap_or(verdict);
            let want = outcome_for(per_host);
            let found = got["hosts"].as_array().into_iter().flatten().find(|g| g["host"] == name);
            let Some(found) = found else {
                failures.push(format!("{domain}: host {name} missing from the report"));
                continue;
            };
            all_ready &= want == "dane_required";
            if found["outcome"] != want {
                failures.push(format!(
                    "{domain} {name}: posttls-finger {per_host} implies {want}, geleit says {} ({})",
                    found["outcome"], found["why"]
                ));
            }
            let base = h["tlsa_base"].as_str().map(|b| format!("_25._tcp.{b}"));
            if want != "deferred"
                && want != "no_address"
                && base.is_some()
                && found["tlsa_base"].as_str() != base.as_deref()
            {
                failures.push(format!("{domain} {name}: TLSA base {} expected {base:?}", found["tlsa_base"]));
            }
        }
        if (code == 0) != all_ready {
            failures.push(format!("{domain}: exit {code}, DANE-ready {all_ready}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
