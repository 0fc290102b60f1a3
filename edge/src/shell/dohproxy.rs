//! `GET/POST /dns-query`: RFC 8484 proxy to the configured upstream, with
//! answers cached by TTL in the isolate (`crate::cache`) and through the
//! Workers Cache API where the runtime has one (Cloudflare; a self-hosted
//! workerd has none unless configured).

use std::cell::{Cell, RefCell};

use worker::{Cache, Headers, Request, Response, console_warn};

use super::clock::now_ms;
use super::{internal, upstream};
use crate::cache::AnswerCache;
use crate::config::Settings;
use crate::dns::{self, DohQuery, MAX_QUERY_OCTETS};
use crate::doh::{self, CONTENT_TYPE};
use crate::error::EdgeError;

/// RFC 8484 §4.1 GET.
pub async fn doh_get(req: &Request, settings: &Settings) -> Result<Response, EdgeError> {
    let url = req.url().map_err(internal)?;
    let query = doh::query_from_get(url.query_pairs())?;
    answer(&query, settings).await
}

/// RFC 8484 §4.1 POST.
pub async fn doh_post(mut req: Request, settings: &Settings) -> Result<Response, EdgeError> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    doh::check_post_headers(header("content-type").as_deref(), header("content-length").as_deref())?;
    let body = req.bytes().await.map_err(internal)?;
    if body.len() > MAX_QUERY_OCTETS {
        return Err(EdgeError::PayloadTooLarge { limit: MAX_QUERY_OCTETS });
    }
    let query = doh::query_from_post(&body)?;
    answer(&query, settings).await
}

/// Answers kept per isolate: entries and octets.
const ISOLATE_CACHE_ENTRIES: usize = 2_000;
const ISOLATE_CACHE_OCTETS: usize = 4 << 20;

thread_local! {
    static ANSWERS: RefCell<AnswerCache> =
        RefCell::new(AnswerCache::new(ISOLATE_CACHE_ENTRIES, ISOLATE_CACHE_OCTETS));
    /// Set once the runtime's Cache API has failed (a workerd without a
    /// cache service): not asked again in this isolate.
    static CACHE_API_OFF: Cell<bool> = const { Cell::new(false) };
}

/// The runtime's default cache, if it has a working Cache API.
fn cache_api() -> Option<Cache> {
    if CACHE_API_OFF.with(Cell::get) {
        return None;
    }
    let global = worker::js_sys::global();
    let has = worker::js_sys::Reflect::has(&global, &"caches".into()).unwrap_or(false);
    has.then(Cache::default)
}

fn cache_api_failed(what: &str, e: &worker::Error) {
    console_warn!("geleit-edge: cache {what}: {e}; using the in-isolate cache only");
    CACHE_API_OFF.with(|off| off.set(true));
}

/// An answer from the isolate's cache, else the Cache API's, else the
/// upstream's (then kept in both).
async fn answer(query: &DohQuery, settings: &Settings) -> Result<Response, EdgeError> {
    let url = doh::upstream_get_url(&settings.doh_upstream, query);
    let now = now_ms();
    if let Some(hit) = ANSWERS.with(|c| c.borrow_mut().get(&url, now)) {
        return reply(hit.wire, Some(hit.remaining_s), query.id);
    }
    let cache = cache_api();
    if let Some(api) = &cache {
        match api.get(url.as_str(), false).await {
            Ok(Some(mut hit)) => {
                if let Ok(wire) = hit.bytes().await {
                    let ttl = dns::cache_ttl(&wire);
                    return reply(wire, ttl, query.id);
                }
            }
            Ok(None) => {}
            Err(e) => cache_api_failed("get", &e),
        }
    }
    let wire = upstream::get(&url, settings.limits.step_timeout_ms, settings.upstream_parallel).await?;
    let ttl = dns::cache_ttl(&wire);
    if let Some(ttl) = ttl {
        ANSWERS.with(|c| c.borrow_mut().put(&url, &wire, ttl, now_ms()));
        if let Some(api) = cache_api().filter(|_| cache.is_some()) {
            // Stored with ID 0, as asked upstream; each client gets its own ID back.
            let stored = response(wire.clone(), &doh::cache_control(Some(ttl)))?;
            if let Err(e) = api.put(url.as_str(), stored).await {
                cache_api_failed("put", &e);
            }
        }
    }
    reply(wire, ttl, query.id)
}

/// The answer to the client: its own ID, `Cache-Control` from the TTL.
fn reply(mut wire: Vec<u8>, ttl: Option<u32>, id: u16) -> Result<Response, EdgeError> {
    dns::set_id(&mut wire, id);
    response(wire, &doh::cache_control(ttl))
}

fn response(wire: Vec<u8>, cache_control: &str) -> Result<Response, EdgeError> {
    let headers = Headers::new();
    headers.set("content-type", CONTENT_TYPE).map_err(internal)?;
    headers.set("cache-control", cache_control).map_err(internal)?;
    Ok(Response::from_bytes(wire).map_err(internal)?.with_headers(headers))
}
