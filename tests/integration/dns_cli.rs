//! `geleit dns` and `geleit check --no-probe` end to end, offline: a local DoH
//! server answers from lab recordings (tests/data/dns) and `--at` sets the
//! validation time to the recording's. Exact stdout, stderr and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use common::{Run, geleit};
use geleit_test_support::doh as doh_server;
use geleit_test_support::recording as replay;

fn offline(scenario: &str, extra: &[&str]) -> Run {
    let rec = replay::load(scenario);
    let url = doh_server::serve_recorded(rec.responses.clone());
    let anchor = replay::dns_dir().join("anchor.ds");
    let at = rec.now.to_string();
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["--doh", &url, "--trust-anchor", anchor.to_str().unwrap_or_default(), "--at", &at]);
    geleit(&args)
}

/// Certificate association data changes with every lab build: compare the rest exactly.
fn mask_hex(text: &str) -> String {
    text.split(' ')
        .map(|w| if w.len() >= 64 && w.chars().all(|c| c.is_ascii_hexdigit()) { "<hex>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn check_two_mx_prints_each_host_verdict() {
    let run = offline("two-mx", &["check", "two-mx.example.", "--no-probe"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(
        mask_hex(&run.stdout),
        "\
two-mx.example.: MX secure (hosts)
  mx1.two-mx.example. (preference 10)
    A 127.0.1.16: secure
    AAAA none: secure
    TLSA at _25._tcp.mx1.two-mx.example.: secure
      3 1 1 <hex> (usable)
    => DANE required: senders must authenticate this host's certificate with its TLSA records (RFC 7672 §2.2, §3.1): 1 of 1 TLSA records are usable
  mx2.two-mx.example. (preference 20)
    A 127.0.1.17: secure
    AAAA none: secure
    TLSA at _25._tcp.mx2.two-mx.example.: secure
      3 1 1 <hex> (usable)
    => DANE required: senders must authenticate this host's certificate with its TLSA records (RFC 7672 §2.2, §3.1): 1 of 1 TLSA records are usable
verdict: every MX host is DANE-ready
2 rounds, 32 queries
"
    );
}

#[test]
fn check_json_has_the_documented_fields() {
    let run = offline("bogus-tlsa-sig", &["check", "bogus-tlsa-sig.example.", "--no-probe", "--json"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(v["mx_status"], "secure");
    assert_eq!(v["rounds"], 2);
    assert!(v["queries"].as_u64().is_some_and(|q| q > 10));
    let h = &v["hosts"][0];
    assert_eq!(h["host"], "mx.bogus-tlsa-sig.example.");
    assert_eq!(h["addresses"][0]["type"], "A");
    assert_eq!(h["addresses"][0]["status"], "secure");
    assert_eq!(h["addresses"][0]["addresses"][0], "127.0.1.26");
    assert_eq!(h["tlsa_base"], "_25._tcp.mx.bogus-tlsa-sig.example.");
    assert_eq!(h["tlsa_status"], "bogus");
    assert_eq!(h["tlsa_proof"]["reason"]["kind"], "signature_invalid");
    assert_eq!(h["tlsa_proof"]["reason"]["ede"], 6);
    assert_eq!(h["tlsa"][0]["usage"], 3);
    assert_eq!(h["outcome"], "deferred");
    assert_eq!(h["rfc"], "RFC 7672 §2.1.1, §2.2");
}

#[test]
fn dns_prints_the_answer_and_its_validation() {
    let run = offline("bogus-expired", &["dns", "bogus-expired.example.", "MX"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(";; bogus-expired.example. MX: bogus: RRSIG over DNSKEY at bogus-expired.example. (key tag "),
        "{first}"
    );
    assert!(first.ends_with(") expired on 2020-02-01 00:00:00 UTC (EDE 7 Signature Expired)"), "{first}");
    assert!(run.stdout.contains("\n;;   example. DS → DNSKEY: secure zone cut, key tag "), "{}", run.stdout);
    assert!(run.stdout.ends_with(";; 1 rounds, 6 queries\n"), "{}", run.stdout);

    let run = offline("insecure", &["dns", "mx.insecure.example.", "A", "--json"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((v["status"].as_str(), v["answer"].as_str()), (Some("insecure"), Some("data")));
    assert_eq!(v["proof"]["zone_cut"], "insecure.example.");
    // The resolver's cache decrements the TTL; the rest is fixed.
    let record = v["records"][0].as_str().unwrap_or_default();
    assert!(record.starts_with("mx.insecure.example. ") && record.ends_with(" IN A 127.0.1.23"), "{record}");
}

/// As [`offline`], with a DoH server that fails as `failing` says.
fn offline_failing(scenario: &str, failing: doh_server::Failing, extra: &[&str]) -> (Run, doh_server::Doh) {
    let rec = replay::load(scenario);
    let doh = doh_server::serve_failing(rec.responses.clone(), failing);
    let anchor = replay::dns_dir().join("anchor.ds");
    let at = rec.now.to_string();
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["--doh", &doh.url, "--trust-anchor", anchor.to_str().unwrap_or_default(), "--at", &at]);
    (geleit(&args), doh)
}

#[test]
fn check_dns_only_is_unchanged_by_retried_doh_requests() {
    for extra in [&[][..], &["--json"], &["--post"]] {
        let args = [&["check", "two-mx.example.", "--no-probe"][..], extra].concat();
        let calm = offline("two-mx", &args);
        let (busy, _) = offline_failing("two-mx", doh_server::Failing::FirstAttempt, &args);
        assert_eq!((busy.code, busy.stderr.as_str()), (0, ""), "{args:?}");
        assert_eq!(busy.stdout, calm.stdout, "{args:?}");
    }
}

#[test]
fn check_dns_only_with_an_unreachable_resolver_exits_3() {
    let tlsa = doh_server::Failing::Always("_25._tcp.mx.bogus-tlsa-sig.example.".into(), "TLSA".into());
    let args = ["check", "bogus-tlsa-sig.example.", "--no-probe"];
    let (run, doh) = offline_failing("bogus-tlsa-sig", tlsa.clone(), &args);
    let url = doh.url;
    let stderr = format!(
        "geleit: the DNS resolver could not be reached (1 of {} queries got no answer after 3 attempts: \"DoH server {url} answered HTTP 502 Bad Gateway, expected 200\"); this says nothing about bogus-tlsa-sig.example.\n",
        queries(&offline("bogus-tlsa-sig", &[&args[..], &["--json"]].concat()).stdout)
    );
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (3, "", stderr.as_str()));
    // With --json also on stdout, in the edge's error shape and code.
    let (run, again) = offline_failing("bogus-tlsa-sig", tlsa, &[&args[..], &["--json"]].concat());
    let stderr = stderr.replace(&url, &again.url);
    assert_eq!((run.code, run.stderr.as_str()), (3, stderr.as_str()));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(v["error"]["code"], "dns_unreachable");
    assert_eq!(Some(stderr.trim_end().trim_start_matches("geleit: ")), v["error"]["message"].as_str());
}

#[test]
fn dns_is_unchanged_by_retried_doh_requests() {
    for extra in [&[][..], &["--json"], &["--post"]] {
        let args = [&["dns", "_25._tcp.mx1.two-mx.example.", "TLSA"][..], extra].concat();
        let calm = offline("two-mx", &args);
        assert_eq!((calm.code, calm.stderr.as_str()), (0, ""), "{args:?}");
        let (busy, _) = offline_failing("two-mx", doh_server::Failing::FirstAttempt, &args);
        assert_eq!((busy.code, busy.stderr.as_str()), (0, ""), "{args:?}");
        assert_eq!(busy.stdout, calm.stdout, "{args:?}");
    }
}

/// A query that fails on every attempt: no answer (here it would have been
/// "bogus"), but what the check says, and its exit code (3, could not decide).
#[test]
fn dns_with_an_unreachable_resolver_says_so_instead_of_an_answer() {
    let owner = "_25._tcp.mx.bogus-tlsa-sig.example.";
    let args = ["dns", owner, "TLSA"];
    let calm = offline("bogus-tlsa-sig", &[&args[..], &["--json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&calm.stdout).unwrap_or_else(|e| panic!("{e}: {}", calm.stdout));
    assert_eq!((calm.code, v["status"].as_str()), (1, Some("bogus")));
    for extra in [&[][..], &["--json"]] {
        let tlsa = doh_server::Failing::Always(owner.into(), "TLSA".into());
        let (run, doh) = offline_failing("bogus-tlsa-sig", tlsa, &[&args[..], extra].concat());
        let stderr = format!(
            "geleit: the DNS resolver could not be reached (1 of {} queries got no answer after 3 attempts: \"DoH server {} answered HTTP 502 Bad Gateway, expected 200\"); this says nothing about {owner}\n",
            v["queries"], doh.url
        );
        assert_eq!((run.code, run.stderr.as_str()), (3, stderr.as_str()), "{extra:?}");
        if extra.is_empty() {
            assert_eq!(run.stdout, "");
        } else {
            // The edge's error shape, as `geleit check --json` prints it.
            let e: serde_json::Value =
                serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
            assert_eq!(e["error"]["code"], "dns_unreachable", "{e}");
            assert_eq!(format!("geleit: {}\n", e["error"]["message"].as_str().unwrap_or_default()), stderr);
        }
        let failed = doh.failed.lock().map(|f| f.clone()).unwrap_or_default();
        assert_eq!(failed, vec![(owner.to_owned(), "TLSA".to_owned()); 3], "asked three times");
    }
    // No server at all: every query of the first round fails.
    let run = geleit(["dns", "example.com", "A", "--doh", "http://127.0.0.1:9/dns-query"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            3,
            "",
            "geleit: the DNS resolver could not be reached (6 of 6 queries got no answer after 3 attempts: \"DoH request to http://127.0.0.1:9/dns-query failed: io: Connection refused (os error 111)\"); this says nothing about example.com.\n"
        )
    );
}

/// `--record` keeps every answer once, retried or not: replaying the
/// recording gives the same check.
#[test]
fn check_records_what_it_was_answered_for_replay() {
    let dir = common::TempDir::new("record");
    let file = dir.join("two-mx.json");
    let file_arg = file.to_str().unwrap_or_default();
    let args = ["check", "two-mx.example.", "--no-probe", "--record", file_arg];
    let (first, _) = offline_failing("two-mx", doh_server::Failing::FirstAttempt, &args);
    assert_eq!((first.code, first.stderr.as_str()), (0, ""));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(doc["responses"].as_array().map(Vec::len), Some(32), "{text}");
    let rec = replay::load_path(&file);
    assert_eq!((rec.domain.as_str(), rec.responses.len()), ("two-mx.example.", 32));
    assert_eq!(rec.now, replay::load("two-mx").now);
    let url = doh_server::serve_recorded(rec.responses);
    let anchor = replay::dns_dir().join("anchor.ds");
    let at = rec.now.to_string();
    let again = geleit([
        "check",
        "two-mx.example.",
        "--no-probe",
        "--doh",
        &url,
        "--trust-anchor",
        anchor.to_str().unwrap_or_default(),
        "--at",
        &at,
    ]);
    assert_eq!((again.code, again.stdout), (0, first.stdout));
}

/// The `queries` of a `--json` check.
fn queries(json: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["queries"].as_u64().unwrap_or_else(|| panic!("no queries: {v}"))
}

#[test]
fn post_works_like_get() {
    let run = offline("two-mx", &["check", "two-mx.example.", "--no-probe", "--post"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["check", "example.com", "--ehlo-name", "bad name"],
            "geleit: expected an EHLO name of 1 to 255 letters, digits, \".\", \"-\", \":\" or \"[]\", found \"bad name\"\n",
        ),
        (&["dns", "a..b", "A"], "geleit: expected a domain name, found \"a..b\": malformed label\n"),
        (
            &["dns", "example.com", "BOGUS"],
            "geleit: expected a record type such as A, AAAA, MX or TLSA, found \"BOGUS\"\n",
        ),
        (
            &["dns", "example.com", "A", "--trust-anchor", "/nonexistent/anchor"],
            "geleit: cannot read trust anchor file /nonexistent/anchor: No such file or directory (os error 2)\n",
        ),
        (
            &["dns", "example.com", "A", "--doh", "ftp://dns.example/"],
            "geleit: expected an http or https DoH URL, found \"ftp://dns.example/\"\n",
        ),
        (
            &["dns", "example.com", "A", "--doh", "dns-query"],
            "geleit: expected an http or https DoH URL, found \"dns-query\"\n",
        ),
        (
            &["dns", "example.com", "A", "--doh", "http:///dns-query"],
            "geleit: expected a DoH URL, found \"http:///dns-query\": invalid format\n",
        ),
    ];
    for (args, stderr) in cases {
        let run = geleit(args);
        assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (2, "", stderr), "{args:?}");
    }
}

#[test]
fn terminal_escapes_in_error_lines_are_shown_escaped() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["dns", "example.com", "A", "--doh", "http://127.0.0.1:9/\u{1b}]0;pwned\u{7}"],
            // A URL that cannot be asked is an input error, quoted (escaped), not an unreachable resolver.
            "geleit: expected a DoH URL, found \"http://127.0.0.1:9/\\u{1b}]0;pwned\\u{7}\": invalid uri character\n",
        ),
        (
            &["dns", "mx\u{1b}[2J.example", "A"],
            "geleit: expected a domain name, found \"mx\\u{1b}[2J.example\": unrecognized char: \\x1b\n",
        ),
        (
            &["check", "[mx\u{202e}gpj.example]", "--no-probe"],
            "geleit: expected a domain name, found \"mx\\u{202e}gpj.example\": label contains invalid characters: err(errors)\n",
        ),
        // clap's own message: it strips escape sequences when not writing to a terminal, but nothing else.
        (
            &["dns", "example.com", "A", "--at", "a\u{1b}]0;pwned\u{7}b\r\u{202e}"],
            "error: invalid value 'ab\\x0d\\u{202e}' for '--at <UNIX_TIME>': invalid digit found in string\n\nFor more information, try '--help'.\n",
        ),
    ];
    for (args, stderr) in cases {
        let run = geleit(args);
        assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (2, "", stderr), "{args:?}");
    }
}
