//! DNS messages for the edge, built and read with hickory-proto (no own wire
//! code): the probe's A/AAAA queries, reading their answers, and what the
//! DoH proxy needs to check a query and to know how long an answer may be
//! cached.
//!
//! Kept small on purpose: when the core's DNS engine (`geleit::dns`) lands,
//! the address lookup can move there.

use std::net::IpAddr;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use thiserror::Error;

use crate::error::EdgeError;

/// Largest DNS message the edge reads or forwards (RFC 1035 §4.2.2: the
/// 16-bit length prefix of DNS over TCP).
pub const MAX_MESSAGE_OCTETS: usize = 65_535;

/// Largest query the DoH proxy forwards: a question with EDNS and padding
/// (RFC 8467 pads queries to multiples of 128) fits many times over.
pub const MAX_QUERY_OCTETS: usize = 4096;

/// Which address records to look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressType {
    A,
    Aaaa,
}

impl AddressType {
    fn record_type(self) -> RecordType {
        match self {
            Self::A => RecordType::A,
            Self::Aaaa => RecordType::AAAA,
        }
    }
}

/// A DNS message that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DnsError {
    #[error("expected a DNS message, found {detail}")]
    Malformed { detail: String },
    #[error("expected a message of at most {limit} octets, found {found}")]
    TooLarge { limit: usize, found: usize },
    #[error("expected a response, found a query")]
    NotAResponse,
    #[error("expected a query, found a response")]
    NotAQuery,
    #[error("expected exactly one question, found {found}")]
    QuestionCount { found: usize },
    #[error("expected opcode QUERY, found {found}")]
    OpCode { found: String },
    #[error("expected the answer to the question asked, found another question")]
    QuestionMismatch,
    #[error("cannot compose a query for {name:?}: {detail}")]
    Compose { name: String, detail: String },
}

/// The wire query for `host`'s A or AAAA records: ID 0 (RFC 8484 §4.1, so
/// that HTTP caches can share it), recursion desired.
pub fn address_query(host: &str, ty: AddressType) -> Result<Vec<u8>, DnsError> {
    let compose = |detail: String| DnsError::Compose { name: host.to_owned(), detail };
    let mut name = Name::from_ascii(host).map_err(|e| compose(e.to_string()))?;
    name.set_fqdn(true);
    let mut message = Message::new(0, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name, ty.record_type()));
    message.to_vec().map_err(|e| compose(e.to_string()))
}

/// What a resolver said about one address type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressAnswer {
    /// NOERROR with these addresses (maybe none: NODATA, RFC 2308 §2.2).
    Addresses(Vec<IpAddr>),
    /// NXDOMAIN (RFC 2308 §2.1).
    NoSuchName,
    /// Any other response code (SERVFAIL, REFUSED, ...).
    Failed(ResponseCode),
}

fn parse(bytes: &[u8]) -> Result<Message, DnsError> {
    if bytes.len() > MAX_MESSAGE_OCTETS {
        return Err(DnsError::TooLarge { limit: MAX_MESSAGE_OCTETS, found: bytes.len() });
    }
    Message::from_vec(bytes).map_err(|e| DnsError::Malformed { detail: e.to_string() })
}

/// Reads the answer to [`address_query`]`(host, ty)`. Only records of the
/// asked type in the answer section count (a CNAME chain before them is
/// fine: the resolver followed it).
pub fn parse_address_answer(bytes: &[u8], host: &str, ty: AddressType) -> Result<AddressAnswer, DnsError> {
    let message = parse(bytes)?;
    if message.metadata.message_type != MessageType::Response {
        return Err(DnsError::NotAResponse);
    }
    let question_matches = match message.queries.as_slice() {
        [q] => {
            q.query_type() == ty.record_type()
                && q.name().to_ascii().trim_end_matches('.').eq_ignore_ascii_case(host.trim_end_matches('.'))
        }
        _ => false,
    };
    if !question_matches || message.metadata.id != 0 {
        return Err(DnsError::QuestionMismatch);
    }
    match message.metadata.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain => return Ok(AddressAnswer::NoSuchName),
        other => return Ok(AddressAnswer::Failed(other)),
    }
    let mut addresses = Vec::new();
    for record in &message.answers {
        let ip = match (&record.data, ty) {
            (RData::A(a), AddressType::A) => IpAddr::V4(a.0),
            (RData::AAAA(aaaa), AddressType::Aaaa) => IpAddr::V6(aaaa.0),
            _ => continue,
        };
        if !addresses.contains(&ip) {
            addresses.push(ip);
        }
    }
    Ok(AddressAnswer::Addresses(addresses))
}

/// The host's addresses from its A and AAAA answers (IPv4 first, in the
/// resolver's order), or why there are none.
pub fn combine_answers(host: &str, a: &AddressAnswer, aaaa: &AddressAnswer) -> Result<Vec<IpAddr>, EdgeError> {
    let mut out = Vec::new();
    for answer in [a, aaaa] {
        if let AddressAnswer::Addresses(list) = answer {
            out.extend(list.iter().copied());
        }
    }
    if !out.is_empty() {
        return Ok(out);
    }
    // No address at all: say why, a resolver failure first.
    for answer in [a, aaaa] {
        if let AddressAnswer::Failed(code) = answer {
            return Err(EdgeError::ResolutionFailed { host: host.to_owned(), rcode: rcode_name(*code) });
        }
    }
    let found = if matches!(a, AddressAnswer::NoSuchName) || matches!(aaaa, AddressAnswer::NoSuchName) {
        "NXDOMAIN (no such name)"
    } else {
        "none (NODATA)"
    };
    Err(EdgeError::HostNotFound { host: host.to_owned(), found })
}

fn rcode_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::ServFail => {
            "SERVFAIL (the resolver failed; at a validating resolver this includes DNSSEC bogus data)".to_owned()
        }
        ResponseCode::Refused => "REFUSED".to_owned(),
        other => format!("response code {}", u16::from(other)),
    }
}

/// A DoH query checked for forwarding: one question, opcode QUERY, not a
/// response (RFC 8484 §4.1, RFC 1035 §4.1.1). The wire form has its ID set
/// to 0 so that equal questions share one cache entry; `id` is the client's,
/// to put back into the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DohQuery {
    pub id: u16,
    pub wire: Vec<u8>,
}

impl DohQuery {
    pub fn parse(bytes: &[u8]) -> Result<Self, DnsError> {
        if bytes.len() > MAX_QUERY_OCTETS {
            return Err(DnsError::TooLarge { limit: MAX_QUERY_OCTETS, found: bytes.len() });
        }
        let message = parse(bytes)?;
        if message.metadata.message_type != MessageType::Query {
            return Err(DnsError::NotAQuery);
        }
        if message.metadata.op_code != OpCode::Query {
            return Err(DnsError::OpCode { found: format!("{:?}", message.metadata.op_code) });
        }
        if message.queries.len() != 1 {
            return Err(DnsError::QuestionCount { found: message.queries.len() });
        }
        let mut wire = bytes.to_vec();
        set_id(&mut wire, 0);
        Ok(Self { id: message.metadata.id, wire })
    }
}

/// Writes `id` into a message's header (the first two octets, RFC 1035
/// §4.1.1); a message shorter than that is left alone.
pub fn set_id(message: &mut [u8], id: u16) {
    if let Some(header) = message.get_mut(..2) {
        header.copy_from_slice(&id.to_be_bytes());
    }
}

/// How long a DoH answer may be cached (RFC 8484 §5.1: no longer than the
/// smallest TTL in it): the smallest TTL of the answer and authority
/// records; for a negative answer the SOA's TTL capped by its MINIMUM
/// (RFC 2308 §5). `None` when the answer must not be cached (not a
/// response, truncated, a server failure, or no records to take a TTL from).
pub fn cache_ttl(bytes: &[u8]) -> Option<u32> {
    let message = parse(bytes).ok()?;
    let meta = &message.metadata;
    if meta.message_type != MessageType::Response
        || meta.truncation
        || !matches!(meta.response_code, ResponseCode::NoError | ResponseCode::NXDomain)
    {
        return None;
    }
    message
        .answers
        .iter()
        .chain(&message.authorities)
        .map(|r| match &r.data {
            RData::SOA(soa) => r.ttl.min(soa.minimum),
            _ => r.ttl,
        })
        .min()
}

/// The message as it should read `age_s` seconds after it was received:
/// every TTL lowered by the age, down to 0 (RFC 1035 §3.2.1: a cached
/// record's TTL counts down). `None` when it cannot be parsed.
pub fn aged(wire: &[u8], age_s: u32) -> Option<Vec<u8>> {
    if age_s == 0 {
        return Some(wire.to_vec());
    }
    let mut message = parse(wire).ok()?;
    for record in message.answers.iter_mut().chain(message.authorities.iter_mut()).chain(message.additionals.iter_mut())
    {
        record.ttl = record.ttl.saturating_sub(age_s);
    }
    message.to_vec().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::Record;
    use hickory_proto::rr::rdata::{A, AAAA, SOA};

    fn response(host: &str, ty: RecordType, code: ResponseCode, records: Vec<Record>) -> Vec<u8> {
        let mut m = Message::new(0, MessageType::Response, OpCode::Query);
        m.metadata.response_code = code;
        m.add_query(Query::query(Name::from_ascii(host).unwrap(), ty));
        m.answers = records;
        m.to_vec().unwrap()
    }

    fn a(host: &str, ip: &str, ttl: u32) -> Record {
        Record::from_rdata(Name::from_ascii(host).unwrap(), ttl, RData::A(A(ip.parse().unwrap())))
    }

    #[test]
    fn query_round_trip() {
        let wire = address_query("mx.example", AddressType::Aaaa).unwrap();
        let m = Message::from_vec(&wire).unwrap();
        assert_eq!(m.metadata.id, 0);
        assert!(m.metadata.recursion_desired);
        assert_eq!(m.queries[0].query_type(), RecordType::AAAA);
        assert_eq!(m.queries[0].name().to_ascii(), "mx.example.");
        // And the DoH checks accept it.
        assert_eq!(DohQuery::parse(&wire).unwrap().wire, wire);
    }

    #[test]
    fn addresses_from_answers() {
        let wire = response(
            "mx.example.",
            RecordType::A,
            ResponseCode::NoError,
            vec![
                a("mx.example.", "192.0.2.1", 300),
                a("mx.example.", "192.0.2.2", 60),
                a("mx.example.", "192.0.2.1", 60),
            ],
        );
        let answer = parse_address_answer(&wire, "MX.example", AddressType::A).unwrap();
        let want: Vec<IpAddr> = vec!["192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap()];
        assert_eq!(answer, AddressAnswer::Addresses(want.clone()));
        assert_eq!(cache_ttl(&wire), Some(60));
        // The wrong question is refused.
        assert_eq!(parse_address_answer(&wire, "other.example", AddressType::A), Err(DnsError::QuestionMismatch));
        assert_eq!(parse_address_answer(&wire, "mx.example", AddressType::Aaaa), Err(DnsError::QuestionMismatch));
        let v6 = response(
            "mx.example.",
            RecordType::AAAA,
            ResponseCode::NoError,
            vec![Record::from_rdata(
                Name::from_ascii("mx.example.").unwrap(),
                30,
                RData::AAAA(AAAA("2001:db8::25".parse().unwrap())),
            )],
        );
        let v6 = parse_address_answer(&v6, "mx.example", AddressType::Aaaa).unwrap();
        let both = combine_answers("mx.example", &answer, &v6).unwrap();
        assert_eq!(both.len(), 3);
        assert_eq!(both[2], "2001:db8::25".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn aged_lowers_every_ttl() {
        let wire = response(
            "mx.example.",
            RecordType::A,
            ResponseCode::NoError,
            vec![a("mx.example.", "192.0.2.1", 300), a("mx.example.", "192.0.2.2", 20)],
        );
        assert_eq!(aged(&wire, 0).unwrap(), wire);
        let older = Message::from_vec(&aged(&wire, 30).unwrap()).unwrap();
        let ttls: Vec<u32> = older.answers.iter().map(|r| r.ttl).collect();
        assert_eq!(ttls, [270, 0]);
        assert_eq!(older.queries, Message::from_vec(&wire).unwrap().queries);
        assert_eq!(aged(b"junk", 5), None);
    }

    #[test]
    fn no_addresses_says_why() {
        let nx = AddressAnswer::NoSuchName;
        let empty = AddressAnswer::Addresses(vec![]);
        let fail = AddressAnswer::Failed(ResponseCode::ServFail);
        assert_eq!(
            combine_answers("mx.example", &nx, &nx).unwrap_err().to_string(),
            "expected A or AAAA records for mx.example, found NXDOMAIN (no such name)"
        );
        assert_eq!(combine_answers("mx.example", &empty, &empty).unwrap_err().code().as_str(), "host_not_found");
        let e = combine_answers("mx.example", &empty, &fail).unwrap_err();
        assert_eq!(e.code().as_str(), "resolution_failed");
        assert!(e.to_string().starts_with("expected the resolver to answer for mx.example, found SERVFAIL"));
        let wire = response("mx.example.", RecordType::A, ResponseCode::ServFail, vec![]);
        assert_eq!(parse_address_answer(&wire, "mx.example", AddressType::A), Ok(fail));
        assert_eq!(cache_ttl(&wire), None);
    }

    #[test]
    fn negative_answers_cache_by_soa_minimum() {
        let mut m = Message::new(0, MessageType::Response, OpCode::Query);
        m.metadata.response_code = ResponseCode::NXDomain;
        m.add_query(Query::query(Name::from_ascii("no.example.").unwrap(), RecordType::A));
        let soa = SOA::new(
            Name::from_ascii("ns.example.").unwrap(),
            Name::from_ascii("h.example.").unwrap(),
            1,
            3600,
            600,
            86400,
            120,
        );
        m.authorities = vec![Record::from_rdata(Name::from_ascii("example.").unwrap(), 3600, RData::SOA(soa))];
        assert_eq!(cache_ttl(&m.to_vec().unwrap()), Some(120));
    }

    #[test]
    fn doh_queries_are_checked_and_normalised() {
        let mut wire = address_query("mx.example", AddressType::A).unwrap();
        set_id(&mut wire, 0xbeef);
        let q = DohQuery::parse(&wire).unwrap();
        assert_eq!(q.id, 0xbeef);
        assert_eq!(&q.wire[..2], &[0, 0]);
        assert_eq!(&q.wire[2..], &wire[2..]);

        let answer = response("mx.example.", RecordType::A, ResponseCode::NoError, vec![]);
        assert_eq!(DohQuery::parse(&answer), Err(DnsError::NotAQuery));
        assert!(matches!(DohQuery::parse(b"\x00\x01"), Err(DnsError::Malformed { .. })));
        assert_eq!(DohQuery::parse(&vec![0u8; 5000]), Err(DnsError::TooLarge { limit: 4096, found: 5000 }));
        let mut none = Message::new(7, MessageType::Query, OpCode::Query);
        none.metadata.recursion_desired = true;
        assert_eq!(DohQuery::parse(&none.to_vec().unwrap()), Err(DnsError::QuestionCount { found: 0 }));
        let mut short = [1u8];
        set_id(&mut short, 9);
        assert_eq!(short, [1]);
    }
}
