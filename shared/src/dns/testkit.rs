//! Test kit for the engine's own tests: a zone key that signs RRsets as a
//! signer would (or as an attacker replays them), responses in wire form, and
//! a map of answers that drives a [`Lookup`] to its result.

use std::collections::HashMap;

use hickory_proto::dnssec::crypto::EcdsaSigningKey;
use hickory_proto::dnssec::rdata::sig::SigInput;
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, RRSIG};
use hickory_proto::dnssec::{Algorithm, SigningKey, TBS};
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType, SerialNumber};

use super::{Answer, Config, Lookup, TrustAnchors};

pub(crate) const NOW: u64 = 1_800_000_000;

pub(crate) fn n(s: &str) -> Name {
    Name::from_ascii(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A zone and its one ECDSA P-256 key (a CSK: flags 257).
pub(crate) struct Zone {
    pub name: Name,
    key: EcdsaSigningKey,
    pub dnskey: DNSKEY,
}

impl Zone {
    pub fn new(name: &str) -> Self {
        let alg = Algorithm::ECDSAP256SHA256;
        let doc = EcdsaSigningKey::generate_pkcs8(alg).unwrap_or_else(|e| panic!("{e}"));
        let key = EcdsaSigningKey::from_pkcs8(&doc, alg).unwrap_or_else(|e| panic!("{e}"));
        let dnskey = DNSKEY::with_flags(257, key.to_public_key().unwrap_or_else(|e| panic!("{e}")));
        Self { name: n(name), key, dnskey }
    }

    pub fn key_tag(&self) -> u16 {
        self.dnskey.calculate_key_tag().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The DNSKEY RRset of the zone apex.
    pub fn dnskey_record(&self) -> Record {
        Record::from_rdata(self.name.clone(), 3600, RData::DNSSEC(DNSSECRData::DNSKEY(self.dnskey.clone())))
    }

    /// A trust anchor for this zone (its DNSKEY).
    pub fn anchor(&self) -> TrustAnchors {
        let text = format!(
            "{} IN DNSKEY 257 3 13 {}",
            self.name,
            data_encoding::BASE64.encode(hickory_proto::dnssec::PublicKey::public_bytes(self.dnskey.public_key()))
        );
        TrustAnchors::scan(&text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Signs `records` (one RRset, at its owner) with the Labels field
    /// `labels` (the owner's count, or fewer for a wildcard's records, which
    /// must then be owned by the wildcard).
    pub fn sign_labels(&self, records: &[Record], labels: u8) -> Record {
        self.sign_between(records, labels, NOW - 86_400, NOW + 86_400)
    }

    /// Signs `records` as [`Self::sign_labels`] does, valid from `inception`
    /// to `expiration` (Unix seconds).
    pub fn sign_between(&self, records: &[Record], labels: u8, inception: u64, expiration: u64) -> Record {
        let first = records.first().unwrap_or_else(|| panic!("empty RRset"));
        let input = SigInput {
            type_covered: first.record_type(),
            algorithm: Algorithm::ECDSAP256SHA256,
            num_labels: labels,
            original_ttl: first.ttl,
            sig_expiration: SerialNumber::new(expiration as u32),
            sig_inception: SerialNumber::new(inception as u32),
            key_tag: self.key_tag(),
            signer_name: self.name.clone(),
        };
        let tbs = TBS::from_input(&first.name, DNSClass::IN, &input, records.iter()).unwrap_or_else(|e| panic!("{e}"));
        let sig = self.key.sign(&tbs).unwrap_or_else(|e| panic!("{e}"));
        let rrsig = RRSIG::from_sig(input, sig);
        Record::from_rdata(first.name.clone(), first.ttl, RData::DNSSEC(DNSSECRData::RRSIG(rrsig)))
    }

    /// `records` followed by an RRSIG valid from `inception` to `expiration`.
    pub fn signed_between(&self, records: Vec<Record>, inception: u64, expiration: u64) -> Vec<Record> {
        let labels = records.first().map(|r| r.name.num_labels()).unwrap_or_default();
        let sig = self.sign_between(&records, labels, inception, expiration);
        let mut out = records;
        out.push(sig);
        out
    }

    /// `records` followed by their RRSIG.
    pub fn signed(&self, records: Vec<Record>) -> Vec<Record> {
        let labels = records.first().map(|r| r.name.num_labels()).unwrap_or_default();
        let sig = self.sign_labels(&records, labels);
        let mut out = records;
        out.push(sig);
        out
    }
}

/// An RRSIG record moved to another owner (a replay).
pub(crate) fn moved(mut records: Vec<Record>, owner: &Name) -> Vec<Record> {
    for r in &mut records {
        r.name = owner.clone();
    }
    records
}

/// A response to (`qname`, `qtype`) in wire form, ID 0.
pub(crate) fn response(
    qname: &Name,
    qtype: RecordType,
    rcode: ResponseCode,
    answers: Vec<Record>,
    authorities: Vec<Record>,
) -> Vec<u8> {
    let mut msg = Message::new(0, MessageType::Response, OpCode::Query);
    msg.add_query(Query::query(qname.clone(), qtype));
    msg.metadata.response_code = rcode;
    msg.answers = answers;
    msg.authorities = authorities;
    msg.to_vec().unwrap_or_else(|e| panic!("{e}"))
}

/// Answers by (lowercase name, type); a question not in the map gets NOERROR
/// with nothing (which a signed zone must prove, so it fails as it should).
#[derive(Default)]
pub(crate) struct World {
    answers: HashMap<(Name, RecordType), Vec<u8>>,
}

impl World {
    pub fn answer(&mut self, name: &str, rtype: RecordType, rcode: ResponseCode, ans: Vec<Record>, auth: Vec<Record>) {
        let qname = n(name);
        let bytes = response(&qname, rtype, rcode, ans, auth);
        self.answers.insert((qname.to_lowercase(), rtype), bytes);
    }

    /// The answer to `q`: the one set for it, else NOERROR with nothing.
    pub fn respond(&self, q: &super::Query) -> Vec<u8> {
        self.answers
            .get(&(q.name().to_lowercase(), q.rtype()))
            .cloned()
            .unwrap_or_else(|| response(q.name(), q.rtype(), ResponseCode::NoError, vec![], vec![]))
    }

    /// Runs a lookup of `name` `rtype` from `anchors` to its answer.
    pub fn lookup(&self, anchors: TrustAnchors, name: &str, rtype: RecordType) -> Answer {
        let mut lookup = Lookup::new(n(name), rtype, Config { anchors, ..Config::default() }, NOW);
        for _ in 0..32 {
            if lookup.is_done() {
                break;
            }
            for q in lookup.poll_queries() {
                let bytes = self.respond(&q);
                lookup.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        lookup.poll_result().cloned().unwrap_or_else(|| panic!("lookup of {name} {rtype} did not finish"))
    }
}
