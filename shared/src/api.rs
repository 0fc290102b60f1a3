//! The edge's HTTP API as types: paths, requests, error codes and bodies,
//! and `Retry-After`. The edge serves it; the CLI, the web app and the
//! widget call it. All of them read and write it through this module, so
//! there is one contract and no hand-parsed JSON anywhere.
//!
//! | request | answer (200) |
//! |---|---|
//! | `GET /api/probe?host=H&sni=S&addr=A&addr=B&port=25` | `smtp::HostReport` JSON: the validated addresses probed, `S` sent as SNI |
//! | `GET /api/probe?host=H&port=25` | the same, the edge resolving `H` itself (`geleit probe --edge`) |
//! | `GET /api/check?domain=D` | `verdict::DomainVerdict` JSON |
//! | `GET /api/sts-policy?domain=D&addr=A&addr=B` | `check::FetchResult` JSON: `https://mta-sts.D/.well-known/mta-sts.txt` fetched as the core's [`FetchRequest`] says, if every validated address `A`, `B` of `mta-sts.D` passes the probe's SSRF policy |
//! | `GET/POST /dns-query` | RFC 8484 DoH |
//!
//! Errors are `{"error": {"code": "...", "message": "..."}}` with an HTTP
//! status; 429 carries `Retry-After` in seconds (RFC 9110 §10.2.3).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::mailpolicy::{FetchFailure, FetchRequest, FetchResult};
use crate::smtp::ALLOWED_PORTS;
use crate::verdict::ProbeTarget;

/// The probe endpoint.
pub const PROBE_PATH: &str = "/api/probe";
/// The verdict endpoint.
pub const CHECK_PATH: &str = "/api/check";
/// The MTA-STS policy endpoint (RFC 8461 §3.3): the fetch a browser cannot
/// make (CORS), made by the edge for a page's check.
pub const STS_POLICY_PATH: &str = "/api/sts-policy";
/// The DoH endpoint (RFC 8484 §4.1's usual path).
pub const DOH_PATH: &str = "/dns-query";

/// Most addresses one probe request may name (a host with more is probed in
/// several requests; real MX hosts have a handful).
pub const MAX_PROBE_ADDRESSES: usize = 16;

/// Longest host name, without the trailing dot (RFC 1035 §2.3.4: 255 octets
/// on the wire).
pub const MAX_HOST_OCTETS: usize = 253;

/// Why a request is refused before anything is looked up or connected to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    #[error("expected a query parameter \"{name}\", found none")]
    MissingParameter { name: &'static str },
    #[error("expected the query parameter \"{name}\" once, found it more than once")]
    DuplicateParameter { name: &'static str },
    /// Not a DNS host name (RFC 1123 §2.1); `found` is sanitised.
    #[error("expected a mail server host name, found \"{found}\": {reason}")]
    BadHost { found: String, reason: &'static str },
    /// An IP address where a name belongs.
    #[error("expected a host name, found the IP address \"{found}\"")]
    LiteralAddress { found: String },
    #[error("expected port 25, 465 or 587, found \"{found}\"")]
    BadPort { found: String },
    /// An `addr` value that is not an IP address, or too many of them.
    #[error("expected up to {MAX_PROBE_ADDRESSES} IP addresses in \"addr\", found \"{found}\"")]
    BadAddress { found: String },
    /// A `view` language the edge does not word answers in (`found` is sanitised).
    #[error("expected \"en\" or \"de\" in \"view\", found \"{found}\"")]
    BadLanguage { found: String },
}

impl RequestError {
    /// The stable code of the error.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::MissingParameter { .. } => ErrorCode::MissingParameter,
            Self::DuplicateParameter { .. } => ErrorCode::DuplicateParameter,
            Self::BadHost { .. } => ErrorCode::BadHost,
            Self::LiteralAddress { .. } => ErrorCode::LiteralAddress,
            Self::BadPort { .. } => ErrorCode::BadPort,
            Self::BadAddress { .. } => ErrorCode::BadAddress,
            Self::BadLanguage { .. } => ErrorCode::BadLanguage,
        }
    }
}

/// A host name in lower case without the trailing dot, or why it is not one:
/// letters, digits and hyphens, labels of 1 to 63 octets, 253 in all (RFC
/// 1123 §2.1). A literal address is refused, and so is a name whose last
/// label is all digits (RFC 3696 §2: no top-level domain is numeric), which
/// keeps out shorthand IPv4 spellings such as `127.1`.
///
/// # Errors
/// [`RequestError::BadHost`] or [`RequestError::LiteralAddress`].
pub fn check_host_name(text: &str) -> Result<String, RequestError> {
    let shown = || crate::smtp::sanitize(text.as_bytes(), 80);
    let bad = |reason| RequestError::BadHost { found: shown(), reason };
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        return Err(RequestError::LiteralAddress { found: shown() });
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    if name.is_empty() {
        return Err(bad("the name is empty"));
    }
    if name.len() > MAX_HOST_OCTETS {
        return Err(bad("longer than 253 octets"));
    }
    let mut last = "";
    for label in name.split('.') {
        if label.is_empty() {
            return Err(bad("a label is empty"));
        }
        if label.len() > 63 {
            return Err(bad("a label is longer than 63 octets"));
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(bad("only letters, digits, \"-\" and \".\" are allowed"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(bad("a label starts or ends with \"-\""));
        }
        last = label;
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RequestError::LiteralAddress { found: shown() });
    }
    Ok(name.to_ascii_lowercase())
}

/// A port a probe may use: 25, 465 or 587.
///
/// # Errors
/// [`RequestError::BadPort`] for anything else.
pub fn check_port(text: &str) -> Result<u16, RequestError> {
    let bad = || RequestError::BadPort { found: crate::smtp::sanitize(text.as_bytes(), 16) };
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let port: u16 = text.parse().map_err(|_| bad())?;
    if ALLOWED_PORTS.contains(&port) { Ok(port) } else { Err(bad()) }
}

/// `GET /api/probe`: what to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeRequest {
    /// Addresses the caller validated itself (with DNSSEC), the MX host name
    /// for the report, and the SNI to send (RFC 7672 §8.1). The edge probes
    /// exactly these addresses, each after its SSRF policy.
    Validated { host: String, sni: String, addresses: Vec<IpAddr>, port: u16 },
    /// A host name the edge resolves itself (`geleit probe --edge`).
    Name { host: String, port: u16 },
}

impl ProbeRequest {
    /// The request for a target of [`crate::check::DomainCheck`].
    #[must_use]
    pub fn for_target(target: &ProbeTarget, port: u16) -> Self {
        Self::Validated {
            host: target.host.clone(),
            sni: target.sni.clone(),
            addresses: target.addresses.clone(),
            port,
        }
    }

    /// The query pairs, in order (`addr` once per address).
    #[must_use]
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Validated { host, sni, addresses, port } => {
                let mut pairs = vec![("host", host.clone()), ("sni", sni.clone())];
                pairs.extend(addresses.iter().map(|a| ("addr", a.to_string())));
                pairs.push(("port", port.to_string()));
                pairs
            }
            Self::Name { host, port } => vec![("host", host.clone()), ("port", port.to_string())],
        }
    }

    /// The query string (without `?`), percent-encoded where needed.
    #[must_use]
    pub fn query_string(&self) -> String {
        self.query_pairs().iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect::<Vec<_>>().join("&")
    }

    /// From the decoded query pairs of the URL. Unknown parameters are
    /// ignored; `host`, `sni` and `port` may appear once each, `addr` up to
    /// [`MAX_PROBE_ADDRESSES`] times. With `addr`, `sni` defaults to `host`.
    ///
    /// # Errors
    /// A missing or repeated parameter, a bad host name, port or address.
    pub fn from_query<I, K, V>(pairs: I) -> Result<Self, RequestError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let (mut host, mut sni, mut port) = (None, None, None);
        let mut addresses = Vec::new();
        for (key, value) in pairs {
            let (name, slot) = match key.as_ref() {
                "host" => ("host", &mut host),
                "sni" => ("sni", &mut sni),
                "port" => ("port", &mut port),
                "addr" => {
                    push_address(&mut addresses, value.as_ref())?;
                    continue;
                }
                _ => continue,
            };
            if slot.is_some() {
                return Err(RequestError::DuplicateParameter { name });
            }
            *slot = Some(value.as_ref().to_owned());
        }
        let host = check_host_name(&host.ok_or(RequestError::MissingParameter { name: "host" })?)?;
        let port = port.as_deref().map_or(Ok(25), check_port)?;
        if addresses.is_empty() {
            if sni.is_some() {
                return Err(RequestError::MissingParameter { name: "addr" });
            }
            return Ok(Self::Name { host, port });
        }
        let sni = match sni {
            Some(s) => check_host_name(&s)?,
            None => host.clone(),
        };
        Ok(Self::Validated { host, sni, addresses, port })
    }

    /// The MX host name.
    #[must_use]
    pub fn host(&self) -> &str {
        match self {
            Self::Validated { host, .. } | Self::Name { host, .. } => host,
        }
    }

    /// The port.
    #[must_use]
    pub const fn port(&self) -> u16 {
        match self {
            Self::Validated { port, .. } | Self::Name { port, .. } => *port,
        }
    }
}

/// One more `addr` value: an IP address, at most [`MAX_PROBE_ADDRESSES`] in all.
fn push_address(addresses: &mut Vec<IpAddr>, text: &str) -> Result<(), RequestError> {
    let bad = || RequestError::BadAddress { found: crate::smtp::sanitize(text.as_bytes(), 48) };
    if addresses.len() >= MAX_PROBE_ADDRESSES {
        return Err(bad());
    }
    addresses.push(text.parse::<IpAddr>().map_err(|_| bad())?);
    Ok(())
}

/// `GET /api/sts-policy`: the query of a [`FetchRequest`] (`domain` once,
/// `addr` once per validated address of `mta-sts.<domain>`). Only the
/// domain and the addresses travel: the host, the URL, the size limit and
/// the timeout are the core's ([`FetchRequest::for_domain`]), so a caller
/// cannot make the edge fetch any other URL.
#[must_use]
pub fn fetch_query_string(request: &FetchRequest) -> String {
    let mut pairs = vec![format!("domain={}", percent_encode(&request.domain))];
    pairs.extend(request.addresses.iter().map(|a| format!("addr={}", percent_encode(&a.to_string()))));
    pairs.join("&")
}

/// The [`FetchRequest`] of `GET /api/sts-policy`'s decoded query pairs.
/// Unknown parameters are ignored; `domain` must appear once and pass the
/// host-name rules of the probe (RFC 1123 §2.1), as must `mta-sts.<domain>`;
/// `addr` at least once and at most [`MAX_PROBE_ADDRESSES`] times.
///
/// # Errors
/// A missing or repeated parameter, a bad domain or address.
pub fn fetch_request_from_query<I, K, V>(pairs: I) -> Result<FetchRequest, RequestError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut domain = None;
    let mut addresses = Vec::new();
    for (key, value) in pairs {
        match key.as_ref() {
            "domain" if domain.is_some() => return Err(RequestError::DuplicateParameter { name: "domain" }),
            "domain" => domain = Some(value.as_ref().to_owned()),
            "addr" => push_address(&mut addresses, value.as_ref())?,
            _ => {}
        }
    }
    let domain = check_host_name(&domain.ok_or(RequestError::MissingParameter { name: "domain" })?)?;
    check_host_name(&format!("mta-sts.{domain}"))?;
    if addresses.is_empty() {
        return Err(RequestError::MissingParameter { name: "addr" });
    }
    Ok(FetchRequest::for_domain(&domain, addresses))
}

/// The largest `/api/sts-policy` answer read: a policy of the core's limit
/// written as JSON (at worst 4 octets per body octet, as an array of bytes)
/// and its fields.
pub const MAX_FETCH_ANSWER: usize = 4 * crate::mailpolicy::sts::MAX_POLICY_BYTES + 1024;

/// Reads the edge's answer to `GET /api/sts-policy` as the [`FetchResult`]
/// to hand to [`crate::check::DomainCheck::handle_fetch`]: the edge's result
/// as it came, or, when there is none (the edge refused the request, was
/// rate limited, or sent something else), why the policy was not fetched
/// ([`FetchFailure::Unavailable`]: "not fetched", never a fault of the
/// domain).
#[must_use]
pub fn fetch_answer(status: u16, retry_after: Option<&str>, body: &str) -> FetchResult {
    let unavailable = |detail: String| FetchResult::Failed(FetchFailure::Unavailable { detail });
    if body.len() > MAX_FETCH_ANSWER {
        return unavailable(format!(
            "expected an answer of the edge of at most {MAX_FETCH_ANSWER} bytes, found {}",
            body.len()
        ));
    }
    match read_answer::<FetchResult>(status, retry_after, body) {
        Answer::Ok(result) => result,
        Answer::Error(e) => {
            unavailable(format!("the edge answered HTTP {} ({}): {}", e.status, e.code.as_str(), e.message))
        }
        Answer::Unreadable(why) => unavailable(why),
    }
}

/// Percent-encodes everything but RFC 3986 §2.3 unreserved characters.
#[must_use]
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The stable error codes of the API (part of the contract). Codes this
/// version does not know are kept as they are.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    MissingParameter,
    DuplicateParameter,
    BadHost,
    LiteralAddress,
    BadPort,
    BadAddress,
    BadLanguage,
    BadDomain,
    /// The edge's DoH upstream could not be reached: nothing is known about the domain.
    DnsUnreachable,
    BudgetExceeded,
    TargetRefused,
    HostNotFound,
    ResolutionFailed,
    UpstreamFailed,
    BadDnsQuery,
    PayloadTooLarge,
    UnsupportedMediaType,
    MethodNotAllowed,
    NotFound,
    RateLimited,
    Misconfigured,
    Internal,
    /// A code from a newer edge.
    Other(String),
}

const CODES: [(ErrorCode, &str); 22] = [
    (ErrorCode::MissingParameter, "missing_parameter"),
    (ErrorCode::DuplicateParameter, "duplicate_parameter"),
    (ErrorCode::BadHost, "bad_host"),
    (ErrorCode::LiteralAddress, "literal_address"),
    (ErrorCode::BadPort, "bad_port"),
    (ErrorCode::BadAddress, "bad_address"),
    (ErrorCode::BadLanguage, "bad_language"),
    (ErrorCode::BadDomain, "bad_domain"),
    (ErrorCode::DnsUnreachable, "dns_unreachable"),
    (ErrorCode::BudgetExceeded, "budget_exceeded"),
    (ErrorCode::TargetRefused, "target_refused"),
    (ErrorCode::HostNotFound, "host_not_found"),
    (ErrorCode::ResolutionFailed, "resolution_failed"),
    (ErrorCode::UpstreamFailed, "upstream_failed"),
    (ErrorCode::BadDnsQuery, "bad_dns_query"),
    (ErrorCode::PayloadTooLarge, "payload_too_large"),
    (ErrorCode::UnsupportedMediaType, "unsupported_media_type"),
    (ErrorCode::MethodNotAllowed, "method_not_allowed"),
    (ErrorCode::NotFound, "not_found"),
    (ErrorCode::RateLimited, "rate_limited"),
    (ErrorCode::Misconfigured, "misconfigured"),
    (ErrorCode::Internal, "internal"),
];

impl ErrorCode {
    /// The code as it is sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(code) => code,
            known => CODES.iter().find(|(c, _)| c == known).map_or("internal", |(_, s)| s),
        }
    }

    /// The code from its text.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        CODES.iter().find(|(_, s)| *s == text).map_or_else(|| Self::Other(text.to_owned()), |(c, _)| c.clone())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(Self::parse(&text))
    }
}

/// An error answer of the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    pub code: ErrorCode,
    /// English words from the edge (the faces word known codes themselves).
    pub message: String,
    /// Seconds from `Retry-After`, when given (RFC 9110 §10.2.3).
    pub retry_after_s: Option<u64>,
}

/// The error body as written (read back by [`read_answer`] without serde's derive).
#[derive(Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    code: ErrorCode,
    message: String,
}

/// The JSON body of an error answer.
#[must_use]
pub fn error_body(code: &ErrorCode, message: &str) -> String {
    serde_json::to_string(&ErrorBody { error: ErrorDetail { code: code.clone(), message: message.to_owned() } })
        .unwrap_or_else(|_| r#"{"error":{"code":"internal","message":"internal error"}}"#.to_owned())
}

/// Delay-seconds of a `Retry-After` value (RFC 9110 §10.2.3); an HTTP-date
/// or anything else gives `None`.
#[must_use]
pub fn retry_after_seconds(value: &str) -> Option<u64> {
    let v = value.trim();
    (!v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse().ok()).flatten()
}

/// What an answer of the edge was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    /// 200 with the expected JSON.
    Ok(T),
    /// The edge's own error.
    Error(ApiError),
    /// Neither: a proxy's page, a truncated body, a wrong shape. The words
    /// say what was expected and what was found.
    Unreadable(String),
}

/// Reads an answer of the edge: status, `Retry-After` header and body.
#[must_use]
pub fn read_answer<T: serde::de::DeserializeOwned>(status: u16, retry_after: Option<&str>, body: &str) -> Answer<T> {
    if status == 200 {
        return match serde_json::from_str(body) {
            Ok(value) => Answer::Ok(value),
            Err(e) => Answer::Unreadable(format!("expected the edge's JSON answer, found one it cannot read: {e}")),
        };
    }
    // `{"error":{"code":…,"message":…}}`, other fields ignored: read from a
    // serde_json Value, which the web app's engine module links anyway,
    // instead of derived visitors for the two structs (about 1 KB gzip there).
    let error = serde_json::from_str::<serde_json::Value>(body).ok().and_then(|v| {
        let e = v.get("error")?;
        Some((e.get("code")?.as_str()?.to_owned(), e.get("message")?.as_str()?.to_owned()))
    });
    error_answer(status, retry_after, body, error)
}

/// The answer of the edge when the status is not 200: its error, from the
/// `code` and `message` a JSON reader found in the body's
/// `{"error":{"code":…,"message":…}}` (`None`: the body is no such error),
/// or unreadable. [`read_answer`] with serde_json; a module that links
/// another JSON reader (the widget's, `geleit_web::worded::read_answer`)
/// reads the two strings itself and words the rest the same way here.
#[must_use]
pub fn error_answer<T>(
    status: u16,
    retry_after: Option<&str>,
    body: &str,
    error: Option<(String, String)>,
) -> Answer<T> {
    match error {
        Some((code, message)) => Answer::Error(ApiError {
            status,
            code: ErrorCode::parse(&code),
            message,
            retry_after_s: retry_after.and_then(retry_after_seconds),
        }),
        None => Answer::Unreadable(format!(
            "expected an answer or an error from the edge, found HTTP status {status} with {}",
            crate::smtp::sanitize(body.as_bytes(), 80)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &[(&str, &str)]) -> Result<ProbeRequest, RequestError> {
        ProbeRequest::from_query(q.iter().copied())
    }

    #[test]
    fn validated_probe_requests_round_trip_through_the_query() {
        let target = ProbeTarget {
            host: "mx.example".into(),
            sni: "mail.provider.example".into(),
            addresses: vec![
                "192.0.2.1".parse().unwrap_or(IpAddr::from([0; 4])),
                "2001:db8::1".parse().unwrap_or(IpAddr::from([0; 4])),
            ],
        };
        let request = ProbeRequest::for_target(&target, 25);
        let pairs = request.query_pairs();
        assert_eq!(ProbeRequest::from_query(pairs.iter().map(|(k, v)| (*k, v.as_str()))), Ok(request.clone()));
        assert_eq!(
            request.query_string(),
            "host=mx.example&sni=mail.provider.example&addr=192.0.2.1&addr=2001%3Adb8%3A%3A1&port=25"
        );
    }

    #[test]
    fn probe_requests_are_checked() {
        assert_eq!(req(&[("host", "MX.Example.")]), Ok(ProbeRequest::Name { host: "mx.example".into(), port: 25 }));
        assert_eq!(req(&[]), Err(RequestError::MissingParameter { name: "host" }));
        assert_eq!(req(&[("host", "a"), ("host", "b")]), Err(RequestError::DuplicateParameter { name: "host" }));
        assert_eq!(
            req(&[("host", "mx.example"), ("sni", "mx.example")]),
            Err(RequestError::MissingParameter { name: "addr" })
        );
        assert!(matches!(req(&[("host", "mx.example"), ("addr", "mx.example")]), Err(RequestError::BadAddress { .. })));
        assert!(matches!(req(&[("host", "mx.example"), ("port", "22")]), Err(RequestError::BadPort { .. })));
        assert!(matches!(req(&[("host", "127.0.0.1")]), Err(RequestError::LiteralAddress { .. })));
        assert!(matches!(req(&[("host", "127.1")]), Err(RequestError::LiteralAddress { .. })));
        assert!(matches!(req(&[("host", "a..b")]), Err(RequestError::BadHost { .. })));
        assert!(matches!(req(&[("host", "-a.b")]), Err(RequestError::BadHost { .. })));
        let many: Vec<(&str, String)> = std::iter::once(("host", "mx.example".to_owned()))
            .chain((0..17).map(|i| ("addr", format!("192.0.2.{i}"))))
            .collect();
        assert!(matches!(
            ProbeRequest::from_query(many.iter().map(|(k, v)| (*k, v.as_str()))),
            Err(RequestError::BadAddress { .. })
        ));
    }

    fn fetch(q: &[(&str, &str)]) -> Result<FetchRequest, RequestError> {
        fetch_request_from_query(q.iter().copied())
    }

    /// The query pairs of a query string, decoded as a URL parser would.
    fn decode(query: &str) -> Vec<(String, String)> {
        let unescape = |v: &str| {
            let mut out = Vec::new();
            let mut bytes = v.bytes();
            while let Some(b) = bytes.next() {
                if b == b'%' {
                    let hex: String = bytes.by_ref().take(2).map(char::from).collect();
                    out.push(u8::from_str_radix(&hex, 16).unwrap());
                } else {
                    out.push(b);
                }
            }
            String::from_utf8(out).unwrap()
        };
        query.split('&').map(|p| p.split_once('=').unwrap()).map(|(k, v)| (unescape(k), unescape(v))).collect()
    }

    #[test]
    fn policy_fetch_requests_round_trip_through_the_query() {
        let request = FetchRequest::for_domain(
            "Example.ORG.",
            vec!["192.0.2.7".parse().unwrap(), "2001:db8::7".parse().unwrap()],
        );
        let query = fetch_query_string(&request);
        assert_eq!(query, "domain=example.org&addr=192.0.2.7&addr=2001%3Adb8%3A%3A7");
        assert_eq!(fetch_request_from_query(decode(&query)), Ok(request.clone()));
        assert_eq!(request.url, "https://mta-sts.example.org/.well-known/mta-sts.txt");
    }

    #[test]
    fn hostile_policy_fetch_queries_are_refused() {
        assert_eq!(fetch(&[("addr", "192.0.2.1")]), Err(RequestError::MissingParameter { name: "domain" }));
        assert_eq!(fetch(&[("domain", "example.org")]), Err(RequestError::MissingParameter { name: "addr" }));
        assert_eq!(
            fetch(&[("domain", "example.org"), ("domain", "evil.example"), ("addr", "192.0.2.1")]),
            Err(RequestError::DuplicateParameter { name: "domain" })
        );
        // No URL, path, port or user info can ride in on the domain.
        for hostile in [
            "evil.example/x",
            "evil.example:8443",
            "user@evil.example",
            "evil.example#",
            "evil.example?a=b",
            "evil .example",
            "evil.example\r\nhost: x",
            "",
            ".",
            "a..b",
        ] {
            assert!(
                matches!(fetch(&[("domain", hostile), ("addr", "192.0.2.1")]), Err(RequestError::BadHost { .. })),
                "{hostile:?}"
            );
        }
        for literal in ["127.0.0.1", "[::1]", "::1", "127.1"] {
            assert!(
                matches!(
                    fetch(&[("domain", literal), ("addr", "192.0.2.1")]),
                    Err(RequestError::LiteralAddress { .. })
                ),
                "{literal:?}"
            );
        }
        // mta-sts.<domain> must be a host name too.
        let long = format!("{}.{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assert!(matches!(fetch(&[("domain", &long), ("addr", "192.0.2.1")]), Err(RequestError::BadHost { .. })));
        for bad in ["mta-sts.example.org", "192.0.2.1:443", "0x7f.1", "", "fe80::1%eth0"] {
            assert!(
                matches!(fetch(&[("domain", "example.org"), ("addr", bad)]), Err(RequestError::BadAddress { .. })),
                "{bad:?}"
            );
        }
        let many: Vec<(&str, String)> = std::iter::once(("domain", "example.org".to_owned()))
            .chain((0..17).map(|i| ("addr", format!("192.0.2.{i}"))))
            .collect();
        assert!(matches!(
            fetch_request_from_query(many.iter().map(|(k, v)| (*k, v.as_str()))),
            Err(RequestError::BadAddress { .. })
        ));
        // The caller cannot choose the URL, the size limit or the timeout.
        let chosen = fetch(&[
            ("domain", "example.org"),
            ("addr", "192.0.2.1"),
            ("url", "http://169.254.169.254/"),
            ("host", "evil.example"),
            ("max_bytes", "999999999"),
            ("timeout_ms", "999999999"),
        ]);
        assert_eq!(chosen, Ok(FetchRequest::for_domain("example.org", vec!["192.0.2.1".parse().unwrap()])));
    }

    #[test]
    fn fetch_results_round_trip_through_their_json() {
        use crate::mailpolicy::{FetchFailure, FetchResult};
        // No text (the third): read back as the bytes that came, not as U+FFFD.
        let results = crate::mailpolicy::fetch::tests::sample_results();
        for result in results {
            let json = serde_json::to_string(&result).unwrap();
            let back: Answer<FetchResult> = read_answer(200, None, &json);
            assert_eq!(back, Answer::Ok(result), "{json}");
        }
        for bad in [r#"{"result":"maybe"}"#, r#"{"result":"response"}"#, r#"{"result":"failed"}"#, "[]"] {
            assert!(matches!(read_answer::<FetchResult>(200, None, bad), Answer::Unreadable(_)), "{bad}");
        }
        // A failure kind from a newer edge is kept in words, as "not fetched".
        let newer: Answer<FetchResult> = read_answer(200, None, r#"{"result":"failed","kind":"quic","detail":"d"}"#);
        assert_eq!(newer, Answer::Ok(FetchResult::Failed(FetchFailure::Unavailable { detail: "d".into() })));
    }

    #[test]
    fn edge_errors_and_foreign_answers_mean_not_fetched() {
        let rate = fetch_answer(429, Some("7"), &error_body(&ErrorCode::RateLimited, "too many probes"));
        assert_eq!(
            rate,
            FetchResult::Failed(FetchFailure::Unavailable {
                detail: "the edge answered HTTP 429 (rate_limited): too many probes".into()
            })
        );
        let proxy = fetch_answer(502, None, "<html>Bad Gateway</html>");
        assert!(
            matches!(proxy, FetchResult::Failed(FetchFailure::Unavailable { ref detail }) if detail.contains("502"))
        );
        let huge = fetch_answer(200, None, &"x".repeat(MAX_FETCH_ANSWER + 1));
        assert!(matches!(huge, FetchResult::Failed(FetchFailure::Unavailable { .. })));
        let refused = FetchResult::Failed(FetchFailure::Refused { detail: "127.0.0.1 is loopback".into() });
        assert_eq!(fetch_answer(200, None, &serde_json::to_string(&refused).unwrap()), refused);
    }

    #[test]
    fn errors_read_back_with_their_codes_and_retry_after() {
        let body = error_body(&ErrorCode::RateLimited, "too many probes: try again in 7 s");
        let answer: Answer<serde_json::Value> = read_answer(429, Some(" 7 "), &body);
        assert_eq!(
            answer,
            Answer::Error(ApiError {
                status: 429,
                code: ErrorCode::RateLimited,
                message: "too many probes: try again in 7 s".into(),
                retry_after_s: Some(7)
            })
        );
        let future: Answer<serde_json::Value> =
            read_answer(418, None, r#"{"error":{"code":"new_thing","message":"m"}}"#);
        assert!(matches!(future, Answer::Error(ApiError { code: ErrorCode::Other(ref c), .. }) if c == "new_thing"));
        let extra: Answer<serde_json::Value> =
            read_answer(500, None, r#"{"error":{"message":"m","code":"internal","at":1},"id":"x"}"#);
        assert!(
            matches!(extra, Answer::Error(ApiError { code: ErrorCode::Internal, ref message, .. }) if message == "m")
        );
        for foreign in [
            r#"{"error":{"code":"internal"}}"#,
            r#"{"error":{"code":7,"message":"m"}}"#,
            r#"{"error":{"code":"internal","message":null}}"#,
            r#"{"error":"internal"}"#,
            r#"{"code":"internal","message":"m"}"#,
            r#"["internal","m"]"#,
        ] {
            let read: Answer<serde_json::Value> = read_answer(500, None, foreign);
            assert!(matches!(read, Answer::Unreadable(_)), "{foreign}");
        }
        let proxy: Answer<serde_json::Value> = read_answer(502, None, "<html>Bad Gateway</html>");
        assert!(matches!(proxy, Answer::Unreadable(ref w) if w.contains("HTTP status 502")));
        assert_eq!(retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        for (code, text) in &CODES {
            assert_eq!(ErrorCode::parse(text), *code);
            assert_eq!(code.as_str(), *text);
        }
    }
}
