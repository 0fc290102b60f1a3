//! The element's attributes → what a widget checks, in which language,
//! against which endpoints, and where its "full report" link points. (The
//! `config` attribute is read on the JS side: it fetches the file once per
//! page and passes its endpoints on as if they were attributes.)

use geleit_web::i18n::Lang;
use geleit_web::state::Settings;

/// Where a widget's check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The default: the edge that serves the widget checks the domain
    /// (`GET <edge>/api/check`), validating DNSSEC from its own trust anchor.
    Edge,
    /// `doh` is set (a resolver the host page chose): the page trusts no one
    /// but the root, so the on-demand engine module validates DNSSEC in the
    /// browser from `anchor` and probes through the edge, as the app does.
    Browser,
}

/// One widget's settings, read from its attributes (and, through the JS
/// side, the optional `config` JSON the host serves; attributes win).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// `lang`: `de` or `en` (any `de-*`/`en-*` tag); the element's own or the
    /// nearest ancestor's `lang`, else English.
    pub lang: Lang,
    /// `domain`: a preset domain, checked as soon as the element is connected.
    pub domain: String,
    /// `compact`: one line (verdict + link to the full report) instead of the findings.
    pub compact: bool,
    /// `doh`, `edge`, `anchor`: DoH endpoint, edge base URL, trust anchor
    /// (DS or DNSKEY zone-file lines; empty: the IANA root).
    pub settings: Settings,
    /// `site`: base URL of the full Geleit site for the report link; empty: the edge.
    pub site: String,
}

impl Options {
    /// Reads the attributes through `get` (name → value, `None` when absent).
    /// `lang` is the element's effective language (its own attribute or the
    /// nearest ancestor's), as the JS side finds it.
    pub fn from_attrs(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| get(name).map(|v| v.trim().to_owned()).unwrap_or_default();
        Self {
            lang: get("lang").and_then(|l| Lang::from_tag(&l)).unwrap_or_default(),
            domain: text("domain"),
            // A boolean attribute: present means on; `compact="false"` is allowed as off.
            compact: get("compact").is_some_and(|v| !v.trim().eq_ignore_ascii_case("false")),
            settings: Settings { doh: text("doh"), edge: text("edge"), anchor: get("anchor").unwrap_or_default() },
            site: text("site"),
        }
    }

    /// Default mode unless the host page set `doh` (attribute or `config` file).
    #[must_use]
    pub fn mode(&self) -> Mode {
        if self.settings.doh.trim().is_empty() { Mode::Edge } else { Mode::Browser }
    }

    /// The edge's whole check of `ascii_domain` (A-labels: letters, digits,
    /// hyphens and dots only), worded in the widget's language (`view`,
    /// [`geleit_web::worded`]); one host named `direct`ly is sent in
    /// brackets (`%5Bmx.example.org%5D`, Postfix's next-hop syntax, as the
    /// edge and the CLI take it: no MX lookup).
    #[must_use]
    pub fn check_url(&self, ascii_domain: &str, direct: bool) -> String {
        let domain = written(ascii_domain, direct);
        format!("{}/api/check?domain={domain}&view={}", self.settings.edge_base(), self.lang.code())
    }

    /// The full report on the main site: `<site or edge>/check/<domain>` (the
    /// app's shareable address, `[host]` for a host named directly; relative
    /// to the page when both are empty).
    #[must_use]
    pub fn report_url(&self, ascii_domain: &str, direct: bool) -> String {
        let base =
            if self.site.is_empty() { self.settings.edge_base() } else { self.site.trim_end_matches('/').to_owned() };
        format!("{base}/check/{}", written(ascii_domain, direct))
    }
}

/// A name for a URL: A-labels need no escaping, the brackets of a host
/// named directly do (RFC 3986 §3.3, §3.4).
fn written(ascii_domain: &str, direct: bool) -> String {
    if direct { format!("%5B{ascii_domain}%5D") } else { ascii_domain.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Options {
        Options::from_attrs(|name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn no_attributes_give_english_full_widget_against_the_same_origin() {
        let o = attrs(&[]);
        assert_eq!(o, Options::default());
        assert_eq!(o.settings.doh_url(), "/dns-query");
        assert_eq!(o.report_url("example.org", false), "/check/example.org");
        assert_eq!(o.mode(), Mode::Edge);
        assert_eq!(o.check_url("example.org", false), "/api/check?domain=example.org&view=en");
        assert_eq!(o.check_url("mx.example.org", true), "/api/check?domain=%5Bmx.example.org%5D&view=en");
        assert_eq!(o.report_url("mx.example.org", true), "/check/%5Bmx.example.org%5D");
    }

    #[test]
    fn doh_alone_chooses_the_browser_engine_anchor_and_edge_do_not() {
        assert_eq!(attrs(&[("edge", "https://e.example"), ("anchor", ". IN DS 1 8 2 00")]).mode(), Mode::Edge);
        assert_eq!(attrs(&[("doh", "  ")]).mode(), Mode::Edge, "a blank doh is no resolver");
        assert_eq!(attrs(&[("doh", "https://doh.example/dns-query")]).mode(), Mode::Browser);
        let o = attrs(&[("edge", "https://geleit.example/")]);
        assert_eq!(
            o.check_url("xn--bcher-kva.example", false),
            "https://geleit.example/api/check?domain=xn--bcher-kva.example&view=en"
        );
        let de = attrs(&[("lang", "de-AT")]);
        assert_eq!(de.check_url("example.org", false), "/api/check?domain=example.org&view=de");
    }

    #[test]
    fn attributes_are_read_and_trimmed() {
        let o = attrs(&[
            ("lang", "de-AT"),
            ("domain", " example.org "),
            ("compact", ""),
            ("edge", "https://geleit.example/"),
            ("doh", "https://doh.example/dns-query"),
            ("anchor", ". IN DS 20326 8 2 e06d"),
        ]);
        assert_eq!(o.lang, Lang::De);
        assert_eq!(o.domain, "example.org");
        assert!(o.compact);
        assert_eq!(o.settings.doh_url(), "https://doh.example/dns-query");
        let target = geleit::verdict::ProbeTarget {
            host: "mx.example.org".into(),
            sni: "mx.example.org".into(),
            addresses: vec![[192, 0, 2, 25].into()],
        };
        assert_eq!(
            o.settings.probe_url(&target),
            "https://geleit.example/api/probe?host=mx.example.org&sni=mx.example.org&addr=192.0.2.25&port=25"
        );
        assert_eq!(o.report_url("example.org", false), "https://geleit.example/check/example.org");
    }

    #[test]
    fn unknown_language_is_english_and_compact_false_is_off() {
        let o = attrs(&[("lang", "fr"), ("compact", "FALSE")]);
        assert_eq!(o.lang, Lang::En);
        assert!(!o.compact);
    }

    #[test]
    fn site_wins_over_edge_for_the_report_link() {
        let o = attrs(&[("edge", "https://edge.example"), ("site", "https://geleit.example/")]);
        assert_eq!(o.report_url("xn--bcher-kva.example", false), "https://geleit.example/check/xn--bcher-kva.example");
    }
}
