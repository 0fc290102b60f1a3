//! Domains with many MX hosts, end to end through the DNS engine: a tiny
//! signed zone (the root, trusted by its own key, holding the whole domain)
//! answered from memory into [`crate::dns::SmtpCheck`], then the verdict over
//! probe reports of every host. One host with a TLSA record that matches
//! nothing must make the domain not authenticated wherever it sits, and
//! hosts beyond [`MAX_MX_HOSTS`] must never count as passed.

use std::collections::BTreeMap;

use hickory_proto::dnssec::crypto::EcdsaSigningKey;
use hickory_proto::dnssec::rdata::sig::SigInput;
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, NSEC, RRSIG};
use hickory_proto::dnssec::{Algorithm, PublicKey, SigningKey, TBS};
use hickory_proto::op::{Message, MessageType, OpCode, Query as HQuery, ResponseCode};
use hickory_proto::rr::rdata::tlsa::{CertUsage, Matching, Selector as HSelector};
use hickory_proto::rr::rdata::{A, MX as MxData, TLSA};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType, SerialNumber};

use super::*;
use crate::dns::{Config, MAX_MX_HOSTS, SmtpCheck, TrustAnchors};

const TTL: u32 = 300;

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

/// One signed zone at the root: every RRset signed by one key, an NSEC chain
/// over every name (RFC 4034 §4), answers built the way an authoritative
/// server with a validating-resolver's CD bit would return them.
struct Zone {
    key: EcdsaSigningKey,
    dnskey: DNSKEY,
    /// The records by owner, in canonical order (hickory's `Ord` for `Name`
    /// is RFC 4034 §6.1).
    names: BTreeMap<Name, Vec<Record>>,
}

impl Zone {
    fn new() -> Self {
        let alg = Algorithm::ECDSAP256SHA256;
        let doc = EcdsaSigningKey::generate_pkcs8(alg).unwrap();
        let key = EcdsaSigningKey::from_pkcs8(&doc, alg).unwrap();
        let dnskey = DNSKEY::with_flags(257, key.to_public_key().unwrap());
        let mut zone = Self { key, dnskey, names: BTreeMap::new() };
        let apex = RData::DNSSEC(DNSSECRData::DNSKEY(zone.dnskey.clone()));
        zone.add(Name::root(), apex);
        zone
    }

    fn add(&mut self, owner: Name, data: RData) {
        self.names.entry(owner.clone()).or_default().push(Record::from_rdata(owner, TTL, data));
    }

    /// The anchor: the zone's own key (`. IN DNSKEY 257 3 13 …`).
    fn anchors(&self) -> TrustAnchors {
        let b64 = data_encoding::BASE64.encode(self.dnskey.public_key().public_bytes());
        TrustAnchors::scan(&format!(". IN DNSKEY 257 3 13 {b64}")).unwrap()
    }

    /// `records` (one RRset) and its RRSIG.
    fn signed(&self, records: Vec<Record>) -> Vec<Record> {
        let Some(first) = records.first() else { return records };
        let owner = first.name.clone();
        let now = u32::try_from(NOW).unwrap();
        let input = SigInput {
            type_covered: first.record_type(),
            algorithm: Algorithm::ECDSAP256SHA256,
            num_labels: owner.num_labels(),
            original_ttl: TTL,
            sig_expiration: SerialNumber::new(now + 86_400),
            sig_inception: SerialNumber::new(now - 86_400),
            key_tag: self.dnskey.calculate_key_tag().unwrap(),
            signer_name: Name::root(),
        };
        let tbs = TBS::from_input(&owner, DNSClass::IN, &input, records.iter()).unwrap();
        let sig = RRSIG::from_sig(input, self.key.sign(&tbs).unwrap());
        let mut out = records;
        out.push(Record::from_rdata(owner, TTL, RData::DNSSEC(DNSSECRData::RRSIG(sig))));
        out
    }

    /// The signed NSEC at `owner`, an existing name.
    fn nsec(&self, owner: &Name) -> Vec<Record> {
        let next = self.names.range(owner.clone()..).nth(1).map_or_else(Name::root, |(n, _)| n.clone());
        let mut types: Vec<RecordType> = self.names[owner].iter().map(Record::record_type).collect();
        types.dedup();
        let nsec = NSEC::new_cover_self(next, types);
        self.signed(vec![Record::from_rdata(owner.clone(), TTL, RData::DNSSEC(DNSSECRData::NSEC(nsec)))])
    }

    /// The response to (`qname`, `qtype`): the signed RRset, or a NODATA with
    /// its NSEC proof (at the name, or covering an empty non-terminal).
    fn answer(&self, qname: &Name, qtype: RecordType) -> Vec<u8> {
        let mut msg = Message::new(0, MessageType::Response, OpCode::Query);
        let mut q = HQuery::query(qname.clone(), qtype);
        q.set_query_class(DNSClass::IN);
        msg.add_query(q);
        let qname = qname.to_lowercase();
        let rrset: Vec<Record> = self
            .names
            .get(&qname)
            .map(|rs| rs.iter().filter(|r| r.record_type() == qtype).cloned().collect())
            .unwrap_or_default();
        if !rrset.is_empty() {
            msg.add_answers(self.signed(rrset));
        } else if self.names.contains_key(&qname) {
            msg.add_authorities(self.nsec(&qname));
        } else {
            let (before, _) = self.names.range(..qname.clone()).next_back().unwrap();
            let below = self.names.range(qname.clone()..).next().is_some_and(|(next, _)| qname.zone_of(next));
            msg.add_authorities(self.nsec(before));
            if !below {
                // No such name (the mail-policy names, their DS): the NSEC
                // before it covers it, and the NSEC before `*.example.`
                // covers the wildcard (RFC 4035 §3.1.3.2).
                assert!(name("example.").zone_of(&qname), "{qname} {qtype}: not in the test zone");
                let wildcard = name("*.example.");
                let (wild_before, _) = self.names.range(..wildcard).next_back().unwrap();
                if wild_before != before {
                    msg.add_authorities(self.nsec(wild_before));
                }
                msg.metadata.response_code = ResponseCode::NXDomain;
                return msg.to_vec().unwrap();
            }
            // An empty non-terminal: the NSEC before it points below it (RFC 4035 §3.1.3.2).
        }
        msg.metadata.response_code = ResponseCode::NoError;
        msg.to_vec().unwrap()
    }
}

/// `mxNN.example.`, numbered from 1.
fn mx_name(i: usize) -> String {
    format!("mx{i:02}.example.")
}

/// `example.` with `count` MX hosts (preference = number), each with an A
/// record and `3 1 1` over `leaf`'s key, except host `wrong`, whose record
/// matches nothing.
fn zone(count: usize, leaf: &Node, wrong: Option<usize>) -> Zone {
    let mut z = Zone::new();
    let good = ee(leaf);
    for i in 1..=count {
        let host = name(&mx_name(i));
        let mx = MxData::new(u16::try_from(i).unwrap(), host.clone());
        z.add(name("example."), RData::MX(mx));
        z.add(host.clone(), RData::A(A::new(192, 0, 2, u8::try_from(i).unwrap())));
        let data = if wrong == Some(i) { vec![0x17; 32] } else { good.data.clone() };
        let tlsa = TLSA::new(CertUsage::DaneEe, HSelector::Spki, Matching::Sha256, data);
        z.add(name(&format!("_25._tcp.{}", mx_name(i))), RData::TLSA(tlsa));
    }
    z
}

/// The DNS check of `example.` over `z`, every query answered at once per round.
fn dns_check(z: &Zone, config: Config) -> SmtpReport {
    let mut check = SmtpCheck::new(name("example."), config, u64::try_from(NOW).unwrap());
    while !check.is_done() {
        for q in check.poll_queries() {
            check.handle_response(q.id(), &z.answer(q.name(), q.rtype())).unwrap();
        }
    }
    check.poll_result().unwrap().clone()
}

/// What the probe of every checked host presents: `leaf`, at its one address.
fn probes(dns: &SmtpReport, leaf: &Node) -> Vec<ProbeHost> {
    probe_targets(dns)
        .iter()
        .map(|t| {
            let mut p = probe(&[leaf]);
            p.host.clone_from(&t.host);
            let [address] = t.addresses.as_slice() else { panic!("{}: {:?}", t.host, t.addresses) };
            p.addresses[0].address = *address;
            p
        })
        .collect()
}

fn check(count: usize, wrong: Option<usize>) -> (SmtpReport, DomainVerdict) {
    let l = leaf();
    let z = zone(count, &l, wrong);
    let dns = dns_check(&z, Config { anchors: z.anchors(), ..Config::default() });
    let v = evaluate(&dns, &probes(&dns, &l), NOW);
    (dns, v)
}

fn host_verdicts(v: &DomainVerdict) -> Vec<(String, Verdict)> {
    v.hosts.iter().map(|h| (h.host.clone(), h.verdict)).collect()
}

#[test]
fn a_signed_domain_with_two_hosts_authenticates() {
    // The zone and its answers are sound: the same set-up without a wrong
    // record authenticates (so the failures below come from the wrong host).
    let (dns, v) = check(2, None);
    assert!(dns.dane_ready && dns.unchecked.is_empty(), "{dns:?}");
    assert_eq!((v.verdict, v.authenticated), (Verdict::Authenticated, true), "{:?}", host_verdicts(&v));
    assert_eq!(v.hosts.len(), 2);
}

#[test]
fn seventeenth_of_forty_mx_hosts_with_a_wrong_tlsa_is_not_authenticated() {
    let (dns, v) = check(40, Some(17));
    assert_eq!((v.verdict, v.authenticated), (Verdict::NotAuthenticated, false), "{:?}", host_verdicts(&v));
    assert_eq!(dns.mx_status, Status::Secure);
    assert_eq!(dns.hosts.len(), 40, "every host is checked");
    assert!(dns.unchecked.is_empty());
    assert!(dns.hosts.iter().all(|h| h.outcome == HostOutcome::DaneRequired), "{dns:?}");
    assert_eq!(v.hosts.len(), 40, "every host is judged");
    let bad: Vec<(String, Verdict)> =
        host_verdicts(&v).into_iter().filter(|(_, verdict)| *verdict != Verdict::Authenticated).collect();
    assert_eq!(bad, vec![(mx_name(17), Verdict::NotAuthenticated)]);
    assert!(v.findings.is_empty(), "{:?}", codes(&v.findings));
}

#[test]
fn forty_good_mx_hosts_fit_the_query_budget_and_authenticate() {
    let (dns, v) = check(40, None);
    assert_eq!(dns.hosts.len(), 40);
    assert!(dns.hosts.iter().all(|h| h.outcome == HostOutcome::DaneRequired), "{dns:?}");
    assert_eq!((v.verdict, v.authenticated), (Verdict::Authenticated, true));
}

#[test]
fn mx_hosts_beyond_the_bound_are_listed_unchecked_and_never_pass() {
    for wrong in [None, Some(17)] {
        let (dns, v) = check(70, wrong);
        assert_eq!(dns.hosts.len(), MAX_MX_HOSTS, "{wrong:?}");
        assert_eq!(v.hosts.len(), MAX_MX_HOSTS);
        let unchecked: Vec<(String, u16)> = v.unchecked.iter().map(|u| (u.host.clone(), u.preference)).collect();
        let expected: Vec<(String, u16)> = (65..=70).map(|i| (mx_name(i), u16::try_from(i).unwrap())).collect();
        assert_eq!(unchecked, expected, "the hosts with the highest preference values are the ones left");
        assert_eq!(dns.unchecked, v.unchecked);
        assert!(!dns.dane_ready);
        assert!(!v.authenticated, "{wrong:?}");
        let f = find(&v.findings, "mx_hosts_unchecked");
        assert_eq!(f.finding, Finding::MxHostsUnchecked { checked: 64, unchecked: 6 });
        assert_eq!((f.severity, f.rfc), (Severity::Error, "RFC 7672 §2.2"));
        assert!(f.message.starts_with("the MX records name 70 hosts, more than the 64 this check examines: 6 hosts"));
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["unchecked"][5]["host"], "mx70.example.");
        assert_eq!(json["findings"][0]["code"], "mx_hosts_unchecked");
        assert_eq!(serde_json::from_value::<DomainVerdict>(json).unwrap(), v);
        // Bounded work: within the base budget and the allowance of 64 hosts.
        let limit = Config::default().max_queries + Config::default().max_queries_per_host * 64;
        assert!(dns.queries <= limit, "{} queries", dns.queries);
        match wrong {
            // Every host checked passes; the hosts not checked keep the domain from passing.
            None => {
                assert!(v.hosts.iter().all(|h| h.authenticated));
                assert_eq!(v.verdict, Verdict::Incomplete);
            }
            // A worse verdict of a host checked wins.
            Some(_) => assert_eq!(v.verdict, Verdict::NotAuthenticated),
        }
    }
}

#[test]
fn running_out_of_queries_is_never_authenticated() {
    let l = leaf();
    let z = zone(40, &l, None);
    for (base, per_host) in [(100, 0), (300, 1), (20, 5)] {
        let config = Config { anchors: z.anchors(), max_queries: base, max_queries_per_host: per_host };
        let dns = dns_check(&z, config);
        let v = evaluate(&dns, &probes(&dns, &l), NOW);
        assert!(dns.queries <= base + per_host * 40, "{} queries", dns.queries);
        assert!(!dns.dane_ready);
        assert!(!v.authenticated, "budget {base} + {per_host} per host: {:?}", v.verdict);
        assert_eq!(v.verdict, Verdict::Deferred);
        let limit = format!("limit of {} queries", base + per_host * 40);
        assert!(
            v.hosts.iter().any(|h| h.why.contains(&limit)),
            "{:?}",
            v.hosts.iter().map(|h| &h.why).collect::<Vec<_>>()
        );
    }
}

#[test]
fn mail_policy_txt_goes_out_in_the_first_round_and_costs_no_round() {
    use hickory_proto::rr::rdata::TXT;
    let l = leaf();
    let plain = zone(2, &l, None);
    let mut with = zone(2, &l, None);
    with.add(name("_smtp._tls.example."), RData::TXT(TXT::new(vec!["v=TLSRPTv1; rua=mailto:r@example.".into()])));
    with.add(name("_mta-sts.example."), RData::TXT(TXT::from_bytes(vec![b"v=STSv1; ", b"id=20260101"])));
    // The first round asks both TXT names next to the MX RRset.
    let mut check = SmtpCheck::new(name("example."), Config { anchors: with.anchors(), ..Config::default() }, 0);
    let first: Vec<(String, RecordType)> =
        check.poll_queries().iter().map(|q| (q.name().to_ascii(), q.rtype())).collect();
    for wanted in ["example.", "_smtp._tls.example.", "_mta-sts.example."] {
        let rtype = if wanted == "example." { RecordType::MX } else { RecordType::TXT };
        assert!(first.contains(&(wanted.to_owned(), rtype)), "{wanted} {rtype} not in round 1: {first:?}");
    }
    let without = dns_check(&plain, Config { anchors: plain.anchors(), ..Config::default() });
    let dns = dns_check(&with, Config { anchors: with.anchors(), ..Config::default() });
    assert_eq!(dns.rounds, without.rounds, "the TXT lookups add no round");
    let tlsrpt = dns.tlsrpt_txt.as_ref().unwrap();
    assert_eq!((tlsrpt.status, tlsrpt.outcome), (Status::Secure, crate::dns::TxtOutcome::Records));
    assert_eq!(tlsrpt.text, vec!["v=TLSRPTv1; rua=mailto:r@example.".to_owned()]);
    let sts = dns.mta_sts_txt.as_ref().unwrap();
    assert_eq!(sts.records, vec![vec![b"v=STSv1; ".to_vec(), b"id=20260101".to_vec()]]);
    // With an MTA-STS record, the policy host is looked up (and here proven absent).
    let host = dns.mta_sts_host.as_ref().unwrap();
    assert_eq!(host.problem().as_deref(), Some("mta-sts.example. has no A or AAAA records"));
    assert!(without.mta_sts_host.is_none(), "no record, no policy host lookup");
    // Without records: a DNSSEC-proven absence, not a failure.
    let none = without.mta_sts_txt.as_ref().unwrap();
    assert_eq!((none.status, none.outcome), (Status::Secure, crate::dns::TxtOutcome::NoRecords));
}
