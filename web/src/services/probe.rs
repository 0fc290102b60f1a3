//! The edge's SMTP probe of one target the core handed out:
//! `GET /api/probe?host=<mx>&sni=<sni>&addr=<a>&addr=<b>&port=25` (the
//! addresses the page validated with DNSSEC; the edge probes exactly these
//! and resolves nothing) returns the same JSON as `geleit probe --json`
//! (one report per address, per signature algorithm; see
//! `geleit::smtp::HostReport`). Errors are read by the API contract
//! ([`geleit::api::read_answer`], through [`crate::drive::probe_answer`]).

use super::get_edge_json;
use crate::drive::{DriveError, MAX_RATE_LIMIT_RETRIES, probe_answer, rate_limited_wait};
use crate::state::Settings;
use geleit::smtp::HostReport;
use geleit::verdict::ProbeTarget;

/// How long one probe may take (the edge connects to every address, twice).
const TIMEOUT_MS: u32 = 60_000;

/// Probes `target` through the edge of `settings`. When the edge answers
/// 429 (too many requests), waits its `Retry-After` (telling `on_wait` the
/// seconds left, each second) and asks again, up to
/// [`MAX_RATE_LIMIT_RETRIES`] times.
///
/// # Errors
/// The edge is unreachable or too slow, refused (its error), still asked to
/// wait after [`MAX_RATE_LIMIT_RETRIES`] waits, or sent something else than a report.
pub async fn probe(
    target: &ProbeTarget,
    settings: &Settings,
    on_wait: &dyn Fn(&str, u64),
) -> Result<HostReport, DriveError> {
    let mut retries = 0;
    loop {
        match probe_once(target, settings).await {
            Err(Waited::After(seconds)) if retries < MAX_RATE_LIMIT_RETRIES => {
                retries += 1;
                for left in (1..=seconds).rev() {
                    on_wait(&target.host, left);
                    sleep_ms(1000).await;
                }
                on_wait(&target.host, 0);
            }
            Err(Waited::After(_)) => return Err(DriveError::RateLimited { waits: MAX_RATE_LIMIT_RETRIES }),
            Err(Waited::No(why)) => return Err(why),
            Ok(report) => return Ok(report),
        }
    }
}

/// Why one request brought no report: a 429 to wait for, or anything else.
enum Waited {
    After(u64),
    No(DriveError),
}

/// Resolves after `ms` milliseconds (the browser's timer).
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

async fn probe_once(target: &ProbeTarget, settings: &Settings) -> Result<HostReport, Waited> {
    let url = settings.probe_url(target);
    let answer = get_edge_json(&url, TIMEOUT_MS).await.map_err(Waited::No)?;
    let retry_after = answer.retry_after.as_deref();
    if let Some(seconds) = rate_limited_wait(answer.status, retry_after, &answer.body) {
        return Err(Waited::After(seconds));
    }
    probe_answer(answer.status, retry_after, &answer.body).map_err(Waited::No)
}
