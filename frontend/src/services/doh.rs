//! Runs the core's sans-IO DANE DNS check ([`SmtpCheck`]) over DNS over
//! HTTPS (RFC 8484, GET with `?dns=`: a CORS "simple" request, no preflight).
//! Every query of a round goes out at once; answers go back into the engine,
//! which validates them itself from the trust anchor (the resolver is not trusted).

use futures::future::join_all;
use geleit::dns::{Config, Query, SmtpCheck, SmtpReport, TrustAnchors, parse_ascii_name};
use gloo_net::http::Request;

use crate::state::Settings;

/// Largest DoH answer read (RFC 8484 §6: a DNS message is at most 65535 octets).
const MAX_ANSWER: usize = 65_535;

/// Runs the check of `domain` at `now`; `progress(rounds, queries)` after each round.
///
/// # Errors
/// Bad settings (trust anchor) or a name the engine rejects, in words.
pub async fn check(
    domain: &str,
    settings: &Settings,
    now: i64,
    progress: impl Fn(u32, u32),
) -> Result<SmtpReport, String> {
    let anchors = if settings.anchor.trim().is_empty() {
        TrustAnchors::iana_root()
    } else {
        TrustAnchors::scan(&settings.anchor).map_err(|e| e.to_string())?
    };
    let name = parse_ascii_name(domain).map_err(|e| e.to_string())?;
    let now = u64::try_from(now).unwrap_or(0);
    let mut check = SmtpCheck::new(name, Config { anchors, ..Config::default() }, now);
    let endpoint = settings.doh_url();
    loop {
        let queries = check.poll_queries();
        if queries.is_empty() {
            break;
        }
        let answers = join_all(queries.iter().map(|q| fetch(&endpoint, q))).await;
        for (q, answer) in queries.iter().zip(answers) {
            let handled = match answer {
                Ok(bytes) => check.handle_response(q.id(), &bytes),
                Err(e) => check.handle_error(q.id(), &e),
            };
            handled.map_err(|e| e.to_string())?;
        }
        let stats = check.stats();
        progress(stats.rounds, stats.queries);
    }
    check.poll_result().cloned().ok_or_else(|| "the DNS check ended without a report".to_owned())
}

async fn fetch(endpoint: &str, q: &Query) -> Result<Vec<u8>, String> {
    let response = Request::get(&q.doh_get_url(endpoint))
        .header("accept", "application/dns-message")
        .send()
        .await
        .map_err(|e| format!("DoH request to {endpoint} failed: {e}"))?;
    if !response.ok() {
        return Err(format!("DoH endpoint {endpoint} answered HTTP {}", response.status()));
    }
    let bytes = response.binary().await.map_err(|e| format!("reading the DoH answer failed: {e}"))?;
    if bytes.len() > MAX_ANSWER {
        return Err(format!("expected a DoH answer of at most {MAX_ANSWER} bytes, found {}", bytes.len()));
    }
    Ok(bytes)
}
