//! The DANE verdict: does a presented certificate chain match a TLSA RRset?
//! (RFC 6698 §2.1, RFC 7671 §5, RFC 7672 §3.)
//!
//! [`check`] takes the chain exactly as the server sent it (DER, leaf first),
//! the TLSA records, the reference names and `now` (Unix seconds; this crate
//! has no clock). For every record it says whether it is usable for SMTP, and
//! if so whether and where it matched; overall, the server is
//! [`Verdict::Authenticated`] when at least one usable record authenticates it.
//!
//! ```text
//!  records ──► usable? (Tlsa::smtp_problems, RFC 7672 §3.1.3)
//!                │ DANE-EE(3): leaf cert/SPKI matches ──────────────────────► authenticated
//!                │ DANE-TA(2): chain cert matches (or a full key/cert in the
//!                │             record signed the top, RFC 7671 §5.2.2)
//!                │             ─► path anchor→leaf verifies (signatures,
//!                │                dates at now, CA, pathLen, names chain)
//!                │             ─► leaf carries a reference name ──────────► authenticated
//! ```
//!
//! DANE-EE ignores names and validity dates (RFC 7672 §3.1.1); DANE-TA needs
//! both (RFC 7672 §3.1.2, §3.2). PKIX-TA(0) and PKIX-EE(1) are not usable for
//! SMTP (RFC 7672 §3.1.3).

mod names;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

pub use names::{NameError, ReferenceNames, name_matches};

use crate::cert::{CertError, Certificate, MAX_OBJECTS, PublicKey};
use crate::tlsa::{MatchingType, Selector, Tlsa, Unusable, Usage};
use crate::tlsa_gen::association_data;

/// Seconds in a day, for look-ahead.
const DAY: i64 = 86_400;

/// Serialises a [`Tlsa`] as `usage`, `selector`, `matching_type` and lowercase hex `data`.
pub fn serialize_tlsa<S: Serializer>(record: &Tlsa, serializer: S) -> Result<S::Ok, S::Error> {
    let mut s = serializer.serialize_struct("Tlsa", 4)?;
    s.serialize_field("usage", &record.usage)?;
    s.serialize_field("selector", &record.selector)?;
    s.serialize_field("matching_type", &record.matching_type)?;
    s.serialize_field("data", &data_encoding::HEXLOWER.encode(&record.data))?;
    s.end()
}

/// Why a check could not be made at all (as opposed to "not authenticated").
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DaneError {
    /// No certificate was presented.
    #[error("expected a certificate chain of at least the server's certificate, found none")]
    EmptyChain,
    /// Too long a chain.
    #[error("expected at most {max} certificates in the chain, found {found}")]
    ChainTooLong { max: usize, found: usize },
    /// A presented certificate does not parse.
    #[error("certificate at depth {depth}: {source}")]
    Certificate { depth: usize, source: CertError },
    /// A reference name is not a host name.
    #[error(transparent)]
    Name(#[from] NameError),
}

/// The overall result (RFC 7672 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// At least one usable record authenticates the server.
    Authenticated,
    /// There are usable records and none authenticates the server: a client must not deliver.
    NotAuthenticated,
    /// No usable records: TLS is still mandatory, but unauthenticated (RFC 7672 §2.2).
    NoUsableRecords,
}

/// Where a DANE-TA(2) record's trust anchor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Anchor {
    /// A certificate the server sent, at this depth.
    InChain { depth: usize },
    /// A key or certificate carried in full by the record, which the server did not send (RFC 7671 §5.2.2).
    NotSent,
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RecordReport {
    /// The record.
    #[serde(flatten, serialize_with = "serialize_tlsa")]
    pub record: Tlsa,
    /// Usable for SMTP (RFC 7672 §3.1.3, RFC 7671 §4).
    pub usable: bool,
    /// Why not usable, in words (`None` when usable).
    pub reason: Option<String>,
    /// Why not usable, as data.
    pub problems: Vec<Unusable>,
    /// The record's data matched a certificate (or, for a full key or
    /// certificate, signed the top of the chain).
    pub matched: bool,
    /// The chain depth matched (0 = leaf); for an anchor the server did not
    /// send, the depth just above the top of the chain.
    pub depth: Option<usize>,
    /// DANE-TA(2) only: where the trust anchor is.
    pub anchor: Option<Anchor>,
    /// This record authenticates the server.
    pub authenticates: bool,
    /// What was checked and what failed, in words.
    pub detail: String,
    /// Why a usable record did not authenticate, as data (`None` when it
    /// authenticates or is unusable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// DANE-TA(2): the certificate on the verified path that expires first.
    pub path_expires: Option<Expiry>,
}

/// Why a usable record did not authenticate the server, as data (the words
/// are in [`RecordReport::detail`]). The verdict module turns these into
/// findings with fixes.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// The record's data matches no certificate it may match (RFC 7671 §5.1, §5.2).
    NoMatch,
    /// DANE-TA(2) digest of a CA, but the server sent only its own
    /// certificate: the anchor is missing from the chain (RFC 7671 §5.2.2).
    AnchorNotSent,
    /// DANE-TA(2) that matches the server's own certificate (RFC 7671 §5.2).
    TaMatchesLeaf,
    /// A certificate on the DANE-TA(2) path has expired (RFC 7672 §3.1.2).
    Expired {
        /// Depth in the chain (`None`: the anchor carried in the record).
        depth: Option<usize>,
        subject: String,
        not_after: i64,
    },
    /// A certificate on the DANE-TA(2) path is not valid yet (RFC 7672 §3.1.2).
    NotYetValid { depth: Option<usize>, subject: String, not_before: i64 },
    /// The leaf carries none of the reference names (RFC 7672 §3.2.3).
    NameMismatch {
        /// The names the leaf presents (SAN dNSNames, else common names).
        presented: Vec<String>,
        /// The reference names checked.
        reference: Vec<String>,
    },
    /// The path from the anchor to the leaf does not verify (CA flags,
    /// pathLen, issuer names, signatures; RFC 5280 §6.1).
    InvalidPath,
}

/// A failed path check: the failure as data and in words.
type PathError = (Failure, String);

/// One authenticating match, for the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matched {
    /// Index into [`Report::records`].
    pub record: usize,
    /// Depth matched (see [`RecordReport::depth`]).
    pub depth: usize,
}

/// The earliest expiry that ends authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Expiry {
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// Depth of the certificate that expires (`None` for a trust anchor certificate carried in a record).
    pub depth: Option<usize>,
    /// Its subject.
    pub subject: String,
}

/// The answer to "would this still authenticate `days` days from now?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LookAhead {
    /// Days ahead.
    pub days: u32,
    /// The moment checked, Unix seconds.
    pub at: i64,
    /// Whether the server would still be authenticated then.
    pub authenticated: bool,
}

/// A presented certificate, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainEntry {
    /// Depth (0 = leaf).
    pub depth: usize,
    /// The parsed certificate's summary.
    #[serde(flatten)]
    pub certificate: Certificate,
}

/// The full result of [`check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Overall verdict.
    pub verdict: Verdict,
    /// Shorthand for `verdict == Authenticated`.
    pub authenticated: bool,
    /// The moment checked, Unix seconds.
    pub now: i64,
    /// Every authenticating match.
    pub matched: Vec<Matched>,
    /// One entry per input record, in input order.
    pub records: Vec<RecordReport>,
    /// The presented chain.
    pub chain: Vec<ChainEntry>,
    /// When authentication ends through expiry: `None` if it does not
    /// (a DANE-EE(3) record authenticates; dates do not matter, RFC 7672
    /// §3.1.1) or if the server is not authenticated now.
    pub expiry: Option<Expiry>,
    /// The look-ahead, when asked for.
    pub look_ahead: Option<LookAhead>,
}

/// Parameters of a check.
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// Reference names (TLSA base domain, MX host name; RFC 7672 §3.2.3).
    pub names: &'a ReferenceNames,
    /// The moment to check at, Unix seconds.
    pub now: i64,
    /// Also check at `now + days`.
    pub look_ahead_days: Option<u32>,
}

/// Checks a presented chain against TLSA records (see the module documentation).
pub fn check<C: AsRef<[u8]>>(chain: &[C], records: &[Tlsa], params: Check<'_>) -> Result<Report, DaneError> {
    let certs = parse_chain(chain)?;
    let mut report = check_parsed(&certs, records, params.names, params.now);
    if let Some(days) = params.look_ahead_days {
        let at = params.now.saturating_add(i64::from(days).saturating_mul(DAY));
        let later = check_parsed(&certs, records, params.names, at);
        report.look_ahead = Some(LookAhead { days, at, authenticated: later.authenticated });
    }
    Ok(report)
}

fn parse_chain<C: AsRef<[u8]>>(chain: &[C]) -> Result<Vec<Certificate>, DaneError> {
    if chain.is_empty() {
        return Err(DaneError::EmptyChain);
    }
    if chain.len() > MAX_OBJECTS {
        return Err(DaneError::ChainTooLong { max: MAX_OBJECTS, found: chain.len() });
    }
    chain
        .iter()
        .enumerate()
        .map(|(depth, der)| {
            Certificate::from_der(der.as_ref()).map_err(|source| DaneError::Certificate { depth, source })
        })
        .collect()
}

fn check_parsed(certs: &[Certificate], records: &[Tlsa], names: &ReferenceNames, now: i64) -> Report {
    let reports: Vec<RecordReport> = records.iter().map(|r| check_record(certs, r, names, now)).collect();
    let matched: Vec<Matched> = reports
        .iter()
        .enumerate()
        .filter(|(_, r)| r.authenticates)
        .map(|(record, r)| Matched { record, depth: r.depth.unwrap_or(0) })
        .collect();
    let verdict = if !matched.is_empty() {
        Verdict::Authenticated
    } else if reports.iter().any(|r| r.usable) {
        Verdict::NotAuthenticated
    } else {
        Verdict::NoUsableRecords
    };
    let expiry = if verdict == Verdict::Authenticated { expiry_of(&reports) } else { None };
    Report {
        verdict,
        authenticated: verdict == Verdict::Authenticated,
        now,
        matched,
        records: reports,
        chain: certs
            .iter()
            .cloned()
            .enumerate()
            .map(|(depth, certificate)| ChainEntry { depth, certificate })
            .collect(),
        expiry,
        look_ahead: None,
    }
}

/// The latest of the authenticating paths' earliest expiries; `None` if a
/// DANE-EE(3) record authenticates (its dates do not matter).
fn expiry_of(reports: &[RecordReport]) -> Option<Expiry> {
    let mut best: Option<&Expiry> = None;
    for r in reports.iter().filter(|r| r.authenticates) {
        let e = r.path_expires.as_ref()?;
        if best.is_none_or(|b| e.not_after > b.not_after) {
            best = Some(e);
        }
    }
    best.cloned()
}

fn base_report(record: &Tlsa) -> RecordReport {
    RecordReport {
        record: record.clone(),
        usable: true,
        reason: None,
        problems: Vec::new(),
        matched: false,
        depth: None,
        anchor: None,
        authenticates: false,
        detail: String::new(),
        failure: None,
        path_expires: None,
    }
}

fn matches_cert(record: &Tlsa, cert: &Certificate) -> bool {
    association_data(cert.der(), cert.spki(), record.selector, record.matching_type).is_some_and(|d| d == record.data)
}

fn check_record(certs: &[Certificate], record: &Tlsa, names: &ReferenceNames, now: i64) -> RecordReport {
    let mut report = base_report(record);
    let problems = record.smtp_problems();
    if !problems.is_empty() {
        report.usable = false;
        report.reason = Some(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
        report.detail = "ignored: not usable for SMTP".to_owned();
        report.problems = problems;
        return report;
    }
    match record.usage {
        Usage::DANE_EE => check_ee(certs, record, &mut report),
        Usage::DANE_TA => check_ta(certs, record, names, now, &mut report),
        // smtp_problems() leaves only DANE-EE and DANE-TA usable.
        _ => report.detail = "ignored: not usable for SMTP".to_owned(),
    }
    report
}

/// DANE-EE(3): the leaf's certificate or SPKI must match; names and dates are
/// not checked (RFC 7672 §3.1.1, RFC 7671 §5.1).
fn check_ee(certs: &[Certificate], record: &Tlsa, report: &mut RecordReport) {
    let Some(leaf) = certs.first() else { return };
    if matches_cert(record, leaf) {
        report.matched = true;
        report.authenticates = true;
        report.depth = Some(0);
        let what = if record.selector == Selector::CERT { "certificate" } else { "public key (SPKI)" };
        report.detail = format!(
            "DANE-EE(3) matches the server's {what} at depth 0; names and validity dates are not checked (RFC 7672 §3.1.1)"
        );
    } else {
        report.detail = "DANE-EE(3) does not match the server's certificate (depth 0)".to_owned();
        report.failure = Some(Failure::NoMatch);
    }
}

/// DANE-TA(2) (RFC 7671 §5.2, RFC 7672 §3.1.2).
fn check_ta(certs: &[Certificate], record: &Tlsa, names: &ReferenceNames, now: i64, report: &mut RecordReport) {
    let mut first_failure: Option<(usize, Anchor, PathError)> = None;
    // Trust anchors the server sent: any certificate above the leaf (OpenSSL
    // likewise tries TA records only at depth ≥ 1).
    for depth in 1..certs.len() {
        let Some(cert) = certs.get(depth) else { continue };
        if !matches_cert(record, cert) {
            continue;
        }
        match verify_path(certs, Some(cert), depth, names, now) {
            Ok(expires) => {
                set_ta_success(report, Anchor::InChain { depth }, depth, expires);
                report.detail = format!(
                    "DANE-TA(2) matches the CA at depth {depth} ({}); the path from it to the leaf verifies (signatures, dates, CA constraints) and the leaf carries a reference name",
                    cert.subject
                );
                return;
            }
            Err((failure, why)) => {
                first_failure.get_or_insert((
                    depth,
                    Anchor::InChain { depth },
                    (failure, format!("DANE-TA(2) matches the CA at depth {depth} ({}), but {why}", cert.subject)),
                ));
            }
        }
    }
    // An anchor the server did not send: possible only when the record carries
    // the full key or certificate (RFC 7671 §5.2.2).
    if record.matching_type == MatchingType::FULL
        && let Some((anchor_cert, anchor_spki)) = anchor_from_record(record)
    {
        for top in (0..certs.len()).rev() {
            let Some(cert) = certs.get(top) else { continue };
            if let Some(ac) = &anchor_cert
                && !cert.is_named_issuer(ac)
            {
                continue;
            }
            if cert.verify_signed_by(&anchor_spki).is_err() {
                continue;
            }
            let above = top.saturating_add(1);
            let result = verify_anchor(anchor_cert.as_ref(), certs, top, now)
                .and_then(|anchor_exp| verify_path(certs, None, top, names, now).map(|e| earlier(e, anchor_exp)));
            match result {
                Ok(expires) => {
                    set_ta_success(report, Anchor::NotSent, above, expires);
                    report.detail = format!(
                        "DANE-TA(2) {} in the record (not sent by the server) signed the certificate at depth {top}; the path to the leaf verifies (signatures, dates, CA constraints) and the leaf carries a reference name (RFC 7671 §5.2.2)",
                        if anchor_cert.is_some() { "certificate" } else { "public key" }
                    );
                    return;
                }
                Err((failure, why)) => {
                    first_failure.get_or_insert((
                        above,
                        Anchor::NotSent,
                        (
                            failure,
                            format!(
                                "DANE-TA(2) {} in the record signed the certificate at depth {top}, but {why}",
                                if anchor_cert.is_some() { "certificate" } else { "public key" }
                            ),
                        ),
                    ));
                }
            }
        }
    }
    match first_failure {
        Some((depth, anchor, (failure, why))) => {
            report.matched = true;
            report.depth = Some(depth);
            report.anchor = Some(anchor);
            report.detail = why;
            report.failure = Some(failure);
        }
        None => {
            let (failure, detail) = if certs.len() < 2 && record.matching_type != MatchingType::FULL {
                (
                    Failure::AnchorNotSent,
                    "DANE-TA(2) matches no CA: the server sent only its own certificate, so the trust anchor is missing from the chain (RFC 7671 §5.2.2)",
                )
            } else if certs.first().is_some_and(|leaf| matches_cert(record, leaf)) {
                (
                    Failure::TaMatchesLeaf,
                    "DANE-TA(2) matches the server's own certificate at depth 0, but DANE-TA records pin a CA; use DANE-EE(3) for the server's certificate (RFC 7671 §5.2)",
                )
            } else {
                (Failure::NoMatch, "DANE-TA(2) matches no certificate in the chain")
            };
            report.detail = detail.to_owned();
            report.failure = Some(failure);
        }
    }
}

fn set_ta_success(report: &mut RecordReport, anchor: Anchor, depth: usize, expires: Option<Expiry>) {
    report.matched = true;
    report.authenticates = true;
    report.depth = Some(depth);
    report.anchor = Some(anchor);
    report.path_expires = expires;
}

/// The one of two expiries that comes first.
fn earlier(a: Option<Expiry>, b: Option<Expiry>) -> Option<Expiry> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.not_after < x.not_after { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

/// A `2 0 0` record carries a certificate, a `2 1 0` record a SubjectPublicKeyInfo.
fn anchor_from_record(record: &Tlsa) -> Option<(Option<Certificate>, Vec<u8>)> {
    match record.selector {
        Selector::CERT => {
            let cert = Certificate::from_der(&record.data).ok()?;
            let spki = cert.spki().to_vec();
            Some((Some(cert), spki))
        }
        Selector::SPKI => {
            let key = PublicKey::from_der(&record.data).ok()?;
            Some((None, key.spki().to_vec()))
        }
        _ => None,
    }
}

/// Checks a certificate carried in a record as the issuer of `certs[top]`:
/// it must be a CA, valid at `now`, and its pathLen must allow the chain
/// below. A bare key has no such constraints.
fn verify_anchor(
    anchor: Option<&Certificate>,
    certs: &[Certificate],
    top: usize,
    now: i64,
) -> Result<Option<Expiry>, PathError> {
    let Some(a) = anchor else { return Ok(None) };
    check_issuer_constraints(a, certs, top.saturating_add(1), "the trust anchor in the record")
        .map_err(|e| (Failure::InvalidPath, e))?;
    check_dates(a, None, now, "the trust anchor in the record")?;
    Ok(Some(Expiry { not_after: a.not_after, depth: None, subject: a.subject.clone() }))
}

fn check_dates(cert: &Certificate, depth: Option<usize>, now: i64, what: &str) -> Result<(), PathError> {
    let subject = cert.subject.clone();
    if now < cert.not_before {
        Err((
            Failure::NotYetValid { depth, subject, not_before: cert.not_before },
            format!("{what} is not valid yet (notBefore {}, checked at {now})", cert.not_before),
        ))
    } else if now > cert.not_after {
        Err((
            Failure::Expired { depth, subject, not_after: cert.not_after },
            format!("{what} has expired (notAfter {}, checked at {now})", cert.not_after),
        ))
    } else {
        Ok(())
    }
}

/// `issuer` sits at `depth` (it may be just above the chain): it must be a CA
/// allowed to sign certificates, and its pathLenConstraint must allow the
/// non-self-issued intermediates between it and the leaf (RFC 5280 §4.2.1.9, §6.1.4).
fn check_issuer_constraints(
    issuer: &Certificate,
    certs: &[Certificate],
    depth: usize,
    what: &str,
) -> Result<(), String> {
    if !issuer.is_ca {
        return Err(format!("{what} is not a CA (basicConstraints cA is not true, RFC 5280 §4.2.1.9)"));
    }
    if issuer.key_cert_sign == Some(false) {
        return Err(format!("{what} may not sign certificates (keyUsage lacks keyCertSign, RFC 5280 §4.2.1.3)"));
    }
    if let Some(max) = issuer.path_len {
        let below = (1..depth).filter(|d| certs.get(*d).is_some_and(|c| !c.is_self_issued())).count();
        if below > usize::try_from(max).unwrap_or(usize::MAX) {
            return Err(format!(
                "{what} allows at most {max} intermediate CAs below it (pathLenConstraint), found {below}"
            ));
        }
    }
    Ok(())
}

/// Verifies the path from the anchor at `top` (a chain certificate, or the
/// top certificate already verified against a record's key when `anchor` is
/// `None`) down to the leaf, and the leaf's name. Returns the
/// certificate on the path to expire first.
fn verify_path(
    certs: &[Certificate],
    anchor: Option<&Certificate>,
    top: usize,
    names: &ReferenceNames,
    now: i64,
) -> Result<Option<Expiry>, PathError> {
    let invalid = |e: String| (Failure::InvalidPath, e);
    let mut expires: Option<Expiry> = None;
    if let Some(a) = anchor {
        check_issuer_constraints(a, certs, top, &format!("the trust anchor at depth {top}")).map_err(invalid)?;
    }
    for depth in (0..=top).rev() {
        let Some(cert) = certs.get(depth) else { return Err(invalid(format!("depth {depth} is missing"))) };
        check_dates(cert, Some(depth), now, &format!("the certificate at depth {depth} ({})", cert.subject))?;
        expires = earlier(
            expires,
            Some(Expiry { not_after: cert.not_after, depth: Some(depth), subject: cert.subject.clone() }),
        );
        let Some(child_depth) = depth.checked_sub(1) else { break };
        let Some(child) = certs.get(child_depth) else { break };
        // Every issuer must be a CA; the anchor's own constraints were checked above.
        let is_anchor = depth == top && anchor.is_some();
        if !is_anchor {
            check_issuer_constraints(
                cert,
                certs,
                depth,
                &format!("the certificate at depth {depth} ({})", cert.subject),
            )
            .map_err(invalid)?;
        }
        if !child.is_named_issuer(cert) {
            return Err(invalid(format!(
                "the certificate at depth {child_depth} names issuer \"{}\", but the one at depth {depth} is \"{}\" (a missing or misordered intermediate?)",
                child.issuer, cert.subject
            )));
        }
        child.verify_signed_by(cert.spki()).map_err(|e| {
            invalid(format!("the signature on the certificate at depth {child_depth} by depth {depth}: {e}"))
        })?;
    }
    let leaf = certs.first().ok_or_else(|| invalid("the chain is empty".to_owned()))?;
    names.check_leaf(leaf).map_err(|e| {
        let presented = if leaf.dns_names.is_empty() { leaf.common_names.clone() } else { leaf.dns_names.clone() };
        (Failure::NameMismatch { presented, reference: names.as_slice().to_vec() }, e.to_string())
    })?;
    Ok(expires)
}

#[cfg(test)]
mod tests;
