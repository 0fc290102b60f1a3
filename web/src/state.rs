//! The page's state and every change to it, as a reducer without any `html!`
//! (like Yew's `function_todomvc`): components dispatch [`Action`]s, services
//! report results as `Action`s, and [`State::reduce`] decides. Plain
//! `cargo test` covers it.
//!
//! The reducer is part of the app's first module: the checker's run itself
//! (the core's check, its view model and words) is in the engine module,
//! which sends the view as it changes ([`crate::engine::Update`]); the
//! reducer keeps the latest one ([`Check`]) and decides what the page does
//! around it: a newer run, the network going away, the engine not there.

use crate::checker::{CheckView, Shown};
use crate::domain::{self, Domain};
use crate::engine::{Kept, Update};
use crate::generator::Problem;
use crate::generator::{self, GenForm, GenResult};
use crate::i18n::Lang;
use crate::json;
use crate::matcher::{self, MatchForm, MatchView};
use crate::route::Route;

/// Where the checker sends DNS queries and probes, and which root it trusts.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// DoH endpoint (RFC 8484); empty: the edge's `/dns-query`.
    pub doh: String,
    /// Base URL of the edge (for `/api/probe`); empty: this site.
    pub edge: String,
    /// Trust anchor as DS or DNSKEY zone-file lines; empty: the IANA root.
    pub anchor: String,
}

impl Settings {
    /// Reads settings from their JSON (the browser's saved copy, the site's
    /// `/geleit-config.json`): what serde's derived `Deserialize` accepts
    /// (missing fields empty, unknown ones ignored), but by the page's own
    /// reader ([`crate::json`]), which links no serde. `None` when it is not
    /// such an object (serde would also take an array of the fields in
    /// order; nothing writes one).
    #[must_use]
    pub fn from_json(text: &str) -> Option<Self> {
        let json::Value::Object(map) = json::parse(text).ok()? else { return None };
        let field = |name: &str| match map.get(name) {
            None => Some(String::new()),
            Some(v) => v.as_str().map(str::to_owned),
        };
        Some(Self { doh: field("doh")?, edge: field("edge")?, anchor: field("anchor")? })
    }

    /// As JSON, for the browser's saved copy: what the derived `Serialize`
    /// writes (`{"doh":…,"edge":…,"anchor":…}`), by the page's own writer.
    #[must_use]
    pub fn to_json(&self) -> String {
        self.to_value().to_json()
    }

    /// As a JSON object (also the `settings` of [`crate::engine::Request`]).
    #[must_use]
    pub fn to_value(&self) -> json::Value {
        let mut o = json::Object::new();
        o.push("doh", self.doh.as_str());
        o.push("edge", self.edge.as_str());
        o.push("anchor", self.anchor.as_str());
        json::Value::Object(o)
    }

    /// The DoH endpoint to use.
    #[must_use]
    pub fn doh_url(&self) -> String {
        if self.doh.trim().is_empty() { format!("{}/dns-query", self.edge_base()) } else { self.doh.trim().to_owned() }
    }

    /// The edge base URL without a trailing slash (empty: same origin).
    #[must_use]
    pub fn edge_base(&self) -> String {
        self.edge.trim().trim_end_matches('/').to_owned()
    }

    /// The probe URL of a target the core handed out: its validated
    /// addresses, its SNI and the MX host, port 25
    /// (`GET /api/probe?host=…&sni=…&addr=…&port=25`); the edge probes
    /// exactly these addresses and resolves nothing itself.
    #[must_use]
    pub fn probe_url(&self, target: &geleit::verdict::ProbeTarget) -> String {
        let request = geleit::api::ProbeRequest::for_target(target, geleit::check::SMTP_PORT);
        format!("{}{}?{}", self.edge_base(), geleit::api::PROBE_PATH, request.query_string())
    }

    /// The MTA-STS policy URL of the edge for the fetch the core handed out
    /// (`GET /api/sts-policy?domain=…&addr=…`, RFC 8461 §3.3): a page cannot
    /// fetch the policy itself (CORS), the edge does, from these addresses.
    #[must_use]
    pub fn sts_policy_url(&self, request: &geleit::check::FetchRequest) -> String {
        format!("{}{}?{}", self.edge_base(), geleit::api::STS_POLICY_PATH, geleit::api::fetch_query_string(request))
    }
}

/// Which settings field changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsField {
    Doh,
    Edge,
    Anchor,
}

/// Which generator field changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenField {
    Text,
    Host,
    Port,
    Ttl,
}

/// Which matcher field changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchField {
    Chain,
    Records,
    Host,
}

/// The engine module (the checker's machinery, fetched in parallel with the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Being fetched (at load, or again after [`Action::EngineRetry`]).
    #[default]
    Loading,
    /// Loaded: checks run.
    Ready,
    /// It did not arrive (offline before it was cached, blocked by the
    /// network or an extension): the checker says so; the generator and
    /// matcher work without it.
    Missing,
}

/// The current (or last) check as the page holds it: which run of which
/// domain, and what the engine module last sent about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Check {
    /// Counter that tells updates of an older run from this one's.
    pub id: u32,
    pub domain: Option<Domain>,
    /// Unix seconds the check runs at.
    pub now: i64,
    /// Asked for and not yet settled: waiting for the engine, or DNS
    /// queries or probes in flight.
    pub running: bool,
    /// The checker's view as the engine last sent it; `None` before its first update.
    pub view: Option<CheckView>,
    /// The whole result as JSON, once the run is done (the export).
    pub export: Option<String>,
}

impl Check {
    /// A run for `domain`, before the engine has said anything about it.
    #[must_use]
    pub const fn start(id: u32, domain: Domain, now: i64) -> Self {
        Self { id, domain: Some(domain), now, running: true, view: None, export: None }
    }

    /// Waiting for its first update from the engine (the page then starts it there).
    #[must_use]
    pub const fn fresh(&self) -> bool {
        self.running && self.view.is_none() && self.domain.is_some()
    }
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub lang: Lang,
    pub route: Route,
    pub settings: Settings,
    /// Unix seconds, from the browser's clock (the core has none).
    pub now: i64,
    pub gen_form: GenForm,
    /// A dropped binary (DER) file: its name and bytes; `None` when the text field is the input.
    pub gen_file: Option<(String, Vec<u8>)>,
    pub generated: GenResult,
    /// A private key was pasted or dropped: refused, and taken out of the text field.
    pub gen_key_refused: bool,
    pub match_form: MatchForm,
    pub matched: Option<Result<MatchView, Problem>>,
    /// The last status message for the live region (copy done, check progress).
    pub status: String,
    /// What is typed into the checker.
    pub check_input: String,
    /// Why the typed text cannot be checked.
    pub check_problem: Option<String>,
    /// The current (or last) check.
    pub check: Check,
    /// The engine module that runs checks.
    pub engine: Engine,
    /// How often the engine has been asked for: the page fetches it again when this grows.
    pub engine_attempt: u32,
    /// Settings are loaded (saved ones, or the deployment's preset, or none): checks may start.
    pub settings_ready: bool,
    /// The browser has a network (`navigator.onLine` and its `online`/`offline` events).
    /// The checker needs it; the generator and matcher do not.
    pub online: bool,
    /// A domain asked for while offline: checked as soon as the browser is online again.
    pub check_waiting: Option<Domain>,
    /// The current run replays a check kept in the history entry (a reload,
    /// Back or Forward): no network, the same result.
    pub check_replay: Option<Kept>,
}

/// Every change.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetLang(Lang),
    Go(Route),
    Gen(GenField, String),
    /// A file was chosen or dropped: its name and bytes.
    GenFile(String, Vec<u8>),
    Match(MatchField, String),
    Setting(SettingsField, String),
    /// Settings from the deployment's config or local storage.
    LoadSettings(Settings),
    Tick(i64),
    Status(String),
    CheckInput(String),
    /// Check what is typed (or the domain of a `/check/<domain>` address).
    CheckStart(String),
    /// What the engine module sent about a run: its view, as it changed.
    CheckUpdate(Box<Update>),
    /// The engine module broke off run `id` without an outcome (it
    /// crashed, or did not understand the request): said as a problem.
    CheckBroken {
        id: u32,
        error: String,
    },
    /// The engine module arrived (`true`) or could not be loaded (`false`).
    EngineLoaded(bool),
    /// Fetch the engine module again (the person asked, or the network came back).
    EngineRetry,
    /// The browser went online (`true`) or offline (`false`).
    Online(bool),
    /// Show a check kept in the history entry again (reload, Back, Forward).
    CheckReplay(Box<Kept>),
}

impl State {
    /// The state a page starts with.
    #[must_use]
    pub fn new(lang: Lang, route: Route, now: i64) -> Self {
        Self {
            lang,
            route,
            settings: Settings::default(),
            now,
            gen_form: GenForm::default(),
            gen_file: None,
            generated: None,
            gen_key_refused: false,
            match_form: MatchForm::default(),
            matched: None,
            status: String::new(),
            check_input: String::new(),
            check_problem: None,
            check: Check::default(),
            engine: Engine::Loading,
            engine_attempt: 0,
            settings_ready: false,
            online: true,
            check_waiting: None,
            check_replay: None,
        }
    }

    /// Applies one action.
    #[must_use]
    pub fn reduce(mut self, action: Action) -> Self {
        match action {
            Action::SetLang(lang) => {
                self.lang = lang;
                self.recompute();
            }
            Action::Go(route) => self.route = route,
            Action::Gen(field, value) => {
                match field {
                    GenField::Text => {
                        self.set_gen_text(value);
                        self.gen_file = None;
                    }
                    GenField::Host => self.gen_form.host = value,
                    GenField::Port => self.gen_form.port = value,
                    GenField::Ttl => self.gen_form.ttl = value,
                }
                self.recompute();
            }
            Action::GenFile(name, bytes) => {
                // PEM files go into the text field, where they can be seen and edited.
                match String::from_utf8(bytes) {
                    Ok(text) if text.contains("-----BEGIN ") => {
                        self.set_gen_text(text);
                        self.gen_file = None;
                    }
                    Ok(text) => self.gen_file = Some((name, text.into_bytes())),
                    Err(e) => self.gen_file = Some((name, e.into_bytes())),
                }
                self.recompute();
            }
            Action::Match(field, value) => {
                match field {
                    MatchField::Chain => self.match_form.chain = value,
                    MatchField::Records => {
                        // A pasted owner name (`_25._tcp.mx.example.`) names the host, unless one is typed.
                        if self.match_form.host.trim().is_empty()
                            && let Some(host) = matcher::host_from_records(&value)
                        {
                            self.match_form.host = host;
                        }
                        self.match_form.records = value;
                    }
                    MatchField::Host => self.match_form.host = value,
                }
                self.recompute();
            }
            Action::Setting(field, value) => match field {
                SettingsField::Doh => self.settings.doh = value,
                SettingsField::Edge => self.settings.edge = value,
                SettingsField::Anchor => self.settings.anchor = value,
            },
            Action::LoadSettings(settings) => {
                self.settings = settings;
                self.settings_ready = true;
            }
            Action::Tick(now) => {
                self.now = now;
                self.recompute();
            }
            Action::Status(s) => self.status = s,
            Action::CheckReplay(kept) => {
                if let Ok(d) = domain::parse(&kept.domain) {
                    self.check_input = d.written(d.is_idn());
                    self.route = Route::CheckDomain(d.written(false));
                    self.check_problem = None;
                    self.check_waiting = None;
                    // At the time it ran: DNSSEC validity and dates are judged as then.
                    self.check = Check::start(self.check.id.wrapping_add(1), d, kept.now);
                    self.check_replay = Some(*kept);
                }
            }
            Action::CheckInput(s) => {
                self.check_input = s;
                self.check_problem = None;
            }
            Action::CheckStart(text) => match domain::parse(&text) {
                Ok(d) => {
                    self.check_input = d.written(d.is_idn());
                    self.route = Route::CheckDomain(d.written(false));
                    self.check_problem = None;
                    if self.online {
                        self.start_check(d);
                    } else {
                        // No fetch that can only fail: say why, and check once online.
                        self.check = Check { id: self.check.id, ..Check::default() };
                        self.check_waiting = Some(d);
                        self.status = self.lang.t().ck_offline.to_owned();
                    }
                }
                // The previous result stays; the problem is shown above it.
                Err(e) => self.check_problem = Some(domain::problem_words(&e, &text, self.lang.t())),
            },
            Action::CheckUpdate(update) if update.id == self.check.id && self.check.domain.is_some() => {
                let gave_up = matches!(update.view.shown, Shown::ResolverUnreachable | Shown::Failed);
                if update.done && gave_up && !self.online {
                    // The network went away during the run: wait for it.
                    self.wait_for_network();
                } else {
                    let Update { view, running, announce, export, .. } = *update;
                    if let Some(words) = announce {
                        self.status = words;
                    }
                    self.check.view = Some(view);
                    self.check.running = running;
                    self.check.export = export;
                }
            }
            Action::CheckBroken { id, error } if id == self.check.id && self.check.domain.is_some() => {
                self.check.running = false;
                self.check_problem = Some(error);
                self.status = self.lang.t().ck_failed.to_owned();
            }
            Action::EngineLoaded(loaded) => {
                self.engine = if loaded { Engine::Ready } else { Engine::Missing };
                if !loaded && self.check.fresh() && self.online {
                    self.status = self.lang.t().ck_engine_missing.to_owned();
                }
            }
            Action::EngineRetry => self.retry_engine(),
            Action::Online(online) => {
                self.online = online;
                if !online {
                    self.status = self.lang.t().ck_offline.to_owned();
                } else {
                    // An engine that could not be fetched offline may arrive now.
                    self.retry_engine();
                    if let Some(d) = self.check_waiting.take() {
                        self.start_check(d);
                    }
                }
            }
            // Updates of a run that was replaced by a newer one.
            Action::CheckUpdate(_) | Action::CheckBroken { .. } => {}
        }
        self
    }

    /// The generator's text; a private key in it is refused and taken out
    /// (it is never read, and does not stay in the page).
    fn set_gen_text(&mut self, text: String) {
        match generator::without_private_keys(&text) {
            Some(clean) => {
                self.gen_form.text = clean;
                self.gen_key_refused = true;
            }
            None => {
                // The notice stays until something else is entered (an emptied field keeps it).
                self.gen_key_refused &= text.trim().is_empty();
                self.gen_form.text = text;
            }
        }
    }

    fn start_check(&mut self, d: Domain) {
        self.check_waiting = None;
        self.check_replay = None;
        self.check = Check::start(self.check.id.wrapping_add(1), d, self.now);
        self.status = self.lang.t().ck_running.to_owned();
    }

    /// The network went away during the run: not the domain's fault. Wait
    /// for it, as for a check asked for while offline.
    fn wait_for_network(&mut self) {
        self.check_waiting = self.check.domain.take();
        self.check = Check { id: self.check.id, ..Check::default() };
        self.status = self.lang.t().ck_offline.to_owned();
    }

    /// Asks for the engine module again, if it did not arrive.
    fn retry_engine(&mut self) {
        if self.engine == Engine::Missing {
            self.engine = Engine::Loading;
            self.engine_attempt = self.engine_attempt.wrapping_add(1);
        }
    }

    /// The checker's button waits: a run is in flight (not one that waits
    /// for an engine that could not be loaded).
    #[must_use]
    pub fn check_busy(&self) -> bool {
        self.check.running && self.engine != Engine::Missing
    }

    /// The run to start in the engine module now, if any: a fresh run, once
    /// the settings are known and the engine is there. A kept check is
    /// replayed from its record.
    #[must_use]
    pub fn check_request(&self) -> Option<crate::engine::Request> {
        let domain = self.check.domain.as_ref().filter(|_| self.check.fresh())?;
        if !self.settings_ready || self.engine != Engine::Ready {
            return None;
        }
        let kept = self.check_replay.as_ref().filter(|k| k.domain == domain.written(false));
        Some(crate::engine::Request::new(self.check.id, domain, self.settings.clone(), self.check.now, self.lang, kept))
    }

    /// Recomputes the generator and matcher output from their inputs (cheap: microseconds to a few ms).
    fn recompute(&mut self) {
        self.generated = match &self.gen_file {
            Some((_, bytes)) => Some(generator::run_bytes(bytes, &self.gen_form, self.lang)),
            None => generator::run(&self.gen_form, self.lang),
        };
        self.matched = matcher::run(&self.match_form, self.now, self.lang);
    }
}

#[cfg(test)]
mod tests {
    use geleit::check::CheckOutcome;

    use super::*;
    use crate::drive::{DriveError, Recorded, Step};
    use crate::engine::{Request, Session};

    /// A check of `domain` kept in the history entry, as the page reads it back.
    fn kept(domain: &str) -> Kept {
        let recorded = Recorded { domain: domain.into(), now: 1_700_000_000, ..Recorded::default() };
        Kept::from_json(&recorded.to_json()).unwrap()
    }

    /// A failure of the check machine (a bug, not the network's).
    fn bug() -> DriveError {
        DriveError::Machine { detail: "the check ended without an outcome".into() }
    }

    #[test]
    fn settings_from_json_as_serde_reads_them() {
        for text in [
            r#"{"doh":"https://dns.example/dns-query","edge":"https://edge.example/","anchor":". DS 1 2 3 AB"}"#,
            r#"{"doh":"https://127.0.0.1:8443/dns-query","extra":[1,2]}"#,
            "{}",
        ] {
            let serde: Settings = serde_json::from_str(text).unwrap();
            assert_eq!(Settings::from_json(text), Some(serde), "{text}");
        }
        let full = Settings { doh: "d".into(), edge: "e".into(), anchor: "a\n\"quoted\" \\ \u{1} ü".into() };
        assert_eq!(full.to_json(), serde_json::to_string(&full).unwrap(), "written as serde writes it");
        assert_eq!(Settings::from_json(&serde_json::to_string(&full).unwrap()), Some(full.clone()));
        assert_eq!(Settings::from_json(&full.to_json()), Some(full));
        for text in
            ["", r#"{"doh":1}"#, r#"{"edge":null}"#, "{", r#""doh""#, r#"{"doh":"a"} x"#, "{\"doh\":\"\\ud800\"}"]
        {
            assert!(serde_json::from_str::<Settings>(text).is_err(), "{text}");
            assert_eq!(Settings::from_json(text), None, "{text}");
        }
        // The one difference: serde's derive also takes the fields as an array; nothing writes one.
        assert!(serde_json::from_str::<Settings>("[]").is_ok() && Settings::from_json("[]").is_none());
    }

    fn state() -> State {
        State::new(Lang::En, Route::Generate, 1_800_000_000)
    }

    #[test]
    fn typing_a_certificate_generates_and_switching_language_rewords() {
        let (leaf, _) = generator::tests::chain_pem();
        let s = state().reduce(Action::Gen(GenField::Text, leaf));
        let view = s.generated.clone().unwrap().unwrap();
        assert_eq!(view.sources[0].label, "depth 0: server certificate");
        let s = s.reduce(Action::SetLang(Lang::De));
        assert_eq!(s.generated.unwrap().unwrap().sources[0].label, "Tiefe 0: Serverzertifikat");
    }

    #[test]
    fn a_dropped_pem_file_lands_in_the_text_field_and_der_stays_binary() {
        let (leaf, _) = generator::tests::chain_pem();
        let s = state().reduce(Action::GenFile("cert.pem".into(), leaf.clone().into_bytes()));
        assert_eq!(s.gen_form.text, leaf);
        assert!(s.gen_file.is_none());
        let der = geleit::cert::read_input(leaf.as_bytes()).unwrap().certificates().next().unwrap().der().to_vec();
        let s = s.reduce(Action::GenFile("cert.der".into(), der));
        assert!(s.gen_file.is_some());
        let from_der = s.generated.clone().unwrap().unwrap();
        let from_pem = generator::run(&s.gen_form, Lang::En).unwrap().unwrap();
        assert_eq!(from_der.recommended, from_pem.recommended);
        // Typing again makes the text field the input.
        let s = s.reduce(Action::Gen(GenField::Text, String::new()));
        assert_eq!(s.generated, None);
    }

    #[test]
    fn a_refused_private_key_is_cleared_from_the_text_field() {
        let (leaf, _) = generator::tests::chain_pem();
        let key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
        let s = state().reduce(Action::Gen(GenField::Text, format!("{key}{leaf}")));
        assert_eq!(s.gen_form.text, leaf, "the key is gone from the field");
        assert!(s.gen_key_refused);
        assert!(matches!(s.generated, Some(Ok(_))), "the certificate still gives records");
        let s = s.reduce(Action::Gen(GenField::Text, key.into()));
        assert_eq!(s.gen_form.text, "");
        assert!(s.gen_key_refused);
        let s = s.reduce(Action::GenFile("key.pem".into(), key.as_bytes().to_vec()));
        assert_eq!(s.gen_form.text, "");
        let s = s.reduce(Action::Gen(GenField::Text, String::new()));
        assert!(s.gen_key_refused, "emptying the field keeps the notice");
        let s = s.reduce(Action::Gen(GenField::Text, leaf.clone()));
        assert!(!s.gen_key_refused);
    }

    #[test]
    fn offline_a_check_waits_with_a_message_and_starts_once_online() {
        let s = State::new(Lang::De, Route::Check, 1_800_000_000).reduce(Action::Online(false));
        assert!(!s.online);
        assert_eq!(s.status, Lang::De.t().ck_offline);
        let s = s.reduce(Action::CheckStart("Bücher.example".into()));
        // No run (no fetch): the address and the input show the domain, the message says why.
        assert!(!s.check.running);
        assert!(s.check.domain.is_none());
        assert_eq!(s.check.id, 0);
        assert_eq!(s.route, Route::CheckDomain("xn--bcher-kva.example".into()));
        assert_eq!(s.check_input, "bücher.example");
        assert_eq!(s.check_waiting.as_ref().map(|d| d.ascii.as_str()), Some("xn--bcher-kva.example"));
        assert_eq!(s.status, Lang::De.t().ck_offline);
        // A bad name is refused offline as online.
        let bad = s.clone().reduce(Action::CheckStart("a..b".into()));
        assert!(bad.check_problem.is_some());
        // Back online: the waiting domain is checked.
        let s = s.reduce(Action::Online(true));
        assert!(s.online);
        assert!(s.check_waiting.is_none());
        assert_eq!(s.check.id, 1);
        assert_eq!(s.check.domain.as_ref().map(|d| d.ascii.as_str()), Some("xn--bcher-kva.example"));
        assert!(s.check.fresh());
        assert_eq!(s.status, Lang::De.t().ck_running);
        // Going online again without anything waiting starts nothing new.
        let again = s.clone().reduce(Action::Online(true));
        assert_eq!(again.check.id, 1);
    }

    #[test]
    fn a_bad_input_keeps_the_previous_result_and_says_why_in_short() {
        let s = state().reduce(Action::CheckStart("example.org".into()));
        let before = s.check.clone();
        let long = format!("{}@", "x".repeat(3000));
        let s = s.reduce(Action::CheckStart(long));
        assert_eq!(s.check, before, "the previous result stays");
        let p = s.check_problem.clone().unwrap();
        assert!(p.chars().count() < 250, "{p}");
        let s = s.reduce(Action::CheckStart("127.0.1.1".into()));
        assert!(s.check_problem.unwrap().contains("is an IP address"));
    }

    #[test]
    fn a_host_in_brackets_is_checked_directly() {
        let s = state().reduce(Action::CheckStart("[MX.example.org]".into()));
        assert_eq!(s.route, Route::CheckDomain("[mx.example.org]".into()));
        assert_eq!(s.check_input, "[mx.example.org]");
        assert!(s.check.domain.as_ref().unwrap().direct);
        let s = state().reduce(Action::CheckStart("https://example.org/".into()));
        assert_eq!(s.route, Route::CheckDomain("example.org".into()));
    }

    #[test]
    fn a_kept_check_is_shown_again_at_its_time_even_offline() {
        let kept = kept("example.org");
        let s = state().reduce(Action::Online(false)).reduce(Action::CheckReplay(Box::new(kept.clone())));
        assert_eq!(s.check.id, 1);
        assert_eq!(s.check.now, 1_700_000_000);
        assert_eq!(s.check_replay, Some(kept));
        assert_eq!(s.route, Route::CheckDomain("example.org".into()));
        assert!(s.check_waiting.is_none());
        // A new check of one's own asks the network again.
        let s = s.reduce(Action::Online(true)).reduce(Action::CheckStart("example.org".into()));
        assert!(s.check_replay.is_none());
    }

    /// A state whose settings are known and whose engine module is there.
    fn ready() -> State {
        state().reduce(Action::LoadSettings(Settings::default())).reduce(Action::EngineLoaded(true))
    }

    /// The engine's side of the state's current run.
    fn session(s: &State) -> Session {
        Session::start(&s.check_request().unwrap()).unwrap()
    }

    fn update(u: Option<Update>) -> Action {
        Action::CheckUpdate(Box::new(u.unwrap()))
    }

    #[test]
    fn the_engines_updates_are_shown_and_announced_and_a_replaced_runs_are_not() {
        let s = ready().reduce(Action::CheckStart("example.org".into()));
        assert!(s.check_busy());
        let mut engine = session(&s);
        let s = s.reduce(update(engine.started()));
        assert!(!s.check.fresh(), "started once");
        assert_eq!(s.check_request(), None);
        assert_eq!(s.status, Lang::En.t().ck_running, "the start is not announced twice");
        engine.step(Step::Probing { host: "mx.example.org".into() });
        let s = s.reduce(update(engine.wait("mx.example.org", 7)));
        let v = s.check.view.clone().unwrap();
        assert_eq!(v.shown, crate::checker::Shown::Pending);
        assert!(s.check.running && s.check_busy());
        let refused = DriveError::RateLimited { waits: 3 };
        let s = s.reduce(update(engine.step(Step::Probed { host: "mx.example.org".into(), report: Err(refused) })));
        assert_eq!(s.status, s.check.view.as_ref().unwrap().progress, "a probe's report is announced");
        // A newer run: the old one's updates change nothing.
        let s = s.reduce(Action::CheckStart("example.net".into()));
        assert_eq!(s.check.id, 2);
        let late = s.clone().reduce(update(engine.finish(Err(bug()), None)));
        assert_eq!(late, s);
        let broken = s.clone().reduce(Action::CheckBroken { id: 1, error: "late".into() });
        assert_eq!(broken, s);
    }

    #[test]
    fn online_a_check_starts_at_once() {
        let s = ready().reduce(Action::CheckStart("example.org".into()));
        assert!(s.check_waiting.is_none());
        assert_eq!(s.check.id, 1);
        assert!(s.check.fresh());
        let r = s.check_request().unwrap();
        assert_eq!((r.id, r.domain.as_str(), r.direct, r.now, r.kept), (1, "example.org", false, 1_800_000_000, None));
    }

    #[test]
    fn a_check_waits_for_the_settings_and_the_engine_and_says_when_the_engine_is_missing() {
        let s = state().reduce(Action::CheckStart("example.org".into()));
        assert_eq!(s.check_request(), None, "settings not known yet");
        let s = s.reduce(Action::LoadSettings(Settings::default()));
        assert_eq!(s.engine, Engine::Loading);
        assert_eq!(s.check_request(), None, "the engine is still on its way");
        assert!(s.check_busy());
        let s = s.reduce(Action::EngineLoaded(false));
        assert_eq!(s.engine, Engine::Missing);
        assert_eq!(s.status, Lang::En.t().ck_engine_missing);
        assert!(s.check.fresh(), "the check still waits");
        assert!(!s.check_busy(), "the button does not wait for an engine that did not come");
        assert_eq!(s.check_request(), None);
        let s = s.reduce(Action::EngineRetry);
        assert_eq!((s.engine, s.engine_attempt), (Engine::Loading, 1));
        let again = s.clone().reduce(Action::EngineRetry);
        assert_eq!(again.engine_attempt, 1, "no second fetch while one is on its way");
        let s = s.reduce(Action::EngineLoaded(true));
        assert_eq!(s.check_request().map(|r| r.id), Some(1), "it arrived: the waiting check starts");
        // The generator and matcher never wait for it.
        let (leaf, _) = generator::tests::chain_pem();
        let missing = state().reduce(Action::EngineLoaded(false)).reduce(Action::Gen(GenField::Text, leaf));
        assert!(matches!(missing.generated, Some(Ok(_))));
        assert_eq!(missing.status, "", "nothing to say while no check waits");
    }

    #[test]
    fn back_online_a_missing_engine_is_fetched_again() {
        let s = state().reduce(Action::EngineLoaded(false)).reduce(Action::Online(false));
        let s = s.reduce(Action::Online(true));
        assert_eq!((s.engine, s.engine_attempt), (Engine::Loading, 1));
        let s = ready().reduce(Action::Online(true));
        assert_eq!((s.engine, s.engine_attempt), (Engine::Ready, 0), "a loaded engine stays");
    }

    #[test]
    fn a_kept_check_is_replayed_from_its_record() {
        let kept = kept("example.org");
        let s = ready().reduce(Action::CheckReplay(Box::new(kept.clone())));
        let r = s.check_request().unwrap();
        assert_eq!(r.now, 1_700_000_000);
        assert_eq!(r.kept, Some(kept.json));
    }

    #[test]
    fn an_engine_that_breaks_off_a_run_is_a_problem_not_a_hang() {
        let s = ready().reduce(Action::CheckStart("example.org".into()));
        let s = s.reduce(Action::CheckBroken { id: 1, error: "RuntimeError: unreachable".into() });
        assert!(!s.check.running && !s.check_busy());
        assert_eq!(s.check_problem.as_deref(), Some("RuntimeError: unreachable"));
        assert_eq!(s.status, Lang::En.t().ck_failed);
    }

    #[test]
    fn a_run_that_fails_after_going_offline_waits_instead_of_failing() {
        let s = ready().reduce(Action::CheckStart("example.org".into()));
        let failed = || session(&s).finish(Err(bug()), None);
        let failed_online = s.clone().reduce(update(failed()));
        let v = failed_online.check.view.clone().unwrap();
        assert_eq!(v.shown, crate::checker::Shown::Failed);
        assert_eq!(v.detail.as_deref(), Some("the check ended without an outcome"));
        assert!(!failed_online.check.running);
        assert_eq!(failed_online.status, Lang::En.t().ck_failed);

        let s = s.clone().reduce(Action::Online(false)).reduce(update(failed()));
        assert!(s.check.view.is_none());
        assert!(s.check.domain.is_none());
        assert_eq!(s.check_waiting.as_ref().map(|d| d.ascii.as_str()), Some("example.org"));
        assert_eq!(s.status, Lang::En.t().ck_offline);
        let s = s.reduce(Action::Online(true));
        assert_eq!(s.check.id, 2);
        assert_eq!(s.check.domain.as_ref().map(|d| d.ascii.as_str()), Some("example.org"));
        // A late failure of the replaced run changes nothing.
        let mut old = Session::start(&Request { id: 1, ..s.check_request().unwrap() }).unwrap();
        let late = s.clone().reduce(update(old.finish(Err(bug()), None)));
        assert_eq!(late, s);
    }

    #[test]
    fn offline_the_generator_still_works() {
        let (leaf, _) = generator::tests::chain_pem();
        let s = state().reduce(Action::Online(false)).reduce(Action::Gen(GenField::Text, leaf));
        assert!(matches!(s.generated, Some(Ok(_))));
    }

    #[test]
    fn probes_ask_for_the_validated_addresses_not_the_name() {
        let target = geleit::verdict::ProbeTarget {
            host: "mx.example".into(),
            sni: "mail.example".into(),
            addresses: vec![[192, 0, 2, 25].into(), "2001:db8::25".parse().unwrap()],
        };
        assert_eq!(
            Settings::default().probe_url(&target),
            "/api/probe?host=mx.example&sni=mail.example&addr=192.0.2.25&addr=2001%3Adb8%3A%3A25&port=25"
        );
        let s = Settings { edge: "https://edge.example/".into(), ..Settings::default() };
        assert!(s.probe_url(&target).starts_with("https://edge.example/api/probe?host=mx.example&sni="));
    }

    #[test]
    fn policy_fetches_ask_the_edge_for_the_validated_addresses() {
        let request = geleit::check::FetchRequest::for_domain("example.org.", vec!["2001:db8::25".parse().unwrap()]);
        let s = Settings { edge: "https://edge.example/".into(), ..Settings::default() };
        assert_eq!(
            s.sts_policy_url(&request),
            "https://edge.example/api/sts-policy?domain=example.org&addr=2001%3Adb8%3A%3A25"
        );
        assert_eq!(
            Settings::default().sts_policy_url(&request),
            "/api/sts-policy?domain=example.org&addr=2001%3Adb8%3A%3A25"
        );
    }

    fn unreachable(domain: &str) -> Result<CheckOutcome, DriveError> {
        Ok(CheckOutcome::ResolverUnreachable(geleit::check::ResolverFailure {
            domain: format!("{domain}."),
            failed: 1,
            asked: 1,
            detail: "DoH endpoint http://127.0.0.1:9/dns-query answered HTTP 502".into(),
        }))
    }

    #[test]
    fn an_unreachable_resolver_is_a_neutral_state_never_a_dnssec_failure() {
        let s = ready().reduce(Action::CheckStart("example.org".into()));
        let mut engine = session(&s);
        let timeout = DriveError::Timeout { url: "http://127.0.0.1:9/dns-query".into(), after_ms: 10_000 };
        engine.step(Step::DohFailed { error: timeout });
        let s = s.reduce(update(engine.finish(unreachable("example.org"), None)));
        assert!(!s.check.running);
        let v = s.check.view.clone().unwrap();
        assert_eq!(v.shown, crate::checker::Shown::ResolverUnreachable);
        assert_eq!(v.shown.tone(), "neutral");
        assert_eq!(v.headline, "DNS resolver not reached");
        assert_eq!(
            v.summary,
            "Geleit could not reach its DNS resolver — this says nothing about example.org. 1 of 1 query got no answer after 3 attempts each: http://127.0.0.1:9/dns-query did not answer within 10 s."
        );
        assert!(v.retry);
        assert!(v.detail.as_deref().unwrap().contains("answered HTTP 502"), "{:?}", v.detail);
        assert!(v.hosts.is_empty() && v.mx_findings.is_empty() && v.advice.is_empty());
        assert_eq!(s.status, format!("{}: {}", v.headline, v.summary));
        assert!(!s.status.contains("DNSSEC"), "{}", s.status);
        assert!(s.check.export.as_deref().unwrap().contains("\"result\": null"), "no verdict to export");
        let s = s.reduce(Action::SetLang(Lang::De)).reduce(update(engine.reword(Lang::De)));
        let de = s.check.view.clone().unwrap();
        assert_eq!(
            de.summary,
            "Geleit konnte seinen DNS-Resolver nicht erreichen – das sagt nichts über example.org aus. 1 von 1 Abfrage blieb nach je 3 Versuchen ohne Antwort: http://127.0.0.1:9/dns-query hat nicht innerhalb von 10 s geantwortet."
        );
        assert!(!de.summary.contains("answered") && !de.summary.contains("within"), "{}", de.summary);
        // Trying again is a new run of the same domain.
        let again = s.reduce(Action::CheckStart("example.org".into()));
        assert_eq!(again.check.id, 2);
        assert!(again.check.fresh());
    }

    #[test]
    fn an_unreachable_resolver_after_going_offline_waits_for_the_network() {
        let s = ready().reduce(Action::CheckStart("example.org".into()));
        let mut engine = session(&s);
        let s = s.reduce(Action::Online(false)).reduce(update(engine.finish(unreachable("example.org"), None)));
        assert!(s.check.view.is_none());
        assert_eq!(s.check_waiting.as_ref().map(|d| d.ascii.as_str()), Some("example.org"));
        assert_eq!(s.status, Lang::En.t().ck_offline);
    }

    #[test]
    fn settings_default_to_the_edge() {
        let mut s = Settings::default();
        assert_eq!(s.doh_url(), "/dns-query");
        s.edge = "https://edge.example/".into();
        assert_eq!(s.doh_url(), "https://edge.example/dns-query");
        s.doh = "http://127.0.0.1:8053/dns-query".into();
        assert_eq!(s.doh_url(), "http://127.0.0.1:8053/dns-query");
    }
}
