//! The edge's answer to `GET /api/check?domain=<d>&view=<lang>` in default
//! mode: the core's verdict already in the web layer's words
//! ([`geleit_web::worded`]: the app's own view of it, worded by the edge),
//! or the edge's error `{"error": {"code", "message"}}` with an HTTP status
//! (and `Retry-After` when rate limited), read by the API contract
//! ([`geleit_web::worded::read_answer`]: [`geleit::api::read_answer`]'s
//! reading with the app's first-module JSON reader, no serde_json) and put
//! into words in the widget's language. The small default module so links neither the core's verdict
//! types nor the verdict words: the edge decides nothing the app would not,
//! and the widget draws what it says. An edge whose DNS resolver could not
//! be reached (`dns_unreachable`) gets the same neutral view as the app's
//! own unreachable resolver: it says nothing about the domain.

use geleit::api::{self, ApiError, ErrorCode};
use geleit_web::checker::{self, Badge, CheckView, Shown};
use geleit_web::domain::Domain;
use geleit_web::i18n::Lang;
use geleit_web::worded::{self, Worded};

/// The most the widget reads of an answer: a verdict for a domain with
/// many MX hosts and addresses is some tens of KB, worded about twice that.
pub const MAX_BODY: usize = 2 << 20;

/// What came back.
#[derive(Debug)]
pub enum Answer {
    /// HTTP 200 with the worded verdict.
    Verdict(Box<Worded>),
    /// The edge's error.
    Error(ApiError),
    /// No answer at all (the request failed: offline, CORS, DNS of the edge).
    Unreachable,
    /// An answer that is neither a verdict nor the edge's error (a proxy's
    /// page, a truncated body): what went wrong, for the message.
    Unreadable(String),
}

/// Reads the answer about `d`: `status` 0 means the request itself failed.
/// A verdict about another name than the one asked is no answer to the question.
#[must_use]
pub fn read(d: &Domain, status: u16, retry_after: Option<&str>, body: &str) -> Answer {
    if status == 0 {
        return Answer::Unreachable;
    }
    if body.len() > MAX_BODY {
        return Answer::Unreadable(format!("expected at most {MAX_BODY} octets, found {}", body.len()));
    }
    match worded::read_answer(status, retry_after, body) {
        api::Answer::Ok(w) if w.view.domain.trim_end_matches('.') != d.ascii || w.view.direct != d.direct => {
            Answer::Unreadable(format!(
                "expected a verdict about {}, found one about {}",
                d.written(false),
                geleit_web::domain::shorten(&if w.view.direct {
                    format!("[{}]", w.view.domain)
                } else {
                    w.view.domain.clone()
                })
            ))
        }
        api::Answer::Ok(w) => Answer::Verdict(Box::new(w)),
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
        Answer::Verdict(w) => w.view.clone(),
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
        direct: d.direct,
        domain_unicode: d.unicode.clone(),
        shown: Shown::Failed,
        headline: t.ck_failed.to_owned(),
        summary: problem_words(answer, lang),
        first_fix: None,
        mx_badge: Badge { class: "pending".into(), text: t.ck_pending.to_owned() },
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
    use geleit::verdict::{DomainVerdict, Verdict};
    use geleit_web::worded::WordedAnswer;

    use super::*;

    const RATE: &str = r#"{"error":{"code":"rate_limited","message":"too many probes: try again in 7 s"}}"#;

    fn words(status: u16, retry: Option<&str>, body: &str, lang: Lang) -> String {
        problem_words(&read(&example(), status, retry, body), lang)
    }

    fn example() -> Domain {
        geleit_web::domain::parse("bücher.example").unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// A verdict with a mail-policy finding beside it, as the core makes it.
    fn verdict() -> DomainVerdict {
        use geleit::dns::{MxOutcome, Status, TxtOutcome};
        use geleit::mailpolicy::{MailPolicy, Mode, PolicyFinding, TxtState};
        let txt = |name: &str| TxtState {
            name: name.into(),
            status: Status::Secure,
            outcome: TxtOutcome::Records,
            proof: "secure".into(),
            records: Vec::new(),
        };
        DomainVerdict {
            domain: "xn--bcher-kva.example.".into(),
            mx_status: Status::Secure,
            mx_outcome: MxOutcome::Hosts,
            verdict: Verdict::Authenticated,
            authenticated: true,
            findings: Vec::new(),
            hosts: Vec::new(),
            unchecked: Vec::new(),
            rounds: 3,
            queries: 9,
            first_signature_expiry: None,
            mail_policy: Some(MailPolicy {
                tlsrpt_txt: txt("_smtp._tls.xn--bcher-kva.example."),
                tlsrpt: None,
                mta_sts_txt: txt("_mta-sts.xn--bcher-kva.example."),
                mta_sts: None,
                policy: None,
                findings: vec![
                    PolicyFinding::StsMxNotCovered {
                        host: "mx.xn--bcher-kva.example".into(),
                        mode: Mode::Enforce,
                        patterns: vec![],
                    }
                    .into(),
                ],
            }),
        }
    }

    /// The edge's answer with `view=<lang>`, written by the edge's own code.
    fn worded(lang: Lang) -> String {
        let v = verdict();
        let d = geleit_web::domain::from_ascii(&v.domain, false).unwrap_or_else(|| panic!("no domain"));
        serde_json::to_string(&WordedAnswer::new(&d, &v, lang)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_edges_worded_verdict_is_drawn_as_the_app_words_it_mail_policy_included() {
        let d = example();
        for lang in [Lang::En, Lang::De] {
            let body = worded(lang);
            let answer = read(&d, 200, None, &body);
            let Answer::Verdict(w) = &answer else { panic!("{answer:?}") };
            assert!(w.authenticated);
            assert_eq!(problem_words(&answer, lang), "");
            let v = view(&d, &answer, lang);
            // Exactly the app's view of the core's verdict, in the widget's language.
            assert_eq!(v, checker::verdict_view(&d, &verdict(), lang));
            assert_eq!(v.shown, Shown::Verdict(Verdict::Authenticated));
            assert_eq!(v.policy_findings.iter().map(|f| &*f.code).collect::<Vec<_>>(), ["sts_mx_not_covered"]);
            // The core's verdict is handed on as the edge sent it.
            assert_eq!(serde_json::from_str::<DomainVerdict>(&w.verdict).unwrap_or_else(|e| panic!("{e}")), verdict());
            // Byte for byte as the edge wrote it.
            assert_eq!(w.verdict, serde_json::to_string(&verdict()).unwrap_or_default());
        }
        assert!(
            view(&d, &read(&d, 200, None, &worded(Lang::De)), Lang::De).policy_findings[0].title.contains("MTA-STS"),
            "German policy words"
        );
    }

    #[test]
    fn a_verdict_about_another_name_or_without_words_is_no_answer() {
        let other = geleit_web::domain::parse("example.org").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(
            read(&other, 200, None, &worded(Lang::En)),
            Answer::Unreadable(w) if w == "expected a verdict about example.org, found one about xn--bcher-kva.example"
        ));
        // A host asked directly is not answered by a check of a domain of that name.
        let mut direct = example();
        direct.direct = true;
        assert!(matches!(
            read(&direct, 200, None, &worded(Lang::En)),
            Answer::Unreadable(w) if w == "expected a verdict about [xn--bcher-kva.example], found one about xn--bcher-kva.example"
        ));
        // A bare verdict (an edge that ignores `view`) has no words to draw.
        let bare = serde_json::to_string(&verdict()).unwrap_or_default();
        assert!(matches!(read(&example(), 200, None, &bare), Answer::Unreadable(_)));
    }

    #[test]
    fn a_worded_answer_that_is_no_json_or_does_not_fit_is_refused() {
        let body = worded(Lang::En);
        let cut = body.get(..body.find("\"hosts\"").unwrap_or_default()).unwrap_or_default();
        assert!(cut.ends_with(','), "{cut}");
        assert!(matches!(
            read(&example(), 200, None, cut),
            Answer::Unreadable(w) if w.starts_with("expected the edge's JSON answer, found one it cannot read: expected")
                && w.ends_with(&format!("found the end of the text at byte {}", cut.len()))
        ));
        let mut v: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}"));
        v["view"]["mx_badge"] = "secure".into();
        assert!(matches!(
            read(&example(), 200, None, &v.to_string()),
            Answer::Unreadable(w) if w == "expected the edge's JSON answer, found one it cannot read: expected a worded answer (view, authenticated, verdict), found JSON that does not fit"
        ));
        // About another name, well formed: the name is what is refused.
        v["view"]["mx_badge"] = serde_json::json!({"class": "secure", "text": "Signed"});
        v["view"]["domain"] = "example.net".into();
        assert!(matches!(
            read(&example(), 200, None, &v.to_string()),
            Answer::Unreadable(w) if w == "expected a verdict about xn--bcher-kva.example, found one about example.net"
        ));
    }

    #[test]
    fn rate_limit_says_when_to_try_again_in_both_languages() {
        assert_eq!(words(429, Some("7"), RATE, Lang::En), "Too many checks in a short time. Please try again in 7 s.");
        assert_eq!(
            words(429, Some(" 7 "), RATE, Lang::De),
            "Zu viele Prüfungen in kurzer Zeit. Bitte in 7 s noch einmal versuchen."
        );
        assert_eq!(words(429, None, RATE, Lang::En), "Too many checks in a short time. Please try again shortly.");
        let Answer::Error(e) = read(&example(), 429, Some("Wed, 21 Oct 2026 07:28:00 GMT"), RATE) else { panic!() };
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
        let v = view(&d, &read(&example(), 502, None, dns), Lang::En);
        assert_eq!(v.shown, checker::Shown::ResolverUnreachable);
        assert_eq!(v.headline, "DNS resolver not reached");
        assert_eq!(v.summary, "Geleit could not reach its DNS resolver — this says nothing about bücher.example.");
        assert!(v.retry);
        assert_eq!(v.detail.as_deref(), Some("expected the DNS upstream to answer the check's queries, found none"));
        assert!(v.hosts.is_empty() && v.mx_findings.is_empty());
        let de = view(&d, &read(&example(), 502, None, dns), Lang::De);
        assert_eq!(
            de.summary,
            "Geleit konnte seinen DNS-Resolver nicht erreichen – das sagt nichts über bücher.example aus."
        );
        // Other errors stay a check that could not run.
        assert_eq!(view(&d, &read(&example(), 429, Some("3"), RATE), Lang::En).shown, checker::Shown::Failed);
        assert_eq!(view(&d, &Answer::Unreachable, Lang::En).shown, checker::Shown::Failed);
    }

    #[test]
    fn a_failed_check_is_a_failed_view_with_the_words_as_summary() {
        let d = geleit_web::domain::parse("bücher.example").unwrap();
        let v = view(&d, &read(&example(), 429, Some("3"), RATE), Lang::De);
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
            matches!(read(&example(), 200, None, r#"{"verdict": "maybe"}"#), Answer::Unreadable(w) if w.starts_with("expected the edge's JSON answer, found one it cannot read"))
        );
        let big = " ".repeat(MAX_BODY + 1);
        assert!(
            matches!(read(&example(), 200, None, &big), Answer::Unreadable(w) if w.starts_with("expected at most"))
        );
    }
}
