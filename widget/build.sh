#!/usr/bin/env bash
# Builds the <geleit-check> widget into dist-widget/ and reports its sizes
# (gzip -9): the default bundle (wasm + js a page loads when no widget sets
# `doh`) against the budget of 100,000 B (issue 14: an embed on other
# people's help pages should weigh like one), and the engine module a
# page loads on demand when a widget sets `doh` (in-browser DNSSEC): the web
# app's own engine module (frontend/engine/, crate geleit-app-engine, the
# contract geleit_web::engine), built here into dist-widget/. Same
# size flags as scripts/web-build.sh (scripts/wasm-size-flags.sh): profile
# wasm-release, std rebuilt with immediate-abort panics and no Debug
# formatting when rust-src is there, wasm-opt -Oz from npm binaryen. WIDGET_SIZE_STRICT=1 (the default) fails when the default bundle
# is over the budget; WIDGET_SIZE_STRICT=0 only warns.
#   dist-widget/geleit-check.js               the module a host page loads (defines the element)
#   dist-widget/geleit_widget.js              wasm-bindgen glue (--target web) of the default module
#   dist-widget/geleit_widget_bg.wasm         the default module (asks the edge's /api/check)
#   dist-widget/geleit_app_engine.js          glue of the app's engine module (import()ed on demand)
#   dist-widget/geleit_app_engine_bg.wasm     the engine module (DNSSEC + RFC 7672 in the browser)
#   dist-widget/demo/                         the demo help pages (widget/demo/)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH
# The same size flags as the app (scripts/wasm-size-flags.sh), so both share std and dependencies.
source scripts/wasm-size-flags.sh
wasm_size_flags widget/build.sh
cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p geleit-widget --lib
# Its own cargo run: in one with the widget, feature unification would give
# the default module geleit-web's browser services.
cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p geleit-app-engine --lib
out=dist-widget
rm -rf "$out"
mkdir -p "$out"
# Optimised with the name section kept (target/widget-names/), checked, then stripped into dist-widget/.
# ring exports a C-ABI helper (ring_core_*_bn_mul_mont) that rustc keeps as a cdylib export although
# nothing calls it; removing the export lets wasm-opt drop it.
names=target/widget-names
mkdir -p "$names"
for m in geleit_widget geleit_app_engine; do
  wasm-bindgen --target web --no-typescript --keep-debug --out-dir "$out" "target/wasm32-unknown-unknown/wasm-release/$m.wasm"
  wasm-opt --remove-exports --pass-arg='remove-exports@ring_core_*' -Oz --debuginfo --low-memory-unused \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$out/${m}_bg.wasm" -o "$names/${m}_bg.wasm"
  wasm-opt --strip-debug --strip-producers --strip-target-features \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$names/${m}_bg.wasm" -o "$out/${m}_bg.wasm"
  # Short import names in the wasm and its glue (scripts/minify-imports.mjs).
  node scripts/minify-imports.mjs "$out/${m}_bg.wasm" "$out/$m.js" >/dev/null
done
# The default module links no DNS engine, hickory, ring, X.509/ASN.1 parser, probe-report reader,
# verdict evaluation, and no verdict words (the edge words its answer, `view=`, geleit_web::worded):
# none of their functions is in its name section (demangled crate and module paths; the engine
# module has all of them, which shows the check can fail).
engine_code='hickory_proto\[|ring\[|ring_core_|x509_parser\[|der_parser\[|asn1_rs\[|geleit\[[0-9a-f]+\]::(dns::(engine|verify|denial|lookup|wire|anchor)|smtp::json|cert::|dane::check|verdict::evaluate)|geleit_web\[[0-9a-f]+\]::(verdict_words|detail_words)'
if found=$(grep -a -o -E "$engine_code" "$names/geleit_widget_bg.wasm" | sort | uniq -c) && [ -n "$found" ]; then
  echo "widget: the default module links engine code:" >&2
  echo "$found" >&2
  exit 1
fi
[ "$(grep -a -o -E "$engine_code" "$names/geleit_app_engine_bg.wasm" | sed -E 's/\[[0-9a-f]+\]//' | sort -u | wc -l)" -ge 8 ] ||
  { echo "widget: the engine-code check found nothing in the engine module either: is the name section there?" >&2; exit 1; }
# The element's module and the glue of both wasm modules, minified (scripts/minify-js.sh;
# widget/geleit-check.js is the readable source).
cp widget/geleit-check.js "$out/"
scripts/minify-js.sh "$out/geleit-check.js" "$out/geleit_widget.js" "$out/geleit_app_engine.js"
cp -r widget/demo "$out/demo"
# Any path that is no file gets index.html from tests/web/serve.mjs: a pointer to the demo.
printf '<!doctype html><meta charset="utf-8"><title>geleit-check</title><p><a href="demo/en.html">Demo (English)</a> · <a href="demo/de.html">Demo (Deutsch)</a></p>\n' >"$out/index.html"
budget=100000
# Each file compressed on its own (as a server sends them), summed.
gzs() { local n=0 f; for f in "$@"; do n=$((n + $(gzip -9c "$f" | wc -c))); done; echo "$n"; }
brotli() {
  node -e 'const z = require("zlib"), fs = require("fs");
    const q = { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } };
    let n = 0; for (const f of process.argv.slice(1)) n += z.brotliCompressSync(fs.readFileSync(f), q).length;
    console.log(n)' "$@"
}
kb() { printf '%d.%d KB' $(($1 / 1000)) $(($1 % 1000 / 100)); }
default_js=("$out/geleit-check.js" "$out/geleit_widget.js")
wasm=$(gzs "$out/geleit_widget_bg.wasm")
js=$(gzs "${default_js[@]}")
total=$((wasm + js))
printf 'widget size (gzip -9): wasm %d B + js %d B = %d B (%s); budget %d B (%s); brotli -q 11: %d B\n' \
  "$wasm" "$js" "$total" "$(kb "$total")" "$budget" "$(kb "$budget")" "$(brotli "$out/geleit_widget_bg.wasm" "${default_js[@]}")"
ewasm=$(gzs "$out/geleit_app_engine_bg.wasm")
ejs=$(gzs "$out/geleit_app_engine.js")
printf 'engine module (geleit-app-engine, on demand, doh set; gzip -9): wasm %d B + js %d B = %d B (%s); brotli -q 11: %d B\n' \
  "$ewasm" "$ejs" "$((ewasm + ejs))" "$(kb $((ewasm + ejs)))" "$(brotli "$out/geleit_app_engine_bg.wasm" "$out/geleit_app_engine.js")"
if [ "$total" -gt "$budget" ]; then
  echo "widget: the default bundle is over its size budget by $((total - budget)) B" >&2
  [ "${WIDGET_SIZE_STRICT:-1}" = 1 ] && exit 1
fi
exit 0
