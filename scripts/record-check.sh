#!/usr/bin/env bash
# Regenerates the full-check recordings in tests/data/check/ from the running
# lab: per scenario the DoH responses of `geleit check DOMAIN` (with the time
# they were taken; replay passes it as `--at`) and, per MX host, the
# `geleit probe HOST --json` report that an edge's /api/probe would return.
# DNS and probes come from the same lab build, so the TLSA records match the
# recorded chains. Usage: scripts/record-check.sh   (brings the lab up if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
lab=${GELEIT_LAB:-tests/lab}
cargo build -p geleit-cli --quiet
"$lab/up" >/dev/null
out=tests/data/check
mkdir -p "$out"
cp "$lab/run/anchor/root.ds" "$out/anchor.ds"
for scenario in two-mx ta-omitted dual-rsa-pinned no-starttls; do
  "$lab/in" target/debug/geleit check "$scenario.example." --no-probe --json \
    --record "$PWD/$out/$scenario.dns.json" >/dev/null || true
  hosts=$(python3 -c 'import json,sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    if s["name"] == sys.argv[2]:
        print(" ".join(h["name"].rstrip(".") for h in s["hosts"]))' "$lab/scenarios.json" "$scenario")
  for host in $hosts; do
    "$lab/in" target/debug/geleit probe "$host" --json > "$out/$scenario.$host.probe.json" || true
  done
  echo "recorded $scenario"
done
