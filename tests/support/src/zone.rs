//! A DNSSEC zone signer for tests: keys (ECDSA P-256, Ed25519, RSA from a
//! fixed test key, and "fake" keys of algorithms nobody here implements),
//! RRSIGs over every authoritative RRset (RFC 4035 §2.2), NSEC chains
//! (RFC 4035 §2.3) and NSEC3 chains with salt, iterations, opt-out and empty
//! non-terminals (RFC 5155 §7.1), and DS records for the parent (RFC 4034 §5).
//!
//! Signatures are made by hickory-proto's signing keys over hickory's own
//! to-be-signed data (`TBS`), so the signer is independent of the validator
//! under test.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use hickory_proto::dnssec::crypto::{EcdsaSigningKey, Ed25519SigningKey, RsaSigningKey};
use hickory_proto::dnssec::rdata::sig::SigInput;
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS, NSEC, NSEC3, NSEC3PARAM, RRSIG};
use hickory_proto::dnssec::{Algorithm, DigestType, Nsec3HashAlgorithm, PublicKeyBuf, SigningKey, TBS};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, NULL, SOA, TLSA, TXT};
use hickory_proto::rr::{DNSClass, Label, Name, RData, Record, RecordType, SerialNumber};
use hickory_proto::serialize::binary::{BinDecodable, BinEncodable, BinEncoder};
use rustls_pki_types::PrivatePkcs8KeyDer;

/// The validation time of the tests: Friday 2027-01-15 08:00:00 UTC.
pub const NOW: u64 = 1_800_000_000;

/// The default signature window, relative to the validation time: from a
/// week before to thirty days after.
pub const WINDOW: (i64, i64) = (-7 * 86_400, 30 * 86_400);

/// A window relative to `now` as RRSIG inception and expiration (RFC 4034 §3.1.5: 32-bit serial times).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]
pub fn absolute(window: (i64, i64), now: u64) -> (u32, u32) {
    ((now as i64 + window.0) as u32, (now as i64 + window.1) as u32)
}

/// Default TTL of test records.
pub const TTL: u32 = 3600;

/// The RSA test key (2048 bits, PKCS#8 DER, generated once with
/// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -outform DER`).
const RSA_PKCS8: &[u8] = include_bytes!("../keys/rsa2048.pk8");

/// An absolute name from text; panics on bad test input.
pub fn name(s: &str) -> Name {
    let mut n = Name::from_ascii(s).unwrap_or_else(|e| panic!("name {s:?}: {e}"));
    n.set_fqdn(true);
    n
}

/// `label` prepended to `zone` ("@" is the zone itself); `label` may have dots.
pub fn rel(label: &str, zone: &Name) -> Name {
    if label == "@" {
        return zone.clone();
    }
    let mut n = Name::from_ascii(label).unwrap_or_else(|e| panic!("label {label:?}: {e}"));
    n.set_fqdn(false);
    n.append_domain(zone).unwrap_or_else(|e| panic!("{label}.{zone}: {e}"))
}

/// The key algorithms the signer can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlg {
    /// ECDSA P-256 with SHA-256 (algorithm 13).
    P256,
    /// Ed25519 (algorithm 15).
    Ed25519,
    /// RSA/SHA-256 (algorithm 8) with the fixed 2048-bit test key.
    Rsa,
    /// A key of algorithm `alg` with random public key bytes of `key_len` and
    /// random signatures of `sig_len` bytes: for algorithms (or key sizes)
    /// a validator does not implement, such as Ed448 (16).
    Fake { alg: u8, key_len: usize, sig_len: usize },
}

/// A signing key and its DNSKEY record.
pub struct Key {
    pub dnskey: DNSKEY,
    pub alg: Algorithm,
    pub tag: u16,
    signer: Option<Box<dyn SigningKey>>,
    sig_len: usize,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key(alg {}, tag {})", u8::from(self.alg), self.tag)
    }
}

/// Random bytes from ring's system generator.
pub fn random_bytes(len: usize) -> Vec<u8> {
    use ring::rand::SecureRandom;
    let mut out = vec![0; len];
    ring::rand::SystemRandom::new().fill(&mut out).unwrap_or_else(|_| panic!("no randomness"));
    out
}

impl Key {
    /// A fresh key; `ksk` sets the SEP flag (257, else 256).
    pub fn generate(alg: KeyAlg, ksk: bool) -> Self {
        let flags = if ksk { 257 } else { 256 };
        let (signer, public, alg, sig_len): (Option<Box<dyn SigningKey>>, PublicKeyBuf, Algorithm, usize) = match alg {
            KeyAlg::P256 => {
                let a = Algorithm::ECDSAP256SHA256;
                let doc = EcdsaSigningKey::generate_pkcs8(a).unwrap_or_else(|e| panic!("{e}"));
                let k = EcdsaSigningKey::from_pkcs8(&doc, a).unwrap_or_else(|e| panic!("{e}"));
                let public = k.to_public_key().unwrap_or_else(|e| panic!("{e}"));
                (Some(Box::new(k)), public, a, 0)
            }
            KeyAlg::Ed25519 => {
                let doc = Ed25519SigningKey::generate_pkcs8().unwrap_or_else(|e| panic!("{e}"));
                let k = Ed25519SigningKey::from_pkcs8(&doc).unwrap_or_else(|e| panic!("{e}"));
                let public = k.to_public_key().unwrap_or_else(|e| panic!("{e}"));
                (Some(Box::new(k)), public, Algorithm::ED25519, 0)
            }
            KeyAlg::Rsa => {
                let a = Algorithm::RSASHA256;
                let der = PrivatePkcs8KeyDer::from(RSA_PKCS8.to_vec());
                let k = RsaSigningKey::from_pkcs8(&der, a).unwrap_or_else(|e| panic!("{e}"));
                let public = k.to_public_key().unwrap_or_else(|e| panic!("{e}"));
                (Some(Box::new(k)), public, a, 0)
            }
            KeyAlg::Fake { alg, key_len, sig_len } => {
                let mut bytes = random_bytes(key_len);
                if alg == 8 || alg == 5 || alg == 7 || alg == 10 {
                    // RSA wire format (RFC 3110 §2): exponent length 3, 65537, then the modulus.
                    let mut rsa = vec![3, 1, 0, 1];
                    if let Some(b) = bytes.first_mut() {
                        *b |= 0x80;
                    }
                    rsa.extend(bytes);
                    bytes = rsa;
                }
                let a = Algorithm::from_u8(alg);
                (None, PublicKeyBuf::new(bytes, a), a, sig_len)
            }
        };
        let dnskey = DNSKEY::with_flags(flags, public);
        let tag = dnskey.calculate_key_tag().unwrap_or_else(|e| panic!("{e}"));
        Self { dnskey, alg, tag, signer, sig_len }
    }

    /// Signs `tbs` (a fake key makes random bytes).
    pub fn sign(&self, tbs: &TBS) -> Vec<u8> {
        match &self.signer {
            Some(s) => s.sign(tbs).unwrap_or_else(|e| panic!("{e}")),
            None => random_bytes(self.sig_len),
        }
    }

    /// The DS record for this key at `owner` with `digest_type` (1, 2 or 4;
    /// any other type gets 32 random bytes: a digest nobody here can check).
    pub fn ds(&self, owner: &Name, digest_type: u8) -> DS {
        let mut rdata = Vec::new();
        let mut enc = BinEncoder::new(&mut rdata);
        self.dnskey.emit(&mut enc).unwrap_or_else(|e| panic!("{e}"));
        let buf = [wire_name(owner), rdata].concat();
        let digest = match digest_type {
            1 => ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &buf).as_ref().to_vec(),
            2 => ring::digest::digest(&ring::digest::SHA256, &buf).as_ref().to_vec(),
            4 => ring::digest::digest(&ring::digest::SHA384, &buf).as_ref().to_vec(),
            _ => random_bytes(32),
        };
        DS::new(self.tag, self.alg, DigestType::from(digest_type), digest)
    }
}

/// The uncompressed, lowercase wire form of a name (RFC 4034 §6.2).
pub fn wire_name(n: &Name) -> Vec<u8> {
    let mut out = Vec::new();
    for label in n.iter() {
        out.push(u8::try_from(label.len()).unwrap_or(63));
        out.extend(label.iter().map(u8::to_ascii_lowercase));
    }
    out.push(0);
    out
}

/// The NSEC3 hash of a name (RFC 5155 §5), computed here with ring.
pub fn nsec3_hash(n: &Name, salt: &[u8], iterations: u16) -> Vec<u8> {
    let sha1 = |data: &[u8]| ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data).as_ref().to_vec();
    let mut h = sha1(&[wire_name(n), salt.to_vec()].concat());
    for _ in 0..iterations {
        h = sha1(&[h, salt.to_vec()].concat());
    }
    h
}

/// The NSEC3 owner name of `hash` in `zone` (base32hex, RFC 5155 §3).
pub fn hashed_owner(hash: &[u8], zone: &Name) -> Name {
    rel(&data_encoding::BASE32HEX_NOPAD.encode(hash).to_ascii_lowercase(), zone)
}

/// `hash + delta` as a 160-bit number, wrapping (RFC 7129 Appendix B "white lies").
pub fn hash_add(hash: &[u8], delta: i8) -> Vec<u8> {
    let mut out = hash.to_vec();
    if delta >= 0 {
        for _ in 0..delta {
            for b in out.iter_mut().rev() {
                let (v, carry) = b.overflowing_add(1);
                *b = v;
                if !carry {
                    break;
                }
            }
        }
    } else {
        for _ in 0..(-delta) {
            for b in out.iter_mut().rev() {
                let (v, borrow) = b.overflowing_sub(1);
                *b = v;
                if !borrow {
                    break;
                }
            }
        }
    }
    out
}

/// One NSEC3 chain's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nsec3Params {
    pub salt: Vec<u8>,
    pub iterations: u16,
    pub opt_out: bool,
}

/// How a zone denies existence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denial {
    /// An NSEC chain (RFC 4035 §2.3).
    Nsec,
    /// One or more NSEC3 chains (RFC 5155 §7.1); answers use the first.
    Nsec3(Vec<Nsec3Params>),
    /// Compact denial of existence (RFC 9824, "black lies"): NSEC records
    /// made on the fly, NXDOMAIN answered as NODATA with the NXNAME type.
    Compact,
    /// NSEC3 "white lies" (RFC 7129 Appendix B): minimally covering NSEC3
    /// records made on the fly around the hash of each name.
    WhiteLies(Nsec3Params),
}

/// A key and what it signs.
#[derive(Clone, Debug)]
pub struct ZoneKey {
    pub key: Arc<Key>,
    /// Signs the DNSKEY RRset (a KSK or CSK) and gets a DS in the parent.
    pub ksk: bool,
    /// Signs every other RRset (a ZSK or CSK).
    pub zsk: bool,
}

/// The NXNAME meta type of compact denial (RFC 9824 §2).
pub const NXNAME: RecordType = RecordType::Unknown(128);

/// A zone before signing.
#[derive(Clone, Debug)]
pub struct ZoneSpec {
    pub apex: Name,
    /// Empty: an unsigned zone.
    pub keys: Vec<ZoneKey>,
    pub denial: Denial,
    pub records: Vec<Record>,
    /// RRsets the (careless) signer signs although they are not part of the
    /// zone's name space: out-of-zone or occluded data. Never answered
    /// honestly; attacks replay them.
    pub sloppy: Vec<Record>,
    /// The signature window relative to the validation time.
    pub window: (i64, i64),
    /// Signature windows (relative) for particular RRsets.
    pub windows: Vec<(Name, RecordType, (i64, i64))>,
    /// RRsets left without a signature of one algorithm (name, type, algorithm).
    pub skip_sigs: Vec<(Name, RecordType, u8)>,
    /// Digest types of the DS records the parent publishes for each KSK.
    pub ds_digests: Vec<u8>,
    /// Algorithms whose KSKs get a DS (None: all).
    pub ds_algs: Option<Vec<u8>>,
    /// Extra DS records the parent publishes (e.g. for a key that is not there).
    pub extra_ds: Vec<DS>,
    /// Whether the parent publishes DS records at all.
    pub publish_ds: bool,
}

impl ZoneSpec {
    /// A zone signed with a KSK and a ZSK of `alg` and an NSEC chain.
    pub fn signed(apex: &str, alg: KeyAlg) -> Self {
        Self::unsigned(apex).key(alg, true, false).key(alg, false, true)
    }

    /// A zone signed with one combined key (CSK) of `alg` and an NSEC chain.
    pub fn csk(apex: &str, alg: KeyAlg) -> Self {
        Self::unsigned(apex).key(alg, true, true)
    }

    /// A zone without keys (its parent publishes no DS).
    pub fn unsigned(apex: &str) -> Self {
        let apex = name(apex);
        let mut spec = Self {
            apex: apex.clone(),
            keys: Vec::new(),
            denial: Denial::Nsec,
            records: Vec::new(),
            sloppy: Vec::new(),
            window: WINDOW,
            windows: Vec::new(),
            skip_sigs: Vec::new(),
            ds_digests: vec![2],
            ds_algs: None,
            extra_ds: Vec::new(),
            publish_ds: true,
        };
        let ns = rel("ns1", &apex);
        let soa = SOA::new(ns.clone(), rel("hostmaster", &apex), 2027011501, 7200, 3600, 1_209_600, 300);
        spec.records.push(Record::from_rdata(apex.clone(), TTL, RData::SOA(soa)));
        spec.records.push(Record::from_rdata(apex.clone(), TTL, RData::NS(NS(ns))));
        spec
    }

    /// Adds a key; `ksk` signs the DNSKEY RRset, `zsk` the rest.
    pub fn key(mut self, alg: KeyAlg, ksk: bool, zsk: bool) -> Self {
        self.keys.push(ZoneKey { key: Arc::new(Key::generate(alg, ksk)), ksk, zsk });
        self
    }

    pub fn denial(mut self, d: Denial) -> Self {
        self.denial = d;
        self
    }

    pub fn nsec3(self, salt: &[u8], iterations: u16, opt_out: bool) -> Self {
        self.denial(Denial::Nsec3(vec![Nsec3Params { salt: salt.to_vec(), iterations, opt_out }]))
    }

    /// Adds a record at `label` (relative to the apex; "@" for the apex).
    pub fn rec(mut self, label: &str, rdata: RData) -> Self {
        self.records.push(Record::from_rdata(rel(label, &self.apex), TTL, rdata));
        self
    }

    pub fn a(self, label: &str, ip: &str) -> Self {
        let ip: Ipv4Addr = ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}"));
        self.rec(label, RData::A(A(ip)))
    }

    pub fn aaaa(self, label: &str, ip: &str) -> Self {
        let ip: Ipv6Addr = ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}"));
        self.rec(label, RData::AAAA(AAAA(ip)))
    }

    pub fn mx(self, label: &str, pref: u16, host: &str) -> Self {
        let host = self.abs(host);
        self.rec(label, RData::MX(MX::new(pref, host)))
    }

    pub fn cname(self, label: &str, target: &str) -> Self {
        let target = self.abs(target);
        self.rec(label, RData::CNAME(CNAME(target)))
    }

    /// A DNAME (RFC 6672), as raw RDATA: hickory has no DNAME type.
    pub fn dname(self, label: &str, target: &str) -> Self {
        let target = name(target);
        self.rec(label, RData::Unknown { code: RecordType::DNAME, rdata: NULL::with(wire_name(&target)) })
    }

    pub fn txt(self, label: &str, text: &str) -> Self {
        self.rec(label, RData::TXT(TXT::new(vec![text.to_owned()])))
    }

    /// A TLSA record `usage selector matching data` at `_25._tcp.<host label>`.
    pub fn tlsa(self, host_label: &str, usage: u8, selector: u8, matching: u8, data: &[u8]) -> Self {
        let owner = if host_label == "@" { "_25._tcp".to_owned() } else { format!("_25._tcp.{host_label}") };
        self.rec(&owner, tlsa_rdata(usage, selector, matching, data))
    }

    /// A record the signer signs although it lies outside the zone's name space.
    pub fn sloppy(mut self, owner: &str, rdata: RData) -> Self {
        self.sloppy.push(Record::from_rdata(name(owner), TTL, rdata));
        self
    }

    /// Signs the RRset (`label`, `rtype`) with another window (relative to the validation time).
    pub fn window_of(mut self, label: &str, rtype: RecordType, window: (i64, i64)) -> Self {
        let n = rel(label, &self.apex);
        self.windows.push((n, rtype, window));
        self
    }

    pub fn skip_sig(mut self, label: &str, rtype: RecordType, alg: u8) -> Self {
        let n = rel(label, &self.apex);
        self.skip_sigs.push((n, rtype, alg));
        self
    }

    fn abs(&self, host: &str) -> Name {
        if host.ends_with('.') { name(host) } else { rel(host, &self.apex) }
    }

    /// The DS records the parent publishes.
    pub fn ds_records(&self) -> Vec<DS> {
        if !self.publish_ds {
            return Vec::new();
        }
        let mut out = Vec::new();
        for k in self.keys.iter().filter(|k| k.ksk) {
            if self.ds_algs.as_ref().is_some_and(|algs| !algs.contains(&u8::from(k.key.alg))) {
                continue;
            }
            for d in &self.ds_digests {
                out.push(k.key.ds(&self.apex, *d));
            }
        }
        out.extend(self.extra_ds.iter().cloned());
        out
    }
}

/// A TLSA RDATA.
pub fn tlsa_rdata(usage: u8, selector: u8, matching: u8, data: &[u8]) -> RData {
    RData::TLSA(TLSA::new(usage.into(), selector.into(), matching.into(), data.to_vec()))
}

/// One NSEC3 chain: its parameters and (hash, owner) in hash order.
pub type Chain = (Nsec3Params, Vec<(Vec<u8>, Name)>);

/// A signed zone: its RRsets, their signatures, and its denial chain.
#[derive(Debug)]
pub struct SignedZone {
    pub apex: Name,
    pub keys: Vec<ZoneKey>,
    pub denial: Denial,
    pub window: (u32, u32),
    pub rrsets: BTreeMap<Name, BTreeMap<u16, Vec<Record>>>,
    pub sigs: BTreeMap<Name, BTreeMap<u16, Vec<Record>>>,
    /// Delegation points (NS below the apex).
    pub cuts: BTreeSet<Name>,
    /// Every name of the zone's name space: owners and empty non-terminals, canonical order.
    pub names: BTreeSet<Name>,
    /// The NSEC3 chains: per chain, (hash, owner) in hash order.
    pub chains: Vec<Chain>,
    /// Signed records outside the name space, by (owner, type).
    pub sloppy: BTreeMap<Name, BTreeMap<u16, Vec<Record>>>,
}

fn put(map: &mut BTreeMap<Name, BTreeMap<u16, Vec<Record>>>, r: Record) {
    let entry = map.entry(r.name.to_lowercase()).or_default().entry(u16::from(r.record_type())).or_default();
    if !entry.contains(&r) {
        entry.push(r);
    }
}

/// Signs `records` (one RRset at `owner`) with `key` for zone `signer`.
pub fn sign_rrset(key: &Key, signer: &Name, owner: &Name, records: &[Record], window: (u32, u32)) -> Record {
    let rtype = records.first().map(Record::record_type).unwrap_or(RecordType::NULL);
    let ttl = records.first().map(|r| r.ttl).unwrap_or(TTL);
    let input = SigInput {
        type_covered: rtype,
        algorithm: key.alg,
        num_labels: owner.num_labels(),
        original_ttl: ttl,
        sig_expiration: SerialNumber::new(window.1),
        sig_inception: SerialNumber::new(window.0),
        key_tag: key.tag,
        signer_name: signer.clone(),
    };
    let tbs = TBS::from_input(owner, DNSClass::IN, &input, records.iter()).unwrap_or_else(|e| panic!("{e}"));
    let sig = key.sign(&tbs);
    Record::from_rdata(owner.clone(), ttl, RData::DNSSEC(DNSSECRData::RRSIG(RRSIG::from_sig(input, sig))))
}

impl SignedZone {
    /// Signs a zone for validation at `now`; `delegations` are the child
    /// zones' NS owners with their DS records.
    pub fn sign(spec: &ZoneSpec, delegations: &[(Name, Vec<DS>)], now: u64) -> Self {
        let apex = spec.apex.to_lowercase();
        let mut rrsets = BTreeMap::new();
        for r in &spec.records {
            put(&mut rrsets, r.clone());
        }
        for k in &spec.keys {
            put(
                &mut rrsets,
                Record::from_rdata(apex.clone(), TTL, RData::DNSSEC(DNSSECRData::DNSKEY(k.key.dnskey.clone()))),
            );
        }
        let mut cuts = BTreeSet::new();
        for (child, ds) in delegations {
            cuts.insert(child.to_lowercase());
            put(&mut rrsets, Record::from_rdata(child.clone(), TTL, RData::NS(NS(rel("ns1", child)))));
            for d in ds {
                put(&mut rrsets, Record::from_rdata(child.clone(), TTL, RData::DNSSEC(DNSSECRData::DS(d.clone()))));
            }
        }
        if let Denial::Nsec3(chains) = &spec.denial {
            for p in chains {
                let param = NSEC3PARAM::new(Nsec3HashAlgorithm::SHA1, false, p.iterations, p.salt.clone());
                put(&mut rrsets, Record::from_rdata(apex.clone(), 0, RData::DNSSEC(DNSSECRData::NSEC3PARAM(param))));
            }
        }
        // The name space: owners not below a cut, and the empty non-terminals above them.
        let mut names = BTreeSet::new();
        for owner in rrsets.keys() {
            if cuts.iter().any(|c| c != owner && c.zone_of(owner)) {
                continue;
            }
            let mut n = owner.clone();
            while apex.zone_of(&n) {
                names.insert(n.clone());
                if n == apex {
                    break;
                }
                n = n.base_name();
            }
        }
        let signed = !spec.keys.is_empty();
        let types_at = |rrsets: &BTreeMap<Name, BTreeMap<u16, Vec<Record>>>, n: &Name| -> Vec<RecordType> {
            rrsets.get(n).map(|m| m.keys().map(|t| RecordType::from(*t)).collect()).unwrap_or_default()
        };
        let mut chains = Vec::new();
        if signed {
            match &spec.denial {
                Denial::Nsec => {
                    let owners: Vec<&Name> = names.iter().filter(|n| rrsets.contains_key(*n)).collect();
                    let mut nsecs = Vec::new();
                    for (i, owner) in owners.iter().enumerate() {
                        let next = owners.get(i + 1).copied().unwrap_or(&apex).clone();
                        let mut types = types_at(&rrsets, owner);
                        types.extend([RecordType::RRSIG, RecordType::NSEC]);
                        nsecs.push(Record::from_rdata(
                            (*owner).clone(),
                            300,
                            RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(next, types))),
                        ));
                    }
                    for r in nsecs {
                        put(&mut rrsets, r);
                    }
                }
                Denial::Nsec3(params) => {
                    for p in params {
                        let mut chain: Vec<(Vec<u8>, Name)> = names
                            .iter()
                            .filter(|n| {
                                !(p.opt_out && cuts.contains(*n) && !types_at(&rrsets, n).contains(&RecordType::DS))
                            })
                            .map(|n| (nsec3_hash(n, &p.salt, p.iterations), n.clone()))
                            .collect();
                        chain.sort();
                        let mut records = Vec::new();
                        for (i, (h, n)) in chain.iter().enumerate() {
                            let next = chain.get((i + 1) % chain.len()).map(|(h, _)| h.clone()).unwrap_or_default();
                            let mut types = types_at(&rrsets, n);
                            let only_unsigned_ns = types == [RecordType::NS];
                            if !types.is_empty() && !only_unsigned_ns {
                                types.push(RecordType::RRSIG);
                            }
                            let nsec3 = NSEC3::new(
                                Nsec3HashAlgorithm::SHA1,
                                p.opt_out,
                                p.iterations,
                                p.salt.clone(),
                                next,
                                types,
                            );
                            records.push(Record::from_rdata(
                                hashed_owner(h, &apex),
                                300,
                                RData::DNSSEC(DNSSECRData::NSEC3(nsec3)),
                            ));
                        }
                        for r in records {
                            put(&mut rrsets, r);
                        }
                        chains.push((p.clone(), chain));
                    }
                }
                Denial::Compact | Denial::WhiteLies(_) => {}
            }
        }
        let mut zone = Self {
            apex: apex.clone(),
            keys: spec.keys.clone(),
            denial: spec.denial.clone(),
            window: absolute(spec.window, now),
            rrsets,
            sigs: BTreeMap::new(),
            cuts,
            names,
            chains,
            sloppy: BTreeMap::new(),
        };
        if signed {
            let mut sigs = Vec::new();
            for (owner, sets) in &zone.rrsets {
                for (t, records) in sets {
                    let rtype = RecordType::from(*t);
                    let at_cut = zone.cuts.contains(owner);
                    if at_cut && rtype != RecordType::DS && rtype != RecordType::NSEC && rtype != RecordType::NSEC3 {
                        continue; // the parent does not sign the delegation's NS (RFC 4035 §2.2)
                    }
                    let window = spec
                        .windows
                        .iter()
                        .find(|(n, wt, _)| n == owner && *wt == rtype)
                        .map(|(_, _, w)| absolute(*w, now))
                        .unwrap_or(zone.window);
                    for k in &zone.keys {
                        let role = if rtype == RecordType::DNSKEY { k.ksk } else { k.zsk };
                        if !role
                            || spec
                                .skip_sigs
                                .iter()
                                .any(|(n, st, a)| n == owner && *st == rtype && *a == u8::from(k.key.alg))
                        {
                            continue;
                        }
                        sigs.push(sign_rrset(&k.key, &apex, owner, records, window));
                    }
                }
            }
            for s in sigs {
                put(&mut zone.sigs, s);
            }
            let mut sloppy = BTreeMap::new();
            for r in &spec.sloppy {
                put(&mut sloppy, r.clone());
            }
            for (owner, sets) in &sloppy {
                for records in sets.values() {
                    for k in zone.keys.iter().filter(|k| k.zsk) {
                        let s = sign_rrset(&k.key, &apex, owner, records, zone.window);
                        put(&mut zone.sigs, s);
                    }
                }
            }
            zone.sloppy = sloppy;
        }
        zone
    }

    pub fn is_signed(&self) -> bool {
        !self.keys.is_empty()
    }

    /// The records of an RRset (not its signatures).
    pub fn rrset(&self, owner: &Name, rtype: RecordType) -> Option<Vec<Record>> {
        let owner = owner.to_lowercase();
        self.rrsets.get(&owner).and_then(|m| m.get(&u16::from(rtype))).cloned()
    }

    /// An out-of-name-space RRset the signer signed.
    pub fn sloppy_rrset(&self, owner: &Name, rtype: RecordType) -> Option<Vec<Record>> {
        self.sloppy.get(&owner.to_lowercase()).and_then(|m| m.get(&u16::from(rtype))).cloned()
    }

    /// The RRSIG records over (`owner`, `rtype`).
    pub fn sigs_of(&self, owner: &Name, rtype: RecordType) -> Vec<Record> {
        self.sigs
            .get(&owner.to_lowercase())
            .map(|m| {
                m.get(&u16::from(RecordType::RRSIG))
                    .into_iter()
                    .flatten()
                    .filter(
                        |r| matches!(&r.data, RData::DNSSEC(DNSSECRData::RRSIG(s)) if s.input().type_covered == rtype),
                    )
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The RRset with its signatures, if it exists.
    pub fn signed_rrset(&self, owner: &Name, rtype: RecordType) -> Option<Vec<Record>> {
        let mut out = self.rrset(owner, rtype).or_else(|| self.sloppy_rrset(owner, rtype))?;
        out.extend(self.sigs_of(owner, rtype));
        Some(out)
    }

    /// Signs records made on the fly (compact denial, white lies) with the data keys.
    pub fn sign_online(&self, records: Vec<Record>) -> Vec<Record> {
        let Some(first) = records.first() else { return records };
        let owner = first.name.clone();
        let mut out = records.clone();
        for k in self.keys.iter().filter(|k| k.zsk) {
            out.push(sign_rrset(&k.key, &self.apex, &owner, &records, self.window));
        }
        out
    }

    /// Whether `n` is in the zone's name space (an owner or an empty non-terminal).
    pub fn exists(&self, n: &Name) -> bool {
        self.names.contains(&n.to_lowercase())
    }

    /// The types at `n`.
    pub fn types_at(&self, n: &Name) -> Vec<RecordType> {
        self.rrsets.get(&n.to_lowercase()).map(|m| m.keys().map(|t| RecordType::from(*t)).collect()).unwrap_or_default()
    }

    /// The longest existing ancestor of `n` (RFC 4592 §3.3.1).
    pub fn closest_encloser(&self, n: &Name) -> Name {
        let mut c = n.to_lowercase();
        while !self.exists(&c) && c != self.apex && !c.is_root() {
            c = c.base_name();
        }
        c
    }

    /// The NSEC RRset (with RRSIGs) whose owner is `n`.
    pub fn nsec_at(&self, n: &Name) -> Vec<Record> {
        self.signed_rrset(n, RecordType::NSEC).unwrap_or_default()
    }

    /// The NSEC RRset (with RRSIGs) that covers `n` (owner < n < next, or the last one).
    pub fn nsec_covering(&self, n: &Name) -> Vec<Record> {
        let n = n.to_lowercase();
        let owners: Vec<&Name> =
            self.rrsets.iter().filter(|(_, m)| m.contains_key(&u16::from(RecordType::NSEC))).map(|(o, _)| o).collect();
        let mut sorted: Vec<&Name> = owners;
        sorted.sort();
        let owner = sorted.iter().rev().find(|o| ***o < n).or(sorted.last()).copied();
        owner.map(|o| self.nsec_at(o)).unwrap_or_default()
    }

    /// The NSEC3 record (with RRSIGs) of `chain` whose hash is `n`'s.
    pub fn nsec3_matching(&self, chain: usize, n: &Name) -> Vec<Record> {
        let Some((p, _)) = self.chains.get(chain) else { return Vec::new() };
        let owner = hashed_owner(&nsec3_hash(n, &p.salt, p.iterations), &self.apex);
        self.signed_rrset(&owner, RecordType::NSEC3).unwrap_or_default()
    }

    /// The NSEC3 record (with RRSIGs) of `chain` that covers `n`'s hash.
    pub fn nsec3_covering(&self, chain: usize, n: &Name) -> Vec<Record> {
        let Some((p, hashes)) = self.chains.get(chain) else { return Vec::new() };
        let h = nsec3_hash(n, &p.salt, p.iterations);
        let owner =
            hashes.iter().rev().find(|(x, _)| *x < h).or(hashes.last()).map(|(x, _)| hashed_owner(x, &self.apex));
        owner.and_then(|o| self.signed_rrset(&o, RecordType::NSEC3)).unwrap_or_default()
    }

    /// The NSEC3 record (with RRSIGs) of `chain` whose span covers the raw hash `h`.
    pub fn nsec3_covering_hash(&self, chain: usize, h: &[u8]) -> Vec<Record> {
        let Some((_, hashes)) = self.chains.get(chain) else { return Vec::new() };
        let owner = hashes
            .iter()
            .rev()
            .find(|(x, _)| x.as_slice() < h)
            .or(hashes.last())
            .map(|(x, _)| hashed_owner(x, &self.apex));
        owner.and_then(|o| self.signed_rrset(&o, RecordType::NSEC3)).unwrap_or_default()
    }

    /// The NSEC3 record (with RRSIGs) of `chain` whose next hash is `n`'s hash.
    pub fn nsec3_preceding(&self, chain: usize, n: &Name) -> Vec<Record> {
        let Some((p, hashes)) = self.chains.get(chain) else { return Vec::new() };
        let h = nsec3_hash(n, &p.salt, p.iterations);
        let Some(i) = hashes.iter().position(|(x, _)| *x == h) else { return Vec::new() };
        let prev = &hashes[(i + hashes.len() - 1) % hashes.len()].0;
        self.signed_rrset(&hashed_owner(prev, &self.apex), RecordType::NSEC3).unwrap_or_default()
    }

    /// The SOA RRset with its signatures, for negative answers.
    pub fn soa(&self) -> Vec<Record> {
        self.signed_rrset(&self.apex, RecordType::SOA).unwrap_or_default()
    }
}

/// A wildcard name `*.<n>`.
pub fn wildcard(n: &Name) -> Name {
    n.prepend_label(Label::wildcard()).unwrap_or_else(|e| panic!("{e}"))
}

/// The DNAME target in raw RDATA.
pub fn dname_target(r: &Record) -> Option<Name> {
    match &r.data {
        RData::Unknown { code: RecordType::DNAME, rdata } => {
            let bytes = &rdata.anything;
            let mut d = hickory_proto::serialize::binary::BinDecoder::new(bytes);
            Name::read(&mut d).ok()
        }
        _ => None,
    }
}
