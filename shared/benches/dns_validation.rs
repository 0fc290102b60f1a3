//! CPU cost of DNSSEC validation for a full DANE DNS check, replayed from lab
//! recordings (tests/data/dns): message parsing, every signature and denial
//! proof, RFC 7672 resolution. No network; the recording's time is `now`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use criterion::{Criterion, criterion_group, criterion_main};
use geleit_test_support::recording as replay;

fn bench(c: &mut Criterion) {
    let two_mx = replay::load("two-mx");
    c.bench_function("smtp_check two-mx (2 MX hosts, ECDSA P-256, NSEC)", |b| {
        b.iter(|| {
            let r = replay::check(std::hint::black_box(&two_mx));
            assert!(r.dane_ready);
        });
    });
    let cname = replay::load("cname-mx-expanded");
    c.bench_function("smtp_check cname-mx-expanded (CNAME hop, 3 rounds)", |b| {
        b.iter(|| replay::check(std::hint::black_box(&cname)));
    });
    let nsec3 = replay::load("ee-rollover");
    c.bench_function("smtp_check ee-rollover (NSEC3 zone)", |b| {
        b.iter(|| replay::check(std::hint::black_box(&nsec3)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
