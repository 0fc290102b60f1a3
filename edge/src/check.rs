//! `GET /api/check?domain=<mail domain>`: the whole DANE verdict of a mail
//! domain computed at the edge, as `geleit check <domain> --json` prints it.
//! The check is the core's `geleit::check::DomainCheck`, the same machine the
//! CLI and the web app drive; this module is its driver at the edge.
//!
//! ```text
//!  CheckRequest (domain, IDN → A-labels, or [host])
//!        │
//!  DomainCheck ── poll_queries ──► CheckIo::fetch_dns: a round's queries at
//!        │  ◄── answers / transport    once, GET to the DoH upstream
//!        │      errors (the core        (RFC 8484 §4.1, ID 0, CD set)
//!        │      retries them)
//!        ├──── poll_probes ──► request::HostProbe (the /api/probe code path:
//!        │  ◄── reports          SSRF policy, limits), CheckIo::admit (rate
//!        │                       limits), CheckIo::probe, while DNS goes on
//!        ├──── poll_fetches ──► the MTA-STS policy (RFC 8461 §3.3): the
//!        │  ◄── FetchResult      validated addresses through the probe's
//!        │                       SSRF policy, then CheckIo::fetch_policy
//!        └──── outcome ──► DomainVerdict JSON, or dns_unreachable (502)
//! ```
//!
//! Trust: the upstream resolver is asked with CD set and every RRset is
//! validated by the core from the configured trust anchor (RFC 4035 §4.3,
//! §5), never from the resolver's AD bit; so the edge trusts no more than
//! the CLI or the web app does. The driver is sans-IO over [`CheckIo`]: the
//! worker shell moves the bytes, native tests replay recordings.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use futures_util::future::{Either, select};
use futures_util::stream::{FuturesUnordered, StreamExt};
use geleit::api::{self, ProbeRequest, RequestError};
use geleit::check::{
    CheckOutcome, DomainCheck, FetchFailure, FetchRequest, FetchResult, MAX_TRANSPORT_ATTEMPTS, SMTP_PORT,
};
use geleit::dns::{self, Config, Name, QueryId};
use geleit::smtp::HostReport;
use geleit::verdict::{DomainVerdict, ProbeTarget};

use geleit_web::i18n::Lang;
use geleit_web::worded::{VIEW_PARAMETER, WordedAnswer};

use crate::config::Settings;
use crate::error::EdgeError;
use crate::request::HostProbe;

/// Most DNS exchanges one check may take: the core needs three or four
/// rounds, each maybe asked again after transport failures; this only stops
/// a driver bug from looping.
const MAX_EXCHANGES: u32 = 16 * MAX_TRANSPORT_ATTEMPTS as u32;

/// A checked `/api/check` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRequest {
    /// Absolute, in A-labels.
    pub name: Name,
    /// `[host]`: one mail server named directly, no MX lookup (Postfix's
    /// next-hop syntax, as `geleit check [host]`).
    pub direct: bool,
    /// `view=<lang>`: answer with the verdict in the web layer's words as
    /// well (`geleit_web::worded`, the widget's default mode).
    pub view: Option<Lang>,
}

impl CheckRequest {
    /// From the decoded query pairs of the URL: `domain` exactly once,
    /// `view` (`en` or `de`) at most once, other parameters ignored.
    pub fn from_query<I, K, V>(pairs: I) -> Result<Self, EdgeError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut domain = None;
        let mut view = None;
        for (key, value) in pairs {
            match key.as_ref() {
                "domain" if domain.is_some() => return Err(EdgeError::duplicate("domain")),
                "domain" => domain = Some(value.as_ref().to_owned()),
                VIEW_PARAMETER if view.is_some() => return Err(EdgeError::duplicate(VIEW_PARAMETER)),
                VIEW_PARAMETER => {
                    let text = value.as_ref();
                    // Exactly the codes the web layer words in; no negotiation.
                    let lang = [Lang::En, Lang::De].into_iter().find(|l| l.code() == text).ok_or_else(|| {
                        EdgeError::Request(RequestError::BadLanguage {
                            found: geleit::smtp::sanitize(text.as_bytes(), 32),
                        })
                    })?;
                    view = Some(lang);
                }
                _ => {}
            }
        }
        let mut request = Self::parse(&domain.ok_or(EdgeError::missing("domain"))?)?;
        request.view = view;
        Ok(request)
    }

    /// A mail domain, or `[host]`. U-labels become A-labels (IDNA, UTS 46)
    /// as in the CLI; the result must then be a host name (RFC 1123 §2.1,
    /// `geleit::api::check_host_name`). Literal addresses are refused: the
    /// edge connects only where validated DNS points.
    pub fn parse(text: &str) -> Result<Self, EdgeError> {
        let shown = || geleit::smtp::sanitize(text.as_bytes(), 80);
        let literal = || EdgeError::Request(RequestError::LiteralAddress { found: shown() });
        let trimmed = text.trim();
        let inner = trimmed.strip_prefix('[').and_then(|d| d.strip_suffix(']'));
        let bare = inner.unwrap_or(trimmed);
        if bare.parse::<IpAddr>().is_ok() {
            return Err(literal());
        }
        let name = dns::parse_name(bare).map_err(|e| EdgeError::BadDomain {
            found: shown(),
            reason: match e {
                dns::DnsError::BadName { detail, .. } => detail,
                other => other.to_string(),
            },
        })?;
        // The same rules as /api/probe's host, on the A-label form.
        api::check_host_name(&name.to_ascii()).map_err(|e| match e {
            RequestError::BadHost { reason, .. } => EdgeError::BadDomain { found: shown(), reason: reason.to_owned() },
            RequestError::LiteralAddress { .. } => literal(),
            other => EdgeError::Request(other),
        })?;
        Ok(Self { name, direct: inner.is_some(), view: None })
    }
}

/// What the check needs from its runtime. The futures of one check run at
/// the same time (a DNS round and the probes of hosts already validated),
/// so every method takes `&self`.
// Single-threaded worker: the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait CheckIo {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;

    /// GETs every URL at once (RFC 8484 §4.1), each by `deadline_ms`: per
    /// URL, in order, the DNS message or why there is none.
    async fn fetch_dns(&self, urls: &[String], deadline_ms: u64) -> Vec<Result<Vec<u8>, EdgeError>>;

    /// Charges the rate limits before probing a host: one more client probe
    /// unless `first` (the request itself paid for the first host), and one
    /// per target address.
    fn admit(&self, first: bool, addresses: &[IpAddr]) -> Result<(), EdgeError>;

    /// Runs one host's probes within the request's budget counted from
    /// `started_ms` (the `/api/probe` code path).
    async fn probe(&self, host: HostProbe, started_ms: u64) -> Result<HostReport, EdgeError>;

    /// GETs the MTA-STS policy `request.url` by `deadline_ms` (and within
    /// `request.timeout_ms`): PKIX-validated HTTPS, no redirect followed
    /// (a 3xx is handed back as it is), at most `request.max_bytes` of body
    /// ([`FetchFailure::TooLarge`] beyond). Only moves bytes: the core judges.
    async fn fetch_policy(&self, request: &FetchRequest, deadline_ms: u64) -> FetchResult;
}

/// The probe's SSRF rule for the policy fetch: every validated address of
/// the policy host must be public (or in the operator's ranges), since the
/// platform's fetch connects to whichever it resolves.
fn fetch_refusal(request: &FetchRequest, settings: &Settings) -> Option<FetchFailure> {
    request
        .addresses
        .iter()
        .find_map(|ip| geleit::smtp::check_public_address(*ip, &settings.extra_allowed).err())
        .map(|e| FetchFailure::Refused { detail: e.to_string() })
}

/// `GET /api/sts-policy` (the query is [`geleit::api::fetch_request_from_query`]):
/// `/api/check`'s policy fetch for a check that runs elsewhere (a page's: a
/// browser cannot fetch the policy, for CORS). The same SSRF rule
/// ([`fetch_refusal`]) and the same [`CheckIo::fetch_policy`]; the policy
/// host's addresses are charged to the target limits as a probe's are (the
/// caller charged the client for the request), within the request's budget
/// counted from `started_ms`. Only moves bytes: the [`FetchResult`] as it
/// came, a refusal included (as `/api/check` hands it to its core), for the
/// caller's core to judge.
///
/// # Errors
/// [`EdgeError::RateLimited`] from [`CheckIo::admit`].
pub async fn sts_policy<I: CheckIo>(
    io: &I,
    request: &FetchRequest,
    settings: &Settings,
    started_ms: u64,
) -> Result<FetchResult, EdgeError> {
    if let Some(refused) = fetch_refusal(request, settings) {
        return Ok(FetchResult::Failed(refused));
    }
    io.admit(true, &request.addresses)?;
    let deadline = started_ms.saturating_add(settings.limits.request_budget_ms);
    Ok(io.fetch_policy(request, deadline).await)
}

/// The response body of `GET /api/sts-policy`: the [`FetchResult`] as JSON
/// (read back by the caller with [`geleit::api::read_answer`]).
pub fn sts_policy_body(result: &FetchResult) -> Result<String, EdgeError> {
    serde_json::to_string(result).map_err(|_| EdgeError::Internal)
}

/// What finished: a host's probe, or the policy fetch.
enum Done {
    Probe(ProbeTarget, Result<HostReport, EdgeError>),
    Policy(FetchResult),
}

type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A DNS round's outcome: per query, the message or why there is none.
type Answers = Vec<(QueryId, Result<Vec<u8>, EdgeError>)>;

/// Runs the check: DNS through `io` validated from the configured anchors,
/// probes through `io` (each host as soon as its lookups are validated, while
/// other hosts' answers are still out), the verdict at the time the request
/// arrived (`started_ms`, from which the budget counts too).
pub async fn run<I: CheckIo>(
    io: &I,
    request: &CheckRequest,
    settings: &Settings,
    started_ms: u64,
) -> Result<DomainVerdict, EdgeError> {
    let budget_ms = settings.limits.request_budget_ms;
    let deadline = started_ms.saturating_add(budget_ms);
    let spent = |stage| EdgeError::BudgetExceeded { budget_ms, stage };
    let config = Config { anchors: settings.trust_anchors.clone(), ..Config::default() };
    let (name, now_s) = (request.name.clone(), started_ms / 1000);
    let mut check = if request.direct {
        DomainCheck::new_host(name, config, now_s, true)
    } else {
        DomainCheck::new(name, config, now_s, true)
    };
    let mut dns: Option<Pending<'_, Answers>> = None;
    let mut probes: FuturesUnordered<Pending<'_, Done>> = FuturesUnordered::new();
    let (mut exchanges, mut admitted) = (0u32, 0usize);
    // As /api/probe: when no host at all may be probed, the policy's refusal.
    let mut refusal = None;
    while !check.is_done() {
        if dns.is_none() {
            let queries = check.poll_queries();
            if !queries.is_empty() {
                exchanges = exchanges.saturating_add(1);
                if exchanges > MAX_EXCHANGES {
                    return Err(EdgeError::Internal);
                }
                if io.now_ms() >= deadline {
                    return Err(spent("during the DNS lookups"));
                }
                let urls: Vec<String> = queries.iter().map(|q| q.doh_get_url(&settings.doh_upstream)).collect();
                let ids: Vec<QueryId> = queries.iter().map(dns::Query::id).collect();
                dns = Some(Box::pin(async move { ids.into_iter().zip(io.fetch_dns(&urls, deadline).await).collect() }));
            }
        }
        for target in check.poll_probes() {
            let host = HostProbe::plan(&ProbeRequest::for_target(&target, SMTP_PORT), &[], settings);
            if host.is_refused() {
                // Nothing to probe: every address keeps its reason.
                refusal.get_or_insert_with(|| host.refusal());
                check.handle_probe(host.plan.into_report());
                continue;
            }
            if io.now_ms() >= deadline {
                return Err(spent("before the probes"));
            }
            io.admit(admitted == 0, &host.addresses())?;
            admitted += 1;
            probes.push(Box::pin(async move { Done::Probe(target, io.probe(host, started_ms).await) }));
        }
        for request in check.poll_fetches() {
            if let Some(refused) = fetch_refusal(&request, settings) {
                check.handle_fetch(FetchResult::Failed(refused));
                continue;
            }
            probes.push(Box::pin(async move { Done::Policy(io.fetch_policy(&request, deadline).await) }));
        }
        if check.is_done() {
            break;
        }
        let next = match dns.as_mut() {
            None if probes.is_empty() => return Err(EdgeError::Internal), // stalled: nothing to wait for
            None => Either::Right(probes.next().await),
            Some(round) if probes.is_empty() => Either::Left(round.await),
            Some(round) => match select(round, probes.next()).await {
                Either::Left((answers, _)) => Either::Left(answers),
                Either::Right((report, _)) => Either::Right(report),
            },
        };
        match next {
            Either::Left(answers) => {
                dns = None;
                for (id, answer) in answers {
                    let handled = match answer {
                        Ok(bytes) => check.handle_response(id, &bytes),
                        // The core asks again, or counts the resolver unreachable.
                        Err(e) => check.handle_transport_error(id, &e.to_string()),
                    };
                    handled.map_err(|_| EdgeError::Internal)?;
                }
            }
            Either::Right(Some(Done::Probe(_, Ok(report)))) => check.handle_probe(report),
            Either::Right(Some(Done::Probe(target, Err(e)))) => check.handle_probe_failed(&target, &e.to_string()),
            Either::Right(Some(Done::Policy(result))) => check.handle_fetch(result),
            Either::Right(None) => {}
        }
    }
    match check.into_result() {
        Some(CheckOutcome::Verdict(verdict)) => match refusal {
            Some(refused) if admitted == 0 => Err(refused),
            _ => Ok(*verdict),
        },
        Some(CheckOutcome::ResolverUnreachable(failure)) => Err(EdgeError::DnsUnreachable(Box::new(failure))),
        Some(CheckOutcome::Dns(_)) | None => Err(EdgeError::Internal),
    }
}

/// The response body for `request`: the verdict alone ([`body`]), or with
/// `view=<lang>` the worded answer (`geleit_web::worded`): the same verdict
/// with the web layer's view of it in that language.
pub fn answer_body(request: &CheckRequest, verdict: &DomainVerdict) -> Result<String, EdgeError> {
    let Some(lang) = request.view else { return body(verdict) };
    let domain = geleit_web::domain::from_ascii(&request.name.to_ascii(), request.direct).ok_or(EdgeError::Internal)?;
    serde_json::to_string(&WordedAnswer::new(&domain, verdict, lang)).map_err(|_| EdgeError::Internal)
}

/// The response body: what `geleit check <domain> --json` prints (pretty
/// JSON and a newline), so the two can be compared byte for byte.
pub fn body(verdict: &DomainVerdict) -> Result<String, EdgeError> {
    serde_json::to_string_pretty(verdict)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|_| EdgeError::Internal)
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::collections::{BTreeMap, HashMap};
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use data_encoding::BASE64URL_NOPAD;
    use geleit::api::ErrorCode;
    use geleit::dns::{MxOutcome, TrustAnchors};
    use geleit::verdict::Verdict;
    use geleit_test_support::recording::{self, Responses};
    use hickory_proto::op::Message;

    use super::*;

    /// The test IO is never pending: polling again always makes progress.
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        for _ in 0..1000 {
            if let Poll::Ready(v) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                return v;
            }
        }
        panic!("the replay IO is never pending")
    }

    /// How the replayed upstream fails a request.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Failing {
        Never,
        /// Every exchange after this many fails (the upstream went away).
        After(u32),
        /// The first request for every question.
        FirstAttempt,
        /// Every request for questions of this type.
        Type(&'static str),
    }

    /// Replays a recording of `geleit check --record` and the probe reports
    /// recorded with it (tests/data/check), and notes what it was asked.
    struct Replay {
        responses: Responses,
        reports: BTreeMap<String, String>,
        now_ms: Cell<u64>,
        /// Added to the clock by every DNS exchange.
        round_ms: u64,
        failing: Failing,
        exchanges: Cell<u32>,
        asked: RefCell<Vec<(String, String)>>,
        failed: Cell<u32>,
        admitted: RefCell<Vec<(bool, Vec<IpAddr>)>>,
        probed: RefCell<Vec<(String, String, Vec<IpAddr>)>>,
        /// The policy fetches asked for, with their deadlines.
        fetched: RefCell<Vec<(FetchRequest, u64)>>,
        /// What a policy fetch brings; none: the recordings hold no MTA-STS record.
        policy: Option<FetchResult>,
    }

    impl Replay {
        fn new(scenario: &'static str) -> Self {
            let rec = recording::load_check(scenario);
            Self {
                responses: rec.responses,
                reports: recording::probes(scenario),
                now_ms: Cell::new(rec.now * 1000),
                round_ms: 40,
                failing: Failing::Never,
                exchanges: Cell::new(0),
                asked: RefCell::new(Vec::new()),
                failed: Cell::new(0),
                admitted: RefCell::new(Vec::new()),
                probed: RefCell::new(Vec::new()),
                fetched: RefCell::new(Vec::new()),
                policy: None,
            }
        }

        fn failing(mut self, failing: Failing) -> Self {
            self.failing = failing;
            self
        }

        fn answer(&self, key: (String, String)) -> Result<Vec<u8>, EdgeError> {
            let before = self.asked.borrow().iter().filter(|k| **k == key).count();
            self.asked.borrow_mut().push(key.clone());
            let fails = match self.failing {
                Failing::Never => false,
                Failing::After(n) => self.exchanges.get() > n,
                Failing::FirstAttempt => before == 0,
                Failing::Type(t) => key.1 == t,
            };
            match self.responses.get(&key) {
                Some(wire) if !fails => Ok(wire.clone()),
                _ => {
                    self.failed.set(self.failed.get() + 1);
                    Err(EdgeError::Upstream { found: "no answer (connection failed)" })
                }
            }
        }
    }

    impl CheckIo for Replay {
        fn now_ms(&self) -> u64 {
            self.now_ms.get()
        }

        async fn fetch_dns(&self, urls: &[String], deadline_ms: u64) -> Vec<Result<Vec<u8>, EdgeError>> {
            assert!(deadline_ms > self.now_ms.get());
            self.exchanges.set(self.exchanges.get() + 1);
            self.now_ms.set(self.now_ms.get() + self.round_ms);
            urls.iter()
                .map(|url| {
                    let (base, q) = url.split_once("?dns=").unwrap();
                    assert_eq!(base, "http://doh.test/dns-query");
                    let message = Message::from_vec(&BASE64URL_NOPAD.decode(q.as_bytes()).unwrap()).unwrap();
                    // RFC 8484 §4.1: ID 0, so that HTTP caches can share answers.
                    assert_eq!(message.metadata.id, 0);
                    let question = &message.queries[0];
                    self.answer((question.name().to_ascii().to_ascii_lowercase(), question.query_type().to_string()))
                })
                .collect()
        }

        fn admit(&self, first: bool, addresses: &[IpAddr]) -> Result<(), EdgeError> {
            self.admitted.borrow_mut().push((first, addresses.to_vec()));
            Ok(())
        }

        async fn probe(&self, host: HostProbe, _started_ms: u64) -> Result<HostReport, EdgeError> {
            let name = host.plan.report.host.clone();
            self.probed.borrow_mut().push((name.clone(), host.sni.clone(), host.addresses()));
            Ok(serde_json::from_str(&self.reports[&name]).unwrap())
        }

        async fn fetch_policy(&self, request: &FetchRequest, deadline_ms: u64) -> FetchResult {
            self.fetched.borrow_mut().push((request.clone(), deadline_ms));
            match &self.policy {
                Some(result) => result.clone(),
                None => panic!("the recordings hold no MTA-STS record, yet {} was fetched", request.url),
            }
        }
    }

    fn settings(allow: &str) -> Settings {
        let anchor = std::fs::read_to_string(recording::check_dir().join("anchor.ds")).unwrap();
        let vars: HashMap<&str, String> = [
            ("GELEIT_DOH_UPSTREAM", "http://doh.test/dns-query".to_owned()),
            ("GELEIT_TRUST_ANCHOR", anchor),
            ("GELEIT_ALLOW_RANGES", allow.to_owned()),
        ]
        .into_iter()
        .collect();
        Settings::from_vars(|name| vars.get(name).cloned()).unwrap()
    }

    const LAB: &str = "127.0.0.0/8,::1/128";

    fn check(io: &Replay, domain: &str, settings: &Settings) -> Result<DomainVerdict, EdgeError> {
        let request = CheckRequest::from_query([("domain", domain)])?;
        let started = io.now_ms.get();
        block_on(run(io, &request, settings, started))
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn requests() {
        let r = CheckRequest::from_query([("x", "1"), ("domain", "Two-MX.Example.")]).unwrap();
        // Case is kept, as by the CLI (DNS compares names without it).
        assert_eq!((r.name.to_ascii().as_str(), r.direct), ("Two-MX.Example.", false));
        let r = CheckRequest::from_query([("domain", "[mx1.two-mx.example]")]).unwrap();
        assert_eq!((r.name.to_ascii().as_str(), r.direct), ("mx1.two-mx.example.", true));
        // U-labels to A-labels, as the CLI does (IDNA, UTS 46).
        let r = CheckRequest::parse("Bücher.example").unwrap();
        assert_eq!(r.name.to_ascii(), "xn--bcher-kva.example.");
    }

    #[test]
    fn bad_requests() {
        let err = |q: &[(&str, &str)]| CheckRequest::from_query(q.iter().copied()).unwrap_err();
        assert_eq!(err(&[]), EdgeError::missing("domain"));
        assert_eq!(err(&[("domain", "a.example"), ("domain", "b.example")]), EdgeError::duplicate("domain"));
        for literal in ["127.0.0.1", "[::1]", "[192.0.2.1]", "10.1"] {
            let e = err(&[("domain", literal)]);
            assert_eq!((e.code(), e.status()), (ErrorCode::LiteralAddress, 400), "{literal}");
        }
        assert_eq!(
            err(&[("domain", "[127.0.1.1]")]).to_string(),
            "expected a host name, found the IP address \"[127.0.1.1]\""
        );
        for (domain, message) in [
            ("", "expected a mail domain name, found \"\": empty"),
            (".", "expected a mail domain name, found \".\": the name is empty"),
            (
                "mx_1.example",
                "expected a mail domain name, found \"mx_1.example\": only letters, digits, \"-\" and \".\" are allowed",
            ),
            ("a..example", "expected a mail domain name, found \"a..example\": malformed label"),
            ("-a.example", "expected a mail domain name, found \"-a.example\": malformed label: -a"),
            ("a-.example", "expected a mail domain name, found \"a-.example\": a label starts or ends with \"-\""),
        ] {
            let e = err(&[("domain", domain)]);
            assert_eq!(
                (e.code(), e.status(), e.to_string().as_str()),
                (ErrorCode::BadDomain, 400, message),
                "{domain:?}"
            );
        }
    }

    #[test]
    fn two_mx_hosts_are_validated_probed_and_judged() {
        let io = Replay::new("two-mx");
        let v = check(&io, "two-mx.example", &settings(LAB)).unwrap();
        assert_eq!(
            (v.domain.as_str(), v.mx_outcome, v.verdict),
            ("two-mx.example.", MxOutcome::Hosts, Verdict::NotAuthenticated)
        );
        let hosts: Vec<(&str, bool)> = v.hosts.iter().map(|h| (h.host.as_str(), h.authenticated)).collect();
        assert_eq!(hosts, [("mx1.two-mx.example.", true), ("mx2.two-mx.example.", false)]);
        assert_eq!(v.hosts[1].addresses[0].findings[0].code(), "tlsa_no_match");
        // DNS in two rounds; each host probed once, at its validated
        // address, with the TLSA base domain as SNI (RFC 7672 §8.1); the
        // request paid for the first host, the second is charged.
        assert_eq!((io.exchanges.get(), v.rounds), (2, 2));
        let mut admitted = io.admitted.borrow().clone();
        admitted.sort();
        assert_eq!(admitted, [(false, vec![ip("127.0.1.17")]), (true, vec![ip("127.0.1.16")])]);
        let mut probed = io.probed.borrow().clone();
        probed.sort();
        assert_eq!(
            probed,
            [
                ("mx1.two-mx.example".to_owned(), "mx1.two-mx.example".to_owned(), vec![ip("127.0.1.16")]),
                ("mx2.two-mx.example".to_owned(), "mx2.two-mx.example".to_owned(), vec![ip("127.0.1.17")])
            ]
        );
        // The body is `geleit check --json`'s output: pretty JSON, a newline.
        let text = body(&v).unwrap();
        assert!(text.starts_with("{\n  \"domain\": \"two-mx.example.\",\n") && text.ends_with("}\n"), "{text}");
        assert_eq!(serde_json::from_str::<DomainVerdict>(&text).unwrap(), v);
    }

    #[test]
    fn view_asks_for_the_verdict_in_the_web_layers_words() {
        let io = Replay::new("two-mx");
        let request = CheckRequest::from_query([("view", "de"), ("domain", "two-mx.example")]).unwrap();
        assert_eq!(request.view, Some(Lang::De));
        let v = block_on(run(&io, &request, &settings(LAB), io.now_ms.get())).unwrap();
        let text = answer_body(&request, &v).unwrap();
        let read = geleit_web::worded::Worded::from_json(&text).unwrap();
        // The view is the app's own for this verdict, in German, and the verdict travels along unchanged.
        let d = geleit_web::domain::from_ascii("two-mx.example", false).unwrap();
        assert_eq!(read.view, geleit_web::checker::verdict_view(&d, &v, Lang::De));
        assert_eq!(read.view.shown.as_str(), "not_authenticated");
        assert!(read.view.summary.contains("mx2.two-mx.example"), "{}", read.view.summary);
        assert_eq!(read.view.first_fix.as_ref().and_then(|f| f.host.as_deref()), Some("mx2.two-mx.example"));
        assert_eq!(serde_json::from_str::<DomainVerdict>(&read.verdict).unwrap(), v);
        // The verdict as the edge wrote it, byte for byte (the widget hands it on).
        assert_eq!(read.verdict, serde_json::to_string(&v).unwrap());
        assert!(!read.authenticated);
        // Without `view`, the verdict alone, as `geleit check --json` prints it.
        let plain = CheckRequest::from_query([("domain", "two-mx.example")]).unwrap();
        assert_eq!(answer_body(&plain, &v).unwrap(), body(&v).unwrap());
        // A language the web layer does not speak, or `view` twice, is refused before anything is asked.
        for (q, code) in [
            (vec![("domain", "two-mx.example"), ("view", "fr")], ErrorCode::BadLanguage),
            (vec![("domain", "two-mx.example"), ("view", "DE")], ErrorCode::BadLanguage),
            (vec![("domain", "two-mx.example"), ("view", "de"), ("view", "en")], ErrorCode::DuplicateParameter),
        ] {
            let e = CheckRequest::from_query(q).unwrap_err();
            assert_eq!((e.code(), e.status()), (code, 400), "{e}");
        }
        assert_eq!(
            CheckRequest::from_query([("domain", "a.example"), ("view", "<b>fr</b>")]).unwrap_err().to_string(),
            "expected \"en\" or \"de\" in \"view\", found \"\\x3cb\\x3efr\\x3c/b\\x3e\""
        );
    }

    #[test]
    fn one_host_named_directly() {
        let io = Replay::new("two-mx");
        let v = check(&io, "[MX1.two-mx.example]", &settings(LAB)).unwrap();
        assert_eq!((v.mx_outcome, v.verdict, v.hosts.len()), (MxOutcome::Direct, Verdict::Authenticated, 1));
        assert_eq!(*io.admitted.borrow(), [(true, vec![ip("127.0.1.16")])]);
    }

    #[test]
    fn private_targets_are_refused_as_by_the_probe_api() {
        let io = Replay::new("two-mx");
        let e = check(&io, "two-mx.example", &settings("")).unwrap_err();
        assert_eq!((e.code(), e.status()), (ErrorCode::TargetRefused, 403));
        assert_eq!(
            e.to_string(),
            "refused: expected a public unicast address, found 127.0.1.16 in 127.0.0.0/8 (loopback, RFC 1122)"
        );
        assert!(io.probed.borrow().is_empty() && io.admitted.borrow().is_empty());
        // One host allowed, the other not: the verdict says which and why.
        let io = Replay::new("two-mx");
        let v = check(&io, "two-mx.example", &settings("127.0.1.16/32")).unwrap();
        assert_eq!(io.probed.borrow().len(), 1);
        let refused = &v.hosts[1].addresses[0];
        assert_eq!(refused.verdict, Verdict::NotProbed);
        assert_eq!(
            refused.findings[0].message,
            "the address was not probed: refused by policy: expected a public unicast address, found 127.0.1.17 in 127.0.0.0/8 (loopback, RFC 1122)"
        );
    }

    #[test]
    fn failed_upstream_requests_are_retried_and_change_nothing() {
        let calm = Replay::new("two-mx");
        let want = check(&calm, "two-mx.example", &settings(LAB)).unwrap();
        let busy = Replay::new("two-mx").failing(Failing::FirstAttempt);
        let got = check(&busy, "two-mx.example", &settings(LAB)).unwrap();
        assert_eq!((busy.failed.get(), busy.asked.borrow().len()), (32, 64), "every question failed once");
        assert_eq!(body(&got).unwrap(), body(&want).unwrap());
    }

    #[test]
    fn the_policy_fetch_goes_through_the_probes_ssrf_policy() {
        let request = FetchRequest::for_domain("two-mx.example.", vec![IpAddr::from([127, 0, 1, 16])]);
        assert_eq!(
            fetch_refusal(&request, &settings("")),
            Some(FetchFailure::Refused {
                detail: "expected a public unicast address, found 127.0.1.16 in 127.0.0.0/8 (loopback, RFC 1122)"
                    .into()
            })
        );
        assert_eq!(fetch_refusal(&request, &settings(LAB)), None, "the operator's ranges let the lab through");
        let public = FetchRequest::for_domain("two-mx.example.", vec![IpAddr::from([9, 9, 9, 9])]);
        assert_eq!(fetch_refusal(&public, &settings("")), None);
    }

    #[test]
    fn an_unreachable_upstream_is_an_error_not_a_verdict() {
        let io = Replay::new("two-mx").failing(Failing::After(0));
        let e = check(&io, "two-mx.example", &settings(LAB)).unwrap_err();
        assert_eq!((e.code(), e.status()), (ErrorCode::DnsUnreachable, 502));
        assert_eq!(
            e.to_string(),
            "the DNS resolver could not be reached (14 of 14 queries got no answer after 3 attempts: \"expected an answer from the DNS upstream, found no answer (connection failed)\"); this says nothing about two-mx.example."
        );
        assert_eq!(io.exchanges.get(), 3, "asked three times");
        // An upstream that goes away after the first round: no verdict about
        // the domain either (before, the core judged the failures "deferred").
        let io = Replay::new("two-mx").failing(Failing::After(1));
        let e = check(&io, "two-mx.example", &settings(LAB)).unwrap_err();
        assert_eq!((e.code(), e.status()), (ErrorCode::DnsUnreachable, 502));
        assert!(e.to_string().starts_with("the DNS resolver could not be reached ("), "{e}");
        assert!(io.probed.borrow().is_empty());
        // One kind of question that never gets an answer is enough.
        let io = Replay::new("two-mx").failing(Failing::Type("TLSA"));
        let e = check(&io, "two-mx.example", &settings(LAB)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::DnsUnreachable);
        assert!(e.to_string().starts_with("the DNS resolver could not be reached (2 of "), "{e}");
        let body = e.to_json();
        assert!(body.starts_with(r#"{"error":{"code":"dns_unreachable","message":"the DNS resolver"#), "{body}");
    }

    #[test]
    fn the_time_budget_covers_the_dns_stage() {
        let mut io = Replay::new("two-mx");
        io.round_ms = 30_000;
        let e = check(&io, "two-mx.example", &settings(LAB)).unwrap_err();
        assert_eq!((e.code(), e.status()), (ErrorCode::BudgetExceeded, 504));
        assert_eq!(
            e.to_string(),
            "expected the check to finish within 25000 ms, found its time budget spent during the DNS lookups"
        );
        assert_eq!(io.exchanges.get(), 1);
    }

    #[test]
    fn the_anchor_decides() {
        // With the IANA root as anchor, the lab's private root is bogus.
        let mut s = settings(LAB);
        s.trust_anchors = TrustAnchors::iana_root();
        let io = Replay::new("two-mx");
        let v = check(&io, "two-mx.example", &s).unwrap();
        assert_eq!(v.verdict, Verdict::Deferred);
        assert!(io.probed.borrow().is_empty());
    }

    fn policy_request(query: &str) -> FetchRequest {
        crate::request::policy_request(
            query.split('&').map(|p| p.split_once('=').unwrap()).map(|(k, v)| (k, v.replace("%3A", ":"))),
        )
        .unwrap()
    }

    #[test]
    fn the_policy_route_fetches_public_addresses_and_charges_their_limits() {
        let mut io = Replay::new("two-mx");
        let body = b"version: STSv1\r\nmode: enforce\r\nmx: mx.example\r\nmax_age: 86400\r\n".to_vec();
        let answer =
            FetchResult::Response { status: 200, content_type: Some("text/plain".into()), location: None, body };
        io.policy = Some(answer.clone());
        let request = policy_request("domain=example.org&addr=93.184.215.14&addr=2606%3A2800%3A21f%3Acb07%3A%3A1");
        let started = io.now_ms.get();
        let result = block_on(sts_policy(&io, &request, &settings(""), started)).unwrap();
        assert_eq!(result, answer);
        let fetched = io.fetched.borrow();
        assert_eq!(fetched.len(), 1);
        assert_eq!(fetched[0].0.url, "https://mta-sts.example.org/.well-known/mta-sts.txt");
        assert_eq!(fetched[0].1, started + 25_000);
        assert_eq!(*io.admitted.borrow(), vec![(true, vec![ip("93.184.215.14"), ip("2606:2800:21f:cb07::1")])]);
        // The body is the FetchResult, read back by the API contract.
        let json = sts_policy_body(&result).unwrap();
        assert_eq!(geleit::api::read_answer::<FetchResult>(200, None, &json), geleit::api::Answer::Ok(answer));
    }

    #[test]
    fn the_policy_route_refuses_private_addresses_without_fetching() {
        let io = Replay::new("two-mx");
        // One private address among public ones: the platform's fetch could
        // connect to it, so nothing is fetched and nothing is charged.
        for query in [
            "domain=example.org&addr=127.0.0.1",
            "domain=example.org&addr=93.184.215.14&addr=10.0.0.1",
            "domain=example.org&addr=192.0.2.7",
            "domain=example.org&addr=169.254.169.254",
            "domain=example.org&addr=%3A%3A1",
            "domain=example.org&addr=%3A%3Affff%3A127.0.0.1",
        ] {
            let request = policy_request(query);
            let result = block_on(sts_policy(&io, &request, &settings(""), io.now_ms.get())).unwrap();
            assert!(matches!(result, FetchResult::Failed(FetchFailure::Refused { .. })), "{query}: {result:?}");
        }
        assert!(io.fetched.borrow().is_empty());
        assert!(io.admitted.borrow().is_empty());
        // The operator's ranges allow the lab's loopback, as for the probe.
        let mut io = Replay::new("two-mx");
        io.policy = Some(FetchResult::Failed(FetchFailure::Timeout { after_ms: 10_000 }));
        let request = policy_request("domain=example.org&addr=127.0.0.9");
        let result = block_on(sts_policy(&io, &request, &settings(LAB), io.now_ms.get())).unwrap();
        assert_eq!(result, FetchResult::Failed(FetchFailure::Timeout { after_ms: 10_000 }));
    }

    #[test]
    fn hostile_policy_queries_are_refused_with_the_probes_codes() {
        let bad = |q: &[(&str, &str)]| crate::request::policy_request(q.iter().copied()).unwrap_err();
        let e = bad(&[("domain", "example.org")]);
        assert_eq!((e.code(), e.status()), (ErrorCode::MissingParameter, 400));
        let e = bad(&[("domain", "evil.example/x"), ("addr", "192.0.2.1")]);
        assert_eq!((e.code(), e.status()), (ErrorCode::BadHost, 400));
        let e = bad(&[("domain", "127.0.0.1"), ("addr", "192.0.2.1")]);
        assert_eq!((e.code(), e.status()), (ErrorCode::LiteralAddress, 400));
        let e = bad(&[("domain", "example.org"), ("addr", "localhost")]);
        assert_eq!((e.code(), e.status()), (ErrorCode::BadAddress, 400));
    }
}
