#!/usr/bin/env bash
# Builds the web app into dist/ as two wasm modules (issue 14) and reports their
# sizes (wasm + js, gzip -9, each file compressed on its own as a server sends
# it, in bytes and KB, 1 KB = 1,000 B):
#   - the first module (frontend/: the Yew page, generator, matcher, reducer),
#     built by Trunk (release profile `wasm-release`, wasm-opt from npm binaryen):
#     goal <= 200,000 B;
#   - the engine module (frontend/engine/: the core's check, DNSSEC validation,
#     the DoH and probe fetches, the checker's view), built here after Trunk
#     (cargo + wasm-bindgen + wasm-opt, as widget/build.sh), named by its content
#     hash; index.html names it and the first module fetches it as it starts
#     (not preloaded: in parallel it took the first module's bandwidth);
#   - both together: goal <= 300,000 B.
# The first module's goal is a budget: the build fails above it (as widget/build.sh
# for the widget). Both together are still far above theirs (two modules each carry
# std, JSON, X.509 and ring), so that only warns; WEB_SIZE_STRICT=1 makes it fail
# too. It always fails when the first
# module links engine code (hickory, DNSSEC validation, the DNS engine, the check
# machine, the checker's view model): their functions must not be in its name section.
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
# The first module's import names shortened in its wasm and glue
# (scripts/minify-imports.mjs), its glue minified (scripts/minify-js.sh); the
# integrity hashes (SRI, sha384) in dist/index.html's preloads follow the new content.
sri() { printf 'sha384-%s' "$(openssl dgst -sha384 -binary "$1" | base64 -w0)"; }
first_wasm_file=$(ls dist/geleit-frontend-*_bg.wasm)
first_js_file=$(ls dist/geleit-frontend-*.js)
declare -A before
for f in "$first_wasm_file" "$first_js_file"; do
  before[$f]=$(sri "$f")
  grep -q "integrity=\"${before[$f]}\"" dist/index.html ||
    { echo "web-build: dist/index.html has no integrity hash for $f" >&2; exit 1; }
done
node scripts/minify-imports.mjs "$first_wasm_file" "$first_js_file" >/dev/null
scripts/minify-js.sh "$first_js_file"
for f in "$first_wasm_file" "$first_js_file"; do
  sed -i "s|integrity=\"${before[$f]}\"|integrity=\"$(sri "$f")\"|" dist/index.html
done

# The engine module. Optimised from wasm-bindgen's output, whose name section
# (target/web-names/) the engine-code check below reads.
cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p geleit-app-engine --lib
names=target/web-names
rm -rf "$names"
mkdir -p "$names"
raw=target/wasm32-unknown-unknown/wasm-release
wasm-bindgen --target web --no-typescript --keep-debug --out-dir "$names" --out-name geleit-engine "$raw/geleit_app_engine.wasm"
# --low-memory-unused (also the first module's, index.html; and the widget's): wasm-opt
# folds constant offsets into loads and stores, which differs only for a pointer that
# wraps past 4 GiB into the lowest KiB, which Rust never computes (about 1.2 KB gzip);
# producers and target-features sections are not needed by a browser.
# ring exports a C-ABI helper (ring_core_*_bn_mul_mont) that rustc keeps as a cdylib
# export although nothing calls it; removing the export lets wasm-opt drop it.
wasm-opt --remove-exports --pass-arg='remove-exports@ring_core_*' -Oz --strip-debug \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --low-memory-unused --strip-producers --strip-target-features \
  "$names/geleit-engine_bg.wasm" -o "$names/geleit-engine.opt.wasm"
node scripts/minify-imports.mjs "$names/geleit-engine.opt.wasm" "$names/geleit-engine.js" >/dev/null
scripts/minify-js.sh "$names/geleit-engine.js"
hash=$(cat "$names/geleit-engine.opt.wasm" "$names/geleit-engine.js" | sha256sum | cut -c1-16)
engine_js=dist/geleit-engine-$hash.js
engine_wasm=dist/geleit-engine-${hash}_bg.wasm
cp "$names/geleit-engine.opt.wasm" "$engine_wasm"
# The glue's own default path (unused: the page passes the wasm's URL) names the hashed file too.
sed "s/geleit-engine_bg\.wasm/geleit-engine-${hash}_bg.wasm/g" "$names/geleit-engine.js" >"$engine_js"
for placeholder in /geleit-engine.js /geleit-engine_bg.wasm; do
  grep -q "content=\"$placeholder\"" dist/index.html ||
    { echo "web-build: dist/index.html does not name $placeholder (index.html's engine meta elements)" >&2; exit 1; }
done
sed -i -e "s|content=\"/geleit-engine\.js\"|content=\"/geleit-engine-$hash.js\"|" \
  -e "s|content=\"/geleit-engine_bg\.wasm\"|content=\"/geleit-engine-${hash}_bg.wasm\"|" dist/index.html

# The first module links no engine code: none of these functions is in the name
# section of Trunk's wasm (rustc's output after wasm-bindgen, before wasm-opt, so
# anything linked at all; demangled crate and module paths). X.509 parsing and
# ring's signature checks stay: the matcher verifies a chain's signatures.
wasm-bindgen --target web --no-typescript --keep-debug --out-dir "$names" --out-name first "$raw/geleit-frontend.wasm"
engine_code='hickory_proto\[|geleit\[[0-9a-f]+\]::(dns::(engine|verify|denial|lookup|wire|anchor|smtp|cache)|check::|smtp::json|verdict::evaluate|mailpolicy::assess)|geleit_web\[[0-9a-f]+\]::(drive::(drive|Recorded|DriveError)|services::(check|doh|probe|policy)|checker::view|verdict_words|drive_words|detail_words::trace|engine::Session)'
if found=$(grep -a -o -E "$engine_code" "$names/first_bg.wasm" | sed -E 's/\[[0-9a-f]+\]//' | sort | uniq -c) && [ -n "$found" ]; then
  echo "web-build: the first module links engine code:" >&2
  echo "$found" >&2
  exit 1
fi
[ "$(grep -a -o -E "$engine_code" "$names/geleit-engine_bg.wasm" | sed -E 's/\[[0-9a-f]+\]//' | sort -u | wc -l)" -ge 10 ] ||
  { echo "web-build: the engine-code check found nothing in the engine module either: is the name section there?" >&2; exit 1; }

# Sizes: each file compressed on its own (as a server sends them), summed.
gzs() { local n=0 f; for f in "$@"; do n=$((n + $(gzip -9c "$f" | wc -c))); done; echo "$n"; }
kb() { printf '%d.%d KB' $(($1 / 1000)) $(($1 % 1000 / 100)); }
mapfile -t first_js < <(find dist -name '*.js' ! -name 'geleit-engine-*' ! -name sw.js | sort)
first_wasm=(dist/geleit-frontend-*_bg.wasm)
fw=$(gzs "${first_wasm[@]}")
fj=$(gzs "${first_js[@]}")
first=$((fw + fj))
ew=$(gzs "$engine_wasm")
ej=$(gzs "$engine_js")
engine=$((ew + ej))
total=$((first + engine))
first_goal=200000
total_goal=300000
printf 'web app first module (gzip -9): wasm %d B + js %d B = %d B (%s); goal %s\n' \
  "$fw" "$fj" "$first" "$(kb "$first")" "$(kb "$first_goal")"
printf 'web app engine module (fetched as the first module starts; gzip -9): wasm %d B + js %d B = %d B (%s)\n' \
  "$ew" "$ej" "$engine" "$(kb "$engine")"
printf 'web app total (gzip -9): %d B (%s); goal %s\n' "$total" "$(kb "$total")" "$(kb "$total_goal")"
over=0
if [ "$first" -gt "$first_goal" ]; then
  echo "web-build: the first module is over its budget by $((first - first_goal)) B" >&2
  exit 1
fi
if [ "$total" -gt "$total_goal" ]; then
  echo "web app: both modules together are over their goal by $((total - total_goal)) B" >&2
  over=1
fi
[ "$over" = 1 ] && [ "${WEB_SIZE_STRICT:-0}" = 1 ] && exit 1
# Offline/installable (issue 7): dist/sw.js precaches exactly this build's files
# under a cache named after their hash (after the size count: it is not part of the page load),
# the engine module's two files included (the checker replays kept checks offline).
node frontend/pwa/precache.mjs dist
for f in "$engine_js" "$engine_wasm"; do
  grep -q "\"/${f#dist/}\"" dist/sw.js || { echo "web-build: dist/sw.js does not precache $f" >&2; exit 1; }
done
exit 0
