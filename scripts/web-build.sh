#!/usr/bin/env bash
# Builds the web app into dist/ (Trunk, release profile `wasm-release`, wasm-opt
# from npm binaryen) and reports its size: wasm + js, gzip -9, against the
# budget of 250 KB (issue 6). Set WEB_SIZE_STRICT=1 to fail above the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH
cargo fetch --quiet   # Trunk runs cargo --offline (Trunk.toml)
log=$(mktemp)
if ! trunk build --release >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "web-build: trunk build failed" >&2
  exit 1
fi
rm -f "$log"
budget=$((250 * 1024))
wasm=$(gzip -9c dist/*_bg.wasm | wc -c)
js=$(cat dist/*.js | gzip -9 | wc -c)
total=$((wasm + js))
printf 'web app size (gzip -9): wasm %d B + js %d B = %d B (%d KiB); budget %d KiB\n' \
  "$wasm" "$js" "$total" $((total / 1024)) $((budget / 1024))
if [ "$total" -gt "$budget" ]; then
  echo "web app is over its size budget" >&2
  [ "${WEB_SIZE_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
