#!/usr/bin/env bash
# Builds the web app (Trunk, release) and the edge worker, runs the edge on
# workerd and serves the app with /dns-query and /api/* passed to that edge;
# prints the URL and the app's size. Usage: scripts/serve.sh [--lab] [PORT]
#   --lab   `make demo`: bring the lab up and preset the page for it (its DoH
#           and trust anchor), so checks of the lab's domains work at once.
# The page's own DoH and /api/probe default to the same origin, which is this
# server passing them to the edge (the edge's DoH upstream is a public resolver
# unless GELEIT_DOH_UPSTREAM says otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
lab=0
[ "${1:-}" = "--lab" ] && { lab=1; shift; }
port=${1:-8080}

scripts/web-build.sh
edge/build.sh >/dev/null
edge_port=${GELEIT_EDGE_PORT:-8787}

if [ "$lab" = 1 ]; then
  tests/lab/up >/dev/null
  run=$(mktemp -d)
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$run"' EXIT
  anchor=$(tests/lab/in bash -c 'cat "$GELEIT_TRUST_ANCHOR"')
  node -e 'process.stdout.write(JSON.stringify({doh: "", edge: "", anchor: process.argv[1]}))' "$anchor" >"$run/geleit-config.json"
  tests/lab/in edge/run.sh --lab --no-build --listen "127.0.0.1:$edge_port" &
  tests/lab/in env GELEIT_EDGE="http://127.0.0.1:$edge_port" node tests/web/bridge.mjs "$run/lab.sock" &
  for _ in $(seq 50); do [ -S "$run/lab.sock" ] && break; sleep 0.1; done
  echo "Lab preset: DoH through this server to the lab resolver, probes through a lab edge, the lab's trust anchor."
  echo "Try: ee-spki.example, two-mx.example, bogus-expired.example, pkix-only.example (tests/lab/SCENARIOS.md)"
  GELEIT_WEB_CONFIG=$run/geleit-config.json GELEIT_WEB_UPSTREAM=$run/lab.sock \
    node tests/web/serve.mjs dist "$port" 127.0.0.1
else
  trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
  edge/run.sh --no-build --listen "127.0.0.1:$edge_port" &
  echo "Edge (probe API and DoH proxy) on http://127.0.0.1:$edge_port; port 25 must be open outbound for probes."
  GELEIT_WEB_UPSTREAM="http://127.0.0.1:$edge_port" node tests/web/serve.mjs dist "$port" 127.0.0.1
fi
