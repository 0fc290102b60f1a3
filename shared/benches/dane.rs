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
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

struct Chain {
    pem: String,
    der: Vec<Vec<u8>>,
}

fn chain() -> Chain {
    let ca = |cn: &str| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p
    };
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let root_params = ca("Bench Root");
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);
    let inter_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let inter_params = ca("Bench Intermediate");
    let inter = inter_params.signed_by(&inter_key, &root_issuer).unwrap();
    let inter_issuer = Issuer::new(inter_params, inter_key);
    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let leaf =
        CertificateParams::new(vec!["mx.example.com".to_owned()]).unwrap().signed_by(&leaf_key, &inter_issuer).unwrap();
    Chain {
        pem: format!("{}{}{}", leaf.pem(), inter.pem(), root.pem()),
        der: vec![leaf.der().to_vec(), inter.der().to_vec(), root.der().to_vec()],
    }
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
