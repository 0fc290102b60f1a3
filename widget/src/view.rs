//! What a widget shows, as a small element tree (no Yew): the form, and the
//! result built from the app's view model ([`geleit_web::checker::view`]),
//! so the verdicts, findings and fixes read exactly as in the app, in both
//! languages. `dom.rs` turns the tree into DOM nodes inside the shadow root.

use geleit_web::checker::{CheckView, FindingView, FirstFix, Shown};
use geleit_web::i18n::Lang;

use crate::options::Options;

/// An element or a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    El(El),
    Text(String),
}

/// An element: tag, attributes, children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct El {
    pub tag: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Node>,
}

fn el(tag: &'static str) -> El {
    El { tag, attrs: Vec::new(), children: Vec::new() }
}

impl El {
    fn attr(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.attrs.push((name, value.into()));
        self
    }

    fn class(self, value: impl Into<String>) -> Self {
        self.attr("class", value)
    }

    fn text(mut self, text: impl Into<String>) -> Self {
        self.children.push(Node::Text(text.into()));
        self
    }

    fn child(mut self, child: impl Into<Node>) -> Self {
        self.children.push(child.into());
        self
    }

    fn children(mut self, children: impl IntoIterator<Item = Node>) -> Self {
        self.children.extend(children);
        self
    }

    /// The value of attribute `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}

impl From<El> for Node {
    fn from(e: El) -> Self {
        Self::El(e)
    }
}

impl Node {
    /// All text below this node, concatenated.
    #[must_use]
    pub fn text_content(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::El(e) => e.children.iter().map(Self::text_content).collect(),
        }
    }

    /// Every element below (and including) this node with class `class`, in document order.
    #[must_use]
    pub fn find_class<'a>(&'a self, class: &str) -> Vec<&'a El> {
        let mut out = Vec::new();
        if let Self::El(e) = self {
            if e.get("class").is_some_and(|c| c.split(' ').any(|x| x == class)) {
                out.push(e);
            }
            for c in &e.children {
                out.extend(c.find_class(class));
            }
        }
        out
    }
}

/// Words only the widget needs (the rest comes from the app's tables).
struct Words {
    report: &'static str,
    mx: &'static str,
    checking: &'static str,
    /// The badge of an MX host the core did not check.
    unchecked: &'static str,
}

const fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words { report: "Full report", mx: "MX records", checking: "Checking", unchecked: "Not checked" },
        Lang::De => {
            Words {
                report: "Ausführlicher Bericht", mx: "MX-Einträge", checking: "Prüfe", unchecked: "Nicht geprüft"
            }
        }
    }
}

/// The status line while the edge checks (one request, no steps to report).
#[must_use]
pub fn checking(lang: Lang, domain: &str) -> String {
    format!("{} {domain} …", words(lang).checking)
}

/// The button that runs the check of `v`'s domain again (the JS side
/// listens for clicks on `button.retry` and checks its `data-domain`).
fn retry_button(v: &CheckView, lang: Lang) -> El {
    el("button")
        .attr("type", "button")
        .class("retry")
        .attr("part", "retry")
        .attr("data-domain", v.domain.clone())
        .text(lang.t().ck_retry)
}

/// The widget's frame: the form (unless a compact widget has a preset
/// domain), a live status line and the result area (`#out`).
#[must_use]
pub fn frame(o: &Options) -> Node {
    let t = o.lang.t();
    let mut root =
        el("div").class(if o.compact { "w compact" } else { "w" }).attr("part", "widget").attr("lang", o.lang.code());
    if !o.compact || o.domain.is_empty() {
        root = root.child(
            el("form")
                .class("form")
                .attr("role", "search")
                .attr("part", "form")
                .child(el("label").attr("for", "d").text(t.ck_input_label))
                .child(
                    el("div")
                        .class("row")
                        .child(
                            el("input")
                                .attr("id", "d")
                                .attr("name", "domain")
                                .attr("type", "text")
                                .attr("inputmode", "url")
                                .attr("autocomplete", "off")
                                .attr("autocapitalize", "none")
                                .attr("spellcheck", "false")
                                .attr("value", o.domain.clone())
                                .attr("part", "input"),
                        )
                        .child(el("button").attr("type", "submit").attr("part", "button").text(t.ck_button)),
                ),
        );
    }
    root.child(el("p").class("status").attr("id", "status").attr("role", "status").attr("aria-live", "polite"))
        .child(el("div").class("out").attr("id", "out"))
        .into()
}

/// Why the typed text cannot be checked.
#[must_use]
pub fn problem(text: &str) -> Node {
    el("p").class("problem").attr("role", "alert").text(text).into()
}

fn badge(tone: &str, text: &str) -> El {
    el("span").class(format!("badge {tone}")).text(text)
}

fn report_link(o: &Options, v: &CheckView) -> El {
    el("a")
        .class("report")
        .attr("href", o.report_url(&v.domain, v.direct))
        .attr("target", "_blank")
        .attr("rel", "noopener")
        .attr("part", "report")
        .text(words(o.lang).report)
}

/// The one line of a compact widget: badge, domain, link (or, when the
/// check learned nothing, the retry button); the summary as its tooltip.
#[must_use]
pub fn compact_line(v: &CheckView, o: &Options) -> Node {
    let shown = if v.domain_unicode.is_empty() { &v.domain } else { &v.domain_unicode };
    el("p")
        .class("line")
        .attr("title", v.summary.clone())
        .attr("data-verdict", v.shown.as_str())
        .attr("data-domain", v.domain.clone())
        .child(badge(v.shown.tone(), &v.headline))
        .text(" ")
        .child(el("b").class("domain").text(shown.clone()))
        .text(" ")
        .child(if v.retry { retry_button(v, o.lang) } else { report_link(o, v) })
        .into()
}

fn finding(f: &FindingView, fix_word: &str, lang: Lang) -> Node {
    let mut li = el("li")
        .class(format!("finding {}", f.severity))
        .attr("data-code", &*f.code)
        .child(el("span").class("title").text(f.title.clone()));
    if !f.rfc.is_empty() {
        li = li.text(" ").child(el("span").class("rfc").text(&*f.rfc));
    }
    if let Some(fix) = &f.fix {
        li = li.child(el("p").class("fix").child(el("b").text(format!("{fix_word}:"))).text(" ").text(fix.clone()));
    }
    if let Some(record) = &f.record {
        li = li.child(el("pre").class("record").attr("tabindex", "0").text(record.clone()));
    }
    if let Some(detail) = &f.detail {
        // The core's technical words (English) behind a toggle, after the translated ones.
        li = li.child(
            el("details")
                .class("detail")
                .child(el("summary").text(words_raw(lang)))
                .child(el("code").text(detail.clone())),
        );
    }
    li.into()
}

fn words_raw(lang: Lang) -> &'static str {
    lang.t().ck_raw
}

/// The fix to make first, right under the verdict line.
fn first_fix(f: &FirstFix, lang: Lang) -> Node {
    let t = lang.t();
    let heading = f.host.as_deref().map_or_else(|| t.ck_first_fix.to_owned(), |h| (t.ck_first_fix_at)(h));
    let mut item = finding(&f.finding, t.ck_fix, lang);
    if let Node::El(e) = &mut item {
        e.tag = "div";
        e.attrs.retain(|(k, _)| *k != "class");
        e.attrs.push(("class", format!("first-fix finding {}", f.finding.severity)));
        e.attrs.push(("part", "first-fix".to_owned()));
        e.children.insert(0, el("p").class("first-fix-heading").child(el("b").text(heading)).into());
    }
    item
}

fn findings<'a>(list: impl IntoIterator<Item = &'a FindingView>, fix_word: &str, lang: Lang) -> Option<Node> {
    let items: Vec<Node> = list.into_iter().map(|f| finding(f, fix_word, lang)).collect();
    (!items.is_empty()).then(|| el("ul").class("findings").children(items).into())
}

/// The result of a check: headline and summary, MX findings, per MX host its
/// state and findings (with the fix and the RFC), the link to the full report.
#[must_use]
pub fn result(v: &CheckView, o: &Options) -> Node {
    if o.compact {
        return compact_line(v, o);
    }
    let t = o.lang.t();
    let w = words(o.lang);
    let mut out = el("div")
        .class("result")
        .attr("data-verdict", v.shown.as_str())
        .attr("data-domain", v.domain.clone())
        .attr("part", "result")
        .child(
            el("p")
                .class("verdict")
                .child(el("span").class(format!("badge {} headline", v.shown.tone())).text(v.headline.clone()))
                .text(" ")
                .child(el("b").class("domain").text(if v.domain_unicode.is_empty() {
                    &v.domain
                } else {
                    &v.domain_unicode
                })),
        );
    if !v.summary.is_empty() {
        out = out.child(el("p").class("summary").text(v.summary.clone()));
    }
    if v.retry {
        // Nothing is known about the domain: what failed, and try again.
        // The technical words (English) behind a toggle, as in the app.
        if let Some(detail) = &v.detail {
            out = out.child(
                el("details")
                    .class("detail")
                    .child(el("summary").text(words_raw(o.lang)))
                    .child(el("code").text(detail.clone())),
            );
        }
        return out.child(el("p").class("more").child(retry_button(v, o.lang))).into();
    }
    if let Some(f) = &v.first_fix {
        out = out.child(first_fix(f, o.lang));
    }
    if v.shown != Shown::Failed && (!v.mx_findings.is_empty() || v.hosts.is_empty()) {
        let mx = el("div")
            .class("mx")
            .child(el("span").class("name").text(w.mx))
            .text(" ")
            .child(badge(&v.mx_badge.class, &v.mx_badge.text).attr("data-status", &*v.mx_badge.class));
        out = out.child(mx);
        out.children.extend(findings(&v.mx_findings, t.ck_fix, o.lang));
    }
    if !v.hosts.is_empty() || !v.unchecked.is_empty() {
        let hosts = v.hosts.iter().map(|h| {
            let mut li = el("li")
                .class("host")
                .attr("data-host", h.host.clone())
                .attr("data-state", &*h.state)
                .child(badge(&h.badge.class, &h.badge.text))
                .text(" ")
                .child(el("span").class("name").text(h.host.trim_end_matches('.')));
            if let Some(note) = &h.probe_note {
                li = li.child(el("p").class("note").text(note.clone()));
            }
            li.children.extend(findings(
                h.findings.iter().chain(h.addresses.iter().flat_map(|a| &a.findings)),
                t.ck_fix,
                o.lang,
            ));
            Node::from(li)
        });
        // Hosts beyond the core's bound: listed, never passed.
        let unchecked = v.unchecked.iter().map(|u| {
            Node::from(
                el("li")
                    .class("host unchecked")
                    .attr("data-state", "not_checked")
                    .child(badge(geleit::verdict::Tone::Warning.as_str(), w.unchecked))
                    .text(" ")
                    .child(el("span").class("name").text(u.clone())),
            )
        });
        out = out.child(el("ul").class("hosts").children(hosts.chain(unchecked)));
    }
    // TLSRPT and MTA-STS beside the DANE verdict, in the page's words.
    if !v.policy_findings.is_empty() {
        let mut policy = el("div").class("policy").child(el("p").class("name").text(t.ck_policy_heading));
        policy.children.extend(findings(&v.policy_findings, t.ck_fix, o.lang));
        out = out.child(policy);
    }
    out.child(el("p").class("more").child(report_link(o, v))).into()
}

#[cfg(test)]
pub(crate) mod tests {
    use geleit::verdict::Verdict;
    use geleit_web::checker::{Badge, HostView};

    use super::*;

    pub(crate) fn sample(verdict: Verdict) -> CheckView {
        let f = FindingView {
            code: "tlsa_no_match".into(),
            severity: "error".into(),
            title: "no TLSA record matches".into(),
            rfc: "RFC 7672 §3".into(),
            fix: Some("publish IN TLSA 3 1 1 …".into()),
            record: None,
            detail: None,
        };
        CheckView {
            domain: "xn--bcher-kva.example".into(),
            domain_unicode: "bücher.example".into(),
            direct: false,
            shown: Shown::Verdict(verdict),
            headline: "Not authenticated".into(),
            summary: "DANE senders defer mail.".into(),
            first_fix: None,
            mx_badge: Badge { class: "ok".into(), text: "secure".into() },
            mx_findings: Vec::new(),
            mx_trace: Vec::new(),
            policy_findings: Vec::new(),
            hosts: vec![HostView {
                host: "mx.xn--bcher-kva.example.".into(),
                preference: 10,
                state: "not_authenticated".into(),
                badge: Badge { class: "error".into(), text: "Not authenticated".into() },
                outcome: String::new(),
                outcome_rfc: "".into(),
                alias: None,
                address_sets: Vec::new(),
                tlsa_base: None,
                tlsa_badge: Badge { class: "ok".into(), text: "secure".into() },
                tlsa: Vec::new(),
                findings: vec![f],
                addresses: Vec::new(),
                probe_note: None,
                trace: Vec::new(),
            }],
            unchecked: Vec::new(),
            advice: Vec::new(),
            progress: String::new(),
            retry: false,
            detail: None,
        }
    }

    #[test]
    fn frame_has_a_form_unless_compact_with_a_domain() {
        let mut o = Options::default();
        let f = frame(&o);
        assert_eq!(f.find_class("form").len(), 1);
        o.compact = true;
        assert_eq!(frame(&o).find_class("form").len(), 1, "compact without a domain still asks for one");
        o.domain = "example.org".into();
        let f = frame(&o);
        assert!(f.find_class("form").is_empty());
        assert_eq!(f.find_class("out").len(), 1);
    }

    #[test]
    fn form_words_follow_the_language() {
        let o = Options { lang: Lang::De, ..Options::default() };
        let text = frame(&o).text_content();
        assert!(text.contains(Lang::De.t().ck_button), "{text}");
        assert!(text.contains(Lang::De.t().ck_input_label), "{text}");
    }

    #[test]
    fn full_result_lists_hosts_with_findings_fix_and_report_link() {
        let o = Options { site: "https://geleit.example".into(), ..Options::default() };
        let r = result(&sample(Verdict::NotAuthenticated), &o);
        let Node::El(root) = &r else { panic!("not an element") };
        assert_eq!(root.get("data-verdict"), Some("not_authenticated"));
        let hosts = r.find_class("host");
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].get("data-state"), Some("not_authenticated"));
        let f = r.find_class("finding");
        assert_eq!(f[0].get("data-code"), Some("tlsa_no_match"));
        let fix = Node::El(f[0].clone()).text_content();
        assert!(fix.contains("Fix: publish IN TLSA 3 1 1"), "{fix}");
        let link = r.find_class("report");
        assert_eq!(link[0].get("href"), Some("https://geleit.example/check/xn--bcher-kva.example"));
        assert_eq!(Node::El(link[0].clone()).text_content(), "Full report");
        assert_eq!(r.find_class("headline")[0].get("class"), Some("badge error headline"));
    }

    #[test]
    fn mx_hosts_not_checked_are_listed_and_the_verdict_is_a_warning() {
        let mut v = sample(Verdict::Incomplete);
        v.unchecked = vec!["mx65.example. (preference 65)".into(), "mx66.example. (preference 66)".into()];
        let r = result(&v, &Options { lang: Lang::De, ..Options::default() });
        let hosts = r.find_class("host");
        assert_eq!(hosts.len(), 3, "the host checked and the two not checked");
        let unchecked = r.find_class("unchecked");
        assert_eq!(unchecked.len(), 2);
        assert_eq!(unchecked[0].get("data-state"), Some("not_checked"));
        assert_eq!(Node::El(unchecked[1].clone()).text_content(), "Nicht geprüft mx66.example. (preference 66)");
        assert_eq!(r.find_class("headline")[0].get("class"), Some("badge warning headline"));
    }

    #[test]
    fn compact_result_is_one_line_with_the_unicode_name() {
        let o = Options { compact: true, lang: Lang::De, ..Options::default() };
        let r = result(&sample(Verdict::Authenticated), &o);
        let Node::El(line) = &r else { panic!("not an element") };
        assert_eq!(line.tag, "p");
        assert_eq!(line.get("data-verdict"), Some("authenticated"));
        assert_eq!(line.get("title"), Some("DANE senders defer mail."));
        assert_eq!(r.text_content(), "Not authenticated bücher.example Ausführlicher Bericht");
        assert_eq!(r.find_class("badge")[0].get("class"), Some("badge ok"));
        assert!(r.find_class("finding").is_empty());
    }

    #[test]
    fn an_unreachable_resolver_shows_neutral_words_and_a_retry_button_no_verdict() {
        let d = geleit_web::domain::parse("bücher.example").unwrap();
        let v = geleit_web::checker::unreachable_view(&d, Some("HTTP 502".into()), Lang::De);
        let r = result(&v, &Options { lang: Lang::De, ..Options::default() });
        let Node::El(root) = &r else { panic!("not an element") };
        assert_eq!(root.get("data-verdict"), Some("resolver_unreachable"));
        assert_eq!(r.find_class("headline")[0].get("class"), Some("badge neutral headline"));
        assert_eq!(
            Node::El(r.find_class("summary")[0].clone()).text_content(),
            "Geleit konnte seinen DNS-Resolver nicht erreichen – das sagt nichts über bücher.example aus."
        );
        // The English detail only behind the German toggle.
        let detail = r.find_class("detail")[0];
        assert_eq!(detail.tag, "details");
        assert_eq!(Node::El(detail.clone()).text_content(), "Technische EinzelheitenHTTP 502");
        let retry = r.find_class("retry");
        assert_eq!(retry[0].get("data-domain"), Some("xn--bcher-kva.example"));
        assert_eq!(Node::El(retry[0].clone()).text_content(), "Erneut versuchen");
        assert!(r.find_class("mx").is_empty() && r.find_class("hosts").is_empty() && r.find_class("report").is_empty());
        let line = result(&v, &Options { compact: true, ..Options::default() });
        assert_eq!(line.find_class("badge")[0].get("class"), Some("badge neutral"));
        assert_eq!(line.find_class("retry").len(), 1);
    }

    #[test]
    fn checking_status_names_the_domain_in_both_languages() {
        assert_eq!(checking(Lang::En, "bücher.example"), "Checking bücher.example …");
        assert_eq!(checking(Lang::De, "example.org"), "Prüfe example.org …");
    }

    #[test]
    fn the_tone_comes_from_the_core_verdict_not_from_its_word() {
        for (v, tone) in [
            (Verdict::Authenticated, "ok"),
            (Verdict::NoDane, "warning"),
            (Verdict::Incomplete, "warning"),
            (Verdict::Deferred, "error"),
            (Verdict::NoStarttls, "error"),
            (Verdict::NoAddress, "error"),
            (Verdict::TlsUnauthenticated, "error"),
            (Verdict::NullMx, "info"),
        ] {
            let r = result(&sample(v), &Options::default());
            assert_eq!(r.find_class("headline")[0].get("class").unwrap(), format!("badge {tone} headline"), "{v}");
        }
        assert_eq!(Shown::Pending.tone(), "pending");
        assert_eq!(Shown::Failed.tone(), "error");
        assert_eq!(Shown::ResolverUnreachable.tone(), "neutral");
    }

    #[test]
    fn the_first_fix_sits_under_the_verdict_with_its_record() {
        let mut v = sample(Verdict::NotAuthenticated);
        let mut f = v.hosts[0].findings[0].clone();
        f.record = Some("_25._tcp.mx.example. IN TLSA 3 1 1 abcd".into());
        f.detail = Some("tls_handshake: received fatal alert".into());
        v.first_fix = Some(FirstFix { host: Some("mx.example".into()), finding: f });
        let r = result(&v, &Options::default());
        let Node::El(root) = &r else { panic!("not an element") };
        let first = r.find_class("first-fix");
        assert_eq!(first.len(), 1);
        let pos = root
            .children
            .iter()
            .position(|c| matches!(c, Node::El(e) if e.get("class").is_some_and(|c| c.starts_with("first-fix"))))
            .unwrap();
        assert_eq!(pos, 2, "verdict, summary, then the first fix");
        let text = Node::El(first[0].clone()).text_content();
        assert!(text.starts_with("Fix this first at mx.example"), "{text}");
        assert!(text.contains("_25._tcp.mx.example. IN TLSA 3 1 1 abcd"), "{text}");
        assert_eq!(r.find_class("detail")[0].tag, "details", "raw words behind a toggle");
    }
}
