//! MTA Strict Transport Security (RFC 8461): the TXT record at
//! `_mta-sts.<domain>` (§3.1), the policy file served at
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt` (§3.2, §3.3), and
//! matching MX host names against the policy's `mx` patterns (§4.1).
//!
//! ```text
//! sts-text-record  = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//! sts-version      = %s"v=STSv1"
//! sts-id           = %s"id=" 1*32(ALPHA / DIGIT)
//!
//! sts-policy-record = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
//! sts-policy-term   = LF / CRLF
//! fields: version: STSv1 / mode: enforce|testing|none / max_age: 1*10DIGIT / mx: ["*."] Domain
//! ```

use serde::Serialize;

use super::tlsrpt::is_host;
use super::txt::{self, Layout};

/// The version tag every MTA-STS TXT record begins with (RFC 8461 §3.1).
pub const VERSION: &str = "v=STSv1";

/// The largest policy body read (RFC 8461 §3.3: senders may limit it; 64 KiB
/// is the example the RFC gives, and far above any real policy).
pub const MAX_POLICY_BYTES: usize = 64 * 1024;

/// The largest `max_age` (RFC 8461 §3.2: one year, 31557600 seconds).
pub const MAX_AGE_LIMIT: u64 = 31_557_600;

/// What is wrong with the MTA-STS TXT records of a domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StsError {
    /// More than one record begins with `v=STSv1` (RFC 8461 §3.1: then the
    /// domain has no MTA-STS policy).
    #[error("expected one MTA-STS record at _mta-sts, found {count}")]
    Several { count: usize },
    /// Octets outside printable ASCII.
    #[error("expected printable ASCII in the MTA-STS record, found other octets")]
    NotAscii,
    /// The record does not begin with the version.
    #[error("expected the record to begin with v=STSv1, found {}", crate::quoted::Quoted(.found))]
    Version { found: String },
    /// `;;`, or nothing after the version.
    #[error("expected a field between the delimiters of the MTA-STS record, found an empty one")]
    EmptyField,
    /// A field that is not `name=value` in the ABNF's terms.
    #[error("expected a field name=value in the MTA-STS record, found {}", crate::quoted::Quoted(.found))]
    Field { found: String },
    /// A value with spaces, `=` or `;`, or empty.
    #[error("expected a value without spaces, \"=\" or \";\" for {name}, found {}", crate::quoted::Quoted(.value))]
    Value { name: String, value: String },
    /// No `id=` field (RFC 8461 §3.1: it is required).
    #[error("expected an id= field, found none")]
    MissingId,
    /// An id that is not 1 to 32 letters and digits.
    #[error("expected an id of 1 to 32 letters and digits, found {}", crate::quoted::Quoted(.found))]
    Id { found: String },
}

impl From<Layout> for StsError {
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

/// A domain's MTA-STS TXT record (RFC 8461 §3.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StsRecord {
    /// The policy's id: a change tells senders to fetch the policy again.
    pub id: String,
    /// Fields this version does not define, kept as published.
    pub extensions: Vec<(String, String)>,
    /// `id=` fields after the first, which senders ignore (RFC 8461 §3.2:
    /// of a duplicated field only the first counts).
    pub ignored_ids: Vec<String>,
}

impl StsRecord {
    /// Parses one record (its strings already concatenated).
    ///
    /// # Errors
    /// The record is not in the syntax of RFC 8461 §3.1.
    pub fn parse(record: &[u8]) -> Result<Self, StsError> {
        let fields = txt::fields(record, VERSION, &[])?;
        let ids: Vec<&str> = fields.iter().filter(|(n, _)| *n == "id").map(|(_, v)| *v).collect();
        let (id, ignored) = ids.split_first().ok_or(StsError::MissingId)?;
        if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(StsError::Id { found: (*id).to_owned() });
        }
        let extensions =
            fields.iter().filter(|(n, _)| *n != "id").map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        Ok(Self { id: (*id).to_owned(), extensions, ignored_ids: ignored.iter().map(|s| (*s).to_owned()).collect() })
    }

    /// The domain's record from every TXT record at `_mta-sts.<domain>`
    /// (each a list of strings): records that do not begin with `v=STSv1`
    /// are discarded; none left is `Ok(None)`; more than one is an error
    /// (RFC 8461 §3.1).
    ///
    /// # Errors
    /// Several MTA-STS records, or the one record is malformed.
    pub fn select(records: &[Vec<Vec<u8>>]) -> Result<Option<Self>, StsError> {
        let ours: Vec<Vec<u8>> =
            records.iter().map(|r| txt::concatenate(r)).filter(|r| txt::begins_with(r, VERSION)).collect();
        match ours.as_slice() {
            [] => Ok(None),
            [one] => Self::parse(one).map(Some),
            more => Err(StsError::Several { count: more.len() }),
        }
    }
}

/// What a policy tells senders (RFC 8461 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Deliver only to MX hosts that match a pattern and present a
    /// PKIX-valid certificate over TLS; otherwise do not deliver.
    Enforce,
    /// Deliver anyway, and report failures (TLSRPT, RFC 8460).
    Testing,
    /// No active policy: as if the domain had none.
    None,
}

impl Mode {
    /// The policy file's word.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Testing => "testing",
            Self::None => "none",
        }
    }
}

/// An `mx` pattern (RFC 8461 §3.2, §4.1): a host name, or `*.` and a
/// domain where the `*` stands for exactly one leftmost label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct MxPattern {
    /// The pattern as published.
    pub pattern: String,
}

impl MxPattern {
    /// Whether MX host `host` matches (RFC 8461 §4.1; case-insensitive, a
    /// trailing dot ignored): `*.example.com` matches `mx.example.com` but
    /// neither `example.com` nor `a.b.example.com`.
    #[must_use]
    pub fn matches(&self, host: &str) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        let pattern = self.pattern.strip_suffix('.').unwrap_or(&self.pattern).to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(suffix) => host.split_once('.').is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
            None => host == pattern,
        }
    }

    fn parse(value: &str) -> Option<Self> {
        let domain = value.strip_prefix("*.").unwrap_or(value);
        // RFC 5321 Domain: no trailing dot.
        (is_host(domain) && !domain.ends_with('.')).then(|| Self { pattern: value.to_owned() })
    }
}

/// What is wrong with a policy file (RFC 8461 §3.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The body is larger than [`MAX_POLICY_BYTES`].
    #[error("expected a policy of at most {limit} bytes, found {size}")]
    TooLarge { size: usize, limit: usize },
    /// Not UTF-8 text.
    #[error("expected the policy as UTF-8 text, found other octets")]
    NotText,
    /// A line that is not `key: value`.
    #[error("expected key: value on line {line} of the policy, found {}", crate::quoted::Quoted(.found))]
    Line { line: usize, found: String },
    /// A required field is missing.
    #[error("expected a {field}: line in the policy, found none")]
    Missing { field: &'static str },
    /// `version` other than `STSv1`.
    #[error("expected version: STSv1, found {}", crate::quoted::Quoted(.found))]
    Version { found: String },
    /// `mode` other than the three known.
    #[error("expected mode: enforce, testing or none, found {}", crate::quoted::Quoted(.found))]
    Mode { found: String },
    /// `max_age` not 1 to 10 digits, or above one year.
    #[error("expected max_age in seconds from 0 to 31557600, found {}", crate::quoted::Quoted(.found))]
    MaxAge { found: String },
    /// An `mx` value that is not a host name or `*.` and a domain.
    #[error("expected an mx pattern such as mx.example.com or *.example.com, found {}", crate::quoted::Quoted(.found))]
    Mx { found: String },
    /// No `mx` line in a policy that asks senders to do something.
    #[error("expected at least one mx: line in a policy of mode {mode}, found none")]
    NoMx { mode: &'static str },
}

/// An MTA-STS policy (RFC 8461 §3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Policy {
    pub mode: Mode,
    /// Seconds a sender may cache the policy.
    pub max_age: u64,
    /// The MX patterns, in the published order.
    pub mx: Vec<MxPattern>,
    /// Fields this version does not define, kept as published (§3.2:
    /// unknown fields are ignored).
    pub extensions: Vec<(String, String)>,
    /// Lines of a field that may appear once, after its first (§3.2: senders
    /// ignore them), as (field, line number).
    pub ignored: Vec<(String, usize)>,
}

impl Policy {
    /// Parses a policy body. Lines end in LF or CRLF; empty lines are
    /// skipped (a trailing blank line is common and harmless).
    ///
    /// # Errors
    /// The body is too large, not text, or not in the syntax of RFC 8461 §3.2.
    pub fn parse(body: &[u8]) -> Result<Self, PolicyError> {
        if body.len() > MAX_POLICY_BYTES {
            return Err(PolicyError::TooLarge { size: body.len(), limit: MAX_POLICY_BYTES });
        }
        let text = core::str::from_utf8(body).map_err(|_| PolicyError::NotText)?;
        let mut version: Option<usize> = None;
        let mut mode: Option<(Mode, usize)> = None;
        let mut max_age: Option<(u64, usize)> = None;
        let mut mx = Vec::new();
        let mut extensions = Vec::new();
        let mut ignored = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let line_no = i + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.is_empty() {
                continue;
            }
            let bad = || PolicyError::Line { line: line_no, found: line.chars().take(80).collect() };
            let (key, value) = line.split_once(':').ok_or_else(bad)?;
            // sts-policy-field-delim = ":" *WSP; trailing *WSP ends the field.
            let value = value.trim_matches([' ', '\t']);
            if !txt::is_name(key) || value.is_empty() || value.chars().any(char::is_control) {
                return Err(bad());
            }
            // RFC 8461 §3.2: of a field that may appear once, only the first counts.
            let seen = match key {
                "version" => version.is_some(),
                "mode" => mode.is_some(),
                "max_age" => max_age.is_some(),
                _ => false,
            };
            if seen {
                ignored.push((key.to_owned(), line_no));
                continue;
            }
            match key {
                "version" => {
                    if value != "STSv1" {
                        return Err(PolicyError::Version { found: value.to_owned() });
                    }
                    version = Some(line_no);
                }
                "mode" => {
                    let m = match value {
                        "enforce" => Mode::Enforce,
                        "testing" => Mode::Testing,
                        "none" => Mode::None,
                        other => return Err(PolicyError::Mode { found: other.to_owned() }),
                    };
                    mode = Some((m, line_no));
                }
                "max_age" => {
                    let found = || PolicyError::MaxAge { found: value.to_owned() };
                    if value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(found());
                    }
                    let secs: u64 = value.parse().map_err(|_| found())?;
                    if secs > MAX_AGE_LIMIT {
                        return Err(found());
                    }
                    max_age = Some((secs, line_no));
                }
                "mx" => mx.push(MxPattern::parse(value).ok_or_else(|| PolicyError::Mx { found: value.to_owned() })?),
                other => extensions.push((other.to_owned(), value.to_owned())),
            }
        }
        if version.is_none() {
            return Err(PolicyError::Missing { field: "version" });
        }
        let (mode, _) = mode.ok_or(PolicyError::Missing { field: "mode" })?;
        let (max_age, _) = max_age.ok_or(PolicyError::Missing { field: "max_age" })?;
        if mx.is_empty() && mode != Mode::None {
            return Err(PolicyError::NoMx { mode: mode.as_str() });
        }
        Ok(Self { mode, max_age, mx, extensions, ignored })
    }

    /// The first pattern that host `host` matches (RFC 8461 §4.1).
    #[must_use]
    pub fn pattern_for(&self, host: &str) -> Option<&MxPattern> {
        self.mx.iter().find(|p| p.matches(host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_records_parse_strictly() {
        let r = StsRecord::parse(b"v=STSv1; id=20160831085700Z;").unwrap();
        assert_eq!(r.id, "20160831085700Z");
        let err = |s: &str| StsRecord::parse(s.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err("v=STSv1;"),
            "expected a field between the delimiters of the MTA-STS record, found an empty one"
        );
        assert_eq!(err("v=STSv1; ext=1"), "expected an id= field, found none");
        assert_eq!(err("v=STSv1; id=a-b"), "expected an id of 1 to 32 letters and digits, found \"a-b\"");
        assert_eq!(
            err(&format!("v=STSv1; id={}", "a".repeat(33))),
            format!("expected an id of 1 to 32 letters and digits, found \"{}\"", "a".repeat(33))
        );
        assert_eq!(StsRecord::parse(b"v=STSv1; id=1; id=2").unwrap().ignored_ids, vec!["2".to_owned()]);
        assert_eq!(err("v=STSv1; id="), "expected a value without spaces, \"=\" or \";\" for id, found \"\"");
        let rec = |s: &str| vec![s.as_bytes().to_vec()];
        assert_eq!(
            StsRecord::select(&[rec("v=STSv1; id=1"), rec("v=STSv1; id=2")]),
            Err(StsError::Several { count: 2 })
        );
        assert_eq!(StsRecord::select(&[rec("google-site-verification=x")]), Ok(None));
        assert_eq!(StsRecord::select(&[vec![b"v=STSv1; i".to_vec(), b"d=abc".to_vec()]]).unwrap().unwrap().id, "abc");
    }

    #[test]
    fn policies_parse_with_lf_or_crlf() {
        let p = Policy::parse(
            b"version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
        )
        .unwrap();
        assert_eq!((p.mode, p.max_age, p.mx.len()), (Mode::Enforce, 604_800, 2));
        let p = Policy::parse(b"version: STSv1\nmode: none\nmax_age: 0\nfuture: thing").unwrap();
        assert_eq!((p.mode, p.mx.len()), (Mode::None, 0));
        assert_eq!(p.extensions, vec![("future".to_owned(), "thing".to_owned())]);
    }

    #[test]
    fn bad_policies_say_what_was_expected() {
        let err = |s: &str| Policy::parse(s.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1"),
            "expected version: STSv1, found \"STSv2\""
        );
        assert_eq!(
            err("version: STSv1\nmode: enforced\nmx: a.example\nmax_age: 1"),
            "expected mode: enforce, testing or none, found \"enforced\""
        );
        assert_eq!(
            err("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601"),
            "expected max_age in seconds from 0 to 31557600, found \"31557601\""
        );
        assert_eq!(
            err("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1"),
            "expected max_age in seconds from 0 to 31557600, found \"-1\""
        );
        assert_eq!(
            err("version: STSv1\nmode: enforce\nmax_age: 86400"),
            "expected at least one mx: line in a policy of mode enforce, found none"
        );
        assert_eq!(
            err("version: STSv1\nmode: testing\nmx: *.*.example\nmax_age: 86400"),
            "expected an mx pattern such as mx.example.com or *.example.com, found \"*.*.example\""
        );
        assert_eq!(
            err("mode: enforce\nmx: a.example\nmax_age: 1"),
            "expected a version: line in the policy, found none"
        );
        let p = Policy::parse(b"version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\nmax_age: 1").unwrap();
        assert_eq!((p.mode, p.ignored), (Mode::Enforce, vec![("mode".to_owned(), 3)]));
        assert_eq!(
            err("version: STSv1\nmode enforce\n"),
            "expected key: value on line 2 of the policy, found \"mode enforce\""
        );
        assert_eq!(
            err("<html>oops</html>"),
            "expected key: value on line 1 of the policy, found \"<html>oops</html>\""
        );
        let big = "x".repeat(MAX_POLICY_BYTES + 1);
        assert_eq!(err(&big), "expected a policy of at most 65536 bytes, found 65537");
    }

    #[test]
    fn wildcards_match_one_leftmost_label() {
        let p = MxPattern { pattern: "*.example.com".into() };
        assert!(p.matches("mx.example.com"));
        assert!(p.matches("MX.Example.COM."));
        assert!(!p.matches("example.com"));
        assert!(!p.matches("a.b.example.com"));
        assert!(!p.matches("mx.example.org"));
        let exact = MxPattern { pattern: "mx.example.com".into() };
        assert!(exact.matches("mx.example.com."));
        assert!(!exact.matches("mx2.example.com"));
    }
}
