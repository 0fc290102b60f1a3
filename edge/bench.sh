#!/usr/bin/env bash
# Probe wall time inside the lab: the edge on workerd (both signature
# families, in parallel, one HTTP request) next to `geleit probe` (the same,
# natively) and `openssl s_client -starttls smtp` (one handshake).
#   tests/lab/in edge/bench.sh [HOST] [RUNS]
# Needs edge/build.sh and `cargo build --release -p geleit-cli` first.
set -euo pipefail
edge=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$edge")
host=${1:-mx.ee-spki.example}
runs=${2:-30}
: "${GELEIT_DOH:?run inside the lab: tests/lab/in edge/bench.sh}"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
GELEIT_PROBE_RATE=86400/1 GELEIT_TARGET_RATE=86400/1 \
  "$edge/run.sh" --lab --no-build --listen "127.0.0.1:$port" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
address=$(getent ahostsv4 "$host" | awk 'NR==1{print $1}')
python3 - "$host" "$address" "$runs" "http://127.0.0.1:$port" "$root/target/release/geleit" <<'PY'
import json, statistics, subprocess, sys, time, urllib.request
host, address, runs, base, geleit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]

def edge():
    with urllib.request.urlopen(f"{base}/api/probe?host={host}") as r:
        report = json.load(r)
    assert any(p["report"]["starttls"] for a in report["addresses"] for p in a["probes"]), report

def native():
    out = subprocess.run([geleit, "probe", host, "--json"], capture_output=True, check=True)
    json.loads(out.stdout)

def openssl():
    subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", f"{address}:25",
                    "-servername", host], input=b"QUIT\r\n", capture_output=True, check=True)

print(f"probe wall time, {host} ({address}), {runs} runs each, after one warm-up:")
rows = []
for name, f in [("edge on workerd (2 handshakes, parallel)", edge),
                ("geleit probe (2 handshakes, parallel)", native),
                ("openssl s_client -starttls smtp (1 handshake)", openssl)]:
    f()
    times = []
    for _ in range(runs):
        t = time.perf_counter(); f(); times.append((time.perf_counter() - t) * 1000)
    rows.append((name, statistics.median(times), min(times), max(times)))
for name, med, lo, hi in rows:
    print(f"  {name:48} median {med:6.1f} ms  min {lo:6.1f}  max {hi:6.1f}")
start = time.perf_counter(); n = 0
while time.perf_counter() - start < 3:
    edge(); n += 1
print(f"  edge probes per second (sequential, 3 s): {n / (time.perf_counter() - start):.1f}")
PY
