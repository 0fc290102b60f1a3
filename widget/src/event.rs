//! The `geleit-result` event's `detail`: the verdict as JSON for the host page.
//!
//! ```json
//! {"domain": "example.org", "domain_unicode": "example.org", "verdict": "authenticated",
//!  "authenticated": true, "headline": "…", "summary": "…", "lang": "en",
//!  "report": "https://…/check/example.org",
//!  "findings": [{"code": "tlsa_no_match", "severity": "error", "host": "mx.example.org", "text": "…"}],
//!  "result": { …the core's DomainVerdict… } }
//! ```
//! `verdict` is the core's word (`geleit::verdict::Verdict::as_str`) or
//! `failed` when the DNS part could not run (`summary` says why).

use geleit_frontend::checker::{CheckRun, CheckView};
use geleit_frontend::i18n::Lang;
use geleit::verdict::DomainVerdict;
use serde::Serialize;

use crate::options::Options;

#[derive(Serialize)]
struct Detail<'a> {
    domain: &'a str,
    domain_unicode: &'a str,
    verdict: &'a str,
    authenticated: bool,
    headline: &'a str,
    summary: &'a str,
    lang: Lang,
    report: String,
    findings: Vec<EventFinding<'a>>,
    result: Option<DomainVerdict>,
}

#[derive(Serialize)]
struct EventFinding<'a> {
    code: &'a str,
    severity: &'a str,
    /// The MX host (no trailing dot); absent for findings about the MX RRset.
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    /// The finding in the widget's language.
    text: &'a str,
}

/// The event detail of a finished run.
#[must_use]
pub fn detail(run: &CheckRun, view: &CheckView, o: &Options) -> String {
    let mut findings: Vec<EventFinding<'_>> =
        view.mx_findings.iter().map(|f| EventFinding { code: f.code, severity: f.severity, host: None, text: &f.title }).collect();
    for h in &view.hosts {
        let host = Some(h.host.trim_end_matches('.'));
        for f in h.findings.iter().chain(h.addresses.iter().flat_map(|a| &a.findings)) {
            findings.push(EventFinding { code: f.code, severity: f.severity, host, text: &f.title });
        }
    }
    let result = run.verdict();
    let d = Detail {
        domain: &view.domain,
        domain_unicode: &view.domain_unicode,
        verdict: view.verdict_class,
        authenticated: result.as_ref().is_some_and(|r| r.authenticated) && view.verdict_class == "authenticated",
        headline: &view.headline,
        summary: &view.summary,
        lang: o.lang,
        report: o.report_url(&view.domain),
        findings,
        result,
    };
    serde_json::to_string(&d).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use geleit_frontend::domain;

    use super::*;
    use crate::view::tests::sample;

    #[test]
    fn failed_dns_run_reports_failed_with_the_reason() {
        let mut run = CheckRun::start(1, domain::parse("example.org").unwrap(), 1_800_000_000);
        run.error = Some("expected a DS or DNSKEY record, found garbage".into());
        let o = Options { lang: Lang::De, ..Options::default() };
        let view = geleit_frontend::checker::view(&run, o.lang).unwrap();
        let v: serde_json::Value = serde_json::from_str(&detail(&run, &view, &o)).unwrap();
        assert_eq!(v["verdict"], "failed");
        assert_eq!(v["authenticated"], false);
        assert_eq!(v["summary"], "expected a DS or DNSKEY record, found garbage");
        assert_eq!(v["lang"], "de");
        assert_eq!(v["report"], "/check/example.org");
        assert!(v["result"].is_null());
        assert_eq!(v["findings"], serde_json::json!([]));
    }

    #[test]
    fn findings_of_hosts_carry_the_host_name() {
        let run = CheckRun::default();
        let view = sample("not_authenticated");
        let o = Options { site: "https://geleit.example".into(), ..Options::default() };
        let v: serde_json::Value = serde_json::from_str(&detail(&run, &view, &o)).unwrap();
        assert_eq!(v["domain"], "xn--bcher-kva.example");
        assert_eq!(v["domain_unicode"], "bücher.example");
        assert_eq!(v["verdict"], "not_authenticated");
        assert_eq!(v["report"], "https://geleit.example/check/xn--bcher-kva.example");
        assert_eq!(
            v["findings"],
            serde_json::json!([{"code": "tlsa_no_match", "severity": "error", "host": "mx.xn--bcher-kva.example", "text": "no TLSA record matches"}])
        );
    }
}
