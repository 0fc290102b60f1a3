#!/usr/bin/env bash
# Runs Geleit's whole test suite. Called by `make test` after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }
# Every test run's output also goes to $results, summed up at the end.
results=$(mktemp)
tally() { tee -a "$results"; }

# Format and lints first: the cheapest failures (scripts/check.sh; its unit
# tests run again below with the integration tests, so skip them here).
scripts/check.sh --no-unit

step "native build and unit/integration tests"
cargo build --workspace --all-targets --quiet
cargo test --workspace --quiet 2>&1 | tally

step "web app: build (Trunk: first module; engine module), sizes, no engine code in the first module, wasm-bindgen-test in headless Chromium"
scripts/web-build.sh
# (no --quiet: cargo hands it to wasm-bindgen-test-runner, which rejects it)
CHROMEDRIVER=/usr/bin/chromedriver cargo test -p geleit-web --features browser --target wasm32-unknown-unknown --test browser 2>&1 | tally

step "widget <geleit-check>: build (dist-widget/: default module and engine), size, no engine code in the default module"
widget/build.sh

step "web app in headless Chromium: generator and matcher with the network off (same records as geleit tlsa gen)"
cargo build -p geleit-cli --quiet
node tests/web/generator.mjs dist target/debug/geleit target/web-artifacts 2>&1 | tally

step "web app's two modules: the generator works while the engine module is held back or blocked, the checker says so, loads it on Try again"
node tests/web/engine.mjs dist target/debug/geleit target/web-artifacts 2>&1 | tally

step "web app offline (service worker): reload and generator from the cache with the network off, checker's offline message, update to a new build"
node tests/web/offline.mjs dist target/debug/geleit target/web-artifacts 2>&1 | tally

step "core builds for wasm32-unknown-unknown without IO dependencies"
cargo build -p geleit --target wasm32-unknown-unknown --quiet
scripts/check-core-deps.sh

step "edge worker: plain-Rust parts, wasm32 build (wasm-bindgen + esbuild), size"
edge/build.sh

step "release directory (make release) from this run's builds: dist-release/ (tested with the lab tests below)"
scripts/release.sh --no-build

step "the self-hosted edge starts on its own (make run's edge: edge/workerd.capnp, no lab needed) and answers /api/health"
edge_port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
edge/run.sh --no-build --listen "127.0.0.1:$edge_port" >target/edge-alone.log 2>&1 &
edge_alone=$!
edge_ok=0
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$edge_port/api/health" 2>/dev/null | grep -q '"ok"' && { edge_ok=1; break; }; sleep 0.2; done
kill "$edge_alone" 2>/dev/null || true
wait "$edge_alone" 2>/dev/null || true
[ "$edge_ok" = 1 ] || { cat target/edge-alone.log >&2; echo "the edge did not start without the lab" >&2; exit 1; }

step "lab: bring up (tests/lab/up), check it against the reference tools (tests/lab/verify)"
# Bring the lab down at exit, pass or fail -- unless it was already up before this
# run (someone else is using it), in which case leave it as it was.
if ! tests/lab/in true 2>/dev/null; then
  trap 'tests/lab/down' EXIT
fi
tests/lab/up
tests/lab/verify

step "lab tests (inside the lab namespace)"
# Test targets with `required-features = ["lab"]` run here, against the live lab
# (release_lab starts the release directory assembled above with its own start).
tests/lab/in cargo test -p geleit-cli --features lab --quiet 2>&1 | tally

step "web checker in headless Chromium against the lab (screenshots in target/web-artifacts/)"
# With the edge worker in the tree, the probes go through it (inside the lab,
# a rate limit high enough for the test); without it the checker is DNS-only.
web_edge=()
if [ -x edge/run.sh ] && [ -s edge/build/worker.mjs ]; then
  tests/lab/in env GELEIT_PROBE_RATE=1000/60 GELEIT_TARGET_RATE=1000/60 \
    edge/run.sh --lab --no-build --listen 127.0.0.1:8787 >target/web-edge.log 2>&1 &
  web_edge_pid=$!
  for _ in $(seq 50); do tests/lab/in curl -fsS -o /dev/null http://127.0.0.1:8787/dns-query?dns=AAABAAABAAAAAAAAAAAGAAE 2>/dev/null && break; sleep 0.2; done
  web_edge=(env GELEIT_EDGE=http://127.0.0.1:8787)
fi
web_status=0
tests/lab/in "${web_edge[@]}" node tests/web/checker.mjs dist target/web-artifacts 2>&1 | tally || web_status=$?

step "widget <geleit-check> in headless Chromium against the lab and its edge: both modes, demo pages, hostile host CSS, strict CSP"
# Same lab and edge as the checker above.
widget_status=0
tests/lab/in "${web_edge[@]}" node tests/web/widget.mjs dist-widget target/web-artifacts 2>&1 | tally || widget_status=$?
[ -n "${web_edge_pid:-}" ] && kill "$web_edge_pid" 2>/dev/null || true
[ "$web_status" = 0 ] && [ "$widget_status" = 0 ]

step "fuzzing: ${FUZZ_SECONDS:=20} s per target (cargo-fuzz, AddressSanitizer)"
# Only stable Rust here: RUSTC_BOOTSTRAP=1 unlocks the -Z flags cargo-fuzz passes.
# Each run starts from the committed seeds plus whatever corpus earlier runs kept.
for target in tlsa_text tlsa_wire cert_input dns_message smtp_client dns_engine rollover_state mail_policy web_json; do
  dict=()
  [ -f "fuzz/$target.dict" ] && dict=("-dict=$target.dict")
  mkdir -p "fuzz/corpus/$target"
  log=$(mktemp)
  if ! (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 "${dict[@]}") >"$log" 2>&1; then
    cat "$log"
    echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units)' "$log" | sed "s/^/$target: /"
  rm -f "$log"
done

step "summary"
awk '/^test result:/ { p += $4; f += $6 }
     /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 } END { printf "make test: %d passed, %d failed\n", p, f }' "$results"
rm -f "$results"
