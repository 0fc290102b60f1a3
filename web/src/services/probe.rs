//! The edge's SMTP probe of one target the core handed out:
//! `GET /api/probe?host=<mx>&sni=<sni>&addr=<a>&addr=<b>&port=25` (the
//! addresses the page validated with DNSSEC; the edge probes exactly these
//! and resolves nothing) returns the same JSON as `geleit probe --json`
//! (one report per address, per signature algorithm; see
//! `geleit::smtp::HostReport`). Errors are read by the API contract
//! ([`geleit::api::read_answer`], through [`crate::drive::probe_answer`]).

use super::{Waited, get_edge_json, waiting_for_the_edge};
use crate::drive::{DriveError, probe_answer};
use crate::state::Settings;
use geleit::smtp::HostReport;
use geleit::verdict::ProbeTarget;

/// How long one probe may take (the edge connects to every address, twice).
const TIMEOUT_MS: u32 = 60_000;

/// Probes `target` through the edge of `settings`. When the edge answers
/// 429 (too many requests), waits its `Retry-After` (telling `on_wait` the
/// host and the seconds left, each second) and asks again, up to
/// [`MAX_RATE_LIMIT_RETRIES`](crate::drive::MAX_RATE_LIMIT_RETRIES) times.
///
/// # Errors
/// The edge is unreachable or too slow, refused (its error), still asked to
/// wait after [`MAX_RATE_LIMIT_RETRIES`](crate::drive::MAX_RATE_LIMIT_RETRIES) waits, or sent something else than a report.
pub async fn probe(
    target: &ProbeTarget,
    settings: &Settings,
    on_wait: &dyn Fn(&str, u64),
) -> Result<HostReport, DriveError> {
    waiting_for_the_edge(|| probe_once(target, settings), &|left| on_wait(&target.host, left)).await
}

async fn probe_once(target: &ProbeTarget, settings: &Settings) -> Result<HostReport, Waited> {
    let answer = get_edge_json(&settings.probe_url(target), TIMEOUT_MS).await.map_err(Waited::No)?;
    answer.read(probe_answer)
}
