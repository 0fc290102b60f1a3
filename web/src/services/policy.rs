//! The edge's MTA-STS policy fetch for the core's `FetchRequest` (RFC 8461
//! §3.3; a page cannot make it, for CORS): `GET /api/sts-policy?domain=…&addr=…`
//! returns the `FetchResult` as it came, which goes back to the core
//! unjudged. The answer, or why there is none, is read by the API contract
//! (through [`crate::drive::policy_answer`]).

use super::get_edge_json;
use crate::drive::{DriveError, policy_answer};
use crate::state::Settings;
use geleit::check::{FetchRequest, FetchResult};

/// How long the page waits for the edge: the edge's own fetch timeout, and
/// time for the request to the edge.
const SLACK_MS: u32 = 5_000;

/// Asks the edge of `settings` to fetch the policy of `request`.
///
/// # Errors
/// The edge did not answer in time, refused, or sent something else than a result.
pub async fn fetch(request: &FetchRequest, settings: &Settings) -> Result<FetchResult, DriveError> {
    let url = settings.sts_policy_url(request);
    let answer = get_edge_json(&url, request.timeout_ms.saturating_add(SLACK_MS)).await?;
    policy_answer(answer.status, answer.retry_after.as_deref(), &answer.body)
}
