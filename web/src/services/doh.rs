//! One DoH exchange (RFC 8484, GET with `?dns=`: a CORS "simple" request, no
//! preflight) for the check driver ([`crate::drive`]): the answer's bytes go
//! back into the core, which validates them itself from the trust anchor
//! (the resolver is not trusted). Anything but a DNS message is a transport
//! failure, which the core retries and, if it persists, reports as an
//! unreachable resolver, never as a DNSSEC result about the domain.

use geleit::dns::Query;
use gloo_net::http::Request;

use crate::drive::{DNS_MESSAGE, DriveError, check_doh_answer};

/// How long one attempt may take: a resolver that swallows queries (a
/// blackhole) counts as unreachable after the core's attempts, instead of
/// leaving the check waiting for the browser's own timeout.
const TIMEOUT_MS: u32 = 10_000;

/// Sends `q` to `endpoint`.
///
/// # Errors
/// [`DriveError::NoAnswer`] (network, refused, CORS), [`DriveError::Timeout`],
/// an HTTP error, or not a DNS message (see [`check_doh_answer`]).
pub async fn fetch(endpoint: &str, q: &Query) -> Result<Vec<u8>, DriveError> {
    let timeout = web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS);
    // The page's own timer tells a timeout from every other missing answer.
    let failed = |e: gloo_net::Error| {
        if timeout.aborted() {
            DriveError::Timeout { url: endpoint.to_owned(), after_ms: TIMEOUT_MS }
        } else {
            DriveError::NoAnswer { url: endpoint.to_owned(), detail: e.to_string() }
        }
    };
    let response = Request::get(&q.doh_get_url(endpoint))
        .header("accept", DNS_MESSAGE)
        .abort_signal(Some(&timeout))
        .send()
        .await
        .map_err(failed)?;
    let content_type = response.headers().get("content-type");
    check_doh_answer(endpoint, response.status(), content_type.as_deref(), 0)?;
    let bytes = response.binary().await.map_err(|e| {
        if timeout.aborted() {
            DriveError::Timeout { url: endpoint.to_owned(), after_ms: TIMEOUT_MS }
        } else {
            DriveError::Unreadable { detail: format!("expected the DoH answer from {endpoint}, found {e}") }
        }
    })?;
    check_doh_answer(endpoint, response.status(), content_type.as_deref(), bytes.len())?;
    Ok(bytes)
}
