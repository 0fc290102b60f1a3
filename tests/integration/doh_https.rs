//! `geleit` over an https DoH server (issue 13): HTTP/2 on one TLS
//! connection for every round of a check, HTTP/1.1 when the server offers
//! nothing else, and the server's certificate checked against `--doh-ca`
//! (a CA the web PKI does not know is a transport failure: the resolver is
//! unreachable, nothing is said about the domain).
//!
//! The server here answers from a signed test world (geleit-test-support)
//! over TLS from its own CA, and counts the connections and requests it got.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use geleit_test_support::certs::rcgen;
use geleit_test_support::zone::{KeyAlg, ZoneSpec};
use geleit_test_support::{NOW, World, doh};
use hickory_proto::rr::RecordType;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// A DoH server over TLS, running on its own thread.
struct Server {
    url: String,
    /// The CA that issued its certificate (PEM).
    ca_pem: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

/// `two.example.` with two MX hosts, each with an address and a `3 1 1` TLSA record.
fn world() -> &'static World {
    let mut zone = ZoneSpec::signed("two.example.", KeyAlg::P256);
    for (i, host) in ["mx1", "mx2"].into_iter().enumerate() {
        let pref = u16::try_from(i).unwrap_or(0) + 1;
        zone = zone.mx("@", pref, host).a(host, &format!("192.0.2.{}", i + 1)).tlsa(
            host,
            3,
            1,
            1,
            &geleit_test_support::world::digest(host),
        );
    }
    let w =
        World::build(vec![ZoneSpec::signed(".", KeyAlg::P256), ZoneSpec::signed("example.", KeyAlg::P256), zone], NOW);
    Box::leak(Box::new(w))
}

/// The world's answer to a query message, if it names a question.
fn answer(world: &World, query: &[u8]) -> Option<Vec<u8>> {
    let (name, rtype) = doh::question(query)?;
    let rtype: RecordType = rtype.parse().ok()?;
    Some(world.answer(&geleit_test_support::zone::name(&name), rtype).to_wire())
}

/// The query of a request target `/dns-query?dns=...` (RFC 8484 §4.1).
fn get_query(target: &str) -> Vec<u8> {
    let b64 = target.split("dns=").nth(1).unwrap_or_default().split('&').next().unwrap_or_default();
    data_encoding::BASE64URL_NOPAD.decode(b64.as_bytes()).unwrap_or_default()
}

/// Starts a server offering these ALPN protocols (`h2` and/or `http/1.1`).
fn serve(world: &'static World, alpn: &[&[u8]]) -> Server {
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&key, &ca).unwrap();
    let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key_der)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let (connections, requests) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (conns, reqs) = (Arc::clone(&connections), Arc::clone(&requests));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, peer)) = listener.accept().await {
                conns.fetch_add(1, Ordering::Relaxed);
                let (acceptor, reqs) = (acceptor.clone(), Arc::clone(&reqs));
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else { return };
                    if tls.get_ref().1.alpn_protocol() == Some(b"h2") {
                        h2_connection(tls, world, reqs).await;
                    } else {
                        http1_connection(tls, world, reqs, peer).await;
                    }
                });
            }
        });
    });
    Server { url: format!("https://127.0.0.1:{port}/dns-query"), ca_pem: ca.pem(), connections, requests }
}

async fn h2_connection<S>(io: S, world: &'static World, requests: Arc<AtomicUsize>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let Ok(mut conn) = h2::server::handshake(io).await else { return };
    while let Some(Ok((request, mut respond))) = conn.accept().await {
        requests.fetch_add(1, Ordering::Relaxed);
        let (parts, mut body) = request.into_parts();
        let query = if parts.method == http::Method::POST {
            let mut q = Vec::new();
            while let Some(Ok(chunk)) = body.data().await {
                let _ = body.flow_control().release_capacity(chunk.len());
                q.extend_from_slice(&chunk);
            }
            q
        } else {
            get_query(&parts.uri.to_string())
        };
        let (status, wire) = match answer(world, &query) {
            Some(wire) => (200, wire),
            None => (404, Vec::new()),
        };
        let response = http::Response::builder()
            .status(status)
            .header("content-type", "application/dns-message")
            .body(())
            .unwrap();
        if let Ok(mut send) = respond.send_response(response, false) {
            let _ = send.send_data(Bytes::from(wire), true);
        }
    }
}

async fn http1_connection<S>(io: S, world: &'static World, requests: Arc<AtomicUsize>, _peer: SocketAddr)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut io = BufReader::new(io);
    loop {
        let mut line = String::new();
        if io.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let target = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if io.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            if h.trim().is_empty() {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        requests.fetch_add(1, Ordering::Relaxed);
        let query = if line.starts_with("POST") {
            let mut body = vec![0; length];
            if io.read_exact(&mut body).await.is_err() {
                return;
            }
            body
        } else {
            get_query(&target)
        };
        let wire = answer(world, &query).unwrap_or_default();
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/dns-message\r\ncontent-length: {}\r\n\r\n",
            wire.len()
        );
        let inner = io.get_mut();
        if inner.write_all(head.as_bytes()).await.is_err() || inner.write_all(&wire).await.is_err() {
            return;
        }
        let _ = inner.flush().await;
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `geleit check two.example. --no-probe --json` against `server`, with the
/// world's anchor and time, plus `extra`; no GELEIT_* defaults from the caller.
fn check(world: &World, server: &Server, extra: &[&str]) -> Run {
    let dir = std::env::temp_dir().join(format!("geleit-doh-https-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let anchor = dir.join("anchor.ds");
    std::fs::write(&anchor, &world.anchor).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_geleit"))
        .args(["check", "two.example.", "--no-probe", "--json", "--doh", &server.url])
        .args(["--trust-anchor", anchor.to_str().unwrap(), "--at", &NOW.to_string()])
        .args(extra)
        .env_remove("GELEIT_DOH")
        .env_remove("GELEIT_DOH_CA")
        .env_remove("GELEIT_TRUST_ANCHOR")
        .env_remove("GELEIT_EDGE")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn unique() -> usize {
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn ca_file(server: &Server) -> (std::path::PathBuf, String) {
    let path = std::env::temp_dir().join(format!("geleit-doh-ca-{}-{}.pem", std::process::id(), unique()));
    std::fs::write(&path, &server.ca_pem).unwrap();
    let text = path.to_str().unwrap().to_owned();
    (path, text)
}

/// The regression: every round of a check went out on new HTTP/1.1
/// connections (one per query in flight, each with its own TCP and TLS
/// handshakes). Now one HTTP/2 connection carries every query.
#[test]
fn every_round_of_a_check_goes_over_one_http2_connection() {
    let world = world();
    let server = serve(world, &[b"h2"]);
    let (path, ca) = ca_file(&server);
    let run = check(world, &server, &["--doh-ca", &ca]);
    let _ = std::fs::remove_file(path);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["dane_ready"], true, "{v}");
    assert_eq!(v["hosts"].as_array().map(Vec::len), Some(2));
    let (rounds, queries) = (v["rounds"].as_u64().unwrap(), v["queries"].as_u64().unwrap());
    assert!(rounds >= 2, "MX, then the hosts: {rounds} rounds");
    assert_eq!(server.connections.load(Ordering::Relaxed), 1, "one connection for {rounds} rounds");
    assert_eq!(server.requests.load(Ordering::Relaxed) as u64, queries);
}

#[test]
fn post_goes_over_http2_too() {
    let world = world();
    let server = serve(world, &[b"h2"]);
    let (path, ca) = ca_file(&server);
    let run = check(world, &server, &["--doh-ca", &ca, "--post"]);
    let _ = std::fs::remove_file(path);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(server.connections.load(Ordering::Relaxed), 1);
}

/// A server that offers only HTTP/1.1 is asked over HTTP/1.1.
#[test]
fn a_server_without_http2_is_asked_over_http1() {
    let world = world();
    let server = serve(world, &[b"http/1.1"]);
    let (path, ca) = ca_file(&server);
    let run = check(world, &server, &["--doh-ca", &ca]);
    let _ = std::fs::remove_file(path);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["dane_ready"], true, "{v}");
}

/// Without `--doh-ca` the server's CA is unknown: the resolver cannot be
/// reached (exit 3), which says nothing about the domain.
#[test]
fn an_unknown_ca_makes_the_resolver_unreachable() {
    let world = world();
    let server = serve(world, &[b"h2"]);
    let run = check(world, &server, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("UnknownIssuer"), "{}", run.stderr);
    assert!(run.stderr.contains("this says nothing about two.example"), "{}", run.stderr);
    assert_eq!(server.requests.load(Ordering::Relaxed), 0);
}

#[test]
fn a_ca_file_without_certificates_is_refused() {
    let world = world();
    let server = serve(world, &[b"h2"]);
    let path = std::env::temp_dir().join(format!("geleit-doh-ca-empty-{}.pem", std::process::id()));
    std::fs::write(&path, "not a certificate\n").unwrap();
    let run = check(world, &server, &["--doh-ca", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("expected PEM certificates, found none"), "{}", run.stderr);
    assert_eq!(server.connections.load(Ordering::Relaxed), 0, "nothing is asked");
}
