//! The two-MX check's DNS validation timed in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown`, wasm-bindgen-test-runner).
//! Prints one `GELEIT_BENCH {json}` line with per-iteration samples in ms;
//! bench/wasm.sh turns it into a record. No timing asserts.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TWO_MX: &str = include_str!("../../../tests/data/dns/two-mx.json");
const ANCHOR: &str = include_str!("../../../tests/data/dns/anchor.ds");

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

#[wasm_bindgen_test]
fn two_mx_check_in_the_browser() {
    // Warm-up (JIT tiers, allocator).
    assert!(geleit_bench_wasm::check_recording(TWO_MX, ANCHOR, 20).unwrap());
    // 30 samples of 10 iterations each: performance.now() is coarse in browsers.
    let batch = 10u32;
    let mut samples = Vec::new();
    for _ in 0..30 {
        let t0 = now();
        assert!(geleit_bench_wasm::check_recording(TWO_MX, ANCHOR, batch).unwrap());
        samples.push((now() - t0) / f64::from(batch));
    }
    let list: Vec<String> = samples.iter().map(|s| format!("{s:.4}")).collect();
    console_log!("GELEIT_BENCH {{\"iteration_ms\": [{}]}}", list.join(","));
}
