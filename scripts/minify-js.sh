#!/usr/bin/env bash
# Minifies wasm-bindgen's JS glue in place (terser from package.json: compress
# and mangle, ES module, exports kept), for scripts/web-build.sh and
# widget/build.sh: about 1.4 KB gzip off the app's first module and 1.7 KB off
# the engine module's glue (issue 14). Trunk's own `--minify` fails on this glue
# ("Failed to minify JS: RequiredTokenNotFound") and leaves it as it is.
#   scripts/minify-js.sh FILE.js...
set -euo pipefail
cd "$(dirname "$0")/.."
for f in "$@"; do
  node_modules/.bin/terser "$f" --module --compress --mangle --output "$f.min"
  mv "$f.min" "$f"
done
