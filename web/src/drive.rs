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

use geleit::api::{self, Answer, ApiError};
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

/// What moves a check's bytes. Each call is one attempt; failures are words
/// for the machine (it decides about retries) and for the page.
pub trait Transport {
    /// One DoH exchange: the answer's DNS message, or why there is none (no
    /// HTTP answer, an HTTP error, not a DNS message).
    fn doh(&self, query: &Query) -> impl Future<Output = Result<Vec<u8>, String>>;

    /// One probe of `target` (its validated addresses, its SNI) by the edge.
    fn probe(&self, target: &ProbeTarget) -> impl Future<Output = Result<HostReport, String>>;

    /// The MTA-STS policy fetch (RFC 8461 §3.3). A page cannot make it (the
    /// policy host sends no CORS headers, and a browser follows redirects):
    /// the page's transport asks the edge (`/api/sts-policy`); a transport
    /// without the edge (a replay) reports it as not made, which the core
    /// words as "not fetched", never as a fault of the domain.
    fn fetch_policy(&self, _request: &FetchRequest) -> impl Future<Output = FetchResult> {
        std::future::ready(FetchResult::Failed(FetchFailure::Unavailable {
            detail: "not fetched: no edge to fetch it (a web page cannot, for CORS)".to_owned(),
        }))
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
    Probed { host: String, report: Result<Box<HostReport>, String> },
}

/// A check of `domain` (A-labels) with the settings' trust anchor, probes
/// included; `[host]` checks that one host directly (no MX lookup, as
/// Postfix's next-hop syntax; see [`crate::domain::Domain::written`]).
///
/// # Errors
/// The trust anchor cannot be read, or the name is no DNS name, in words.
pub fn domain_check(domain: &str, settings: &Settings, now: i64) -> Result<DomainCheck, String> {
    let anchors = if settings.anchor.trim().is_empty() {
        TrustAnchors::iana_root()
    } else {
        TrustAnchors::scan(&settings.anchor).map_err(|e| e.to_string())?
    };
    let now = u64::try_from(now).unwrap_or(0);
    let config = Config { anchors, ..Config::default() };
    if let Some(host) = domain.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let name = parse_ascii_name(host).map_err(|e| e.to_string())?;
        return Ok(DomainCheck::new_host(name, config, now, true));
    }
    let name = parse_ascii_name(domain).map_err(|e| e.to_string())?;
    Ok(DomainCheck::new(name, config, now, true))
}

/// What came back, in the order it came.
enum Arrived {
    Dns(QueryId, Result<Vec<u8>, String>),
    Probe(ProbeTarget, Result<HostReport, String>),
    Policy(FetchResult),
}

type InFlight<'a> = Vec<Pin<Box<dyn Future<Output = Arrived> + 'a>>>;

/// Runs `check` to its outcome over `transport`: every query of a round at
/// once, each probe as soon as the machine hands its target out (while other
/// queries or probes are still out), every answer handed back as it arrives.
///
/// # Errors
/// The machine refused an answer or stopped without an outcome (a bug, not
/// something a resolver or the edge can cause), in words.
pub async fn drive<T: Transport>(
    mut check: DomainCheck,
    transport: &T,
    mut on_step: impl FnMut(Step),
) -> Result<CheckOutcome, String> {
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
            return check.into_result().ok_or_else(|| "the check ended without an outcome".to_owned());
        }
        let Some(arrived) = next(&mut in_flight).await else {
            return Err("the check stopped with nothing in flight and no outcome".to_owned());
        };
        match arrived {
            Arrived::Dns(id, Ok(bytes)) => check.handle_response(id, &bytes).map_err(|e| e.to_string())?,
            Arrived::Dns(id, Err(why)) => check.handle_transport_error(id, &why).map_err(|e| e.to_string())?,
            Arrived::Probe(target, report) => {
                let report = report.and_then(|r| same_host(&target, r));
                on_step(Step::Probed { host: target.host.clone(), report: report.clone().map(Box::new) });
                match report {
                    Ok(r) => check.handle_probe(r),
                    Err(why) => check.handle_probe_failed(&target, &why),
                }
            }
            Arrived::Policy(result) => check.handle_fetch(result),
        }
    }
}

/// The report, if it is about the host that was asked for (else the machine
/// would wait for that host's report forever).
fn same_host(target: &ProbeTarget, report: HostReport) -> Result<HostReport, String> {
    let bare = |h: &str| h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase();
    if bare(&report.host) == bare(&target.host) {
        Ok(report)
    } else {
        Err(format!(
            "expected the probe report of {}, found one of {}",
            target.host,
            geleit::smtp::sanitize(report.host.as_bytes(), 80)
        ))
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
    pub probes: Vec<(String, Result<String, String>)>,
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
    pub fn probe_result(&mut self, target: &ProbeTarget, result: &Result<HostReport, String>) {
        let saved = match result {
            Ok(r) => serde_json::to_string(r).map_err(|e| e.to_string()),
            Err(why) => Err(why.clone()),
        };
        self.probes.push((target.host.clone(), saved));
    }

    /// The kept answer to `query`, or why there is none.
    ///
    /// # Errors
    /// The query was not asked (or got no answer) in the kept check.
    pub fn dns_for(&self, query: &Query) -> Result<Vec<u8>, String> {
        let (name, rtype) = query_key(query);
        self.dns
            .iter()
            .find(|(n, t, _)| *n == name && *t == rtype)
            .map(|(_, _, b)| b.clone())
            .ok_or_else(|| format!("{name} {rtype} was not asked in the check kept in this page"))
    }

    /// The kept probe result of `target`.
    ///
    /// # Errors
    /// The edge's error as it was, or the host was not probed in the kept check.
    pub fn probe_for(&self, target: &ProbeTarget) -> Result<HostReport, String> {
        let bare = |h: &str| h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase();
        match self.probes.iter().find(|(h, _)| bare(h) == bare(&target.host)) {
            Some((_, Ok(json))) => HostReport::from_json(json).map_err(|e| e.to_string()),
            Some((_, Err(why))) => Err(why.clone()),
            None => Err(format!("{} was not probed in the check kept in this page", target.host)),
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
                Err(why) => format!("{{\"host\":{},\"error\":{}}}", q(h), q(why)),
            })
            .collect();
        format!(
            "{{\"geleit_check\":1,\"domain\":{},\"now\":{},\"dns\":[{}],\"probes\":[{}]}}",
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
        if v.get("geleit_check")?.as_u64()? != 1 {
            return None;
        }
        let dns = v
            .get("dns")?
            .as_array()?
            .iter()
            .map(|e| {
                let n = e.get(0)?.as_str()?.to_owned();
                let t = e.get(1)?.as_str()?.to_owned();
                let b = data_encoding::BASE64.decode(e.get(2)?.as_str()?.as_bytes()).ok()?;
                Some((n, t, b))
            })
            .collect::<Option<Vec<_>>>()?;
        let probes = v
            .get("probes")?
            .as_array()?
            .iter()
            .map(|p| {
                let host = p.get("host")?.as_str()?.to_owned();
                let result = match (p.get("report").and_then(|r| r.as_str()), p.get("error").and_then(|e| e.as_str())) {
                    (Some(r), _) => Ok(r.to_owned()),
                    (None, Some(e)) => Err(e.to_owned()),
                    (None, None) => return None,
                };
                Some((host, result))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self { domain: v.get("domain")?.as_str()?.to_owned(), now: v.get("now")?.as_i64()?, dns, probes })
    }
}

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
    async fn doh(&self, query: &Query) -> Result<Vec<u8>, String> {
        let answer = self.inner.doh(query).await;
        if let Ok(bytes) = &answer {
            self.kept.borrow_mut().dns_answer(query, bytes);
        }
        answer
    }

    async fn probe(&self, target: &ProbeTarget) -> Result<HostReport, String> {
        let result = self.inner.probe(target).await;
        self.kept.borrow_mut().probe_result(target, &result);
        result
    }

    async fn fetch_policy(&self, request: &FetchRequest) -> FetchResult {
        self.inner.fetch_policy(request).await
    }
}

/// A [`Recorded`] check as its transport: every answer as it came, nothing
/// from the network. A query or probe it does not hold fails (the machine
/// then reports what it would without them).
pub struct Replay<'a>(pub &'a Recorded);

impl Transport for Replay<'_> {
    fn doh(&self, query: &Query) -> impl Future<Output = Result<Vec<u8>, String>> {
        std::future::ready(self.0.dns_for(query))
    }

    fn probe(&self, target: &ProbeTarget) -> impl Future<Output = Result<HostReport, String>> {
        std::future::ready(self.0.probe_for(target))
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
/// The status, media type or length is not that of a DoH answer, in words.
pub fn check_doh_answer(endpoint: &str, status: u16, content_type: Option<&str>, len: usize) -> Result<(), String> {
    if !(200..300).contains(&status) {
        return Err(format!("DoH endpoint {endpoint} answered HTTP {status}"));
    }
    let media = content_type.unwrap_or("").split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case(DNS_MESSAGE) {
        let found = if media.is_empty() { "no media type".to_owned() } else { format!("\"{media}\"") };
        return Err(format!("expected {DNS_MESSAGE} from DoH endpoint {endpoint}, found {found}"));
    }
    if len > MAX_DOH_ANSWER {
        return Err(format!("expected a DoH answer of at most {MAX_DOH_ANSWER} bytes, found {len}"));
    }
    Ok(())
}

/// Reads the edge's answer to `GET /api/probe`: the report, or why there is
/// none in words (the edge's error read by [`geleit::api::read_answer`]).
///
/// # Errors
/// The edge's error, or an answer that is neither a report nor an error.
pub fn probe_answer(status: u16, retry_after: Option<&str>, body: &str) -> Result<HostReport, String> {
    if body.len() > MAX_PROBE_REPORT {
        return Err(format!("expected a probe report of at most {MAX_PROBE_REPORT} bytes, found {}", body.len()));
    }
    if status == 200 {
        // The core's hand-written reader, not serde's derived one (which
        // read_answer would use): it keeps the derived Deserialize impls of
        // the report types out of the wasm (see geleit::smtp's json module).
        return HostReport::from_json(body)
            .map_err(|e| format!("expected a probe report from the edge, found JSON that does not fit: {e}"));
    }
    match api::read_answer::<serde::de::IgnoredAny>(status, retry_after, body) {
        Answer::Error(e) => Err(api_error_words(&e)),
        Answer::Unreadable(why) => Err(why),
        Answer::Ok(_) => Err(format!("expected a probe report, found HTTP status {status}")),
    }
}

/// The edge's error as the page shows it under a host: its message, its
/// status and stable code.
fn api_error_words(e: &ApiError) -> String {
    match e.retry_after_s {
        Some(s) => format!("{} (HTTP {}, {}; retry after {s} s)", e.message, e.status, e.code.as_str()),
        None => format!("{} (HTTP {}, {})", e.message, e.status, e.code.as_str()),
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
    fn a_recorded_check_reads_back_from_its_json() {
        let mut r = Recorded { domain: "[mx.example.org]".into(), now: 1_800_000_000, ..Recorded::default() };
        r.dns.push(("example.org.".into(), "MX".into(), vec![0, 1, 2, 255]));
        r.probes.push(("mx.example.org".into(), Ok("{\"host\":\"mx.example.org\"}".into())));
        r.probes.push(("mx2.example.org".into(), Err("edge refused".into())));
        assert_eq!(Recorded::from_json(&r.to_json()), Some(r));
        assert_eq!(Recorded::from_json("{}"), None);
        assert_eq!(Recorded::from_json("null"), None);
    }

    #[test]
    fn doh_answers_that_are_no_dns_message_are_transport_failures() {
        let e = "https://doh.example/dns-query";
        assert_eq!(check_doh_answer(e, 200, Some("application/dns-message"), 512), Ok(()));
        assert_eq!(check_doh_answer(e, 200, Some("Application/DNS-Message; charset=x"), 512), Ok(()));
        assert_eq!(
            check_doh_answer(e, 502, Some("text/html"), 10),
            Err("DoH endpoint https://doh.example/dns-query answered HTTP 502".into())
        );
        assert_eq!(
            check_doh_answer(e, 200, Some("text/html; charset=utf-8"), 10),
            Err(
                "expected application/dns-message from DoH endpoint https://doh.example/dns-query, found \"text/html\""
                    .into()
            )
        );
        assert_eq!(
            check_doh_answer(e, 200, None, 10),
            Err(
                "expected application/dns-message from DoH endpoint https://doh.example/dns-query, found no media type"
                    .into()
            )
        );
        assert!(check_doh_answer(e, 200, Some(DNS_MESSAGE), MAX_DOH_ANSWER + 1).is_err());
    }

    #[test]
    fn probe_errors_are_read_through_the_api_contract() {
        let body = error_body(&ErrorCode::RateLimited, "too many probes: try again in 7 s");
        assert_eq!(
            probe_answer(429, Some("7"), &body),
            Err("too many probes: try again in 7 s (HTTP 429, rate_limited; retry after 7 s)".into())
        );
        let refused = error_body(&ErrorCode::TargetRefused, "refused by policy: 127.0.0.1 is loopback");
        assert_eq!(
            probe_answer(403, None, &refused),
            Err("refused by policy: 127.0.0.1 is loopback (HTTP 403, target_refused)".into())
        );
        let proxy = probe_answer(502, None, "<html>Bad Gateway</html>").unwrap_err();
        assert!(proxy.contains("HTTP status 502"), "{proxy}");
        let wrong = probe_answer(200, None, r#"{"host": 1}"#).unwrap_err();
        assert!(wrong.starts_with("expected a probe report from the edge, found JSON"), "{wrong}");
        let big = " ".repeat(MAX_PROBE_REPORT + 1);
        assert!(probe_answer(200, None, &big).unwrap_err().starts_with("expected a probe report of at most"));
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
        assert_eq!(
            same_host(&target, report("evil.example")).unwrap_err(),
            "expected the probe report of mx.example, found one of evil.example"
        );
    }

    #[test]
    fn a_bad_anchor_or_name_is_said_before_anything_is_sent() {
        let bad = Settings { anchor: "garbage".into(), ..Settings::default() };
        assert!(domain_check("example.org", &bad, 1_800_000_000).is_err());
        assert!(domain_check("example.org", &Settings::default(), 1_800_000_000).is_ok());
    }
}
