//! The browser's one driver of the core's check machine
//! ([`geleit::check::DomainCheck`]), for the web app and the widget's
//! in-browser engine alike. Plain Rust, generic over the [`Transport`] that
//! moves the bytes: `services::check` fetches DoH answers and the edge's
//! `/api/probe` reports and its `/api/sts-policy` fetches; the replay tests serve recordings. The machine
//! decides everything (which queries, retries, which validated addresses to
//! probe with which SNI, the verdict, an unreachable resolver); the driver
//! only sends, hands back and reports what happened.
//!
//! ```text
//!  DomainCheck ── poll_queries ──► Transport::doh  (all at once) ──┐
//!      ▲   ◄── handle_response / handle_transport_error ◄──────────┤ as each
//!      ├── poll_probes ──► Transport::probe (as soon as handed out) ┤ arrives
//!      │   ◄── handle_probe / handle_probe_failed ◄─────────────────┘
//!      └── is_done ──► CheckOutcome          (and every Step to `on_step`)
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use geleit::api::{self, Answer, ApiError, ErrorCode};
use geleit::check::{CheckOutcome, DomainCheck, FetchFailure, FetchRequest, FetchResult, Progress};
use geleit::dns::{Config, Query, QueryId, SmtpReport, TrustAnchors, parse_ascii_name};
use geleit::smtp::HostReport;
use geleit::verdict::ProbeTarget;

use crate::state::Settings;

/// The largest DoH answer read (RFC 8484 §6: a DNS message is at most 65535 octets).
pub const MAX_DOH_ANSWER: usize = 65_535;

/// The largest probe report read.
pub const MAX_PROBE_REPORT: usize = 2 * 1024 * 1024;

/// The media type of DoH messages (RFC 8484 §6).
pub const DNS_MESSAGE: &str = "application/dns-message";

/// Why the driver has no answer, or why a check could not run: what the
/// transport, the settings or the machine report, as data. The page words it
/// per language from the variant ([`crate::drive_words`]); `Display` is the
/// lowercase English for logs, the exported JSON and the core (which keeps
/// the words of a transport failure as text, see
/// [`DomainCheck::handle_transport_error`]). Kept as JSON (`kind` and the
/// fields) in a check kept in the page's history ([`Recorded`]), written and
/// read by hand: serde's derived impls would cost the widget's default
/// module (which shares the generic serde code, not this type) hundreds of
/// bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriveError {
    /// The trust anchor of the settings cannot be read (the core's words).
    Anchor { detail: String },
    /// The name is no DNS name the core accepts (the core's words).
    Name { detail: String },
    /// No HTTP answer: the network is down, the connection was refused, the
    /// server's name does not resolve, or CORS blocked the answer (a browser
    /// does not tell which).
    NoAnswer { url: String, detail: String },
    /// No answer within `after_ms` milliseconds: the page gave up.
    Timeout { url: String, after_ms: u32 },
    /// DoH: an HTTP status other than 2xx (RFC 8484 §4.2.1).
    HttpStatus { url: String, status: u16 },
    /// DoH: a 2xx answer that is no DNS message (a captive portal, a proxy's page).
    MediaType { url: String, found: Option<String> },
    /// An answer larger than the page reads.
    TooLarge { limit: usize, found: usize },
    /// The answer could not be read, or is not what was asked for (the core's
    /// words about the API contract or the report).
    Unreadable { detail: String },
    /// The edge's own error answer ([`geleit::api::ApiError`]).
    Edge { status: u16, code: ErrorCode, message: String, retry_after_s: Option<u64> },
    /// The edge still answered 429 (too many requests) after the page waited `waits` times.
    RateLimited { waits: u32 },
    /// The edge's report is about another host than the one asked for.
    WrongHost { expected: String, found: String },
    /// The MTA-STS policy fetch needs the edge: a page cannot make it (the
    /// policy host sends no CORS headers, and a browser follows redirects).
    NoEdge,
    /// A check kept in this page holds no answer for `what` (a query, a probe, the policy fetch).
    NotKept { what: String },
    /// The check machine refused an answer or stopped without an outcome: a
    /// bug in Geleit, not something a resolver or the edge can cause.
    Machine { detail: String },
}

impl core::fmt::Display for DriveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Anchor { detail } => write!(f, "expected a readable trust anchor, found {detail}"),
            Self::Name { detail } | Self::Unreadable { detail } | Self::Machine { detail } => f.write_str(detail),
            Self::NoAnswer { url, detail } => write!(f, "expected an HTTP answer from {url}, found none ({detail})"),
            Self::Timeout { url, after_ms } => {
                write!(f, "expected an answer from {url} within {after_ms} ms, found none")
            }
            Self::HttpStatus { url, status } => write!(f, "expected HTTP 2xx from {url}, found HTTP {status}"),
            Self::MediaType { url, found } => match found {
                Some(m) => write!(f, "expected {DNS_MESSAGE} from {url}, found \"{m}\""),
                None => write!(f, "expected {DNS_MESSAGE} from {url}, found no media type"),
            },
            Self::TooLarge { limit, found } => write!(f, "expected an answer of at most {limit} bytes, found {found}"),
            Self::Edge { status, code, message, retry_after_s } => match retry_after_s {
                Some(s) => write!(f, "{message} (HTTP {status}, {}; retry after {s} s)", code.as_str()),
                None => write!(f, "{message} (HTTP {status}, {})", code.as_str()),
            },
            Self::RateLimited { waits } => {
                write!(f, "expected an answer of the edge after {waits} waits, found HTTP 429 (rate_limited) each time")
            }
            Self::WrongHost { expected, found } => {
                write!(f, "expected the probe report of {expected}, found one of {found}")
            }
            Self::NoEdge => f.write_str("not fetched: no edge to fetch it (a web page cannot, for CORS)"),
            Self::NotKept { what } => write!(f, "expected {what} in the check kept in this page, found none"),
        }
    }
}

impl std::error::Error for DriveError {}

/// One field of a [`DriveError`] as JSON.
enum Field<'a> {
    Text(&'a str),
    Number(u64),
    Missing,
}

impl DriveError {
    /// The kind and the fields, for [`Self::to_json`].
    fn fields(&self) -> (&'static str, Vec<(&'static str, Field<'_>)>) {
        use Field::{Missing, Number, Text};
        let n = |v: usize| Number(u64::try_from(v).unwrap_or(u64::MAX));
        match self {
            Self::Anchor { detail } => ("anchor", vec![("detail", Text(detail))]),
            Self::Name { detail } => ("name", vec![("detail", Text(detail))]),
            Self::NoAnswer { url, detail } => ("no_answer", vec![("url", Text(url)), ("detail", Text(detail))]),
            Self::Timeout { url, after_ms } => {
                ("timeout", vec![("url", Text(url)), ("after_ms", Number(u64::from(*after_ms)))])
            }
            Self::HttpStatus { url, status } => {
                ("http_status", vec![("url", Text(url)), ("status", Number(u64::from(*status)))])
            }
            Self::MediaType { url, found } => {
                ("media_type", vec![("url", Text(url)), ("found", found.as_deref().map_or(Missing, Text))])
            }
            Self::TooLarge { limit, found } => ("too_large", vec![("limit", n(*limit)), ("found", n(*found))]),
            Self::Unreadable { detail } => ("unreadable", vec![("detail", Text(detail))]),
            Self::Edge { status, code, message, retry_after_s } => (
                "edge",
                vec![
                    ("status", Number(u64::from(*status))),
                    ("code", Text(code.as_str())),
                    ("message", Text(message)),
                    ("retry_after_s", retry_after_s.map_or(Missing, Number)),
                ],
            ),
            Self::RateLimited { waits } => ("rate_limited", vec![("waits", Number(u64::from(*waits)))]),
            Self::WrongHost { expected, found } => {
                ("wrong_host", vec![("expected", Text(expected)), ("found", Text(found))])
            }
            Self::NoEdge => ("no_edge", Vec::new()),
            Self::NotKept { what } => ("not_kept", vec![("what", Text(what))]),
            Self::Machine { detail } => ("machine", vec![("detail", Text(detail))]),
        }
    }

    /// As a JSON object: `{"kind":"http_status","url":"…","status":502}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        let q = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
        let (kind, fields) = self.fields();
        let mut out = format!("{{\"kind\":{}", q(kind));
        for (key, value) in fields {
            match value {
                Field::Text(t) => out.push_str(&format!(",\"{key}\":{}", q(t))),
                Field::Number(v) => out.push_str(&format!(",\"{key}\":{v}")),
                Field::Missing => {}
            }
        }
        out.push('}');
        out
    }

    /// Read back from [`Self::to_json`]; `None` for anything else.
    #[must_use]
    pub fn from_json(v: &serde_json::Value) -> Option<Self> {
        let text = |key: &str| v.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
        let number = |key: &str| v.get(key).and_then(serde_json::Value::as_u64);
        let small = |key: &str| number(key).and_then(|n| u32::try_from(n).ok());
        let size = |key: &str| number(key).and_then(|n| usize::try_from(n).ok());
        Some(match v.get("kind")?.as_str()? {
            "anchor" => Self::Anchor { detail: text("detail")? },
            "name" => Self::Name { detail: text("detail")? },
            "no_answer" => Self::NoAnswer { url: text("url")?, detail: text("detail")? },
            "timeout" => Self::Timeout { url: text("url")?, after_ms: small("after_ms")? },
            "http_status" => Self::HttpStatus { url: text("url")?, status: u16::try_from(number("status")?).ok()? },
            "media_type" => Self::MediaType { url: text("url")?, found: text("found") },
            "too_large" => Self::TooLarge { limit: size("limit")?, found: size("found")? },
            "unreadable" => Self::Unreadable { detail: text("detail")? },
            "edge" => Self::Edge {
                status: u16::try_from(number("status")?).ok()?,
                code: ErrorCode::parse(&text("code")?),
                message: text("message")?,
                retry_after_s: number("retry_after_s"),
            },
            "rate_limited" => Self::RateLimited { waits: small("waits")? },
            "wrong_host" => Self::WrongHost { expected: text("expected")?, found: text("found")? },
            "no_edge" => Self::NoEdge,
            "not_kept" => Self::NotKept { what: text("what")? },
            "machine" => Self::Machine { detail: text("detail")? },
            _ => return None,
        })
    }
}

impl From<ApiError> for DriveError {
    fn from(e: ApiError) -> Self {
        Self::Edge { status: e.status, code: e.code, message: e.message, retry_after_s: e.retry_after_s }
    }
}

/// What moves a check's bytes. Each call is one attempt; failures are data
/// for the machine (it decides about retries, from their words) and for the
/// page (it words them per language).
pub trait Transport {
    /// One DoH exchange: the answer's DNS message, or why there is none (no
    /// HTTP answer, an HTTP error, not a DNS message).
    fn doh(&self, query: &Query) -> impl Future<Output = Result<Vec<u8>, DriveError>>;

    /// One probe of `target` (its validated addresses, its SNI) by the edge.
    fn probe(&self, target: &ProbeTarget) -> impl Future<Output = Result<HostReport, DriveError>>;

    /// The MTA-STS policy fetch (RFC 8461 §3.3): the fetch's result as the
    /// edge made it, or why the page has none. A page cannot make it itself
    /// (the policy host sends no CORS headers, and a browser follows
    /// redirects): the page's transport asks the edge (`/api/sts-policy`); a
    /// transport without the edge (a replay) says [`DriveError::NoEdge`],
    /// which the core words as "not fetched", never as a fault of the domain.
    fn fetch_policy(&self, _request: &FetchRequest) -> impl Future<Output = Result<FetchResult, DriveError>> {
        std::future::ready(Err(DriveError::NoEdge))
    }
}

/// What happened, for the page's progress. A host is probed as soon as its
/// own lookups are complete, so its `Probing` and `Probed` may come before
/// `DnsDone`; `Probing` always comes before that host's `Probed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// DNS rounds and queries handed out so far.
    Dns { rounds: u32, queries: u32 },
    /// The machine handed out `host` (without the trailing dot) for probing.
    Probing { host: String },
    /// The DNS stage is complete and says something about the domain (not
    /// sent when the resolver could not be reached).
    DnsDone { report: Box<SmtpReport> },
    /// The probe of `host` came back: the edge's report, or why there is none.
    Probed { host: String, report: Result<Box<HostReport>, DriveError> },
    /// One DoH attempt failed (the machine asks again, or counts the query
    /// as unanswered): the page words the last one when the resolver could
    /// not be reached.
    DohFailed { error: DriveError },
    /// The MTA-STS policy could not be asked for (the core reports it as not fetched).
    PolicyFailed { error: DriveError },
}

/// A check of `domain` (A-labels) with the settings' trust anchor, probes
/// included; `[host]` checks that one host directly (no MX lookup, as
/// Postfix's next-hop syntax; see [`crate::domain::Domain::written`]).
///
/// # Errors
/// [`DriveError::Anchor`]: the trust anchor cannot be read;
/// [`DriveError::Name`]: the name is no DNS name.
pub fn domain_check(domain: &str, settings: &Settings, now: i64) -> Result<DomainCheck, DriveError> {
    let anchors = if settings.anchor.trim().is_empty() {
        TrustAnchors::iana_root()
    } else {
        TrustAnchors::scan(&settings.anchor).map_err(|e| DriveError::Anchor { detail: e.to_string() })?
    };
    let now = u64::try_from(now).unwrap_or(0);
    let config = Config { anchors, ..Config::default() };
    let name_error = |e: geleit::dns::DnsError| DriveError::Name { detail: e.to_string() };
    if let Some(host) = domain.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let name = parse_ascii_name(host).map_err(name_error)?;
        return Ok(DomainCheck::new_host(name, config, now, true));
    }
    let name = parse_ascii_name(domain).map_err(name_error)?;
    Ok(DomainCheck::new(name, config, now, true))
}

/// What came back, in the order it came.
enum Arrived {
    Dns(QueryId, Result<Vec<u8>, DriveError>),
    Probe(ProbeTarget, Result<HostReport, DriveError>),
    Policy(Result<FetchResult, DriveError>),
}

type InFlight<'a> = Vec<Pin<Box<dyn Future<Output = Arrived> + 'a>>>;

/// Runs `check` to its outcome over `transport`: every query of a round at
/// once, each probe as soon as the machine hands its target out (while other
/// queries or probes are still out), every answer handed back as it arrives.
///
/// # Errors
/// [`DriveError::Machine`]: the machine refused an answer or stopped without
/// an outcome (a bug, not something a resolver or the edge can cause).
pub async fn drive<T: Transport>(
    mut check: DomainCheck,
    transport: &T,
    mut on_step: impl FnMut(Step),
) -> Result<CheckOutcome, DriveError> {
    let machine = |e: geleit::dns::DnsError| DriveError::Machine { detail: e.to_string() };
    let mut in_flight: InFlight<'_> = Vec::new();
    let mut shown = Progress { rounds: 0, queries: 0, probes_started: 0, probes_done: 0, done: false };
    let mut dns_reported = false;
    loop {
        for query in check.poll_queries() {
            in_flight.push(Box::pin(async move {
                let answer = transport.doh(&query).await;
                Arrived::Dns(query.id(), answer)
            }));
        }
        let progress = check.progress();
        if (progress.rounds, progress.queries) != (shown.rounds, shown.queries) {
            on_step(Step::Dns { rounds: progress.rounds, queries: progress.queries });
        }
        shown = progress;
        for target in check.poll_probes() {
            on_step(Step::Probing { host: target.host.clone() });
            in_flight.push(Box::pin(async move {
                let report = transport.probe(&target).await;
                Arrived::Probe(target, report)
            }));
        }
        for request in check.poll_fetches() {
            in_flight.push(Box::pin(async move { Arrived::Policy(transport.fetch_policy(&request).await) }));
        }
        // An unreachable resolver's DNS report says nothing about the domain: not shown.
        let unreachable = matches!(check.poll_result(), Some(CheckOutcome::ResolverUnreachable(_)));
        if !dns_reported
            && !unreachable
            && let Some(report) = check.dns_report()
        {
            dns_reported = true;
            on_step(Step::DnsDone { report: Box::new(report.clone()) });
        }
        if check.is_done() {
            return check
                .into_result()
                .ok_or_else(|| DriveError::Machine { detail: "the check ended without an outcome".to_owned() });
        }
        let Some(arrived) = next(&mut in_flight).await else {
            return Err(DriveError::Machine {
                detail: "the check stopped with nothing in flight and no outcome".to_owned(),
            });
        };
        match arrived {
            Arrived::Dns(id, Ok(bytes)) => check.handle_response(id, &bytes).map_err(machine)?,
            Arrived::Dns(id, Err(error)) => {
                check.handle_transport_error(id, &error.to_string()).map_err(machine)?;
                on_step(Step::DohFailed { error });
            }
            Arrived::Probe(target, report) => {
                let report = report.and_then(|r| same_host(&target, r));
                on_step(Step::Probed { host: target.host.clone(), report: report.clone().map(Box::new) });
                match report {
                    Ok(r) => check.handle_probe(r),
                    Err(why) => check.handle_probe_failed(&target, &why.to_string()),
                }
            }
            Arrived::Policy(Ok(result)) => check.handle_fetch(result),
            Arrived::Policy(Err(error)) => {
                // The core words it as "not fetched" (never a fault of the domain).
                check.handle_fetch(FetchResult::Failed(FetchFailure::Unavailable { detail: error.to_string() }));
                on_step(Step::PolicyFailed { error });
            }
        }
    }
}

/// The report, if it is about the host that was asked for (else the machine
/// would wait for that host's report forever).
fn same_host(target: &ProbeTarget, report: HostReport) -> Result<HostReport, DriveError> {
    let bare = |h: &str| h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase();
    if bare(&report.host) == bare(&target.host) {
        Ok(report)
    } else {
        Err(DriveError::WrongHost {
            expected: target.host.clone(),
            found: geleit::smtp::sanitize(report.host.as_bytes(), 80),
        })
    }
}

/// The first of `in_flight` to finish (removed from it); `None` when nothing
/// is in flight. Polls every future on each wake-up: a check has a few dozen
/// at most, and this keeps the driver free of an executor crate, so the
/// native tests run it as the browser does.
async fn next(in_flight: &mut InFlight<'_>) -> Option<Arrived> {
    if in_flight.is_empty() {
        return None;
    }
    std::future::poll_fn(|cx| {
        let ready = in_flight.iter_mut().enumerate().find_map(|(i, f)| match f.as_mut().poll(cx) {
            Poll::Ready(arrived) => Some((i, arrived)),
            Poll::Pending => None,
        });
        match ready {
            Some((i, arrived)) => {
                drop(in_flight.swap_remove(i));
                Poll::Ready(Some(arrived))
            }
            None => Poll::Pending,
        }
    })
    .await
}

/// What a check's transport brought, to run it again without the network:
/// the DNS answers by query name and type, and the edge's probe results by
/// host. A reload or the Back button replays it through the same driver and
/// core at the same `now` (the page keeps it in the history entry), so the
/// result is the same and the edge is not asked again (no rate limit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The name as checked (`example.org`, `[mx.example.org]`).
    pub domain: String,
    /// Unix seconds the check ran at.
    pub now: i64,
    /// (name, type, DNS message).
    pub dns: Vec<(String, String, Vec<u8>)>,
    /// (MX host, the report as JSON, or why there is none).
    pub probes: Vec<(String, Result<String, DriveError>)>,
    /// The MTA-STS policy fetch (RFC 8461 §3.3): the edge's result as JSON,
    /// or why there is none; `None` when the check made none.
    pub policy: Option<Result<String, DriveError>>,
}

fn query_key(query: &Query) -> (String, String) {
    (query.name().to_ascii().to_ascii_lowercase(), query.rtype().to_string())
}

impl Recorded {
    /// Notes a DoH answer.
    pub fn dns_answer(&mut self, query: &Query, bytes: &[u8]) {
        let (name, rtype) = query_key(query);
        if !self.dns.iter().any(|(n, t, _)| *n == name && *t == rtype) {
            self.dns.push((name, rtype, bytes.to_vec()));
        }
    }

    /// Notes a probe result.
    pub fn probe_result(&mut self, target: &ProbeTarget, result: &Result<HostReport, DriveError>) {
        let saved = match result {
            Ok(r) => serde_json::to_string(r).map_err(|e| DriveError::Unreadable { detail: e.to_string() }),
            Err(why) => Err(why.clone()),
        };
        self.probes.push((target.host.clone(), saved));
    }

    /// Notes the policy fetch's result.
    pub fn policy_result(&mut self, result: &Result<FetchResult, DriveError>) {
        self.policy = Some(match result {
            Ok(r) => serde_json::to_string(r).map_err(|e| DriveError::Unreadable { detail: e.to_string() }),
            Err(why) => Err(why.clone()),
        });
    }

    /// The kept policy fetch, so that a replay shows the same MTA-STS
    /// findings as the check did.
    ///
    /// # Errors
    /// The error as it was, or [`DriveError::NotKept`]: the check made no fetch.
    pub fn policy_for(&self) -> Result<FetchResult, DriveError> {
        match &self.policy {
            Some(Ok(json)) => FetchResult::from_json(json).map_err(|detail| DriveError::Unreadable { detail }),
            Some(Err(why)) => Err(why.clone()),
            None => Err(DriveError::NotKept { what: "the MTA-STS policy fetch".to_owned() }),
        }
    }

    /// The kept answer to `query`, or why there is none.
    ///
    /// # Errors
    /// [`DriveError::NotKept`]: the query was not asked (or got no answer) in the kept check.
    pub fn dns_for(&self, query: &Query) -> Result<Vec<u8>, DriveError> {
        let (name, rtype) = query_key(query);
        self.dns
            .iter()
            .find(|(n, t, _)| *n == name && *t == rtype)
            .map(|(_, _, b)| b.clone())
            .ok_or_else(|| DriveError::NotKept { what: format!("the answer to {name} {rtype}") })
    }

    /// The kept probe result of `target`.
    ///
    /// # Errors
    /// The error as it was, or [`DriveError::NotKept`]: the host was not probed in the kept check.
    pub fn probe_for(&self, target: &ProbeTarget) -> Result<HostReport, DriveError> {
        let bare = |h: &str| h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase();
        match self.probes.iter().find(|(h, _)| bare(h) == bare(&target.host)) {
            Some((_, Ok(json))) => {
                HostReport::from_json(json).map_err(|e| DriveError::Unreadable { detail: e.to_string() })
            }
            Some((_, Err(why))) => Err(why.clone()),
            None => Err(DriveError::NotKept { what: format!("the probe of {}", target.host) }),
        }
    }

    /// As JSON, for the history entry. Written by hand (strings through
    /// serde_json): building a `serde_json::Value` would link its serializer.
    #[must_use]
    pub fn to_json(&self) -> String {
        let q = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
        let dns: Vec<String> = self
            .dns
            .iter()
            .map(|(n, t, b)| format!("[{},{},{}]", q(n), q(t), q(&data_encoding::BASE64.encode(b))))
            .collect();
        let probes: Vec<String> = self
            .probes
            .iter()
            .map(|(h, r)| match r {
                Ok(report) => format!("{{\"host\":{},\"report\":{}}}", q(h), q(report)),
                Err(why) => format!("{{\"host\":{},\"failure\":{}}}", q(h), why.to_json()),
            })
            .collect();
        let policy = match &self.policy {
            None => String::new(),
            Some(Ok(result)) => format!(",\"policy\":{{\"result\":{}}}", q(result)),
            Some(Err(why)) => format!(",\"policy\":{{\"failure\":{}}}", why.to_json()),
        };
        format!(
            "{{\"geleit_check\":{RECORD_VERSION},\"domain\":{},\"now\":{},\"dns\":[{}],\"probes\":[{}]{policy}}}",
            q(&self.domain),
            self.now,
            dns.join(","),
            probes.join(",")
        )
    }

    /// Read back from [`Self::to_json`]; `None` for anything else.
    #[must_use]
    pub fn from_json(text: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        if v.get("geleit_check")?.as_u64()? != RECORD_VERSION {
            return None;
        }
        let dns = v
            .get("dns")?
            .as_array()?
            .iter()
            .map(|e| {
                let n = e.get(0)?.as_str()?.to_owned();
                let t = e.get(1)?.as_str()?.to_owned();
                // base64ct's decoder, as the core's (data-encoding's, with one
                // instance per bit width, would be linked for this alone); the
                // same strict standard base64 with padding that to_json writes.
                let b = <base64ct::Base64 as base64ct::Encoding>::decode_vec(e.get(2)?.as_str()?).ok()?;
                Some((n, t, b))
            })
            .collect::<Option<Vec<_>>>()?;
        let probes = v
            .get("probes")?
            .as_array()?
            .iter()
            .map(|p| {
                let host = p.get("host")?.as_str()?.to_owned();
                let result = match (p.get("report").and_then(|r| r.as_str()), p.get("failure")) {
                    (Some(r), _) => Ok(r.to_owned()),
                    (None, Some(f)) => Err(DriveError::from_json(f)?),
                    (None, None) => return None,
                };
                Some((host, result))
            })
            .collect::<Option<Vec<_>>>()?;
        // Optional: a check kept before policy fetches were kept replays it as not fetched.
        let policy = match v.get("policy") {
            None => None,
            Some(p) => Some(match (p.get("result").and_then(|r| r.as_str()), p.get("failure")) {
                (Some(r), _) => Ok(r.to_owned()),
                (None, Some(f)) => Err(DriveError::from_json(f)?),
                (None, None) => return None,
            }),
        };
        Some(Self { domain: v.get("domain")?.as_str()?.to_owned(), now: v.get("now")?.as_i64()?, dns, probes, policy })
    }
}

/// The version of [`Recorded::to_json`]'s format. Version 2: probe failures
/// as data (a kept check of version 1 is checked again).
pub const RECORD_VERSION: u64 = 2;

/// A transport that notes what `inner` brings into a [`Recorded`].
pub struct Recording<'a, T> {
    pub inner: &'a T,
    pub kept: std::cell::RefCell<Recorded>,
}

impl<'a, T: Transport> Recording<'a, T> {
    /// Records `inner`'s answers for a check of `domain` at `now`.
    pub fn new(inner: &'a T, domain: &str, now: i64) -> Self {
        Self {
            inner,
            kept: std::cell::RefCell::new(Recorded { domain: domain.to_owned(), now, ..Recorded::default() }),
        }
    }
}

impl<T: Transport> Transport for Recording<'_, T> {
    async fn doh(&self, query: &Query) -> Result<Vec<u8>, DriveError> {
        let answer = self.inner.doh(query).await;
        if let Ok(bytes) = &answer {
            self.kept.borrow_mut().dns_answer(query, bytes);
        }
        answer
    }

    async fn probe(&self, target: &ProbeTarget) -> Result<HostReport, DriveError> {
        let result = self.inner.probe(target).await;
        self.kept.borrow_mut().probe_result(target, &result);
        result
    }

    async fn fetch_policy(&self, request: &FetchRequest) -> Result<FetchResult, DriveError> {
        let result = self.inner.fetch_policy(request).await;
        self.kept.borrow_mut().policy_result(&result);
        result
    }
}

/// A [`Recorded`] check as its transport: every answer as it came, nothing
/// from the network. A query or probe it does not hold fails (the machine
/// then reports what it would without them).
pub struct Replay<'a>(pub &'a Recorded);

impl Transport for Replay<'_> {
    fn doh(&self, query: &Query) -> impl Future<Output = Result<Vec<u8>, DriveError>> {
        std::future::ready(self.0.dns_for(query))
    }

    fn probe(&self, target: &ProbeTarget) -> impl Future<Output = Result<HostReport, DriveError>> {
        std::future::ready(self.0.probe_for(target))
    }

    fn fetch_policy(&self, _request: &FetchRequest) -> impl Future<Output = Result<FetchResult, DriveError>> {
        std::future::ready(self.0.policy_for())
    }
}

/// How long to wait before asking the edge again, when it answered 429
/// (too many requests): its `Retry-After` (RFC 9110 §10.2.3, read by
/// [`geleit::api::read_answer`]), at least 1 s, at most [`MAX_RETRY_WAIT_S`];
/// `None` for every other answer.
#[must_use]
pub fn rate_limited_wait(status: u16, retry_after: Option<&str>, body: &str) -> Option<u64> {
    if status != 429 {
        return None;
    }
    let wait = match api::read_answer::<serde::de::IgnoredAny>(status, retry_after, body) {
        Answer::Error(ApiError { code: api::ErrorCode::RateLimited, retry_after_s, .. }) => retry_after_s,
        // A 429 that is not the edge's own still says "later".
        _ => retry_after.and_then(api::retry_after_seconds),
    };
    Some(wait.unwrap_or(DEFAULT_RETRY_WAIT_S).clamp(1, MAX_RETRY_WAIT_S))
}

/// Without `Retry-After`, the wait after a 429.
pub const DEFAULT_RETRY_WAIT_S: u64 = 5;
/// The longest wait the page shows a countdown for and retries after.
pub const MAX_RETRY_WAIT_S: u64 = 120;
/// How often a probe is asked again after a 429 before its error counts.
pub const MAX_RATE_LIMIT_RETRIES: u32 = 3;

/// Whether a DoH answer carries a DNS message (RFC 8484 §4.2.1: a 2xx status
/// with `application/dns-message`), or why not: a proxy's error page or a
/// captive portal is a transport failure, never a DNS answer.
///
/// # Errors
/// [`DriveError::HttpStatus`], [`DriveError::MediaType`] or
/// [`DriveError::TooLarge`]: not a DoH answer.
pub fn check_doh_answer(endpoint: &str, status: u16, content_type: Option<&str>, len: usize) -> Result<(), DriveError> {
    if !(200..300).contains(&status) {
        return Err(DriveError::HttpStatus { url: endpoint.to_owned(), status });
    }
    let media = content_type.unwrap_or("").split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case(DNS_MESSAGE) {
        let found = (!media.is_empty()).then(|| geleit::smtp::sanitize(media.as_bytes(), 80));
        return Err(DriveError::MediaType { url: endpoint.to_owned(), found });
    }
    if len > MAX_DOH_ANSWER {
        return Err(DriveError::TooLarge { limit: MAX_DOH_ANSWER, found: len });
    }
    Ok(())
}

/// Reads the edge's answer to `GET /api/probe`: the report, or why there is
/// none (the edge's error read by [`geleit::api::read_answer`]).
///
/// # Errors
/// [`DriveError::Edge`]: the edge's error; [`DriveError::TooLarge`] or
/// [`DriveError::Unreadable`]: an answer that is neither a report nor an error.
pub fn probe_answer(status: u16, retry_after: Option<&str>, body: &str) -> Result<HostReport, DriveError> {
    if body.len() > MAX_PROBE_REPORT {
        return Err(DriveError::TooLarge { limit: MAX_PROBE_REPORT, found: body.len() });
    }
    if status == 200 {
        // The core's hand-written reader, not serde's derived one (which
        // read_answer would use): it keeps the derived Deserialize impls of
        // the report types out of the wasm (see geleit::smtp's json module).
        return HostReport::from_json(body).map_err(|e| DriveError::Unreadable {
            detail: format!("expected a probe report from the edge, found JSON that does not fit: {e}"),
        });
    }
    match api::read_answer::<serde::de::IgnoredAny>(status, retry_after, body) {
        Answer::Error(e) => Err(e.into()),
        Answer::Unreadable(detail) => Err(DriveError::Unreadable { detail }),
        Answer::Ok(_) => {
            Err(DriveError::Unreadable { detail: format!("expected a probe report, found HTTP status {status}") })
        }
    }
}

/// Reads the edge's answer to `GET /api/sts-policy`: the fetch's result as
/// the edge made it (handed to the core unjudged), or why there is none.
///
/// # Errors
/// [`DriveError::Edge`]: the edge's error; [`DriveError::TooLarge`] or
/// [`DriveError::Unreadable`]: an answer that is neither a result nor an error.
pub fn policy_answer(status: u16, retry_after: Option<&str>, body: &str) -> Result<FetchResult, DriveError> {
    if body.len() > api::MAX_FETCH_ANSWER {
        return Err(DriveError::TooLarge { limit: api::MAX_FETCH_ANSWER, found: body.len() });
    }
    if status == 200 {
        // The core's reader over serde_json's Value, not serde's derived one
        // (which read_answer would use): see FetchResult::from_json.
        return FetchResult::from_json(body).map_err(|e| DriveError::Unreadable {
            detail: format!("expected the edge's JSON answer, found one it cannot read: {e}"),
        });
    }
    match api::read_answer::<serde::de::IgnoredAny>(status, retry_after, body) {
        Answer::Error(e) => Err(e.into()),
        Answer::Unreadable(detail) => Err(DriveError::Unreadable { detail }),
        Answer::Ok(_) => Err(DriveError::Unreadable {
            detail: format!("expected a policy fetch result, found HTTP status {status}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use geleit::api::{ErrorCode, error_body};

    use super::*;

    #[test]
    fn a_429_waits_for_retry_after_and_other_answers_do_not() {
        let body = error_body(&ErrorCode::RateLimited, "too many probes");
        assert_eq!(rate_limited_wait(429, Some("7"), &body), Some(7));
        assert_eq!(rate_limited_wait(429, None, &body), Some(DEFAULT_RETRY_WAIT_S));
        assert_eq!(rate_limited_wait(429, Some("86400"), &body), Some(MAX_RETRY_WAIT_S));
        assert_eq!(rate_limited_wait(429, Some("3"), "<html>proxy</html>"), Some(3));
        assert_eq!(rate_limited_wait(502, Some("3"), &body), None);
        assert_eq!(rate_limited_wait(200, None, "{}"), None);
    }

    #[test]
    fn kept_answers_read_back_as_data_encoding_read_them() {
        // The records kept before the reader moved to base64ct: every answer
        // that data-encoding's BASE64 wrote is read the same, and what it
        // refused (no padding, other alphabets, non-canonical bits, spaces) is still refused.
        let answers: Vec<Vec<u8>> = (0..=7u8).map(|n| (0..n).map(|i| i.wrapping_mul(97) ^ 0xa5).collect()).collect();
        let mut texts: Vec<String> = answers.iter().map(|a| data_encoding::BASE64.encode(a)).collect();
        texts.extend(
            ["AA", "AB==", "AAB=", "A===", "AAA", "-_8=", "AA A", " AAA", "AA==\n", "====", "YQ=", "YWJj"]
                .map(str::to_owned),
        );
        for text in &texts {
            let record = format!(
                "{{\"geleit_check\":{RECORD_VERSION},\"domain\":\"example.org\",\"now\":1,\"dns\":[[\"example.org.\",\"MX\",{}]],\"probes\":[]}}",
                serde_json::to_string(text).unwrap()
            );
            let read = Recorded::from_json(&record).map(|r| r.dns[0].2.clone());
            assert_eq!(read, data_encoding::BASE64.decode(text.as_bytes()).ok(), "{text:?}");
        }
        // The one difference: padded blocks one after the other, which
        // data-encoding reads as their concatenation and no encoder writes.
        let joined = format!(
            "{{\"geleit_check\":{RECORD_VERSION},\"domain\":\"x\",\"now\":1,\"dns\":[[\"x.\",\"A\",\"AA==AA==\"]],\"probes\":[]}}"
        );
        assert_eq!(Recorded::from_json(&joined), None);
    }

    #[test]
    fn a_recorded_check_reads_back_from_its_json() {
        let mut r = Recorded { domain: "[mx.example.org]".into(), now: 1_800_000_000, ..Recorded::default() };
        r.dns.push(("example.org.".into(), "MX".into(), vec![0, 1, 2, 255]));
        r.probes.push(("mx.example.org".into(), Ok("{\"host\":\"mx.example.org\"}".into())));
        r.probes.push((
            "mx2.example.org".into(),
            Err(DriveError::Edge {
                status: 403,
                code: ErrorCode::TargetRefused,
                message: "refused by policy".into(),
                retry_after_s: None,
            }),
        ));
        r.probes.push((
            "mx3.example.org".into(),
            Err(DriveError::Timeout { url: "https://edge.example/api/probe".into(), after_ms: 60_000 }),
        ));
        assert_eq!(Recorded::from_json(&r.to_json()), Some(r.clone()));
        // The policy fetch, as a result or as a failure.
        let fetched = FetchResult::Failed(FetchFailure::Unavailable { detail: "connection refused".into() });
        r.policy_result(&Ok(fetched.clone()));
        let back = Recorded::from_json(&r.to_json()).unwrap_or_else(|| panic!("{}", r.to_json()));
        assert_eq!((back.policy_for(), &back), (Ok(fetched), &r));
        r.policy_result(&Err(DriveError::NoEdge));
        assert_eq!(Recorded::from_json(&r.to_json()).map(|b| b.policy_for()), Some(Err(DriveError::NoEdge)));
        r.policy = None;
        assert!(matches!(r.policy_for(), Err(DriveError::NotKept { .. })));
        assert_eq!(Recorded::from_json("{}"), None);
        // A check kept by an older page (failures as text) is not replayed: the page checks again.
        let old = r#"{"geleit_check":1,"domain":"a.example","now":1,"dns":[],"probes":[{"host":"mx","error":"x"}]}"#;
        assert_eq!(Recorded::from_json(old), None);
        assert_eq!(Recorded::from_json("null"), None);
    }

    #[test]
    fn every_driver_failure_reads_back_from_its_json() {
        let url = || "https://doh.example/dns-query".to_owned();
        let all = [
            DriveError::Anchor { detail: "line 1: \"x\"".into() },
            DriveError::Name { detail: "d".into() },
            DriveError::NoAnswer { url: url(), detail: "TypeError: Failed to fetch".into() },
            DriveError::Timeout { url: url(), after_ms: 10_000 },
            DriveError::HttpStatus { url: url(), status: 502 },
            DriveError::MediaType { url: url(), found: Some("text/html".into()) },
            DriveError::MediaType { url: url(), found: None },
            DriveError::TooLarge { limit: MAX_DOH_ANSWER, found: 70_000 },
            DriveError::Unreadable { detail: "d".into() },
            DriveError::Edge { status: 429, code: ErrorCode::RateLimited, message: "m".into(), retry_after_s: Some(7) },
            DriveError::Edge {
                status: 418,
                code: ErrorCode::Other("teapot".into()),
                message: "m".into(),
                retry_after_s: None,
            },
            DriveError::RateLimited { waits: MAX_RATE_LIMIT_RETRIES },
            DriveError::WrongHost { expected: "a".into(), found: "b".into() },
            DriveError::NoEdge,
            DriveError::NotKept { what: "w".into() },
            DriveError::Machine { detail: "d".into() },
        ];
        for e in all {
            let json = e.to_json();
            let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|err| panic!("{err}: {json}"));
            assert_eq!(DriveError::from_json(&v), Some(e), "{json}");
        }
        assert_eq!(DriveError::from_json(&serde_json::json!({"kind": "newer"})), None);
        assert_eq!(DriveError::from_json(&serde_json::json!({"kind": "http_status", "url": "u"})), None);
    }

    #[test]
    fn doh_answers_that_are_no_dns_message_are_transport_failures() {
        let e = "https://doh.example/dns-query";
        assert_eq!(check_doh_answer(e, 200, Some("application/dns-message"), 512), Ok(()));
        assert_eq!(check_doh_answer(e, 200, Some("Application/DNS-Message; charset=x"), 512), Ok(()));
        let status = check_doh_answer(e, 502, Some("text/html"), 10).unwrap_err();
        assert_eq!(status, DriveError::HttpStatus { url: e.into(), status: 502 });
        assert_eq!(status.to_string(), "expected HTTP 2xx from https://doh.example/dns-query, found HTTP 502");
        let media = check_doh_answer(e, 200, Some("text/html; charset=utf-8"), 10).unwrap_err();
        assert_eq!(media, DriveError::MediaType { url: e.into(), found: Some("text/html".into()) });
        assert_eq!(
            media.to_string(),
            "expected application/dns-message from https://doh.example/dns-query, found \"text/html\""
        );
        assert_eq!(
            check_doh_answer(e, 200, None, 10).unwrap_err().to_string(),
            "expected application/dns-message from https://doh.example/dns-query, found no media type"
        );
        assert_eq!(
            check_doh_answer(e, 200, Some(DNS_MESSAGE), MAX_DOH_ANSWER + 1),
            Err(DriveError::TooLarge { limit: MAX_DOH_ANSWER, found: MAX_DOH_ANSWER + 1 })
        );
    }

    #[test]
    fn probe_errors_are_read_through_the_api_contract() {
        let body = error_body(&ErrorCode::RateLimited, "too many probes: try again in 7 s");
        assert_eq!(
            probe_answer(429, Some("7"), &body).unwrap_err().to_string(),
            "too many probes: try again in 7 s (HTTP 429, rate_limited; retry after 7 s)"
        );
        let refused = error_body(&ErrorCode::TargetRefused, "refused by policy: 127.0.0.1 is loopback");
        assert_eq!(
            probe_answer(403, None, &refused),
            Err(DriveError::Edge {
                status: 403,
                code: ErrorCode::TargetRefused,
                message: "refused by policy: 127.0.0.1 is loopback".into(),
                retry_after_s: None,
            })
        );
        let proxy = probe_answer(502, None, "<html>Bad Gateway</html>").unwrap_err();
        assert!(matches!(&proxy, DriveError::Unreadable { detail } if detail.contains("HTTP status 502")), "{proxy}");
        let wrong = probe_answer(200, None, r#"{"host": 1}"#).unwrap_err().to_string();
        assert!(wrong.starts_with("expected a probe report from the edge, found JSON"), "{wrong}");
        let big = " ".repeat(MAX_PROBE_REPORT + 1);
        assert_eq!(
            probe_answer(200, None, &big),
            Err(DriveError::TooLarge { limit: MAX_PROBE_REPORT, found: MAX_PROBE_REPORT + 1 })
        );
    }

    #[test]
    fn policy_answers_are_results_or_typed_failures() {
        let failed = r#"{"result":"failed","kind":"timeout","after_ms":10000}"#;
        assert_eq!(
            policy_answer(200, None, failed),
            Ok(FetchResult::Failed(FetchFailure::Timeout { after_ms: 10_000 }))
        );
        let busy = error_body(&ErrorCode::BudgetExceeded, "too many fetches");
        assert!(matches!(
            policy_answer(503, Some("30"), &busy),
            Err(DriveError::Edge { status: 503, code: ErrorCode::BudgetExceeded, retry_after_s: Some(30), .. })
        ));
        assert!(matches!(policy_answer(502, None, "<html>"), Err(DriveError::Unreadable { .. })));
        assert!(matches!(policy_answer(200, None, r#"{"result":"maybe"}"#), Err(DriveError::Unreadable { .. })));
        let body = r#"{"result":"response","status":200,"content_type":"text/plain","body":"version: STSv1"}"#;
        assert_eq!(
            policy_answer(200, None, body),
            Ok(FetchResult::Response {
                status: 200,
                content_type: Some("text/plain".into()),
                location: None,
                body: b"version: STSv1".to_vec()
            })
        );
    }

    #[test]
    fn reports_about_another_host_are_refused() {
        let target = ProbeTarget { host: "mx.example".into(), sni: "mx.example".into(), addresses: Vec::new() };
        let report = |host: &str| HostReport {
            host: host.into(),
            port: 25,
            mode: geleit::smtp::TlsMode::Starttls,
            addresses: Vec::new(),
        };
        assert!(same_host(&target, report("MX.Example.")).is_ok());
        let wrong = same_host(&target, report("evil.example")).unwrap_err();
        assert_eq!(wrong, DriveError::WrongHost { expected: "mx.example".into(), found: "evil.example".into() });
        assert_eq!(wrong.to_string(), "expected the probe report of mx.example, found one of evil.example");
    }

    #[test]
    fn a_bad_anchor_or_name_is_said_before_anything_is_sent() {
        let bad = Settings { anchor: "garbage".into(), ..Settings::default() };
        assert!(matches!(domain_check("example.org", &bad, 1_800_000_000), Err(DriveError::Anchor { .. })));
        assert!(matches!(domain_check("[a..b]", &Settings::default(), 1_800_000_000), Err(DriveError::Name { .. })));
        assert!(domain_check("example.org", &Settings::default(), 1_800_000_000).is_ok());
    }
}
