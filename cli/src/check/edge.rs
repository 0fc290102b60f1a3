//! The edge's probe API as a client: `GET <edge>/api/probe` with a target of
//! the core's check (`geleit::api::ProbeRequest::Validated`: the MX host,
//! the SNI and the DNSSEC-validated addresses), answered with the same JSON
//! as `geleit probe --json` (the core's `smtp::HostReport`) or one of the
//! API's errors. The request and the answer are read and written by
//! `geleit::api`, the one contract of the edge.

use std::time::Duration;

use anyhow::{Context, bail};
use geleit::api::{self, Answer, ProbeRequest};
use geleit::smtp::HostReport;

/// Largest probe report accepted (a report per address holds two chains and
/// a transcript; 4 MiB is far above any real one).
const MAX_REPORT: u64 = 4 * 1024 * 1024;

/// Asks the edge at `edge` to probe what `request` names.
pub fn probe(edge: &str, request: &ProbeRequest) -> anyhow::Result<HostReport> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}{}", edge.trim_end_matches('/'), api::PROBE_PATH);
    let mut resp = agent
        .get(format!("{url}?{}", request.query_string()))
        .header("accept", "application/json")
        .call()
        .with_context(|| format!("edge request to {url} failed"))?;
    let status = resp.status().as_u16();
    let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_REPORT)
        .read_to_string()
        .with_context(|| format!("reading the edge's answer from {url}"))?;
    match api::read_answer(status, retry_after.as_deref(), &body) {
        Answer::Ok(report) => Ok(report),
        Answer::Error(e) => bail!("edge {url} answered HTTP {} {}: {}", e.status, e.code.as_str(), e.message),
        Answer::Unreadable(why) => bail!("edge {url}: {why}"),
    }
}
