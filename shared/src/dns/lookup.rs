//! One validated lookup: the answer to (name, type) and how it was proven.

use hickory_proto::rr::{Name, Record, RecordType};
use serde::Serialize;

use super::DnsError;
use super::engine::{Config, Data, Engine, Resolved, Stats};
use super::expiry::SigExpiry;
use super::proof::{Proof, Status, Validated};
use super::retry::{Handling, ResolverFailure, Retries};
use super::trace::Step;
use super::wire::{Query, QueryId};

/// What an answer holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerData {
    /// The RRset at the end of the CNAME chain.
    Records(Vec<Record>),
    /// The name exists without records of the type.
    NoData,
    /// The name does not exist.
    NxDomain,
    /// Nothing usable came back (see the proof).
    Unknown,
}

impl AnswerData {
    /// The records in presentation format, one per line.
    #[must_use]
    pub fn to_lines(&self) -> Vec<String> {
        match self {
            Self::Records(rs) => rs.iter().map(ToString::to_string).collect(),
            Self::NoData => vec!["; no records of this type (NODATA)".into()],
            Self::NxDomain => vec!["; name does not exist (NXDOMAIN)".into()],
            Self::Unknown => vec!["; no usable answer".into()],
        }
    }
}

impl From<Data> for AnswerData {
    fn from(d: Data) -> Self {
        match d {
            Data::Records(r) => Self::Records(r),
            Data::NoData => Self::NoData,
            Data::NxDomain => Self::NxDomain,
            Data::Unknown => Self::Unknown,
        }
    }
}

/// One CNAME link of an answer and its own proof (RFC 4035 §5.3: every RRset is validated).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The alias.
    pub from: String,
    /// Its target.
    pub to: String,
    /// How the CNAME RRset was proven.
    pub proof: Proof,
}

/// A validated answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The name asked for.
    pub qname: Name,
    /// The type asked for.
    pub qtype: RecordType,
    /// CNAME links followed, in order.
    pub chain: Vec<Link>,
    /// The last name of the chain (the name itself without CNAMEs).
    pub target: Name,
    /// The data, wrapped with its overall proof (weakest link of the chain).
    pub data: Validated<AnswerData>,
    /// TTL: the records' TTL capped by the RRSIG original TTL and expiry (RFC 4035 §5.3.3).
    pub ttl: u32,
    /// How the proof was reached, step by step.
    pub trace: Vec<Step>,
    /// The first signature to expire that a secure answer rests on (its
    /// own, its CNAME links', and the DS/DNSKEY RRsets above it).
    pub expiry: Option<SigExpiry>,
}

impl Answer {
    pub(crate) fn from_resolved(qname: &Name, qtype: RecordType, r: Resolved) -> Self {
        Self {
            qname: qname.clone(),
            qtype,
            chain: r
                .chain
                .into_iter()
                .map(|(from, to, proof)| Link { from: from.to_ascii(), to: to.to_ascii(), proof })
                .collect(),
            target: r.target,
            data: Validated::new(r.proof, r.data.into()),
            ttl: r.ttl,
            trace: r.trace,
            expiry: r.expiry,
        }
    }

    /// The overall status.
    #[must_use]
    pub fn status(&self) -> Status {
        self.data.proof().status()
    }

    /// Whether every CNAME link is secure (RFC 7671 §7: only then is the expanded name used).
    #[must_use]
    pub fn chain_is_secure(&self) -> bool {
        self.chain.iter().all(|l| l.proof.is_secure())
    }
}

/// A DNSSEC-validated lookup of one name and type, sans-IO.
///
/// Call order:
/// 1. [`Lookup::new`] with the question, a [`Config`] and the current Unix time.
/// 2. Loop: [`Lookup::poll_queries`] returns the queries to send now (new
///    ones and retries; send them all in parallel); for each, call
///    [`Lookup::handle_response`] with its bytes, or
///    [`Lookup::handle_transport_error`] when the transport brought no DNS
///    message. An empty batch while [`Lookup::is_done`] is false means
///    answers are still outstanding.
/// 3. When [`Lookup::is_done`], [`Lookup::poll_result`] has the [`Answer`],
///    or [`Lookup::resolver_failure`] says that the resolver could not be
///    reached (a query failed on every attempt): then there is no answer,
///    as the same failure makes `crate::check::DomainCheck` give none.
#[must_use]
pub struct Lookup {
    engine: Engine,
    qname: Name,
    qtype: RecordType,
    /// The queries handed out and their attempts.
    retries: Retries,
    result: Option<Outcome>,
}

/// How a lookup ended.
#[derive(Debug, Clone)]
enum Outcome {
    Answer(Box<Answer>),
    ResolverUnreachable(ResolverFailure),
}

impl Lookup {
    /// Starts a lookup of (`qname`, `qtype`) at Unix time `now`.
    pub fn new(qname: Name, qtype: RecordType, config: Config, now: u64) -> Self {
        Self { engine: Engine::new(config, now), qname, qtype, retries: Retries::new(), result: None }
    }

    /// The queries that can be sent now (new ones and retries), all at once.
    pub fn poll_queries(&mut self) -> Vec<Query> {
        if self.result.is_some() {
            return Vec::new();
        }
        if let Some(r) = self.engine.resolve(&self.qname, self.qtype) {
            self.result = Some(match self.retries.failure(self.qname.to_ascii()) {
                Some(failure) => Outcome::ResolverUnreachable(failure),
                None => Outcome::Answer(Box::new(Answer::from_resolved(&self.qname, self.qtype, r))),
            });
            return Vec::new();
        }
        self.retries.ask(self.engine.take_queries());
        let queries = self.retries.take();
        if queries.is_empty() && !self.engine.has_pending() {
            // Defensive: nothing to ask and nothing outstanding cannot make progress.
            let proof = Proof::indeterminate(super::ReasonKind::Network, "the lookup stalled without an answer");
            let stalled = Answer::from_resolved(&self.qname, self.qtype, Resolved::stalled(&self.qname, proof));
            self.result = Some(Outcome::Answer(Box::new(stalled)));
        }
        queries
    }

    /// Hands in the response bytes for query `id` (a second answer, after a
    /// retry, is ignored).
    ///
    /// # Errors
    /// `id` is not a query of this lookup.
    pub fn handle_response(&mut self, id: QueryId, bytes: &[u8]) -> Result<(), DnsError> {
        match self.retries.handle_response(id)? {
            Handling::Deliver => self.engine.handle_response(id, bytes),
            Handling::Retry | Handling::Ignore => Ok(()),
        }
    }

    /// Query `id` failed on the transport (no HTTP answer, HTTP error, not a
    /// DNS message; `error` says which): it is asked again up to
    /// [`super::MAX_TRANSPORT_ATTEMPTS`] times, and after its last attempt
    /// the resolver counts as unreachable ([`Self::resolver_failure`]).
    ///
    /// # Errors
    /// `id` is not a query of this lookup.
    pub fn handle_transport_error(&mut self, id: QueryId, error: &str) -> Result<(), DnsError> {
        match self.retries.handle_transport_error(id, error)? {
            Handling::Deliver => self.engine.handle_error(id, error),
            Handling::Retry | Handling::Ignore => Ok(()),
        }
    }

    /// Reports that query `id` has no answer and none is to be sought (a
    /// recording without it, an adversary that drops it; `error` says why):
    /// not asked again, and the lookup judges the missing answer itself
    /// (indeterminate), as it is not a sign of an unreachable resolver.
    ///
    /// # Errors
    /// `id` is not a query of this lookup.
    pub fn handle_error(&mut self, id: QueryId, error: &str) -> Result<(), DnsError> {
        match self.retries.handle_response(id)? {
            Handling::Deliver => self.engine.handle_error(id, error),
            Handling::Retry | Handling::Ignore => Ok(()),
        }
    }

    /// Whether the lookup is over: with an answer, or with the resolver
    /// unreachable.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.result.is_some()
    }

    /// The answer, once done and the resolver was reached.
    #[must_use]
    pub fn poll_result(&self) -> Option<&Answer> {
        match &self.result {
            Some(Outcome::Answer(a)) => Some(a.as_ref()),
            Some(Outcome::ResolverUnreachable(_)) | None => None,
        }
    }

    /// Why there is no answer, once done: a query got no DNS message after
    /// [`super::MAX_TRANSPORT_ATTEMPTS`] attempts. This says nothing about
    /// the name (it is never a DNSSEC status).
    #[must_use]
    pub fn resolver_failure(&self) -> Option<&ResolverFailure> {
        match &self.result {
            Some(Outcome::ResolverUnreachable(f)) => Some(f),
            Some(Outcome::Answer(_)) | None => None,
        }
    }

    /// Rounds and queries so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC};
    use hickory_proto::op::ResponseCode;
    use hickory_proto::rr::RData;
    use hickory_proto::rr::rdata::A;

    use super::*;
    use crate::dns::MAX_TRANSPORT_ATTEMPTS;
    use crate::dns::testkit::{NOW, World, Zone, n};

    const NOERROR: ResponseCode = ResponseCode::NoError;

    /// `example.` (the trust anchor) with a signed A record at
    /// `mx.example.`, which NSEC proves to have nothing else.
    fn world(z: &Zone) -> World {
        let mut w = World::default();
        w.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
        let a = Record::from_rdata(n("mx.example."), 300, RData::A(A::new(192, 0, 2, 25)));
        w.answer("mx.example.", RecordType::A, NOERROR, z.signed(vec![a]), vec![]);
        let types = [RecordType::A, RecordType::NSEC, RecordType::RRSIG];
        let nsec = NSEC::new(n("example."), types.iter().copied());
        let at_mx = z.signed(vec![Record::from_rdata(n("mx.example."), 300, RData::DNSSEC(DNSSECRData::NSEC(nsec)))]);
        for t in [RecordType::DS, RecordType::DNSKEY, RecordType::AAAA] {
            w.answer("mx.example.", t, NOERROR, vec![], at_mx.clone());
        }
        w
    }

    /// A lookup of `mx.example. A` driven over `w` as a DoH driver would;
    /// `fail(query, attempt)` says whether an attempt fails on the
    /// transport. Returns the lookup and how often each question was sent.
    fn drive(z: &Zone, w: &World, fail: &mut dyn FnMut(&Query, u32) -> bool) -> (Lookup, HashMap<String, u32>) {
        let config = Config { anchors: z.anchor(), ..Config::default() };
        let mut lookup = Lookup::new(n("mx.example."), RecordType::A, config, NOW);
        let mut sent: HashMap<String, u32> = HashMap::new();
        for _ in 0..32 {
            if lookup.is_done() {
                break;
            }
            for q in lookup.poll_queries() {
                let attempt = sent.entry(format!("{} {}", q.name(), q.rtype())).or_default();
                *attempt += 1;
                if fail(&q, *attempt) {
                    lookup
                        .handle_transport_error(q.id(), "HTTP 502 from the DoH server")
                        .unwrap_or_else(|e| panic!("{e}"));
                } else {
                    lookup.handle_response(q.id(), &w.respond(&q)).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
        assert!(lookup.is_done(), "the lookup did not finish");
        (lookup, sent)
    }

    fn answer(lookup: &Lookup) -> &Answer {
        lookup.poll_result().unwrap_or_else(|| panic!("no answer: {:?}", lookup.resolver_failure()))
    }

    #[test]
    fn the_third_attempt_getting_through_gives_the_same_answer() {
        let z = Zone::new("example.");
        let w = world(&z);
        let (calm, once) = drive(&z, &w, &mut |_, _| false);
        assert_eq!(answer(&calm).status(), Status::Secure);
        assert!(once.values().all(|&k| k == 1), "{once:?}");
        // Every query fails twice before it gets through.
        let (busy, sent) = drive(&z, &w, &mut |_, attempt| attempt < u32::from(MAX_TRANSPORT_ATTEMPTS));
        assert_eq!(answer(&busy), answer(&calm));
        assert_eq!((busy.resolver_failure(), busy.stats()), (None, calm.stats()));
        assert_eq!(sent.keys().collect::<Vec<_>>().len(), once.len());
        assert!(sent.values().all(|&k| k == u32::from(MAX_TRANSPORT_ATTEMPTS)), "{sent:?}");
    }

    #[test]
    fn a_query_failing_every_attempt_makes_the_resolver_unreachable_not_a_status() {
        let z = Zone::new("example.");
        let w = world(&z);
        // Only the A query never gets through: without the rule this would
        // be an indeterminate answer about mx.example.
        let (lookup, sent) = drive(&z, &w, &mut |q, _| q.rtype() == RecordType::A);
        assert_eq!(sent.get("mx.example. A"), Some(&u32::from(MAX_TRANSPORT_ATTEMPTS)));
        assert!(lookup.poll_result().is_none(), "{:?}", lookup.poll_result());
        let f = lookup.resolver_failure().unwrap_or_else(|| panic!("expected the resolver unreachable"));
        assert_eq!((f.failed, f.asked, f.domain.as_str()), (1, lookup.stats().queries, "mx.example."));
        assert_eq!(f.detail, "HTTP 502 from the DoH server");
        assert!(f.to_string().ends_with("); this says nothing about mx.example."), "{f}");
    }

    #[test]
    fn a_resolver_that_never_answers_is_unreachable() {
        let z = Zone::new("example.");
        let w = world(&z);
        let (lookup, sent) = drive(&z, &w, &mut |_, _| true);
        assert!(lookup.poll_result().is_none());
        let f = lookup.resolver_failure().unwrap_or_else(|| panic!("expected the resolver unreachable"));
        assert_eq!((f.failed, f.asked), (lookup.stats().queries, lookup.stats().queries));
        assert!(f.asked > 0 && sent.values().all(|&k| k == u32::from(MAX_TRANSPORT_ATTEMPTS)), "{sent:?}");
    }

    #[test]
    fn late_and_second_answers_after_a_retry_change_nothing() {
        let z = Zone::new("example.");
        let w = world(&z);
        let (calm, _) = drive(&z, &w, &mut |_, _| false);
        let config = Config { anchors: z.anchor(), ..Config::default() };
        let mut lookup = Lookup::new(n("mx.example."), RecordType::A, config, NOW);
        for _ in 0..32 {
            if lookup.is_done() {
                break;
            }
            for q in lookup.poll_queries() {
                // Each query's first attempt "fails", then answers late, and
                // its retry answers too.
                let bytes = w.respond(&q);
                lookup.handle_transport_error(q.id(), "timeout").unwrap_or_else(|e| panic!("{e}"));
                lookup.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}"));
                lookup.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}"));
                lookup.handle_transport_error(q.id(), "timeout").unwrap_or_else(|e| panic!("{e}"));
            }
        }
        assert_eq!(answer(&lookup), answer(&calm));
        assert_eq!(lookup.stats(), calm.stats());
        assert!(lookup.handle_response(QueryId(99), b"").is_err(), "never asked");
    }

    #[test]
    fn a_query_without_an_answer_to_seek_is_judged_not_retried() {
        let z = Zone::new("example.");
        let w = world(&z);
        let config = Config { anchors: z.anchor(), ..Config::default() };
        let mut lookup = Lookup::new(n("mx.example."), RecordType::A, config, NOW);
        let mut asked = Vec::new();
        for _ in 0..32 {
            if lookup.is_done() {
                break;
            }
            for q in lookup.poll_queries() {
                asked.push(q.id());
                if q.rtype() == RecordType::A {
                    lookup.handle_error(q.id(), "not in the recording").unwrap_or_else(|e| panic!("{e}"));
                } else {
                    lookup.handle_response(q.id(), &w.respond(&q)).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
        assert_eq!(answer(&lookup).status(), Status::Indeterminate);
        assert_eq!(lookup.resolver_failure(), None);
        assert_eq!(asked.len(), usize::try_from(lookup.stats().queries).unwrap_or_default(), "nothing asked twice");
    }
}
