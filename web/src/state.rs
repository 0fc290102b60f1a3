//! The page's state and every change to it, as a reducer without any `html!`
//! (like Yew's `function_todomvc`): components dispatch [`Action`]s, services
//! report results as `Action`s, and [`State::reduce`] decides. Plain
//! `cargo test` covers it.

use geleit::check::CheckOutcome;

use crate::checker::CheckRun;
use crate::domain::{self, Domain};
use crate::drive::{DriveError, Recorded, Step};
use crate::generator::Problem;
use crate::generator::{self, GenForm, GenResult};
use crate::i18n::Lang;
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
    /// (missing fields empty, unknown ones ignored), but through
    /// `serde_json::Value`, which the page links anyway, instead of a derived
    /// visitor for one more type. `None` when it is not such an object (serde
    /// would also take an array of the fields in order; nothing writes one).
    #[must_use]
    pub fn from_json(text: &str) -> Option<Self> {
        let serde_json::Value::Object(map) = serde_json::from_str(text).ok()? else { return None };
        let field = |name: &str| match map.get(name) {
            None => Some(String::new()),
            Some(v) => v.as_str().map(str::to_owned),
        };
        Some(Self { doh: field("doh")?, edge: field("edge")?, anchor: field("anchor")? })
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
    pub check: CheckRun,
    /// Settings are loaded (saved ones, or the deployment's preset, or none): checks may start.
    pub settings_ready: bool,
    /// The browser has a network (`navigator.onLine` and its `online`/`offline` events).
    /// The checker needs it; the generator and matcher do not.
    pub online: bool,
    /// A domain asked for while offline: checked as soon as the browser is online again.
    pub check_waiting: Option<Domain>,
    /// The current run replays a check kept in the history entry (a reload,
    /// Back or Forward): no network, the same result.
    pub check_replay: Option<Recorded>,
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
    /// What the driver of run `id` reported (DNS progress, the DNS stage, a probe).
    CheckStep {
        id: u32,
        step: Box<Step>,
    },
    /// Run `id` is done: the core's outcome.
    CheckDone {
        id: u32,
        outcome: Box<CheckOutcome>,
    },
    /// Run `id` could not run (bad settings, a name the core rejects).
    CheckFailed {
        id: u32,
        error: DriveError,
    },
    /// The browser went online (`true`) or offline (`false`).
    Online(bool),
    /// Show a check kept in the history entry again (reload, Back, Forward).
    CheckReplay(Box<Recorded>),
    /// The edge answered 429 for `host` of run `id`: asked again in `seconds` (0: now).
    ProbeWait {
        id: u32,
        host: String,
        seconds: u64,
    },
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
            check: CheckRun::default(),
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
                    self.check = CheckRun::start(self.check.id.wrapping_add(1), d, kept.now);
                    self.check_replay = Some(*kept);
                }
            }
            Action::ProbeWait { id, host, seconds } if id == self.check.id => self.check.wait(&host, seconds),
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
                        self.check = CheckRun { id: self.check.id, ..CheckRun::default() };
                        self.check_waiting = Some(d);
                        self.status = self.lang.t().ck_offline.to_owned();
                    }
                }
                // The previous result stays; the problem is shown above it.
                Err(e) => self.check_problem = Some(domain::problem_words(&e, &text, self.lang.t())),
            },
            Action::CheckStep { id, step } if id == self.check.id => {
                let announce = matches!(*step, Step::DnsDone { .. } | Step::Probed { .. });
                self.check.step(*step);
                if announce {
                    self.announce_progress();
                }
            }
            Action::CheckDone { id, outcome } if id == self.check.id => {
                if matches!(*outcome, CheckOutcome::ResolverUnreachable(_)) && !self.online {
                    // The network went away during the run: wait for it.
                    self.wait_for_network();
                } else {
                    self.check.finish(*outcome);
                    self.announce_progress();
                }
            }
            Action::CheckFailed { id, error } if id == self.check.id => {
                if self.online {
                    self.check.fail(error);
                    self.status = self.lang.t().ck_failed.to_owned();
                } else {
                    self.wait_for_network();
                }
            }
            Action::Online(online) => {
                self.online = online;
                if !online {
                    self.status = self.lang.t().ck_offline.to_owned();
                } else if let Some(d) = self.check_waiting.take() {
                    self.start_check(d);
                }
            }
            // Results of a run that was replaced by a newer one.
            Action::CheckStep { .. }
            | Action::CheckDone { .. }
            | Action::CheckFailed { .. }
            | Action::ProbeWait { .. } => {}
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
        self.check = CheckRun::start(self.check.id.wrapping_add(1), d, self.now);
        self.status = self.lang.t().ck_running.to_owned();
    }

    /// The network went away during the run: not the domain's fault. Wait
    /// for it, as for a check asked for while offline.
    fn wait_for_network(&mut self) {
        self.check_waiting = self.check.domain.take();
        self.check = CheckRun { id: self.check.id, ..CheckRun::default() };
        self.status = self.lang.t().ck_offline.to_owned();
    }

    fn announce_progress(&mut self) {
        if let Some(view) = crate::checker::view(&self.check, self.lang) {
            self.status = if self.check.phase == crate::checker::Phase::Done {
                format!("{}: {}", view.headline, view.summary)
            } else {
                view.progress
            };
        }
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
    use super::*;

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
        let full = Settings { doh: "d".into(), edge: "e".into(), anchor: "a".into() };
        assert_eq!(Settings::from_json(&serde_json::to_string(&full).unwrap()), Some(full));
        for text in ["", r#"{"doh":1}"#, r#"{"edge":null}"#, "{"] {
            assert!(serde_json::from_str::<Settings>(text).is_err(), "{text}");
            assert_eq!(Settings::from_json(text), None, "{text}");
        }
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
        assert_eq!(s.check.phase, crate::checker::Phase::Idle);
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
        assert_eq!(s.check.phase, crate::checker::Phase::Dns { rounds: 0, queries: 0 });
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
        let kept = Recorded { domain: "example.org".into(), now: 1_700_000_000, ..Recorded::default() };
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

    #[test]
    fn a_429_shows_a_countdown_and_the_probe_stays_in_flight() {
        let s = state().reduce(Action::CheckStart("example.org".into()));
        let s = s.reduce(Action::CheckStep { id: 1, step: Box::new(Step::Probing { host: "mx.example.org".into() }) });
        let s = s.reduce(Action::ProbeWait { id: 1, host: "mx.example.org".into(), seconds: 7 });
        assert_eq!(s.check.probe("mx.example.org."), &crate::checker::Probe::Waiting(7));
        assert_eq!(s.check.probing(), 1);
        let s = s.reduce(Action::ProbeWait { id: 1, host: "mx.example.org".into(), seconds: 0 });
        assert_eq!(s.check.probe("mx.example.org"), &crate::checker::Probe::Running);
        // A late wait of a replaced run changes nothing.
        let s2 = s.clone().reduce(Action::ProbeWait { id: 0, host: "mx.example.org".into(), seconds: 9 });
        assert_eq!(s2, s);
    }

    #[test]
    fn online_a_check_starts_at_once() {
        let s = state().reduce(Action::CheckStart("example.org".into()));
        assert!(s.check_waiting.is_none());
        assert_eq!(s.check.id, 1);
        assert_eq!(s.check.phase, crate::checker::Phase::Dns { rounds: 0, queries: 0 });
    }

    #[test]
    fn a_run_that_fails_after_going_offline_waits_instead_of_failing() {
        let s = state().reduce(Action::CheckStart("example.org".into()));
        let bug = || DriveError::Machine { detail: "the check ended without an outcome".into() };
        let failed_online = s.clone().reduce(Action::CheckFailed { id: 1, error: bug() });
        assert_eq!(failed_online.check.error.as_deref(), Some("the check ended without an outcome"));
        assert_eq!(failed_online.check.failure, Some(bug()));
        assert_eq!(failed_online.check.phase, crate::checker::Phase::Done);

        let s = s.reduce(Action::Online(false)).reduce(Action::CheckFailed { id: 1, error: bug() });
        assert!(s.check.error.is_none());
        assert!(s.check.domain.is_none());
        assert_eq!(s.check_waiting.as_ref().map(|d| d.ascii.as_str()), Some("example.org"));
        assert_eq!(s.status, Lang::En.t().ck_offline);
        let s = s.reduce(Action::Online(true));
        assert_eq!(s.check.id, 2);
        assert_eq!(s.check.domain.as_ref().map(|d| d.ascii.as_str()), Some("example.org"));
        // A late failure of the replaced run changes nothing.
        let late = s.clone().reduce(Action::CheckFailed { id: 1, error: bug() });
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

    fn unreachable(domain: &str) -> Box<CheckOutcome> {
        Box::new(CheckOutcome::ResolverUnreachable(geleit::check::ResolverFailure {
            domain: format!("{domain}."),
            failed: 1,
            asked: 1,
            detail: "DoH endpoint http://127.0.0.1:9/dns-query answered HTTP 502".into(),
        }))
    }

    #[test]
    fn an_unreachable_resolver_is_a_neutral_state_never_a_dnssec_failure() {
        let s = state().reduce(Action::CheckStart("example.org".into()));
        let timeout = DriveError::Timeout { url: "http://127.0.0.1:9/dns-query".into(), after_ms: 10_000 };
        let s = s.reduce(Action::CheckStep { id: 1, step: Box::new(Step::DohFailed { error: timeout }) });
        let s = s.reduce(Action::CheckDone { id: 1, outcome: unreachable("example.org") });
        assert_eq!(s.check.phase, crate::checker::Phase::Done);
        let v = crate::checker::view(&s.check, Lang::En).unwrap();
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
        assert_eq!(s.check.verdict(), None, "no verdict to export");
        let de = crate::checker::view(&s.check, Lang::De).unwrap();
        assert_eq!(
            de.summary,
            "Geleit konnte seinen DNS-Resolver nicht erreichen – das sagt nichts über example.org aus. 1 von 1 Abfrage blieb nach je 3 Versuchen ohne Antwort: http://127.0.0.1:9/dns-query hat nicht innerhalb von 10 s geantwortet."
        );
        assert!(!de.summary.contains("answered") && !de.summary.contains("within"), "{}", de.summary);
        // Trying again is a new run of the same domain.
        let again = s.reduce(Action::CheckStart("example.org".into()));
        assert_eq!(again.check.id, 2);
        assert_eq!(again.check.phase, crate::checker::Phase::Dns { rounds: 0, queries: 0 });
    }

    #[test]
    fn an_unreachable_resolver_after_going_offline_waits_for_the_network() {
        let s = state().reduce(Action::CheckStart("example.org".into())).reduce(Action::Online(false));
        let s = s.reduce(Action::CheckDone { id: 1, outcome: unreachable("example.org") });
        assert!(s.check.outcome.is_none());
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
