//! Asking the configured DoH upstream (RFC 8484 GET), with a deadline and a
//! size limit, through the isolate's gate (`crate::gate`): at most
//! `upstream_parallel` requests in flight, so the isolate's connections to
//! the upstream stay few and kept alive however many checks run at once.

use geleit::check::{FetchFailure, FetchRequest, FetchResult};
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, RequestRedirect, console_error};

use std::cell::RefCell;
use std::time::Duration;

use super::clock::{Waited, now_ms, until};
use crate::dns::MAX_MESSAGE_OCTETS;
use crate::doh::CONTENT_TYPE;
use crate::error::EdgeError;
use crate::gate::{Gate, Pass};

thread_local! {
    /// Every upstream request of the isolate passes here.
    static GATE: RefCell<Option<Gate>> = const { RefCell::new(None) };
}

/// The isolate's gate, made with `slots` on first use.
fn gate(slots: usize) -> Gate {
    GATE.with(|g| g.borrow_mut().get_or_insert_with(|| Gate::new(slots)).clone())
}

/// Waits (asking again after 1, 2, 4, then every 8 ms) for a slot of the
/// isolate's gate, until `deadline`.
async fn enter(slots: usize, deadline: u64) -> Result<Pass, EdgeError> {
    let mut place = gate(slots).line_up();
    let mut wait_ms = 1;
    loop {
        if let Some(pass) = place.try_enter() {
            return Ok(pass);
        }
        if now_ms() >= deadline {
            return Err(EdgeError::Upstream { found: "no free upstream connection in time" });
        }
        Delay::from(Duration::from_millis(wait_ms)).await;
        wait_ms = (wait_ms * 2).min(8);
    }
}

/// The upstream's answer to a GET of `url` (a DoH URL with `?dns=`), as DNS
/// wire bytes, within `timeout_ms` (waiting for a free slot included);
/// `slots` is the isolate's [`Gate`] size. Every failure is an
/// [`EdgeError::Upstream`]: a transport error, which the check asks again.
pub async fn get(url: &str, timeout_ms: u64, slots: usize) -> Result<Vec<u8>, EdgeError> {
    let deadline = now_ms().saturating_add(timeout_ms);
    let _pass = enter(slots, deadline).await?;
    let headers = Headers::new();
    headers.set("accept", CONTENT_TYPE).map_err(super::internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let request = Request::new_with_init(url, &init).map_err(|e| {
        console_error!("geleit-edge: upstream request: {e}");
        EdgeError::Misconfigured
    })?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let mut response = match until(deadline, fetch.send_with_signal(&signal)).await {
        Waited::Done(Ok(r)) => r,
        Waited::Done(Err(e)) => {
            console_error!("geleit-edge: upstream fetch: {e}");
            return Err(EdgeError::Upstream { found: "no answer (connection failed)" });
        }
        Waited::TimedOut => {
            controller.abort();
            return Err(EdgeError::Upstream { found: "no answer in time" });
        }
    };
    if response.status_code() != 200 {
        console_error!("geleit-edge: upstream status {}", response.status_code());
        return Err(EdgeError::Upstream { found: "an HTTP error status" });
    }
    let media = response.headers().get("content-type").ok().flatten().unwrap_or_default();
    if !media.trim().to_ascii_lowercase().starts_with(CONTENT_TYPE) {
        return Err(EdgeError::Upstream { found: "a body that is not application/dns-message" });
    }
    if let Some(length) = response.headers().get("content-length").ok().flatten()
        && length.trim().parse::<usize>().map_or(true, |n| n > MAX_MESSAGE_OCTETS)
    {
        return Err(EdgeError::Upstream { found: "a body larger than a DNS message" });
    }
    let body = match until(deadline, response.bytes()).await {
        Waited::Done(Ok(b)) => b,
        Waited::Done(Err(e)) => {
            console_error!("geleit-edge: upstream body: {e}");
            return Err(EdgeError::Upstream { found: "a body that could not be read" });
        }
        Waited::TimedOut => {
            controller.abort();
            return Err(EdgeError::Upstream { found: "no complete answer in time" });
        }
    };
    if body.len() > MAX_MESSAGE_OCTETS {
        return Err(EdgeError::Upstream { found: "a body larger than a DNS message" });
    }
    Ok(body)
}

/// The MTA-STS policy (RFC 8461 §3.3) by `deadline`: the platform's fetch
/// validates the certificate (PKIX); redirects are not followed
/// (`redirect: manual`, the 3xx goes back to the core); the body is read
/// chunk by chunk and given up past `request.max_bytes`. Not through the
/// DoH gate: one request per check.
pub async fn policy(request: &FetchRequest, deadline: u64) -> FetchResult {
    use futures_util::StreamExt;
    let failed = |f: FetchFailure| FetchResult::Failed(f);
    let headers = Headers::new();
    if headers.set("accept", "text/plain").is_err() {
        return failed(FetchFailure::Unavailable { detail: "request headers".into() });
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers).with_redirect(RequestRedirect::Manual);
    let Ok(req) = Request::new_with_init(&request.url, &init) else {
        return failed(FetchFailure::Unavailable { detail: "the policy URL".into() });
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let timeout = || FetchFailure::Timeout { after_ms: request.timeout_ms };
    let mut response = match until(deadline, Fetch::Request(req).send_with_signal(&signal)).await {
        Waited::Done(Ok(r)) => r,
        // The platform does not say whether DNS, TCP or the certificate
        // failed, and its words carry internal references: logged, not sent.
        Waited::Done(Err(e)) => {
            console_error!("geleit-edge: policy fetch: {e}");
            return failed(FetchFailure::Tls {
                detail: "no HTTPS response (the connection, its TLS handshake or the certificate failed)".into(),
            });
        }
        Waited::TimedOut => {
            controller.abort();
            return failed(timeout());
        }
    };
    let status = response.status_code();
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let (content_type, location) = (header("content-type"), header("location"));
    if header("content-length").and_then(|l| l.trim().parse::<usize>().ok()).is_some_and(|n| n > request.max_bytes) {
        controller.abort();
        return failed(FetchFailure::TooLarge { limit: request.max_bytes });
    }
    let mut body = Vec::new();
    if let Ok(mut stream) = response.stream() {
        loop {
            match until(deadline, stream.next()).await {
                Waited::Done(Some(Ok(chunk))) => {
                    body.extend_from_slice(&chunk);
                    if body.len() > request.max_bytes {
                        controller.abort();
                        return failed(FetchFailure::TooLarge { limit: request.max_bytes });
                    }
                }
                Waited::Done(None) => break,
                Waited::Done(Some(Err(e))) => {
                    console_error!("geleit-edge: policy body: {e}");
                    return failed(FetchFailure::Http { detail: "a body that could not be read".into() });
                }
                Waited::TimedOut => {
                    controller.abort();
                    return failed(timeout());
                }
            }
        }
    }
    FetchResult::Response { status, content_type, location, body }
}
