#!/usr/bin/env bash
# `geleit check --from` throughput offline (no lab needed): the signed test
# world (tests/support, bin serve-world) served over DoH on loopback, its
# mail domains repeated to BENCH_MANY_DOMAINS, checked DNS-only and in full,
# with and without the shared DS/DNSKEY answers. Writes bench/many.md.
#
# In full mode the world's MX addresses (127.0.2.x) have no SMTP listener:
# every probe ends at a refused connection, so "full" measures the check
# machinery around the probes, not TLS handshakes.
#
# Environment knobs (defaults in brackets):
#   BENCH_RUNS          timed runs per figure, after one warm-up [5]
#   BENCH_MANY_DOMAINS  domains per run [1000]
#   BENCH_MANY_JOBS     --jobs [8]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-5}
N=${BENCH_MANY_DOMAINS:-1000}
JOBS=${BENCH_MANY_JOBS:-8}
WORK=$(pwd)/target/bench/many
OUT=bench/many.md
mkdir -p "$WORK"
cargo build --release --quiet -p geleit-cli -p geleit-test-support --bin geleit --bin serve-world
GELEIT=target/release/geleit
target/release/serve-world "$WORK" >"$WORK/url.txt" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$WORK/url.txt" ] && break; sleep 0.1; done
URL=$(cut -d' ' -f1 "$WORK/url.txt")
[ -n "$URL" ] || { echo "bench/many.sh: serve-world did not start" >&2; exit 1; }
world=$(wc -l <"$WORK/domains.txt")
awk -v n="$N" '{ d[NR] = $0 } END { for (i = 0; i < n; i++) print d[i % NR + 1] }' "$WORK/domains.txt" >"$WORK/list.txt"

# One figure: the median domains/s of RUNS runs (after a warm-up), and the shared answers' use.
measure() { # measure MODE SHARE
  local args=(check --from "$WORK/list.txt" --doh "$URL" --trust-anchor "$WORK/anchor.ds" --at 1800000000
    --jobs "$JOBS" --timing --timeout-ms 2000)
  [ "$1" = dns ] && args+=(--no-probe)
  [ "$2" = off ] && args+=(--no-share)
  local rates=() line=""
  for i in $(seq 0 "$RUNS"); do
    line=$("$GELEIT" "${args[@]}" 2>&1 >/dev/null | tail -1 || true)
    [ "$i" = 0 ] && continue
    rates+=("$(sed -E 's/.*s: ([0-9.]+) domains\/s.*/\1/' <<<"$line")")
  done
  local median
  median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  local reuse
  reuse=$(sed -nE 's/.*shared DS\/DNSKEY answers: (.*)/\1/p' <<<"$line")
  echo "| $1 | $2 | $median | $(printf '%s ' "${rates[@]}") | ${reuse:--} |"
}

{
  echo "# geleit check --from: domains per second (offline signed world)"
  echo
  echo "$N domains ($world mail domains of the test world, repeated), --jobs $JOBS, $RUNS runs after a warm-up,"
  echo "$(nproc) cores ($(uname -m)), DoH server on the same machine. Written by bench/many.sh on $(date -u +%Y-%m-%d)."
  echo
  echo "| mode | shared DS/DNSKEY | median domains/s | runs | shared answers (last run) |"
  echo "|---|---|---|---|---|"
  for mode in dns full; do
    for share in on off; do
      measure "$mode" "$share"
    done
  done
  echo
  echo "full: the world's MX addresses have no SMTP listener, so each probe ends at a refused connection."
} >"$OUT"
cat "$OUT"
