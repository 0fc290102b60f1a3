//! Shared helpers for the CLI integration tests: a temporary directory, the
//! `geleit` binary, and fresh certificates made by the reference tools
//! (`openssl`, and GnuTLS `certtool` where dates must lie in the past or
//! future, which `openssl x509` 3.0 cannot do).
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

/// Common name of [`hostile_cert`]: an OSC 0 sequence (sets the terminal's
/// title) ended by BEL, and a CSI sequence (red text).
pub const HOSTILE_CN: &str = "mx\u{1b}]0;pwned\u{7}.example\u{1b}[31m";
/// Organization of [`hostile_cert`]: a one-character C1 CSI (clears the
/// screen), a carriage return and a right-to-left override.
pub const HOSTILE_O: &str = "\u{9b}2JEvil\r\u{202e}gpj.exe";
/// The subject (and issuer) of [`hostile_cert`] as `geleit` shows it to a person.
pub const HOSTILE_SHOWN: &str = "O=\\u{9b}2JEvil\\x0d\\u{202e}gpj.exe, CN=mx\\x1b]0;pwned\\x07.example\\x1b[31m";

/// A self-signed certificate for `mx.example.com` whose subject (and so
/// issuer) holds [`HOSTILE_O`] and [`HOSTILE_CN`] as UTF8Strings: (PEM, DER).
pub fn hostile_cert() -> (String, Vec<u8>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["mx.example.com".to_owned()]).unwrap();
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::OrganizationName, HOSTILE_O);
    dn.push(rcgen::DnType::CommonName, HOSTILE_CN);
    params.distinguished_name = dn;
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), cert.der().to_vec())
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

/// Runs a reference tool in `dir`; panics with its stderr if it fails.
pub fn tool(dir: &Path, program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program).args(args).current_dir(dir).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Like [`tool`], returning stdout as text.
pub fn tool_text(dir: &Path, program: &str, args: &[&str]) -> String {
    String::from_utf8(tool(dir, program, args)).unwrap()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Key algorithms the tests use.
#[derive(Debug, Clone, Copy)]
pub enum Alg {
    Rsa(u32),
    P256,
    P384,
    Ed25519,
}

/// Generates a private key with `openssl genpkey`.
pub fn key(dir: &Path, name: &str, alg: Alg) -> PathBuf {
    let path = dir.join(format!("{name}.key"));
    let p = path.to_str().unwrap();
    match alg {
        Alg::Rsa(bits) => {
            let opt = format!("rsa_keygen_bits:{bits}");
            tool(dir, "openssl", &["genpkey", "-algorithm", "RSA", "-pkeyopt", &opt, "-out", p]);
        }
        Alg::P256 => {
            tool(dir, "openssl", &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p]);
        }
        Alg::P384 => {
            tool(dir, "openssl", &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", p]);
        }
        Alg::Ed25519 => {
            tool(dir, "openssl", &["genpkey", "-algorithm", "ed25519", "-out", p]);
        }
    }
    path
}

/// A certificate made for a test, with its key.
#[derive(Debug, Clone)]
pub struct Made {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub name: String,
}

impl Made {
    pub fn pem(&self) -> String {
        std::fs::read_to_string(&self.cert).unwrap()
    }
}

/// What to put in a certificate.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    pub name: &'a str,
    pub alg: Alg,
    pub cn: &'a str,
    pub sans: &'a [&'a str],
    pub ca: bool,
    /// `None`: valid from now for a year (openssl); `Some((from, until))`:
    /// "YYYY-MM-DD HH:MM:SS" UTC dates (certtool).
    pub dates: Option<(&'a str, &'a str)>,
    /// Extra `openssl x509 -req` options for the issuer's signature (e.g. RSA-PSS).
    pub sign: &'a [&'a str],
}

impl<'a> Spec<'a> {
    pub fn ca(name: &'a str, alg: Alg) -> Self {
        Self { name, alg, cn: name, sans: &[], ca: true, dates: None, sign: &[] }
    }
    pub fn leaf(name: &'a str, alg: Alg, sans: &'a [&'a str]) -> Self {
        Self { name, alg, cn: name, sans, ca: false, dates: None, sign: &[] }
    }
}

/// Makes a certificate signed by `issuer` (self-signed without one).
pub fn cert(dir: &Path, spec: &Spec<'_>, issuer: Option<&Made>) -> Made {
    let key = key(dir, spec.name, spec.alg);
    let out = dir.join(format!("{}.pem", spec.name));
    match spec.dates {
        None => openssl_cert(dir, spec, &key, &out, issuer),
        Some(dates) => certtool_cert(dir, spec, dates, &key, &out, issuer),
    }
    Made { cert: out, key, name: spec.name.to_owned() }
}

fn openssl_cert(dir: &Path, spec: &Spec<'_>, key: &Path, out: &Path, issuer: Option<&Made>) {
    let csr = dir.join(format!("{}.csr", spec.name));
    let subj = format!("/CN={}", spec.cn);
    tool(
        dir,
        "openssl",
        &["req", "-new", "-key", key.to_str().unwrap(), "-subj", &subj, "-out", csr.to_str().unwrap()],
    );
    let mut ext = String::from("[v3]\nsubjectKeyIdentifier=hash\n");
    if spec.ca {
        ext.push_str("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
    } else {
        ext.push_str("basicConstraints=CA:FALSE\n");
    }
    if !spec.sans.is_empty() {
        let sans: Vec<String> = spec.sans.iter().map(|s| format!("DNS:{s}")).collect();
        ext.push_str(&format!("subjectAltName={}\n", sans.join(",")));
    }
    let extfile = dir.join(format!("{}.ext", spec.name));
    std::fs::write(&extfile, ext).unwrap();
    let serial = format!("{}", 1000 + unique());
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        csr.to_str().unwrap(),
        "-days",
        "365",
        "-set_serial",
        &serial,
        "-extfile",
        extfile.to_str().unwrap(),
        "-extensions",
        "v3",
        "-out",
        out.to_str().unwrap(),
    ];
    let (ca_cert, ca_key);
    match issuer {
        Some(i) => {
            ca_cert = i.cert.to_str().unwrap().to_owned();
            ca_key = i.key.to_str().unwrap().to_owned();
            args.extend(["-CA", &ca_cert, "-CAkey", &ca_key]);
        }
        None => args.extend(["-signkey", key.to_str().unwrap()]),
    }
    args.extend(spec.sign);
    tool(dir, "openssl", &args);
}

fn certtool_cert(dir: &Path, spec: &Spec<'_>, dates: (&str, &str), key: &Path, out: &Path, issuer: Option<&Made>) {
    let mut t = format!(
        "cn = \"{}\"\nserial = {}\nactivation_date = \"{}\"\nexpiration_date = \"{}\"\n",
        spec.cn,
        1000 + unique(),
        dates.0,
        dates.1
    );
    for san in spec.sans {
        t.push_str(&format!("dns_name = \"{san}\"\n"));
    }
    if spec.ca {
        t.push_str("ca\ncert_signing_key\ncrl_signing_key\n");
    } else {
        t.push_str("signing_key\nencryption_key\ntls_www_server\n");
    }
    let tmpl = dir.join(format!("{}.tmpl", spec.name));
    std::fs::write(&tmpl, t).unwrap();
    let (k, tm, o) = (key.to_str().unwrap(), tmpl.to_str().unwrap(), out.to_str().unwrap());
    match issuer {
        Some(i) => {
            let (c, ck) = (i.cert.to_str().unwrap(), i.key.to_str().unwrap());
            tool(
                dir,
                "certtool",
                &[
                    "--generate-certificate",
                    "--load-privkey",
                    k,
                    "--load-ca-certificate",
                    c,
                    "--load-ca-privkey",
                    ck,
                    "--template",
                    tm,
                    "--outfile",
                    o,
                ],
            );
        }
        None => {
            tool(dir, "certtool", &["--generate-self-signed", "--load-privkey", k, "--template", tm, "--outfile", o]);
        }
    }
}

/// Writes the chain (leaf first) to one PEM file.
pub fn chain_file(dir: &Path, name: &str, chain: &[&Made]) -> PathBuf {
    let path = dir.join(name);
    let text: String = chain.iter().map(|m| m.pem()).collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// The DER certificate, via `openssl x509`.
pub fn cert_der(dir: &Path, cert: &Path) -> Vec<u8> {
    tool(dir, "openssl", &["x509", "-in", cert.to_str().unwrap(), "-outform", "DER"])
}

/// The DER SubjectPublicKeyInfo of a certificate, via `openssl x509 -pubkey | openssl pkey`.
pub fn spki_der(dir: &Path, cert: &Path) -> Vec<u8> {
    let pubkey = dir.join(format!("{}.pub.pem", cert.file_name().unwrap().to_str().unwrap()));
    let pem = tool(dir, "openssl", &["x509", "-in", cert.to_str().unwrap(), "-noout", "-pubkey"]);
    std::fs::write(&pubkey, pem).unwrap();
    tool(dir, "openssl", &["pkey", "-pubin", "-in", pubkey.to_str().unwrap(), "-outform", "DER"])
}

/// `openssl dgst` over bytes (through a file), as lowercase hex.
pub fn openssl_digest(dir: &Path, bytes: &[u8], alg: &str) -> String {
    let f = dir.join(format!("dgst-{}", unique()));
    std::fs::write(&f, bytes).unwrap();
    let out = tool_text(dir, "openssl", &["dgst", &format!("-{alg}"), "-r", f.to_str().unwrap()]);
    out.split_whitespace().next().unwrap().to_owned()
}

/// The association data hex for selector `s` and matching type `m`, computed by openssl.
pub fn openssl_association(dir: &Path, cert: &Path, s: u8, m: u8) -> String {
    let content = if s == 0 { cert_der(dir, cert) } else { spki_der(dir, cert) };
    match m {
        0 => hex(&content),
        1 => openssl_digest(dir, &content, "sha256"),
        _ => openssl_digest(dir, &content, "sha512"),
    }
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
