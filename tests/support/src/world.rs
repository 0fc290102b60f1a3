//! The test hierarchy: a root, the TLD `example.` and one zone per kind of
//! signing the catalogue needs (see tests/adversary/README.md for the map).
//! Keys are made afresh in each process; the world is built once.

use std::sync::OnceLock;

use hickory_proto::rr::RecordType;

use crate::answer::World;
use crate::zone::{Denial, KeyAlg, NOW, Nsec3Params, ZoneSpec, tlsa_rdata};

/// 32 bytes standing for a certificate digest: SHA-256 of `label`.
pub fn digest(label: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, label.as_bytes()).as_ref().to_vec()
}

/// The one test world of this process, signed for validation at [`NOW`].
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| build(NOW))
}

/// A mail zone: `@ MX 10 mx`, `mx` A and `_25._tcp.mx` TLSA 3 1 1.
///
/// Addresses are loopback (127.0.2.0/24, and ::1 for the one AAAA): the edge
/// test's probes reach nothing there, and the edge refuses documentation
/// ranges outright.
fn mail(spec: ZoneSpec, tag: &str) -> ZoneSpec {
    spec.mx("@", 10, "mx").a("mx", "127.0.2.10").tlsa("mx", 3, 1, 1, &digest(tag))
}

/// The test world with fresh keys, signed for validation at `now` (the
/// edge test uses the clock: workerd has no `--at`).
pub fn build(now: u64) -> World {
    let p256 = KeyAlg::P256;
    let salt = vec![0xaa, 0xbb, 0xcc, 0xdd];
    let day = 86_400;
    let mut specs = vec![
        ZoneSpec::signed(".", p256),
        // The TLD, with a wildcard TLSA of its own (`*.example.`).
        ZoneSpec::signed("example.", p256).rec("*", tlsa_rdata(3, 1, 1, &digest("tld-wildcard"))),
        // NSEC zone with everything the catalogue splices.
        ZoneSpec::signed("nsec.example.", p256)
            .mx("@", 10, "mx")
            .a("mx", "127.0.2.1")
            .a("mx", "127.0.2.11")
            .aaaa("mx", "::1")
            .tlsa("mx", 3, 1, 1, &digest("nsec-mx"))
            .tlsa("mx", 3, 0, 1, &digest("nsec-mx-cert"))
            .a("mx2", "127.0.2.2")
            .mx("plain", 10, "mx2")
            .a("*.wild", "127.0.2.3")
            .rec("*.wild", tlsa_rdata(3, 1, 1, &digest("nsec-wild")))
            .a("sub.wild", "127.0.2.4")
            .cname("alias", "mx")
            .mx("aliasmail", 10, "alias")
            .cname("ext", "mx.unsigned.nsec.example.")
            .mx("extmail", 10, "ext")
            .cname("loop1", "loop2")
            .cname("loop2", "loop1")
            .dname("dn", "nsec3.example.")
            .cname("dangling", "nothing.nsec.example.")
            // Occluded data below the delegation to child.nsec.example., signed by a careless signer.
            .sloppy(
                "mx.child.nsec.example.",
                hickory_proto::rr::RData::A(hickory_proto::rr::rdata::A([203, 0, 113, 66].into())),
            ),
        mail(ZoneSpec::csk("child.nsec.example.", p256), "child-mx").a("mx2", "127.0.2.22"),
        mail(ZoneSpec::unsigned("unsigned.nsec.example."), "unsigned-mx"),
        // NSEC3 zone (salt aabbccdd, 5 iterations).
        ZoneSpec::csk("nsec3.example.", p256)
            .nsec3(&salt, 5, false)
            .mx("@", 10, "mx")
            .a("mx", "127.0.2.51")
            .tlsa("mx", 3, 1, 1, &digest("nsec3-mx"))
            .tlsa("mx", 3, 0, 1, &digest("nsec3-mx-cert"))
            .a("mx2", "127.0.2.52")
            .mx("plain", 10, "mx2")
            .a("*.wild", "127.0.2.53")
            .rec("*.wild", tlsa_rdata(3, 1, 1, &digest("nsec3-wild")))
            .a("sub.wild", "127.0.2.54")
            .cname("alias", "mx"),
        // NSEC3 opt-out with a signed and an unsigned delegation.
        mail(ZoneSpec::csk("optout.example.", p256).nsec3(&[], 0, true), "optout-mx"),
        mail(ZoneSpec::csk("signed.optout.example.", p256), "signed-optout-mx"),
        mail(ZoneSpec::unsigned("unsigned.optout.example."), "unsigned-optout-mx"),
        // A careless signer that signed an out-of-zone wildcard `*.example.` TLSA.
        ZoneSpec::csk("sloppy.example.", p256)
            .mx("@", 10, "mx")
            .a("mx", "127.0.2.61")
            .sloppy("*.example.", tlsa_rdata(3, 1, 1, &digest("sloppy-wildcard"))),
        // Two NSEC3 chains at once (RFC 5155 §7.3, a re-salting in progress).
        mail(
            ZoneSpec::csk("nsec3x.example.", p256).denial(Denial::Nsec3(vec![
                Nsec3Params { salt: vec![1], iterations: 0, opt_out: false },
                Nsec3Params { salt: vec![2], iterations: 0, opt_out: false },
            ])),
            "nsec3x-mx",
        ),
        // 200 NSEC3 iterations: above the limit of RFC 9276 §3.2.
        mail(ZoneSpec::csk("it200.example.", p256).nsec3(&[0x01, 0x02], 200, false), "it200-mx").a("mx2", "127.0.2.72"),
        // Compact denial of existence (RFC 9824).
        mail(ZoneSpec::csk("compact.example.", p256).denial(Denial::Compact), "compact-mx")
            .a("mx2", "127.0.2.82")
            .mx("plain", 10, "mx2"),
        // NSEC3 white lies (RFC 7129 Appendix B).
        mail(
            ZoneSpec::csk("whitelies.example.", p256).denial(Denial::WhiteLies(Nsec3Params {
                salt: Vec::new(),
                iterations: 0,
                opt_out: false,
            })),
            "whitelies-mx",
        )
        .a("mx2", "127.0.2.92"),
        // Algorithms.
        mail(ZoneSpec::csk("ed25519.example.", KeyAlg::Ed25519), "ed25519-mx"),
        mail(ZoneSpec::csk("rsa.example.", KeyAlg::Rsa), "rsa-mx"),
        mail(ZoneSpec::csk("ed448.example.", KeyAlg::Fake { alg: 16, key_len: 57, sig_len: 114 }), "ed448-mx"),
        mail(ZoneSpec::csk("rsa512.example.", KeyAlg::Fake { alg: 8, key_len: 64, sig_len: 64 }), "rsa512-mx"),
        // Algorithm rollover (RFC 6840 §5.11): signed with two algorithms, DS for only one.
        {
            let mut s = mail(ZoneSpec::csk("rollover.example.", p256).key(KeyAlg::Ed25519, true, true), "rollover-mx");
            s.ds_algs = Some(vec![13]);
            s
        },
        // Both algorithms have a DS; some RRsets lack the ECDSA signature.
        mail(ZoneSpec::csk("rollmissing.example.", p256).key(KeyAlg::Ed25519, true, true), "rollmissing-mx")
            .skip_sig("mx", RecordType::A, 13)
            .skip_sig("_25._tcp.mx", RecordType::TLSA, 13),
        // DS digest types.
        {
            let mut s = mail(ZoneSpec::csk("ds1.example.", p256), "ds1-mx");
            s.ds_digests = vec![1];
            s
        },
        {
            let mut s = mail(ZoneSpec::csk("ds4.example.", p256), "ds4-mx");
            s.ds_digests = vec![4];
            s
        },
        {
            let mut s = mail(ZoneSpec::csk("dsunknown.example.", p256), "dsunknown-mx");
            s.ds_digests = vec![3, 2];
            s
        },
        {
            let mut s = mail(ZoneSpec::csk("dsunknownonly.example.", p256), "dsunknownonly-mx");
            s.ds_digests = vec![3];
            s
        },
        // A DS for a key the zone does not have (a stale DS after a key change).
        {
            let mut s = mail(ZoneSpec::csk("dsmismatch.example.", p256), "dsmismatch-mx");
            let stale = crate::zone::Key::generate(p256, true);
            s.extra_ds = vec![stale.ds(&s.apex, 2)];
            s.publish_ds = true;
            s.ds_algs = Some(vec![]);
            s
        },
        // Signature windows at the edges (RFC 4035 §5.3.1: inception <= now <= expiration).
        ZoneSpec::csk("edge.example.", p256)
            .a("start", "127.0.2.101")
            .a("end", "127.0.2.102")
            .window_of("start", RecordType::A, (0, day))
            .window_of("end", RecordType::A, (-day, 0)),
        // An unsigned delegation from the TLD.
        mail(ZoneSpec::unsigned("unsigned.example."), "unsigned-tld-mx"),
    ];
    // The root delegates `example.`; nothing else.
    specs.shrink_to_fit();
    World::build(specs, now)
}
