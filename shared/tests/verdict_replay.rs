//! Whole checks replayed from the lab (tests/data/check: DNS answers and
//! probe reports of one build, at the recording's time) through the core:
//! the check machine `DomainCheck`, and the verdict it gives read back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::collections::BTreeSet;

use geleit::check::CheckOutcome;
use geleit::smtp::HostReport;
use geleit::verdict::{DomainVerdict, Reported, evaluate, probe_targets};
use geleit_test_support::recording::{self, Recording};

/// The verdict of the check machine over the recording of `scenario`.
fn domain_check(rec: &Recording, scenario: &str) -> DomainVerdict {
    let reports = recording::probes(scenario);
    match recording::domain_check(rec, recording::recorded_prober(&reports, "no report recorded")) {
        CheckOutcome::Verdict(v) => *v,
        other => panic!("{scenario}: expected a verdict, found {other:?}"),
    }
}

/// The verdict from the DNS stage's report and the recorded probe reports of
/// its probe targets, put together by hand.
fn evaluated(rec: &Recording, scenario: &str) -> DomainVerdict {
    let dns = recording::check(rec);
    let reports = recording::probes(scenario);
    let probes: Vec<HostReport> =
        probe_targets(&dns).iter().map(|t| serde_json::from_str(&reports[&t.host]).unwrap()).collect();
    evaluate(&dns, &probes, i64::try_from(rec.now).unwrap())
}

#[test]
fn the_check_machine_gives_the_verdict_of_its_parts() {
    let scenarios = recording::check_scenarios();
    assert!(scenarios.len() >= 4, "{scenarios:?}");
    for scenario in &scenarios {
        let rec = recording::load_check(scenario);
        assert_eq!(domain_check(&rec, scenario), evaluated(&rec, scenario), "{scenario}");
    }
}

#[test]
fn recorded_verdicts_read_back_equal() {
    let mut codes_seen = BTreeSet::new();
    for scenario in recording::check_scenarios() {
        let v = domain_check(&recording::load_check(&scenario), &scenario);
        assert!(!v.hosts.is_empty(), "{scenario}");
        for pretty in [true, false] {
            let json = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
            let back: DomainVerdict = serde_json::from_str(&json).unwrap();
            assert_eq!(back, v, "{scenario}");
            // And the text written again is the same.
            assert_eq!(serde_json::to_string(&back).unwrap(), serde_json::to_string(&v).unwrap(), "{scenario}");
        }
        let all = v.findings.iter().chain(
            v.hosts.iter().flat_map(|h| h.findings.iter().chain(h.addresses.iter().flat_map(|a| a.findings.iter()))),
        );
        codes_seen.extend(all.map(Reported::code));
    }
    // The recordings carry findings with and without fixes, at every level.
    for code in ["single_record_pinned", "tlsa_no_match", "starttls_missing", "ta_not_sent"] {
        assert!(codes_seen.contains(code), "{code} not in {codes_seen:?}");
    }
}
