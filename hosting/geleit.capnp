# workerd configuration of a Geleit release directory (scripts/release.sh
# copies this file and hosting/router.mjs next to www/ and edge/). One socket,
# one origin: the router worker sends /api/* and /dns-query to the edge worker
# (the edge's own workerd.capnp, imported, with its bindings from the
# environment: see edge/src/config.rs) and serves www/ (the web app, and the
# widget under /widget/) for every other path.
#
#   start                                 (the one command; see README.md)
#   workerd serve geleit.capnp public --socket-addr http=HOST:PORT
#       --directory-path www=<release>/www
#
# `public`: the edge's workerd network reaches public addresses only (mail
# servers, a public DoH upstream). `private` also allows loopback and private
# ranges at the runtime level: a DoH resolver on the VPS itself, or the test lab.
# The worker's own SSRF policy still refuses private probe targets unless
# GELEIT_ALLOW_RANGES names them.

using Workerd = import "/workerd/workerd.capnp";
using Edge = import "edge/workerd.capnp";

const public :Workerd.Config = (
  services = [
    (name = "geleit", worker = .router),
    (name = "geleit-edge", worker = Edge.edgeWorker),
    (name = "www", disk = (path = "www", writable = false)),
    (name = "internet", network = (allow = ["public"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8080", http = (), service = "geleit") ],
);

const private :Workerd.Config = (
  services = [
    (name = "geleit", worker = .router),
    (name = "geleit-edge", worker = Edge.edgeWorker),
    (name = "www", disk = (path = "www", writable = false)),
    (name = "internet", network = (allow = ["public", "local", "private"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8080", http = (), service = "geleit") ],
);

const router :Workerd.Worker = (
  modules = [ (name = "router.mjs", esModule = embed "router.mjs") ],
  compatibilityDate = "2025-09-01",
  bindings = [
    (name = "EDGE", service = "geleit-edge"),
    (name = "STATIC", service = "www"),
  ],
);
