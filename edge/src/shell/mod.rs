//! The worker shell (wasm32 only): moves bytes between the Workers runtime
//! and the plain-Rust modules. It decides nothing the core or those modules
//! could decide: handlers parse with `request`/`doh`, plan with `plan`,
//! probe with `geleit::smtp::Client`, and every failure is an
//! [`EdgeError`] rendered by [`respond`].

mod check;
mod clock;
mod dohproxy;
mod probe;
mod upstream;

use std::cell::RefCell;
use std::net::IpAddr;

use worker::{Headers, Request, Response, console_error};

use crate::config::Settings;
use crate::cors::CorsPolicy;
use crate::error::EdgeError;
use crate::ratelimit::ProbeLimiter;

pub use check::{check, sts_policy};
pub use dohproxy::{doh_get, doh_post};
pub use probe::probe;

/// Most clients (and targets) whose buckets an isolate keeps.
const MAX_RATE_KEYS: usize = 10_000;

thread_local! {
    /// The probe limits of this isolate (the worker is single threaded),
    /// rebuilt when the operator changes the rates.
    static LIMITER: RefCell<Option<ProbeLimiter>> = const { RefCell::new(None) };
}

/// Runs `check` on the isolate's limiter; a refusal becomes a 429.
fn with_limiter(
    settings: &Settings,
    check: impl FnOnce(&mut ProbeLimiter, u64) -> Result<(), u64>,
) -> Result<(), EdgeError> {
    let now = clock::now_ms();
    LIMITER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let rates = (settings.probe_rate, settings.target_rate);
        let limiter = match slot.take() {
            Some(l) if l.rates() == rates => slot.insert(l),
            _ => slot.insert(ProbeLimiter::new(rates.0, rates.1, MAX_RATE_KEYS)),
        };
        check(limiter, now).map_err(|ms| EdgeError::RateLimited { retry_after_s: ms.div_ceil(1000).max(1) })
    })
}

/// Takes one probe from the client's bucket.
pub(crate) fn limit_client(settings: &Settings, client: &str) -> Result<(), EdgeError> {
    with_limiter(settings, |l, now| l.check_client(client, now))
}

/// Takes one probe from each target address's bucket.
pub(crate) fn limit_targets(settings: &Settings, addresses: &[IpAddr]) -> Result<(), EdgeError> {
    with_limiter(settings, |l, now| l.check_targets(addresses, now))
}

/// The name of an optional Cloudflare rate-limiting binding (`[[ratelimits]]`
/// in wrangler.toml): where deployed with one, it limits clients across all
/// isolates, in front of the in-isolate limiter. Exercised only on
/// Cloudflare; workerd has no such binding, and without it this is a no-op.
const PLATFORM_LIMITER: &str = "GELEIT_RATE_LIMITER";

/// Asks the platform's rate limiter (if bound) about `client`.
pub(crate) async fn platform_rate_limit(env: &worker::Env, client: &str) -> Result<(), EdgeError> {
    let value: &worker::wasm_bindgen::JsValue = env.as_ref();
    let bound = worker::js_sys::Reflect::get(value, &PLATFORM_LIMITER.into()).is_ok_and(|v| v.is_object());
    if !bound {
        return Ok(());
    }
    let limiter = env.rate_limiter(PLATFORM_LIMITER).map_err(|e| {
        console_error!("geleit-edge: {PLATFORM_LIMITER} is not a rate-limiting binding: {e}");
        EdgeError::Misconfigured
    })?;
    match limiter.limit(client.to_owned()).await {
        Ok(outcome) if !outcome.success => Err(EdgeError::RateLimited {
            // The binding does not say when; its periods are 10 or 60 s.
            retry_after_s: 60,
        }),
        Ok(_) => Ok(()),
        Err(e) => {
            // Fail open: the in-isolate limiter still applies.
            console_error!("geleit-edge: rate-limiting binding: {e}");
            Ok(())
        }
    }
}

/// Reads the settings from the worker's environment.
pub fn settings(env: &worker::Env) -> Result<Settings, EdgeError> {
    // Read the bindings as plain properties: workerd's `fromEnvironment`
    // gives null for an unset variable, which `Env::var` does not take.
    let var = |name: &str| {
        let value: &worker::wasm_bindgen::JsValue = env.as_ref();
        worker::js_sys::Reflect::get(value, &name.into()).ok().and_then(|v| v.as_string())
    };
    Settings::from_vars(var).map_err(|e| {
        console_error!("geleit-edge: configuration: {e}");
        EdgeError::Misconfigured
    })
}

/// `GET /api/health` (see [`crate::health`]): reached only with usable
/// settings; never cached, so a monitor sees the live process.
pub fn health() -> Result<Response, EdgeError> {
    let mut response = Response::ok(crate::health::body()).map_err(internal)?;
    let headers = response.headers_mut();
    headers.set("content-type", "application/json").map_err(internal)?;
    headers.set("cache-control", "no-store").map_err(internal)?;
    Ok(response)
}

/// A CORS preflight answer (204).
pub fn preflight() -> Result<Response, EdgeError> {
    Ok(Response::empty().map_err(internal)?.with_status(204))
}

/// The final response: the handler's, or the error as JSON; CORS headers
/// on both.
pub fn respond(
    result: Result<Response, EdgeError>,
    cors: &CorsPolicy,
    origin: Option<&str>,
    preflight: bool,
) -> worker::Result<Response> {
    let mut response = match result {
        Ok(r) => r,
        Err(e) => error_response(&e)?,
    };
    let headers = response.headers_mut();
    for (name, value) in cors.headers(origin, preflight) {
        headers.set(name, &value)?;
    }
    Ok(response)
}

fn error_response(e: &EdgeError) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    if let Some(s) = e.retry_after_s() {
        headers.set("retry-after", &s.to_string())?;
    }
    Ok(Response::ok(e.to_json())?.with_status(e.status()).with_headers(headers))
}

/// A failure of the runtime (a JS exception): logged, never shown.
pub(crate) fn internal(e: impl std::fmt::Display) -> EdgeError {
    console_error!("geleit-edge: internal: {e}");
    EdgeError::Internal
}

/// The request's `Origin` header.
pub fn origin(req: &Request) -> Option<String> {
    req.headers().get("origin").ok().flatten()
}
