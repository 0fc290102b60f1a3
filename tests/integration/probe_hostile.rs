//! `geleit probe` against small SMTP servers run by this test on 127.0.0.1:
//! a well-behaved one with an ECDSA and an RSA chain, and hostile ones (no
//! banner, byte-by-byte banner, a 1 MB line, endless continuation lines,
//! refusals, garbage instead of TLS, a reset in the handshake).
//!
//! Each server listens on its own ephemeral port, serves a bounded number of
//! connections and stops by itself; every connection is bounded in time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use geleit_test_support::tls;
use rustls::ServerConfig;
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/smtp");
/// SHA-256 of the fixture certificates (`sha256sum tests/fixtures/smtp/*.der`).
const ECDSA_LEAF: &str = "0d99f2e182a8a2aa5343bbef5e2289346c75b469b879bf68cc40476a7eb653d4";
const RSA_LEAF: &str = "155ff318c49ce77b8846c6cdb4e0b8c9b64f3e46c0a5ceaa33da94053e69be52";
const RSA_CA: &str = "b2d62d63fb24caa063ff4d62bf9aee02bdb5487c637576b465336d3ef16758c4";

/// Each probe of one address opens one connection per signature family.
const CONNECTIONS_PER_PROBE: usize = 2;
/// No test connection lives longer than this.
const CONNECTION_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peer {
    /// Greeting, EHLO with STARTTLS, TLS with ECDSA and RSA chains, EHLO, QUIT.
    Good,
    /// As `Good`, TLS 1.2 only.
    GoodTls12,
    /// As `Good`, with every reply line sent one byte at a time.
    ByteByByte,
    /// As `Good`, with only an RSA chain.
    RsaOnly,
    /// Accepts and says nothing.
    NoBanner,
    /// A greeting line of 1 MiB.
    HugeLine,
    /// Answers EHLO with `250-` lines that never end.
    EndlessContinuation,
    Greeting421,
    Greeting554,
    /// Answers STARTTLS with 454.
    StarttlsRefused,
    /// EHLO without STARTTLS.
    NoStarttls,
    /// Plaintext garbage where the TLS ServerHello should be.
    GarbageInsteadOfTls,
    /// Reads the ClientHello, then resets the connection.
    ResetInHandshake,
    /// TLS from the first byte (RFC 8314 §3.3), then greeting, EHLO, QUIT.
    ImplicitTls,
    /// Plaintext right behind the 220 to STARTTLS (the CVE-2011-0411 class
    /// of command/response injection).
    InjectAfterStarttls,
}

fn der(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn certified(chain: &[&str], key: &str) -> Arc<CertifiedKey> {
    tls::certified(&chain.iter().map(|c| der(c)).collect::<Vec<_>>(), &der(key))
}

fn server_config(peer: Peer) -> Arc<ServerConfig> {
    let ecdsa = (peer != Peer::RsaOnly).then(|| certified(&["ecdsa-leaf.der"], "ecdsa-leaf.key.der"));
    let rsa = certified(&["rsa-leaf.der", "rsa-ca.der"], "rsa-leaf.key.der");
    let versions: &[&rustls::SupportedProtocolVersion] = if peer == Peer::GoodTls12 {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    tls::server_config(versions, tls::ByAlgorithm { ecdsa, rsa })
}

/// Starts a server for `connections` connections on a thread of its own.
fn serve(peer: Peer, connections: usize) -> SocketAddr {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = TcpListener::from_std(std_listener).unwrap();
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..connections {
                let Ok(Ok((stream, _))) = tokio::time::timeout(CONNECTION_LIMIT, listener.accept()).await else {
                    break;
                };
                tasks.spawn(async move {
                    let _ = tokio::time::timeout(CONNECTION_LIMIT, session(peer, stream)).await;
                });
            }
            while tasks.join_next().await.is_some() {}
        });
    });
    addr
}

async fn send<S: tokio::io::AsyncWrite + Unpin>(s: &mut S, text: &str, bytewise: bool) -> std::io::Result<()> {
    if bytewise {
        for b in text.as_bytes() {
            s.write_all(std::slice::from_ref(b)).await?;
            s.flush().await?;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok(())
    } else {
        s.write_all(text.as_bytes()).await
    }
}

async fn command<S: tokio::io::AsyncBufRead + Unpin>(s: &mut S) -> String {
    let mut line = String::new();
    let _ = s.read_line(&mut line).await;
    line.trim_end().to_owned()
}

async fn session(peer: Peer, stream: TcpStream) -> std::io::Result<()> {
    let bytewise = peer == Peer::ByteByByte;
    if peer == Peer::ImplicitTls {
        let tls = tokio_rustls::TlsAcceptor::from(server_config(peer)).accept(stream).await?;
        let mut s = BufReader::new(tls);
        send(&mut s, "220 mx.probe.example ESMTP implicit\r\n", false).await?;
        return after_tls(s, false).await;
    }
    let mut s = BufReader::new(stream);
    match peer {
        Peer::NoBanner => {
            tokio::time::sleep(CONNECTION_LIMIT).await;
            return Ok(());
        }
        Peer::HugeLine => {
            let mut line = b"220 ".to_vec();
            line.resize(1 << 20, b'A');
            return s.write_all(&line).await;
        }
        Peer::Greeting421 => {
            return send(&mut s, "421 4.3.2 mx.probe.example Service shutting down\r\n", false).await;
        }
        Peer::Greeting554 => {
            send(&mut s, "554-mx.probe.example\r\n554 No SMTP service here\r\n", false).await?;
            let _ = command(&mut s).await;
            return send(&mut s, "221 2.0.0 Bye\r\n", false).await;
        }
        _ => {}
    }
    send(&mut s, "220-mx.probe.example ESMTP\r\n220 test server\r\n", bytewise).await?;
    let _ehlo = command(&mut s).await;
    match peer {
        Peer::EndlessContinuation => loop {
            s.write_all(b"250-X-ENDLESS\r\n").await?;
        },
        Peer::NoStarttls => {
            send(&mut s, "250-mx.probe.example\r\n250 PIPELINING\r\n", false).await?;
            let _ = command(&mut s).await;
            return send(&mut s, "221 2.0.0 Bye\r\n", false).await;
        }
        _ => send(&mut s, "250-mx.probe.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n", bytewise).await?,
    }
    let _starttls = command(&mut s).await;
    match peer {
        Peer::StarttlsRefused => {
            send(&mut s, "454 4.7.0 TLS not available due to local problem\r\n", false).await?;
            let _ = command(&mut s).await;
            return send(&mut s, "221 2.0.0 Bye\r\n", false).await;
        }
        Peer::GarbageInsteadOfTls => {
            send(&mut s, "220 2.0.0 Ready to start TLS\r\n", false).await?;
            let mut hello = [0u8; 512];
            let _ = s.read(&mut hello).await?;
            s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
            return Ok(());
        }
        Peer::InjectAfterStarttls => {
            s.write_all(b"220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 STARTTLS\r\n").await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
            return Ok(());
        }
        Peer::ResetInHandshake => {
            send(&mut s, "220 2.0.0 Ready to start TLS\r\n", false).await?;
            let mut hello = [0u8; 512];
            let _ = s.read(&mut hello).await?;
            let tcp = s.into_inner();
            // SO_LINGER 0 makes the close a reset; blocking on drop is fine here.
            #[allow(deprecated)]
            tcp.set_linger(Some(Duration::ZERO))?;
            drop(tcp);
            return Ok(());
        }
        _ => send(&mut s, "220 2.0.0 Ready to start TLS\r\n", bytewise).await?,
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(peer));
    let tls = acceptor.accept(s.into_inner()).await?;
    after_tls(BufReader::new(tls), bytewise).await
}

async fn after_tls(
    mut s: BufReader<tokio_rustls::server::TlsStream<TcpStream>>,
    bytewise: bool,
) -> std::io::Result<()> {
    let _ehlo = command(&mut s).await;
    send(&mut s, "250-mx.probe.example\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n", bytewise).await?;
    s.flush().await?;
    let _quit = command(&mut s).await;
    send(&mut s, "221 2.0.0 Bye\r\n", bytewise).await?;
    s.flush().await?;
    s.get_mut().shutdown().await
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn geleit(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_geleit")).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn probe(peer: Peer, extra: &[&str]) -> (SocketAddr, Run) {
    let addr = serve(peer, CONNECTIONS_PER_PROBE);
    let port = addr.port().to_string();
    let mut args = vec!["probe", "127.0.0.1", "--port", &port, "--timeout-ms", "2000"];
    args.extend_from_slice(extra);
    let run = geleit(&args);
    (addr, run)
}

fn both_failed(port: u16, line: &str) -> String {
    format!("127.0.0.1 port {port} (starttls)\n127.0.0.1: FAILED\n  ecdsa: {line}\n  rsa: {line}\n")
}

#[test]
fn good_server_both_chains_are_reported() {
    let (addr, run) = probe(Peer::Good, &[]);
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        format!(
            "127.0.0.1 port {} (starttls)\n127.0.0.1: ok\n\
             \x20 ecdsa: TLSv1.3 TLS13_AES_256_GCM_SHA384 X25519\n\
             \x20   0 sha256 {ECDSA_LEAF}\n\
             \x20 rsa: TLSv1.3 TLS13_AES_256_GCM_SHA384 X25519\n\
             \x20   0 sha256 {RSA_LEAF}\n\
             \x20   1 sha256 {RSA_CA}\n",
            addr.port()
        )
    );
    assert_eq!(run.code, 0);
}

#[test]
fn good_server_json_report() {
    let (addr, run) = probe(Peer::Good, &["--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["host"], "127.0.0.1");
    assert_eq!(json["port"], addr.port());
    assert_eq!(json["mode"], "starttls");
    let address = &json["addresses"][0];
    assert_eq!(address["address"], "127.0.0.1");
    let ecdsa = &address["probes"][0];
    assert_eq!(ecdsa["signature_family"], "ecdsa");
    let report = &ecdsa["report"];
    assert_eq!(report["starttls"], true);
    assert_eq!(report["starttls_offered"], true);
    assert_eq!(report["banner"], serde_json::json!(["mx.probe.example ESMTP", "test server"]));
    assert_eq!(report["ehlo"]["capabilities"][1]["keyword"], "STARTTLS");
    assert_eq!(report["ehlo_tls"]["capabilities"][0]["params"], serde_json::json!(["PLAIN"]));
    assert_eq!(report["tls"]["chain"][0]["sha256"], ECDSA_LEAF);
    let der_b64 = report["tls"]["chain"][0]["der_base64"].as_str().unwrap();
    assert_eq!(data_encoding::BASE64.decode(der_b64.as_bytes()).unwrap(), der("ecdsa-leaf.der"));
    assert_eq!(report["error"], serde_json::Value::Null);
    let steps: Vec<&str> = report["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["connect", "greeting", "ehlo", "starttls", "tls_handshake", "ehlo_tls", "quit"]);
    assert!(report["steps"].as_array().unwrap().iter().all(|s| s["ok"] == true));
    let rsa = &address["probes"][1]["report"];
    let chain: Vec<&str> =
        rsa["tls"]["chain"].as_array().unwrap().iter().map(|c| c["sha256"].as_str().unwrap()).collect();
    assert_eq!(chain, [RSA_LEAF, RSA_CA]);
}

#[test]
fn tls12_server() {
    let (addr, run) = probe(Peer::GoodTls12, &[]);
    assert_eq!(
        run.stdout,
        format!(
            "127.0.0.1 port {} (starttls)\n127.0.0.1: ok\n\
             \x20 ecdsa: TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 X25519\n\
             \x20   0 sha256 {ECDSA_LEAF}\n\
             \x20 rsa: TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 X25519\n\
             \x20   0 sha256 {RSA_LEAF}\n\
             \x20   1 sha256 {RSA_CA}\n",
            addr.port()
        )
    );
    assert_eq!(run.code, 0);
}

#[test]
fn implicit_tls_on_request() {
    let (addr, run) = probe(Peer::ImplicitTls, &["--implicit-tls", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["mode"], "implicit_tls");
    assert_eq!(json["port"], addr.port());
    let report = &json["addresses"][0]["probes"][0]["report"];
    assert_eq!(report["banner"], serde_json::json!(["mx.probe.example ESMTP implicit"]));
    assert_eq!(report["ehlo"], serde_json::Value::Null);
    assert_eq!(report["tls"]["chain"][0]["sha256"], ECDSA_LEAF);
    let steps: Vec<&str> = report["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["connect", "tls_handshake", "greeting", "ehlo_tls", "quit"]);
}

#[test]
fn byte_by_byte_replies() {
    let (_, run) = probe(Peer::ByteByByte, &["--json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let report = &json["addresses"][0]["probes"][0]["report"];
    assert_eq!(report["banner"], serde_json::json!(["mx.probe.example ESMTP", "test server"]));
    assert_eq!(report["ehlo_tls"]["greeting"], "mx.probe.example");
}

#[test]
fn rsa_only_server_is_ok_with_one_chain() {
    let (addr, run) = probe(Peer::RsaOnly, &[]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], format!("127.0.0.1 port {} (starttls)", addr.port()));
    assert_eq!(lines[1], "127.0.0.1: ok");
    assert!(lines[2].starts_with("  ecdsa: failed at tls_handshake: tls handshake failed: "), "{}", lines[2]);
    assert_eq!(lines[3], "  rsa: TLSv1.3 TLS13_AES_256_GCM_SHA384 X25519");
    assert_eq!(run.code, 0);
}

#[test]
fn no_banner_times_out_in_the_greeting_step() {
    let addr = serve(Peer::NoBanner, CONNECTIONS_PER_PROBE);
    let port = addr.port().to_string();
    let run = geleit(&["probe", "127.0.0.1", "--port", &port, "--timeout-ms", "300"]);
    let line = "failed at greeting: expected the greeting step to finish within 300 ms, found no answer in time";
    assert_eq!(run.stdout, both_failed(addr.port(), line));
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, 1);
}

#[test]
fn megabyte_line_is_cut_at_the_line_limit() {
    let (addr, run) = probe(Peer::HugeLine, &[]);
    let line = "failed at greeting: malformed reply during greeting: expected a reply line of at most 1000 octets, found a longer one";
    assert_eq!(run.stdout, both_failed(addr.port(), line));
    assert_eq!(run.code, 1);
}

#[test]
fn endless_continuation_is_cut_at_the_line_count() {
    let (addr, run) = probe(Peer::EndlessContinuation, &[]);
    let line = "failed at ehlo: malformed reply during ehlo: expected a reply of at most 64 lines, found more";
    assert_eq!(run.stdout, both_failed(addr.port(), line));
    assert_eq!(run.code, 1);
}

#[test]
fn greeting_421() {
    let (addr, run) = probe(Peer::Greeting421, &[]);
    let line =
        "failed at greeting: expected a 220 greeting, found refusal 421: 4.3.2 mx.probe.example Service shutting down";
    assert_eq!(run.stdout, both_failed(addr.port(), line));
    assert_eq!(run.code, 1);
}

#[test]
fn greeting_554() {
    let (addr, run) = probe(Peer::Greeting554, &[]);
    let line = "failed at greeting: expected a 220 greeting, found refusal 554: mx.probe.example No SMTP service here";
    assert_eq!(run.stdout, both_failed(addr.port(), line));
    assert_eq!(run.code, 1);
}

#[test]
fn starttls_refused() {
    let (addr, run) = probe(Peer::StarttlsRefused, &[]);
    let line = "failed at starttls: expected 220 to STARTTLS, found 454: 4.7.0 TLS not available due to local problem";
    assert_eq!(run.stdout, both_failed(addr.port(), line));
    assert_eq!(run.code, 1);
}

#[test]
fn starttls_not_offered() {
    let (addr, run) = probe(Peer::NoStarttls, &["--json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let report = &json["addresses"][0]["probes"][1]["report"];
    assert_eq!(report["starttls_offered"], false);
    assert_eq!(report["starttls"], false);
    assert_eq!(report["error"]["kind"], "starttls_not_offered");
    let _ = addr;
}

#[test]
fn garbage_instead_of_tls() {
    let (addr, run) = probe(Peer::GarbageInsteadOfTls, &[]);
    let line = "failed at tls_handshake: tls handshake failed: received corrupt message of type InvalidContentType";
    assert_eq!(run.stdout, both_failed(addr.port(), line));
    assert_eq!(run.code, 1);
}

#[test]
fn plaintext_injected_after_starttls_is_refused() {
    let (_, run) = probe(Peer::InjectAfterStarttls, &["--json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for probe in json["addresses"][0]["probes"].as_array().unwrap() {
        let report = &probe["report"];
        assert_eq!(report["tls"], serde_json::Value::Null);
        assert_eq!(report["error"]["step"], "tls_handshake");
        // One write on loopback arrives in one read: the core sees the extra
        // bytes. Were they split, TLS would reject them as a corrupt record.
        let kind = report["error"]["kind"].as_str().unwrap();
        assert!(kind == "data_before_tls" || kind == "tls", "{report}");
    }
}

#[test]
fn reset_in_the_tls_handshake() {
    let (addr, run) = probe(Peer::ResetInHandshake, &[]);
    let line = "failed at tls_handshake: tls handshake failed: Connection reset by peer (os error 104)";
    assert_eq!(run.stdout, both_failed(addr.port(), line));
    assert_eq!(run.code, 1);
}

#[test]
fn nothing_listening_is_a_connect_failure() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let run = geleit(&["probe", "127.0.0.1", "--port", &port.to_string()]);
    let line = "failed at connect: connection error during connect: Connection refused (os error 111)";
    assert_eq!(run.stdout, both_failed(port, line));
    assert_eq!(run.code, 1);
}

#[test]
fn public_only_refuses_loopback_without_connecting() {
    let run = geleit(&["probe", "127.0.0.1", "--public-only"]);
    assert_eq!(
        run.stdout,
        "127.0.0.1 port 25 (starttls)\n127.0.0.1: FAILED\n  refused by policy: expected a public unicast address, \
         found 127.0.0.1 in 127.0.0.0/8 (loopback, RFC 1122)\n"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn public_only_refuses_other_ports_even_in_allowed_ranges() {
    let run = geleit(&["probe", "127.0.0.1", "--port", "2525", "--public-only", "--allow-range", "127.0.0.0/8"]);
    assert_eq!(
        run.stdout,
        "127.0.0.1 port 2525 (starttls)\n127.0.0.1: FAILED\n  refused by policy: expected port 25, 465 or 587, found 2525\n"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn allow_range_lets_the_probe_connect() {
    // Port 25 on 127.0.0.2: allowed by the range, so the probe tries to
    // connect (whatever it finds there), instead of refusing by policy.
    let run = geleit(&["probe", "127.0.0.2", "--public-only", "--allow-range", "127.0.0.0/8", "--timeout-ms", "500"]);
    assert!(!run.stdout.contains("refused by policy"), "{}", run.stdout);
    assert!(run.stdout.contains("\n  ecdsa: "), "{}", run.stdout);
}

#[test]
fn input_errors_exit_2() {
    let run = geleit(&["probe", "127.0.0.1", "--allow-range", "10.0.0.1/8", "--public-only"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("expected the host bits after /8 to be zero, found 10.0.0.1"), "{}", run.stderr);
    let run = geleit(&["probe", "127.0.0.1", "--allow-range", "10.0.0.0/8"]);
    assert_eq!(run.code, 2);
    let run = geleit(&["probe", "127.0.0.1", "--ehlo-name", "a b"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "geleit: expected an EHLO name of 1 to 255 letters, digits, \".\", \"-\", \":\" or \"[]\", found \"a b\"\n"
    );
    let run = geleit(&["probe", "bad host!"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "geleit: expected a host name or IP address, found \"bad host!\": invalid dns name\n");
    let run = geleit(&["probe", "no-such-host.invalid"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("geleit: cannot resolve no-such-host.invalid"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}
