//! wasm-bindgen-test in headless Chromium (`cargo test -p geleit-frontend
//! --target wasm32-unknown-unknown`, runner in .cargo/config.toml,
//! CHROMEDRIVER=/usr/bin/chromedriver): the parts that only exist in the
//! browser build — ring's digests compiled to wasm, local storage, fetch.
#![cfg(target_arch = "wasm32")]

use geleit::check::CheckOutcome;
use geleit_frontend::drive::Step;
use geleit_frontend::generator::{self, GenForm};
use geleit_frontend::i18n::Lang;
use geleit_frontend::services::{browser, check};
use geleit_frontend::state::Settings;
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
    use geleit_frontend::domain;
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
