//! One test per finding (and per verdict rule), on DNS reports and probe
//! reports built by hand around certificates made fresh (the test-support
//! crate's rcgen builders).

use std::collections::BTreeSet;
use std::net::IpAddr;

use geleit_test_support::certs::{Cert as Node, Spec};

use super::*;
use crate::dns::{AddressSet, HostReport as DnsHost, ReasonKind, Validated};
use crate::smtp::{AlgorithmProbe, Certificate as Presented, Report, Step, StepFailure, TlsFacts, TlsMode};

mod many_mx;

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000;
const MX: &str = "mx.example.com.";
const OWNER: &str = "_25._tcp.mx.example.com.";

fn ip() -> IpAddr {
    IpAddr::from([192, 0, 2, 1])
}

/// An ECDSA P-256 certificate valid from January 1st of `from` to January 1st of `until`.
fn make(cn: &str, sans: &[&str], ca: bool, parent: Option<&Node>, from: i32, until: i32) -> Node {
    let spec = Spec::leaf(cn, sans).years(from, until);
    let spec = if ca { Spec { ca: Some(None), ..spec } } else { spec };
    spec.make(parent)
}

fn leaf() -> Node {
    make("mx.example.com", &["mx.example.com"], false, None, 2020, 2040)
}

fn ca() -> Node {
    make("Private CA", &[], true, None, 2020, 2040)
}

fn tlsa(usage: Usage, selector: Selector, mt: MatchingType, der: &[u8]) -> Tlsa {
    let cert = ParsedCert::from_der(der).unwrap();
    Tlsa::new(usage, selector, mt, association_data(cert.der(), cert.spki(), selector, mt).unwrap())
}

fn ee(node: &Node) -> Tlsa {
    tlsa(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, &node.der)
}

fn ta(node: &Node) -> Tlsa {
    tlsa(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &node.der)
}

fn record(t: Tlsa) -> TlsaRecord {
    TlsaRecord {
        usage: t.usage,
        selector: t.selector,
        matching_type: t.matching_type,
        data: data_encoding::HEXLOWER.encode(&t.data),
        problems: t.smtp_problems(),
        record: t,
    }
}

fn addresses(status: Status) -> Vec<AddressSet> {
    let proof = match status {
        Status::Secure => Proof::Secure,
        Status::Insecure => Proof::Insecure { zone_cut: "example.com.".into(), why: "no DS".into() },
        Status::Bogus => Proof::bogus(ReasonKind::SignatureExpired, "RRSIG over A expired"),
        Status::Indeterminate => Proof::indeterminate(ReasonKind::Network, "no answer"),
    };
    vec![
        AddressSet { rtype: "A".into(), status, proof, addresses: vec![ip()] },
        AddressSet { rtype: "AAAA".into(), status: Status::Secure, proof: Proof::Secure, addresses: vec![] },
    ]
}

fn host(outcome: HostOutcome, addr: Status, tlsa_proof: Proof, records: Vec<Tlsa>) -> DnsHost {
    DnsHost {
        host: MX.into(),
        preference: 10,
        cname_chain: vec![],
        addresses: addresses(addr),
        tlsa_base: Some(OWNER.into()),
        tlsa: Validated::new(tlsa_proof, records.into_iter().map(record).collect()),
        tlsa_ttl: 3600,
        outcome,
        why: String::new(),
        tlsa_trace: vec![],
        expiry: None,
    }
}

fn dane_host(records: Vec<Tlsa>) -> DnsHost {
    host(HostOutcome::DaneRequired, Status::Secure, Proof::Secure, records)
}

fn domain(mx_outcome: MxOutcome, mx_proof: Proof, hosts: Vec<DnsHost>) -> SmtpReport {
    SmtpReport {
        domain: "example.com.".into(),
        mx_status: mx_proof.status(),
        mx_proof,
        mx_outcome,
        hosts,
        unchecked: vec![],
        dane_ready: false,
        rounds: 2,
        queries: 20,
        trace: vec![],
        mx_expiry: None,
        tlsrpt_txt: None,
        mta_sts_txt: None,
        mta_sts_host: None,
    }
}

fn report(chain: Option<&[&Node]>, offered: bool) -> Report {
    Report {
        mode: TlsMode::Starttls,
        banner: vec!["mx.example.com ESMTP".into()],
        ehlo: None,
        starttls_offered: Some(offered),
        starttls: chain.is_some(),
        tls: chain.map(|c| TlsFacts {
            version: "TLSv1.3".into(),
            cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
            kx_group: Some("X25519".into()),
            chain: c.iter().map(|n| Presented::from_der(&n.der)).collect(),
        }),
        ehlo_tls: None,
        bare_lf: false,
        steps: vec![],
        transcript: vec![],
        transcript_truncated: false,
        error: None,
    }
}

fn probe_with(probes: Vec<(SignatureFamily, Report)>) -> ProbeHost {
    ProbeHost {
        host: "MX.example.com".into(),
        port: 25,
        mode: TlsMode::Starttls,
        addresses: vec![AddressReport {
            address: ip(),
            port: 25,
            refused: None,
            probes: probes
                .into_iter()
                .map(|(signature_family, report)| AlgorithmProbe { signature_family, report })
                .collect(),
        }],
    }
}

/// One ECDSA chain; the RSA handshake fails (no RSA certificate).
fn probe(chain: &[&Node]) -> ProbeHost {
    let mut no_rsa = report(None, true);
    no_rsa.error = Some(StepFailure {
        step: Step::TlsHandshake,
        kind: "tls".into(),
        message: "received fatal alert: HandshakeFailure".into(),
    });
    probe_with(vec![(SignatureFamily::Ecdsa, report(Some(chain), true)), (SignatureFamily::Rsa, no_rsa)])
}

fn run(h: DnsHost, p: &[ProbeHost]) -> DomainVerdict {
    evaluate(&domain(MxOutcome::Hosts, Proof::Secure, vec![h]), p, NOW)
}

fn codes(list: &[Reported]) -> Vec<&'static str> {
    list.iter().map(Reported::code).collect()
}

fn only_address(v: &DomainVerdict) -> &AddressVerdict {
    let h = v.hosts.first().unwrap();
    assert_eq!(h.addresses.len(), 1);
    h.addresses.first().unwrap()
}

fn find<'a>(list: &'a [Reported], code: &str) -> &'a Reported {
    list.iter().find(|f| f.code() == code).unwrap_or_else(|| panic!("no {code} in {:?}", codes(list)))
}

fn suggested(node: &Node) -> String {
    record_text(&ee(node))
}

#[test]
fn dane_ee_match_authenticates_with_rollover_advice() {
    let l = leaf();
    let v = run(dane_host(vec![ee(&l)]), &[probe(&[&l])]);
    assert_eq!((v.verdict, v.authenticated), (Verdict::Authenticated, true));
    let a = only_address(&v);
    assert_eq!((a.verdict, a.authenticated, a.starttls), (Verdict::Authenticated, true, true));
    assert_eq!(a.default_family, Some(SignatureFamily::Ecdsa));
    assert_eq!(a.tls_version.as_deref(), Some("TLSv1.3"));
    assert_eq!(a.matched, vec![MatchedRecord { record: suggested(&l), depth: 0 }]);
    let c = a.chain.first().unwrap();
    assert_eq!((c.depth, c.subject.as_str(), c.key.as_str()), (0, "CN=mx.example.com", "ECDSA P-256"));
    assert_eq!(c.sha256, Presented::from_der(&l.der).sha256);
    assert!(a.findings.is_empty(), "{:?}", codes(&a.findings));
    let h = v.hosts.first().unwrap();
    let pinned = find(&h.findings, "single_record_pinned");
    assert_eq!(pinned.severity, Severity::Info);
    assert_eq!(pinned.rfc, "RFC 7671 §8.1");
    assert_eq!(
        pinned.fix.as_ref().map(|f| f.fix.clone()),
        Some(Fix::PublishNextKey { owner: OWNER.into(), current: suggested(&l) })
    );
    // Two records (current + next): no rollover warning.
    let next = leaf();
    let v = run(dane_host(vec![ee(&l), ee(&next)]), &[probe(&[&l])]);
    assert!(v.authenticated);
    assert!(v.hosts.first().unwrap().findings.is_empty());
}

#[test]
fn tlsa_no_match_suggests_the_record_of_the_presented_key() {
    let (served, stale) = (leaf(), leaf());
    let v = run(dane_host(vec![ee(&stale)]), &[probe(&[&served])]);
    assert_eq!((v.verdict, v.authenticated), (Verdict::NotAuthenticated, false));
    let a = only_address(&v);
    assert_eq!(codes(&a.findings), ["tlsa_no_match"]);
    let f = find(&a.findings, "tlsa_no_match");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.finding,
        Finding::TlsaNoMatch {
            family: SignatureFamily::Ecdsa,
            matching_families: vec![],
            records: vec![suggested(&stale)]
        }
    );
    assert_eq!(
        f.fix.as_ref().map(|f| f.fix.clone()),
        Some(Fix::PublishTlsa { owner: OWNER.into(), record: suggested(&served), replaces: vec![], keep: vec![] })
    );
    assert!(f.fix.as_ref().unwrap().message.contains(&format!("{OWNER} IN TLSA {}", suggested(&served))));
}

#[test]
fn dane_ta_failures_are_specific() {
    let root = ca();
    // The CA is not sent: "serve the full chain".
    let l = make("mx.example.com", &["mx.example.com"], false, Some(&root), 2020, 2040);
    let v = run(dane_host(vec![ta(&root)]), &[probe(&[&l])]);
    let a = only_address(&v);
    assert_eq!(codes(&a.findings), ["ta_not_sent"]);
    assert_eq!(
        find(&a.findings, "ta_not_sent").fix.as_ref().map(|f| f.fix.clone()),
        Some(Fix::ServeFullChain { record: record_text(&ta(&root)) })
    );
    assert!(find(&a.findings, "ta_not_sent").fix.as_ref().unwrap().message.starts_with("serve the full chain"));
    // Sent, and it authenticates.
    let v = run(dane_host(vec![ta(&root)]), &[probe(&[&l, &root])]);
    assert!(v.authenticated);
    assert!(only_address(&v).findings.is_empty());
    // ... until shortly before the path expires (leaf and CA: 2040-01-01T00:00:00Z).
    let report = domain(MxOutcome::Hosts, Proof::Secure, vec![dane_host(vec![ta(&root)])]);
    let late = evaluate(&report, &[probe(&[&l, &root])], 2_208_988_800 - 86_400);
    assert!(late.authenticated);
    let f = &only_address(&late).findings;
    assert_eq!(codes(f), ["chain_expires_soon"]);
    assert_eq!(
        f[0].finding,
        Finding::ChainExpiresSoon { depth: Some(1), subject: "CN=Private CA".into(), not_after: 2_208_988_800 }
    );
    assert_eq!(f[0].severity, Severity::Warning);
    // Expired leaf under DANE-TA.
    let old = make("mx.example.com", &["mx.example.com"], false, Some(&root), 2020, 2021);
    let v = run(dane_host(vec![ta(&root)]), &[probe(&[&old, &root])]);
    let a = only_address(&v);
    assert_eq!(codes(&a.findings), ["chain_expired_under_dane_ta"]);
    assert_eq!(
        find(&a.findings, "chain_expired_under_dane_ta").finding,
        Finding::ChainExpiredUnderDaneTa {
            depth: Some(0),
            subject: "CN=mx.example.com".into(),
            not_after: 1_609_459_200
        }
    );
    assert!(find(&a.findings, "chain_expired_under_dane_ta").message.contains("expired at 2021-01-01 00:00:00 UTC"));
    // Not valid yet.
    let early = make("mx.example.com", &["mx.example.com"], false, Some(&root), 2035, 2040);
    let a = run(dane_host(vec![ta(&root)]), &[probe(&[&early, &root])]);
    assert_eq!(codes(&only_address(&a).findings), ["chain_not_yet_valid_under_dane_ta"]);
    // Wrong name under DANE-TA; the fix names the hosts and offers 3 1 1.
    let other = make("other.example.net", &["other.example.net"], false, Some(&root), 2020, 2040);
    let v = run(dane_host(vec![ta(&root)]), &[probe(&[&other, &root])]);
    let a = only_address(&v);
    let f = find(&a.findings, "name_mismatch");
    assert_eq!(
        f.finding,
        Finding::NameMismatch { presented: vec!["other.example.net".into()], reference: vec!["mx.example.com".into()] }
    );
    assert_eq!(
        f.fix.as_ref().map(|f| f.fix.clone()),
        Some(Fix::ReissueWithNames {
            names: vec!["mx.example.com".into()],
            owner: OWNER.into(),
            record: Some(suggested(&other)),
        })
    );
    // A stale DANE-EE record next to a DANE-TA record that fails on the name:
    // both are reported, the generic finding names only the stale record.
    let stale = ee(&leaf());
    let a = run(dane_host(vec![ta(&root), stale.clone()]), &[probe(&[&other, &root])]);
    let a = only_address(&a);
    assert_eq!(codes(&a.findings), ["name_mismatch", "tlsa_no_match"]);
    assert_eq!(
        find(&a.findings, "tlsa_no_match").finding,
        Finding::TlsaNoMatch {
            family: SignatureFamily::Ecdsa,
            matching_families: vec![],
            records: vec![record_text(&stale)]
        }
    );
    // DANE-TA over the leaf itself.
    let a = run(dane_host(vec![ta(&l)]), &[probe(&[&l, &root])]);
    assert_eq!(codes(&only_address(&a).findings), ["ta_matches_leaf"]);
    // A path that does not verify: the "CA" is not a CA.
    let fake = make("Not a CA", &[], false, None, 2020, 2040);
    let under_fake = make("mx.example.com", &["mx.example.com"], false, Some(&fake), 2020, 2040);
    let a = run(dane_host(vec![ta(&fake)]), &[probe(&[&under_fake, &fake])]);
    let a = only_address(&a);
    assert_eq!(codes(&a.findings), ["ta_path_invalid"]);
    assert!(find(&a.findings, "ta_path_invalid").message.contains("not a CA"), "{}", a.findings[0].message);
}

#[test]
fn dane_ee_ignores_expiry_but_says_so() {
    let old = make("mx.example.com", &["mx.example.com"], false, None, 2020, 2021);
    let v = run(dane_host(vec![ee(&old)]), &[probe(&[&old])]);
    assert!(v.authenticated);
    let a = only_address(&v);
    assert_eq!(codes(&a.findings), ["leaf_expired_under_dane_ee"]);
    assert_eq!(a.findings[0].severity, Severity::Info);
}

#[test]
fn dual_chain_verdict_is_the_default_clients() {
    let (ec, rsa) = (leaf(), leaf());
    let two = || {
        probe_with(vec![
            (SignatureFamily::Ecdsa, report(Some(&[&ec]), true)),
            (SignatureFamily::Rsa, report(Some(&[&rsa]), true)),
        ])
    };
    // ECDSA pinned: authenticated, with a warning about the RSA chain.
    let v = run(dane_host(vec![ee(&ec)]), &[two()]);
    assert!(v.authenticated);
    let a = only_address(&v);
    assert_eq!(a.families.len(), 2);
    assert_eq!(codes(&a.findings), ["unpinned_chain"]);
    let f = &a.findings[0];
    assert_eq!((f.severity, &f.finding), (Severity::Warning, &Finding::UnpinnedChain { family: SignatureFamily::Rsa }));
    assert_eq!(
        f.fix.as_ref().map(|f| f.fix.clone()),
        Some(Fix::PublishTlsa {
            owner: OWNER.into(),
            record: suggested(&rsa),
            replaces: vec![],
            keep: vec![record_text(&ee(&ec))]
        })
    );
    // RSA pinned: a default client gets the ECDSA chain and defers.
    let v = run(dane_host(vec![ee(&rsa)]), &[two()]);
    let a = only_address(&v);
    assert_eq!(a.verdict, Verdict::NotAuthenticated);
    assert_eq!(
        a.findings[0].finding,
        Finding::TlsaNoMatch {
            family: SignatureFamily::Ecdsa,
            matching_families: vec![SignatureFamily::Rsa],
            records: vec![suggested(&rsa)],
        }
    );
    assert!(a.findings[0].message.contains("the server's RSA chain does match"));
    let fix = a.findings[0].fix.as_ref().unwrap();
    assert_eq!(
        fix.fix,
        Fix::PublishTlsa {
            owner: OWNER.into(),
            record: suggested(&ec),
            replaces: vec![],
            keep: vec![record_text(&ee(&rsa))]
        }
    );
    assert!(
        fix.message
            .contains(&format!("in addition to `{}`, which pins the server's other chain", record_text(&ee(&rsa)))),
        "{}",
        fix.message
    );
    assert_eq!(fix.fix.record_line(), Some(format!("{OWNER} IN TLSA {}", suggested(&ec))));
    // An RSA-only server: the RSA chain is the default.
    let mut no_ec = report(None, true);
    no_ec.error = Some(StepFailure { step: Step::TlsHandshake, kind: "tls".into(), message: "no shared".into() });
    let v = run(
        dane_host(vec![ee(&rsa)]),
        &[probe_with(vec![(SignatureFamily::Ecdsa, no_ec), (SignatureFamily::Rsa, report(Some(&[&rsa]), true))])],
    );
    assert_eq!(only_address(&v).default_family, Some(SignatureFamily::Rsa));
    assert!(v.authenticated);
}

#[test]
fn starttls_missing_defers_only_with_dane() {
    let p =
        probe_with(vec![(SignatureFamily::Ecdsa, report(None, false)), (SignatureFamily::Rsa, report(None, false))]);
    let v = run(dane_host(vec![ee(&leaf())]), std::slice::from_ref(&p));
    let a = only_address(&v);
    assert_eq!((a.verdict, a.starttls), (Verdict::NoStarttls, false));
    let f = find(&a.findings, "starttls_missing");
    assert_eq!((f.severity, &f.finding), (Severity::Error, &Finding::StarttlsMissing { dane: true }));
    assert_eq!(f.fix.as_ref().map(|f| f.fix.clone()), Some(Fix::EnableStarttls));
    let v = run(host(HostOutcome::NoDane, Status::Secure, Proof::Secure, vec![]), &[p]);
    let f = find(&only_address(&v).findings, "starttls_missing");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("plaintext"));
}

#[test]
fn probe_failures_and_missing_probes() {
    let l = leaf();
    // No probe report for the host at all.
    let v = run(dane_host(vec![ee(&l)]), &[]);
    assert_eq!(v.verdict, Verdict::NotProbed);
    assert_eq!(codes(&only_address(&v).findings), ["not_probed"]);
    // Refused by policy (the edge's SSRF rules).
    let mut refused = probe(&[&l]);
    if let Some(a) = refused.addresses.first_mut() {
        a.refused = Some("refused by policy: loopback".into());
        a.probes.clear();
    }
    let v = run(dane_host(vec![ee(&l)]), &[refused]);
    assert_eq!(
        only_address(&v).findings[0].finding,
        Finding::NotProbed { reason: "refused by policy: loopback".into() }
    );
    // Connection refused.
    let mut down = report(None, true);
    down.starttls_offered = None;
    down.error = Some(StepFailure { step: Step::Connect, kind: "io".into(), message: "connection refused".into() });
    let v = run(
        dane_host(vec![ee(&l)]),
        &[probe_with(vec![(SignatureFamily::Ecdsa, down.clone()), (SignatureFamily::Rsa, down)])],
    );
    let a = only_address(&v);
    assert_eq!(a.verdict, Verdict::Unreachable);
    assert_eq!(
        a.findings[0].finding,
        Finding::ProbeFailed { step: "connect".into(), message: "connection refused".into() }
    );
    // The step in words, not its JSON word; one this version does not know as it came.
    assert_eq!(a.findings[0].message, "the probe failed at the TCP connection: connection refused");
    let newer = Finding::ProbeFailed { step: "tls_resume".into(), message: "m".into() };
    assert_eq!(newer.message(), "the probe failed at tls_resume: m");
    assert_eq!(a.findings[0].fix.as_ref().map(|f| f.fix.clone()), Some(Fix::CheckReachability));
}

#[test]
fn dns_outcomes_become_host_findings() {
    let l = leaf();
    // Only unusable records: TLS mandatory, unauthenticated; the fix replaces them.
    let pkix = tlsa(Usage::PKIX_EE, Selector::SPKI, MatchingType::SHA2_256, &l.der);
    let v =
        run(host(HostOutcome::TlsUnauthenticated, Status::Secure, Proof::Secure, vec![pkix.clone()]), &[probe(&[&l])]);
    assert_eq!(v.verdict, Verdict::TlsUnauthenticated);
    let h = v.hosts.first().unwrap();
    let f = find(&h.findings, "only_unusable_records");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.fix.as_ref().map(|f| f.fix.clone()),
        Some(Fix::PublishTlsa {
            owner: OWNER.into(),
            record: suggested(&l),
            replaces: vec![record_text(&pkix)],
            keep: vec![]
        })
    );
    // Mixed: the unusable one is ignored (info).
    let v = run(dane_host(vec![pkix, ee(&l), ee(&leaf())]), &[probe(&[&l])]);
    assert!(v.authenticated);
    assert_eq!(codes(&v.hosts.first().unwrap().findings), ["unusable_records_ignored"]);
    // Secure denial of TLSA: no DANE, and the record to publish.
    let v = run(host(HostOutcome::NoDane, Status::Secure, Proof::Secure, vec![]), &[probe(&[&l])]);
    assert_eq!(v.verdict, Verdict::NoDane);
    let f = find(&v.hosts.first().unwrap().findings, "no_tlsa");
    assert_eq!(
        f.fix.as_ref().map(|f| f.fix.clone()),
        Some(Fix::PublishTlsa { owner: OWNER.into(), record: suggested(&l), replaces: vec![], keep: vec![] })
    );
    // Insecure addresses: no DANE; sign the zone.
    let insecure = Proof::Insecure { zone_cut: "example.com.".into(), why: "no DS".into() };
    let v = run(host(HostOutcome::NoDane, Status::Insecure, insecure.clone(), vec![ee(&l)]), &[probe(&[&l])]);
    let f = find(&v.hosts.first().unwrap().findings, "insecure_no_dane");
    assert_eq!(f.fix.as_ref().map(|f| f.fix.clone()), Some(Fix::SignZone { zone: "example.com.".into() }));
    assert_eq!(only_address(&v).verdict, Verdict::NoDane);
    assert!(!only_address(&v).authenticated, "insecure records never authenticate");
    // Insecure TLSA only.
    let v = run(host(HostOutcome::NoDane, Status::Secure, insecure, vec![ee(&l)]), &[probe(&[&l])]);
    assert_eq!(
        find(&v.hosts.first().unwrap().findings, "insecure_no_dane").finding,
        Finding::InsecureNoDane { name: OWNER.into(), rtype: "TLSA".into(), zone_cut: "example.com.".into() }
    );
    // Bogus TLSA: deferred, with the repair.
    let bogus = Proof::bogus(ReasonKind::SignatureExpired, "RRSIG over TLSA expired");
    let v = run(host(HostOutcome::Deferred, Status::Secure, bogus, vec![ee(&l)]), &[probe(&[&l])]);
    assert_eq!(v.verdict, Verdict::Deferred);
    let f = find(&v.hosts.first().unwrap().findings, "dnssec_bogus");
    assert_eq!(
        f.fix.as_ref().map(|f| f.fix.clone()),
        Some(Fix::RepairDnssec { name: OWNER.into(), rtype: "TLSA".into(), kind: ReasonKind::SignatureExpired })
    );
    assert!(f.fix.as_ref().unwrap().message.contains("re-sign the zone"));
    // Bogus addresses are never probed.
    let h = host(HostOutcome::Deferred, Status::Bogus, Proof::Secure, vec![ee(&l)]);
    let report = domain(MxOutcome::Hosts, Proof::Secure, vec![h]);
    assert!(probe_targets(&report).is_empty());
    let v = evaluate(&report, &[], NOW);
    assert_eq!(codes(&v.hosts.first().unwrap().findings), ["dnssec_bogus"]);
    assert!(v.hosts.first().unwrap().addresses.is_empty());
    // No address records.
    let mut none = host(HostOutcome::NoAddress, Status::Secure, Proof::Secure, vec![]);
    none.addresses.iter_mut().for_each(|a| a.addresses.clear());
    let v = run(none, &[]);
    assert_eq!((v.verdict, codes(&v.hosts.first().unwrap().findings)), (Verdict::NoAddress, vec!["no_address"]));
}

#[test]
fn domain_level_outcomes() {
    let v = evaluate(&domain(MxOutcome::NullMx, Proof::Secure, vec![]), &[], NOW);
    assert_eq!((v.verdict, codes(&v.findings)), (Verdict::NullMx, vec!["null_mx"]));
    assert_eq!(v.findings[0].severity, Severity::Info);
    let v = evaluate(&domain(MxOutcome::NxDomain, Proof::Secure, vec![]), &[], NOW);
    assert_eq!((v.verdict, codes(&v.findings)), (Verdict::NxDomain, vec!["domain_missing"]));
    let bogus = Proof::bogus(ReasonKind::DnskeyMissing, "no DNSKEY matches the DS");
    let v = evaluate(&domain(MxOutcome::Deferred, bogus, vec![]), &[], NOW);
    assert_eq!((v.verdict, codes(&v.findings)), (Verdict::Deferred, vec!["dnssec_bogus"]));
    assert!(v.findings[0].fix.as_ref().unwrap().message.contains("DS"));
    let down = Proof::indeterminate(ReasonKind::Network, "timeout");
    let v = evaluate(&domain(MxOutcome::Deferred, down, vec![]), &[], NOW);
    assert_eq!(codes(&v.findings), ["dnssec_indeterminate"]);
    // Insecure MX over an authenticating host: trusted, not authenticated.
    let l = leaf();
    let insecure = Proof::Insecure { zone_cut: "example.com.".into(), why: "no DS".into() };
    let v = evaluate(&domain(MxOutcome::Hosts, insecure, vec![dane_host(vec![ee(&l)])]), &[probe(&[&l])], NOW);
    assert_eq!((v.verdict, v.authenticated), (Verdict::Trusted, false));
    assert!(v.hosts.first().unwrap().authenticated);
    assert_eq!(codes(&v.findings), ["mx_insecure"]);
    // One broken MX host breaks the domain.
    let (good, bad) = (leaf(), leaf());
    let mut second = dane_host(vec![ee(&leaf())]);
    second.host = "mx2.example.com.".into();
    second.addresses[0].addresses = vec![IpAddr::from([192, 0, 2, 2])];
    let mut p2 = probe(&[&bad]);
    p2.host = "mx2.example.com".into();
    p2.addresses[0].address = IpAddr::from([192, 0, 2, 2]);
    let report = domain(MxOutcome::Hosts, Proof::Secure, vec![dane_host(vec![ee(&good)]), second]);
    let v = evaluate(&report, &[probe(&[&good]), p2], NOW);
    assert_eq!(probe_targets(&report).len(), 2);
    assert_eq!(
        probe_targets(&report)[0],
        ProbeTarget { host: "mx.example.com".into(), sni: "mx.example.com".into(), addresses: vec![ip()] }
    );
    assert!(v.hosts[0].authenticated && !v.hosts[1].authenticated);
    assert_eq!((v.verdict, v.authenticated), (Verdict::NotAuthenticated, false));
}

#[test]
fn sni_is_the_tlsa_base_domain() {
    // A secure alias whose target holds the TLSA records (RFC 7672 §2.2.2, §8.1).
    let mut h = dane_host(vec![ee(&leaf())]);
    h.tlsa_base = Some("_25._tcp.Target.Hosting.example.".into());
    let targets = probe_targets(&domain(MxOutcome::Hosts, Proof::Secure, vec![h]));
    assert_eq!(
        targets,
        [ProbeTarget { host: "mx.example.com".into(), sni: "target.hosting.example".into(), addresses: vec![ip()] }]
    );
}

#[test]
fn codes_are_stable_and_serialised_with_their_data() {
    let l = leaf();
    let v = run(dane_host(vec![ee(&leaf())]), &[probe(&[&l])]);
    let json = serde_json::to_value(&v).unwrap();
    let a = &json["hosts"][0]["addresses"][0];
    for field in ["address", "starttls", "tls_version", "chain", "matched", "authenticated", "findings"] {
        assert!(a.get(field).is_some(), "{field} missing in {a}");
    }
    assert_eq!(a["address"], "192.0.2.1");
    assert_eq!(a["chain"][0]["sha256"], Presented::from_der(&l.der).sha256);
    let f = &a["findings"][0];
    assert_eq!(f["code"], "tlsa_no_match");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["family"], "ecdsa");
    assert_eq!(f["fix"]["action"], "publish_tlsa");
    assert_eq!(f["fix"]["record"], suggested(&l));
    assert!(f["message"].as_str().unwrap().ends_with("matches no certificate of the ECDSA chain the server presents to a default client: DANE-aware senders defer mail to it"));
    assert_eq!(json["verdict"], "not_authenticated");
    assert_eq!(json["rounds"], 2);
    // Every code is distinct and is the serde tag.
    let all = [
        Finding::NullMx,
        Finding::DomainMissing,
        Finding::MxInsecure { zone_cut: String::new() },
        Finding::MxHostsUnchecked { checked: 0, unchecked: 0 },
        Finding::DnssecBogus {
            name: String::new(),
            rtype: String::new(),
            kind: ReasonKind::Network,
            detail: String::new(),
        },
        Finding::DnssecIndeterminate {
            name: String::new(),
            rtype: String::new(),
            kind: ReasonKind::Network,
            detail: String::new(),
        },
        Finding::NoAddress { host: String::new() },
        Finding::InsecureNoDane { name: String::new(), rtype: String::new(), zone_cut: String::new() },
        Finding::NoTlsa { owner: String::new() },
        Finding::OnlyUnusableRecords { owner: String::new(), records: vec![] },
        Finding::UnusableRecordsIgnored { owner: String::new(), records: vec![] },
        Finding::SingleRecordPinned { owner: String::new(), record: String::new() },
        Finding::NotProbed { reason: String::new() },
        Finding::ProbeFailed { step: String::new(), message: String::new() },
        Finding::StarttlsMissing { dane: true },
        Finding::TlsaNoMatch { family: SignatureFamily::Ecdsa, matching_families: vec![], records: vec![] },
        Finding::TaNotSent { record: String::new() },
        Finding::TaMatchesLeaf { record: String::new() },
        Finding::ChainExpiredUnderDaneTa { depth: None, subject: String::new(), not_after: 0 },
        Finding::ChainNotYetValidUnderDaneTa { depth: None, subject: String::new(), not_before: 0 },
        Finding::NameMismatch { presented: vec![], reference: vec![] },
        Finding::TaPathInvalid { record: String::new(), detail: String::new() },
        Finding::UnpinnedChain { family: SignatureFamily::Rsa },
        Finding::LeafExpiredUnderDaneEe { not_after: 0 },
        Finding::ChainExpiresSoon { depth: None, subject: String::new(), not_after: 0 },
    ];
    let mut seen = BTreeSet::new();
    for f in &all {
        assert!(seen.insert(f.code()), "duplicate {}", f.code());
        assert_eq!(serde_json::to_value(f).unwrap()["code"], f.code());
        assert!(f.rfc().starts_with("RFC "), "{}", f.code());
        assert!(!f.to_string().is_empty() && !f.to_string().ends_with('.'), "{}", f.code());
    }
}

#[test]
fn utc_formats_unix_seconds() {
    assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
    assert_eq!(utc(NOW), "2030-01-01 00:00:00 UTC");
    assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
}

#[test]
fn derived_texts_follow_the_data_when_read_back() {
    let l = leaf();
    let v = run(dane_host(vec![ee(&l)]), &[probe(&[&l])]);
    let mut json = serde_json::to_value(&v).unwrap();
    // `rfc` and `outcome_rfc` are functions of `code` and `outcome`.
    json["hosts"][0]["outcome_rfc"] = "RFC 0000".into();
    json["hosts"][0]["findings"][0]["rfc"] = "RFC 0000".into();
    let back: DomainVerdict = serde_json::from_value(json).unwrap();
    assert_eq!(back, v);
    assert!(serde_json::from_str::<DomainVerdict>(r#"{"domain":"x"}"#).is_err());
}

#[test]
fn every_verdict_is_read_from_its_word_as_serde_reads_it() {
    // A new verdict fails to compile here until it has its place in `Verdict::ALL`.
    let place = |v: Verdict| match v {
        Verdict::Authenticated => 0,
        Verdict::Trusted => 1,
        Verdict::Incomplete => 2,
        Verdict::NoDane => 3,
        Verdict::TlsUnauthenticated => 4,
        Verdict::NullMx => 5,
        Verdict::NotAuthenticated => 6,
        Verdict::NoStarttls => 7,
        Verdict::Unreachable => 8,
        Verdict::NotProbed => 9,
        Verdict::NoAddress => 10,
        Verdict::Deferred => 11,
        Verdict::NxDomain => 12,
    };
    for (i, v) in Verdict::ALL.into_iter().enumerate() {
        assert_eq!(place(v), i, "{v}");
        let word = serde_json::to_string(&v).unwrap();
        assert_eq!(word, format!("\"{}\"", v.as_str()));
        assert_eq!(Verdict::from_word(v.as_str()), Some(v));
        assert_eq!(serde_json::from_str::<Verdict>(&word).unwrap(), v);
    }
    assert!(Verdict::ALL.is_sorted(), "from best to worst");
    for word in ["", "Authenticated", "no-dane", "pending"] {
        assert_eq!(Verdict::from_word(word), None, "{word}");
        assert!(serde_json::from_str::<Verdict>(&format!("\"{word}\"")).is_err());
    }
}

#[test]
fn one_severity_scale_for_verdicts_findings_and_dnssec() {
    use super::tone::Tone;
    for (v, tone) in [
        (Verdict::Authenticated, Tone::Good),
        (Verdict::Deferred, Tone::Error),
        (Verdict::NoStarttls, Tone::Error),
        (Verdict::NoAddress, Tone::Error),
        (Verdict::TlsUnauthenticated, Tone::Error),
        (Verdict::NotAuthenticated, Tone::Error),
        (Verdict::NxDomain, Tone::Error),
        (Verdict::NoDane, Tone::Warning),
        (Verdict::Trusted, Tone::Warning),
        (Verdict::NullMx, Tone::Info),
        (Verdict::NotProbed, Tone::Neutral),
    ] {
        assert_eq!(v.tone(), tone, "{v}");
    }
    assert_eq!(super::status_tone(Status::Bogus), Tone::Error);
    assert_eq!(super::status_tone(Status::Insecure), Tone::Warning);
    // The rollover note is information, never an error.
    let l = leaf();
    let v = run(dane_host(vec![ee(&l)]), &[probe(&[&l])]);
    let f = find(&v.hosts[0].findings, "single_record_pinned");
    assert_eq!(f.tone(), Tone::Info);
    assert!(v.first_fix().is_none(), "a note is no fix to make first");
}

#[test]
fn failing_hosts_come_first_with_the_first_fix() {
    let (good, stale) = (leaf(), leaf());
    let mut healthy = dane_host(vec![ee(&good)]);
    healthy.host = "mx1.example.com.".into();
    healthy.tlsa_base = Some("_25._tcp.mx1.example.com.".into());
    healthy.preference = 10;
    let mut broken = dane_host(vec![ee(&leaf())]);
    broken.host = "mx2.example.com.".into();
    broken.tlsa_base = Some("_25._tcp.mx2.example.com.".into());
    broken.preference = 20;
    let dns = domain(MxOutcome::Hosts, Proof::Secure, vec![healthy, broken]);
    let mut p1 = probe(&[&good]);
    p1.host = "mx1.example.com".into();
    let mut p2 = probe(&[&stale]);
    p2.host = "mx2.example.com".into();
    let v = evaluate(&dns, &[p1, p2], NOW);
    assert_eq!(v.verdict, Verdict::NotAuthenticated);
    let names = |hs: &mut dyn Iterator<Item = &HostVerdict>| hs.map(|h| h.host.clone()).collect::<Vec<_>>();
    assert_eq!(names(&mut v.failing_hosts()), ["mx2.example.com."]);
    assert_eq!(names(&mut v.hosts_worst_first()), ["mx2.example.com.", "mx1.example.com."]);
    let (host, first) = v.first_fix().expect("a fix");
    assert_eq!(host.map(|h| h.host.as_str()), Some("mx2.example.com."));
    assert_eq!(first.code(), "tlsa_no_match");
    assert_eq!(
        first.fix.as_ref().and_then(|f| f.fix.record_line()),
        Some(format!("_25._tcp.mx2.example.com. IN TLSA {}", suggested(&stale)))
    );
}

// ── signatures that run out (issue 15: RRSIG look-ahead) ───────────────

const DAY: i64 = 86_400;

fn sig(rrset_owner: &str, rtype: &str, inception: i64, expiration: i64) -> SigExpiry {
    SigExpiry { owner: rrset_owner.into(), rtype: rtype.into(), inception, expiration }
}

#[test]
fn a_signature_is_due_when_close_to_its_end_and_far_into_its_validity() {
    let ahead = LookAhead::default();
    // A 30-day signature with 2 days left: re-signing should have happened.
    assert!(ahead.signature_due(&sig(OWNER, "TLSA", NOW - 28 * DAY, NOW + 2 * DAY), NOW));
    // BIND's default: 14-day validity, refreshed 5 days ahead; at 6 days left all is well.
    assert!(!ahead.signature_due(&sig(OWNER, "TLSA", NOW - 8 * DAY, NOW + 6 * DAY), NOW));
    // An online signer: a day and a half of validity, a day left: fresh, not due.
    assert!(!ahead.signature_due(&sig(OWNER, "TLSA", NOW - DAY / 2, NOW + DAY), NOW));
    // Beyond the window (7 days by default), even late in its life: not yet.
    assert!(!ahead.signature_due(&sig(OWNER, "TLSA", NOW - 100 * DAY, NOW + 8 * DAY), NOW));
    // --days 10 widens the window; the quarter rule still applies.
    assert!(LookAhead::days(10).signature_due(&sig(OWNER, "TLSA", NOW - 100 * DAY, NOW + 8 * DAY), NOW));
    assert!(!LookAhead::days(10).signature_due(&sig(OWNER, "TLSA", NOW - 8 * DAY, NOW + 8 * DAY), NOW));
    // Exactly a quarter left counts; a nonsensical validity never does.
    assert!(ahead.signature_due(&sig(OWNER, "TLSA", NOW - 3 * DAY, NOW + DAY), NOW));
    assert!(!ahead.signature_due(&sig(OWNER, "TLSA", NOW + 5 * DAY, NOW + DAY), NOW));
}

#[test]
fn expiring_signatures_are_reported_where_they_matter_once() {
    let leaf = make("mx.example.com", &["mx.example.com"], false, None, 2029, 2031);
    let probes = [probe(&[&leaf])];
    let pin = vec![ee(&leaf)];
    let tlsa_sig = sig(OWNER, "TLSA", NOW - 28 * DAY, NOW + 2 * DAY + 3600);
    let zone_sig = sig("example.com.", "DNSKEY", NOW - 13 * DAY, NOW + DAY);
    // The host's TLSA signature: a host finding, with the re-signing fix.
    let mut h = dane_host(pin.clone());
    h.expiry = Some(tlsa_sig.clone());
    let v = evaluate(&domain(MxOutcome::Hosts, Proof::Secure, vec![h.clone()]), &probes, NOW);
    assert!(v.authenticated, "a warning does not change the verdict");
    let host = v.hosts.first().unwrap();
    let found = host.findings.iter().find(|r| r.code() == "signatures_expire_soon").unwrap();
    assert_eq!(found.severity, Severity::Warning);
    assert_eq!(
        found.finding,
        Finding::SignaturesExpireSoon {
            rrset: "_25._tcp.mx.example.com. TLSA".into(),
            inception: NOW - 28 * DAY,
            expiration: NOW + 2 * DAY + 3600,
            hours_left: 49
        }
    );
    assert!(found.message.contains("expire at 2030-01-03 01:00:00 UTC (in 2 days)"), "{}", found.message);
    assert!(found.message.contains("93% of the way into a validity of 30 days"), "{}", found.message);
    assert!(
        found
            .fix
            .as_ref()
            .map(|f| f.message.as_str())
            .unwrap_or_default()
            .starts_with("re-sign the zone that holds the TLSA records of _25._tcp.mx.example.com.")
    );
    assert_eq!(v.first_signature_expiry, Some(tlsa_sig.clone()));
    assert!(!codes(&v.findings).contains(&"signatures_expire_soon"));
    // A window that ends before it: nothing to say.
    let later =
        evaluate_with(&domain(MxOutcome::Hosts, Proof::Secure, vec![h.clone()]), &probes, NOW, &LookAhead::days(1));
    assert!(later.hosts.iter().all(|h| !codes(&h.findings).contains(&"signatures_expire_soon")));
    assert_eq!(later.first_signature_expiry, Some(tlsa_sig), "the first expiry is reported whether due or not");
    // The zone's keys run out for the MX answer and the host alike: said once, for the domain.
    h.expiry = Some(zone_sig.clone());
    let mut dns = domain(MxOutcome::Hosts, Proof::Secure, vec![h]);
    dns.mx_expiry = Some(zone_sig);
    let v = evaluate(&dns, &probes, NOW);
    assert_eq!(codes(&v.findings), vec!["signatures_expire_soon"]);
    assert!(v.hosts.iter().all(|h| !codes(&h.findings).contains(&"signatures_expire_soon")));
    let fix = v.findings.first().and_then(|r| r.fix.clone()).map(|f| f.message).unwrap_or_default();
    assert!(fix.starts_with("re-sign the zone that holds the DNSKEY records of example.com."), "{fix}");
    // A DS is the parent's to re-sign.
    let ds = signature_findings(
        &SmtpReport { mx_expiry: Some(sig("example.com.", "DS", NOW - 20 * DAY, NOW + DAY)), ..dns },
        NOW,
        &LookAhead::default(),
    );
    assert!(
        ds.0.and_then(|r| r.fix)
            .map(|f| f.message)
            .unwrap_or_default()
            .starts_with("the DS record of example.com. is signed by its parent zone")
    );
}
