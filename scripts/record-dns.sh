#!/usr/bin/env bash
# Regenerates the DNS recordings in tests/data/dns/ from the running lab: every
# DoH response of `geleit check DOMAIN --no-probe` plus the time it was taken
# (signatures expire 30 days after `tests/lab/up`, so replay tests pass that time
# as `now`). Usage: scripts/record-dns.sh   (brings the lab up if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
lab=${GELEIT_LAB:-tests/lab}
cargo build -p geleit-cli --quiet
"$lab/up" >/dev/null
out=tests/data/dns
mkdir -p "$out"
cp "$lab/run/anchor/root.ds" "$out/anchor.ds"
for scenario in two-mx ee-rollover cname-mx-expanded tlsa-cname implicit-mx null-mx nx-mx \
                insecure bogus-expired bogus-ds bogus-tlsa-sig nsec3-no-tlsa pkix-only tlsa-wildcard insecure-mx; do
  "$lab/in" target/debug/geleit check "$scenario.example." --no-probe --json \
    --record "$PWD/$out/$scenario.json" >/dev/null || true
  echo "recorded $scenario"
done
