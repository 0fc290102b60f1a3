//! The edge's MTA-STS policy fetch for the core's `FetchRequest` (RFC 8461
//! §3.3; a page cannot make it, for CORS): `GET /api/sts-policy?domain=…&addr=…`
//! returns the `FetchResult` as it came, which goes back to the core
//! unjudged. The answer, or why there is none, is read by the API contract
//! ([`geleit::api::fetch_answer`]).

use geleit::check::{FetchFailure, FetchRequest, FetchResult};
use gloo_net::http::Request;

use crate::state::Settings;

/// How long the page waits for the edge: the edge's own fetch timeout, and
/// time for the request to the edge.
const SLACK_MS: u32 = 5_000;

/// Asks the edge of `settings` to fetch the policy of `request`.
pub async fn fetch(request: &FetchRequest, settings: &Settings) -> FetchResult {
    let url = settings.sts_policy_url(request);
    let unavailable = |e: gloo_net::Error| {
        FetchResult::Failed(FetchFailure::Unavailable { detail: format!("the edge did not answer ({url}: {e})") })
    };
    let timeout = web_sys::AbortSignal::timeout_with_u32(request.timeout_ms.saturating_add(SLACK_MS));
    let response =
        match Request::get(&url).header("accept", "application/json").abort_signal(Some(&timeout)).send().await {
            Ok(r) => r,
            Err(e) => return unavailable(e),
        };
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    match response.text().await {
        Ok(text) => geleit::api::fetch_answer(status, retry_after.as_deref(), &text),
        Err(e) => unavailable(e),
    }
}
