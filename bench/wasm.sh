#!/usr/bin/env bash
# The core in WebAssembly: size of a release cdylib that links the core's
# DNS validation and matching, and the same work timed in headless Chromium.
#   bench/wasm.sh RECORDS RUNS
set -euo pipefail
cd "$(dirname "$0")/.."
rec=$1
GB=target/release/geleit-bench
"$GB" note --out "$rec" --section cpu --subject "smtp_check two-mx (replayed recordings)" --tool "wasm32 in headless Chromium" \
  --status "not measured yet"
