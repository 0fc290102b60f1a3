#!/usr/bin/env bash
# `make bench`: measures Geleit against the reference tools in the lab and
# writes bench/report.md and bench/report.json. See bench/README.md.
#
# Environment knobs (defaults in brackets):
#   BENCH_RUNS      timed runs per figure, after one warm-up [5]
#   BENCH_DELAYS    one-way delays in ms; 0 = direct, no proxy [0 25 100]
#   BENCH_DOMAINS   lab domains for time-to-verdict, or "all" [all]
#   BENCH_CRITERION criterion measurement seconds per benchmark; 0 skips [3]
#   BENCH_BUILDS    0 skips the wasm CPU and size steps (web/edge builds; the edge
#                   and the phone figures then use the edge/build/ and dist/ already there) [1]
#   BENCH_PHONE_RUNS, BENCH_PHONE_DOMAIN  the phone figures (bench/phone.sh) [BENCH_RUNS, ee-spki.example]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${BENCH_RUNS:-5}
DELAYS=${BENCH_DELAYS:-0 25 100}
DOMAINS=${BENCH_DOMAINS:-all}
CRIT=${BENCH_CRITERION:-3}
BUILDS=${BENCH_BUILDS:-1}
WORK=$ROOT/target/bench
REC=$WORK/records.jsonl
BIN=$ROOT/target/release
step() { printf '\n==> %s\n' "$*" >&2; }
t_start=$(date +%s)

mkdir -p "$WORK"
rm -f "$REC"

step "release build of geleit and geleit-bench"
cargo build --release --quiet -p geleit-cli -p geleit-bench
GB=$BIN/geleit-bench
GELEIT=$BIN/geleit
export PATH=$BIN:$PATH

# --------------------------------------------------------------------------
step "CPU: criterion benchmarks of the core (native)"
if [ "$CRIT" != 0 ]; then
  rm -rf target/criterion
  cargo bench --quiet -p geleit --bench '*' -- --warm-up-time 1 --measurement-time "$CRIT" >"$WORK/criterion.log" 2>&1 \
    || { tail -20 "$WORK/criterion.log" >&2; exit 1; }
  "$GB" criterion --out "$REC" --dir target/criterion --tool "native (criterion)"
fi
if [ "$BUILDS" = 1 ]; then
  bench/wasm.sh "$REC" "$RUNS" || echo "bench: the wasm CPU/size step failed (see above); continuing" >&2
  step "sizes: frontend and edge builds (when they exist)"
  bench/sizes.sh "$REC" || echo "bench: the sizes step failed (see above); continuing" >&2
fi

# --------------------------------------------------------------------------
step "many domains: geleit check --from over the offline signed world (bench/many.md)"
BENCH_RUNS=$RUNS bench/many.sh >/dev/null || echo "bench: the many-domains step failed (see above); continuing" >&2

# --------------------------------------------------------------------------
step "lab up (brought down at exit unless it was up before)"
LAB_OWNED=""
tests/lab/in true 2>/dev/null || LAB_OWNED=1
proxy_pids=()
stop_proxies() { for p in "${proxy_pids[@]}"; do kill "$p" 2>/dev/null || true; done; proxy_pids=(); }
trap 'stop_proxies; inns nft delete table ip geleit_bench 2>/dev/null || true; inns nft delete table ip6 geleit_bench 2>/dev/null || true; if [ -n "$LAB_OWNED" ]; then tests/lab/down; fi' EXIT
tests/lab/up
source tests/lab/common.sh
RESOLVER=$(grep nameserver "$RUN/resolv.conf" | cut -d' ' -f2)
DOH_PORT=8053
# The SMTP listener for the probe comparison: one that serves an ECDSA and an RSA chain.
PROBE_HOST=mx.dual-ec-pinned.example
PROBE_ADDR=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(next(h["a"][0] for s in d["scenarios"] for h in s["hosts"] if h["name"]==sys.argv[2]+"."))' tests/lab/scenarios.json "$PROBE_HOST")

# One delay proxy per delay, each on its own loopback address 127.0.2.<delay % 250 + 1>
# inside the lab namespace: DNS (UDP and TCP to unbound, for the libc resolver of
# posttls-finger and danetool), and transparent listeners (IPv4 on that address,
# IPv6 on [::1]:<20000 + delay>): while a delay is measured, nftables dnat rules
# (tables ip and ip6 geleit_bench) send every connection to port 25 in the
# namespace (any MX address, IPv4 or IPv6) and to the DoH front (127.0.0.1:8053
# HTTP, 127.0.0.1:8443 HTTPS) through them, so the mail servers and the DoH
# front sit behind the same delayed link without changing any address or URL.
SMTP_PROXY_PORT=10025
DOH_TLS_PORT=8443
BYPASS_MARK=$((0x6765))
DOH_HTTP=$(tests/lab/in sh -c 'echo $GELEIT_DOH')
DOH_HTTPS=$(tests/lab/in sh -c 'echo $GELEIT_DOH_HTTPS')
v6_port() { echo $(( 20000 + $1 )); }
link_delay() { # link_delay DELAY: route SMTP and DoH through that delay's proxy (0: direct)
  inns nft delete table ip geleit_bench 2>/dev/null || true
  inns nft delete table ip6 geleit_bench 2>/dev/null || true
  [ "$1" = 0 ] && return 0
  inns nft -f - <<EOF
table ip geleit_bench {
  chain out {
    type nat hook output priority -100; policy accept;
    meta mark != $BYPASS_MARK tcp dport 25 dnat to ${ADDR[$1]}:$SMTP_PROXY_PORT
    meta mark != $BYPASS_MARK ip daddr 127.0.0.1 tcp dport { $DOH_PORT, $DOH_TLS_PORT } dnat to ${ADDR[$1]}:$SMTP_PROXY_PORT
  }
}
table ip6 geleit_bench {
  chain out {
    type nat hook output priority -100; policy accept;
    meta mark != $BYPASS_MARK tcp dport 25 dnat to [::1]:$(v6_port "$1")
  }
}
EOF
}
declare -A ADDR
for d in $DELAYS; do
  [ "$d" = 0 ] && continue
  a=127.0.2.$(( d % 250 + 1 ))
  ADDR[$d]=$a
  inns ip addr add "$a/32" dev lo 2>/dev/null || true
  : > "$WORK/proxy-$d.log"
  # nsenter execs the proxy: $! is the proxy itself, which stop_proxies ends
  # (a shell function in the background would leave it running).
  nsenter --net="$NS" "$GB" proxy --delay-ms "$d" \
    --udp "$a:53=$RESOLVER:53" --tcp "$a:53=$RESOLVER:53" \
    --transparent "$a:$SMTP_PROXY_PORT" --transparent "[::1]:$(v6_port "$d")" --mark "$BYPASS_MARK" 9>&- 2>>"$WORK/proxy-$d.log" &
  proxy_pids+=($!)
done
for d in "${!ADDR[@]}"; do
  for i in $(seq 50); do grep -q ready "$WORK/proxy-$d.log" && break; sleep 0.1; done
  grep -q ready "$WORK/proxy-$d.log" || { cat "$WORK/proxy-$d.log" >&2; echo "bench: proxy for $d ms did not start" >&2; exit 1; }
done

# --------------------------------------------------------------------------
# Is `geleit check` with probing built? (no fake numbers: say so if not)
full_status=""
if ! err=$(tests/lab/in "$GELEIT" check ee-spki.example --json 2>&1 >/dev/null); then
  case $err in *"not built yet"*) full_status="not built yet: geleit check without --no-probe is not on this branch";; esac
fi
if [ "$DOMAINS" = all ]; then
  DOMAINS=$(python3 -c 'import json,sys;print(" ".join(s["domain"].rstrip(".") for s in json.load(open(sys.argv[1]))["scenarios"]))' tests/lab/scenarios.json)
fi

# MX hosts per lab domain (the critical-path figures group by it).
python3 -c 'import json,sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    print(s["domain"].rstrip("."), len([h for h in s["hosts"]]))' tests/lab/scenarios.json > "$WORK/mx_hosts.txt"

for d in $DELAYS; do
  smtp=$PROBE_ADDR
  # Geleit asks the DoH front over HTTPS (HTTP/2, the lab CA from GELEIT_DOH_CA):
  # the TLS handshake every real DoH client pays is counted.
  doh=$DOH_HTTPS
  if [ "$d" = 0 ]; then
    resolv=$RUN/resolv.conf
  else
    resolv=$WORK/resolv-$d.conf
    printf 'nameserver %s\noptions trust-ad edns0\n' "${ADDR[$d]}" > "$resolv"
  fi
  link_delay "$d"
  step "time to verdict, one-way delay $d ms (DoH $doh, libc resolver $(cut -d' ' -f2 <(grep nameserver "$resolv")), SMTP and DoH $( [ "$d" = 0 ] && echo direct || echo "via ${ADDR[$d]}:$SMTP_PROXY_PORT and [::1]:$(v6_port "$d")"))"
  # Inside the lab: the libc resolver (posttls-finger) uses the delayed resolver path.
  tests/lab/in bash -c '
    set -euo pipefail
    mount --bind "$1" /etc/resolv.conf
    d=$2 doh=$3 rec=$4 runs=$5 full_status=$6 smtp=$7 probe_host=$8 mx_hosts=$9; shift 9
    T() { geleit-bench time --out "$rec" --delay-ms "$d" --runs "$runs" "$@"; }
    # danetool leaves certificate files in its working directory: give it its own.
    dt=$(mktemp -d)
    trap "rm -rf $dt" EXIT
    for dom in "$@"; do
      echo "  $dom" >&2
      T --section verdict --subject "$dom" --tool "geleit check --no-probe" \
        --json-field rounds --json-field queries --json-field dane_ready -- \
        geleit check "$dom" --no-probe --json --doh "$doh"
      if [ -n "$full_status" ]; then
        geleit-bench note --out "$rec" --delay-ms "$d" --section verdict --subject "$dom" --tool "geleit check" --status "$full_status"
      else
        # The critical path counts a fresh DoH connection: TCP and TLS (https), one round trip each.
        n=$(awk -v d="$dom" "\$1 == d {print \$2}" "$mx_hosts")
        T --section verdict --subject "$dom" --tool "geleit check" \
          --json-field rounds --json-field queries --json-field authenticated --json-field verdict \
          --field "mx_hosts=${n:-0}" --field doh_connect_rtt=2 -- \
          geleit check "$dom" --json --doh "$doh"
      fi
      T --section verdict --subject "$dom" --tool "posttls-finger -c -l dane" \
        --keep-line "TLS connection established" --keep-line "TLSA lookup error" --keep-line "Name service error" \
        --keep-line "nullMX" --keep-line "lookup failed" -- \
        posttls-finger -c -l dane -P /etc/ssl/certs -t 5 -T 10 "$dom"
      # danetool checks one host (no MX lookup of its own): the first MX host, looked up untimed.
      mx=$(dig +short +time=3 MX "$dom" | sort -n | awk "NR==1 {print \$2}")
      if [ -n "$mx" ] && [ "$mx" != . ]; then
        T --section verdict --subject "$dom" --tool "danetool --check (first MX host)" \
          --keep-line "Verification:" --keep-line "dane_" --keep-line "Cannot resolve" \
          --note "danetool --check $mx --starttls-proto smtp --local-dns" -- \
          env -C "$dt" danetool --check "${mx%.}" --port 25 --starttls-proto smtp --local-dns
      else
        geleit-bench note --out "$rec" --delay-ms "$d" --section verdict --subject "$dom" \
          --tool "danetool --check (first MX host)" --status "not applicable: no MX host to check"
      fi
    done
    echo "  probe $smtp:25" >&2
    T --section probe --subject "$probe_host via $smtp:25" --tool "geleit probe (ECDSA + RSA handshakes in parallel)" \
      --note "STARTTLS, rustls, both signature families" -- geleit probe "$smtp" --port 25 --json
    T --section probe --subject "$probe_host via $smtp:25" --tool "openssl s_client -starttls smtp" \
      --note "one handshake, then EOF on stdin" -- openssl s_client -starttls smtp -connect "$smtp:25" -brief
  ' bench "$resolv" "$d" "$doh" "$REC" "$RUNS" "$full_status" "$smtp" "$PROBE_HOST" "$WORK/mx_hosts.txt" $DOMAINS
  step "probes through the edge (workerd$( [ "$d" = 0 ] && echo ", wrangler dev"); DoH and SMTP at $d ms)"
  bench/edge.sh "$REC" "$RUNS" "$PROBE_HOST" "$d" "$DOH_HTTP" "$DOH_HTTPS" || echo "bench: the edge step failed (see above); continuing" >&2
done
link_delay 0


# Probes per second natively (no delay), many in a row.
step "probe throughput: 20 sequential geleit probes, no delay"
tests/lab/in geleit-bench time --out "$REC" --section probe --subject "$PROBE_HOST via $PROBE_ADDR:25 (20 in a row)" \
  --tool "geleit probe, 20 in a row" --delay-ms 0 --runs "$RUNS" --field batch=20 --note "time per batch of 20; probes/s counts all 20" -- \
  sh -c "for i in \$(seq 20); do $GELEIT probe $PROBE_ADDR --port 25 >/dev/null || exit 1; done"


stop_proxies

# --------------------------------------------------------------------------
step "phone: navigation to a rendered verdict in headless Chromium, throttled (cold, warm service worker)"
bench/phone.sh "$REC" "$RUNS" || echo "bench: the phone step failed (see above); continuing" >&2

# --------------------------------------------------------------------------
step "report"
"$GB" meta --out "$WORK/meta.json" \
  --tool "posttls-finger (Postfix)=postconf -d -h mail_version" \
  --tool "openssl=openssl version" \
  --tool "danetool=danetool --version | head -1" \
  --tool "unbound (resolver)=unbound -V | head -1" \
  --tool "nginx (DoH front)=nginx -v" \
  --tool "rustc=rustc --version" \
  --tool "chromium=chromium --version 2>/dev/null || echo not installed" \
  --set "runs=$RUNS" \
  --set "domains=$DOMAINS" \
  --set "latency_method=$(cat bench/latency.md)"
"$GB" report --records "$REC" --meta "$WORK/meta.json" --json bench/report.json --md bench/report.md
echo "bench: wrote bench/report.md and bench/report.json in $(( $(date +%s) - t_start )) s" >&2
