//! The edge's MTA-STS policy fetch for the core's `FetchRequest` (RFC 8461
//! §3.3; a page cannot make it, for CORS): `GET /api/sts-policy?domain=…&addr=…`
//! returns the `FetchResult` as it came, which goes back to the core
//! unjudged. The answer, or why there is none, is read by the API contract
//! (through [`crate::drive::policy_answer`]).

use geleit::check::{FetchRequest, FetchResult};
use gloo_net::http::Request;

use crate::drive::{DriveError, policy_answer};
use crate::state::Settings;

/// How long the page waits for the edge: the edge's own fetch timeout, and
/// time for the request to the edge.
const SLACK_MS: u32 = 5_000;

/// Asks the edge of `settings` to fetch the policy of `request`.
///
/// # Errors
/// The edge did not answer in time, refused, or sent something else than a result.
pub async fn fetch(request: &FetchRequest, settings: &Settings) -> Result<FetchResult, DriveError> {
    let url = settings.sts_policy_url(request);
    let after_ms = request.timeout_ms.saturating_add(SLACK_MS);
    let timeout = web_sys::AbortSignal::timeout_with_u32(after_ms);
    let failed = |e: gloo_net::Error| {
        if timeout.aborted() {
            DriveError::Timeout { url: url.clone(), after_ms }
        } else {
            DriveError::NoAnswer { url: url.clone(), detail: e.to_string() }
        }
    };
    let response = Request::get(&url)
        .header("accept", "application/json")
        .abort_signal(Some(&timeout))
        .send()
        .await
        .map_err(failed)?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let text = response.text().await.map_err(failed)?;
    policy_answer(status, retry_after.as_deref(), &text)
}
