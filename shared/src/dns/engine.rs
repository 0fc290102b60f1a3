//! The validating engine behind [`super::Lookup`] and [`super::SmtpCheck`]:
//! a cache of responses keyed by question, the queries still wanted, the
//! top-down zone walk that finds zone cuts and their keys (RFC 4035 §5), and
//! the validation of one answer including CNAME chains and wildcards.
//!
//! Tasks are written as plain functions that ask the engine for data; a
//! missing answer is recorded as wanted and the function returns `None`.
//! Each task asks for everything it can name before giving up, so one
//! round carries every query that can be known at that point.

use std::collections::HashMap;
use std::sync::Arc;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use serde::Serialize;

use super::anchor::{Anchor, TrustAnchors};
use super::denial::{self, DenialKind, Denied};
use super::expiry::{SigExpiry, earliest};
use super::proof::{Proof, Reason, ReasonKind};
use super::verify::{self, ZoneKeys};
use super::wire::{self, Query, QueryId, Response};
use super::{DnsError, shown};

/// Settings of one check.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where validation starts.
    pub anchors: TrustAnchors,
    /// Most queries one check may issue before it knows its MX hosts, and
    /// its base budget after (a bound on work for hostile data).
    pub max_queries: u32,
    /// More queries allowed per MX host to check (at most
    /// [`super::MAX_MX_HOSTS`]): a host in a zone already walked needs A,
    /// AAAA, TLSA and DS and DNSKEY at three names (9), an alias about 7
    /// more for the TLSA base of its target. Running out is never a pass:
    /// what was not asked is indeterminate, and delivery is deferred.
    pub max_queries_per_host: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self { anchors: TrustAnchors::iana_root(), max_queries: 300, max_queries_per_host: 16 }
    }
}

/// Work done: sequential rounds of parallel queries, and queries in all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Batches of queries handed out (each can be sent in parallel).
    pub rounds: u32,
    /// Queries handed out.
    pub queries: u32,
}

/// Most CNAME links followed (RFC 1034 §3.6.2 leaves it to the resolver).
pub(crate) const MAX_CNAME_HOPS: usize = 8;

type Key = (Name, RecordType);

enum Slot {
    Pending,
    Done(Result<Arc<Response>, Reason>),
}

/// The security context of a name: the deepest zone above it and its keys.
#[derive(Clone, Debug)]
pub(crate) enum ZoneState {
    Secure(Arc<ZoneKeys>),
    Insecure {
        cut: Name,
        why: String,
    },
    /// Inside zone `keys`, but below a name where the absence of a zone cut
    /// could not be checked (NSEC3 iterations above the limit, RFC 9276 §3.2).
    /// Data that zone signed itself still validates: its signer is proven by
    /// the chain of trust and needs no denial (RFC 4035 §5.3.1). Anything that
    /// needs a denial from it, or data it did not sign, is insecure, since an
    /// unsigned delegation may hide below `cut`.
    Unproven {
        keys: Arc<ZoneKeys>,
        cut: Name,
        why: String,
    },
    Failed(Proof),
}

/// One validated answer (before the task shapes it).
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub chain: Vec<(Name, Name, Proof)>,
    pub target: Name,
    pub data: Data,
    pub proof: Proof,
    pub ttl: u32,
    /// The TTL the zone gives the data: a validated RRset's RRSIG Original
    /// TTL (RFC 4034 §3.1.4), which a cache counts down but never exceeds;
    /// else [`Self::ttl`].
    pub zone_ttl: u32,
    /// The first signature to expire that the answer rests on: its own
    /// RRSIG or denial, every CNAME/DNAME link, and the DS and DNSKEY RRsets
    /// from the trust anchor down. Only for a secure answer.
    pub expiry: Option<SigExpiry>,
    pub trace: Vec<String>,
}

impl Resolved {
    /// Sets [`Self::expiry`], which only a secure answer has.
    fn set_expiry(&mut self, expiry: Option<SigExpiry>) {
        self.expiry = if self.proof.is_secure() { expiry } else { None };
    }

    pub(crate) fn stalled(qname: &Name, proof: Proof) -> Self {
        Self {
            chain: Vec::new(),
            target: qname.clone(),
            data: Data::Unknown,
            proof,
            ttl: 0,
            zone_ttl: 0,
            expiry: None,
            trace: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // NoData and NxDomain are the DNS terms
pub(crate) enum Data {
    Records(Vec<Record>),
    NoData,
    NxDomain,
    /// Nothing usable (see the proof).
    Unknown,
}

pub(crate) struct Engine {
    config: Config,
    now: u64,
    slots: HashMap<Key, Slot>,
    by_id: Vec<Key>,
    wanted: Vec<Key>,
    zones: HashMap<Name, (ZoneState, String)>,
    /// Finished validations: a task re-evaluated after each round does not verify twice.
    resolved: HashMap<Key, Resolved>,
    /// Hosts the budget was raised for (see [`Config::max_queries_per_host`]).
    hosts_allowed: u32,
    stats: Stats,
}

impl Engine {
    pub fn new(config: Config, now: u64) -> Self {
        Self {
            config,
            now,
            slots: HashMap::new(),
            by_id: Vec::new(),
            wanted: Vec::new(),
            zones: HashMap::new(),
            resolved: HashMap::new(),
            hosts_allowed: 0,
            stats: Stats::default(),
        }
    }

    /// Raises the query budget for `hosts` MX hosts to check (idempotent:
    /// the budget is for the largest count given).
    pub fn allow_hosts(&mut self, hosts: usize) {
        let hosts = u32::try_from(hosts.min(super::MAX_MX_HOSTS)).unwrap_or(0);
        self.hosts_allowed = self.hosts_allowed.max(hosts);
    }

    /// The most queries this check may issue now.
    pub fn max_queries(&self) -> u32 {
        self.config.max_queries.saturating_add(self.config.max_queries_per_host.saturating_mul(self.hosts_allowed))
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn has_pending(&self) -> bool {
        self.slots.values().any(|s| matches!(s, Slot::Pending))
    }

    /// Hands out the queries wanted since the last call, as one round.
    pub fn take_queries(&mut self) -> Vec<Query> {
        let wanted = std::mem::take(&mut self.wanted);
        let mut out = Vec::with_capacity(wanted.len());
        for key in wanted {
            if self.slots.contains_key(&key) {
                continue;
            }
            let limit = self.max_queries();
            if self.stats.queries >= limit {
                let reason = Reason::new(
                    ReasonKind::Network,
                    format!(
                        "not asked for {} {}: the check reached its limit of {limit} queries",
                        shown(&key.0),
                        key.1,
                    ),
                );
                self.slots.insert(key, Slot::Done(Err(reason)));
                continue;
            }
            let id = QueryId(u32::try_from(self.by_id.len()).unwrap_or(u32::MAX));
            out.push(Query::new(id, key.0.clone(), key.1));
            self.slots.insert(key.clone(), Slot::Pending);
            self.by_id.push(key);
            self.stats.queries += 1;
        }
        if !out.is_empty() {
            self.stats.rounds += 1;
        }
        out
    }

    fn pending_key(&self, id: QueryId) -> Result<Key, DnsError> {
        let key = usize::try_from(id.0).ok().and_then(|i| self.by_id.get(i)).ok_or(DnsError::UnknownQuery(id.0))?;
        match self.slots.get(key) {
            Some(Slot::Pending) => Ok(key.clone()),
            _ => Err(DnsError::UnknownQuery(id.0)),
        }
    }

    /// Takes the response bytes for query `id`. Bad bytes are not an error of
    /// the call: they make that answer indeterminate.
    pub fn handle_response(&mut self, id: QueryId, bytes: &[u8]) -> Result<(), DnsError> {
        let key = self.pending_key(id)?;
        let result = wire::parse_response(bytes, &key.0, key.1).map(Arc::new).map_err(|e| {
            Reason::new(
                ReasonKind::Malformed,
                format!("the resolver's answer for {} {} is unusable: {e}", shown(&key.0), key.1),
            )
        });
        self.slots.insert(key, Slot::Done(result));
        Ok(())
    }

    /// Records that query `id` failed in transport (`error` says how).
    pub fn handle_error(&mut self, id: QueryId, error: &str) -> Result<(), DnsError> {
        let key = self.pending_key(id)?;
        let reason = Reason::new(ReasonKind::Network, format!("no answer for {} {}: {error}", shown(&key.0), key.1));
        self.slots.insert(key, Slot::Done(Err(reason)));
        Ok(())
    }

    /// The response for a question, or `None` after recording it as wanted.
    fn fetch(&mut self, name: &Name, rtype: RecordType) -> Option<Result<Arc<Response>, Reason>> {
        let key = (name.to_lowercase(), rtype);
        match self.slots.get(&key) {
            Some(Slot::Done(r)) => Some(r.clone()),
            Some(Slot::Pending) => None,
            None => {
                if !self.wanted.contains(&key) {
                    self.wanted.push(key);
                }
                None
            }
        }
    }

    /// The names from the trust anchor down to `name`, top first.
    fn ancestors(anchor: &Name, name: &Name) -> Vec<Name> {
        let mut names = Vec::new();
        let mut n = name.to_lowercase();
        while n.num_labels() > anchor.num_labels() {
            names.push(n.clone());
            n = super::base_name(&n);
        }
        names.reverse();
        names
    }

    /// The zone state at `name` (the deepest zone cut at or above it), or
    /// `None` while answers are missing. Asks for DS and DNSKEY at every
    /// ancestor at once.
    pub fn zone_of(&mut self, name: &Name) -> Option<ZoneState> {
        let name = name.to_lowercase();
        if let Some((state, _)) = self.zones.get(&name) {
            return Some(state.clone());
        }
        let Some(anchor) = self.config.anchors.closest(&name).cloned() else {
            return Some(ZoneState::Failed(Proof::indeterminate(
                ReasonKind::NoTrustAnchor,
                format!("no trust anchor covers {name}", name = shown(&name)),
            )));
        };
        let below = Self::ancestors(&anchor, &name);
        // Ask for everything first, so it all goes out in one round.
        let mut complete = self.fetch(&anchor, RecordType::DNSKEY).is_some();
        for a in &below {
            complete &= self.fetch(a, RecordType::DS).is_some();
            complete &= self.fetch(a, RecordType::DNSKEY).is_some();
        }
        if !complete {
            return None;
        }
        let mut state = match self.zones.get(&anchor) {
            Some((s, _)) => s.clone(),
            None => {
                let (s, step) = self.anchor_state(&anchor);
                self.zones.insert(anchor.clone(), (s.clone(), step));
                s
            }
        };
        for a in below {
            if let Some((s, _)) = self.zones.get(&a) {
                state = s.clone();
                continue;
            }
            let (next, step) = match &state {
                ZoneState::Secure(z) => {
                    let z = Arc::clone(z);
                    self.step(&z, &a)
                }
                // Below an unchecked name the walk goes on with the same keys:
                // a signed DS still proves a secure cut; finding none keeps the
                // name unproven.
                ZoneState::Unproven { keys, cut, why } => {
                    let (keys, cut, why) = (Arc::clone(keys), cut.clone(), why.clone());
                    match self.step(&keys, &a) {
                        (ZoneState::Secure(z), step) if z.zone == keys.zone => {
                            (ZoneState::Unproven { keys, cut, why }, step)
                        }
                        other => other,
                    }
                }
                other => (other.clone(), String::new()),
            };
            self.zones.insert(a.clone(), (next.clone(), step));
            state = next;
        }
        Some(state)
    }

    /// The steps of the zone walk down to `name`, for a trace.
    pub fn walk_trace(&self, name: &Name) -> Vec<String> {
        let name = name.to_lowercase();
        let Some(anchor) = self.config.anchors.closest(&name) else { return Vec::new() };
        let mut names = vec![anchor.clone()];
        names.extend(Self::ancestors(anchor, &name));
        names.iter().filter_map(|n| self.zones.get(n)).map(|(_, step)| step.clone()).filter(|s| !s.is_empty()).collect()
    }

    fn response(&mut self, name: &Name, rtype: RecordType) -> Result<Arc<Response>, Reason> {
        self.fetch(name, rtype).unwrap_or_else(|| {
            Err(Reason::new(ReasonKind::Network, format!("no answer for {name} {rtype} yet", name = shown(name))))
        })
    }

    /// Trusts the DNSKEY RRset at an anchor (RFC 4035 §5.2 with the anchor as DS).
    fn anchor_state(&mut self, anchor: &Name) -> (ZoneState, String) {
        // An anchor whose records all use algorithms or digests this validator
        // does not implement gives no authentication path: below it everything
        // is insecure, not bogus (RFC 4035 §5.2, RFC 8624 §3.1).
        let usable = self.config.anchors.at(anchor).any(|a| match a {
            Anchor::Ds(_, d) => verify::algorithm_supported(d.algorithm()) && verify::digest_supported(d.digest_type()),
            Anchor::Key(_, k) => {
                verify::algorithm_supported(hickory_proto::dnssec::Verifier::algorithm(k))
                    && verify::key_size_problem(k).is_none()
            }
        });
        if !usable {
            let why = format!(
                "the trust anchor for {anchor} only uses algorithms or digest types this validator does not implement, so there is no authentication path (RFC 4035 §5.2)",
                anchor = shown(anchor)
            );
            return (
                ZoneState::Insecure { cut: anchor.clone(), why: why.clone() },
                format!("{}: {why}", shown(anchor)),
            );
        }
        let resp = match self.response(anchor, RecordType::DNSKEY) {
            Ok(r) => r,
            Err(reason) => return (ZoneState::Failed(Proof::Indeterminate { reason }), String::new()),
        };
        let Some(set) = verify::find(&resp.answers, anchor, RecordType::DNSKEY) else {
            let p = Proof::bogus(
                ReasonKind::DnskeyMissing,
                format!("the trust anchor's zone {anchor} returned no DNSKEY records", anchor = shown(anchor)),
            );
            return (ZoneState::Failed(p), String::new());
        };
        let keys = verify::dnskeys_of(&set);
        let ds: Vec<_> = self
            .config
            .anchors
            .at(anchor)
            .filter_map(|a| match a {
                Anchor::Ds(_, d) => Some(d),
                Anchor::Key(..) => None,
            })
            .collect();
        let mut trusted: Vec<_> = verify::keys_matching_ds(anchor, &ds, &keys).into_iter().cloned().collect();
        for a in self.config.anchors.at(anchor) {
            if let Anchor::Key(_, k) = a {
                trusted.extend(keys.iter().filter(|key| key.public_key() == k.public_key()).cloned());
            }
        }
        if trusted.is_empty() {
            let p = Proof::bogus(
                ReasonKind::DnskeyMissing,
                format!("no DNSKEY of {anchor} matches the configured trust anchor", anchor = shown(anchor)),
            );
            return (ZoneState::Failed(p), String::new());
        }
        let tags = key_tags(&trusted);
        match verify::verify_rrset(&set, &ZoneKeys::bare(anchor.clone(), trusted), self.now) {
            Ok(v) => (
                ZoneState::Secure(Arc::new(ZoneKeys { zone: anchor.clone(), keys, expiry: Some(v.expiry(&set)) })),
                format!("{anchor} DNSKEY: secure, key tag {tags} matches the trust anchor", anchor = shown(anchor)),
            ),
            Err(reason) => bogus_step(format!("{anchor} DNSKEY: bogus", anchor = shown(anchor)), reason),
        }
    }

    /// One step of the walk: is `a` (a child name inside or below zone `z`) a zone cut?
    fn step(&mut self, z: &Arc<ZoneKeys>, a: &Name) -> (ZoneState, String) {
        let same = ZoneState::Secure(Arc::clone(z));
        let resp = match self.response(a, RecordType::DS) {
            Ok(r) => r,
            Err(reason) => return (ZoneState::Failed(Proof::Indeterminate { reason }), String::new()),
        };
        match resp.rcode {
            ResponseCode::NoError | ResponseCode::NXDomain => {}
            other => {
                let p = Proof::indeterminate(
                    ReasonKind::Network,
                    format!("the resolver answered {other} for {a} DS", a = shown(a)),
                );
                return (ZoneState::Failed(p), String::new());
            }
        }
        let nxdomain = resp.rcode == ResponseCode::NXDomain;
        if !nxdomain && let Some(set) = verify::find(&resp.answers, a, RecordType::DS) {
            return match verify::verify_rrset(&set, z, self.now) {
                // A DS RRset lives at a delegation point, never at a
                // wildcard (RFC 4592 §4.6): an expanded one is a replay.
                Ok(v) if v.labels < a.num_labels() => bogus_step(
                    format!("{a} DS: bogus", a = shown(a)),
                    Reason::new(
                        ReasonKind::Inconsistent,
                        format!(
                            "the DS RRset at {a} is expanded from a wildcard, which cannot hold DS records (RFC 4592 §4.6)",
                            a = shown(a)
                        ),
                    ),
                ),
                Ok(v) => self.enter_zone(a, &verify::ds_of(&set), earliest(z.expiry.clone(), Some(v.expiry(&set)))),
                Err(reason) => bogus_step(format!("{a} DS: bogus", a = shown(a)), reason),
            };
        }
        // Below a DNAME nothing exists in this zone (RFC 6672 §2.3): no cut either.
        if let Some(set) = dname_above(&resp.answers, a) {
            let owner = set.name.to_lowercase();
            return match verify::verify_rrset(&set, z, self.now) {
                Ok(v) if v.labels == owner.num_labels() => {
                    (same, format!("{a}: below the DNAME at {owner}", a = shown(a), owner = shown(&owner)))
                }
                Ok(_) => bogus_step(
                    format!("{owner} DNAME: bogus", owner = shown(&owner)),
                    Reason::new(ReasonKind::Inconsistent, "a DNAME expanded from a wildcard (RFC 6672 §3.3)"),
                ),
                Err(reason) => bogus_step(format!("{owner} DNAME: bogus", owner = shown(&owner)), reason),
            };
        }
        // A CNAME at `a` in zone `z` rules out a zone cut there (RFC 2181
        // §10.1); one expanded from a wildcard only with its proof. The rcode
        // then speaks of the end of the chain (RFC 6604 §2.1), so a dangling
        // CNAME comes with NXDOMAIN.
        if let Some(set) = verify::find(&resp.answers, a, RecordType::CNAME) {
            return match self.check_positive(&set, &resp, &ZoneState::Secure(Arc::clone(z)), a).proof {
                Proof::Secure => (same, String::new()),
                Proof::Insecure { why, .. } => (
                    ZoneState::Unproven { keys: Arc::clone(z), cut: a.clone(), why: why.clone() },
                    format!("{a}: unproven: {why}", a = shown(a)),
                ),
                failed => (ZoneState::Failed(failed), String::new()),
            };
        }
        match denial::prove(&resp.authorities, a, RecordType::DS, nxdomain, z, self.now) {
            Ok(d) if d.delegation => {
                let why = d.insecure.unwrap_or_else(|| {
                    format!("{a} is delegated without a DS record (proven by {})", shown(&z.zone), a = shown(a))
                });
                (
                    ZoneState::Insecure { cut: a.clone(), why: why.clone() },
                    format!("{a} DS: none, insecure delegation: {why}", a = shown(a)),
                )
            }
            Ok(Denied { unchecked: true, insecure, .. }) => {
                let why = insecure.unwrap_or_default();
                (
                    ZoneState::Unproven { keys: Arc::clone(z), cut: a.clone(), why: why.clone() },
                    format!("{a} DS: not checked: {why}", a = shown(a)),
                )
            }
            Ok(d) => match d.insecure {
                Some(why) => (
                    ZoneState::Insecure { cut: a.clone(), why: why.clone() },
                    format!("{a}: insecure: {why}", a = shown(a)),
                ),
                None if d.kind == DenialKind::NxDomain => {
                    (same, format!("{a}: does not exist (proven by {})", shown(&z.zone), a = shown(a)))
                }
                None => (same, String::new()),
            },
            Err(reason) => bogus_step(format!("{a} DS: bogus denial", a = shown(a)), reason),
        }
    }

    /// Enters the child zone `a` through its validated DS RRset (RFC 4035 §5.2).
    /// `path` is the first signature to expire on the way to the DS RRset.
    fn enter_zone(
        &mut self,
        a: &Name,
        ds: &[&hickory_proto::dnssec::rdata::DS],
        path: Option<SigExpiry>,
    ) -> (ZoneState, String) {
        let mut usable: Vec<_> = ds
            .iter()
            .copied()
            .filter(|d| verify::algorithm_supported(d.algorithm()) && verify::digest_supported(d.digest_type()))
            .collect();
        // With a SHA-256 (or stronger) DS beside it, a SHA-1 DS is ignored
        // (RFC 4509 §3), so that a SHA-1 collision cannot open another path.
        if usable.iter().any(|d| u8::from(d.digest_type()) > 1) {
            usable.retain(|d| u8::from(d.digest_type()) != 1);
        }
        if usable.is_empty() {
            let why = format!(
                "the DS records of {a} only use algorithms or digest types this validator does not implement ({}), so the zone counts as unsigned (RFC 4035 §5.2)",
                ds.iter()
                    .map(|d| format!("algorithm {} digest {}", u8::from(d.algorithm()), u8::from(d.digest_type())))
                    .collect::<Vec<_>>()
                    .join(", "),
                a = shown(a)
            );
            return (ZoneState::Insecure { cut: a.clone(), why: why.clone() }, format!("{a} DS: {why}", a = shown(a)));
        }
        let resp = match self.response(a, RecordType::DNSKEY) {
            Ok(r) => r,
            Err(reason) => return (ZoneState::Failed(Proof::Indeterminate { reason }), String::new()),
        };
        let Some(set) = verify::find(&resp.answers, a, RecordType::DNSKEY) else {
            let p = Proof::bogus(
                ReasonKind::DnskeyMissing,
                format!("{a} has a DS record in its parent zone, but returned no DNSKEY records", a = shown(a)),
            );
            return (ZoneState::Failed(p), format!("{a} DNSKEY: missing", a = shown(a)));
        };
        let keys = verify::dnskeys_of(&set);
        let (matching, too_small): (Vec<_>, Vec<_>) = verify::keys_matching_ds(a, &usable, &keys)
            .into_iter()
            .cloned()
            .partition(|k| verify::key_size_problem(k).is_none());
        // Every usable DS names a key whose size this validator cannot verify:
        // no authentication path, as for an unsupported algorithm (RFC 4035
        // §5.2). Decided from the signed DS set, so dropping keys from the
        // DNSKEY answer cannot get there: a DS whose key is missing leaves it bogus.
        if matching.is_empty()
            && !too_small.is_empty()
            && usable.iter().all(|d| !verify::keys_matching_ds(a, &[*d], &too_small).is_empty())
        {
            let problem = too_small.first().and_then(verify::key_size_problem).unwrap_or_default();
            let why = format!(
                "the DS records of {a} point to {problem}, so the zone counts as unsigned (RFC 4035 §5.2)",
                a = shown(a)
            );
            return (ZoneState::Insecure { cut: a.clone(), why: why.clone() }, format!("{a} DS: {why}", a = shown(a)));
        }
        if matching.is_empty() {
            let ds_tags = usable.iter().map(|d| d.key_tag().to_string()).collect::<Vec<_>>().join(", ");
            let p = Proof::bogus(
                ReasonKind::DnskeyMissing,
                format!(
                    "no DNSKEY of {a} matches its DS record (DS key tag {ds_tags}; DNSKEY key tags {}): the DS in the parent zone is wrong or outdated",
                    key_tags(&keys),
                    a = shown(a)
                ),
            );
            return (ZoneState::Failed(p), format!("{a} DS: does not match any DNSKEY", a = shown(a)));
        }
        let tags = key_tags(&matching);
        let mut warn = String::new();
        if usable.iter().any(|d| u8::from(d.digest_type()) == 1) {
            warn.push_str(" (warning: a DS uses SHA-1, RFC 8624 §3.3)");
        }
        if matching.iter().any(|k| verify::algorithm_is_sha1(hickory_proto::dnssec::Verifier::algorithm(k))) {
            warn.push_str(" (warning: a key uses an RSA/SHA-1 algorithm, RFC 8624 §3.1)");
        }
        match verify::verify_rrset(&set, &ZoneKeys::bare(a.clone(), matching), self.now) {
            Ok(v) if v.labels < a.num_labels() => bogus_step(
                format!("{a} DNSKEY: bogus", a = shown(a)),
                Reason::new(
                    ReasonKind::Inconsistent,
                    format!("the DNSKEY RRset at {a} is expanded from a wildcard", a = shown(a)),
                ),
            ),
            Ok(v) => (
                ZoneState::Secure(Arc::new(ZoneKeys {
                    zone: a.clone(),
                    keys,
                    expiry: earliest(path, Some(v.expiry(&set))),
                })),
                format!("{a} DS → DNSKEY: secure zone cut, key tag {tags}{warn}", a = shown(a)),
            ),
            Err(reason) => bogus_step(format!("{a} DNSKEY: bogus", a = shown(a)), reason),
        }
    }

    /// The end of the CNAME chain in the cached, not yet validated answer to
    /// (`qname`, `qtype`), so that queries under it can go out in the same
    /// round as the validation of the chain itself.
    pub fn peek_target(&self, qname: &Name, qtype: RecordType) -> Option<Name> {
        let Some(Slot::Done(Ok(r))) = self.slots.get(&(qname.to_lowercase(), qtype)) else { return None };
        let mut current = qname.to_lowercase();
        for _ in 0..MAX_CNAME_HOPS {
            let next = r.answers.iter().find(|rec| rec.name == current).and_then(|rec| match &rec.data {
                RData::CNAME(c) => Some(c.0.to_lowercase()),
                _ => None,
            });
            match next {
                Some(n) => current = n,
                None => break,
            }
        }
        (current != qname.to_lowercase()).then_some(current)
    }

    /// Resolves and validates (`qname`, `qtype`), following CNAMEs; `None`
    /// while answers are missing.
    pub fn resolve(&mut self, qname: &Name, qtype: RecordType) -> Option<Resolved> {
        let key = (qname.to_lowercase(), qtype);
        if let Some(done) = self.resolved.get(&key) {
            return Some(done.clone());
        }
        let done = self.resolve_uncached(qname, qtype)?;
        self.resolved.insert(key, done.clone());
        Some(done)
    }

    fn resolve_uncached(&mut self, qname: &Name, qtype: RecordType) -> Option<Resolved> {
        let mut current = qname.to_lowercase();
        let mut chain: Vec<(Name, Name, Proof)> = Vec::new();
        // The first signature to expire on the CNAME/DNAME links so far.
        let mut links_expiry: Option<SigExpiry> = None;
        let mut trace = Vec::new();
        let mut resp = self.fetch(qname, qtype);
        loop {
            // The zone of a DS RRset is the parent's (RFC 4035 §5.2).
            let zone_name = if qtype == RecordType::DS && !current.is_root() {
                super::base_name(&current)
            } else {
                current.clone()
            };
            let zone = self.zone_of(&zone_name);
            let (Some(r), Some(zone)) = (resp.clone(), zone) else { return None };
            trace.extend(self.walk_trace(&zone_name));
            let r = match r {
                Ok(r) => r,
                Err(reason) => {
                    return Some(finish(
                        qname,
                        chain,
                        current,
                        Data::Unknown,
                        Proof::Indeterminate { reason },
                        0,
                        trace,
                    ));
                }
            };
            if let Some(set) = verify::find(&r.answers, &current, qtype) {
                let checked = self.check_positive(&set, &r, &zone, &current);
                trace.push(format!("{} {}: {}", shown(&current), qtype, checked.proof));
                let records = set.records.iter().map(|r| (*r).clone()).collect();
                let mut done = finish(qname, chain, current, Data::Records(records), checked.proof, checked.ttl, trace);
                done.zone_ttl = checked.zone_ttl;
                done.set_expiry(earliest(links_expiry, checked.expiry));
                return Some(done);
            }
            // A DNAME above the name redirects it (RFC 6672 §2.2). The CNAME
            // the server synthesises is unsigned: validate the DNAME and
            // rebuild the CNAME from it (§5.3.3); a synthesised CNAME in the
            // answer is only a hint and is not used.
            if qtype != RecordType::DNAME
                && let Some(set) = dname_above(&r.answers, &current)
            {
                let owner = set.name.to_lowercase();
                let zone = self.zone_of(&owner)?;
                let Checked { proof, expiry, .. } = self.check_positive(&set, &r, &zone, &owner);
                links_expiry = earliest(links_expiry, expiry);
                trace.push(format!("{owner} DNAME: {proof}", owner = shown(&owner)));
                let target = set.records.iter().find_map(|rec| verify::dname_target(&rec.data));
                let Some(next) = target.and_then(|t| synthesize(&current, &owner, &t)) else {
                    let p = Proof::bogus(
                        ReasonKind::Malformed,
                        format!(
                            "the DNAME at {owner} has no usable target for {current} (RFC 6672 §2.2)",
                            owner = shown(&owner),
                            current = shown(&current)
                        ),
                    );
                    return Some(finish(qname, chain, current, Data::Unknown, p, 0, trace));
                };
                if let Some(p) = loop_or_too_long(qname, &chain, &next) {
                    return Some(finish(qname, chain, current, Data::Unknown, p, 0, trace));
                }
                chain.push((current.clone(), next.clone(), proof));
                current = next;
                let has_more = r.answers.iter().any(|rec| rec.name == current);
                resp = if has_more { Some(Ok(Arc::clone(&r))) } else { self.fetch(&current, qtype) };
                continue;
            }
            let cname =
                if qtype == RecordType::CNAME { None } else { verify::find(&r.answers, &current, RecordType::CNAME) };
            {
                if let Some(set) = cname {
                    let Checked { proof, expiry, .. } = self.check_positive(&set, &r, &zone, &current);
                    links_expiry = earliest(links_expiry, expiry);
                    let target = set.records.iter().find_map(|rec| match &rec.data {
                        RData::CNAME(c) => Some(c.0.to_lowercase()),
                        _ => None,
                    });
                    trace.push(format!("{current} CNAME: {proof}", current = shown(&current)));
                    let Some(target) = target else {
                        let p = Proof::bogus(
                            ReasonKind::Malformed,
                            format!("the CNAME RRset at {current} has no target", current = shown(&current)),
                        );
                        return Some(finish(qname, chain, current, Data::Unknown, p, 0, trace));
                    };
                    if let Some(p) = loop_or_too_long(qname, &chain, &target) {
                        return Some(finish(qname, chain, current, Data::Unknown, p, 0, trace));
                    }
                    chain.push((current.clone(), target.clone(), proof));
                    current = target;
                    // The resolver usually includes the rest of the chain; if not, ask.
                    let has_more = r.answers.iter().any(|rec| rec.name == current);
                    resp = if has_more { Some(Ok(Arc::clone(&r))) } else { self.fetch(&current, qtype) };
                    continue;
                }
            }
            // No data for `current`: a denial. For a CNAME target, ask for it directly.
            let r = if current == *qname {
                r
            } else {
                match self.fetch(&current, qtype)? {
                    Ok(r) => r,
                    Err(reason) => {
                        return Some(finish(
                            qname,
                            chain,
                            current,
                            Data::Unknown,
                            Proof::Indeterminate { reason },
                            0,
                            trace,
                        ));
                    }
                }
            };
            let (data, proof, ttl, expiry) = self.check_denial(&r, &zone, &current, qtype);
            trace.push(format!(
                "{current} {qtype}: {} {proof}",
                match data {
                    Data::NxDomain => "NXDOMAIN,",
                    Data::NoData => "no data,",
                    _ => "",
                },
                current = shown(&current)
            ));
            let mut done = finish(qname, chain, current, data, proof, ttl, trace);
            done.set_expiry(earliest(links_expiry, expiry));
            return Some(done);
        }
    }

    /// The proof of a positive answer, its TTL, the TTL the zone gives it
    /// (see [`Resolved::zone_ttl`]) and, when secure, its first signature
    /// to expire (see [`Resolved::expiry`]).
    fn check_positive(&self, set: &verify::RrSet<'_>, r: &Response, zone: &ZoneState, owner: &Name) -> Checked {
        let failed = |proof| Checked { proof, ttl: 0, zone_ttl: 0, expiry: None };
        let unsigned = |proof| Checked { proof, ttl: set.ttl(), zone_ttl: set.ttl(), expiry: None };
        let verified = |proof: Proof, v: &verify::Verified, z: &ZoneKeys| Checked {
            expiry: if proof.is_secure() { earliest(z.expiry.clone(), Some(v.expiry(set))) } else { None },
            proof,
            ttl: v.ttl,
            zone_ttl: v.original_ttl,
        };
        match zone {
            ZoneState::Secure(z) => match verify::verify_rrset(set, z, self.now) {
                Ok(v) if v.labels < owner.num_labels() => {
                    match denial::prove_wildcard_answer(&r.authorities, owner, v.labels, z, self.now) {
                        Ok(None) => verified(Proof::Secure, &v, z),
                        Ok(Some(why)) => verified(Proof::Insecure { zone_cut: z.zone.to_ascii(), why }, &v, z),
                        Err(reason) => failed(Proof::Bogus { reason }),
                    }
                }
                Ok(v) => verified(Proof::Secure, &v, z),
                Err(reason) => failed(unsupported_or_bogus(reason, &z.zone)),
            },
            ZoneState::Unproven { keys, cut, why } => {
                let insecure = || Proof::Insecure { zone_cut: cut.to_ascii(), why: why.clone() };
                match verify::verify_rrset(set, keys, self.now) {
                    // Signed by the zone itself and not expanded: the signer is
                    // proven by the chain of trust, no denial needed.
                    Ok(v) if v.labels == owner.num_labels() => verified(Proof::Secure, &v, keys),
                    Ok(v) => match denial::prove_wildcard_answer(&r.authorities, owner, v.labels, keys, self.now) {
                        Ok(None) => verified(Proof::Secure, &v, keys),
                        Ok(Some(why)) => verified(Proof::Insecure { zone_cut: keys.zone.to_ascii(), why }, &v, keys),
                        Err(reason) => failed(Proof::Bogus { reason }),
                    },
                    // Not signed by the zone: it may belong to an unsigned zone below `cut`.
                    Err(reason) if reason.kind == ReasonKind::RrsigsMissing => unsigned(insecure()),
                    Err(reason) => failed(unsupported_or_bogus(reason, &keys.zone)),
                }
            }
            ZoneState::Insecure { cut, why } => {
                unsigned(Proof::Insecure { zone_cut: cut.to_ascii(), why: why.clone() })
            }
            ZoneState::Failed(p) => failed(p.clone()),
        }
    }

    /// The data a denial proves, its proof, its TTL and, when secure, its
    /// first signature to expire.
    fn check_denial(
        &self,
        r: &Response,
        zone: &ZoneState,
        qname: &Name,
        qtype: RecordType,
    ) -> (Data, Proof, u32, Option<SigExpiry>) {
        let nxdomain = match r.rcode {
            ResponseCode::NXDomain => true,
            ResponseCode::NoError => false,
            other => {
                let p = Proof::indeterminate(
                    ReasonKind::Network,
                    format!("the resolver answered {other} for {qname} {qtype}", qname = shown(qname)),
                );
                return (Data::Unknown, p, 0, None);
            }
        };
        let data = if nxdomain { Data::NxDomain } else { Data::NoData };
        match zone {
            ZoneState::Secure(z) => match denial::prove(&r.authorities, qname, qtype, nxdomain, z, self.now) {
                Ok(d) => {
                    let data = denied_data(&d, data);
                    match d.insecure {
                        Some(why) => (data, Proof::Insecure { zone_cut: z.zone.to_ascii(), why }, d.ttl, None),
                        None => (data, Proof::Secure, d.ttl, d.expiry),
                    }
                }
                Err(reason) => (data, unsupported_or_bogus(reason, &z.zone), 0, None),
            },
            // A denial from the zone cannot rule out an unsigned zone below the unchecked name.
            ZoneState::Unproven { keys, cut, why } => {
                match denial::prove(&r.authorities, qname, qtype, nxdomain, keys, self.now) {
                    Err(reason)
                        if reason.kind != ReasonKind::NsecMissing && reason.kind != ReasonKind::RrsigsMissing =>
                    {
                        (data, unsupported_or_bogus(reason, &keys.zone), 0, None)
                    }
                    _ => (data, Proof::Insecure { zone_cut: cut.to_ascii(), why: why.clone() }, 0, None),
                }
            }
            ZoneState::Insecure { cut, why } => {
                (data, Proof::Insecure { zone_cut: cut.to_ascii(), why: why.clone() }, 0, None)
            }
            ZoneState::Failed(p) => (data, p.clone(), 0, None),
        }
    }
}

fn finish(
    qname: &Name,
    chain: Vec<(Name, Name, Proof)>,
    target: Name,
    data: Data,
    proof: Proof,
    ttl: u32,
    trace: Vec<String>,
) -> Resolved {
    let _ = qname;
    let overall = chain.iter().fold(proof, |acc, (_, _, p)| acc.weakest(p.clone()));
    let mut seen = Vec::new();
    let trace = trace
        .into_iter()
        .filter(|t| {
            if seen.contains(t) {
                false
            } else {
                seen.push(t.clone());
                true
            }
        })
        .collect();
    Resolved { chain, target, data, proof: overall, ttl, zone_ttl: ttl, expiry: None, trace }
}

/// What [`Engine::check_positive`] found.
struct Checked {
    proof: Proof,
    ttl: u32,
    zone_ttl: u32,
    /// Set only for a secure proof.
    expiry: Option<SigExpiry>,
}

/// A failed signature check: bogus, unless it failed only because the zone
/// signs with keys this validator cannot use (an RSA key size outside what
/// it verifies), which counts as unsigned as RFC 8624 §3.1 allows for
/// unsupported algorithms, not as tampering.
fn unsupported_or_bogus(reason: Reason, zone: &Name) -> Proof {
    if reason.kind == ReasonKind::UnsupportedKeySize {
        Proof::Insecure { zone_cut: zone.to_ascii(), why: reason.detail }
    } else {
        Proof::Bogus { reason }
    }
}

/// The data of a checked denial: compact denial (RFC 9824) turns a NOERROR
/// answer into a nonexistent name.
fn denied_data(d: &Denied, claimed: Data) -> Data {
    if d.kind == DenialKind::NxDomain { Data::NxDomain } else { claimed }
}

/// A chain that would loop back or grow beyond [`MAX_CNAME_HOPS`] links by
/// going on to `next`: bogus.
fn loop_or_too_long(qname: &Name, chain: &[(Name, Name, Proof)], next: &Name) -> Option<Proof> {
    let looped = chain.iter().any(|(from, _, _)| from == next) || next == qname;
    (chain.len() >= MAX_CNAME_HOPS || looped).then(|| {
        Proof::bogus(
            ReasonKind::Inconsistent,
            format!(
                "the CNAME chain from {qname} loops or is longer than {MAX_CNAME_HOPS} links",
                qname = shown(qname)
            ),
        )
    })
}

/// The deepest DNAME RRset in `section` owned by a proper ancestor of `name`.
fn dname_above<'a>(section: &'a [Record], name: &Name) -> Option<verify::RrSet<'a>> {
    section
        .iter()
        .filter(|r| r.record_type() == RecordType::DNAME && r.name.zone_of(name) && r.name != *name)
        .max_by_key(|r| r.name.num_labels())
        .and_then(|r| verify::find(section, &r.name, RecordType::DNAME))
}

/// `name` with its suffix `owner` replaced by `target` (RFC 6672 §2.2), or
/// `None` when the result is too long (the server answers YXDOMAIN then).
fn synthesize(name: &Name, owner: &Name, target: &Name) -> Option<Name> {
    let keep = usize::from(name.num_labels()).checked_sub(usize::from(owner.num_labels()))?;
    let prefix: Vec<&[u8]> = name.iter().take(keep).collect();
    let mut out = target.to_lowercase();
    out.set_fqdn(true);
    for label in prefix.iter().rev() {
        out = out.prepend_label(hickory_proto::rr::Label::from_raw_bytes(label).ok()?).ok()?;
    }
    Some(out)
}

/// A failed step: the zone state and the trace line naming the reason.
fn bogus_step(step: String, reason: Reason) -> (ZoneState, String) {
    let line = format!("{step}: {reason}");
    (ZoneState::Failed(Proof::Bogus { reason }), line)
}

fn key_tags(keys: &[hickory_proto::dnssec::rdata::DNSKEY]) -> String {
    keys.iter().filter_map(|k| k.calculate_key_tag().ok()).map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}
