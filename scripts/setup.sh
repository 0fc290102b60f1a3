#!/usr/bin/env bash
# Installs what Geleit's build and tests need on a fresh Debian machine of this
# kind. Idempotent: everything already present is skipped, so a second run takes
# seconds. Usage: scripts/setup.sh [--minimal]   (--minimal: only what `make run` needs)
set -euo pipefail
cd "$(dirname "$0")/.."

minimal=0
[ "${1:-}" = "--minimal" ] && minimal=1

log() { printf 'setup: %s\n' "$*" >&2; }

# Debian packages -----------------------------------------------------------
apt_packages=(
  openssl clang curl ca-certificates iproute2
)
if [ "$minimal" = 0 ]; then
  apt_packages+=(
    # lab: DNS, DoH front, SMTP and the reference tools (oracles)
    bind9 bind9-utils bind9-dnsutils unbound nginx-light dnsdist postfix
    ldnsutils gnutls-bin hash-slinger swaks util-linux
    # lab renewals (tests/integration/guard_lab.rs): real certbot against a local ACME server
    certbot pebble
    # tests/lab: build.py/check.py (stdlib only), danetool's anchor path
    python3 dns-root-data
    # bench/run.sh: a dnat rule sends the lab's SMTP through the delay proxy
    nftables
  )
fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Services must not run on the host: the lab starts its own in a namespace.
  for s in named bind9 unbound nginx dnsdist postfix certbot.timer; do
    systemctl disable --now "$s" >/dev/null 2>&1 || true
    service "$s" stop >/dev/null 2>&1 || true
  done
fi

# Rust targets ----------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# The web app's wasm build rebuilds std for size (scripts/web-build.sh).
if ! rustup component list --installed | grep -q '^rust-src'; then
  log "adding the rust-src component"
  rustup component add rust-src || log "rust-src unavailable: the web app builds with the prebuilt std (bigger)"
fi

# Cargo-installed tools (name, version, binary) -------------------------------
cargo_tool() {
  local crate=$1 version=$2 bin=$3; shift 3
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q "$version"; then
    return 0
  fi
  log "installing $crate $version (once per machine)"
  cargo install --quiet "$crate" --version "$version" "$@"
}
export -f cargo_tool log

if [ "$minimal" = 0 ]; then
  # Fuzzing (fuzz/): cargo-fuzz drives libFuzzer; stable rustc with
  # RUSTC_BOOTSTRAP=1 and the shipped ASan runtime is enough (scripts/test.sh).
  cargo_tool cargo-fuzz 0.13.2 cargo-fuzz --locked
  cargo fetch --quiet --manifest-path fuzz/Cargo.toml
fi

# Web front end (frontend/, issue 6): Trunk and wasm-bindgen-cli from crates.io
# (pinned: trunk 0.22 needs a newer rustc; wasm-bindgen-cli must equal Cargo.lock's
# wasm-bindgen), npm's binaryen (wasm-opt), playwright-core and axe-core from package.json,
# and for the browser tests Debian's chromium + chromium-driver. `make run` serves
# the app, so this runs in --minimal mode too (trunk: about 20 minutes, once).
cargo_tool trunk 0.21.14 trunk --locked
cargo_tool wasm-bindgen-cli 0.2.130 wasm-bindgen
web_missing=()
# Node may come from elsewhere than Debian (it brings its own npm): look for the commands.
command -v npm >/dev/null 2>&1 || web_missing+=(nodejs npm)
if [ "$minimal" = 0 ]; then
  for p in chromium chromium-driver; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || web_missing+=("$p")
  done
fi
if [ "${#web_missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${web_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${web_missing[@]}" >/dev/null
fi
# axe-core: the accessibility check of every page state in the browser tests (tests/web/browser.mjs).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing the web tools of package.json (npm ci)"
  npm ci --no-audit --no-fund --silent
fi

# Edge worker (edge/build.sh): wasm-bindgen CLI (above) and the npm tools of
# edge/package.json: esbuild (bundles the glue), binaryen (wasm-opt) and workerd
# (runs the worker). `make run` serves the edge too, so --minimal mode as well.
if [ ! -x edge/node_modules/.bin/esbuild ] || [ ! -x edge/node_modules/.bin/wasm-opt ] \
  || [ ! -x edge/node_modules/@cloudflare/workerd-linux-64/bin/workerd ] \
  || [ edge/package-lock.json -nt edge/node_modules/.package-lock.json ]; then
  log "installing edge/ npm packages (npm ci)"
  (cd edge && npm ci --no-audit --no-fund --silent)
fi

# A second implementation of TLSRPT and MTA-STS parsing (shared/tests/mailpolicy_checkdmarc.rs):
# checkdmarc from PyPI, pinned. A Debian-managed python3 refuses pip without
# --break-system-packages; a python3 of its own (pyenv) takes it plainly.
if [ "$minimal" = 0 ] && ! python3 -c 'import checkdmarc' >/dev/null 2>&1; then
  log "installing checkdmarc 6.0.4 (PyPI) for the TLSRPT/MTA-STS parser comparison"
  python3 -m pip install --quiet --disable-pip-version-check checkdmarc==6.0.4 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages checkdmarc==6.0.4
fi

# Fetch crates once, so later offline steps (and the lab namespace) need no network.
cargo fetch --quiet
