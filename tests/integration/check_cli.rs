//! `geleit check DOMAIN` end to end, offline: DNS answers replayed by a local
//! DoH server and probe reports served by a local stand-in for the edge's
//! `/api/probe`, both recorded from one lab build (`scripts/record-check.sh`),
//! at the recording's time (`--at`). Exact stdout, stderr and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use common::Run;
use geleit_test_support::recording::{self as replay, probes};
use geleit_test_support::{doh as doh_server, edge as edge_server};
use std::collections::BTreeMap;

fn data() -> std::path::PathBuf {
    replay::check_dir()
}

/// Runs `geleit check` with the DNS of `scenario` and an edge URL; extra args appended.
fn check_with_edge(scenario: &str, edge: &str, extra: &[&str]) -> Run {
    let rec = replay::load_path(&data().join(format!("{scenario}.dns.json")));
    let doh = doh_server::serve_recorded(rec.responses.clone());
    let anchor = data().join("anchor.ds");
    let at = rec.now.to_string();
    let mut args = vec!["check", rec.domain.as_str(), "--doh", &doh, "--trust-anchor"];
    args.push(anchor.to_str().unwrap_or_default());
    args.extend(["--at", &at, "--edge", edge]);
    args.extend(extra);
    common::geleit(&args)
}

fn check(scenario: &str, extra: &[&str]) -> Run {
    let edge = edge_server::serve(probes(scenario));
    check_with_edge(scenario, &edge.url, extra)
}

#[test]
fn two_mx_exact_text() {
    let run = check("two-mx", &[]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    assert_eq!(
        run.stdout,
        "\
two-mx.example.: NOT authenticated: DANE senders defer mail
  MX records: secure (hosts)
  mx1.two-mx.example. (preference 10): authenticated with DANE
    TLSA at _25._tcp.mx1.two-mx.example.: secure
      3 1 1 ea5e067c1b4fa71e471260e16f87f1924a949e8ee19511cea5041d918d2c3549
    info single_record_pinned: only one record is published at _25._tcp.mx1.two-mx.example. (`3 1 1 ea5e067c1b4fa71e471260e16f87f1924a949e8ee19511cea5041d918d2c3549`): the next key change breaks delivery unless the next key's record is published first (RFC 7671 §8.1)
      fix: generate the next key now and publish its `3 1 1` record at _25._tcp.mx1.two-mx.example. next to `3 1 1 ea5e067c1b4fa71e471260e16f87f1924a949e8ee19511cea5041d918d2c3549`; switch the server to the new key only after both records have been visible for at least two TTLs, then remove the old record (RFC 7671 §8.1; `geleit rollover prepare` and `geleit rollover status` guide through these steps); with Let's Encrypt, renew with the same key (certbot --reuse-key) so that `3 1 1` stays valid
    127.0.1.16: authenticated with DANE
      ecdsa chain (TLSv1.3, TLS13_AES_256_GCM_SHA384, default): matches
        0 CN=mx1.two-mx.example (ECDSA P-256; issuer CN=mx1.two-mx.example; expires 2027-12-07 19:22:56 UTC) sha256 efea130c134430baed7d8ad378351fc437af391656ee457624d0f6bda22f1c1c
        matched 3 1 1 ea5e067c1b4fa71e471260e16f87f1924a949e8ee19511cea5041d918d2c3549 at depth 0
      rsa chain: none (tls_handshake: tls handshake failed: received fatal alert: HandshakeFailure)
  mx2.two-mx.example. (preference 20): NOT authenticated: DANE senders defer mail
    TLSA at _25._tcp.mx2.two-mx.example.: secure
      3 1 1 952b881cf70a89bcc88a37c79da61bfa5d424f72340ca3f6dcad27a3ac3cc465
    127.0.1.17: NOT authenticated: DANE senders defer mail
      ecdsa chain (TLSv1.3, TLS13_AES_256_GCM_SHA384, default): does not match
        0 CN=mx2.two-mx.example (ECDSA P-256; issuer CN=mx2.two-mx.example; expires 2027-12-07 19:22:56 UTC) sha256 139ea5b1fd34965ffd951170fd6c7c3ce58bb64042a7e41bd65c8b0e154a215f
      rsa chain: none (tls_handshake: tls handshake failed: received fatal alert: HandshakeFailure)
      error tlsa_no_match: `3 1 1 952b881cf70a89bcc88a37c79da61bfa5d424f72340ca3f6dcad27a3ac3cc465` matches no certificate of the ECDSA chain the server presents to a default client: DANE-aware senders defer mail to it (RFC 7672 §3.1, RFC 7671 §5)
        fix: publish `_25._tcp.mx2.two-mx.example. IN TLSA 3 1 1 8c2245ac13bac083dee658169b3134e87e38f7aa4908aab70db169474621cde8` (computed from the key the server presents)
verdict: NOT authenticated: DANE senders defer mail to at least one MX host
beside DANE (not part of the verdict):
  TXT at _smtp._tls.two-mx.example.: secure (no_records)
  TXT at _mta-sts.two-mx.example.: secure (no_records)
  warning tls_rpt_missing: no TLS reporting record at _smtp._tls.two-mx.example: with DANE deployed, failure reports are how you learn that a certificate renewal broke DANE at some sender; publish `_smtp._tls.two-mx.example IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@two-mx.example\"` (RFC 8460 §3)
  info sts_missing: no MTA-STS policy: DANE protects mail from senders that do DANE; MTA-STS would cover senders that do not (RFC 8461 §3.1)
2 rounds, 32 queries
"
    );
}

#[test]
fn ta_omitted_exact_text() {
    let run = check("ta-omitted", &[]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    assert_eq!(
        run.stdout,
        "\
ta-omitted.example.: NOT authenticated: DANE senders defer mail
  MX records: secure (hosts)
  mx.ta-omitted.example. (preference 10): NOT authenticated: DANE senders defer mail
    TLSA at _25._tcp.mx.ta-omitted.example.: secure
      2 1 1 3807d62074fefb36c3b544dee9b5d2b0b0d8d982cbb9e60a35de8bb4918b3f3d
    127.0.1.4: NOT authenticated: DANE senders defer mail
      ecdsa chain (TLSv1.3, TLS13_AES_256_GCM_SHA384, default): does not match
        0 CN=mx.ta-omitted.example (ECDSA P-256; issuer O=Geleit lab, CN=Geleit Lab CA for mx.ta-omitted.example; expires 2027-12-07 19:22:56 UTC) sha256 c0dae6c5a588b49dc6c08cd11997d748c82f47d82968f1f51223409194d57edb
      rsa chain: none (tls_handshake: tls handshake failed: received fatal alert: HandshakeFailure)
      error ta_not_sent: `2 1 1 3807d62074fefb36c3b544dee9b5d2b0b0d8d982cbb9e60a35de8bb4918b3f3d` pins a CA that the server does not send (it sends only its own certificate), so no chain to the pinned CA can be built (RFC 7671 §5.2.2)
        fix: serve the full chain: the server sends only its own certificate, so the CA pinned by `2 1 1 3807d62074fefb36c3b544dee9b5d2b0b0d8d982cbb9e60a35de8bb4918b3f3d` never reaches the client; list the CA certificate(s) after the server certificate (Postfix: in smtpd_tls_chain_files), or pin the server key with `3 1 1`
verdict: NOT authenticated: DANE senders defer mail to at least one MX host
beside DANE (not part of the verdict):
  TXT at _smtp._tls.ta-omitted.example.: secure (no_records)
  TXT at _mta-sts.ta-omitted.example.: secure (no_records)
  warning tls_rpt_missing: no TLS reporting record at _smtp._tls.ta-omitted.example: with DANE deployed, failure reports are how you learn that a certificate renewal broke DANE at some sender; publish `_smtp._tls.ta-omitted.example IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@ta-omitted.example\"` (RFC 8460 §3)
  info sts_missing: no MTA-STS policy: DANE protects mail from senders that do DANE; MTA-STS would cover senders that do not (RFC 8461 §3.1)
2 rounds, 23 queries
"
    );
}

#[test]
fn dual_rsa_pinned_exact_text() {
    let run = check("dual-rsa-pinned", &[]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    assert_eq!(
        run.stdout,
        "\
dual-rsa-pinned.example.: NOT authenticated: DANE senders defer mail
  MX records: secure (hosts)
  mx.dual-rsa-pinned.example. (preference 10): NOT authenticated: DANE senders defer mail
    TLSA at _25._tcp.mx.dual-rsa-pinned.example.: secure
      3 1 1 9781a9a8a77597d0b0c28b89cdabfac1f824d351ddf4dfe7aba18c1a0e583f8f
    127.0.1.15: NOT authenticated: DANE senders defer mail
      ecdsa chain (TLSv1.3, TLS13_AES_256_GCM_SHA384, default): does not match
        0 CN=mx.dual-rsa-pinned.example (ECDSA P-256; issuer CN=mx.dual-rsa-pinned.example; expires 2027-12-07 19:22:56 UTC) sha256 d758bd25c1e7ebb5d2ca19236d32d69f3d7ebb28c97dc8c5b8d96c50e1a88cce
      rsa chain (TLSv1.3, TLS13_AES_256_GCM_SHA384): matches
        0 CN=mx.dual-rsa-pinned.example (RSA 2048; issuer CN=mx.dual-rsa-pinned.example; expires 2027-12-07 19:22:57 UTC) sha256 2dca2a93c6e8fd480398a120b761e4548bd3c8e2bbcaede020552597813c437a
        matched 3 1 1 9781a9a8a77597d0b0c28b89cdabfac1f824d351ddf4dfe7aba18c1a0e583f8f at depth 0
      error tlsa_no_match: `3 1 1 9781a9a8a77597d0b0c28b89cdabfac1f824d351ddf4dfe7aba18c1a0e583f8f` matches no certificate of the ECDSA chain the server presents to a default client: DANE-aware senders defer mail to it; the server's RSA chain does match, but clients that offer both get the ECDSA chain (RFC 7672 §3.1, RFC 7671 §5)
        fix: publish `_25._tcp.mx.dual-rsa-pinned.example. IN TLSA 3 1 1 40732694070266ec691bad4368f5983fe65408f75561c6ee8754f2999a60de32` (computed from the key the server presents) in addition to `3 1 1 9781a9a8a77597d0b0c28b89cdabfac1f824d351ddf4dfe7aba18c1a0e583f8f`, which pins the server's other chain: keep both
verdict: NOT authenticated: DANE senders defer mail to at least one MX host
beside DANE (not part of the verdict):
  TXT at _smtp._tls.dual-rsa-pinned.example.: secure (no_records)
  TXT at _mta-sts.dual-rsa-pinned.example.: secure (no_records)
  warning tls_rpt_missing: no TLS reporting record at _smtp._tls.dual-rsa-pinned.example: with DANE deployed, failure reports are how you learn that a certificate renewal broke DANE at some sender; publish `_smtp._tls.dual-rsa-pinned.example IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@dual-rsa-pinned.example\"` (RFC 8460 §3)
  info sts_missing: no MTA-STS policy: DANE protects mail from senders that do DANE; MTA-STS would cover senders that do not (RFC 8461 §3.1)
2 rounds, 23 queries
"
    );
}

#[test]
fn no_starttls_exact_text() {
    let run = check("no-starttls", &[]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    assert_eq!(
        run.stdout,
        "\
no-starttls.example.: no STARTTLS
  MX records: secure (hosts)
  mx.no-starttls.example. (preference 10): no STARTTLS
    TLSA at _25._tcp.mx.no-starttls.example.: secure
      3 1 1 539c74394a9f1c6dd4b33b5dcde4d7005e73ba15d5058a98955638adc44aeaf1
    127.0.1.13: no STARTTLS
      ecdsa chain: none (starttls: expected STARTTLS in the EHLO reply, found it not offered)
      rsa chain: none (starttls: expected STARTTLS in the EHLO reply, found it not offered)
      error starttls_missing: the server does not offer STARTTLS, but its TLSA records require TLS: DANE-aware senders defer mail to it (RFC 7672 §2.2, RFC 3207)
        fix: offer STARTTLS with a certificate (Postfix: smtpd_tls_security_level = may and smtpd_tls_chain_files)
verdict: not authenticated: no STARTTLS
beside DANE (not part of the verdict):
  TXT at _smtp._tls.no-starttls.example.: secure (no_records)
  TXT at _mta-sts.no-starttls.example.: secure (no_records)
  warning tls_rpt_missing: no TLS reporting record at _smtp._tls.no-starttls.example: with DANE deployed, failure reports are how you learn that a certificate renewal broke DANE at some sender; publish `_smtp._tls.no-starttls.example IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@no-starttls.example\"` (RFC 8460 §3)
  info sts_missing: no MTA-STS policy: DANE protects mail from senders that do DANE; MTA-STS would cover senders that do not (RFC 8461 §3.1)
2 rounds, 23 queries
"
    );
}

#[test]
fn json_has_the_documented_fields() {
    let run = check("two-mx", &["--json"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!((v["verdict"].as_str(), v["authenticated"].as_bool()), (Some("not_authenticated"), Some(false)));
    assert_eq!((v["rounds"].as_u64(), v["queries"].as_u64()), (Some(2), Some(32)));
    assert_eq!(v["mx_status"], "secure");
    let hosts = v["hosts"].as_array().unwrap_or_else(|| panic!("hosts: {v}"));
    let verdicts: Vec<(&str, bool)> = hosts
        .iter()
        .map(|h| (h["host"].as_str().unwrap_or_default(), h["authenticated"].as_bool().unwrap_or(true)))
        .collect();
    assert_eq!(verdicts, [("mx1.two-mx.example.", true), ("mx2.two-mx.example.", false)]);
    let a = &hosts[1]["addresses"][0];
    assert_eq!(a["address"], "127.0.1.17");
    assert_eq!((a["starttls"].as_bool(), a["tls_version"].as_str()), (Some(true), Some("TLSv1.3")));
    assert_eq!(a["authenticated"], false);
    assert_eq!(a["matched"], serde_json::json!([]));
    assert_eq!(a["chain"][0]["depth"], 0);
    assert_eq!(a["chain"][0]["sha256"], "139ea5b1fd34965ffd951170fd6c7c3ce58bb64042a7e41bd65c8b0e154a215f");
    assert_eq!(a["chain"][0]["subject"], "CN=mx2.two-mx.example");
    assert_eq!(a["chain"][0]["key"], "ECDSA P-256");
    assert_eq!(a["findings"][0]["code"], "tlsa_no_match");
    assert_eq!(a["findings"][0]["fix"]["action"], "publish_tlsa");
    assert_eq!(
        a["findings"][0]["fix"]["record"],
        "3 1 1 8c2245ac13bac083dee658169b3134e87e38f7aa4908aab70db169474621cde8"
    );
    let good = &hosts[0]["addresses"][0];
    assert_eq!(
        good["matched"],
        serde_json::json!([{ "record": "3 1 1 ea5e067c1b4fa71e471260e16f87f1924a949e8ee19511cea5041d918d2c3549", "depth": 0 }])
    );
    assert_eq!(good["families"][1]["family"], "rsa");
}

#[test]
fn asks_the_edge_for_the_validated_addresses_with_the_sni() {
    let edge = edge_server::serve(probes("two-mx"));
    let run = check_with_edge("two-mx", &format!("{}/", edge.url), &[]);
    assert_eq!(run.code, 1);
    let mut seen = edge.requests.lock().map(|r| r.clone()).unwrap_or_default();
    seen.sort();
    assert_eq!(
        seen,
        [
            "/api/probe?host=mx1.two-mx.example&sni=mx1.two-mx.example&addr=127.0.1.16&port=25",
            "/api/probe?host=mx2.two-mx.example&sni=mx2.two-mx.example&addr=127.0.1.17&port=25"
        ]
    );
}

/// An MX host that is a secure alias: the SNI is the TLSA base domain, the
/// alias target (RFC 7672 §8.1), and the addresses are the validated ones;
/// the edge no longer resolves the name itself.
#[test]
fn the_edge_gets_the_tlsa_base_domain_as_sni_for_an_alias() {
    let rec = replay::load("cname-mx-expanded");
    let doh = doh_server::serve_recorded(rec.responses.clone());
    let anchor = replay::dns_dir().join("anchor.ds");
    let at = rec.now.to_string();
    let edge = edge_server::serve(BTreeMap::new());
    let anchor = anchor.to_str().unwrap_or_default();
    let run = common::geleit([
        "check",
        &rec.domain,
        "--doh",
        &doh,
        "--trust-anchor",
        anchor,
        "--at",
        &at,
        "--edge",
        &edge.url,
        "--json",
    ]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    let seen = edge.requests.lock().map(|r| r.clone()).unwrap_or_default();
    assert_eq!(
        seen,
        ["/api/probe?host=mx.cname-mx-expanded.example&sni=cname-mx-expanded.hosting.example&addr=127.0.1.19&port=25"]
    );
}

#[test]
fn an_unreachable_edge_leaves_addresses_unprobed() {
    // Nothing listens on port 9 (discard) here.
    let run = check_with_edge("ta-omitted", "http://127.0.0.1:9", &[]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    assert!(
        run.stdout.contains(
            "    127.0.1.4: not probed\n      error not_probed: the address was not probed: edge request to http://127.0.0.1:9/api/probe failed: io: Connection refused (os error 111) (RFC 7672 §2.2)\n"
        ),
        "{}",
        run.stdout
    );
    // An edge that knows nothing of the host answers with one of the API's errors.
    let empty = edge_server::serve(BTreeMap::new());
    let run = check_with_edge("ta-omitted", &empty.url, &["--json"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let f = &v["hosts"][0]["addresses"][0]["findings"][0];
    assert_eq!(f["code"], "not_probed");
    assert_eq!(
        f["reason"],
        format!(
            "edge {}/api/probe answered HTTP 422 host_not_found: expected A or AAAA records for mx.ta-omitted.example, found none (NODATA)",
            empty.url
        )
    );
}

/// Runs `geleit check` for `scenario` with its recorded DNS served by a DoH
/// server that fails as `failing` says.
fn check_failing(scenario: &str, failing: doh_server::Failing, extra: &[&str]) -> (Run, doh_server::Doh) {
    let rec = replay::load_path(&data().join(format!("{scenario}.dns.json")));
    let doh = doh_server::serve_failing(rec.responses.clone(), failing);
    let edge = edge_server::serve(probes(scenario));
    let anchor = data().join("anchor.ds");
    let at = rec.now.to_string();
    let mut args = vec!["check", rec.domain.as_str(), "--doh", &doh.url, "--trust-anchor"];
    args.push(anchor.to_str().unwrap_or_default());
    args.extend(["--at", &at, "--edge", &edge.url]);
    args.extend(extra);
    (common::geleit(&args), doh)
}

/// A resolver that answers every question only on the second try (HTTP 502
/// first, as a busy DoH front does) gives the same verdict, to the byte.
#[test]
fn failed_doh_requests_are_retried_and_change_nothing() {
    let calm = check("two-mx", &["--json"]);
    let (busy, doh) = check_failing("two-mx", doh_server::Failing::FirstAttempt, &["--json"]);
    let failed = doh.failed.lock().map(|f| f.len()).unwrap_or_default();
    assert_eq!(failed, 32, "every question failed once");
    assert_eq!((busy.code, busy.stderr.as_str(), busy.stdout.as_str()), (calm.code, "", calm.stdout.as_str()));
    let (text, _) = check_failing("ta-omitted", doh_server::Failing::FirstAttempt, &[]);
    assert_eq!((text.code, text.stderr.as_str(), text.stdout), (1, "", check("ta-omitted", &[]).stdout));
}

/// A question that never gets an answer says nothing about the domain: no
/// verdict ("deferred", "bogus"), but exit 3 and the resolver's failure.
#[test]
fn an_unreachable_resolver_exits_3_without_a_verdict() {
    let tlsa = doh_server::Failing::Always("_25._tcp.mx2.two-mx.example.".into(), "TLSA".into());
    let (run, doh) = check_failing("two-mx", tlsa.clone(), &[]);
    let failed = doh.failed.lock().map(|f| f.clone()).unwrap_or_default();
    assert_eq!(failed.len(), 3, "three attempts: {failed:?}");
    let stderr = format!(
        "geleit: the DNS resolver could not be reached (1 of 32 queries got no answer after 3 attempts: \"DoH server {} answered HTTP 502 Bad Gateway, expected 200\"); this says nothing about two-mx.example.\n",
        doh.url
    );
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (3, "", stderr.as_str()));
    // With --json the same words in the edge's error shape, on stdout too.
    let (run, _) = check_failing("two-mx", tlsa, &["--json"]);
    assert_eq!(run.code, 3);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(v["error"]["code"], "dns_unreachable");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("the DNS resolver could not be reached (1 of 32 queries"), "{message}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    for words in ["bogus", "deferred", "indeterminate", "authenticated"] {
        assert!(!run.stdout.contains(words) && !run.stderr.contains(words), "{words}: {}{}", run.stdout, run.stderr);
    }
    // --no-probe too: the DNS stage alone is no verdict either.
    let mx = doh_server::Failing::Always("two-mx.example.".into(), "MX".into());
    let (run, _) = check_failing("two-mx", mx, &["--no-probe"]);
    assert_eq!((run.code, run.stdout.as_str()), (3, ""));
    assert!(run.stderr.starts_with("geleit: the DNS resolver could not be reached (1 of "), "{}", run.stderr);
}

/// What an edge (or whoever answers in its place) sends is shown escaped:
/// certificate names from the DER, and the report's own texts.
#[test]
fn terminal_escapes_in_a_probe_report_are_shown_escaped() {
    let host = "mx.ta-omitted.example";
    let recorded = probes("ta-omitted").remove(host).unwrap_or_default();
    let mut report: serde_json::Value = serde_json::from_str(&recorded).unwrap_or_else(|e| panic!("{e}"));
    let probe = &mut report["addresses"][0]["probes"];
    let tls = &mut probe[0]["report"]["tls"];
    tls["chain"][0]["der_base64"] = data_encoding::BASE64.encode(&common::hostile_cert().1).into();
    tls["chain"][0]["sha256"] = "\u{1b}]52;c;cm0gLXJmIH4=\u{7}".into();
    tls["cipher_suite"] = "TLS13_\u{9b}2J_AES".into();
    probe[1]["report"]["error"]["message"] = "refused\r\u{1b}[2K\u{202e}ok".into();
    let edge = edge_server::serve(BTreeMap::from([(host.to_owned(), report.to_string())]));
    let run = check_with_edge("ta-omitted", &edge.url, &[]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    common::assert_no_terminal_controls("stdout", &run.stdout);
    let shown = common::HOSTILE_SHOWN;
    for line in [
        "      ecdsa chain (TLSv1.3, TLS13_\\u{9b}2J_AES, default): does not match\n".to_owned(),
        format!(
            "        0 {shown} (ECDSA P-256; issuer {shown}; expires 4096-01-01 00:00:00 UTC) sha256 \\x1b]52;c;cm0gLXJmIH4=\\x07\n"
        ),
        "      rsa chain: none (tls_handshake: refused\\x0d\\x1b[2K\\u{202e}ok)\n".to_owned(),
    ] {
        assert!(run.stdout.contains(&line), "{line}\n{}", run.stdout);
    }
}

#[test]
fn two_mx_as_a_monitoring_plugin_is_critical_with_exit_2() {
    let run = check("two-mx", &["--format", "nagios"]);
    assert_eq!((run.code, run.stderr.as_str()), (2, ""));
    assert_eq!(
        run.stdout,
        "\
DANE CRITICAL - two-mx.example: NOT authenticated: DANE senders defer mail; 1 of 2 MX hosts and 1 of 2 addresses authenticated; mx2.two-mx.example 127.0.1.17: `3 1 1 952b881cf70a89bcc88a37c79da61bfa5d424f72340ca3f6dcad27a3ac3cc465` matches no certificate of the ECDSA chain the server presents to a default client: DANE-aware senders defer mail to it|hosts=2 hosts_authenticated=1 addresses=2 addresses_authenticated=1 days_to_expiry=364 days_to_signature_expiry=29
mx1.two-mx.example: authenticated with DANE
  127.0.1.16: authenticated with DANE
mx2.two-mx.example: NOT authenticated: DANE senders defer mail
  127.0.1.17: NOT authenticated: DANE senders defer mail
"
    );
}

#[test]
fn two_mx_as_prometheus_metrics_one_series_per_domain_host_and_address() {
    let run = check("two-mx", &["--format", "prometheus"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "metrics written: exit 0 whatever the verdict");
    assert_eq!(
        run.stdout,
        "\
# HELP geleit_check_success Whether the check reached a verdict (0: Geleit's DNS resolver could not be reached).
# TYPE geleit_check_success gauge
geleit_check_success{domain=\"two-mx.example\"} 1
# HELP geleit_check_state The Monitoring Plugins state of the domain: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
# TYPE geleit_check_state gauge
geleit_check_state{domain=\"two-mx.example\"} 2
# HELP geleit_dane_domain_authenticated Whether DANE authenticates every address of every MX host and the MX records are DNSSEC-signed (with --no-probe: every MX host is DANE-ready).
# TYPE geleit_dane_domain_authenticated gauge
geleit_dane_domain_authenticated{domain=\"two-mx.example\"} 0
# HELP geleit_dane_host_required Whether DNSSEC-validated usable TLSA records make DANE required for the MX host (RFC 7672 section 2.2).
# TYPE geleit_dane_host_required gauge
geleit_dane_host_required{domain=\"two-mx.example\",host=\"mx1.two-mx.example\"} 1
geleit_dane_host_required{domain=\"two-mx.example\",host=\"mx2.two-mx.example\"} 1
# HELP geleit_tlsa_usable_records Usable TLSA records of the MX host; fewer than 2 means no next key is published (RFC 7671 section 8.1).
# TYPE geleit_tlsa_usable_records gauge
geleit_tlsa_usable_records{domain=\"two-mx.example\",host=\"mx1.two-mx.example\"} 1
geleit_tlsa_usable_records{domain=\"two-mx.example\",host=\"mx2.two-mx.example\"} 1
# HELP geleit_dane_host_authenticated Whether DANE authenticates every address of the MX host.
# TYPE geleit_dane_host_authenticated gauge
geleit_dane_host_authenticated{domain=\"two-mx.example\",host=\"mx1.two-mx.example\"} 1
geleit_dane_host_authenticated{domain=\"two-mx.example\",host=\"mx2.two-mx.example\"} 0
# HELP geleit_dane_authenticated Whether DANE authenticates the certificate chain the address presents to a default client.
# TYPE geleit_dane_authenticated gauge
geleit_dane_authenticated{domain=\"two-mx.example\",host=\"mx1.two-mx.example\",address=\"127.0.1.16\"} 1
geleit_dane_authenticated{domain=\"two-mx.example\",host=\"mx2.two-mx.example\",address=\"127.0.1.17\"} 0
# HELP geleit_certificate_expiry_timestamp_seconds notAfter of the first certificate to expire in the chain the address presents, Unix seconds.
# TYPE geleit_certificate_expiry_timestamp_seconds gauge
geleit_certificate_expiry_timestamp_seconds{domain=\"two-mx.example\",host=\"mx1.two-mx.example\",address=\"127.0.1.16\"} 1828207376
geleit_certificate_expiry_timestamp_seconds{domain=\"two-mx.example\",host=\"mx2.two-mx.example\",address=\"127.0.1.17\"} 1828207376
# HELP geleit_dnssec_signature_expiry_timestamp_seconds Expiration of the first RRSIG to expire among those the verdict rests on (MX, A/AAAA, TLSA, denials, CNAMEs, DS and DNSKEY up to the root), Unix seconds; rrset names it.
# TYPE geleit_dnssec_signature_expiry_timestamp_seconds gauge
geleit_dnssec_signature_expiry_timestamp_seconds{domain=\"two-mx.example\",rrset=\". DNSKEY\"} 1799263376
"
    );
}

#[test]
fn no_starttls_as_a_monitoring_plugin_names_the_failure() {
    let run = check("no-starttls", &["--format", "nagios"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "DANE CRITICAL - no-starttls.example: no STARTTLS; 0 of 1 MX hosts and 0 of 1 addresses authenticated; mx.no-starttls.example 127.0.1.13: the server does not offer STARTTLS, but its TLSA records require TLS: DANE-aware senders defer mail to it|hosts=1 hosts_authenticated=0 addresses=1 addresses_authenticated=0 days_to_signature_expiry=29"
    );
}

#[test]
fn json_and_format_json_are_the_same_and_do_not_combine_with_another_format() {
    let a = check("two-mx", &["--json"]);
    let b = check("two-mx", &["--format", "json"]);
    assert_eq!((a.code, &a.stdout), (b.code, &b.stdout));
    let run = check("two-mx", &["--json", "--format", "nagios"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(run.stderr.contains("the argument '--json' cannot be used with '--format <FORMAT>'"), "{}", run.stderr);
}

#[test]
fn a_monitoring_plugin_that_could_not_look_is_unknown_with_exit_3() {
    // The edge cannot be reached: nothing was probed, nothing is known wrong.
    let run = check_with_edge("ta-omitted", "http://127.0.0.1:9", &["--format", "nagios"]);
    assert_eq!((run.code, run.stderr.as_str()), (3, ""));
    assert!(
        run.stdout.starts_with("DANE UNKNOWN - ta-omitted.example: not probed; 0 of 1 MX hosts and 0 of 1 addresses authenticated; mx.ta-omitted.example 127.0.1.4: the address was not probed: edge request to http://127.0.0.1:9/api/probe failed: io: Connection refused (os error 111)|hosts=1 hosts_authenticated=0 addresses=1 addresses_authenticated=0 days_to_signature_expiry=29\n"),
        "{}",
        run.stdout
    );
    // The resolver cannot be reached: UNKNOWN, no performance data; Prometheus says check_success 0.
    let tlsa = doh_server::Failing::Always("_25._tcp.mx2.two-mx.example.".into(), "TLSA".into());
    let (run, doh) = check_failing("two-mx", tlsa.clone(), &["--format", "nagios"]);
    assert_eq!(
        (run.code, run.stdout.clone(), run.stderr.as_str()),
        (
            3,
            format!(
                "DANE UNKNOWN - two-mx.example: not checked; the DNS resolver could not be reached (1 of 32 queries got no answer after 3 attempts: \"DoH server {} answered HTTP 502 Bad Gateway, expected 200\"); this says nothing about two-mx.example.\n",
                doh.url
            ),
            ""
        )
    );
    let (run, _) = check_failing("two-mx", tlsa, &["--format", "prometheus"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("geleit_check_success{domain=\"two-mx.example\"} 0\n"), "{}", run.stdout);
    assert!(run.stdout.contains("geleit_check_state{domain=\"two-mx.example\"} 3\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("geleit_dane_"), "no DANE series without a verdict: {}", run.stdout);
    // Bad input to a plugin is UNKNOWN too (Monitoring Plugins guidelines), on stdout.
    let run = common::geleit(["check", "bad..name", "--format", "nagios"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (3, "DANE UNKNOWN - expected a domain name, found \"bad..name\": malformed label\n", "")
    );
}
