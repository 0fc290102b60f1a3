//! DNS over HTTPS transport (RFC 8484) for the core's sans-IO DNS tasks.
//!
//! An `https` endpoint is asked over HTTP/2 (RFC 8484 §5.2: HTTP/2 is the
//! minimum recommended version) on one TLS connection, every query of a
//! round on its own stream, and that connection serves every round of the
//! check: the TCP and TLS handshakes are paid once, and a round after the
//! first costs one round trip. A server that does not offer HTTP/2 (ALPN),
//! and every `http` endpoint (the lab, tests), is asked over HTTP/1.1 with
//! `ureq`, a round's queries in parallel on scoped threads, connections
//! kept alive between rounds. GET by default (RFC 8484 §4.1, cache
//! friendly), POST on request. The DoH server's certificate is checked
//! against the web PKI roots, or only the CAs of `--doh-ca` when given.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use geleit::check::DomainCheck;
use geleit::dns::{Lookup, MAX_MESSAGE_LEN, Query, QueryId, SharedAnswers};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// A query's outcome: the response message, or why there is none.
type Outcome = (QueryId, Result<Vec<u8>, String>);

/// The media type of RFC 8484 §6.
const DNS_MESSAGE: &str = "application/dns-message";

/// Most requests in flight at once.
const MAX_PARALLEL: usize = 16;

/// Time one query may take, connection setup included.
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// A DoH endpoint.
pub struct Doh {
    endpoint: String,
    post: bool,
    agent: ureq::Agent,
    /// HTTP/2 for an `https` endpoint (until the server turns out not to offer it).
    h2: Option<H2>,
    /// DS and DNSKEY answers shared by the checks of a run (`--from`), with
    /// the clock their TTLs run on.
    shared: Option<Shared>,
}

/// The shared answers and their clock: the validation time given (`--at`)
/// or the wall clock at the start, plus the time since.
struct Shared {
    answers: Mutex<SharedAnswers>,
    base: u64,
    started: Instant,
}

impl Shared {
    fn now(&self) -> u64 {
        self.base.saturating_add(self.started.elapsed().as_secs())
    }
}

impl Doh {
    /// A client for `endpoint` (e.g. `https://dns.example/dns-query`); with
    /// `ca`, an `https` server's certificate must chain to a CA certificate
    /// of that PEM file instead of the web PKI roots.
    ///
    /// # Errors
    /// `endpoint` is no `http` or `https` URL with a host; `ca` cannot be
    /// read or holds no certificate; `endpoint` is an `https` URL without a
    /// usable host.
    pub fn new(endpoint: &str, post: bool, ca: Option<&Path>) -> anyhow::Result<Self> {
        // A URL that cannot be asked is the user's input error (exit 2), not
        // a resolver that did not answer.
        let uri: http::Uri = endpoint.parse().with_context(|| format!("expected a DoH URL, found {endpoint:?}"))?;
        if !uri.scheme_str().is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https")) {
            anyhow::bail!("expected an http or https DoH URL, found {endpoint:?}");
        }
        if uri.host().is_none_or(str::is_empty) {
            anyhow::bail!("expected a host in the DoH URL {endpoint:?}");
        }
        let roots = ca.map(read_ca).transpose()?;
        // Keep every connection of a round for the next one: a round after the
        // first then costs one round trip, not two (no new TCP/TLS handshakes).
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(QUERY_TIMEOUT))
            .max_idle_connections(MAX_PARALLEL)
            .max_idle_connections_per_host(MAX_PARALLEL)
            .http_status_as_error(false);
        if let Some(roots) = &roots {
            let certs: Vec<ureq::tls::Certificate<'static>> =
                roots.iter().map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned()).collect();
            let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&certs)).build();
            config = config.tls_config(tls);
        }
        let is_https = endpoint.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
        let h2 = if is_https { Some(H2::new(endpoint, roots)?) } else { None };
        Ok(Self { endpoint: endpoint.to_owned(), post, agent: config.build().into(), h2, shared: None })
    }

    /// Shares DS and DNSKEY answers between every task this client serves,
    /// within their TTLs counted from `now` (see `geleit::dns::SharedAnswers`).
    #[must_use]
    pub fn sharing_answers(mut self, now: u64) -> Self {
        self.shared = Some(Shared { answers: Mutex::new(SharedAnswers::new()), base: now, started: Instant::now() });
        self
    }

    /// Answers taken from the shared cache, and shareable questions sent.
    pub fn shared_stats(&self) -> Option<(u64, u64)> {
        let shared = self.shared.as_ref()?;
        shared.answers.lock().ok().map(|a| a.stats())
    }

    /// Sends one query and returns the response message.
    fn send(&self, q: &Query) -> Result<Vec<u8>, String> {
        let result = if self.post {
            self.agent
                .post(&self.endpoint)
                .header("content-type", DNS_MESSAGE)
                .header("accept", DNS_MESSAGE)
                .send(q.wire())
        } else {
            self.agent.get(&q.doh_get_url(&self.endpoint)).header("accept", DNS_MESSAGE).call()
        };
        let mut resp = result.map_err(|e| format!("DoH request to {} failed: {e}", self.endpoint))?;
        let status = resp.status();
        if status != 200 {
            return Err(format!("DoH server {} answered HTTP {status}, expected 200", self.endpoint));
        }
        let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        if !ctype.starts_with(DNS_MESSAGE) {
            return Err(format!("DoH server {} sent content-type {ctype:?}, expected {DNS_MESSAGE}", self.endpoint));
        }
        resp.body_mut()
            .with_config()
            .limit(MAX_MESSAGE_LEN as u64)
            .read_to_vec()
            .map_err(|e| format!("reading the DoH response from {} failed: {e}", self.endpoint))
    }

    /// Sends a round of queries in parallel: over HTTP/2 every query on its
    /// own stream of the one connection; over HTTP/1.1 up to
    /// [`MAX_PARALLEL`] workers, each taking the next unsent query as soon as
    /// it is free (no batch waits for its slowest query before the next starts).
    fn round(&self, queries: &[Query]) -> Vec<Outcome> {
        if let Some(h2) = self.h2.as_ref().filter(|h2| !h2.http1.load(Ordering::Relaxed))
            && let Some(results) = h2.round(queries, &self.endpoint, self.post)
        {
            return results;
        }
        let next = AtomicUsize::new(0);
        let mut results: Vec<Option<Result<Vec<u8>, String>>> = vec![None; queries.len()];
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..queries.len().min(MAX_PARALLEL))
                .map(|_| {
                    s.spawn(|| {
                        let mut done = Vec::new();
                        while let Some(q) = queries.get(next.fetch_add(1, Ordering::Relaxed)) {
                            done.push((q.id(), self.send(q)));
                        }
                        done
                    })
                })
                .collect();
            for worker in workers {
                for (id, result) in worker.join().unwrap_or_default() {
                    if let Some(slot) = queries.iter().position(|q| q.id() == id).and_then(|i| results.get_mut(i)) {
                        *slot = Some(result);
                    }
                }
            }
        });
        queries
            .iter()
            .zip(results)
            .map(|(q, r)| (q.id(), r.unwrap_or_else(|| Err("the DoH worker thread panicked".to_owned()))))
            .collect()
    }

    /// One exchange of a sans-IO DNS task over this endpoint: the queries it
    /// has now, sent in parallel, and every outcome handed back, the round's
    /// answers before its transport failures (so a task has seen every
    /// answer when it hears of a failure). Every answer is also appended to
    /// `record` when given. Returns whether there was anything to send.
    ///
    /// This is the one DNS loop body of the CLI: `geleit check` runs it for
    /// the core's `DomainCheck` and `geleit dns` for a `Lookup` (both retry
    /// failed queries themselves).
    pub fn exchange<T: Task>(&self, task: &mut T, mut record: Option<&mut Vec<Recorded>>) -> anyhow::Result<bool> {
        let queries = task.poll_queries();
        if queries.is_empty() {
            return Ok(false);
        }
        // Shared answers first (a poisoned lock only means no sharing).
        let mut cached: Vec<(Query, Vec<u8>)> = Vec::new();
        let mut to_send = Vec::with_capacity(queries.len());
        match self.shared.as_ref().map(|s| (s.now(), s.answers.lock())) {
            Some((now, Ok(mut shared))) => {
                for q in queries {
                    match shared.get(&q, now) {
                        Some(bytes) => cached.push((q, bytes)),
                        None => to_send.push(q),
                    }
                }
            }
            _ => to_send = queries,
        }
        let sent = self.round(&to_send);
        if let Some(shared) = &self.shared
            && let Ok(mut answers) = shared.answers.lock()
        {
            let now = shared.now();
            for (q, (_, result)) in to_send.iter().zip(&sent) {
                if let Ok(bytes) = result {
                    answers.insert(q, bytes, now);
                }
            }
        }
        let (answers, failures): (Vec<_>, Vec<_>) =
            to_send.iter().zip(sent).partition(|(_, (_, result))| result.is_ok());
        let cached = cached.iter().map(|(q, bytes)| (q, (q.id(), Ok(bytes.clone()))));
        for (q, (id, result)) in cached.chain(answers).chain(failures) {
            match result {
                Ok(bytes) => {
                    if let Some(rec) = record.as_deref_mut() {
                        rec.push(Recorded {
                            name: q.name().to_ascii(),
                            rtype: q.rtype().to_string(),
                            wire: data_encoding::BASE64.encode(&bytes),
                        });
                    }
                    task.handle_response(id, &bytes)?;
                }
                Err(why) => task.handle_transport_error(id, &why)?,
            }
        }
        Ok(true)
    }
}

/// One response as recorded for replay in tests (`--record`).
#[derive(Debug, serde::Serialize)]
pub struct Recorded {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    /// The response message, base64.
    pub wire: String,
}

/// What [`Doh::exchange`] needs of a sans-IO DNS task.
pub trait Task {
    /// The queries to send now.
    fn poll_queries(&mut self) -> Vec<Query>;
    /// The DNS message that answered query `id`.
    fn handle_response(&mut self, id: QueryId, bytes: &[u8]) -> anyhow::Result<()>;
    /// Query `id` got no DNS message: no HTTP answer, an HTTP error, or
    /// another media type; `why` says which.
    fn handle_transport_error(&mut self, id: QueryId, why: &str) -> anyhow::Result<()>;
}

/// The whole check: the core retries a failed query and decides when the
/// resolver counts as unreachable (`CheckOutcome::ResolverUnreachable`).
impl Task for DomainCheck {
    fn poll_queries(&mut self) -> Vec<Query> {
        DomainCheck::poll_queries(self)
    }

    fn handle_response(&mut self, id: QueryId, bytes: &[u8]) -> anyhow::Result<()> {
        Ok(DomainCheck::handle_response(self, id, bytes)?)
    }

    fn handle_transport_error(&mut self, id: QueryId, why: &str) -> anyhow::Result<()> {
        Ok(DomainCheck::handle_transport_error(self, id, why)?)
    }
}

/// One lookup (`geleit dns`): the core retries a failed query and decides
/// when the resolver counts as unreachable (`Lookup::resolver_failure`).
impl Task for Lookup {
    fn poll_queries(&mut self) -> Vec<Query> {
        Lookup::poll_queries(self)
    }

    fn handle_response(&mut self, id: QueryId, bytes: &[u8]) -> anyhow::Result<()> {
        Ok(Lookup::handle_response(self, id, bytes)?)
    }

    fn handle_transport_error(&mut self, id: QueryId, why: &str) -> anyhow::Result<()> {
        Ok(Lookup::handle_transport_error(self, id, why)?)
    }
}

/// The CA certificates of a PEM file.
fn read_ca(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem = std::fs::read(path).with_context(|| format!("cannot read DoH CA file {}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("DoH CA file {}: expected PEM certificates", path.display()))?;
    if certs.is_empty() {
        anyhow::bail!("DoH CA file {}: expected PEM certificates, found none", path.display());
    }
    Ok(certs)
}

/// HTTP/2 over TLS to one DoH server: one connection, reused by every
/// round, and opened again only when it is gone.
struct H2 {
    runtime: tokio::runtime::Runtime,
    tls: Arc<rustls::ClientConfig>,
    host: String,
    port: u16,
    server_name: ServerName<'static>,
    /// The open connection (its driver task runs on `runtime`). An async
    /// lock: the checks of `--from --jobs` share this client, and the first
    /// to need the connection opens it while the others wait.
    send: tokio::sync::Mutex<Option<h2::client::SendRequest<Bytes>>>,
    /// The server chose HTTP/1.1 (ALPN): `ureq` from then on.
    http1: AtomicBool,
}

/// Why a round could not go over HTTP/2.
enum NoH2 {
    /// The server does not speak HTTP/2: ask over HTTP/1.1.
    Http1,
    /// No connection: every query of the round failed with this.
    Failed(String),
}

impl H2 {
    fn new(endpoint: &str, roots: Option<Vec<CertificateDer<'static>>>) -> anyhow::Result<Self> {
        let uri: http::Uri = endpoint.parse().with_context(|| format!("expected a DoH URL, found {endpoint:?}"))?;
        let host = uri.host().with_context(|| format!("expected a host in the DoH URL {endpoint:?}"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let server_name = ServerName::try_from(host.clone())
            .with_context(|| format!("expected a host name or address in the DoH URL {endpoint:?}"))?;
        let mut store = rustls::RootCertStore::empty();
        match roots {
            Some(roots) => {
                let (_, ignored) = store.add_parsable_certificates(roots);
                if store.is_empty() {
                    anyhow::bail!("the DoH CA file holds no usable CA certificate ({ignored} could not be used)");
                }
            }
            None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS configuration for DoH")?
            .with_root_certificates(store)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(Self {
            runtime,
            tls: Arc::new(tls),
            host,
            port: uri.port_u16().unwrap_or(443),
            server_name,
            send: tokio::sync::Mutex::new(None),
            http1: AtomicBool::new(false),
        })
    }

    /// A round over HTTP/2: per query, in order, the message or why there
    /// is none; `None` when the server turned out to speak HTTP/1.1 only.
    fn round(&self, queries: &[Query], endpoint: &str, post: bool) -> Option<Vec<Outcome>> {
        let send = match self.runtime.block_on(self.connection()) {
            Ok(send) => send,
            Err(NoH2::Http1) => {
                self.http1.store(true, Ordering::Relaxed);
                return None;
            }
            Err(NoH2::Failed(why)) => {
                let why = format!("DoH request to {endpoint} failed: {why}");
                return Some(queries.iter().map(|q| (q.id(), Err(why.clone()))).collect());
            }
        };
        let results = self.runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for (i, q) in queries.iter().enumerate() {
                let (send, endpoint) = (send.clone(), endpoint.to_owned());
                let (url, body) = if post {
                    (endpoint.clone(), Some(Bytes::copy_from_slice(q.wire())))
                } else {
                    (q.doh_get_url(&endpoint), None)
                };
                tasks.spawn(async move {
                    let result = tokio::time::timeout(QUERY_TIMEOUT, exchange_h2(send, &url, body))
                        .await
                        .unwrap_or_else(|_| Err("no answer in time".to_owned()));
                    (i, result.map_err(|e| format!("DoH request to {endpoint} failed: {e}")))
                });
            }
            let mut results: Vec<Option<Result<Vec<u8>, String>>> = vec![None; queries.len()];
            while let Some(Ok((i, result))) = tasks.join_next().await {
                if let Some(slot) = results.get_mut(i) {
                    *slot = Some(result);
                }
            }
            results
        });
        if results.iter().any(|r| matches!(r, Some(Err(_)))) {
            // Ask on a fresh connection next time if this one is gone.
            self.runtime.block_on(async {
                let mut slot = self.send.lock().await;
                let gone = match slot.as_mut() {
                    Some(s) => matches!(
                        std::future::poll_fn(|cx| std::task::Poll::Ready(s.poll_ready(cx))).await,
                        std::task::Poll::Ready(Err(_))
                    ),
                    None => false,
                };
                if gone {
                    *slot = None;
                }
            });
        }
        Some(
            queries
                .iter()
                .zip(results)
                .map(|(q, r)| (q.id(), r.unwrap_or_else(|| Err("the DoH request task failed".to_owned()))))
                .collect(),
        )
    }

    /// The open connection, or a new one.
    async fn connection(&self) -> Result<h2::client::SendRequest<Bytes>, NoH2> {
        let mut slot = self.send.lock().await;
        if let Some(send) = slot.as_ref() {
            return Ok(send.clone());
        }
        let send = tokio::time::timeout(QUERY_TIMEOUT, self.connect())
            .await
            .unwrap_or_else(|_| Err(NoH2::Failed("no connection in time".to_owned())))?;
        *slot = Some(send.clone());
        Ok(send)
    }

    async fn connect(&self) -> Result<h2::client::SendRequest<Bytes>, NoH2> {
        let failed = |what: &str, e: &dyn std::fmt::Display| NoH2::Failed(format!("{what}: {e}"));
        let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| failed("cannot connect", &e))?;
        let _ = tcp.set_nodelay(true);
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&self.tls));
        let tls = connector.connect(self.server_name.clone(), tcp).await.map_err(|e| failed("tls", &e))?;
        if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
            return Err(NoH2::Http1);
        }
        let (send, connection) = h2::client::handshake(tls).await.map_err(|e| failed("http/2", &e))?;
        // Drives the connection whenever the runtime runs (during a round).
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(send)
    }
}

/// One DoH request on its own HTTP/2 stream: GET `url`, or POST `body` to it.
async fn exchange_h2(send: h2::client::SendRequest<Bytes>, url: &str, body: Option<Bytes>) -> Result<Vec<u8>, String> {
    let mut send = send.ready().await.map_err(|e| e.to_string())?;
    let mut request = http::Request::builder().uri(url).header("accept", DNS_MESSAGE);
    request = match &body {
        Some(_) => request.method("POST").header("content-type", DNS_MESSAGE),
        None => request.method("GET"),
    };
    let request = request.body(()).map_err(|e| e.to_string())?;
    let (response, mut stream) = send.send_request(request, body.is_none()).map_err(|e| e.to_string())?;
    if let Some(body) = body {
        stream.send_data(body, true).map_err(|e| e.to_string())?;
    }
    let response = response.await.map_err(|e| e.to_string())?;
    let status = response.status();
    if status != http::StatusCode::OK {
        return Err(format!("answered HTTP {}, expected 200", status.as_u16()));
    }
    let ctype = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if !ctype.starts_with(DNS_MESSAGE) {
        return Err(format!("sent content-type {ctype:?}, expected {DNS_MESSAGE}"));
    }
    let mut body = response.into_body();
    let mut message = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        let _ = body.flow_control().release_capacity(chunk.len());
        message.extend_from_slice(&chunk);
        if message.len() > MAX_MESSAGE_LEN {
            return Err(format!("sent a body larger than {MAX_MESSAGE_LEN} octets"));
        }
    }
    Ok(message)
}
