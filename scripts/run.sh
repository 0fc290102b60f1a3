#!/usr/bin/env bash
# `make run`: builds the CLI and shows it on a sample certificate, then serves
# the web app with a local edge (scripts/serve.sh) and prints its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p geleit-cli --quiet
bin=target/release/geleit
sample=target/sample
mkdir -p "$sample"
if [ ! -s "$sample/cert.pem" ]; then
  # A throw-away self-signed certificate for mx.example.com (DANE-EE is fine with self-signed).
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj "/CN=mx.example.com" -addext "subjectAltName=DNS:mx.example.com" \
    -keyout "$sample/key.pem" -out "$sample/cert.pem" 2>/dev/null
fi
echo "\$ geleit tlsa gen --host mx.example.com $sample/cert.pem"
"$bin" tlsa gen --host mx.example.com "$sample/cert.pem"
cat <<EOT

Geleit is built: $bin
  $bin tlsa gen --host HOST fullchain.pem     TLSA records and zone-file lines for a certificate
  $bin tlsa parse "3 1 1 <hex>"               explain a record
  $bin tlsa match --chain fullchain.pem --tlsa "3 1 1 <hex>" --name HOST
  $bin check example.org                      the whole DANE verdict of a mail domain (exit 0/1, 3 = resolver unreachable)
  $bin check --from domains.txt --format nagios   many domains, for monitoring (also prometheus, JSON Lines)
  $bin guard --domain example.org fullchain.pem   will a renewed certificate still authenticate? (certbot hook: scripts/hooks/)
  $bin --help                                 everything else
EOT
echo
exec scripts/serve.sh "${GELEIT_WEB_PORT:-8080}"
