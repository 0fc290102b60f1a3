//! DNS answers recorded from the lab, and the probe reports recorded with
//! them, replayed into the core at the time they were recorded.
//!
//! Two sets share one format (`geleit check --record`: the domain, the Unix
//! time `now`, every response as name, type and base64 wire message):
//! - `tests/data/dns/<scenario>.json` (`scripts/record-dns.sh`): DNS only;
//! - `tests/data/check/<scenario>.dns.json` with
//!   `<scenario>.<host>.probe.json` per MX host (`scripts/record-check.sh`):
//!   a whole check, DNS answers and the `geleit probe --json` reports of one
//!   lab build.
//!
//! Each directory holds the lab's root anchor of its build as `anchor.ds`;
//! the adversary recordings (tests/data/adversary) carry theirs inline as
//! `"anchor"`. Lab signatures live 30 days, so replays validate at `now`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use geleit::check::{CheckOutcome, DomainCheck};
use geleit::dns::{Answer, Config, Lookup, Name, Query, RecordType, SmtpCheck, SmtpReport, TrustAnchors};
use geleit::smtp::HostReport;
use geleit::verdict::ProbeTarget;

/// Responses by (lowercase name with trailing dot, type mnemonic).
pub type Responses = HashMap<(String, String), Vec<u8>>;

/// One recording.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The domain checked, as recorded (absolute).
    pub domain: String,
    /// Unix seconds of the recording: the time to validate at.
    pub now: u64,
    pub responses: Responses,
    /// The trust anchor (DS or DNSKEY lines) the recording validates from.
    pub anchor: String,
    /// The file the anchor was read from (`None`: the recording's own, or none).
    pub anchor_path: Option<PathBuf>,
}

/// `tests/data`.
pub fn data_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data")
}

/// The DNS-only recordings: `tests/data/dns`.
pub fn dns_dir() -> PathBuf {
    data_root().join("dns")
}

/// The whole-check recordings (DNS and probe reports): `tests/data/check`.
pub fn check_dir() -> PathBuf {
    data_root().join("check")
}

/// The names of the recordings in `dir` whose file names end in `suffix`, sorted.
fn scenarios_in(dir: &Path, suffix: &str) -> Vec<String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(suffix)).map(str::to_owned))
        .filter(|n| !n.contains('.'))
        .collect();
    out.sort();
    out
}

/// Every DNS-only scenario (`tests/data/dns/*.json`).
pub fn dns_scenarios() -> Vec<String> {
    scenarios_in(&dns_dir(), ".json")
}

/// Every whole-check scenario (`tests/data/check/*.dns.json`).
pub fn check_scenarios() -> Vec<String> {
    scenarios_in(&check_dir(), ".dns.json")
}

/// The DNS-only recording of `scenario`.
pub fn load(scenario: &str) -> Recording {
    load_path(&dns_dir().join(format!("{scenario}.json")))
}

/// The DNS part of the whole-check recording of `scenario`.
pub fn load_check(scenario: &str) -> Recording {
    load_path(&check_dir().join(format!("{scenario}.dns.json")))
}

/// A recording from any file in the format (`geleit check --record`); its
/// anchor is the recording's own `"anchor"`, else `anchor.ds` beside it
/// when there is one.
pub fn load_path(path: &Path) -> Recording {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rec = Recording::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let beside = path.with_file_name("anchor.ds");
    if rec.anchor.is_empty() && beside.is_file() {
        rec.anchor = std::fs::read_to_string(&beside).unwrap_or_else(|e| panic!("{}: {e}", beside.display()));
        rec.anchor_path = Some(beside);
    }
    rec
}

/// The probe reports recorded for a whole-check `scenario`, by host name
/// (without the trailing dot): the JSON text `geleit probe --json` printed.
pub fn probes(scenario: &str) -> BTreeMap<String, String> {
    let dir = check_dir();
    let prefix = format!("{scenario}.");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(host) = name.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".probe.json")) {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
            out.insert(host.to_owned(), text);
        }
    }
    out
}

impl Recording {
    /// Reads the JSON text of a recording; says what was expected when it is none.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("expected a JSON recording, found {e}"))?;
        Self::from_json(&doc)
    }

    /// As [`Self::parse`], from parsed JSON.
    pub fn from_json(doc: &serde_json::Value) -> Result<Self, String> {
        let mut responses = HashMap::new();
        for r in doc["responses"].as_array().ok_or("expected a \"responses\" list, found none")? {
            let (Some(name), Some(rtype), Some(wire)) = (r["name"].as_str(), r["type"].as_str(), r["wire"].as_str())
            else {
                return Err(format!("expected name, type and wire in every response, found {r}"));
            };
            let wire = data_encoding::BASE64
                .decode(wire.as_bytes())
                .map_err(|e| format!("expected base64 wire data for {name} {rtype}, found {e}"))?;
            responses.insert((name.to_ascii_lowercase(), rtype.to_owned()), wire);
        }
        Ok(Self {
            domain: doc["domain"].as_str().ok_or("expected a \"domain\", found none")?.to_owned(),
            now: doc["now"].as_u64().ok_or("expected \"now\" in Unix seconds, found none")?,
            responses,
            anchor: doc["anchor"].as_str().unwrap_or_default().to_owned(),
            anchor_path: None,
        })
    }

    /// The recorded answer to `name` (any case) and `rtype`.
    pub fn answer(&self, name: &str, rtype: &str) -> Option<&[u8]> {
        self.responses.get(&(name.to_ascii_lowercase(), rtype.to_owned())).map(Vec::as_slice)
    }

    /// The recorded answer to a query of the core.
    pub fn answer_query(&self, q: &Query) -> Option<&[u8]> {
        self.answer(&q.name().to_ascii(), &q.rtype().to_string())
    }

    /// The trust anchors the recording validates from (panics without any).
    pub fn anchors(&self) -> TrustAnchors {
        TrustAnchors::scan(&self.anchor).unwrap_or_else(|e| panic!("anchor of {}: {e}", self.domain))
    }

    /// The core's configuration with [`Self::anchors`].
    pub fn config(&self) -> Config {
        Config { anchors: self.anchors(), ..Config::default() }
    }

    /// The recorded domain as a name.
    pub fn name(&self) -> Name {
        geleit::dns::parse_name(&self.domain).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Alters (Some) or drops (None) a recorded answer.
pub type Tamper<'a> = dyn FnMut(&Query, Vec<u8>) -> Option<Vec<u8>> + 'a;

/// Runs an SMTP check over the recording; `tamper` may alter or drop (None)
/// responses. A query without a recorded answer fails as unanswered.
pub fn check_with(rec: &Recording, tamper: &mut Tamper<'_>) -> SmtpReport {
    let mut check = SmtpCheck::new(rec.name(), rec.config(), rec.now);
    while !check.is_done() {
        for q in check.poll_queries() {
            match rec.answer_query(&q).and_then(|b| tamper(&q, b.to_vec())) {
                Some(bytes) => check.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}")),
                None => check.handle_error(q.id(), "not in the recording").unwrap_or_else(|e| panic!("{e}")),
            }
        }
    }
    check.poll_result().cloned().unwrap_or_else(|| panic!("no report"))
}

/// The SMTP check (DNS stage) over the recording as recorded.
pub fn check(rec: &Recording) -> SmtpReport {
    check_with(rec, &mut |_, b| Some(b))
}

/// One lookup over the recording.
pub fn lookup(rec: &Recording, name: &str, rtype: RecordType) -> Answer {
    let name: Name = geleit::dns::parse_name(name).unwrap_or_else(|e| panic!("{e}"));
    let mut l = Lookup::new(name, rtype, rec.config(), rec.now);
    while !l.is_done() {
        for q in l.poll_queries() {
            match rec.answer_query(&q) {
                Some(bytes) => l.handle_response(q.id(), bytes).unwrap_or_else(|e| panic!("{e}")),
                None => l.handle_error(q.id(), "not in the recording").unwrap_or_else(|e| panic!("{e}")),
            }
        }
    }
    l.poll_result().cloned().unwrap_or_else(|| panic!("no answer"))
}

/// The whole check (`geleit::check::DomainCheck`) over the recording, each
/// probe target answered by `probe` (a report, or why there is none), in
/// the order the machine hands queries and targets out. Queries without a
/// recorded answer fail on the transport, as an unreachable resolver does.
pub fn domain_check(rec: &Recording, probe: impl FnMut(&ProbeTarget) -> Result<HostReport, String>) -> CheckOutcome {
    domain_check_of(DomainCheck::new(rec.name(), rec.config(), rec.now, true), rec, probe)
}

/// As [`domain_check`], for a machine set up by the caller (`new_host`, no probes).
pub fn domain_check_of(
    mut check: DomainCheck,
    rec: &Recording,
    mut probe: impl FnMut(&ProbeTarget) -> Result<HostReport, String>,
) -> CheckOutcome {
    let mut steps = 0;
    while !check.is_done() {
        steps += 1;
        assert!(steps < 100, "the check of {} does not end", rec.domain);
        for q in check.poll_queries() {
            match rec.answer_query(&q) {
                Some(bytes) => check.handle_response(q.id(), bytes).unwrap_or_else(|e| panic!("{e}")),
                None => check.handle_transport_error(q.id(), "not in the recording").unwrap_or_else(|e| panic!("{e}")),
            }
        }
        for target in check.poll_probes() {
            match probe(&target) {
                Ok(report) => check.handle_probe(report),
                Err(why) => check.handle_probe_failed(&target, &why),
            }
        }
        // Recordings hold no HTTPS: a policy fetch is answered as not made.
        for _request in check.poll_fetches() {
            check.handle_fetch(geleit::check::FetchResult::Failed(geleit::check::FetchFailure::Unavailable {
                detail: "a replay has no recorded policy".into(),
            }));
        }
    }
    check.into_result().unwrap_or_else(|| panic!("no outcome for {}", rec.domain))
}

/// A prober over recorded reports (see [`probes`]): the report of the
/// target's host, or `missing` when none was recorded.
pub fn recorded_prober<'a>(
    reports: &'a BTreeMap<String, String>,
    missing: &str,
) -> impl FnMut(&ProbeTarget) -> Result<HostReport, String> + 'a {
    let missing = missing.to_owned();
    move |target| match reports.get(&target.host) {
        Some(text) => HostReport::from_json(text).map_err(|e| format!("{}: {e}", target.host)),
        None => Err(missing.clone()),
    }
}

/// The verdict of the whole-check recording of `scenario` (DNS answers and
/// the recorded probe reports through `DomainCheck`) as `geleit check
/// --json` prints it, and the recording's time. JSON, so that the core's
/// own unit tests (with their own copy of the `geleit` types) can read it.
pub fn verdict_json(scenario: &str) -> (String, u64) {
    let rec = load_check(scenario);
    let reports = probes(scenario);
    match domain_check(&rec, recorded_prober(&reports, "no report recorded")) {
        CheckOutcome::Verdict(v) => {
            let json = serde_json::to_string_pretty(&v).unwrap_or_else(|e| panic!("{e}"));
            (json + "\n", rec.now)
        }
        other => panic!("{scenario}: expected a verdict, found {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recording_loads_with_its_anchor_and_its_mx_answer() {
        let dns = dns_scenarios();
        let check = check_scenarios();
        assert!(dns.len() >= 15 && check.len() >= 4, "{dns:?} {check:?}");
        for rec in dns.iter().map(|s| load(s)).chain(check.iter().map(|s| load_check(s))) {
            assert!(!rec.anchors().is_empty(), "{}", rec.domain);
            assert!(rec.answer(&rec.domain.to_ascii_uppercase(), "MX").is_some(), "{}", rec.domain);
            assert!(rec.anchor_path.as_ref().is_some_and(|p| p.ends_with("anchor.ds")), "{}", rec.domain);
        }
        for s in &check {
            assert!(!probes(s).is_empty(), "{s}: no probe reports");
        }
    }

    #[test]
    fn malformed_recordings_say_what_was_expected() {
        let err = |text: &str| Recording::parse(text).unwrap_err();
        assert!(err("{").starts_with("expected a JSON recording, found "), "{}", err("{"));
        assert_eq!(err(r#"{"domain": "a.example.", "now": 1}"#), "expected a \"responses\" list, found none");
        assert_eq!(err(r#"{"now": 1, "responses": []}"#), "expected a \"domain\", found none");
        assert_eq!(
            err(r#"{"domain": "a.", "now": 1, "responses": [{"name": "a.", "type": "MX", "wire": "!!!!"}]}"#),
            "expected base64 wire data for a. MX, found invalid symbol at 0"
        );
        let rec = Recording::parse(r#"{"domain": "a.", "now": 7, "responses": [], "anchor": ". IN DS 1 8 2 00"}"#);
        assert_eq!(rec.map(|r| (r.now, r.anchor)), Ok((7, ". IN DS 1 8 2 00".to_owned())));
    }
}
