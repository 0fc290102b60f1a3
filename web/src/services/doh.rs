//! One DoH exchange (RFC 8484, GET with `?dns=`: a CORS "simple" request, no
//! preflight) for the check driver ([`crate::drive`]): the answer's bytes go
//! back into the core, which validates them itself from the trust anchor
//! (the resolver is not trusted). Anything but a DNS message is a transport
//! failure, which the core retries and, if it persists, reports as an
//! unreachable resolver, never as a DNSSEC result about the domain.

use geleit::dns::Query;
use gloo_net::http::Request;

use crate::drive::{DNS_MESSAGE, check_doh_answer};

/// How long one attempt may take: a resolver that swallows queries (a
/// blackhole) counts as unreachable after the core's attempts, instead of
/// leaving the check waiting for the browser's own timeout.
const TIMEOUT_MS: u32 = 10_000;

/// Sends `q` to `endpoint`.
///
/// # Errors
/// No HTTP answer (network, CORS, timeout), an HTTP error, or not a DNS message, in words.
pub async fn fetch(endpoint: &str, q: &Query) -> Result<Vec<u8>, String> {
    let timeout = web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS);
    let response = Request::get(&q.doh_get_url(endpoint))
        .header("accept", DNS_MESSAGE)
        .abort_signal(Some(&timeout))
        .send()
        .await
        .map_err(|e| format!("DoH request to {endpoint} failed: {e}"))?;
    let content_type = response.headers().get("content-type");
    check_doh_answer(endpoint, response.status(), content_type.as_deref(), 0)?;
    let bytes = response.binary().await.map_err(|e| format!("reading the DoH answer from {endpoint} failed: {e}"))?;
    check_doh_answer(endpoint, response.status(), content_type.as_deref(), bytes.len())?;
    Ok(bytes)
}
