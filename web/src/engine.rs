//! The web app's two wasm modules and what passes between them (issue 14).
//!
//! The **first module** (frontend/: the Yew page, the generator, the
//! matcher, the reducer [`crate::state`]) is what the page needs to be
//! usable; it links no DNS engine, DNSSEC validation or verdict code. The
//! **engine module** (frontend/engine/, crate `geleit-app-engine`) is the
//! checker's machinery: the core's `DomainCheck` run by the one browser
//! driver ([`crate::drive`] over `services::check`: DoH, the edge's probes
//! and policy fetches), the [`CheckRun`] it fills and the view model made
//! from it ([`checker::view`], in the page's words). The page starts
//! fetching the engine at load, in parallel with the first module, and the
//! generator and matcher never wait for it.
//!
//! ```text
//!  first module                                      engine module
//!  State (reducer) ── Request (JSON) ─────────────►  Session: CheckRun, the driver's Steps,
//!       ▲                                              each wait after a 429, the outcome
//!       └─ Action::CheckUpdate ◄── Update (JSON) ───  CheckView (worded), announce, kept, export
//! ```
//!
//! The words are decided here, on the engine's side: [`Session`] says what
//! the live region announces, which run is kept in the history entry and
//! what the export holds; the reducer only stores what arrives and decides
//! what the page does around it (waiting for the network, a newer run).

use geleit::check::CheckOutcome;
use serde::{Deserialize, Serialize};

use crate::checker::{self, CheckRun, CheckView, Phase};
use crate::domain::{self, Domain};
use crate::drive::{DriveError, Recorded, Step};
use crate::i18n::Lang;
use crate::json;
use crate::state::Settings;

/// A check the first module asks the engine for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The run's number (the reducer's): updates carry it back.
    pub id: u32,
    /// The name in A-labels, without brackets (`xn--bcher-kva.example`).
    pub domain: String,
    /// One host named directly (`[mx.example.org]`): no MX lookup.
    pub direct: bool,
    /// DoH endpoint, edge and trust anchor.
    pub settings: Settings,
    /// Unix seconds the check runs at (the browser's clock; a kept check's own time).
    pub now: i64,
    /// The language of the words.
    pub lang: Lang,
    /// A check kept in the history entry ([`Recorded::to_json`]): replayed
    /// through the same driver and core, without the network.
    pub kept: Option<String>,
}

/// A check kept in the history entry, as the first module holds it: which
/// name it checked and when, and the record ([`Recorded::to_json`]) unread,
/// for the engine to replay. The first module does not read the answers
/// (DNS messages, probe reports, typed failures): only the engine needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The name as checked (`example.org`, `[mx.example.org]`).
    pub domain: String,
    /// Unix seconds the check ran at.
    pub now: i64,
    /// The whole record.
    pub json: String,
}

impl Kept {
    /// The head of a record written by [`Recorded::to_json`]; `None` for anything else.
    #[must_use]
    pub fn from_json(text: &str) -> Option<Self> {
        let v = json::parse(text).ok()?;
        if v.get("geleit_check")?.as_u64()? != crate::drive::RECORD_VERSION {
            return None;
        }
        Some(Self {
            domain: v.get("domain")?.as_str()?.to_owned(),
            now: v.get("now")?.as_i64()?,
            json: text.to_owned(),
        })
    }
}

impl Request {
    /// A request to check `domain` (or to replay `kept`, a check of it).
    #[must_use]
    pub fn new(id: u32, domain: &Domain, settings: Settings, now: i64, lang: Lang, kept: Option<&Kept>) -> Self {
        Self {
            id,
            domain: domain.ascii.clone(),
            direct: domain.direct,
            settings,
            now,
            lang,
            kept: kept.map(|k| k.json.clone()),
        }
    }

    /// As JSON, for the engine: what the derived `Serialize` writes (the
    /// fields in order, `None` as `null`), by the first module's own writer
    /// ([`crate::json`]).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut o = json::Object::new();
        o.push("id", self.id);
        o.push("domain", self.domain.as_str());
        o.push("direct", self.direct);
        o.push("settings", self.settings.to_value());
        o.push("now", self.now);
        o.push("lang", self.lang.code());
        o.push("kept", self.kept.as_deref());
        json::Value::Object(o).to_json()
    }

    /// Read back from [`Self::to_json`] (the engine module's side: serde).
    ///
    /// # Errors
    /// Not a request, in words.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("expected a check request, found JSON that does not fit: {e}"))
    }
}

/// What the engine sends the first module: the run's view, each time it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    /// The run ([`Request::id`]).
    pub id: u32,
    /// Everything the checker shows, in the request's words.
    pub view: CheckView,
    /// DNS queries or probes still in flight (the page's button waits).
    pub running: bool,
    /// The run is over: its outcome (or why it could not run) is in the view.
    pub done: bool,
    /// Words for the live region, when this change is worth announcing.
    pub announce: Option<String>,
    /// What the network brought ([`Recorded::to_json`]), to keep in the
    /// history entry: sent once, when a live check is done and said
    /// something about the domain.
    pub kept: Option<String>,
    /// The whole result as JSON ([`checker::export_json`]), once done.
    pub export: Option<String>,
}

impl Update {
    /// As JSON, for the first module.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Read back from [`Self::to_json`]: what the derived `Deserialize`
    /// accepts (missing `Option` fields empty, unknown fields ignored), but
    /// read by the first module's own reader ([`crate::json`]) instead of
    /// serde_json and a derived visitor for every type of the view (about
    /// 40 KB of wasm, 15 KB gzip, in the module that has to be small).
    ///
    /// # Errors
    /// Not an update, in words.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value = json::parse(text).map_err(|e| format!("expected a check update, found no JSON: {e}"))?;
        read::update(&value).ok_or_else(|| "expected a check update, found JSON that does not fit".to_owned())
    }
}

/// The reader of [`Update::from_json`] (and of the edge's worded answer,
/// [`crate::worded::Worded::from_json`]): each type of the view from a
/// [`json::Value`], field by field as serde derives them.
pub(crate) mod read {
    use super::Update;
    use crate::checker::{
        AddressView, Advice, AlgorithmView, Badge, CheckView, FindingView, FirstFix, HostView, Shown, TlsaLine, Word,
    };
    use crate::json::{Object as Obj, Value};

    fn string(o: &Obj, key: &str) -> Option<String> {
        o.get(key)?.as_str().map(str::to_owned)
    }

    fn word(o: &Obj, key: &str) -> Option<Word> {
        string(o, key).map(Word::Owned)
    }

    fn flag(o: &Obj, key: &str) -> Option<bool> {
        o.get(key)?.as_bool()
    }

    /// A missing field or `null` is `None`, as for a derived `Option` field.
    fn optional<T>(o: &Obj, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<Option<T>> {
        match o.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(v) => read(v).map(Some),
        }
    }

    fn text(v: &Value) -> Option<String> {
        v.as_str().map(str::to_owned)
    }

    fn list<T>(o: &Obj, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<Vec<T>> {
        o.get(key)?.as_array()?.iter().map(read).collect()
    }

    fn badge(v: &Value) -> Option<Badge> {
        let o = v.as_object()?;
        Some(Badge { class: word(o, "class")?, text: string(o, "text")? })
    }

    fn finding(v: &Value) -> Option<FindingView> {
        let o = v.as_object()?;
        Some(FindingView {
            code: word(o, "code")?,
            severity: word(o, "severity")?,
            title: string(o, "title")?,
            rfc: word(o, "rfc")?,
            fix: optional(o, "fix", text)?,
            record: optional(o, "record", text)?,
            detail: optional(o, "detail", text)?,
        })
    }

    fn first_fix(v: &Value) -> Option<FirstFix> {
        let o = v.as_object()?;
        Some(FirstFix { host: optional(o, "host", text)?, finding: finding(o.get("finding")?)? })
    }

    fn tlsa(v: &Value) -> Option<TlsaLine> {
        let o = v.as_object()?;
        Some(TlsaLine {
            rdata: string(o, "rdata")?,
            explanation: string(o, "explanation")?,
            usable: flag(o, "usable")?,
            reasons: list(o, "reasons", text)?,
        })
    }

    fn algorithm(v: &Value) -> Option<AlgorithmView> {
        let o = v.as_object()?;
        Some(AlgorithmView {
            family: word(o, "family")?,
            decides: flag(o, "decides")?,
            badge: badge(o.get("badge")?)?,
            tls_version: optional(o, "tls_version", text)?,
            matched: list(o, "matched", text)?,
            chain: list(o, "chain", text)?,
            suggested: optional(o, "suggested", text)?,
            notes: list(o, "notes", text)?,
            raw: optional(o, "raw", text)?,
        })
    }

    fn address(v: &Value) -> Option<AddressView> {
        let o = v.as_object()?;
        Some(AddressView {
            address: string(o, "address")?,
            state: word(o, "state")?,
            badge: badge(o.get("badge")?)?,
            algorithms: list(o, "algorithms", algorithm)?,
            findings: list(o, "findings", finding)?,
        })
    }

    fn host(v: &Value) -> Option<HostView> {
        let o = v.as_object()?;
        Some(HostView {
            host: string(o, "host")?,
            preference: u16::try_from(o.get("preference")?.as_u64()?).ok()?,
            state: word(o, "state")?,
            badge: badge(o.get("badge")?)?,
            outcome: string(o, "outcome")?,
            outcome_rfc: word(o, "outcome_rfc")?,
            alias: optional(o, "alias", text)?,
            address_sets: list(o, "address_sets", text)?,
            tlsa_base: optional(o, "tlsa_base", text)?,
            tlsa_badge: badge(o.get("tlsa_badge")?)?,
            tlsa: list(o, "tlsa", tlsa)?,
            findings: list(o, "findings", finding)?,
            addresses: list(o, "addresses", address)?,
            probe_note: optional(o, "probe_note", text)?,
            trace: list(o, "trace", text)?,
        })
    }

    fn advice(v: &Value) -> Option<Advice> {
        let o = v.as_object()?;
        Some(Advice {
            code: word(o, "code")?,
            title: string(o, "title")?,
            text: string(o, "text")?,
            snippet: optional(o, "snippet", text)?,
        })
    }

    /// The word of [`Shown`] (as its own `Deserialize` reads it, from a string).
    fn shown(v: &Value) -> Option<Shown> {
        Shown::from_word(v.as_str()?)
    }

    pub(crate) fn view(v: &Value) -> Option<CheckView> {
        let o = v.as_object()?;
        Some(CheckView {
            domain: string(o, "domain")?,
            domain_unicode: string(o, "domain_unicode")?,
            direct: optional(o, "direct", Value::as_bool)?.unwrap_or(false),
            shown: shown(o.get("shown")?)?,
            headline: string(o, "headline")?,
            summary: string(o, "summary")?,
            first_fix: optional(o, "first_fix", first_fix)?,
            mx_badge: badge(o.get("mx_badge")?)?,
            mx_findings: list(o, "mx_findings", finding)?,
            mx_trace: list(o, "mx_trace", text)?,
            policy_findings: list(o, "policy_findings", finding)?,
            hosts: list(o, "hosts", host)?,
            unchecked: list(o, "unchecked", text)?,
            advice: list(o, "advice", advice)?,
            progress: string(o, "progress")?,
            retry: flag(o, "retry")?,
            detail: optional(o, "detail", text)?,
        })
    }

    pub(super) fn update(v: &Value) -> Option<Update> {
        let o = v.as_object()?;
        Some(Update {
            id: u32::try_from(o.get("id")?.as_u64()?).ok()?,
            view: view(o.get("view")?)?,
            running: flag(o, "running")?,
            done: flag(o, "done")?,
            announce: optional(o, "announce", text)?,
            kept: optional(o, "kept", text)?,
            export: optional(o, "export", text)?,
        })
    }
}

/// One check in the engine: the run the driver's steps fill, and its words.
#[derive(Debug, Clone)]
pub struct Session {
    run: CheckRun,
    lang: Lang,
    done: bool,
}

impl Session {
    /// Starts the run `request` asks for.
    ///
    /// # Errors
    /// The name is no host name in A-labels (the first module sends only
    /// names it parsed: a bug, in words).
    pub fn start(request: &Request) -> Result<Self, String> {
        let domain = domain::from_ascii(&request.domain, request.direct)
            .ok_or_else(|| format!("expected a host name in A-labels, found {}", domain::shorten(&request.domain)))?;
        Ok(Self { run: CheckRun::start(request.id, domain, request.now), lang: request.lang, done: false })
    }

    /// The name as the driver checks it (`example.org`, `[mx.example.org]`).
    #[must_use]
    pub fn domain(&self) -> String {
        self.run.domain.as_ref().map(|d| d.written(false)).unwrap_or_default()
    }

    /// The run's number.
    #[must_use]
    pub const fn id(&self) -> u32 {
        self.run.id
    }

    /// The first update: the run has started (the page announced that itself).
    #[must_use]
    pub fn started(&self) -> Option<Update> {
        self.update(false, None)
    }

    /// What the driver reported. The end of the DNS stage and each probe's
    /// report are announced.
    pub fn step(&mut self, step: Step) -> Option<Update> {
        let announce = matches!(step, Step::DnsDone { .. } | Step::Probed { .. });
        self.run.step(step);
        self.update(announce, None)
    }

    /// The edge asked to wait before `host` is probed again: `seconds` left.
    pub fn wait(&mut self, host: &str, seconds: u64) -> Option<Update> {
        self.run.wait(host, seconds);
        self.update(false, None)
    }

    /// The run is over: the core's outcome, or why the check could not run.
    /// `recorded` is what the network brought (`None` for a replay): kept
    /// only when the outcome says something about the domain (an
    /// unreachable resolver does not).
    pub fn finish(&mut self, outcome: Result<CheckOutcome, DriveError>, recorded: Option<&Recorded>) -> Option<Update> {
        let keep = matches!(outcome, Ok(CheckOutcome::Verdict(_) | CheckOutcome::Dns(_)));
        match outcome {
            Ok(outcome) => self.run.finish(outcome),
            Err(error) => self.run.fail(error),
        }
        self.done = true;
        self.update(true, recorded.filter(|_| keep).map(Recorded::to_json))
    }

    /// The run's view in another language (and the words of later updates).
    pub fn reword(&mut self, lang: Lang) -> Option<Update> {
        self.lang = lang;
        self.update(false, None)
    }

    fn update(&self, announce: bool, kept: Option<String>) -> Option<Update> {
        let view = checker::view(&self.run, self.lang)?;
        let t = self.lang.t();
        let announce = announce.then(|| {
            if self.run.error.is_some() {
                t.ck_failed.to_owned()
            } else if self.run.phase == Phase::Done {
                format!("{}: {}", view.headline, view.summary)
            } else {
                view.progress.clone()
            }
        });
        let export = self.done.then(|| checker::export_json(&self.run, &view));
        Some(Update {
            id: self.run.id,
            running: matches!(self.run.phase, Phase::Dns { .. } | Phase::Probing) && self.run.error.is_none(),
            done: self.done,
            announce,
            kept,
            export,
            view,
        })
    }
}

#[cfg(test)]
mod tests {
    use geleit::check::ResolverFailure;

    use super::*;
    use crate::checker::{Probe, Shown};

    fn request(domain: &str) -> Request {
        Request {
            id: 7,
            domain: domain.into(),
            direct: false,
            settings: Settings::default(),
            now: 1_800_000_000,
            lang: Lang::En,
            kept: None,
        }
    }

    fn unreachable(domain: &str) -> CheckOutcome {
        CheckOutcome::ResolverUnreachable(ResolverFailure {
            domain: format!("{domain}."),
            failed: 1,
            asked: 1,
            detail: "DoH endpoint http://127.0.0.1:9/dns-query answered HTTP 502".into(),
        })
    }

    #[test]
    fn requests_and_updates_cross_between_the_modules_unchanged() {
        let d = domain::parse("Bücher.example").unwrap();
        let recorded = Recorded { domain: "xn--bcher-kva.example".into(), now: 1_700_000_000, ..Recorded::default() };
        let kept = Kept::from_json(&recorded.to_json()).unwrap();
        assert_eq!((kept.domain.as_str(), kept.now), ("xn--bcher-kva.example", 1_700_000_000));
        assert_eq!(Kept::from_json("{\"domain\":\"x\",\"now\":1}"), None, "not a kept check");
        let r = Request::new(
            3,
            &d,
            Settings { doh: "https://dns.example/q".into(), ..Settings::default() },
            1,
            Lang::De,
            Some(&kept),
        );
        assert_eq!(Request::from_json(&r.to_json()), Ok(r.clone()));
        assert_eq!(Recorded::from_json(r.kept.as_deref().unwrap()), Some(recorded), "the engine reads it whole");
        let mut s = Session::start(&r).unwrap();
        assert_eq!(s.domain(), "xn--bcher-kva.example");
        let u = s.finish(Ok(unreachable("xn--bcher-kva.example")), None).unwrap();
        assert_eq!(Update::from_json(&u.to_json()), Ok(u.clone()));
        assert_eq!(u.view.domain_unicode, "bücher.example");
        assert!(Request::from_json("{}").unwrap_err().starts_with("expected a check request"));
        assert!(Update::from_json("[]").unwrap_err().starts_with("expected a check update"));
        assert!(Update::from_json("{").unwrap_err().starts_with("expected a check update"));
    }

    #[test]
    fn the_request_the_first_module_writes_is_what_serde_writes_and_the_engine_reads() {
        let odd = "quote \" backslash \\ newline \n tab \t nul \u{0} unit sep \u{1f} ü 😀 \u{2028}";
        let requests = [
            request("example.org"),
            Request {
                id: u32::MAX,
                domain: odd.into(),
                direct: true,
                settings: Settings {
                    doh: odd.into(),
                    edge: "https://edge.example/".into(),
                    anchor: ". DS 1\n2".into(),
                },
                now: i64::MIN,
                lang: Lang::De,
                kept: Some(Recorded { domain: odd.into(), now: -1, ..Recorded::default() }.to_json()),
            },
            Request { id: 0, now: 0, kept: Some(String::new()), ..request("") },
        ];
        for r in requests {
            let text = r.to_json();
            assert_eq!(text, serde_json::to_string(&r).unwrap(), "written as the derived Serialize writes it");
            assert_eq!(Request::from_json(&text), Ok(r.clone()), "the engine's serde reads it: {text}");
        }
    }

    /// A view with every field set (and the next level's too).
    fn full_view() -> CheckView {
        use crate::checker::{
            AddressView, Advice, AlgorithmView, Badge, FindingView, FirstFix, HostView, TlsaLine, Word,
        };
        let badge = |c: &'static str| Badge { class: Word::from(c), text: format!("{c} words") };
        let finding = |code: &'static str| FindingView {
            code: Word::from(code),
            severity: Word::from("error"),
            title: format!("{code} title"),
            rfc: Word::from("RFC 7672 §3.1"),
            fix: Some("fix it".into()),
            record: Some("_25._tcp.mx.example. IN TLSA 3 1 1 ab".into()),
            detail: Some("detail".into()),
        };
        CheckView {
            domain: "xn--bcher-kva.example".into(),
            domain_unicode: "bücher.example".into(),
            direct: true,
            shown: Shown::Verdict(geleit::verdict::Verdict::NotAuthenticated),
            headline: "headline".into(),
            summary: "summary".into(),
            first_fix: Some(FirstFix { host: Some("mx.example".into()), finding: finding("tlsa_no_match") }),
            mx_badge: badge("ok"),
            mx_findings: vec![finding("dnssec_bogus")],
            mx_trace: vec!["trace 1".into(), "trace 2".into()],
            policy_findings: vec![finding("sts_mx_not_covered")],
            hosts: vec![HostView {
                host: "mx.example".into(),
                preference: 10,
                state: Word::from("not_authenticated"),
                badge: badge("error"),
                outcome: "outcome".into(),
                outcome_rfc: Word::from("RFC 7672 §2.2"),
                alias: Some("alias".into()),
                address_sets: vec!["A 192.0.2.1 (secure)".into()],
                tlsa_base: Some("_25._tcp.mx.example.".into()),
                tlsa_badge: badge("ok"),
                tlsa: vec![TlsaLine {
                    rdata: "3 1 1 ab".into(),
                    explanation: "DANE-EE".into(),
                    usable: true,
                    reasons: vec!["reason".into()],
                }],
                findings: vec![finding("single_record_pinned")],
                addresses: vec![AddressView {
                    address: "192.0.2.1".into(),
                    state: Word::from("not_authenticated"),
                    badge: badge("error"),
                    algorithms: vec![AlgorithmView {
                        family: Word::from("ECDSA"),
                        decides: true,
                        badge: badge("error"),
                        tls_version: Some("TLSv1.3".into()),
                        matched: vec!["matched".into()],
                        chain: vec!["0: CN=mx".into()],
                        suggested: Some("3 1 1 cd".into()),
                        notes: vec!["note".into()],
                        raw: Some("raw".into()),
                    }],
                    findings: vec![finding("tlsa_no_match")],
                }],
                probe_note: Some("probe note".into()),
                trace: vec!["host trace".into()],
            }],
            unchecked: vec!["mx65.example. (preference 65)".into()],
            advice: vec![Advice {
                code: Word::from("postfix"),
                title: "Postfix".into(),
                text: "text".into(),
                snippet: Some("smtp_tls_security_level = dane".into()),
            }],
            progress: "progress".into(),
            retry: true,
            detail: Some("detail".into()),
        }
    }

    #[test]
    fn the_first_modules_reader_reads_what_serde_reads() {
        let full = Update {
            id: 4_000_000_000,
            view: full_view(),
            running: true,
            done: true,
            announce: Some("announce \" \\ \n \u{0} \u{1f} \u{7f} ü 😀 \u{2028}".into()),
            kept: Some(Recorded { domain: "x".into(), now: -1, ..Recorded::default() }.to_json()),
            export: Some("{\"x\":1}".into()),
        };
        let text = full.to_json();
        assert_eq!(Update::from_json(&text), Ok(full.clone()));
        assert_eq!(serde_json::from_str::<Update>(&text).unwrap(), full);
        // Missing optional fields are empty, unknown ones ignored, as serde's derive reads them.
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let view = value["view"].as_object_mut().unwrap();
        view.remove("first_fix");
        view.remove("direct");
        view.insert("future".into(), serde_json::json!([1, 2]));
        value.as_object_mut().unwrap().insert("export".into(), serde_json::Value::Null);
        let sparse = value.to_string();
        assert_eq!(Update::from_json(&sparse).ok(), serde_json::from_str::<Update>(&sparse).ok());
        assert_eq!(
            Update::from_json(&sparse).map(|u| (u.view.first_fix, u.view.direct, u.export)),
            Ok((None, false, None))
        );
        // A missing required field, a wrong type or an unknown verdict word is refused by both.
        for (path, bad) in [
            ("/view/hosts/0/preference", serde_json::json!(70_000)),
            ("/view/retry", serde_json::json!("yes")),
            ("/view/shown", serde_json::json!("fine")),
            ("/view/hosts/0/tlsa/0/usable", serde_json::Value::Null),
        ] {
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            *v.pointer_mut(path).unwrap() = bad;
            let t = v.to_string();
            assert!(Update::from_json(&t).is_err() && serde_json::from_str::<Update>(&t).is_err(), "{path}");
        }
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["view"].as_object_mut().unwrap().remove("mx_badge");
        assert!(Update::from_json(&v.to_string()).is_err());
    }

    #[test]
    fn a_host_named_directly_is_checked_in_brackets_and_a_bad_name_is_refused() {
        let s = Session::start(&Request { direct: true, ..request("mx.example.org") }).unwrap();
        assert_eq!(s.domain(), "[mx.example.org]");
        assert_eq!(s.id(), 7);
        let e = Session::start(&request("a..b")).unwrap_err();
        assert_eq!(e, "expected a host name in A-labels, found a..b");
    }

    #[test]
    fn a_run_reports_progress_waits_and_its_end_in_the_requested_words() {
        let mut s = Session::start(&request("example.org")).unwrap();
        let first = s.started().unwrap();
        assert!(first.running && !first.done && first.announce.is_none() && first.export.is_none());
        assert_eq!(first.view.shown, Shown::Pending);
        let u = s.step(Step::Dns { rounds: 1, queries: 5 }).unwrap();
        assert_eq!(u.announce, None, "DNS progress is not announced");
        assert_eq!(u.view.progress, (Lang::En.ck().ck_progress_dns)(1, 5));
        s.step(Step::Probing { host: "mx.example.org".into() });
        let u = s.wait("mx.example.org", 7).unwrap();
        assert_eq!(s.run.probe("mx.example.org"), &Probe::Waiting(7));
        assert!(u.running && u.announce.is_none());
        let u = s
            .step(Step::Probed { host: "mx.example.org".into(), report: Err(DriveError::RateLimited { waits: 3 }) })
            .unwrap();
        assert_eq!(u.announce.as_deref(), Some(u.view.progress.as_str()), "a probe's report is announced");
        let de = s.reword(Lang::De).unwrap();
        assert_eq!(de.view.headline, Lang::De.t().ck_pending);
        let end = s.finish(Err(DriveError::Anchor { detail: "garbage".into() }), None).unwrap();
        assert!(end.done && !end.running);
        assert_eq!(end.view.shown, Shown::Failed);
        assert_eq!(end.announce.as_deref(), Some(Lang::De.t().ck_failed), "later updates keep the new words");
        assert!(end.export.as_deref().unwrap().contains("\"verdict\": \"failed\""), "{:?}", end.export);
        assert_eq!(end.kept, None);
    }

    #[test]
    fn an_unreachable_resolver_is_announced_neutrally_and_never_kept() {
        let mut s = Session::start(&request("example.org")).unwrap();
        let recorded = Recorded { domain: "example.org".into(), now: 1_800_000_000, ..Recorded::default() };
        let u = s.finish(Ok(unreachable("example.org")), Some(&recorded)).unwrap();
        assert_eq!(u.view.shown, Shown::ResolverUnreachable);
        assert_eq!(u.announce, Some(format!("{}: {}", u.view.headline, u.view.summary)));
        assert!(!u.announce.unwrap().contains("DNSSEC"));
        assert_eq!(u.kept, None, "an unreachable resolver says nothing about the domain: nothing to keep");
    }

    #[test]
    fn a_live_check_that_said_something_is_kept_and_a_replay_is_not() {
        let verdict = geleit::verdict::DomainVerdict {
            domain: "example.org".into(),
            mx_status: geleit::dns::Status::Secure,
            mx_outcome: geleit::dns::MxOutcome::Hosts,
            verdict: geleit::verdict::Verdict::NullMx,
            authenticated: false,
            findings: Vec::new(),
            hosts: Vec::new(),
            unchecked: Vec::new(),
            rounds: 2,
            queries: 4,
            mail_policy: None,
            first_signature_expiry: None,
        };
        let outcome = || Ok(CheckOutcome::Verdict(Box::new(verdict.clone())));
        let recorded = Recorded { domain: "example.org".into(), now: 1_800_000_000, ..Recorded::default() };
        let mut live = Session::start(&request("example.org")).unwrap();
        let u = live.finish(outcome(), Some(&recorded)).unwrap();
        assert_eq!(u.kept, Some(recorded.to_json()));
        assert_eq!(u.announce, Some(format!("{}: {}", u.view.headline, u.view.summary)));
        let export = u.export.unwrap();
        assert!(export.contains("\"result\": {"), "the export holds the core's verdict: {export}");
        // Rewording after the end sends the export again, in the new words, and keeps nothing twice.
        let de = live.reword(Lang::De).unwrap();
        assert_eq!((de.kept, de.done, de.announce), (None, true, None));
        assert!(de.export.unwrap().contains(&de.view.headline));
        let mut replay = Session::start(&request("example.org")).unwrap();
        assert_eq!(replay.finish(outcome(), None).unwrap().kept, None, "a replay is already kept");
    }
}
