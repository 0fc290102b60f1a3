//! The lab catalogue (`tests/lab/scenarios.json`) is self-consistent. Needs no
//! running lab: it guards the file other tests iterate over.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/lab.rs"]
mod lab;

use std::collections::BTreeSet;

const PTF_VERDICTS: &[&str] = &[
    "verified",
    "trusted",
    "untrusted:no-match",
    "untrusted:expired",
    "untrusted:name-mismatch",
    "untrusted:tlsa-unusable",
    "untrusted:no-tlsa",
    "no-starttls",
    "dns-error:servfail",
    "dns-error:tlsa-lookup",
    "dns-error:nxdomain",
    "null-mx",
];
const OPENSSL_VERDICTS: &[&str] = &[
    "matched",
    "no-match",
    "no-issuer",
    "expired",
    "name-mismatch",
    "pkix-untrusted",
    "unusable",
    "no-starttls",
    "no-tlsa",
];

#[test]
fn names_and_domains_are_unique_and_under_example() {
    let cat = lab::catalogue();
    assert_eq!(cat.schema, 1);
    let mut names = BTreeSet::new();
    for s in &cat.scenarios {
        assert!(names.insert(s.name.as_str()), "duplicate scenario {}", s.name);
        assert_eq!(s.domain, format!("{}.example.", s.name), "domain of {}", s.name);
        assert!(cat.zones.iter().any(|z| z.name == s.zone), "zone {} of {} is not declared", s.zone, s.name);
    }
}

#[test]
fn every_mx_host_is_described_and_every_address_is_used_once() {
    let cat = lab::catalogue();
    let mut seen = BTreeSet::new();
    for s in &cat.scenarios {
        for mx in s.mx.iter().filter(|m| m.host != ".") {
            assert!(s.hosts.iter().any(|h| h.name == mx.host), "{}: MX host {} has no entry", s.name, mx.host);
        }
        for h in &s.hosts {
            for a in h.addresses() {
                assert!(seen.insert(a.to_owned()), "{}: address {a} used twice", s.name);
            }
        }
    }
}

#[test]
fn expectations_use_the_documented_vocabulary() {
    let cat = lab::catalogue();
    for s in &cat.scenarios {
        assert!(PTF_VERDICTS.contains(&s.expect.posttls_finger.as_str()), "{}: {}", s.name, s.expect.posttls_finger);
        for d in &s.dns {
            assert!(["secure", "insecure", "bogus"].contains(&d.status.as_str()), "{}: {}", s.name, d.status);
            assert!(["data", "nodata", "nxdomain"].contains(&d.answer.as_str()), "{}: {}", s.name, d.answer);
        }
        for h in &s.hosts {
            for (family, v) in &h.expect.posttls_finger {
                assert!(["ipv4", "ipv6", "any"].contains(&family.as_str()), "{}: family {family}", s.name);
                assert!(PTF_VERDICTS.contains(&v.as_str()), "{}: {}: {v}", s.name, h.name);
            }
            let addrs: BTreeSet<&str> = h.addresses().collect();
            let expected: BTreeSet<&str> = h.expect.openssl.keys().map(String::as_str).collect();
            assert_eq!(addrs, expected, "{}: openssl expectations must cover exactly the addresses", s.name);
            for v in h.expect.openssl.values() {
                assert!(OPENSSL_VERDICTS.contains(&v.as_str()), "{}: {}: {v}", s.name, h.name);
            }
        }
    }
}

#[test]
fn tlsa_records_refer_to_certificates_the_host_has() {
    let cat = lab::catalogue();
    for s in &cat.scenarios {
        for h in &s.hosts {
            assert!(h.tlsa_owner.starts_with("_25._tcp."), "{}: owner {}", s.name, h.tlsa_owner);
            for r in &h.tlsa {
                let ok = r.cert == "spare"
                    || h.tls.chains.iter().any(|c| {
                        r.cert == format!("{}.leaf", c.id) || (c.issuer == "ca" && r.cert == format!("{}.ca", c.id))
                    });
                assert!(ok, "{}: {}: record refers to unknown certificate {}", s.name, h.name, r.cert);
            }
        }
    }
}

#[test]
fn the_required_scenario_kinds_are_present() {
    let cat = lab::catalogue();
    let algorithms: BTreeSet<&str> = cat.zones.iter().map(|z| z.algorithm.as_str()).collect();
    for alg in ["ECDSAP256SHA256", "RSASHA256", "ED25519"] {
        assert!(algorithms.contains(alg), "no zone signed with {alg}");
    }
    let denial: BTreeSet<&str> = cat.zones.iter().map(|z| z.denial.as_str()).collect();
    for d in ["nsec", "nsec3", "nsec3-optout"] {
        assert!(denial.contains(d), "no zone with {d}");
    }
    let signing: BTreeSet<&str> = cat.zones.iter().map(|z| z.signing.as_str()).collect();
    for g in ["unsigned", "expired", "bad-ds", "corrupt-tlsa-rrsig"] {
        assert!(signing.contains(g), "no zone with signing {g}");
    }
}
