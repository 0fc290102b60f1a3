#!/usr/bin/env bash
# Runs the edge worker self-hosted on workerd (what `make run` can start).
#   edge/run.sh [--lab] [--no-build] [--listen HOST:PORT]
# --lab: the lab variant (inside tests/lab/in: loopback allowed, the lab's DoH
# resolver as upstream, the lab's private root as trust anchor). Other settings come from GELEIT_* variables, see
# edge/src/config.rs. Default listen address 127.0.0.1:8787.
set -euo pipefail
edge=$(cd "$(dirname "$0")" && pwd)
config=config
build=1
listen=${GELEIT_EDGE_LISTEN:-127.0.0.1:8787}
while [ $# -gt 0 ]; do
  case $1 in
    --lab) config=lab ;;
    --no-build) build=0 ;;
    --listen) listen=$2; shift ;;
    *) echo "usage: edge/run.sh [--lab] [--no-build] [--listen HOST:PORT]" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$edge/node_modules/.bin/esbuild" ] || (cd "$edge" && npm ci --no-audit --no-fund --silent)
[ "$build" = 1 ] && "$edge/build.sh"
[ -s "$edge/build/worker.mjs" ] || { echo "edge/run.sh: no build in edge/build (run edge/build.sh)" >&2; exit 2; }
if [ "$config" = lab ]; then
  : "${GELEIT_DOH:?--lab runs inside the lab: tests/lab/in edge/run.sh --lab}"
  export GELEIT_DOH_UPSTREAM=${GELEIT_DOH_UPSTREAM:-$GELEIT_DOH}
  # tests/lab/in names a file (as the CLI takes it); the worker takes its text.
  if [ -f "${GELEIT_TRUST_ANCHOR:-}" ]; then
    GELEIT_TRUST_ANCHOR=$(cat "$GELEIT_TRUST_ANCHOR")
    export GELEIT_TRUST_ANCHOR
  fi
  export GELEIT_ALLOW_RANGES=${GELEIT_ALLOW_RANGES-127.0.0.0/8,::1/128}
fi
echo "edge: serving on http://$listen (workerd, config \"$config\")" >&2
cd "$edge"
# The lab's config has a file of its own (it embeds the lab's MTA-STS CA).
file=workerd.capnp
[ "$config" = lab ] && file=workerd-lab.capnp
exec node_modules/@cloudflare/workerd-linux-64/bin/workerd serve "$file" "$config" \
  --socket-addr "http=$listen"
