//! The one error type of the edge: every handler returns it, and it is turned
//! into an HTTP status and a JSON body in one place ([`EdgeError::status`],
//! [`EdgeError::to_json`]). Its codes are the API's (`geleit::api::ErrorCode`)
//! and its body is the API's (`geleit::api::error_body`), so the edge and its
//! clients share one contract. Messages say what was expected and what was
//! found, and never carry internals (upstream URLs, JS exceptions,
//! configuration values): those go to the operator's log only.

use geleit::api::{self, ErrorCode, RequestError};
use geleit::check::ResolverFailure;
use thiserror::Error;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EdgeError {
    /// A query the API refuses before anything is looked up or connected
    /// to (a missing or repeated parameter, a bad host name, port or
    /// address): `geleit::api`'s own checks and words.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// `/api/check`: not a mail domain (or `[host]`) name (RFC 1123 §2.1,
    /// after IDNA conversion of U-labels).
    #[error("expected a mail domain name, found \"{found}\": {reason}")]
    BadDomain { found: String, reason: String },
    /// `/api/check`: the DoH upstream still failed a query after the core's
    /// retries (not a DNSSEC verdict: nothing is known about the domain).
    #[error("{0}")]
    DnsUnreachable(Box<ResolverFailure>),
    /// `/api/check`: the request's time budget ran out before the verdict.
    #[error("expected the check to finish within {budget_ms} ms, found its time budget spent {stage}")]
    BudgetExceeded { budget_ms: u64, stage: &'static str },
    /// Every address of the host is refused by the SSRF policy.
    #[error("refused: {reason}")]
    TargetRefused { reason: String },
    /// The name has no A or AAAA records.
    #[error("expected A or AAAA records for {host}, found {found}")]
    HostNotFound { host: String, found: &'static str },
    /// The resolver answered with an error (SERVFAIL also means a DNSSEC
    /// validation failure at a validating resolver, RFC 4035 §5.5).
    #[error("expected the resolver to answer for {host}, found {rcode}")]
    ResolutionFailed { host: String, rcode: String },
    /// The DoH upstream failed or answered something that is not DNS.
    #[error("expected an answer from the DNS upstream, found {found}")]
    Upstream { found: &'static str },
    /// A DoH request that is not one DNS query (RFC 8484 §4.1, §6).
    #[error("expected a DNS query message, found {found}")]
    BadDnsQuery { found: String },
    #[error("expected a body of at most {limit} octets, found more")]
    PayloadTooLarge { limit: usize },
    #[error("expected content type {expected}, found \"{found}\"")]
    UnsupportedMediaType { expected: &'static str, found: String },
    #[error("expected one of the methods {allowed}, found {found}")]
    MethodNotAllowed { allowed: &'static str, found: String },
    #[error("expected /api/check, /api/probe, /api/sts-policy or /dns-query, found another path")]
    NotFound,
    #[error("too many probes: try again in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    /// The operator's configuration is unusable (details in the log).
    #[error("the edge is misconfigured")]
    Misconfigured,
    /// Anything else (details in the log, never in the response).
    #[error("internal error")]
    Internal,
}

impl EdgeError {
    /// A request without the query parameter `name`.
    #[must_use]
    pub fn missing(name: &'static str) -> Self {
        Self::Request(RequestError::MissingParameter { name })
    }

    /// A request with the query parameter `name` more than once.
    #[must_use]
    pub fn duplicate(name: &'static str) -> Self {
        Self::Request(RequestError::DuplicateParameter { name })
    }

    /// The HTTP status code (RFC 9110 §15).
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::Request(_) | Self::BadDomain { .. } | Self::BadDnsQuery { .. } => 400,
            Self::TargetRefused { .. } => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::PayloadTooLarge { .. } => 413,
            Self::UnsupportedMediaType { .. } => 415,
            Self::HostNotFound { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Misconfigured | Self::Internal => 500,
            Self::ResolutionFailed { .. } | Self::Upstream { .. } | Self::DnsUnreachable(_) => 502,
            Self::BudgetExceeded { .. } => 504,
        }
    }

    /// The stable machine-readable code (part of the API).
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Request(e) => e.code(),
            Self::BadDomain { .. } => ErrorCode::BadDomain,
            Self::DnsUnreachable(_) => ErrorCode::DnsUnreachable,
            Self::BudgetExceeded { .. } => ErrorCode::BudgetExceeded,
            Self::TargetRefused { .. } => ErrorCode::TargetRefused,
            Self::HostNotFound { .. } => ErrorCode::HostNotFound,
            Self::ResolutionFailed { .. } => ErrorCode::ResolutionFailed,
            Self::Upstream { .. } => ErrorCode::UpstreamFailed,
            Self::BadDnsQuery { .. } => ErrorCode::BadDnsQuery,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType { .. } => ErrorCode::UnsupportedMediaType,
            Self::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            Self::NotFound => ErrorCode::NotFound,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Misconfigured => ErrorCode::Misconfigured,
            Self::Internal => ErrorCode::Internal,
        }
    }

    /// Seconds for a `Retry-After` header (RFC 9110 §10.2.3), if any.
    #[must_use]
    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_s } => Some(*retry_after_s),
            _ => None,
        }
    }

    /// The body: `{"error": {"code": ..., "message": ...}}` (`api::error_body`).
    #[must_use]
    pub fn to_json(&self) -> String {
        api::error_body(&self.code(), &self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_and_status() {
        let e = EdgeError::from(RequestError::BadPort { found: "80".into() });
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.to_json(),
            r#"{"error":{"code":"bad_port","message":"expected port 25, 465 or 587, found \"80\""}}"#
        );
        let e = EdgeError::RateLimited { retry_after_s: 7 };
        assert_eq!((e.status(), e.retry_after_s()), (429, Some(7)));
        // Clients read the body back with the API's own reader.
        let read: api::Answer<serde_json::Value> = api::read_answer(e.status(), Some("7"), &e.to_json());
        assert!(
            matches!(read, api::Answer::Error(a) if a.code == ErrorCode::RateLimited && a.retry_after_s == Some(7))
        );
    }

    #[test]
    fn internal_errors_say_nothing_more() {
        assert_eq!(EdgeError::Internal.to_json(), r#"{"error":{"code":"internal","message":"internal error"}}"#);
        assert_eq!(EdgeError::Misconfigured.status(), 500);
        assert_eq!(
            EdgeError::Upstream { found: "no answer" }.to_string(),
            "expected an answer from the DNS upstream, found no answer"
        );
    }
}
