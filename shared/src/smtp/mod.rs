//! A sans-IO SMTP client that probes a mail server's STARTTLS (RFC 5321,
//! RFC 3207) or implicit TLS (RFC 8314 §3.3), and the policy for which
//! addresses a probe may reach.
//!
//! Like rustls and quinn-proto, [`Client`] owns no socket and no clock: the
//! caller opens the connection, runs TLS, reads and writes bytes, and passes
//! the current time (milliseconds on any monotonic clock) into every call.
//! The client answers with [`Action`]s and says when the current step times
//! out.
//!
//! ```text
//!            ┌──────────── Action::Connect / Send / StartTls / NeedMore
//!   caller ◄─┤
//!  (socket,  └──────────── poll_timeout() ─► deadline of the current step
//!   TLS,        handle_connected / handle_input / handle_eof
//!   clock) ───► handle_tls_established / handle_tls_failed
//!               handle_io_error / handle_timeout ───────► Client ──► Report
//! ```
//!
//! Steps in STARTTLS mode: connect, greeting, EHLO, STARTTLS, TLS handshake,
//! EHLO over TLS, QUIT. In implicit-TLS mode: connect, TLS handshake,
//! greeting, EHLO over TLS, QUIT.
//!
//! A check's probe ([`AfterTls::Quit`]) ends at the TLS handshake instead:
//! the verdict needs the chain the handshake brought, not what EHLO over
//! TLS would list, so it sends QUIT at once and is done without waiting
//! for the 221 (RFC 5321 §4.1.1.10: the client sends QUIT before it closes;
//! waiting for the reply is a SHOULD). That takes EHLO over TLS and QUIT
//! (two round trips) off the verdict's critical path.

mod json;
mod policy;
mod reply;
mod report;
mod sanitize;

pub use json::ReportJsonError;
pub use policy::{
    ALLOWED_PORTS, Cidr, CidrError, PolicyRefusal, check_probe_target, check_public_address, is_probe_target_allowed,
};
pub use reply::{MAX_LINE_OCTETS, MAX_REPLY_LINES, MAX_REPLY_OCTETS, Reply, ReplyError};
pub use report::{
    AddressReport, AlgorithmProbe, Capability, Certificate, Direction, EhloReport, HostReport, Report, SignatureFamily,
    Step, StepFailure, StepTiming, TlsFacts, TlsMode, TranscriptLine,
};
pub use sanitize::{MAX_TEXT_CHARS, sanitize};

use reply::ReplyReader;
use thiserror::Error;

/// Most lines kept in a report's transcript; later lines are counted as
/// left out (`Report::transcript_truncated`).
pub const MAX_TRANSCRIPT_LINES: usize = 200;

/// Step timeout used by [`Config::new`], in milliseconds. RFC 5321 §4.5.3.2
/// gives a mail client minutes per command; a probe that a person waits for
/// uses seconds.
pub const DEFAULT_STEP_TIMEOUT_MS: u64 = 10_000;

/// How a probe behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The name sent with EHLO (RFC 5321 §4.1.1.1: a domain or an address
    /// literal).
    pub ehlo_name: String,
    pub mode: TlsMode,
    /// Time each step may take, in milliseconds.
    pub step_timeout_ms: u64,
    /// What follows a completed TLS handshake.
    pub after_tls: AfterTls,
}

/// What a probe does once its TLS handshake completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterTls {
    /// The whole session: EHLO over TLS (RFC 3207 §4.2: the first command
    /// after TLS), then QUIT and its 221 (`geleit probe`: what the server
    /// offers after TLS).
    #[default]
    Ehlo,
    /// QUIT at once, not waited for: the probe is done when the handshake is
    /// (a check's probe: the verdict reads the chain only).
    Quit,
}

impl Config {
    /// STARTTLS mode, EHLO name `ehlo_name`, [`DEFAULT_STEP_TIMEOUT_MS`].
    #[must_use]
    pub fn new(ehlo_name: impl Into<String>) -> Self {
        Self {
            ehlo_name: ehlo_name.into(),
            mode: TlsMode::Starttls,
            step_timeout_ms: DEFAULT_STEP_TIMEOUT_MS,
            after_tls: AfterTls::Ehlo,
        }
    }
}

/// Errors in how the API was used (not in what the server sent).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The EHLO name would not form a valid command.
    #[error(
        "expected an EHLO name of 1 to 255 letters, digits, \".\", \"-\", \":\" or \"[]\", found {}",
        crate::quoted::Quoted(.found)
    )]
    BadEhloName { found: String },
    /// A `handle_*` call that does not fit the current step.
    #[error("expected {expected} during step {step}, found {called}")]
    OutOfOrder { step: &'static str, expected: &'static str, called: &'static str },
}

/// Why a step failed. Goes into the report as a [`StepFailure`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// No progress within the step's budget.
    #[error("expected the {step} step to finish within {budget_ms} ms, found no answer in time")]
    Timeout { step: Step, budget_ms: u64 },
    /// The server closed the connection.
    #[error("expected the server to keep the connection open during {step}, found it closed")]
    ConnectionClosed { step: Step },
    /// The caller's socket reported an error (connect refused, reset, ...).
    #[error("connection error during {step}: {detail}")]
    Io { step: Step, detail: String },
    /// A reply could not be read.
    #[error("malformed reply during {step}: {source}")]
    Reply { step: Step, source: ReplyError },
    /// The server refused the session in its greeting (RFC 5321 §3.1: 554,
    /// or 421 service not available).
    #[error("expected a 220 greeting, found refusal {code}: {text}")]
    GreetingRefused { code: u16, text: String },
    /// A reply with a code this step does not allow.
    #[error("expected reply {expected} to {step}, found {code}: {text}")]
    UnexpectedReply { step: Step, expected: u16, code: u16, text: String },
    /// EHLO was refused. No HELO fallback: without ESMTP there is no STARTTLS
    /// (RFC 3207 §4: the STARTTLS keyword is an EHLO response).
    #[error("expected 250 to EHLO, found {code}: {text} (no HELO fallback: STARTTLS needs ESMTP)")]
    EhloRefused { step: Step, code: u16, text: String },
    /// The EHLO reply did not list STARTTLS (RFC 3207 §4).
    #[error("expected STARTTLS in the EHLO reply, found it not offered")]
    StarttlsNotOffered,
    /// STARTTLS was answered with something other than 220 (RFC 3207 §4:
    /// 454 TLS not available, 501 syntax error).
    #[error("expected 220 to STARTTLS, found {code}: {text}")]
    StarttlsRefused { code: u16, text: String },
    /// Bytes arrived after the 220 to STARTTLS, before the TLS handshake:
    /// they could be injected plaintext (RFC 3207 §6: discard everything
    /// learnt before TLS), so the probe stops.
    #[error("expected nothing after 220 to STARTTLS until the tls handshake, found {octets} more octets")]
    DataBeforeTls { octets: usize },
    /// The caller's TLS handshake failed.
    #[error("tls handshake failed: {detail}")]
    Tls { detail: String },
}

impl ProbeError {
    /// The step this error ended.
    #[must_use]
    pub fn step(&self) -> Step {
        match self {
            Self::Timeout { step, .. }
            | Self::ConnectionClosed { step }
            | Self::Io { step, .. }
            | Self::Reply { step, .. }
            | Self::UnexpectedReply { step, .. }
            | Self::EhloRefused { step, .. } => *step,
            Self::GreetingRefused { .. } => Step::Greeting,
            Self::StarttlsNotOffered | Self::StarttlsRefused { .. } => Step::Starttls,
            // The handshake was due; it never started.
            Self::DataBeforeTls { .. } => Step::TlsHandshake,
            Self::Tls { .. } => Step::TlsHandshake,
        }
    }

    /// A stable machine-readable name for the reason.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Timeout { .. } => "timeout",
            Self::ConnectionClosed { .. } => "connection_closed",
            Self::Io { .. } => "io",
            Self::Reply { .. } => "malformed_reply",
            Self::GreetingRefused { .. } => "greeting_refused",
            Self::UnexpectedReply { .. } => "unexpected_reply",
            Self::EhloRefused { .. } => "ehlo_refused",
            Self::StarttlsNotOffered => "starttls_not_offered",
            Self::StarttlsRefused { .. } => "starttls_refused",
            Self::DataBeforeTls { .. } => "data_before_tls",
            Self::Tls { .. } => "tls",
        }
    }

    fn to_failure(&self) -> StepFailure {
        StepFailure { step: self.step(), kind: self.kind().to_owned(), message: self.to_string() }
    }
}

/// What the caller must do next. Returned by [`Client::poll_action`].
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open the TCP connection, then call [`Client::handle_connected`].
    Connect,
    /// Write these bytes (through TLS once TLS is up).
    Send(Vec<u8>),
    /// Run the TLS handshake on the connection now, then call
    /// [`Client::handle_tls_established`] or [`Client::handle_tls_failed`].
    StartTls,
    /// Read from the connection and call [`Client::handle_input`] (or
    /// `handle_eof` / `handle_io_error`), or call [`Client::handle_timeout`]
    /// once [`Client::poll_timeout`] has passed.
    NeedMore,
    /// The probe is over; close the connection. Returned on every later call.
    Done(Box<Report>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Connecting,
    Greeting,
    Ehlo,
    Starttls,
    TlsHandshake,
    EhloTls,
    Quit,
    Done,
}

/// The SMTP probe state machine.
///
/// Call order:
/// 1. [`Client::new`] with the time the connection attempt starts.
/// 2. Loop on [`Client::poll_action`] until [`Action::Done`]:
///    - `Connect`: connect, then `handle_connected(now)` or
///      `handle_io_error(detail, now)`.
///    - `Send(bytes)`: write them all (a write error goes to
///      `handle_io_error`), then poll again.
///    - `StartTls`: hand the socket to TLS (any bytes already read were
///      passed to `handle_input` before), then `handle_tls_established` or
///      `handle_tls_failed`. After it, every `Send` goes through TLS and
///      `handle_input` takes decrypted bytes.
///    - `NeedMore`: read; pass bytes to `handle_input`, a clean close to
///      `handle_eof`, an error to `handle_io_error`.
///    - While waiting for anything, stop at [`Client::poll_timeout`] and call
///      `handle_timeout(now)`.
/// 3. `Done(report)`: close the connection.
#[derive(Debug)]
pub struct Client {
    config: Config,
    state: State,
    /// `now` of the call to `new`; all report times are relative to it.
    origin_ms: u64,
    step_started_ms: u64,
    deadline_ms: Option<u64>,
    step: Step,
    /// Bytes of an incomplete line.
    partial: Vec<u8>,
    reader: ReplyReader,
    outgoing: Option<Vec<u8>>,
    connect_requested: bool,
    tls_requested: bool,
    /// TLS is up (decides where EHLO's result goes).
    tls_up: bool,
    report: Report,
}

impl Client {
    /// A probe that starts now (`now_ms` on the caller's monotonic clock).
    pub fn new(config: Config, now_ms: u64) -> Result<Self, UsageError> {
        if !is_valid_ehlo_name(&config.ehlo_name) {
            return Err(UsageError::BadEhloName { found: sanitize(config.ehlo_name.as_bytes(), 64) });
        }
        let report = Report {
            mode: config.mode,
            banner: Vec::new(),
            ehlo: None,
            starttls_offered: None,
            starttls: false,
            tls: None,
            ehlo_tls: None,
            bare_lf: false,
            steps: Vec::new(),
            transcript: Vec::new(),
            transcript_truncated: false,
            error: None,
        };
        let deadline_ms = Some(now_ms.saturating_add(config.step_timeout_ms));
        Ok(Self {
            config,
            state: State::Connecting,
            origin_ms: now_ms,
            step_started_ms: now_ms,
            deadline_ms,
            step: Step::Connect,
            partial: Vec::new(),
            reader: ReplyReader::default(),
            outgoing: None,
            connect_requested: false,
            tls_requested: false,
            tls_up: false,
            report,
        })
    }

    /// The next thing the caller must do.
    pub fn poll_action(&mut self) -> Action {
        if let Some(bytes) = self.outgoing.take() {
            return Action::Send(bytes);
        }
        match self.state {
            State::Connecting if !self.connect_requested => {
                self.connect_requested = true;
                Action::Connect
            }
            State::TlsHandshake if !self.tls_requested => {
                self.tls_requested = true;
                Action::StartTls
            }
            State::Done => Action::Done(Box::new(self.report.clone())),
            _ => Action::NeedMore,
        }
    }

    /// When the current step times out (caller's clock, ms); `None` once done.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        self.deadline_ms
    }

    /// The step in progress (or the last one, once done).
    #[must_use]
    pub fn step(&self) -> Step {
        self.step
    }

    /// Whether the probe is over.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Ends the current step with a timeout if `now_ms` is at or past its
    /// deadline; an early call does nothing.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        let Some(deadline) = self.deadline_ms else {
            return;
        };
        if now_ms < deadline {
            return;
        }
        let error = ProbeError::Timeout { step: self.step, budget_ms: self.config.step_timeout_ms };
        self.fail(error, now_ms);
    }

    /// The TCP connection is open.
    pub fn handle_connected(&mut self, now_ms: u64) -> Result<(), UsageError> {
        self.expect_state(State::Connecting, "handle_connected")?;
        self.event(now_ms, "connected");
        self.finish_step(now_ms, None);
        match self.config.mode {
            TlsMode::Starttls => self.begin(State::Greeting, Step::Greeting, now_ms),
            TlsMode::ImplicitTls => self.begin(State::TlsHandshake, Step::TlsHandshake, now_ms),
        }
        Ok(())
    }

    /// The caller's TLS handshake completed with these parameters.
    pub fn handle_tls_established(&mut self, facts: TlsFacts, now_ms: u64) -> Result<(), UsageError> {
        self.expect_state(State::TlsHandshake, "handle_tls_established")?;
        let kx = facts.kx_group.as_deref().unwrap_or("unknown group");
        let text = format!(
            "tls established: {} {} {}, {} certificate(s)",
            facts.version,
            facts.cipher_suite,
            kx,
            facts.chain.len()
        );
        self.event(now_ms, &text);
        self.report.tls = Some(facts);
        self.tls_up = true;
        self.finish_step(now_ms, None);
        if self.config.after_tls == AfterTls::Quit {
            // The chain is in: say goodbye without waiting for the reply.
            self.report.starttls = true;
            self.send_line(now_ms, "QUIT".to_owned());
            self.state = State::Done;
            self.deadline_ms = None;
            return Ok(());
        }
        match self.config.mode {
            TlsMode::Starttls => {
                self.send_line(now_ms, format!("EHLO {}", self.config.ehlo_name));
                self.begin(State::EhloTls, Step::EhloTls, now_ms);
            }
            TlsMode::ImplicitTls => self.begin(State::Greeting, Step::Greeting, now_ms),
        }
        Ok(())
    }

    /// The caller's TLS handshake failed; `detail` is shown sanitised.
    pub fn handle_tls_failed(&mut self, detail: &str, now_ms: u64) -> Result<(), UsageError> {
        self.expect_state(State::TlsHandshake, "handle_tls_failed")?;
        let detail = sanitize(detail.as_bytes(), MAX_TEXT_CHARS);
        self.fail(ProbeError::Tls { detail }, now_ms);
        Ok(())
    }

    /// The connection failed (connect error, reset, write error, ...);
    /// `detail` is shown sanitised. Ignored once done.
    pub fn handle_io_error(&mut self, detail: &str, now_ms: u64) {
        if self.state == State::Done {
            return;
        }
        let detail = sanitize(detail.as_bytes(), MAX_TEXT_CHARS);
        self.fail(ProbeError::Io { step: self.step, detail }, now_ms);
    }

    /// The server closed the connection. Ignored once done.
    pub fn handle_eof(&mut self, now_ms: u64) {
        if self.state == State::Done {
            return;
        }
        self.event(now_ms, "connection closed by server");
        self.fail(ProbeError::ConnectionClosed { step: self.step }, now_ms);
    }

    /// Bytes read from the connection (decrypted, once TLS is up).
    pub fn handle_input(&mut self, mut input: &[u8], now_ms: u64) -> Result<(), UsageError> {
        match self.state {
            State::Done => return Ok(()),
            State::Connecting => return Err(self.out_of_order("handle_connected", "handle_input")),
            State::TlsHandshake => {
                return Err(self.out_of_order("handle_tls_established", "handle_input"));
            }
            _ => {}
        }
        while !input.is_empty() && self.state != State::Done {
            if self.state == State::TlsHandshake {
                // Bytes after the 220 to STARTTLS (see `DataBeforeTls`).
                let octets = input.len().saturating_add(self.partial.len());
                self.fail(ProbeError::DataBeforeTls { octets }, now_ms);
                break;
            }
            let (chunk, rest, complete) = match input.iter().position(|&b| b == b'\n') {
                Some(i) => (input.get(..i).unwrap_or_default(), input.get(i + 1..).unwrap_or_default(), true),
                None => (input, &[][..], false),
            };
            input = rest;
            if self.partial.len().saturating_add(chunk.len()).saturating_add(usize::from(complete)) > MAX_LINE_OCTETS {
                let source = ReplyError::LineTooLong { limit: MAX_LINE_OCTETS };
                self.fail(ProbeError::Reply { step: self.step, source }, now_ms);
                break;
            }
            self.partial.extend_from_slice(chunk);
            if !complete {
                break;
            }
            let line = std::mem::take(&mut self.partial);
            if !line.ends_with(b"\r") {
                // RFC 5321 §2.3.8: lines end in CRLF. A bare LF is accepted as
                // a line end (as Postfix's own client does) and recorded.
                self.report.bare_lf = true;
            }
            let shown = line.strip_suffix(b"\r").unwrap_or(&line);
            self.transcript(now_ms, Direction::Server, sanitize(shown, MAX_TEXT_CHARS));
            match self.reader.push_line(&line) {
                Ok(None) => {}
                Ok(Some(reply)) => self.handle_reply(&reply, now_ms),
                Err(source) => self.fail(ProbeError::Reply { step: self.step, source }, now_ms),
            }
        }
        Ok(())
    }

    /// The report so far (complete once [`Client::is_done`]).
    #[must_use]
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Takes the report out.
    #[must_use]
    pub fn into_report(self) -> Report {
        self.report
    }

    fn handle_reply(&mut self, reply: &Reply, now_ms: u64) {
        match self.state {
            State::Greeting => {
                self.report.banner = reply.lines.iter().map(|l| sanitize(l, MAX_TEXT_CHARS)).collect();
                match reply.code {
                    220 => {
                        self.finish_step(now_ms, None);
                        self.send_line(now_ms, format!("EHLO {}", self.config.ehlo_name));
                        let (state, step) =
                            if self.tls_up { (State::EhloTls, Step::EhloTls) } else { (State::Ehlo, Step::Ehlo) };
                        self.begin(state, step, now_ms);
                    }
                    // RFC 5321 §3.1: 554 (and 421) instead of 220; the client
                    // should send QUIT and wait for the server to close.
                    code @ (421 | 554) => {
                        self.fail_polite(ProbeError::GreetingRefused { code, text: reply.text() }, now_ms)
                    }
                    code => self.fail_polite(
                        ProbeError::UnexpectedReply { step: Step::Greeting, expected: 220, code, text: reply.text() },
                        now_ms,
                    ),
                }
            }
            State::Ehlo | State::EhloTls => {
                if reply.code != 250 {
                    let error = ProbeError::EhloRefused { step: self.step, code: reply.code, text: reply.text() };
                    self.fail_polite(error, now_ms);
                    return;
                }
                let ehlo = parse_ehlo(reply);
                self.finish_step(now_ms, None);
                if self.state == State::Ehlo {
                    let offered = ehlo.has("STARTTLS");
                    self.report.starttls_offered = Some(offered);
                    self.report.ehlo = Some(ehlo);
                    if offered {
                        self.send_line(now_ms, "STARTTLS".to_owned());
                        self.begin(State::Starttls, Step::Starttls, now_ms);
                    } else {
                        self.step = Step::Starttls;
                        self.step_started_ms = now_ms;
                        self.fail_polite(ProbeError::StarttlsNotOffered, now_ms);
                    }
                } else {
                    self.report.ehlo_tls = Some(ehlo);
                    self.report.starttls = true;
                    self.start_quit(now_ms);
                }
            }
            State::Starttls => {
                if reply.code == 220 {
                    self.finish_step(now_ms, None);
                    self.event(now_ms, "starting tls");
                    self.begin(State::TlsHandshake, Step::TlsHandshake, now_ms);
                } else {
                    let error = ProbeError::StarttlsRefused { code: reply.code, text: reply.text() };
                    self.fail_polite(error, now_ms);
                }
            }
            State::Quit => {
                let error = (reply.code != 221).then(|| {
                    ProbeError::UnexpectedReply {
                        step: Step::Quit,
                        expected: 221,
                        code: reply.code,
                        text: reply.text(),
                    }
                    .to_string()
                });
                self.finish_step(now_ms, error);
                self.finish();
            }
            State::Connecting | State::TlsHandshake | State::Done => {}
        }
    }

    fn begin(&mut self, state: State, step: Step, now_ms: u64) {
        self.state = state;
        self.step = step;
        self.step_started_ms = now_ms;
        self.deadline_ms = Some(now_ms.saturating_add(self.config.step_timeout_ms));
    }

    fn finish_step(&mut self, now_ms: u64, error: Option<String>) {
        let timing = StepTiming {
            step: self.step,
            started_ms: self.step_started_ms.saturating_sub(self.origin_ms),
            duration_ms: now_ms.saturating_sub(self.step_started_ms),
            ok: error.is_none(),
            error,
        };
        self.report.steps.push(timing);
    }

    fn finish(&mut self) {
        self.state = State::Done;
        self.deadline_ms = None;
        self.outgoing = None;
    }

    /// Ends the probe: the connection is unusable.
    fn fail(&mut self, error: ProbeError, now_ms: u64) {
        if self.state == State::Quit {
            // The session's result is settled; a bad QUIT only shows in steps.
            self.finish_step(now_ms, Some(error.to_string()));
            self.finish();
            return;
        }
        self.finish_step(now_ms, Some(error.to_string()));
        if self.report.error.is_none() {
            self.report.error = Some(error.to_failure());
        }
        self.event(now_ms, &format!("probe failed: {error}"));
        self.finish();
    }

    /// Ends the probe after a well-formed refusal: the session is in step, so
    /// say QUIT first (RFC 5321 §4.1.1.10).
    fn fail_polite(&mut self, error: ProbeError, now_ms: u64) {
        self.finish_step(now_ms, Some(error.to_string()));
        if self.report.error.is_none() {
            self.report.error = Some(error.to_failure());
        }
        self.start_quit(now_ms);
    }

    fn start_quit(&mut self, now_ms: u64) {
        self.send_line(now_ms, "QUIT".to_owned());
        self.begin(State::Quit, Step::Quit, now_ms);
    }

    fn send_line(&mut self, now_ms: u64, line: String) {
        self.transcript(now_ms, Direction::Client, sanitize(line.as_bytes(), MAX_TEXT_CHARS));
        let mut bytes = line.into_bytes();
        bytes.extend_from_slice(b"\r\n");
        self.outgoing = Some(bytes);
    }

    fn event(&mut self, now_ms: u64, text: &str) {
        self.transcript(now_ms, Direction::Event, sanitize(text.as_bytes(), MAX_TEXT_CHARS));
    }

    fn transcript(&mut self, now_ms: u64, direction: Direction, text: String) {
        if self.report.transcript.len() >= MAX_TRANSCRIPT_LINES {
            self.report.transcript_truncated = true;
            return;
        }
        let at_ms = now_ms.saturating_sub(self.origin_ms);
        self.report.transcript.push(TranscriptLine { at_ms, direction, text });
    }

    fn expect_state(&self, state: State, called: &'static str) -> Result<(), UsageError> {
        if self.state == state { Ok(()) } else { Err(self.out_of_order(expected_call(self.state), called)) }
    }

    fn out_of_order(&self, expected: &'static str, called: &'static str) -> UsageError {
        UsageError::OutOfOrder { step: self.step.as_str(), expected, called }
    }
}

fn expected_call(state: State) -> &'static str {
    match state {
        State::Connecting => "handle_connected",
        State::TlsHandshake => "handle_tls_established",
        State::Done => "nothing (the probe is done)",
        _ => "handle_input",
    }
}

/// RFC 5321 §4.1.1.1 / §4.1.3: a domain or an address literal; nothing that
/// could end the command line early.
fn is_valid_ehlo_name(name: &str) -> bool {
    (1..=255).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// The capabilities of a 250 EHLO reply (RFC 5321 §4.1.1.1:
/// `ehlo-line = ehlo-keyword *( SP ehlo-param )`).
fn parse_ehlo(reply: &Reply) -> EhloReport {
    let mut lines = reply.lines.iter();
    let greeting = lines.next().map(|l| sanitize(l, MAX_TEXT_CHARS)).unwrap_or_default();
    let capabilities = lines
        .filter_map(|line| {
            let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
            let keyword = words.next()?;
            let valid = keyword.first().is_some_and(u8::is_ascii_alphanumeric)
                && keyword.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-');
            valid.then(|| Capability {
                keyword: String::from_utf8_lossy(keyword).to_ascii_uppercase(),
                params: words.map(|w| sanitize(w, MAX_TEXT_CHARS)).collect(),
            })
        })
        .collect();
    EhloReport { greeting, capabilities }
}

#[cfg(test)]
mod tests;
