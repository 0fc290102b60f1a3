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
