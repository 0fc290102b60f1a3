#!/usr/bin/env bash
# Sizes of the web builds, when they exist on this branch: the app (Trunk
# release build of index.html -> dist/) and the edge worker (edge/build.sh ->
# edge/build/). Each missing piece is recorded as "not built yet".
#   bench/sizes.sh RECORDS
set -euo pipefail
cd "$(dirname "$0")/.."
rec=$1
GB=target/release/geleit-bench
note() { "$GB" note --out "$rec" --section size --subject "$1" --tool "$2" --status "$3"; }
[ -d node_modules/.bin ] && export PATH=$PWD/node_modules/.bin:$PATH  # npm binaryen's wasm-opt

if [ -f Trunk.toml ] && [ -f index.html ]; then
  # The very build `make test` and `make run` ship (scripts/web-build.sh: Trunk,
  # wasm-release profile, std rebuilt for size, wasm-opt), into dist/.
  echo "bench: scripts/web-build.sh (app)" >&2
  if scripts/web-build.sh >target/bench/trunk.log 2>&1; then
    # Two modules (issue 14): the first (page, generator, matcher) and the engine
    # module (the check), which the page fetches in parallel.
    mapfile -t first_js < <(find dist -name '*.js' ! -name 'geleit-engine-*' ! -name sw.js | sort)
    "$GB" sizes --out "$rec" --build "app, first module (scripts/web-build.sh: wasm-release, std rebuilt for size, wasm-opt)" \
      dist/geleit-frontend-*_bg.wasm "${first_js[@]}"
    "$GB" sizes --out "$rec" --build "app, engine module fetched in parallel (scripts/web-build.sh)" \
      dist/geleit-engine-*_bg.wasm dist/geleit-engine-*.js
    # Contributors: wasm-bindgen's output before wasm-opt still has its name section (target/web-names/).
    for m in first geleit-engine; do
      if [ -f "target/web-names/${m}_bg.wasm" ]; then
        "$GB" sizes --out "$rec" --build "app, $m module before wasm-opt, names kept (for the contributor listing)" "target/web-names/${m}_bg.wasm"
      fi
    done
  else
    tail -20 target/bench/trunk.log >&2
    note "app" "app (scripts/web-build.sh)" "build failed: see target/bench/trunk.log"
  fi
else
  note "app (wasm + js)" "app (trunk --release)" "not built yet: no Trunk.toml/index.html on this branch"
fi
# The widget <geleit-check> (widget/build.sh -> dist-widget/): the default bundle (what a page
# loads when no widget sets doh; budget 150,000 B gzip) and the engine module it imports on
# demand (doh set: in-browser DNSSEC), as two builds. WIDGET_SIZE_STRICT=0: record the sizes
# even over the budget.
if [ -x widget/build.sh ]; then
  echo "bench: widget/build.sh" >&2
  if WIDGET_SIZE_STRICT=0 widget/build.sh >target/bench/widget-build.log 2>&1; then
    if [ -f dist-widget/geleit_app_engine_bg.wasm ]; then
      "$GB" sizes --out "$rec" --build "widget <geleit-check>, default bundle (widget/build.sh)" \
        dist-widget/geleit_widget_bg.wasm dist-widget/geleit_widget.js dist-widget/geleit-check.js
      "$GB" sizes --out "$rec" --build "widget <geleit-check>, engine module on demand (widget/build.sh)" \
        dist-widget/geleit_app_engine_bg.wasm dist-widget/geleit_app_engine.js
      # widget/build.sh keeps each module after wasm-opt with its name section.
      if [ -f target/widget-names/geleit_widget_bg.wasm ]; then
        "$GB" sizes --out "$rec" --build "widget default module after wasm-opt, names kept (for the contributor listing)" \
          target/widget-names/geleit_widget_bg.wasm
      fi
    else
      "$GB" sizes --out "$rec" --build "widget <geleit-check> (widget/build.sh)" dist-widget/*.wasm dist-widget/*.js
    fi
  else
    tail -20 target/bench/widget-build.log >&2
    note "widget" "widget (widget/build.sh)" "build failed: see target/bench/widget-build.log"
  fi
else
  note "widget (wasm + js)" "widget" "not built yet: no widget build on this branch"
fi

if [ -x edge/build.sh ]; then
  echo "bench: edge/build.sh" >&2
  if edge/build.sh >target/bench/edge-build.log 2>&1; then
    "$GB" sizes --out "$rec" --build "edge worker (edge/build.sh)" edge/build/index_bg.wasm edge/build/worker.mjs
  else
    tail -20 target/bench/edge-build.log >&2
    note "edge worker" "edge worker (edge/build.sh)" "build failed: see target/bench/edge-build.log"
  fi
else
  note "edge worker (wasm + js)" "edge worker" "not built yet: no edge/ on this branch"
fi
