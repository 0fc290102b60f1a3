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

use crate::drive::{DriveError, MAX_RATE_LIMIT_RETRIES, rate_limited_wait};

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

/// Why one request to the edge brought nothing to use: a 429 (too many
/// requests) to wait for, or anything else.
pub(crate) enum Waited {
    After(u64),
    No(DriveError),
}

impl EdgeAnswer {
    /// The wait the edge asks for (its 429 and `Retry-After`, read by the
    /// driver's [`rate_limited_wait`]), else what `read` makes of the answer.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(u16, Option<&str>, &str) -> Result<T, DriveError>,
    ) -> Result<T, Waited> {
        let retry_after = self.retry_after.as_deref();
        match rate_limited_wait(self.status, retry_after, &self.body) {
            Some(seconds) => Err(Waited::After(seconds)),
            None => read(self.status, retry_after, &self.body).map_err(Waited::No),
        }
    }
}

/// Asks `once` until it brings something: after the edge's 429 it waits the
/// seconds asked for (telling `on_wait` the seconds left, each second) and
/// asks again, up to [`MAX_RATE_LIMIT_RETRIES`] times. The probes and the
/// MTA-STS policy fetch share the edge's limits, and this one way of waiting.
///
/// # Errors
/// What `once` failed with, or [`DriveError::RateLimited`] when the edge
/// still asked to wait after the last wait.
pub(crate) async fn waiting_for_the_edge<T, F: Future<Output = Result<T, Waited>>>(
    mut once: impl FnMut() -> F,
    on_wait: &dyn Fn(u64),
) -> Result<T, DriveError> {
    let mut retries = 0;
    loop {
        match once().await {
            Err(Waited::After(seconds)) if retries < MAX_RATE_LIMIT_RETRIES => {
                retries += 1;
                for left in (1..=seconds).rev() {
                    on_wait(left);
                    sleep_ms(1000).await;
                }
                on_wait(0);
            }
            Err(Waited::After(_)) => return Err(DriveError::RateLimited { waits: MAX_RATE_LIMIT_RETRIES }),
            Err(Waited::No(why)) => return Err(why),
            Ok(answer) => return Ok(answer),
        }
    }
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
