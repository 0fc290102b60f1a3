//! `geleit probe` against a STARTTLS server whose leaf is an X.509 version 1
//! certificate (no extensions: `openssl x509 -req -signkey` without
//! `-extfile`), the self-signed kind DANE-EE `3 1 1` is made for
//! (RFC 7672 §3.1.1). The probe records the chain whatever its version and
//! checks only the handshake signature against the leaf's key; DANE decides
//! the rest (`geleit tlsa gen` / `geleit tlsa match`, and OpenSSL's DANE
//! client as the oracle for what Postfix would say).
//!
//! The server here is a small rustls one (OpenSSL's `s_server` has no
//! STARTTLS), serving an RSA and an ECDSA chain by the client's offered
//! signature schemes, as Postfix does with both configured. Keys and
//! certificates are made fresh by `openssl` for each test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Server, TempDir, geleit, s_client};
use geleit_test_support::openssl::{Alg, Made, cert_der, key, key_pkcs8_der, openssl_association, v1_self_signed};
use geleit_test_support::tls;
use rustls::sign::CertifiedKey;
use rustls::{ServerConfig, ServerConnection, StreamOwned};

const MX: &str = "mx.v1.example";
/// Each probe of one address opens one connection per signature family.
const CONNECTIONS_PER_PROBE: usize = 2;
/// No test connection lives longer than this.
const CONNECTION_LIMIT: Duration = Duration::from_secs(10);

/// A self-signed version 1 certificate for `MX` (the support crate's
/// `openssl x509 -req -signkey` without extensions).
fn v1_leaf(dir: &Path, name: &str, alg: Alg) -> Made {
    v1_self_signed(dir, name, alg, MX)
}

fn der_of_cert(dir: &Path, made: &Made) -> Vec<u8> {
    cert_der(dir, &made.cert)
}

/// `leaf`'s certificate, with the handshake signed by `signer` (the leaf's own
/// key, or another one for a server that does not hold the leaf's key).
fn certified(dir: &Path, leaf: &Made, signer: &Path) -> Arc<CertifiedKey> {
    tls::certified(&[der_of_cert(dir, leaf)], &key_pkcs8_der(dir, signer))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Tls12,
    Tls13,
}

/// Serves the ECDSA chain to clients that offer ECDSA, else the RSA one.
fn server_config(version: Version, ecdsa: Arc<CertifiedKey>, rsa: Arc<CertifiedKey>) -> Arc<ServerConfig> {
    let versions: &[&rustls::SupportedProtocolVersion] = match version {
        Version::Tls12 => &[&rustls::version::TLS12],
        Version::Tls13 => &[&rustls::version::TLS13],
    };
    tls::server_config(versions, tls::ByAlgorithm { ecdsa: Some(ecdsa), rsa })
}

/// Starts a STARTTLS server for `connections` connections on a thread of its own.
fn serve(config: Arc<ServerConfig>, connections: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let deadline = Instant::now() + CONNECTION_LIMIT;
        let mut served = 0;
        while served < connections && Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    served += 1;
                    let config = Arc::clone(&config);
                    std::thread::spawn(move || {
                        let _ = session(config, stream);
                    });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    addr
}

/// One line, read a byte at a time so that no TLS byte is read as text.
fn line<R: Read>(s: &mut R) -> std::io::Result<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 1000 && s.read(&mut byte)? == 1 {
        line.push(byte[0]);
        if byte[0] == b'\n' {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_owned())
}

/// Greeting, EHLO with STARTTLS, TLS, EHLO, QUIT (RFC 3207 §4).
fn session(config: Arc<ServerConfig>, mut tcp: TcpStream) -> std::io::Result<()> {
    tcp.set_nonblocking(false)?;
    tcp.set_read_timeout(Some(CONNECTION_LIMIT))?;
    tcp.set_write_timeout(Some(CONNECTION_LIMIT))?;
    tcp.write_all(format!("220 {MX} ESMTP\r\n").as_bytes())?;
    let _ehlo = line(&mut tcp)?;
    tcp.write_all(format!("250-{MX}\r\n250 STARTTLS\r\n").as_bytes())?;
    let _starttls = line(&mut tcp)?;
    tcp.write_all(b"220 2.0.0 Ready to start TLS\r\n")?;
    let conn = ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = StreamOwned::new(conn, tcp);
    let _ehlo = line(&mut tls)?;
    tls.write_all(format!("250-{MX}\r\n250 8BITMIME\r\n").as_bytes())?;
    let _quit = line(&mut tls)?;
    tls.write_all(b"221 2.0.0 Bye\r\n")?;
    tls.conn.send_close_notify();
    tls.flush()
}

fn probe_json(addr: SocketAddr) -> (i32, serde_json::Value, String) {
    let port = addr.port().to_string();
    let run = geleit(["probe", "127.0.0.1", "--port", &port, "--timeout-ms", "5000", "--json"]);
    let json = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    (run.code, json, run.stderr)
}

/// The recorded chain's certificates (DER), per probe of the first address.
fn recorded(json: &serde_json::Value, probe: usize) -> Vec<Vec<u8>> {
    let report = &json["addresses"][0]["probes"][probe]["report"];
    assert_eq!(report["error"], serde_json::Value::Null, "{report}");
    report["tls"]["chain"]
        .as_array()
        .unwrap_or_else(|| panic!("no chain recorded: {report}"))
        .iter()
        .map(|c| data_encoding::BASE64.decode(c["der_base64"].as_str().unwrap().as_bytes()).unwrap())
        .collect()
}

/// `geleit tlsa gen --recommended` for the recorded leaf, and `geleit tlsa
/// match` of that record against the recorded chain.
fn dane_ee_on_recorded(dir: &Path, name: &str, chain: &[Vec<u8>]) -> String {
    let file: PathBuf = dir.join(format!("{name}.recorded.der"));
    std::fs::write(&file, &chain[0]).unwrap();
    let f = file.to_str().unwrap();
    let gen_run = geleit(["tlsa", "gen", "--recommended", "--format", "rdata", f]);
    assert_eq!(gen_run.code, 0, "{}", gen_run.stderr);
    let record = gen_run.stdout.trim().to_owned();
    let matched = geleit(["tlsa", "match", "--chain", f, "--tlsa", &record, "--name", MX]);
    assert_eq!(matched.code, 0, "{record}: {}{}", matched.stdout, matched.stderr);
    record
}

/// Probes both families over `version`, then checks that the recorded leaves
/// are the v1 certificates served and that `3 1 1` from them authenticates,
/// for Geleit and for OpenSSL's DANE client alike.
fn v1_leaves_are_recorded_and_match(version: Version) {
    let dir = TempDir::new("probe-v1");
    let d = dir.path();
    let ecdsa = v1_leaf(d, "ecdsa-v1", Alg::P256);
    let rsa = v1_leaf(d, "rsa-v1", Alg::Rsa(2048));
    let config = server_config(version, certified(d, &ecdsa, &ecdsa.key), certified(d, &rsa, &rsa.key));
    let (code, json, stderr) = probe_json(serve(config, CONNECTIONS_PER_PROBE));
    assert_eq!(code, 0, "{json}\n{stderr}");
    let expected_version = match version {
        Version::Tls12 => "TLSv1.2",
        Version::Tls13 => "TLSv1.3",
    };
    for (probe, (family, leaf)) in [("ecdsa", &ecdsa), ("rsa", &rsa)].into_iter().enumerate() {
        assert_eq!(json["addresses"][0]["probes"][probe]["signature_family"], family);
        assert_eq!(json["addresses"][0]["probes"][probe]["report"]["tls"]["version"], expected_version);
        let chain = recorded(&json, probe);
        assert_eq!(chain, [der_of_cert(d, leaf)], "{family}");
        let record = dane_ee_on_recorded(d, &leaf.name, &chain);
        assert_eq!(record, format!("3 1 1 {}", openssl_association(d, &leaf.cert, 1, 1)));
        // The oracle: OpenSSL (as in Postfix) authenticates the same leaf with that record.
        let server = Server::start(d, leaf, &[]);
        assert!(s_client(server.port, MX, std::slice::from_ref(&record), None).authenticated, "{family}: {record}");
    }
}

#[test]
fn v1_leaves_are_recorded_over_tls13() {
    v1_leaves_are_recorded_and_match(Version::Tls13);
}

#[test]
fn v1_leaves_are_recorded_over_tls12() {
    v1_leaves_are_recorded_and_match(Version::Tls12);
}

/// A server that presents v1 leaves but signs the handshake (CertificateVerify,
/// ServerKeyExchange) with other keys of the same kinds does not hold the
/// leaves' keys: both probes fail in the handshake.
fn handshake_signed_by_another_key_fails(version: Version) {
    let dir = TempDir::new("probe-v1-wrong-key");
    let d = dir.path();
    let ecdsa = v1_leaf(d, "ecdsa-v1", Alg::P256);
    let rsa = v1_leaf(d, "rsa-v1", Alg::Rsa(2048));
    let other_ecdsa = key(d, "other-ecdsa", Alg::P256);
    let other_rsa = key(d, "other-rsa", Alg::Rsa(2048));
    let config = server_config(version, certified(d, &ecdsa, &other_ecdsa), certified(d, &rsa, &other_rsa));
    let addr = serve(config, CONNECTIONS_PER_PROBE);
    let run = geleit(["probe", "127.0.0.1", "--port", &addr.port().to_string(), "--timeout-ms", "5000"]);
    let line = "failed at tls_handshake: tls handshake failed: invalid peer certificate: BadSignature";
    assert_eq!(
        run.stdout,
        format!("127.0.0.1 port {} (starttls)\n127.0.0.1: FAILED\n  ecdsa: {line}\n  rsa: {line}\n", addr.port())
    );
    assert_eq!(run.code, 1);
}

#[test]
fn handshake_signed_by_another_key_fails_over_tls13() {
    handshake_signed_by_another_key_fails(Version::Tls13);
}

#[test]
fn handshake_signed_by_another_key_fails_over_tls12() {
    handshake_signed_by_another_key_fails(Version::Tls12);
}

/// A "certificate" that is no X.509 at all: there is no key to check the
/// handshake signature with, and the probe says so.
#[test]
fn unreadable_leaf_fails_with_a_clear_error() {
    let dir = TempDir::new("probe-v1-unreadable");
    let d = dir.path();
    let (ecdsa, rsa) = (key(d, "ecdsa", Alg::P256), key(d, "rsa", Alg::Rsa(2048)));
    let garbage = |signer: &Path| tls::certified(&[vec![0x30, 0x03, 0x02, 0x01, 0x00]], &key_pkcs8_der(d, signer));
    let config = server_config(Version::Tls13, garbage(&ecdsa), garbage(&rsa));
    let addr = serve(config, CONNECTIONS_PER_PROBE);
    let run = geleit(["probe", "127.0.0.1", "--port", &addr.port().to_string(), "--timeout-ms", "5000"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[..2], [format!("127.0.0.1 port {} (starttls)", addr.port()).as_str(), "127.0.0.1: FAILED"]);
    let line = "failed at tls_handshake: tls handshake failed: other error: expected a server certificate whose \
                public key can be read to check the handshake signature: expected an X.509 certificate in DER at \
                position 0, found invalid data";
    for (family, got) in ["ecdsa", "rsa"].iter().zip(&lines[2..]) {
        assert!(got.starts_with(&format!("  {family}: {line}")), "{}", run.stdout);
    }
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert_eq!(run.code, 1);
}
