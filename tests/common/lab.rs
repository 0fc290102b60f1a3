//! Typed view of the lab catalogue (`tests/lab/scenarios.json`) and of the facts
//! generated on `tests/lab/up` (`tests/lab/run/live.json`), for tests that
//! iterate over the lab's scenarios. The schema is documented at the top of
//! `tests/lab/SCENARIOS.md`; unknown fields are rejected so that the two cannot
//! drift apart silently.
//!
//! Include it with `#[path = "../common/lab.rs"] mod lab;` (or `pub mod lab;` in
//! `tests/common/mod.rs`).
#![allow(dead_code)] // each test target uses a different part
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// The whole catalogue: lab addresses, zones and scenarios.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub schema: u32,
    pub lab: LabInfo,
    pub zones: Vec<Zone>,
    pub scenarios: Vec<Scenario>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabInfo {
    pub tld: String,
    pub root_server: String,
    pub tld_server: String,
    pub child_server: String,
    pub resolver: String,
    pub doh: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub name: String,
    pub parent: Option<String>,
    pub server: String,
    pub algorithm: String,
    pub denial: String,
    pub signing: String,
    pub nsec3_salt: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub exercises: Vec<String>,
    pub domain: String,
    pub zone: String,
    pub mx: Vec<Mx>,
    pub hosts: Vec<Host>,
    pub expect: DomainExpect,
    pub dns: Vec<DnsExpect>,
    /// TLSRPT and MTA-STS set-up (issue 16), when the scenario has one.
    #[serde(default)]
    pub mail_policy: Option<MailPolicy>,
}

/// A scenario's TLSRPT record, MTA-STS record and policy host.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailPolicy {
    pub description: String,
    /// The `_smtp._tls` TXT text (none: no record).
    pub tlsrpt: Option<String>,
    /// The `_mta-sts` TXT text.
    pub sts_txt: String,
    /// `mta-sts.<domain>`'s address (nginx listens there on 443).
    pub sts_host: String,
    /// The policy file (LF; served with CRLF).
    pub policy: String,
    /// How nginx serves it: ok, redirect, oversized, bad-cert.
    pub serve: String,
    /// The id to pass as `--sts-id` (the id "seen before").
    pub previous_id: Option<String>,
    /// The codes of the mail-policy findings `geleit check` must report.
    pub expect: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mx {
    pub preference: u16,
    /// `.` for a null MX (RFC 7505).
    pub host: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub name: String,
    pub cname: Option<String>,
    pub a: Vec<String>,
    pub aaaa: Vec<String>,
    pub tlsa_base: String,
    pub tlsa_owner: String,
    pub tlsa_owner_cname: Option<String>,
    /// The records are published at this wildcard and synthesised at `tlsa_owner`.
    pub tlsa_wildcard: Option<String>,
    pub tlsa: Vec<TlsaSpec>,
    pub tls: Tls,
    pub expect: HostExpect,
    /// The domain itself, used as implicit MX (RFC 5321 section 5.1).
    #[serde(default)]
    pub implicit: bool,
}

impl Host {
    /// Every address of the host, IPv4 first.
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        self.a.iter().chain(self.aaaa.iter()).map(String::as_str)
    }
}

/// How a published TLSA record is computed (the data change on every `up`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsaSpec {
    pub usage: u8,
    pub selector: u8,
    pub matching: u8,
    /// `<chain id>.leaf`, `<chain id>.ca` or `spare` (a key the server does not use).
    pub cert: String,
    /// The data is cut to this many bytes (a malformed record).
    pub truncate: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    pub starttls: bool,
    /// Postfix reads the first chain from `install_dir` (privkey.pem, fullchain.pem).
    #[serde(default)]
    pub install: bool,
    pub chains: Vec<Chain>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    pub id: String,
    pub key: String,
    pub issuer: String,
    pub send_ca: Option<bool>,
    pub names: Option<Vec<String>>,
    pub expired: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostExpect {
    /// Address family (`ipv4`, `ipv6`, `any`) to posttls-finger verdict.
    pub posttls_finger: BTreeMap<String, String>,
    /// Address to openssl s_client verdict.
    pub openssl: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainExpect {
    pub posttls_finger: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsExpect {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    /// `secure`, `insecure` or `bogus` (as delv reports it).
    pub status: String,
    /// `data`, `nodata` or `nxdomain`.
    pub answer: String,
}

/// What `tests/lab/up` generated (keys are fresh on every build).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Live {
    pub built: String,
    pub signature_days: u32,
    /// How long `tests/lab/up` reuses this build, in seconds.
    pub fresh_seconds: u64,
    /// By host name (as in the catalogue).
    pub hosts: BTreeMap<String, LiveHost>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveHost {
    pub dir: String,
    /// PEM file per `TlsaSpec::cert` reference.
    pub certs: BTreeMap<String, String>,
    /// Key + chain PEM files the host's SMTP listener serves.
    pub chain_files: Vec<String>,
    /// The TLSA records as published, in presentation format (`3 1 1 <hex>`).
    pub tlsa_rdata: Vec<String>,
    pub ca: Option<String>,
    /// Where Postfix reads privkey.pem and fullchain.pem (hosts with `"install": true`).
    pub install_dir: Option<String>,
}

/// `tests/lab`: from `GELEIT_LAB_DIR` inside the lab, else next to this crate.
pub fn lab_dir() -> PathBuf {
    std::env::var_os("GELEIT_LAB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/lab"))
}

pub fn catalogue() -> Catalogue {
    let path = lab_dir().join("scenarios.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// The generated facts; needs a lab that is up.
pub fn live() -> Live {
    let path = lab_dir().join("run/live.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {} (is the lab up? tests/lab/up): {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Environment `tests/lab/in` sets; panics with a hint when run outside the lab.
pub struct Env {
    pub doh: String,
    pub trust_anchor: PathBuf,
    pub resolver: String,
}

pub fn env() -> Env {
    let var =
        |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set: run this test through tests/lab/in"));
    Env {
        doh: var("GELEIT_DOH"),
        trust_anchor: PathBuf::from(var("GELEIT_TRUST_ANCHOR")),
        resolver: var("GELEIT_RESOLVER"),
    }
}

/// The chain `openssl s_client -starttls smtp -showcerts` sees at `address`
/// port 25 (base64 DER per certificate), with `sni` (`None`: no SNI) and the
/// signature algorithms `sigalgs`; `None` when its handshake fails.
pub fn openssl_chain(address: &str, sni: Option<&str>, sigalgs: &str) -> Option<Vec<String>> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let connect = if address.contains(':') { format!("[{address}]:25") } else { format!("{address}:25") };
    let mut command = Command::new("openssl");
    command.args(["s_client", "-starttls", "smtp", "-connect", &connect, "-showcerts"]);
    match sni {
        Some(name) => command.args(["-servername", name]),
        None => command.arg("-noservername"),
    };
    let mut child = command
        .args(["-sigalgs", sigalgs])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(b"QUIT\r\n");
    let out = child.wait_with_output().unwrap();
    showcerts_chain(&String::from_utf8_lossy(&out.stdout))
}

/// The chain in `openssl s_client -showcerts` output: each certificate's
/// base64 DER (PEM body without line breaks), leaf first; `None` when it
/// printed no certificate.
pub fn showcerts_chain(text: &str) -> Option<Vec<String>> {
    let mut chain = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match line {
            "-----BEGIN CERTIFICATE-----" => current = Some(String::new()),
            "-----END CERTIFICATE-----" => chain.extend(current.take()),
            _ => {
                if let Some(c) = current.as_mut() {
                    c.push_str(line.trim());
                }
            }
        }
    }
    (!chain.is_empty()).then_some(chain)
}
