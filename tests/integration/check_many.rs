//! `geleit check --from FILE` (issue 15): many domains in one run, JSON
//! Lines in input order, a summary on standard error, the worst exit code,
//! and DS/DNSKEY answers shared between the domains within their TTLs. A
//! signed world (geleit-test-support) is served by a local DoH server that
//! counts the questions it is asked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use geleit_test_support::doh::{self, Reply};
use geleit_test_support::zone::{KeyAlg, ZoneSpec, name};
use geleit_test_support::{NOW, World};
use hickory_proto::rr::RecordType;

use common::{Run, TempDir, geleit_stdin};

/// `fleet.example.`: `ready` has a `3 1 1` record at its MX host, `plain`
/// none; `unsigned.example.` is not signed.
fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let digest = geleit_test_support::world::digest("fleet");
        let fleet = ZoneSpec::signed("fleet.example.", KeyAlg::P256)
            .mx("ready", 10, "mx.ready")
            .a("mx.ready", "192.0.2.1")
            .tlsa("mx.ready", 3, 1, 1, &digest)
            .mx("plain", 10, "mx.plain")
            .a("mx.plain", "192.0.2.2");
        let unsigned = ZoneSpec::unsigned("unsigned.example.").mx("@", 10, "mx").a("mx", "192.0.2.3");
        World::build(
            vec![ZoneSpec::signed(".", KeyAlg::P256), ZoneSpec::signed("example.", KeyAlg::P256), fleet, unsigned],
            NOW,
        )
    })
}

/// A DoH server over the world counting (name, type) questions; questions
/// about `down` get HTTP 503.
struct Server {
    url: String,
    asked: Arc<Mutex<HashMap<(String, String), usize>>>,
}

impl Server {
    fn start(down: Option<&'static str>) -> Self {
        let asked = Arc::new(Mutex::new(HashMap::new()));
        let counter = Arc::clone(&asked);
        let w = world();
        let url = doh::serve_replies(move |qname, qtype, _| {
            *counter.lock().unwrap().entry((qname.to_owned(), qtype.to_owned())).or_insert(0) += 1;
            if down.is_some_and(|d| qname == d) {
                return Reply::Status(503, "Service Unavailable");
            }
            let Ok(rtype) = qtype.parse::<RecordType>() else { return Reply::Status(400, "Bad Request") };
            Reply::Answer(w.answer(&name(qname), rtype).to_wire())
        });
        Self { url, asked }
    }

    fn asked(&self, qname: &str, qtype: &str) -> usize {
        self.asked.lock().unwrap().get(&(qname.to_owned(), qtype.to_owned())).copied().unwrap_or(0)
    }
}

/// `geleit check ARGS --doh URL --trust-anchor FILE --at NOW`, with `stdin`.
fn check(server: &Server, args: &[&str], stdin: impl AsRef<[u8]>) -> Run {
    let dir = TempDir::new("check-many");
    let anchor = dir.join("anchor.ds");
    std::fs::write(&anchor, &world().anchor).unwrap();
    let at = NOW.to_string();
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend(["--doh", &server.url, "--trust-anchor", anchor.to_str().unwrap(), "--at", &at]);
    geleit_stdin(&all, stdin.as_ref())
}

fn lines(run: &Run) -> Vec<serde_json::Value> {
    run.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn json_lines_in_input_order_with_a_summary_and_the_worst_exit_code() {
    let server = Server::start(None);
    let list =
        "# our customers\nready.fleet.example\n\n   plain.fleet.example  \nbad..name\n\t# gone\nunsigned.example\n";
    let run = check(&server, &["--from", "-", "--no-probe", "--jobs", "3"], list);
    assert_eq!(run.code, 2, "a bad line is the worst: {}", run.stderr);
    assert_eq!(
        run.stderr,
        "geleit: bad..name: expected a domain name, found \"bad..name\": malformed label\n\
         geleit: 4 domains: 1 DANE-ready, 2 not DANE-ready, 0 not checked (resolver unreachable), 1 not checked (bad input or failure)\n"
    );
    let got = lines(&run);
    assert_eq!(run.stdout.lines().count(), 4, "one line per domain: {}", run.stdout);
    let domains: Vec<&str> = got.iter().map(|v| v["domain"].as_str().unwrap_or_default()).collect();
    assert_eq!(domains, ["ready.fleet.example.", "plain.fleet.example.", "bad..name", "unsigned.example."]);
    assert_eq!((got[0]["dane_ready"].as_bool(), got[1]["dane_ready"].as_bool()), (Some(true), Some(false)));
    assert_eq!(
        got[2]["error"],
        serde_json::json!({"code": "bad_domain", "message": "expected a domain name, found \"bad..name\": malformed label"})
    );
    assert_eq!(got[3]["mx_status"], "insecure");
    // Each line is the document `--json` prints for the domain alone.
    for (i, domain) in ["ready.fleet.example", "plain.fleet.example", "unsigned.example"].iter().enumerate() {
        let one = check(&server, &[domain, "--no-probe", "--json"], "");
        let alone: serde_json::Value = serde_json::from_str(&one.stdout).unwrap();
        assert_eq!(got[[0, 1, 3][i]], alone, "{domain}");
    }
}

#[test]
fn exit_codes_are_the_worst_domain_s() {
    let server = Server::start(None);
    let ready = check(&server, &["--from", "-", "--no-probe"], "ready.fleet.example\nready.fleet.example\n");
    assert_eq!(ready.code, 0, "{}", ready.stderr);
    assert_eq!(
        ready.stderr,
        "geleit: 2 domains: 2 DANE-ready, 0 not DANE-ready, 0 not checked (resolver unreachable), 0 not checked (bad input or failure)\n"
    );
    let one_bad = check(&server, &["--from", "-", "--no-probe"], "ready.fleet.example\nplain.fleet.example\n");
    assert_eq!(one_bad.code, 1, "{}", one_bad.stderr);
}

#[test]
fn an_unreachable_resolver_for_one_domain_is_its_line_and_exit_3() {
    let server = Server::start(Some("plain.fleet.example."));
    let run =
        check(&server, &["--from", "-", "--no-probe", "--jobs", "2"], "ready.fleet.example\nplain.fleet.example\n");
    assert_eq!(run.code, 3, "{}", run.stderr);
    let got = lines(&run);
    assert_eq!(got[0]["dane_ready"], true);
    assert_eq!(got[1]["domain"], "plain.fleet.example.");
    assert_eq!(got[1]["error"]["code"], "dns_unreachable");
    let message = got[1]["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("the DNS resolver could not be reached (3 of 16 queries got no answer after 3 attempts"),
        "{message}"
    );
    assert!(
        run.stderr.starts_with("geleit: plain.fleet.example: the DNS resolver could not be reached"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.ends_with(
        "geleit: 2 domains: 1 DANE-ready, 0 not DANE-ready, 1 not checked (resolver unreachable), 0 not checked (bad input or failure)\n"
    ));
}

#[test]
fn ds_and_dnskey_answers_are_shared_between_the_domains_and_change_nothing() {
    let list = "ready.fleet.example\nplain.fleet.example\n".repeat(10);
    let shared = Server::start(None);
    let with = check(&shared, &["--from", "-", "--no-probe", "--jobs", "1"], &list);
    let alone = Server::start(None);
    let without = check(&alone, &["--from", "-", "--no-probe", "--jobs", "1", "--no-share"], &list);
    assert_eq!((with.code, without.code), (1, 1));
    assert_eq!(with.stdout, without.stdout, "the same verdicts");
    for (qname, qtype) in [(".", "DNSKEY"), ("example.", "DS"), ("example.", "DNSKEY"), ("fleet.example.", "DNSKEY")] {
        assert_eq!(shared.asked(qname, qtype), 1, "{qname} {qtype} asked once for 20 domains");
        assert_eq!(alone.asked(qname, qtype), 20, "{qname} {qtype} asked by each domain");
    }
    // Per-domain questions are never shared.
    assert_eq!(shared.asked("ready.fleet.example.", "MX"), 10);
    assert_eq!(shared.asked("_25._tcp.mx.ready.fleet.example.", "TLSA"), 10);
}

#[test]
fn many_domains_as_one_monitoring_plugin_or_one_prometheus_file() {
    let server = Server::start(None);
    let list = "ready.fleet.example\nplain.fleet.example\nunsigned.example\n";
    let run = check(&server, &["--from", "-", "--no-probe", "--format", "nagios"], list);
    assert_eq!(run.code, 1, "the worst state, WARNING: {}", run.stdout);
    assert_eq!(
        run.stdout,
        "DANE WARNING - 3 domains: 1 OK, 2 WARNING, 0 CRITICAL, 0 UNKNOWN (plain.fleet.example, unsigned.example)|domains=3 domains_ok=1 domains_warning=2 domains_critical=0 domains_unknown=0
DANE OK - ready.fleet.example: every MX host is DANE-ready; 1 of 1 MX hosts DANE-ready
DANE WARNING - plain.fleet.example: not DANE-ready; 0 of 1 MX hosts DANE-ready; mx.plain.fleet.example: DNSSEC proves there are no TLSA records
DANE WARNING - unsigned.example: not DANE-ready; 0 of 1 MX hosts DANE-ready; the MX records are not DNSSEC-signed (insecure: unsigned.example. is delegated without a DS record (proven by example.) (chain of trust ends at unsigned.example.))
"
    );
    let run = check(&server, &["--from", "-", "--no-probe", "--format", "prometheus"], list);
    assert_eq!((run.code, run.stderr.lines().count()), (0, 1), "{}", run.stderr);
    assert_eq!(run.stdout.matches("# TYPE geleit_check_state gauge\n").count(), 1, "one family: {}", run.stdout);
    for series in [
        "geleit_check_state{domain=\"ready.fleet.example\"} 0\n",
        "geleit_check_state{domain=\"plain.fleet.example\"} 1\n",
        "geleit_dane_domain_authenticated{domain=\"ready.fleet.example\"} 1\n",
        "geleit_dane_host_required{domain=\"ready.fleet.example\",host=\"mx.ready.fleet.example\"} 1\n",
        "geleit_tlsa_usable_records{domain=\"plain.fleet.example\",host=\"mx.plain.fleet.example\"} 0\n",
    ] {
        assert!(run.stdout.contains(series), "{series}: {}", run.stdout);
    }
    assert!(!run.stdout.contains("geleit_dane_authenticated{"), "no address series without probes");
}

#[test]
fn a_list_that_cannot_be_read_is_exit_2() {
    let server = Server::start(None);
    let run = check(&server, &["--from", "-"], "# nothing here\n\n");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (2, "", "geleit: standard input: expected at least one domain (one a line), found none\n")
    );
    let dir = TempDir::new("check-many");
    let missing = dir.join("domains.txt");
    let run = check(&server, &["--from", missing.to_str().unwrap()], "");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.clone()),
        (2, "", format!("geleit: reading {}: No such file or directory (os error 2)\n", missing.display()))
    );
    let run = check(&server, &["--from", "-"], b"ready.fleet.example\n\xff\n");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (2, "", "geleit: standard input: expected UTF-8 text, one domain a line, found other bytes\n")
    );
    let run = check(&server, &["ready.fleet.example", "--from", "-"], "");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    let run = check(&server, &["--from", "-", "--jobs", "0"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--jobs"), "{}", run.stderr);
}

#[test]
fn terminal_controls_in_a_list_stay_escaped_json() {
    let server = Server::start(None);
    let hostile = "bad\u{9b}2J..\u{202e}name";
    let run = check(&server, &["--from", "-", "--no-probe"], format!("{hostile}\n"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_no_terminal_controls("stdout", &run.stdout);
    common::assert_no_terminal_controls("stderr", &run.stderr);
    let line: serde_json::Value =
        serde_json::from_str(run.stdout.trim_end()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(line["domain"], hostile, "the same text, escaped as JSON");
    assert!(run.stdout.contains("\\u009b") && run.stdout.contains("\\u202e"), "{}", run.stdout);
}
