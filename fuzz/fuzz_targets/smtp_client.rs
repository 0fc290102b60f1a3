//! The SMTP probe driven by a hostile server: every byte it sends (before and
//! after STARTTLS), in any split, with closes, socket errors, timeouts and TLS
//! outcomes in between. The client must never panic, never send anything but
//! its own well-formed commands (no injected lines), keep its report within
//! its bounds, and always finish.
#![no_main]

use geleit::smtp::{Action, Certificate, Client, Config, MAX_TRANSCRIPT_LINES, TlsFacts, TlsMode};
use libfuzzer_sys::fuzz_target;

/// The commands the probe may send (RFC 5321 §4.1.1, RFC 3207 §4).
fn is_own_command(bytes: &[u8]) -> bool {
    let Some(line) = bytes.strip_suffix(b"\r\n") else { return false };
    if line.iter().any(|b| *b == b'\r' || *b == b'\n' || !b.is_ascii() || b.is_ascii_control()) {
        return false;
    }
    line == b"STARTTLS" || line == b"QUIT" || line.starts_with(b"EHLO ")
}

fuzz_target!(|data: &[u8]| {
    let mut ops = data;
    let mode = if ops.first().is_some_and(|b| b & 0x80 != 0) { TlsMode::ImplicitTls } else { TlsMode::Starttls };
    let mut config = Config::new("probe.geleit.invalid");
    config.mode = mode;
    let mut now = 1_000u64;
    let Ok(mut client) = Client::new(config, now) else { return };
    ops = ops.get(1..).unwrap_or_default();
    // Each round: one action from the client, one event from the input.
    for _ in 0..10_000 {
        match client.poll_action() {
            Action::Done(report) => {
                assert!(report.transcript.len() <= MAX_TRANSCRIPT_LINES, "transcript over its bound");
                for line in &report.banner {
                    assert!(!line.chars().any(char::is_control), "unsanitised banner: {line:?}");
                }
                // The report survives its JSON form (what the edge sends to the page).
                let host = geleit::smtp::HostReport {
                    host: "mx.example.".into(),
                    port: 25,
                    mode,
                    addresses: vec![geleit::smtp::AddressReport {
                        address: std::net::IpAddr::from([192, 0, 2, 1]),
                        port: 25,
                        refused: None,
                        probes: vec![geleit::smtp::AlgorithmProbe {
                            signature_family: geleit::smtp::SignatureFamily::Ecdsa,
                            report: *report,
                        }],
                    }],
                };
                if let Ok(text) = serde_json::to_string(&host) {
                    let back = geleit::smtp::HostReport::from_json(&text);
                    assert_eq!(back.as_ref().ok(), Some(&host), "JSON round trip: {back:?}");
                }
                assert!(client.is_done());
                return;
            }
            Action::Send(bytes) => assert!(is_own_command(&bytes), "sent {bytes:?}"),
            Action::Connect => {
                let fail = ops.first().is_some_and(|b| *b == 0xff);
                if fail {
                    client.handle_io_error("refused", now);
                } else {
                    let _ = client.handle_connected(now);
                }
            }
            Action::StartTls => {
                let (op, rest) = ops.split_first().map_or((0, &[][..]), |(o, r)| (*o, r));
                ops = rest;
                if op % 4 == 0 {
                    let _ = client.handle_tls_failed("handshake failure\u{1b}[31m", now);
                } else {
                    let n = usize::from(op % 5);
                    let chain = (0..n).map(|i| Certificate::from_der(ops.get(i..i + 8).unwrap_or_default())).collect();
                    let facts = TlsFacts {
                        version: "TLSv1.3".into(),
                        cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
                        kx_group: None,
                        chain,
                    };
                    let _ = client.handle_tls_established(facts, now);
                }
            }
            Action::NeedMore => {
                let Some((&op, rest)) = ops.split_first() else {
                    // Input exhausted: the server goes quiet until the step times out.
                    now = client.poll_timeout().unwrap_or(now).saturating_add(1);
                    client.handle_timeout(now);
                    continue;
                };
                ops = rest;
                match op {
                    0 => client.handle_eof(now),
                    1 => client.handle_io_error("connection reset", now),
                    2 => {
                        now = client.poll_timeout().unwrap_or(now).saturating_add(1);
                        client.handle_timeout(now);
                    }
                    _ => {
                        let len = usize::from(op).min(ops.len());
                        let (chunk, rest) = ops.split_at(len);
                        ops = rest;
                        now += 1;
                        let _ = client.handle_input(chunk, now);
                    }
                }
            }
        }
    }
    panic!("the probe did not finish within 10,000 events");
});
