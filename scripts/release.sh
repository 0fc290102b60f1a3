#!/usr/bin/env bash
# `make release`: writes one directory a provider copies to a server and starts
# with one command (dist-release/geleit-<version>/, see README "Hosting it"):
#   start, install-systemd   the one command; the systemd install (idempotent)
#   geleit.capnp, router.mjs workerd config and the front worker (hosting/)
#   edge/                    the edge worker (edge/build.sh) and its workerd.capnp
#   www/, www/widget/        the web app (scripts/web-build.sh) and the widget (widget/build.sh)
#   bin/workerd              the workerd binary (edge/node_modules, linux x86-64)
#   geleit.service, geleit.env.example, Caddyfile, nginx.conf, README.md, VERSION
# Builds with the repo's own build scripts first; `--no-build` assembles what
# an earlier build in the same checkout left (scripts/test.sh: after its builds).
# Idempotent: the directory is assembled beside the old one and replaces it whole.
set -euo pipefail
cd "$(dirname "$0")/.."
build=1
case "${1:-}" in
  "") ;;
  --no-build) build=0 ;;
  *) echo "usage: scripts/release.sh [--no-build]" >&2; exit 2 ;;
esac
if [ "$build" = 1 ]; then
  scripts/web-build.sh
  widget/build.sh
  edge/build.sh
fi
workerd=edge/node_modules/@cloudflare/workerd-linux-64/bin/workerd
for f in dist/index.html dist-widget/geleit-check.js edge/build/worker.mjs edge/build/index_bg.wasm "$workerd"; do
  [ -s "$f" ] || { echo "release: expected $f, found none (run without --no-build, or scripts/setup.sh for workerd)" >&2; exit 2; }
done
version=$(awk '/^\[workspace.package\]/{p=1} p && /^version = /{gsub(/"/, "", $3); print $3; exit}' Cargo.toml)
out=dist-release/geleit-$version
mkdir -p dist-release
stage=$(mktemp -d "dist-release/.geleit-$version.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
mkdir -p "$stage/bin" "$stage/edge/build" "$stage/www"
cp -r dist/. "$stage/www/"
[ ! -e "$stage/www/widget" ] || { echo "release: the web app has its own widget/ path, which the widget's would hide" >&2; exit 1; }
cp -r dist-widget "$stage/www/widget"
cp edge/workerd.capnp "$stage/edge/"
cp edge/build/worker.mjs edge/build/index_bg.wasm "$stage/edge/build/"
cp "$workerd" "$stage/bin/workerd"
cp hosting/start hosting/install-systemd hosting/geleit.capnp hosting/router.mjs hosting/geleit.service \
  hosting/geleit.env.example hosting/Caddyfile hosting/nginx.conf hosting/README.md "$stage/"
echo "$version" >"$stage/VERSION"
rm -rf "$out"
mv "$stage" "$out"
trap - EXIT
echo "release: $out ($(du -sh "$out" | cut -f1); start: $out/start)"
