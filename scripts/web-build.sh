#!/usr/bin/env bash
# Builds the web app into dist/ (Trunk, release profile `wasm-release`, wasm-opt
# from npm binaryen) and reports its size: wasm + js, gzip -9, against the
# budget of 250 KB (issue 6). Set WEB_SIZE_STRICT=1 to fail above the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH
# Smaller wasm (about 8% less gzip): rebuild the standard library for wasm32 with
# panics that trap at once (no formatting machinery, no panic messages, no
# source locations). These are nightly-only cargo/rustc flags; RUSTC_BOOTSTRAP=1
# unlocks them on the pinned stable toolchain, for this build only. They need
# the `rust-src` component (scripts/setup.sh adds it); without it the build
# falls back to the prebuilt std and the app comes out bigger.
if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
else
  echo "web-build: rust-src is missing (rustup component add rust-src): building with the prebuilt std" >&2
fi
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
# Offline/installable (issue 7): dist/sw.js precaches exactly this build's files
# under a cache named after their hash (after the size count: it is not part of the page load).
node frontend/pwa/precache.mjs dist
exit 0
