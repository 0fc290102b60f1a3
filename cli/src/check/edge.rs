//! The edge's probe API as a client: `GET <edge>/api/probe?host=<mx>&port=25`
//! returns the same JSON as `geleit probe --json` (the core's
//! `smtp::HostReport`). The edge resolves the host itself; the verdict
//! matches its addresses against the validated ones.

use std::time::Duration;

use anyhow::{Context, bail};
use geleit::smtp::HostReport;

/// Largest probe report accepted (a report per address holds two chains and
/// a transcript; 4 MiB is far above any real one).
const MAX_REPORT: u64 = 4 * 1024 * 1024;

/// Asks the edge at `edge` to probe `host` on `port`.
pub fn probe(edge: &str, host: &str, port: u16) -> anyhow::Result<HostReport> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/api/probe", edge.trim_end_matches('/'));
    let mut resp = agent
        .get(&url)
        .query("host", host)
        .query("port", port.to_string())
        .header("accept", "application/json")
        .call()
        .with_context(|| format!("edge request to {url} failed"))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_REPORT)
        .read_to_string()
        .with_context(|| format!("reading the edge's answer from {url}"))?;
    if status != 200 {
        let snippet: String = body.chars().take(200).collect();
        bail!("edge {url} answered HTTP {status}, expected 200: {snippet}");
    }
    serde_json::from_str(&body).with_context(|| format!("expected a probe report (geleit probe --json) from {url}"))
}
