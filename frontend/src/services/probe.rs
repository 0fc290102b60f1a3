//! The edge's SMTP probe: `GET /api/probe?host=<mx host>&port=25` returns
//! the same JSON as `geleit probe --json` (one report per address, per
//! signature algorithm; see `geleit::smtp::HostReport`).

use geleit::smtp::HostReport;
use gloo_net::http::Request;

use crate::state::Settings;

/// Largest probe report read.
const MAX_REPORT: usize = 2 * 1024 * 1024;

/// Probes `host` through the edge.
///
/// # Errors
/// The edge is unreachable, refused (its message), or sent something else than a report.
pub async fn probe(host: &str, settings: &Settings) -> Result<HostReport, String> {
    let url = settings.probe_url(host);
    let response = Request::get(&url).send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{url}: {e}"))?;
    if text.len() > MAX_REPORT {
        return Err(format!("expected a probe report of at most {MAX_REPORT} bytes, found {}", text.len()));
    }
    if !(200..300).contains(&status) {
        // The edge's errors are JSON with a stable code and a message; show the message.
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.pointer("/error/message").or_else(|| v.get("message")).and_then(|m| m.as_str()).map(str::to_owned)
            })
            .unwrap_or_else(|| text.chars().take(200).collect());
        return Err(format!("HTTP {status}: {message}"));
    }
    // Not serde_json::from_str: the hand-written reader keeps the derived
    // Deserialize impls of the report types out of the wasm (see geleit::smtp's json module).
    HostReport::from_json(&text)
        .map_err(|e| format!("expected a probe report from {url}, found JSON that does not fit: {e}"))
}
