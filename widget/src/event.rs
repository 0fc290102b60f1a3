//! The `geleit-result` event's `detail`: the verdict as JSON for the host page.
//!
//! ```json
//! {"domain": "example.org", "domain_unicode": "example.org", "verdict": "authenticated",
//!  "authenticated": true, "headline": "…", "summary": "…", "lang": "en",
//!  "report": "https://…/check/example.org",
//!  "findings": [{"code": "tlsa_no_match", "severity": "error", "host": "mx.example.org", "text": "…"}],
//!  "result": {"domain": "example.org", "mx_status": "secure", "verdict": "authenticated", …}}
//! ```
//! `verdict` is the core's word (`geleit::verdict::Verdict::as_str`),
//! `failed` when the check could not run (`summary` says why), or
//! `resolver_unreachable` when Geleit's DNS resolver could not be reached
//! (the page's own or the edge's: nothing is known about the domain);
//! `findings` carry the core's stable codes; `result` is the whole core
//! verdict (`geleit::verdict::DomainVerdict`, what `geleit check --json`
//! prints), or `null` when there is none. Written by hand (a flat object of strings, and
//! `result` inserted as JSON text): the default widget links no JSON
//! serializer (RFC 8259 §7 string escapes).

use std::fmt::Write;

use geleit::verdict::Verdict;
use geleit_web::checker::{CheckView, Shown};

use crate::options::Options;

/// `s` as a JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn field(out: &mut String, name: &str, value: &str) {
    string(out, name);
    out.push(':');
    string(out, value);
    out.push(',');
}

/// The event detail of a finished check. `authenticated` is the core
/// verdict's; `result` the verdict as JSON text (the edge's answer as it
/// came, or the engine's serialisation), `None` when the check failed.
#[must_use]
pub fn detail(view: &CheckView, authenticated: bool, o: &Options, result: Option<&str>) -> String {
    let mut out = String::from("{");
    field(&mut out, "domain", &view.domain);
    field(&mut out, "domain_unicode", &view.domain_unicode);
    field(&mut out, "verdict", view.shown.as_str());
    field(&mut out, "tone", view.shown.tone());
    let authenticated = authenticated && view.shown == Shown::Verdict(Verdict::Authenticated);
    out.push_str(if authenticated { "\"authenticated\":true," } else { "\"authenticated\":false," });
    field(&mut out, "headline", &view.headline);
    field(&mut out, "summary", &view.summary);
    field(&mut out, "lang", o.lang.code());
    field(&mut out, "report", &o.report_url(&view.domain, view.direct));
    out.push_str("\"findings\":[");
    let mx = view.mx_findings.iter().map(|f| (None, f));
    let hosts = view.hosts.iter().flat_map(|h| {
        let host = h.host.trim_end_matches('.');
        h.findings.iter().chain(h.addresses.iter().flat_map(|a| &a.findings)).map(move |f| (Some(host), f))
    });
    for (i, (host, f)) in mx.chain(hosts).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        field(&mut out, "code", &f.code);
        field(&mut out, "severity", &f.severity);
        if let Some(host) = host {
            field(&mut out, "host", host);
        }
        string(&mut out, "text");
        out.push(':');
        string(&mut out, &f.title);
        out.push('}');
    }
    out.push_str("],\"result\":");
    out.push_str(result.map_or("null", str::trim));
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use geleit_web::checker::CheckRun;
    use geleit_web::domain;
    use geleit_web::i18n::Lang;

    use super::*;
    use crate::view::tests::sample;

    fn parse(s: &str) -> serde_json::Value {
        serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
    }

    #[test]
    fn strings_are_escaped_as_json() {
        let mut out = String::new();
        string(&mut out, "a \"b\" \\ c\nd\u{1}é\u{2028}");
        assert_eq!(out, "\"a \\\"b\\\" \\\\ c\\nd\\u0001é\u{2028}\"");
        assert_eq!(parse(&out), "a \"b\" \\ c\nd\u{1}é\u{2028}");
    }

    #[test]
    fn failed_dns_run_reports_failed_with_the_reason() {
        let mut run = CheckRun::start(1, domain::parse("example.org").unwrap(), 1_800_000_000);
        run.error = Some("expected a DS or DNSKEY record, found \"garbage\"".into());
        let o = Options { lang: Lang::De, ..Options::default() };
        let view = geleit_web::checker::view(&run, o.lang).unwrap();
        let v = parse(&detail(&view, false, &o, None));
        assert_eq!(v["verdict"], "failed");
        assert_eq!(v["authenticated"], false);
        assert_eq!(v["summary"], "expected a DS or DNSKEY record, found \"garbage\"");
        assert_eq!(v["lang"], "de");
        assert_eq!(v["report"], "/check/example.org");
        assert_eq!(v["findings"], serde_json::json!([]));
        assert_eq!(v["result"], serde_json::Value::Null);
    }

    #[test]
    fn an_unreachable_resolver_is_its_own_verdict_word_without_a_result() {
        let d = domain::parse("example.org").unwrap();
        let view = geleit_web::checker::unreachable_view(&d, None, Lang::En);
        let v = parse(&detail(&view, false, &Options::default(), None));
        assert_eq!(v["verdict"], "resolver_unreachable");
        assert_eq!(v["authenticated"], false);
        assert_eq!(v["summary"], "Geleit could not reach its DNS resolver — this says nothing about example.org.");
        assert_eq!(v["result"], serde_json::Value::Null);
    }

    #[test]
    fn findings_of_hosts_carry_the_host_name() {
        let view = sample(Verdict::NotAuthenticated);
        let o = Options { site: "https://geleit.example".into(), ..Options::default() };
        let v = parse(&detail(&view, true, &o, Some("{\"verdict\": \"not_authenticated\", \"hosts\": []}\n")));
        assert_eq!(
            v,
            serde_json::json!({
                "domain": "xn--bcher-kva.example",
                "domain_unicode": "bücher.example",
                "verdict": "not_authenticated",
                "tone": "error",
                "authenticated": false,
                "headline": "Not authenticated",
                "summary": "DANE senders defer mail.",
                "lang": "en",
                "report": "https://geleit.example/check/xn--bcher-kva.example",
                "findings": [{"code": "tlsa_no_match", "severity": "error", "host": "mx.xn--bcher-kva.example", "text": "no TLSA record matches"}],
                "result": {"verdict": "not_authenticated", "hosts": []},
            })
        );
    }
}
