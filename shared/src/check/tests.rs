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
