//! The catalogue: attacks on the signed data of [`crate::world`], each a
//! transformation of the honest answers (splicing, replaying, stripping,
//! re-labelling signed records; never a forged signature), with the RFC
//! rule it breaks and the status a validator must give. Beside the attacks
//! stand valid answers from zones the lab does not have (compact denial,
//! white lies, algorithm rollovers, digest types, unsupported algorithms),
//! which must validate exactly as on the Internet.

use std::sync::{Arc, OnceLock};

use geleit::dns::{
    AnswerData, Config, HostOutcome, Lookup, Name, RecordType, SmtpCheck, SmtpReport, Status, TrustAnchors,
};
use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::{A, CNAME, NULL};
use hickory_proto::rr::{RData, Record};

use crate::answer::{Response, World};
use crate::world::digest;
use crate::zone::{Key, KeyAlg, name, nsec3_hash, sign_rrset, tlsa_rdata, wire_name};

/// How the answers of a case relate to the zones' real data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Spliced or replayed data: must never validate as secure.
    Forged,
    /// The zones' real data: must validate as the RFCs say.
    Valid,
    /// Real data of a zone that is itself broken (a stale DS, a CNAME loop).
    Broken,
    /// Real data with junk beside it that a validator may ignore or reject.
    Noise,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Forged => "forged",
            Self::Valid => "valid",
            Self::Broken => "broken",
            Self::Noise => "noise",
        }
    }
}

/// What the answer holds, for cases that care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data {
    Records,
    NoData,
    NxDomain,
}

/// What `SmtpCheck` (and `geleit check --no-probe`) must say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckExpect {
    /// The mail domain checked.
    pub domain: &'static str,
    pub dane_ready: bool,
    /// The first MX host's outcome; `None`: no host (the MX lookup failed).
    pub first_host: Option<HostOutcome>,
}

/// The expectation of a lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// Acceptable statuses, the one the RFCs call for first.
    pub status: &'static [Status],
    pub data: Option<Data>,
    /// The answer's TTL may not exceed this.
    pub max_ttl: Option<u32>,
}

/// The responses a run was served: (lowercase name, type, wire message).
pub type Served = Vec<(String, String, Vec<u8>)>;

/// A response transformation: the honest response in, what the adversary sends out (`None`: no answer).
pub type Tamper = Arc<dyn Fn(&World, Response) -> Option<Response> + Send + Sync>;

/// One case of the catalogue.
#[derive(Clone)]
pub struct Case {
    pub name: &'static str,
    pub kind: Kind,
    /// The rule the attack breaks (or the valid data follows).
    pub rfc: &'static str,
    pub what: &'static str,
    pub qname: &'static str,
    pub qtype: RecordType,
    pub expect: Expect,
    pub check: Option<CheckExpect>,
    pub tamper: Tamper,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} {})", self.name, self.qname, self.qtype)
    }
}

impl Case {
    /// The adversary's answer to (`qname`, `qtype`) in this case.
    pub fn respond(&self, w: &World, qname: &Name, qtype: RecordType) -> Option<Response> {
        (self.tamper)(w, w.answer(qname, qtype))
    }

    /// The adversary's answer on the wire.
    pub fn respond_wire(&self, w: &World, qname: &Name, qtype: RecordType) -> Option<Vec<u8>> {
        self.respond(w, qname, qtype).map(|r| r.to_wire())
    }

    /// The trust anchor configuration of the world.
    pub fn config(w: &World) -> Config {
        Config { anchors: TrustAnchors::scan(&w.anchor).unwrap_or_else(|e| panic!("{e}")), ..Config::default() }
    }

    /// Runs `geleit::dns::Lookup` for the case's question against the adversary;
    /// returns the answer and the responses served as (name, type, wire).
    pub fn lookup(&self, w: &World) -> (geleit::dns::Answer, Served) {
        let mut served = Vec::new();
        let mut l = Lookup::new(name(self.qname), self.qtype, Self::config(w), w.now);
        while !l.is_done() {
            for q in l.poll_queries() {
                match self.respond_wire(w, q.name(), q.rtype()) {
                    Some(bytes) => {
                        served.push((q.name().to_ascii().to_ascii_lowercase(), q.rtype().to_string(), bytes.clone()));
                        l.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}"));
                    }
                    None => l.handle_error(q.id(), "the adversary dropped the query").unwrap_or_else(|e| panic!("{e}")),
                }
            }
        }
        (l.poll_result().cloned().unwrap_or_else(|| panic!("no answer")), served)
    }

    /// Runs `geleit::dns::SmtpCheck` for the case's mail domain, if it has one.
    pub fn smtp_check(&self, w: &World) -> Option<(SmtpReport, Served)> {
        let c = self.check.as_ref()?;
        let mut served = Vec::new();
        let mut check = SmtpCheck::new(name(c.domain), Self::config(w), w.now);
        while !check.is_done() {
            for q in check.poll_queries() {
                match self.respond_wire(w, q.name(), q.rtype()) {
                    Some(bytes) => {
                        served.push((q.name().to_ascii().to_ascii_lowercase(), q.rtype().to_string(), bytes.clone()));
                        check.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}"));
                    }
                    None => {
                        check.handle_error(q.id(), "the adversary dropped the query").unwrap_or_else(|e| panic!("{e}"))
                    }
                }
            }
        }
        Some((check.poll_result().cloned().unwrap_or_else(|| panic!("no report")), served))
    }

    /// Whether an answer meets the expectation; `Err` says how it does not.
    pub fn judge(&self, a: &geleit::dns::Answer) -> Result<(), String> {
        let status = a.status();
        if !self.expect.status.contains(&status) {
            return Err(format!("status {status}, expected {}: {}", statuses(self.expect.status), a.data.proof()));
        }
        if self.kind == Forged && status == Status::Secure {
            return Err("forged data validated as secure".into());
        }
        if let Some(d) = self.expect.data {
            let got = match a.data.with_proof().1 {
                AnswerData::Records(_) => Some(Data::Records),
                AnswerData::NoData => Some(Data::NoData),
                AnswerData::NxDomain => Some(Data::NxDomain),
                _ => None,
            };
            if got != Some(d) {
                return Err(format!("answer {got:?}, expected {d:?}"));
            }
        }
        if let Some(max) = self.expect.max_ttl
            && a.ttl > max
        {
            return Err(format!("TTL {} above the signed original TTL {max}", a.ttl));
        }
        Ok(())
    }

    /// Whether a check report meets the expectation.
    pub fn judge_check(&self, r: &SmtpReport) -> Result<(), String> {
        let Some(c) = &self.check else { return Ok(()) };
        let first = r.hosts.first().map(|h| h.outcome);
        if r.dane_ready != c.dane_ready || first != c.first_host {
            return Err(format!(
                "check {}: dane_ready {} first host {first:?}, expected {} {:?} (MX {}; {})",
                c.domain,
                r.dane_ready,
                c.dane_ready,
                c.first_host,
                r.mx_proof,
                r.hosts.first().map(|h| h.why.clone()).unwrap_or_default()
            ));
        }
        Ok(())
    }
}

/// "a or b".
pub fn statuses(s: &[Status]) -> String {
    s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" or ")
}

// ----- building blocks -------------------------------------------------------

fn tamper(f: impl Fn(&World, Response) -> Option<Response> + Send + Sync + 'static) -> Tamper {
    Arc::new(f)
}

fn honest() -> Tamper {
    tamper(|_, r| Some(r))
}

/// Applies `f` to the response to (`qname`, `qtype`) only.
fn on(
    qname: &'static str,
    qtype: RecordType,
    f: impl Fn(&World, Response) -> Option<Response> + Send + Sync + 'static,
) -> Tamper {
    let n = name(qname);
    tamper(move |w, r| if r.qname == n && r.qtype == qtype { f(w, r) } else { Some(r) })
}

/// Applies `f` to every response.
fn every(f: impl Fn(&World, Response) -> Option<Response> + Send + Sync + 'static) -> Tamper {
    tamper(f)
}

fn is_sig_over(r: &Record, t: RecordType) -> bool {
    matches!(&r.data, RData::DNSSEC(DNSSECRData::RRSIG(s)) if s.input().type_covered == t)
}

/// Records of type `t` and the RRSIGs over them.
fn is_set(r: &Record, t: RecordType) -> bool {
    r.record_type() == t || is_sig_over(r, t)
}

fn renamed(records: Vec<Record>, owner: &Name) -> Vec<Record> {
    records
        .into_iter()
        .map(|mut r| {
            r.name = owner.clone();
            r
        })
        .collect()
}

fn unsigned(owner: &str, rdata: RData) -> Record {
    Record::from_rdata(name(owner), 3600, rdata)
}

fn a(ip: [u8; 4]) -> RData {
    RData::A(A(ip.into()))
}

/// A window that ended a month before the validation time: signatures an attacker kept.
const OLD: (i64, i64) = (-60 * 86_400, -30 * 86_400);

/// The attacker's own key: no DS anywhere vouches for it.
fn attacker_key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::generate(KeyAlg::P256, true))
}

/// `records` signed by the zone `apex`'s data key in `window` (relative to
/// the validation time: a signature the zone made at another time).
fn zone_signed(w: &World, apex: &str, records: Vec<Record>, window: (i64, i64)) -> Vec<Record> {
    let window = crate::zone::absolute(window, w.now);
    let z = w.zone(apex);
    let owner = records.first().map(|r| r.name.clone()).unwrap_or_else(Name::root);
    let mut out = records.clone();
    for k in z.keys.iter().filter(|k| k.zsk) {
        out.push(sign_rrset(&k.key, &z.apex, &owner, &records, window));
    }
    out
}

/// `records` signed by the attacker's key, claiming to be zone `signer`.
fn attacker_signed(w: &World, signer: &str, records: Vec<Record>) -> Vec<Record> {
    let owner = records.first().map(|r| r.name.clone()).unwrap_or_else(Name::root);
    let mut out = records.clone();
    out.push(sign_rrset(
        attacker_key(),
        &name(signer),
        &owner,
        &records,
        crate::zone::absolute(crate::zone::WINDOW, w.now),
    ));
    out
}

/// A NOERROR response with `authority` and no answer.
fn denial(mut r: Response, rcode: ResponseCode, authority: Vec<Record>) -> Option<Response> {
    r.rcode = rcode;
    r.answers.clear();
    r.authorities = authority;
    Some(r)
}

/// The signed wildcard RRset at `star` of zone `apex` (or its careless extra data), expanded to `qname`.
fn expanded(w: &World, apex: &str, star: &str, qname: &Name, t: RecordType) -> Vec<Record> {
    let set = w.zone(apex).signed_rrset(&name(star), t).unwrap_or_else(|| panic!("no {star} {t} in {apex}"));
    renamed(set, qname)
}

/// Uppercases a name as it goes on the wire.
fn upper(n: &Name) -> Name {
    let mut u = Name::from_ascii(n.to_ascii().to_ascii_uppercase()).unwrap_or_else(|_| n.clone());
    u.set_fqdn(true);
    u
}

fn upper_record(mut r: Record) -> Record {
    r.name = upper(&r.name);
    r.data = match r.data {
        RData::CNAME(c) => RData::CNAME(CNAME(upper(&c.0))),
        RData::MX(m) => RData::MX(hickory_proto::rr::rdata::MX::new(m.preference, upper(&m.exchange))),
        RData::DNSSEC(DNSSECRData::RRSIG(s)) => {
            let mut input = s.input().clone();
            input.signer_name = upper(&input.signer_name);
            RData::DNSSEC(DNSSECRData::RRSIG(hickory_proto::dnssec::rdata::RRSIG::from_sig(input, s.sig().to_vec())))
        }
        other => other,
    };
    r
}

// ----- the catalogue ---------------------------------------------------------

const SECURE: &[Status] = &[Status::Secure];
const INSECURE: &[Status] = &[Status::Insecure];
const BOGUS: &[Status] = &[Status::Bogus];
const INDETERMINATE: &[Status] = &[Status::Indeterminate];

struct B(Case);

fn case(
    name: &'static str,
    kind: Kind,
    rfc: &'static str,
    what: &'static str,
    q: (&'static str, RecordType),
    status: &'static [Status],
    tamper: Tamper,
) -> B {
    B(Case {
        name,
        kind,
        rfc,
        what,
        qname: q.0,
        qtype: q.1,
        expect: Expect { status, data: None, max_ttl: None },
        check: None,
        tamper,
    })
}

impl B {
    fn data(mut self, d: Data) -> Self {
        self.0.expect.data = Some(d);
        self
    }
    fn max_ttl(mut self, t: u32) -> Self {
        self.0.expect.max_ttl = Some(t);
        self
    }
    fn check(mut self, domain: &'static str, dane_ready: bool, first_host: Option<HostOutcome>) -> Self {
        self.0.check = Some(CheckExpect { domain, dane_ready, first_host });
        self
    }
    /// A forged TLSA answer must defer delivery, never make the host DANE-ready.
    fn deferred(self, domain: &'static str) -> Self {
        self.check(domain, false, Some(HostOutcome::Deferred))
    }
    /// The MX lookup itself fails: delivery deferred, no host.
    fn mx_deferred(self, domain: &'static str) -> Self {
        self.check(domain, false, None)
    }
    fn dane(self, domain: &'static str) -> Self {
        self.check(domain, true, Some(HostOutcome::DaneRequired))
    }
    fn no_dane(self, domain: &'static str) -> Self {
        self.check(domain, false, Some(HostOutcome::NoDane))
    }
}

use Kind::{Broken, Forged, Noise, Valid};
use RecordType as T;

const TLSA_MX: &str = "_25._tcp.mx.nsec.example.";
const TLSA_MX2: &str = "_25._tcp.mx2.nsec.example.";
const TLSA_MX_N3: &str = "_25._tcp.mx.nsec3.example.";
const TLSA_CHILD: &str = "_25._tcp.mx.child.nsec.example.";

/// Every case, attacks first.
#[allow(clippy::too_many_lines)]
pub fn catalogue() -> Vec<Case> {
    let mut c: Vec<B> = Vec::new();

    // --- wildcards ---------------------------------------------------------
    c.push(case(
        "wildcard-nsec-next-closer-exists",
        Forged,
        "RFC 4035 §5.3.4, RFC 4592 §4.4: a wildcard answer needs proof that the next closer name does not exist",
        "*.wild A replayed for x.sub.wild with the NSEC covering x.sub.wild, although sub.wild exists",
        ("x.sub.wild.nsec.example.", T::A),
        BOGUS,
        on("x.sub.wild.nsec.example.", T::A, |w, mut r| {
            r.rcode = ResponseCode::NoError;
            r.answers = expanded(w, "nsec.example.", "*.wild.nsec.example.", &r.qname, T::A);
            r.authorities = w.zone("nsec.example.").nsec_covering(&r.qname);
            Some(r)
        }),
    ));
    c.push(case(
        "wildcard-nsec-proof-stripped",
        Forged,
        "RFC 4035 §5.3.4: an expanded wildcard answer without the NSEC proving no closer match",
        "foo.wild A (a real wildcard expansion) with its NSEC removed",
        ("foo.wild.nsec.example.", T::A),
        BOGUS,
        on("foo.wild.nsec.example.", T::A, |_, mut r| {
            r.strip(|x| is_set(x, T::NSEC));
            Some(r)
        }),
    ));
    c.push(case(
        "wildcard-nsec3-proof-stripped",
        Forged,
        "RFC 5155 §8.8: a wildcard answer needs the NSEC3 covering the next closer name",
        "foo.wild A in an NSEC3 zone with its NSEC3 removed",
        ("foo.wild.nsec3.example.", T::A),
        BOGUS,
        on("foo.wild.nsec3.example.", T::A, |_, mut r| {
            r.strip(|x| is_set(x, T::NSEC3));
            Some(r)
        }),
    ));
    c.push(case(
        "wildcard-nsec3-next-closer-exists",
        Forged,
        "RFC 5155 §8.8: the next closer name (from the RRSIG labels) must be covered",
        "*.wild A replayed for x.sub.wild with the NSEC3 covering x.sub.wild's hash, although sub.wild exists",
        ("x.sub.wild.nsec3.example.", T::A),
        BOGUS,
        on("x.sub.wild.nsec3.example.", T::A, |w, mut r| {
            r.rcode = ResponseCode::NoError;
            r.answers = expanded(w, "nsec3.example.", "*.wild.nsec3.example.", &r.qname, T::A);
            r.authorities = w.zone("nsec3.example.").nsec3_covering(0, &r.qname);
            Some(r)
        }),
    ));
    c.push(case(
        "wildcard-nsec3-closest-encloser-only",
        Forged,
        "RFC 5155 §8.8: a matching closest encloser alone does not prove the wildcard applies",
        "a.b.wild A expanded from *.wild with only the NSEC3 matching wild.nsec3.example.",
        ("a.b.wild.nsec3.example.", T::A),
        BOGUS,
        on("a.b.wild.nsec3.example.", T::A, |w, mut r| {
            r.authorities = w.zone("nsec3.example.").nsec3_matching(0, &name("wild.nsec3.example."));
            Some(r)
        }),
    ));
    c.push(
        case(
            "wildcard-replayed-at-other-depth",
            Forged,
            "RFC 4035 §5.3.2: the signed owner is rebuilt from the RRSIG labels; *.wild's signature does not cover *.mx2",
            "the *.wild TLSA RRset and its RRSIG served for _25._tcp.mx2",
            (TLSA_MX2, T::TLSA),
            BOGUS,
            on(TLSA_MX2, T::TLSA, |w, mut r| {
                r.rcode = ResponseCode::NoError;
                r.answers = expanded(w, "nsec.example.", "*.wild.nsec.example.", &r.qname, T::TLSA);
                r.authorities = w.zone("nsec.example.").nsec_covering(&r.qname);
                Some(r)
            }),
        )
        .deferred("plain.nsec.example."),
    );
    c.push(
        case(
            "wildcard-labels-above-signer",
            Forged,
            "RFC 4035 §5.3.1 (the RRset must lie in the signer's zone), §5.3.4: RRSIG labels below the signer's label count",
            "a `*.example.` TLSA that sloppy.example.'s signer signed (labels 1) expanded at _25._tcp.mx.sloppy.example. with the NSEC covering it",
            ("_25._tcp.mx.sloppy.example.", T::TLSA),
            BOGUS,
            on("_25._tcp.mx.sloppy.example.", T::TLSA, |w, mut r| {
                r.rcode = ResponseCode::NoError;
                r.answers = expanded(w, "sloppy.example.", "*.example.", &r.qname, T::TLSA);
                r.authorities = w.zone("sloppy.example.").nsec_covering(&r.qname);
                Some(r)
            }),
        )
        .deferred("sloppy.example."),
    );
    c.push(case(
        "wildcard-expanded-over-existing-name",
        Forged,
        "RFC 4592 §2.2.1: a wildcard never matches a name that exists",
        "*.wild A served for sub.wild (which has its own A) with the NSEC at *.wild",
        ("sub.wild.nsec.example.", T::A),
        BOGUS,
        on("sub.wild.nsec.example.", T::A, |w, mut r| {
            r.answers = expanded(w, "nsec.example.", "*.wild.nsec.example.", &r.qname, T::A);
            r.authorities = w.zone("nsec.example.").nsec_at(&name("*.wild.nsec.example."));
            Some(r)
        }),
    ));
    c.push(case(
        "wildcard-nodata-wildcard-nsec-stripped",
        Forged,
        "RFC 4035 §3.1.3.4: wildcard NODATA needs the NSEC at the wildcard",
        "foo.wild MX (wildcard NODATA) without the NSEC at *.wild",
        ("foo.wild.nsec.example.", T::MX),
        BOGUS,
        on("foo.wild.nsec.example.", T::MX, |_, mut r| {
            let star = name("*.wild.nsec.example.");
            r.authorities.retain(|x| x.name != star);
            Some(r)
        }),
    ));
    c.push(
        case(
            "tld-wildcard-replayed-into-child",
            Forged,
            "RFC 4035 §5.3.1: the RRSIG's signer must be the zone that holds the name",
            "the TLD's *.example. TLSA (signer example.) expanded at _25._tcp.mx2.nsec.example.",
            (TLSA_MX2, T::TLSA),
            BOGUS,
            on(TLSA_MX2, T::TLSA, |w, mut r| {
                r.rcode = ResponseCode::NoError;
                r.answers = expanded(w, "example.", "*.example.", &r.qname, T::TLSA);
                r.authorities = w.zone("example.").nsec_covering(&r.qname);
                Some(r)
            }),
        )
        .deferred("plain.nsec.example."),
    );

    // --- denial replays ------------------------------------------------------
    c.push(
        case(
            "tlsa-denied-by-nsec-of-parent-name",
            Forged,
            "RFC 4035 §5.4: NODATA needs the NSEC at the name; the NSEC at mx ends at the TLSA name",
            "the TLSA hidden behind NOERROR and the NSEC at mx.nsec.example.",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |w, r| {
                let z = w.zone("nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&name("mx.nsec.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "tlsa-nxdomain-for-existing-name",
            Forged,
            "RFC 4035 §5.4: NXDOMAIN needs an NSEC covering the name and one covering the wildcard",
            "NXDOMAIN for the existing TLSA name with the neighbouring NSECs",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |w, r| {
                let z = w.zone("nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_covering(&r.qname));
                auth.extend(z.nsec_covering(&name("*.mx.nsec.example.")));
                denial(r, ResponseCode::NXDomain, auth)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "tlsa-nodata-with-own-nsec",
            Forged,
            "RFC 4035 §5.4: NODATA only if the NSEC bitmap lacks the type",
            "NOERROR/NODATA for the TLSA with the name's own NSEC, whose bitmap lists TLSA",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |w, r| {
                let z = w.zone("nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&r.qname));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "tlsa-denied-by-nsec-from-other-zone",
            Forged,
            "RFC 4035 §5.3.1: the denial's RRSIG signer must be the zone of the name",
            "the TLSA hidden behind NSECs of example. and child.nsec.example.",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |w, r| {
                let mut auth = w.zone("example.").nsec_at(&name("nsec.example."));
                auth.extend(w.zone("child.nsec.example.").nsec_at(&name("child.nsec.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "tlsa-denied-by-expired-nsec",
            Forged,
            "RFC 4035 §5.3.1: the NSEC's RRSIG must be within its validity period",
            "an NSEC mx→mx2 from before the TLSA existed, signed by the zone's key, expired a month ago",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |w, r| {
                let old = Record::from_rdata(
                    name("mx.nsec.example."),
                    300,
                    RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(
                        name("mx2.nsec.example."),
                        [T::A, T::AAAA, T::RRSIG, T::NSEC],
                    ))),
                );
                let mut auth = w.zone("nsec.example.").soa();
                auth.extend(zone_signed(w, "nsec.example.", vec![old], OLD));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "nsec3-mixed-chains-false-nxdomain",
            Forged,
            "RFC 5155 §1.3, §8.3: a name is covered only by an NSEC3 whose own salt and iterations hash it",
            "NXDOMAIN for the TLSA of a zone with two NSEC3 chains: the closest encloser from chain 1, the covers from chain 2's spans",
            ("_25._tcp.mx.nsec3x.example.", T::TLSA),
            BOGUS,
            on("_25._tcp.mx.nsec3x.example.", T::TLSA, |w, r| {
                let z = w.zone("nsec3x.example.");
                let (p0, _) = &z.chains[0];
                let nc = nsec3_hash(&name("_tcp.mx.nsec3x.example."), &p0.salt, p0.iterations);
                let star = nsec3_hash(&name("*.mx.nsec3x.example."), &p0.salt, p0.iterations);
                let mut auth = z.soa();
                auth.extend(z.nsec3_matching(0, &name("mx.nsec3x.example.")));
                auth.extend(z.nsec3_covering_hash(1, &nc));
                auth.extend(z.nsec3_covering_hash(1, &star));
                denial(r, ResponseCode::NXDomain, auth)
            }),
        )
        .deferred("nsec3x.example."),
    );
    c.push(
        case(
            "tlsa-nodata-replayed-nsec3",
            Forged,
            "RFC 5155 §8.5: NODATA needs the NSEC3 matching the name",
            "the TLSA hidden behind the NODATA proof of mx.nsec3.example. TXT",
            (TLSA_MX_N3, T::TLSA),
            BOGUS,
            on(TLSA_MX_N3, T::TLSA, |w, r| {
                let proof = w.answer(&name("mx.nsec3.example."), T::TXT).authorities;
                denial(r, ResponseCode::NoError, proof)
            }),
        )
        .deferred("nsec3.example."),
    );
    c.push(
        case(
            "nxdomain-for-existing-host-nsec3",
            Forged,
            "RFC 5155 §8.4: the NXDOMAIN proof must cover the name's own next closer name",
            "NXDOMAIN for mx.nsec3.example. A with the proof for nx.nsec3.example.",
            ("mx.nsec3.example.", T::A),
            BOGUS,
            on("mx.nsec3.example.", T::A, |w, r| {
                let proof = w.answer(&name("nx.nsec3.example."), T::A).authorities;
                denial(r, ResponseCode::NXDomain, proof)
            }),
        )
        .deferred("nsec3.example."),
    );
    c.push(
        case(
            "parent-nsec-denies-child-data",
            Forged,
            "RFC 6840 §4.1: an NSEC at a delegation proves nothing below it",
            "NXDOMAIN for mx.child.nsec.example. with the parent's NSEC at the delegation",
            ("mx.child.nsec.example.", T::A),
            BOGUS,
            on("mx.child.nsec.example.", T::A, |w, r| {
                let z = w.zone("nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&name("child.nsec.example.")));
                denial(r, ResponseCode::NXDomain, auth)
            }),
        )
        .deferred("child.nsec.example."),
    );

    c.push(
        case(
            "cname-hidden-by-own-nsec",
            Forged,
            "RFC 6840 §4.3: NODATA only if the bitmap has neither the type nor CNAME",
            "alias.nsec.example. A answered NODATA with alias's own NSEC (bitmap CNAME RRSIG NSEC, no A)",
            ("alias.nsec.example.", T::A),
            BOGUS,
            on("alias.nsec.example.", T::A, |w, r| {
                let z = w.zone("nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&name("alias.nsec.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .deferred("aliasmail.nsec.example."),
    );
    c.push(case(
        "cname-hidden-by-own-nsec3",
        Forged,
        "RFC 5155 §8.5, RFC 6840 §4.3: the matching NSEC3's bitmap must lack both the type and CNAME",
        "alias.nsec3.example. A answered NODATA with the NSEC3 matching alias (bitmap CNAME RRSIG)",
        ("alias.nsec3.example.", T::A),
        BOGUS,
        on("alias.nsec3.example.", T::A, |w, r| {
            let z = w.zone("nsec3.example.");
            let mut auth = z.soa();
            auth.extend(z.nsec3_matching(0, &name("alias.nsec3.example.")));
            denial(r, ResponseCode::NoError, auth)
        }),
    ));

    // --- DS and DNSKEY -------------------------------------------------------
    c.push(
        case(
            "ds-stripped-no-proof",
            Forged,
            "RFC 4035 §5.2: no DS needs a signed denial; otherwise the child is bogus, not insecure",
            "the DS of child.nsec.example. answered with an empty NOERROR",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            on("child.nsec.example.", T::DS, |_, r| denial(r, ResponseCode::NoError, Vec::new())),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "ds-stripped-nsec-from-elsewhere",
            Forged,
            "RFC 4035 §5.2, §5.4: the NSEC must match or cover the delegation",
            "the DS denied with the parent's apex NSEC and the NSEC before the delegation",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            on("child.nsec.example.", T::DS, |w, r| {
                let z = w.zone("nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&name("nsec.example.")));
                auth.extend(z.nsec_covering(&name("child.nsec.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "ds-stripped-nxdomain",
            Forged,
            "RFC 4035 §5.4: NXDOMAIN contradicted by the NSEC at the name",
            "NXDOMAIN for the DS of child.nsec.example. with the NSEC at child",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            on("child.nsec.example.", T::DS, |w, r| {
                let z = w.zone("nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&name("child.nsec.example.")));
                denial(r, ResponseCode::NXDomain, auth)
            }),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "ds-denied-by-child-apex-nsec",
            Forged,
            "RFC 4035 §5.2, RFC 6840 §4.4: the child's apex NSEC cannot deny the parent's DS",
            "the DS denied with the child zone's own apex NSEC",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            on("child.nsec.example.", T::DS, |w, r| {
                let z = w.zone("child.nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&name("child.nsec.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "ds-denied-by-expired-nsec",
            Forged,
            "RFC 4035 §5.3.1: an expired NSEC from before the DS was published proves nothing",
            "the DS denied with an NSEC at child listing only NS, signed by the parent a month before it expired",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            on("child.nsec.example.", T::DS, |w, r| {
                let old = Record::from_rdata(
                    name("child.nsec.example."),
                    300,
                    RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(
                        name("dangling.nsec.example."),
                        [T::NS, T::RRSIG, T::NSEC],
                    ))),
                );
                let mut auth = w.zone("nsec.example.").soa();
                auth.extend(zone_signed(w, "nsec.example.", vec![old], OLD));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "insecure-delegation-claimed-for-host",
            Forged,
            "RFC 4035 §5.2: an insecure delegation needs an NSEC at the name with NS and without DS",
            "the DS query for mx.nsec.example. answered with the NSEC proving that unsigned.nsec.example. is an unsigned delegation",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on("mx.nsec.example.", T::DS, |w, r| {
                let z = w.zone("nsec.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&name("unsigned.nsec.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "zone-claimed-unsigned-by-tld",
            Forged,
            "RFC 4035 §5.2: the parent's proof of no DS must be for the child's own name",
            "the DS query for nsec.example. answered with the TLD's NSEC proving that unsigned.example. has no DS",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on("nsec.example.", T::DS, |w, r| {
                let z = w.zone("example.");
                let mut auth = z.soa();
                auth.extend(z.nsec_at(&name("unsigned.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .mx_deferred("nsec.example."),
    );
    c.push(
        case(
            "ds-stripped-optout-matching-nsec3",
            Forged,
            "RFC 5155 §8.9: an NSEC3 matching the delegation whose bitmap lists DS denies nothing",
            "the DS of signed.optout.example. answered NODATA with the NSEC3 at signed (bitmap NS DS RRSIG)",
            ("_25._tcp.mx.signed.optout.example.", T::TLSA),
            BOGUS,
            on("signed.optout.example.", T::DS, |w, r| {
                let z = w.zone("optout.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec3_matching(0, &name("signed.optout.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .mx_deferred("signed.optout.example."),
    );
    c.push(
        case(
            "ds-stripped-optout-neighbour-span",
            Forged,
            "RFC 5155 §6, §8.6: an opt-out span covers only names not in the chain; a signed delegation is in it",
            "the DS of signed.optout.example. denied with the apex NSEC3 and the opt-out span ending at signed's hash",
            ("_25._tcp.mx.signed.optout.example.", T::TLSA),
            BOGUS,
            on("signed.optout.example.", T::DS, |w, r| {
                let z = w.zone("optout.example.");
                let mut auth = z.soa();
                auth.extend(z.nsec3_matching(0, &name("optout.example.")));
                auth.extend(z.nsec3_preceding(0, &name("signed.optout.example.")));
                denial(r, ResponseCode::NoError, auth)
            }),
        )
        .mx_deferred("signed.optout.example."),
    );
    c.push(
        case(
            "dnskey-from-other-zone",
            Forged,
            "RFC 4035 §5.2: the DNSKEY RRset must match the DS and be signed by it",
            "the DNSKEY RRset (with RRSIGs) of signed.optout.example. served for child.nsec.example.",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            on("child.nsec.example.", T::DNSKEY, |w, mut r| {
                let other = w.answer(&name("signed.optout.example."), T::DNSKEY).answers;
                r.answers = renamed(other, &name("child.nsec.example."));
                Some(r)
            }),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "dnskey-extra-attacker-key",
            Forged,
            "RFC 4035 §5.2, §5.3.3: the DNSKEY RRset is signed as a whole; an added key breaks the signature",
            "the attacker's key added to child.nsec.example.'s DNSKEY RRset (signed by it) and a TLSA signed with it",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            every(|w, mut r| {
                if r.qname == name("child.nsec.example.") && r.qtype == T::DNSKEY {
                    let mut keys: Vec<Record> =
                        r.answers.iter().filter(|x| x.record_type() == T::DNSKEY).cloned().collect();
                    keys.push(Record::from_rdata(
                        name("child.nsec.example."),
                        3600,
                        RData::DNSSEC(DNSSECRData::DNSKEY(attacker_key().dnskey.clone())),
                    ));
                    let sigs: Vec<Record> = r.answers.iter().filter(|x| is_sig_over(x, T::DNSKEY)).cloned().collect();
                    r.answers = attacker_signed(w, "child.nsec.example.", keys);
                    r.answers.extend(sigs);
                } else if r.qname == name(TLSA_CHILD) && r.qtype == T::TLSA {
                    r.answers = attacker_signed(
                        w,
                        "child.nsec.example.",
                        vec![unsigned(TLSA_CHILD, tlsa_rdata(3, 1, 1, &digest("attacker")))],
                    );
                }
                Some(r)
            }),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "dnskey-rrsig-stripped",
            Forged,
            "RFC 4035 §5.2: the DNSKEY RRset must be signed by a key the DS names",
            "child.nsec.example.'s DNSKEY RRset without its RRSIGs",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            on("child.nsec.example.", T::DNSKEY, |_, mut r| {
                r.strip(|x| is_sig_over(x, T::DNSKEY));
                Some(r)
            }),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "ds-replayed-from-other-zone",
            Forged,
            "RFC 4035 §5.3.2: the DS RRSIG covers the owner name",
            "signed.optout.example.'s DS RRset and RRSIG renamed to child.nsec.example.",
            (TLSA_CHILD, T::TLSA),
            BOGUS,
            on("child.nsec.example.", T::DS, |w, mut r| {
                let other = w.answer(&name("signed.optout.example."), T::DS).answers;
                r.answers = renamed(other, &name("child.nsec.example."));
                Some(r)
            }),
        )
        .mx_deferred("child.nsec.example."),
    );
    c.push(
        case(
            "ds-servfail",
            Forged,
            "RFC 4035 §4.3: without the DS the validator cannot decide",
            "SERVFAIL for the DS of child.nsec.example.",
            (TLSA_CHILD, T::TLSA),
            INDETERMINATE,
            on("child.nsec.example.", T::DS, |_, r| denial(r, ResponseCode::ServFail, Vec::new())),
        )
        .mx_deferred("child.nsec.example."),
    );

    // --- RRsets and signatures ------------------------------------------------
    c.push(
        case(
            "answer-for-other-question",
            Forged,
            "RFC 1035 §7.3, RFC 8484 §4.1: a response must echo the question",
            "the response carries the question _25._tcp.mx2 TLSA",
            (TLSA_MX, T::TLSA),
            INDETERMINATE,
            on(TLSA_MX, T::TLSA, |_, mut r| {
                r.qname = name(TLSA_MX2);
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "answer-records-of-other-name",
            Forged,
            "RFC 4035 §5.3: the answer must be an RRset at the name asked for, or a signed denial",
            "mx.nsec.example. A answered with mx2's signed A RRset",
            ("mx.nsec.example.", T::A),
            BOGUS,
            on("mx.nsec.example.", T::A, |w, mut r| {
                r.answers = w.answer(&name("mx2.nsec.example."), T::A).answers;
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "unsigned-record-added-to-rrset",
            Forged,
            "RFC 4034 §3.1.8.1, RFC 4035 §5.3.3: the RRSIG covers the whole RRset",
            "an attacker's TLSA record added to the signed TLSA RRset",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |_, mut r| {
                r.answers.insert(0, unsigned(TLSA_MX, tlsa_rdata(3, 1, 1, &digest("attacker"))));
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "rrset-truncated",
            Forged,
            "RFC 4035 §5.3.3: the RRSIG covers the whole RRset; dropping a record breaks it",
            "one of the two TLSA records dropped",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |_, mut r| {
                if let Some(i) = r.answers.iter().position(|x| x.record_type() == T::TLSA) {
                    r.answers.remove(i);
                }
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "rrsig-signer-not-zone",
            Forged,
            "RFC 4035 §5.3.1: the signer's name must be the apex of the zone holding the RRset",
            "occluded data the parent nsec.example. signed below its delegation, served for mx.child.nsec.example. A",
            ("mx.child.nsec.example.", T::A),
            BOGUS,
            on("mx.child.nsec.example.", T::A, |w, mut r| {
                r.answers = w
                    .zone("nsec.example.")
                    .signed_rrset(&name("mx.child.nsec.example."), T::A)
                    .unwrap_or_else(|| panic!("no occluded record"));
                Some(r)
            }),
        )
        .deferred("child.nsec.example."),
    );
    c.push(
        case(
            "rrsig-expired-replay",
            Forged,
            "RFC 4035 §5.3.1: now must not be after the RRSIG expiration",
            "an old A record of mx.nsec.example. with the zone's signature that expired a month ago",
            ("mx.nsec.example.", T::A),
            BOGUS,
            on("mx.nsec.example.", T::A, |w, mut r| {
                r.answers =
                    zone_signed(w, "nsec.example.", vec![unsigned("mx.nsec.example.", a([198, 51, 100, 1]))], OLD);
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(case(
        "rrsig-expired-one-second",
        Forged,
        "RFC 4035 §5.3.1: the expiration is inclusive; one second later the RRSIG is dead",
        "end.edge.example. A with the zone's signature that expired at NOW-1",
        ("end.edge.example.", T::A),
        BOGUS,
        on("end.edge.example.", T::A, |w, mut r| {
            let set: Vec<Record> = r.answers.iter().filter(|x| x.record_type() == T::A).cloned().collect();
            r.answers = zone_signed(w, "edge.example.", set, (-86_400, -1));
            Some(r)
        }),
    ));
    c.push(case(
        "rrsig-not-yet-valid-one-second",
        Forged,
        "RFC 4035 §5.3.1: now must not be before the RRSIG inception",
        "start.edge.example. A with the zone's signature valid from NOW+1",
        ("start.edge.example.", T::A),
        BOGUS,
        on("start.edge.example.", T::A, |w, mut r| {
            let set: Vec<Record> = r.answers.iter().filter(|x| x.record_type() == T::A).cloned().collect();
            r.answers = zone_signed(w, "edge.example.", set, (1, 86_400));
            Some(r)
        }),
    ));
    c.push(
        case(
            "tlsa-forged-with-ad-bit",
            Forged,
            "RFC 4035 §3.2.3, RFC 6840 §5.7: a validator asking with CD ignores the resolver's AD bit",
            "an unsigned TLSA for _25._tcp.mx2 with AD set",
            (TLSA_MX2, T::TLSA),
            BOGUS,
            on(TLSA_MX2, T::TLSA, |_, mut r| {
                r.rcode = ResponseCode::NoError;
                r.authorities.clear();
                r.answers = vec![unsigned(TLSA_MX2, tlsa_rdata(3, 1, 1, &digest("attacker")))];
                r.ad = true;
                Some(r)
            }),
        )
        .deferred("plain.nsec.example."),
    );
    c.push(
        case(
            "tlsa-rrsigs-stripped",
            Forged,
            "RFC 4035 §5.3: an RRset of a signed zone without RRSIG is bogus",
            "the real TLSA RRset without its RRSIG",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |_, mut r| {
                r.strip(|x| x.record_type() == T::RRSIG);
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "rrsig-of-other-type-attached",
            Forged,
            "RFC 4035 §5.3.1: the RRSIG's type covered must be the RRset's type",
            "the TLSA's RRSIG replaced by mx's A RRSIG renamed to the TLSA owner",
            (TLSA_MX, T::TLSA),
            BOGUS,
            on(TLSA_MX, T::TLSA, |w, mut r| {
                r.strip(|x| x.record_type() == T::RRSIG);
                let sig: Vec<Record> = w.zone("nsec.example.").sigs_of(&name("mx.nsec.example."), T::A);
                r.answers.extend(renamed(sig, &name(TLSA_MX)));
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "rrset-moved-to-other-owner",
            Forged,
            "RFC 4034 §3.1.8.1: the owner name is part of the signed data",
            "mx's TLSA RRset and RRSIG renamed to _25._tcp.mx2",
            (TLSA_MX2, T::TLSA),
            BOGUS,
            on(TLSA_MX2, T::TLSA, |w, mut r| {
                r.rcode = ResponseCode::NoError;
                r.authorities.clear();
                r.answers = renamed(w.answer(&name(TLSA_MX), T::TLSA).answers, &name(TLSA_MX2));
                Some(r)
            }),
        )
        .deferred("plain.nsec.example."),
    );
    c.push(
        case(
            "tlsa-signed-by-attacker-key",
            Forged,
            "RFC 4035 §5.3.1: the RRSIG must be made by a DNSKEY of the zone that the chain of trust vouches for",
            "a TLSA for _25._tcp.mx2 signed by the attacker's key in nsec.example.'s name",
            (TLSA_MX2, T::TLSA),
            BOGUS,
            on(TLSA_MX2, T::TLSA, |w, mut r| {
                r.rcode = ResponseCode::NoError;
                r.authorities.clear();
                r.answers = attacker_signed(
                    w,
                    "nsec.example.",
                    vec![unsigned(TLSA_MX2, tlsa_rdata(3, 1, 1, &digest("attacker")))],
                );
                Some(r)
            }),
        )
        .deferred("plain.nsec.example."),
    );
    c.push(
        case(
            "mx-rrset-from-other-zone",
            Forged,
            "RFC 4034 §3.1.8.1: the signature binds the owner; another zone's signed MX does not transfer",
            "nsec3.example.'s signed MX RRset renamed to nsec.example.",
            ("nsec.example.", T::MX),
            BOGUS,
            on("nsec.example.", T::MX, |w, mut r| {
                r.answers = renamed(w.answer(&name("nsec3.example."), T::MX).answers, &name("nsec.example."));
                Some(r)
            }),
        )
        .mx_deferred("nsec.example."),
    );
    c.push(
        case(
            "truncated-response",
            Forged,
            "RFC 1035 §4.1.1, RFC 2181 §9: a response with TC set is incomplete",
            "the TLSA answer with the TC bit set",
            (TLSA_MX, T::TLSA),
            INDETERMINATE,
            on(TLSA_MX, T::TLSA, |_, mut r| {
                r.tc = true;
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(
        case(
            "tlsa-query-dropped",
            Forged,
            "RFC 4035 §4.3, RFC 7672 §2.1.1: a lookup that fails is indeterminate and defers delivery",
            "no answer at all for the TLSA query",
            (TLSA_MX, T::TLSA),
            INDETERMINATE,
            on(TLSA_MX, T::TLSA, |_, _| None),
        )
        .deferred("nsec.example."),
    );

    // --- CNAME and DNAME -----------------------------------------------------
    c.push(
        case(
            "cname-forged-into-unsigned-zone",
            Forged,
            "RFC 4035 §5.3: each RRset of the chain is validated in its own zone; an unsigned CNAME in a signed zone is bogus",
            "an unsigned CNAME mx2 → mx.unsigned.nsec.example. and the target's (insecure) A",
            ("mx2.nsec.example.", T::A),
            BOGUS,
            on("mx2.nsec.example.", T::A, |w, mut r| {
                r.answers = vec![unsigned("mx2.nsec.example.", RData::CNAME(CNAME(name("mx.unsigned.nsec.example."))))];
                r.answers.extend(w.answer(&name("mx.unsigned.nsec.example."), T::A).answers);
                Some(r)
            }),
        )
        .deferred("plain.nsec.example."),
    );
    c.push(
        case(
            "cname-target-data-unsigned",
            Forged,
            "RFC 4035 §5.3: the target RRset is validated in the target's zone",
            "the signed CNAME alias → mx kept, mx's A replaced by an unsigned one",
            ("alias.nsec.example.", T::A),
            BOGUS,
            on("alias.nsec.example.", T::A, |_, mut r| {
                r.answers.retain(|x| x.name == name("alias.nsec.example."));
                r.answers.push(unsigned("mx.nsec.example.", a([198, 51, 100, 66])));
                Some(r)
            }),
        )
        .deferred("aliasmail.nsec.example."),
    );
    c.push(case(
        "cname-loop-spliced",
        Forged,
        "RFC 1034 §3.6.2, RFC 4035 §5.3: a forged CNAME back to the alias makes a loop; it is unsigned anyway",
        "alias → mx (signed) and a forged mx → alias",
        ("alias.nsec.example.", T::A),
        BOGUS,
        on("alias.nsec.example.", T::A, |_, mut r| {
            r.answers.retain(|x| x.name == name("alias.nsec.example."));
            r.answers.push(unsigned("mx.nsec.example.", RData::CNAME(CNAME(name("alias.nsec.example.")))));
            Some(r)
        }),
    ));
    c.push(
        case(
            "a-record-beside-signed-cname",
            Forged,
            "RFC 2181 §10.1, RFC 4035 §5.3: data beside a CNAME is not the zone's; it is unsigned",
            "an unsigned A at alias.nsec.example. placed before its signed CNAME",
            ("alias.nsec.example.", T::A),
            BOGUS,
            on("alias.nsec.example.", T::A, |_, mut r| {
                r.answers.insert(0, unsigned("alias.nsec.example.", a([198, 51, 100, 67])));
                Some(r)
            }),
        )
        .deferred("aliasmail.nsec.example."),
    );
    c.push(
        case(
            "dname-forged",
            Forged,
            "RFC 6672 §5.3.1, RFC 4035 §5.3: an unsigned DNAME (and its CNAME) in a signed zone",
            "nsec.example. DNAME unsigned.example. with the synthesised CNAME for mx and the insecure target",
            ("mx.nsec.example.", T::A),
            BOGUS,
            on("mx.nsec.example.", T::A, |w, mut r| {
                let target = name("mx.unsigned.example.");
                r.answers = vec![
                    unsigned(
                        "nsec.example.",
                        RData::Unknown { code: T::DNAME, rdata: NULL::with(wire_name(&name("unsigned.example."))) },
                    ),
                    unsigned("mx.nsec.example.", RData::CNAME(CNAME(target.clone()))),
                ];
                r.answers.extend(w.answer(&target, T::A).answers);
                Some(r)
            }),
        )
        .deferred("nsec.example."),
    );
    c.push(case(
        "cname-target-nxdomain-unproven",
        Forged,
        "RFC 4035 §5.4: the target's NXDOMAIN needs a signed proof",
        "the signed CNAME alias → mx kept, mx claimed NXDOMAIN without proof (also when asked directly)",
        ("alias.nsec.example.", T::A),
        BOGUS,
        every(|_, mut r| {
            if (r.qname == name("alias.nsec.example.") || r.qname == name("mx.nsec.example.")) && r.qtype == T::A {
                r.answers.retain(|x| x.name == name("alias.nsec.example."));
                r.authorities.clear();
                r.rcode = ResponseCode::NXDomain;
            }
            Some(r)
        }),
    ));

    // --- noise beside real data ----------------------------------------------
    c.push(case(
        "nsec3-unknown-hash-algorithm-injected",
        Noise,
        "RFC 5155 §8.1: NSEC3 records with an unknown hash algorithm are ignored",
        "a real NXDOMAIN proof plus an NSEC3 record claiming hash algorithm 2",
        ("_25._tcp.mx2.nsec3.example.", T::TLSA),
        &[Status::Secure, Status::Indeterminate],
        on("_25._tcp.mx2.nsec3.example.", T::TLSA, |w, mut r| {
            let z = w.zone("nsec3.example.");
            let h = nsec3_hash(&r.qname, &[0xaa, 0xbb, 0xcc, 0xdd], 5);
            let mut rdata = vec![2, 0, 0, 5, 4, 0xaa, 0xbb, 0xcc, 0xdd, 20];
            rdata.extend(crate::zone::hash_add(&h, 1));
            rdata.extend([0, 1, 0x40]); // bitmap: window 0, 1 byte, A
            r.authorities.push(Record::from_rdata(
                crate::zone::hashed_owner(&crate::zone::hash_add(&h, -1), &z.apex),
                300,
                RData::Unknown { code: T::NSEC3, rdata: NULL::with(rdata) },
            ));
            Some(r)
        }),
    ));
    c.push(case(
        "cname-beside-signed-rrset",
        Noise,
        "RFC 2181 §10.1: a CNAME cannot stand beside other data; the signed A RRset is the zone's",
        "the real signed A of mx.nsec.example. plus an unsigned CNAME at the same name",
        ("mx.nsec.example.", T::A),
        &[Status::Secure, Status::Bogus],
        on("mx.nsec.example.", T::A, |_, mut r| {
            r.answers.push(unsigned("mx.nsec.example.", RData::CNAME(CNAME(name("mx.unsigned.example.")))));
            Some(r)
        }),
    ));

    // --- the zones' real data ------------------------------------------------
    let v = |n, rfc, what, q, status, data| case(n, Valid, rfc, what, q, status, honest()).data(data);
    use Data::{NoData, NxDomain, Records};
    c.push(
        v("honest-a-nsec", "RFC 4035 §5.3", "A RRset of an NSEC zone", ("mx.nsec.example.", T::A), SECURE, Records)
            .dane("nsec.example."),
    );
    c.push(v("honest-tlsa-nsec", "RFC 4035 §5.3", "two TLSA records", (TLSA_MX, T::TLSA), SECURE, Records));
    c.push(
        v("honest-nxdomain-nsec", "RFC 4035 §3.1.3.2", "no TLSA name for mx2", (TLSA_MX2, T::TLSA), SECURE, NxDomain)
            .no_dane("plain.nsec.example."),
    );
    c.push(v("honest-nodata-nsec", "RFC 4035 §3.1.3.1", "mx has no MX", ("mx.nsec.example.", T::MX), SECURE, NoData));
    c.push(v(
        "honest-ent-nsec",
        "RFC 4035 §3.1.3.2",
        "wild.nsec.example. is an empty non-terminal",
        ("wild.nsec.example.", T::A),
        SECURE,
        NoData,
    ));
    c.push(v(
        "honest-wildcard-nsec",
        "RFC 4035 §3.1.3.3",
        "*.wild A expanded",
        ("foo.wild.nsec.example.", T::A),
        SECURE,
        Records,
    ));
    c.push(v(
        "honest-wildcard-tlsa-nsec",
        "RFC 4592 §2.2.1",
        "*.wild TLSA expanded three labels down",
        ("_25._tcp.foo.wild.nsec.example.", T::TLSA),
        SECURE,
        Records,
    ));
    c.push(v(
        "honest-wildcard-nodata-nsec",
        "RFC 4035 §3.1.3.4",
        "*.wild has no MX",
        ("foo.wild.nsec.example.", T::MX),
        SECURE,
        NoData,
    ));
    c.push(
        v("honest-cname", "RFC 4035 §5.3", "alias → mx", ("alias.nsec.example.", T::A), SECURE, Records)
            .dane("aliasmail.nsec.example."),
    );
    c.push(v(
        "honest-dangling-cname",
        "RFC 4035 §5.4",
        "a CNAME to a name that does not exist",
        ("dangling.nsec.example.", T::A),
        SECURE,
        NxDomain,
    ));
    c.push(
        v(
            "honest-cname-into-unsigned-zone",
            "RFC 4035 §5.2",
            "ext → mx.unsigned.nsec.example.",
            ("ext.nsec.example.", T::A),
            INSECURE,
            Records,
        )
        .no_dane("extmail.nsec.example."),
    );
    c.push(v(
        "honest-unsigned-delegation",
        "RFC 4035 §5.2",
        "NS without DS",
        ("mx.unsigned.nsec.example.", T::A),
        INSECURE,
        Records,
    ));
    c.push(
        v("honest-signed-child", "RFC 4035 §5.2", "DS → DNSKEY → TLSA", (TLSA_CHILD, T::TLSA), SECURE, Records)
            .dane("child.nsec.example."),
    );
    c.push(v(
        "honest-tld-wildcard",
        "RFC 4592 §2.2.1",
        "*.example. TLSA expanded",
        ("_25._tcp.nx.example.", T::TLSA),
        SECURE,
        Records,
    ));
    c.push(
        v(
            "honest-unsigned-tld-delegation",
            "RFC 4035 §5.2",
            "unsigned.example. has no DS",
            ("_25._tcp.mx.unsigned.example.", T::TLSA),
            INSECURE,
            Records,
        )
        .no_dane("unsigned.example."),
    );
    c.push(
        v("honest-tlsa-nsec3", "RFC 5155 §8", "TLSA in an NSEC3 zone", (TLSA_MX_N3, T::TLSA), SECURE, Records)
            .dane("nsec3.example."),
    );
    c.push(
        v(
            "honest-nxdomain-nsec3",
            "RFC 5155 §8.4",
            "closest encloser proof",
            ("_25._tcp.mx2.nsec3.example.", T::TLSA),
            SECURE,
            NxDomain,
        )
        .no_dane("plain.nsec3.example."),
    );
    c.push(v("honest-nodata-nsec3", "RFC 5155 §8.5", "matching NSEC3", ("mx.nsec3.example.", T::MX), SECURE, NoData));
    c.push(v(
        "honest-ent-nsec3",
        "RFC 5155 §7.1",
        "_tcp.mx is an empty non-terminal",
        ("_tcp.mx.nsec3.example.", T::A),
        SECURE,
        NoData,
    ));
    c.push(v(
        "honest-wildcard-nsec3",
        "RFC 5155 §8.8",
        "*.wild A expanded",
        ("foo.wild.nsec3.example.", T::A),
        SECURE,
        Records,
    ));
    c.push(v(
        "honest-wildcard-nodata-nsec3",
        "RFC 5155 §8.7",
        "*.wild has no MX",
        ("foo.wild.nsec3.example.", T::MX),
        SECURE,
        NoData,
    ));
    c.push(
        v(
            "honest-optout-signed-child",
            "RFC 5155 §6",
            "a signed delegation inside an opt-out zone",
            ("_25._tcp.mx.signed.optout.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("signed.optout.example."),
    );
    c.push(
        v(
            "honest-optout-unsigned-child",
            "RFC 5155 §6, §8.6",
            "an unsigned delegation in an opt-out span",
            ("_25._tcp.mx.unsigned.optout.example.", T::TLSA),
            INSECURE,
            Records,
        )
        .no_dane("unsigned.optout.example."),
    );
    c.push(v(
        "honest-optout-nxdomain",
        "RFC 5155 §9.2",
        "NXDOMAIN whose next closer lies in an opt-out span",
        ("nx.optout.example.", T::A),
        INSECURE,
        NxDomain,
    ));
    c.push(
        v(
            "honest-two-nsec3-chains",
            "RFC 5155 §7.3",
            "a zone with two NSEC3 chains",
            ("_25._tcp.mx.nsec3x.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("nsec3x.example."),
    );
    c.push(v(
        "honest-two-nsec3-chains-nxdomain",
        "RFC 5155 §7.3, §8.4",
        "NXDOMAIN from the first chain",
        ("nx.nsec3x.example.", T::A),
        SECURE,
        NxDomain,
    ));
    c.push(
        v(
            "nsec3-200-iterations-positive",
            "RFC 9276 §3.2",
            "positive answers need no NSEC3 hashing: secure despite 200 iterations",
            ("_25._tcp.mx.it200.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("it200.example."),
    );
    c.push(v(
        "nsec3-200-iterations-denial",
        "RFC 9276 §3.2",
        "a denial with 200 iterations is insecure",
        ("_25._tcp.mx2.it200.example.", T::TLSA),
        INSECURE,
        NxDomain,
    ));
    c.push(v(
        "compact-denial-missing-name",
        "RFC 9824 §3",
        "NOERROR with an NSEC at the name: NXNAME, which says the name does not exist (RFC 9824 §3)",
        ("nx.compact.example.", T::A),
        SECURE,
        NxDomain,
    ));
    c.push(
        v(
            "compact-denial-missing-tlsa",
            "RFC 9824 §3",
            "no TLSA name: NODATA with NXNAME, read as the name not existing (RFC 9824 §3)",
            ("_25._tcp.mx2.compact.example.", T::TLSA),
            SECURE,
            NxDomain,
        )
        .no_dane("plain.compact.example."),
    );
    c.push(v(
        "compact-denial-nodata",
        "RFC 9824 §3",
        "an existing name without the type",
        ("mx.compact.example.", T::MX),
        SECURE,
        NoData,
    ));
    c.push(
        v(
            "compact-denial-positive",
            "RFC 9824",
            "TLSA in a compact-denial zone",
            ("_25._tcp.mx.compact.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("compact.example."),
    );
    c.push(v(
        "nsec3-white-lies-nxdomain",
        "RFC 7129 Appendix B",
        "minimally covering NSEC3",
        ("nx.whitelies.example.", T::A),
        SECURE,
        NxDomain,
    ));
    c.push(v(
        "nsec3-white-lies-nodata",
        "RFC 7129 Appendix B",
        "NSEC3 at hash to hash+1",
        ("mx.whitelies.example.", T::MX),
        SECURE,
        NoData,
    ));
    c.push(
        v(
            "nsec3-white-lies-positive",
            "RFC 5155",
            "TLSA in a white-lies zone",
            ("_25._tcp.mx.whitelies.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("whitelies.example."),
    );
    c.push(
        v(
            "algorithm-ed25519",
            "RFC 8080, RFC 8624 §3.1",
            "Ed25519 zone",
            ("_25._tcp.mx.ed25519.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("ed25519.example."),
    );
    c.push(
        v(
            "algorithm-rsasha256",
            "RFC 5702, RFC 8624 §3.1",
            "RSA/SHA-256 zone",
            ("_25._tcp.mx.rsa.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("rsa.example."),
    );
    c.push(
        v(
            "algorithm-ed448-unsupported",
            "RFC 4035 §5.2, RFC 6840 §5.2",
            "only Ed448 (16) DS/DNSKEY: treated as unsigned",
            ("_25._tcp.mx.ed448.example.", T::TLSA),
            INSECURE,
            Records,
        )
        .no_dane("ed448.example."),
    );
    c.push(v(
        "rsa-512-bit-key",
        "RFC 4035 §5.2, RFC 8624 §3.1",
        "a 512-bit RSA key a validator does not accept: unsigned, not bogus",
        ("_25._tcp.mx.rsa512.example.", T::TLSA),
        INSECURE,
        Records,
    ));
    c.push(
        v(
            "algorithm-rollover-ds-for-one",
            "RFC 6840 §5.11, RFC 4035 §5.2",
            "signed with ECDSA and Ed25519, DS only for ECDSA",
            ("_25._tcp.mx.rollover.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("rollover.example."),
    );
    c.push(
        v(
            "algorithm-rollover-signature-missing",
            "RFC 6840 §5.11",
            "both algorithms have a DS; mx and its TLSA lack the ECDSA signature",
            ("_25._tcp.mx.rollmissing.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("rollmissing.example."),
    );
    c.push(v(
        "ds-digest-sha1",
        "RFC 4034 §5.1.4, RFC 8624 §3.3",
        "DS digest type 1 alone",
        ("_25._tcp.mx.ds1.example.", T::TLSA),
        SECURE,
        Records,
    ));
    c.push(v(
        "ds-digest-sha384",
        "RFC 6605 §2, RFC 8624 §3.3",
        "DS digest type 4 alone",
        ("_25._tcp.mx.ds4.example.", T::TLSA),
        SECURE,
        Records,
    ));
    c.push(
        v(
            "ds-digest-unknown-beside-sha256",
            "RFC 4035 §5.2, RFC 6840 §5.2",
            "a DS of digest type 3 beside a good SHA-256 DS",
            ("_25._tcp.mx.dsunknown.example.", T::TLSA),
            SECURE,
            Records,
        )
        .dane("dsunknown.example."),
    );
    c.push(
        v(
            "ds-digest-unknown-alone",
            "RFC 4035 §5.2, RFC 6840 §5.2",
            "only a DS of digest type 3: treated as unsigned",
            ("_25._tcp.mx.dsunknownonly.example.", T::TLSA),
            INSECURE,
            Records,
        )
        .no_dane("dsunknownonly.example."),
    );
    c.push(v(
        "rrsig-inception-is-now",
        "RFC 4035 §5.3.1",
        "inception == now is valid",
        ("start.edge.example.", T::A),
        SECURE,
        Records,
    ));
    c.push(v(
        "rrsig-expiration-is-now",
        "RFC 4035 §5.3.1",
        "expiration == now is valid",
        ("end.edge.example.", T::A),
        SECURE,
        Records,
    ));
    c.push(v(
        "dname-synthesised-cname",
        "RFC 6672 §5.3.1",
        "a signed DNAME dn.nsec.example. → nsec3.example. with the unsigned synthesised CNAME",
        ("mx.dn.nsec.example.", T::A),
        SECURE,
        Records,
    ));
    c.push(
        case(
            "uppercase-names-on-the-wire",
            Valid,
            "RFC 4034 §6.2, RFC 4343: names compare case-insensitively; the signed form is lowercase",
            "every owner, CNAME/MX target and RRSIG signer name in upper case",
            (TLSA_MX, T::TLSA),
            SECURE,
            every(|_, mut r| {
                r.answers = r.answers.into_iter().map(upper_record).collect();
                r.authorities = r.authorities.into_iter().map(upper_record).collect();
                Some(r)
            }),
        )
        .data(Records)
        .dane("nsec.example."),
    );
    c.push(
        case(
            "ttl-above-original-ttl",
            Valid,
            "RFC 4035 §5.3.3: the TTL is capped by the RRSIG's original TTL",
            "wire TTLs of a week on a TLSA RRset signed with TTL 3600",
            (TLSA_MX, T::TLSA),
            SECURE,
            on(TLSA_MX, T::TLSA, |_, mut r| {
                for x in &mut r.answers {
                    x.ttl = 604_800;
                }
                Some(r)
            }),
        )
        .data(Records)
        .max_ttl(3600),
    );
    c.push(
        case(
            "duplicated-records",
            Valid,
            "RFC 2181 §5, RFC 4034 §6.3: duplicate RRs are dropped before validation",
            "each TLSA record twice",
            (TLSA_MX, T::TLSA),
            SECURE,
            on(TLSA_MX, T::TLSA, |_, mut r| {
                let dups: Vec<Record> = r.answers.iter().filter(|x| x.record_type() == T::TLSA).cloned().collect();
                r.answers.extend(dups);
                Some(r)
            }),
        )
        .data(Records)
        .dane("nsec.example."),
    );
    c.push(case(
        "cname-loop-in-zone",
        Broken,
        "RFC 1034 §3.6.2",
        "loop1 → loop2 → loop1, both signed",
        ("loop1.nsec.example.", T::A),
        BOGUS,
        honest(),
    ));
    c.push(
        case(
            "ds-for-missing-key",
            Broken,
            "RFC 4035 §5.2",
            "the parent's DS names a key the zone does not publish",
            ("_25._tcp.mx.dsmismatch.example.", T::TLSA),
            BOGUS,
            honest(),
        )
        .mx_deferred("dsmismatch.example."),
    );

    c.into_iter().map(|b| b.0).collect()
}

// ----- documentation and recordings ------------------------------------------

/// The cases recorded into tests/data/adversary/ for the browser test
/// (web/tests/browser.rs replays them in wasm).
pub const RECORDED: &[&str] = &[
    "wildcard-nsec-next-closer-exists",
    "wildcard-labels-above-signer",
    "wildcard-replayed-at-other-depth",
    "nsec3-mixed-chains-false-nxdomain",
    "tlsa-denied-by-nsec-of-parent-name",
    "tlsa-denied-by-expired-nsec",
    "ds-stripped-optout-neighbour-span",
    "dnskey-extra-attacker-key",
    "tlsa-forged-with-ad-bit",
    "cname-forged-into-unsigned-zone",
    "cname-hidden-by-own-nsec",
    "honest-tlsa-nsec3",
    "compact-denial-missing-tlsa",
    "nsec3-white-lies-nxdomain",
    "algorithm-ed448-unsupported",
    "nsec3-200-iterations-positive",
];

fn host_outcome_text(o: HostOutcome) -> String {
    serde_json::to_value(o).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn data_text(d: Data) -> &'static str {
    match d {
        Data::Records => "data",
        Data::NoData => "nodata",
        Data::NxDomain => "nxdomain",
    }
}

impl Case {
    /// The expected check outcome in words, for the table.
    fn check_text(&self) -> String {
        match &self.check {
            None => String::new(),
            Some(c) => format!(
                "{}: {}{}",
                c.domain,
                c.first_host.map_or_else(|| "MX deferred".to_owned(), host_outcome_text),
                if c.dane_ready { ", DANE-ready (exit 0)" } else { " (exit 1)" }
            ),
        }
    }

    /// A recording of the case in the tests/data/dns format (domain, now,
    /// responses) with the case, its trust anchor and its expectations.
    pub fn recording(&self, w: &World) -> serde_json::Value {
        let (_, mut served) = self.lookup(w);
        if let Some((_, more)) = self.smtp_check(w) {
            served.extend(more);
        }
        let mut seen = Vec::new();
        let responses: Vec<serde_json::Value> = served
            .into_iter()
            .filter(|(n, t, _)| {
                let key = (n.clone(), t.clone());
                let new = !seen.contains(&key);
                seen.push(key);
                new
            })
            .map(|(n, t, wire)| serde_json::json!({"name": n, "type": t, "wire": data_encoding::BASE64.encode(&wire)}))
            .collect();
        serde_json::json!({
            "case": self.name,
            "kind": self.kind.as_str(),
            "rfc": self.rfc,
            "what": self.what,
            "domain": self.check.as_ref().map_or(self.qname, |c| c.domain),
            "qname": self.qname,
            "qtype": self.qtype.to_string(),
            "expect": self.expect.status.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "data": self.expect.data.map(data_text),
            "check": self.check.as_ref().map(|c| serde_json::json!({
                "domain": c.domain,
                "dane_ready": c.dane_ready,
                "first_host": c.first_host.map(host_outcome_text),
            })),
            "now": w.now,
            "anchor": w.anchor,
            "responses": responses,
        })
    }
}

/// The catalogue as a Markdown table (tests/adversary/README.md).
pub fn markdown_table(cases: &[Case]) -> String {
    let mut out = String::from(
        "| # | case | kind | question | expected | `geleit check --no-probe` | rule | what the adversary serves |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (i, c) in cases.iter().enumerate() {
        let expected = match c.expect.data {
            Some(d) => format!("{} ({})", statuses(c.expect.status), data_text(d)),
            None => statuses(c.expect.status),
        };
        out.push_str(&format!(
            "| {} | `{}` | {} | `{} {}` | {} | {} | {} | {} |\n",
            i + 1,
            c.name,
            c.kind.as_str(),
            c.qname,
            c.qtype,
            expected,
            c.check_text(),
            c.rfc,
            c.what.replace('|', "\\|")
        ));
    }
    out
}

/// Replays a recording made by [`Case::recording`] through the core (as the
/// browser test does in wasm): the lookup's status and data, and the check's
/// verdict, against the expectations stored in it.
pub fn replay(doc: &serde_json::Value) -> Result<(), String> {
    let rec = crate::recording::Recording::from_json(doc)?;
    let anchors = TrustAnchors::scan(&rec.anchor).map_err(|e| e.to_string())?;
    let config = Config { anchors, ..Config::default() };
    let now = rec.now;
    let answer = |name: &Name, rtype: RecordType| rec.answer(&name.to_ascii(), &rtype.to_string()).map(<[u8]>::to_vec);
    let qname = geleit::dns::parse_ascii_name(doc["qname"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    let qtype = geleit::dns::parse_type(doc["qtype"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    let mut l = Lookup::new(qname, qtype, config.clone(), now);
    while !l.is_done() {
        for q in l.poll_queries() {
            match answer(q.name(), q.rtype()) {
                Some(b) => l.handle_response(q.id(), &b).map_err(|e| e.to_string())?,
                None => l.handle_error(q.id(), "not recorded").map_err(|e| e.to_string())?,
            }
        }
    }
    let a = l.poll_result().ok_or("no answer")?;
    let status = a.status().as_str();
    let expect: Vec<&str> = doc["expect"].as_array().into_iter().flatten().filter_map(|s| s.as_str()).collect();
    if !expect.contains(&status) {
        return Err(format!("status {status}, expected {}: {}", expect.join(" or "), a.data.proof()));
    }
    if let Some(c) = doc["check"].as_object() {
        let domain =
            geleit::dns::parse_ascii_name(c["domain"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
        let mut check = SmtpCheck::new(domain, config, now);
        while !check.is_done() {
            for q in check.poll_queries() {
                match answer(q.name(), q.rtype()) {
                    Some(b) => check.handle_response(q.id(), &b).map_err(|e| e.to_string())?,
                    None => check.handle_error(q.id(), "not recorded").map_err(|e| e.to_string())?,
                }
            }
        }
        let r = check.poll_result().ok_or("no report")?;
        let first = r.hosts.first().map(|h| host_outcome_text(h.outcome));
        let want_first = c["first_host"].as_str().map(str::to_owned);
        if Some(r.dane_ready) != c["dane_ready"].as_bool() || first != want_first {
            return Err(format!(
                "check: dane_ready {} first host {first:?}, expected {} {want_first:?}",
                r.dane_ready, c["dane_ready"]
            ));
        }
    }
    Ok(())
}
