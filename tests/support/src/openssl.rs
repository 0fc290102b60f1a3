//! Certificates and keys made by the reference tools in a directory:
//! `openssl` (keys, CSRs, certificates signed with `openssl x509 -req`,
//! X.509 version 1 certificates), and GnuTLS `certtool` where dates must lie
//! in the past or future, which `openssl x509` 3.0 cannot do. Also the
//! digests openssl computes, as oracles for Geleit's own.
//!
//! For certificates made in memory (no tools), see [`crate::certs`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(1);

fn unique() -> u64 {
    COUNTER.fetch_add(1, Ordering::SeqCst)
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

/// A self-signed X.509 **version 1** certificate (no extensions) for `cn`,
/// made the old way, as old self-signed mail server set-ups have it: a CSR
/// signed by its own key with `openssl x509 -req -signkey`, without
/// `-extfile`. Panics unless openssl made a version 1 certificate.
pub fn v1_self_signed(dir: &Path, name: &str, alg: Alg, cn: &str) -> Made {
    let key = key(dir, name, alg);
    let csr = dir.join(format!("{name}.csr"));
    let cert = dir.join(format!("{name}.pem"));
    let (k, c, o) = (key.to_str().unwrap(), csr.to_str().unwrap(), cert.to_str().unwrap());
    tool(dir, "openssl", &["req", "-new", "-key", k, "-subj", &format!("/CN={cn}"), "-out", c]);
    tool(dir, "openssl", &["x509", "-req", "-in", c, "-signkey", k, "-days", "30", "-out", o]);
    let text = tool_text(dir, "openssl", &["x509", "-in", o, "-noout", "-text"]);
    assert!(text.contains("Version: 1 (0x0)"), "expected a version 1 certificate, found:\n{text}");
    assert!(!text.contains("X509v3 extensions"), "{text}");
    Made { cert, key, name: name.to_owned() }
}

/// A private key as PKCS#8 DER (`openssl pkey` would write SEC1 for EC keys).
pub fn key_pkcs8_der(dir: &Path, key: &Path) -> Vec<u8> {
    tool(dir, "openssl", &["pkcs8", "-topk8", "-nocrypt", "-in", key.to_str().unwrap(), "-outform", "DER"])
}
