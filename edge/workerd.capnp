# Self-hosted Geleit edge on workerd (the open-source Workers runtime).
#
#   edge/run.sh                      (builds, then serves on 127.0.0.1:8787)
#   workerd serve edge/workerd.capnp config [--socket-addr http=HOST:PORT]
#   workerd serve edge/workerd-lab.capnp lab  (the test lab: loopback allowed,
#                                               the lab's MTA-STS CA; its own file, so
#                                               that this one needs no lab to exist)
#
# Cloudflare blocks outbound port 25, so /api/probe and /api/check only work
# self-hosted; /dns-query works on Cloudflare too. /api/check validates DNSSEC
# from GELEIT_TRUST_ANCHOR (unset: the IANA root); `run.sh --lab` passes the
# lab root's DS. Settings come from the environment of
# the workerd process (see edge/src/config.rs for every variable); unset
# variables take the defaults, which allow public addresses only.
#
# Two layers keep the probe off private networks: the worker's own SSRF
# policy (geleit::smtp::check_probe_target, plus GELEIT_ALLOW_RANGES), and
# workerd's network service below, which by default reaches public
# addresses only.

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "geleit-edge", worker = .edgeWorker),
    (name = "internet", network = (allow = ["public"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "geleit-edge") ],
);

const edgeWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "build/worker.mjs"),
    (name = "index_bg.wasm", wasm = embed "build/index_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  bindings = [
    (name = "GELEIT_DOH_UPSTREAM", fromEnvironment = "GELEIT_DOH_UPSTREAM"),
    (name = "GELEIT_TRUST_ANCHOR", fromEnvironment = "GELEIT_TRUST_ANCHOR"),
    (name = "GELEIT_ALLOW_RANGES", fromEnvironment = "GELEIT_ALLOW_RANGES"),
    (name = "GELEIT_CORS_ORIGINS", fromEnvironment = "GELEIT_CORS_ORIGINS"),
    (name = "GELEIT_STEP_TIMEOUT_MS", fromEnvironment = "GELEIT_STEP_TIMEOUT_MS"),
    (name = "GELEIT_REQUEST_BUDGET_MS", fromEnvironment = "GELEIT_REQUEST_BUDGET_MS"),
    (name = "GELEIT_MAX_ADDRESSES", fromEnvironment = "GELEIT_MAX_ADDRESSES"),
    (name = "GELEIT_MAX_PARALLEL", fromEnvironment = "GELEIT_MAX_PARALLEL"),
    (name = "GELEIT_UPSTREAM_PARALLEL", fromEnvironment = "GELEIT_UPSTREAM_PARALLEL"),
    (name = "GELEIT_MAX_BYTES", fromEnvironment = "GELEIT_MAX_BYTES"),
    (name = "GELEIT_PROBE_RATE", fromEnvironment = "GELEIT_PROBE_RATE"),
    (name = "GELEIT_TARGET_RATE", fromEnvironment = "GELEIT_TARGET_RATE"),
    (name = "GELEIT_CLIENT_IP_HEADER", fromEnvironment = "GELEIT_CLIENT_IP_HEADER"),
  ],
);
