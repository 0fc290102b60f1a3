//! DNS over HTTPS transport (RFC 8484) for the core's sans-IO DNS tasks.
//!
//! Blocking HTTP/1.1 with `ureq`; the queries of one round are sent in
//! parallel on scoped threads. GET by default (RFC 8484 §4.1, cache
//! friendly), POST on request.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use geleit::check::DomainCheck;
use geleit::dns::{MAX_MESSAGE_LEN, Query, QueryId, SharedAnswers};

/// The media type of RFC 8484 §6.
const DNS_MESSAGE: &str = "application/dns-message";

/// Most requests in flight at once.
const MAX_PARALLEL: usize = 16;

/// A DoH endpoint.
pub struct Doh {
    endpoint: String,
    post: bool,
    agent: ureq::Agent,
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
    /// A client for `endpoint` (e.g. `https://dns.example/dns-query`).
    pub fn new(endpoint: &str, post: bool) -> Self {
        // Keep every connection of a round for the next one: a round after the
        // first then costs one round trip, not two (no new TCP/TLS handshakes).
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .max_idle_connections(MAX_PARALLEL)
            .max_idle_connections_per_host(MAX_PARALLEL)
            .http_status_as_error(false)
            .build()
            .into();
        Self { endpoint: endpoint.to_owned(), post, agent, shared: None }
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

    /// Sends a round of queries in parallel: up to [`MAX_PARALLEL`] workers,
    /// each taking the next unsent query as soon as it is free (no batch waits
    /// for its slowest query before the next starts).
    fn round(&self, queries: &[Query]) -> Vec<(QueryId, Result<Vec<u8>, String>)> {
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
    /// the core's `DomainCheck` (which retries failed queries itself) and
    /// `geleit dns` for a `Lookup`.
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
