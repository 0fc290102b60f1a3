//! What TLSRPT and MTA-STS mean for a mail domain, next to its DANE
//! verdict: findings with a [`Tone`] on the one severity scale, decided
//! here so that every face says the same. They never change the DANE
//! verdict (DANE stays the headline).
//!
//! ```text
//!  SmtpReport (TXT lookups, MX hosts, DANE per host) ─┐
//!  FetchResult of the policy (or none) ───────────────┼─► assess ─► MailPolicy (state + findings)
//!  the policy id seen last time (or none) ────────────┘
//! ```

use serde::{Deserialize, Serialize};

use super::fetch::{FetchFailure, FetchRequest, FetchResult};
use super::sts::{Mode, Policy, StsRecord};
use super::tlsrpt::TlsRpt;
use crate::dns::{HostOutcome, MxOutcome, PolicyTxt, SmtpReport, Status, TxtOutcome};
use crate::verdict::Tone;

/// Below this `max_age` a policy is short-lived (RFC 8461 §3.2: "in the
/// range of weeks or greater" is expected): one week.
pub const SHORT_MAX_AGE: u64 = 7 * 86_400;

/// One finding about the domain's TLSRPT or MTA-STS set-up, with the data
/// a translation needs (serialised with its `code` as tag).
/// Not `#[non_exhaustive]`: the web faces word every variant in each
/// language, and a variant added without its words must not compile.
/// Read back through [`PolicyReported`] (one flat wire struct: a derived
/// internally tagged enum under `flatten` cost the widget tens of KB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PolicyFinding {
    /// A TXT lookup could not be made: nothing is known (never "missing").
    LookupFailed { name: String, detail: String },
    /// A TXT lookup is bogus: validating senders see no record.
    LookupBogus { name: String, detail: String },
    /// A valid TLSRPT record: where failure reports go (RFC 8460 §3).
    TlsRptPublished { name: String, rua: Vec<String>, signed: bool },
    /// No TLSRPT record; `dane` says whether DANE is deployed (then it is
    /// how an admin learns that a renewal broke DANE somewhere).
    TlsRptMissing { name: String, domain: String, dane: bool },
    /// The TLSRPT record is malformed (or there are several): senders send
    /// no reports (RFC 8460 §3).
    TlsRptInvalid { name: String, detail: String },
    /// No MTA-STS record.
    StsMissing { dane: bool },
    /// The MTA-STS record is malformed (or there are several): senders act
    /// as if there were no policy (RFC 8461 §3.1).
    StsRecordInvalid { name: String, detail: String },
    /// The policy was not fetched by this check (no probes, or a face that cannot fetch).
    StsNotFetched { url: String, detail: String },
    /// The policy could not be fetched: senders without a cached policy
    /// deliver as if there were none (RFC 8461 §3.3).
    StsFetchFailed { url: String, failure: FetchFailure },
    /// The policy URL redirects: senders do not follow it (RFC 8461 §3.3).
    StsRedirect { url: String, status: u16, location: Option<String> },
    /// The policy URL answers with another status than 200 (RFC 8461 §3.3).
    StsHttpStatus { url: String, status: u16 },
    /// The policy is not served as `text/plain` (RFC 8461 §3.2).
    StsContentType { url: String, found: Option<String> },
    /// The policy file is malformed (RFC 8461 §3.2).
    StsPolicyInvalid { url: String, detail: String },
    /// The policy, and what a sender does with its mode (RFC 8461 §5).
    StsPolicyActive { mode: Mode, max_age: u64, mx: Vec<String>, id: String },
    /// An MX host that no `mx` pattern covers (RFC 8461 §4.1).
    StsMxNotCovered { host: String, mode: Mode, patterns: Vec<String> },
    /// `max_age` shorter than a week (RFC 8461 §3.2).
    StsMaxAgeShort { max_age: u64 },
    /// The record's id differs from the one seen before: senders with a
    /// cached policy fetch it again (RFC 8461 §3.1, §5.1).
    StsIdChanged { previous: String, current: String },
    /// DANE and MTA-STS both: senders that do DANE apply DANE (RFC 8461 §2).
    DaneTakesPrecedence,
}

impl PolicyFinding {
    /// The stable code (as serialised in `code`).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::LookupFailed { .. } => "lookup_failed",
            Self::LookupBogus { .. } => "lookup_bogus",
            Self::TlsRptPublished { .. } => "tls_rpt_published",
            Self::TlsRptMissing { .. } => "tls_rpt_missing",
            Self::TlsRptInvalid { .. } => "tls_rpt_invalid",
            Self::StsMissing { .. } => "sts_missing",
            Self::StsRecordInvalid { .. } => "sts_record_invalid",
            Self::StsNotFetched { .. } => "sts_not_fetched",
            Self::StsFetchFailed { .. } => "sts_fetch_failed",
            Self::StsRedirect { .. } => "sts_redirect",
            Self::StsHttpStatus { .. } => "sts_http_status",
            Self::StsContentType { .. } => "sts_content_type",
            Self::StsPolicyInvalid { .. } => "sts_policy_invalid",
            Self::StsPolicyActive { .. } => "sts_policy_active",
            Self::StsMxNotCovered { .. } => "sts_mx_not_covered",
            Self::StsMaxAgeShort { .. } => "sts_max_age_short",
            Self::StsIdChanged { .. } => "sts_id_changed",
            Self::DaneTakesPrecedence => "dane_takes_precedence",
        }
    }

    /// Where in which colour (the one scale of `verdict::tone`).
    #[must_use]
    pub fn tone(&self) -> Tone {
        match self {
            Self::LookupFailed { .. } | Self::StsNotFetched { .. } => Tone::Neutral,
            Self::StsFetchFailed { failure, .. } => match failure {
                // Nothing is known about the domain from these.
                FetchFailure::Refused { .. }
                | FetchFailure::Unavailable { .. }
                | FetchFailure::Connect { .. }
                | FetchFailure::Timeout { .. } => Tone::Neutral,
                _ => Tone::Warning,
            },
            Self::TlsRptPublished { .. } => Tone::Good,
            Self::TlsRptMissing { dane, .. } => {
                if *dane {
                    Tone::Warning
                } else {
                    Tone::Info
                }
            }
            Self::StsPolicyActive { mode, .. } => match mode {
                Mode::Enforce => Tone::Good,
                Mode::Testing | Mode::None => Tone::Info,
            },
            Self::StsMxNotCovered { mode, .. } => match mode {
                Mode::Enforce => Tone::Error,
                Mode::Testing | Mode::None => Tone::Warning,
            },
            Self::LookupBogus { .. }
            | Self::TlsRptInvalid { .. }
            | Self::StsRecordInvalid { .. }
            | Self::StsRedirect { .. }
            | Self::StsHttpStatus { .. }
            | Self::StsContentType { .. }
            | Self::StsPolicyInvalid { .. } => Tone::Warning,
            Self::StsMissing { .. }
            | Self::StsMaxAgeShort { .. }
            | Self::StsIdChanged { .. }
            | Self::DaneTakesPrecedence => Tone::Info,
        }
    }

    /// The RFC section behind the finding.
    #[must_use]
    pub const fn rfc(&self) -> &'static str {
        match self {
            Self::LookupFailed { .. } | Self::LookupBogus { .. } => "RFC 4035 §5.5",
            Self::TlsRptPublished { .. } | Self::TlsRptMissing { .. } | Self::TlsRptInvalid { .. } => "RFC 8460 §3",
            Self::StsMissing { .. } | Self::StsRecordInvalid { .. } => "RFC 8461 §3.1",
            Self::StsNotFetched { .. } | Self::StsFetchFailed { .. } | Self::StsRedirect { .. } => "RFC 8461 §3.3",
            Self::StsHttpStatus { .. } => "RFC 8461 §3.3",
            Self::StsContentType { .. } | Self::StsPolicyInvalid { .. } | Self::StsMaxAgeShort { .. } => {
                "RFC 8461 §3.2"
            }
            Self::StsPolicyActive { .. } => "RFC 8461 §5",
            Self::StsMxNotCovered { .. } => "RFC 8461 §4.1",
            Self::StsIdChanged { .. } => "RFC 8461 §3.1",
            Self::DaneTakesPrecedence => "RFC 8461 §2",
        }
    }

    /// The finding in plain English (the CLI's words; the web faces word
    /// it from the code and fields).
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::LookupFailed { name, detail } => {
                format!("could not look up {name} TXT ({detail}): nothing is known about it")
            }
            Self::LookupBogus { name, detail } => format!(
                "the {name} TXT lookup is bogus ({detail}): validating senders see no record; repair its DNSSEC signatures"
            ),
            Self::TlsRptPublished { name, rua, signed } => {
                let unsigned = if *signed { "" } else { " (not DNSSEC-signed)" };
                format!(
                    "TLS reporting is on at {name}{unsigned}: senders report failed TLS deliveries to {}",
                    rua.join(", ")
                )
            }
            Self::TlsRptMissing { name, domain, dane } => {
                let why = if *dane {
                    "with DANE deployed, failure reports are how you learn that a certificate renewal broke DANE at some sender"
                } else {
                    "senders cannot tell you when TLS to your MX hosts fails"
                };
                format!(
                    "no TLS reporting record at {name}: {why}; publish `{name} IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}\"`"
                )
            }
            Self::TlsRptInvalid { name, detail } => {
                format!("the TLS reporting record at {name} is not usable ({detail}): senders send no reports")
            }
            Self::StsMissing { dane } => {
                if *dane {
                    "no MTA-STS policy: DANE protects mail from senders that do DANE; MTA-STS would cover senders that do not".into()
                } else {
                    "no MTA-STS policy: senders that do not do DANE deliver with opportunistic TLS only".into()
                }
            }
            Self::StsRecordInvalid { name, detail } => {
                format!("the MTA-STS record at {name} is not usable ({detail}): senders act as if there were no policy")
            }
            Self::StsNotFetched { url, detail } => format!("the MTA-STS policy at {url} was not fetched: {detail}"),
            Self::StsFetchFailed { url, failure } => format!(
                "could not fetch the MTA-STS policy from {url} ({failure}); senders without a cached policy deliver as if there were none"
            ),
            Self::StsRedirect { url, status, location } => format!(
                "{url} answers with a redirect ({status}{}); senders do not follow redirects, so there is no policy: serve the file at this URL",
                location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default()
            ),
            Self::StsHttpStatus { url, status } => {
                format!("{url} answers with HTTP {status}, not 200: senders find no policy")
            }
            Self::StsContentType { url, found } => format!(
                "{url} is served as {}, not text/plain: senders may reject the policy",
                found.as_deref().unwrap_or("no media type")
            ),
            Self::StsPolicyInvalid { url, detail } => {
                format!("the MTA-STS policy at {url} is malformed ({detail}): senders act as if there were none")
            }
            Self::StsPolicyActive { mode, max_age, mx, id } => {
                let what = match mode {
                    Mode::Enforce => {
                        "senders that apply MTA-STS deliver only to MX hosts matching a pattern that present a valid (PKIX) certificate over TLS, and otherwise do not deliver"
                    }
                    Mode::Testing => {
                        "senders deliver as before and report failures (TLSRPT) instead of refusing delivery"
                    }
                    Mode::None => "senders treat the domain as having no active policy",
                };
                format!(
                    "MTA-STS policy in mode {} (id {id}, max_age {max_age} s, mx {}): {what}",
                    mode.as_str(),
                    if mx.is_empty() { "none".to_owned() } else { mx.join(", ") }
                )
            }
            Self::StsMxNotCovered { host, mode, patterns } => {
                let effect = match mode {
                    Mode::Enforce => "senders that apply MTA-STS will not deliver to it",
                    _ => "in mode enforce, senders that apply MTA-STS would not deliver to it",
                };
                format!(
                    "MX host {host} matches no mx pattern of the MTA-STS policy ({}): {effect}; add `mx: {host}`",
                    patterns.join(", ")
                )
            }
            Self::StsMaxAgeShort { max_age } => format!(
                "the MTA-STS policy's max_age is {max_age} s: a short cache leaves senders without the policy more often; weeks are usual (e.g. 1209600)"
            ),
            Self::StsIdChanged { previous, current } => format!(
                "the MTA-STS id changed from {previous} to {current}: senders with a cached policy fetch it again"
            ),
            Self::DaneTakesPrecedence => {
                "the domain has DANE and MTA-STS: senders that do DANE apply DANE and not MTA-STS to its MX hosts"
                    .into()
            }
        }
    }
}

/// A finding as reported: its data (flattened, with `code`), tone, RFC and words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyReported {
    #[serde(flatten)]
    pub finding: PolicyFinding,
    pub tone: Tone,
    pub rfc: String,
    pub message: String,
}

/// [`PolicyReported`] as read back: every field any finding has, by name.
#[derive(Deserialize)]
struct Wire {
    code: String,
    tone: Tone,
    rfc: String,
    message: String,
    name: Option<String>,
    detail: Option<String>,
    rua: Option<Vec<String>>,
    signed: Option<bool>,
    domain: Option<String>,
    dane: Option<bool>,
    url: Option<String>,
    failure: Option<super::fetch::FailureWire>,
    status: Option<u16>,
    location: Option<String>,
    found: Option<String>,
    mode: Option<Mode>,
    max_age: Option<u64>,
    mx: Option<Vec<String>>,
    id: Option<String>,
    host: Option<String>,
    patterns: Option<Vec<String>>,
    previous: Option<String>,
    current: Option<String>,
}

impl<'de> Deserialize<'de> for PolicyReported {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = Wire::deserialize(deserializer)?;
        let missing =
            |field: &'static str| D::Error::custom(format!("expected `{field}` in a {} finding, found none", w.code));
        let text = |v: &Option<String>, field: &'static str| v.clone().ok_or_else(|| missing(field));
        let finding = match w.code.as_str() {
            "lookup_failed" => {
                PolicyFinding::LookupFailed { name: text(&w.name, "name")?, detail: text(&w.detail, "detail")? }
            }
            "lookup_bogus" => {
                PolicyFinding::LookupBogus { name: text(&w.name, "name")?, detail: text(&w.detail, "detail")? }
            }
            "tls_rpt_published" => PolicyFinding::TlsRptPublished {
                name: text(&w.name, "name")?,
                rua: w.rua.clone().ok_or_else(|| missing("rua"))?,
                signed: w.signed.ok_or_else(|| missing("signed"))?,
            },
            "tls_rpt_missing" => PolicyFinding::TlsRptMissing {
                name: text(&w.name, "name")?,
                domain: text(&w.domain, "domain")?,
                dane: w.dane.ok_or_else(|| missing("dane"))?,
            },
            "tls_rpt_invalid" => {
                PolicyFinding::TlsRptInvalid { name: text(&w.name, "name")?, detail: text(&w.detail, "detail")? }
            }
            "sts_missing" => PolicyFinding::StsMissing { dane: w.dane.ok_or_else(|| missing("dane"))? },
            "sts_record_invalid" => {
                PolicyFinding::StsRecordInvalid { name: text(&w.name, "name")?, detail: text(&w.detail, "detail")? }
            }
            "sts_not_fetched" => {
                PolicyFinding::StsNotFetched { url: text(&w.url, "url")?, detail: text(&w.detail, "detail")? }
            }
            "sts_fetch_failed" => PolicyFinding::StsFetchFailed {
                url: text(&w.url, "url")?,
                failure: w.failure.map(FetchFailure::from).ok_or_else(|| missing("failure"))?,
            },
            "sts_redirect" => PolicyFinding::StsRedirect {
                url: text(&w.url, "url")?,
                status: w.status.ok_or_else(|| missing("status"))?,
                location: w.location.clone(),
            },
            "sts_http_status" => PolicyFinding::StsHttpStatus {
                url: text(&w.url, "url")?,
                status: w.status.ok_or_else(|| missing("status"))?,
            },
            "sts_content_type" => PolicyFinding::StsContentType { url: text(&w.url, "url")?, found: w.found.clone() },
            "sts_policy_invalid" => {
                PolicyFinding::StsPolicyInvalid { url: text(&w.url, "url")?, detail: text(&w.detail, "detail")? }
            }
            "sts_policy_active" => PolicyFinding::StsPolicyActive {
                mode: w.mode.ok_or_else(|| missing("mode"))?,
                max_age: w.max_age.ok_or_else(|| missing("max_age"))?,
                mx: w.mx.clone().ok_or_else(|| missing("mx"))?,
                id: text(&w.id, "id")?,
            },
            "sts_mx_not_covered" => PolicyFinding::StsMxNotCovered {
                host: text(&w.host, "host")?,
                mode: w.mode.ok_or_else(|| missing("mode"))?,
                patterns: w.patterns.clone().ok_or_else(|| missing("patterns"))?,
            },
            "sts_max_age_short" => {
                PolicyFinding::StsMaxAgeShort { max_age: w.max_age.ok_or_else(|| missing("max_age"))? }
            }
            "sts_id_changed" => PolicyFinding::StsIdChanged {
                previous: text(&w.previous, "previous")?,
                current: text(&w.current, "current")?,
            },
            "dane_takes_precedence" => PolicyFinding::DaneTakesPrecedence,
            other => return Err(D::Error::custom(format!("expected a mail-policy finding code, found {other:?}"))),
        };
        Ok(Self { finding, tone: w.tone, rfc: w.rfc, message: w.message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serialised_tags() {
        let all = [
            PolicyFinding::LookupFailed { name: "n".into(), detail: "d".into() },
            PolicyFinding::LookupBogus { name: "n".into(), detail: "d".into() },
            PolicyFinding::TlsRptPublished { name: "n".into(), rua: vec![], signed: true },
            PolicyFinding::TlsRptMissing { name: "n".into(), domain: "d".into(), dane: true },
            PolicyFinding::TlsRptInvalid { name: "n".into(), detail: "d".into() },
            PolicyFinding::StsMissing { dane: false },
            PolicyFinding::StsRecordInvalid { name: "n".into(), detail: "d".into() },
            PolicyFinding::StsNotFetched { url: "u".into(), detail: "d".into() },
            PolicyFinding::StsFetchFailed { url: "u".into(), failure: FetchFailure::Timeout { after_ms: 1 } },
            PolicyFinding::StsRedirect { url: "u".into(), status: 301, location: None },
            PolicyFinding::StsHttpStatus { url: "u".into(), status: 404 },
            PolicyFinding::StsContentType { url: "u".into(), found: None },
            PolicyFinding::StsPolicyInvalid { url: "u".into(), detail: "d".into() },
            PolicyFinding::StsPolicyActive { mode: Mode::Enforce, max_age: 1, mx: vec![], id: "i".into() },
            PolicyFinding::StsMxNotCovered { host: "h".into(), mode: Mode::Testing, patterns: vec![] },
            PolicyFinding::StsMaxAgeShort { max_age: 1 },
            PolicyFinding::StsIdChanged { previous: "a".into(), current: "b".into() },
            PolicyFinding::DaneTakesPrecedence,
        ];
        for f in all {
            let json = serde_json::to_value(&f).unwrap_or_default();
            assert_eq!(json["code"], f.code());
            // Every finding reads back as itself (the widget reads /api/check).
            let reported = PolicyReported::from(f.clone());
            let text = serde_json::to_string(&reported).unwrap_or_default();
            assert_eq!(
                serde_json::from_str::<PolicyReported>(&text).map_err(|e| e.to_string()),
                Ok(reported),
                "{text}"
            );
            assert!(!f.message().is_empty() && f.rfc().starts_with("RFC "));
        }
    }
}

impl From<PolicyFinding> for PolicyReported {
    fn from(finding: PolicyFinding) -> Self {
        Self { tone: finding.tone(), rfc: finding.rfc().to_owned(), message: finding.message(), finding }
    }
}

/// One TXT lookup as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxtState {
    pub name: String,
    pub status: Status,
    pub outcome: TxtOutcome,
    /// The proof in words.
    pub proof: String,
    /// Every TXT record there (strings concatenated).
    pub records: Vec<String>,
}

impl From<&PolicyTxt> for TxtState {
    fn from(t: &PolicyTxt) -> Self {
        Self {
            name: t.name.clone(),
            status: t.status,
            outcome: t.outcome,
            proof: t.proof.to_string(),
            records: t.text.clone(),
        }
    }
}

/// What was found about TLSRPT and MTA-STS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPolicy {
    pub tlsrpt_txt: TxtState,
    pub tlsrpt: Option<TlsRpt>,
    pub mta_sts_txt: TxtState,
    pub mta_sts: Option<StsRecord>,
    /// The policy file, when fetched and valid.
    pub policy: Option<Policy>,
    /// Findings, most urgent first.
    pub findings: Vec<PolicyReported>,
}

impl MailPolicy {
    /// The most urgent tone among the findings (`None` without findings).
    #[must_use]
    pub fn tone(&self) -> Option<Tone> {
        self.findings.iter().map(|f| f.tone).min_by_key(|t| t.urgency())
    }
}

/// The findings for `dns` (its TXT lookups, MX hosts and DANE outcomes),
/// the policy fetch's result (`Err(why)`: not fetched) and the MTA-STS id
/// seen before (if the caller keeps one). `None` for a host named directly.
#[must_use]
pub fn assess(dns: &SmtpReport, fetch: Result<&FetchResult, &str>, previous_id: Option<&str>) -> Option<MailPolicy> {
    if matches!(dns.mx_outcome, MxOutcome::NullMx | MxOutcome::NxDomain | MxOutcome::Direct) {
        return None; // no mail to this domain, or a host named directly: no policy applies
    }
    let (tlsrpt_txt, sts_txt) = (dns.tlsrpt_txt.as_ref()?, dns.mta_sts_txt.as_ref()?);
    let domain = dns.domain.strip_suffix('.').unwrap_or(&dns.domain);
    let dane = dns.hosts.iter().any(|h| h.outcome == HostOutcome::DaneRequired);
    let mut findings = Vec::new();

    // TLSRPT (RFC 8460 §3).
    let mut tlsrpt = None;
    let name = tlsrpt_txt.name.strip_suffix('.').unwrap_or(&tlsrpt_txt.name).to_owned();
    match usable(tlsrpt_txt) {
        Err(f) => findings.push(f),
        Ok(records) => match TlsRpt::select(records) {
            Ok(Some(r)) => {
                let rua = r.rua.iter().map(|u| u.as_str().to_owned()).collect();
                findings.push(PolicyFinding::TlsRptPublished {
                    name,
                    rua,
                    signed: tlsrpt_txt.status == Status::Secure,
                });
                tlsrpt = Some(r);
            }
            Ok(None) => findings.push(PolicyFinding::TlsRptMissing { name, domain: domain.to_owned(), dane }),
            Err(e) => findings.push(PolicyFinding::TlsRptInvalid { name, detail: e.to_string() }),
        },
    }

    // MTA-STS (RFC 8461).
    let mut record = None;
    let mut policy = None;
    let sts_name = sts_txt.name.strip_suffix('.').unwrap_or(&sts_txt.name).to_owned();
    match usable(sts_txt) {
        Err(f) => findings.push(f),
        Ok(records) => match StsRecord::select(records) {
            Ok(None) => findings.push(PolicyFinding::StsMissing { dane }),
            Err(e) => findings.push(PolicyFinding::StsRecordInvalid { name: sts_name, detail: e.to_string() }),
            Ok(Some(r)) => {
                if let Some(prev) = previous_id.filter(|p| *p != r.id) {
                    findings.push(PolicyFinding::StsIdChanged { previous: prev.to_owned(), current: r.id.clone() });
                }
                let url = FetchRequest::for_domain(domain, Vec::new()).url;
                policy = judge_fetch(&url, fetch, &r, dns, &mut findings);
                if dane {
                    findings.push(PolicyFinding::DaneTakesPrecedence);
                }
                record = Some(r);
            }
        },
    }

    let mut findings: Vec<PolicyReported> = findings.into_iter().map(PolicyReported::from).collect();
    crate::order::sort_by_key(&mut findings, |f| f.tone.urgency());
    Some(MailPolicy {
        tlsrpt_txt: tlsrpt_txt.into(),
        tlsrpt,
        mta_sts_txt: sts_txt.into(),
        mta_sts: record,
        policy,
        findings,
    })
}

/// The TXT records of a lookup that can be read, or the finding that says
/// why not (bogus, or no answer). Insecure data is used as it is: neither
/// protocol needs DNSSEC (RFC 8460 §3, RFC 8461 §3.1).
fn usable(txt: &PolicyTxt) -> Result<&[Vec<Vec<u8>>], PolicyFinding> {
    let name = txt.name.strip_suffix('.').unwrap_or(&txt.name).to_owned();
    match (txt.status, txt.outcome) {
        (Status::Bogus, _) => Err(PolicyFinding::LookupBogus { name, detail: txt.proof.to_string() }),
        (Status::Indeterminate, _) | (_, TxtOutcome::Unknown) => {
            Err(PolicyFinding::LookupFailed { name, detail: txt.proof.to_string() })
        }
        _ => Ok(&txt.records),
    }
}

/// The findings about the fetched policy; the policy when it is usable.
fn judge_fetch(
    url: &str,
    fetch: Result<&FetchResult, &str>,
    record: &StsRecord,
    dns: &SmtpReport,
    findings: &mut Vec<PolicyFinding>,
) -> Option<Policy> {
    let url = url.to_owned();
    let (status, content_type, location, body) = match fetch {
        Err(why) => {
            findings.push(PolicyFinding::StsNotFetched { url, detail: why.to_owned() });
            return None;
        }
        // A face that cannot fetch says nothing about the policy host.
        Ok(FetchResult::Failed(FetchFailure::Unavailable { detail })) => {
            findings.push(PolicyFinding::StsNotFetched { url, detail: detail.clone() });
            return None;
        }
        Ok(FetchResult::Failed(failure)) => {
            findings.push(PolicyFinding::StsFetchFailed { url, failure: failure.clone() });
            return None;
        }
        Ok(FetchResult::Response { status, content_type, location, body }) => (*status, content_type, location, body),
    };
    if (300..400).contains(&status) {
        findings.push(PolicyFinding::StsRedirect { url, status, location: location.clone() });
        return None;
    }
    if status != 200 {
        findings.push(PolicyFinding::StsHttpStatus { url, status });
        return None;
    }
    // RFC 8461 §3.2: the media type is text/plain (parameters such as charset allowed).
    let media = content_type.as_deref().map(|c| c.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    if media.as_deref() != Some("text/plain") {
        findings.push(PolicyFinding::StsContentType { url: url.clone(), found: content_type.clone() });
    }
    let policy = match Policy::parse(body) {
        Ok(p) => p,
        Err(e) => {
            findings.push(PolicyFinding::StsPolicyInvalid { url, detail: e.to_string() });
            return None;
        }
    };
    findings.push(PolicyFinding::StsPolicyActive {
        mode: policy.mode,
        max_age: policy.max_age,
        mx: policy.mx.iter().map(|p| p.pattern.clone()).collect(),
        id: record.id.clone(),
    });
    if policy.mode != Mode::None {
        let patterns: Vec<String> = policy.mx.iter().map(|p| p.pattern.clone()).collect();
        let hosts = dns.hosts.iter().map(|h| h.host.as_str()).chain(dns.unchecked.iter().map(|u| u.host.as_str()));
        for host in hosts {
            if policy.pattern_for(host).is_none() {
                findings.push(PolicyFinding::StsMxNotCovered {
                    host: host.strip_suffix('.').unwrap_or(host).to_owned(),
                    mode: policy.mode,
                    patterns: patterns.clone(),
                });
            }
        }
        if policy.max_age < SHORT_MAX_AGE {
            findings.push(PolicyFinding::StsMaxAgeShort { max_age: policy.max_age });
        }
    }
    Some(policy)
}
