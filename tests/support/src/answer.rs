//! The honest answerer: a hierarchy of signed zones answering (name, type)
//! the way a validating resolver asked with DO and CD does — the answer with
//! its RRSIGs (CNAMEs and DNAMEs followed, wildcards expanded with the
//! wildcard's RRSIG), and for negative and wildcard answers the signed
//! NSEC/NSEC3 records that prove them (RFC 4035 §3.1.3, RFC 5155 §7.2);
//! DS is answered by the parent (RFC 4035 §3.1.4.1).

use hickory_proto::dnssec::Nsec3HashAlgorithm;
use hickory_proto::dnssec::rdata::{DNSSECRData, DS, NSEC, NSEC3};
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::CNAME;
use hickory_proto::rr::{DNSClass, Label, Name, RData, Record, RecordType};

use crate::zone::{Denial, NXNAME, SignedZone, ZoneSpec, dname_target, hash_add, hashed_owner, nsec3_hash, wildcard};

/// A response before it goes on the wire; attacks rewrite it.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The question echoed (attacks may change it).
    pub qname: Name,
    pub qtype: RecordType,
    pub rcode: ResponseCode,
    pub answers: Vec<Record>,
    pub authorities: Vec<Record>,
    /// The AD bit (RFC 4035 §3.2.3); a validator asking with CD must ignore it.
    pub ad: bool,
    /// The TC bit.
    pub tc: bool,
}

impl Response {
    pub fn new(qname: &Name, qtype: RecordType) -> Self {
        Self {
            qname: qname.clone(),
            qtype,
            rcode: ResponseCode::NoError,
            answers: Vec::new(),
            authorities: Vec::new(),
            ad: false,
            tc: false,
        }
    }

    /// The DNS message: ID 0 (RFC 8484 §4.1), QR, RD, RA, CD, EDNS0 with DO.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut msg = Message::new(0, MessageType::Response, OpCode::Query);
        msg.metadata.recursion_desired = true;
        msg.metadata.recursion_available = true;
        msg.metadata.checking_disabled = true;
        msg.metadata.authentic_data = self.ad;
        msg.metadata.truncation = self.tc;
        msg.metadata.response_code = self.rcode;
        let mut q = Query::query(self.qname.clone(), self.qtype);
        q.set_query_class(DNSClass::IN);
        msg.add_query(q);
        msg.answers = self.answers.clone();
        msg.authorities = self.authorities.clone();
        let mut edns = Edns::new();
        edns.set_max_payload(1232);
        edns.set_dnssec_ok(true);
        msg.set_edns(edns);
        msg.to_vec().unwrap_or_else(|e| panic!("encoding the response to {} {}: {e}", self.qname, self.qtype))
    }

    /// Removes records matching `f` from both sections.
    pub fn strip(&mut self, f: impl Fn(&Record) -> bool) {
        self.answers.retain(|r| !f(r));
        self.authorities.retain(|r| !f(r));
    }
}

/// What one zone has for a name.
#[allow(clippy::large_enum_variant)] // short-lived, one per lookup step
enum Found {
    /// The RRset (with RRSIGs) and, for a wildcard expansion, the proof that no closer name matched.
    Data(Vec<Record>, Vec<Record>),
    /// A CNAME RRset (with RRSIGs), its target, and a wildcard proof if expanded.
    Alias(Vec<Record>, Name, Vec<Record>),
    /// A DNAME RRset (with RRSIGs), the synthesised CNAME and its target (RFC 6672 §3.2).
    Dname(Vec<Record>, Record, Name),
    NoData(Vec<Record>),
    NxDomain(Vec<Record>),
}

/// A hierarchy of signed zones from the root down, and its trust anchor.
#[derive(Debug)]
pub struct World {
    /// The validation time the signatures are made for.
    pub now: u64,
    pub zones: Vec<SignedZone>,
    /// The root's DS records in presentation format (for `TrustAnchors::scan` and `--trust-anchor`).
    pub anchor: String,
}

impl World {
    /// Signs every zone for validation at `now`, adding NS and DS for each
    /// child to its parent. The parent of a zone is the zone with the longest
    /// apex above it.
    pub fn build(specs: Vec<ZoneSpec>, now: u64) -> Self {
        let mut zones = Vec::with_capacity(specs.len());
        for spec in &specs {
            let children: Vec<(Name, Vec<DS>)> = specs
                .iter()
                .filter(|c| c.apex != spec.apex && spec.apex.zone_of(&c.apex))
                .filter(|c| parent_of(&specs, &c.apex).is_some_and(|p| p.apex == spec.apex))
                .map(|c| (c.apex.clone(), c.ds_records()))
                .collect();
            zones.push(SignedZone::sign(spec, &children, now));
        }
        let root = specs.iter().find(|s| s.apex.is_root()).unwrap_or_else(|| panic!("no root zone"));
        let anchor = root
            .ds_records()
            .iter()
            .map(|ds| {
                format!(
                    ". IN DS {} {} {} {}\n",
                    ds.key_tag(),
                    u8::from(ds.algorithm()),
                    u8::from(ds.digest_type()),
                    data_encoding::HEXUPPER.encode(ds.digest())
                )
            })
            .collect();
        Self { now, zones, anchor }
    }

    /// The zone with apex `apex`.
    pub fn zone(&self, apex: &str) -> &SignedZone {
        let apex = crate::zone::name(apex);
        self.zones.iter().find(|z| z.apex == apex).unwrap_or_else(|| panic!("no zone {apex}"))
    }

    /// The zone that answers (`qname`, `qtype`): the deepest one containing
    /// the name, except that DS at a zone apex is the parent's (RFC 4035 §3.1.4.1).
    pub fn zone_for(&self, qname: &Name, qtype: RecordType) -> Option<&SignedZone> {
        self.zones
            .iter()
            .filter(|z| z.apex.zone_of(qname))
            .filter(|z| !(qtype == RecordType::DS && z.apex == *qname && !qname.is_root()))
            .max_by_key(|z| z.apex.num_labels())
    }

    /// The honest answer to (`qname`, `qtype`).
    pub fn answer(&self, qname: &Name, qtype: RecordType) -> Response {
        let mut resp = Response::new(qname, qtype);
        let mut current = qname.clone();
        let mut seen: Vec<Name> = Vec::new();
        for _ in 0..10 {
            let Some(zone) = self.zone_for(&current, qtype) else {
                resp.rcode = ResponseCode::Refused;
                break;
            };
            match lookup(zone, &current, qtype) {
                Found::Data(records, proof) => {
                    resp.answers.extend(records);
                    resp.authorities.extend(proof);
                    break;
                }
                Found::Alias(records, target, proof) => {
                    resp.answers.extend(records);
                    resp.authorities.extend(proof);
                    seen.push(current.to_lowercase());
                    if seen.contains(&target.to_lowercase()) {
                        break;
                    }
                    current = target;
                }
                Found::Dname(records, cname, target) => {
                    resp.answers.extend(records);
                    resp.answers.push(cname);
                    current = target;
                }
                Found::NoData(proof) => {
                    resp.authorities.extend(proof);
                    break;
                }
                Found::NxDomain(proof) => {
                    resp.rcode = ResponseCode::NXDomain;
                    resp.authorities.extend(proof);
                    break;
                }
            }
        }
        dedup(&mut resp.answers);
        dedup(&mut resp.authorities);
        resp
    }
}

fn parent_of<'a>(specs: &'a [ZoneSpec], apex: &Name) -> Option<&'a ZoneSpec> {
    specs.iter().filter(|p| p.apex != *apex && p.apex.zone_of(apex)).max_by_key(|p| p.apex.num_labels())
}

fn dedup(records: &mut Vec<Record>) {
    let mut out: Vec<Record> = Vec::with_capacity(records.len());
    for r in records.drain(..) {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    *records = out;
}

/// Records of `set` (and RRSIGs) with the owner replaced by `owner` (wildcard expansion, RFC 4035 §5.3.2).
fn expand(set: Vec<Record>, owner: &Name) -> Vec<Record> {
    set.into_iter()
        .map(|mut r| {
            r.name = owner.clone();
            r
        })
        .collect()
}

fn lookup(zone: &SignedZone, name: &Name, qtype: RecordType) -> Found {
    let name = &name.to_lowercase();
    // A DNAME at an ancestor (within the zone) redirects the whole subtree (RFC 6672 §2.3).
    let mut anc = name.base_name();
    while zone.apex.zone_of(&anc) {
        if let Some(set) = zone.signed_rrset(&anc, RecordType::DNAME)
            && let Some(target_base) = set.iter().find_map(dname_target)
        {
            let prefix = name.num_labels() - anc.num_labels();
            let labels: Vec<&[u8]> = name.iter().take(usize::from(prefix)).collect();
            let target = labels.iter().rev().fold(target_base, |n, l| {
                n.prepend_label(Label::from_raw_bytes(l).unwrap_or_else(|e| panic!("{e}")))
                    .unwrap_or_else(|e| panic!("{e}"))
            });
            let ttl = set.first().map(|r| r.ttl).unwrap_or(300);
            let cname = Record::from_rdata(name.clone(), ttl, RData::CNAME(CNAME(target.clone())));
            return Found::Dname(set, cname, target);
        }
        if anc == zone.apex || anc.is_root() {
            break;
        }
        anc = anc.base_name();
    }
    if let Some(set) = zone.signed_rrset(name, qtype) {
        return Found::Data(set, Vec::new());
    }
    if qtype != RecordType::CNAME
        && let Some(set) = zone.signed_rrset(name, RecordType::CNAME)
    {
        let target = cname_target(&set).unwrap_or_else(|| name.clone());
        return Found::Alias(set, target, Vec::new());
    }
    if zone.exists(name) {
        return Found::NoData(nodata_proof(zone, name, qtype));
    }
    if zone.denial == Denial::Compact {
        // RFC 9824 §3: a nonexistent name is answered NOERROR, with an NSEC at
        // the name itself showing only NXNAME (and RRSIG, NSEC).
        return Found::NoData(compact_nsec(zone, name, &[RecordType::RRSIG, RecordType::NSEC, NXNAME]));
    }
    let ce = zone.closest_encloser(name);
    let star = wildcard(&ce);
    if let Some(set) = zone.signed_rrset(&star, qtype) {
        return Found::Data(expand(set, name), wildcard_answer_proof(zone, name, &ce));
    }
    if qtype != RecordType::CNAME
        && let Some(set) = zone.signed_rrset(&star, RecordType::CNAME)
    {
        let target = cname_target(&set).unwrap_or_else(|| name.clone());
        return Found::Alias(expand(set, name), target, wildcard_answer_proof(zone, name, &ce));
    }
    if zone.exists(&star) {
        return Found::NoData(wildcard_nodata_proof(zone, name, &ce, &star));
    }
    Found::NxDomain(nxdomain_proof(zone, name, &ce))
}

fn cname_target(set: &[Record]) -> Option<Name> {
    set.iter().find_map(|r| match &r.data {
        RData::CNAME(c) => Some(c.0.clone()),
        _ => None,
    })
}

/// The next closer name of `name` below the closest encloser `ce` (RFC 5155 §1.3).
pub fn next_closer(name: &Name, ce: &Name) -> Name {
    crate::trim_to(name, usize::from(ce.num_labels()) + 1)
}

/// The closest name at or above `name` that has an NSEC3 record in chain 0 (opt-out spans omit some).
fn provable_encloser(zone: &SignedZone, name: &Name) -> Name {
    let mut c = name.to_lowercase();
    while c != zone.apex && !zone.nsec3_matching(0, &c).iter().any(|r| r.record_type() == RecordType::NSEC3) {
        c = c.base_name();
    }
    c
}

fn with_soa(zone: &SignedZone, proof: Vec<Record>) -> Vec<Record> {
    let mut out = zone.soa();
    out.extend(proof);
    out
}

fn nodata_proof(zone: &SignedZone, name: &Name, _qtype: RecordType) -> Vec<Record> {
    if !zone.is_signed() {
        return zone.rrset(&zone.apex, RecordType::SOA).unwrap_or_default();
    }
    let proof = match &zone.denial {
        Denial::Nsec => {
            let at = zone.nsec_at(name);
            if at.is_empty() { zone.nsec_covering(name) } else { at }
        }
        Denial::Nsec3(_) => {
            let m = zone.nsec3_matching(0, name);
            if m.is_empty() {
                // An unsigned delegation in an opt-out span: the closest provable
                // encloser and the opt-out span covering the next closer name (RFC 5155 §7.2.4).
                let ce = provable_encloser(zone, name);
                let mut p = zone.nsec3_matching(0, &ce);
                p.extend(zone.nsec3_covering(0, &next_closer(name, &ce)));
                p
            } else {
                m
            }
        }
        Denial::Compact => {
            let mut types = zone.types_at(name);
            types.extend([RecordType::RRSIG, RecordType::NSEC]);
            compact_nsec(zone, name, &types)
        }
        Denial::WhiteLies(_) => white_lie_match(zone, name),
    };
    with_soa(zone, proof)
}

fn wildcard_answer_proof(zone: &SignedZone, name: &Name, ce: &Name) -> Vec<Record> {
    if !zone.is_signed() {
        return Vec::new();
    }
    match &zone.denial {
        Denial::Nsec => zone.nsec_covering(name),
        Denial::Nsec3(_) => zone.nsec3_covering(0, &next_closer(name, ce)),
        Denial::WhiteLies(_) => white_lie_cover(zone, &next_closer(name, ce)),
        Denial::Compact => Vec::new(),
    }
}

fn wildcard_nodata_proof(zone: &SignedZone, name: &Name, ce: &Name, star: &Name) -> Vec<Record> {
    if !zone.is_signed() {
        return zone.rrset(&zone.apex, RecordType::SOA).unwrap_or_default();
    }
    let proof = match &zone.denial {
        Denial::Nsec => {
            let mut p = zone.nsec_covering(name);
            p.extend(zone.nsec_at(star));
            p
        }
        Denial::Nsec3(_) => {
            let mut p = zone.nsec3_matching(0, ce);
            p.extend(zone.nsec3_covering(0, &next_closer(name, ce)));
            p.extend(zone.nsec3_matching(0, star));
            p
        }
        Denial::WhiteLies(_) => {
            let mut p = white_lie_match(zone, ce);
            p.extend(white_lie_cover(zone, &next_closer(name, ce)));
            p.extend(white_lie_match(zone, star));
            p
        }
        Denial::Compact => Vec::new(),
    };
    with_soa(zone, proof)
}

fn nxdomain_proof(zone: &SignedZone, name: &Name, ce: &Name) -> Vec<Record> {
    if !zone.is_signed() {
        return zone.rrset(&zone.apex, RecordType::SOA).unwrap_or_default();
    }
    let star = wildcard(ce);
    let proof = match &zone.denial {
        Denial::Nsec => {
            let mut p = zone.nsec_covering(name);
            p.extend(zone.nsec_covering(&star));
            p
        }
        Denial::Nsec3(_) => {
            let ce = provable_encloser(zone, ce);
            let mut p = zone.nsec3_matching(0, &ce);
            p.extend(zone.nsec3_covering(0, &next_closer(name, &ce)));
            p.extend(zone.nsec3_covering(0, &wildcard(&ce)));
            p
        }
        Denial::WhiteLies(_) => {
            let mut p = white_lie_match(zone, ce);
            p.extend(white_lie_cover(zone, &next_closer(name, ce)));
            p.extend(white_lie_cover(zone, &star));
            p
        }
        Denial::Compact => Vec::new(),
    };
    with_soa(zone, proof)
}

/// An NSEC at `name` whose next name is `\000.name` (RFC 9824 §2), signed on the fly.
fn compact_nsec(zone: &SignedZone, name: &Name, types: &[RecordType]) -> Vec<Record> {
    let next = name
        .prepend_label(Label::from_raw_bytes(&[0]).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    let nsec = NSEC::new(next, types.iter().copied());
    let r = Record::from_rdata(name.clone(), 300, RData::DNSSEC(DNSSECRData::NSEC(nsec)));
    with_soa(zone, zone.sign_online(vec![r]))
}

fn white_lie_params(zone: &SignedZone) -> crate::zone::Nsec3Params {
    match &zone.denial {
        Denial::WhiteLies(p) => p.clone(),
        _ => panic!("not a white-lies zone"),
    }
}

fn white_lie(zone: &SignedZone, owner_hash: &[u8], next: Vec<u8>, types: Vec<RecordType>) -> Vec<Record> {
    let p = white_lie_params(zone);
    let nsec3 = NSEC3::new(Nsec3HashAlgorithm::SHA1, p.opt_out, p.iterations, p.salt.clone(), next, types);
    let r = Record::from_rdata(hashed_owner(owner_hash, &zone.apex), 300, RData::DNSSEC(DNSSECRData::NSEC3(nsec3)));
    zone.sign_online(vec![r])
}

/// An NSEC3 matching `name` (hash to hash+1) with its real type bitmap.
fn white_lie_match(zone: &SignedZone, name: &Name) -> Vec<Record> {
    let p = white_lie_params(zone);
    let h = nsec3_hash(name, &p.salt, p.iterations);
    let mut types = zone.types_at(name);
    if !types.is_empty() {
        types.push(RecordType::RRSIG);
    }
    white_lie(zone, &h, hash_add(&h, 1), types)
}

/// An NSEC3 covering `name`'s hash minimally (hash-1 to hash+1).
fn white_lie_cover(zone: &SignedZone, name: &Name) -> Vec<Record> {
    let p = white_lie_params(zone);
    let h = nsec3_hash(name, &p.salt, p.iterations);
    white_lie(zone, &hash_add(&h, -1), hash_add(&h, 1), Vec::new())
}
