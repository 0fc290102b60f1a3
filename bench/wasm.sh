#!/usr/bin/env bash
# The core in WebAssembly (bench/wasm: the DNS stage of a full check over
# recorded answers, exported with wasm-bindgen):
#   - size of the release cdylib (profile wasm-release, as the web front end),
#     shipped form (no name section; wasm-opt -Oz when npm binaryen is on hand)
#     and a listing of its largest contributors (from a build that keeps names);
#   - the same validation timed in headless Chromium and natively, sampled the
#     same way (30 samples of 10 iterations after 20 warm-up iterations).
#   bench/wasm.sh RECORDS
set -euo pipefail
cd "$(dirname "$0")/.."
rec=$1
GB=target/release/geleit-bench
out=target/bench/wasm-core
subject="smtp_check two-mx (tests/data/dns/two-mx.json)"
rm -rf "$out"; mkdir -p "$out/named" "$out/shipped"

echo "bench: wasm32 cdylib of the core's DNS check" >&2
cargo build --quiet -p geleit-bench-wasm --target wasm32-unknown-unknown --profile wasm-release
wasm=target/wasm32-unknown-unknown/wasm-release/geleit_bench_wasm.wasm
wasm-bindgen --target web --no-typescript --out-dir "$out/named" "$wasm"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$out/shipped" "$wasm"
label="core DNS check (wasm32 cdylib, wasm-release, wasm-bindgen)"
wasm_opt=""
for c in node_modules/.bin/wasm-opt edge/node_modules/.bin/wasm-opt; do [ -x "$c" ] && { wasm_opt=$c; break; }; done
if [ -n "$wasm_opt" ] && "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
     --enable-mutable-globals --enable-reference-types --enable-multivalue \
     "$out/shipped/geleit_bench_wasm_bg.wasm" -o "$out/shipped/opt.wasm" 2>/dev/null; then
  mv "$out/shipped/opt.wasm" "$out/shipped/geleit_bench_wasm_bg.wasm"
  label="$label + wasm-opt -Oz"
else
  label="$label, no wasm-opt (npm binaryen not installed)"
fi
"$GB" sizes --out "$rec" --build "$label" "$out/shipped/geleit_bench_wasm_bg.wasm" "$out/shipped/geleit_bench_wasm.js"
# Contributors: the same build with its name section (the size row of this one includes the names).
"$GB" sizes --out "$rec" --build "core DNS check, names kept (for the contributor listing)" "$out/named/geleit_bench_wasm_bg.wasm"

echo "bench: the same validation natively and in headless Chromium" >&2
"$GB" cpu-native --out "$rec" --section cpu --subject "$subject" --tool "native (same sampling as in the browser)" \
  --recording tests/data/dns/two-mx.json --anchor tests/data/dns/anchor.ds
if command -v chromedriver >/dev/null && command -v wasm-bindgen-test-runner >/dev/null; then
  log=target/bench/chromium.log
  if CHROMEDRIVER=$(command -v chromedriver) CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
       cargo test --release -p geleit-bench-wasm --target wasm32-unknown-unknown --test chromium -- --nocapture \
       >"$log" 2>&1; then
    line=$(grep -o 'GELEIT_BENCH .*' "$log" | head -1 | cut -d' ' -f2-)
    "$GB" samples --out "$rec" --section cpu --subject "$subject" --tool "wasm32 in headless Chromium ($(chromium --version 2>/dev/null | awk '{print $1, $2}'))" \
      --json "$line" --note "release profile, performance.now()"
  else
    tail -20 "$log" >&2
    "$GB" note --out "$rec" --section cpu --subject "$subject" --tool "wasm32 in headless Chromium" --status "run failed: see $log"
  fi
else
  "$GB" note --out "$rec" --section cpu --subject "$subject" --tool "wasm32 in headless Chromium" \
    --status "not measured: chromedriver or wasm-bindgen-test-runner missing"
fi
