#!/usr/bin/env bash
# Runs Geleit's whole test suite. Called by `make test` after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "native build and unit/integration tests"
cargo build --workspace --all-targets --quiet
cargo test --workspace --quiet

step "core builds for wasm32-unknown-unknown without IO dependencies"
cargo build -p geleit --target wasm32-unknown-unknown --quiet
scripts/check-core-deps.sh

step "edge worker: plain-Rust parts, wasm32 build (wasm-bindgen + esbuild), size"
# The worker shell only compiles for wasm32: lint it there too.
cargo clippy --quiet -p geleit-edge --target wasm32-unknown-unknown -- -D warnings
edge/build.sh

step "lab: bring up (tests/lab/up), check it against the reference tools (tests/lab/verify)"
# Bring the lab down at exit, pass or fail -- unless it was already up before this
# run (someone else is using it), in which case leave it as it was.
if ! tests/lab/in true 2>/dev/null; then
  trap 'tests/lab/down' EXIT
fi
tests/lab/up
tests/lab/verify

step "lab tests (inside the lab namespace)"
# Test targets with `required-features = ["lab"]` run here, against the live lab.
tests/lab/in cargo test -p geleit-cli --features lab --quiet

step "fuzzing: ${FUZZ_SECONDS:=20} s per target (cargo-fuzz, AddressSanitizer)"
# Only stable Rust here: RUSTC_BOOTSTRAP=1 unlocks the -Z flags cargo-fuzz passes.
# Each run starts from the committed seeds plus whatever corpus earlier runs kept.
for target in tlsa_text tlsa_wire; do
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
