//! Speed of TLSA generation and DANE matching on a fresh three-certificate
//! chain (ECDSA P-384 root, ECDSA P-256 intermediate, Ed25519 leaf), made
//! with rcgen at start-up. No timing asserts: this only measures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use geleit::cert::read_input;
use geleit::dane::{Check, ReferenceNames, check};
use geleit::tlsa::{MatchingType, Selector, Tlsa, Usage};
use geleit::tlsa_gen::{association_data, generate};
use geleit_test_support::certs::{KeyAlg, Spec, pem_chain};

struct Chain {
    pem: String,
    der: Vec<Vec<u8>>,
}

fn chain() -> Chain {
    let root = Spec::ca("Bench Root").alg(KeyAlg::P384).self_signed();
    let inter = Spec::ca("Bench Intermediate").signed_by(&root);
    let leaf = Spec::leaf("mx.example.com", &["mx.example.com"]).alg(KeyAlg::Ed25519).signed_by(&inter);
    Chain { pem: pem_chain(&[&leaf, &inter, &root]), der: vec![leaf.der, inter.der, root.der] }
}

fn bench(c: &mut Criterion) {
    let chain = chain();
    let input = read_input(chain.pem.as_bytes()).unwrap();
    let certs: Vec<_> = input.certificates().collect();
    let record = |usage, depth: usize| {
        let cert = certs[depth];
        let data = association_data(cert.der(), cert.spki(), Selector::SPKI, MatchingType::SHA2_256).unwrap();
        Tlsa::new(usage, Selector::SPKI, MatchingType::SHA2_256, data)
    };
    let ee = [record(Usage::DANE_EE, 0)];
    let ta = [record(Usage::DANE_TA, 2)];
    let names = ReferenceNames::new(&["example.com", "mx.example.com"]).unwrap();
    // rcgen's default validity covers 1975..4096.
    let params = Check { names: &names, now: 1_893_456_000, look_ahead_days: None };
    assert!(check(&chain.der, &ee, params).unwrap().authenticated);
    assert!(check(&chain.der, &ta, params).unwrap().authenticated);

    c.bench_function("gen: read 3-cert PEM chain and make all 18 records", |b| {
        b.iter(|| generate(&read_input(black_box(chain.pem.as_bytes())).unwrap()))
    });
    c.bench_function("match: 3 1 1 on the leaf (3-cert chain)", |b| {
        b.iter(|| check(black_box(&chain.der), black_box(&ee), params).unwrap())
    });
    c.bench_function("match: 2 1 1 on the root, path verified (3-cert chain)", |b| {
        b.iter(|| check(black_box(&chain.der), black_box(&ta), params).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
