#!/usr/bin/env bash
# Builds the web app into dist/ (Trunk, release profile `wasm-release`, wasm-opt
# from npm binaryen) and reports its size: wasm + js, gzip -9, in bytes and KB
# (1 KB = 1,000 B) against the budget of 250,000 B (issue 6: "the app's wasm +
# js <= 250 KB gzip"). The app is still above it (see the size line), so the
# build only warns; WEB_SIZE_STRICT=1 makes it fail above the budget. Once the
# app fits, the default becomes 1.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH
# The size flags (build-std with immediate-abort panics, no Debug formatting).
source scripts/wasm-size-flags.sh
wasm_size_flags web-build
# Trunk runs cargo --offline (Trunk.toml): fetch first, including the std
# sources' own dependencies when std is rebuilt.
cargo fetch --quiet
if [ -n "${CARGO_UNSTABLE_BUILD_STD:-}" ]; then cargo fetch --quiet --target wasm32-unknown-unknown; fi
log=$(mktemp)
if ! trunk build --release >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "web-build: trunk build failed" >&2
  exit 1
fi
rm -f "$log"
budget=250000
wasm=$(gzip -9c dist/*_bg.wasm | wc -c)
js=$(cat dist/*.js | gzip -9 | wc -c)
total=$((wasm + js))
kb() { printf '%d.%d KB' $(($1 / 1000)) $(($1 % 1000 / 100)); }
printf 'web app size (gzip -9): wasm %d B + js %d B = %d B (%s); budget %d B (%s)\n' \
  "$wasm" "$js" "$total" "$(kb "$total")" "$budget" "$(kb "$budget")"
if [ "$total" -gt "$budget" ]; then
  echo "web app is over its size budget by $((total - budget)) B" >&2
  [ "${WEB_SIZE_STRICT:-0}" = 1 ] && exit 1
fi
# Offline/installable (issue 7): dist/sw.js precaches exactly this build's files
# under a cache named after their hash (after the size count: it is not part of the page load).
node frontend/pwa/precache.mjs dist
exit 0
