//! The whole check over a small signed zone: one MX host with a DANE-EE
//! record, driven as a driver would, with transport failures in between.

use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::tlsa::{CertUsage, Matching, Selector as HSelector, TLSA};
use hickory_proto::rr::rdata::{A, MX};
use hickory_proto::rr::{RData, Record, RecordType};

use super::*;
use crate::dns::testkit::{NOW, World, Zone, n};
use crate::smtp::{AlgorithmProbe, Certificate, Report, SignatureFamily, TlsFacts};
use crate::verdict::Verdict;

const NOERROR: ResponseCode = ResponseCode::NoError;

fn nsec(owner: &str, next: &str, types: &[RecordType]) -> Record {
    Record::from_rdata(n(owner), 300, RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(n(next), types.iter().copied()))))
}

/// `example.` (the trust anchor) with MX → mx.example., its A record and a
/// `3 1 1` TLSA record for `leaf`'s key; everything else denied by NSEC.
fn world(z: &Zone, leaf_spki_sha256: Vec<u8>) -> World {
    world_with(z, leaf_spki_sha256, false)
}

/// As [`world`]; with `second`, a second MX host mx2.example. (preference
/// 20) with an A record and no TLSA records.
fn world_with(z: &Zone, leaf_spki_sha256: Vec<u8>, second: bool) -> World {
    let mut w = World::default();
    w.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
    let mut mx = vec![Record::from_rdata(n("example."), 300, RData::MX(MX::new(10, n("mx.example."))))];
    if second {
        mx.push(Record::from_rdata(n("example."), 300, RData::MX(MX::new(20, n("mx2.example.")))));
    }
    w.answer("example.", RecordType::MX, NOERROR, z.signed(mx), vec![]);
    let a = Record::from_rdata(n("mx.example."), 300, RData::A(A::new(192, 0, 2, 25)));
    w.answer("mx.example.", RecordType::A, NOERROR, z.signed(vec![a]), vec![]);
    let tlsa = TLSA::new(CertUsage::DaneEe, HSelector::Spki, Matching::Sha256, leaf_spki_sha256);
    let owner = "_25._tcp.mx.example.";
    w.answer(
        owner,
        RecordType::TLSA,
        NOERROR,
        z.signed(vec![Record::from_rdata(n(owner), 300, RData::TLSA(tlsa))]),
        vec![],
    );
    let sig = [RecordType::NSEC, RecordType::RRSIG];
    let at_mx = z.signed(vec![nsec("mx.example.", owner, &[&sig[..], &[RecordType::A]].concat())]);
    let after_tlsa = if second { "mx2.example." } else { "example." };
    let at_tlsa = z.signed(vec![nsec(owner, after_tlsa, &[&sig[..], &[RecordType::TLSA]].concat())]);
    if second {
        let a2 = Record::from_rdata(n("mx2.example."), 300, RData::A(A::new(192, 0, 2, 26)));
        w.answer("mx2.example.", RecordType::A, NOERROR, z.signed(vec![a2]), vec![]);
        let at_mx2 = z.signed(vec![nsec("mx2.example.", "example.", &[&sig[..], &[RecordType::A]].concat())]);
        for t in [RecordType::DS, RecordType::DNSKEY, RecordType::AAAA] {
            w.answer("mx2.example.", t, NOERROR, vec![], at_mx2.clone());
        }
        for name in ["_tcp.mx2.example.", "_25._tcp.mx2.example."] {
            for t in [RecordType::DS, RecordType::DNSKEY, RecordType::TLSA] {
                w.answer(name, t, ResponseCode::NXDomain, vec![], at_mx2.clone());
            }
        }
    }
    for t in [RecordType::DS, RecordType::DNSKEY, RecordType::AAAA] {
        w.answer("mx.example.", t, NOERROR, vec![], at_mx.clone());
        w.answer("_tcp.mx.example.", t, NOERROR, vec![], at_mx.clone());
        w.answer(owner, t, NOERROR, vec![], at_tlsa.clone());
    }
    w
}

struct Leaf {
    der: Vec<u8>,
    spki_sha256: Vec<u8>,
}

fn leaf() -> Leaf {
    let der = geleit_test_support::certs::self_signed("mx.example", &["mx.example"]).der;
    let parsed = crate::cert::Certificate::from_der(&der).unwrap_or_else(|e| panic!("{e}"));
    let spki_sha256 = crate::tlsa_gen::association_data(
        parsed.der(),
        parsed.spki(),
        crate::tlsa::Selector::SPKI,
        crate::tlsa::MatchingType::SHA2_256,
    )
    .unwrap_or_default();
    Leaf { der, spki_sha256 }
}

/// What a probe of `target` would report: STARTTLS and the leaf.
fn probe(target: &ProbeTarget, der: &[u8]) -> ProbeHost {
    let report = Report {
        mode: TlsMode::Starttls,
        banner: vec!["mx.example ESMTP".into()],
        ehlo: None,
        starttls_offered: Some(true),
        starttls: true,
        tls: Some(TlsFacts {
            version: "TLSv1.3".into(),
            cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
            kx_group: None,
            chain: vec![Certificate::from_der(der)],
        }),
        ehlo_tls: None,
        bare_lf: false,
        steps: vec![],
        transcript: vec![],
        transcript_truncated: false,
        error: None,
    };
    ProbeHost {
        host: target.host.clone(),
        port: SMTP_PORT,
        mode: TlsMode::Starttls,
        addresses: target
            .addresses
            .iter()
            .map(|ip| AddressReport {
                address: *ip,
                port: SMTP_PORT,
                refused: None,
                probes: vec![AlgorithmProbe { signature_family: SignatureFamily::Ecdsa, report: report.clone() }],
            })
            .collect(),
    }
}

/// Drives `check` over `w`; `fail(query, attempt)` says whether an attempt
/// fails on the transport. Returns the targets handed out.
fn drive(
    check: &mut DomainCheck,
    w: &World,
    der: &[u8],
    fail: &mut dyn FnMut(&Query, u32) -> bool,
) -> Vec<ProbeTarget> {
    let mut attempts: HashMap<QueryId, u32> = HashMap::new();
    let mut targets = Vec::new();
    for _ in 0..64 {
        if check.is_done() {
            break;
        }
        for q in check.poll_queries() {
            let attempt = attempts.entry(q.id()).or_default();
            *attempt += 1;
            if fail(&q, *attempt) {
                check.handle_transport_error(q.id(), "HTTP 502 from the DoH server").unwrap_or_else(|e| panic!("{e}"));
            } else {
                check.handle_response(q.id(), &w.respond(&q)).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        for t in check.poll_probes() {
            check.handle_probe(probe(&t, der));
            targets.push(t);
        }
    }
    targets
}

fn config(z: &Zone) -> Config {
    Config { anchors: z.anchor(), ..Config::default() }
}

fn verdict_of(check: &DomainCheck) -> &DomainVerdict {
    match check.poll_result() {
        Some(CheckOutcome::Verdict(v)) => v,
        other => panic!("expected a verdict, found {other:?}"),
    }
}

#[test]
fn a_check_hands_out_the_validated_address_and_sni_and_authenticates() {
    let (z, leaf) = (Zone::new("example."), leaf());
    let w = world(&z, leaf.spki_sha256.clone());
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    let targets = drive(&mut check, &w, &leaf.der, &mut |_, _| false);
    assert_eq!(
        targets,
        vec![ProbeTarget {
            host: "mx.example".into(),
            sni: "mx.example".into(),
            addresses: vec![std::net::IpAddr::from([192, 0, 2, 25])]
        }]
    );
    let v = verdict_of(&check);
    assert_eq!(v.verdict, Verdict::Authenticated, "{v:?}");
    assert!(check.progress().done);
}

#[test]
fn transport_failures_are_retried_and_do_not_change_the_verdict() {
    let (z, leaf) = (Zone::new("example."), leaf());
    let w = world(&z, leaf.spki_sha256.clone());
    let mut calm = DomainCheck::new(n("example."), config(&z), NOW, true);
    drive(&mut calm, &w, &leaf.der, &mut |_, _| false);
    // Every query fails twice before it gets through (the third attempt).
    let mut busy = DomainCheck::new(n("example."), config(&z), NOW, true);
    drive(&mut busy, &w, &leaf.der, &mut |_, attempt| attempt < u32::from(MAX_TRANSPORT_ATTEMPTS));
    assert_eq!(verdict_of(&busy), verdict_of(&calm));
}

#[test]
fn an_unreachable_resolver_is_its_own_outcome_never_a_dnssec_verdict() {
    let (z, leaf) = (Zone::new("example."), leaf());
    let w = world(&z, leaf.spki_sha256.clone());
    // Only the TLSA query never gets through: without the rule this would be
    // "deferred: the TLSA lookup is indeterminate" about the domain.
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    let targets = drive(&mut check, &w, &leaf.der, &mut |q, _| q.rtype() == RecordType::TLSA);
    assert!(targets.is_empty(), "nothing is probed without a complete DNS stage");
    match check.poll_result() {
        Some(CheckOutcome::ResolverUnreachable(f)) => {
            assert_eq!((f.failed, f.domain.as_str()), (1, "example."));
            assert!(f.to_string().contains("this says nothing about example."), "{f}");
        }
        other => panic!("expected resolver unreachable, found {other:?}"),
    }
}

#[test]
fn a_dns_only_check_reports_the_dns_stage() {
    let (z, leaf) = (Zone::new("example."), leaf());
    let w = world(&z, leaf.spki_sha256);
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, false);
    let targets = drive(&mut check, &w, &leaf.der, &mut |_, _| false);
    assert!(targets.is_empty());
    match check.poll_result() {
        Some(CheckOutcome::Dns(report)) => assert!(report.dane_ready, "{report:?}"),
        other => panic!("expected the DNS report, found {other:?}"),
    }
}

#[test]
fn answers_for_unknown_queries_are_refused_and_late_duplicates_ignored() {
    let z = Zone::new("example.");
    let w = world(&z, vec![0; 32]);
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    assert!(check.handle_response(QueryId(9), b"").is_err(), "never handed out");
    let first = check.poll_queries();
    let q = first.first().cloned().unwrap_or_else(|| panic!("no query"));
    check.handle_transport_error(q.id(), "timeout").unwrap_or_else(|e| panic!("{e}"));
    // The retry goes out; the first attempt's answer arrives late, then the retry's.
    let again = check.poll_queries();
    assert!(again.iter().any(|r| r.id() == q.id()), "the failed query is asked again");
    check.handle_response(q.id(), &w.respond(&q)).unwrap_or_else(|e| panic!("{e}"));
    check.handle_response(q.id(), &w.respond(&q)).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_host_is_probed_as_soon_as_its_lookups_are_in_not_when_the_whole_check_is() {
    let (z, leaf) = (Zone::new("example."), leaf());
    let w = world_with(&z, leaf.spki_sha256.clone(), true);
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    // Answer everything except mx2.example.'s A query, which stays out.
    let mut held = None;
    for _ in 0..8 {
        for q in check.poll_queries() {
            if q.name().to_ascii() == "mx2.example." && q.rtype() == RecordType::A {
                held = Some(q);
            } else {
                check.handle_response(q.id(), &w.respond(&q)).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    let early = check.poll_probes();
    assert_eq!(
        early.iter().map(|t| t.host.as_str()).collect::<Vec<_>>(),
        ["mx.example"],
        "mx1 before mx2 is validated"
    );
    assert!(!check.is_done() && check.dns_report().is_none());
    for t in &early {
        check.handle_probe(probe(t, &leaf.der));
    }
    let q = held.unwrap_or_else(|| panic!("mx2's A query was never asked"));
    check.handle_response(q.id(), &w.respond(&q)).unwrap_or_else(|e| panic!("{e}"));
    let late = check.poll_probes();
    assert_eq!(late.iter().map(|t| t.host.as_str()).collect::<Vec<_>>(), ["mx2.example"]);
    for t in &late {
        check.handle_probe(probe(t, &leaf.der));
    }
    let v = verdict_of(&check);
    assert_eq!(v.hosts.len(), 2);
    assert_eq!(v.verdict, Verdict::NoDane, "mx2 has no TLSA records: {v:?}");
}

/// [`world`] with TLSRPT and MTA-STS TXT records at `_smtp._tls.example.`
/// and `_mta-sts.example.` (signed, NSEC-proven to have nothing else).
fn world_with_policies(z: &Zone, leaf_spki_sha256: Vec<u8>, sts_id: &str) -> World {
    use hickory_proto::rr::rdata::TXT;
    let mut w = world(z, leaf_spki_sha256);
    let sig = [RecordType::NSEC, RecordType::RRSIG, RecordType::TXT];
    // NSEC order: example. < _mta-sts.example. < (_tls.example., empty) <
    // _smtp._tls.example. < mta-sts.example. < mx.example.
    for (owner, text, next) in [
        ("_smtp._tls.example.", "v=TLSRPTv1; rua=mailto:tlsrpt@example".to_owned(), "mta-sts.example."),
        ("_mta-sts.example.", format!("v=STSv1; id={sts_id}"), "_smtp._tls.example."),
    ] {
        let txt = Record::from_rdata(n(owner), 300, RData::TXT(TXT::new(vec![text])));
        w.answer(owner, RecordType::TXT, NOERROR, z.signed(vec![txt]), vec![]);
        let at = z.signed(vec![nsec(owner, next, &sig)]);
        w.answer(owner, RecordType::DS, NOERROR, vec![], at.clone());
        w.answer(owner, RecordType::DNSKEY, NOERROR, vec![], at);
    }
    // The empty non-terminal: the NSEC before it points below it (RFC 4035 §3.1.3.2).
    let ent = z.signed(vec![nsec("_mta-sts.example.", "_smtp._tls.example.", &sig)]);
    w.answer("_tls.example.", RecordType::DS, NOERROR, vec![], ent.clone());
    w.answer("_tls.example.", RecordType::DNSKEY, NOERROR, vec![], ent);
    // The policy host, with one address.
    let a = Record::from_rdata(n("mta-sts.example."), 300, RData::A(A::new(192, 0, 2, 80)));
    w.answer("mta-sts.example.", RecordType::A, NOERROR, z.signed(vec![a]), vec![]);
    let at =
        z.signed(vec![nsec("mta-sts.example.", "mx.example.", &[RecordType::NSEC, RecordType::RRSIG, RecordType::A])]);
    for t in [RecordType::AAAA, RecordType::DS, RecordType::DNSKEY] {
        w.answer("mta-sts.example.", t, NOERROR, vec![], at.clone());
    }
    w
}

/// Drives the check to its end, answering the policy fetch with `fetch`;
/// returns the fetch requests handed out.
use crate::mailpolicy::PolicyFinding;

fn drive_with_fetch(check: &mut DomainCheck, w: &World, der: &[u8], fetch: &FetchResult) -> Vec<FetchRequest> {
    let mut requests = Vec::new();
    for _ in 0..64 {
        if check.is_done() {
            break;
        }
        for q in check.poll_queries() {
            check.handle_response(q.id(), &w.respond(&q)).unwrap_or_else(|e| panic!("{e}"));
        }
        for t in check.poll_probes() {
            check.handle_probe(probe(&t, der));
        }
        for r in check.poll_fetches() {
            requests.push(r);
            check.handle_fetch(fetch.clone());
        }
    }
    requests
}

fn policy_response(body: &str) -> FetchResult {
    FetchResult::Response {
        status: 200,
        content_type: Some("text/plain; charset=utf-8".into()),
        location: None,
        body: body.as_bytes().to_vec(),
    }
}

fn codes(v: &DomainVerdict) -> Vec<(String, crate::verdict::Tone)> {
    let mp = v.mail_policy.as_ref().unwrap_or_else(|| panic!("no mail policy"));
    mp.findings
        .iter()
        .map(|f| {
            let json = serde_json::to_value(f).unwrap_or_default();
            (json["code"].as_str().unwrap_or_default().to_owned(), f.tone)
        })
        .collect()
}

#[test]
fn the_mta_sts_policy_is_fetched_once_and_judged_beside_an_unchanged_dane_verdict() {
    use crate::verdict::Tone;
    let (z, leaf) = (Zone::new("example."), leaf());
    let w = world_with_policies(&z, leaf.spki_sha256.clone(), "20260101");
    let good = policy_response("version: STSv1\r\nmode: enforce\r\nmx: mx.example\r\nmax_age: 1209600\r\n");
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    let requests = drive_with_fetch(&mut check, &w, &leaf.der, &good);
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].url, "https://mta-sts.example/.well-known/mta-sts.txt");
    assert_eq!((requests[0].max_bytes, requests[0].timeout_ms), (65_536, 10_000));
    assert_eq!(requests[0].addresses, vec![std::net::IpAddr::from([192, 0, 2, 80])], "the validated address");
    let v = verdict_of(&check);
    assert_eq!((v.verdict, v.authenticated), (Verdict::Authenticated, true));
    // The policy host's addresses go out with the MX host's: no round of their own.
    let mut plain = DomainCheck::new(n("example."), config(&z), NOW, true);
    drive_with_fetch(&mut plain, &world(&z, leaf.spki_sha256.clone()), &leaf.der, &good);
    assert_eq!(v.rounds, verdict_of(&plain).rounds);
    assert_eq!(
        codes(v),
        vec![
            ("dane_takes_precedence".to_owned(), Tone::Info),
            ("tls_rpt_published".to_owned(), Tone::Good),
            ("sts_policy_active".to_owned(), Tone::Good),
        ]
    );
    let mp = v.mail_policy.as_ref().unwrap();
    assert_eq!(mp.mta_sts.as_ref().map(|r| r.id.as_str()), Some("20260101"));
    assert_eq!(mp.tlsrpt_txt.status, crate::dns::Status::Secure);
    // The JSON reads back equal (the widget reads /api/check this way).
    let json = serde_json::to_string(v).unwrap();
    assert_eq!(&serde_json::from_str::<DomainVerdict>(&json).unwrap(), v);

    // A policy whose patterns miss the MX host: an error of MTA-STS, and
    // still the same DANE verdict.
    let missing = policy_response("version: STSv1\nmode: enforce\nmx: *.other.example\nmax_age: 86400\n");
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    drive_with_fetch(&mut check, &w, &leaf.der, &missing);
    let v = verdict_of(&check);
    assert_eq!((v.verdict, v.authenticated), (Verdict::Authenticated, true));
    let found = codes(v);
    assert_eq!(found[0], ("sts_mx_not_covered".to_owned(), Tone::Error), "{found:?}");
    assert!(found.contains(&("sts_max_age_short".to_owned(), Tone::Info)), "{found:?}");
    let msg = &v.mail_policy.as_ref().unwrap().findings[0].message;
    assert!(
        msg.starts_with("MX host mx.example matches no mx pattern of the MTA-STS policy (*.other.example)"),
        "{msg}"
    );
}

#[test]
fn fetch_failures_redirects_and_id_changes_are_findings_with_their_tones() {
    use crate::verdict::Tone;
    let (z, leaf) = (Zone::new("example."), leaf());
    let w = world_with_policies(&z, leaf.spki_sha256.clone(), "new1");
    let run = |fetch: FetchResult, previous: Option<&str>| {
        let mut check =
            DomainCheck::new(n("example."), config(&z), NOW, true).with_previous_sts_id(previous.map(str::to_owned));
        drive_with_fetch(&mut check, &w, &leaf.der, &fetch);
        let v = verdict_of(&check).clone();
        assert_eq!(v.verdict, Verdict::Authenticated, "the DANE verdict does not move");
        codes(&v)
    };
    let redirect = FetchResult::Response {
        status: 301,
        content_type: None,
        location: Some("https://www.example/".into()),
        body: Vec::new(),
    };
    assert!(run(redirect, None).contains(&("sts_redirect".to_owned(), Tone::Warning)));
    let cert = FetchResult::Failed(FetchFailure::Certificate { detail: "unknown issuer".into() });
    assert!(run(cert, None).contains(&("sts_fetch_failed".to_owned(), Tone::Warning)));
    // A face that cannot fetch (a web page): not fetched, nothing said about the host.
    let page = FetchResult::Failed(FetchFailure::Unavailable { detail: "a web page cannot fetch it".into() });
    assert!(run(page, None).contains(&("sts_not_fetched".to_owned(), Tone::Neutral)));
    let refused = FetchResult::Failed(FetchFailure::Refused { detail: "127.0.0.1 is loopback".into() });
    assert!(run(refused, None).contains(&("sts_fetch_failed".to_owned(), Tone::Neutral)));
    let html = FetchResult::Response {
        status: 200,
        content_type: Some("text/html".into()),
        location: None,
        body: b"<html></html>".to_vec(),
    };
    let found = run(html, None);
    assert!(found.contains(&("sts_content_type".to_owned(), Tone::Warning)), "{found:?}");
    assert!(found.contains(&("sts_policy_invalid".to_owned(), Tone::Warning)), "{found:?}");
    let testing = policy_response("version: STSv1\nmode: testing\nmx: mx.example\nmax_age: 604800\n");
    let found = run(testing, Some("old0"));
    assert!(found.contains(&("sts_policy_active".to_owned(), Tone::Info)), "{found:?}");
    assert!(found.contains(&("sts_id_changed".to_owned(), Tone::Info)), "{found:?}");

    // A policy host whose address lookup does not validate is never
    // connected to: the core decides without handing out a fetch.
    let mut w = world_with_policies(&z, leaf.spki_sha256.clone(), "new1");
    let unsigned = Record::from_rdata(n("mta-sts.example."), 300, RData::A(A::new(192, 0, 2, 81)));
    w.answer("mta-sts.example.", RecordType::A, NOERROR, vec![unsigned], vec![]);
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    let never = FetchResult::Failed(FetchFailure::Timeout { after_ms: 1 });
    assert!(drive_with_fetch(&mut check, &w, &leaf.der, &never).is_empty(), "nothing handed out");
    let v = verdict_of(&check);
    let f = &v.mail_policy.as_ref().unwrap().findings[0];
    assert_eq!(f.tone, Tone::Warning);
    assert!(
        matches!(&f.finding, PolicyFinding::StsFetchFailed { failure: FetchFailure::Dns { detail }, .. } if detail.starts_with("the A lookup of mta-sts.example. is bogus")),
        "{f:?}"
    );
}

#[test]
fn a_dns_only_check_fetches_nothing_and_a_domain_without_records_is_told_to_add_tlsrpt() {
    use crate::verdict::Tone;
    let (z, leaf) = (Zone::new("example."), leaf());
    let w = world_with_policies(&z, leaf.spki_sha256.clone(), "1");
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, false);
    let never = FetchResult::Failed(FetchFailure::Timeout { after_ms: 1 });
    assert!(drive_with_fetch(&mut check, &w, &leaf.der, &never).is_empty());
    assert!(matches!(check.poll_result(), Some(CheckOutcome::Dns(_))));

    // No TLSRPT and no MTA-STS records (the names are NSEC-denied): with
    // DANE deployed, the advice to add TLSRPT is a warning.
    let mut w = world(&z, leaf.spki_sha256.clone());
    let sig = [RecordType::NSEC, RecordType::RRSIG, RecordType::MX, RecordType::DNSKEY];
    // example.'s NSEC covers every name between it and mx.example., the wildcard too.
    let cover = z.signed(vec![nsec("example.", "mx.example.", &sig)]);
    for name in ["_smtp._tls.example.", "_tls.example.", "_mta-sts.example."] {
        for t in [RecordType::TXT, RecordType::DS, RecordType::DNSKEY] {
            w.answer(name, t, ResponseCode::NXDomain, vec![], cover.clone());
        }
    }
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    assert!(drive_with_fetch(&mut check, &w, &leaf.der, &never).is_empty(), "no record, no fetch");
    let v = verdict_of(&check);
    assert_eq!(v.verdict, Verdict::Authenticated);
    assert_eq!(codes(v), vec![("tls_rpt_missing".to_owned(), Tone::Warning), ("sts_missing".to_owned(), Tone::Info)]);
    let mp = v.mail_policy.as_ref().unwrap();
    assert_eq!(
        (mp.tlsrpt_txt.status, mp.tlsrpt_txt.outcome),
        (crate::dns::Status::Secure, crate::dns::TxtOutcome::NoRecords)
    );
    assert_eq!(
        mp.findings[0].message,
        "no TLS reporting record at _smtp._tls.example: with DANE deployed, failure reports are how you learn that a certificate renewal broke DANE at some sender; publish `_smtp._tls.example IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example\"`"
    );

    // A resolver that could not answer the TXT names (here: unsigned empty
    // answers, which prove nothing) is never "missing".
    let w = world(&z, leaf.spki_sha256.clone());
    let mut check = DomainCheck::new(n("example."), config(&z), NOW, true);
    drive_with_fetch(&mut check, &w, &leaf.der, &never);
    let found = codes(verdict_of(&check));
    assert!(found.iter().all(|(c, _)| c == "lookup_bogus"), "{found:?}");
}
