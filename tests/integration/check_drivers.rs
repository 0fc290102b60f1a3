//! Every driver of the one check machine (`geleit::check::DomainCheck`) over
//! the same lab recordings gives the same verdict, byte for byte as JSON
//! (`geleit check --json`, the edge's `/api/check` body):
//!
//! - (a) the core's `DomainCheck` driven directly over the recording;
//! - (b) `geleit check --json` (the CLI's tokio driver) over a local DoH
//!   server replaying the DNS answers and a stand-in edge serving the
//!   recorded probe reports at `/api/probe`;
//! - (c) the edge's `/api/check` loop (`geleit_edge::check::run`) natively,
//!   over a `CheckIo` that answers from the recording;
//! - (d) the browser's driver (`geleit_web::drive`, run by the engine
//!   module that the app and the widget's doh mode share) natively, over a
//!   `Transport` that answers from the recording and reads the edge's
//!   answers with the page's own reader; only the fetches themselves (web/src/services) are wasm32-only.
//!
//! The whole-check recordings (tests/data/check) have a probe report for
//! every probe target; the DNS-only ones (tests/data/dns) have none, so there
//! every driver's probe service knows no host, and each driver words that
//! failure its own way around the edge's words (compared without them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use geleit::api::{self, ErrorCode};
use geleit::check::{CheckOutcome, FetchFailure, FetchRequest, FetchResult};
use geleit::dns::Query;
use geleit::smtp::HostReport;
use geleit::verdict::ProbeTarget;
use geleit_edge::check::{CheckIo, CheckRequest};
use geleit_edge::error::EdgeError;
use geleit_edge::request::HostProbe;
use geleit_test_support::recording::{self, Recording};
use geleit_test_support::{doh, edge};
use geleit_web::checker::CheckRun;
use geleit_web::drive::{self, DriveError, Transport};
use geleit_web::state::Settings;

/// What the probe service says of a host it has no report for: the edge's
/// words when name resolution finds nothing.
fn unknown_host(host: &str) -> EdgeError {
    EdgeError::HostNotFound { host: host.to_owned(), found: "none (NODATA)" }
}

/// The pretty JSON and newline that `geleit check --json` and `/api/check` write.
fn pretty(verdict: &geleit::verdict::DomainVerdict) -> String {
    serde_json::to_string_pretty(verdict).unwrap() + "\n"
}

/// (a) `DomainCheck` over the recording.
fn core(rec: &Recording, reports: &BTreeMap<String, String>) -> String {
    let prober = |t: &ProbeTarget| match reports.get(&t.host) {
        Some(text) => Ok(HostReport::from_json(text).unwrap()),
        None => Err(unknown_host(&t.host).to_string()),
    };
    match recording::domain_check(rec, prober) {
        CheckOutcome::Verdict(v) => pretty(&v),
        other => panic!("{}: expected a verdict, found {other:?}", rec.domain),
    }
}

/// (b) `geleit check --json` over a DoH server and a stand-in edge; the
/// edge's base URL comes back too.
fn cli(rec: &Recording, reports: &BTreeMap<String, String>) -> (String, String) {
    let doh = doh::serve_recorded(rec.responses.clone());
    let edge = edge::serve(reports.clone());
    let anchor = rec.anchor_path.as_ref().unwrap().to_str().unwrap();
    let at = rec.now.to_string();
    let args = ["check", &rec.domain, "--doh", &doh, "--trust-anchor", anchor, "--at", &at, "--edge", &edge.url];
    let run = common::geleit(args.iter().chain(&["--json"]));
    assert_eq!(run.stderr, "", "{}", rec.domain);
    assert!(matches!(run.code, 0 | 1), "{}: exit {}: {}", rec.domain, run.code, run.stdout);
    (run.stdout, edge.url)
}

/// (c)'s runtime: DNS from the recording (the DoH GET URLs decoded as the
/// upstream would), probe reports from the recording, rate limits that admit
/// everything, a clock that stands still at the recording's time.
struct Replay<'a> {
    rec: &'a Recording,
    reports: &'a BTreeMap<String, String>,
}

impl CheckIo for Replay<'_> {
    fn now_ms(&self) -> u64 {
        self.rec.now * 1000
    }

    async fn fetch_dns(&self, urls: &[String], _deadline_ms: u64) -> Vec<Result<Vec<u8>, EdgeError>> {
        urls.iter()
            .map(|url| {
                let (_, query) = url.split_once("?dns=").unwrap();
                let query = data_encoding::BASE64URL_NOPAD.decode(query.as_bytes()).unwrap();
                let (name, rtype) = doh::question(&query).unwrap();
                let answer = self.rec.answer(&name, &rtype).map(<[u8]>::to_vec);
                answer.ok_or(EdgeError::Upstream { found: "no answer in the recording" })
            })
            .collect()
    }

    fn admit(&self, _first: bool, _addresses: &[IpAddr]) -> Result<(), EdgeError> {
        Ok(())
    }

    async fn probe(&self, host: HostProbe, _started_ms: u64) -> Result<HostReport, EdgeError> {
        let name = &host.plan.report.host;
        match self.reports.get(name) {
            Some(text) => Ok(HostReport::from_json(text).unwrap()),
            None => Err(unknown_host(name)),
        }
    }

    async fn fetch_policy(&self, _request: &FetchRequest, _deadline_ms: u64) -> FetchResult {
        // As every replay (tests/support): recordings hold no HTTPS.
        FetchResult::Failed(FetchFailure::Unavailable { detail: "a replay has no recorded policy".into() })
    }
}

/// Polls `future` to its end; the replay's IO is never pending.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    for _ in 0..1000 {
        if let Poll::Ready(v) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            return v;
        }
    }
    panic!("the replay IO is never pending")
}

/// (c) `/api/check` natively, with the lab's addresses allowed.
fn edge_check(rec: &Recording, reports: &BTreeMap<String, String>) -> String {
    let vars: BTreeMap<&str, String> = [
        ("GELEIT_DOH_UPSTREAM", "http://doh.test/dns-query".to_owned()),
        ("GELEIT_TRUST_ANCHOR", rec.anchor.clone()),
        ("GELEIT_ALLOW_RANGES", "127.0.0.0/8,::1/128".to_owned()),
    ]
    .into_iter()
    .collect();
    let settings = geleit_edge::config::Settings::from_vars(|name| vars.get(name).cloned()).unwrap();
    let request = CheckRequest::from_query([("domain", rec.domain.as_str())]).unwrap();
    let io = Replay { rec, reports };
    let verdict = block_on(geleit_edge::check::run(&io, &request, &settings, io.now_ms()))
        .unwrap_or_else(|e| panic!("{}: {e}", rec.domain));
    geleit_edge::check::body(&verdict).unwrap()
}

/// (d)'s transport: what the page's fetches would bring back. The edge's
/// HTTP answers (a recorded report, or the API's error for an unknown host)
/// are read by the page's own reader (`drive::probe_answer`).
struct Fetch<'a> {
    rec: &'a Recording,
    reports: &'a BTreeMap<String, String>,
}

impl Transport for Fetch<'_> {
    fn doh(&self, query: &Query) -> impl Future<Output = Result<Vec<u8>, DriveError>> {
        let answer = self.rec.answer_query(query).map(<[u8]>::to_vec);
        let missing = || DriveError::HttpStatus { url: "https://doh.example/dns-query".to_owned(), status: 404 };
        std::future::ready(answer.ok_or_else(missing))
    }

    fn probe(&self, target: &ProbeTarget) -> impl Future<Output = Result<HostReport, DriveError>> {
        let (status, body) = match self.reports.get(&target.host) {
            Some(text) => (200, text.clone()),
            None => (422, api::error_body(&ErrorCode::HostNotFound, &unknown_host(&target.host).to_string())),
        };
        std::future::ready(drive::probe_answer(status, None, &body))
    }
}

/// (d) The browser's driver (`geleit_web::drive`, in the engine module of the app and the
/// widget's doh mode) with the page's check run following its steps.
fn browser(rec: &Recording, reports: &BTreeMap<String, String>) -> String {
    let domain = geleit_web::domain::parse(&rec.domain).unwrap();
    let settings = Settings { anchor: rec.anchor.clone(), ..Settings::default() };
    let now = i64::try_from(rec.now).unwrap();
    let check = drive::domain_check(&domain.ascii, &settings, now).unwrap();
    let mut run = CheckRun::start(1, domain, now);
    let outcome = block_on(drive::drive(check, &Fetch { rec, reports }, |step| run.step(step))).unwrap();
    run.finish(outcome);
    pretty(&run.verdict().unwrap())
}

#[test]
fn every_driver_gives_the_same_verdict_over_the_whole_check_recordings() {
    let scenarios = recording::check_scenarios();
    assert!(scenarios.len() >= 4, "{scenarios:?}");
    for scenario in &scenarios {
        let rec = recording::load_check(scenario);
        let reports = recording::probes(scenario);
        let want = core(&rec, &reports);
        // Every probe target had its report: nothing was left unprobed.
        assert!(!want.contains("not_probed") && want.contains("\"chain\": ["), "{scenario}: {want}");
        assert_eq!(cli(&rec, &reports).0, want, "{scenario}: geleit check --json");
        assert_eq!(edge_check(&rec, &reports), want, "{scenario}: /api/check");
        assert_eq!(browser(&rec, &reports), want, "{scenario}: the browser's driver");
    }
}

#[test]
fn every_driver_gives_the_same_verdict_over_the_dns_recordings() {
    let none = BTreeMap::new();
    let scenarios = recording::dns_scenarios();
    assert!(scenarios.len() >= 15, "{scenarios:?}");
    let mut unprobed = 0;
    for scenario in &scenarios {
        let rec = recording::load(scenario);
        let want = core(&rec, &none);
        let probed = want.contains("\"not_probed\"");
        unprobed += usize::from(probed);
        // The CLI says which edge answered and how, before the edge's words.
        let (cli, url) = cli(&rec, &none);
        let prefix = format!("edge {url}/api/probe answered HTTP 422 host_not_found: ");
        assert_eq!(cli.contains(&prefix), probed, "{scenario}: {cli}");
        assert_eq!(cli.replace(&prefix, ""), want, "{scenario}: geleit check --json");
        assert_eq!(edge_check(&rec, &none), want, "{scenario}: /api/check");
        // The page adds the edge's status and code after its words.
        let (browser, suffix) = (browser(&rec, &none), " (HTTP 422, host_not_found)");
        assert_eq!(browser.contains(suffix), probed, "{scenario}: {browser}");
        assert_eq!(browser.replace(suffix, ""), want, "{scenario}: the browser's driver");
    }
    // The recordings have hosts to probe (and so failed probes) as well as
    // domains no probe is made for.
    assert!(unprobed >= 5 && unprobed < scenarios.len(), "{unprobed} of {}", scenarios.len());
}
