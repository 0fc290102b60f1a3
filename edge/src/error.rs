//! The one error type of the edge: every handler returns it, and it is turned
//! into an HTTP status and a JSON body in one place ([`EdgeError::status`],
//! [`ErrorBody`]). Messages say what was expected and what was found, and
//! never carry internals (upstream URLs, JS exceptions, configuration values):
//! those go to the operator's log only.

use serde::Serialize;
use thiserror::Error;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EdgeError {
    #[error("expected a query parameter {name:?}, found none")]
    MissingParameter { name: &'static str },
    #[error("expected the query parameter {name:?} once, found it more than once")]
    DuplicateParameter { name: &'static str },
    /// The host is not a DNS host name (RFC 1123 §2.1).
    #[error("expected a mail server host name, found \"{found}\": {reason}")]
    BadHost { found: String, reason: &'static str },
    /// `found` fields hold sanitised text (`geleit::smtp::sanitize`).
    /// A literal IP address: the edge resolves names itself, so that it
    /// never connects where DNS did not point (and an address cannot be
    /// smuggled past the policy).
    #[error("expected a host name, found the IP address \"{found}\"; the edge probes names only")]
    LiteralAddress { found: String },
    #[error("expected port 25, 465 or 587, found \"{found}\"")]
    BadPort { found: String },
    /// `/api/check`: not a mail domain (or `[host]`) name (RFC 1123 §2.1,
    /// after IDNA conversion of U-labels).
    #[error("expected a mail domain name, found \"{found}\": {reason}")]
    BadDomain { found: String, reason: String },
    /// `/api/check`: the DoH upstream answered none of the first round's
    /// queries (not a DNSSEC verdict: nothing could be asked).
    #[error("expected the DNS upstream to answer the check's queries, found {found}")]
    DnsUnreachable { found: String },
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
    #[error("expected /api/check, /api/probe or /dns-query, found another path")]
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
    /// The HTTP status code (RFC 9110 §15).
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::MissingParameter { .. }
            | Self::DuplicateParameter { .. }
            | Self::BadHost { .. }
            | Self::LiteralAddress { .. }
            | Self::BadPort { .. }
            | Self::BadDomain { .. }
            | Self::BadDnsQuery { .. } => 400,
            Self::TargetRefused { .. } => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::PayloadTooLarge { .. } => 413,
            Self::UnsupportedMediaType { .. } => 415,
            Self::HostNotFound { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Misconfigured | Self::Internal => 500,
            Self::ResolutionFailed { .. } | Self::Upstream { .. } | Self::DnsUnreachable { .. } => 502,
            Self::BudgetExceeded { .. } => 504,
        }
    }

    /// A stable machine-readable code (part of the API).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingParameter { .. } => "missing_parameter",
            Self::DuplicateParameter { .. } => "duplicate_parameter",
            Self::BadHost { .. } => "bad_host",
            Self::LiteralAddress { .. } => "literal_address",
            Self::BadPort { .. } => "bad_port",
            Self::BadDomain { .. } => "bad_domain",
            Self::DnsUnreachable { .. } => "dns_unreachable",
            Self::BudgetExceeded { .. } => "budget_exceeded",
            Self::TargetRefused { .. } => "target_refused",
            Self::HostNotFound { .. } => "host_not_found",
            Self::ResolutionFailed { .. } => "resolution_failed",
            Self::Upstream { .. } => "upstream_failed",
            Self::BadDnsQuery { .. } => "bad_dns_query",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::NotFound => "not_found",
            Self::RateLimited { .. } => "rate_limited",
            Self::Misconfigured => "misconfigured",
            Self::Internal => "internal",
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

    /// The JSON body: `{"error": {"code": ..., "message": ...}}`.
    #[must_use]
    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string() } }
    }

    /// The body as JSON text.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serialising two strings cannot fail; keep a fixed fallback anyway.
        serde_json::to_string(&self.body())
            .unwrap_or_else(|_| r#"{"error":{"code":"internal","message":"internal error"}}"#.to_owned())
    }
}

/// The JSON shape of an error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_and_status() {
        let e = EdgeError::BadPort { found: "80".into() };
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.to_json(),
            r#"{"error":{"code":"bad_port","message":"expected port 25, 465 or 587, found \"80\""}}"#
        );
        let e = EdgeError::RateLimited { retry_after_s: 7 };
        assert_eq!((e.status(), e.retry_after_s()), (429, Some(7)));
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
