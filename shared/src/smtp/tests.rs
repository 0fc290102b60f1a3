//! Unit tests of the SMTP probe state machine: every reply shape, split
//! reads, and hostile peers.

use super::*;

const BUDGET: u64 = 1_000;
const T0: u64 = 50_000;

fn config(mode: TlsMode) -> Config {
    Config { ehlo_name: "probe.example".into(), mode, step_timeout_ms: BUDGET, after_tls: AfterTls::Ehlo }
}

fn client() -> Client {
    Client::new(config(TlsMode::Starttls), T0).unwrap()
}

fn connect(c: &mut Client, now: u64) {
    assert_eq!(c.poll_action(), Action::Connect);
    assert_eq!(c.poll_action(), Action::NeedMore, "connect is asked for once");
    c.handle_connected(now).unwrap();
}

fn feed(c: &mut Client, bytes: &[u8], now: u64) {
    c.handle_input(bytes, now).unwrap();
}

fn feed_bytewise(c: &mut Client, bytes: &[u8], now: u64) {
    for b in bytes {
        c.handle_input(std::slice::from_ref(b), now).unwrap();
    }
}

#[track_caller]
fn expect_send(c: &mut Client, line: &str) {
    assert_eq!(c.poll_action(), Action::Send(format!("{line}\r\n").into_bytes()));
    assert_eq!(c.poll_action(), Action::NeedMore);
}

#[track_caller]
fn expect_done(c: &mut Client) -> Report {
    match c.poll_action() {
        Action::Done(report) => {
            assert_eq!(c.poll_action(), Action::Done(report.clone()), "done is repeated");
            assert_eq!(c.poll_timeout(), None);
            *report
        }
        other => panic!("expected done, found {other:?}"),
    }
}

fn facts() -> TlsFacts {
    TlsFacts {
        version: "TLSv1.3".into(),
        cipher_suite: "TLS13_AES_256_GCM_SHA384".into(),
        kx_group: Some("X25519".into()),
        chain: vec![Certificate::from_der(b"leaf"), Certificate::from_der(b"ca")],
    }
}

const GREETING: &[u8] = b"220-mx.example ESMTP\r\n220 no UCE\r\n";
const EHLO: &[u8] = b"250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-starttls\r\n250 8BITMIME\r\n";
const EHLO_TLS: &[u8] = b"250-mx.example\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n";

/// Drives a full STARTTLS session with `feed_fn` delivering server bytes.
fn full_session(feed_fn: fn(&mut Client, &[u8], u64)) -> Report {
    let mut c = client();
    connect(&mut c, T0 + 5);
    assert_eq!(c.poll_timeout(), Some(T0 + 5 + BUDGET));
    feed_fn(&mut c, GREETING, T0 + 10);
    expect_send(&mut c, "EHLO probe.example");
    feed_fn(&mut c, EHLO, T0 + 20);
    expect_send(&mut c, "STARTTLS");
    feed_fn(&mut c, b"220 2.0.0 Ready to start TLS\r\n", T0 + 30);
    assert_eq!(c.poll_action(), Action::StartTls);
    assert_eq!(c.poll_action(), Action::NeedMore, "start tls is asked for once");
    assert_eq!(c.poll_timeout(), Some(T0 + 30 + BUDGET));
    c.handle_tls_established(facts(), T0 + 60).unwrap();
    expect_send(&mut c, "EHLO probe.example");
    feed_fn(&mut c, EHLO_TLS, T0 + 70);
    expect_send(&mut c, "QUIT");
    feed_fn(&mut c, b"221 2.0.0 Bye\r\n", T0 + 75);
    expect_done(&mut c)
}

/// A check's probe (`AfterTls::Quit`) is done the moment the TLS handshake
/// is: QUIT goes out at once and its reply is not waited for, so EHLO over
/// TLS and QUIT cost the verdict no round trips.
#[test]
fn a_checks_probe_is_done_at_the_tls_handshake() {
    let config = Config { after_tls: AfterTls::Quit, ..config(TlsMode::Starttls) };
    let mut c = Client::new(config, T0).unwrap();
    connect(&mut c, T0 + 5);
    feed(&mut c, GREETING, T0 + 10);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, EHLO, T0 + 20);
    expect_send(&mut c, "STARTTLS");
    feed(&mut c, b"220 2.0.0 Ready to start TLS\r\n", T0 + 30);
    assert_eq!(c.poll_action(), Action::StartTls);
    c.handle_tls_established(facts(), T0 + 60).unwrap();
    assert_eq!(c.poll_action(), Action::Send(b"QUIT\r\n".to_vec()), "QUIT right after the handshake");
    assert!(c.is_done(), "nothing is waited for after the handshake");
    let report = expect_done(&mut c);
    assert!(report.is_complete());
    assert!(report.starttls);
    assert_eq!(report.tls, Some(facts()));
    assert_eq!(report.ehlo_tls, None, "no EHLO over TLS");
    let steps: Vec<_> = report.steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, [Step::Connect, Step::Greeting, Step::Ehlo, Step::Starttls, Step::TlsHandshake]);
    assert_eq!(report.total_ms(), 60);
    assert_eq!(report.transcript.last().map(|l| l.text.as_str()), Some("QUIT"));
    // A late reply or close changes nothing.
    c.handle_input(b"221 bye\r\n", T0 + 70).unwrap();
    c.handle_eof(T0 + 71);
    assert_eq!(expect_done(&mut c), report);
}

#[test]
fn full_starttls_session() {
    let report = full_session(feed);
    assert!(report.is_complete());
    assert_eq!(report.mode, TlsMode::Starttls);
    assert_eq!(report.banner, ["mx.example ESMTP", "no UCE"]);
    assert_eq!(report.starttls_offered, Some(true));
    assert!(report.starttls);
    let ehlo = report.ehlo.as_ref().unwrap();
    assert_eq!(ehlo.greeting, "mx.example");
    let keywords: Vec<_> = ehlo.capabilities.iter().map(|c| c.keyword.as_str()).collect();
    assert_eq!(keywords, ["PIPELINING", "SIZE", "STARTTLS", "8BITMIME"]);
    assert_eq!(ehlo.capabilities[1].params, ["10240000"]);
    let ehlo_tls = report.ehlo_tls.as_ref().unwrap();
    assert!(!ehlo_tls.has("STARTTLS"));
    assert_eq!(ehlo_tls.capabilities[0].params, ["PLAIN", "LOGIN"]);
    assert_eq!(report.tls, Some(facts()));
    assert!(!report.bare_lf);
    assert_eq!(report.error, None);
    let steps: Vec<_> = report.steps.iter().map(|s| (s.step, s.started_ms, s.duration_ms, s.ok)).collect();
    assert_eq!(
        steps,
        [
            (Step::Connect, 0, 5, true),
            (Step::Greeting, 5, 5, true),
            (Step::Ehlo, 10, 10, true),
            (Step::Starttls, 20, 10, true),
            (Step::TlsHandshake, 30, 30, true),
            (Step::EhloTls, 60, 10, true),
            (Step::Quit, 70, 5, true),
        ]
    );
    assert_eq!(report.total_ms(), 75);
    let transcript: Vec<_> = report.transcript.iter().map(|l| (l.at_ms, l.direction, l.text.as_str())).collect();
    assert_eq!(
        &transcript[..4],
        [
            (5, Direction::Event, "connected"),
            (10, Direction::Server, "220-mx.example ESMTP"),
            (10, Direction::Server, "220 no UCE"),
            (10, Direction::Client, "EHLO probe.example"),
        ]
    );
    assert!(transcript.contains(&(
        60,
        Direction::Event,
        "tls established: TLSv1.3 TLS13_AES_256_GCM_SHA384 X25519, 2 certificate(s)"
    )));
    assert_eq!(transcript.last(), Some(&(75, Direction::Server, "221 2.0.0 Bye")));
}

#[test]
fn every_reply_split_byte_by_byte() {
    let whole = full_session(feed);
    let bytewise = full_session(feed_bytewise);
    assert_eq!(whole, bytewise);
}

#[test]
fn bare_lf_line_ends_are_accepted_and_recorded() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx.example\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, b"250-mx.example\n250 STARTTLS\n", T0);
    expect_send(&mut c, "STARTTLS");
    assert!(c.report().bare_lf);
    assert_eq!(c.report().banner, ["mx.example"]);
    assert_eq!(c.report().starttls_offered, Some(true));
}

#[test]
fn a_bare_cr_is_text_not_a_line_end() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx\rexample\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    assert_eq!(c.report().banner, ["mx\\x0dexample"]);
}

#[test]
fn greeting_421_is_a_refusal_and_quit_is_sent() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"421 4.3.2 Service shutting down\r\n", T0 + 1);
    expect_send(&mut c, "QUIT");
    c.handle_eof(T0 + 2);
    let report = expect_done(&mut c);
    let error = report.error.unwrap();
    assert_eq!(error.step, Step::Greeting);
    assert_eq!(error.kind, "greeting_refused");
    assert_eq!(error.message, "expected a 220 greeting, found refusal 421: 4.3.2 Service shutting down");
    assert!(!report.starttls);
    let quit = report.steps.last().unwrap();
    assert_eq!((quit.step, quit.ok), (Step::Quit, false));
}

#[test]
fn greeting_554_multi_line_is_a_refusal() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"554-mx.example no service\r\n554 go away\r\n", T0 + 1);
    expect_send(&mut c, "QUIT");
    feed(&mut c, b"221 bye\r\n", T0 + 2);
    let report = expect_done(&mut c);
    assert_eq!(
        report.error.unwrap().message,
        "expected a 220 greeting, found refusal 554: mx.example no service go away"
    );
    assert_eq!(report.banner, ["mx.example no service", "go away"]);
    assert!(report.steps.last().unwrap().ok, "quit answered 221");
}

#[test]
fn other_greeting_codes_are_unexpected() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"250 hello?\r\n", T0);
    expect_send(&mut c, "QUIT");
    assert_eq!(c.report().error.as_ref().unwrap().message, "expected reply 220 to greeting, found 250: hello?");
}

#[test]
fn no_banner_times_out_at_the_greeting_deadline() {
    let mut c = client();
    connect(&mut c, T0);
    assert_eq!(c.poll_action(), Action::NeedMore);
    c.handle_timeout(T0 + BUDGET - 1);
    assert_eq!(c.poll_action(), Action::NeedMore, "an early timeout call does nothing");
    c.handle_timeout(T0 + BUDGET);
    let report = expect_done(&mut c);
    let error = report.error.unwrap();
    assert_eq!((error.step, error.kind.as_str()), (Step::Greeting, "timeout"));
    assert_eq!(error.message, "expected the greeting step to finish within 1000 ms, found no answer in time");
    assert_eq!(report.steps.last().unwrap().duration_ms, BUDGET);
}

#[test]
fn connect_times_out() {
    let mut c = client();
    assert_eq!(c.poll_action(), Action::Connect);
    c.handle_timeout(T0 + BUDGET + 7);
    let report = expect_done(&mut c);
    assert_eq!(report.error.unwrap().step, Step::Connect);
}

#[test]
fn deadline_is_per_step() {
    let mut c = client();
    connect(&mut c, T0 + 900);
    assert_eq!(c.poll_timeout(), Some(T0 + 900 + BUDGET));
    feed(&mut c, b"220 mx\r\n", T0 + 1800);
    assert_eq!(c.poll_timeout(), Some(T0 + 1800 + BUDGET));
    c.handle_timeout(T0 + 1900);
    expect_send(&mut c, "EHLO probe.example");
}

#[test]
fn a_megabyte_line_fails_at_the_line_limit() {
    let mut c = client();
    connect(&mut c, T0);
    let chunk = [b'A'; 8192];
    let mut fed = 0usize;
    while !c.is_done() && fed < 1 << 20 {
        feed(&mut c, &chunk, T0 + 1);
        fed += chunk.len();
        assert!(c.partial.len() <= MAX_LINE_OCTETS);
    }
    assert_eq!(fed, 8192, "fails on the first chunk past the limit");
    let report = expect_done(&mut c);
    let error = report.error.unwrap();
    assert_eq!(error.kind, "malformed_reply");
    assert_eq!(
        error.message,
        "malformed reply during greeting: expected a reply line of at most 1000 octets, found a longer one"
    );
}

#[test]
fn a_line_of_exactly_the_limit_is_accepted() {
    let mut c = client();
    connect(&mut c, T0);
    let mut line = b"220 ".to_vec();
    line.resize(MAX_LINE_OCTETS - 2, b'x');
    line.extend_from_slice(b"\r\n");
    feed_bytewise(&mut c, &line, T0);
    expect_send(&mut c, "EHLO probe.example");
    line.insert(4, b'x');
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, &line, T0);
    assert!(c.is_done());
}

#[test]
fn endless_continuation_lines_are_bounded() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    let mut lines = 0;
    while !c.is_done() {
        feed(&mut c, b"250-X\r\n", T0 + 1);
        lines += 1;
        assert!(lines <= MAX_REPLY_LINES + 1);
    }
    let report = expect_done(&mut c);
    let error = report.error.unwrap();
    assert_eq!(error.step, Step::Ehlo);
    assert_eq!(error.message, "malformed reply during ehlo: expected a reply of at most 64 lines, found more");
}

#[test]
fn starttls_refused_454() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, b"250-mx\r\n250 STARTTLS\r\n", T0);
    expect_send(&mut c, "STARTTLS");
    feed(&mut c, b"454 4.7.0 TLS not available due to local problem\r\n", T0 + 3);
    expect_send(&mut c, "QUIT");
    feed(&mut c, b"221 bye\r\n", T0 + 4);
    let report = expect_done(&mut c);
    assert!(!report.starttls);
    assert_eq!(report.starttls_offered, Some(true));
    let error = report.error.unwrap();
    assert_eq!((error.step, error.kind.as_str()), (Step::Starttls, "starttls_refused"));
    assert_eq!(error.message, "expected 220 to STARTTLS, found 454: 4.7.0 TLS not available due to local problem");
}

#[test]
fn starttls_not_offered() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, b"250-mx\r\n250 PIPELINING\r\n", T0 + 2);
    expect_send(&mut c, "QUIT");
    feed(&mut c, b"221 bye\r\n", T0 + 3);
    let report = expect_done(&mut c);
    assert_eq!(report.starttls_offered, Some(false));
    let error = report.error.unwrap();
    assert_eq!((error.step, error.kind.as_str()), (Step::Starttls, "starttls_not_offered"));
    assert_eq!(error.message, "expected STARTTLS in the EHLO reply, found it not offered");
}

#[test]
fn single_line_ehlo_has_no_capabilities() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, b"250 mx.example\r\n", T0);
    expect_send(&mut c, "QUIT");
    assert_eq!(c.report().ehlo.as_ref().unwrap().capabilities, []);
}

#[test]
fn ehlo_rejected_has_no_helo_fallback() {
    for (code, text) in [(502, "5.5.2 Error: command not recognized"), (550, "no"), (421, "busy")] {
        let mut c = client();
        connect(&mut c, T0);
        feed(&mut c, b"220 mx\r\n", T0);
        expect_send(&mut c, "EHLO probe.example");
        feed(&mut c, format!("{code} {text}\r\n").as_bytes(), T0);
        expect_send(&mut c, "QUIT");
        let error = c.report().error.clone().unwrap();
        assert_eq!((error.step, error.kind.as_str()), (Step::Ehlo, "ehlo_refused"));
        assert_eq!(
            error.message,
            format!("expected 250 to EHLO, found {code}: {text} (no HELO fallback: STARTTLS needs ESMTP)")
        );
    }
}

#[test]
fn invalid_ehlo_lines_are_left_out_of_capabilities() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, b"250-mx\r\n250-<b>bold</b>\r\n250-\r\n250--X\r\n250 STARTTLS\r\n", T0);
    let keywords: Vec<_> = c.report().ehlo.as_ref().unwrap().capabilities.iter().map(|c| c.keyword.clone()).collect();
    assert_eq!(keywords, ["STARTTLS"]);
}

#[test]
fn plaintext_after_starttls_220_is_refused() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, b"250-mx\r\n250 STARTTLS\r\n", T0);
    expect_send(&mut c, "STARTTLS");
    feed(&mut c, b"220 go ahead\r\n250-injected\r\n", T0 + 5);
    let report = expect_done(&mut c);
    let error = report.error.unwrap();
    assert_eq!((error.step, error.kind.as_str()), (Step::TlsHandshake, "data_before_tls"));
    assert_eq!(error.message, "expected nothing after 220 to STARTTLS until the tls handshake, found 14 more octets");
}

#[test]
fn garbage_instead_of_a_greeting() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"HTTP/1.1 400 Bad Request\r\n", T0);
    let report = expect_done(&mut c);
    assert_eq!(
        report.error.unwrap().message,
        "malformed reply during greeting: expected a three-digit reply code (2xx to 5xx), found HTT"
    );
}

#[test]
fn tls_failure_is_reported_at_the_handshake_step() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 mx\r\n250-mx\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, b"250 STARTTLS\r\n", T0);
    expect_send(&mut c, "STARTTLS");
    feed(&mut c, b"220 ready\r\n", T0);
    assert_eq!(c.poll_action(), Action::StartTls);
    c.handle_tls_failed("received corrupt message\x1b[2J", T0 + 9).unwrap();
    let report = expect_done(&mut c);
    let error = report.error.unwrap();
    assert_eq!((error.step, error.kind.as_str()), (Step::TlsHandshake, "tls"));
    assert_eq!(error.message, "tls handshake failed: received corrupt message\\x1b[2J");
    assert_eq!(report.tls, None);
}

#[test]
fn connection_closed_and_reset_are_step_errors() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220-mx\r\n", T0);
    c.handle_eof(T0 + 1);
    let report = expect_done(&mut c);
    assert_eq!(
        report.error.unwrap().message,
        "expected the server to keep the connection open during greeting, found it closed"
    );

    let mut c = client();
    assert_eq!(c.poll_action(), Action::Connect);
    c.handle_io_error("connection refused (os error 111)", T0 + 1);
    let report = expect_done(&mut c);
    let error = report.error.unwrap();
    assert_eq!((error.step, error.kind.as_str()), (Step::Connect, "io"));
    assert_eq!(error.message, "connection error during connect: connection refused (os error 111)");
}

#[test]
fn implicit_tls_session() {
    let mut c = Client::new(config(TlsMode::ImplicitTls), T0).unwrap();
    connect(&mut c, T0 + 1);
    assert_eq!(c.poll_action(), Action::StartTls);
    c.handle_tls_established(facts(), T0 + 20).unwrap();
    assert_eq!(c.poll_action(), Action::NeedMore, "the greeting comes first");
    feed(&mut c, b"220 mx.example ESMTP\r\n", T0 + 21);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, EHLO_TLS, T0 + 22);
    expect_send(&mut c, "QUIT");
    feed(&mut c, b"221 bye\r\n", T0 + 23);
    let report = expect_done(&mut c);
    assert!(report.is_complete());
    assert_eq!(report.ehlo, None);
    assert_eq!(report.starttls_offered, None);
    assert!(report.ehlo_tls.is_some());
    let steps: Vec<_> = report.steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, [Step::Connect, Step::TlsHandshake, Step::Greeting, Step::EhloTls, Step::Quit]);
}

#[test]
fn quit_failure_does_not_spoil_a_complete_probe() {
    let mut c = Client::new(config(TlsMode::ImplicitTls), T0).unwrap();
    connect(&mut c, T0);
    assert_eq!(c.poll_action(), Action::StartTls);
    c.handle_tls_established(facts(), T0).unwrap();
    feed(&mut c, b"220 mx\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, b"250 mx\r\n", T0);
    expect_send(&mut c, "QUIT");
    c.handle_timeout(T0 + BUDGET);
    let report = expect_done(&mut c);
    assert!(report.is_complete());
    let quit = report.steps.last().unwrap();
    assert_eq!((quit.step, quit.ok), (Step::Quit, false));
    assert_eq!(quit.error.as_deref(), Some("expected the quit step to finish within 1000 ms, found no answer in time"));
}

#[test]
fn server_text_is_sanitised_everywhere() {
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, b"220 <img src=x onerror=alert(1)>\x1b]0;pwn\x07\xc3\xa9\r\n", T0);
    expect_send(&mut c, "EHLO probe.example");
    let banner = "\\x3cimg src=x onerror=alert(1)\\x3e\\x1b]0;pwn\\x07\\xc3\\xa9";
    assert_eq!(c.report().banner, [banner]);
    assert_eq!(c.report().transcript[1].text, format!("220 {banner}"));
}

#[test]
fn usage_errors() {
    let err = Client::new(Config::new("probe.example\r\nRCPT TO:<x>"), T0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected an EHLO name of 1 to 255 letters, digits, \".\", \"-\", \":\" or \"[]\", found \"probe.example\\\\x0d\\\\x0aRCPT TO:\\\\x3cx\\\\x3e\""
    );
    assert!(Client::new(Config::new(""), T0).is_err());
    assert!(Client::new(Config::new("[192.0.2.1]"), T0).is_ok());

    let mut c = client();
    assert_eq!(
        c.handle_input(b"220 x\r\n", T0).unwrap_err().to_string(),
        "expected handle_connected during step connect, found handle_input"
    );
    assert!(c.handle_tls_established(facts(), T0).is_err());
    connect(&mut c, T0);
    assert!(c.handle_connected(T0).is_err());
}

#[test]
fn report_json_shape() {
    let report = full_session(feed);
    let json = serde_json::to_value(&report).unwrap();
    let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "banner",
            "bare_lf",
            "ehlo",
            "ehlo_tls",
            "error",
            "mode",
            "starttls",
            "starttls_offered",
            "steps",
            "tls",
            "transcript",
            "transcript_truncated"
        ]
    );
    assert_eq!(json["mode"], "starttls");
    assert_eq!(json["tls"]["kx_group"], "X25519");
    assert_eq!(json["steps"][4]["step"], "tls_handshake");
    assert_eq!(json["transcript"][0]["direction"], "event");
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn transcript_is_capped() {
    let multi = |code: &str, n: usize| {
        let mut text = format!("{code}-first\r\n").repeat(n - 1);
        text.push_str(&format!("{code} STARTTLS\r\n"));
        text.into_bytes()
    };
    let mut c = client();
    connect(&mut c, T0);
    feed(&mut c, &multi("220", MAX_REPLY_LINES), T0);
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, &multi("250", MAX_REPLY_LINES), T0);
    expect_send(&mut c, "STARTTLS");
    feed(&mut c, b"220 go\r\n", T0);
    assert_eq!(c.poll_action(), Action::StartTls);
    c.handle_tls_established(facts(), T0).unwrap();
    expect_send(&mut c, "EHLO probe.example");
    feed(&mut c, &multi("250", MAX_REPLY_LINES), T0);
    expect_send(&mut c, "QUIT");
    feed(&mut c, b"221 bye\r\n", T0);
    let report = expect_done(&mut c);
    assert!(report.is_complete());
    assert_eq!(report.transcript.len(), MAX_TRANSCRIPT_LINES);
    assert!(report.transcript_truncated);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Feeds `bytes` after a connect, in pieces of the given sizes, and
    /// answers every Send and StartTls as a caller would.
    fn run(bytes: &[u8], pieces: &[usize]) -> Client {
        let mut c = client();
        connect(&mut c, T0);
        let mut rest = bytes;
        let mut sizes = pieces.iter().cycle();
        while !rest.is_empty() && !c.is_done() {
            loop {
                match c.poll_action() {
                    Action::Send(_) => {}
                    Action::StartTls => c.handle_tls_established(facts(), T0).unwrap(),
                    _ => break,
                }
            }
            if c.is_done() {
                break;
            }
            let n = (*sizes.next().unwrap()).clamp(1, rest.len());
            let (piece, tail) = rest.split_at(n);
            c.handle_input(piece, T0).unwrap();
            rest = tail;
        }
        c
    }

    fn smtpish() -> impl Strategy<Value = Vec<u8>> {
        let line = prop_oneof![
            Just(b"220 mx\r\n".to_vec()),
            Just(b"250-mx\r\n".to_vec()),
            Just(b"250 STARTTLS\r\n".to_vec()),
            Just(b"221 bye\r\n".to_vec()),
            Just(b"\n".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..40),
        ];
        proptest::collection::vec(line, 0..30).prop_map(|lines| lines.concat())
    }

    proptest! {
        #[test]
        fn any_input_in_any_pieces_gives_the_same_safe_report(
            bytes in smtpish(),
            pieces in proptest::collection::vec(1usize..50, 1..8),
        ) {
            let whole = run(&bytes, &[usize::MAX]);
            let split = run(&bytes, &pieces);
            // Plaintext that follows the 220 to STARTTLS in the same read is an injection the
            // machine can see (data_before_tls); in a later read it belongs to the TLS layer.
            // Whether it is visible depends on where the reads split, so only there may the
            // reports differ.
            let injected = whole.report().error.as_ref().is_some_and(|e| e.kind == "data_before_tls");
            if !injected {
                prop_assert_eq!(whole.report(), split.report());
            }
            prop_assert!(split.partial.len() <= MAX_LINE_OCTETS);
            let report = split.report();
            let texts = report.transcript.iter().map(|l| l.text.as_str())
                .chain(report.banner.iter().map(String::as_str));
            for text in texts {
                prop_assert!(text.chars().all(|c| (' '..='~').contains(&c)), "{}", text);
                prop_assert!(!text.contains(['<', '>', '&', '"', '\'', '`']), "{}", text);
            }
        }
    }
}

#[test]
fn step_words_read_back_into_steps() {
    for step in Step::ALL {
        assert_eq!(Step::from_word(step.as_str()), Some(step));
        assert!(!step.describe().contains('_'), "{step}");
    }
    assert_eq!(Step::from_word("tls_resume"), None);
    assert_eq!(Step::TlsHandshake.describe(), "the TLS handshake");
}
