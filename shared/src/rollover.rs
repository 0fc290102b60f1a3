//! Guided next-key rollover: "current + next" (RFC 7671 §8.1).
//!
//! A `3 1 1` record pins one key. To change the key without a gap, the
//! record of the next key is published next to the current one; the server
//! switches to the next key only once every cache that may still hold the
//! old TLSA RRset (the one without the next key) has let it go; then the
//! current key's record is removed. DNS does not say when a record was
//! published, so the caller keeps a small [`State`]: for every MX host, when
//! each of the two records was first seen published *and* DNSSEC-validated.
//!
//! ```text
//!  State (JSON, parsed strictly) ─┐
//!  the key the server uses now ───┼──► decide ──► per host: publish-next | wait | switch-now
//!  HostReport per MX host (DNS) ──┤                          | remove-old | done | undecided
//!  now ───────────────────────────┘          + the updated State (first-seen times)
//! ```
//!
//! The stages, per host:
//!
//! | the server uses | published and validated | stage |
//! |---|---|---|
//! | the current key | no next record | `publish-next` |
//! | the current key | the next record, first seen less than 2×TTL ago | `wait` |
//! | the current key | the next record, first seen at least 2×TTL ago | `switch-now` |
//! | the next key | the current key's record still | `remove-old` |
//! | the next key | only the next key's record | `done` |
//! | either | DNS unreachable, bogus, insecure | `undecided` |
//!
//! Two TTLs rather than one: the first sighting is Geleit's, not the
//! secondaries', and a cache may have fetched the old RRset from a
//! secondary that had not yet loaded the change. The TTL is the zone's
//! (the RRSIG Original TTL, RFC 4034 §3.1.4), and the largest ever seen for
//! the host is kept, so lowering the TTL mid-rollover does not shorten the
//! wait. Overall, "switch now" needs every host to say so; a host that could
//! not be decided makes the whole rollover undecided, never "switch now".
//!
//! The core reads no files and no clock: the state comes in as bytes and
//! goes out as JSON, `now` is a parameter.

use serde::{Deserialize, Serialize};

use crate::cert::PublicKey;
use crate::dns::{self, HostReport, Status};
use crate::guard::{dns_blocker, spki_record, tlsa_owner};
use crate::time::format_utc;
use crate::tlsa::{Tlsa, Usage};
use crate::tlsa_gen::association_data;

/// The state file's format version (the `geleit_rollover` field).
pub const STATE_VERSION: u64 = 1;
/// The largest state file read, bytes.
pub const MAX_STATE: usize = 64 * 1024;
/// The most MX hosts one rollover tracks.
pub const MAX_HOSTS: usize = 64;

/// A state file or an input that does not fit the rollover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RolloverError {
    /// Larger than [`MAX_STATE`].
    #[error("expected a rollover state file of at most {max} bytes, found {found} bytes")]
    TooLarge { found: usize, max: usize },
    /// Not the JSON of a state file (syntax, a missing or unknown field, a wrong type).
    #[error("expected a rollover state file (JSON), found {detail}")]
    Json { detail: String },
    /// Another format version.
    #[error("expected rollover state version {STATE_VERSION}, found version {found}")]
    Version { found: u64 },
    /// A key field that is not a base64 DER SubjectPublicKeyInfo.
    #[error("expected {field} to be a base64 DER SubjectPublicKeyInfo, found {detail}")]
    Key { field: &'static str, detail: String },
    /// The next key is the current key.
    #[error("expected the next key to differ from the current key, found the same key ({record})")]
    SameKey { record: String },
    /// No hosts.
    #[error("expected at least one MX host in the rollover, found none")]
    NoHosts,
    /// More than [`MAX_HOSTS`] hosts.
    #[error("expected at most {max} MX hosts in the rollover, found {found}")]
    TooManyHosts { found: usize, max: usize },
    /// A host name that is not a domain name.
    #[error("expected an MX host name, found {found:?} ({detail})")]
    Host { found: String, detail: String },
    /// A host listed twice.
    #[error("expected each MX host once, found {host} twice")]
    DuplicateHost { host: String },
    /// A first-seen time that is negative or after `now`.
    #[error("expected {field} of {host} between 1970 and now ({now}), found {at}")]
    Time { host: String, field: &'static str, at: i64, now: String },
    /// A first-seen time for a record that the state says was never seen
    /// validated (the TTL is 0).
    #[error("expected a TLSA TTL for {host}, which has a first-seen time, found 0")]
    NoTtl { host: String },
    /// The server's key is neither key of the rollover.
    #[error(
        "expected the server to use the current key ({current}) or the next key ({next}) of this rollover, found another key ({found})"
    )]
    UnknownLiveKey { current: String, next: String, found: String },
    /// A DNS report for a host the rollover does not track.
    #[error("expected an MX host of this rollover ({hosts}), found {host}")]
    UnknownHost { host: String, hosts: String },
}

/// One key of the rollover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    spki: Vec<u8>,
    /// Key kind and size ("ECDSA P-256", "RSA 2048 bits").
    pub kind: String,
}

impl Key {
    /// The key of a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    ///
    /// # Errors
    /// Not a SubjectPublicKeyInfo.
    pub fn from_spki(spki: &[u8], field: &'static str) -> Result<Self, RolloverError> {
        let key = PublicKey::from_der(spki).map_err(|e| RolloverError::Key { field, detail: e.to_string() })?;
        Ok(Self { spki: spki.to_vec(), kind: key.key })
    }

    /// The DER SubjectPublicKeyInfo.
    #[must_use]
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// The `3 1 1` record that pins the key (RFC 7671 §5.1).
    #[must_use]
    pub fn record(&self) -> Tlsa {
        spki_record(Usage::DANE_EE, &self.spki)
    }

    /// Does `r` pin this key as DANE-EE(3) SPKI(1), with any matching type
    /// (RFC 7672 §3.1.1)?
    fn is_pinned_by(&self, r: &Tlsa) -> bool {
        r.usage == Usage::DANE_EE
            && r.selector == crate::tlsa::Selector::SPKI
            && association_data(&[], &self.spki, r.selector, r.matching_type).is_some_and(|d| d == r.data)
    }
}

/// What Geleit remembers of one MX host between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostState {
    /// The MX host, absolute and lower case (`mx.example.com.`).
    pub host: String,
    /// The largest TLSA TTL the zone has given this host's RRset, seconds (0: never seen validated).
    pub ttl: u32,
    /// When the current key's record was first seen published and validated
    /// (Unix seconds), if it is now.
    pub current_first_seen: Option<i64>,
    /// When the next key's record was first seen published and validated
    /// (Unix seconds), if it is now.
    pub next_first_seen: Option<i64>,
}

/// A rollover in progress: the two keys and what was seen of each host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    current: Key,
    next: Key,
    hosts: Vec<HostState>,
}

/// The state file, as written (JSON). Unknown fields are refused.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    geleit_rollover: u64,
    /// Base64 DER SubjectPublicKeyInfo of the key the server used when the rollover began.
    current_key: String,
    /// Base64 DER SubjectPublicKeyInfo of the next key.
    next_key: String,
    hosts: Vec<HostFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostFile {
    host: String,
    ttl: u32,
    current_first_seen: Option<i64>,
    next_first_seen: Option<i64>,
}

/// `input` as an absolute lower-case host name.
fn host_name(input: &str) -> Result<String, RolloverError> {
    let name = dns::parse_ascii_name(input)
        .map_err(|e| RolloverError::Host { found: input.to_owned(), detail: e.to_string() })?;
    if name.is_root() {
        return Err(RolloverError::Host { found: input.to_owned(), detail: "the root is no mail host".to_owned() });
    }
    let mut text = name.to_ascii().to_ascii_lowercase();
    if !text.ends_with('.') {
        text.push('.');
    }
    Ok(text)
}

fn base64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

fn unbase64(text: &str, field: &'static str) -> Result<Vec<u8>, RolloverError> {
    use base64ct::{Base64, Encoding};
    Base64::decode_vec(text).map_err(|e| RolloverError::Key { field, detail: format!("no base64 ({e})") })
}

impl State {
    /// A new rollover from `current` (the key the server uses) to `next`,
    /// for `hosts`; nothing seen yet.
    ///
    /// # Errors
    /// Keys that are not SubjectPublicKeyInfos or are the same; no hosts,
    /// too many, a bad or repeated host name.
    pub fn new(current_spki: &[u8], next_spki: &[u8], hosts: &[String]) -> Result<Self, RolloverError> {
        let current = Key::from_spki(current_spki, "the current key")?;
        let next = Key::from_spki(next_spki, "the next key")?;
        let hosts = hosts
            .iter()
            .map(|h| Ok(HostState { host: host_name(h)?, ttl: 0, current_first_seen: None, next_first_seen: None }))
            .collect::<Result<Vec<_>, RolloverError>>()?;
        Self::checked(current, next, hosts)
    }

    fn checked(current: Key, next: Key, hosts: Vec<HostState>) -> Result<Self, RolloverError> {
        if current.spki == next.spki {
            return Err(RolloverError::SameKey { record: current.record().to_string() });
        }
        if hosts.is_empty() {
            return Err(RolloverError::NoHosts);
        }
        if hosts.len() > MAX_HOSTS {
            return Err(RolloverError::TooManyHosts { found: hosts.len(), max: MAX_HOSTS });
        }
        for (i, h) in hosts.iter().enumerate() {
            if hosts.iter().take(i).any(|o| o.host == h.host) {
                return Err(RolloverError::DuplicateHost { host: h.host.clone() });
            }
        }
        Ok(Self { current, next, hosts })
    }

    /// Reads a state file. Everything is checked: the version, unknown or
    /// missing fields, the keys, the host names, and first-seen times (not
    /// negative, not after `now`, only with a TTL).
    ///
    /// # Errors
    /// See [`RolloverError`].
    pub fn parse(bytes: &[u8], now: i64) -> Result<Self, RolloverError> {
        if bytes.len() > MAX_STATE {
            return Err(RolloverError::TooLarge { found: bytes.len(), max: MAX_STATE });
        }
        // The version first, so that a later format gets its own message.
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| RolloverError::Json { detail: e.to_string() })?;
        if !value.is_object() {
            let kind = match value {
                serde_json::Value::Array(_) => "an array",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Bool(_) => "a boolean",
                _ => "null",
            };
            return Err(RolloverError::Json { detail: format!("{kind} where an object belongs") });
        }
        match value.get("geleit_rollover").and_then(serde_json::Value::as_u64) {
            Some(STATE_VERSION) | None => {}
            Some(found) => return Err(RolloverError::Version { found }),
        }
        let file: StateFile =
            serde_json::from_value(value).map_err(|e| RolloverError::Json { detail: e.to_string() })?;
        let current = Key::from_spki(&unbase64(&file.current_key, "current_key")?, "current_key")?;
        let next = Key::from_spki(&unbase64(&file.next_key, "next_key")?, "next_key")?;
        if file.hosts.len() > MAX_HOSTS {
            return Err(RolloverError::TooManyHosts { found: file.hosts.len(), max: MAX_HOSTS });
        }
        let mut hosts = Vec::with_capacity(file.hosts.len());
        for h in file.hosts {
            let host = host_name(&h.host)?;
            for (field, at) in [("current_first_seen", h.current_first_seen), ("next_first_seen", h.next_first_seen)] {
                if let Some(at) = at {
                    if at < 0 || at > now {
                        return Err(RolloverError::Time { host, field, at, now: format_utc(now) });
                    }
                    if h.ttl == 0 {
                        return Err(RolloverError::NoTtl { host });
                    }
                }
            }
            hosts.push(HostState {
                host,
                ttl: h.ttl,
                current_first_seen: h.current_first_seen,
                next_first_seen: h.next_first_seen,
            });
        }
        Self::checked(current, next, hosts)
    }

    /// The state file (JSON, pretty, newline-terminated).
    #[must_use]
    pub fn to_json(&self) -> String {
        let file = StateFile {
            geleit_rollover: STATE_VERSION,
            current_key: base64(&self.current.spki),
            next_key: base64(&self.next.spki),
            hosts: self
                .hosts
                .iter()
                .map(|h| HostFile {
                    host: h.host.clone(),
                    ttl: h.ttl,
                    current_first_seen: h.current_first_seen,
                    next_first_seen: h.next_first_seen,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The key the server used when the rollover began.
    #[must_use]
    pub const fn current(&self) -> &Key {
        &self.current
    }

    /// The next key.
    #[must_use]
    pub const fn next(&self) -> &Key {
        &self.next
    }

    /// The hosts, in the order given at the start.
    #[must_use]
    pub fn hosts(&self) -> &[HostState] {
        &self.hosts
    }

    /// The zone-file lines that publish the next key's record, one per host
    /// (the TTL left to the zone's default).
    #[must_use]
    pub fn publish_lines(&self) -> Vec<String> {
        let record = self.next.record();
        self.hosts.iter().map(|h| format!("{} IN TLSA {record}", Self::owner_of(h))).collect()
    }

    /// What to do once the rollover is prepared, in order (RFC 7671 §8.1).
    #[must_use]
    pub fn prepare_steps(&self) -> Vec<String> {
        vec![
            format!(
                "publish the record(s) above next to `{}`, which pins the key the server uses now: keep it",
                self.current.record()
            ),
            "reload and re-sign the zone, then run `geleit rollover status` (from cron, say hourly): it remembers when it first sees the next record published and validated".to_owned(),
            "keep the server on the current key until status says switch-now: both records live and validated for two TTLs on every host".to_owned(),
            "then deploy a certificate for the next key, and remove the old record when status says remove-old".to_owned(),
        ]
    }

    /// The TLSA owner name of `host` for zone-file lines (`_25._tcp.HOST`;
    /// the DNS lookup may find another base domain, RFC 7672 §2.2.2).
    #[must_use]
    pub fn owner_of(host: &HostState) -> String {
        format!("_25._tcp.{}", host.host)
    }
}

/// The stage of the rollover (for one host, or overall).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Publish the next key's record next to the current one.
    PublishNext,
    /// Both records are live and validated; not yet for two TTLs.
    Wait,
    /// Both records have been live for two TTLs: deploy the next key.
    SwitchNow,
    /// The server uses the next key: remove the current key's record.
    RemoveOld,
    /// The server uses the next key and only its record is published.
    Done,
    /// DNS could not be checked (unreachable, bogus, insecure): never "switch now".
    Undecided,
}

impl Stage {
    /// The lowercase name, as serialised.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PublishNext => "publish-next",
            Self::Wait => "wait",
            Self::SwitchNow => "switch-now",
            Self::RemoveOld => "remove-old",
            Self::Done => "done",
            Self::Undecided => "undecided",
        }
    }

    /// A sentence for the admin.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::PublishNext => "publish the next key's record next to the current one; do not switch keys yet",
            Self::Wait => "both records are live and validated, but not yet for two TTLs: wait, do not switch keys yet",
            Self::SwitchNow => {
                "switch now: both records have been live and validated for two TTLs on every host; deploy the next key"
            }
            Self::RemoveOld => "the server uses the next key: remove the old key's record",
            Self::Done => "rollover complete: the server uses the next key and only its record is published",
            Self::Undecided => "could not decide: do not switch keys until every host can be checked",
        }
    }

    /// Whether the admin has nothing to wait for or fix (exit 0): switch
    /// now, or done.
    #[must_use]
    pub const fn is_go(self) -> bool {
        matches!(self, Self::SwitchNow | Self::Done)
    }
}

/// Which key of the rollover the server uses now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Live {
    /// The key the rollover started from.
    Current,
    /// The next key: the server has switched.
    Next,
}

/// The answer for one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostRollover {
    /// The MX host.
    pub host: String,
    /// Where its TLSA records live.
    pub owner: String,
    /// The TLSA lookup's DNSSEC status (none: the host was not looked up).
    pub tlsa_status: Option<Status>,
    /// The TTL waited for: the largest the zone has given, seconds.
    pub ttl: u32,
    /// The published TLSA records, presentation format.
    pub records: Vec<String>,
    /// The stage.
    pub stage: Stage,
    /// The records to publish now (publish-next).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub publish: Vec<String>,
    /// The records to remove now (remove-old).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// How long the next key's record has been seen published and validated, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_seen_for: Option<u64>,
    /// How long still to wait (wait), seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<u64>,
    /// What is so, in words.
    pub detail: String,
    /// What is wrong beside the stage (a record missing that should be there).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolloverReport {
    /// Overall.
    pub stage: Stage,
    /// The moment judged, Unix seconds.
    pub now: i64,
    /// Which key the server uses.
    pub live: Live,
    /// The current key's `3 1 1` record.
    pub current_record: String,
    /// The current key's kind.
    pub current_key: String,
    /// The next key's `3 1 1` record.
    pub next_record: String,
    /// The next key's kind.
    pub next_key: String,
    /// Per host, in the state's order.
    pub hosts: Vec<HostRollover>,
    /// What to do, in order.
    pub steps: Vec<String>,
}

/// "1 h 30 min", "59 min 59 s", "0 s".
fn span(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// Decides the stage of every host of `state` from the DNS `reports`, with
/// the server on the key `live_spki`, at `now`; returns the answer and the
/// state to keep (first-seen times set for records seen for the first time,
/// cleared for records seen gone; hosts that could not be checked keep
/// theirs).
///
/// # Errors
/// The server's key is neither key of the rollover; a report for a host the
/// rollover does not track.
pub fn decide(
    state: &State,
    live_spki: &[u8],
    reports: &[&HostReport],
    now: i64,
) -> Result<(RolloverReport, State), RolloverError> {
    let live = if live_spki == state.current.spki.as_slice() {
        Live::Current
    } else if live_spki == state.next.spki.as_slice() {
        Live::Next
    } else {
        return Err(RolloverError::UnknownLiveKey {
            current: state.current.record().to_string(),
            next: state.next.record().to_string(),
            found: spki_record(Usage::DANE_EE, live_spki).to_string(),
        });
    };
    let mut wanted: Vec<String> = Vec::with_capacity(reports.len());
    for r in reports {
        let name = host_name(&r.host).unwrap_or_else(|_| r.host.clone());
        if !state.hosts.iter().any(|h| h.host == name) {
            return Err(RolloverError::UnknownHost {
                host: name,
                hosts: state.hosts.iter().map(|h| h.host.as_str()).collect::<Vec<_>>().join(", "),
            });
        }
        wanted.push(name);
    }
    let mut next_state = state.clone();
    let mut hosts = Vec::with_capacity(state.hosts.len());
    for hs in &mut next_state.hosts {
        let report = wanted.iter().position(|w| *w == hs.host).and_then(|i| reports.get(i)).copied();
        hosts.push(decide_host(state, live, hs, report, now));
    }
    let stage = overall(live, &hosts);
    let steps = steps(state, stage, &hosts);
    let report = RolloverReport {
        stage,
        now,
        live,
        current_record: state.current.record().to_string(),
        current_key: state.current.kind.clone(),
        next_record: state.next.record().to_string(),
        next_key: state.next.kind.clone(),
        hosts,
        steps,
    };
    Ok((report, next_state))
}

fn overall(live: Live, hosts: &[HostRollover]) -> Stage {
    let any = |s: Stage| hosts.iter().any(|h| h.stage == s);
    if hosts.is_empty() || any(Stage::Undecided) {
        return Stage::Undecided;
    }
    // The least advanced host decides; a server already on the next key
    // without its record published is the most urgent.
    let order: &[Stage] = match live {
        Live::Current => &[Stage::PublishNext, Stage::Wait, Stage::SwitchNow],
        Live::Next => &[Stage::PublishNext, Stage::RemoveOld, Stage::Done],
    };
    order.iter().copied().find(|s| any(*s)).unwrap_or(Stage::Undecided)
}

/// Updates `hs` from `report` and says where the host stands.
fn decide_host(state: &State, live: Live, hs: &mut HostState, report: Option<&HostReport>, now: i64) -> HostRollover {
    let mut out = HostRollover {
        host: hs.host.clone(),
        owner: State::owner_of(hs),
        tlsa_status: None,
        ttl: hs.ttl,
        records: Vec::new(),
        stage: Stage::Undecided,
        publish: Vec::new(),
        remove: Vec::new(),
        next_seen_for: None,
        wait_seconds: None,
        detail: String::new(),
        warnings: Vec::new(),
    };
    let Some(h) = report else {
        out.detail = format!("{} was not looked up", hs.host);
        return out;
    };
    let (proof, records) = h.tlsa.with_proof();
    out.owner = tlsa_owner(h);
    out.tlsa_status = Some(proof.status());
    out.records = records.iter().map(|r| r.to_text()).collect();
    if let Some(why) = dns_blocker(h, "Geleit") {
        // Nothing is known: the first-seen times stay as they were.
        out.detail = why;
        return out;
    }
    let owner = out.owner.clone();
    let current_here = records.iter().any(|r| r.problems.is_empty() && state.current.is_pinned_by(&r.record));
    let next_here = records.iter().any(|r| r.problems.is_empty() && state.next.is_pinned_by(&r.record));
    hs.ttl = hs.ttl.max(h.tlsa_ttl);
    hs.current_first_seen = if current_here { Some(hs.current_first_seen.unwrap_or(now)) } else { None };
    hs.next_first_seen = if next_here { Some(hs.next_first_seen.unwrap_or(now)) } else { None };
    out.ttl = hs.ttl;
    let (cur, nxt) = (state.current.record().to_string(), state.next.record().to_string());
    let seen_for = hs.next_first_seen.map(|at| u64::try_from(now.saturating_sub(at)).unwrap_or(0));
    out.next_seen_for = seen_for;
    match live {
        Live::Current => {
            if !current_here {
                out.warnings.push(format!(
                    "the record of the key the server uses now (`{cur}`) is not published at {owner}: DANE-aware senders that see this RRset defer mail to {} now",
                    hs.host
                ));
            }
            match seen_for {
                None => {
                    out.stage = Stage::PublishNext;
                    out.publish.push(nxt.clone());
                    if !current_here {
                        out.publish.push(cur.clone());
                    }
                    out.detail =
                        format!("the next key's record `{nxt}` is not published at {owner} (DNSSEC-validated answer)");
                }
                Some(seen) => {
                    let needed = 2 * u64::from(hs.ttl);
                    let since = hs.next_first_seen.map(format_utc).unwrap_or_default();
                    if seen >= needed {
                        out.stage = Stage::SwitchNow;
                        out.detail = format!(
                            "the next key's record `{nxt}` has been published and validated at {owner} since {since} ({}), at least two TTLs ({})",
                            span(seen),
                            span(needed)
                        );
                    } else {
                        let left = needed - seen;
                        out.stage = Stage::Wait;
                        out.wait_seconds = Some(left);
                        out.detail = format!(
                            "the next key's record `{nxt}` has been published and validated at {owner} since {since} ({}); two TTLs are {}: {} still to wait",
                            span(seen),
                            span(needed),
                            span(left)
                        );
                    }
                }
            }
        }
        Live::Next => {
            if !next_here {
                out.stage = Stage::PublishNext;
                out.publish.push(nxt.clone());
                out.detail = format!(
                    "the server already uses the next key, but its record `{nxt}` is not published at {owner}: DANE-aware senders defer mail to {} now",
                    hs.host
                );
            } else if current_here {
                out.stage = Stage::RemoveOld;
                out.remove.push(cur.clone());
                out.detail = format!(
                    "the server uses the next key, pinned by `{nxt}`; `{cur}` pins the old key, which no server uses any more"
                );
            } else {
                out.stage = Stage::Done;
                out.detail = format!("the server uses the next key and `{nxt}` at {owner} pins it");
            }
        }
    }
    out
}

/// What to do, in order, for the overall stage.
fn steps(state: &State, stage: Stage, hosts: &[HostRollover]) -> Vec<String> {
    let (cur, nxt) = (state.current.record().to_string(), state.next.record().to_string());
    let at = |s: Stage| -> Vec<&HostRollover> { hosts.iter().filter(|h| h.stage == s).collect() };
    let lines = |hs: &[&HostRollover], pick: fn(&HostRollover) -> &Vec<String>| -> String {
        hs.iter()
            .flat_map(|h| {
                pick(h).iter().map(move |r| match h.ttl {
                    0 => format!("`{} IN TLSA {r}`", h.owner),
                    ttl => format!("`{} {ttl} IN TLSA {r}`", h.owner),
                })
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    match stage {
        Stage::PublishNext => {
            let hs = at(Stage::PublishNext);
            out.push(format!(
                "publish {} (keep `{cur}` while the server uses the current key)",
                lines(&hs, |h| &h.publish)
            ));
            out.push("reload the zone and make sure it is re-signed".to_owned());
            out.push(
                "run `geleit rollover status` again: it remembers when it first sees the record published and validated"
                    .to_owned(),
            );
            out.push(
                "switch the server to the next key only when status says switch-now (both records live for two TTLs on every host)"
                    .to_owned(),
            );
        }
        Stage::Wait => {
            let left = hosts.iter().filter_map(|h| h.wait_seconds).max().unwrap_or(0);
            out.push(format!(
                "keep the server on the current key and both records published; wait {} (caches may still hold the TLSA RRset without the next key, RFC 7671 §8.1)",
                span(left)
            ));
            out.push("then run `geleit rollover status` again; it says switch-now when it is safe".to_owned());
        }
        Stage::SwitchNow => {
            out.push(format!(
                "deploy the next key now: install a certificate for the next key ({}) and reload Postfix or Exim",
                state.next.kind
            ));
            out.push(
                "run `geleit rollover status --live` with the new certificate: it then reminds you to remove the old record"
                    .to_owned(),
            );
        }
        Stage::RemoveOld => {
            out.push(format!(
                "remove {} (keep `{nxt}`: it pins the key the server uses)",
                lines(&at(Stage::RemoveOld), |h| &h.remove)
            ));
            out.push(
                "then start the next rollover early: `geleit rollover prepare` publishes the key after this one beside it"
                    .to_owned(),
            );
        }
        Stage::Done => {
            out.push(format!(
                "nothing to do: `{nxt}` pins the key the server uses on every host; prepare the next rollover early with `geleit rollover prepare`"
            ));
        }
        Stage::Undecided => {
            out.push("do not switch keys: the DNS of some hosts could not be checked (see above)".to_owned());
            out.push(
                "fix what is named above, or retry when the resolver answers, then run `geleit rollover status` again"
                    .to_owned(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
