#!/usr/bin/env bash
# `make check`: the fast inner loop — format, lints (native and wasm32) and the
# unit tests of every crate. `make test` runs this first, then everything else.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "format (cargo fmt --check, workspace and fuzz/)"
cargo fmt --all --check
cargo fmt --manifest-path fuzz/Cargo.toml --check

step "lints: clippy -D warnings with [workspace.lints], native (every crate, every target)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "lints: clippy -D warnings for wasm32 (core, probe TLS, edge; web app with its engine module, widget, with their tests)"
cargo clippy --target wasm32-unknown-unknown --quiet -p geleit -p geleit-probe-tls -p geleit-edge -- -D warnings
cargo clippy --target wasm32-unknown-unknown --quiet -p geleit-frontend -p geleit-app-engine -p geleit-web --features geleit-web/browser -p geleit-widget \
  --all-targets -- -D warnings

if [ "${1:-}" != "--no-unit" ]; then
  step "unit tests (every crate's own tests; integration tests run in make test)"
  cargo test --workspace --lib --bins --quiet
fi
