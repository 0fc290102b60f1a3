//! The matcher's view model: a pasted chain and TLSA records → which record
//! matches which certificate, as a DANE-aware SMTP client decides
//! ([`geleit::dane::check`], RFC 7672 §2.2, §3).

use geleit::cert::read_input;
use geleit::dane::{Anchor, ChainEntry, Check, Failure, RecordReport, ReferenceNames, Report, Verdict, check};
use geleit::tlsa::{Tlsa, Unusable, scan_records};

use crate::dates::ymd;
use crate::detail_words::{cert_error_text, dane_error_text, record_detail_text, scan_error_text};
use crate::generator::{Problem, explain, host_to_ascii};
use crate::i18n::{Lang, Strings};

/// Days ahead the matcher looks for expiry.
pub const LOOK_AHEAD_DAYS: u32 = 30;

/// What the person typed into the matcher.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchForm {
    pub chain: String,
    pub records: String,
    pub host: String,
}

/// Verdict words for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictView {
    /// For tests and `data-verdict`: `authenticated`, `not_authenticated`, `no_usable_records`.
    pub class: &'static str,
    /// The core's tone of it (styling).
    pub tone: &'static str,
    pub headline: &'static str,
    pub why: String,
    pub fix: Option<String>,
}

/// One record's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOutcome {
    pub rdata: String,
    pub explanation: String,
    /// `authenticates`, `matches`, `no_match`, `unusable`.
    pub class: &'static str,
    pub status: String,
    /// Translated reasons it is unusable.
    pub reasons: Vec<String>,
    /// What was checked and what failed, in the page's language.
    pub detail: String,
}

/// One certificate of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainView {
    pub depth: usize,
    pub subject: String,
    pub issuer: String,
    pub validity: String,
    pub key: String,
}

/// The matcher's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchView {
    pub verdict: VerdictView,
    pub records: Vec<RecordOutcome>,
    pub chain: Vec<ChainView>,
    /// Expiry and look-ahead, in words.
    pub notes: Vec<String>,
    /// DANE-TA(2) records that match the chain, but the name check failed
    /// (RFC 7672 §3.2.3): its own finding, not "matches nothing".
    pub name_check: Option<String>,
}

/// The MX host named by the owner of the first pasted zone-file line
/// (`_25._tcp.mx.example.` → `mx.example`), if it has one.
#[must_use]
pub fn host_from_records(text: &str) -> Option<String> {
    scan_records(text).filter_map(Result::ok).find_map(|s| {
        let owner = s.owner?;
        let mut labels = owner.trim_end_matches('.').splitn(3, '.');
        let (port, proto, host) = (labels.next()?, labels.next()?, labels.next()?);
        (port.starts_with('_') && proto.starts_with('_') && !host.is_empty()).then(|| host.to_ascii_lowercase())
    })
}

/// Runs the matcher at `now` (Unix seconds); `None` while both fields are empty.
#[must_use]
pub fn run(form: &MatchForm, now: i64, lang: Lang) -> Option<Result<MatchView, Problem>> {
    if form.chain.trim().is_empty() && form.records.trim().is_empty() {
        return None;
    }
    Some(run_inner(form, now, lang))
}

fn run_inner(form: &MatchForm, now: i64, lang: Lang) -> Result<MatchView, Problem> {
    let t = lang.t();
    let problem = |m: String| Problem { message: m, detail: None };
    if form.chain.trim().is_empty() {
        return Err(problem(t.match_need_chain.into()));
    }
    let input = read_input(form.chain.as_bytes())
        .map_err(|e| Problem { message: t.match_bad_chain.into(), detail: Some(cert_error_text(&e, lang)) })?;
    let chain: Vec<Vec<u8>> = input.certificates().map(|c| c.der().to_vec()).collect();
    if chain.is_empty() {
        return Err(problem(t.match_need_chain.into()));
    }
    let mut records: Vec<Tlsa> = Vec::new();
    for scanned in scan_records(&form.records) {
        match scanned {
            Ok(s) => records.push(s.record),
            Err(e) => return Err(problem((t.match_bad_record)(e.position().line, &scan_error_text(&e, lang)))),
        }
    }
    if records.is_empty() {
        return Err(problem(t.match_need_records.into()));
    }
    let host = host_to_ascii(form.host.trim());
    let names: Vec<String> = if host.is_empty() { Vec::new() } else { vec![host.clone()] };
    let names = ReferenceNames::new(&names).map_err(|_| problem((t.match_bad_host)(&host)))?;
    let report = check(&chain, &records, Check { names: &names, now, look_ahead_days: Some(LOOK_AHEAD_DAYS) })
        .map_err(|e| Problem { message: t.match_bad_chain.into(), detail: Some(dane_error_text(&e, lang)) })?;
    let mut v = view(&report, t);
    if !report.authenticated
        && let Some(words) = name_check_words(&report, &host, t)
    {
        t.match_name_why.clone_into(&mut v.verdict.why);
        v.verdict.fix = Some(t.match_name_fix.to_owned());
        v.name_check = Some(words);
    }
    Ok(v)
}

/// When a DANE-TA(2) record matched and only the name check failed, why, in words.
fn name_check_words(report: &Report, host: &str, t: &Strings) -> Option<String> {
    report.records.iter().find_map(|r| match &r.failure {
        Some(Failure::NameMismatch { presented, .. }) if r.matched => Some(if host.is_empty() {
            t.match_name_missing.to_owned()
        } else {
            (t.match_name_mismatch)(host, &presented.join(", "))
        }),
        _ => None,
    })
}

/// The page's words for a core report (also used for each probed address by the checker).
#[must_use]
pub fn view(report: &Report, t: &Strings) -> MatchView {
    let records = report.records.iter().map(|r| record_outcome(r, &report.chain, t)).collect();
    let chain = report
        .chain
        .iter()
        .map(|c| ChainView {
            depth: c.depth,
            subject: c.certificate.subject.clone(),
            issuer: c.certificate.issuer.clone(),
            validity: (t.gen_valid)(&ymd(c.certificate.not_before), &ymd(c.certificate.not_after)),
            key: c.certificate.key.clone(),
        })
        .collect();
    let mut notes = Vec::new();
    if let Some(e) = &report.expiry {
        notes.push((t.match_expires)(&ymd(e.not_after), &e.subject));
    }
    if let Some(la) = &report.look_ahead
        && report.authenticated
    {
        notes.push(if la.authenticated { (t.match_look_ahead_ok)(la.days) } else { (t.match_look_ahead_bad)(la.days) });
    }
    MatchView { verdict: verdict_view(report.verdict, t), records, chain, notes, name_check: None }
}

/// Headline, reason and fix for a verdict.
#[must_use]
pub fn verdict_view(verdict: Verdict, t: &Strings) -> VerdictView {
    match verdict {
        Verdict::Authenticated => VerdictView {
            class: "authenticated",
            tone: geleit::verdict::Tone::Good.as_str(),
            headline: t.verdict_authenticated,
            why: t.verdict_authenticated_why.to_owned(),
            fix: None,
        },
        Verdict::NotAuthenticated => VerdictView {
            class: "not_authenticated",
            tone: geleit::verdict::Tone::Error.as_str(),
            headline: t.verdict_not_authenticated,
            why: t.verdict_not_authenticated_why.to_owned(),
            fix: Some(t.fix_not_authenticated.to_owned()),
        },
        _ => VerdictView {
            class: "no_usable_records",
            tone: geleit::verdict::Tone::Error.as_str(),
            headline: t.verdict_no_usable,
            why: t.verdict_no_usable_why.to_owned(),
            fix: Some(t.fix_no_usable.to_owned()),
        },
    }
}

fn record_outcome(r: &RecordReport, chain: &[ChainEntry], t: &Strings) -> RecordOutcome {
    let (class, status) = if !r.usable {
        ("unusable", t.match_unusable.to_owned())
    } else if r.authenticates {
        let depth = r.depth.unwrap_or(0);
        let mut s = (t.match_authenticates_at)(depth);
        if r.anchor == Some(Anchor::NotSent) {
            s = format!("{s} — {}", t.match_anchor_not_sent);
        }
        ("authenticates", s)
    } else if r.matched && matches!(r.failure, Some(Failure::NameMismatch { .. })) {
        ("matches", (t.match_matches_name_failed)(r.depth.unwrap_or(0)))
    } else if r.matched {
        ("matches", (t.match_matches_at)(r.depth.unwrap_or(0)))
    } else {
        ("no_match", t.match_no_match.to_owned())
    };
    RecordOutcome {
        rdata: r.record.to_string(),
        explanation: explain(&r.record, t),
        class,
        status,
        reasons: r.problems.iter().map(|p| unusable_words(p, t)).collect(),
        detail: record_detail_text(r, chain, t.lang),
    }
}

/// Why a record cannot be used, in the page's language (RFC 7672 §3.1.3, RFC 7671 §4).
#[must_use]
pub fn unusable_words(p: &Unusable, t: &Strings) -> String {
    match p {
        Unusable::PkixUsage { usage } => (t.unusable_pkix)(u8::from(*usage)),
        Unusable::UnknownUsage { usage } => (t.unusable_usage)(u8::from(*usage)),
        Unusable::UnknownSelector { selector } => (t.unusable_selector)(u8::from(*selector)),
        Unusable::UnknownMatchingType { matching_type } => (t.unusable_matching)(u8::from(*matching_type)),
        Unusable::DigestLength { expected, found, .. } => (t.unusable_length)(*expected, *found),
        Unusable::EmptyData => t.unusable_empty.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{self, GenForm};

    const NOW: i64 = 1_800_000_000;

    fn records_for(pem: &str) -> Vec<String> {
        let view = generator::run(&GenForm { text: pem.to_owned(), ..GenForm::default() }, Lang::En).unwrap().unwrap();
        view.recommended.iter().map(|r| r.rdata.clone()).collect()
    }

    #[test]
    fn generated_3_1_1_authenticates_its_chain() {
        let (leaf, ca) = generator::tests::chain_pem();
        let chain = format!("{leaf}{ca}");
        let rdata = records_for(&chain);
        let form = MatchForm { chain, records: rdata[0].clone(), host: String::new() };
        let view = run(&form, NOW, Lang::En).unwrap().unwrap();
        assert_eq!(view.verdict.class, "authenticated");
        assert_eq!(view.records[0].status, "Authenticates: matches the certificate at depth 0");
        assert_eq!(view.chain.len(), 2);
    }

    #[test]
    fn a_foreign_record_does_not_and_says_how_to_fix() {
        let (leaf, _) = generator::tests::chain_pem();
        let (other, _) = generator::tests::chain_pem();
        let form = MatchForm { chain: leaf, records: records_for(&other)[0].clone(), host: String::new() };
        let view = run(&form, NOW, Lang::De).unwrap().unwrap();
        assert_eq!(view.verdict.class, "not_authenticated");
        assert_eq!(view.verdict.headline, "Nicht authentifiziert");
        assert!(view.verdict.fix.unwrap().contains("3 1 1"));
        assert_eq!(view.records[0].class, "no_match");
    }

    #[test]
    fn pkix_records_are_unusable_with_the_reason_translated() {
        let (leaf, _) = generator::tests::chain_pem();
        let rdata = records_for(&leaf)[0].replacen("3 1 1", "1 1 1", 1);
        let form = MatchForm {
            chain: leaf,
            records: format!("_25._tcp.mx.example.com. 300 IN TLSA {rdata}\n"),
            host: String::new(),
        };
        let view = run(&form, NOW, Lang::En).unwrap().unwrap();
        assert_eq!(view.verdict.class, "no_usable_records");
        assert_eq!(view.records[0].class, "unusable");
        assert!(view.records[0].reasons[0].starts_with("Usage 1 relies on public CAs"));
    }

    #[test]
    fn a_dane_ta_record_that_matches_with_a_wrong_or_missing_name_says_so() {
        let (leaf, ca) = generator::tests::chain_pem();
        let chain = format!("{leaf}{ca}");
        let ta = records_for(&chain)[1].clone();
        assert!(ta.starts_with("2 1 1 "), "{ta}");
        for (host, expect) in [("", "No MX host name"), ("other.example.com", "other.example.com")] {
            let form = MatchForm { chain: chain.clone(), records: ta.clone(), host: host.into() };
            let view = run(&form, NOW, Lang::En).unwrap().unwrap();
            assert_eq!(view.verdict.class, "not_authenticated");
            assert_eq!(view.records[0].class, "matches", "the record matches: {:?}", view.records[0]);
            assert!(
                view.records[0].status.starts_with("Matches the certificate at depth 1"),
                "{}",
                view.records[0].status
            );
            let name = view.name_check.clone().expect("a separate name finding");
            assert!(name.contains(expect), "{name}");
            assert!(!view.verdict.why.contains("none matches"), "{}", view.verdict.why);
            assert!(view.verdict.why.contains("name check failed"), "{}", view.verdict.why);
        }
        let form = MatchForm { chain, records: ta, host: "mx.example.com".into() };
        assert_eq!(run(&form, NOW, Lang::En).unwrap().unwrap().verdict.class, "authenticated");
    }

    #[test]
    fn a_pasted_owner_name_gives_the_host() {
        assert_eq!(host_from_records("_25._tcp.MX.example. 3600 IN TLSA 3 1 1 00").as_deref(), Some("mx.example"));
        assert_eq!(host_from_records("3 1 1 00"), None);
        assert_eq!(host_from_records("mx.example. IN TLSA 3 1 1 00"), None);
    }

    #[test]
    fn bad_input_says_what_is_missing() {
        let form = MatchForm { chain: String::new(), records: "3 1 1 00".into(), host: String::new() };
        assert_eq!(run(&form, NOW, Lang::En).unwrap().unwrap_err().message, "Paste the certificate chain.");
        let (leaf, _) = generator::tests::chain_pem();
        let form = MatchForm { chain: leaf, records: "3 1 1 zz".into(), host: String::new() };
        assert!(
            run(&form, NOW, Lang::En).unwrap().unwrap_err().message.starts_with("Record on line 1 could not be read: ")
        );
        assert_eq!(run(&MatchForm::default(), NOW, Lang::En), None);
    }
}
