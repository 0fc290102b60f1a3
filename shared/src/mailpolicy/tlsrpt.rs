//! SMTP TLS Reporting policy records (RFC 8460 §3): the TXT record at
//! `_smtp._tls.<domain>` that tells senders where to send reports of failed
//! TLS (DANE or MTA-STS) deliveries.
//!
//! ```text
//! tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//! tlsrpt-version   = %s"v=TLSRPTv1"
//! tlsrpt-field     = tlsrpt-rua / tlsrpt-extension
//! tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//! tlsrpt-uri       = URI            ; "mailto:" or "https:" (RFC 8460 §3)
//! ```

use serde::Serialize;

use super::txt::{self, Layout};

/// The version tag every TLSRPT record begins with (RFC 8460 §3).
pub const VERSION: &str = "v=TLSRPTv1";

/// What is wrong with the TLSRPT records of a domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsRptError {
    /// More than one record begins with `v=TLSRPTv1` (RFC 8460 §3: then the
    /// domain has no usable TLSRPT policy).
    #[error("expected one TLSRPT record at _smtp._tls, found {count}")]
    Several { count: usize },
    /// Octets outside printable ASCII.
    #[error("expected printable ASCII in the TLSRPT record, found other octets")]
    NotAscii,
    /// The record does not begin with the version.
    #[error("expected the record to begin with v=TLSRPTv1, found {}", crate::quoted::Quoted(.found))]
    Version { found: String },
    /// `;;`, or nothing after the version.
    #[error("expected a field between the delimiters of the TLSRPT record, found an empty one")]
    EmptyField,
    /// A field that is not `name=value` in the ABNF's terms.
    #[error("expected a field name=value in the TLSRPT record, found {}", crate::quoted::Quoted(.found))]
    Field { found: String },
    /// An extension value with spaces, `=` or `;`, or empty.
    #[error("expected a value without spaces, \"=\" or \";\" for {name}, found {}", crate::quoted::Quoted(.value))]
    Value { name: String, value: String },
    /// No `rua=` field (RFC 8460 §3: it is required).
    #[error("expected a rua= field naming where to send reports, found none")]
    MissingRua,
    /// A report URI that is neither `mailto:` nor `https:`, or malformed.
    #[error("expected a mailto: or https: URI in rua=, found {}", crate::quoted::Quoted(.found))]
    Uri { found: String },
}

impl From<Layout> for TlsRptError {
    fn from(l: Layout) -> Self {
        match l {
            Layout::NotAscii => Self::NotAscii,
            Layout::Version(found) => Self::Version { found },
            Layout::EmptyField => Self::EmptyField,
            Layout::Field(found) => Self::Field { found },
            Layout::Value { name, value } => Self::Value { name, value },
        }
    }
}

/// Where reports go (RFC 8460 §3, `rua`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "scheme", content = "uri", rename_all = "snake_case")]
pub enum ReportUri {
    /// Reports by mail (RFC 8460 §5.3).
    Mailto(String),
    /// Reports by HTTPS POST (RFC 8460 §5.4).
    Https(String),
}

impl ReportUri {
    /// The URI as published.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Mailto(u) | Self::Https(u) => u,
        }
    }

    fn parse(uri: &str) -> Result<Self, TlsRptError> {
        let bad = || TlsRptError::Uri { found: uri.to_owned() };
        // RFC 3986 §2: unreserved, reserved (without the record's own "," and ";") and "%".
        let uri_chars = uri.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+=%".contains(&b));
        if uri.is_empty() || !uri_chars {
            return Err(bad());
        }
        let (scheme, rest) = uri.split_once(':').ok_or_else(bad)?;
        // RFC 3986 §3.1: schemes are case-insensitive.
        if scheme.eq_ignore_ascii_case("mailto") {
            // RFC 6068 §2: mailto:local@domain, optionally ?headers.
            let to = rest.split('?').next().unwrap_or_default();
            let well_formed = to.split(',').count() == 1
                && to.rsplit_once('@').is_some_and(|(local, domain)| !local.is_empty() && is_host(domain));
            return if well_formed { Ok(Self::Mailto(uri.to_owned())) } else { Err(bad()) };
        }
        if scheme.eq_ignore_ascii_case("https") {
            let authority = rest.strip_prefix("//").ok_or_else(bad)?;
            let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let ok = if let Some(v6) = host.strip_prefix('[') {
                // An IP literal (RFC 3986 §3.2.2), optionally with a port.
                v6.split_once(']').is_some_and(|(inside, after)| {
                    !inside.is_empty() && (after.is_empty() || is_port(after.strip_prefix(':').unwrap_or("x")))
                })
            } else {
                match host.rsplit_once(':') {
                    Some((h, port)) => is_port(port) && is_host(h),
                    None => is_host(host),
                }
            };
            return if ok { Ok(Self::Https(uri.to_owned())) } else { Err(bad()) };
        }
        Err(bad())
    }
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// A DNS host name (letters, digits, hyphens; dot-separated labels of 1 to
/// 63 characters; a trailing dot allowed).
pub(crate) fn is_host(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A domain's TLSRPT policy (RFC 8460 §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TlsRpt {
    /// Where senders send reports, in the published order.
    pub rua: Vec<ReportUri>,
    /// Fields this version does not define, kept as published (RFC 8460 §3:
    /// unknown fields are ignored).
    pub extensions: Vec<(String, String)>,
}

impl TlsRpt {
    /// Parses one record (its strings already concatenated).
    ///
    /// # Errors
    /// The record is not in the syntax of RFC 8460 §3.
    pub fn parse(record: &[u8]) -> Result<Self, TlsRptError> {
        let fields = txt::fields(record, VERSION, &["rua"])?;
        // RFC 8460 §3: a record may declare more than one rua, in one
        // field (comma-separated) or several; senders report to each.
        let rua = fields
            .iter()
            .filter(|(n, _)| *n == "rua")
            .flat_map(|(_, v)| v.split(','))
            .map(|u| ReportUri::parse(u.trim_matches([' ', '\t'])))
            .collect::<Result<Vec<_>, _>>()?;
        if rua.is_empty() {
            return Err(TlsRptError::MissingRua);
        }
        let extensions =
            fields.iter().filter(|(n, _)| *n != "rua").map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        Ok(Self { rua, extensions })
    }

    /// The domain's policy from every TXT record at `_smtp._tls.<domain>`
    /// (each a list of strings): records that do not begin with
    /// `v=TLSRPTv1` are discarded; none left is `Ok(None)`; more than one is
    /// an error (RFC 8460 §3).
    ///
    /// # Errors
    /// Several TLSRPT records, or the one record is malformed.
    pub fn select(records: &[Vec<Vec<u8>>]) -> Result<Option<Self>, TlsRptError> {
        let ours: Vec<Vec<u8>> =
            records.iter().map(|r| txt::concatenate(r)).filter(|r| txt::begins_with(r, VERSION)).collect();
        match ours.as_slice() {
            [] => Ok(None),
            [one] => Self::parse(one).map(Some),
            more => Err(TlsRptError::Several { count: more.len() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<TlsRpt, TlsRptError> {
        TlsRpt::parse(s.as_bytes())
    }

    #[test]
    fn good_records_parse() {
        let r = parse("v=TLSRPTv1; rua=mailto:tlsrpt@example.com").unwrap();
        assert_eq!(r.rua, vec![ReportUri::Mailto("mailto:tlsrpt@example.com".into())]);
        let r = parse("v=TLSRPTv1;rua=mailto:a@example.com , https://r.example.com/v1;").unwrap();
        assert_eq!(r.rua.len(), 2);
        assert_eq!(r.rua[1], ReportUri::Https("https://r.example.com/v1".into()));
        let r = parse("v=TLSRPTv1; rua=https://a.example/;rua=mailto:a@b.example").unwrap();
        assert_eq!(r.rua.len(), 2);
        let r = parse("v=TLSRPTv1 ; rua=https://r.example.com:8443/x; ext.1=v").unwrap();
        assert_eq!(r.extensions, vec![("ext.1".to_owned(), "v".to_owned())]);
    }

    #[test]
    fn bad_records_say_what_was_expected() {
        let err = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(
            err("v=TLSRPTv1"),
            "expected a field between the delimiters of the TLSRPT record, found an empty one"
        );
        assert_eq!(
            err("v=TLSRPTv1;"),
            "expected a field between the delimiters of the TLSRPT record, found an empty one"
        );
        assert_eq!(err("v=TLSRPTv1; x=1"), "expected a rua= field naming where to send reports, found none");
        assert_eq!(
            err("v=TLSRPTv1; rua=ftp://a.example"),
            "expected a mailto: or https: URI in rua=, found \"ftp://a.example\""
        );
        assert_eq!(
            err("v=TLSRPTv1; rua=mailto:nobody"),
            "expected a mailto: or https: URI in rua=, found \"mailto:nobody\""
        );
        assert_eq!(
            err("v=TLSRPTv1; rua=http://a.example/"),
            "expected a mailto: or https: URI in rua=, found \"http://a.example/\""
        );
        assert_eq!(
            err("v=TLSRPTv1;; rua=mailto:a@b.example"),
            "expected a field between the delimiters of the TLSRPT record, found an empty one"
        );
        assert_eq!(
            err("v=TLSRPTv1; rua = mailto:a@b.example"),
            "expected a field name=value in the TLSRPT record, found \"rua = mailto:a@b.example\""
        );
        assert_eq!(
            err("v=TLSRPTv2; rua=mailto:a@b.example"),
            "expected the record to begin with v=TLSRPTv1, found \"v=TLSRPTv2\""
        );
        assert_eq!(
            err("v=TLSRPTv1; rua=mailto:a@b.example; x=a b"),
            "expected a value without spaces, \"=\" or \";\" for x, found \"a b\""
        );
        assert_eq!(
            err("v=TLSRPTv1; rua=mailto:\u{e4}@b.example"),
            "expected printable ASCII in the TLSRPT record, found other octets"
        );
        assert_eq!(
            err("v=TLSRPTv1; rua=mailto:a@b.example "),
            "expected a field name=value in the TLSRPT record, found \"rua=mailto:a@b.example\""
        );
    }

    #[test]
    fn select_discards_other_txt_and_joins_strings() {
        let rec = |parts: &[&str]| parts.iter().map(|p| p.as_bytes().to_vec()).collect::<Vec<_>>();
        let spf = rec(&["v=spf1 -all"]);
        let split = rec(&["v=TLSRPTv1; rua=mai", "lto:r@example.com"]);
        let got = TlsRpt::select(&[spf.clone(), split.clone()]).unwrap().unwrap();
        assert_eq!(got.rua, vec![ReportUri::Mailto("mailto:r@example.com".into())]);
        assert_eq!(TlsRpt::select(std::slice::from_ref(&spf)), Ok(None));
        assert_eq!(TlsRpt::select(&[]), Ok(None));
        assert_eq!(TlsRpt::select(&[split.clone(), split]), Err(TlsRptError::Several { count: 2 }));
        // "v=TLSRPTv10" is another version, not ours.
        assert_eq!(TlsRpt::select(&[rec(&["v=TLSRPTv10; rua=mailto:a@b.example"])]), Ok(None));
    }
}
