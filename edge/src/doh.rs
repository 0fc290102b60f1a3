//! `GET/POST /dns-query`: the DoH proxy's request and response rules
//! (RFC 8484). The browser validates DNSSEC itself, so the proxy needs no
//! trust; it only forwards one checked query to the configured upstream and
//! says how long the answer may be cached.

use data_encoding::BASE64URL_NOPAD;

use crate::dns::{DnsError, DohQuery, MAX_QUERY_OCTETS};
use crate::error::EdgeError;

/// RFC 8484 §6: the media type of DNS messages over HTTP.
pub const CONTENT_TYPE: &str = "application/dns-message";

fn bad(e: DnsError) -> EdgeError {
    match e {
        DnsError::TooLarge { limit, .. } => EdgeError::PayloadTooLarge { limit },
        other => EdgeError::BadDnsQuery { found: other.to_string() },
    }
}

/// RFC 8484 §4.1: `GET ?dns=<base64url without padding>`.
pub fn query_from_get<I, K, V>(pairs: I) -> Result<DohQuery, EdgeError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut dns = None;
    for (key, value) in pairs {
        if key.as_ref() == "dns" {
            if dns.is_some() {
                return Err(EdgeError::duplicate("dns"));
            }
            dns = Some(value.as_ref().to_owned());
        }
    }
    let dns = dns.ok_or(EdgeError::missing("dns"))?;
    // base64 grows 3 octets to 4 characters.
    if dns.len() > MAX_QUERY_OCTETS.div_ceil(3) * 4 {
        return Err(EdgeError::PayloadTooLarge { limit: MAX_QUERY_OCTETS });
    }
    let wire = BASE64URL_NOPAD
        .decode(dns.trim_end_matches('=').as_bytes())
        .map_err(|_| EdgeError::BadDnsQuery { found: "a dns parameter that is not base64url".to_owned() })?;
    DohQuery::parse(&wire).map_err(bad)
}

/// RFC 8484 §4.1: `POST` with the query as the body, of type
/// `application/dns-message`. `declared_length` is the Content-Length, when
/// sent, checked before the body is read.
pub fn check_post_headers(content_type: Option<&str>, declared_length: Option<&str>) -> Result<(), EdgeError> {
    let media = content_type.and_then(|c| c.split(';').next()).map(|c| c.trim().to_ascii_lowercase());
    if media.as_deref() != Some(CONTENT_TYPE) {
        return Err(EdgeError::UnsupportedMediaType {
            expected: CONTENT_TYPE,
            found: geleit::smtp::sanitize(content_type.unwrap_or("none").as_bytes(), 80),
        });
    }
    if let Some(length) = declared_length {
        match length.trim().parse::<usize>() {
            Ok(n) if n <= MAX_QUERY_OCTETS => {}
            _ => {
                return Err(EdgeError::PayloadTooLarge { limit: MAX_QUERY_OCTETS });
            }
        }
    }
    Ok(())
}

/// The query in a POST body (after [`check_post_headers`]).
pub fn query_from_post(body: &[u8]) -> Result<DohQuery, EdgeError> {
    DohQuery::parse(body).map_err(bad)
}

/// The upstream URL for a query by GET (cacheable by URL, RFC 8484 §5.1).
#[must_use]
pub fn upstream_get_url(upstream: &str, query: &DohQuery) -> String {
    format!("{upstream}?dns={}", BASE64URL_NOPAD.encode(&query.wire))
}

/// The `Cache-Control` of an answer: `max-age` of its smallest TTL
/// (RFC 8484 §5.1), or `no-store` when it must not be cached.
#[must_use]
pub fn cache_control(ttl: Option<u32>) -> String {
    match ttl {
        Some(s) if s > 0 => format!("max-age={s}"),
        _ => "no-store".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{AddressType, address_query, set_id};

    #[test]
    fn get_round_trip() {
        let mut wire = address_query("mx.example", AddressType::A).unwrap();
        set_id(&mut wire, 0x1234);
        let encoded = BASE64URL_NOPAD.encode(&wire);
        let q = query_from_get([("ct", ""), ("dns", encoded.as_str())]).unwrap();
        assert_eq!(q.id, 0x1234);
        let url = upstream_get_url("https://doh.example/dns-query", &q);
        // The upstream sees ID 0, so equal questions share a cache entry.
        let mut zero = wire.clone();
        set_id(&mut zero, 0);
        assert_eq!(url, format!("https://doh.example/dns-query?dns={}", BASE64URL_NOPAD.encode(&zero)));
    }

    #[test]
    fn get_errors() {
        assert_eq!(query_from_get(Vec::<(&str, &str)>::new()).unwrap_err(), EdgeError::missing("dns"));
        assert_eq!(query_from_get([("dns", "!!")]).unwrap_err().code().as_str(), "bad_dns_query");
        assert_eq!(query_from_get([("dns", "AAAA")]).unwrap_err().code().as_str(), "bad_dns_query");
        let long = "A".repeat(6000);
        assert_eq!(query_from_get([("dns", long.as_str())]).unwrap_err().status(), 413);
    }

    #[test]
    fn post_rules() {
        assert_eq!(check_post_headers(Some("application/dns-message"), Some("33")), Ok(()));
        assert_eq!(check_post_headers(Some("Application/DNS-Message; x=1"), None), Ok(()));
        assert_eq!(
            check_post_headers(Some("text/plain"), None).unwrap_err().to_string(),
            "expected content type application/dns-message, found \"text/plain\""
        );
        assert_eq!(check_post_headers(None, None).unwrap_err().status(), 415);
        assert_eq!(check_post_headers(Some(CONTENT_TYPE), Some("5000")).unwrap_err().status(), 413);
        let wire = address_query("mx.example", AddressType::Aaaa).unwrap();
        assert_eq!(query_from_post(&wire).unwrap().wire, wire);
        assert_eq!(query_from_post(&[0u8; 5000]).unwrap_err().status(), 413);
    }

    #[test]
    fn cache_control_values() {
        assert_eq!(cache_control(Some(300)), "max-age=300");
        assert_eq!(cache_control(Some(0)), "no-store");
        assert_eq!(cache_control(None), "no-store");
    }
}
