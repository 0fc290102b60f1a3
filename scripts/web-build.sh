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
# Smaller wasm (about 8% less gzip): rebuild the standard library for wasm32 with
# panics that trap at once (no formatting machinery, no panic messages, no
# source locations) and `{:?}` compiled to print nothing (-Zfmt-debug=none: no
# Debug impls or Unicode printability tables in the wasm, about 6 KB gzip; the
# page's texts never use Debug: the core quotes input in its messages with its
# own `Quoted`, and only dependencies' rare error details lose their `{:?}`
# parts). These are nightly-only cargo/rustc flags; RUSTC_BOOTSTRAP=1
# unlocks them on the pinned stable toolchain, for this build only. They need
# the `rust-src` component (scripts/setup.sh adds it); without it the build
# falls back to the prebuilt std and the app comes out bigger.
if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
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
