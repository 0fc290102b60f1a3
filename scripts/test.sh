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

step "DNS engine against the lab (every catalogue RRset vs delv, host outcomes vs posttls-finger)"
if [ -x tests/lab/up ]; then
  tests/lab/up >/dev/null
  tests/lab/in cargo test -p geleit-cli --features lab --test dns_lab --quiet
else
  echo "tests/lab not present: skipped"
fi
