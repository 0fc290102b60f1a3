//! `geleit tlsa gen` against the reference tools: openssl (x509/pkey/dgst
//! pipelines), `ldns-dane create` and GnuTLS `danetool --tlsa-rr`, on
//! certificates made fresh for each run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use common::{
    HOSTILE_SHOWN, TempDir, assert_no_terminal_controls, geleit, geleit_closed_stdout, geleit_stdin, hostile_cert,
};
use geleit_test_support::openssl::{self, Alg, Made, Spec, cert, chain_file, openssl_association, tool, tool_text};

const HOST: &str = "mx.example.com";

/// `ldns-dane -c FILE [-o OFFSET] create HOST 25 u s m` (offline: it reads the certificate file).
fn ldns_line(dir: &std::path::Path, chain: &std::path::Path, offset: Option<usize>, u: u8, s: u8, m: u8) -> String {
    let (us, ss, ms) = (u.to_string(), s.to_string(), m.to_string());
    let off = offset.map(|o| o.to_string());
    let mut args = vec!["-n", "-c", chain.to_str().unwrap()];
    if let Some(o) = &off {
        args.extend(["-o", o]);
    }
    args.extend(["create", HOST, "25", &us, &ss, &ms]);
    tool_text(dir, "ldns-dane", &args).trim_end().to_owned()
}

/// `danetool --tlsa-rr` as "u s m hex" (it prints `( 03 01 01 hex )`).
fn danetool_rdata(dir: &std::path::Path, load: &str, file: &std::path::Path, extra: &[&str]) -> String {
    let f = format!("--{load}={}", file.to_str().unwrap());
    let mut args = vec!["--tlsa-rr", "--host", HOST, "--port", "25", &f];
    args.extend(extra);
    let out = tool_text(dir, "danetool", &args);
    let inner = out.split('(').nth(1).and_then(|s| s.split(')').next()).unwrap();
    let f: Vec<&str> = inner.split_whitespace().collect();
    let n = |t: &str| t.parse::<u8>().unwrap().to_string();
    format!("{} {} {} {}", n(f[0]), n(f[1]), n(f[2]), f[3].to_ascii_lowercase())
}

/// Every record openssl computes for the chain, in geleit's order after the
/// recommended ones: by depth, selector, matching type.
fn openssl_records(dir: &std::path::Path, chain: &[&Made]) -> Vec<String> {
    let mut out = Vec::new();
    for (depth, c) in chain.iter().enumerate() {
        let usage = if depth == 0 { 3 } else { 2 };
        for s in 0..=1u8 {
            for m in 0..=2u8 {
                out.push(format!("{usage} {s} {m} {}", openssl_association(dir, &c.cert, s, m)));
            }
        }
    }
    out
}

fn check_chain(dir: &TempDir, chain: &[&Made]) {
    let file = chain_file(dir.path(), &format!("{}-full.pem", chain[0].name), chain);
    let f = file.to_str().unwrap();

    // rdata: every record, recommended first, each equal to openssl's.
    let run = geleit(["tlsa", "gen", "--host", HOST, "--format", "rdata", f]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    let ours: Vec<String> = run.stdout.lines().map(str::to_owned).collect();
    let all = openssl_records(dir.path(), chain);
    let mut recommended = vec![all[4].clone()];
    if chain.len() > 1 {
        recommended.push(all[10].clone());
    }
    let mut expected = recommended.clone();
    expected.extend(all.iter().filter(|r| !recommended.contains(r)).cloned());
    assert_eq!(ours, expected);

    let run = geleit(["tlsa", "gen", "--host", HOST, "--format", "rdata", "--recommended", f]);
    assert_eq!(run.stdout, recommended.iter().map(|r| format!("{r}\n")).collect::<String>());

    // zone: record lines are byte-identical to ldns-dane's, in the same order.
    let run = geleit(["tlsa", "gen", "--host", HOST, f]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().filter(|l| !l.starts_with(';')).collect();
    assert_eq!(lines.len(), 6 * chain.len());
    for (line, rdata) in lines.iter().zip(&expected) {
        let u: Vec<u8> = rdata.split(' ').take(3).map(|t| t.parse().unwrap()).collect();
        // ldns-dane picks CA certificates by offset from the end of the chain.
        let depth = all.iter().position(|r| r == rdata).unwrap() / 6;
        let offset = if u[0] == 2 { Some(chain.len() - 1 - depth) } else { None };
        assert_eq!(*line, ldns_line(dir.path(), &file, offset, u[0], u[1], u[2]));
    }
    // Each 2 x x section names the certificate it pins.
    for (depth, c) in chain.iter().enumerate().skip(1) {
        let role = if depth == 1 { "issuing CA" } else { "CA above the issuer" };
        assert!(
            run.stdout
                .contains(&format!("; depth {depth}: {role}; DANE-TA(2) records pin it\n;   subject CN={}\n", c.name)),
            "{}",
            run.stdout
        );
    }

    // generic: same as `ldns-dane -b`.
    let run = geleit(["tlsa", "gen", "--host", HOST, "--format", "generic", "--recommended", f]);
    let ldns_b = tool_text(dir.path(), "ldns-dane", &["-n", "-b", "-c", f, "create", HOST, "25", "3", "1", "1"]);
    assert_eq!(run.stdout.lines().next().unwrap(), ldns_b.trim_end());

    // danetool: DANE-EE SPKI and Cert digests of the leaf; DANE-TA for each CA.
    for (depth, c) in chain.iter().enumerate() {
        let ca: &[&str] = if depth == 0 { &[] } else { &["--ca"] };
        let spki = danetool_rdata(dir.path(), "load-certificate", &c.cert, ca);
        assert_eq!(spki, all[depth * 6 + 4]);
        let mut x509 = ca.to_vec();
        x509.push("--x509");
        assert_eq!(danetool_rdata(dir.path(), "load-certificate", &c.cert, &x509), all[depth * 6 + 1]);
    }

    // json: all records, recommended flags, owner.
    let run = geleit(["tlsa", "gen", "--host", HOST, "--format", "json", f]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["owner"], "_25._tcp.mx.example.com.");
    let recs = v["records"].as_array().unwrap();
    assert_eq!(recs.len(), 6 * chain.len());
    let rec_json: Vec<&str> =
        recs.iter().filter(|r| r["recommended"] == true).map(|r| r["rdata"].as_str().unwrap()).collect();
    assert_eq!(rec_json, recommended);
}

#[test]
fn leaf_only_certificates_match_the_oracles() {
    let dir = TempDir::new("gen-leaf");
    for (name, alg, sans) in [
        ("p256", Alg::P256, &["mx.example.com"][..]),
        ("ed25519", Alg::Ed25519, &["mx.example.com", "*.example.com"][..]),
        ("rsa2048", Alg::Rsa(2048), &[][..]),
    ] {
        let leaf = cert(dir.path(), &Spec::leaf(name, alg, sans), None);
        check_chain(&dir, &[&leaf]);
    }
}

#[test]
fn three_level_chains_match_the_oracles() {
    let dir = TempDir::new("gen-chain");
    let root = cert(dir.path(), &Spec::ca("root-rsa3072", Alg::Rsa(3072)), None);
    let inter = cert(dir.path(), &Spec::ca("inter-p384", Alg::P384), Some(&root));
    let leaf = cert(dir.path(), &Spec::leaf("leaf-ed25519", Alg::Ed25519, &["mx.example.com"]), Some(&inter));
    check_chain(&dir, &[&leaf, &inter, &root]);

    let root = cert(dir.path(), &Spec::ca("root-ed25519", Alg::Ed25519), None);
    let inter = cert(dir.path(), &Spec::ca("inter-rsa2048", Alg::Rsa(2048)), Some(&root));
    let leaf = cert(dir.path(), &Spec::leaf("leaf-rsa4096", Alg::Rsa(4096), &["*.example.com"]), Some(&inter));
    check_chain(&dir, &[&leaf, &inter, &root]);
}

#[test]
fn expired_and_future_certificates_still_get_records() {
    let dir = TempDir::new("gen-dates");
    let mut old = Spec::leaf("expired", Alg::P256, &["mx.example.com"]);
    old.dates = Some(("2019-01-01 00:00:00", "2020-01-01 00:00:00"));
    let mut future = Spec::leaf("future", Alg::P384, &["mx.example.com"]);
    future.dates = Some(("2040-01-01 00:00:00", "2041-01-01 00:00:00"));
    for spec in [old, future] {
        let leaf = cert(dir.path(), &spec, None);
        check_chain(&dir, &[&leaf]);
    }
}

#[test]
fn public_keys_and_requests_give_spki_records_only() {
    let dir = TempDir::new("gen-keys");
    let d = dir.path();
    let key = openssl::key(d, "k", Alg::P256);
    let pubkey = d.join("k.pub");
    tool(d, "openssl", &["pkey", "-in", key.to_str().unwrap(), "-pubout", "-out", pubkey.to_str().unwrap()]);
    let der = tool(d, "openssl", &["pkey", "-in", key.to_str().unwrap(), "-pubout", "-outform", "DER"]);
    let expected: Vec<String> = [0u8, 1, 2]
        .iter()
        .map(|m| {
            let data = match m {
                0 => openssl::hex(&der),
                1 => openssl::openssl_digest(d, &der, "sha256"),
                _ => openssl::openssl_digest(d, &der, "sha512"),
            };
            format!("3 1 {m} {data}")
        })
        .collect();
    let want = format!("{}\n{}\n{}\n", expected[1], expected[0], expected[2]);
    let run = geleit(["tlsa", "gen", "--format", "rdata", pubkey.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, want.as_str(), ""));
    assert_eq!(danetool_rdata(d, "load-pubkey", &pubkey, &[]), expected[1]);

    let csr = d.join("k.csr");
    tool(
        d,
        "openssl",
        &["req", "-new", "-key", key.to_str().unwrap(), "-subj", "/CN=mx.example.com", "-out", csr.to_str().unwrap()],
    );
    let run = geleit(["tlsa", "gen", "--format", "rdata", csr.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (0, want.as_str()));
    // The old Netscape label.
    let text = std::fs::read_to_string(&csr).unwrap().replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
    let run = geleit_stdin(["tlsa", "gen", "--format", "rdata", "-"], text.as_bytes());
    assert_eq!((run.code, run.stdout.as_str()), (0, want.as_str()));
    // A key has no DNS name: zone output needs --host.
    let run = geleit(["tlsa", "gen", pubkey.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "geleit: expected a host name for the owner name, found none in the input: give --host\n");
}

#[test]
fn der_input_and_garbage_around_pem() {
    let dir = TempDir::new("gen-der");
    let d = dir.path();
    let leaf = cert(d, &Spec::leaf("leaf", Alg::P256, &["mx.example.com"]), None);
    let der = openssl::cert_der(d, &leaf.cert);
    let from_der = geleit_stdin(["tlsa", "gen", "--format", "rdata"], &der);
    let from_pem = geleit(["tlsa", "gen", "--format", "rdata", leaf.cert.to_str().unwrap()]);
    assert_eq!(from_der.code, 0, "{}", from_der.stderr);
    assert_eq!(from_der.stdout, from_pem.stdout);
    let text = tool_text(d, "openssl", &["x509", "-in", leaf.cert.to_str().unwrap(), "-text"]);
    let noisy = format!("Here is my cert:\r\n{}\r\nthanks!\n", text.replace('\n', "\r\n"));
    let run = geleit_stdin(["tlsa", "gen", "--format", "rdata"], noisy.as_bytes());
    assert_eq!((run.code, run.stdout.as_str()), (0, from_pem.stdout.as_str()));
}

#[test]
fn default_host_is_the_first_dns_name() {
    let dir = TempDir::new("gen-host");
    let d = dir.path();
    let leaf = cert(d, &Spec::leaf("leaf", Alg::P256, &["*.example.net", "mail.example.net", "mx.example.net"]), None);
    let run = geleit(["tlsa", "gen", "--recommended", "--port", "465", "--ttl", "300", leaf.cert.to_str().unwrap()]);
    let line = run.stdout.lines().find(|l| !l.starts_with(';')).unwrap();
    assert!(line.starts_with("_465._tcp.mail.example.net.\t300\tIN\tTLSA\t3 1 1 "), "{line}");
    let wild = cert(d, &Spec::leaf("wild", Alg::P256, &["*.example.net"]), None);
    let run = geleit(["tlsa", "gen", wild.cert.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    let run = geleit(["tlsa", "gen", "--host", "*.example.net", wild.cert.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("geleit: expected one host name, found the wildcard"), "{}", run.stderr);
}

/// What `scripts/run.sh` runs.
#[test]
fn run_sh_command_works() {
    let dir = TempDir::new("gen-runsh");
    let d = dir.path();
    let c = d.join("cert.pem");
    tool(
        d,
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "365",
            "-subj",
            "/CN=mx.example.com",
            "-addext",
            "subjectAltName=DNS:mx.example.com",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ],
    );
    let run = geleit(["tlsa", "gen", "--host", "mx.example.com", c.to_str().unwrap()]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let first = run.stdout.lines().find(|l| !l.starts_with(';')).unwrap();
    assert_eq!(first, ldns_line(d, &c, None, 3, 1, 1));
}

const KEY_WARNING: &str = "geleit: warning: a private key was pasted; it was refused and not read (TLSA records need only the certificate or public key; keep the private key secret)\n";

#[test]
fn private_keys_are_refused_and_never_echoed() {
    let dir = TempDir::new("gen-private");
    let d = dir.path();
    let leaf = cert(d, &Spec::leaf("leaf", Alg::P256, &["mx.example.com"]), None);
    let key = std::fs::read_to_string(&leaf.key).unwrap();
    let secret_line = key.lines().nth(1).unwrap().to_owned();
    let rsa = cert(d, &Spec::leaf("rsa", Alg::Rsa(2048), &[]), None);
    let traditional = tool_text(d, "openssl", &["pkey", "-in", rsa.key.to_str().unwrap(), "-traditional"]);
    assert!(traditional.contains("BEGIN RSA PRIVATE KEY"));
    let encrypted =
        tool_text(d, "openssl", &["pkey", "-in", leaf.key.to_str().unwrap(), "-aes128", "-passout", "pass:x"]);
    assert!(encrypted.contains("BEGIN ENCRYPTED PRIVATE KEY"));

    for k in [key.as_str(), traditional.as_str(), encrypted.as_str()] {
        let run = geleit_stdin(["tlsa", "gen", "--host", HOST], k.as_bytes());
        assert_eq!(run.code, 2);
        assert_eq!(
            run.stderr,
            format!(
                "{}geleit: standard input: expected a certificate, public key or certificate request, found only a private key (refused and not read)\n",
                ""
            )
        );
        assert_eq!(run.stdout, "");
    }
    let both = format!("{}{}", key, leaf.pem());
    let run = geleit_stdin(["tlsa", "gen", "--host", HOST, "--format", "rdata", "--recommended"], both.as_bytes());
    assert_eq!((run.code, run.stderr.as_str()), (0, KEY_WARNING));
    assert!(!run.stdout.contains(&secret_line) && !run.stderr.contains(&secret_line));
    assert_eq!(run.stdout.lines().count(), 1);
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    let dir = TempDir::new("gen-bad");
    let d = dir.path();
    let leaf = cert(d, &Spec::leaf("leaf", Alg::P256, &["mx.example.com"]), None);
    let der = openssl::cert_der(d, &leaf.cert);
    let generate = |input: &[u8]| geleit_stdin(["tlsa", "gen", "--host", HOST], input);

    for cut in [1, 10, der.len() / 2, der.len() - 1] {
        let run = generate(&der[..cut]);
        assert_eq!(run.code, 2, "cut at {cut}");
        assert!(run.stderr.starts_with("geleit: standard input: expected "), "{}", run.stderr);
    }
    let pem = leaf.pem();
    let bad_b64 = pem.replacen("MII", "M*I", 1);
    let run = generate(bad_b64.as_bytes());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("geleit: standard input: expected base64 in the CERTIFICATE block, found"),
        "{}",
        run.stderr
    );
    let unterminated = pem.replace("-----END CERTIFICATE-----", "");
    let run = generate(unterminated.as_bytes());
    assert_eq!(run.stderr, "geleit: standard input: expected \"-----END CERTIFICATE-----\", found none\n");
    let huge = vec![b'A'; 300 * 1024];
    let run = generate(&huge);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "geleit: standard input: expected at most 262144 bytes, found more\n");
    let run = generate(b"");
    assert_eq!(
        run.stderr,
        "geleit: standard input: expected a PEM block (\"-----BEGIN CERTIFICATE-----\") or DER data, found empty input\n"
    );
    let run = geleit(["tlsa", "gen", "/nonexistent/cert.pem"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("geleit: reading /nonexistent/cert.pem: "), "{}", run.stderr);
}

#[test]
fn terminal_escapes_in_certificate_names_are_shown_escaped() {
    let (pem, _) = hostile_cert();
    let run = geleit_stdin(["tlsa", "gen"], pem.as_bytes());
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_no_terminal_controls("stdout", &run.stdout);
    assert!(
        run.stdout.contains(&format!("\n;   subject {HOSTILE_SHOWN}\n;   issuer {HOSTILE_SHOWN}; valid ")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\n_25._tcp.mx.example.com.\t3600\tIN\tTLSA\t3 1 1 "), "{}", run.stdout);
}

#[test]
fn terminal_escapes_in_an_error_line_are_shown_escaped() {
    let run = geleit(["tlsa", "gen", "/nonexistent/\u{1b}]8;;https://evil.example/\u{7}\n\u{202e}.pem"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr.starts_with("geleit: reading /nonexistent/\\x1b]8;;https://evil.example/\\x07\\x0a\\u{202e}.pem: "),
        "{}",
        run.stderr
    );
    assert_no_terminal_controls("stderr", run.stderr.trim_end_matches('\n'));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn closed_stdout_ends_quietly() {
    let (pem, _) = hostile_cert();
    for format in ["zone", "json"] {
        let run = geleit_closed_stdout(["tlsa", "gen", "--format", format], pem.as_bytes());
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{format}");
    }
}
