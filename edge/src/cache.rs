//! A bounded in-isolate cache of DoH answers, keyed by the upstream GET URL
//! (which holds the query with ID 0), kept for the answer's TTL.
//!
//! The Workers Cache API does this on Cloudflare; a self-hosted workerd has
//! no cache unless one is configured, so the edge keeps its own as well.
//! Answers come back with their TTLs lowered by the time they spent here
//! (RFC 1035 §3.2.1: a TTL counts down while cached; RFC 8484 §5.1).
//! Memory is bounded by entries and octets; expired entries go first, then
//! the least recently used.

use std::collections::HashMap;

use crate::dns;

#[derive(Debug, Clone)]
struct Entry {
    wire: Vec<u8>,
    stored_ms: u64,
    expires_ms: u64,
    used_ms: u64,
}

/// DoH answers by key, each until its TTL runs out.
#[derive(Debug)]
pub struct AnswerCache {
    max_entries: usize,
    max_octets: usize,
    octets: usize,
    entries: HashMap<String, Entry>,
}

/// A cached answer: the wire form with aged TTLs, and seconds left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub wire: Vec<u8>,
    pub remaining_s: u32,
}

impl AnswerCache {
    #[must_use]
    pub fn new(max_entries: usize, max_octets: usize) -> Self {
        Self { max_entries: max_entries.max(1), max_octets, octets: 0, entries: HashMap::new() }
    }

    /// The answer for `key` at `now_ms`, if cached and not expired.
    pub fn get(&mut self, key: &str, now_ms: u64) -> Option<Hit> {
        let entry = self.entries.get_mut(key)?;
        if now_ms >= entry.expires_ms {
            self.remove(key);
            return None;
        }
        entry.used_ms = now_ms;
        let age_s = u32::try_from(now_ms.saturating_sub(entry.stored_ms) / 1000).unwrap_or(u32::MAX);
        let remaining_s = u32::try_from(entry.expires_ms.saturating_sub(now_ms) / 1000).unwrap_or(u32::MAX);
        let wire = dns::aged(&entry.wire, age_s)?;
        Some(Hit { wire, remaining_s })
    }

    /// Keeps `wire` under `key` for `ttl_s` seconds from `now_ms`. An answer
    /// larger than the whole cache is not kept.
    pub fn put(&mut self, key: &str, wire: &[u8], ttl_s: u32, now_ms: u64) {
        let size = wire.len().saturating_add(key.len());
        if ttl_s == 0 || size > self.max_octets {
            return;
        }
        self.remove(key);
        self.make_room(size, now_ms);
        self.octets = self.octets.saturating_add(size);
        self.entries.insert(
            key.to_owned(),
            Entry {
                wire: wire.to_vec(),
                stored_ms: now_ms,
                expires_ms: now_ms.saturating_add(u64::from(ttl_s).saturating_mul(1000)),
                used_ms: now_ms,
            },
        );
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Octets held (answers and keys).
    #[must_use]
    pub fn octets(&self) -> usize {
        self.octets
    }

    fn remove(&mut self, key: &str) {
        if let Some(old) = self.entries.remove(key) {
            self.octets = self.octets.saturating_sub(old.wire.len().saturating_add(key.len()));
        }
    }

    fn make_room(&mut self, size: usize, now_ms: u64) {
        let full = |c: &Self| c.entries.len() >= c.max_entries || c.octets.saturating_add(size) > c.max_octets;
        if !full(self) {
            return;
        }
        let expired: Vec<String> =
            self.entries.iter().filter(|(_, e)| now_ms >= e.expires_ms).map(|(k, _)| k.clone()).collect();
        for key in expired {
            self.remove(&key);
        }
        while full(self) {
            let oldest = self.entries.iter().min_by_key(|(_, e)| e.used_ms).map(|(k, _)| k.clone());
            match oldest {
                Some(key) => self.remove(&key),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{Message, MessageType, OpCode, Query};
    use hickory_proto::rr::rdata::A;
    use hickory_proto::rr::{Name, RData, Record, RecordType};

    fn answer(ttl: u32) -> Vec<u8> {
        let name = Name::from_ascii("mx.example.").unwrap();
        let mut m = Message::new(0, MessageType::Response, OpCode::Query);
        m.add_query(Query::query(name.clone(), RecordType::A));
        m.answers = vec![Record::from_rdata(name, ttl, RData::A(A::new(192, 0, 2, 1)))];
        m.to_vec().unwrap()
    }

    fn ttl_of(wire: &[u8]) -> u32 {
        Message::from_vec(wire).unwrap().answers[0].ttl
    }

    #[test]
    fn answers_age_and_expire() {
        let mut c = AnswerCache::new(10, 10_000);
        c.put("k", &answer(300), 300, 1_000);
        let hit = c.get("k", 1_000).unwrap();
        assert_eq!((ttl_of(&hit.wire), hit.remaining_s), (300, 300));
        let hit = c.get("k", 61_500).unwrap();
        assert_eq!((ttl_of(&hit.wire), hit.remaining_s), (240, 239));
        assert_eq!(c.get("k", 301_000), None);
        assert!(c.is_empty());
        assert_eq!(c.octets(), 0);
        assert_eq!(c.get("other", 0), None);
    }

    #[test]
    fn bounded_by_entries_and_octets() {
        let wire = answer(60);
        let mut c = AnswerCache::new(3, 10_000);
        for i in 0..10u64 {
            c.put(&format!("k{i}"), &wire, 60, i);
            assert!(c.len() <= 3);
        }
        // The three most recently stored are left.
        assert!(c.get("k9", 10).is_some() && c.get("k7", 10).is_some());
        assert!(c.get("k6", 10).is_none());

        let per = wire.len() + 2;
        let mut c = AnswerCache::new(100, per * 2);
        c.put("k1", &wire, 60, 0);
        c.put("k2", &wire, 60, 1);
        let _ = c.get("k1", 2); // k1 is now the more recently used
        c.put("k3", &wire, 60, 3);
        assert!(c.octets() <= per * 2);
        assert!(c.get("k1", 4).is_some() && c.get("k3", 4).is_some());
        assert!(c.get("k2", 4).is_none());
        // Too large for the whole cache: not kept.
        c.put("big", &vec![0u8; per * 3], 60, 5);
        assert!(c.get("big", 5).is_none());
    }

    #[test]
    fn expired_entries_make_room_first() {
        let wire = answer(60);
        let mut c = AnswerCache::new(2, 10_000);
        c.put("short", &wire, 1, 0);
        c.put("long", &wire, 600, 0);
        let _ = c.get("short", 500);
        // At 2 s "short" has expired: it goes, although "long" is older in use.
        c.put("new", &wire, 60, 2_000);
        assert!(c.get("long", 2_000).is_some());
        assert!(c.get("new", 2_000).is_some());
        assert_eq!(c.len(), 2);
    }
}
