//! Asking a DoH query again when the transport failed, sans-IO: the one
//! place that decides when a query is retried and when the resolver counts
//! as unreachable. [`crate::check::DomainCheck`] and [`super::Lookup`] both
//! keep their queries' attempts here.
//!
//! A DoH query is idempotent (RFC 8484 §4.1: ID 0, GET cacheable), so one
//! that got no DNS message back — no HTTP answer, an HTTP error, another
//! media type — is simply asked again, up to [`MAX_TRANSPORT_ATTEMPTS`]
//! times. A query whose every attempt failed says nothing about the name
//! asked: the resolver could not be reached ([`ResolverFailure`]), and a
//! caller must not turn that into a DNSSEC status (bogus, indeterminate).
//!
//! ```text
//!   engine's new queries ── ask() ──► Retries ── take() ──► transport
//!                                       ▲
//!   handle_response(id) / handle_transport_error(id, why) ──► Handling
//!     Deliver: hand it to the engine · Retry: asked again · Ignore
//! ```
//!
//! Attempts of one query may overlap (a retry goes out while the earlier
//! attempt is still in flight on a slow transport): the first answer of any
//! attempt settles the query, and whatever arrives for it after that is
//! ignored.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::DnsError;
use super::wire::{Query, QueryId};

/// How often one DoH query is sent before its transport failure counts
/// (the first try and two more).
pub const MAX_TRANSPORT_ATTEMPTS: u8 = 3;

/// The longest transport error kept for [`ResolverFailure::detail`], in
/// characters after escaping.
const MAX_DETAIL_CHARS: usize = 200;

/// What the caller does with an answer or a transport failure of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Handling {
    /// Hand it to the engine: the query's answer, or the failure of its
    /// last attempt (counted for [`Retries::failure`]).
    Deliver,
    /// The query is asked again: it comes back from the next [`Retries::take`].
    Retry,
    /// Nothing to do: the query is settled already (a second answer, an
    /// earlier attempt's late failure), or its retry is still to be sent.
    Ignore,
}

/// Where one query handed out stands.
#[derive(Debug, Clone)]
enum Slot {
    /// Not answered yet: the query and how often it was handed out (or is
    /// queued to be).
    Waiting(Query, u8),
    /// Answered, or given up after its last attempt.
    Settled,
}

/// The attempts of every query a machine handed out (see the module
/// documentation): no clock, no IO.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Retries {
    slots: HashMap<QueryId, Slot>,
    /// Queries to hand out with the next [`Self::take`], in order: new
    /// ones and ones to ask again.
    to_send: Vec<Query>,
    /// Distinct queries asked.
    asked: u32,
    /// Queries whose every attempt failed on the transport.
    failed: u32,
    /// The last of those failures, escaped and shortened.
    last_error: String,
}

impl Retries {
    /// No queries yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// New queries of the engine, to be sent with the next [`Self::take`]
    /// (their first attempt). A query id already known is left as it is.
    pub fn ask(&mut self, queries: impl IntoIterator<Item = Query>) {
        for q in queries {
            if self.slots.contains_key(&q.id()) {
                continue;
            }
            self.slots.insert(q.id(), Slot::Waiting(q.clone(), 1));
            self.asked = self.asked.saturating_add(1);
            self.to_send.push(q);
        }
    }

    /// The queries to send now: new ones and retries, all at once.
    pub fn take(&mut self) -> Vec<Query> {
        std::mem::take(&mut self.to_send)
    }

    /// Whether every query asked is settled (answered or given up): a
    /// machine that asks in rounds starts the next one only then.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        self.slots.values().all(|s| matches!(s, Slot::Settled))
    }

    /// Query `id` got a DNS message back ([`Handling::Deliver`]: hand the
    /// bytes to the engine), or it was settled before ([`Handling::Ignore`]).
    /// A retry still to be sent is dropped.
    ///
    /// A machine's own "no answer, and none to seek" for a query (not a
    /// transport failure, never retried or counted) settles it the same way.
    ///
    /// # Errors
    /// [`DnsError::UnknownQuery`]: `id` was never asked.
    pub fn handle_response(&mut self, id: QueryId) -> Result<Handling, DnsError> {
        match self.slots.get_mut(&id) {
            None => Err(DnsError::UnknownQuery(id.0)),
            Some(Slot::Settled) => Ok(Handling::Ignore),
            Some(slot) => {
                *slot = Slot::Settled;
                self.to_send.retain(|q| q.id() != id);
                Ok(Handling::Deliver)
            }
        }
    }

    /// An attempt of query `id` failed on the transport (`error` says how).
    ///
    /// - [`Handling::Retry`]: it had fewer than [`MAX_TRANSPORT_ATTEMPTS`]
    ///   attempts; it is sent again with the next [`Self::take`].
    /// - [`Handling::Ignore`]: the query is settled already, or its retry
    ///   is still to be sent (this was an earlier attempt, not a new one).
    /// - [`Handling::Deliver`]: that was its last attempt; the query is
    ///   settled and counted as unreachable ([`Self::failure`]), and the
    ///   engine is to hear of the failure.
    ///
    /// # Errors
    /// [`DnsError::UnknownQuery`]: `id` was never asked.
    pub fn handle_transport_error(&mut self, id: QueryId, error: &str) -> Result<Handling, DnsError> {
        let slot = self.slots.get_mut(&id).ok_or(DnsError::UnknownQuery(id.0))?;
        let Slot::Waiting(query, attempts) = &mut *slot else { return Ok(Handling::Ignore) };
        if self.to_send.iter().any(|q| q.id() == id) {
            return Ok(Handling::Ignore);
        }
        if *attempts < MAX_TRANSPORT_ATTEMPTS {
            *attempts += 1;
            self.to_send.push(query.clone());
            return Ok(Handling::Retry);
        }
        *slot = Slot::Settled;
        self.failed = self.failed.saturating_add(1);
        self.last_error = crate::smtp::sanitize(error.as_bytes(), MAX_DETAIL_CHARS);
        Ok(Handling::Deliver)
    }

    /// Distinct queries asked so far (retries not counted).
    #[must_use]
    pub fn asked(&self) -> u32 {
        self.asked
    }

    /// Queries whose every attempt failed on the transport.
    #[must_use]
    pub fn failed(&self) -> u32 {
        self.failed
    }

    /// Why the resolver could not be reached, once a query failed on its
    /// last attempt; `about` names what was to be checked (a mail domain, or
    /// the name of a lookup). `None` while every query got through.
    #[must_use]
    pub fn failure(&self, about: String) -> Option<ResolverFailure> {
        (self.failed > 0).then(|| ResolverFailure {
            domain: about,
            failed: self.failed,
            asked: self.asked,
            detail: self.last_error.clone(),
        })
    }
}

/// Why there is no answer: queries that never got one from the resolver.
/// This says nothing about the name asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverFailure {
    /// The domain that was to be checked (for a lookup, the name asked).
    pub domain: String,
    /// Queries whose every attempt failed on the transport.
    pub failed: u32,
    /// Queries asked in all.
    pub asked: u32,
    /// The last transport error, as the driver worded it (escaped, shortened).
    pub detail: String,
}

impl fmt::Display for ResolverFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the DNS resolver could not be reached ({} of {} queries got no answer after {MAX_TRANSPORT_ATTEMPTS} attempts: {}); this says nothing about {}",
            self.failed,
            self.asked,
            crate::quoted::Quoted(&self.detail),
            self.domain
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::testkit::n;
    use hickory_proto::rr::RecordType;

    fn query(id: u32) -> Query {
        Query::new(QueryId(id), n("example."), RecordType::A)
    }

    fn ids(queries: &[Query]) -> Vec<u32> {
        queries.iter().map(|q| q.id().0).collect()
    }

    /// Fails the attempt of `id` and checks what follows.
    fn fail(r: &mut Retries, id: u32) -> Handling {
        r.handle_transport_error(QueryId(id), "HTTP 502").unwrap_or_else(|e| panic!("{e}"))
    }

    fn answer(r: &mut Retries, id: u32) -> Handling {
        r.handle_response(QueryId(id)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn new_queries_go_out_once_and_an_answer_settles_them() {
        let mut r = Retries::new();
        assert!(r.is_idle(), "nothing asked");
        r.ask([query(0), query(1)]);
        r.ask([query(1)]);
        assert_eq!((r.asked(), r.is_idle()), (2, false));
        assert_eq!(ids(&r.take()), [0, 1]);
        assert!(r.take().is_empty(), "handed out once");
        assert_eq!(answer(&mut r, 0), Handling::Deliver);
        assert!(!r.is_idle());
        assert_eq!(answer(&mut r, 1), Handling::Deliver);
        assert!(r.is_idle());
        assert_eq!((r.failed(), r.failure("example.".into())), (0, None));
    }

    #[test]
    fn a_failed_query_is_asked_again_until_its_last_attempt_then_counted() {
        let mut r = Retries::new();
        r.ask([query(0), query(1)]);
        assert_eq!(ids(&r.take()), [0, 1]);
        for attempt in 1..MAX_TRANSPORT_ATTEMPTS {
            assert_eq!(fail(&mut r, 0), Handling::Retry, "attempt {attempt}");
            assert_eq!(ids(&r.take()), [0], "attempt {attempt}");
        }
        assert_eq!(answer(&mut r, 1), Handling::Deliver);
        assert!(!r.is_idle(), "query 0 has one attempt left");
        assert_eq!(r.handle_transport_error(QueryId(0), "HTTP 503 \"busy\"\n"), Ok(Handling::Deliver));
        assert!(r.is_idle() && r.take().is_empty(), "given up: not asked again");
        assert_eq!(r.failed(), 1);
        let f = r.failure("example.".into()).unwrap_or_else(|| panic!("a failure"));
        assert_eq!((f.failed, f.asked, f.detail.as_str()), (1, 2, "HTTP 503 \\x22busy\\x22\\x0a"));
        assert_eq!(
            f.to_string(),
            "the DNS resolver could not be reached (1 of 2 queries got no answer after 3 attempts: \"HTTP 503 \\\\x22busy\\\\x22\\\\x0a\"); this says nothing about example."
        );
    }

    #[test]
    fn the_third_attempt_getting_through_is_an_answer_not_a_failure() {
        let mut r = Retries::new();
        r.ask([query(0)]);
        let mut sent = r.take().len();
        assert_eq!(fail(&mut r, 0), Handling::Retry);
        sent += r.take().len();
        assert_eq!(fail(&mut r, 0), Handling::Retry);
        sent += r.take().len();
        assert_eq!(sent, usize::from(MAX_TRANSPORT_ATTEMPTS));
        assert_eq!(answer(&mut r, 0), Handling::Deliver);
        assert_eq!((r.failed(), r.is_idle()), (0, true));
    }

    #[test]
    fn a_late_answer_of_an_earlier_attempt_drops_the_retry_still_to_be_sent() {
        let mut r = Retries::new();
        r.ask([query(0), query(1)]);
        let _ = r.take();
        assert_eq!(fail(&mut r, 0), Handling::Retry);
        // The first attempt's answer arrives after all (before the retry went out).
        assert_eq!(answer(&mut r, 0), Handling::Deliver);
        assert!(r.take().is_empty(), "no retry of an answered query");
        // A failure of the first attempt reported late changes nothing.
        assert_eq!(fail(&mut r, 0), Handling::Ignore);
        assert_eq!(r.failed(), 0);
    }

    #[test]
    fn after_a_retry_went_out_the_first_answer_counts_and_the_second_is_ignored() {
        let mut r = Retries::new();
        r.ask([query(0)]);
        let _ = r.take();
        assert_eq!(fail(&mut r, 0), Handling::Retry);
        assert_eq!(ids(&r.take()), [0]);
        // Both attempts answer: the engine hears of the first only.
        assert_eq!(answer(&mut r, 0), Handling::Deliver);
        assert_eq!(answer(&mut r, 0), Handling::Ignore);
        // And a failure of either attempt after that is ignored as well.
        assert_eq!(fail(&mut r, 0), Handling::Ignore);
        assert!(r.is_idle() && r.take().is_empty());
    }

    #[test]
    fn an_earlier_attempts_failure_while_the_retry_is_still_to_be_sent_costs_no_attempt() {
        let mut r = Retries::new();
        r.ask([query(0)]);
        let _ = r.take();
        assert_eq!(fail(&mut r, 0), Handling::Retry);
        // Another failure before the retry was handed out: that was still the first attempt.
        assert_eq!(fail(&mut r, 0), Handling::Ignore);
        assert_eq!(ids(&r.take()), [0], "queued once");
        // The retry (attempt 2) and attempt 3 fail: only then is it given up.
        assert_eq!(fail(&mut r, 0), Handling::Retry);
        assert_eq!(ids(&r.take()), [0]);
        assert_eq!(fail(&mut r, 0), Handling::Deliver);
        assert_eq!(r.failed(), 1);
    }

    #[test]
    fn after_giving_up_a_late_answer_is_ignored() {
        let mut r = Retries::new();
        r.ask([query(0)]);
        for _ in 1..MAX_TRANSPORT_ATTEMPTS {
            let _ = r.take();
            assert_eq!(fail(&mut r, 0), Handling::Retry);
        }
        let _ = r.take();
        assert_eq!(fail(&mut r, 0), Handling::Deliver);
        assert_eq!(answer(&mut r, 0), Handling::Ignore, "the engine already heard of the failure");
        assert_eq!(fail(&mut r, 0), Handling::Ignore);
        assert_eq!(r.failed(), 1, "counted once");
    }

    #[test]
    fn queries_never_asked_are_refused() {
        let mut r = Retries::new();
        assert_eq!(r.handle_response(QueryId(9)), Err(DnsError::UnknownQuery(9)));
        assert_eq!(r.handle_transport_error(QueryId(9), "x"), Err(DnsError::UnknownQuery(9)));
        r.ask([query(0)]);
        assert_eq!(r.handle_response(QueryId(1)), Err(DnsError::UnknownQuery(1)));
        assert_eq!((r.asked(), r.failed()), (1, 0));
    }

    #[test]
    fn the_detail_is_escaped_and_shortened() {
        let mut r = Retries::new();
        r.ask([query(0)]);
        let long = format!("\u{1b}[2J{}", "x".repeat(400));
        for _ in 0..MAX_TRANSPORT_ATTEMPTS {
            let _ = r.take();
            let _ = r.handle_transport_error(QueryId(0), &long);
        }
        let f = r.failure("example.".into()).unwrap_or_else(|| panic!("a failure"));
        assert!(f.detail.starts_with("\\x1b[2Jxxx"), "{}", f.detail);
        assert!(f.detail.ends_with(" more octets]") && f.detail.len() < 240, "{}", f.detail);
    }
}
