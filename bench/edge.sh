#!/usr/bin/env bash
# Probes through the edge worker: on workerd at every delay, and under
# `wrangler dev` (no delay; wrangler is the development server). Runs after
# bench/sizes.sh built edge/build/. Needs the lab up.
#   bench/edge.sh RECORDS RUNS HOST DELAY_MS DOH_HTTP DOH_HTTPS
# With DELAY_MS > 0, run.sh has put the lab's SMTP and DoH front behind the
# delay proxy (dnat rules): the worker's DoH upstream (DOH_HTTP: workerd keeps
# its upstream connections alive between requests, as a busy edge does, so
# TLS to the upstream would cost no round trip per check) and its SMTP
# connections both cross the delayed link, as for an edge far from the mail
# servers. The client (curl, geleit) sits next to the edge; `geleit check
# --edge` asks DOH_HTTPS itself. At 0 ms the load figure is measured too:
# /api/check at 32 concurrent requests, 200 checks (geleit-bench load).
set -euo pipefail
cd "$(dirname "$0")/.."
rec=$1 runs=$2 host=$3 delay=$4 doh=$5 doh_https=$6
mx_hosts() { awk -v d="$1" '$1 == d {print $2}' "$WORK/mx_hosts.txt" 2>/dev/null || true; }
GB=$PWD/target/release/geleit-bench
GELEIT=$PWD/target/release/geleit
WORK=$PWD/target/bench
note() { "$GB" note --out "$rec" --section probe --subject "$host" --tool "$1" --delay-ms "$delay" --status "$2"; }
if [ ! -s edge/build/worker.mjs ]; then
  note "edge on workerd" "not measured: edge/build.sh did not produce edge/build/worker.mjs"
  exit 0
fi
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
pid=""
# Each server runs in its own session (setsid) so that stopping it stops its
# children too (wrangler starts workerd).
stop() {
  if [ -n "$pid" ]; then kill -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
}
trap stop EXIT
# Waits for the worker on $port; on failure records why and returns 1.
wait_ready() {
  local tool=$1 log=$2
  for _ in $(seq 300); do
    tests/lab/in curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$log" >&2
  note "$tool" "not measured: the worker did not start ($log)"
  return 1
}
# Times the edge on $port as $label.
measure() {
  local label=$1 T=("$GB" time --out "$rec" --delay-ms "$delay" --runs "$runs")
  tests/lab/in "${T[@]}" --section probe --subject "$host" --tool "$label (HTTP API, ECDSA + RSA in parallel)" \
    --note "curl /api/probe?host=...; host resolved by the worker over DoH ($doh)" -- \
    curl -sf -o /dev/null "http://127.0.0.1:$port/api/probe?host=$host"
  if [ "$delay" = 0 ]; then
    tests/lab/in "${T[@]}" --section probe --subject "$host (20 in a row)" --tool "$label, 20 in a row" \
      --field batch=20 --note "time per batch of 20; probes/s counts all 20" -- \
      sh -c "for i in \$(seq 20); do curl -sf -o /dev/null 'http://127.0.0.1:$port/api/probe?host=$host' || exit 1; done"
  fi
  # The whole verdict computed by the edge: DNSSEC validated in the worker over
  # the DoH upstream, then every MX host probed at once (GET /api/check).
  # The critical path of /api/check counts no DoH connection setup (the
  # worker's upstream connection is warm); `geleit check --edge` opens its own
  # (https: TCP and TLS).
  for dom in ee-spki.example two-mx.example; do
    tests/lab/in "${T[@]}" --section probe --subject "$dom (all MX hosts)" --tool "GET /api/check ($label)" \
      --field "domain=$dom" --field "mx_hosts=$(mx_hosts "$dom")" --field doh_connect_rtt=0 \
      --note "curl /api/check?domain=...; DNS validated in the worker over DoH ($doh), probes in the worker" -- \
      curl -sf -o /dev/null "http://127.0.0.1:$port/api/check?domain=$dom"
  done
  # A whole check with its probes through the edge (DNS natively over DoH, https).
  for dom in ee-spki.example two-mx.example; do
    tests/lab/in "${T[@]}" --section probe --subject "$dom (all MX hosts)" --tool "geleit check --edge ($label)" \
      --field "domain=$dom" --field "mx_hosts=$(mx_hosts "$dom")" --field doh_connect_rtt=2 \
      --note "DNS stage natively over DoH ($doh_https), probes through the edge" -- \
      "$GELEIT" check "$dom" --json --doh "$doh_https" --edge "http://127.0.0.1:$port"
  done
}
rates=(GELEIT_PROBE_RATE=86400/1 GELEIT_TARGET_RATE=86400/1)

# workerd (self-hosted production runtime).
port=$(free_port)
log=$WORK/edge-workerd-$delay.log
# Generous rate limits: the benchmark probes many times in a row.
setsid env "${rates[@]}" GELEIT_DOH_UPSTREAM="$doh" \
  tests/lab/in edge/run.sh --lab --no-build --listen "127.0.0.1:$port" >"$log" 2>&1 9>&- &
pid=$!
if wait_ready "edge on workerd" "$log"; then
  measure "edge on workerd"
  for dom in ee-spki.example two-mx.example; do
    tests/lab/in "$GB" time --out "$rec" --delay-ms "$delay" --runs "$runs" --section probe \
      --subject "$dom (all MX hosts)" --tool "geleit check (native probes)" \
      --field "domain=$dom" --field "mx_hosts=$(mx_hosts "$dom")" --field doh_connect_rtt=2 \
      --note "the same check, probing natively, DoH over https" -- "$GELEIT" check "$dom" --json --doh "$doh_https"
  done
  if [ "$delay" = 0 ]; then
    # Under load: every lab domain in turn, 32 checks in flight, 200 in all,
    # each answer compared with the same domain's unloaded answer.
    wpid=$(pgrep -s "$pid" -f "workerd serve" | head -1 || true)
    doms=$(python3 -c 'import json,sys;print(" ".join(s["domain"].rstrip(".") for s in json.load(open(sys.argv[1]))["scenarios"]))' tests/lab/scenarios.json)
    # shellcheck disable=SC2086
    tests/lab/in "$GB" load --out "$rec" --section load --subject "the lab's $(wc -w <<<"$doms") domains in turn" \
      --tool "GET /api/check (edge on workerd)" --delay-ms 0 --url "http://127.0.0.1:$port" \
      --concurrency 32 --total 200 --timeout-s 60 --max-time-s 300 ${wpid:+--pid "$wpid"} \
      --note "DoH upstream $doh (nginx, worker_connections 256)" $doms \
      || note "GET /api/check under load" "not measured: geleit-bench load failed"
  fi
fi
stop

# wrangler dev (no delay only: a development server, one figure for comparison).
[ "$delay" = 0 ] || exit 0
if [ ! -x edge/node_modules/.bin/wrangler ]; then
  note "edge under wrangler dev" "not measured: wrangler is not installed (edge/ npm ci)"
  exit 0
fi
# The built worker as is: wrangler.toml's [build] step is skipped (edge/build/ is fresh).
cat >"$WORK/wrangler.toml" <<EOF
name = "geleit-edge-bench"
main = "$PWD/edge/build/worker.mjs"
compatibility_date = "2025-09-01"
no_bundle = true
[[rules]]
type = "ESModule"
globs = ["**/*.mjs"]
[[rules]]
type = "CompiledWasm"
globs = ["**/*.wasm"]
EOF
port=$(free_port)
log=$WORK/edge-wrangler.log
vars=()
# /api/check validates from the lab's root (edge/run.sh --lab does this for workerd).
anchor=$(tests/lab/in sh -c 'cat "$GELEIT_TRUST_ANCHOR"')
for v in "GELEIT_DOH_UPSTREAM:$doh" "GELEIT_TRUST_ANCHOR:$anchor" "GELEIT_ALLOW_RANGES:127.0.0.0/8,::1/128" \
  "${rates[@]/=/:}"; do vars+=(--var "$v"); done
setsid tests/lab/in edge/wrangler.sh dev --config "$WORK/wrangler.toml" --local --ip 127.0.0.1 --port "$port" \
  "${vars[@]}" >"$log" 2>&1 9>&- </dev/null &
pid=$!
if wait_ready "edge under wrangler dev" "$log"; then
  measure "edge under wrangler dev"
fi
stop
