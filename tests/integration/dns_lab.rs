//! Against the running lab (run inside it: `tests/lab/in cargo test -p geleit-cli
//! --features lab --test dns_lab`): for every scenario of tests/lab/scenarios.json,
//! `geleit dns` gives each RRset the catalogue's delv status and answer kind, bogus
//! RRsets name the cause the zone was built with, and `geleit check --no-probe`
//! gives each MX host the outcome that posttls-finger's verdict implies.

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

/// The cause a bogus zone was built with, as Geleit's reason kind.
fn expected_cause(signing: &str) -> Option<&'static str> {
    match signing {
        "expired" => Some("signature_expired"),
        "bad-ds" => Some("dnskey_missing"),
        "corrupt-tlsa-rrsig" => Some("signature_invalid"),
        _ => None,
    }
}

#[test]
fn rrset_status_matches_delv() {
    let cat = catalogue();
    let zones = cat["zones"].as_array().cloned().unwrap_or_default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for s in cat["scenarios"].as_array().into_iter().flatten() {
        let zone = s["zone"].as_str().unwrap_or_default();
        let signing = zones.iter().find(|z| z["name"] == zone).and_then(|z| z["signing"].as_str()).unwrap_or("secure");
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
                if let Some(cause) = expected_cause(signing) {
                    if kind != cause {
                        failures.push(format!(
                            "{name} {rtype}: zone built {signing}, geleit says {kind}: {}",
                            got["proof"]["reason"]["detail"]
                        ));
                    }
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
