//! The edge's answer to `GET /api/check?domain=` in default mode: the core's
//! [`DomainVerdict`] as JSON (what `geleit check <domain> --json` prints), or
//! the edge's error `{"error": {"code", "message"}}` with an HTTP status
//! (and `Retry-After` when rate limited), read by the API contract
//! ([`geleit::api::read_answer`]) and put into words in the widget's
//! language. An edge whose DNS resolver could not be reached
//! (`dns_unreachable`) gets the same neutral view as the app's own
//! unreachable resolver: it says nothing about the domain.

use geleit::api::{self, ApiError, ErrorCode};
use geleit::verdict::DomainVerdict;
use geleit_web::checker::{self, Badge, CheckView, Shown};
use geleit_web::domain::Domain;
use geleit_web::i18n::Lang;

/// The most the widget reads of an answer: a verdict for a domain with
/// many MX hosts and addresses is some tens of KB.
pub const MAX_BODY: usize = 2 << 20;

/// The edge's [`DomainVerdict`] as the default bundle reads it: every field
/// but `mail_policy` (TLSRPT and MTA-STS beside the verdict) and
/// `first_signature_expiry` (the signature look-ahead's figure; a due
/// signature is among the findings), which are skipped unread. Reading its typed findings costs the bundle about 20 KB
/// gzip against a budget of 150 KB (issue 7); the web app and `/api/check`
/// show them, and the widget's text says where (its report link).
#[derive(serde::Deserialize)]
struct EdgeVerdict {
    domain: String,
    mx_status: geleit::dns::Status,
    mx_outcome: geleit::dns::MxOutcome,
    verdict: geleit::verdict::Verdict,
    authenticated: bool,
    findings: Vec<geleit::verdict::Reported>,
    hosts: Vec<geleit::verdict::HostVerdict>,
    #[serde(default)]
    unchecked: Vec<geleit::dns::UncheckedHost>,
    rounds: u32,
    queries: u32,
}

impl From<EdgeVerdict> for DomainVerdict {
    fn from(v: EdgeVerdict) -> Self {
        Self {
            domain: v.domain,
            mx_status: v.mx_status,
            mx_outcome: v.mx_outcome,
            verdict: v.verdict,
            authenticated: v.authenticated,
            findings: v.findings,
            hosts: v.hosts,
            unchecked: v.unchecked,
            rounds: v.rounds,
            queries: v.queries,
            mail_policy: None,
            first_signature_expiry: None,
        }
    }
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// HTTP 200 with a verdict.
    Verdict(Box<DomainVerdict>),
    /// The edge's error.
    Error(ApiError),
    /// No answer at all (the request failed: offline, CORS, DNS of the edge).
    Unreachable,
    /// An answer that is neither a verdict nor the edge's error (a proxy's
    /// page, a truncated body): what went wrong, for the message.
    Unreadable(String),
}

/// Reads the answer: `status` 0 means the request itself failed.
#[must_use]
pub fn read(status: u16, retry_after: Option<&str>, body: &str) -> Answer {
    if status == 0 {
        return Answer::Unreachable;
    }
    if body.len() > MAX_BODY {
        return Answer::Unreadable(format!("expected at most {MAX_BODY} octets, found {}", body.len()));
    }
    match api::read_answer::<EdgeVerdict>(status, retry_after, body) {
        api::Answer::Ok(v) => Answer::Verdict(Box::new(v.into())),
        api::Answer::Error(e) => Answer::Error(e),
        api::Answer::Unreadable(why) => Answer::Unreadable(why),
    }
}

/// What the widget shows for `answer` about `d`: the verdict, the neutral
/// view when the edge's resolver could not be reached, or `failed` with
/// [`problem_words`] as its summary (as the app shows a check that could not run).
#[must_use]
pub fn view(d: &Domain, answer: &Answer, lang: Lang) -> CheckView {
    match answer {
        Answer::Verdict(dv) => checker::verdict_view(d, dv, lang),
        Answer::Error(e) if e.code == ErrorCode::DnsUnreachable => {
            checker::unreachable_view(d, Some(e.message.clone()), lang)
        }
        _ => failed_view(d, answer, lang),
    }
}

/// Why the check did not come back with a verdict, in words.
#[must_use]
pub fn problem_words(answer: &Answer, lang: Lang) -> String {
    let de = lang == Lang::De;
    match answer {
        Answer::Verdict(_) => String::new(),
        Answer::Unreachable => if de {
            "Der Prüfdienst war nicht erreichbar. Bitte später noch einmal versuchen."
        } else {
            "The checking service could not be reached. Please try again later."
        }
        .to_owned(),
        Answer::Unreadable(why) => {
            if de {
                format!("Der Prüfdienst hat unlesbar geantwortet: {why}")
            } else {
                format!("The checking service sent an answer the widget cannot read: {why}")
            }
        }
        Answer::Error(e) => error_words(e, lang),
    }
}

fn failed_view(d: &Domain, answer: &Answer, lang: Lang) -> CheckView {
    let t = lang.t();
    CheckView {
        domain: d.ascii.clone(),
        domain_unicode: d.unicode.clone(),
        shown: Shown::Failed,
        headline: t.ck_failed.to_owned(),
        summary: problem_words(answer, lang),
        first_fix: None,
        mx_badge: Badge { class: "pending", text: t.ck_pending.to_owned() },
        mx_findings: Vec::new(),
        mx_trace: Vec::new(),
        policy_findings: Vec::new(),
        hosts: Vec::new(),
        unchecked: Vec::new(),
        advice: Vec::new(),
        progress: String::new(),
        retry: false,
        detail: None,
    }
}

fn error_words(e: &ApiError, lang: Lang) -> String {
    let de = lang == Lang::De;
    let m = &e.message;
    match (&e.code, e.retry_after_s) {
        (ErrorCode::RateLimited, Some(s)) if de => {
            format!("Zu viele Prüfungen in kurzer Zeit. Bitte in {s} s noch einmal versuchen.")
        }
        (ErrorCode::RateLimited, Some(s)) => format!("Too many checks in a short time. Please try again in {s} s."),
        (ErrorCode::RateLimited, None) if de => {
            "Zu viele Prüfungen in kurzer Zeit. Bitte gleich noch einmal versuchen.".to_owned()
        }
        (ErrorCode::RateLimited, None) => "Too many checks in a short time. Please try again shortly.".to_owned(),
        (ErrorCode::BadDomain | ErrorCode::LiteralAddress | ErrorCode::MissingParameter, _) if de => {
            format!("Das ist keine prüfbare Mail-Domain ({m}).")
        }
        (ErrorCode::BadDomain | ErrorCode::LiteralAddress | ErrorCode::MissingParameter, _) => {
            format!("This is no mail domain that can be checked ({m}).")
        }
        (ErrorCode::BudgetExceeded, _) if de => {
            "Die Prüfung hat zu lange gedauert und wurde abgebrochen. Bitte später noch einmal versuchen.".to_owned()
        }
        (ErrorCode::BudgetExceeded, _) => "The check took too long and was stopped. Please try again later.".to_owned(),
        (ErrorCode::TargetRefused, _) if de => format!("Der Prüfdienst darf diese Mailserver nicht ansprechen ({m})."),
        (ErrorCode::TargetRefused, _) => format!("The checking service may not connect to these mail servers ({m})."),
        (code, _) if de => format!("Der Prüfdienst meldet einen Fehler ({}: {m}).", code.as_str()),
        (code, _) => format!("The checking service reported an error ({}: {m}).", code.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use geleit::verdict::Verdict;

    use super::*;

    const RATE: &str = r#"{"error":{"code":"rate_limited","message":"too many probes: try again in 7 s"}}"#;

    fn words(status: u16, retry: Option<&str>, body: &str, lang: Lang) -> String {
        problem_words(&read(status, retry, body), lang)
    }

    #[test]
    fn a_verdict_is_read_into_the_core_type() {
        let body = r#"{"domain": "example.org", "mx_status": "secure", "mx_outcome": "hosts", "verdict": "authenticated",
            "authenticated": true, "findings": [], "hosts": [], "rounds": 3, "queries": 9}"#;
        let Answer::Verdict(v) = read(200, None, body) else { panic!("{:?}", read(200, None, body)) };
        assert_eq!((v.verdict, v.authenticated, v.queries), (Verdict::Authenticated, true, 9));
        assert_eq!(problem_words(&Answer::Verdict(v), Lang::En), "");
    }

    #[test]
    fn the_mail_policy_beside_the_verdict_is_skipped_unread() {
        let body = r#"{"domain": "example.org", "mx_status": "secure", "mx_outcome": "hosts", "verdict": "authenticated",
            "authenticated": true, "findings": [], "hosts": [], "rounds": 3, "queries": 9,
            "mail_policy": {"findings": [{"code": "sts_mx_not_covered", "tone": "error", "host": "mx.example.org"}]}}"#;
        let Answer::Verdict(v) = read(200, None, body) else { panic!("{:?}", read(200, None, body)) };
        assert_eq!((v.verdict, v.mail_policy.is_none()), (Verdict::Authenticated, true));
    }

    #[test]
    fn rate_limit_says_when_to_try_again_in_both_languages() {
        assert_eq!(words(429, Some("7"), RATE, Lang::En), "Too many checks in a short time. Please try again in 7 s.");
        assert_eq!(
            words(429, Some(" 7 "), RATE, Lang::De),
            "Zu viele Prüfungen in kurzer Zeit. Bitte in 7 s noch einmal versuchen."
        );
        assert_eq!(words(429, None, RATE, Lang::En), "Too many checks in a short time. Please try again shortly.");
        let Answer::Error(e) = read(429, Some("Wed, 21 Oct 2026 07:28:00 GMT"), RATE) else { panic!() };
        assert_eq!((e.code, e.retry_after_s), (ErrorCode::RateLimited, None));
    }

    #[test]
    fn edge_errors_are_worded_with_the_edge_message_where_it_helps() {
        let bad =
            r#"{"error":{"code":"bad_domain","message":"expected a mail domain name, found \"a..b\": empty label"}}"#;
        assert_eq!(
            words(400, None, bad, Lang::En),
            "This is no mail domain that can be checked (expected a mail domain name, found \"a..b\": empty label)."
        );
        assert!(words(400, None, bad, Lang::De).starts_with("Das ist keine prüfbare Mail-Domain (expected"));
        let budget = r#"{"error":{"code":"budget_exceeded","message":"expected the check to finish within 20000 ms"}}"#;
        assert_eq!(
            words(504, None, budget, Lang::En),
            "The check took too long and was stopped. Please try again later."
        );
        assert!(words(504, None, budget, Lang::De).starts_with("Die Prüfung hat zu lange gedauert"));
        let other = r#"{"error":{"code":"internal","message":"internal error"}}"#;
        assert_eq!(
            words(500, None, other, Lang::En),
            "The checking service reported an error (internal: internal error)."
        );
    }

    #[test]
    fn an_edge_without_its_dns_resolver_is_the_neutral_state_never_a_failure_of_the_domain() {
        let d = geleit_web::domain::parse("bücher.example").unwrap();
        let dns = r#"{"error":{"code":"dns_unreachable","message":"expected the DNS upstream to answer the check's queries, found none"}}"#;
        let v = view(&d, &read(502, None, dns), Lang::En);
        assert_eq!(v.shown, checker::Shown::ResolverUnreachable);
        assert_eq!(v.headline, "DNS resolver not reached");
        assert_eq!(v.summary, "Geleit could not reach its DNS resolver — this says nothing about bücher.example.");
        assert!(v.retry);
        assert_eq!(v.detail.as_deref(), Some("expected the DNS upstream to answer the check's queries, found none"));
        assert!(v.hosts.is_empty() && v.mx_findings.is_empty());
        let de = view(&d, &read(502, None, dns), Lang::De);
        assert_eq!(
            de.summary,
            "Geleit konnte seinen DNS-Resolver nicht erreichen – das sagt nichts über bücher.example aus."
        );
        // Other errors stay a check that could not run.
        assert_eq!(view(&d, &read(429, Some("3"), RATE), Lang::En).shown, checker::Shown::Failed);
        assert_eq!(view(&d, &Answer::Unreachable, Lang::En).shown, checker::Shown::Failed);
    }

    #[test]
    fn a_failed_check_is_a_failed_view_with_the_words_as_summary() {
        let d = geleit_web::domain::parse("bücher.example").unwrap();
        let v = view(&d, &read(429, Some("3"), RATE), Lang::De);
        assert_eq!(
            (v.shown, v.domain.as_str(), v.domain_unicode.as_str()),
            (checker::Shown::Failed, "xn--bcher-kva.example", "bücher.example")
        );
        assert_eq!(v.headline, Lang::De.t().ck_failed);
        assert_eq!(v.summary, "Zu viele Prüfungen in kurzer Zeit. Bitte in 3 s noch einmal versuchen.");
        assert!(v.hosts.is_empty() && v.mx_findings.is_empty());
    }

    #[test]
    fn no_answer_or_foreign_answers_are_said_as_such() {
        assert_eq!(words(0, None, "", Lang::En), "The checking service could not be reached. Please try again later.");
        assert!(words(0, None, "", Lang::De).starts_with("Der Prüfdienst war nicht erreichbar"));
        assert_eq!(
            words(502, None, "<html>Bad gateway</html>", Lang::En),
            "The checking service sent an answer the widget cannot read: expected an answer or an error from the edge, found HTTP status 502 with \\x3chtml\\x3eBad gateway\\x3c/html\\x3e"
        );
        assert!(
            matches!(read(200, None, r#"{"verdict": "maybe"}"#), Answer::Unreadable(w) if w.starts_with("expected the edge's JSON answer, found one it cannot read"))
        );
        let big = " ".repeat(MAX_BODY + 1);
        assert!(matches!(read(200, None, &big), Answer::Unreadable(w) if w.starts_with("expected at most")));
    }
}
