//! Regression tests of the validator, one per defect found by attacking it
//! (issue 12), each named after what broke. The attacks replay records that
//! the zone really signed; none forges a signature.

use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS, NSEC, NSEC3};
use hickory_proto::dnssec::{Algorithm, DigestType, Nsec3HashAlgorithm, PublicKeyBuf};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::testkit::{World, Zone, moved, n};
use super::{AnswerData, Status, TrustAnchors};

const NOERROR: ResponseCode = ResponseCode::NoError;
const NXDOMAIN: ResponseCode = ResponseCode::NXDomain;

fn a(owner: &str, last: u8) -> Record {
    Record::from_rdata(n(owner), 300, RData::A(A::new(192, 0, 2, last)))
}

fn nsec(owner: &str, next: &str, types: &[RecordType]) -> Record {
    Record::from_rdata(n(owner), 300, RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(n(next), types.iter().copied()))))
}

/// `example.` signed with NSEC: the apex, a wildcard `*.example.` with an A
/// record, and `sub.example.` with an A record.
struct WildcardZone {
    z: Zone,
    world: World,
    nsec_apex: Vec<Record>,
    nsec_star: Vec<Record>,
    nsec_sub: Vec<Record>,
    star_a: Vec<Record>,
}

impl WildcardZone {
    fn new() -> Self {
        let z = Zone::new("example.");
        let mut world = World::default();
        world.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
        let apex_types = [RecordType::SOA, RecordType::NS, RecordType::DNSKEY, RecordType::NSEC, RecordType::RRSIG];
        let nsec_apex = z.signed(vec![nsec("example.", "*.example.", &apex_types)]);
        let leaf_types = [RecordType::A, RecordType::NSEC, RecordType::RRSIG];
        let nsec_star = z.signed(vec![nsec("*.example.", "sub.example.", &leaf_types)]);
        let nsec_sub = z.signed(vec![nsec("sub.example.", "example.", &leaf_types)]);
        let star_a = z.signed(vec![a("*.example.", 1)]);
        // sub.example. exists without DS: NODATA from its own NSEC.
        for t in [RecordType::DS, RecordType::DNSKEY] {
            world.answer("sub.example.", t, NOERROR, vec![], nsec_sub.clone());
        }
        // Below sub.example. nothing exists, and there is no *.sub.example.
        for t in [RecordType::DS, RecordType::DNSKEY] {
            world.answer("x.sub.example.", t, NXDOMAIN, vec![], nsec_sub.clone());
        }
        // y.example. is covered by the wildcard, which has no DS or DNSKEY.
        let wildcard_nodata = [nsec_sub.clone(), nsec_star.clone()].concat();
        for t in [RecordType::DS, RecordType::DNSKEY] {
            world.answer("y.example.", t, NOERROR, vec![], wildcard_nodata.clone());
        }
        Self { z, world, nsec_apex, nsec_star, nsec_sub, star_a }
    }
}

#[test]
fn wildcard_answer_with_nsec_needs_the_next_closer_name_denied() {
    let mut w = WildcardZone::new();
    // Honest: y.example. expanded from *.example., the NSEC covering y.example.
    let expanded = moved(w.star_a.clone(), &n("y.example."));
    w.world.answer("y.example.", RecordType::A, NOERROR, expanded, w.nsec_sub.clone());
    let honest = w.world.lookup(w.z.anchor(), "y.example.", RecordType::A);
    assert_eq!(honest.status(), Status::Secure, "{:?}", honest.data.proof());

    // Attack: *.example.'s signature replayed for x.sub.example. with an NSEC
    // that covers x.sub.example. but shows that sub.example. (the next closer
    // name for a wildcard at example.) exists.
    let forged = moved(w.star_a.clone(), &n("x.sub.example."));
    w.world.answer("x.sub.example.", RecordType::A, NOERROR, forged, w.nsec_sub.clone());
    let attacked = w.world.lookup(w.z.anchor(), "x.sub.example.", RecordType::A);
    assert_eq!(attacked.status(), Status::Bogus, "{:?}", attacked.data.proof());
    let reason = attacked.data.proof().reason().map(|r| r.detail.clone()).unwrap_or_default();
    assert!(reason.contains("next closer name sub.example."), "{reason}");
    let _ = &w.nsec_apex;
}

#[test]
fn wildcard_nodata_with_nsec_needs_the_next_closer_name_denied() {
    let mut w = WildcardZone::new();
    // Attack: x.sub.example. TLSA "denied" by *.example.'s NSEC (a wildcard
    // NODATA from the wrong wildcard) and an NSEC covering x.sub.example.
    let auth = [w.nsec_sub.clone(), w.nsec_star.clone()].concat();
    w.world.answer("x.sub.example.", RecordType::TLSA, NOERROR, vec![], auth);
    let attacked = w.world.lookup(w.z.anchor(), "x.sub.example.", RecordType::TLSA);
    assert_eq!(attacked.status(), Status::Bogus, "{:?}", attacked.data.proof());
}

#[test]
fn rrsig_labels_below_the_signers_label_count_are_rejected() {
    // A signature of example. whose Labels field (0) claims the wildcard `*.`,
    // above example.'s own zone: it verifies cryptographically, but no zone
    // can hold that wildcard, so it must not validate.
    let z = Zone::new("example.");
    let mut world = World::default();
    world.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
    let at_root_wildcard = vec![a("*.", 7)];
    let sig = z.sign_labels(&at_root_wildcard, 0);
    let apex_types = [RecordType::SOA, RecordType::NS, RecordType::DNSKEY, RecordType::NSEC, RecordType::RRSIG];
    // An NSEC that covers x.example. (and so its next closer name for labels 1).
    let cover = z.signed(vec![nsec("example.", "z.example.", &apex_types)]);
    for t in [RecordType::DS, RecordType::DNSKEY] {
        world.answer("x.example.", t, NXDOMAIN, vec![], cover.clone());
    }
    let forged = moved([at_root_wildcard, vec![sig]].concat(), &n("x.example."));
    world.answer("x.example.", RecordType::A, NOERROR, forged, cover);
    let attacked = world.lookup(z.anchor(), "x.example.", RecordType::A);
    assert_eq!(attacked.status(), Status::Bogus, "{:?}", attacked.data.proof());
    let reason = attacked.data.proof().reason().map(|r| r.detail.clone()).unwrap_or_default();
    assert!(reason.contains("fewer than its signer"), "{reason}");
}

fn nsec3(owner_hash: &str, next: &[u8], iterations: u16, types: &[RecordType]) -> Record {
    let rdata = NSEC3::new(Nsec3HashAlgorithm::SHA1, false, iterations, vec![], next.to_vec(), types.iter().copied());
    Record::from_rdata(n(&format!("{owner_hash}.example.")), 300, RData::DNSSEC(DNSSECRData::NSEC3(rdata)))
}

#[test]
fn nsec3_iterations_above_the_limit_keep_signed_answers_secure() {
    // example. uses NSEC3 with 200 iterations (RFC 9276 §3.2 lets a validator
    // skip such denials). The DS denials of the zone walk are unchecked, but a
    // positive answer signed by example. needs none of them.
    let z = Zone::new("example.");
    let mut world = World::default();
    world.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
    let types = [RecordType::A, RecordType::TLSA, RecordType::RRSIG];
    let denial = z.signed(vec![nsec3("0123456789abcdefghijklmnopqrstuv", &[0xff; 20], 200, &types)]);
    for name in ["mx.example.", "_tcp.mx.example.", "_25._tcp.mx.example."] {
        for t in [RecordType::DS, RecordType::DNSKEY] {
            world.answer(name, t, NOERROR, vec![], denial.clone());
        }
    }
    world.answer("mx.example.", RecordType::A, NOERROR, z.signed(vec![a("mx.example.", 5)]), vec![]);
    world.answer("mx.example.", RecordType::AAAA, NOERROR, vec![], denial.clone());
    let answer = world.lookup(z.anchor(), "mx.example.", RecordType::A);
    assert_eq!(answer.status(), Status::Secure, "{:?}", answer.data.proof());
    // A denial from that zone is still only insecure, and says why.
    let nodata = world.lookup(z.anchor(), "mx.example.", RecordType::AAAA);
    assert_eq!(nodata.status(), Status::Insecure, "{:?}", nodata.data.proof());
    assert!(nodata.data.proof().to_string().contains("200 iterations"), "{}", nodata.data.proof());
    // Unsigned data below the unchecked names may sit in an unsigned zone: insecure, not bogus.
    world.answer("_25._tcp.mx.example.", RecordType::TLSA, NOERROR, vec![tlsa("_25._tcp.mx.example.")], vec![]);
    let unsigned = world.lookup(z.anchor(), "_25._tcp.mx.example.", RecordType::TLSA);
    assert_eq!(unsigned.status(), Status::Insecure, "{:?}", unsigned.data.proof());
    // Signed TLSA: secure.
    world.answer(
        "_25._tcp.mx.example.",
        RecordType::TLSA,
        NOERROR,
        z.signed(vec![tlsa("_25._tcp.mx.example.")]),
        vec![],
    );
    let signed = world.lookup(z.anchor(), "_25._tcp.mx.example.", RecordType::TLSA);
    assert_eq!(signed.status(), Status::Secure, "{:?}", signed.data.proof());
}

fn tlsa(owner: &str) -> Record {
    use hickory_proto::rr::rdata::tlsa::{CertUsage, Matching, Selector, TLSA};
    let rdata = TLSA::new(CertUsage::DaneEe, Selector::Spki, Matching::Sha256, vec![0xab; 32]);
    Record::from_rdata(n(owner), 300, RData::TLSA(rdata))
}

/// An RSA/SHA-256 DNSKEY with a 512-bit modulus (RFC 3110 layout); nothing
/// verifies with it, and no signature needs to.
fn small_rsa_key() -> DNSKEY {
    let mut bytes = vec![3, 1, 0, 1];
    bytes.push(0xc3);
    bytes.extend((1..64u8).map(|i| i.wrapping_mul(37) | 1));
    DNSKEY::with_flags(257, PublicKeyBuf::new(bytes, Algorithm::RSASHA256))
}

#[test]
fn rsa_keys_too_short_to_verify_make_the_zone_insecure_not_bogus() {
    let z = Zone::new("example.");
    let mut world = World::default();
    world.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
    let small = small_rsa_key();
    let owner = n("small.example.");
    let digest = super::verify::ds_digest(&owner, &small, DigestType::SHA256).unwrap_or_default();
    let tag = small.calculate_key_tag().unwrap_or_default();
    let ds = DS::new(tag, Algorithm::RSASHA256, DigestType::SHA256, digest);
    let ds_rec = Record::from_rdata(owner.clone(), 300, RData::DNSSEC(DNSSECRData::DS(ds)));
    world.answer("small.example.", RecordType::DS, NOERROR, z.signed(vec![ds_rec]), vec![]);
    // The child's DNSKEY RRset with a signature by the small key (any bytes: it cannot be checked).
    let key_rec = Record::from_rdata(owner.clone(), 300, RData::DNSSEC(DNSSECRData::DNSKEY(small.clone())));
    let mut sig_rec = z.sign_labels(std::slice::from_ref(&key_rec), 2);
    if let RData::DNSSEC(DNSSECRData::RRSIG(sig)) = &sig_rec.data {
        let mut input = sig.input().clone();
        input.algorithm = Algorithm::RSASHA256;
        input.key_tag = tag;
        input.signer_name = owner.clone();
        let forged = hickory_proto::dnssec::rdata::RRSIG::from_sig(input, vec![0x5a; 64]);
        sig_rec.data = RData::DNSSEC(DNSSECRData::RRSIG(forged));
    }
    world.answer("small.example.", RecordType::DNSKEY, NOERROR, vec![key_rec, sig_rec], vec![]);
    world.answer("small.example.", RecordType::A, NOERROR, vec![a("small.example.", 9)], vec![]);
    let answer = world.lookup(z.anchor(), "small.example.", RecordType::A);
    assert_eq!(answer.status(), Status::Insecure, "{:?}", answer.data.proof());
    let text = answer.data.proof().to_string();
    assert!(text.contains("RSA key of 512 bits"), "{text}");
    assert!(!text.contains("altered"), "{text}");
}

#[test]
fn trust_anchor_with_only_unimplemented_algorithms_is_insecure_not_bogus() {
    // Ed448 (16) is not implemented: the anchor gives no authentication path (RFC 4035 §5.2).
    let anchor =
        TrustAnchors::scan(&format!("example. IN DS 12345 16 2 {}", "ab".repeat(32))).unwrap_or_else(|e| panic!("{e}"));
    let z = Zone::new("example.");
    let mut world = World::default();
    world.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
    world.answer("example.", RecordType::A, NOERROR, vec![a("example.", 3)], vec![]);
    let answer = world.lookup(anchor, "example.", RecordType::A);
    assert_eq!(answer.status(), Status::Insecure, "{:?}", answer.data.proof());
    assert!(answer.data.proof().to_string().contains("RFC 4035 §5.2"), "{}", answer.data.proof());
}

#[test]
fn compact_denial_nxname_means_the_name_does_not_exist() {
    // RFC 9824: NOERROR, an NSEC at the name whose next name is \000.<name>
    // and whose bitmap holds only NXNAME, RRSIG and NSEC.
    let z = Zone::new("example.");
    let mut world = World::default();
    world.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
    let nxname = RecordType::Unknown(128);
    let next = Name::from_labels(vec![&b"\0"[..], b"gone", b"example"]).unwrap_or_else(|e| panic!("{e}"));
    let black_lie = NSEC::new(next, [RecordType::RRSIG, RecordType::NSEC, nxname]);
    let rec = Record::from_rdata(n("gone.example."), 300, RData::DNSSEC(DNSSECRData::NSEC(black_lie)));
    let proof = z.signed(vec![rec]);
    for t in [RecordType::DS, RecordType::DNSKEY, RecordType::TLSA] {
        world.answer("gone.example.", t, NOERROR, vec![], proof.clone());
    }
    let answer = world.lookup(z.anchor(), "gone.example.", RecordType::TLSA);
    assert_eq!(answer.status(), Status::Secure, "{:?}", answer.data.proof());
    assert_eq!(*answer.data.with_proof().1, AnswerData::NxDomain);
}

#[test]
fn nxdomain_for_an_empty_non_terminal_is_inconsistent() {
    // _tcp.mx.example. exists as an empty non-terminal (_25._tcp.mx.example.
    // lies below it). The NSEC mx.example. → _25._tcp.mx.example. covers it,
    // and also covers *._tcp.mx.example.: replayed with NXDOMAIN it must not
    // prove that the name does not exist.
    let z = Zone::new("example.");
    let mut world = World::default();
    world.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
    let types = [RecordType::A, RecordType::NSEC, RecordType::RRSIG];
    let cover = z.signed(vec![nsec("mx.example.", "_25._tcp.mx.example.", &types)]);
    for t in [RecordType::DS, RecordType::DNSKEY] {
        world.answer("mx.example.", t, NOERROR, vec![], cover.clone());
    }
    // Honest: the ENT has no data (NODATA, secure).
    world.answer("_tcp.mx.example.", RecordType::DS, NOERROR, vec![], cover.clone());
    world.answer("_tcp.mx.example.", RecordType::DNSKEY, NOERROR, vec![], cover.clone());
    world.answer("_tcp.mx.example.", RecordType::TXT, NOERROR, vec![], cover.clone());
    let honest = world.lookup(z.anchor(), "_tcp.mx.example.", RecordType::TXT);
    assert_eq!(honest.status(), Status::Secure, "{:?}", honest.data.proof());
    assert_eq!(*honest.data.with_proof().1, AnswerData::NoData);
    // Attack: the same proof under an NXDOMAIN rcode.
    world.answer("_tcp.mx.example.", RecordType::A, NXDOMAIN, vec![], cover);
    let attacked = world.lookup(z.anchor(), "_tcp.mx.example.", RecordType::A);
    assert_eq!(attacked.status(), Status::Bogus, "{:?}", attacked.data.proof());
}

#[test]
fn ds_expanded_from_a_wildcard_is_bogus() {
    // A DS RRset the zone signed at *.example. (it cannot mean anything
    // there, RFC 4592 §4.6) replayed for child.example. must not open a zone.
    let z = Zone::new("example.");
    let child = Zone::new("child.example.");
    let mut world = World::default();
    world.answer("example.", RecordType::DNSKEY, NOERROR, z.signed(vec![z.dnskey_record()]), vec![]);
    let digest = super::verify::ds_digest(&n("child.example."), &child.dnskey, DigestType::SHA256).unwrap_or_default();
    let ds = DS::new(child.key_tag(), Algorithm::ECDSAP256SHA256, DigestType::SHA256, digest);
    let at_star = vec![Record::from_rdata(n("*.example."), 300, RData::DNSSEC(DNSSECRData::DS(ds)))];
    let sig = z.sign_labels(&at_star, 1);
    let replayed = moved([at_star, vec![sig]].concat(), &n("child.example."));
    let leaf_types = [RecordType::A, RecordType::NSEC, RecordType::RRSIG];
    let cover = z.signed(vec![nsec("*.example.", "zz.example.", &leaf_types)]);
    world.answer("child.example.", RecordType::DS, NOERROR, replayed, cover);
    world.answer("child.example.", RecordType::DNSKEY, NOERROR, child.signed(vec![child.dnskey_record()]), vec![]);
    world.answer("child.example.", RecordType::A, NOERROR, child.signed(vec![a("child.example.", 4)]), vec![]);
    let attacked = world.lookup(z.anchor(), "child.example.", RecordType::A);
    assert_eq!(attacked.status(), Status::Bogus, "{:?}", attacked.data.proof());
}
