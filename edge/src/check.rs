//! `GET /api/check?domain=<mail domain>`: the whole DANE verdict of a mail
//! domain computed at the edge, as `geleit check <domain> --json` prints it.
//!
//! ```text
//!  CheckRequest (domain, IDN → A-labels, or [host])
//!        │
//!  geleit::dns::SmtpCheck ◄──► CheckIo::fetch_dns: every query of a round
//!        │ (validated from        at once, GET to the DoH upstream
//!        │  GELEIT_TRUST_ANCHOR)   (RFC 8484 §4.1, ID 0, CD set)
//!  verdict::probe_targets ──► plan::Plan per MX host (SSRF policy, limits)
//!        │                    CheckIo::admit (rate limits), CheckIo::probe
//!        │                    (the /api/probe code path, all hosts at once)
//!  verdict::evaluate(dns, probes, now) ──► DomainVerdict JSON
//! ```
//!
//! Trust: the upstream resolver is asked with CD set and every RRset is
//! validated here from the configured trust anchor (RFC 4035 §4.3, §5), never
//! from the resolver's AD bit; so the edge trusts no more than the CLI or the
//! web app does. The loop is sans-IO over [`CheckIo`]: the worker shell
//! moves the bytes, native tests replay recordings.

use std::collections::BTreeSet;
use std::net::IpAddr;

use geleit::dns::{self, Config, Name, SmtpCheck};
use geleit::smtp::{HostReport, TlsMode};
use geleit::verdict::{self, DomainVerdict};

use crate::config::Settings;
use crate::error::EdgeError;
use crate::plan::Plan;
use crate::request::check_host;

/// SMTP between mail servers: RFC 7672 applies to port 25 only.
pub const PORT: u16 = 25;

/// Most DNS rounds one check may take; the core needs three (four with an
/// alias), so this only stops a driver bug from looping.
const MAX_ROUNDS: u32 = 16;

/// A checked `/api/check` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRequest {
    /// Absolute, in A-labels.
    pub name: Name,
    /// `[host]`: one mail server named directly, no MX lookup (Postfix's
    /// next-hop syntax, as `geleit check [host]`).
    pub direct: bool,
}

impl CheckRequest {
    /// From the decoded query pairs of the URL: `domain` exactly once,
    /// other parameters ignored.
    pub fn from_query<I, K, V>(pairs: I) -> Result<Self, EdgeError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut domain = None;
        for (key, value) in pairs {
            if key.as_ref() == "domain" {
                if domain.is_some() {
                    return Err(EdgeError::DuplicateParameter { name: "domain" });
                }
                domain = Some(value.as_ref().to_owned());
            }
        }
        Self::parse(&domain.ok_or(EdgeError::MissingParameter { name: "domain" })?)
    }

    /// A mail domain, or `[host]`. U-labels become A-labels (IDNA, UTS 46)
    /// as in the CLI; the result must then be a host name (RFC 1123 §2.1).
    /// Literal addresses are refused: the edge connects only where
    /// validated DNS points.
    pub fn parse(text: &str) -> Result<Self, EdgeError> {
        let shown = || geleit::smtp::sanitize(text.as_bytes(), 80);
        let trimmed = text.trim();
        let inner = trimmed.strip_prefix('[').and_then(|d| d.strip_suffix(']'));
        let bare = inner.unwrap_or(trimmed);
        if bare.parse::<IpAddr>().is_ok() {
            return Err(EdgeError::LiteralAddress { found: shown() });
        }
        let name = dns::parse_name(bare).map_err(|e| EdgeError::BadDomain {
            found: shown(),
            reason: match e {
                dns::DnsError::BadName { detail, .. } => detail,
                other => other.to_string(),
            },
        })?;
        // The same rules as /api/probe's host, on the A-label form.
        let ascii = name.to_ascii();
        check_host(&ascii).map_err(|e| match e {
            EdgeError::BadHost { reason, .. } => EdgeError::BadDomain { found: shown(), reason: reason.to_owned() },
            EdgeError::LiteralAddress { .. } => EdgeError::LiteralAddress { found: shown() },
            other => other,
        })?;
        Ok(Self { name, direct: inner.is_some() })
    }
}

/// The probes of one MX host: the plan (report skeleton, targets) and the
/// name to send as SNI (the TLSA base domain, RFC 7672 §8.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostProbe {
    pub plan: Plan,
    pub sni: String,
}

/// What the check needs from its runtime.
// Single-threaded worker: the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait CheckIo {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;

    /// GETs every URL at once (RFC 8484 §4.1), each by `deadline_ms`: per
    /// URL, in order, the DNS message or why there is none.
    async fn fetch_dns(&mut self, urls: &[String], deadline_ms: u64) -> Vec<Result<Vec<u8>, EdgeError>>;

    /// Charges the rate limits before probing: `extra_hosts` more client
    /// probes (the request itself paid for the first host), and one per
    /// target address.
    fn admit(&mut self, extra_hosts: usize, addresses: &[IpAddr]) -> Result<(), EdgeError>;

    /// Runs every host's probes, all hosts at once, within the request's
    /// budget counted from `started_ms`; the reports in the order given.
    async fn probe(&mut self, hosts: Vec<HostProbe>, started_ms: u64) -> Result<Vec<HostReport>, EdgeError>;
}

/// Runs the check: DNS through `io` validated from `anchors`, probes through
/// `io`, the verdict at the time it is computed. `started_ms` is when the
/// request arrived (the budget counts from there).
pub async fn run<I: CheckIo>(
    io: &mut I,
    request: &CheckRequest,
    settings: &Settings,
    started_ms: u64,
) -> Result<DomainVerdict, EdgeError> {
    let budget_ms = settings.limits.request_budget_ms;
    let deadline = started_ms.saturating_add(budget_ms);
    let spent = |stage| EdgeError::BudgetExceeded { budget_ms, stage };
    let config = Config { anchors: settings.trust_anchors.clone(), ..Config::default() };
    let now_s = started_ms / 1000;
    let name = request.name.clone();
    let mut check =
        if request.direct { SmtpCheck::new_host(name, config, now_s) } else { SmtpCheck::new(name, config, now_s) };
    let mut rounds = 0u32;
    while !check.is_done() {
        let queries = check.poll_queries();
        if queries.is_empty() {
            continue; // done while polling (or stalled: the core then reports so itself)
        }
        rounds = rounds.saturating_add(1);
        if rounds > MAX_ROUNDS {
            return Err(EdgeError::Internal);
        }
        if io.now_ms() >= deadline {
            return Err(spent("during the DNS lookups"));
        }
        let urls: Vec<String> = queries.iter().map(|q| q.doh_get_url(&settings.doh_upstream)).collect();
        let answers = io.fetch_dns(&urls, deadline).await;
        if rounds == 1 && answers.iter().all(Result::is_err) {
            // Not a DNSSEC verdict: the resolver cannot be reached at all.
            let found = match answers.into_iter().next() {
                Some(Err(EdgeError::Upstream { found })) => found.to_owned(),
                Some(Err(other)) => other.to_string(),
                _ => "no answer".to_owned(),
            };
            return Err(EdgeError::DnsUnreachable { found });
        }
        for (query, answer) in queries.iter().zip(answers) {
            let handled = match answer {
                Ok(bytes) => check.handle_response(query.id(), &bytes),
                Err(e) => check.handle_error(query.id(), &e.to_string()),
            };
            handled.map_err(|_| EdgeError::Internal)?;
        }
    }
    let report = check.poll_result().ok_or(EdgeError::Internal)?;
    let targets = verdict::probe_targets(report);
    let limits = &settings.limits;
    let plans: Vec<HostProbe> = targets
        .iter()
        .map(|t| {
            let plan = Plan::with_refusals(
                &t.host,
                PORT,
                TlsMode::Starttls,
                &t.addresses,
                &settings.extra_allowed,
                limits.max_addresses,
            );
            // DNS allows names TLS cannot send as SNI (RFC 6066 §3: a host name).
            let plan = match check_host(&t.sni) {
                Ok(_) => plan,
                Err(e) => unprobeable(plan, format!("not probed: the TLS server name is unusable: {e}")),
            };
            HostProbe { plan, sni: t.sni.clone() }
        })
        .collect();
    let (to_probe, refused): (Vec<HostProbe>, Vec<HostProbe>) =
        plans.into_iter().partition(|h| !h.plan.targets.is_empty());
    if to_probe.is_empty()
        && let Some(first) = refused.first()
    {
        // As /api/probe: nothing at all may be probed.
        return Err(first.plan.refusal());
    }
    let mut probes: Vec<HostReport> = Vec::new();
    if !to_probe.is_empty() {
        if io.now_ms() >= deadline {
            return Err(spent("before the probes"));
        }
        let addresses: BTreeSet<IpAddr> =
            to_probe.iter().flat_map(|h| h.plan.targets.iter().map(|t| t.address)).collect();
        io.admit(to_probe.len().saturating_sub(1), &addresses.into_iter().collect::<Vec<_>>())?;
        probes = io.probe(to_probe, started_ms).await?;
    }
    // Hosts with nothing to probe keep their reasons, address by address.
    probes.extend(refused.into_iter().map(|h| h.plan.into_report()));
    let now = i64::try_from(io.now_ms() / 1000).map_err(|_| EdgeError::Internal)?;
    Ok(verdict::evaluate(report, &probes, now))
}

/// `plan` with nothing to probe: every address not yet refused gets `why`.
fn unprobeable(mut plan: Plan, why: String) -> Plan {
    for address in &mut plan.report.addresses {
        address.refused.get_or_insert_with(|| why.clone());
    }
    plan.targets.clear();
    plan.first_refusal.get_or_insert(why);
    plan
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
    use std::collections::HashMap;
    use std::future::Future;
    use std::path::PathBuf;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use data_encoding::{BASE64, BASE64URL_NOPAD};
    use geleit::dns::{MxOutcome, TrustAnchors};
    use geleit::verdict::Verdict;
    use hickory_proto::op::Message;

    use super::*;

    /// The test IO is never pending: one poll finishes the future.
    fn block_on<F: Future>(future: F) -> F::Output {
        match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the replay IO is never pending"),
        }
    }

    fn data() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/check")
    }

    fn read(name: &str) -> String {
        std::fs::read_to_string(data().join(name)).unwrap()
    }

    /// Replays a recording of `geleit check --record` and the probe reports
    /// recorded with it (tests/data/check), and notes what it was asked.
    struct Replay {
        scenario: &'static str,
        responses: HashMap<(String, String), Vec<u8>>,
        now_ms: u64,
        /// Added to the clock by every DNS round.
        round_ms: u64,
        /// Rounds after this many fail (the upstream went away).
        rounds_answered: usize,
        rounds: usize,
        admitted: Vec<(usize, Vec<IpAddr>)>,
        probed: Vec<(String, String)>,
    }

    impl Replay {
        fn new(scenario: &'static str) -> Self {
            let rec: serde_json::Value = serde_json::from_str(&read(&format!("{scenario}.dns.json"))).unwrap();
            let responses = rec["responses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let key =
                        (r["name"].as_str().unwrap().to_ascii_lowercase(), r["type"].as_str().unwrap().to_owned());
                    (key, BASE64.decode(r["wire"].as_str().unwrap().as_bytes()).unwrap())
                })
                .collect();
            Self {
                scenario,
                responses,
                now_ms: rec["now"].as_u64().unwrap() * 1000,
                round_ms: 40,
                rounds_answered: usize::MAX,
                rounds: 0,
                admitted: Vec::new(),
                probed: Vec::new(),
            }
        }
    }

    impl CheckIo for Replay {
        fn now_ms(&self) -> u64 {
            self.now_ms
        }

        async fn fetch_dns(&mut self, urls: &[String], deadline_ms: u64) -> Vec<Result<Vec<u8>, EdgeError>> {
            assert!(deadline_ms > self.now_ms);
            self.rounds += 1;
            self.now_ms += self.round_ms;
            let up = self.rounds <= self.rounds_answered;
            urls.iter()
                .map(|url| {
                    let (base, q) = url.split_once("?dns=").unwrap();
                    assert_eq!(base, "http://doh.test/dns-query");
                    let message = Message::from_vec(&BASE64URL_NOPAD.decode(q.as_bytes()).unwrap()).unwrap();
                    // RFC 8484 §4.1: ID 0, so that HTTP caches can share answers.
                    assert_eq!(message.metadata.id, 0);
                    let question = &message.queries[0];
                    let key = (question.name().to_ascii().to_ascii_lowercase(), question.query_type().to_string());
                    match self.responses.get(&key) {
                        Some(wire) if up => Ok(wire.clone()),
                        _ => Err(EdgeError::Upstream { found: "no answer (connection failed)" }),
                    }
                })
                .collect()
        }

        fn admit(&mut self, extra_hosts: usize, addresses: &[IpAddr]) -> Result<(), EdgeError> {
            self.admitted.push((extra_hosts, addresses.to_vec()));
            Ok(())
        }

        async fn probe(&mut self, hosts: Vec<HostProbe>, _started_ms: u64) -> Result<Vec<HostReport>, EdgeError> {
            Ok(hosts
                .into_iter()
                .map(|h| {
                    let host = h.plan.report.host.clone();
                    self.probed.push((host.clone(), h.sni));
                    serde_json::from_str(&read(&format!("{}.{host}.probe.json", self.scenario))).unwrap()
                })
                .collect())
        }
    }

    fn settings(allow: &str) -> Settings {
        let anchor = read("anchor.ds");
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

    fn check(io: &mut Replay, domain: &str, settings: &Settings) -> Result<DomainVerdict, EdgeError> {
        let request = CheckRequest::from_query([("domain", domain)])?;
        let started = io.now_ms;
        block_on(run(io, &request, settings, started))
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
        assert_eq!(err(&[]), EdgeError::MissingParameter { name: "domain" });
        assert_eq!(
            err(&[("domain", "a.example"), ("domain", "b.example")]),
            EdgeError::DuplicateParameter { name: "domain" }
        );
        for literal in ["127.0.0.1", "[::1]", "[192.0.2.1]", "10.1"] {
            let e = err(&[("domain", literal)]);
            assert_eq!((e.code(), e.status()), ("literal_address", 400), "{literal}");
        }
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
            assert_eq!((e.code(), e.status(), e.to_string().as_str()), ("bad_domain", 400, message), "{domain:?}");
        }
    }

    #[test]
    fn two_mx_hosts_are_validated_probed_at_once_and_judged() {
        let mut io = Replay::new("two-mx");
        let v = check(&mut io, "two-mx.example", &settings(LAB)).unwrap();
        assert_eq!(
            (v.domain.as_str(), v.mx_outcome, v.verdict),
            ("two-mx.example.", MxOutcome::Hosts, Verdict::NotAuthenticated)
        );
        let hosts: Vec<(&str, bool)> = v.hosts.iter().map(|h| (h.host.as_str(), h.authenticated)).collect();
        assert_eq!(hosts, [("mx1.two-mx.example.", true), ("mx2.two-mx.example.", false)]);
        assert_eq!(v.hosts[1].addresses[0].findings[0].code(), "tlsa_no_match");
        // DNS in two rounds; both hosts probed in one call, SNI the TLSA base.
        assert_eq!((io.rounds, v.rounds), (2, 2));
        let ips: Vec<IpAddr> = vec!["127.0.1.16".parse().unwrap(), "127.0.1.17".parse().unwrap()];
        assert_eq!(io.admitted, [(1, ips)]);
        assert_eq!(
            io.probed,
            [
                ("mx1.two-mx.example".to_owned(), "mx1.two-mx.example".to_owned()),
                ("mx2.two-mx.example".to_owned(), "mx2.two-mx.example".to_owned())
            ]
        );
        // The body is `geleit check --json`'s output: pretty JSON, a newline.
        let text = body(&v).unwrap();
        assert!(text.starts_with("{\n  \"domain\": \"two-mx.example.\",\n") && text.ends_with("}\n"), "{text}");
        assert_eq!(serde_json::from_str::<DomainVerdict>(&text).unwrap(), v);
    }

    #[test]
    fn one_host_named_directly() {
        let mut io = Replay::new("two-mx");
        let v = check(&mut io, "[MX1.two-mx.example]", &settings(LAB)).unwrap();
        assert_eq!((v.mx_outcome, v.verdict, v.hosts.len()), (MxOutcome::Direct, Verdict::Authenticated, 1));
        assert_eq!(io.admitted[0].0, 0);
    }

    #[test]
    fn private_targets_are_refused_as_by_the_probe_api() {
        let mut io = Replay::new("two-mx");
        let e = check(&mut io, "two-mx.example", &settings("")).unwrap_err();
        assert_eq!((e.code(), e.status()), ("target_refused", 403));
        assert_eq!(
            e.to_string(),
            "refused: expected a public unicast address, found 127.0.1.16 in 127.0.0.0/8 (loopback, RFC 1122)"
        );
        assert!(io.probed.is_empty() && io.admitted.is_empty());
        // One host allowed, the other not: the verdict says which and why.
        let mut io = Replay::new("two-mx");
        let v = check(&mut io, "two-mx.example", &settings("127.0.1.16/32")).unwrap();
        assert_eq!(io.probed.len(), 1);
        let refused = &v.hosts[1].addresses[0];
        assert_eq!(refused.verdict, Verdict::NotProbed);
        assert_eq!(
            refused.findings[0].message,
            "the address was not probed: refused by policy: expected a public unicast address, found 127.0.1.17 in 127.0.0.0/8 (loopback, RFC 1122)"
        );
    }

    #[test]
    fn a_server_name_tls_cannot_send_is_not_probed() {
        let mut io = Replay::new("two-mx");
        let plan = Plan::with_refusals("mx.example", PORT, TlsMode::Starttls, &["8.8.8.8".parse().unwrap()], &[], 8);
        let plan = unprobeable(plan, "not probed: why".to_owned());
        assert!(plan.targets.is_empty());
        assert_eq!(plan.report.addresses[0].refused.as_deref(), Some("not probed: why"));
        assert_eq!(plan.refusal().to_string(), "refused: not probed: why");
        // The recorded hosts' names are fine: both probed.
        check(&mut io, "two-mx.example", &settings(LAB)).unwrap();
        assert_eq!(io.probed.len(), 2);
    }

    #[test]
    fn an_unreachable_upstream_is_an_error_not_a_verdict() {
        let mut io = Replay::new("two-mx");
        io.rounds_answered = 0;
        let e = check(&mut io, "two-mx.example", &settings(LAB)).unwrap_err();
        assert_eq!((e.code(), e.status()), ("dns_unreachable", 502));
        assert_eq!(
            e.to_string(),
            "expected the DNS upstream to answer the check's queries, found no answer (connection failed)"
        );
        // Failures after the first round are the core's to judge: deferred.
        let mut io = Replay::new("two-mx");
        io.rounds_answered = 1;
        let v = check(&mut io, "two-mx.example", &settings(LAB)).unwrap();
        assert_eq!(v.verdict, Verdict::Deferred);
        assert!(io.probed.is_empty());
    }

    #[test]
    fn the_time_budget_covers_the_dns_stage() {
        let mut io = Replay::new("two-mx");
        io.round_ms = 30_000;
        let e = check(&mut io, "two-mx.example", &settings(LAB)).unwrap_err();
        assert_eq!((e.code(), e.status()), ("budget_exceeded", 504));
        assert_eq!(
            e.to_string(),
            "expected the check to finish within 25000 ms, found its time budget spent during the DNS lookups"
        );
        assert_eq!(io.rounds, 1);
    }

    #[test]
    fn the_anchor_decides() {
        // With the IANA root as anchor, the lab's private root is bogus.
        let mut s = settings(LAB);
        s.trust_anchors = TrustAnchors::iana_root();
        let mut io = Replay::new("two-mx");
        let v = check(&mut io, "two-mx.example", &s).unwrap();
        assert_eq!(v.verdict, Verdict::Deferred);
        assert!(io.probed.is_empty());
    }
}
