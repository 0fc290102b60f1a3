//! One test per matching rule, on chains made fresh (the test-support crate's rcgen builders).
#![allow(clippy::cloned_ref_to_slice_refs)] // `&[ta.clone()]` reads better than `slice::from_ref` in these tests

use geleit_test_support::certs::{Cert as Node, KeyAlg, Spec};

use super::*;
use crate::tlsa_gen::association_data;

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000;

/// A CA of these tests: ECDSA P-384, valid 2020 to 2040.
fn ca_spec(cn: &str) -> Spec {
    Spec::ca(cn).alg(KeyAlg::P384).years(2020, 2040)
}

/// A leaf of these tests: CN "leaf", the DNS names `sans`, Ed25519, valid 2020 to 2040.
fn leaf_spec(sans: &[&str]) -> Spec {
    Spec::leaf("leaf", sans).alg(KeyAlg::Ed25519).years(2020, 2040)
}

fn make(spec: &Spec, parent: Option<&Node>) -> Node {
    spec.make(parent)
}

/// root → intermediate → leaf for mx.example.com.
fn three() -> (Node, Node, Node) {
    let root = make(&ca_spec("Root"), None);
    let inter = make(&ca_spec("Inter"), Some(&root));
    let leaf = make(&leaf_spec(&["mx.example.com"]), Some(&inter));
    (root, inter, leaf)
}

fn rec(usage: Usage, selector: Selector, mt: MatchingType, node: &Node) -> Tlsa {
    Tlsa::new(usage, selector, mt, association_data(&node.der, &node.spki, selector, mt).unwrap())
}

fn run(chain: &[&Node], records: &[Tlsa], names: &[&str], now: i64, days: Option<u32>) -> Report {
    let ders: Vec<&[u8]> = chain.iter().map(|n| n.der.as_slice()).collect();
    let names = ReferenceNames::new(names).unwrap();
    check(&ders, records, Check { names: &names, now, look_ahead_days: days }).unwrap()
}

const MX: &[&str] = &["example.com", "mx.example.com"];

#[test]
fn dane_ee_ignores_names_and_dates() {
    let leaf = make(&leaf_spec(&["other.example.net"]).not_ca().until(2021, 1, 1), None);
    for (sel, mt) in [
        (Selector::SPKI, MatchingType::SHA2_256),
        (Selector::CERT, MatchingType::SHA2_512),
        (Selector::SPKI, MatchingType::FULL),
    ] {
        let r = run(&[&leaf], &[rec(Usage::DANE_EE, sel, mt, &leaf)], MX, NOW, None);
        assert_eq!(r.verdict, Verdict::Authenticated);
        assert_eq!(r.matched, vec![Matched { record: 0, depth: 0 }]);
        assert_eq!(r.expiry, None);
    }
}

#[test]
fn dane_ee_does_not_match_an_issuer() {
    let (_, inter, leaf) = three();
    let r =
        run(&[&leaf, &inter], &[rec(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, &inter)], MX, NOW, None);
    assert_eq!(r.verdict, Verdict::NotAuthenticated);
    assert!(!r.records[0].matched);
}

#[test]
fn dane_ta_on_intermediate_and_root() {
    let (root, inter, leaf) = three();
    let r = run(
        &[&leaf, &inter, &root],
        &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &inter)],
        MX,
        NOW,
        None,
    );
    assert_eq!(r.verdict, Verdict::Authenticated, "{}", r.records[0].detail);
    assert_eq!(r.records[0].anchor, Some(Anchor::InChain { depth: 1 }));
    let r = run(
        &[&leaf, &inter, &root],
        &[rec(Usage::DANE_TA, Selector::CERT, MatchingType::SHA2_512, &root)],
        MX,
        NOW,
        None,
    );
    assert_eq!(r.matched, vec![Matched { record: 0, depth: 2 }], "{}", r.records[0].detail);
}

#[test]
fn dane_ta_on_the_leaf_is_not_a_trust_anchor() {
    let (_, inter, leaf) = three();
    let r = run(&[&leaf, &inter], &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &leaf)], MX, NOW, None);
    assert_eq!(r.verdict, Verdict::NotAuthenticated);
    assert!(r.records[0].detail.contains("depth 0"), "{}", r.records[0].detail);
}

#[test]
fn wildcard_matches_one_label_only() {
    let root = make(&ca_spec("Root"), None);
    let leaf = make(&leaf_spec(&["*.example.com"]), Some(&root));
    let ta = rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root);
    assert!(run(&[&leaf, &root], &[ta.clone()], &["mx.example.com"], NOW, None).authenticated);
    let r = run(&[&leaf, &root], &[ta.clone()], &["a.mx.example.com"], NOW, None);
    assert!(!r.authenticated);
    assert!(r.records[0].detail.contains("none of the reference names"), "{}", r.records[0].detail);
    assert!(!run(&[&leaf, &root], &[ta], &["example.com"], NOW, None).authenticated);
}

#[test]
fn common_name_only_without_dns_san() {
    let root = make(&ca_spec("Root"), None);
    let ta = rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root);
    let spec = leaf_spec(&[]).cn("MX.example.com");
    let cn_only = make(&spec, Some(&root));
    assert!(run(&[&cn_only, &root], &[ta.clone()], &["mx.example.com"], NOW, None).authenticated);
    let spec = leaf_spec(&["other.example.com"]).cn("mx.example.com");
    let with_san = make(&spec, Some(&root));
    assert!(!run(&[&with_san, &root], &[ta], &["mx.example.com"], NOW, None).authenticated);
}

#[test]
fn missing_intermediate_fails_dane_ta() {
    let (root, _inter, leaf) = three();
    let r = run(&[&leaf, &root], &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root)], MX, NOW, None);
    assert_eq!(r.verdict, Verdict::NotAuthenticated);
    assert!(r.records[0].matched);
    assert!(r.records[0].detail.contains("missing or misordered intermediate"), "{}", r.records[0].detail);
    // The leaf alone cannot match a DANE-TA digest at all.
    let r = run(&[&leaf], &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root)], MX, NOW, None);
    assert!(r.records[0].detail.contains("trust anchor is missing"), "{}", r.records[0].detail);
}

#[test]
fn full_anchor_the_server_did_not_send() {
    let (root, inter, leaf) = three();
    let key = rec(Usage::DANE_TA, Selector::SPKI, MatchingType::FULL, &root);
    let r = run(&[&leaf, &inter], &[key], MX, NOW, None);
    assert_eq!(r.verdict, Verdict::Authenticated, "{}", r.records[0].detail);
    assert_eq!(r.records[0].anchor, Some(Anchor::NotSent));
    assert_eq!(r.matched, vec![Matched { record: 0, depth: 2 }]);
    let cert = rec(Usage::DANE_TA, Selector::CERT, MatchingType::FULL, &root);
    assert!(run(&[&leaf, &inter], &[cert], MX, NOW, None).authenticated);
    // A digest of the same key cannot stand in for a key that was not sent.
    let digest = rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root);
    assert!(!run(&[&leaf, &inter], &[digest], MX, NOW, None).authenticated);
    // A key that signed nothing in the chain.
    let stranger = make(&ca_spec("Stranger"), None);
    let r = run(&[&leaf, &inter], &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::FULL, &stranger)], MX, NOW, None);
    assert!(!r.authenticated);
}

#[test]
fn expired_intermediate_fails_dane_ta_not_dane_ee() {
    let root = make(&ca_spec("Root"), None);
    let inter = make(&ca_spec("Inter").until(2025, 1, 1), Some(&root));
    let leaf = make(&leaf_spec(&["mx.example.com"]), Some(&inter));
    let ta = rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root);
    let ee = rec(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, &leaf);
    let r = run(&[&leaf, &inter, &root], &[ta.clone()], MX, NOW, None);
    assert!(!r.authenticated);
    assert!(r.records[0].detail.contains("depth 1 (CN=Inter) has expired"), "{}", r.records[0].detail);
    assert!(run(&[&leaf, &inter, &root], &[ta, ee], MX, NOW, None).authenticated);
}

#[test]
fn not_yet_valid_leaf_fails_dane_ta() {
    let root = make(&ca_spec("Root"), None);
    let spec = leaf_spec(&["mx.example.com"]).from(2035, 1, 1);
    let leaf = make(&spec, Some(&root));
    let r = run(&[&leaf, &root], &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root)], MX, NOW, None);
    assert!(r.records[0].detail.contains("not valid yet"), "{}", r.records[0].detail);
}

#[test]
fn look_ahead_reports_the_expiry_that_matters() {
    let root = make(&ca_spec("Root"), None);
    let leaf = make(&leaf_spec(&["mx.example.com"]).until(2030, 2, 1), Some(&root));
    let ta = rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root);
    let r = run(&[&leaf, &root], &[ta.clone()], MX, NOW, Some(30));
    assert!(r.authenticated);
    assert_eq!(r.look_ahead, Some(LookAhead { days: 30, at: NOW + 30 * DAY, authenticated: true }));
    let exp = r.expiry.unwrap();
    assert_eq!((exp.depth, exp.not_after, exp.subject.as_str()), (Some(0), NOW + 31 * DAY, "CN=leaf"));
    let r = run(&[&leaf, &root], &[ta.clone()], MX, NOW, Some(32));
    assert!(!r.look_ahead.unwrap().authenticated);
    // With a DANE-EE record as well, expiry does not matter.
    let ee = rec(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, &leaf);
    let r = run(&[&leaf, &root], &[ta, ee], MX, NOW, Some(3650));
    assert!(r.look_ahead.unwrap().authenticated);
    assert_eq!(r.expiry, None);
}

#[test]
fn issuer_must_be_a_ca_within_its_path_length() {
    let root = make(&ca_spec("Root"), None);
    let not_ca = make(&ca_spec("NotCA").not_ca(), Some(&root));
    let leaf = make(&leaf_spec(&["mx.example.com"]), Some(&not_ca));
    let r = run(
        &[&leaf, &not_ca, &root],
        &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root)],
        MX,
        NOW,
        None,
    );
    assert!(r.records[0].detail.contains("is not a CA"), "{}", r.records[0].detail);

    let root0 = make(&ca_spec("Root0").path_len(0), None);
    let inter = make(&ca_spec("Inter"), Some(&root0));
    let leaf = make(&leaf_spec(&["mx.example.com"]), Some(&inter));
    let chain = [&leaf, &inter, &root0];
    let r = run(&chain, &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root0)], MX, NOW, None);
    assert!(r.records[0].detail.contains("pathLenConstraint"), "{}", r.records[0].detail);
    // Anchored at the intermediate, the root's constraint is not on the path.
    assert!(
        run(&chain, &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &inter)], MX, NOW, None)
            .authenticated
    );
}

#[test]
fn forged_signature_fails() {
    let root = make(&ca_spec("Root"), None);
    let impostor = make(&ca_spec("Root").alg(KeyAlg::P256), None);
    let leaf = make(&leaf_spec(&["mx.example.com"]), Some(&impostor));
    let r = run(&[&leaf, &root], &[rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root)], MX, NOW, None);
    assert!(r.records[0].detail.contains("does not verify"), "{}", r.records[0].detail);
}

#[test]
fn pkix_and_unknown_records_are_unusable() {
    let (_, _, leaf) = three();
    let pkix = rec(Usage::PKIX_EE, Selector::SPKI, MatchingType::SHA2_256, &leaf);
    let r = run(&[&leaf], &[pkix], MX, NOW, None);
    assert_eq!(r.verdict, Verdict::NoUsableRecords);
    assert!(!r.records[0].usable);
    assert!(r.records[0].reason.as_deref().unwrap().contains("RFC 7672 §3.1.3"));
    let r = run(&[&leaf], &[], MX, NOW, None);
    assert_eq!(r.verdict, Verdict::NoUsableRecords);
}

#[test]
fn bad_chains_are_errors_not_panics() {
    let names = ReferenceNames::new(MX).unwrap();
    let params = Check { names: &names, now: NOW, look_ahead_days: None };
    assert_eq!(check::<&[u8]>(&[], &[], params).unwrap_err(), DaneError::EmptyChain);
    let (_, _, leaf) = three();
    let truncated = &leaf.der[..leaf.der.len() - 3];
    assert!(matches!(check(&[truncated], &[], params), Err(DaneError::Certificate { depth: 0, .. })));
    // A Full record with garbage data must not panic either.
    let junk = Tlsa::new(Usage::DANE_TA, Selector::CERT, MatchingType::FULL, vec![0x30, 0x03, 0x02]);
    assert!(!check(&[&leaf.der], &[junk], params).unwrap().authenticated);
}

#[test]
fn report_serialises() {
    let (_, _, leaf) = three();
    let r = run(&[&leaf], &[rec(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, &leaf)], MX, NOW, Some(1));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["authenticated"], true);
    assert_eq!(v["verdict"], "authenticated");
    assert_eq!(v["records"][0]["usage"], 3);
    assert_eq!(v["records"][0]["data"].as_str().unwrap().len(), 64);
    assert_eq!(v["matched"][0]["depth"], 0);
}

#[test]
fn expiry_of_an_anchor_carried_in_the_record() {
    let root = make(&ca_spec("Root").until(2030, 3, 1), None);
    let inter = make(&ca_spec("Inter"), Some(&root));
    let leaf = make(&leaf_spec(&["mx.example.com"]), Some(&inter));
    let full = rec(Usage::DANE_TA, Selector::CERT, MatchingType::FULL, &root);
    let r = run(&[&leaf, &inter], &[full.clone()], MX, NOW, Some(90));
    assert!(r.authenticated, "{}", r.records[0].detail);
    assert_eq!(r.expiry, Some(Expiry { not_after: NOW + 59 * DAY, depth: None, subject: "CN=Root".into() }));
    assert_eq!(r.look_ahead.map(|l| l.authenticated), Some(false));
    // A bare key has no dates: the intermediate's expiry is what matters.
    let key = rec(Usage::DANE_TA, Selector::SPKI, MatchingType::FULL, &root);
    let r = run(&[&leaf, &inter], &[key], MX, NOW, Some(90));
    assert_eq!(r.look_ahead.map(|l| l.authenticated), Some(true));
    assert_eq!(r.expiry.map(|e| (e.not_after, e.depth.is_some())), Some((2_208_988_800, true))); // 2040-01-01
}

#[test]
fn failures_are_typed() {
    let (root, inter, leaf) = three();
    let ta = rec(Usage::DANE_TA, Selector::SPKI, MatchingType::SHA2_256, &root);
    // Only the leaf: the anchor is not sent.
    assert_eq!(run(&[&leaf], &[ta.clone()], MX, NOW, None).records[0].failure, Some(Failure::AnchorNotSent));
    // A missing intermediate: the path does not verify.
    assert_eq!(run(&[&leaf, &root], &[ta.clone()], MX, NOW, None).records[0].failure, Some(Failure::InvalidPath));
    // The wrong name.
    let r = run(&[&leaf, &inter, &root], &[ta.clone()], &["other.example.net"], NOW, None);
    assert_eq!(
        r.records[0].failure,
        Some(Failure::NameMismatch {
            presented: vec!["mx.example.com".into()],
            reference: vec!["other.example.net".into()]
        })
    );
    // Expired at depth 1.
    let r = run(&[&leaf, &inter, &root], &[ta.clone()], MX, 2_300_000_000, None);
    assert!(
        matches!(r.records[0].failure, Some(Failure::Expired { depth: Some(_), .. })),
        "{:?}",
        r.records[0].failure
    );
    // DANE-EE that does not match; and success carries no failure.
    let ee = rec(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, &inter);
    assert_eq!(run(&[&leaf, &inter], &[ee], MX, NOW, None).records[0].failure, Some(Failure::NoMatch));
    assert_eq!(run(&[&leaf, &inter, &root], &[ta], MX, NOW, None).records[0].failure, None);
}
