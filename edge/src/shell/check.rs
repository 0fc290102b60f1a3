//! `GET /api/check`: the worker's side of [`crate::check`]. DNS queries go
//! to the DoH upstream through `fetch` (all of a round at once), each host's
//! probes run through [`super::probe::run_plan`] (the `/api/probe` code
//! path; hosts at once, and while DNS goes on), and the rate limits are the
//! probe API's.

use std::net::IpAddr;

use futures_util::future::join_all;
use geleit::smtp::{AfterTls, HostReport};
use worker::{Request, Response};

use super::clock::now_ms;
use super::probe::run_plan;
use super::{internal, limit_client, limit_targets, platform_rate_limit, upstream};
use crate::check::{self, CheckIo, CheckRequest};
use crate::config::Settings;
use crate::error::EdgeError;
use crate::ratelimit::client_key;
use crate::request::HostProbe;
use geleit::check::{FetchRequest, FetchResult};

pub async fn check(req: &Request, env: &worker::Env, settings: &Settings) -> Result<Response, EdgeError> {
    let url = req.url().map_err(internal)?;
    let request = CheckRequest::from_query(url.query_pairs())?;
    // The first host's probe; one more per further MX host (`admit`).
    let io = admit_client(req, env, settings).await?;
    let verdict = check::run(&io, &request, settings, now_ms()).await?;
    json_of_the_moment(check::answer_body(&request, &verdict)?)
}

/// `GET /api/sts-policy`: `/api/check`'s policy fetch for a page's check
/// ([`check::sts_policy`]), with the probe API's client limits.
pub async fn sts_policy(req: &Request, env: &worker::Env, settings: &Settings) -> Result<Response, EdgeError> {
    let url = req.url().map_err(internal)?;
    let request = crate::request::policy_request(url.query_pairs())?;
    let io = admit_client(req, env, settings).await?;
    let result = check::sts_policy(&io, &request, settings, now_ms()).await?;
    json_of_the_moment(check::sts_policy_body(&result)?)
}

/// The requesting client, charged one request against its own limit and the
/// platform's: the worker's IO on its behalf.
async fn admit_client<'a>(req: &Request, env: &worker::Env, settings: &'a Settings) -> Result<Worker<'a>, EdgeError> {
    let client = client_key(settings.client_ip_header.as_deref(), req.cf().is_some(), |name| {
        req.headers().get(name).ok().flatten()
    });
    limit_client(settings, &client)?;
    platform_rate_limit(env, &client).await?;
    Ok(Worker { settings, client })
}

/// A JSON answer no HTTP cache may keep: a verdict or a fetch is of its moment.
fn json_of_the_moment(body: String) -> Result<Response, EdgeError> {
    let mut response = Response::ok(body).map_err(internal)?;
    let headers = response.headers_mut();
    headers.set("content-type", "application/json").map_err(internal)?;
    headers.set("cache-control", "no-store").map_err(internal)?;
    Ok(response)
}

struct Worker<'a> {
    settings: &'a Settings,
    client: String,
}

impl CheckIo for Worker<'_> {
    fn now_ms(&self) -> u64 {
        now_ms()
    }

    async fn fetch_dns(&self, urls: &[String], deadline_ms: u64) -> Vec<Result<Vec<u8>, EdgeError>> {
        let timeout = self.settings.limits.step_timeout_ms.min(deadline_ms.saturating_sub(now_ms()));
        join_all(urls.iter().map(|url| upstream::get(url, timeout, self.settings.upstream_parallel))).await
    }

    fn admit(&self, first: bool, addresses: &[IpAddr]) -> Result<(), EdgeError> {
        if !first {
            limit_client(self.settings, &self.client)?;
        }
        limit_targets(self.settings, addresses)
    }

    async fn probe(&self, host: HostProbe, started_ms: u64) -> Result<HostReport, EdgeError> {
        // The verdict reads the chain only: each probe ends at the TLS handshake.
        run_plan(host.plan, &host.sni, self.settings, started_ms, AfterTls::Quit).await
    }

    async fn fetch_policy(&self, request: &FetchRequest, deadline_ms: u64) -> FetchResult {
        let deadline = deadline_ms.min(now_ms().saturating_add(u64::from(request.timeout_ms)));
        upstream::policy(request, deadline).await
    }
}
