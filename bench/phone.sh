#!/usr/bin/env bash
# Phone figures: navigation to a rendered verdict for a lab domain in headless
# Chromium, network and CPU throttled like a mid-range phone, cold and with a
# warm service worker (bench/phone.mjs). See bench/README.md.
#
#   bench/phone.sh RECORDS RUNS   from bench/run.sh: the lab is up, dist/ is the
#                                 app bench/sizes.sh built (scripts/web-build.sh)
#   bench/phone.sh                alone: builds the app (scripts/web-build.sh), the
#                                 edge (edge/build.sh) and geleit-bench, brings the
#                                 lab up (down at exit unless it was up), measures
#                                 and puts the figures into bench/report.md and
#                                 bench/report.json (the other sections stay)
#   bench/phone.sh --smoke        one run, no throttling, no report: does the page
#                                 reach a verdict and do the signals fire (dist/ and
#                                 the lab must exist)
# Knobs: BENCH_PHONE_RUNS (default BENCH_RUNS, else 5), BENCH_PHONE_DOMAIN
# (default ee-spki.example).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
GB=$ROOT/target/release/geleit-bench
DOMAIN=${BENCH_PHONE_DOMAIN:-ee-spki.example}
mode=part
smoke=()
case ${1:-} in
  --smoke) mode=smoke; smoke=(--smoke) ;;
  "") mode=alone ;;
esac
if [ "$mode" = part ]; then
  rec=$1
  runs=${BENCH_PHONE_RUNS:-$2}
else
  rec=$ROOT/target/bench/phone.jsonl
  runs=${BENCH_PHONE_RUNS:-${BENCH_RUNS:-5}}
  mkdir -p target/bench
  rm -f "$rec"
fi
note() { "$GB" note --out "$rec" --section phone --subject "$DOMAIN" --tool "phone" --status "$1"; }
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent

if [ "$mode" = alone ]; then
  echo "bench/phone.sh: release build of geleit-bench, the app (scripts/web-build.sh) and the edge (edge/build.sh)" >&2
  cargo build --release --quiet -p geleit-bench
  scripts/web-build.sh >target/bench/trunk.log 2>&1 || { tail -20 target/bench/trunk.log >&2; exit 1; }
  if [ -x edge/build.sh ]; then
    edge/build.sh >target/bench/edge-build.log 2>&1 || { tail -20 target/bench/edge-build.log >&2; echo "bench/phone.sh: edge build failed: verdicts are DNS-only" >&2; }
  fi
fi
if [ ! -s dist/index.html ] || [ ! -s dist/sw.js ]; then
  [ "$mode" = part ] && { note "not built yet: no dist/ from scripts/web-build.sh"; exit 0; }
  echo "bench/phone.sh: no dist/ (run scripts/web-build.sh)" >&2
  exit 1
fi

lab_owned=""
edge_pid=""
cleanup() {
  [ -n "$edge_pid" ] && kill "$edge_pid" 2>/dev/null || true
  [ -n "$lab_owned" ] && tests/lab/down || true
}
trap cleanup EXIT
if ! tests/lab/in true 2>/dev/null; then
  [ "$mode" = alone ] || { echo "bench/phone.sh: the lab is not up (tests/lab/up)" >&2; exit 1; }
  lab_owned=1
  tests/lab/up >&2
fi

# With the edge built, the verdict includes the probes (through a lab edge on
# workerd, as tests/web/checker.mjs in `make test`); without it, DNS only.
edge_env=()
if [ -x edge/run.sh ] && [ -s edge/build/worker.mjs ]; then
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  tests/lab/in env GELEIT_PROBE_RATE=1000/60 GELEIT_TARGET_RATE=1000/60 \
    edge/run.sh --lab --no-build --listen "127.0.0.1:$port" >target/bench/phone-edge.log 2>&1 9>&- &
  edge_pid=$!
  for _ in $(seq 100); do
    tests/lab/in curl -fsS -o /dev/null "http://127.0.0.1:$port/dns-query?dns=AAABAAABAAAAAAAAAAAGAAE" 2>/dev/null && break
    sleep 0.2
  done
  edge_env=(env "GELEIT_EDGE=http://127.0.0.1:$port")
fi

echo "bench/phone.sh: $DOMAIN, $([ "$mode" = smoke ] && echo "1 run, no throttling" || echo "$runs runs after one warm-up, throttled")${edge_env:+, probes through the lab edge}" >&2
out=()
[ "$mode" = smoke ] || out=("$rec")
if ! tests/lab/in "${edge_env[@]}" node bench/phone.mjs dist "${out[@]:-}" "$runs" "$DOMAIN" "${smoke[@]}"; then
  [ "$mode" = part ] && { note "run failed: see the output of bench/phone.sh"; exit 0; }
  exit 1
fi

if [ "$mode" = alone ]; then
  "$GB" merge --report bench/report.json --records "$rec" --json bench/report.json --md bench/report.md
  echo "bench/phone.sh: phone figures written into bench/report.md and bench/report.json" >&2
fi
