//! The edge's MTA-STS policy fetch for the core's `FetchRequest` (RFC 8461
//! §3.3; a page cannot make it, for CORS): `GET /api/sts-policy?domain=…&addr=…`
//! returns the `FetchResult` as it came, which goes back to the core
//! unjudged. The answer, or why there is none, is read by the API contract
//! (through [`crate::drive::policy_answer`]).

use super::{Waited, get_edge_json, waiting_for_the_edge};
use crate::drive::{DriveError, policy_answer};
use crate::state::Settings;
use geleit::check::{FetchRequest, FetchResult};

/// How long the page waits for the edge: the edge's own fetch timeout, and
/// time for the request to the edge.
const SLACK_MS: u32 = 5_000;

/// Asks the edge of `settings` to fetch the policy of `request`. When the
/// edge answers 429 (too many requests: the probes and this fetch share its
/// limits), waits its `Retry-After` and asks again, up to
/// [`MAX_RATE_LIMIT_RETRIES`](crate::drive::MAX_RATE_LIMIT_RETRIES) times, as for a probe; the wait is not shown
/// (the policy has no row of its own while the check runs).
///
/// # Errors
/// The edge did not answer in time, refused, still asked to wait after the
/// last wait, or sent something else than a result.
pub async fn fetch(request: &FetchRequest, settings: &Settings) -> Result<FetchResult, DriveError> {
    waiting_for_the_edge(|| fetch_once(request, settings), &|_| {}).await
}

async fn fetch_once(request: &FetchRequest, settings: &Settings) -> Result<FetchResult, Waited> {
    let url = settings.sts_policy_url(request);
    let answer = get_edge_json(&url, request.timeout_ms.saturating_add(SLACK_MS)).await.map_err(Waited::No)?;
    answer.read(policy_answer)
}
