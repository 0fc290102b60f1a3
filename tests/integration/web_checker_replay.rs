//! The web checker's view model over DNS answers recorded from the lab
//! (tests/data/dns), run through the core's `SmtpCheck` exactly as the page
//! runs it over DoH: verdicts, findings and fixes in both languages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use geleit::smtp;
use geleit_frontend::checker::{self, CheckRun, CheckView, Probe};
use geleit_frontend::domain;
use geleit_frontend::i18n::Lang;
use geleit_test_support::recording as dns_replay;

fn run(scenario: &str) -> CheckRun {
    let rec = dns_replay::load(scenario);
    let report = dns_replay::check(&rec);
    let d = domain::parse(&rec.domain).unwrap();
    let mut run = CheckRun::start(1, d, i64::try_from(rec.now).unwrap());
    run.dns_done(report);
    run
}

/// The run with every probe failed (no edge): the DNS-only view.
fn dns_only(scenario: &str, lang: Lang) -> CheckView {
    let mut run = run(scenario);
    for (i, _) in run.hosts_to_probe() {
        run.probe_done(i, Probe::Failed("no edge".into()));
    }
    checker::view(&run, lang).unwrap()
}

fn codes(v: &CheckView) -> Vec<&'static str> {
    v.mx_findings.iter().chain(v.hosts.iter().flat_map(|h| h.findings.iter())).map(|f| f.code).collect()
}

#[test]
fn rollover_without_an_edge_checks_dns_and_says_the_certificates_were_not() {
    let v = dns_only("ee-rollover", Lang::En);
    assert_eq!(v.verdict_class, "not_probed");
    assert_eq!(v.headline, "Certificates not checked");
    assert_eq!(v.mx_badge.class, "ok");
    assert_eq!(v.hosts.len(), 1);
    assert_eq!(v.hosts[0].state, "not_probed");
    assert_eq!(v.hosts[0].tlsa_badge.class, "ok");
    assert_eq!(v.hosts[0].tlsa.len(), 2);
    assert!(v.hosts[0].tlsa.iter().all(|r| r.usable && r.rdata.starts_with("3 1 1 ")));
    assert!(v.hosts[0].probe_note.as_deref().unwrap().ends_with("no edge"));
    // Two records: the rollover advice says the next key is covered.
    assert!(v.advice.iter().find(|a| a.code == "rollover").unwrap().text.starts_with("More than one usable record"));
    assert!(v.advice.iter().any(|a| a.code == "postfix"
        && a.snippet.as_deref() == Some("smtp_dns_support_level = dnssec\nsmtp_tls_security_level = dane\n")));
}

#[test]
fn expired_signatures_name_the_failing_link_and_the_fix_in_both_languages() {
    let v = dns_only("bogus-expired", Lang::En);
    assert_eq!(v.verdict_class, "deferred");
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
    assert_eq!(v.verdict_class, "deferred");
    assert!(
        v.mx_findings[0].fix.as_deref().unwrap().contains("publish the DS of the current key at the registrar"),
        "{:?}",
        v.mx_findings[0].fix
    );
}

#[test]
fn bogus_tlsa_signature_defers_the_host_with_its_failing_link() {
    let v = dns_only("bogus-tlsa-sig", Lang::En);
    assert_eq!(v.verdict_class, "deferred");
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
    assert_eq!(v.mx_badge.class, "warn");
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
    assert_eq!(v.verdict_class, "null_mx");
    assert_eq!(codes(&v), ["null_mx"]);
    let v = dns_only("nx-mx", Lang::En);
    assert_eq!(v.verdict_class, "no_address");
    assert_eq!(v.hosts[0].state, "no_address");
}

#[test]
fn two_mx_hosts_each_get_a_view_in_preference_order() {
    let v = dns_only("two-mx", Lang::En);
    let hosts: Vec<(&str, u16)> = v.hosts.iter().map(|h| (h.host.as_str(), h.preference)).collect();
    assert_eq!(hosts, [("mx1.two-mx.example.", 10), ("mx2.two-mx.example.", 20)]);
}

fn probe_report(run: &CheckRun, chain: Option<&[&[u8]]>, starttls_offered: bool) -> smtp::HostReport {
    let address = run.dns.as_ref().unwrap().hosts[0].addresses[0].addresses[0];
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
    serde_json::from_value(serde_json::json!({
        "host": "mx.ee-rollover.example", "port": 25, "mode": "starttls",
        "addresses": [{ "address": address, "port": 25, "probes": [{ "signature_family": "ecdsa", "report": report }] }],
    }))
    .unwrap()
}

#[test]
fn a_chain_the_records_do_not_pin_is_not_authenticated_and_the_fix_is_its_record() {
    let mut run = run("ee-rollover");
    let leaf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/smtp/ecdsa-leaf.der")).unwrap();
    assert_eq!(run.hosts_to_probe(), [(0, "mx.ee-rollover.example".to_owned())]);
    let report = probe_report(&run, Some(&[&leaf]), true);
    run.probe_done(0, Probe::Done(report));
    let v = checker::view(&run, Lang::En).unwrap();
    assert_eq!(v.verdict_class, "not_authenticated");
    assert_eq!(v.hosts[0].state, "not_authenticated");
    let a = &v.hosts[0].addresses[0];
    assert_eq!(a.state, "not_authenticated");
    assert_eq!(a.findings[0].code, "tlsa_no_match");
    // The fix is the 3 1 1 record of the key the server presents.
    let fix = a.findings[0].fix.as_deref().unwrap();
    assert!(fix.contains("_25._tcp.mx.ee-rollover.example. IN TLSA 3 1 1 fec5a6fcf77af02021e37888d74516c9c222cbfd0fe6c057165cb423fa0f2e1e"), "{fix}");
    let alg = &a.algorithms[0];
    assert_eq!((alg.family, alg.decides, alg.tls_version.as_deref()), ("ECDSA", true, Some("TLSv1.3")));
    assert_eq!(alg.chain.len(), 1);
}

#[test]
fn no_starttls_is_a_finding_in_german_and_the_export_carries_everything() {
    let mut run = run("ee-rollover");
    let report = probe_report(&run, None, false);
    run.probe_done(0, Probe::Done(report));
    let v = checker::view(&run, Lang::De).unwrap();
    assert_eq!(v.verdict_class, "no_starttls");
    let f = &v.hosts[0].addresses[0].findings[0];
    assert_eq!(f.code, "starttls_missing");
    assert!(f.title.starts_with("Der Server bietet kein STARTTLS an"), "{}", f.title);
    let json: serde_json::Value = serde_json::from_str(&checker::export_json(&run, &v)).unwrap();
    assert_eq!(json["verdict"], "no_starttls");
    assert_eq!(json["result"]["verdict"], "no_starttls");
    assert_eq!(json["dns"]["domain"], "ee-rollover.example.");
    assert_eq!(json["probes"][0]["host"], "mx.ee-rollover.example");
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
    let run = run("two-mx");
    let v = checker::view(&run, Lang::En).unwrap();
    assert_eq!(v.verdict_class, "pending");
    assert_eq!(v.hosts.iter().map(|h| h.state).collect::<Vec<_>>(), ["pending", "pending"]);
    assert_eq!(v.progress, "DNS done. Looking at certificates: 2 host(s) to go…");
}

/// The view from the verdict alone (the edge's `/api/check` JSON, read back
/// with serde) says what the view from the whole run says: verdict words,
/// findings with fixes, host states and address findings, in both languages.
#[test]
fn the_verdict_json_alone_gives_the_same_words_as_the_whole_run() {
    let mut stale = run("ee-rollover");
    let leaf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/smtp/ecdsa-leaf.der")).unwrap();
    let report = probe_report(&stale, Some(&[&leaf]), true);
    stale.probe_done(0, Probe::Done(report));
    let mut bogus = run("bogus-expired");
    for (i, _) in bogus.hosts_to_probe() {
        bogus.probe_done(i, Probe::Failed("no edge".into()));
    }
    for (run, verdict) in [(stale, "not_authenticated"), (bogus, "deferred")] {
        let json = serde_json::to_string_pretty(&run.verdict().unwrap()).unwrap();
        let dv: geleit::verdict::DomainVerdict = serde_json::from_str(&json).unwrap();
        for lang in [Lang::En, Lang::De] {
            let whole = checker::view(&run, lang).unwrap();
            let alone = checker::verdict_view(run.domain.as_ref().unwrap(), &dv, lang);
            assert_eq!(alone.verdict_class, verdict);
            assert_eq!(
                (&alone.verdict_class, &alone.headline, &alone.summary, &alone.mx_badge, &alone.mx_findings),
                (&whole.verdict_class, &whole.headline, &whole.summary, &whole.mx_badge, &whole.mx_findings)
            );
            assert_eq!(alone.hosts.len(), whole.hosts.len());
            for (a, w) in alone.hosts.iter().zip(&whole.hosts) {
                assert_eq!(
                    (&a.host, a.state, &a.badge, &a.outcome, &a.findings),
                    (&w.host, w.state, &w.badge, &w.outcome, &w.findings)
                );
                if !w.addresses.is_empty() {
                    assert_eq!(a.addresses, w.addresses);
                }
            }
        }
    }
}
