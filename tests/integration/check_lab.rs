//! The full `geleit check` against the running lab, with native probing,
//! compared with the catalogue's posttls-finger verdicts
//! (`tests/lab/scenarios.json`, checked against the live lab by
//! `tests/lab/verify`): for every scenario the domain verdict, and for every
//! host `geleit check '[host]'` per address family against
//! `posttls-finger -l dane '[host]'`.
//!
//! Run inside the lab: `tests/lab/in cargo test -p geleit-cli --features lab --test check_lab`.
//!
//! ## Where the two answer different questions
//!
//! posttls-finger's *domain* verdict describes the one session it made: it
//! tries the MX hosts in preference order and reports the first it reaches.
//! Geleit's domain verdict is about every MX host (RFC 7672 §2.2: a sender
//! that falls back to a lower-preference host must authenticate that host
//! too, or defer). The domain comparison below therefore compares
//! posttls-finger with Geleit's verdict for the *first* MX host, and checks
//! separately that Geleit's domain verdict is the strict one. They differ in
//! exactly one lab scenario, `two-mx`: posttls-finger reports "verified"
//! (mx1 authenticates), Geleit "not authenticated" (mx2's TLSA record pins a
//! key the server does not use, so every DANE sender that has to fall back
//! to mx2 defers the mail). Neither tool is wrong about its own question;
//! Geleit answers the one a domain owner asks ("is every MX host
//! DANE-ready?"), which the seed of this project asks too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/lab.rs"]
mod lab;

use std::process::Command;

use serde_json::Value;

/// `geleit check TARGET --json` inside the lab: the JSON and the exit code.
fn check(target: &str) -> (Value, i32) {
    let env = lab::env();
    let out = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(["check", target, "--json", "--timeout-ms", "5000"])
        .env("GELEIT_DOH", &env.doh)
        .env("GELEIT_TRUST_ANCHOR", &env.trust_anchor)
        .env_remove("GELEIT_EDGE")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{target}: {e}: {stdout}{}", String::from_utf8_lossy(&out.stderr)));
    (json, out.status.code().unwrap_or(-1))
}

fn codes(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The one place where Geleit's vocabulary meets posttls-finger's (see
/// tests/lab/SCENARIOS.md for the latter). `verdict` is an address or host
/// verdict; `errors` the error finding codes of the address and its host,
/// `tlsa_failed` whether a host's deferral comes from its TLSA lookup.
fn as_posttls(verdict: &str, errors: &[String], tlsa_failed: bool) -> String {
    let first = errors.first().map(String::as_str).unwrap_or_default();
    match verdict {
        "authenticated" => "verified",
        // posttls-finger: "Untrusted TLS connection" with the OpenSSL reason.
        "not_authenticated" => match first {
            "chain_expired_under_dane_ta" | "chain_not_yet_valid_under_dane_ta" => "untrusted:expired",
            "name_mismatch" => "untrusted:name-mismatch",
            // A DANE-TA anchor the server does not send: OpenSSL cannot build
            // the chain, Postfix logs "no matching DANE TLSA records".
            "tlsa_no_match" | "ta_not_sent" | "ta_matches_leaf" | "ta_path_invalid" => "untrusted:no-match",
            other => panic!("unmapped not_authenticated finding {other:?}"),
        },
        // Only unusable records: TLS mandatory, not authenticated (RFC 7672 §3.1.3).
        "tls_unauthenticated" => "untrusted:tlsa-unusable",
        // Insecure or no TLSA: opportunistic TLS, "Untrusted" without DANE.
        "no_dane" => "untrusted:no-tlsa",
        "no_starttls" => "no-starttls",
        // Bogus TLSA: "TLSA lookup error"; bogus addresses: "Name service error".
        "deferred" if tlsa_failed => "dns-error:tlsa-lookup",
        "deferred" => "dns-error:servfail",
        // Postfix reports NXDOMAIN and NODATA host lookups alike ("not found").
        "no_address" => "dns-error:nxdomain",
        other => panic!("unmapped verdict {other:?}"),
    }
    .to_owned()
}

fn host_posttls(host: &Value, address: Option<&Value>) -> String {
    let tlsa_failed = host["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["code"].as_str().is_some_and(|c| c.starts_with("dnssec_")) && f["rtype"] == "TLSA");
    let mut errors = address.map(|a| codes(&a["findings"])).unwrap_or_default();
    errors.extend(codes(&host["findings"]));
    let verdict = address.map_or(&host["verdict"], |a| &a["verdict"]);
    as_posttls(verdict.as_str().unwrap_or_default(), &errors, tlsa_failed)
}

#[test]
fn every_host_agrees_with_posttls_finger() {
    let catalogue = lab::catalogue();
    let mut checked = 0;
    let mut differences = Vec::new();
    for scenario in &catalogue.scenarios {
        for host in &scenario.hosts {
            let (v, code) = check(&format!("[{}]", host.name.trim_end_matches('.')));
            let h = &v["hosts"][0];
            assert_eq!(code, if v["authenticated"] == true { 0 } else { 1 }, "{}: exit code", host.name);
            for (family, expected) in &host.expect.posttls_finger {
                let addresses: Vec<&Value> = h["addresses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|a| {
                        let ip = a["address"].as_str().unwrap_or_default();
                        match family.as_str() {
                            "ipv4" => !ip.contains(':'),
                            "ipv6" => ip.contains(':'),
                            _ => true,
                        }
                    })
                    .collect();
                let got: Vec<String> = if addresses.is_empty() {
                    vec![host_posttls(h, None)]
                } else {
                    addresses.iter().map(|a| host_posttls(h, Some(a))).collect()
                };
                for g in got {
                    checked += 1;
                    if &g != expected {
                        differences.push(format!(
                            "{} [{}] {family}: geleit {g}, posttls-finger {expected}",
                            scenario.name, host.name
                        ));
                    }
                }
            }
        }
    }
    assert!(differences.is_empty(), "differences from posttls-finger:\n{}", differences.join("\n"));
    assert!(checked >= 37, "only {checked} comparisons");
}

#[test]
fn every_domain_agrees_with_posttls_finger() {
    let catalogue = lab::catalogue();
    let mut differences = Vec::new();
    let mut stricter = Vec::new();
    for scenario in &catalogue.scenarios {
        let (v, code) = check(&scenario.domain);
        let verdict = v["verdict"].as_str().unwrap_or_default();
        // posttls-finger: the session with the first MX host it reaches.
        let got = match (verdict, v["hosts"].as_array().and_then(|h| h.first())) {
            ("null_mx", _) => "null-mx".to_owned(),
            ("deferred", None) => "dns-error:servfail".to_owned(),
            (_, Some(first)) => {
                let address = first["addresses"].as_array().and_then(|a| a.first());
                let mapped = host_posttls(first, address);
                // An insecure MX RRset: Postfix logs a verified peer as "Trusted".
                if v["mx_status"] == "insecure" && mapped == "verified" { "trusted".to_owned() } else { mapped }
            }
            (other, None) => panic!("{}: verdict {other} without hosts", scenario.name),
        };
        if got != scenario.expect.posttls_finger {
            differences
                .push(format!("{}: geleit {got}, posttls-finger {}", scenario.name, scenario.expect.posttls_finger));
        }
        // Geleit's own domain verdict: secure MX and every address of every host.
        let hosts = v["hosts"].as_array().cloned().unwrap_or_default();
        let every = !hosts.is_empty()
            && hosts.iter().all(|h| {
                let a = h["addresses"].as_array().cloned().unwrap_or_default();
                !a.is_empty() && a.iter().all(|a| a["authenticated"] == true)
            });
        let strict = v["mx_status"] == "secure" && every;
        assert_eq!(v["authenticated"], strict, "{}", scenario.name);
        assert_eq!(code, if strict { 0 } else { 1 }, "{}: exit code", scenario.name);
        if !strict && got == "verified" {
            stricter.push(scenario.name.clone());
        }
    }
    assert!(differences.is_empty(), "differences from posttls-finger:\n{}", differences.join("\n"));
    // The one documented difference in question (module documentation).
    assert_eq!(stricter, ["two-mx"]);
}

#[test]
fn dual_chain_servers_report_both_families() {
    let (v, _) = check("dual-ec-pinned.example.");
    let a = &v["hosts"][0]["addresses"][0];
    assert_eq!(a["default_family"], "ecdsa");
    let families: Vec<(&str, bool)> = a["families"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (f["family"].as_str().unwrap_or_default(), f["chain_matches"] == true))
        .collect();
    assert_eq!(families, [("ecdsa", true), ("rsa", false)]);
    assert_eq!(codes(&a["findings"]), Vec::<String>::new());
    assert_eq!(a["findings"][0]["code"], "unpinned_chain");
    assert_eq!(a["findings"][0]["fix"]["action"], "publish_tlsa");
    let (v, code) = check("dual-rsa-pinned.example.");
    let a = &v["hosts"][0]["addresses"][0];
    assert_eq!(code, 1);
    assert_eq!(a["findings"][0]["code"], "tlsa_no_match");
    assert_eq!(a["findings"][0]["matching_families"], serde_json::json!(["rsa"]));
}

#[test]
fn fixes_carry_the_record_of_the_served_key() {
    // ee-stale pins a spare key; the fix is the 3 1 1 of the key the server
    // uses, which the lab also publishes for ee-spki-style hosts: compare with
    // `geleit tlsa gen` over the served certificate.
    let live = lab::live();
    let host = live.hosts.get("mx.ee-stale.example.").unwrap();
    let pem = host.certs.get("main.leaf").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(["tlsa", "gen", "--format", "rdata", "--recommended", pem])
        .output()
        .unwrap();
    let expected = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_owned();
    let (v, _) = check("ee-stale.example.");
    let f = &v["hosts"][0]["addresses"][0]["findings"][0];
    assert_eq!(f["code"], "tlsa_no_match");
    assert_eq!(f["fix"]["record"].as_str(), Some(expected.as_str()), "{f}");
}

/// Which signature family posttls-finger's session used: TLS 1.3 names the
/// server signature, TLS 1.2 the cipher suite's authentication.
fn posttls_family(target: &str, protocols: Option<&str>) -> String {
    let mut cmd = Command::new("posttls-finger");
    cmd.args(["-c", "-l", "dane", "-P", "/etc/ssl/certs", "-t", "5", "-T", "10"]);
    if let Some(p) = protocols {
        cmd.args(["-p", p]);
    }
    let out = cmd.arg(target).output().unwrap_or_else(|e| panic!("posttls-finger: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let line = text.lines().find(|l| l.contains("TLS connection established")).unwrap_or_else(|| panic!("{text}"));
    if line.contains("server-signature ECDSA") || line.contains("ECDHE-ECDSA-") {
        "ecdsa".into()
    } else if line.contains("server-signature RSA") || line.contains("ECDHE-RSA-") {
        "rsa".into()
    } else {
        panic!("no signature family in {line:?}")
    }
}

/// The verdict module judges a dual-chain server by the chain a default
/// Postfix client negotiates (the ECDSA one): posttls-finger, offering its
/// defaults with TLS 1.3 and with TLS 1.2 only, gets that chain.
#[test]
fn the_default_family_is_the_one_postfix_negotiates() {
    for domain in ["dual-ec-pinned.example.", "dual-rsa-pinned.example."] {
        let (v, _) = check(domain);
        let host = v["hosts"][0]["host"].as_str().unwrap_or_default().trim_end_matches('.').to_owned();
        let ours = v["hosts"][0]["addresses"][0]["default_family"].as_str().unwrap_or_default().to_owned();
        for protocols in [None, Some("<=TLSv1.2")] {
            assert_eq!(posttls_family(&format!("[{host}]"), protocols), ours, "{domain} {protocols:?}");
        }
    }
}

/// Exact text for one scenario; what changes with every lab build (keys,
/// dates) is computed from the lab's own files (`run/live.json`).
#[test]
fn ee_stale_exact_text() {
    let live = lab::live();
    let host = live.hosts.get("mx.ee-stale.example.").unwrap();
    let pem = std::fs::read(host.certs.get("main.leaf").unwrap()).unwrap();
    let input = geleit::cert::read_input(&pem).unwrap();
    let leaf = input.certificates().next().unwrap();
    let sha256 = geleit::smtp::Certificate::from_der(leaf.der()).sha256;
    let spki = geleit::tlsa_gen::association_data(
        leaf.der(),
        leaf.spki(),
        geleit::tlsa::Selector::SPKI,
        geleit::tlsa::MatchingType::SHA2_256,
    )
    .unwrap();
    let suggested = format!("3 1 1 {}", spki.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let published = host.tlsa_rdata.first().unwrap();
    let expires = geleit::verdict::utc(leaf.not_after);
    let env = lab::env();
    let out = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(["check", "ee-stale.example"])
        .env("GELEIT_DOH", &env.doh)
        .env("GELEIT_TRUST_ANCHOR", &env.trust_anchor)
        .env_remove("GELEIT_EDGE")
        .output()
        .unwrap();
    assert_eq!((out.status.code(), String::from_utf8_lossy(&out.stderr).as_ref()), (Some(1), ""));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "\
ee-stale.example.: NOT authenticated: DANE senders defer mail
  MX records: secure (hosts)
  mx.ee-stale.example. (preference 10): NOT authenticated: DANE senders defer mail
    TLSA at _25._tcp.mx.ee-stale.example.: secure
      {published}
    127.0.1.6: NOT authenticated: DANE senders defer mail
      ecdsa chain (TLSv1.3, TLS13_AES_256_GCM_SHA384, default): does not match
        0 CN=mx.ee-stale.example (ECDSA P-256; issuer CN=mx.ee-stale.example; expires {expires}) sha256 {sha256}
      rsa chain: none (tls_handshake: tls handshake failed: received fatal alert: HandshakeFailure)
      error tlsa_no_match: `{published}` matches no certificate of the ECDSA chain the server presents to a default client: DANE-aware senders defer mail to it (RFC 7672 §3.1, RFC 7671 §5)
        fix: publish `_25._tcp.mx.ee-stale.example. IN TLSA {suggested}` (computed from the key the server presents)
verdict: NOT authenticated: DANE senders defer mail to at least one MX host
beside DANE (not part of the verdict):
  TXT at _smtp._tls.ee-stale.example.: secure (no_records)
  TXT at _mta-sts.ee-stale.example.: secure (no_records)
  warning tls_rpt_missing: no TLS reporting record at _smtp._tls.ee-stale.example: with DANE deployed, failure reports are how you learn that a certificate renewal broke DANE at some sender; publish `_smtp._tls.ee-stale.example IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@ee-stale.example\"` (RFC 8460 §3)
  info sts_missing: no MTA-STS policy: DANE protects mail from senders that do DANE; MTA-STS would cover senders that do not (RFC 8461 §3.1)
2 rounds, 23 queries
"
        )
    );
}

/// `geleit ARGS` inside the lab: stdout and the exit code.
fn geleit(args: &[&str]) -> (String, i32) {
    let env = lab::env();
    let out = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(args)
        .env("GELEIT_DOH", &env.doh)
        .env("GELEIT_TRUST_ANCHOR", &env.trust_anchor)
        .env_remove("GELEIT_EDGE")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

/// The Signature Expiration of the RRSIG over `name` `rtype` as the lab's
/// validating resolver serves it, read with dig (the oracle), Unix seconds.
fn dig_rrsig_expiration(name: &str, rtype: &str) -> i64 {
    let out = Command::new("dig")
        .args(["+dnssec", "+noall", "+answer", "+nomultiline", "@127.0.0.53", name, rtype])
        .output()
        .unwrap_or_else(|e| panic!("dig: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    // owner ttl class RRSIG covered alg labels origttl expiration inception tag signer sig
    let line = text
        .lines()
        .find(|l| l.split_whitespace().nth(3) == Some("RRSIG") && l.split_whitespace().nth(4) == Some(rtype))
        .unwrap_or_else(|| panic!("no RRSIG over {name} {rtype}: {text}"));
    let stamp = line.split_whitespace().nth(8).unwrap_or_default();
    let out = Command::new("date")
        .args(["-u", "-d"])
        .arg(format!("{} {}:{}:{}", &stamp[..8], &stamp[8..10], &stamp[10..12], &stamp[12..14]))
        .arg("+%s")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or_else(|e| panic!("{stamp}: {e}"))
}

/// The zone whose re-signing stopped (`resign-stalled`, signed 26 days ago
/// for 28 days): valid today, so posttls-finger verifies and Geleit
/// authenticates, but the look-ahead names the signature that runs out
/// first — its expiration exactly what dig reads off the RRSIG — and the
/// monitoring formats warn until the window no longer reaches it.
#[test]
fn signatures_that_run_out_are_reported_before_they_do() {
    let (v, code) = check("resign-stalled.example.");
    assert_eq!((v["verdict"].as_str(), code), (Some("authenticated"), 0), "{v}");
    let found: Vec<&Value> = v["findings"].as_array().into_iter().flatten().collect();
    let f = found.iter().find(|f| f["code"] == "signatures_expire_soon").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["rrset"], "resign-stalled.example. DNSKEY", "the zone's keys are the first on the path");
    assert_eq!(f["fix"]["action"], "resign_zone");
    let expiration = dig_rrsig_expiration("resign-stalled.example.", "DNSKEY");
    assert_eq!(f["expiration"].as_i64(), Some(expiration));
    assert_eq!(v["first_signature_expiry"]["expiration"].as_i64(), Some(expiration));
    // Said once, for the domain: the host's answers rest on the same keys.
    let host_codes: Vec<&str> =
        v["hosts"][0]["findings"].as_array().into_iter().flatten().filter_map(|f| f["code"].as_str()).collect();
    assert!(!host_codes.contains(&"signatures_expire_soon"), "{host_codes:?}");
    // A healthy zone of the lab (30-day signatures made an hour before the build) says nothing.
    let (ok, _) = check("ee-spki.example.");
    assert!(!ok.to_string().contains("signatures_expire_soon"), "{ok}");
    // Monitoring: WARNING with the days left as performance data; a one-day window is OK.
    let (line, code) = geleit(&["check", "--no-probe", "--format", "nagios", "resign-stalled.example."]);
    assert_eq!(code, 1, "{line}");
    assert!(line.starts_with("DANE WARNING - resign-stalled.example:"), "{line}");
    assert!(line.contains("days_to_signature_expiry=1") || line.contains("days_to_signature_expiry=2"), "{line}");
    let (line, code) = geleit(&["check", "--no-probe", "--days", "1", "--format", "nagios", "resign-stalled.example."]);
    assert_eq!(code, 0, "{line}");
    let (metrics, _) = geleit(&["check", "--no-probe", "--format", "prometheus", "resign-stalled.example."]);
    assert!(
        metrics.contains(&format!(
            "geleit_dnssec_signature_expiry_timestamp_seconds{{domain=\"resign-stalled.example\",rrset=\"resign-stalled.example. DNSKEY\"}} {expiration}"
        )),
        "{metrics}"
    );
}
