//! The edge's SMTP probe of one target the core handed out:
//! `GET /api/probe?host=<mx>&sni=<sni>&addr=<a>&addr=<b>&port=25` (the
//! addresses the page validated with DNSSEC; the edge probes exactly these
//! and resolves nothing) returns the same JSON as `geleit probe --json`
//! (one report per address, per signature algorithm; see
//! `geleit::smtp::HostReport`). Errors are read by the API contract
//! ([`geleit::api::read_answer`], through [`crate::drive::probe_answer`]).

use geleit::smtp::HostReport;
use geleit::verdict::ProbeTarget;
use gloo_net::http::Request;

use crate::drive::probe_answer;
use crate::state::Settings;

/// How long one probe may take (the edge connects to every address, twice).
const TIMEOUT_MS: u32 = 60_000;

/// Probes `target` through the edge of `settings`.
///
/// # Errors
/// The edge is unreachable, refused (its message), or sent something else than a report.
pub async fn probe(target: &ProbeTarget, settings: &Settings) -> Result<HostReport, String> {
    let url = settings.probe_url(target);
    let timeout = web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS);
    let response = Request::get(&url)
        .header("accept", "application/json")
        .abort_signal(Some(&timeout))
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let text = response.text().await.map_err(|e| format!("{url}: {e}"))?;
    probe_answer(status, retry_after.as_deref(), &text)
}
