//! The edge worker (`edge/`, wasm32) running on workerd inside the lab: its
//! `/api/probe` against the lab's Postfix listeners with
//! `openssl s_client -starttls smtp -showcerts` as the oracle, its SSRF
//! refusals, its budgets against silent and chatty listeners, its rate
//! limit, and the `/dns-query` proxy against the lab's DoH resolver.
//!
//! Needs `edge/build.sh` first (scripts/test.sh runs it), then inside the
//! lab: `tests/lab/in cargo test -p geleit-cli --features lab --test edge_lab`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/lab.rs"]
mod lab;

use std::collections::BTreeSet;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A workerd serving the edge (lab variant), killed on drop.
struct Edge {
    child: Child,
    base: String,
}

impl Edge {
    /// Starts `edge/run.sh --lab --no-build` with these extra settings.
    fn start(vars: &[(&str, &str)]) -> Self {
        let build = repo().join("edge/build/worker.mjs");
        assert!(build.exists(), "expected the edge build at {} (run edge/build.sh)", build.display());
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let mut command = Command::new(repo().join("edge/run.sh"));
        command
            .args(["--lab", "--no-build", "--listen", &listen])
            // No rate limit unless a test asks for one.
            .env("GELEIT_PROBE_RATE", "10000/1")
            .env("GELEIT_TARGET_RATE", "10000/1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in vars {
            command.env(k, v);
        }
        let child = command.spawn().unwrap();
        let edge = Self { child, base: format!("http://{listen}") };
        let started = Instant::now();
        while TcpStream::connect(&listen).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "workerd did not listen on {listen}");
            std::thread::sleep(Duration::from_millis(50));
        }
        edge
    }

    /// `curl` the edge: (status, headers lower-cased, body).
    fn request(&self, args: &[&str], path: &str) -> (u16, String, Vec<u8>) {
        let dir = std::env::temp_dir();
        let headers = dir.join(format!("geleit-edge-headers-{}-{:?}", std::process::id(), std::thread::current().id()));
        let out = Command::new("curl")
            .args(["-s", "--max-time", "60", "-D"])
            .arg(&headers)
            .args(args)
            .arg(format!("{}{path}", self.base))
            .output()
            .unwrap();
        let head = std::fs::read_to_string(&headers).unwrap_or_default();
        let _ = std::fs::remove_file(&headers);
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status for {path}: {head:?}"));
        (status, head.to_ascii_lowercase(), out.stdout)
    }

    fn get_json(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.request(&[], path);
        let json =
            serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&body)));
        (status, json)
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        // run.sh execs workerd, so this is workerd's pid.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ECDSA_SIGALGS: &str = "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512";
const RSA_SIGALGS: &str =
    "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:RSA+SHA256:RSA+SHA384:RSA+SHA512";

/// The DNS status the catalogue gives for a host's address records.
fn address_status(scenario: &lab::Scenario, host: &lab::Host) -> String {
    scenario
        .dns
        .iter()
        .find(|d| d.name == host.name && (d.rtype == "A" || d.rtype == "AAAA"))
        .map(|d| d.status.clone())
        .unwrap_or_else(|| "secure".to_owned())
}

#[test]
fn chains_equal_openssl_s_client_for_every_scenario_address() {
    let edge = Edge::start(&[]);
    let catalogue = lab::catalogue();
    let (mut compared, mut hosts) = (0, 0);
    for scenario in &catalogue.scenarios {
        for host in &scenario.hosts {
            let name = host.name.trim_end_matches('.');
            let (status, report) = edge.get_json(&format!("/api/probe?host={name}"));
            if host.a.is_empty() && host.aaaa.is_empty() {
                assert_eq!(status, 422, "{name}: {report}");
                assert_eq!(report["error"]["code"], "host_not_found", "{name}");
                continue;
            }
            if address_status(scenario, host) == "bogus" {
                // The validating resolver refuses bogus data: nothing to probe.
                assert_eq!(status, 502, "{name}: {report}");
                assert_eq!(report["error"]["code"], "resolution_failed", "{name}");
                continue;
            }
            assert_eq!(status, 200, "{name}: {report}");
            hosts += 1;
            let want: BTreeSet<&str> = host.addresses().collect();
            let got: BTreeSet<&str> =
                report["addresses"].as_array().unwrap().iter().map(|a| a["address"].as_str().unwrap()).collect();
            assert_eq!(got, want, "{name}: addresses");
            for address in report["addresses"].as_array().unwrap() {
                let ip = address["address"].as_str().unwrap();
                assert_eq!(address["refused"], Value::Null, "{name} {ip}");
                let probes = address["probes"].as_array().unwrap();
                let families: Vec<&str> = probes.iter().map(|p| p["signature_family"].as_str().unwrap()).collect();
                assert_eq!(families, ["ecdsa", "rsa"], "{name} {ip}");
                for probe in probes {
                    let family = probe["signature_family"].as_str().unwrap();
                    let sigalgs = if family == "ecdsa" { ECDSA_SIGALGS } else { RSA_SIGALGS };
                    let what = format!("{name} {ip} {family}");
                    let r = &probe["report"];
                    let expected = lab::openssl_chain(ip, Some(name), sigalgs);
                    if !host.tls.starttls {
                        assert_eq!(r["error"]["kind"], "starttls_not_offered", "{what}");
                        assert_eq!(expected, None, "{what}: openssl found a chain");
                        continue;
                    }
                    let got: Option<Vec<String>> = r["tls"]["chain"]
                        .as_array()
                        .map(|chain| chain.iter().map(|c| c["der_base64"].as_str().unwrap().to_owned()).collect());
                    assert_eq!(got.is_some() && r["starttls"] == true, expected.is_some(), "{what}: {r}");
                    assert_eq!(got, expected, "{what}: chain differs from openssl s_client");
                    compared += got.map_or(0, |c| c.len());
                }
            }
        }
    }
    assert!(hosts >= 25, "expected the lab's scenario hosts, probed {hosts}");
    assert!(compared >= 25, "expected to compare the chains of every address, compared {compared} certificates");
}

#[test]
fn dual_chain_hosts_show_both_chains() {
    let edge = Edge::start(&[]);
    let (status, head, _) = edge.request(&[], "/api/probe?host=mx.dual-ec-pinned.example");
    assert_eq!(status, 200);
    assert!(head.contains("\ncontent-type: application/json"), "{head}");
    assert!(head.contains("\ncache-control: no-store"), "{head}");
    for name in ["mx.dual-ec-pinned.example", "mx.dual-rsa-pinned.example"] {
        let (status, report) = edge.get_json(&format!("/api/probe?host={name}"));
        assert_eq!(status, 200, "{report}");
        let leaves: BTreeSet<&str> = report["addresses"][0]["probes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["report"]["tls"]["chain"][0]["sha256"].as_str().unwrap())
            .collect();
        assert_eq!(leaves.len(), 2, "{name}: expected two different leaves, found {leaves:?}");
    }
}

#[test]
fn ssrf_refusals_are_clear_errors() {
    // No extra ranges: the lab's loopback addresses are not public.
    let edge = Edge::start(&[("GELEIT_ALLOW_RANGES", "")]);
    let cases: &[(&str, u16, &str, &str)] = &[
        (
            "/api/probe?host=127.0.1.1",
            400,
            "literal_address",
            "expected a host name, found the IP address \"127.0.1.1\"",
        ),
        ("/api/probe?host=%5B::1%5D", 400, "literal_address", "expected a host name, found the IP address \"[::1]\""),
        (
            "/api/probe?host=10.0.0.25&port=587",
            400,
            "literal_address",
            "expected a host name, found the IP address \"10.0.0.25\"",
        ),
        ("/api/probe?host=mx.ee-spki.example&port=22", 400, "bad_port", "expected port 25, 465 or 587, found \"22\""),
        ("/api/probe?host=mx.ee-spki.example&port=443", 400, "bad_port", "expected port 25, 465 or 587, found \"443\""),
        (
            "/api/probe?host=mx.ee-spki.example",
            403,
            "target_refused",
            "refused: expected a public unicast address, found 127.0.1.1 in 127.0.0.0/8 (loopback, RFC 1122)",
        ),
        (
            "/api/probe?host=mx.dual-stack.example",
            403,
            "target_refused",
            "refused: expected a public unicast address, found 127.0.1.18 in 127.0.0.0/8 (loopback, RFC 1122)",
        ),
        // The validated form: every given address after the same policy.
        (
            "/api/probe?host=mx.ee-spki.example&sni=mx.ee-spki.example&addr=10.0.0.1",
            403,
            "target_refused",
            "refused: expected a public unicast address, found 10.0.0.1 in 10.0.0.0/8 (private, RFC 1918)",
        ),
        (
            "/api/probe?host=mx.ee-spki.example&addr=169.254.1.1&addr=127.0.1.1",
            403,
            "target_refused",
            "refused: expected a public unicast address, found 169.254.1.1 in 169.254.0.0/16 (link-local, RFC 3927)",
        ),
        (
            "/api/probe?host=mx.ee-spki.example&addr=%3A%3A1",
            403,
            "target_refused",
            "refused: expected a public unicast address, found ::1 in ::1/128 (loopback, RFC 4291)",
        ),
        (
            "/api/probe?host=mx.ee-spki.example&addr=mx.example",
            400,
            "bad_address",
            "expected up to 16 IP addresses in \"addr\", found \"mx.example\"",
        ),
        (
            "/api/probe?host=mx.ee-spki.example&addr=8.8.8.8&port=2525",
            400,
            "bad_port",
            "expected port 25, 465 or 587, found \"2525\"",
        ),
        ("/api/probe", 400, "missing_parameter", "expected a query parameter \"host\", found none"),
        (
            "/elsewhere",
            404,
            "not_found",
            "expected /api/check, /api/probe, /api/sts-policy or /dns-query, found another path",
        ),
    ];
    for &(path, status, code, message) in cases {
        let (got, body) = edge.get_json(path);
        assert_eq!(
            (got, &body["error"]["code"], &body["error"]["message"]),
            (status, &Value::from(code), &Value::from(message)),
            "{path}"
        );
    }
    let (status, _, body) = edge.request(&["-X", "DELETE"], "/api/probe?host=mx.ee-spki.example");
    assert_eq!(status, 405, "{}", String::from_utf8_lossy(&body));
}

/// The validated form (what `geleit check --edge` sends): the edge probes
/// exactly the given addresses, resolves nothing, and reports under the
/// given host name.
#[test]
fn validated_requests_probe_exactly_the_given_addresses() {
    let edge = Edge::start(&[]);
    // No such name in the lab's DNS: nothing is looked up.
    let (status, report) =
        edge.get_json("/api/probe?host=not-in-dns.example&sni=mx.ee-spki.example&addr=127.0.1.1&port=25");
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["host"], "not-in-dns.example");
    let addresses: Vec<&Value> = report["addresses"].as_array().unwrap().iter().map(|a| &a["address"]).collect();
    assert_eq!(addresses, [&Value::from("127.0.1.1")]);
    let probes = report["addresses"][0]["probes"].as_array().unwrap();
    assert_eq!(probes.len(), 2, "{report}");
    assert!(probes[0]["report"]["tls"]["chain"].as_array().is_some_and(|c| !c.is_empty()), "{report}");
    // The same address as the name form finds, and the same chain.
    let (status, by_name) = edge.get_json("/api/probe?host=mx.ee-spki.example");
    assert_eq!(status, 200, "{by_name}");
    assert_eq!(by_name["addresses"][0]["address"], "127.0.1.1");
    assert_eq!(by_name["addresses"][0]["probes"][0]["report"]["tls"]["chain"], probes[0]["report"]["tls"]["chain"]);
}

/// A listener on a lab address that accepts and then does what `serve`
/// says, for every connection, until dropped.
fn listener(address: &str, serve: fn(TcpStream)) -> TcpListener {
    let listener = TcpListener::bind(address).unwrap();
    let clone = listener.try_clone().unwrap();
    std::thread::spawn(move || {
        for stream in clone.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    listener
}

#[test]
fn silent_listener_ends_in_a_step_timeout() {
    // mx.ee-cert.example is 127.0.1.2; Postfix listens on 25 only.
    let _silent = listener("127.0.1.2:587", |mut s| {
        let mut buf = [0u8; 64];
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    });
    let edge = Edge::start(&[("GELEIT_STEP_TIMEOUT_MS", "700")]);
    let (status, report) = edge.get_json("/api/probe?host=mx.ee-cert.example&port=587");
    assert_eq!(status, 200, "{report}");
    for probe in report["addresses"][0]["probes"].as_array().unwrap() {
        let error = &probe["report"]["error"];
        assert_eq!(error["step"], "greeting", "{probe}");
        assert_eq!(error["kind"], "timeout", "{probe}");
        assert_eq!(error["message"], "expected the greeting step to finish within 700 ms, found no answer in time");
    }
}

#[test]
fn request_time_budget_ends_every_probe() {
    let _silent = listener("127.0.1.3:587", |mut s| {
        let mut buf = [0u8; 64];
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    });
    // The request may take 600 ms in all; each step alone could take 30 s.
    let edge = Edge::start(&[("GELEIT_STEP_TIMEOUT_MS", "30000"), ("GELEIT_REQUEST_BUDGET_MS", "600")]);
    let (status, report) = edge.get_json("/api/probe?host=mx.ta-spki.example&port=587");
    assert_eq!(status, 200, "{report}");
    for probe in report["addresses"][0]["probes"].as_array().unwrap() {
        let error = &probe["report"]["error"];
        assert_eq!(error["kind"], "io", "{probe}");
        assert_eq!(
            error["message"],
            "connection error during greeting: expected the request to finish within 600 ms, found its time budget spent"
        );
    }
}

#[test]
fn byte_budget_stops_an_endless_reply() {
    // A greeting that never ends: long "220-" continuation lines forever
    // (the core's own reply limit, 16 KiB, is far above the budget here).
    let _chatty = listener("127.0.1.4:587", |mut s| {
        let mut line = b"220-".to_vec();
        line.resize(900, b'x');
        line.extend_from_slice(b"\r\n");
        while s.write_all(&line).is_ok() {}
    });
    let edge = Edge::start(&[("GELEIT_MAX_BYTES", "4096")]);
    let (status, report) = edge.get_json("/api/probe?host=mx.ta-omitted.example&port=587");
    assert_eq!(status, 200, "{report}");
    let probes = report["addresses"][0]["probes"].as_array().unwrap();
    let messages: Vec<&str> = probes.iter().map(|p| p["report"]["error"]["message"].as_str().unwrap_or("")).collect();
    // The two probes share one budget, and both end on it.
    assert_eq!(
        messages,
        ["connection error during greeting: expected at most 4096 octets from mail servers per request, found more"; 2]
    );
}

#[test]
fn rate_limit_per_client() {
    let edge = Edge::start(&[("GELEIT_PROBE_RATE", "2/3600")]);
    for _ in 0..2 {
        let (status, report) = edge.get_json("/api/probe?host=mx.ee-spki.example");
        assert_eq!(status, 200, "{report}");
    }
    let (status, head, body) = edge.request(&[], "/api/probe?host=mx.ee-spki.example");
    assert_eq!(status, 429, "{}", String::from_utf8_lossy(&body));
    assert!(head.contains("\nretry-after: 1800"), "{head}");
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["error"]["message"], "too many probes: try again in 1800 s");
}

/// A DNS query for `name` A with this ID, recursion desired.
fn query(id: u16, name: &str) -> Vec<u8> {
    let mut q = id.to_be_bytes().to_vec();
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        q.push(u8::try_from(label.len()).unwrap());
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    q
}

fn base64url(bytes: &[u8]) -> String {
    data_encoding::BASE64URL_NOPAD.encode(bytes)
}

/// Checks a DoH answer: our ID, a response with NOERROR, one answer or more,
/// and the A record's address somewhere in it.
fn check_answer(answer: &[u8], id: u16, address: [u8; 4]) {
    assert!(answer.len() > 12, "{answer:?}");
    assert_eq!(u16::from_be_bytes([answer[0], answer[1]]), id);
    assert_eq!(answer[2] & 0x80, 0x80, "QR bit");
    assert_eq!(answer[3] & 0x0f, 0, "RCODE");
    assert!(u16::from_be_bytes([answer[6], answer[7]]) >= 1, "ANCOUNT");
    assert!(answer.windows(4).any(|w| w == address), "{answer:?}");
}

fn write_file(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn doh_proxy_get_post_and_preflight() {
    let edge = Edge::start(&[]);
    let origin = ["-H", "Origin: https://app.example"];

    let q = query(0x4242, "mx.ee-spki.example");
    let (status, head, body) = edge.request(&origin, &format!("/dns-query?dns={}", base64url(&q)));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(head.contains("\ncontent-type: application/dns-message"), "{head}");
    assert!(head.contains("\naccess-control-allow-origin: *"), "{head}");
    assert!(head.contains("\ncache-control: max-age="), "{head}");
    check_answer(&body, 0x4242, [127, 0, 1, 1]);

    let file = std::env::temp_dir().join(format!("geleit-edge-doh-{}", std::process::id()));
    let q = query(0x0707, "mx.ee-cert.example");
    write_file(&file, &q);
    let data = format!("@{}", file.display());
    let (status, _, body) =
        edge.request(&["-H", "Content-Type: application/dns-message", "--data-binary", &data], "/dns-query");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    check_answer(&body, 0x0707, [127, 0, 1, 2]);

    let (status, _, body) = edge.request(&["-H", "Content-Type: text/plain", "--data-binary", &data], "/dns-query");
    let _ = std::fs::remove_file(&file);
    assert_eq!(status, 415, "{}", String::from_utf8_lossy(&body));

    let (status, head, _) = edge.request(
        &[
            "-X",
            "OPTIONS",
            "-H",
            "Origin: https://app.example",
            "-H",
            "Access-Control-Request-Method: POST",
            "-H",
            "Access-Control-Request-Headers: content-type",
        ],
        "/dns-query",
    );
    assert_eq!(status, 204);
    for header in [
        "\naccess-control-allow-origin: *",
        "\naccess-control-allow-methods: get, post, options",
        "\naccess-control-allow-headers: content-type, accept",
    ] {
        assert!(head.contains(header), "{header}: {head}");
    }

    let (status, json) = edge.get_json("/dns-query?dns=AAAA");
    assert_eq!(status, 400);
    assert_eq!(json["error"]["code"], "bad_dns_query");
}

#[test]
fn cors_origins_are_configurable() {
    let edge = Edge::start(&[("GELEIT_CORS_ORIGINS", "https://app.example")]);
    let q = base64url(&query(1, "mx.ee-spki.example"));
    let path = format!("/dns-query?dns={q}");
    let (status, head, _) = edge.request(&["-H", "Origin: https://app.example"], &path);
    assert_eq!(status, 200);
    assert!(head.contains("\naccess-control-allow-origin: https://app.example"), "{head}");
    let (status, head, _) = edge.request(&["-H", "Origin: https://evil.example"], &path);
    assert_eq!(status, 200);
    assert!(!head.contains("access-control-allow-origin"), "{head}");
}

/// Plays a mail server up to the 220 to STARTTLS.
fn smtp_until_starttls(s: &mut TcpStream) {
    fn read_line(s: &mut TcpStream) {
        let mut byte = [0u8; 1];
        while matches!(s.read(&mut byte), Ok(1)) && byte[0] != b'\n' {}
    }
    let _ = s.write_all(b"220 fake.example ESMTP\r\n");
    read_line(s);
    let _ = s.write_all(b"250-fake.example\r\n250 STARTTLS\r\n");
    read_line(s);
    let _ = s.write_all(b"220 go ahead\r\n");
}

/// Probes `host` on port 587 (where `serve` listens) and returns each
/// family's error (step, kind, message).
fn hostile(address: &str, host: &str, serve: fn(TcpStream)) -> Vec<(String, String, String)> {
    let _listener = listener(address, serve);
    let edge = Edge::start(&[("GELEIT_STEP_TIMEOUT_MS", "3000")]);
    let (status, report) = edge.get_json(&format!("/api/probe?host={host}&port=587"));
    assert_eq!(status, 200, "{report}");
    report["addresses"][0]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let e = &p["report"]["error"];
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (text(&e["step"]), text(&e["kind"]), text(&e["message"]))
        })
        .collect()
}

#[test]
fn garbage_instead_of_tls_is_a_tls_error() {
    let errors = hostile("127.0.1.5:587", "mx.ta-fullkey.example", |mut s| {
        smtp_until_starttls(&mut s);
        let _ = s.write_all(&[b'x'; 600]);
        let mut buf = [0u8; 512];
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    });
    assert_eq!(errors.len(), 2);
    for (step, kind, message) in errors {
        assert_eq!((step.as_str(), kind.as_str()), ("tls_handshake", "tls"), "{message}");
        assert!(message.starts_with("tls handshake failed: "), "{message}");
    }
}

#[test]
fn close_mid_handshake_is_a_tls_error() {
    let errors = hostile("127.0.1.6:587", "mx.ee-stale.example", |mut s| {
        smtp_until_starttls(&mut s);
        // Read the ClientHello, then hang up.
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf);
    });
    assert_eq!(errors.len(), 2);
    for (step, kind, message) in errors {
        assert_eq!((step.as_str(), kind.as_str()), ("tls_handshake", "tls"), "{message}");
    }
}

/// A DoH upstream that answers its first request (every question gets
/// 192.0.2.99, TTL 60) and fails every later one with 500.
fn answer_once_upstream() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/dns-query", listener.local_addr().unwrap());
    let clone = listener.try_clone().unwrap();
    std::thread::spawn(move || {
        for (n, stream) in clone.incoming().flatten().enumerate() {
            let mut s = stream;
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && matches!(s.read(&mut byte), Ok(1)) {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let query = head
                .split_whitespace()
                .nth(1)
                .and_then(|target| target.split_once("?dns="))
                .and_then(|(_, q)| data_encoding::BASE64URL_NOPAD.decode(q.as_bytes()).ok());
            let response = match query {
                Some(mut wire) if n == 0 => {
                    wire[2] |= 0x80; // QR: a response
                    wire[7] = 1; // ANCOUNT 1
                    wire.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 99]);
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/dns-message\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n",
                        wire.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(&wire);
                    r
                }
                _ => b"HTTP/1.1 500 Nope\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
            };
            let _ = s.write_all(&response);
        }
    });
    (listener, url)
}

#[test]
fn doh_answers_are_cached_for_their_ttl() {
    let (_upstream, url) = answer_once_upstream();
    let edge = Edge::start(&[("GELEIT_DOH_UPSTREAM", url.as_str())]);
    // The first asks the upstream; the second (another client ID, same
    // question) comes from the edge's cache, the upstream would fail it.
    for id in [0x1111, 0x2222] {
        let q = base64url(&query(id, "cached.example"));
        let (status, head, body) = edge.request(&[], &format!("/dns-query?dns={q}"));
        assert_eq!(status, 200, "{id:#x}: {}", String::from_utf8_lossy(&body));
        assert!(head.contains("\ncache-control: max-age="), "{head}");
        check_answer(&body, id, [192, 0, 2, 99]);
    }
    // Another question goes upstream, which now fails.
    let q = base64url(&query(0x3333, "other.example"));
    let (status, json) = edge.get_json(&format!("/dns-query?dns={q}"));
    assert_eq!(status, 502);
    assert_eq!(json["error"]["code"], "upstream_failed");
}

#[test]
fn implicit_tls_on_port_465() {
    // mx.ee-spki.example (127.0.1.1) has an ECDSA chain; Postfix listens on
    // 25 only. On 465, openssl s_server speaks TLS from the first byte and
    // then sends the SMTP replies piped into it (RFC 8314 §3.3).
    let live = lab::live();
    let chain = live.hosts["mx.ee-spki.example."].chain_files[0].clone();
    let mut server = Command::new("openssl")
        .args(["s_server", "-quiet", "-naccept", "2", "-accept", "127.0.1.1:465"])
        .args(["-cert", &chain, "-key", &chain])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let out = Command::new("ss").args(["-ltnH", "sport = :465"]).output().unwrap();
        if String::from_utf8_lossy(&out.stdout).contains("127.0.1.1:465") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "s_server did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stdin = server.stdin.take().unwrap();
    stdin.write_all(b"220 mx.ee-spki.example ESMTP\r\n250 mx.ee-spki.example\r\n221 bye\r\n").unwrap();
    // One probe at a time: the ECDSA one comes first and gets the replies.
    let edge = Edge::start(&[("GELEIT_MAX_PARALLEL", "1"), ("GELEIT_STEP_TIMEOUT_MS", "3000")]);
    let (status, report) = edge.get_json("/api/probe?host=mx.ee-spki.example&port=465");
    drop(stdin);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["mode"], "implicit_tls");
    let probes = report["addresses"][0]["probes"].as_array().unwrap();
    let ecdsa = &probes[0]["report"];
    assert_eq!(ecdsa["starttls"], true, "{ecdsa}");
    assert_eq!(ecdsa["banner"][0], "mx.ee-spki.example ESMTP");
    let steps: Vec<&str> = ecdsa["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["connect", "tls_handshake", "greeting", "ehlo_tls", "quit"]);
    // The chain is the one Postfix serves on 25.
    let expected = lab::openssl_chain("127.0.1.1", Some("mx.ee-spki.example"), ECDSA_SIGALGS).unwrap();
    let got: Vec<String> = ecdsa["tls"]["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["der_base64"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, expected);
    // No RSA chain: that handshake fails.
    assert_eq!(probes[1]["report"]["error"]["step"], "tls_handshake");
}

#[test]
fn rate_limit_per_target_address_across_names() {
    // mx.cname-mx-expanded.example is a CNAME for
    // cname-mx-expanded.hosting.example: two names, one address.
    let edge = Edge::start(&[("GELEIT_TARGET_RATE", "1/3600")]);
    let (status, report) = edge.get_json("/api/probe?host=mx.cname-mx-expanded.example");
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["addresses"][0]["address"], "127.0.1.19");
    let (status, json) = edge.get_json("/api/probe?host=cname-mx-expanded.hosting.example");
    assert_eq!(status, 429, "{json}");
    assert_eq!(json["error"]["message"], "too many probes: try again in 3600 s");
}

/// `geleit check DOMAIN` inside the lab, natively or through `edge`: (stdout, exit code).
fn geleit_check(domain: &str, edge: Option<&str>) -> (String, i32) {
    let env = lab::env();
    let mut command = Command::new(env!("CARGO_BIN_EXE_geleit"));
    command
        .args(["check", domain, "--timeout-ms", "5000"])
        .env("GELEIT_DOH", &env.doh)
        .env("GELEIT_TRUST_ANCHOR", &env.trust_anchor)
        .env_remove("GELEIT_EDGE");
    if let Some(url) = edge {
        command.args(["--edge", url]);
    }
    let out = command.output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

/// The full verdict does not depend on who probes: for every lab domain,
/// `geleit check --edge` (probes by the worker on workerd, TLS in wasm) prints
/// exactly what `geleit check` with native probes prints, and exits the same.
/// With the native verdicts checked against posttls-finger in `check_lab`, the
/// edge path agrees with Postfix too.
#[test]
fn check_through_the_edge_equals_the_native_check_for_every_domain() {
    let edge = Edge::start(&[]);
    let catalogue = lab::catalogue();
    let mut differences = Vec::new();
    for scenario in &catalogue.scenarios {
        let native = geleit_check(&scenario.domain, None);
        let through_edge = geleit_check(&scenario.domain, Some(&edge.base));
        if native != through_edge {
            differences.push(format!(
                "{}: native (exit {}):\n{}\nthrough the edge (exit {}):\n{}",
                scenario.name, native.1, native.0, through_edge.1, through_edge.0
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
}

/// `geleit check ARGS --json` inside the lab, natively: (stdout, exit code).
fn geleit_check_json(domain: &str) -> (String, i32) {
    let env = lab::env();
    // The edge's lab settings for the MTA-STS fetch: the lab's CA trusted
    // (edge/workerd-lab.capnp), loopback allowed (GELEIT_ALLOW_RANGES).
    let ca = lab::lab_dir().join("run/sts/ca.pem");
    let out = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(["check", domain, "--json", "--timeout-ms", "5000"])
        .args(["--sts-ca", ca.to_str().unwrap(), "--sts-allow-range", "127.0.0.0/8"])
        .env("GELEIT_DOH", &env.doh)
        .env("GELEIT_TRUST_ANCHOR", &env.trust_anchor)
        .env_remove("GELEIT_EDGE")
        .output()
        .unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

/// A domain for a URL query (RFC 3986 §2.1: everything but unreserved
/// characters percent-encoded, so U-labels arrive as UTF-8).
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The validation time in DANE-TA detail texts ("checked at <unix
/// seconds>") masked: two runs a moment apart may straddle a second.
fn mask_now(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(mask_now),
        Value::Object(map) => map.values_mut().for_each(mask_now),
        Value::String(text) => {
            if let Some(at) = text.find("checked at ") {
                let start = at + "checked at ".len();
                let digits = text[start..].bytes().take_while(u8::is_ascii_digit).count();
                text.replace_range(start..start + digits, "NOW");
            }
        }
        _ => {}
    }
}

/// The one thing the platform cannot say: workerd's fetch reports a failed
/// certificate like any failed connection, so where the edge says `tls`
/// the CLI may say `certificate` (same finding, same tone); the CLI's
/// failure is replaced by the edge's then, and only then.
fn mask_platform_tls_failure(native: &mut Value, edge: &Value) {
    let (Some(ours), Some(theirs)) =
        (native["mail_policy"]["findings"].as_array_mut(), edge["mail_policy"]["findings"].as_array())
    else {
        return;
    };
    for (a, b) in ours.iter_mut().zip(theirs) {
        let kinds = (a["failure"]["kind"].as_str(), b["failure"]["kind"].as_str());
        if a["code"] == "sts_fetch_failed" && b["code"] == a["code"] && kinds == (Some("certificate"), Some("tls")) {
            a["failure"] = b["failure"].clone();
            a["message"] = b["message"].clone();
        }
    }
}

/// The RRset orders a verdict shows: per host its TLSA records and addresses
/// as the resolver listed them.
fn rrset_orders(verdict: &Value) -> Vec<String> {
    verdict["hosts"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|h| {
            let addresses: Vec<&Value> =
                h["addresses"].as_array().into_iter().flatten().map(|a| &a["address"]).collect();
            [h["tlsa"].to_string(), serde_json::to_string(&addresses).unwrap()]
        })
        .collect()
}

/// `GET /api/check` computes at the edge the verdict `geleit check --json`
/// computes natively, for every lab domain plus one host named directly and
/// one IDN: the same JSON text. Two things may legitimately differ and are
/// allowed for: the validation time in DANE-TA detail texts ("checked at
/// <unix seconds>", masked when the runs straddle a second), and the order
/// of an RRset's records, which the lab's resolver rotates between answers
/// (an RRset has no order, RFC 2181 §5; TLSA and address lists, and the
/// texts that list them, follow it): when the two runs saw different orders,
/// both run again, up to 12 times, until they saw the same. Nothing else is
/// ignored: the verdict has no timing fields, `rounds` and `queries` count
/// the same engine's work, and probe errors are the core's words. The body
/// also reads back into the typed `DomainVerdict`.
#[test]
fn api_check_equals_geleit_check_json_for_every_domain() {
    let edge = Edge::start(&[]);
    let catalogue = lab::catalogue();
    let mut domains: Vec<String> =
        catalogue.scenarios.iter().map(|s| s.domain.trim_end_matches('.').to_owned()).collect();
    domains.push("[mx1.two-mx.example]".to_owned());
    domains.push("bücher.example".to_owned());
    let (mut differences, mut identical, mut reruns) = (Vec::new(), 0, 0);
    for domain in &domains {
        for attempt in 1..=12 {
            let (native, code) = geleit_check_json(domain);
            let (status, head, body) = edge.request(&[], &format!("/api/check?domain={}", query_value(domain)));
            let body = String::from_utf8_lossy(&body).into_owned();
            assert_eq!(status, 200, "{domain}: {body}");
            assert!(head.contains("\ncontent-type: application/json"), "{domain}: {head}");
            assert!(head.contains("\ncache-control: no-store"), "{domain}: {head}");
            assert!(code == 0 || code == 1, "{domain}: geleit check exited {code}");
            let verdict: geleit::verdict::DomainVerdict =
                serde_json::from_str(&body).unwrap_or_else(|e| panic!("{domain}: {e}: {body}"));
            assert_eq!(verdict.authenticated, code == 0, "{domain}");
            if body == native {
                identical += 1;
                break;
            }
            let (mut a, mut b): (Value, Value) =
                (serde_json::from_str(&native).unwrap(), serde_json::from_str(&body).unwrap());
            if rrset_orders(&a) != rrset_orders(&b) && attempt < 12 {
                reruns += 1;
                continue;
            }
            mask_now(&mut a);
            mask_now(&mut b);
            mask_platform_tls_failure(&mut a, &b);
            if a != b {
                differences.push(format!("{domain}:\n--- geleit check --json\n{native}\n--- /api/check\n{body}"));
            }
            break;
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
    eprintln!(
        "/api/check: {identical} of {} verdicts byte for byte as geleit check --json ({reruns} reruns for RRset order)",
        domains.len()
    );
}

/// `/api/check` fetches the MTA-STS policy as `geleit check` does: for every
/// lab scenario with a `mail_policy`, the catalogue's findings, among them a
/// redirect, a policy past 64 KiB (by its length and, chunked, by the bytes
/// read), a policy host that sends 16 bytes a second (within the request's
/// budget) and a certificate from an untrusted CA; the DANE verdict is the
/// one without the policy.
#[test]
fn api_check_fetches_the_mta_sts_policy_through_its_limits() {
    let edge = Edge::start(&[]);
    for s in lab::catalogue().scenarios.iter().filter(|s| s.mail_policy.is_some()) {
        let mp = s.mail_policy.as_ref().unwrap();
        let started = Instant::now();
        let (status, v) = edge.get_json(&format!("/api/check?domain={}", s.domain.trim_end_matches('.')));
        assert_eq!(status, 200, "{}: {v}", s.name);
        assert!(started.elapsed() < Duration::from_secs(30), "{}: within the budget", s.name);
        let findings = v["mail_policy"]["findings"].as_array().unwrap_or_else(|| panic!("{}: {v}", s.name));
        let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap_or_default()).collect();
        for want in &mp.expect {
            // The id seen before is the CLI's option; the edge keeps no state.
            if want != "sts_id_changed" {
                assert!(codes.contains(&want.as_str()), "{}: expected {want} in {codes:?}", s.name);
            }
        }
        let failure = findings.iter().find(|f| f["code"] == "sts_fetch_failed").map(|f| f["failure"]["kind"].clone());
        match mp.serve.as_str() {
            "oversized" | "endless" => assert_eq!(failure, Some(Value::from("too_large")), "{}", s.name),
            "slow" => assert_eq!(failure, Some(Value::from("timeout")), "{}", s.name),
            "bad-cert" => assert_eq!(failure, Some(Value::from("tls")), "{}", s.name),
            _ => assert_eq!(failure, None, "{}", s.name),
        }
    }
}

#[test]
fn api_check_errors() {
    // No extra ranges: the lab's loopback addresses are not public.
    let edge = Edge::start(&[("GELEIT_ALLOW_RANGES", "")]);
    let cases: &[(&str, u16, &str, &str)] = &[
        (
            "/api/check?domain=two-mx.example",
            403,
            "target_refused",
            "refused: expected a public unicast address, found 127.0.1.16 in 127.0.0.0/8 (loopback, RFC 1122)",
        ),
        (
            "/api/check?domain=mx_1.example",
            400,
            "bad_domain",
            "expected a mail domain name, found \"mx_1.example\": only letters, digits, \"-\" and \".\" are allowed",
        ),
        (
            "/api/check?domain=%5B127.0.1.1%5D",
            400,
            "literal_address",
            "expected a host name, found the IP address \"[127.0.1.1]\"",
        ),
        ("/api/check", 400, "missing_parameter", "expected a query parameter \"domain\", found none"),
    ];
    for &(path, status, code, message) in cases {
        let (got, body) = edge.get_json(path);
        assert_eq!(
            (got, &body["error"]["code"], &body["error"]["message"]),
            (status, &Value::from(code), &Value::from(message)),
            "{path}"
        );
    }
    // Nothing to probe is no refusal: null MX is a verdict.
    let (status, body) = edge.get_json("/api/check?domain=null-mx.example");
    assert_eq!((status, &body["verdict"]), (200, &Value::from("null_mx")), "{body}");
    let (status, _, _) = edge.request(&["-X", "POST"], "/api/check?domain=two-mx.example");
    assert_eq!(status, 405);
    let (status, head, _) =
        edge.request(&["-X", "OPTIONS", "-H", "Origin: https://app.example"], "/api/check?domain=two-mx.example");
    assert_eq!(status, 204);
    assert!(head.contains("\naccess-control-allow-origin: *"), "{head}");

    // An upstream that does not answer: no verdict, an error.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/dns-query", dead.local_addr().unwrap());
    drop(dead);
    let edge = Edge::start(&[("GELEIT_DOH_UPSTREAM", url.as_str())]);
    let (status, body) = edge.get_json("/api/check?domain=two-mx.example");
    assert_eq!((status, &body["error"]["code"]), (502, &Value::from("dns_unreachable")), "{body}");
}

#[test]
fn api_check_counts_one_probe_per_mx_host() {
    // two-mx.example has two MX hosts: a check costs two of the client's
    // probes, so three allow one check and refuse the second.
    let edge = Edge::start(&[("GELEIT_PROBE_RATE", "3/3600")]);
    let (status, body) = edge.get_json("/api/check?domain=two-mx.example");
    assert_eq!(status, 200, "{body}");
    let (status, body) = edge.get_json("/api/check?domain=two-mx.example");
    assert_eq!((status, &body["error"]["code"]), (429, &Value::from("rate_limited")), "{body}");
    // A domain with one MX host costs one.
    let edge = Edge::start(&[("GELEIT_PROBE_RATE", "1/3600")]);
    let (status, body) = edge.get_json("/api/check?domain=ee-spki.example");
    assert_eq!(status, 200, "{body}");
}

/// `GET /api/sts-policy` (the page's policy fetch, `/api/check`'s code
/// path): the lab's good policy for ee-fullcert.example as served (CRLF),
/// a redirect handed back as it is (RFC 8461 §3.3: not followed), CORS as
/// for `/api/probe`, and without the lab's ranges a refused loopback
/// address (nothing fetched).
#[test]
fn api_sts_policy_fetches_the_policy_for_a_pages_check() {
    let edge = Edge::start(&[]);
    let cat = lab::catalogue();
    let scenario = |name: &str| cat.scenarios.iter().find(|s| s.name == name).unwrap().mail_policy.as_ref().unwrap();
    let good = scenario("ee-fullcert");
    let path = format!("/api/sts-policy?domain=ee-fullcert.example&addr={}", good.sts_host);
    let (status, head, body) = edge.request(&["-H", "Origin: https://app.example"], &path);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "{v}");
    assert!(head.contains("\naccess-control-allow-origin: *"), "{head}");
    assert!(head.contains("\ncache-control: no-store"), "{head}");
    assert_eq!((&v["result"], &v["status"]), (&Value::from("response"), &Value::from(200)), "{v}");
    assert_eq!(v["body"], Value::from(good.policy.replace('\n', "\r\n")), "{v}");
    // The core reads it back as the FetchResult the check takes.
    let result = geleit::api::fetch_answer(status, None, std::str::from_utf8(&body).unwrap());
    assert!(matches!(result, geleit::check::FetchResult::Response { status: 200, .. }), "{result:?}");

    let redirect = scenario("dual-ec-pinned");
    let (status, v) =
        edge.get_json(&format!("/api/sts-policy?domain=dual-ec-pinned.example&addr={}", redirect.sts_host));
    assert_eq!((status, &v["result"], &v["status"]), (200, &Value::from("response"), &Value::from(301)), "{v}");
    assert!(v["location"].as_str().is_some_and(|l| l.starts_with("https://www.dual-ec-pinned.example/")), "{v}");

    let (status, head, _) = edge.request(&["-X", "OPTIONS", "-H", "Origin: https://app.example"], &path);
    assert_eq!(status, 204);
    assert!(head.contains("\naccess-control-allow-origin: *"), "{head}");
    let (status, _, _) = edge.request(&["-X", "POST"], &path);
    assert_eq!(status, 405);
    let (status, v) = edge.get_json("/api/sts-policy?domain=ee-fullcert.example&addr=mta-sts.ee-fullcert.example");
    assert_eq!((status, &v["error"]["code"]), (400, &Value::from("bad_address")), "{v}");

    // No extra ranges: the lab's loopback address is refused, not fetched.
    let edge = Edge::start(&[("GELEIT_ALLOW_RANGES", "")]);
    let (status, v) = edge.get_json(&path);
    assert_eq!((status, &v["result"], &v["kind"]), (200, &Value::from("failed"), &Value::from("refused")), "{v}");
    let detail = v["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&format!("{} in 127.0.0.0/8 (loopback, RFC 1122)", good.sts_host)), "{v}");
}
