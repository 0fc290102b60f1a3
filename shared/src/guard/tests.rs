//! The guard's decisions, on chains made fresh (the test-support crate's rcgen builders) and host reports
//! as the DNS stage hands them over.

use std::net::IpAddr;

use geleit_test_support::certs::{Cert as Node, Key, KeyAlg, Spec};

use super::*;
use crate::cert::{PublicKey, read_input};
use crate::dns::{AddressSet, HostOutcome, Proof, ReasonKind, TlsaRecord, UncheckedHost, Validated};

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000;
const MX: &str = "mx.example.com.";
const OWNER: &str = "_25._tcp.mx.example.com.";

/// An ECDSA P-256 certificate (with `key`, else a fresh key) valid from 2029-01-01 to January 1st of `until`.
fn make(cn: &str, sans: &[&str], ca: bool, parent: Option<&Node>, key: Option<&Key>, until: i32) -> Node {
    let spec = Spec::leaf(cn, sans).years(2029, until);
    let spec = if ca { Spec { ca: Some(None), ..spec } } else { spec };
    match key {
        Some(key) => spec.make_with(parent, key),
        None => spec.make(parent),
    }
}

fn ca(cn: &str) -> Node {
    make(cn, &[], true, None, None, 2040)
}

fn leaf(parent: &Node, sans: &[&str]) -> Node {
    make("leaf", sans, false, Some(parent), None, 2031)
}

fn chain(nodes: &[&Node]) -> Candidate {
    let pem: String = nodes.iter().map(|n| n.pem.clone()).collect();
    Candidate::from_input(&read_input(pem.as_bytes()).unwrap(), NOW).unwrap()
}

fn ee(node: &Node) -> Tlsa {
    spki_record(Usage::DANE_EE, &node.spki)
}

fn ta(node: &Node) -> Tlsa {
    spki_record(Usage::DANE_TA, &node.spki)
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
    vec![AddressSet { rtype: "A".into(), status, proof, addresses: vec![IpAddr::from([192, 0, 2, 1])] }]
}

fn host_with(addr: Status, proof: Proof, records: Vec<Tlsa>) -> HostReport {
    HostReport {
        host: MX.into(),
        preference: 10,
        cname_chain: vec![],
        addresses: addresses(addr),
        tlsa_base: Some(OWNER.into()),
        tlsa: Validated::new(proof, records.into_iter().map(record).collect()),
        tlsa_ttl: 7200,
        outcome: HostOutcome::DaneRequired,
        why: String::new(),
        tlsa_trace: vec![],
        expiry: None,
    }
}

fn host(records: Vec<Tlsa>) -> HostReport {
    host_with(Status::Secure, Proof::Secure, records)
}

fn one(candidate: &Candidate, h: &HostReport) -> GuardReport {
    decide(candidate, &[h], NOW)
}

#[test]
fn renewal_with_the_same_key_is_safe_under_3_1_1() {
    let ca = ca("R10");
    let key = Key::new(KeyAlg::P256);
    let old = make("leaf", &["mx.example.com"], false, Some(&ca), Some(&key), 2031);
    let renewed = make("leaf", &["mx.example.com"], false, Some(&ca), Some(&key), 2032);
    let r = one(&chain(&[&renewed, &ca]), &host(vec![ee(&old)]));
    assert_eq!(r.verdict, GuardVerdict::Safe);
    assert!(
        matches!(&r.hosts[0].decision, Decision::Safe { reason: SafeReason::Matches, matched, .. } if *matched == vec![ee(&old).to_string()])
    );
}

#[test]
fn renewal_with_a_new_key_breaks_3_1_1_and_says_what_to_publish() {
    let ca = ca("R10");
    let old = leaf(&ca, &["mx.example.com"]);
    let new = leaf(&ca, &["mx.example.com"]);
    let r = one(&chain(&[&new, &ca]), &host(vec![ee(&old)]));
    assert_eq!(r.verdict, GuardVerdict::Breaks);
    let Decision::Breaks { publish, wait_seconds, remove_after, steps, why } = &r.hosts[0].decision else {
        panic!("{r:?}")
    };
    assert_eq!(publish, &vec![ee(&new).to_string()], "only the new key's 3 1 1: no DANE-TA record is published");
    assert_eq!(*wait_seconds, 7200);
    assert_eq!(remove_after, &vec![ee(&old).to_string()]);
    assert_eq!(steps.len(), 4);
    assert!(
        steps[0].starts_with(&format!("publish `{OWNER} IN TLSA {}` at {OWNER}, next to", ee(&new))),
        "{}",
        steps[0]
    );
    assert!(steps[1].contains("2 h (7200 s)"), "{}", steps[1]);
    assert!(why[0].contains("DANE-EE(3) does not match"), "{why:?}");
    assert_eq!(r.candidate.record, ee(&new).to_string());
}

#[test]
fn a_rotated_intermediate_breaks_2_1_1_and_both_records_are_offered() {
    let root = ca("ISRG Root X1");
    let r10 = make("R10", &[], true, Some(&root), None, 2040);
    let r11 = make("R11", &[], true, Some(&root), None, 2040);
    let new = leaf(&r11, &["mx.example.com"]);
    let r = one(&chain(&[&new, &r11]), &host(vec![ta(&r10)]));
    let Decision::Breaks { publish, .. } = &r.hosts[0].decision else { panic!("{r:?}") };
    assert_eq!(publish, &vec![ee(&new).to_string(), ta(&r11).to_string()]);
    // The same intermediate still pinned: safe.
    let r = one(&chain(&[&new, &r11]), &host(vec![ta(&r11)]));
    assert_eq!(r.verdict, GuardVerdict::Safe, "{r:?}");
}

#[test]
fn dane_ta_needs_the_host_name_in_the_new_certificate() {
    let ca = ca("R10");
    let new = leaf(&ca, &["other.example.net"]);
    let r = one(&chain(&[&new, &ca]), &host(vec![ta(&ca)]));
    let Decision::Breaks { publish, why, .. } = &r.hosts[0].decision else { panic!("{r:?}") };
    assert!(why[0].contains("reference name"), "{why:?}");
    // The CA's 2 1 1 is already there; only the 3 1 1 helps.
    assert_eq!(publish, &vec![ee(&new).to_string()]);
}

#[test]
fn a_key_alone_decides_dane_ee_spki_records_only() {
    let ca = ca("R10");
    let old = leaf(&ca, &["mx.example.com"]);
    let key = |node: &Node| Candidate::Key {
        spki: PublicKey::from_der(&node.spki).unwrap().spki().to_vec(),
        what: "public key",
        key: "ECDSA P-256".into(),
    };
    assert_eq!(one(&key(&old), &host(vec![ee(&old)])).verdict, GuardVerdict::Safe);
    let new = leaf(&ca, &["mx.example.com"]);
    assert_eq!(one(&key(&new), &host(vec![ee(&old)])).verdict, GuardVerdict::Breaks);
    // DANE-TA depends on the chain the CA has not issued yet.
    let r = one(&key(&new), &host(vec![ta(&ca)]));
    assert!(matches!(&r.hosts[0].decision, Decision::Undecided { why } if why.contains("DANE-TA(2)")), "{r:?}");
    // ... unless a DANE-EE record pins the key anyway.
    assert_eq!(one(&key(&new), &host(vec![ta(&ca), ee(&new)])).verdict, GuardVerdict::Safe);
}

#[test]
fn dns_that_does_not_validate_is_never_safe() {
    let ca = ca("R10");
    let new = leaf(&ca, &["mx.example.com"]);
    let c = chain(&[&new, &ca]);
    let bogus = Proof::bogus(ReasonKind::SignatureExpired, "RRSIG over TLSA expired");
    for h in [
        host_with(Status::Secure, bogus, vec![ee(&new)]),
        host_with(Status::Secure, Proof::indeterminate(ReasonKind::Network, "down"), vec![]),
        host_with(
            Status::Secure,
            Proof::Insecure { zone_cut: "example.com.".into(), why: "no DS".into() },
            vec![ee(&new)],
        ),
        host_with(Status::Bogus, Proof::Secure, vec![ee(&new)]),
        host_with(Status::Insecure, Proof::Secure, vec![ee(&new)]),
    ] {
        let r = one(&c, &h);
        assert_eq!(r.verdict, GuardVerdict::Undecided, "{h:?}");
    }
    let mut no_address = host(vec![ee(&new)]);
    no_address.addresses[0].addresses.clear();
    assert_eq!(one(&c, &no_address).verdict, GuardVerdict::Undecided);
}

#[test]
fn no_tlsa_and_only_unusable_records_are_safe_with_the_reason() {
    let ca = ca("R10");
    let new = leaf(&ca, &["mx.example.com"]);
    let c = chain(&[&new, &ca]);
    let r = one(&c, &host(vec![]));
    assert!(matches!(r.hosts[0].decision, Decision::Safe { reason: SafeReason::NoTlsa, .. }));
    let pkix = Tlsa::new(Usage::PKIX_EE, Selector::SPKI, MatchingType::SHA2_256, vec![0; 32]);
    let r = one(&c, &host(vec![pkix]));
    assert!(matches!(r.hosts[0].decision, Decision::Safe { reason: SafeReason::NoUsableRecords, .. }));
}

#[test]
fn one_broken_host_breaks_and_one_undecided_host_wins() {
    let ca = ca("R10");
    let old = leaf(&ca, &["mx.example.com"]);
    let new = leaf(&ca, &["mx.example.com"]);
    let c = chain(&[&new, &ca]);
    let (good, bad) = (host(vec![ee(&new)]), host(vec![ee(&old)]));
    assert_eq!(decide(&c, &[&good, &bad], NOW).verdict, GuardVerdict::Breaks);
    let unknown = host_with(Status::Secure, Proof::indeterminate(ReasonKind::Network, "down"), vec![]);
    assert_eq!(decide(&c, &[&good, &bad, &unknown], NOW).verdict, GuardVerdict::Undecided);
}

#[test]
fn expired_and_mixed_input_is_refused() {
    let ca = ca("R10");
    let expired = make("leaf", &["mx.example.com"], false, Some(&ca), None, 2029);
    let input = read_input(format!("{}{}", expired.pem, ca.pem).as_bytes()).unwrap();
    let err = Candidate::from_input(&input, NOW).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected a certificate chain that is valid now (2030-01-01 00:00:00 UTC), found the certificate at depth 0 (CN=leaf) expired at 2029-01-01 00:00:00 UTC"
    );
    let pubkey = Key::new(KeyAlg::P256).public_pem;
    let input = read_input(format!("{}{pubkey}", ca.pem).as_bytes()).unwrap();
    assert!(matches!(Candidate::from_input(&input, NOW), Err(GuardError::Candidate { .. })));
    let input = read_input(format!("{pubkey}{pubkey}").as_bytes()).unwrap();
    assert_eq!(
        Candidate::from_input(&input, NOW).unwrap_err().to_string(),
        "expected a certificate chain (leaf first, as in fullchain.pem), or one public key or certificate request, found 2 public keys or certificate requests"
    );
    assert!(matches!(
        Candidate::from_input(&read_input(pubkey.as_bytes()).unwrap(), NOW),
        Ok(Candidate::Key { what: "public key", .. })
    ));
}

fn report(outcome: MxOutcome, hosts: Vec<HostReport>) -> SmtpReport {
    SmtpReport {
        domain: "example.com.".into(),
        mx_status: Status::Secure,
        mx_proof: Proof::Secure,
        mx_outcome: outcome,
        hosts,
        unchecked: Vec::<UncheckedHost>::new(),
        dane_ready: true,
        rounds: 2,
        queries: 9,
        trace: vec![],
        mx_expiry: None,
        tlsrpt_txt: None,
        mta_sts_txt: None,
        mta_sts_host: None,
    }
}

#[test]
fn hosts_come_from_the_certificate_names_or_must_be_mx_hosts() {
    let ca = ca("R10");
    let new = leaf(&ca, &["*.example.com"]);
    let c = chain(&[&new, &ca]);
    let mut mx2 = host(vec![]);
    mx2.host = "mx2.example.net.".into();
    let rep = report(MxOutcome::Hosts, vec![host(vec![]), mx2]);
    let picked: Vec<&str> = select_hosts(&rep, &c, &[]).unwrap().iter().map(|h| h.host.as_str()).collect();
    assert_eq!(picked, vec![MX], "the wildcard covers mx.example.com only");
    let picked = select_hosts(&rep, &c, &["MX2.example.net".into()]).unwrap();
    assert_eq!(picked[0].host, "mx2.example.net.");
    assert_eq!(
        select_hosts(&rep, &c, &["mx9.example.com".into()]).unwrap_err().to_string(),
        "expected an MX host of example.com. (mx.example.com, mx2.example.net), found mx9.example.com"
    );
    let other = chain(&[&leaf(&ca, &["www.example.org"]), &ca]);
    assert_eq!(
        select_hosts(&rep, &other, &[]).unwrap_err().to_string(),
        "expected the certificate to name an MX host of example.com. (mx.example.com, mx2.example.net), found the names www.example.org"
    );
    let key = Candidate::Key { spki: new.spki.clone(), what: "certificate request", key: String::new() };
    assert_eq!(
        select_hosts(&rep, &key, &[]).unwrap_err().to_string(),
        "expected the MX host names the certificate serves, found none: a certificate request carries no host names, so name the hosts"
    );
    for (outcome, words) in [
        (MxOutcome::NullMx, "a null MX"),
        (MxOutcome::NxDomain, "does not exist"),
        (MxOutcome::Deferred, "cannot tell the MX hosts"),
    ] {
        let err = select_hosts(&report(outcome, vec![]), &c, &[]).unwrap_err().to_string();
        assert!(err.contains(words), "{err}");
    }
}
