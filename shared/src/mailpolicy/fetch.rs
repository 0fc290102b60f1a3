//! The MTA-STS policy fetch as a step of the check (RFC 8461 §3.3): the
//! check hands out a [`FetchRequest`] the way it hands out probe targets,
//! a driver does the HTTPS GET, and hands back a [`FetchResult`]. What the
//! result means is decided in [`super::assess`], never in a driver.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::sts::MAX_POLICY_BYTES;

/// How long a driver waits for the whole fetch (connect, TLS, response).
/// RFC 8461 §3.3 suggests senders allow a minute; a check has its own
/// budget, and a policy host slower than this is reported as such.
pub const FETCH_TIMEOUT_MS: u32 = 10_000;

/// The HTTPS GET a driver is to make.
///
/// Rules for every driver (RFC 8461 §3.3): validate the server's
/// certificate with PKIX for `host` (no DANE, no self-signed exception);
/// connect only to `addresses`; follow no redirect (hand back the 3xx as it is); stop reading after
/// `max_bytes` bytes ([`FetchFailure::TooLarge`]); give up after
/// `timeout_ms`; refuse private, loopback and link-local addresses as the
/// probe does ([`FetchFailure::Refused`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchRequest {
    /// The policy domain (the mail domain).
    pub domain: String,
    /// `mta-sts.<domain>`, the policy host (RFC 8461 §3.3).
    pub host: String,
    /// `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
    pub url: String,
    /// The policy host's addresses, validated by the check's DNSSEC engine
    /// (secure or insecure RRsets only): connect to these, not to what
    /// another resolver says.
    pub addresses: Vec<IpAddr>,
    pub max_bytes: usize,
    pub timeout_ms: u32,
}

impl FetchRequest {
    /// The request for the policy of `domain` (trailing dot or not), to be
    /// fetched from `addresses`.
    #[must_use]
    pub fn for_domain(domain: &str, addresses: Vec<IpAddr>) -> Self {
        let domain = domain.strip_suffix('.').unwrap_or(domain).to_ascii_lowercase();
        let host = format!("mta-sts.{domain}");
        Self {
            url: format!("https://{host}/.well-known/mta-sts.txt"),
            domain,
            host,
            addresses,
            max_bytes: MAX_POLICY_BYTES,
            timeout_ms: FETCH_TIMEOUT_MS,
        }
    }
}

/// Why there is no HTTP response to judge (read back through [`FailureWire`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FetchFailure {
    /// The policy host's name does not resolve.
    #[error("expected addresses for the policy host, found none: {detail}")]
    Dns { detail: String },
    /// No TCP connection.
    #[error("expected a connection to the policy host on port 443, found {detail}")]
    Connect { detail: String },
    /// The TLS handshake failed (other than the certificate).
    #[error("expected a TLS handshake with the policy host, found {detail}")]
    Tls { detail: String },
    /// The certificate does not validate with PKIX for the policy host.
    #[error("expected a certificate valid for the policy host (PKIX), found {detail}")]
    Certificate { detail: String },
    /// The body is larger than the limit.
    #[error("expected a policy of at most {limit} bytes, found more")]
    TooLarge { limit: usize },
    /// No complete response in time.
    #[error("expected a response within {after_ms} ms, found none")]
    Timeout { after_ms: u32 },
    /// The driver's policy refused the address (private, loopback, …).
    #[error("expected a public address for the policy host, found {detail} (not fetched)")]
    Refused { detail: String },
    /// Not an HTTP response.
    #[error("expected an HTTP response, found {detail}")]
    Http { detail: String },
    /// This face cannot fetch (a browser without the edge).
    #[error("expected a policy fetch, found none: {detail}")]
    Unavailable { detail: String },
}

/// [`FetchFailure`] as read back: one flat struct, as small as the widget needs.
#[derive(Deserialize)]
pub(crate) struct FailureWire {
    kind: String,
    detail: Option<String>,
    limit: Option<usize>,
    after_ms: Option<u32>,
}

impl From<FailureWire> for FetchFailure {
    fn from(w: FailureWire) -> Self {
        let detail = w.detail.unwrap_or_default();
        match w.kind.as_str() {
            "dns" => Self::Dns { detail },
            "connect" => Self::Connect { detail },
            "tls" => Self::Tls { detail },
            "certificate" => Self::Certificate { detail },
            "too_large" => Self::TooLarge { limit: w.limit.unwrap_or_default() },
            "timeout" => Self::Timeout { after_ms: w.after_ms.unwrap_or_default() },
            "refused" => Self::Refused { detail },
            "http" => Self::Http { detail },
            // A kind this build does not know (a newer edge): kept in words.
            other => Self::Unavailable { detail: if detail.is_empty() { other.to_owned() } else { detail } },
        }
    }
}

/// What a driver hands back for a [`FetchRequest`]. Its JSON is the body of
/// the edge's `GET /api/sts-policy` (see [`crate::api`]), read back exactly:
/// `{"result":"response","status":200,…,"body":"…"}` or
/// `{"result":"failed","kind":"timeout","after_ms":10000}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case", try_from = "ResultWire")]
pub enum FetchResult {
    /// An HTTP response, as it came (a redirect is a response too).
    Response {
        status: u16,
        content_type: Option<String>,
        /// The `Location` header of a redirect.
        location: Option<String>,
        /// The body, at most `max_bytes`.
        #[serde(serialize_with = "body_text")]
        body: Vec<u8>,
    },
    Failed(FetchFailure),
}

/// The body in JSON: as text when it is UTF-8 (it is, for any policy),
/// else as an array of its bytes, so that a body that is no text reads back
/// as it came (and the policy parser still says it is no text, RFC 8461 §3.2).
fn body_text<S: serde::Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
    match core::str::from_utf8(body) {
        Ok(text) => s.serialize_str(text),
        Err(_) => s.collect_seq(body),
    }
}

/// The body as [`body_text`] writes it.
#[derive(Deserialize)]
#[serde(untagged)]
enum BodyWire {
    Text(String),
    Bytes(Vec<u8>),
}

/// [`FetchResult`] as read back: the tag, the response's fields, or the
/// failure's (flattened, as serde writes an internally tagged newtype).
#[derive(Deserialize)]
struct ResultWire {
    result: String,
    status: Option<u16>,
    content_type: Option<String>,
    location: Option<String>,
    body: Option<BodyWire>,
    #[serde(flatten)]
    failure: Option<FailureWire>,
}

impl TryFrom<ResultWire> for FetchResult {
    type Error = String;

    fn try_from(w: ResultWire) -> Result<Self, String> {
        match w.result.as_str() {
            "response" => Ok(Self::Response {
                status: w.status.ok_or("expected \"status\" in a fetch response, found none")?,
                content_type: w.content_type,
                location: w.location,
                body: match w.body {
                    Some(BodyWire::Text(t)) => t.into_bytes(),
                    Some(BodyWire::Bytes(b)) => b,
                    None => Vec::new(),
                },
            }),
            "failed" => Ok(Self::Failed(w.failure.ok_or("expected \"kind\" in a failed fetch, found none")?.into())),
            other => Err(format!(
                "expected \"response\" or \"failed\" as a fetch result, found \"{}\"",
                crate::smtp::sanitize(other.as_bytes(), 40)
            )),
        }
    }
}

impl FetchResult {
    /// Reads a result from the JSON its `Serialize` writes (the body of the
    /// edge's `GET /api/sts-policy`), as its derived `Deserialize` does, but
    /// from a parsed [`serde_json::Value`]: serde's reader, with its untagged
    /// body and flattened failure, cost the web app's engine module about
    /// 7 KB gzip. The same fields, defaults and refusals (`tests` compares
    /// both on the same texts); only a repeated field, which serde refuses,
    /// counts here once, with its last value. The edge and the CLI keep serde.
    ///
    /// # Errors
    /// Not JSON, or not a fetch result, in words.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("expected JSON, found {e}"))?;
        let Value::Object(map) = &value else {
            return Err("expected a fetch result (a JSON object), found another JSON value".to_owned());
        };
        Self::try_from(ResultWire::from_map(map)?)
    }
}

/// A field that may be absent or `null` (serde's `Option`).
fn present<'a>(map: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    map.get(field).filter(|v| !v.is_null())
}

fn wrong(field: &str, expected: &str) -> String {
    format!("expected {expected} in \"{field}\" of a fetch result, found another JSON value")
}

impl ResultWire {
    fn from_map(map: &Map<String, Value>) -> Result<Self, String> {
        let text = |field: &str| {
            present(map, field)
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| wrong(field, "a string")))
                .transpose()
        };
        Ok(Self {
            result: map.get("result").and_then(Value::as_str).ok_or_else(|| wrong("result", "a string"))?.to_owned(),
            status: present(map, "status")
                .map(|v| {
                    v.as_u64().and_then(|n| u16::try_from(n).ok()).ok_or_else(|| wrong("status", "an HTTP status"))
                })
                .transpose()?,
            content_type: text("content_type")?,
            location: text("location")?,
            body: present(map, "body")
                .map(|v| match v {
                    Value::String(t) => Ok(BodyWire::Text(t.clone())),
                    Value::Array(bytes) => bytes
                        .iter()
                        .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                        .collect::<Option<Vec<u8>>>()
                        .map(BodyWire::Bytes)
                        .ok_or_else(|| wrong("body", "a text or a list of bytes")),
                    _ => Err(wrong("body", "a text or a list of bytes")),
                })
                .transpose()?,
            failure: FailureWire::from_map(map),
        })
    }
}

impl FailureWire {
    /// `None` where it does not fit, as serde reads a flattened `Option`.
    fn from_map(map: &Map<String, Value>) -> Option<Self> {
        // Absent or null: `None`; present but of another type: no failure at all.
        let number = |field: &str| match present(map, field) {
            None => Some(None),
            Some(v) => v.as_u64().map(Some),
        };
        Some(Self {
            kind: map.get("kind")?.as_str()?.to_owned(),
            detail: match present(map, "detail") {
                None => None,
                Some(v) => Some(v.as_str()?.to_owned()),
            },
            limit: number("limit")?.map(usize::try_from).transpose().ok()?,
            after_ms: number("after_ms")?.map(u32::try_from).transpose().ok()?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One result of every kind, for the JSON tests here and in `api`.
    pub(crate) fn sample_results() -> Vec<FetchResult> {
        vec![
            FetchResult::Response {
                status: 200,
                content_type: Some("text/plain".into()),
                location: None,
                body: b"version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n".to_vec(),
            },
            FetchResult::Response {
                status: 301,
                content_type: None,
                location: Some("https://elsewhere.example/".into()),
                body: Vec::new(),
            },
            FetchResult::Response { status: 200, content_type: None, location: None, body: vec![0xff, 0xfe, b'v'] },
            FetchResult::Failed(FetchFailure::Timeout { after_ms: 10_000 }),
            FetchResult::Failed(FetchFailure::TooLarge { limit: 65_536 }),
            FetchResult::Failed(FetchFailure::Dns { detail: "NXDOMAIN".into() }),
            FetchResult::Failed(FetchFailure::Connect { detail: "connection refused".into() }),
            FetchResult::Failed(FetchFailure::Tls { detail: "alert 40".into() }),
            FetchResult::Failed(FetchFailure::Certificate { detail: "unknown issuer".into() }),
            FetchResult::Failed(FetchFailure::Refused { detail: "127.0.0.1 is loopback".into() }),
            FetchResult::Failed(FetchFailure::Http { detail: "no status line".into() }),
            FetchResult::Failed(FetchFailure::Unavailable { detail: "no edge".into() }),
        ]
    }

    #[test]
    fn the_json_reader_reads_what_serde_reads_and_refuses_what_it_refuses() {
        let results = sample_results();
        for result in results {
            let json = serde_json::to_string(&result).unwrap();
            assert_eq!(FetchResult::from_json(&json), Ok(result), "{json}");
        }
        let texts = [
            r#"{"result":"maybe"}"#,
            r#"{"result":"response"}"#,
            r#"{"result":"failed"}"#,
            r#"{"result":1,"status":200}"#,
            r#"{"status":200}"#,
            r#"{}"#,
            "[]",
            "null",
            r#""response""#,
            "not json",
            r#"{"result":"response","status":200} and more"#,
            r#"{"result":"response","status":200}"#,
            r#"{"result":"response","status":null}"#,
            r#"{"result":"response","status":"200"}"#,
            r#"{"result":"response","status":70000}"#,
            r#"{"result":"response","status":200.0}"#,
            r#"{"result":"response","status":-1}"#,
            r#"{"result":"response","status":200,"body":null,"content_type":null,"location":null}"#,
            r#"{"result":"response","status":200,"body":""}"#,
            r#"{"result":"response","status":200,"body":[]}"#,
            r#"{"result":"response","status":200,"body":[0,255]}"#,
            r#"{"result":"response","status":200,"body":[1,256]}"#,
            r#"{"result":"response","status":200,"body":[1,-1]}"#,
            r#"{"result":"response","status":200,"body":[1.0]}"#,
            r#"{"result":"response","status":200,"body":["a"]}"#,
            r#"{"result":"response","status":200,"body":{"text":"a"}}"#,
            r#"{"result":"response","status":200,"body":true}"#,
            r#"{"result":"response","status":200,"content_type":5}"#,
            r#"{"result":"response","status":200,"location":["a"]}"#,
            r#"{"result":"response","status":200,"kind":"dns","extra":{"nested":[1]}}"#,
            r#"{"result":"failed","kind":5}"#,
            r#"{"result":"failed","kind":null}"#,
            r#"{"result":"failed","kind":"timeout"}"#,
            r#"{"result":"failed","kind":"timeout","after_ms":"10"}"#,
            r#"{"result":"failed","kind":"timeout","after_ms":1e4}"#,
            r#"{"result":"failed","kind":"timeout","after_ms":5000000000}"#,
            r#"{"result":"failed","kind":"timeout","after_ms":null}"#,
            r#"{"result":"failed","kind":"too_large","limit":65536}"#,
            r#"{"result":"failed","kind":"too_large","limit":-5}"#,
            r#"{"result":"failed","kind":"dns","detail":["x"]}"#,
            r#"{"result":"failed","kind":"dns","detail":null}"#,
            r#"{"result":"failed","kind":"quic","detail":"d"}"#,
            r#"{"result":"failed","kind":"quic"}"#,
            r#"{"result":"failed","kind":"http","detail":"x","status":200,"body":"b"}"#,
        ];
        let mut read = 0;
        for text in texts {
            let serde = serde_json::from_str::<FetchResult>(text).ok();
            read += usize::from(serde.is_some());
            assert_eq!(FetchResult::from_json(text).ok(), serde, "{text}");
        }
        assert_eq!(read, 13, "both readers refuse the rest");
    }
}
