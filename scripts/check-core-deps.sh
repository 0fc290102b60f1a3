#!/usr/bin/env bash
# Proves that the core crate (`shared/`, crate `geleit`) pulls in no IO:
# no async runtime, sockets, web or worker bindings.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$(cargo tree -p geleit --target wasm32-unknown-unknown -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)
bad=$(printf '%s\n' "$tree" | grep -xE 'tokio|mio|socket2|hyper|reqwest|ureq|web-sys|worker|gloo-net|gloo-timers|async-std|smol' || true)
if [ -n "$bad" ]; then
  echo "core crate depends on IO crates: $bad" >&2
  exit 1
fi
echo "core dependency check: $(printf '%s\n' "$tree" | wc -l) crates, no IO crates"
