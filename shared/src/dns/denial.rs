//! Authenticated denial of existence: NSEC (RFC 4035 §5.4, RFC 6840 §4) and
//! NSEC3 (RFC 5155 §8, iteration limit RFC 9276 §3.2).

use core::cmp::Ordering;

use hickory_proto::dnssec::Nsec3HashAlgorithm;
use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC, NSEC3};
use hickory_proto::rr::{Label, Name, RData, Record, RecordType};

use super::expiry::{SigExpiry, earliest};
use super::proof::{Reason, ReasonKind};
use super::shown;
use super::verify::{self, ZoneKeys};

/// NSEC3 iterations above this make a proof insecure rather than checked
/// (RFC 9276 §3.2 lets validators do so; 150 is the limit BIND and unbound
/// ship since 2021, and RFC 9276 §3.1 asks zones for 0).
pub const NSEC3_MAX_ITERATIONS: u16 = 150;

/// The NXNAME meta type of compact denial of existence (RFC 9824 §2).
const NXNAME: RecordType = RecordType::Unknown(128);

/// Most NSEC/NSEC3 RRsets of one response whose signatures are checked (a
/// real proof needs at most three; this bounds the work a hostile answer causes).
const MAX_DENIAL_RRSETS: usize = 8;

/// What a denial proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DenialKind {
    /// The name does not exist.
    NxDomain,
    /// The name exists, without the type.
    NoData,
}

/// A checked denial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Denied {
    pub kind: DenialKind,
    /// The name is a delegation point (NS without SOA in its bitmap): for a DS
    /// query this proves an unsigned delegation (RFC 4035 §5.2).
    pub delegation: bool,
    /// Set when the proof only shows that the data is insecure (NSEC3 opt-out,
    /// RFC 5155 §6, or too many NSEC3 iterations): the reason.
    pub insecure: Option<String>,
    /// The proof was not checked at all (NSEC3 iterations above the limit,
    /// RFC 9276 §3.2): unlike opt-out, it proves nothing, not even a
    /// possible unsigned delegation.
    pub unchecked: bool,
    /// TTL of the proof's records.
    pub ttl: u32,
    /// The first of the proof's signatures to expire.
    pub expiry: Option<SigExpiry>,
}

struct SignedNsec<'a> {
    owner: &'a Name,
    nsec: &'a NSEC,
}

struct SignedNsec3<'a> {
    hash: Vec<u8>,
    nsec3: &'a NSEC3,
}

/// Proves that `qname` has no `qtype` (NoData) or does not exist (NxDomain)
/// from the authority section `auth`, signed by `zone`. `nxdomain` says which
/// the response claimed.
pub(crate) fn prove(
    auth: &[Record],
    qname: &Name,
    qtype: RecordType,
    nxdomain: bool,
    zone: &ZoneKeys,
    now: u64,
) -> Result<Denied, Reason> {
    let (nsecs, nsec3s, ttl, failure, expiry) = collect(auth, zone, now);
    let with_expiry = |d: Denied| Denied { expiry: expiry.clone(), ..d };
    let what = if nxdomain {
        format!("{qname} does not exist", qname = shown(qname))
    } else {
        format!("{qname} has no {qtype} records", qname = shown(qname))
    };
    if !nsec3s.is_empty() {
        return prove_nsec3(&nsec3s, qname, qtype, nxdomain, zone, ttl, &what).map(with_expiry);
    }
    if !nsecs.is_empty() {
        return prove_nsec(&nsecs, qname, qtype, nxdomain, zone, ttl, &what).map(with_expiry);
    }
    Err(failure.unwrap_or_else(|| {
        Reason::new(
            ReasonKind::NsecMissing,
            format!("the answer that {what} carries no NSEC or NSEC3 proof from {}", shown(&zone.zone)),
        )
    }))
}

/// Proves that no closer name than the wildcard matched, for an answer
/// expanded from a wildcard with `labels` labels (RFC 4035 §5.3.4, RFC 5155 §8.8).
pub(crate) fn prove_wildcard_answer(
    auth: &[Record],
    qname: &Name,
    labels: u8,
    zone: &ZoneKeys,
    now: u64,
) -> Result<Option<String>, Reason> {
    let (nsecs, nsec3s, _, failure, _) = collect(auth, zone, now);
    let missing = || {
        failure.clone().unwrap_or_else(|| {
            Reason::new(
                ReasonKind::NsecMissing,
                format!("the answer for {qname} was expanded from a wildcard, but no NSEC/NSEC3 proves that {qname} itself does not exist", qname = shown(qname)),
            )
        })
    };
    if !nsec3s.is_empty() {
        let Some(params) = nsec3s.first().map(|n| n.nsec3) else { return Err(missing()) };
        if params.iterations() > NSEC3_MAX_ITERATIONS {
            return Ok(Some(iterations_text(params.iterations())));
        }
        let next_closer = super::trim_to(qname, usize::from(labels) + 1);
        let h = hash(&next_closer, params).ok_or_else(missing)?;
        return match nsec3s.iter().find(|n| covers3(n, &h)) {
            Some(n) if n.nsec3.opt_out() => {
                Ok(Some(format!("the wildcard proof for {qname} lies in an NSEC3 opt-out span", qname = shown(qname))))
            }
            Some(_) => Ok(None),
            None => Err(missing()),
        };
    }
    // The next closer name (RFC 5155 §1.3, RFC 7129 §5.3) is the query name cut
    // to one label below the wildcard's parent: it, and everything below it,
    // must not exist (RFC 4035 §5.3.4). Covering the query name alone is not
    // enough: an NSEC whose next name lies below the next closer name shows
    // that the next closer name exists, so a closer match than the wildcard did.
    let next_closer = super::trim_to(qname, usize::from(labels) + 1);
    if nsecs.iter().any(|n| covers(n, &next_closer) && !next_closer.zone_of(n.nsec.next_domain_name())) {
        Ok(None)
    } else {
        Err(missing_next_closer(qname, &next_closer, failure))
    }
}

fn missing_next_closer(qname: &Name, next_closer: &Name, failure: Option<Reason>) -> Reason {
    failure.unwrap_or_else(|| {
        Reason::new(
            ReasonKind::NsecMissing,
            format!(
                "the answer for {qname} was expanded from a wildcard, but no NSEC proves that the next closer name {next_closer} does not exist (RFC 4035 §5.3.4)",
                qname = shown(qname),
                next_closer = shown(next_closer)
            ),
        )
    })
}

/// The validly signed NSEC and NSEC3 records, their smallest TTL, the most
/// telling failure, and the first of their signatures to expire, joined with
/// the zone's own path (see [`ZoneKeys::expiry`]).
type Collected<'a> = (Vec<SignedNsec<'a>>, Vec<SignedNsec3<'a>>, u32, Option<Reason>, Option<SigExpiry>);

/// The NSEC and NSEC3 records of `auth` whose signatures by `zone` verify.
fn collect<'a>(auth: &'a [Record], zone: &ZoneKeys, now: u64) -> Collected<'a> {
    let mut nsecs = Vec::new();
    let mut nsec3s = Vec::new();
    let mut ttl = u32::MAX;
    let mut failure = None;
    let mut expiry = zone.expiry.clone();
    for rtype in [RecordType::NSEC, RecordType::NSEC3] {
        for set in verify::all_of(auth, rtype).into_iter().take(MAX_DENIAL_RRSETS) {
            if !zone.zone.zone_of(&set.name) {
                continue;
            }
            match verify::verify_rrset(&set, zone, now) {
                // An NSEC(3) is never expanded from a wildcard (RFC 4035 §5.3.4).
                Ok(v) if v.labels == set.name.num_labels() => {
                    ttl = ttl.min(v.ttl);
                    expiry = earliest(expiry, Some(v.expiry(&set)));
                    for r in &set.records {
                        match &r.data {
                            RData::DNSSEC(DNSSECRData::NSEC(nsec)) => nsecs.push(SignedNsec { owner: &r.name, nsec }),
                            RData::DNSSEC(DNSSECRData::NSEC3(nsec3)) => {
                                if let Some(hash) = owner_hash(&r.name, &zone.zone) {
                                    // Unknown hash algorithms and flags are ignored (RFC 5155 §8.1, §8.2).
                                    if nsec3.hash_algorithm() == Nsec3HashAlgorithm::SHA1 && nsec3.flags() <= 1 {
                                        nsec3s.push(SignedNsec3 { hash, nsec3 });
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Ok(_) => {}
                Err(reason) => failure = failure.or(Some(reason)),
            }
        }
    }
    // One proof uses one NSEC3 chain: records whose hash parameters differ from
    // the first's were hashed differently and cannot cover or match its hashes
    // (RFC 5155 §7.2, §8.2); a zone in a chain change may serve both.
    if let Some(first) = nsec3s.first().map(|n| n.nsec3) {
        let (iterations, salt) = (first.iterations(), first.salt().to_vec());
        nsec3s.retain(|n| n.nsec3.iterations() == iterations && n.nsec3.salt() == salt.as_slice());
    }
    (nsecs, nsec3s, if ttl == u32::MAX { 0 } else { ttl }, failure, expiry)
}

fn iterations_text(iterations: u16) -> String {
    format!(
        "NSEC3 uses {iterations} iterations, above the limit of {NSEC3_MAX_ITERATIONS} (RFC 9276 §3.2), so the proof is treated as insecure"
    )
}

/// Whether the NSEC at `owner` covers `name`: owner < name < next in
/// canonical order, the last NSEC of a zone wrapping around (RFC 4034 §4.1.1).
fn covers(n: &SignedNsec<'_>, name: &Name) -> bool {
    let next = n.nsec.next_domain_name();
    let after_owner = n.owner.cmp(name) == Ordering::Less;
    let before_next = name.cmp(next) == Ordering::Less;
    let wraps = next.cmp(n.owner) != Ordering::Greater;
    // An NSEC at a delegation point proves nothing below it (RFC 6840 §4.1).
    let parent_side =
        is_delegation(n.nsec.type_set().contains(RecordType::NS), n.nsec.type_set().contains(RecordType::SOA));
    // Nor below a DNAME, whose subtree is redirected (RFC 6672 §2.3, §5.3.4).
    let redirected = n.nsec.type_set().contains(RecordType::DNAME);
    if (parent_side || redirected) && n.owner.zone_of(name) && n.owner != name {
        return false;
    }
    if wraps { after_owner } else { after_owner && before_next }
}

fn is_delegation(ns: bool, soa: bool) -> bool {
    ns && !soa
}

/// The longest ancestor of `name` shared with `other`.
fn common_ancestor(name: &Name, other: &Name) -> Name {
    let mut n = name.clone();
    while !n.zone_of(other) && !n.is_root() {
        n = super::base_name(&n);
    }
    n
}

fn wildcard_of(name: &Name) -> Option<Name> {
    name.prepend_label(Label::wildcard()).ok()
}

#[allow(clippy::too_many_arguments)]
fn prove_nsec(
    nsecs: &[SignedNsec<'_>],
    qname: &Name,
    qtype: RecordType,
    nxdomain: bool,
    zone: &ZoneKeys,
    ttl: u32,
    what: &str,
) -> Result<Denied, Reason> {
    let missing = |why: &str| {
        Reason::new(
            ReasonKind::NsecMissing,
            format!("the NSEC records from {} do not prove that {what}: {why}", shown(&zone.zone)),
        )
    };
    // Exact match: NODATA (RFC 4035 §3.1.3.1).
    if let Some(m) = nsecs.iter().find(|n| n.owner == qname) {
        let types = m.nsec.type_set();
        // Compact denial of existence (RFC 9824 §3): a NODATA answer whose NSEC
        // at the name lists NXNAME says the name does not exist; some servers
        // restore the NXDOMAIN rcode (§5). Either way the name does not exist.
        if types.contains(NXNAME)
            && !types.iter().any(|t| !matches!(t, RecordType::RRSIG | RecordType::NSEC) && t != NXNAME)
        {
            return Ok(Denied {
                kind: DenialKind::NxDomain,
                delegation: false,
                insecure: None,
                unchecked: false,
                ttl,
                expiry: None,
            });
        }
        if nxdomain {
            return Err(Reason::new(
                ReasonKind::Inconsistent,
                format!(
                    "the answer says {qname} does not exist, but an NSEC record at {qname} says it does",
                    qname = shown(qname)
                ),
            ));
        }
        return nodata_from_bitmap(
            types.contains(qtype),
            types.contains(RecordType::CNAME),
            types.contains(RecordType::NS),
            types.contains(RecordType::SOA),
            qname,
            qtype,
            ttl,
        )
        .ok_or_else(|| {
            missing(&format!(
                "the NSEC at {qname} lists {qtype}, or comes from the wrong side of a zone cut",
                qname = shown(qname)
            ))
        });
    }
    let cover = nsecs
        .iter()
        .find(|n| covers(n, qname))
        .ok_or_else(|| missing(&format!("no NSEC covers {qname}", qname = shown(qname))))?;
    // Empty non-terminal: the name exists because a name below it does (RFC 4035 §3.1.3.2).
    if !nxdomain && qname.zone_of(cover.nsec.next_domain_name()) && qname != cover.nsec.next_domain_name() {
        return Ok(Denied {
            kind: DenialKind::NoData,
            delegation: false,
            insecure: None,
            unchecked: false,
            ttl,
            expiry: None,
        });
    }
    let ce = {
        let a = common_ancestor(qname, cover.owner);
        let b = common_ancestor(qname, cover.nsec.next_domain_name());
        if a.num_labels() >= b.num_labels() { a } else { b }
    };
    let star = wildcard_of(&ce).ok_or_else(|| missing("the wildcard name is too long"))?;
    if nxdomain {
        // The closest encloser is an ancestor of the name: an NSEC whose next
        // name lies below the name shows that the name exists (an empty
        // non-terminal), which no NXDOMAIN can deny (RFC 4035 §3.1.3.2).
        if ce.num_labels() >= qname.num_labels() {
            return Err(Reason::new(
                ReasonKind::Inconsistent,
                format!(
                    "the answer says {qname} does not exist, but the NSEC covering it shows names below it",
                    qname = shown(qname)
                ),
            ));
        }
        // No wildcard at the closest encloser either (RFC 4035 §3.1.3.2).
        if nsecs.iter().any(|n| covers(n, &star)) {
            return Ok(Denied {
                kind: DenialKind::NxDomain,
                delegation: false,
                insecure: None,
                unchecked: false,
                ttl,
                expiry: None,
            });
        }
        return Err(missing(&format!("nothing proves that the wildcard {star} does not exist", star = shown(&star))));
    }
    // Wildcard NODATA (RFC 4035 §3.1.3.4).
    let m = nsecs.iter().find(|n| n.owner == &star).ok_or_else(|| {
        missing(&format!(
            "{qname} does not exist and no NSEC at {star} shows the wildcard lacks {qtype}",
            qname = shown(qname),
            star = shown(&star)
        ))
    })?;
    let types = m.nsec.type_set();
    nodata_from_bitmap(
        types.contains(qtype),
        types.contains(RecordType::CNAME),
        false,
        types.contains(RecordType::SOA),
        qname,
        qtype,
        ttl,
    )
    .ok_or_else(|| missing(&format!("the wildcard {star} has {qtype}", star = shown(&star))))
}

/// NODATA from a matching NSEC/NSEC3 bitmap: the type and CNAME absent; for
/// DS the record must come from the parent side, for other types not from it
/// (RFC 4035 §5.4, RFC 6840 §4.4).
fn nodata_from_bitmap(
    has_type: bool,
    has_cname: bool,
    ns: bool,
    soa: bool,
    qname: &Name,
    qtype: RecordType,
    ttl: u32,
) -> Option<Denied> {
    if has_type || has_cname {
        return None;
    }
    let delegation = is_delegation(ns, soa);
    if qtype == RecordType::DS {
        if soa && !qname.is_root() {
            return None; // the child's apex NSEC cannot deny the parent's DS
        }
    } else if delegation {
        return None; // the parent's NSEC at a cut says nothing about the child's data
    }
    Some(Denied { kind: DenialKind::NoData, delegation, insecure: None, unchecked: false, ttl, expiry: None })
}

/// The raw hash in an NSEC3 owner name `<base32hex>.<zone>` (RFC 5155 §3).
fn owner_hash(owner: &Name, zone: &Name) -> Option<Vec<u8>> {
    if super::base_name(owner) != *zone {
        return None;
    }
    base32hex(owner.iter().next()?)
}

/// Decodes unpadded base32hex (RFC 4648 §7; RFC 5155 §3.3 writes the hash in
/// it, either case). `None` on another character or a length that no whole
/// number of bytes has, or non-zero bits after the last byte (RFC 4648 §3.5).
fn base32hex(text: &[u8]) -> Option<Vec<u8>> {
    if matches!(text.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in text {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'V' => c - b'A' + 10,
            b'a'..=b'v' => c - b'a' + 10,
            _ => return None,
        };
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

fn hash(name: &Name, params: &NSEC3) -> Option<Vec<u8>> {
    Nsec3HashAlgorithm::SHA1
        .hash(params.salt(), &name.to_lowercase(), params.iterations())
        .ok()
        .map(|d| d.as_ref().to_vec())
}

fn covers3(n: &SignedNsec3<'_>, h: &[u8]) -> bool {
    let next = n.nsec3.next_hashed_owner_name();
    let after_owner = n.hash.as_slice() < h;
    if next <= n.hash.as_slice() { after_owner || h < next } else { after_owner && h < next }
}

#[allow(clippy::too_many_arguments)]
fn prove_nsec3(
    nsec3s: &[SignedNsec3<'_>],
    qname: &Name,
    qtype: RecordType,
    nxdomain: bool,
    zone: &ZoneKeys,
    ttl: u32,
    what: &str,
) -> Result<Denied, Reason> {
    let missing = |why: &str| {
        Reason::new(
            ReasonKind::NsecMissing,
            format!("the NSEC3 records from {} do not prove that {what}: {why}", shown(&zone.zone)),
        )
    };
    let Some(params) = nsec3s.first().map(|n| n.nsec3) else { return Err(missing("none")) };
    if params.iterations() > NSEC3_MAX_ITERATIONS {
        let kind = if nxdomain { DenialKind::NxDomain } else { DenialKind::NoData };
        return Ok(Denied {
            kind,
            delegation: false,
            insecure: Some(iterations_text(params.iterations())),
            unchecked: true,
            ttl,
            expiry: None,
        });
    }
    // All records of one zone share salt and iterations (RFC 5155 §7.1); use the first's.
    let hash_of = |name: &Name| hash(name, params);
    let matching = |h: &[u8]| nsec3s.iter().find(|n| n.hash.as_slice() == h);
    let covering = |h: &[u8]| nsec3s.iter().find(|n| covers3(n, h));

    let qhash = hash_of(qname).ok_or_else(|| missing("cannot hash the name"))?;
    if let Some(m) = matching(&qhash) {
        if nxdomain {
            return Err(Reason::new(
                ReasonKind::Inconsistent,
                format!(
                    "the answer says {qname} does not exist, but an NSEC3 record matches {qname}",
                    qname = shown(qname)
                ),
            ));
        }
        let types = m.nsec3.type_set();
        return nodata_from_bitmap(
            types.contains(qtype),
            types.contains(RecordType::CNAME),
            types.contains(RecordType::NS),
            types.contains(RecordType::SOA),
            qname,
            qtype,
            ttl,
        )
        .ok_or_else(|| {
            missing(&format!(
                "the NSEC3 matching {qname} lists {qtype}, or comes from the wrong side of a zone cut",
                qname = shown(qname)
            ))
        });
    }
    // Closest encloser proof (RFC 5155 §8.3).
    let mut ce = super::base_name(qname);
    let mut next_closer = qname.clone();
    let found = loop {
        if !zone.zone.zone_of(&ce) {
            break None;
        }
        let h = hash_of(&ce).ok_or_else(|| missing("cannot hash a name"))?;
        if let Some(m) = matching(&h) {
            // Names below a delegation point or a DNAME are not in this
            // zone, so its NSEC3 records cannot deny them (RFC 5155 §8.3).
            let types = m.nsec3.type_set();
            let cut = is_delegation(types.contains(RecordType::NS), types.contains(RecordType::SOA));
            if cut || types.contains(RecordType::DNAME) {
                return Err(missing(&format!(
                    "the closest encloser {ce} is a delegation point or DNAME, below which {} proves nothing",
                    shown(&zone.zone),
                    ce = shown(&ce)
                )));
            }
            break Some(ce.clone());
        }
        if ce.is_root() {
            break None;
        }
        next_closer = ce.clone();
        ce = super::base_name(&ce);
    };
    let ce = found.ok_or_else(|| missing(&format!("no NSEC3 matches an ancestor of {qname}", qname = shown(qname))))?;
    let nc_hash = hash_of(&next_closer).ok_or_else(|| missing("cannot hash a name"))?;
    let nc_cover = covering(&nc_hash).ok_or_else(|| {
        missing(&format!("no NSEC3 covers the next closer name {next_closer}", next_closer = shown(&next_closer)))
    })?;
    let opt_out = nc_cover.nsec3.opt_out().then(|| {
        format!(
            "{next_closer} lies in an NSEC3 opt-out span of {}, which may hold unsigned delegations (RFC 5155 §6)",
            shown(&zone.zone),
            next_closer = shown(&next_closer)
        )
    });
    let star = wildcard_of(&ce).ok_or_else(|| missing("the wildcard name is too long"))?;
    let star_hash = hash_of(&star).ok_or_else(|| missing("cannot hash a name"))?;
    if nxdomain {
        if covering(&star_hash).is_some() {
            return Ok(Denied {
                kind: DenialKind::NxDomain,
                delegation: false,
                insecure: opt_out,
                unchecked: false,
                ttl,
                expiry: None,
            });
        }
        return Err(missing(&format!("nothing proves that the wildcard {star} does not exist", star = shown(&star))));
    }
    if qtype == RecordType::DS && matching(&star_hash).is_none() {
        // DS NODATA without a matching NSEC3: only an opt-out span proves an (insecure) delegation (RFC 5155 §8.6).
        return match opt_out {
            Some(why) => Ok(Denied {
                kind: DenialKind::NoData,
                delegation: true,
                insecure: Some(why),
                unchecked: false,
                ttl,
                expiry: None,
            }),
            None => Err(missing(&format!(
                "no NSEC3 matches {qname} and the span covering it is not opt-out",
                qname = shown(qname)
            ))),
        };
    }
    // Wildcard NODATA (RFC 5155 §8.7).
    let m = matching(&star_hash).ok_or_else(|| {
        missing(&format!(
            "{qname} does not exist and no NSEC3 matches the wildcard {star}",
            qname = shown(qname),
            star = shown(&star)
        ))
    })?;
    let types = m.nsec3.type_set();
    nodata_from_bitmap(
        types.contains(qtype),
        types.contains(RecordType::CNAME),
        false,
        types.contains(RecordType::SOA),
        qname,
        qtype,
        ttl,
    )
    .map(|mut d| {
        d.insecure = opt_out;
        d
    })
    .ok_or_else(|| missing(&format!("the wildcard {star} has {qtype}", star = shown(&star))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32hex_as_data_encoding_decodes_it() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar", &[0xff; 20], &[0x00, 0x80, 0x7f]] {
            let text = data_encoding::BASE32HEX_NOPAD.encode(bytes);
            assert_eq!(base32hex(text.as_bytes()).as_deref(), Some(bytes), "{text}");
            assert_eq!(base32hex(text.to_ascii_lowercase().as_bytes()).as_deref(), Some(bytes), "{text}");
        }
        for bad in ["W0", "0", "000", "000000", "0=", "01", "CPNMU===", "CPNMUOJ1E9"] {
            assert_eq!(base32hex(bad.as_bytes()), data_encoding::BASE32HEX_NOPAD.decode(bad.as_bytes()).ok(), "{bad}");
        }
    }

    fn n(s: &str) -> Name {
        Name::from_ascii(s).unwrap_or_default()
    }

    #[test]
    fn nsec_cover_wraps_and_respects_cuts() {
        let plain = NSEC::new(n("c.example."), [RecordType::A]);
        let a = SignedNsec { owner: &n("a.example."), nsec: &plain };
        assert!(covers(&a, &n("b.example.")));
        assert!(covers(&a, &n("x.a.example.")));
        assert!(!covers(&a, &n("d.example.")));
        let last = NSEC::new(n("example."), [RecordType::A]);
        let z = SignedNsec { owner: &n("z.example."), nsec: &last };
        assert!(covers(&z, &n("zz.example.")));
        assert!(!covers(&z, &n("b.example.")));
        let cut = NSEC::new(n("c.example."), [RecordType::NS]);
        let d = SignedNsec { owner: &n("a.example."), nsec: &cut };
        assert!(!covers(&d, &n("x.a.example.")), "below a delegation");
        assert_eq!(common_ancestor(&n("x.b.example."), &n("a.example.")), n("example."));
    }

    #[test]
    fn bitmaps_decide_nodata() {
        let q = n("mx.example.");
        assert!(nodata_from_bitmap(false, false, false, false, &q, RecordType::TLSA, 5).is_some());
        assert!(nodata_from_bitmap(true, false, false, false, &q, RecordType::TLSA, 5).is_none());
        assert!(nodata_from_bitmap(false, true, false, false, &q, RecordType::TLSA, 5).is_none());
        assert_eq!(
            nodata_from_bitmap(false, false, true, false, &q, RecordType::DS, 5).map(|d| d.delegation),
            Some(true)
        );
        assert!(nodata_from_bitmap(false, false, true, true, &q, RecordType::DS, 5).is_none(), "child apex");
        assert!(nodata_from_bitmap(false, false, true, false, &q, RecordType::A, 5).is_none(), "parent side");
    }

    #[test]
    fn nsec3_hash_matches_rfc5155_appendix_a() {
        // RFC 5155 Appendix A: H(example) = 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom, salt aabbccdd, 12 iterations.
        let params = NSEC3::new(Nsec3HashAlgorithm::SHA1, false, 12, vec![0xaa, 0xbb, 0xcc, 0xdd], vec![0; 20], []);
        let h = hash(&n("example."), &params).unwrap_or_default();
        assert_eq!(data_encoding::BASE32HEX_NOPAD.encode(&h).to_ascii_lowercase(), "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
        assert_eq!(owner_hash(&n("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example."), &n("example.")), Some(h.clone()));
        assert_eq!(owner_hash(&n("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.a.example."), &n("example.")), None);
    }

    #[test]
    fn nsec3_cannot_deny_names_below_a_delegation_or_dname() {
        // One NSEC3 record that matches sub.example. and covers every other
        // hash (its next hash is its own): a parent-side record at a cut.
        let zone = ZoneKeys::bare(n("example."), vec![]);
        for (types, what) in [(vec![RecordType::NS, RecordType::DS], "delegation"), (vec![RecordType::DNAME], "dname")]
        {
            let probe = NSEC3::new(Nsec3HashAlgorithm::SHA1, false, 0, vec![], vec![0; 20], []);
            let h = hash(&n("sub.example."), &probe).unwrap_or_default();
            let rec = NSEC3::new(Nsec3HashAlgorithm::SHA1, false, 0, vec![], h.clone(), types);
            let set = [SignedNsec3 { hash: h, nsec3: &rec }];
            let nx = prove_nsec3(&set, &n("x.sub.example."), RecordType::A, true, &zone, 60, "x");
            assert!(nx.is_err(), "{what}: NXDOMAIN below the cut was accepted");
            // The same record still proves what it may: sub.example. has no TXT.
            let nodata = prove_nsec3(&set, &n("sub.example."), RecordType::TXT, false, &zone, 60, "x");
            assert_eq!(nodata.is_ok(), what == "dname", "{what}: {nodata:?}");
        }
    }
}
