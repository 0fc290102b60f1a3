//! Replays DNS responses recorded from the lab (`scripts/record-dns.sh`) into
//! the core's sans-IO checks, at the time they were recorded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use geleit::dns::{Config, Lookup, Name, Query, RecordType, SmtpCheck, SmtpReport, TrustAnchors};

/// One recording: the time, the responses by (lowercase name, type).
pub struct Recording {
    pub domain: String,
    pub now: u64,
    pub responses: HashMap<(String, String), Vec<u8>>,
}

/// The lab's trust anchor at recording time is the DS of its root key; the
/// recording carries the root DNSKEY response, and the anchor file beside it.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/dns")
}

pub fn load(scenario: &str) -> Recording {
    load_path(&data_dir().join(format!("{scenario}.json")))
}

/// A recording from any file in the same format (`--record`).
pub fn load_path(path: &std::path::Path) -> Recording {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut responses = HashMap::new();
    for r in doc["responses"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap_or_default().to_ascii_lowercase();
        let rtype = r["type"].as_str().unwrap_or_default().to_owned();
        let wire = data_encoding::BASE64.decode(r["wire"].as_str().unwrap_or_default().as_bytes()).unwrap_or_default();
        responses.insert((name, rtype), wire);
    }
    Recording {
        domain: doc["domain"].as_str().unwrap_or_default().to_owned(),
        now: doc["now"].as_u64().unwrap_or(0),
        responses,
    }
}

/// The lab anchor recorded with the data.
pub fn anchors() -> TrustAnchors {
    let path = data_dir().join("anchor.ds");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    TrustAnchors::scan(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// Alters (Some) or drops (None) a recorded answer.
pub type Tamper<'a> = dyn FnMut(&Query, Vec<u8>) -> Option<Vec<u8>> + 'a;

/// What to serve for a query: the recorded bytes, possibly altered by `tamper`.
fn answer(rec: &Recording, q: &Query, tamper: &mut Tamper<'_>) -> Option<Vec<u8>> {
    let key = (q.name().to_ascii().to_ascii_lowercase(), q.rtype().to_string());
    let bytes = rec.responses.get(&key)?.clone();
    tamper(q, bytes)
}

/// Runs an SMTP check over the recording; `tamper` may alter or drop (None) responses.
pub fn check_with(rec: &Recording, tamper: &mut Tamper<'_>) -> SmtpReport {
    let domain: Name = geleit::dns::parse_name(&rec.domain).unwrap_or_else(|e| panic!("{e}"));
    let mut check = SmtpCheck::new(domain, Config { anchors: anchors(), ..Config::default() }, rec.now);
    while !check.is_done() {
        for q in check.poll_queries() {
            match answer(rec, &q, tamper) {
                Some(bytes) => check.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}")),
                None => check.handle_error(q.id(), "not in the recording").unwrap_or_else(|e| panic!("{e}")),
            }
        }
    }
    check.poll_result().cloned().unwrap_or_else(|| panic!("no report"))
}

pub fn check(rec: &Recording) -> SmtpReport {
    check_with(rec, &mut |_, b| Some(b))
}

/// Runs one lookup over the recording.
pub fn lookup(rec: &Recording, name: &str, rtype: RecordType) -> geleit::dns::Answer {
    let name: Name = geleit::dns::parse_name(name).unwrap_or_else(|e| panic!("{e}"));
    let mut l = Lookup::new(name, rtype, Config { anchors: anchors(), ..Config::default() }, rec.now);
    while !l.is_done() {
        for q in l.poll_queries() {
            match answer(rec, &q, &mut |_, b| Some(b)) {
                Some(bytes) => l.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}")),
                None => l.handle_error(q.id(), "not in the recording").unwrap_or_else(|e| panic!("{e}")),
            }
        }
    }
    l.poll_result().cloned().unwrap_or_else(|| panic!("no answer"))
}
