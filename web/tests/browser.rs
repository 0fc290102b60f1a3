//! wasm-bindgen-test in headless Chromium (`cargo test -p geleit-frontend
//! --target wasm32-unknown-unknown`, runner in .cargo/config.toml,
//! CHROMEDRIVER=/usr/bin/chromedriver): the parts that only exist in the
//! browser build — ring's digests compiled to wasm, local storage, fetch.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use geleit::check::CheckOutcome;
use geleit_web::drive::Step;
use geleit_web::generator::{self, GenForm};
use geleit_web::i18n::Lang;
use geleit_web::services::{browser, check};
use geleit_web::state::Settings;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const LEAF: &[u8] = include_bytes!("../../tests/fixtures/smtp/ecdsa-leaf.der");

#[wasm_bindgen_test]
fn generator_in_wasm_gives_the_openssl_digest() {
    // sha256 of the leaf's SubjectPublicKeyInfo, from
    // `openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha256sum`.
    let expected = "3 1 1 fec5a6fcf77af02021e37888d74516c9c222cbfd0fe6c057165cb423fa0f2e1e";
    let view = generator::run_bytes(LEAF, &GenForm::default(), Lang::En).unwrap();
    assert_eq!(view.recommended[0].rdata, expected);
    assert_eq!(view.owner, "_25._tcp.mx.probe.example.");
}

#[wasm_bindgen_test]
fn settings_survive_in_local_storage() {
    let settings = Settings {
        doh: "https://doh.example/dns-query".into(),
        edge: String::new(),
        anchor: ". IN DS 1 13 2 00".into(),
    };
    browser::save_settings(Some(&settings));
    assert_eq!(browser::saved_settings(), Some(settings));
    browser::save_settings(None);
    assert_eq!(browser::saved_settings(), None);
}

#[wasm_bindgen_test]
fn the_clock_is_the_browsers() {
    // After 2025-01-01 and before 2100: the page passes a real `now` to the core.
    let now = browser::now();
    assert!(now > 1_735_689_600 && now < 4_102_444_800, "{now}");
}

#[wasm_bindgen_test]
async fn unreachable_doh_is_an_unreachable_resolver_not_a_dnssec_result_and_not_a_hang() {
    // Port 9 (discard) is closed: every fetch fails, the core asks each query
    // again and then says its resolver could not be reached, which says
    // nothing about the domain (it used to be reported as a deferred MX lookup).
    let settings = Settings { doh: "http://127.0.0.1:9/dns-query".into(), ..Settings::default() };
    let mut steps = Vec::new();
    let outcome = check::run("example.com", &settings, browser::now(), |s| steps.push(s)).await.unwrap();
    let CheckOutcome::ResolverUnreachable(failure) = outcome else {
        panic!("expected an unreachable resolver, found {outcome:?}")
    };
    assert_eq!(failure.domain, "example.com.");
    assert!(failure.failed > 0 && failure.asked > 0, "{failure}");
    assert!(failure.detail.contains("127.0.0.1:9"), "{failure}");
    assert!(!steps.iter().any(|s| matches!(s, Step::DnsDone { .. })), "{steps:?}");
}

#[wasm_bindgen_test]
fn idn_through_the_browsers_url_parser() {
    // wasm32 maps U-labels with the browser's UTS 46 (no IDNA tables in the app).
    use geleit_web::domain;
    let d = domain::parse(" Bücher.Example. ").unwrap();
    assert_eq!((d.ascii.as_str(), d.unicode.as_str()), ("xn--bcher-kva.example", "bücher.example"));
    assert_eq!(domain::parse("MÜNCHEN.de").unwrap().ascii, "xn--mnchen-3ya.de");
    assert_eq!(domain::parse("xn--bcher-kva.example").unwrap().unicode, "bücher.example");
    assert!(domain::parse("bücher.example/x").is_err());
    assert!(domain::parse("bücher.example:25").is_err());
    assert!(domain::parse("bü cher.example").is_err());
    assert!(domain::parse("bücher_x.example").is_err());
    assert_eq!(generator::host_to_ascii("MX.Bücher.example"), "mx.xn--bcher-kva.example");
    // The core shows names with U-labels through Punycode alone on wasm32.
    let name = geleit::dns::parse_ascii_name("mx.xn--bcher-kva.example").unwrap();
    assert_eq!(geleit::dns::shown(&name).to_string(), "mx.bücher.example.");
}

/// A sample of the adversary catalogue (tests/adversary/README.md), recorded
/// by `cargo run -p geleit-test-support --bin record-adversary` into
/// tests/data/adversary: the in-browser engine cannot reach the adversary's
/// DoH server, so its answers are replayed here.
const ADVERSARY: &[(&str, &str)] = &[
    (
        "wildcard-nsec-next-closer-exists",
        include_str!("../../tests/data/adversary/wildcard-nsec-next-closer-exists.json"),
    ),
    ("wildcard-labels-above-signer", include_str!("../../tests/data/adversary/wildcard-labels-above-signer.json")),
    (
        "wildcard-replayed-at-other-depth",
        include_str!("../../tests/data/adversary/wildcard-replayed-at-other-depth.json"),
    ),
    (
        "nsec3-mixed-chains-false-nxdomain",
        include_str!("../../tests/data/adversary/nsec3-mixed-chains-false-nxdomain.json"),
    ),
    (
        "tlsa-denied-by-nsec-of-parent-name",
        include_str!("../../tests/data/adversary/tlsa-denied-by-nsec-of-parent-name.json"),
    ),
    ("tlsa-denied-by-expired-nsec", include_str!("../../tests/data/adversary/tlsa-denied-by-expired-nsec.json")),
    (
        "ds-stripped-optout-neighbour-span",
        include_str!("../../tests/data/adversary/ds-stripped-optout-neighbour-span.json"),
    ),
    ("dnskey-extra-attacker-key", include_str!("../../tests/data/adversary/dnskey-extra-attacker-key.json")),
    ("tlsa-forged-with-ad-bit", include_str!("../../tests/data/adversary/tlsa-forged-with-ad-bit.json")),
    (
        "cname-forged-into-unsigned-zone",
        include_str!("../../tests/data/adversary/cname-forged-into-unsigned-zone.json"),
    ),
    ("cname-hidden-by-own-nsec", include_str!("../../tests/data/adversary/cname-hidden-by-own-nsec.json")),
    ("honest-tlsa-nsec3", include_str!("../../tests/data/adversary/honest-tlsa-nsec3.json")),
    ("compact-denial-missing-tlsa", include_str!("../../tests/data/adversary/compact-denial-missing-tlsa.json")),
    ("nsec3-white-lies-nxdomain", include_str!("../../tests/data/adversary/nsec3-white-lies-nxdomain.json")),
    ("algorithm-ed448-unsupported", include_str!("../../tests/data/adversary/algorithm-ed448-unsupported.json")),
    ("nsec3-200-iterations-positive", include_str!("../../tests/data/adversary/nsec3-200-iterations-positive.json")),
];

/// Replays one adversary recording through the core compiled to wasm: the
/// lookup's status must be one the recording expects, and the check's
/// verdict (DANE-ready or not, the first host's outcome) must match.
fn replay_adversary(text: &str) -> Result<(), String> {
    use geleit::dns::{Config, Lookup, SmtpCheck, TrustAnchors};
    use std::collections::HashMap;
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut responses: HashMap<(String, String), Vec<u8>> = HashMap::new();
    for r in doc["responses"].as_array().into_iter().flatten() {
        let wire = data_encoding::BASE64
            .decode(r["wire"].as_str().unwrap_or_default().as_bytes())
            .map_err(|e| e.to_string())?;
        let key =
            (r["name"].as_str().unwrap_or_default().to_owned(), r["type"].as_str().unwrap_or_default().to_owned());
        responses.insert(key, wire);
    }
    let anchors = TrustAnchors::scan(doc["anchor"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    let config = Config { anchors, ..Config::default() };
    let now = doc["now"].as_u64().unwrap_or(0);
    let answer = |name: &geleit::dns::Name, rtype: geleit::dns::RecordType| {
        responses.get(&(name.to_ascii().to_ascii_lowercase(), rtype.to_string())).cloned()
    };
    let qname = geleit::dns::parse_ascii_name(doc["qname"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    let qtype = geleit::dns::parse_type(doc["qtype"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    let mut lookup = Lookup::new(qname, qtype, config.clone(), now);
    while !lookup.is_done() {
        for q in lookup.poll_queries() {
            match answer(q.name(), q.rtype()) {
                Some(b) => lookup.handle_response(q.id(), &b).map_err(|e| e.to_string())?,
                None => lookup.handle_error(q.id(), "not recorded").map_err(|e| e.to_string())?,
            }
        }
    }
    let status = lookup.poll_result().ok_or("no answer")?.status().as_str();
    if !doc["expect"].as_array().into_iter().flatten().any(|s| s.as_str() == Some(status)) {
        return Err(format!("status {status}, expected {}", doc["expect"]));
    }
    if let Some(c) = doc["check"].as_object() {
        let domain =
            geleit::dns::parse_ascii_name(c["domain"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
        let mut check = SmtpCheck::new(domain, config, now);
        while !check.is_done() {
            for q in check.poll_queries() {
                match answer(q.name(), q.rtype()) {
                    Some(b) => check.handle_response(q.id(), &b).map_err(|e| e.to_string())?,
                    None => check.handle_error(q.id(), "not recorded").map_err(|e| e.to_string())?,
                }
            }
        }
        let report = check.poll_result().ok_or("no report")?;
        let first = report.hosts.first().map(|h| serde_json::to_value(h.outcome).unwrap_or_default());
        if Some(report.dane_ready) != c["dane_ready"].as_bool()
            || first.as_ref().unwrap_or(&serde_json::Value::Null) != &c["first_host"]
        {
            return Err(format!(
                "check: dane_ready {} first host {first:?}, expected {} {}",
                report.dane_ready, c["dane_ready"], c["first_host"]
            ));
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
fn adversary_recordings_validate_in_wasm_as_natively() {
    // Forged answers never validate as secure, forged TLSA never makes a host
    // DANE-ready, and the valid zones (compact denial, white lies, Ed448) give
    // the status the RFCs call for.
    let failures: Vec<String> = ADVERSARY
        .iter()
        .filter_map(|(name, text)| replay_adversary(text).err().map(|e| format!("{name}: {e}")))
        .collect();
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
