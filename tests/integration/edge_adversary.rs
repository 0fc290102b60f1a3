//! A sample of the adversary catalogue (tests/adversary/README.md) through
//! the edge worker's `GET /api/check` on workerd: the worker's DoH upstream
//! is a local server answering through the case's attack, its trust anchor
//! the test world's root DS. workerd has no `--at`, so the world is signed
//! for the clock. A forged answer must never make the domain or a host
//! authenticated, and the first host's DNS outcome must be the catalogue's.
//! (The MX hosts' addresses are on 127.0.2.0/24, where nothing listens: the
//! probes fail, so no valid case authenticates here either.)
//!
//! Needs `edge/build.sh` first; it uses no lab service and runs inside the
//! lab with the other edge tests (`tests/lab/in cargo test -p geleit-cli
//! --features lab --test edge_adversary`) or outside it alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use geleit_test_support::attacks::Case;
use geleit_test_support::{Kind, World, catalogue, doh, zone::name};
use hickory_proto::rr::RecordType;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A workerd serving the edge, killed on drop.
struct Edge {
    child: Child,
    base: String,
}

impl Edge {
    fn start(doh: &str, anchor: &str) -> Self {
        let build = repo().join("edge/build/worker.mjs");
        assert!(build.exists(), "expected the edge build at {} (run edge/build.sh)", build.display());
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(repo().join("edge/run.sh"))
            .args(["--lab", "--no-build", "--listen", &listen])
            .env("GELEIT_DOH", doh)
            .env("GELEIT_DOH_UPSTREAM", doh)
            .env("GELEIT_TRUST_ANCHOR", anchor)
            .env("GELEIT_ALLOW_RANGES", "127.0.0.0/8,::1/128")
            .env("GELEIT_STEP_TIMEOUT_MS", "2000")
            .env("GELEIT_PROBE_RATE", "10000/1")
            .env("GELEIT_TARGET_RATE", "10000/1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let edge = Self { child, base: format!("http://{listen}") };
        let started = Instant::now();
        while TcpStream::connect(&listen).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "workerd did not listen on {listen}");
            std::thread::sleep(Duration::from_millis(50));
        }
        edge
    }

    fn get_json(&self, path: &str) -> (String, Value) {
        let out = Command::new("curl")
            .args(["-s", "--max-time", "60", "-w", "\n%{http_code}"])
            .arg(format!("{}{path}", self.base))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, status) = text.rsplit_once('\n').unwrap_or((&text, ""));
        let json = serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        (status.to_owned(), json)
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sample: forged TLSA, denials and DS games, and valid zones the lab does not have.
const SAMPLE: &[&str] = &[
    "wildcard-labels-above-signer",
    "wildcard-replayed-at-other-depth",
    "nsec3-mixed-chains-false-nxdomain",
    "tlsa-denied-by-nsec-of-parent-name",
    "tlsa-denied-by-expired-nsec",
    "ds-stripped-optout-neighbour-span",
    "dnskey-extra-attacker-key",
    "tlsa-forged-with-ad-bit",
    "cname-forged-into-unsigned-zone",
    "rrsig-signer-not-zone",
    "compact-denial-missing-tlsa",
    "algorithm-ed448-unsupported",
];

fn serve(case: &Case, w: &'static World) -> String {
    let case = case.clone();
    doh::serve(move |qname, qtype, _| {
        let rtype: RecordType = qtype.parse().ok()?;
        case.respond_wire(w, &name(qname), rtype)
    })
}

#[test]
fn api_check_never_authenticates_forged_data() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let w: &'static World = Box::leak(Box::new(geleit_test_support::world::build(now)));
    let cases = catalogue();
    let mut failures = Vec::new();
    for name in SAMPLE {
        let case = cases.iter().find(|c| c.name == *name).unwrap_or_else(|| panic!("no case {name}"));
        let check = case.check.as_ref().unwrap_or_else(|| panic!("{name} has no mail domain"));
        let edge = Edge::start(&serve(case, w), &w.anchor);
        let (status, v) = edge.get_json(&format!("/api/check?domain={}", check.domain.trim_end_matches('.')));
        if status != "200" {
            failures.push(format!("{name}: HTTP {status}: {v}"));
            continue;
        }
        if case.kind == Kind::Forged
            && (v["authenticated"] != false
                || v["hosts"].as_array().into_iter().flatten().any(|h| h["authenticated"] != false))
        {
            failures.push(format!("{name}: forged data authenticated at the edge: {v}"));
        }
        let want = check.first_host.map(|o| serde_json::to_value(o).unwrap_or_default()).unwrap_or(Value::Null);
        let got = v["hosts"][0]["outcome"].clone();
        if got != want {
            failures.push(format!("{name}: first host {got}, expected {want}: {v}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
