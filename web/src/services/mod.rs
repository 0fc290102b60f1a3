//! What touches the browser or the network: clipboard, storage, history,
//! files, and the fetches of a check (DoH, the edge's `/api/probe`), run
//! by the one driver of the core's check ([`check::run`]).

pub mod browser;
pub mod check;
pub mod config;
pub mod doh;
pub mod policy;
pub mod probe;

use gloo_net::http::Request;

use crate::drive::DriveError;

/// An answer of the edge's JSON API as it came: HTTP status, `Retry-After`, body.
pub(crate) struct EdgeAnswer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// `GET url` of the edge's JSON API (`/api/probe`, `/api/sts-policy`),
/// within `after_ms`. The page's own timer tells a timeout from every other
/// missing answer (network, refused, CORS); what the answer says is for the
/// API contract to read (`geleit::api::read_answer`, through the driver).
pub(crate) async fn get_edge_json(url: &str, after_ms: u32) -> Result<EdgeAnswer, DriveError> {
    let timeout = web_sys::AbortSignal::timeout_with_u32(after_ms);
    let failed = |e: gloo_net::Error| {
        if timeout.aborted() {
            DriveError::Timeout { url: url.to_owned(), after_ms }
        } else {
            DriveError::NoAnswer { url: url.to_owned(), detail: e.to_string() }
        }
    };
    let response = Request::get(url)
        .header("accept", "application/json")
        .abort_signal(Some(&timeout))
        .send()
        .await
        .map_err(failed)?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let body = response.text().await.map_err(failed)?;
    Ok(EdgeAnswer { status, retry_after, body })
}
