#!/usr/bin/env bash
# The widget demo against the lab: builds the widget (widget/build.sh) and the
# edge, brings the lab up, runs the edge on workerd inside it and serves
# dist-widget/ with /geleit-config.json (the demo pages' `config` attribute:
# no doh, so the widgets ask the edge's /api/check, which validates from the
# lab's anchor; the anchor in the file is for widgets that set doh). /api/* and
# /dns-query go to the same origin, passed into the lab namespace
# (tests/web/bridge.mjs), like `scripts/serve.sh --lab`.
# Usage: widget/serve.sh [PORT]   then open http://127.0.0.1:PORT/demo/en.html (or de.html)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8081}
edge_port=${GELEIT_EDGE_PORT:-8787}
widget/build.sh
edge/build.sh >/dev/null
tests/lab/up >/dev/null
run=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$run"' EXIT
trap 'exit 130' INT TERM
anchor=$(tests/lab/in bash -c 'cat "$GELEIT_TRUST_ANCHOR"')
node -e 'process.stdout.write(JSON.stringify({doh: "", edge: "", anchor: process.argv[1]}))' "$anchor" >"$run/geleit-config.json"
tests/lab/in edge/run.sh --lab --no-build --listen "127.0.0.1:$edge_port" &
tests/lab/in env GELEIT_EDGE="http://127.0.0.1:$edge_port" node tests/web/bridge.mjs "$run/lab.sock" &
for _ in $(seq 50); do [ -S "$run/lab.sock" ] && break; sleep 0.1; done
echo "Widget demo: http://127.0.0.1:$port/demo/en.html and /demo/de.html (lab domains: ee-spki.example, two-mx.example, bogus-expired.example, ...)"
GELEIT_WEB_CONFIG=$run/geleit-config.json GELEIT_WEB_UPSTREAM=$run/lab.sock \
  node tests/web/serve.mjs dist-widget "$port" 127.0.0.1
