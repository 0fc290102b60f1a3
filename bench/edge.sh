#!/usr/bin/env bash
# Probe wall time through the edge worker under workerd (edge/run.sh --lab),
# when the edge exists on this branch; otherwise records "not built yet".
# Runs after bench/sizes.sh built edge/build/. Needs the lab up.
#   bench/edge.sh RECORDS RUNS HOST
set -euo pipefail
cd "$(dirname "$0")/.."
rec=$1 runs=$2 host=$3
GB=$PWD/target/release/geleit-bench
note() { "$GB" note --out "$rec" --section probe --subject "$host" --tool "$1" --delay-ms 0 --status "$2"; }
if [ ! -x edge/run.sh ]; then
  note "edge on workerd" "not built yet: no edge/ on this branch"
  # A whole check with its probes through the edge (DNS from the lab DoH, no delay).
for dom in ee-spki.example two-mx.example; do
  tests/lab/in "$GB" time --out "$rec" --section probe --subject "$dom (all MX hosts)" --tool "geleit check --edge (workerd)" \
    --delay-ms 0 --runs "$runs" --note "DNS stage natively over DoH, probes through the edge" -- \
    "$PWD/target/release/geleit" check "$dom" --json --edge "http://127.0.0.1:$port"
  tests/lab/in "$GB" time --out "$rec" --section probe --subject "$dom (all MX hosts)" --tool "geleit check (native probes)" \
    --delay-ms 0 --runs "$runs" --note "the same check, probing natively" -- \
    "$PWD/target/release/geleit" check "$dom" --json
done
note "edge under wrangler dev" "not built yet: no edge/ on this branch"
  exit 0
fi
if [ ! -s edge/build/worker.mjs ]; then
  note "edge on workerd" "not measured: edge/build.sh did not produce edge/build/worker.mjs"
  exit 0
fi
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
# Generous rate limits: the benchmark probes many times in a row.
GELEIT_PROBE_RATE=86400/1 GELEIT_TARGET_RATE=86400/1 \
  tests/lab/in edge/run.sh --lab --no-build --listen "127.0.0.1:$port" 2>target/bench/edge.log 9>&- &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
ok=0
for _ in $(seq 100); do
  tests/lab/in curl -s -o /dev/null "http://127.0.0.1:$port/" && { ok=1; break; }
  sleep 0.1
done
if [ "$ok" = 0 ]; then
  tail -20 target/bench/edge.log >&2
  note "edge on workerd" "not measured: the worker did not start (target/bench/edge.log)"
  exit 0
fi
tests/lab/in "$GB" time --out "$rec" --section probe --subject "$host" --tool "edge on workerd (HTTP API, ECDSA + RSA in parallel)" \
  --delay-ms 0 --runs "$runs" --note "curl /api/probe?host=...; host resolved by the worker over the lab DoH" -- \
  curl -sf -o /dev/null "http://127.0.0.1:$port/api/probe?host=$host"
tests/lab/in "$GB" time --out "$rec" --section probe --subject "$host (20 in a row)" --tool "edge on workerd, 20 in a row" \
  --delay-ms 0 --runs "$runs" --field batch=20 --note "time per batch of 20; probes/s counts all 20" -- \
  sh -c "for i in \$(seq 20); do curl -sf -o /dev/null 'http://127.0.0.1:$port/api/probe?host=$host' || exit 1; done"
# A whole check with its probes through the edge (DNS from the lab DoH, no delay).
for dom in ee-spki.example two-mx.example; do
  tests/lab/in "$GB" time --out "$rec" --section probe --subject "$dom (all MX hosts)" --tool "geleit check --edge (workerd)" \
    --delay-ms 0 --runs "$runs" --note "DNS stage natively over DoH, probes through the edge" -- \
    "$PWD/target/release/geleit" check "$dom" --json --edge "http://127.0.0.1:$port"
  tests/lab/in "$GB" time --out "$rec" --section probe --subject "$dom (all MX hosts)" --tool "geleit check (native probes)" \
    --delay-ms 0 --runs "$runs" --note "the same check, probing natively" -- \
    "$PWD/target/release/geleit" check "$dom" --json
done
note "edge under wrangler dev" "not measured: bench runs workerd only (wrangler needs Node 22 from npm; see NOTES-toolchain)"
