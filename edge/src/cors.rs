//! CORS (the Fetch standard's CORS protocol): which origins may call the edge
//! from a browser, and the headers for answers and preflights.

/// Which origins may embed the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsPolicy {
    /// Any origin (`Access-Control-Allow-Origin: *`). Fine here: the edge
    /// uses no cookies or credentials.
    Any,
    /// Exactly these origins (scheme://host[:port], compared exactly).
    List(Vec<String>),
}

/// Methods the edge answers.
pub const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
/// Request headers a browser may send (DoH POST needs `content-type`).
pub const ALLOW_HEADERS: &str = "content-type, accept";
/// Response headers a page on another origin may read.
pub const EXPOSE_HEADERS: &str = "retry-after";
/// How long a browser may cache a preflight answer, seconds.
pub const MAX_AGE_S: u32 = 86_400;

impl CorsPolicy {
    /// `*`, or a comma-separated list of origins.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let origins: Vec<String> =
            text.split(',').map(|s| s.trim().trim_end_matches('/').to_owned()).filter(|s| !s.is_empty()).collect();
        if origins.is_empty() || origins.iter().any(|o| o == "*") { Self::Any } else { Self::List(origins) }
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`,
    /// or `None` when that origin is not allowed (no header at all).
    #[must_use]
    pub fn allow_origin(&self, origin: Option<&str>) -> Option<String> {
        match self {
            Self::Any => Some("*".to_owned()),
            Self::List(list) => {
                let origin = origin?;
                list.iter().any(|o| o == origin).then(|| origin.to_owned())
            }
        }
    }

    /// Headers for an answer to `origin` (a preflight adds methods, headers
    /// and max-age).
    #[must_use]
    pub fn headers(&self, origin: Option<&str>, preflight: bool) -> Vec<(&'static str, String)> {
        let Some(allow) = self.allow_origin(origin) else {
            return Vec::new();
        };
        let mut headers = vec![("access-control-allow-origin", allow)];
        if matches!(self, Self::List(_)) {
            // The answer differs by Origin: caches must key on it.
            headers.push(("vary", "Origin".to_owned()));
        }
        if !preflight {
            // Rate-limited answers say when to try again (RFC 9110 §10.2.3); Retry-After is no
            // CORS-safelisted response header, so a page on another origin (the widget) reads it
            // only when exposed.
            headers.push(("access-control-expose-headers", EXPOSE_HEADERS.to_owned()));
        }
        if preflight {
            headers.push(("access-control-allow-methods", ALLOW_METHODS.to_owned()));
            headers.push(("access-control-allow-headers", ALLOW_HEADERS.to_owned()));
            headers.push(("access-control-max-age", MAX_AGE_S.to_string()));
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_origin() {
        let p = CorsPolicy::parse(" * ");
        assert_eq!(p, CorsPolicy::Any);
        assert_eq!(
            p.headers(None, false),
            vec![
                ("access-control-allow-origin", "*".to_owned()),
                ("access-control-expose-headers", "retry-after".to_owned())
            ]
        );
        assert_eq!(p.headers(Some("https://a.example"), true).len(), 4);
    }

    #[test]
    fn listed_origins_only() {
        let p = CorsPolicy::parse("https://a.example/, https://b.example:8443");
        assert_eq!(p.allow_origin(Some("https://b.example:8443")).as_deref(), Some("https://b.example:8443"));
        assert_eq!(p.allow_origin(Some("https://a.example")).as_deref(), Some("https://a.example"));
        assert_eq!(p.allow_origin(Some("https://evil.example")), None);
        assert_eq!(p.allow_origin(None), None);
        assert!(p.headers(Some("https://evil.example"), true).is_empty());
        assert!(p.headers(Some("https://a.example"), false).contains(&("vary", "Origin".to_owned())));
    }
}
