//! The edge's worded answer, `GET /api/check?domain=<d>&view=<lang>`: the
//! core's verdict put into the web layer's words by the edge, for the
//! widget's default mode. The edge words it with the same view model as
//! the app ([`crate::checker::verdict_view`]); the widget only reads the
//! view and draws it, so its small module links neither the core's verdict
//! types nor the words. Nothing is decided twice: the verdict is the core's,
//! the words are this crate's, and the answer carries the verdict as well
//! (`verdict`, what `geleit check --json` prints), unread by the widget and
//! handed on to the host page in its event.
//!
//! ```json
//! {"view": {"domain": "example.org", "shown": "authenticated", "headline": "…", …},
//!  "authenticated": true,
//!  "verdict": {"domain": "example.org", "verdict": "authenticated", …}}
//! ```
//!
//! The edge writes it with serde ([`WordedAnswer`]); the widget reads it
//! with the app's first-module reader ([`crate::json`], the view by
//! [`crate::engine`]'s reader of an `Update`), so its default module links
//! no serde_json and no derived visitor of the view's types (issue 14).

use geleit::api::{self, Answer};
use geleit::verdict::DomainVerdict;
use serde::Serialize;

use crate::checker::{self, CheckView};
use crate::domain::Domain;
use crate::i18n::Lang;
use crate::json;

/// The query parameter that asks for the worded answer.
pub const VIEW_PARAMETER: &str = "view";

/// The worded answer as the edge writes it.
#[derive(Debug, Serialize)]
pub struct WordedAnswer<'a> {
    pub view: CheckView,
    /// The core verdict's `authenticated`.
    pub authenticated: bool,
    pub verdict: &'a DomainVerdict,
}

impl<'a> WordedAnswer<'a> {
    /// The verdict about `domain` in `lang`'s words.
    #[must_use]
    pub fn new(domain: &Domain, verdict: &'a DomainVerdict, lang: Lang) -> Self {
        Self { view: checker::verdict_view(domain, verdict, lang), authenticated: verdict.authenticated, verdict }
    }
}

/// The worded answer as the widget reads it: the view, and the verdict as
/// JSON text, not read into the core's types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worded {
    pub view: CheckView,
    pub authenticated: bool,
    /// The core verdict as compact JSON text: [`crate::json`]'s writer
    /// writes what serde_json's compact writer wrote (the edge's
    /// [`WordedAnswer`]), so this is the edge's text byte for byte.
    pub verdict: String,
}

impl Worded {
    /// Reads the edge's worded answer: what a derived `Deserialize` of the
    /// three fields accepts (unknown fields ignored, `verdict` any JSON
    /// value); `None` for anything else.
    #[must_use]
    pub fn from_json(text: &str) -> Option<Self> {
        Self::from_value(&json::parse(text).ok()?)
    }

    fn from_value(v: &json::Value) -> Option<Self> {
        Some(Self {
            view: crate::engine::read::view(v.get("view")?)?,
            authenticated: v.get("authenticated")?.as_bool()?,
            verdict: v.get("verdict")?.to_json(),
        })
    }
}

/// Reads an answer of the edge to `view=<lang>` as [`api::read_answer`]
/// reads one (the same words for what cannot be read, the edge's error from
/// `{"error":{"code":…,"message":…}}` and `Retry-After`), but with
/// [`crate::json`] instead of serde_json.
#[must_use]
pub fn read_answer(status: u16, retry_after: Option<&str>, body: &str) -> Answer<Worded> {
    let value = json::parse(body);
    if status == 200 {
        return match value.as_ref().map(Worded::from_value) {
            Ok(Some(w)) => Answer::Ok(w),
            Ok(None) => Answer::Unreadable(
                "expected the edge's JSON answer, found one it cannot read: expected a worded answer (view, authenticated, verdict), found JSON that does not fit"
                    .to_owned(),
            ),
            Err(e) => Answer::Unreadable(format!("expected the edge's JSON answer, found one it cannot read: {e}")),
        };
    }
    let error = value.ok().and_then(|v| {
        let e = v.get("error")?;
        Some((e.get("code")?.as_str()?.to_owned(), e.get("message")?.as_str()?.to_owned()))
    });
    api::error_answer(status, retry_after, body, error)
}

#[cfg(test)]
mod tests {
    use geleit::dns::{MxOutcome, Status};
    use geleit::verdict::Verdict;

    use super::*;

    fn verdict() -> DomainVerdict {
        DomainVerdict {
            domain: "xn--bcher-kva.example".into(),
            mx_status: Status::Secure,
            mx_outcome: MxOutcome::Hosts,
            verdict: Verdict::NullMx,
            authenticated: false,
            findings: Vec::new(),
            hosts: Vec::new(),
            unchecked: Vec::new(),
            rounds: 2,
            queries: 4,
            mail_policy: None,
            first_signature_expiry: None,
        }
    }

    #[test]
    fn what_the_edge_writes_the_widget_reads_back_unchanged() {
        let v = verdict();
        let d = crate::domain::from_ascii(&v.domain, false).unwrap_or_else(|| panic!("no domain"));
        for lang in [Lang::En, Lang::De] {
            let sent = WordedAnswer::new(&d, &v, lang);
            let text = serde_json::to_string(&sent).unwrap_or_else(|e| panic!("{e}"));
            let read = Worded::from_json(&text).unwrap_or_else(|| panic!("unread: {text}"));
            assert_eq!(read.view, checker::verdict_view(&d, &v, lang));
            assert_eq!(read.view.domain_unicode, "bücher.example");
            assert!(!read.authenticated);
            // The verdict comes through as the core's JSON, byte for byte.
            assert_eq!(read.verdict, serde_json::to_string(&v).unwrap_or_default());
            assert_eq!(read_answer(200, None, &text), Answer::Ok(read));
        }
        let de = WordedAnswer::new(&d, &v, Lang::De);
        assert_ne!(de.view.headline, WordedAnswer::new(&d, &v, Lang::En).view.headline, "worded per language");
    }

    /// What the derived `Deserialize` of the three fields refused is refused;
    /// what it accepted (other fields, any verdict) is read.
    #[test]
    fn answers_that_do_not_fit_are_refused_as_serde_refused_them() {
        let v = verdict();
        let d = crate::domain::from_ascii(&v.domain, false).unwrap_or_else(|| panic!("no domain"));
        let text = serde_json::to_string(&WordedAnswer::new(&d, &v, Lang::En)).unwrap_or_default();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut changed = value.clone();
            edit(&mut changed);
            Worded::from_json(&changed.to_string())
        };
        let none: [&dyn Fn(&mut serde_json::Value); 6] = [
            &|w| w["authenticated"] = "yes".into(),
            &|w| w["view"]["shown"] = "maybe".into(),
            &|w| w["view"]["hosts"] = serde_json::json!([{"host": "mx.example"}]),
            &|w| w["view"]["retry"] = serde_json::Value::Null,
            &|w| {
                if let Some(o) = w.as_object_mut() {
                    o.remove("verdict");
                }
            },
            &|w| {
                if let Some(o) = w.as_object_mut() {
                    o.remove("view");
                }
            },
        ];
        for edit in none {
            assert_eq!(with(edit), None);
        }
        let extra = with(&|w| w["later"] = serde_json::json!({"a": [1, 2.5e3]})).unwrap_or_else(|| panic!("unread"));
        // As sent (serde_json's `Value` sorts the members it wrote).
        assert_eq!(extra.verdict, value["verdict"].to_string());
        value["verdict"] = serde_json::json!(["any", "json", -0.5]);
        assert_eq!(
            Worded::from_json(&value.to_string()).map(|w| w.verdict).as_deref(),
            Some("[\"any\",\"json\",-0.5]")
        );
        for (body, sent) in [
            (&text[..text.len() - 1], "found the end of the text"),
            ("{\"verdict\": \"maybe\"}", "found JSON that does not fit"),
            ("<html>", "found '<' at byte 0"),
        ] {
            assert!(
                matches!(read_answer(200, None, body), Answer::Unreadable(w) if w.starts_with("expected the edge's JSON answer, found one it cannot read: ") && w.contains(sent)),
                "{body}"
            );
        }
    }

    /// The edge's errors are read as [`api::read_answer`] reads them, with serde_json.
    #[test]
    fn errors_and_foreign_answers_read_as_the_cores_reader_reads_them() {
        let bodies = [
            r#"{"error":{"code":"rate_limited","message":"too many probes: try again in 7 s"}}"#,
            r#"{"error":{"code":"dns_unreachable","message":"found none","later":1},"other":true}"#,
            r#"{"error":{"code":"brand_new","message":"\u00fc\n"}}"#,
            r#"{"error":{"code":"internal"}}"#,
            r#"{"error":"internal"}"#,
            "<html>Bad gateway</html>",
            "",
        ];
        for body in bodies {
            for (status, retry) in [(429, Some(" 7 ")), (502, None), (500, Some("Wed, 21 Oct 2026 07:28:00 GMT"))] {
                let core: Answer<serde::de::IgnoredAny> = api::read_answer(status, retry, body);
                let ours = read_answer(status, retry, body);
                match (core, ours) {
                    (Answer::Error(a), Answer::Error(b)) => assert_eq!(a, b),
                    (Answer::Unreadable(a), Answer::Unreadable(b)) => assert_eq!(a, b),
                    (a, b) => panic!("{body}: {a:?} against {b:?}"),
                }
            }
        }
    }
}
