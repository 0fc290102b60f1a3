//! One validated lookup: the answer to (name, type) and how it was proven.

use hickory_proto::rr::{Name, Record, RecordType};
use serde::Serialize;

use super::DnsError;
use super::engine::{Config, Data, Engine, Resolved, Stats};
use super::expiry::SigExpiry;
use super::proof::{Proof, Status, Validated};
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
    pub trace: Vec<String>,
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
/// 2. Loop: [`Lookup::poll_queries`] returns the queries of the next round
///    (send them all in parallel); for each, call [`Lookup::handle_response`]
///    with its bytes or [`Lookup::handle_error`]. An empty batch while
///    [`Lookup::is_done`] is false means answers are still outstanding.
/// 3. When [`Lookup::is_done`], [`Lookup::poll_result`] has the [`Answer`].
#[must_use]
pub struct Lookup {
    engine: Engine,
    qname: Name,
    qtype: RecordType,
    result: Option<Answer>,
}

impl Lookup {
    /// Starts a lookup of (`qname`, `qtype`) at Unix time `now`.
    pub fn new(qname: Name, qtype: RecordType, config: Config, now: u64) -> Self {
        Self { engine: Engine::new(config, now), qname, qtype, result: None }
    }

    /// The queries that can be sent now, all at once.
    pub fn poll_queries(&mut self) -> Vec<Query> {
        if self.result.is_some() {
            return Vec::new();
        }
        if let Some(r) = self.engine.resolve(&self.qname, self.qtype) {
            self.result = Some(Answer::from_resolved(&self.qname, self.qtype, r));
            return Vec::new();
        }
        let queries = self.engine.take_queries();
        if queries.is_empty() && !self.engine.has_pending() {
            // Defensive: nothing to ask and nothing outstanding cannot make progress.
            let proof = Proof::indeterminate(super::ReasonKind::Network, "the lookup stalled without an answer");
            self.result = Some(Answer::from_resolved(&self.qname, self.qtype, Resolved::stalled(&self.qname, proof)));
        }
        queries
    }

    /// Hands in the response bytes for query `id`.
    pub fn handle_response(&mut self, id: QueryId, bytes: &[u8]) -> Result<(), DnsError> {
        self.engine.handle_response(id, bytes)
    }

    /// Reports that query `id` got no answer (`error` says why).
    pub fn handle_error(&mut self, id: QueryId, error: &str) -> Result<(), DnsError> {
        self.engine.handle_error(id, error)
    }

    /// Whether the answer is ready.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.result.is_some()
    }

    /// The answer, once done.
    #[must_use]
    pub fn poll_result(&self) -> Option<&Answer> {
        self.result.as_ref()
    }

    /// Rounds and queries so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }
}
