#!/usr/bin/env bash
# Builds the <geleit-check> widget into dist-widget/ and reports its size:
# wasm + js, gzip -9, against the budget of 150 KB (issue 7). Same size
# flags as scripts/web-build.sh: profile wasm-release, std rebuilt with
# immediate-abort panics when rust-src is there, wasm-opt -Oz from npm
# binaryen. Set WIDGET_SIZE_STRICT=1 to fail above the budget.
#   dist-widget/geleit-check.js        the module a host page loads (defines the element)
#   dist-widget/geleit_widget.js       wasm-bindgen glue (--target web), imported by it
#   dist-widget/geleit_widget_bg.wasm  the widget's wasm
#   dist-widget/demo/                  the demo help pages (widget/demo/)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH
if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
else
  echo "widget/build.sh: rust-src is missing (rustup component add rust-src): building with the prebuilt std" >&2
fi
cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p geleit-widget --lib
out=dist-widget
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" \
  target/wasm32-unknown-unknown/wasm-release/geleit_widget.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$out/geleit_widget_bg.wasm" -o "$out/geleit_widget_bg.wasm"
cp widget/geleit-check.js "$out/"
cp -r widget/demo "$out/demo"
# Any path that is no file gets index.html from tests/web/serve.mjs: a pointer to the demo.
printf '<!doctype html><meta charset="utf-8"><title>geleit-check</title><p><a href="demo/en.html">Demo (English)</a> · <a href="demo/de.html">Demo (Deutsch)</a></p>\n' >"$out/index.html"
budget=150000
wasm=$(gzip -9c "$out/geleit_widget_bg.wasm" | wc -c)
js=$(cat "$out"/*.js | gzip -9 | wc -c)
total=$((wasm + js))
brotli=$(node -e 'const z = require("zlib"), fs = require("fs");
  const q = { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } };
  let n = 0; for (const f of process.argv.slice(1)) n += z.brotliCompressSync(fs.readFileSync(f), q).length;
  console.log(n)' "$out/geleit_widget_bg.wasm" "$out"/*.js)
kb() { printf '%d.%d KB' $(($1 / 1000)) $(($1 % 1000 / 100)); }
printf 'widget size (gzip -9): wasm %d B + js %d B = %d B (%s); budget %d B (%s); brotli -q 11: %d B\n' \
  "$wasm" "$js" "$total" "$(kb "$total")" "$budget" "$(kb "$budget")" "$brotli"
if [ "$total" -gt "$budget" ]; then
  echo "widget is over its size budget by $((total - budget)) B" >&2
  [ "${WIDGET_SIZE_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
