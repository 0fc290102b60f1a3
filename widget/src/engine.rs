//! In-browser mode (`doh` set), from the default module's side: the app's
//! engine module (frontend/engine/, crate `geleit-app-engine`, contract
//! [`geleit_web::engine`]) runs the check; the JS side `import()`s it and
//! passes bytes. This module writes the engine's [`Request`] for a widget
//! (its domain, its `doh`/`anchor`/`edge` settings, its language) and reads
//! each `Update` the engine sends back: the worded view to draw and, once
//! the run is done, what the `geleit-result` event needs (the core
//! verdict's `authenticated` and its JSON text, from the update's export).
//!
//! The request is written by hand (as the event detail, [`crate::event`]);
//! the update is read by the app's first module's own reader
//! ([`Update::from_json`], [`geleit_web::json`]), as the edge's worded
//! answer is ([`geleit_web::worded::Worded::from_json`]: the same
//! [`CheckView`]): the default module links no serde_json.
//!
//! [`Request`]: geleit_web::engine::Request

use geleit_web::checker::CheckView;
use geleit_web::domain::Domain;
use geleit_web::engine::Update;
use geleit_web::json;

use crate::event;
use crate::options::Options;

/// The engine's `Request` (JSON) to check `d` with the widget's settings
/// and language at `now` (Unix seconds), as run `id`; nothing kept.
#[must_use]
pub fn request(d: &Domain, o: &Options, id: u32, now: i64) -> String {
    let mut out = format!("{{\"id\":{id},\"domain\":");
    event::string(&mut out, &d.ascii);
    out.push_str(if d.direct { ",\"direct\":true" } else { ",\"direct\":false" });
    out.push_str(",\"settings\":{\"doh\":");
    event::string(&mut out, &o.settings.doh);
    out.push_str(",\"edge\":");
    event::string(&mut out, &o.settings.edge);
    out.push_str(",\"anchor\":");
    event::string(&mut out, &o.settings.anchor);
    out.push_str(&format!("}},\"now\":{now},\"lang\":\"{}\",\"kept\":null}}", o.lang.code()));
    out
}

/// One update of the engine's run, as the widget uses it.
#[derive(Debug)]
pub struct Progress {
    /// Everything the widget shows, in the request's words.
    pub view: CheckView,
    /// The run is over: the event goes out.
    pub done: bool,
    /// The core verdict's `authenticated` (false while running or without a verdict).
    pub authenticated: bool,
    /// The core verdict as JSON text, once done; `None` without a verdict
    /// (the check failed, the resolver was not reached).
    pub result: Option<String>,
}

/// Reads an `Update` (JSON) from the engine.
///
/// # Errors
/// Not an update, or a finished one whose export carries no readable
/// verdict, in words.
pub fn read(text: &str) -> Result<Progress, String> {
    let u = Update::from_json(text)?;
    // The export ([`geleit_web::checker::export_json`]): an object whose
    // `result` is the core's verdict (missing or `null` without one).
    let export = match u.export.as_deref().filter(|_| u.done) {
        None => None,
        Some(export) => Some(
            json::parse(export)
                .ok()
                .filter(|e| e.as_object().is_some())
                .ok_or("expected the check's export, found no JSON object")?,
        ),
    };
    let verdict = export.as_ref().and_then(|e| e.get("result")).filter(|r| **r != json::Value::Null);
    let authenticated = match verdict {
        None => false,
        Some(r) => r
            .get("authenticated")
            .and_then(json::Value::as_bool)
            .ok_or("expected a verdict in the export, found one without `authenticated`")?,
    };
    // Re-written compactly, as the edge writes the verdict.
    Ok(Progress { view: u.view, done: u.done, authenticated, result: verdict.map(json::Value::to_json) })
}

#[cfg(test)]
mod tests {
    use geleit::verdict::Verdict;
    use geleit_web::checker::Shown;
    use geleit_web::engine::{Request, Session};
    use geleit_web::i18n::Lang;
    use geleit_web::state::Settings;

    use super::*;

    fn options() -> Options {
        Options::from_attrs(|name| match name {
            "lang" => Some("de".into()),
            "doh" => Some("https://doh.example/dns-query?x=\"1\"".into()),
            "edge" => Some("https://edge.example".into()),
            "anchor" => Some(". IN DS 20326 8 2 E06D\n. IN DS 38696 8 2 683D\\".into()),
            _ => None,
        })
    }

    #[test]
    fn the_request_is_what_the_engine_reads() {
        let o = options();
        for (input, direct) in [("bücher.example", false), ("[mx.example.org]", true)] {
            let d = geleit_web::domain::parse(input).unwrap();
            let text = request(&d, &o, 4_000_000_000, -1_800_000_000);
            let settings = Settings {
                doh: "https://doh.example/dns-query?x=\"1\"".into(),
                edge: "https://edge.example".into(),
                anchor: ". IN DS 20326 8 2 E06D\n. IN DS 38696 8 2 683D\\".into(),
            };
            let want = Request::new(4_000_000_000, &d, settings, -1_800_000_000, Lang::De, None);
            assert_eq!(Request::from_json(&text), Ok(want.clone()), "{text}");
            assert_eq!(want.direct, direct);
            // And the engine starts the run it asks for.
            let session = Session::start(&want).unwrap();
            assert_eq!(session.domain(), if direct { "[mx.example.org]" } else { "xn--bcher-kva.example" });
        }
    }

    fn verdict(v: Verdict, authenticated: bool) -> geleit::verdict::DomainVerdict {
        geleit::verdict::DomainVerdict {
            domain: "example.org".into(),
            mx_status: geleit::dns::Status::Secure,
            mx_outcome: geleit::dns::MxOutcome::Hosts,
            verdict: v,
            authenticated,
            findings: Vec::new(),
            hosts: Vec::new(),
            unchecked: Vec::new(),
            rounds: 2,
            queries: 4,
            mail_policy: None,
            first_signature_expiry: None,
        }
    }

    fn session() -> Session {
        let d = geleit_web::domain::parse("example.org").unwrap();
        let text = request(&d, &Options::default(), 3, 1_800_000_000);
        Session::start(&Request::from_json(&text).unwrap()).unwrap()
    }

    #[test]
    fn updates_give_the_view_and_once_done_the_verdict_for_the_event() {
        use geleit::check::CheckOutcome;
        let s = session();
        let first = read(&s.started().unwrap().to_json()).unwrap();
        assert!(!first.done && !first.authenticated && first.result.is_none());
        assert_eq!(first.view.shown, Shown::Pending);
        for (v, authenticated) in [(Verdict::NullMx, false), (Verdict::Authenticated, true)] {
            let mut s = session();
            let verdict = verdict(v, authenticated);
            let last = s.finish(Ok(CheckOutcome::Verdict(Box::new(verdict.clone()))), None).unwrap();
            let p = read(&last.to_json()).unwrap();
            assert!(p.done);
            assert_eq!(p.view, last.view);
            assert_eq!(p.authenticated, authenticated);
            let result = p.result.unwrap();
            assert_eq!(serde_json::from_str::<geleit::verdict::DomainVerdict>(&result).unwrap(), verdict);
            // Compact, byte for byte as the edge writes the verdict.
            assert_eq!(result, serde_json::to_string(&verdict).unwrap());
            // The event carries it as the edge's answer would.
            let detail: serde_json::Value =
                serde_json::from_str(&event::detail(&p.view, p.authenticated, &Options::default(), Some(&result)))
                    .unwrap();
            assert_eq!(detail["result"], serde_json::to_value(&verdict).unwrap());
        }
    }

    #[test]
    fn a_run_without_a_verdict_ends_without_a_result_and_garbage_is_refused() {
        let mut s = session();
        let outcome = geleit::check::CheckOutcome::ResolverUnreachable(geleit::check::ResolverFailure {
            domain: "example.org.".into(),
            failed: 1,
            asked: 1,
            detail: "DoH endpoint http://127.0.0.1:9/dns-query answered HTTP 502".into(),
        });
        let p = read(&s.finish(Ok(outcome), None).unwrap().to_json()).unwrap();
        assert_eq!((p.view.shown, p.done, p.authenticated, p.result), (Shown::ResolverUnreachable, true, false, None));
        assert!(read("{}").unwrap_err().starts_with("expected a check update"));
        let mut u: serde_json::Value = serde_json::from_str(&session().started().unwrap().to_json()).unwrap();
        u["done"] = true.into();
        u["export"] = "{\"result\": {\"verdict\": \"authenticated\"}}".into();
        assert!(read(&u.to_string()).unwrap_err().starts_with("expected a verdict in the export"));
        u["export"] = "\"text\"".into();
        assert!(read(&u.to_string()).unwrap_err().starts_with("expected the check's export"));
    }
}
