//! When the signatures an answer depends on run out (RFC 4034 §3.1.5).
//!
//! A validated answer is only as durable as the shortest-lived signature on
//! its path: its own RRSIG, the denials it rests on, and the DS and DNSKEY
//! RRsets of every zone from the trust anchor down. When a zone's re-signing
//! stops, validating resolvers answer SERVFAIL from the moment the first of
//! these expires (RFC 4035 §5.3.1), and DANE senders defer mail (RFC 7672
//! §2.1.1). [`SigExpiry`] names that first signature, so a check can warn
//! days ahead; the verdict decides what is "soon" (see `verdict::LookAhead`).

use hickory_proto::rr::{Name, RecordType};
use serde::{Deserialize, Serialize};

/// The signature that runs out first on a validated answer's path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigExpiry {
    /// Owner of the RRset the signature covers, absolute, A-labels.
    pub owner: String,
    /// Its type mnemonic ("TLSA", "DNSKEY", "NSEC3", …).
    pub rtype: String,
    /// Signature Inception, Unix seconds (RFC 4034 §3.1.5).
    pub inception: i64,
    /// Signature Expiration, Unix seconds (RFC 4034 §3.1.5).
    pub expiration: i64,
}

impl SigExpiry {
    pub(crate) fn new(owner: &Name, rtype: RecordType, inception: i64, expiration: i64) -> Self {
        Self { owner: owner.to_lowercase().to_ascii(), rtype: rtype.to_string(), inception, expiration }
    }

    /// The RRset, as "owner TYPE".
    #[must_use]
    pub fn rrset(&self) -> String {
        format!("{} {}", self.owner, self.rtype)
    }

    /// Seconds the signature was made valid for (Expiration − Inception).
    #[must_use]
    pub const fn validity(&self) -> i64 {
        self.expiration.saturating_sub(self.inception)
    }
}

/// The one of `a` and `b` that expires first (`None` counts as never).
pub(crate) fn earliest(a: Option<SigExpiry>, b: Option<SigExpiry>) -> Option<SigExpiry> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.expiration < a.expiration { b } else { a }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC};
    use hickory_proto::op::ResponseCode;
    use hickory_proto::rr::rdata::{A, CNAME};
    use hickory_proto::rr::{RData, Record};

    use super::*;
    use crate::dns::testkit::{NOW, World, Zone, n};

    const DAY: u64 = 86_400;

    fn a(owner: &str) -> Record {
        Record::from_rdata(n(owner), 300, RData::A(A::new(192, 0, 2, 1)))
    }

    /// `example.` with its DNSKEY RRset signed until `dnskey_until`.
    fn zone(dnskey_until: u64) -> (Zone, World) {
        let z = Zone::new("example.");
        let mut world = World::default();
        let keys = z.signed_between(vec![z.dnskey_record()], NOW - DAY, dnskey_until);
        world.answer("example.", RecordType::DNSKEY, ResponseCode::NoError, keys, vec![]);
        no_ds(&z, &mut world, "mx.example.", &[RecordType::A, RecordType::NSEC, RecordType::RRSIG]);
        (z, world)
    }

    /// A secure proof that `name` is no zone cut (its NSEC, valid for 60 days).
    fn no_ds(z: &Zone, world: &mut World, name: &str, types: &[RecordType]) {
        let nsec = Record::from_rdata(
            n(name),
            300,
            RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(n("zz.example."), types.iter().copied()))),
        );
        let proof = z.signed_between(vec![nsec], NOW - DAY, NOW + 60 * DAY);
        world.answer(name, RecordType::DS, ResponseCode::NoError, vec![], proof);
    }

    fn expiry_of(z: &Zone, world: &World, name: &str, rtype: RecordType) -> Option<SigExpiry> {
        let answer = world.lookup(z.anchor(), name, rtype);
        assert!(answer.data.proof().is_secure(), "{name} {rtype}: {}", answer.data.proof());
        answer.expiry
    }

    #[test]
    fn an_answer_names_the_first_signature_on_its_path_to_expire() {
        // The A RRset's own signature runs out before the zone's keys.
        let (z, mut world) = zone(NOW + 10 * DAY);
        world.answer(
            "mx.example.",
            RecordType::A,
            ResponseCode::NoError,
            z.signed_between(vec![a("mx.example.")], NOW - 12 * DAY, NOW + 2 * DAY),
            vec![],
        );
        let e = expiry_of(&z, &world, "mx.example.", RecordType::A).unwrap();
        assert_eq!(
            (e.rrset(), e.expiration, e.validity()),
            ("mx.example. A".into(), (NOW + 2 * DAY) as i64, 14 * DAY as i64)
        );
        // The keys run out first: the DNSKEY RRset is named.
        let (z, mut world) = zone(NOW + DAY);
        world.answer(
            "mx.example.",
            RecordType::A,
            ResponseCode::NoError,
            z.signed_between(vec![a("mx.example.")], NOW - DAY, NOW + 20 * DAY),
            vec![],
        );
        let e = expiry_of(&z, &world, "mx.example.", RecordType::A).unwrap();
        assert_eq!((e.rrset(), e.expiration), ("example. DNSKEY".into(), (NOW + DAY) as i64));
    }

    #[test]
    fn with_two_valid_signatures_the_later_one_counts() {
        // A re-signed RRset served with its old and new RRSIG stays valid
        // until the new one expires, in either order.
        let (z, mut world) = zone(NOW + 30 * DAY);
        let records = vec![a("mx.example.")];
        let old = z.sign_between(&records, 2, NOW - 13 * DAY, NOW + DAY);
        let new = z.sign_between(&records, 2, NOW - DAY, NOW + 13 * DAY);
        for sigs in [vec![old.clone(), new.clone()], vec![new, old]] {
            let answer = [records.clone(), sigs].concat();
            world.answer("mx.example.", RecordType::A, ResponseCode::NoError, answer, vec![]);
            let e = expiry_of(&z, &world, "mx.example.", RecordType::A).unwrap();
            assert_eq!(e.expiration, (NOW + 13 * DAY) as i64);
        }
    }

    #[test]
    fn denials_and_cname_links_count() {
        let (z, mut world) = zone(NOW + 30 * DAY);
        // A secure NODATA rests on the NSEC's signature.
        let nsec = Record::from_rdata(
            n("mx.example."),
            300,
            RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(
                n("example."),
                [RecordType::A, RecordType::NSEC, RecordType::RRSIG],
            ))),
        );
        let proof = z.signed_between(vec![nsec], NOW - DAY, NOW + 3 * DAY);
        world.answer("mx.example.", RecordType::TLSA, ResponseCode::NoError, vec![], proof);
        let e = expiry_of(&z, &world, "mx.example.", RecordType::TLSA).unwrap();
        assert_eq!((e.rrset(), e.expiration), ("mx.example. NSEC".into(), (NOW + 3 * DAY) as i64));
        // An alias: the CNAME's signature runs out first.
        let cname = Record::from_rdata(n("alias.example."), 300, RData::CNAME(CNAME(n("mx.example."))));
        let answer = [
            z.signed_between(vec![cname], NOW - DAY, NOW + 4 * DAY),
            z.signed_between(vec![a("mx.example.")], NOW - DAY, NOW + 9 * DAY),
        ]
        .concat();
        world.answer("alias.example.", RecordType::A, ResponseCode::NoError, answer.clone(), vec![]);
        // A DS query at an alias is answered with the CNAME (RFC 2181 §10.1).
        world.answer("alias.example.", RecordType::DS, ResponseCode::NoError, answer, vec![]);
        let e = expiry_of(&z, &world, "alias.example.", RecordType::A).unwrap();
        assert_eq!((e.rrset(), e.expiration), ("alias.example. CNAME".into(), (NOW + 4 * DAY) as i64));
    }

    #[test]
    fn answers_that_are_not_secure_have_no_expiry() {
        let (z, mut world) = zone(NOW + 30 * DAY);
        // Unsigned data in a signed zone: bogus, and no expiry to speak of.
        world.answer("mx.example.", RecordType::A, ResponseCode::NoError, vec![a("mx.example.")], vec![]);
        let answer = world.lookup(z.anchor(), "mx.example.", RecordType::A);
        assert!(!answer.data.proof().is_secure());
        assert_eq!(answer.expiry, None);
    }

    #[test]
    fn earliest_picks_the_first_to_expire_and_keeps_ties_stable() {
        let n = Name::from_ascii("Example.").unwrap();
        let a = SigExpiry::new(&n, RecordType::TLSA, 0, 100);
        let b = SigExpiry::new(&n, RecordType::DNSKEY, 0, 50);
        assert_eq!(a.owner, "example.");
        assert_eq!(a.rrset(), "example. TLSA");
        assert_eq!(earliest(Some(a.clone()), Some(b.clone())), Some(b.clone()));
        assert_eq!(earliest(Some(b.clone()), Some(a.clone())), Some(b.clone()));
        assert_eq!(earliest(None, Some(a.clone())), Some(a.clone()));
        assert_eq!(earliest(Some(a.clone()), None), Some(a.clone()));
        assert_eq!(earliest(None, None), None);
        let tie = SigExpiry::new(&n, RecordType::MX, 0, 100);
        assert_eq!(earliest(Some(a.clone()), Some(tie)), Some(a));
        assert_eq!(b.validity(), 50);
    }
}
