//! Geleit's edge: a Cloudflare Worker (workers-rs) that probes a mail
//! server's STARTTLS with TLS run in WebAssembly (rustls), proxies DoH, and
//! computes a mail domain's whole DANE verdict (`GET /api/check?domain=`,
//! see [`check`]: the core's `DomainCheck` driven over the DoH upstream, each
//! MX host probed on the `/api/probe` code path). The HTTP contract is the
//! core's `geleit::api`: requests, error codes and bodies.
//!
//! ```text
//!  GET /api/probe?host=&sni=&addr=…&port=       GET/POST /dns-query
//!  (GET /api/sts-policy?domain=&addr=…: /api/check's policy fetch, for a
//!   page's check: see [`check::sts_policy`])
//!  (GET /api/health: 200 once the settings parse, see [`health`])
//!  (or ?host=&port=: the edge resolves)               │
//!        │                                     doh::query_from_get/post
//!  request::probe_request (geleit::api)               │
//!        │ a bare name only: A/AAAA via DoH (dns)  cache::AnswerCache,
//!  request::HostProbe, plan::Plan (SSRF policy)    Cache API, else the
//!        │                                         upstream (by TTL)
//!  shell::probe: socket + rustls, driven by geleit::smtp::Client,
//!  within budget::Budget; ratelimit::RateLimiter in front
//!        │
//!  HostReport JSON (same shape as `geleit probe --json`) or error::EdgeError
//! ```
//!
//! Everything but `shell` is plain Rust that `cargo test` runs natively; the
//! shell (and the `#[event(fetch)]` entry below) exists on wasm32 only.
//! Cloudflare blocks outbound port 25, so the probe needs a self-hosted
//! `workerd` (see `edge/workerd.capnp`); the DoH proxy runs anywhere.

pub mod budget;
pub mod cache;
pub mod check;
pub mod config;
pub mod cors;
pub mod dns;
pub mod doh;
pub mod error;
pub mod gate;
pub mod health;
pub mod plan;
pub mod ratelimit;
pub mod request;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod shell;

/// The worker's entry and router. Every answer, success or error, gets the
/// configured CORS headers; errors are JSON with a stable code.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[worker::event(fetch)]
async fn fetch(req: worker::Request, env: worker::Env, _ctx: worker::Context) -> worker::Result<worker::Response> {
    use worker::Method;

    let origin = shell::origin(&req);
    let settings = match shell::settings(&env) {
        Ok(s) => s,
        Err(e) => return shell::respond(Err(e), &cors::CorsPolicy::Any, None, false),
    };
    let method = req.method();
    let path = req.path();
    let preflight = method == Method::Options;
    let result = match (method, path.as_str()) {
        (Method::Options, "/api/check" | "/api/probe" | "/api/sts-policy" | "/dns-query") => shell::preflight(),
        (Method::Get, health::HEALTH_PATH) => shell::health(),
        (Method::Get, "/api/check") => shell::check(&req, &env, &settings).await,
        (Method::Get, "/api/probe") => shell::probe(&req, &env, &settings).await,
        (Method::Get, "/api/sts-policy") => shell::sts_policy(&req, &env, &settings).await,
        (Method::Get, "/dns-query") => shell::doh_get(&req, &settings).await,
        (Method::Post, "/dns-query") => shell::doh_post(req, &settings).await,
        (method, "/api/check" | "/api/probe" | "/api/sts-policy") => {
            Err(error::EdgeError::MethodNotAllowed { allowed: "GET, OPTIONS", found: method.to_string() })
        }
        (method, "/dns-query") => {
            Err(error::EdgeError::MethodNotAllowed { allowed: "GET, POST, OPTIONS", found: method.to_string() })
        }
        _ => Err(error::EdgeError::NotFound),
    };
    shell::respond(result, &settings.cors, origin.as_deref(), preflight)
}
