//! The web checker over DNS answers recorded from the lab (tests/data/dns):
//! the page's own driver ([`geleit_web::drive`]) runs the core's
//! `DomainCheck` over a transport that serves the recordings (and probe
//! reports made here), exactly as the page runs it over DoH and the edge;
//! the view model turns what arrives into verdicts, findings and fixes in
//! both languages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use geleit::check::CheckOutcome;
use geleit::dns::{Query, QueryId, RecordType};
use geleit::smtp;
use geleit::verdict::ProbeTarget;
use geleit_test_support::recording as dns_replay;
use geleit_web::checker::{self, CheckRun, CheckView, Probe, Shown};
use geleit_web::domain;
use geleit_web::drive::{self, DriveError, Step, Transport};
use geleit_web::i18n::Lang;
use geleit_web::state::Settings;

/// What the edge does with a probe: a report, a refusal, or no answer yet.
type Edge<'a> = dyn Fn(&ProbeTarget) -> Option<Result<smtp::HostReport, DriveError>> + 'a;

/// The DoH endpoint's failure: HTTP 502 (a proxy in front of the resolver).
fn bad_gateway() -> DriveError {
    DriveError::HttpStatus { url: "https://doh.example/dns-query".into(), status: 502 }
}

/// No edge to probe with: the browser got no answer from it.
fn no_edge() -> DriveError {
    DriveError::NoAnswer { url: "https://edge.example/api/probe?host=mx".into(), detail: "no edge".into() }
}

/// The recordings as a DoH server, `edge` as the edge; every request is noted.
struct Replay<'a> {
    rec: &'a dns_replay::Recording,
    /// Whether attempt `n` (from 1) of a query fails on the transport.
    doh_fails: &'a dyn Fn(&Query, u32) -> bool,
    edge: &'a Edge<'a>,
    attempts: RefCell<HashMap<QueryId, u32>>,
    probed: RefCell<Vec<ProbeTarget>>,
}

impl Transport for Replay<'_> {
    fn doh(&self, query: &Query) -> impl Future<Output = Result<Vec<u8>, DriveError>> {
        let mut attempts = self.attempts.borrow_mut();
        let attempt = attempts.entry(query.id()).or_default();
        *attempt += 1;
        let key = (query.name().to_ascii().to_ascii_lowercase(), query.rtype().to_string());
        let answer = if (self.doh_fails)(query, *attempt) {
            Err(bad_gateway())
        } else {
            self.rec
                .responses
                .get(&key)
                .cloned()
                .ok_or_else(|| DriveError::NotKept { what: format!("{key:?} in the recording") })
        };
        std::future::ready(answer)
    }

    fn probe(&self, target: &ProbeTarget) -> impl Future<Output = Result<smtp::HostReport, DriveError>> {
        self.probed.borrow_mut().push(target.clone());
        let answer = (self.edge)(target);
        async move {
            match answer {
                Some(a) => a,
                None => std::future::pending().await,
            }
        }
    }
}

/// Polls `f` until it is ready: the transports here never wait, so this
/// never spins (a future that would is a test failure, not a hang).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("the check did not finish")
}

/// The lab's trust anchor as the page's settings carry it.
fn settings() -> Settings {
    let anchor = std::fs::read_to_string(dns_replay::dns_dir().join("anchor.ds")).unwrap();
    Settings { anchor, ..Settings::default() }
}

/// A finished run of `scenario`: what the page shows, the steps the driver
/// reported, and the probe targets it asked the edge for.
struct Ran {
    run: CheckRun,
    steps: Vec<Step>,
    probed: Vec<ProbeTarget>,
}

fn run_with(scenario: &str, doh_fails: &dyn Fn(&Query, u32) -> bool, edge: &Edge<'_>) -> Ran {
    let rec = dns_replay::load(scenario);
    let d = domain::parse(&rec.domain).unwrap();
    let now = i64::try_from(rec.now).unwrap();
    let transport =
        Replay { rec: &rec, doh_fails, edge, attempts: RefCell::new(HashMap::new()), probed: RefCell::new(Vec::new()) };
    let check = drive::domain_check(&d.ascii, &settings(), now).unwrap();
    let mut run = CheckRun::start(1, d, now);
    let mut steps = Vec::new();
    let outcome = block_on(drive::drive(check, &transport, |step| {
        steps.push(step.clone());
        run.step(step);
    }))
    .unwrap();
    run.finish(outcome);
    Ran { run, steps, probed: transport.probed.into_inner() }
}

fn run(scenario: &str, edge: &Edge<'_>) -> CheckRun {
    run_with(scenario, &|_, _| false, edge).run
}

/// The run with every probe refused (no edge): the DNS-only view.
fn dns_only(scenario: &str, lang: Lang) -> CheckView {
    checker::view(&run(scenario, &|_| Some(Err(no_edge()))), lang).unwrap()
}

fn codes(v: &CheckView) -> Vec<&str> {
    v.mx_findings.iter().chain(v.hosts.iter().flat_map(|h| h.findings.iter())).map(|f| &*f.code).collect()
}

#[test]
fn rollover_without_an_edge_checks_dns_and_says_the_certificates_were_not() {
    let v = dns_only("ee-rollover", Lang::En);
    assert_eq!(v.shown.as_str(), "not_probed");
    assert_eq!(v.headline, "Certificates not checked");
    assert_eq!(v.mx_badge.class, "ok");
    assert_eq!(v.hosts.len(), 1);
    assert_eq!(v.hosts[0].state, "not_probed");
    assert_eq!(v.hosts[0].tlsa_badge.class, "ok");
    assert_eq!(v.hosts[0].tlsa.len(), 2);
    assert!(v.hosts[0].tlsa.iter().all(|r| r.usable && r.rdata.starts_with("3 1 1 ")));
    // The driver's failure in words; its English (with the browser's message) is the addresses' detail.
    assert_eq!(
        v.hosts[0].probe_note.as_deref(),
        Some(
            "The edge could not probe this host: no answer from https://edge.example/api/probe (no network, the connection was refused, or the browser blocked it for CORS)"
        )
    );
    // Two records: the rollover advice says the next key is covered.
    assert!(v.advice.iter().find(|a| a.code == "rollover").unwrap().text.starts_with("More than one usable record"));
    assert!(v.advice.iter().any(|a| a.code == "postfix"
        && a.snippet.as_deref() == Some("smtp_dns_support_level = dnssec\nsmtp_tls_security_level = dane\n")));
}

#[test]
fn expired_signatures_name_the_failing_link_and_the_fix_in_both_languages() {
    let v = dns_only("bogus-expired", Lang::En);
    assert_eq!(v.shown.as_str(), "deferred");
    assert_eq!(codes(&v), ["dnssec_bogus"]);
    let f = &v.mx_findings[0];
    assert!(f.title.starts_with("The MX lookup for bogus-expired.example. is bogus"), "{}", f.title);
    assert!(f.detail.as_deref().unwrap().contains("expired"), "{:?}", f.detail);
    assert!(f.fix.as_deref().unwrap().contains("re-sign the zone"), "{:?}", f.fix);
    let de = dns_only("bogus-expired", Lang::De);
    assert_eq!(de.headline, "DNSSEC-Fehler");
    assert!(
        de.mx_findings[0].fix.as_deref().unwrap().contains("die Signaturen sind abgelaufen"),
        "{:?}",
        de.mx_findings[0].fix
    );
}

#[test]
fn wrong_ds_points_at_the_registrar() {
    let v = dns_only("bogus-ds", Lang::En);
    assert_eq!(v.shown.as_str(), "deferred");
    assert!(
        v.mx_findings[0].fix.as_deref().unwrap().contains("publish the DS of the current key at the registrar"),
        "{:?}",
        v.mx_findings[0].fix
    );
}

#[test]
fn bogus_tlsa_signature_defers_the_host_with_its_failing_link() {
    let v = dns_only("bogus-tlsa-sig", Lang::En);
    assert_eq!(v.shown.as_str(), "deferred");
    assert_eq!(v.mx_badge.class, "ok");
    assert_eq!(v.hosts[0].state, "deferred");
    let f = &v.hosts[0].findings[0];
    assert_eq!(f.code, "dnssec_bogus");
    assert!(f.detail.as_deref().unwrap().contains("RRSIG over TLSA"), "{:?}", f.detail);
}

#[test]
fn missing_tlsa_and_unsigned_zones_say_no_dane_with_their_fix() {
    let v = dns_only("nsec3-no-tlsa", Lang::En);
    assert_eq!(codes(&v), ["no_tlsa"]);
    assert_eq!(v.hosts[0].outcome, "No DANE: senders fall back to opportunistic TLS, which an attacker can strip.");
    let v = dns_only("insecure", Lang::De);
    assert_eq!(v.mx_badge.class, "warning");
    assert_eq!(codes(&v), ["mx_insecure", "insecure_no_dane"]);
    assert!(
        v.mx_findings[0]
            .fix
            .as_deref()
            .unwrap()
            .ends_with("mit DNSSEC signieren und ihren DS-Record in der Elternzone veröffentlichen.")
    );
}

#[test]
fn pkix_only_records_are_unusable_with_reasons() {
    let v = dns_only("pkix-only", Lang::En);
    assert_eq!(codes(&v), ["only_unusable_records"]);
    assert!(v.hosts[0].tlsa.iter().all(|r| !r.usable));
    assert!(v.hosts[0].tlsa[0].reasons[0].contains("relies on public CAs"));
}

#[test]
fn null_mx_and_missing_host() {
    let v = dns_only("null-mx", Lang::En);
    assert_eq!(v.shown.as_str(), "null_mx");
    assert_eq!(codes(&v), ["null_mx"]);
    let v = dns_only("nx-mx", Lang::En);
    assert_eq!(v.shown.as_str(), "no_address");
    assert_eq!(v.hosts[0].state, "no_address");
}

#[test]
fn two_mx_hosts_each_get_a_view_in_preference_order() {
    let v = dns_only("two-mx", Lang::En);
    let hosts: Vec<(&str, u16)> = v.hosts.iter().map(|h| (h.host.as_str(), h.preference)).collect();
    assert_eq!(hosts, [("mx1.two-mx.example.", 10), ("mx2.two-mx.example.", 20)]);
}

/// What the edge would report for `target`: one ECDSA handshake per address
/// with `chain`, or none (and whether STARTTLS was offered).
fn probe_report(target: &ProbeTarget, chain: Option<&[&[u8]]>, starttls_offered: bool) -> smtp::HostReport {
    let tls = chain.map(|c| {
        serde_json::json!({
            "version": "TLSv1.3", "cipher_suite": "TLS13_AES_128_GCM_SHA256", "kx_group": "X25519",
            "chain": c.iter().map(|der| smtp::Certificate::from_der(der)).collect::<Vec<_>>(),
        })
    });
    let report = serde_json::json!({
        "mode": "starttls", "banner": ["220 mx"], "ehlo": null, "starttls_offered": starttls_offered,
        "starttls": tls.is_some(), "tls": tls, "ehlo_tls": null, "bare_lf": false, "steps": [],
        "transcript": [], "transcript_truncated": false, "error": null,
    });
    let addresses: Vec<_> = target
        .addresses
        .iter()
        .map(|a| serde_json::json!({ "address": a, "port": 25, "probes": [{ "signature_family": "ecdsa", "report": report }] }))
        .collect();
    serde_json::from_value(serde_json::json!({
        "host": target.host, "port": 25, "mode": "starttls", "addresses": addresses,
    }))
    .unwrap()
}

fn leaf() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/smtp/ecdsa-leaf.der")).unwrap()
}

#[test]
fn a_chain_the_records_do_not_pin_is_not_authenticated_and_the_fix_is_its_record() {
    let leaf = leaf();
    let ran = run_with("ee-rollover", &|_, _| false, &|t| Some(Ok(probe_report(t, Some(&[&leaf]), true))));
    assert_eq!(ran.probed.iter().map(|t| t.host.as_str()).collect::<Vec<_>>(), ["mx.ee-rollover.example"]);
    let v = checker::view(&ran.run, Lang::En).unwrap();
    assert_eq!(v.shown.as_str(), "not_authenticated");
    assert_eq!(v.hosts[0].state, "not_authenticated");
    let a = &v.hosts[0].addresses[0];
    assert_eq!(a.state, "not_authenticated");
    assert_eq!(a.findings[0].code, "tlsa_no_match");
    // The fix is the 3 1 1 record of the key the server presents.
    let fix = a.findings[0].fix.as_deref().unwrap();
    assert!(fix.contains("_25._tcp.mx.ee-rollover.example. IN TLSA 3 1 1 fec5a6fcf77af02021e37888d74516c9c222cbfd0fe6c057165cb423fa0f2e1e"), "{fix}");
    let alg = &a.algorithms[0];
    assert_eq!((&*alg.family, alg.decides, alg.tls_version.as_deref()), ("ECDSA", true, Some("TLSv1.3")));
    assert_eq!(alg.chain.len(), 1);
}

#[test]
fn no_starttls_is_a_finding_in_german_and_the_export_carries_everything() {
    let run = run("ee-rollover", &|t| Some(Ok(probe_report(t, None, false))));
    let v = checker::view(&run, Lang::De).unwrap();
    assert_eq!(v.shown.as_str(), "no_starttls");
    let f = &v.hosts[0].addresses[0].findings[0];
    assert_eq!(f.code, "starttls_missing");
    assert!(f.title.starts_with("Der Server bietet kein STARTTLS an"), "{}", f.title);
    let json: serde_json::Value = serde_json::from_str(&checker::export_json(&run, &v)).unwrap();
    assert_eq!(json["verdict"], "no_starttls");
    assert_eq!(json["result"]["verdict"], "no_starttls");
    assert_eq!(json["dns"]["domain"], "ee-rollover.example.");
    assert_eq!(json["probes"][0]["host"], "mx.ee-rollover.example");
}

/// The export as `checker::export_json` wrote it with serde_json's pretty
/// serialiser, before it indented the compact text itself: the same fields.
fn export_as_serde_pretty_printed_it(run: &CheckRun, v: &CheckView) -> String {
    #[derive(serde::Serialize)]
    struct Export<'a> {
        domain: &'a str,
        domain_unicode: &'a str,
        checked_at: String,
        verdict: &'a str,
        result: Option<geleit::verdict::DomainVerdict>,
        dns: Option<&'a geleit::dns::SmtpReport>,
        probes: Vec<Option<&'a smtp::HostReport>>,
        page: &'a CheckView,
    }
    let probes = run
        .dns
        .iter()
        .flat_map(|d| &d.hosts)
        .map(|h| if let Probe::Done(r) = run.probe(&h.host) { Some(r) } else { None })
        .collect();
    let export = Export {
        domain: &v.domain,
        domain_unicode: &v.domain_unicode,
        checked_at: geleit_web::dates::ymd_hm(run.now),
        verdict: v.shown.as_str(),
        result: run.verdict(),
        dns: run.dns.as_ref(),
        probes,
        page: v,
    };
    serde_json::to_string_pretty(&export).unwrap()
}

#[test]
fn the_export_is_the_text_serde_json_pretty_printed() {
    let leaf = leaf();
    let runs = [
        run("ee-rollover", &|t| Some(Ok(probe_report(t, Some(&[&leaf]), true)))),
        run("ee-rollover", &|t| Some(Ok(probe_report(t, None, false)))),
        run("two-mx", &|_| Some(Err(no_edge()))),
        run("bogus-expired", &|_| Some(Err(no_edge()))),
        run_with("ee-rollover", &|_, _| true, &|_| Some(Err(no_edge()))).run,
    ];
    for run in &runs {
        for lang in [Lang::En, Lang::De] {
            let v = checker::view(run, lang).unwrap();
            let export = checker::export_json(run, &v);
            assert_eq!(export, export_as_serde_pretty_printed_it(run, &v), "{}", v.shown.as_str());
            assert!(export.contains("\n  \"page\": {\n    \""), "indented: {export}");
        }
    }
}

#[test]
fn a_single_record_gets_the_rollover_plan() {
    let v = dns_only("two-mx", Lang::En);
    let rollover = v.advice.iter().find(|a| a.code == "rollover").unwrap();
    assert!(
        rollover.text.starts_with("Only one usable TLSA record at mx1.two-mx.example, mx2.two-mx.example."),
        "{}",
        rollover.text
    );
}

#[test]
fn probes_in_flight_keep_the_verdict_pending() {
    let rec = dns_replay::load("two-mx");
    let d = domain::parse(&rec.domain).unwrap();
    let now = i64::try_from(rec.now).unwrap();
    // An edge that has not answered yet.
    let transport = Replay {
        rec: &rec,
        doh_fails: &|_, _| false,
        edge: &|_| None,
        attempts: RefCell::new(HashMap::new()),
        probed: RefCell::new(Vec::new()),
    };
    let mut run = CheckRun::start(1, d, now);
    {
        let check = drive::domain_check(&run.domain.as_ref().unwrap().ascii, &settings(), now).unwrap();
        let mut f = pin!(drive::drive(check, &transport, |step| run.step(step)));
        assert!(f.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    }
    // Both hosts were handed to the edge (each as soon as its lookups were
    // in), with their validated addresses.
    let probed = transport.probed.into_inner();
    let mut hosts: Vec<&str> = probed.iter().map(|t| t.host.as_str()).collect();
    hosts.sort_unstable();
    assert_eq!(hosts, ["mx1.two-mx.example", "mx2.two-mx.example"]);
    assert!(probed.iter().all(|t| !t.addresses.is_empty()));
    let v = checker::view(&run, Lang::En).unwrap();
    assert_eq!(v.shown.as_str(), "pending");
    assert_eq!(v.hosts.iter().map(|h| &*h.state).collect::<Vec<_>>(), ["pending", "pending"]);
    assert_eq!(v.progress, "DNS done. Looking at certificates: 2 host(s) to go…");
}

/// Every address a host's DNS stage validated (DNSSEC secure), in order.
fn validated(report: &geleit::dns::SmtpReport, host: &str) -> Vec<std::net::IpAddr> {
    let h = report.hosts.iter().find(|h| h.host.trim_end_matches('.') == host).unwrap();
    h.addresses
        .iter()
        .filter(|s| s.status == geleit::dns::Status::Secure)
        .flat_map(|s| s.addresses.iter().copied())
        .collect()
}

/// The page asks the edge to probe the addresses it validated, with the SNI
/// the core chose, not a name for the edge to resolve again (without DNSSEC).
#[test]
fn probes_ask_the_edge_for_the_validated_addresses_and_the_sni() {
    for scenario in ["ee-rollover", "two-mx", "tlsa-cname", "cname-mx-expanded"] {
        let ran = run_with(scenario, &|_, _| false, &|_| Some(Err(no_edge())));
        let report = ran.run.dns.as_ref().unwrap();
        let mut expected = geleit::verdict::probe_targets(report);
        assert!(!expected.is_empty(), "{scenario}: a probe target");
        let mut probed = ran.probed.clone();
        probed.sort_by(|a, b| a.host.cmp(&b.host));
        expected.sort_by(|a, b| a.host.cmp(&b.host));
        assert_eq!(probed, expected, "{scenario}: the core's targets, each asked for once");
        for t in &ran.probed {
            assert_eq!(t.addresses, validated(report, &t.host), "{scenario}: {}", t.host);
            let url = Settings::default().probe_url(t);
            let host = format!("/api/probe?host={}&sni={}&", t.host, t.sni);
            assert!(url.starts_with(&host), "{url}");
            for a in &t.addresses {
                assert!(url.contains(&format!("addr={}", geleit::api::percent_encode(&a.to_string()))), "{url}");
            }
        }
        // Each host's probe was announced before it came back.
        for t in &ran.probed {
            let started = ran.steps.iter().position(|s| matches!(s, Step::Probing { host } if *host == t.host));
            let back = ran.steps.iter().position(|s| matches!(s, Step::Probed { host, .. } if *host == t.host));
            assert!(started.unwrap() < back.unwrap(), "{scenario}: {:?}", ran.steps);
        }
    }
}

/// The driver gives the verdict the core gives for the same DNS answers and
/// probe reports, in every recorded scenario.
#[test]
fn the_driver_gives_the_cores_verdict_for_every_recording() {
    let leaf = leaf();
    let edge = |t: &ProbeTarget| Some(Ok(probe_report(t, Some(&[&leaf]), true)));
    let mut early = 0;
    for entry in std::fs::read_dir(dns_replay::dns_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let scenario = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let ran = run_with(&scenario, &|_, _| false, &edge);
        let rec = dns_replay::load(&scenario);
        let report = dns_replay::check(&rec);
        let probes: Vec<_> =
            geleit::verdict::probe_targets(&report).iter().map(|t| probe_report(t, Some(&[&leaf]), true)).collect();
        let expected = geleit::verdict::evaluate(&report, &probes, i64::try_from(rec.now).unwrap());
        assert_eq!(ran.run.outcome, Some(CheckOutcome::Verdict(Box::new(expected.clone()))), "{scenario}");
        assert_eq!(ran.run.verdict(), Some(expected), "{scenario}");
        assert_eq!(ran.run.dns.as_ref(), Some(&report), "{scenario}: the DNS stage shown");
        // Every report is shown with its host, also one that came back before
        // the whole DNS stage was in (a host is probed once its own lookups are).
        for t in &ran.probed {
            assert!(matches!(ran.run.probe(&t.host), Probe::Done(r) if r.host == t.host), "{scenario}: {}", t.host);
        }
        let v = checker::view(&ran.run, Lang::En).unwrap();
        for h in v.hosts.iter().filter(|h| ran.probed.iter().any(|t| h.host.trim_end_matches('.') == t.host)) {
            assert!(!h.addresses.is_empty(), "{scenario}: {} shows its probed addresses", h.host);
        }
        let probed = ran.steps.iter().position(|s| matches!(s, Step::Probed { .. }));
        let dns_done = ran.steps.iter().position(|s| matches!(s, Step::DnsDone { .. }));
        early += usize::from(matches!((probed, dns_done), (Some(p), Some(d)) if p < d));
    }
    assert!(early > 0, "some recording has a probe back before its DNS stage is complete");
}

/// The edge's worded answer about every recorded verdict (with probe
/// reports and without: deferred hosts, findings with quoted details, German
/// words) reads back with the widget's reader (`Worded::from_json`, no
/// serde): the same view, and the verdict as serde_json wrote it, byte for byte.
#[test]
fn the_edges_worded_answer_about_every_recording_reads_back_byte_for_byte() {
    use geleit_web::worded::{Worded, WordedAnswer};
    let leaf = leaf();
    let mut read = 0;
    for entry in std::fs::read_dir(dns_replay::dns_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let scenario = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let rec = dns_replay::load(&scenario);
        let report = dns_replay::check(&rec);
        let targets = geleit::verdict::probe_targets(&report);
        let probed: Vec<_> = targets.iter().map(|t| probe_report(t, Some(&[&leaf]), true)).collect();
        let plain: Vec<_> = targets.iter().map(|t| probe_report(t, None, false)).collect();
        for probes in [&probed[..], &plain[..], &[]] {
            let v = geleit::verdict::evaluate(&report, probes, i64::try_from(rec.now).unwrap());
            let d = domain::from_ascii(&v.domain, false).unwrap();
            for lang in [Lang::En, Lang::De] {
                let text = serde_json::to_string(&WordedAnswer::new(&d, &v, lang)).unwrap();
                let w = Worded::from_json(&text).unwrap_or_else(|| panic!("{scenario}: {text}"));
                assert_eq!(w.view, checker::verdict_view(&d, &v, lang), "{scenario}");
                assert_eq!(w.authenticated, v.authenticated, "{scenario}");
                assert_eq!(w.verdict, serde_json::to_string(&v).unwrap(), "{scenario}");
                read += 1;
            }
        }
    }
    assert!(read >= 6 * 10, "{read} answers read");
}

#[test]
fn transport_failures_are_retried_to_the_same_verdict() {
    let calm = dns_only("two-mx", Lang::En);
    // Every query's first two attempts fail (a resolver that drops a burst).
    let busy = run_with("two-mx", &|_, attempt| attempt < 3, &|_| Some(Err(no_edge())));
    assert_eq!(checker::view(&busy.run, Lang::En).unwrap(), calm);
}

/// A resolver that cannot be reached says nothing about the domain: the page
/// says so, in a neutral state with a way to try again, and never shows a
/// DNSSEC failure (what it showed before the check was the core's: the page
/// fed the failed query to the DNS stage as an answerless lookup, which
/// makes the TLSA lookup indeterminate and the domain "deferred").
#[test]
fn an_unreachable_resolver_is_said_as_such_never_as_a_dnssec_failure() {
    let only_tlsa = |q: &Query, _| q.rtype() == RecordType::TLSA;
    let everything = |_: &Query, _| true;
    for fails in [&only_tlsa as &dyn Fn(&Query, u32) -> bool, &everything] {
        let ran = run_with("ee-rollover", fails, &|_| Some(Err(no_edge())));
        assert!(ran.probed.is_empty(), "nothing is probed without a complete DNS stage");
        assert!(!ran.steps.iter().any(|s| matches!(s, Step::DnsDone { .. })), "no DNS stage shown: {:?}", ran.steps);
        assert!(ran.run.dns.is_none());
        let failure = ran.run.resolver_failure().unwrap();
        let counts = (failure.failed, failure.asked);
        for (lang, summary, what) in [
            (
                Lang::En,
                "Geleit could not reach its DNS resolver — this says nothing about ee-rollover.example.",
                format!(
                    "{} of {} queries got no answer after 3 attempts each: https://doh.example/dns-query answered with HTTP status 502.",
                    counts.0, counts.1
                ),
            ),
            (
                Lang::De,
                "Geleit konnte seinen DNS-Resolver nicht erreichen – das sagt nichts über ee-rollover.example aus.",
                format!(
                    "{} von {} Abfragen {} nach je 3 Versuchen ohne Antwort: https://doh.example/dns-query antwortete mit HTTP-Status 502.",
                    counts.0,
                    counts.1,
                    if counts.0 == 1 { "blieb" } else { "blieben" }
                ),
            ),
        ] {
            let v = checker::view(&ran.run, lang).unwrap();
            assert_eq!(v.shown, Shown::ResolverUnreachable);
            assert_eq!(v.summary, format!("{summary} {what}"));
            assert!(v.retry);
            // The core's English sentence, behind the toggle.
            assert!(v.detail.as_deref().unwrap().contains("found HTTP 502"), "{:?}", v.detail);
            assert!(v.hosts.is_empty() && v.mx_findings.is_empty() && v.advice.is_empty());
            assert!(!v.headline.contains("DNSSEC"), "{}", v.headline);
        }
        assert_eq!(ran.run.verdict(), None);
    }
    // What the page's own loop made of the same failure before.
    let rec = dns_replay::load("ee-rollover");
    let before = dns_replay::check_with(&rec, &mut |q, b| (q.rtype() != RecordType::TLSA).then_some(b));
    assert_eq!(geleit::verdict::evaluate(&before, &[], 0).verdict.as_str(), "deferred");
}

/// The view from the verdict alone (the edge's `/api/check` JSON, read back
/// with serde) says what the view from the whole run says: verdict words,
/// findings with fixes, host states and address findings, in both languages.
#[test]
fn the_verdict_json_alone_gives_the_same_words_as_the_whole_run() {
    let leaf = leaf();
    let stale = run("ee-rollover", &|t| Some(Ok(probe_report(t, Some(&[&leaf]), true))));
    let bogus = run("bogus-expired", &|_| Some(Err(no_edge())));
    for (run, verdict) in [(stale, "not_authenticated"), (bogus, "deferred")] {
        let json = serde_json::to_string_pretty(&run.verdict().unwrap()).unwrap();
        let dv: geleit::verdict::DomainVerdict = serde_json::from_str(&json).unwrap();
        for lang in [Lang::En, Lang::De] {
            let whole = checker::view(&run, lang).unwrap();
            let alone = checker::verdict_view(run.domain.as_ref().unwrap(), &dv, lang);
            assert_eq!(alone.shown.as_str(), verdict);
            assert_eq!(
                (&alone.shown, &alone.headline, &alone.summary, &alone.mx_badge, &alone.mx_findings),
                (&whole.shown, &whole.headline, &whole.summary, &whole.mx_badge, &whole.mx_findings)
            );
            assert_eq!(alone.hosts.len(), whole.hosts.len());
            for (a, w) in alone.hosts.iter().zip(&whole.hosts) {
                assert_eq!(
                    (&a.host, &a.state, &a.badge, &a.outcome, &a.findings),
                    (&w.host, &w.state, &w.badge, &w.outcome, &w.findings)
                );
                if !w.addresses.is_empty() {
                    assert_eq!(a.addresses, w.addresses);
                }
            }
        }
    }
}

/// A reload or Back replays the check kept in the history entry: the same
/// answers through the same driver give the same page, and nothing is asked
/// of the network (issue 14.6: a re-run hit the edge's rate limit and turned
/// "Not authenticated" into "Certificates not checked").
#[test]
fn a_kept_check_replays_to_the_same_page_without_the_network() {
    let rec = dns_replay::load("ee-rollover");
    let d = domain::parse(&rec.domain).unwrap();
    let now = i64::try_from(rec.now).unwrap();
    let leaf = leaf();
    let edge = |t: &ProbeTarget| Some(Ok(probe_report(t, Some(&[&leaf]), true)));
    let transport = Replay {
        rec: &rec,
        doh_fails: &|_, _| false,
        edge: &edge,
        attempts: RefCell::new(HashMap::new()),
        probed: RefCell::new(Vec::new()),
    };
    let recording = drive::Recording::new(&transport, &d.written(false), now);
    let mut first = CheckRun::start(1, d.clone(), now);
    let outcome =
        block_on(drive::drive(drive::domain_check(&d.ascii, &settings(), now).unwrap(), &recording, |s| first.step(s)))
            .unwrap();
    first.finish(outcome);
    let kept = drive::Recorded::from_json(&recording.kept.into_inner().to_json()).unwrap();
    assert_eq!(kept.probes.len(), 1, "the probe result is kept");
    let mut again = CheckRun::start(2, d.clone(), kept.now);
    let check = drive::domain_check(&kept.domain, &settings(), kept.now).unwrap();
    let outcome = block_on(drive::drive(check, &drive::Replay(&kept), |s| again.step(s))).unwrap();
    again.finish(outcome);
    assert_eq!(again.outcome, first.outcome);
    let v = checker::view(&again, Lang::En).unwrap();
    assert_eq!(v.shown.as_str(), "not_authenticated", "not \"certificates not checked\"");
    assert_eq!(v, checker::view(&first, Lang::En).unwrap());
}

/// A probe report of `target` whose every handshake failed at the TLS handshake.
fn handshake_failed(target: &ProbeTarget) -> smtp::HostReport {
    let mut v = serde_json::to_value(probe_report(target, None, true)).unwrap();
    for a in v["addresses"].as_array_mut().unwrap() {
        for p in a["probes"].as_array_mut().unwrap() {
            p["report"]["error"] = serde_json::json!({
                "step": "tls_handshake", "kind": "tls", "message": "tls handshake failed: received fatal alert: HandshakeFailure",
            });
        }
    }
    serde_json::from_value(v).unwrap()
}

/// Every text of a view a person reads (the details toggles aside).
fn words(v: &CheckView) -> Vec<String> {
    let findings = v
        .mx_findings
        .iter()
        .chain(&v.policy_findings)
        .chain(v.hosts.iter().flat_map(|h| h.findings.iter().chain(h.addresses.iter().flat_map(|a| &a.findings))))
        .flat_map(|f| [Some(f.title.clone()), f.fix.clone()]);
    [v.headline.clone(), v.summary.clone(), v.progress.clone()]
        .into_iter()
        .chain(v.hosts.iter().filter_map(|h| h.probe_note.clone()))
        .chain(
            v.hosts
                .iter()
                .flat_map(|h| h.addresses.iter().flat_map(|a| a.algorithms.iter().flat_map(|x| x.notes.clone()))),
        )
        .chain(findings.flatten())
        .collect()
}

/// German words that carry none of the English a failure came with.
fn assert_no_english(v: &CheckView, english: &[&str]) {
    for w in words(v) {
        for e in english {
            assert!(!w.contains(e), "{e:?} in German words: {w}");
        }
    }
}

#[test]
fn a_doh_502_in_german_is_said_in_german_with_the_english_behind_the_toggle() {
    let ran = run_with("ee-rollover", &|_, _| true, &|_| Some(Err(no_edge())));
    let de = checker::view(&ran.run, Lang::De).unwrap();
    assert!(de.summary.ends_with("https://doh.example/dns-query antwortete mit HTTP-Status 502."), "{}", de.summary);
    assert_no_english(&de, &["expected", "found", "answered", "queries", "attempts", "could not"]);
    assert!(de.detail.as_deref().unwrap().starts_with("the DNS resolver could not be reached"), "{:?}", de.detail);
    let en = checker::view(&ran.run, Lang::En).unwrap();
    assert!(en.summary.ends_with("https://doh.example/dns-query answered with HTTP status 502."), "{}", en.summary);
}

#[test]
fn a_probe_the_edge_refused_is_said_in_either_language() {
    let refused = |_: &ProbeTarget| {
        Some(Err(DriveError::Edge {
            status: 403,
            code: geleit::api::ErrorCode::TargetRefused,
            message: "refused by policy: 127.0.0.1 is loopback".into(),
            retry_after_s: None,
        }))
    };
    let ran = run_with("ee-rollover", &|_, _| false, &refused);
    let de = checker::view(&ran.run, Lang::De).unwrap();
    assert_eq!(
        de.hosts[0].probe_note.as_deref(),
        Some(
            "Die Edge konnte diesen Host nicht prüfen: die Edge lehnte die Verbindung dorthin ab (sie verbindet sich nur mit öffentlichen Adressen)"
        )
    );
    assert_no_english(&de, &["refused by policy", "loopback", "target_refused", "not probed", "HTTP 403"]);
    // The edge's English, behind the toggle of each address's "not probed".
    let not_probed: Vec<_> =
        de.hosts[0].addresses.iter().flat_map(|a| &a.findings).filter(|f| f.code == "not_probed").collect();
    assert!(!not_probed.is_empty(), "{:?}", de.hosts[0]);
    for f in not_probed {
        assert_eq!(f.title, "Die Adresse wurde nicht geprüft.");
        assert_eq!(f.detail.as_deref(), Some("refused by policy: 127.0.0.1 is loopback (HTTP 403, target_refused)"));
    }
    let en = checker::view(&ran.run, Lang::En).unwrap();
    assert_eq!(
        en.hosts[0].probe_note.as_deref(),
        Some(
            "The edge could not probe this host: the edge refused to connect there (it connects to public addresses only)"
        )
    );
}

#[test]
fn a_failed_handshake_names_the_step_in_words_never_its_json_word() {
    let ran = run_with("ee-rollover", &|_, _| false, &|t| Some(Ok(handshake_failed(t))));
    for (lang, title) in [
        (Lang::De, "Die Probe scheiterte beim TLS-Handshake."),
        (
            Lang::En,
            "The probe failed at the TLS handshake: tls handshake failed: received fatal alert: HandshakeFailure",
        ),
    ] {
        let v = checker::view(&ran.run, lang).unwrap();
        let f = v.hosts[0].addresses[0].findings.iter().find(|f| f.code == "probe_failed").unwrap();
        assert_eq!(f.title, title);
        assert_eq!(f.detail.as_deref(), Some("tls handshake failed: received fatal alert: HandshakeFailure"));
        for w in words(&v) {
            assert!(!w.contains("tls_handshake"), "a raw step name: {w}");
        }
        if lang == Lang::De {
            assert_no_english(&v, &["handshake failed", "fatal alert", "probe failed"]);
        }
    }
}

#[test]
fn a_check_that_cannot_run_is_said_in_the_page_language() {
    let d = domain::parse("example.org").unwrap();
    let bad = Settings { anchor: "garbage".into(), ..Settings::default() };
    let Err(error) = drive::domain_check(&d.ascii, &bad, 1_800_000_000) else { panic!("the anchor was read") };
    let mut run = CheckRun::start(1, d, 1_800_000_000);
    run.fail(error);
    let de = checker::view(&run, Lang::De).unwrap();
    assert_eq!(de.shown, Shown::Failed);
    assert!(de.summary.starts_with("Der Vertrauensanker in den Einstellungen ist nicht lesbar"), "{}", de.summary);
    assert_no_english(&de, &["expected", "found", "garbage"]);
    assert!(de.detail.as_deref().unwrap().starts_with("expected a readable trust anchor, found"), "{:?}", de.detail);
    let en = checker::view(&run, Lang::En).unwrap();
    assert!(en.summary.starts_with("The trust anchor in the settings cannot be read"), "{}", en.summary);
}
