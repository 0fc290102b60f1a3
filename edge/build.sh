#!/usr/bin/env bash
# Builds the edge worker into edge/build/: worker.mjs (the entry, bundled
# wasm-bindgen glue) and index_bg.wasm. Idempotent; no worker-build needed:
#   cargo --profile edge (opt-level z) -> wasm-bindgen -> wasm-opt -Oz -> esbuild.
# Needs: the wasm32-unknown-unknown target, wasm-bindgen-cli at exactly the
# version in Cargo.lock, and `npm ci` in edge/ (esbuild, binaryen's wasm-opt,
# workerd); see scripts/setup.sh. GELEIT_EDGE_NO_OPT=1 skips wasm-opt.
set -euo pipefail
edge=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$edge")
out=$edge/build
cd "$root"

want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
if [ "$want" != "$have" ]; then
  echo "edge/build.sh: expected wasm-bindgen $want (Cargo.lock), found ${have:-none}; run scripts/setup.sh" >&2
  exit 2
fi
[ -x "$edge/node_modules/.bin/esbuild" ] && [ -x "$edge/node_modules/.bin/wasm-opt" ] \
  || (cd "$edge" && npm ci --no-audit --no-fund --silent)

cargo build --quiet -p geleit-edge --target wasm32-unknown-unknown --profile edge
wasm=${CARGO_TARGET_DIR:-$root/target}/wasm32-unknown-unknown/edge/geleit_edge.wasm

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name index "$wasm"
# Debian's binaryen is too old for current rustc output; npm's is not.
if [ "${GELEIT_EDGE_NO_OPT:-}" = "" ]; then
  "$edge/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$stage/index_bg.wasm" -o "$stage/index_bg.opt.wasm" && mv "$stage/index_bg.opt.wasm" "$stage/index_bg.wasm"
fi
cp "$edge/shim.mjs" "$stage/shim.mjs"
mkdir -p "$out"
"$edge/node_modules/.bin/esbuild" "$stage/shim.mjs" --bundle --format=esm --minify --log-level=warning \
  --external:./index_bg.wasm --external:cloudflare:sockets --outfile="$out/worker.mjs"
cp "$stage/index_bg.wasm" "$out/index_bg.wasm"

raw=$(stat -c %s "$out/index_bg.wasm")
gz=$(gzip -9c "$out/index_bg.wasm" | wc -c)
js=$(stat -c %s "$out/worker.mjs")
echo "edge/build: index_bg.wasm $raw octets ($gz gzip), worker.mjs $js octets" >&2
