#!/usr/bin/env bash
# Builds the web app (Trunk, release) and serves it; prints the URL and the
# app's size. Usage: scripts/serve.sh [--lab] [PORT]
#   --lab   `make demo`: bring the lab up and preset the page for it (its DoH
#           and trust anchor), so checks of the lab's domains work at once.
# The page's own DoH and /api/probe default to the same origin, the edge; without
# an edge, use Settings to pick a DoH endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
lab=0
[ "${1:-}" = "--lab" ] && { lab=1; shift; }
port=${1:-8080}

scripts/web-build.sh

if [ "$lab" = 1 ]; then
  tests/lab/up >/dev/null
  run=$(mktemp -d)
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$run"' EXIT
  anchor=$(tests/lab/in bash -c 'cat "$GELEIT_TRUST_ANCHOR"')
  node -e 'process.stdout.write(JSON.stringify({doh: "", edge: "", anchor: process.argv[1]}))' "$anchor" >"$run/geleit-config.json"
  tests/lab/in node tests/web/bridge.mjs "$run/lab.sock" &
  for _ in $(seq 50); do [ -S "$run/lab.sock" ] && break; sleep 0.1; done
  echo "Lab preset: DoH through this server to the lab resolver, the lab's trust anchor."
  echo "Try: ee-spki.example, two-mx.example, bogus-expired.example, pkix-only.example (tests/lab/SCENARIOS.md)"
  GELEIT_WEB_CONFIG=$run/geleit-config.json GELEIT_WEB_UPSTREAM=$run/lab.sock \
    node tests/web/serve.mjs dist "$port" 127.0.0.1
else
  exec node tests/web/serve.mjs dist "$port" 127.0.0.1
fi
