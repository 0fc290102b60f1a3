//! DNS messages on the wire: composing queries for DNS over HTTPS (RFC 8484)
//! and parsing untrusted responses with hickory-proto under size limits.

use core::fmt;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query as HQuery, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, Record, RecordType};

use super::{decode_error_text, shown};

/// The EDNS0 UDP payload size we advertise (DNS Flag Day 2020 value). Over
/// DoH it only tells the resolver what we could take on UDP.
pub const DEFAULT_UDP_PAYLOAD: u16 = 1232;

/// The largest response we parse; a DNS message cannot be longer (RFC 1035 §4.2.2).
pub const MAX_MESSAGE_LEN: usize = 65_535;

/// The most resource records (all sections together) we accept in one response.
pub const MAX_RECORDS: usize = 1_000;

/// Identifies a query issued by an engine; hand it back with the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueryId(pub(crate) u32);

impl QueryId {
    /// The number, for logs and maps.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for QueryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One DNS query to send: the question and its wire format.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Query {
    id: QueryId,
    name: Name,
    rtype: RecordType,
    wire: Vec<u8>,
}

impl Query {
    pub(crate) fn new(id: QueryId, name: Name, rtype: RecordType) -> Self {
        let wire = compose(&name, rtype);
        Self { id, name, rtype, wire }
    }

    /// The id to pass back to `handle_response`/`handle_error`.
    pub const fn id(&self) -> QueryId {
        self.id
    }

    /// The name asked for.
    pub const fn name(&self) -> &Name {
        &self.name
    }

    /// The type asked for.
    pub const fn rtype(&self) -> RecordType {
        self.rtype
    }

    /// The query message: ID 0 (RFC 8484 §4.1), RD and CD set, EDNS0 with DO
    /// (RFC 4035 §3.2.1, §4.6) and a payload size of [`DEFAULT_UDP_PAYLOAD`].
    #[must_use]
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// The URL of an RFC 8484 §4.1 GET request: `dns=` with the message in
    /// base64url without padding. `endpoint` is the DoH URI template's base,
    /// e.g. `https://dns.example/dns-query`.
    #[must_use]
    pub fn doh_get_url(&self, endpoint: &str) -> String {
        let sep = if endpoint.contains('?') { '&' } else { '?' };
        format!("{endpoint}{sep}dns={}", data_encoding::BASE64URL_NOPAD.encode(&self.wire))
    }
}

/// Composes a query message. Cannot fail for a valid name: the message is
/// far below any size limit.
fn compose(name: &Name, rtype: RecordType) -> Vec<u8> {
    let mut msg = Message::new(0, MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = true;
    msg.metadata.checking_disabled = true;
    let mut q = HQuery::query(name.clone(), rtype);
    q.set_query_class(DNSClass::IN);
    msg.add_query(q);
    let mut edns = Edns::new();
    edns.set_max_payload(DEFAULT_UDP_PAYLOAD);
    edns.set_dnssec_ok(true);
    msg.set_edns(edns);
    // The encoder only fails on names or counts beyond the protocol's limits,
    // which a parsed `Name` and a one-question message cannot reach.
    msg.to_vec().unwrap_or_default()
}

/// Why a response could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Longer than any DNS message.
    #[error("expected a DNS message of at most {MAX_MESSAGE_LEN} bytes, found {0} bytes")]
    TooLong(usize),
    /// Too many records to be a sane answer.
    #[error("expected at most {MAX_RECORDS} records in a response, found a header announcing {0}")]
    TooManyRecords(usize),
    /// The bytes are not a DNS message.
    #[error("expected a DNS message, found bytes that do not parse: {0}")]
    Parse(String),
    /// A query where a response was expected.
    #[error("expected a response (QR=1), found a query")]
    NotAResponse,
    /// The ID was not 0 (RFC 8484 §4.1).
    #[error("expected message id 0, found {0}")]
    WrongId(u16),
    /// The question section does not echo ours.
    #[error("expected the question {expected}, found {found}")]
    WrongQuestion { expected: String, found: String },
    /// The TC bit is set: the answer is incomplete.
    #[error("expected a complete answer, found the truncation (TC) bit set")]
    Truncated,
}

/// A parsed response that answers our question.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub rcode: ResponseCode,
    pub answers: Vec<Record>,
    pub authorities: Vec<Record>,
}

/// Parses and checks a response to the question (`name`, `rtype`).
pub(crate) fn parse_response(bytes: &[u8], name: &Name, rtype: RecordType) -> Result<Response, WireError> {
    if bytes.len() > MAX_MESSAGE_LEN {
        return Err(WireError::TooLong(bytes.len()));
    }
    // Check the counts before hickory allocates anything for them.
    if let Some(header) = bytes.get(4..12) {
        let count = |i: usize| usize::from(u16::from_be_bytes([header[i], header[i + 1]]));
        let total = count(0) + count(2) + count(4) + count(6);
        if total > MAX_RECORDS {
            return Err(WireError::TooManyRecords(total));
        }
    }
    let msg = Message::from_vec(bytes).map_err(|e| WireError::Parse(decode_error_text(&e)))?;
    if msg.metadata.message_type != MessageType::Response {
        return Err(WireError::NotAResponse);
    }
    if msg.metadata.id != 0 {
        return Err(WireError::WrongId(msg.metadata.id));
    }
    let expected = format!("{} IN {}", shown(name), rtype);
    match msg.queries.as_slice() {
        [q] if q.name() == name && q.query_type() == rtype && q.query_class() == DNSClass::IN => {}
        [q] => {
            return Err(WireError::WrongQuestion {
                expected,
                found: format!("{} {} {}", shown(q.name()), q.query_class(), q.query_type()),
            });
        }
        qs => return Err(WireError::WrongQuestion { expected, found: format!("{} questions", qs.len()) }),
    }
    if msg.metadata.truncation {
        return Err(WireError::Truncated);
    }
    let keep = |r: &Record| r.dns_class == DNSClass::IN;
    Ok(Response {
        rcode: msg.metadata.response_code,
        answers: msg.answers.into_iter().filter(keep).collect(),
        authorities: msg.authorities.into_iter().filter(keep).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap_or_default()
    }

    #[test]
    fn query_has_rfc8484_shape() {
        let q = Query::new(QueryId(7), name("example."), RecordType::MX);
        let wire = q.wire();
        assert_eq!(&wire[0..2], &[0, 0], "id 0");
        assert_eq!(wire[2] & 0x01, 0x01, "RD");
        assert_eq!(wire[3] & 0x10, 0x10, "CD");
        let msg = Message::from_vec(wire).unwrap_or_else(|_| Message::new(9, MessageType::Response, OpCode::Query));
        let edns = msg.edns.clone().unwrap_or_default();
        assert!(edns.flags().dnssec_ok);
        assert_eq!(edns.max_payload(), DEFAULT_UDP_PAYLOAD);
        assert!(q.doh_get_url("http://r/dns-query").starts_with("http://r/dns-query?dns=AAABEAABAAAAAAAB"));
        assert!(!q.doh_get_url("http://r/q").contains('='.to_string().repeat(2).as_str()));
    }

    fn response_for(q: &Query) -> Vec<u8> {
        let mut bytes = q.wire().to_vec();
        bytes[2] |= 0x80; // QR
        bytes
    }

    #[test]
    fn checks_id_question_and_flags() {
        let q = Query::new(QueryId(1), name("example."), RecordType::A);
        assert!(parse_response(&response_for(&q), q.name(), q.rtype()).is_ok());
        assert_eq!(parse_response(q.wire(), q.name(), q.rtype()).err(), Some(WireError::NotAResponse));
        let mut wrong_id = response_for(&q);
        wrong_id[1] = 5;
        assert_eq!(parse_response(&wrong_id, q.name(), q.rtype()).err(), Some(WireError::WrongId(5)));
        let other = Query::new(QueryId(1), name("example."), RecordType::AAAA);
        assert_eq!(
            parse_response(&response_for(&other), q.name(), q.rtype()).err().map(|e| e.to_string()),
            Some("expected the question example. IN A, found example. IN AAAA".to_owned())
        );
        let mut tc = response_for(&q);
        tc[2] |= 0x02;
        assert_eq!(parse_response(&tc, q.name(), q.rtype()).err(), Some(WireError::Truncated));
    }

    proptest::proptest! {
        /// Any bytes, and any single-byte corruption of a valid response: an error or a response, never a panic.
        #[test]
        fn parser_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600), pos in 0usize..64, val in proptest::num::u8::ANY) {
            let q = Query::new(QueryId(1), name("example."), RecordType::A);
            let _ = parse_response(&bytes, q.name(), q.rtype());
            let mut good = response_for(&q);
            if let Some(b) = good.get_mut(pos) {
                *b = val;
            }
            let _ = parse_response(&good, q.name(), q.rtype());
        }
    }

    #[test]
    fn hostile_bytes_give_errors_not_panics() {
        let q = Query::new(QueryId(1), name("example."), RecordType::A);
        let good = response_for(&q);
        for cut in 0..good.len() {
            assert!(parse_response(&good[..cut], q.name(), q.rtype()).is_err(), "truncated at {cut}");
        }
        // A compression pointer that points at itself (a loop).
        let mut looped = good[..12].to_vec();
        looped.extend_from_slice(&[0xC0, 12, 0, 1, 0, 1]);
        assert!(matches!(parse_response(&looped, q.name(), q.rtype()), Err(WireError::Parse(_))));
        // A header announcing 65535 answers.
        let mut huge = good.clone();
        huge[6] = 0xff;
        huge[7] = 0xff;
        assert_eq!(parse_response(&huge, q.name(), q.rtype()).err(), Some(WireError::TooManyRecords(65_537)));
        assert_eq!(
            parse_response(&vec![0; MAX_MESSAGE_LEN + 1], q.name(), q.rtype()).err(),
            Some(WireError::TooLong(MAX_MESSAGE_LEN + 1))
        );
    }
}
