//! Answers shared between the checks of one run (`geleit check --from`):
//! the DS and DNSKEY responses of the zones every domain's chain of trust
//! passes through (the root, the TLDs, a provider's zones), kept for their
//! TTL (RFC 1035 §3.2.1; RFC 2308 §5 for negative answers).
//!
//! Only the bytes are shared: every check still validates every response
//! itself, from its own trust anchor, at its own time, so a cached answer
//! can never make a check more trusting than a fresh one. The cache is
//! sans-IO like the rest of the core: the caller hands in the time.

use std::collections::HashMap;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use super::wire::{MAX_MESSAGE_LEN, Query};

/// Most answers kept (a bound on memory for hostile zone sets).
pub const MAX_ENTRIES: usize = 10_000;

/// Longest time an answer is kept, whatever its TTL says (one day, as
/// resolvers cap TTLs, RFC 8767 §4).
pub const MAX_TTL: u64 = 86_400;

/// DS and DNSKEY responses by question, each with the time it expires.
#[derive(Debug, Default)]
pub struct SharedAnswers {
    entries: HashMap<(Name, RecordType), (Vec<u8>, u64)>,
    hits: u64,
    misses: u64,
}

impl SharedAnswers {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether answers to `query` are shared: DS and DNSKEY only, the
    /// chain-of-trust records the domains of a run have in common.
    #[must_use]
    pub fn shares(query: &Query) -> bool {
        matches!(query.rtype(), RecordType::DS | RecordType::DNSKEY)
    }

    /// The response kept for `query`, if it has not expired at `now` (Unix seconds).
    pub fn get(&mut self, query: &Query, now: u64) -> Option<Vec<u8>> {
        if !Self::shares(query) {
            return None;
        }
        let key = (query.name().to_lowercase(), query.rtype());
        match self.entries.get(&key) {
            Some((bytes, expires)) if now < *expires => {
                self.hits += 1;
                Some(bytes.clone())
            }
            _ => {
                self.misses += 1;
                None
            }
        }
    }

    /// Keeps `bytes`, the response to `query` received at `now`, for its
    /// TTL: the smallest TTL of its records (the SOA minimum included, for
    /// a denial), capped by the earliest RRSIG expiration and [`MAX_TTL`].
    /// Responses that are not complete NOERROR or NXDOMAIN answers to the
    /// question, or whose TTL is 0, are not kept.
    pub fn insert(&mut self, query: &Query, bytes: &[u8], now: u64) {
        if !Self::shares(query) || bytes.len() > MAX_MESSAGE_LEN {
            return;
        }
        let Some(ttl) = cache_ttl(bytes, query, now) else { return };
        if ttl == 0 {
            return;
        }
        let key = (query.name().to_lowercase(), query.rtype());
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&key) {
            self.entries.retain(|_, (_, expires)| *expires > now);
            if self.entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        self.entries.insert(key, (bytes.to_vec(), now.saturating_add(ttl)));
    }

    /// Lookups answered from the cache, and lookups that were not.
    #[must_use]
    pub const fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }
}

/// How long a response may be kept, or `None` if it must not be.
fn cache_ttl(bytes: &[u8], query: &Query, now: u64) -> Option<u64> {
    let msg = Message::from_vec(bytes).ok()?;
    if msg.metadata.truncation || !matches!(msg.metadata.response_code, ResponseCode::NoError | ResponseCode::NXDomain)
    {
        return None;
    }
    match msg.queries.as_slice() {
        [q] if q.name() == query.name() && q.query_type() == query.rtype() => {}
        _ => return None,
    }
    let records = msg.answers.iter().chain(&msg.authorities);
    let mut ttl = MAX_TTL;
    let mut any = false;
    for r in records {
        any = true;
        ttl = ttl.min(u64::from(r.ttl));
        match &r.data {
            RData::SOA(soa) => ttl = ttl.min(u64::from(soa.minimum)),
            RData::DNSSEC(hickory_proto::dnssec::rdata::DNSSECRData::RRSIG(sig)) => {
                let expires = u64::from(sig.input().sig_expiration.get());
                ttl = ttl.min(expires.saturating_sub(now));
            }
            _ => {}
        }
    }
    any.then_some(ttl)
}

#[cfg(test)]
mod tests {
    use hickory_proto::op::{MessageType, OpCode, Query as HQuery};
    use hickory_proto::rr::{DNSClass, Record};

    use super::*;
    use crate::dns::testkit::{NOW, Zone, n};
    use crate::dns::wire::QueryId;

    fn query(name: &str, rtype: RecordType) -> Query {
        Query::new(QueryId(1), n(name), rtype)
    }

    fn response(q: &Query, answers: Vec<Record>, rcode: ResponseCode) -> Vec<u8> {
        let mut msg = Message::new(0, MessageType::Response, OpCode::Query);
        msg.metadata.response_code = rcode;
        let mut hq = HQuery::query(q.name().clone(), q.rtype());
        hq.set_query_class(DNSClass::IN);
        msg.add_query(hq);
        msg.answers = answers;
        msg.to_vec().unwrap()
    }

    #[test]
    fn dnskey_answers_are_kept_for_their_ttl_and_signature_lifetime() {
        let zone = Zone::new("example.");
        let q = query("example.", RecordType::DNSKEY);
        let bytes = response(&q, zone.signed(vec![zone.dnskey_record()]), ResponseCode::NoError);
        let mut cache = SharedAnswers::new();
        assert_eq!(cache.get(&q, NOW), None);
        cache.insert(&q, &bytes, NOW);
        assert_eq!(cache.get(&q, NOW + 3599).as_deref(), Some(bytes.as_slice()), "TTL 3600");
        assert_eq!(cache.get(&q, NOW + 3600), None, "expired with its TTL");
        // A signature that expires sooner bounds the time (the test kit signs for a day).
        cache.insert(&q, &bytes, NOW + 86_400 - 10);
        assert_eq!(cache.get(&q, NOW + 86_400 - 1).as_deref(), Some(bytes.as_slice()));
        assert_eq!(cache.get(&q, NOW + 86_400), None);
        // Case does not matter; another type or name is another question.
        cache.insert(&q, &bytes, NOW);
        assert!(cache.get(&query("EXAMPLE.", RecordType::DNSKEY), NOW).is_some());
        assert!(cache.get(&query("example.", RecordType::DS), NOW).is_none());
        assert_eq!(cache.stats(), (3, 4));
    }

    #[test]
    fn only_complete_chain_of_trust_answers_are_kept() {
        let zone = Zone::new("example.");
        let mut cache = SharedAnswers::new();
        let mx = query("example.", RecordType::MX);
        cache.insert(&mx, &response(&mx, vec![], ResponseCode::NoError), NOW);
        assert_eq!(cache.get(&mx, NOW), None, "MX is per domain: never shared");
        let q = query("example.", RecordType::DNSKEY);
        let records = zone.signed(vec![zone.dnskey_record()]);
        cache.insert(&q, &response(&q, records.clone(), ResponseCode::ServFail), NOW);
        assert_eq!(cache.get(&q, NOW), None, "SERVFAIL is not an answer");
        let other = query("other.", RecordType::DNSKEY);
        cache.insert(&q, &response(&other, records, ResponseCode::NoError), NOW);
        assert_eq!(cache.get(&q, NOW), None, "an answer to another question");
        cache.insert(&q, b"not dns", NOW);
        assert_eq!(cache.get(&q, NOW), None);
        cache.insert(&q, &response(&q, vec![], ResponseCode::NoError), NOW);
        assert_eq!(cache.get(&q, NOW), None, "no records: no TTL to keep it for");
    }
}
