//! Geleit's edge: a Cloudflare Worker (workers-rs) that probes a mail
//! server's STARTTLS with TLS run in WebAssembly (rustls), and proxies DoH.
//!
//! ```text
//!  GET /api/probe?host=&port=        GET/POST /dns-query
//!        │                                  │
//!  request::ProbeRequest            doh::query_from_get/post
//!        │ A/AAAA via DoH (dns)             │
//!  plan::Plan (SSRF policy) ──┐      upstream fetch, Cache API
//!        │                    │      (doh::cache_control)
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
pub mod config;
pub mod cors;
pub mod dns;
pub mod doh;
pub mod error;
pub mod plan;
pub mod ratelimit;
pub mod request;
