//! The monitoring view of recorded lab verdicts and of DNS-only reports.

use super::*;
use crate::check::ResolverFailure;
use crate::dns::Proof;

/// A verdict recorded from the lab (tests/data/check: DNS answers and probe
/// reports, replayed at the recording's time by the test-support crate), and that time.
fn recorded(scenario: &str) -> (DomainVerdict, i64) {
    let (json, now) = geleit_test_support::recording::verdict_json(scenario);
    (serde_json::from_str(&json).unwrap(), i64::try_from(now).unwrap())
}

fn monitor(scenario: &str) -> Monitor {
    let (v, now) = recorded(scenario);
    summarize(&CheckOutcome::Verdict(Box::new(v)), now)
}

#[test]
fn states_combine_as_max_state_alt() {
    use State::{Critical, Ok, Unknown, Warning};
    assert_eq!(Ok.worst(Unknown), Unknown);
    assert_eq!(Unknown.worst(Warning), Warning);
    assert_eq!(Critical.worst(Warning), Critical);
    assert_eq!(Warning.worst(Ok), Warning);
    assert_eq!([Ok, Warning, Critical, Unknown].map(State::code), [0, 1, 2, 3]);
}

/// two-mx with only its first host, whose one address authenticates.
fn authenticated() -> (DomainVerdict, i64) {
    let (mut v, now) = recorded("two-mx");
    v.hosts.truncate(1);
    assert!(v.hosts[0].authenticated, "the recording's mx1 authenticates");
    v.verdict = Verdict::Authenticated;
    v.authenticated = true;
    (v, now)
}

#[test]
fn an_authenticated_domain_is_ok_with_its_counts_and_first_expiry() {
    let (v, now) = authenticated();
    let m = summarize(&CheckOutcome::Verdict(Box::new(v.clone())), now);
    assert_eq!((m.state, m.authenticated, m.checked, m.probed), (State::Ok, true, true, true), "{m:?}");
    assert_eq!(m.reason, None, "single_record_pinned is information only");
    assert_eq!((m.host_count(), m.hosts_ok(), m.address_count(), m.addresses_authenticated()), (1, 1, 1, 1));
    let expected = v.hosts.iter().flat_map(|h| &h.addresses).flat_map(|a| &a.chain).map(|c| c.not_after).min();
    assert_eq!(m.first_expiry, expected);
    assert_eq!(m.days_to_expiry, expected.map(|t| (t - now).div_euclid(86_400)));
    assert!(m.days_to_expiry.is_some_and(|d| d > 0));
    assert!(m.hosts.iter().all(|h| h.dane_required && h.usable_records == 1), "{:?}", m.hosts);
    // The other host's failure makes the recorded domain critical.
    let m = monitor("two-mx");
    assert_eq!((m.state, m.host_count(), m.hosts_ok()), (State::Critical, 2, 1));
}

#[test]
fn a_warning_finding_on_an_authenticated_domain_is_a_warning() {
    let (mut v, now) = authenticated();
    let a = &mut v.hosts[0].addresses[0];
    a.findings.push(Reported::new(
        Finding::ChainExpiresSoon { depth: Some(1), subject: "CN=R10".into(), not_after: now + 86_400 },
        None,
    ));
    let m = summarize(&CheckOutcome::Verdict(Box::new(v)), now);
    assert_eq!(m.state, State::Warning);
    assert!(m.reason.as_deref().is_some_and(|r| r.starts_with("mx1.two-mx.example 127.0.1.16: ")), "{m:?}");
}

#[test]
fn mail_that_dane_senders_defer_is_critical_with_the_finding_as_reason() {
    for scenario in ["no-starttls", "ta-omitted"] {
        let m = monitor(scenario);
        assert_eq!((m.state, m.authenticated), (State::Critical, false), "{scenario}: {m:?}");
        let reason = m.reason.clone().unwrap_or_default();
        let (v, _) = recorded(scenario);
        let first_error = v
            .hosts
            .iter()
            .flat_map(|h| h.addresses.iter().flat_map(move |a| a.findings.iter().map(move |f| (h, a, f))))
            .find(|(_, _, f)| f.severity == Severity::Error)
            .map(|(h, a, f)| format!("{} {}: {}", bare(&h.host), a.address, f.message));
        assert_eq!(Some(reason), first_error, "{scenario}");
    }
}

#[test]
fn an_unreachable_resolver_is_unknown() {
    let failure = ResolverFailure { domain: "example.com.".into(), failed: 3, asked: 3, detail: "HTTP 503".into() };
    let m = summarize(&CheckOutcome::ResolverUnreachable(failure.clone()), 0);
    assert_eq!((m.state, m.checked, m.domain.as_str()), (State::Unknown, false, "example.com"));
    assert_eq!(m.reason, Some(failure.to_string()));
}

#[test]
fn a_not_probed_address_is_unknown_unless_something_is_wrong() {
    let (mut v, now) = authenticated();
    let host = &mut v.hosts[0];
    host.verdict = Verdict::NotProbed;
    host.authenticated = false;
    let a = &mut host.addresses[0];
    a.verdict = Verdict::NotProbed;
    a.authenticated = false;
    a.findings = vec![Reported::new(Finding::NotProbed { reason: "refused by policy".into() }, None)];
    v.verdict = Verdict::NotProbed;
    v.authenticated = false;
    let m = summarize(&CheckOutcome::Verdict(Box::new(v.clone())), now);
    assert_eq!(m.state, State::Unknown, "{m:?}");
    assert!(
        m.reason.as_deref().unwrap_or_default().ends_with("the address was not probed: refused by policy"),
        "{m:?}"
    );
    // A known failure elsewhere wins.
    v.findings.push(Reported::new(Finding::StarttlsMissing { dane: true }, None));
    assert_eq!(summarize(&CheckOutcome::Verdict(Box::new(v)), now).state, State::Critical);
}

fn dns_report(outcomes: &[HostOutcome], mx_proof: Proof) -> SmtpReport {
    let mut check_hosts = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        check_hosts.push(crate::dns::HostReport {
            host: format!("mx{i}.example.com."),
            preference: 10,
            cname_chain: vec![],
            addresses: vec![],
            tlsa_base: None,
            tlsa: crate::dns::Validated::new(Proof::Secure, vec![]),
            tlsa_ttl: 300,
            outcome: *o,
            why: format!("why {i}"),
            tlsa_trace: vec![],
            expiry: None,
        });
    }
    let dane_ready = mx_proof.is_secure() && outcomes.iter().all(|o| *o == HostOutcome::DaneRequired);
    SmtpReport {
        domain: "example.com.".into(),
        mx_status: mx_proof.status(),
        mx_proof,
        mx_outcome: MxOutcome::Hosts,
        hosts: check_hosts,
        unchecked: vec![],
        dane_ready,
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
fn dns_only_reports_map_host_outcomes() {
    let dns = |o: &[HostOutcome], p: Proof| summarize(&CheckOutcome::Dns(Box::new(dns_report(o, p))), 0);
    let ok = dns(&[HostOutcome::DaneRequired, HostOutcome::DaneRequired], Proof::Secure);
    assert_eq!(
        (ok.state, ok.probed, ok.hosts_ok(), ok.summary.as_str()),
        (State::Ok, false, 2, "every MX host is DANE-ready")
    );
    let warn = dns(&[HostOutcome::DaneRequired, HostOutcome::NoDane], Proof::Secure);
    assert_eq!((warn.state, warn.reason.as_deref()), (State::Warning, Some("mx1.example.com: why 1")));
    let crit = dns(&[HostOutcome::NoDane, HostOutcome::Deferred], Proof::Secure);
    assert_eq!((crit.state, crit.reason.as_deref()), (State::Critical, Some("mx1.example.com: why 1")));
    let insecure = Proof::Insecure { zone_cut: "example.com.".into(), why: "no DS".into() };
    assert_eq!(dns(&[HostOutcome::DaneRequired], insecure).state, State::Warning);
}

#[test]
fn dns_only_reports_warn_about_signatures_that_run_out() {
    let day = 86_400;
    let mut r = dns_report(&[HostOutcome::DaneRequired], Proof::Secure);
    r.mx_expiry = Some(crate::dns::SigExpiry {
        owner: "example.com.".into(),
        rtype: "MX".into(),
        inception: -28 * day,
        expiration: 2 * day + 60,
    });
    let outcome = CheckOutcome::Dns(Box::new(r));
    let m = summarize(&outcome, 0);
    assert_eq!(m.state, State::Warning);
    assert!(
        m.reason.as_deref().unwrap_or_default().starts_with("the signatures of `example.com. MX` expire"),
        "{:?}",
        m.reason
    );
    assert_eq!(m.days_to_signature_expiry, Some(2));
    assert_eq!(m.first_signature_expiry.as_ref().map(|e| e.rrset()), Some("example.com. MX".to_owned()));
    // Outside a one-day window: OK, and the figure is still there for a graph.
    let m = summarize_with(&outcome, 0, &crate::verdict::LookAhead::days(1));
    assert_eq!(m.state, State::Ok);
    assert_eq!(m.days_to_signature_expiry, Some(2));
}
