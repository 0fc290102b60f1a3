//! Shared helpers for the CLI integration tests: a temporary directory, the
//! `geleit` binary, and the reference tools' TLS server and DANE client.
//! Certificates and keys come from the test-support crate
//! (`geleit_test_support::openssl` with the reference tools, `certs` in
//! memory), re-exported here.
#![allow(dead_code)] // each test target uses its own subset
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(1);

fn unique() -> u64 {
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("geleit-{tag}-{}-{}-{nanos}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The result of running `geleit`.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

fn to_run(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `geleit` with `args`.
pub fn geleit<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    geleit_stdin(args, b"")
}

/// Runs `geleit` with `args`, feeding `stdin`. The caller's `GELEIT_*`
/// defaults (DoH, trust anchor, edge) are removed, so a test sees exactly the
/// flags it passes.
pub fn geleit_stdin<I, S>(args: I, stdin: &[u8]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut child = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(args)
        .env_remove("GELEIT_DOH")
        .env_remove("GELEIT_TRUST_ANCHOR")
        .env_remove("GELEIT_EDGE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A refused or huge input may close stdin early: ignore broken pipes.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    to_run(child.wait_with_output().unwrap())
}

use geleit_test_support::openssl::{Made, chain_file};

/// The subject (and issuer) of [`hostile_cert`] as `geleit` shows it to a person.
pub const HOSTILE_SHOWN: &str = "O=\\u{9b}2JEvil\\x0d\\u{202e}gpj.exe, CN=mx\\x1b]0;pwned\\x07.example\\x1b[31m";

/// The support crate's certificate with a hostile subject
/// ([`geleit_test_support::certs::hostile`]): (PEM, DER).
pub fn hostile_cert() -> (String, Vec<u8>) {
    let c = geleit_test_support::certs::hostile();
    (c.pem, c.der)
}

/// Panics unless `text` is free of what a terminal acts on instead of showing:
/// controls other than line break and tab, and the bidi controls.
pub fn assert_no_terminal_controls(what: &str, text: &str) {
    let bad = text.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    });
    assert_eq!(bad, None, "{what} holds a terminal control: {text:?}");
}

/// Runs `geleit` with `args` as `geleit … | head` does after head has
/// exited: standard output is a pipe whose read end is closed before
/// `stdin` is fed, so a command that reads its input from `stdin` only
/// writes once nobody reads any more. `stdout` of the result is empty.
pub fn geleit_closed_stdout<I, S>(args: I, stdin: &[u8]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut child = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(args)
        .env_remove("GELEIT_DOH")
        .env_remove("GELEIT_TRUST_ANCHOR")
        .env_remove("GELEIT_EDGE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let _ = child.stdin.take().unwrap().write_all(stdin);
    to_run(child.wait_with_output().unwrap())
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An `openssl s_server` on loopback, killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// Serves `leaf` with `extra` certificates (in order) as the rest of the chain.
    pub fn start(dir: &Path, leaf: &Made, extra: &[&Made]) -> Self {
        for _attempt in 0..5 {
            let port = free_port();
            let accept = format!("127.0.0.1:{port}");
            let mut args = vec![
                "s_server".to_owned(),
                "-accept".into(),
                accept,
                "-cert".into(),
                leaf.cert.to_str().unwrap().into(),
                "-key".into(),
                leaf.key.to_str().unwrap().into(),
                // -www: answer each connection without reading stdin (EOF there would stop the server).
                "-www".into(),
            ];
            if !extra.is_empty() {
                let chain = chain_file(dir, &format!("served-{}.pem", unique()), extra);
                args.extend(["-cert_chain".into(), chain.to_str().unwrap().into()]);
            }
            let mut child = Command::new("openssl")
                .args(&args)
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut reader = BufReader::new(child.stdout.take().unwrap());
            // "Using default temp DH parameters" may come first; a failed bind ends the output.
            let mut ready = false;
            for _ in 0..4 {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if line.starts_with("ACCEPT") {
                    ready = true;
                    break;
                }
            }
            if ready {
                // Keep draining stdout so the server never blocks on a full pipe.
                std::thread::spawn(move || for _ in reader.lines() {});
                return Self { child, port };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("openssl s_server did not start");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `openssl s_client` with DANE said.
#[derive(Debug, PartialEq, Eq)]
pub struct Verdict {
    pub authenticated: bool,
    /// "matched … at depth N", when it matched.
    pub depth: Option<usize>,
}

/// Connects with `openssl s_client -dane_tlsa_domain NAME` and the records (s_client takes a
/// single reference name); `attime`: Unix seconds.
/// `-dane_ee_no_namechecks` follows RFC 7672 §3.1.1 (OpenSSL name-checks DANE-EE by default).
pub fn s_client(port: u16, name: &str, records: &[String], attime: Option<i64>) -> Verdict {
    let connect = format!("127.0.0.1:{port}");
    let mut args: Vec<String> = vec!["s_client".into(), "-connect".into(), connect, "-verify_return_error".into()];
    args.extend(["-dane_tlsa_domain".into(), name.to_owned(), "-dane_ee_no_namechecks".into()]);
    for r in records {
        args.extend(["-dane_tlsa_rrdata".into(), r.clone()]);
    }
    if let Some(t) = attime {
        args.extend(["-attime".into(), t.to_string()]);
    }
    let mut child = Command::new("openssl")
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: a handshake on loopback takes milliseconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait().unwrap().is_some() || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let authenticated = out.status.success() && text.contains("Verification: OK");
    let depth = text
        .lines()
        .find(|l| l.starts_with("DANE TLSA") && l.contains("matched"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|d| d.parse().ok());
    Verdict { authenticated, depth }
}
