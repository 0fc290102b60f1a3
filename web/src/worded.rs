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

use geleit::verdict::DomainVerdict;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::checker::{self, CheckView};
use crate::domain::Domain;
use crate::i18n::Lang;

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

/// The worded answer as the widget reads it: the view, and the verdict's
/// JSON text as it came (not parsed).
#[derive(Debug, Deserialize)]
pub struct Worded {
    pub view: CheckView,
    pub authenticated: bool,
    pub verdict: Box<RawValue>,
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
            let read: Worded = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(read.view, checker::verdict_view(&d, &v, lang));
            assert_eq!(read.view.domain_unicode, "bücher.example");
            assert!(!read.authenticated);
            // The verdict comes through as the core's JSON, byte for byte.
            assert_eq!(read.verdict.get(), serde_json::to_string(&v).unwrap_or_default());
        }
        let de = WordedAnswer::new(&d, &v, Lang::De);
        assert_ne!(de.view.headline, WordedAnswer::new(&d, &v, Lang::En).view.headline, "worded per language");
    }
}
