//! Every stage transition of the rollover, and hostile state files.

use std::net::IpAddr;

use geleit_test_support::certs::{Key as TestKey, KeyAlg};

use super::*;
use crate::dns::{AddressSet, HostOutcome, Proof, ReasonKind, TlsaRecord, Validated};
use crate::tlsa::{MatchingType, Selector};

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000;
const MX: &str = "mx.example.com.";
const MX2: &str = "mx2.example.com.";
const TTL: u32 = 3600;

struct Keys {
    current: Vec<u8>,
    next: Vec<u8>,
}

fn keys() -> Keys {
    Keys { current: TestKey::new(KeyAlg::P256).spki, next: TestKey::new(KeyAlg::P256).spki }
}

fn ee(spki: &[u8]) -> Tlsa {
    spki_record(Usage::DANE_EE, spki)
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

fn host_full(name: &str, addr: Status, proof: Proof, records: Vec<Tlsa>, ttl: u32) -> HostReport {
    let aproof = match addr {
        Status::Secure => Proof::Secure,
        Status::Insecure => Proof::Insecure { zone_cut: "example.com.".into(), why: "no DS".into() },
        Status::Bogus => Proof::bogus(ReasonKind::SignatureExpired, "RRSIG over A expired"),
        Status::Indeterminate => Proof::indeterminate(ReasonKind::Network, "no answer"),
    };
    HostReport {
        host: name.into(),
        preference: 10,
        cname_chain: vec![],
        addresses: vec![AddressSet {
            rtype: "A".into(),
            status: addr,
            proof: aproof,
            addresses: vec![IpAddr::from([192, 0, 2, 1])],
        }],
        tlsa_base: Some(format!("_25._tcp.{name}")),
        tlsa: Validated::new(proof, records.into_iter().map(record).collect()),
        tlsa_ttl: ttl,
        outcome: HostOutcome::DaneRequired,
        why: String::new(),
        tlsa_trace: vec![],
        expiry: None,
    }
}

fn host(name: &str, records: Vec<Tlsa>) -> HostReport {
    host_full(name, Status::Secure, Proof::Secure, records, TTL)
}

fn state(k: &Keys, hosts: &[&str]) -> State {
    State::new(&k.current, &k.next, &hosts.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()).unwrap()
}

/// One run: decide, and check the state round-trips through its JSON as the CLI keeps it.
fn run(s: &State, live: &[u8], reports: &[&HostReport], now: i64) -> (RolloverReport, State) {
    let (r, next) = decide(s, live, reports, now).unwrap();
    assert_eq!(State::parse(next.to_json().as_bytes(), now).unwrap(), next, "the state round-trips");
    (r, next)
}

#[test]
fn only_the_current_record_published_says_publish_next_with_the_record() {
    let k = keys();
    let s = state(&k, &[MX]);
    let h = host(MX, vec![ee(&k.current)]);
    let (r, after) = run(&s, &k.current, &[&h], NOW);
    assert_eq!(r.stage, Stage::PublishNext);
    assert_eq!(r.live, Live::Current);
    let hr = &r.hosts[0];
    assert_eq!(hr.stage, Stage::PublishNext);
    assert_eq!(hr.publish, vec![ee(&k.next).to_string()]);
    assert!(hr.warnings.is_empty());
    assert_eq!(
        r.steps[0],
        format!(
            "publish `_25._tcp.{MX} 3600 IN TLSA {}` (keep `{}` while the server uses the current key)",
            ee(&k.next),
            ee(&k.current)
        )
    );
    assert_eq!(after.hosts()[0].current_first_seen, Some(NOW));
    assert_eq!(after.hosts()[0].next_first_seen, None);
    assert_eq!(after.hosts()[0].ttl, TTL);
    assert!(!r.stage.is_go());
}

#[test]
fn both_records_seen_first_now_say_wait_two_ttls() {
    let k = keys();
    let s = state(&k, &[MX]);
    let h = host(MX, vec![ee(&k.current), ee(&k.next)]);
    let (r, after) = run(&s, &k.current, &[&h], NOW);
    assert_eq!(r.stage, Stage::Wait);
    assert_eq!(r.hosts[0].wait_seconds, Some(7200));
    assert_eq!(r.hosts[0].next_seen_for, Some(0));
    assert_eq!(after.hosts()[0].next_first_seen, Some(NOW));
    assert!(r.steps[0].starts_with("keep the server on the current key and both records published; wait 2 h "));
    // An hour later: an hour still; the first sighting is kept.
    let (r, later) = run(&after, &k.current, &[&h], NOW + 3600);
    assert_eq!(r.stage, Stage::Wait);
    assert_eq!(r.hosts[0].wait_seconds, Some(3600));
    assert_eq!(later.hosts()[0].next_first_seen, Some(NOW));
    assert!(r.hosts[0].detail.ends_with("two TTLs are 2 h: 1 h still to wait"), "{}", r.hosts[0].detail);
    // One second short of two TTLs: still wait.
    let (r, _) = run(&later, &k.current, &[&h], NOW + 7199);
    assert_eq!((r.stage, r.hosts[0].wait_seconds), (Stage::Wait, Some(1)));
    // Two TTLs: switch now.
    let (r, _) = run(&later, &k.current, &[&h], NOW + 7200);
    assert_eq!(r.stage, Stage::SwitchNow);
    assert!(r.stage.is_go());
    assert_eq!(r.hosts[0].wait_seconds, None);
    assert!(r.steps[0].starts_with("deploy the next key now: install a certificate for the next key (ECDSA P-256)"));
}

#[test]
fn switch_now_needs_every_host() {
    let k = keys();
    let s = state(&k, &[MX, MX2]);
    let both = [ee(&k.current), ee(&k.next)];
    let h1 = host(MX, both.to_vec());
    let h2 = host(MX2, vec![ee(&k.current)]);
    let (r, s) = run(&s, &k.current, &[&h1, &h2], NOW);
    assert_eq!(r.stage, Stage::PublishNext, "the least advanced host decides");
    assert_eq!(r.hosts.iter().map(|h| h.stage).collect::<Vec<_>>(), [Stage::Wait, Stage::PublishNext]);
    // mx2 gets the record an hour later.
    let h2 = host(MX2, both.to_vec());
    let (r, s) = run(&s, &k.current, &[&h1, &h2], NOW + 3600);
    assert_eq!(r.stage, Stage::Wait);
    let (r, s) = run(&s, &k.current, &[&h1, &h2], NOW + 7200);
    assert_eq!(r.hosts.iter().map(|h| h.stage).collect::<Vec<_>>(), [Stage::SwitchNow, Stage::Wait]);
    assert_eq!(r.stage, Stage::Wait);
    assert_eq!(r.hosts[1].wait_seconds, Some(3600));
    let (r, _) = run(&s, &k.current, &[&h1, &h2], NOW + 3600 + 7200);
    assert_eq!(r.stage, Stage::SwitchNow);
}

#[test]
fn a_host_not_looked_up_is_undecided_and_never_switch_now() {
    let k = keys();
    let s = state(&k, &[MX, MX2]);
    let h1 = host(MX, vec![ee(&k.current), ee(&k.next)]);
    let (_, s) = run(&s, &k.current, &[&h1], NOW);
    let (r, _) = run(&s, &k.current, &[&h1], NOW + 86_400);
    assert_eq!(r.hosts[0].stage, Stage::SwitchNow);
    assert_eq!(r.hosts[1].stage, Stage::Undecided);
    assert_eq!(r.hosts[1].detail, format!("{MX2} was not looked up"));
    assert_eq!(r.stage, Stage::Undecided);
}

#[test]
fn dns_that_does_not_validate_is_undecided_and_keeps_the_first_sighting() {
    let k = keys();
    let s = state(&k, &[MX]);
    let both = vec![ee(&k.current), ee(&k.next)];
    let (_, seen) = run(&s, &k.current, &[&host(MX, both.clone())], NOW);
    let cases = [
        host_full(MX, Status::Secure, Proof::bogus(ReasonKind::SignatureExpired, "RRSIG expired"), vec![], 0),
        host_full(MX, Status::Secure, Proof::indeterminate(ReasonKind::Network, "no answer"), vec![], 0),
        host_full(
            MX,
            Status::Secure,
            Proof::Insecure { zone_cut: "example.com.".into(), why: "no DS".into() },
            both.clone(),
            TTL,
        ),
        host_full(MX, Status::Bogus, Proof::Secure, both.clone(), TTL),
        host_full(MX, Status::Insecure, Proof::Secure, both.clone(), TTL),
    ];
    for h in &cases {
        let (r, after) = run(&seen, &k.current, &[h], NOW + 86_400);
        assert_eq!(r.stage, Stage::Undecided, "{h:?}");
        assert_eq!(after, seen, "nothing known: nothing forgotten");
        assert!(r.steps[0].starts_with("do not switch keys"));
        assert!(!r.stage.is_go());
    }
    let (r, _) = run(&seen, &k.current, &[&cases[0]], NOW);
    assert_eq!(
        r.hosts[0].detail,
        format!("the TLSA lookup at _25._tcp.{MX} is bogus: RRSIG expired (EDE 7 Signature Expired)")
    );
}

#[test]
fn a_record_seen_gone_starts_the_wait_again() {
    let k = keys();
    let s = state(&k, &[MX]);
    let (_, s) = run(&s, &k.current, &[&host(MX, vec![ee(&k.current), ee(&k.next)])], NOW);
    let (r, s) = run(&s, &k.current, &[&host(MX, vec![ee(&k.current)])], NOW + 3600);
    assert_eq!(r.stage, Stage::PublishNext);
    assert_eq!(s.hosts()[0].next_first_seen, None);
    let (r, _) = run(&s, &k.current, &[&host(MX, vec![ee(&k.current), ee(&k.next)])], NOW + 7200);
    assert_eq!((r.stage, r.hosts[0].wait_seconds), (Stage::Wait, Some(7200)));
}

#[test]
fn the_largest_ttl_seen_is_waited_for() {
    let k = keys();
    let s = state(&k, &[MX]);
    let both = vec![ee(&k.current), ee(&k.next)];
    let (_, s) = run(&s, &k.current, &[&host_full(MX, Status::Secure, Proof::Secure, both.clone(), 86_400)], NOW);
    // The zone lowered its TTL to 5 minutes: caches may still hold a day-long copy.
    let short = host_full(MX, Status::Secure, Proof::Secure, both, 300);
    let (r, s) = run(&s, &k.current, &[&short], NOW + 600);
    assert_eq!((r.stage, r.hosts[0].ttl), (Stage::Wait, 86_400));
    assert_eq!(s.hosts()[0].ttl, 86_400);
    let (r, _) = run(&s, &k.current, &[&short], NOW + 2 * 86_400);
    assert_eq!(r.stage, Stage::SwitchNow);
}

#[test]
fn the_next_key_pinned_with_sha_512_counts() {
    let k = keys();
    let s = state(&k, &[MX]);
    let data = association_data(&[], &k.next, Selector::SPKI, MatchingType::SHA2_512).unwrap();
    let sha512 = Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_512, data);
    let (r, _) = run(&s, &k.current, &[&host(MX, vec![ee(&k.current), sha512])], NOW);
    assert_eq!(r.stage, Stage::Wait);
}

#[test]
fn the_current_record_missing_while_the_server_uses_it_is_warned() {
    let k = keys();
    let s = state(&k, &[MX]);
    let (r, _) = run(&s, &k.current, &[&host(MX, vec![ee(&k.next)])], NOW);
    assert_eq!(r.stage, Stage::Wait);
    assert_eq!(
        r.hosts[0].warnings,
        vec![format!(
            "the record of the key the server uses now (`{}`) is not published at _25._tcp.{MX}: DANE-aware senders that see this RRset defer mail to {MX} now",
            ee(&k.current)
        )]
    );
    // With neither: both are to be published.
    let (r, _) = run(&s, &k.current, &[&host(MX, vec![])], NOW);
    assert_eq!(r.hosts[0].publish, vec![ee(&k.next).to_string(), ee(&k.current).to_string()]);
}

#[test]
fn after_the_switch_remove_old_then_done() {
    let k = keys();
    let s = state(&k, &[MX]);
    let (r, s) = run(&s, &k.next, &[&host(MX, vec![ee(&k.current), ee(&k.next)])], NOW);
    assert_eq!((r.stage, r.live), (Stage::RemoveOld, Live::Next));
    assert_eq!(r.hosts[0].remove, vec![ee(&k.current).to_string()]);
    assert_eq!(
        r.steps[0],
        format!(
            "remove `_25._tcp.{MX} 3600 IN TLSA {}` (keep `{}`: it pins the key the server uses)",
            ee(&k.current),
            ee(&k.next)
        )
    );
    assert!(!r.stage.is_go());
    let (r, s) = run(&s, &k.next, &[&host(MX, vec![ee(&k.next)])], NOW + 60);
    assert_eq!(r.stage, Stage::Done);
    assert!(r.stage.is_go());
    assert_eq!(s.hosts()[0].current_first_seen, None);
}

#[test]
fn a_server_on_the_next_key_without_its_record_is_told_to_publish_it() {
    let k = keys();
    let s = state(&k, &[MX, MX2]);
    let h1 = host(MX, vec![ee(&k.current), ee(&k.next)]);
    let h2 = host(MX2, vec![ee(&k.current)]);
    let (r, _) = run(&s, &k.next, &[&h1, &h2], NOW);
    assert_eq!(r.stage, Stage::PublishNext, "more urgent than removing the old record elsewhere");
    assert!(r.hosts[1].detail.starts_with("the server already uses the next key, but its record"));
    assert_eq!(r.hosts[1].publish, vec![ee(&k.next).to_string()]);
}

#[test]
fn a_server_on_a_third_key_is_an_error() {
    let k = keys();
    let s = state(&k, &[MX]);
    let other = TestKey::new(KeyAlg::P256).spki;
    let err = decide(&s, &other, &[&host(MX, vec![])], NOW).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "expected the server to use the current key ({}) or the next key ({}) of this rollover, found another key ({})",
            ee(&k.current),
            ee(&k.next),
            ee(&other)
        )
    );
}

#[test]
fn a_report_for_another_host_is_an_error() {
    let k = keys();
    let s = state(&k, &[MX]);
    let err = decide(&s, &k.current, &[&host("other.example.com.", vec![])], NOW).unwrap_err();
    assert_eq!(err.to_string(), format!("expected an MX host of this rollover ({MX}), found other.example.com."));
}

#[test]
fn host_names_are_absolute_and_lower_case() {
    let k = keys();
    let s = State::new(&k.current, &k.next, &["MX.Example.COM".to_owned()]).unwrap();
    assert_eq!(s.hosts()[0].host, MX);
    let (r, _) = run(&s, &k.current, &[&host(MX, vec![ee(&k.current)])], NOW);
    assert_eq!(r.hosts[0].stage, Stage::PublishNext);
}

// ── hostile state files ───────────────────────────────────────────────

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

fn file(k: &Keys, hosts: &str) -> String {
    format!(
        r#"{{"geleit_rollover": 1, "current_key": "{}", "next_key": "{}", "hosts": [{hosts}]}}"#,
        b64(&k.current),
        b64(&k.next)
    )
}

fn parse_err(text: &str) -> String {
    State::parse(text.as_bytes(), NOW).unwrap_err().to_string()
}

const ONE: &str =
    r#"{"host": "mx.example.com.", "ttl": 3600, "current_first_seen": 1893450000, "next_first_seen": null}"#;

#[test]
fn a_well_formed_state_file_is_read() {
    let k = keys();
    let s = State::parse(file(&k, ONE).as_bytes(), NOW).unwrap();
    assert_eq!(s.current().spki(), k.current.as_slice());
    assert_eq!(s.next().record(), ee(&k.next));
    assert_eq!(
        s.hosts(),
        [HostState { host: MX.into(), ttl: 3600, current_first_seen: Some(1_893_450_000), next_first_seen: None }]
    );
    assert_eq!(State::parse(s.to_json().as_bytes(), NOW).unwrap(), s);
}

#[test]
fn hostile_state_files_are_refused_with_what_was_expected() {
    let k = keys();
    let cases: Vec<(String, String)> = vec![
        ("".into(), "expected a rollover state file (JSON), found EOF while parsing a value at line 1 column 0".into()),
        ("[]".into(), "expected a rollover state file (JSON), found an array where an object belongs".into()),
        (
            file(&k, ONE).replace("\"geleit_rollover\": 1", "\"geleit_rollover\": 2"),
            "expected rollover state version 1, found version 2".into(),
        ),
        (
            file(&k, ONE).replace("\"geleit_rollover\": 1, ", ""),
            "expected a rollover state file (JSON), found missing field `geleit_rollover`".into(),
        ),
        (
            file(&k, ONE).replace("\"hosts\"", "\"extra\": 1, \"hosts\""),
            "expected a rollover state file (JSON), found unknown field `extra`, expected one of `geleit_rollover`, `current_key`, `next_key`, `hosts`".into(),
        ),
        (
            file(&k, &ONE.replace("\"ttl\": 3600, ", "")),
            "expected a rollover state file (JSON), found missing field `ttl`".into(),
        ),
        (
            file(&k, &ONE.replace("\"ttl\": 3600", "\"ttl\": -1")),
            "expected a rollover state file (JSON), found invalid value: integer `-1`, expected u32".into(),
        ),
        (
            file(&k, &ONE.replace("1893450000", "\"yesterday\"")),
            "expected a rollover state file (JSON), found invalid type: string \"yesterday\", expected i64".into(),
        ),
        (
            file(&k, ONE).replace(&b64(&k.current), "not base64!"),
            "expected current_key to be a base64 DER SubjectPublicKeyInfo, found no base64 (invalid Base64 encoding)".into(),
        ),
        (
            file(&k, ONE).replace(&b64(&k.next), &b64(b"not a key")),
            "expected next_key to be a base64 DER SubjectPublicKeyInfo, found ".into(),
        ),
        (file(&k, ONE).replace(&b64(&k.next), &b64(&k.current)), format!("expected the next key to differ from the current key, found the same key ({})", ee(&k.current))),
        (file(&k, ""), "expected at least one MX host in the rollover, found none".into()),
        (
            file(&k, &format!("{ONE}, {}", ONE.replace("mx.example.com.", "MX.example.com"))),
            "expected each MX host once, found mx.example.com. twice".into(),
        ),
        (file(&k, &ONE.replace("mx.example.com.", "mx..example")), "expected an MX host name, found \"mx..example\" (".into()),
        (file(&k, &ONE.replace("mx.example.com.", ".")), "expected an MX host name, found \".\" (the root is no mail host)".into()),
        (
            file(&k, &ONE.replace("1893450000", "1893456001")),
            "expected current_first_seen of mx.example.com. between 1970 and now (2030-01-01 00:00:00 UTC), found 1893456001".into(),
        ),
        (
            file(&k, &ONE.replace("1893450000", "-5")),
            "expected current_first_seen of mx.example.com. between 1970 and now (2030-01-01 00:00:00 UTC), found -5".into(),
        ),
        (
            file(&k, &ONE.replace("\"ttl\": 3600", "\"ttl\": 0")),
            "expected a TLSA TTL for mx.example.com., which has a first-seen time, found 0".into(),
        ),
    ];
    for (text, want) in cases {
        let got = parse_err(&text);
        assert!(got.starts_with(&want), "{text}\n got: {got}\nwant: {want}");
    }
}

#[test]
fn oversized_state_files_and_too_many_hosts_are_refused() {
    let k = keys();
    let big = " ".repeat(MAX_STATE + 1);
    assert_eq!(
        parse_err(&big),
        format!("expected a rollover state file of at most {MAX_STATE} bytes, found {} bytes", MAX_STATE + 1)
    );
    let many: Vec<String> = (0..=MAX_HOSTS)
        .map(|i| {
            format!(
                r#"{{"host": "mx{i}.example.com.", "ttl": 0, "current_first_seen": null, "next_first_seen": null}}"#
            )
        })
        .collect();
    assert_eq!(
        parse_err(&file(&k, &many.join(","))),
        format!("expected at most {MAX_HOSTS} MX hosts in the rollover, found {}", MAX_HOSTS + 1)
    );
    let names: Vec<String> = (0..=MAX_HOSTS).map(|i| format!("mx{i}.example.com")).collect();
    assert_eq!(
        State::new(&k.current, &k.next, &names).unwrap_err(),
        RolloverError::TooManyHosts { found: MAX_HOSTS + 1, max: MAX_HOSTS }
    );
}

#[test]
fn spans_read_as_people_say_them() {
    assert_eq!(span(0), "0 s");
    assert_eq!(span(59), "59 s");
    assert_eq!(span(3600), "1 h");
    assert_eq!(span(5400), "1 h 30 min");
    assert_eq!(span(3599), "59 min 59 s");
    assert_eq!(span(90_061), "25 h 1 min 1 s");
}
