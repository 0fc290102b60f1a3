//! The web checker's view model over DNS answers recorded from the lab
//! (tests/data/dns), run through the core's `SmtpCheck` exactly as the page
//! runs it over DoH: verdicts, findings and fixes in both languages.

#[path = "../common/dns_replay.rs"]
mod dns_replay;

use geleit::smtp;
use geleit_frontend::checker::{self, CheckRun, CheckView, Probe};
use geleit_frontend::domain;
use geleit_frontend::i18n::Lang;

fn run(scenario: &str) -> (CheckRun, dns_replay::Recording) {
    let rec = dns_replay::load(scenario);
    let report = dns_replay::check(&rec);
    let d = domain::parse(&rec.domain).unwrap();
    let mut run = CheckRun::start(1, d, i64::try_from(rec.now).unwrap());
    run.dns_done(report);
    (run, rec)
}

/// The run with every probe failed (no edge): the DNS-only view.
fn dns_only(scenario: &str, lang: Lang) -> CheckView {
    let (mut run, _) = run(scenario);
    for (i, _) in run.hosts_to_probe() {
        run.probe_done(i, Probe::Failed("no edge".into()));
    }
    checker::view(&run, lang.t()).unwrap()
}

fn codes(v: &CheckView) -> Vec<&'static str> {
    v.mx_findings.iter().chain(v.hosts.iter().flat_map(|h| h.findings.iter())).map(|f| f.code).collect()
}

#[test]
fn rollover_with_two_records_is_dane_ready_in_dns_and_advice_says_rollover_is_covered() {
    let v = dns_only("ee-rollover", Lang::En);
    assert_eq!(v.verdict_class, "dns_ready");
    assert_eq!(v.headline, "DANE published for every MX host");
    assert_eq!(v.mx_badge.class, "ok");
    assert_eq!(v.hosts.len(), 1);
    assert_eq!(v.hosts[0].state, "dns_only");
    assert_eq!(v.hosts[0].tlsa.len(), 2);
    assert!(v.hosts[0].tlsa.iter().all(|r| r.usable && r.rdata.starts_with("3 1 1 ")));
    let rollover = v.advice.iter().find(|a| a.code == "rollover").unwrap();
    assert!(rollover.text.starts_with("More than one usable record"));
    assert!(v.advice.iter().any(|a| a.code == "postfix"
        && a.snippet.as_deref() == Some("smtp_dns_support_level = dnssec\nsmtp_tls_security_level = dane\n")));
}

#[test]
fn expired_signatures_name_the_failing_link_and_the_fix() {
    let v = dns_only("bogus-expired", Lang::En);
    assert_eq!(v.verdict_class, "not_ready");
    let f = v.mx_findings.iter().find(|f| f.code == "mx_dnssec").unwrap();
    assert!(f.title.starts_with("DNSSEC validation of MX bogus-expired.example. fails"), "{}", f.title);
    assert!(f.detail.as_deref().unwrap().contains("expired"), "{:?}", f.detail);
    assert!(f.fix.starts_with("Re-sign the zone now"));
    let de = dns_only("bogus-expired", Lang::De);
    assert!(de.mx_findings[0].fix.starts_with("Die Zone jetzt neu signieren"));
    assert_eq!(de.headline, "Nicht DANE-fähig");
}

#[test]
fn wrong_ds_points_at_the_registrar() {
    let v = dns_only("bogus-ds", Lang::En);
    assert_eq!(v.verdict_class, "not_ready");
    let f = v.mx_findings.iter().find(|f| f.code == "mx_dnssec").unwrap();
    assert!(f.fix.starts_with("The DS record at the parent matches no DNSKEY"), "{}", f.fix);
}

#[test]
fn bogus_tlsa_signature_defers_the_host() {
    let v = dns_only("bogus-tlsa-sig", Lang::En);
    assert_eq!(v.verdict_class, "not_ready");
    assert_eq!(v.mx_badge.class, "ok");
    assert_eq!(v.hosts[0].state, "deferred");
    assert!(codes(&v).contains(&"tlsa_dnssec"));
}

#[test]
fn missing_tlsa_and_unsigned_zones_are_no_dane_with_their_fix() {
    let v = dns_only("nsec3-no-tlsa", Lang::En);
    assert_eq!(v.verdict_class, "no_dane");
    assert_eq!(codes(&v), ["no_tlsa"]);
    assert!(v.hosts[0].findings[0].fix.starts_with("Publish a TLSA record for the host"));
    let v = dns_only("insecure", Lang::En);
    assert_eq!(v.verdict_class, "no_dane");
    assert_eq!(v.mx_badge.class, "warn");
    assert!(codes(&v).contains(&"mx_insecure"));
}

#[test]
fn pkix_only_records_are_unusable_with_reasons() {
    let v = dns_only("pkix-only", Lang::En);
    assert_eq!(v.verdict_class, "not_ready");
    assert_eq!(v.hosts[0].state, "unusable");
    assert!(v.hosts[0].tlsa.iter().all(|r| !r.usable));
    assert!(v.hosts[0].tlsa[0].reasons[0].contains("relies on public CAs"));
}

#[test]
fn null_mx_and_missing_host() {
    let v = dns_only("null-mx", Lang::En);
    assert_eq!(v.verdict_class, "not_ready");
    assert_eq!(codes(&v), ["null_mx"]);
    let v = dns_only("nx-mx", Lang::En);
    assert_eq!(v.verdict_class, "not_ready");
    assert_eq!(v.hosts[0].state, "no_address");
}

#[test]
fn two_mx_hosts_each_get_a_view_in_preference_order() {
    let v = dns_only("two-mx", Lang::En);
    let hosts: Vec<(&str, u16)> = v.hosts.iter().map(|h| (h.host.as_str(), h.preference)).collect();
    assert_eq!(hosts, [("mx1.two-mx.example.", 10), ("mx2.two-mx.example.", 20)]);
}

fn probe_report(chain: Option<&[&[u8]]>, starttls_offered: bool) -> smtp::HostReport {
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
        "addresses": [{ "address": "127.0.1.7", "port": 25, "probes": [{ "signature_family": "ecdsa", "report": report }] }],
    }))
    .unwrap()
}

#[test]
fn a_chain_the_records_do_not_pin_is_not_authenticated_with_the_fix() {
    let (mut run, _) = run("ee-rollover");
    let leaf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/smtp/ecdsa-leaf.der")).unwrap();
    assert_eq!(run.hosts_to_probe().len(), 1);
    run.probe_done(0, Probe::Done(probe_report(Some(&[&leaf]), true)));
    let v = checker::view(&run, Lang::En.t()).unwrap();
    assert_eq!(v.verdict_class, "not_ready");
    assert_eq!(v.hosts[0].state, "not_authenticated");
    let alg = &v.hosts[0].addresses[0].algorithms[0];
    assert_eq!(alg.family, "ECDSA");
    assert_eq!(alg.tls_version.as_deref(), Some("TLSv1.3"));
    assert_eq!(alg.findings[0].code, "not_authenticated");
    assert!(alg.findings[0].fix.contains("3 1 1"));
    assert_eq!(alg.chain.len(), 1);
}

#[test]
fn no_starttls_is_a_finding_and_breaks_the_host() {
    let (mut run, _) = run("ee-rollover");
    run.probe_done(0, Probe::Done(probe_report(None, false)));
    let v = checker::view(&run, Lang::De.t()).unwrap();
    assert_eq!(v.hosts[0].state, "not_authenticated");
    let f = &v.hosts[0].addresses[0].algorithms[0].findings[0];
    assert_eq!(f.code, "no_starttls");
    assert_eq!(f.title, "Der Server bietet kein STARTTLS an");
    // The export carries the view and the raw reports.
    let json: serde_json::Value = serde_json::from_str(&checker::export_json(&run, &v)).unwrap();
    assert_eq!(json["verdict"], "not_ready");
    assert_eq!(json["dns"]["domain"], "ee-rollover.example.");
    assert_eq!(json["probes"][0]["addresses"][0]["address"], "127.0.1.7");
}

#[test]
fn probes_in_flight_keep_the_verdict_pending() {
    let (run, _) = run("two-mx");
    let v = checker::view(&run, Lang::En.t()).unwrap();
    assert_eq!(v.verdict_class, "pending");
    assert_eq!(v.progress, "DNS done. Looking at certificates: 2 host(s) to go…");
}
