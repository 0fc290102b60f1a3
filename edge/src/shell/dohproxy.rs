//! `GET/POST /dns-query`: RFC 8484 proxy to the configured upstream, with
//! answers cached by TTL through the Workers Cache API where the runtime
//! has one (Cloudflare; a self-hosted workerd without a cache service just
//! misses every time).

use worker::{Cache, Headers, Request, Response, console_warn};

use super::{internal, upstream};
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

/// The default cache, if this runtime has the Cache API.
fn cache() -> Option<Cache> {
    let global = worker::js_sys::global();
    let has = worker::js_sys::Reflect::has(&global, &"caches".into()).unwrap_or(false);
    has.then(Cache::default)
}

async fn answer(query: &DohQuery, settings: &Settings) -> Result<Response, EdgeError> {
    let url = doh::upstream_get_url(&settings.doh_upstream, query);
    let cache = cache();
    let mut cached = None;
    if let Some(cache) = &cache {
        match cache.get(url.as_str(), false).await {
            Ok(Some(mut hit)) => cached = hit.bytes().await.ok(),
            Ok(None) => {}
            Err(e) => console_warn!("geleit-edge: cache get: {e}"),
        }
    }
    let (mut wire, from_cache) = match cached {
        Some(wire) => (wire, true),
        None => (upstream::get(&url, settings.limits.step_timeout_ms).await?, false),
    };
    let ttl = dns::cache_ttl(&wire);
    let cache_control = doh::cache_control(ttl);
    if let (Some(cache), false, Some(_)) = (&cache, from_cache, ttl) {
        // Stored with ID 0, as asked upstream; each client gets its own ID back.
        let stored = response(wire.clone(), &cache_control)?;
        if let Err(e) = cache.put(url.as_str(), stored).await {
            console_warn!("geleit-edge: cache put: {e}");
        }
    }
    dns::set_id(&mut wire, query.id);
    response(wire, &cache_control)
}

fn response(wire: Vec<u8>, cache_control: &str) -> Result<Response, EdgeError> {
    let headers = Headers::new();
    headers.set("content-type", CONTENT_TYPE).map_err(internal)?;
    headers.set("cache-control", cache_control).map_err(internal)?;
    Ok(Response::from_bytes(wire).map_err(internal)?.with_headers(headers))
}
