//! RRsets and their signatures: grouping, RRSIG checks (RFC 4035 §5.3),
//! the signed data (RFC 4034 §3.1.8.1, §6), and DS → DNSKEY matching
//! (RFC 4035 §5.2), with algorithm support per RFC 8624.

use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS, RRSIG};
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKey, Verifier};
use hickory_proto::rr::{DNSClass, Label, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder, NameEncoding};

use super::expiry::SigExpiry;
use super::proof::{Reason, ReasonKind};
use super::shown;

/// Most signature verifications tried for one RRset (a KeyTrap bound, CVE-2023-50387).
pub(crate) const MAX_SIG_ATTEMPTS: usize = 8;

/// Most records in one RRset we are willing to canonicalise and verify.
pub(crate) const MAX_RRSET_LEN: usize = 256;

/// The records of one RRset and the RRSIGs that claim to cover it.
#[derive(Debug, Clone)]
pub(crate) struct RrSet<'a> {
    pub name: Name,
    pub rtype: RecordType,
    pub records: Vec<&'a Record>,
    pub sigs: Vec<&'a RRSIG>,
}

impl RrSet<'_> {
    /// The smallest TTL of the records.
    pub fn ttl(&self) -> u32 {
        self.records.iter().map(|r| r.ttl).min().unwrap_or(0)
    }
}

/// The RRset (`name`, `rtype`) in `section`, if any record of it is there.
pub(crate) fn find<'a>(section: &'a [Record], name: &Name, rtype: RecordType) -> Option<RrSet<'a>> {
    let records: Vec<&Record> = section.iter().filter(|r| r.record_type() == rtype && &r.name == name).collect();
    if records.is_empty() {
        return None;
    }
    Some(RrSet { name: records[0].name.clone(), rtype, records, sigs: sigs_for(section, name, rtype) })
}

/// All RRsets of type `rtype` in `section`, whatever their owner.
pub(crate) fn all_of<'a>(section: &'a [Record], rtype: RecordType) -> Vec<RrSet<'a>> {
    let mut owners: Vec<&Name> = Vec::new();
    for r in section.iter().filter(|r| r.record_type() == rtype) {
        if !owners.contains(&&r.name) {
            owners.push(&r.name);
        }
    }
    owners.into_iter().filter_map(|n| find(section, n, rtype)).collect()
}

fn sigs_for<'a>(section: &'a [Record], name: &Name, rtype: RecordType) -> Vec<&'a RRSIG> {
    section
        .iter()
        .filter(|r| &r.name == name)
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::RRSIG(sig)) if sig.input().type_covered == rtype => Some(sig),
            _ => None,
        })
        .collect()
}

/// The DNSKEYs of a zone whose keys are trusted.
#[derive(Debug, Clone)]
pub(crate) struct ZoneKeys {
    pub zone: Name,
    pub keys: Vec<DNSKEY>,
    /// The first signature to run out on the path from the trust anchor to
    /// these keys (DNSKEY and DS RRsets of this zone and every zone above).
    pub expiry: Option<SigExpiry>,
}

impl ZoneKeys {
    /// Keys to check one RRset with, outside any chain (no path expiry).
    pub(crate) fn bare(zone: Name, keys: Vec<DNSKEY>) -> Self {
        Self { zone, keys, expiry: None }
    }
}

/// What a successful signature check tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verified {
    /// The RRSIG labels field: fewer than the owner's labels means wildcard expansion.
    pub labels: u8,
    /// TTL to use: the records' TTL capped by the original TTL and the time to expiry (RFC 4035 §5.3.3).
    pub ttl: u32,
    /// The RRSIG's Original TTL: the TTL the zone gives the RRset, which a
    /// cache may count down but never exceed (RFC 4034 §3.1.4).
    pub original_ttl: u32,
    /// The validating RRSIG's Inception and Expiration, Unix seconds. With
    /// several valid RRSIGs, the one that expires last: the RRset keeps
    /// validating until then.
    pub inception: i64,
    pub expiration: i64,
}

impl Verified {
    /// The expiry of this RRset's signature as an [`SigExpiry`].
    pub(crate) fn expiry(&self, set: &RrSet<'_>) -> SigExpiry {
        SigExpiry::new(&set.name, set.rtype, self.inception, self.expiration)
    }
}

/// Whether a DNSKEY algorithm is implemented (RFC 8624 §3.1: 8, 10, 13, 14, 15
/// MUST/RECOMMENDED; 5 and 7 use SHA-1 and are validated but reported).
pub(crate) fn algorithm_supported(alg: Algorithm) -> bool {
    algorithm_is_sha1(alg)
        || matches!(
            alg,
            Algorithm::RSASHA256
                | Algorithm::RSASHA512
                | Algorithm::ECDSAP256SHA256
                | Algorithm::ECDSAP384SHA384
                | Algorithm::ED25519
        )
}

/// Smallest and largest RSA moduli the crypto library verifies (ring: 1024 to
/// 8192 bits). RFC 8624 leaves key sizes to the validator; a signature by a key
/// outside them is unsupported, not altered.
const RSA_BITS: core::ops::RangeInclusive<usize> = 1024..=8192;

/// Why `key` cannot be used although its algorithm is implemented: an RSA
/// modulus outside [`RSA_BITS`] (RFC 3110 §2 key layout). `None` for usable keys.
pub(crate) fn key_size_problem(key: &DNSKEY) -> Option<String> {
    let alg = key.algorithm();
    if !matches!(u8::from(alg), 5 | 7 | 8 | 10) {
        return None;
    }
    let bytes = key.public_key().public_bytes();
    // Exponent length: one byte, or zero then two bytes (RFC 3110 §2).
    let (exp_len, rest) = match bytes.split_first() {
        Some((0, rest)) => match rest.split_first_chunk::<2>() {
            Some((len, rest)) => (usize::from(u16::from_be_bytes(*len)), rest),
            None => return Some("an RSA key too short to hold an exponent".to_owned()),
        },
        Some((len, rest)) => (usize::from(*len), rest),
        None => return Some("an empty RSA key".to_owned()),
    };
    let modulus = rest.get(exp_len..).unwrap_or_default();
    let leading = modulus.iter().take_while(|b| **b == 0).count();
    let significant = modulus.get(leading..).unwrap_or_default();
    let bits = significant.first().map_or(0, |b| (significant.len() - 1) * 8 + (8 - b.leading_zeros() as usize));
    (!RSA_BITS.contains(&bits)).then(|| {
        format!(
            "an RSA key of {bits} bits, outside the {}–{} bits this validator supports (RFC 8624 leaves key sizes to validators)",
            RSA_BITS.start(),
            RSA_BITS.end()
        )
    })
}

/// Whether an algorithm relies on SHA-1 (RFC 8624 §3.1 "NOT RECOMMENDED" for signing).
pub(crate) fn algorithm_is_sha1(alg: Algorithm) -> bool {
    matches!(u8::from(alg), 5 | 7)
}

/// Whether a DS digest type is implemented (RFC 8624 §3.3: 2 and 4; 1 accepted with a warning).
pub(crate) fn digest_supported(d: DigestType) -> bool {
    matches!(d, DigestType::SHA1 | DigestType::SHA256 | DigestType::SHA384)
}

/// A u32 RRSIG time as an absolute Unix time near `now` (RFC 4034 §3.1.5 serial arithmetic).
pub(crate) fn absolute_time(sig_time: u32, now: u64) -> i64 {
    let now32 = now as u32; // truncation intended: serial arithmetic modulo 2^32
    let delta = sig_time.wrapping_sub(now32) as i32;
    now as i64 + i64::from(delta)
}

pub(crate) use crate::time::format_utc as format_time;

/// Checks the RRSIGs over `set` against the trusted keys of `zone` at `now`.
/// Succeeds when one RRSIG verifies (RFC 4035 §5.3.1–§5.3.3); otherwise the
/// most telling failure, naming the RRset.
pub(crate) fn verify_rrset(set: &RrSet<'_>, zone: &ZoneKeys, now: u64) -> Result<Verified, Reason> {
    let what = format!("{} at {}", set.rtype, shown(&set.name));
    if set.sigs.is_empty() {
        return Err(Reason::new(
            ReasonKind::RrsigsMissing,
            format!("{what} has no RRSIG, but {} is a signed zone", shown(&zone.zone)),
        ));
    }
    if set.records.len() > MAX_RRSET_LEN {
        return Err(Reason::new(
            ReasonKind::Malformed,
            format!("expected at most {MAX_RRSET_LEN} records in the RRset {what}, found {}", set.records.len()),
        ));
    }
    // Failures are ranked: the most specific one is reported.
    let mut best: Option<(u8, Reason)> = None;
    let mut note = |rank: u8, reason: Reason| {
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, reason));
        }
    };
    let owner_labels = set.name.num_labels();
    let mut attempts = 0;
    // Any one valid RRSIG suffices (RFC 4035 §5.3.3); trying the one that
    // expires last first makes the reported expiry the RRset's real one.
    let mut sigs = set.sigs.clone();
    crate::order::sort_by_key(&mut sigs, |s| core::cmp::Reverse(absolute_time(s.input().sig_expiration.get(), now)));
    for sig in &sigs {
        let input = sig.input();
        if input.signer_name != zone.zone {
            note(
                1,
                Reason::new(
                    ReasonKind::RrsigsMissing,
                    format!(
                        "RRSIG over {what} is made by {}, expected a signature of zone {}",
                        shown(&input.signer_name),
                        shown(&zone.zone)
                    ),
                ),
            );
            continue;
        }
        // The signer is the zone that holds the RRset (RFC 4035 §5.3.1): its
        // apex is the owner or above it, and a wildcard the RRset was expanded
        // from lies in that zone (RFC 4592 §2.2.1), so the Labels field is at
        // least the signer's label count. A smaller one claims a wildcard above
        // the signer's own zone, which no zone can sign.
        if !input.signer_name.zone_of(&set.name) {
            note(
                2,
                Reason::new(
                    ReasonKind::SignatureInvalid,
                    format!(
                        "RRSIG over {what} is made by {}, which is not an ancestor of the owner name",
                        shown(&input.signer_name)
                    ),
                ),
            );
            continue;
        }
        if input.num_labels < input.signer_name.num_labels() {
            note(
                2,
                Reason::new(
                    ReasonKind::SignatureInvalid,
                    format!(
                        "RRSIG over {what} claims {} labels, fewer than its signer {} has: a wildcard outside the signer's zone (RFC 4035 §5.3.1, RFC 4592)",
                        input.num_labels,
                        shown(&input.signer_name)
                    ),
                ),
            );
            continue;
        }
        if input.num_labels > owner_labels {
            note(
                2,
                Reason::new(
                    ReasonKind::SignatureInvalid,
                    format!("RRSIG over {what} claims {} labels, more than the owner name has", input.num_labels),
                ),
            );
            continue;
        }
        if !algorithm_supported(input.algorithm) {
            note(
                2,
                Reason::new(
                    ReasonKind::UnsupportedDnskeyAlgorithm,
                    format!("RRSIG over {what} uses algorithm {}, which is not supported", u8::from(input.algorithm)),
                ),
            );
            continue;
        }
        let inception = absolute_time(input.sig_inception.get(), now);
        let expiration = absolute_time(input.sig_expiration.get(), now);
        let now_i = now as i64;
        if expiration < now_i {
            note(
                5,
                Reason::new(
                    ReasonKind::SignatureExpired,
                    format!("RRSIG over {what} (key tag {}) expired on {}", input.key_tag, format_time(expiration)),
                ),
            );
            continue;
        }
        if inception > now_i {
            note(
                5,
                Reason::new(
                    ReasonKind::SignatureNotYetValid,
                    format!(
                        "RRSIG over {what} (key tag {}) is not valid before {}",
                        input.key_tag,
                        format_time(inception)
                    ),
                ),
            );
            continue;
        }
        let candidates: Vec<&DNSKEY> = zone
            .keys
            .iter()
            .filter(|k| k.zone_key() && !k.revoke() && k.algorithm() == input.algorithm)
            .filter(|k| k.calculate_key_tag().ok() == Some(input.key_tag))
            .collect();
        if candidates.is_empty() {
            note(
                3,
                Reason::new(
                    ReasonKind::DnskeyMissing,
                    format!(
                        "RRSIG over {what} is made by key tag {} (algorithm {}), but {} has no such trusted DNSKEY",
                        input.key_tag,
                        u8::from(input.algorithm),
                        shown(&zone.zone)
                    ),
                ),
            );
            continue;
        }
        let (candidates, unusable): (Vec<&DNSKEY>, Vec<&DNSKEY>) =
            candidates.into_iter().partition(|k| key_size_problem(k).is_none());
        if let Some(problem) = unusable.first().and_then(|k| key_size_problem(k)) {
            note(
                3,
                Reason::new(
                    ReasonKind::UnsupportedKeySize,
                    format!("RRSIG over {what} is made by key tag {}, {problem}", input.key_tag),
                ),
            );
        }
        if candidates.is_empty() {
            continue;
        }
        let Some(tbs) = signed_data(set, sig) else {
            note(2, Reason::new(ReasonKind::Malformed, format!("cannot rebuild the signed data of {what}")));
            continue;
        };
        for key in candidates {
            if attempts >= MAX_SIG_ATTEMPTS {
                break;
            }
            attempts += 1;
            let ok = key.key().and_then(|k| k.verify(&tbs, sig.sig())).is_ok();
            if ok {
                let to_expiry = u32::try_from((expiration - now_i).max(0)).unwrap_or(u32::MAX);
                let ttl = set.ttl().min(input.original_ttl).min(to_expiry);
                return Ok(Verified {
                    labels: input.num_labels,
                    ttl,
                    original_ttl: input.original_ttl,
                    inception,
                    expiration,
                });
            }
            note(
                4,
                Reason::new(
                    ReasonKind::SignatureInvalid,
                    format!(
                        "RRSIG over {what} (key tag {}) does not verify: the data or the signature was altered",
                        input.key_tag
                    ),
                ),
            );
        }
    }
    Err(best
        .map(|(_, r)| r)
        .unwrap_or_else(|| Reason::new(ReasonKind::RrsigsMissing, format!("no usable RRSIG over {what}"))))
}

/// The data an RRSIG signs (RFC 4034 §3.1.8.1): the RRSIG RDATA without the
/// signature, then the RRset in canonical form and order (§6.2, §6.3), with the
/// owner replaced by the wildcard it was expanded from (RFC 4035 §5.3.2).
fn signed_data(set: &RrSet<'_>, sig: &RRSIG) -> Option<Vec<u8>> {
    let input = sig.input();
    let labels = usize::from(input.num_labels);
    let owner = set.name.to_lowercase();
    let owner = if labels < usize::from(owner.num_labels()) {
        super::trim_to(&owner, labels).prepend_label(Label::wildcard()).ok()?
    } else {
        owner
    };
    let mut rdatas: Vec<Vec<u8>> = Vec::with_capacity(set.records.len());
    for r in &set.records {
        let mut buf = Vec::new();
        let mut enc = BinEncoder::new(&mut buf);
        enc.set_canonical_form(true);
        enc.set_name_encoding(NameEncoding::UncompressedLowercase);
        match dname_target(&r.data) {
            // The DNAME target is lowercased in canonical form (RFC 4034 §6.2, RFC 6672 §5.3.1).
            Some(target) => target.emit(&mut enc).ok()?,
            None => r.data.emit(&mut enc).ok()?,
        }
        rdatas.push(buf);
    }
    crate::order::sort(&mut rdatas);
    rdatas.dedup();
    let mut out = Vec::new();
    let mut enc = BinEncoder::new(&mut out);
    enc.set_canonical_form(true);
    enc.set_name_encoding(NameEncoding::UncompressedLowercase);
    input.emit(&mut enc).ok()?;
    for rdata in rdatas {
        owner.emit(&mut enc).ok()?;
        set.rtype.emit(&mut enc).ok()?;
        DNSClass::IN.emit(&mut enc).ok()?;
        enc.emit_u32(input.original_ttl).ok()?;
        enc.emit_u16(u16::try_from(rdata.len()).ok()?).ok()?;
        enc.emit_vec(&rdata).ok()?;
    }
    Some(out)
}

/// The DNSKEYs in `keys` that a record of `ds_set` vouches for (RFC 4035 §5.2).
pub(crate) fn keys_matching_ds<'k>(owner: &Name, ds_set: &[&DS], keys: &'k [DNSKEY]) -> Vec<&'k DNSKEY> {
    keys.iter()
        .filter(|k| k.zone_key() && !k.revoke())
        .filter(|k| {
            let Ok(tag) = k.calculate_key_tag() else { return false };
            ds_set.iter().any(|ds| {
                ds.key_tag() == tag
                    && ds.algorithm() == k.algorithm()
                    && digest_supported(ds.digest_type())
                    && ds_digest(owner, k, ds.digest_type()).is_some_and(|d| d == ds.digest())
            })
        })
        .collect()
}

/// The DS digest of `key` at `owner` (RFC 4034 §5.1.4): the digest of the
/// owner name in canonical wire form followed by the DNSKEY RDATA. (Not
/// hickory's `DNSKEY::to_digest`: its error path formats a hickory error,
/// which links IDNA tables into the web app.)
pub(crate) fn ds_digest(owner: &Name, key: &DNSKEY, digest_type: DigestType) -> Option<Vec<u8>> {
    let algorithm = match digest_type {
        DigestType::SHA1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        DigestType::SHA256 => &ring::digest::SHA256,
        DigestType::SHA384 => &ring::digest::SHA384,
        _ => return None,
    };
    let mut buf = Vec::new();
    let mut enc = BinEncoder::new(&mut buf);
    enc.set_name_encoding(NameEncoding::UncompressedLowercase);
    owner.to_lowercase().emit(&mut enc).ok()?;
    key.emit(&mut enc).ok()?;
    Some(ring::digest::digest(algorithm, &buf).as_ref().to_vec())
}

/// Extracts typed RDATA of a kind from records.
pub(crate) fn ds_of<'a>(set: &RrSet<'a>) -> Vec<&'a DS> {
    set.records
        .iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::DS(ds)) => Some(ds),
            _ => None,
        })
        .collect()
}

/// The target of a DNAME record (RFC 6672 §2.1). hickory reads DNAME RDATA
/// as unknown data; the target is one uncompressed name (§2.5) and nothing else.
pub(crate) fn dname_target(data: &RData) -> Option<Name> {
    match data {
        RData::Unknown { code, rdata } if *code == RecordType::DNAME => {
            let mut decoder = hickory_proto::serialize::binary::BinDecoder::new(&rdata.anything);
            let name = <Name as hickory_proto::serialize::binary::BinDecodable>::read(&mut decoder).ok()?;
            decoder.is_empty().then_some(name)
        }
        _ => None,
    }
}

/// The DNSKEYs of an RRset.
pub(crate) fn dnskeys_of(set: &RrSet<'_>) -> Vec<DNSKEY> {
    set.records
        .iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use hickory_proto::dnssec::crypto::EcdsaSigningKey;
    use hickory_proto::dnssec::rdata::sig::SigInput;
    use hickory_proto::dnssec::{SigningKey, TBS};
    use hickory_proto::rr::SerialNumber;
    use hickory_proto::rr::rdata::A;

    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).unwrap_or_default()
    }

    struct Zone {
        key: EcdsaSigningKey,
        dnskey: DNSKEY,
        keys: ZoneKeys,
    }

    fn zone(name: &str) -> Zone {
        let alg = Algorithm::ECDSAP256SHA256;
        let doc = EcdsaSigningKey::generate_pkcs8(alg).unwrap_or_else(|e| panic!("{e}"));
        let key = EcdsaSigningKey::from_pkcs8(&doc, alg).unwrap_or_else(|e| panic!("{e}"));
        let dnskey = DNSKEY::with_flags(257, key.to_public_key().unwrap_or_else(|e| panic!("{e}")));
        Zone { keys: ZoneKeys::bare(n(name), vec![dnskey.clone()]), key, dnskey }
    }

    fn a_records(owner: &str, n_records: u8) -> Vec<Record> {
        (1..=n_records).map(|i| Record::from_rdata(n(owner), 300, RData::A(A::new(192, 0, 2, i)))).collect()
    }

    /// Signs `records` (as if at `signed_owner`, with `labels`) with hickory's own TBS builder.
    fn sign(z: &Zone, records: &[Record], labels: u8, inception: u64, expiration: u64) -> RRSIG {
        let input = SigInput {
            type_covered: RecordType::A,
            algorithm: Algorithm::ECDSAP256SHA256,
            num_labels: labels,
            original_ttl: 300,
            sig_expiration: SerialNumber::new(expiration as u32),
            sig_inception: SerialNumber::new(inception as u32),
            key_tag: z.dnskey.calculate_key_tag().unwrap_or_default(),
            signer_name: z.keys.zone.clone(),
        };
        let owner = records.first().map(|r| r.name.clone()).unwrap_or_default();
        let tbs = TBS::from_input(&owner, DNSClass::IN, &input, records.iter()).unwrap_or_else(|e| panic!("{e}"));
        let sig = z.key.sign(&tbs).unwrap_or_else(|e| panic!("{e}"));
        RRSIG::from_sig(input, sig)
    }

    fn set<'a>(records: &'a [Record], sigs: &'a [RRSIG]) -> RrSet<'a> {
        RrSet {
            name: records.first().map(|r| r.name.clone()).unwrap_or_default(),
            rtype: RecordType::A,
            records: records.iter().collect(),
            sigs: sigs.iter().collect(),
        }
    }

    fn kind(r: Result<Verified, Reason>) -> Option<ReasonKind> {
        r.err().map(|e| e.kind)
    }

    #[test]
    fn signatures_verify_and_fail_for_the_right_reasons() {
        let z = zone("example.");
        let recs = a_records("mx.example.", 3);
        let good = sign(&z, &recs, 2, NOW - 100, NOW + 100);
        let ok = verify_rrset(&set(&recs, std::slice::from_ref(&good)), &z.keys, NOW);
        assert_eq!(
            ok,
            Ok(Verified {
                labels: 2,
                ttl: 100,
                original_ttl: 300,
                inception: NOW as i64 - 100,
                expiration: NOW as i64 + 100
            }),
            "TTL capped by the time to expiry"
        );
        // Same records in another order and with mixed case: canonical form (RFC 4034 §6).
        let mut shuffled = recs.clone();
        shuffled.reverse();
        for r in &mut shuffled {
            r.name = n("MX.Example.");
        }
        assert!(verify_rrset(&set(&shuffled, std::slice::from_ref(&good)), &z.keys, NOW).is_ok());
        // Altered data.
        let mut altered = recs.clone();
        altered[0].data = RData::A(A::new(198, 51, 100, 1));
        assert_eq!(
            kind(verify_rrset(&set(&altered, std::slice::from_ref(&good)), &z.keys, NOW)),
            Some(ReasonKind::SignatureInvalid)
        );
        // Time window.
        let err = verify_rrset(&set(&recs, std::slice::from_ref(&good)), &z.keys, NOW + 200).err();
        assert_eq!(err.as_ref().map(|e| e.kind), Some(ReasonKind::SignatureExpired));
        assert_eq!(
            err.map(|e| e.detail),
            Some(format!(
                "RRSIG over A at mx.example. (key tag {}) expired on 2027-01-15 08:01:40 UTC",
                z.dnskey.calculate_key_tag().unwrap_or_default()
            ))
        );
        assert_eq!(
            kind(verify_rrset(&set(&recs, std::slice::from_ref(&good)), &z.keys, NOW - 200)),
            Some(ReasonKind::SignatureNotYetValid)
        );
        // Wrong zone's keys, no signatures.
        let other = zone("example.");
        assert_eq!(
            kind(verify_rrset(&set(&recs, std::slice::from_ref(&good)), &other.keys, NOW)),
            Some(ReasonKind::DnskeyMissing)
        );
        assert_eq!(kind(verify_rrset(&set(&recs, &[]), &z.keys, NOW)), Some(ReasonKind::RrsigsMissing));
        // A signature by another zone (signer name) does not count.
        let sub = zone("sub.example.");
        let foreign = sign(&sub, &recs, 2, NOW - 100, NOW + 100);
        assert_eq!(kind(verify_rrset(&set(&recs, &[foreign]), &z.keys, NOW)), Some(ReasonKind::RrsigsMissing));
        // More labels than the owner has.
        let mut input = good.input().clone();
        input.num_labels = 3;
        let too_many = RRSIG::from_sig(input, good.sig().to_vec());
        assert_eq!(kind(verify_rrset(&set(&recs, &[too_many]), &z.keys, NOW)), Some(ReasonKind::SignatureInvalid));
    }

    #[test]
    fn wildcard_expansion_is_rebuilt_from_the_labels_field() {
        let z = zone("example.");
        let at_wildcard = a_records("*.example.", 1);
        let sig = sign(&z, &at_wildcard, 1, NOW - 100, NOW + 100);
        let expanded = a_records("anything.example.", 1);
        assert_eq!(verify_rrset(&set(&expanded, std::slice::from_ref(&sig)), &z.keys, NOW).map(|v| v.labels), Ok(1));
    }

    #[test]
    fn signature_attempts_are_bounded() {
        // KeyTrap (CVE-2023-50387): many keys with the same tag and many RRSIGs cost at most MAX_SIG_ATTEMPTS verifications.
        let z = zone("example.");
        let recs = a_records("mx.example.", 1);
        let mut bad = sign(&z, &recs, 2, NOW - 100, NOW + 100);
        let input = bad.input().clone();
        let mut sig = bad.sig().to_vec();
        if let Some(b) = sig.last_mut() {
            *b ^= 1;
        }
        bad = RRSIG::from_sig(input, sig);
        let sigs = vec![bad; 50];
        let keys = ZoneKeys::bare(n("example."), vec![z.dnskey.clone(); 50]);
        assert_eq!(kind(verify_rrset(&set(&recs, &sigs), &keys, NOW)), Some(ReasonKind::SignatureInvalid));
    }

    #[test]
    fn times_format_and_wrap() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_time(1_795_000_000), "2026-11-18 11:06:40 UTC");
        // An expiration just after 2^32 seconds still reads as the future.
        let now = (1u64 << 32) - 10;
        assert_eq!(absolute_time(5, now), (1i64 << 32) + 5);
        assert_eq!(absolute_time((now - 100) as u32, now), now as i64 - 100);
    }

    #[test]
    fn algorithms_per_rfc8624() {
        assert!(algorithm_supported(Algorithm::from_u8(13)));
        assert!(algorithm_supported(Algorithm::from_u8(15)));
        assert!(algorithm_supported(Algorithm::from_u8(5)) && algorithm_is_sha1(Algorithm::from_u8(5)));
        assert!(!algorithm_supported(Algorithm::from_u8(16)), "Ed448 is not implemented by ring");
        assert!(!algorithm_supported(Algorithm::from_u8(3)));
        assert!(digest_supported(DigestType::from(4)) && !digest_supported(DigestType::from(3)));
    }
}
