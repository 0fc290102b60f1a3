//! The validating engine driven by a lying resolver: every answer of an SMTP
//! DANE check comes from the test world's validly signed zones
//! (geleit-test-support), then the fuzzer splices it — drops records, adds
//! signed records from elsewhere (moved to another owner or not), flips the
//! rcode, replays whole RRsets under the question's name.
//!
//! Oracle: whatever the check calls secure must be exactly what the signed
//! zones say (the same check over honest answers): the MX hosts, each
//! host's addresses and its TLSA records, and "DANE-ready". Anything else is
//! a forged "secure" — the worst bug Geleit can have.
#![no_main]

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use geleit::dns::{Name, RecordType, SmtpCheck, SmtpReport, Status};
use geleit_test_support::{Case, NOW, Response, World, world};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::Record;
use libfuzzer_sys::fuzz_target;

/// Mail domains of the test world (each a kind of signing).
const DOMAINS: [&str; 12] = [
    "nsec.example.",
    "nsec3.example.",
    "optout.example.",
    "signed.optout.example.",
    "child.nsec.example.",
    "it200.example.",
    "compact.example.",
    "ed25519.example.",
    "rsa.example.",
    "aliasmail.nsec.example.",
    "plain.nsec3.example.",
    "extmail.nsec.example.",
];

fn n(s: &str) -> Name {
    Name::from_ascii(s).unwrap_or_default()
}

/// Every record of the honest answers to the checks of all domains: what an
/// attacker can collect by asking.
fn pool() -> &'static Vec<Record> {
    static POOL: OnceLock<Vec<Record>> = OnceLock::new();
    POOL.get_or_init(|| {
        let w = world();
        let mut out = Vec::new();
        for d in DOMAINS {
            run(w, d, &mut |q, t| {
                let r = w.answer(q, t);
                out.extend(r.answers.iter().cloned());
                out.extend(r.authorities.iter().cloned());
                Some(r)
            });
        }
        out
    })
}

fn honest(domain: &str) -> SmtpReport {
    static HONEST: OnceLock<HashMap<&'static str, SmtpReport>> = OnceLock::new();
    let all = HONEST.get_or_init(|| {
        let w = world();
        DOMAINS.iter().map(|d| (*d, run(w, d, &mut |q, t| Some(w.answer(q, t))))).collect()
    });
    all.get(domain).cloned().unwrap_or_else(|| panic!("no honest report for {domain}"))
}

fn run(w: &World, domain: &str, answer: &mut dyn FnMut(&Name, RecordType) -> Option<Response>) -> SmtpReport {
    let mut check = SmtpCheck::new(n(domain), Case::config(w), NOW);
    for _ in 0..64 {
        if check.is_done() {
            break;
        }
        for q in check.poll_queries() {
            match answer(q.name(), q.rtype()) {
                Some(r) => {
                    let _ = check.handle_response(q.id(), &r.to_wire());
                }
                None => {
                    let _ = check.handle_error(q.id(), "dropped");
                }
            }
        }
    }
    check.poll_result().cloned().unwrap_or_else(|| panic!("the check of {domain} did not finish"))
}

/// The fuzzer's bytes as a stream of choices; zero once used up (honest answers).
struct Ops<'a>(&'a [u8]);

impl Ops<'_> {
    fn next(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    fn index(&mut self, len: usize) -> Option<usize> {
        (len > 0).then(|| (usize::from(self.next()) << 8 | usize::from(self.next())) % len)
    }
}

fn splice(mut r: Response, qname: &Name, ops: &mut Ops<'_>) -> Option<Response> {
    let pool = pool();
    for _ in 0..(ops.next() % 4) {
        match ops.next() % 9 {
            0 => {}
            1 => {
                if let Some(i) = ops.index(r.answers.len()) {
                    r.answers.remove(i);
                }
            }
            2 => {
                if let Some(i) = ops.index(r.authorities.len()) {
                    r.authorities.remove(i);
                }
            }
            3 | 4 => {
                if let Some(i) = ops.index(pool.len()) {
                    let mut rec = pool[i].clone();
                    if ops.next() & 1 == 1 {
                        rec.name = qname.clone();
                    }
                    if ops.next() & 1 == 1 { r.answers.push(rec) } else { r.authorities.push(rec) }
                }
            }
            5 => {
                r.rcode = if r.rcode == ResponseCode::NXDomain { ResponseCode::NoError } else { ResponseCode::NXDomain }
            }
            6 => {
                // Replay a whole RRset (with its RRSIGs) under the question's name.
                if let Some(i) = ops.index(pool.len()) {
                    let owner = pool[i].name.clone();
                    let rtype = pool[i].record_type();
                    r.answers = pool
                        .iter()
                        .filter(|rec| {
                            rec.name == owner && (rec.record_type() == rtype || rec.record_type() == RecordType::RRSIG)
                        })
                        .map(|rec| {
                            let mut rec = rec.clone();
                            rec.name = qname.clone();
                            rec
                        })
                        .collect();
                }
            }
            7 => return None,
            _ => r.ad = true,
        }
    }
    Some(r)
}

fn addresses(r: &SmtpReport, host: &str, rtype: &str) -> Option<(Status, BTreeSet<std::net::IpAddr>)> {
    let h = r.hosts.iter().find(|h| h.host == host)?;
    let set = h.addresses.iter().find(|a| a.rtype == rtype)?;
    Some((set.status, set.addresses.iter().copied().collect()))
}

/// The TLSA RRset a host's report calls secure: its owner and records.
fn secure_tlsa(h: &geleit::dns::HostReport) -> Option<(String, Vec<String>)> {
    let (proof, records) = h.tlsa.with_proof();
    let mut texts: Vec<String> = records.iter().map(|t| t.to_text()).collect();
    texts.sort();
    texts.dedup();
    (proof.status() == Status::Secure).then(|| (h.tlsa_base.clone().unwrap_or_default(), texts))
}

/// The TLSA records at `owner` in the signed zones (an honest lookup),
/// `None` unless that lookup is secure.
fn true_tlsa(owner: &str) -> Option<Vec<String>> {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<String, Option<Vec<String>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(owner).cloned()) {
        return hit;
    }
    let w = world();
    let mut lookup = geleit::dns::Lookup::new(n(owner), RecordType::TLSA, Case::config(w), NOW);
    for _ in 0..64 {
        if lookup.is_done() {
            break;
        }
        for q in lookup.poll_queries() {
            let _ = lookup.handle_response(q.id(), &w.answer(q.name(), q.rtype()).to_wire());
        }
    }
    let answer = lookup.poll_result().cloned();
    let truth = answer.filter(|a| a.status() == Status::Secure).map(|a| {
        let mut texts: Vec<String> = match a.data.with_proof().1 {
            geleit::dns::AnswerData::Records(rs) => rs
                .iter()
                .filter_map(|r| match &r.data {
                    hickory_proto::rr::RData::TLSA(t) => Some(format!(
                        "{} {} {} {}",
                        u8::from(t.cert_usage),
                        u8::from(t.selector),
                        u8::from(t.matching),
                        t.cert_data.iter().map(|b| format!("{b:02x}")).collect::<String>()
                    )),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        texts.sort();
        texts.dedup();
        texts
    });
    if let Ok(mut c) = cache.lock() {
        c.insert(owner.to_owned(), truth.clone());
    }
    truth
}

/// Whatever `got` calls secure, the signed zones say too.
fn judge(domain: &str, got: &SmtpReport, truth: &SmtpReport) {
    if got.mx_status == Status::Secure {
        let names = |r: &SmtpReport| r.hosts.iter().map(|h| h.host.clone()).collect::<Vec<_>>();
        assert_eq!(truth.mx_status, Status::Secure, "{domain}: forged secure MX status");
        assert_eq!((got.mx_outcome, names(got)), (truth.mx_outcome, names(truth)), "{domain}: forged secure MX hosts");
    }
    for h in &got.hosts {
        for rtype in ["A", "AAAA"] {
            if let Some((Status::Secure, set)) = addresses(got, &h.host, rtype) {
                assert_eq!(
                    addresses(truth, &h.host, rtype),
                    Some((Status::Secure, set)),
                    "{domain}: forged secure {rtype} of {}",
                    h.host
                );
            }
        }
        // The TLSA base may differ from the honest check's (an alias whose
        // chain an attack made unusable falls back to the host's own name,
        // RFC 7672 §2.2.3); the records called secure there must be the zone's.
        if let Some((owner, records)) = secure_tlsa(h) {
            let truth = true_tlsa(&owner);
            assert_eq!(truth.as_ref(), Some(&records), "{domain}: forged secure TLSA at {owner}");
        }
    }
    if got.dane_ready {
        assert!(truth.dane_ready, "{domain}: forged DANE-ready");
    }
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let mut ops = Ops(data);
    let domain = DOMAINS[usize::from(ops.next()) % DOMAINS.len()];
    let truth = honest(domain);
    let got = run(w, domain, &mut |q, t| {
        let honest = w.answer(q, t);
        if ops.next() % 3 == 0 { Some(honest) } else { splice(honest, q, &mut ops) }
    });
    judge(domain, &got, &truth);
});
