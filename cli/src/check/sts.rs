//! The MTA-STS policy fetch of `geleit check` (RFC 8461 §3.3): one HTTPS
//! GET of the URL the core hands out, with PKIX validation (webpki roots,
//! plus the PEM file of `--sts-ca`), no redirect followed, the core's size
//! limit and timeout, and the probe's refusal of non-public addresses
//! (`--sts-allow-range` lets the lab's through). The shell only moves
//! bytes: what the answer means is decided by `geleit::mailpolicy`.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use geleit::check::{FetchFailure, FetchRequest, FetchResult};
use geleit::smtp::Cidr;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Headers longer than this are not a policy server's.
const MAX_HEAD: usize = 16 * 1024;

/// How the fetch is made: trust roots and the addresses allowed beyond public ones.
#[derive(Clone)]
pub struct Fetcher {
    tls: Arc<rustls::ClientConfig>,
    allow_ranges: Vec<Cidr>,
}

impl Fetcher {
    /// The webpki roots, and the CA certificates of `extra_ca` (the lab's).
    pub fn new(extra_ca: Option<&Path>, allow_ranges: Vec<Cidr>) -> anyhow::Result<Self> {
        let mut store = rustls::RootCertStore::empty();
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = extra_ca {
            let pem = std::fs::read(path).with_context(|| format!("cannot read MTA-STS CA file {}", path.display()))?;
            let certs = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("MTA-STS CA file {}: expected PEM certificates", path.display()))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                anyhow::bail!("MTA-STS CA file {}: expected PEM CA certificates, found none", path.display());
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS configuration for the MTA-STS fetch")?
            .with_root_certificates(store)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self { tls: Arc::new(tls), allow_ranges })
    }

    /// Fetches `req` (blocking, on a runtime of its own), to the result the core reads.
    pub fn fetch(&self, req: &FetchRequest) -> FetchResult {
        self.fetch_at(req, 443)
    }

    /// [`Self::fetch`] on another port than HTTPS's (tests' servers).
    fn fetch_at(&self, req: &FetchRequest, port: u16) -> FetchResult {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(r) => r,
            Err(e) => return FetchResult::Failed(FetchFailure::Unavailable { detail: e.to_string() }),
        };
        let limit = Duration::from_millis(u64::from(req.timeout_ms));
        match runtime.block_on(async { tokio::time::timeout(limit, self.get(req, port)).await }) {
            Ok(Ok(result)) => result,
            Ok(Err(failure)) => FetchResult::Failed(failure),
            Err(_) => FetchResult::Failed(FetchFailure::Timeout { after_ms: req.timeout_ms }),
        }
    }

    async fn get(&self, req: &FetchRequest, port: u16) -> Result<FetchResult, FetchFailure> {
        // The core's validated addresses, through the probe's rule: only
        // public addresses (or the operator's ranges).
        let allowed: Vec<SocketAddr> = req
            .addresses
            .iter()
            .filter(|ip| geleit::smtp::check_public_address(**ip, &self.allow_ranges).is_ok())
            .map(|ip| SocketAddr::new(*ip, port))
            .collect();
        if allowed.is_empty() {
            let why = req
                .addresses
                .iter()
                .find_map(|ip| geleit::smtp::check_public_address(*ip, &self.allow_ranges).err())
                .map_or_else(|| format!("{}: no addresses", req.host), |e| e.to_string());
            return Err(FetchFailure::Refused { detail: why });
        }
        let mut last = String::new();
        for addr in allowed {
            match tokio::net::TcpStream::connect(addr).await {
                Ok(tcp) => return self.exchange(tcp, req).await,
                Err(e) => last = format!("{}: {e}", addr.ip()),
            }
        }
        Err(FetchFailure::Connect { detail: last })
    }

    async fn exchange(&self, tcp: tokio::net::TcpStream, req: &FetchRequest) -> Result<FetchResult, FetchFailure> {
        let name = ServerName::try_from(req.host.clone())
            .map_err(|e| FetchFailure::Tls { detail: format!("{}: {e}", req.host) })?;
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&self.tls));
        let mut tls = connector.connect(name, tcp).await.map_err(classify)?;
        let request = format!(
            "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {}\r\nUser-Agent: geleit\r\nAccept: text/plain\r\nConnection: close\r\n\r\n",
            req.host
        );
        tls.write_all(request.as_bytes()).await.map_err(|e| FetchFailure::Http { detail: e.to_string() })?;
        // Read at most the head and the body limit (chunk framing aside):
        // an endless body ends as too large, a slow one as the timeout.
        let cap = MAX_HEAD + req.max_bytes * 2 + 64;
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match tls.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => {
                    raw.extend_from_slice(buf.get(..n).unwrap_or_default());
                    if raw.len() > cap {
                        return Err(FetchFailure::TooLarge { limit: req.max_bytes });
                    }
                }
                // A server that closes without close_notify after a complete body is common.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => break,
                Err(e) => return Err(FetchFailure::Http { detail: e.to_string() }),
            }
        }
        parse_response(&raw, req.max_bytes)
    }
}

/// A TLS failure: the certificate (PKIX) or the handshake.
fn classify(e: std::io::Error) -> FetchFailure {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(why)) => FetchFailure::Certificate { detail: format!("{why:?}") },
        Some(other) => FetchFailure::Tls { detail: other.to_string() },
        None => FetchFailure::Tls { detail: e.to_string() },
    }
}

/// An HTTP/1.1 response (RFC 9112): status, the headers the core reads,
/// the body (content-length, chunked, or to the end), at most `max` bytes.
fn parse_response(raw: &[u8], max: usize) -> Result<FetchResult, FetchFailure> {
    let http = |detail: &str| FetchFailure::Http { detail: detail.to_owned() };
    let end =
        raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| http("a response without a complete head"))?;
    let head = std::str::from_utf8(raw.get(..end).unwrap_or_default()).map_err(|_| http("a head that is not text"))?;
    let body = raw.get(end + 4..).unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let (version, code) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        return Err(http(&format!("the status line {status_line:?}")));
    }
    let status: u16 = code.parse().map_err(|_| http(&format!("the status line {status_line:?}")))?;
    let (mut content_type, mut location, mut length, mut chunked) = (None, None, None, false);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value.to_owned()),
            "location" => location = Some(value.to_owned()),
            "content-length" => length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    if length.is_some_and(|l| l > max) {
        return Err(FetchFailure::TooLarge { limit: max });
    }
    let body = if chunked {
        dechunk(body).ok_or_else(|| http("a malformed chunked body"))?
    } else {
        match length {
            Some(l) => body.get(..l).ok_or_else(|| http("a body shorter than its content-length"))?.to_vec(),
            None => body.to_vec(),
        }
    };
    if body.len() > max {
        return Err(FetchFailure::TooLarge { limit: max });
    }
    Ok(FetchResult::Response { status, content_type, location, body })
}

/// The data of a chunked body (RFC 9112 §7.1); `None` if malformed.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(raw.get(..eol)?).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = raw.get(eol + 2..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_parse_with_length_chunks_or_to_the_end() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello", 64);
        assert!(matches!(r, Ok(FetchResult::Response { status: 200, ref body, .. }) if body == b"hello"));
        let r = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
            64,
        );
        assert!(matches!(r, Ok(FetchResult::Response { ref body, .. }) if body == b"abcde"));
        let r = parse_response(b"HTTP/1.1 301 Moved\r\nLocation: https://x.example/\r\n\r\n", 64);
        assert!(
            matches!(r, Ok(FetchResult::Response { status: 301, location: Some(ref l), .. }) if l == "https://x.example/")
        );
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 64);
        assert_eq!(r, Err(FetchFailure::TooLarge { limit: 64 }));
        let r = parse_response(&[b"HTTP/1.1 200 OK\r\n\r\n".as_slice(), &[b'x'; 65]].concat(), 64);
        assert_eq!(r, Err(FetchFailure::TooLarge { limit: 64 }));
        assert!(matches!(parse_response(b"SSH-2.0-OpenSSH\r\n\r\n", 64), Err(FetchFailure::Http { .. })));
    }

    /// Hostile and broken policy servers: a TLS server on 127.0.0.1 with a
    /// certificate for `mta-sts.example` from a test CA, answering every
    /// connection with `behave`.
    mod peers {
        use std::io::{Read, Write};
        use std::net::{IpAddr, TcpListener};
        use std::time::{Duration, Instant};

        use geleit_test_support::certs::{Cert, Spec};
        use geleit_test_support::tls::{ByAlgorithm, certified, server_config};

        use super::*;

        enum Behave {
            Send(Vec<u8>),
            Endless,
            Silent,
        }

        fn ca() -> Cert {
            Spec::ca("Geleit test CA").self_signed()
        }

        /// Serves connections on an ephemeral port until the test ends; returns the port.
        fn serve(issuer: &Cert, behave: Behave) -> u16 {
            let leaf = Spec::leaf("mta-sts.example", &["mta-sts.example"]).signed_by(issuer);
            let chain = certified(std::slice::from_ref(&leaf.der), &leaf.key.pkcs8);
            let config = server_config(&[&rustls::version::TLS13], ByAlgorithm { ecdsa: None, rsa: chain });
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let behave = std::sync::Arc::new(behave);
            std::thread::spawn(move || {
                for tcp in listener.incoming().flatten() {
                    let (config, behave) = (config.clone(), behave.clone());
                    std::thread::spawn(move || {
                        let conn = rustls::ServerConnection::new(config).unwrap();
                        let mut tls = rustls::StreamOwned::new(conn, tcp);
                        let mut head = [0u8; 1024];
                        if tls.read(&mut head).is_err() {
                            return; // the client refused the certificate
                        }
                        match &*behave {
                            Behave::Send(bytes) => {
                                let _ = tls.write_all(bytes);
                                tls.conn.send_close_notify();
                                let _ = tls.flush();
                            }
                            Behave::Endless => {
                                let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
                                let line = [b'x'; 4096];
                                while tls.write_all(&line).is_ok() {}
                            }
                            Behave::Silent => std::thread::sleep(Duration::from_secs(30)),
                        }
                    });
                }
            });
            port
        }

        fn fetcher(trusted: &Cert) -> Fetcher {
            let dir = std::env::temp_dir().join(format!(
                "geleit-sts-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("ca.pem");
            std::fs::write(&path, &trusted.pem).unwrap();
            Fetcher::new(Some(&path), vec!["127.0.0.1".parse().unwrap()]).unwrap()
        }

        fn request(timeout_ms: u32) -> FetchRequest {
            FetchRequest { timeout_ms, ..FetchRequest::for_domain("example.", vec![IpAddr::from([127, 0, 0, 1])]) }
        }

        #[test]
        fn a_good_policy_comes_back_as_the_server_sent_it() {
            let ca = ca();
            let body = "version: STSv1\r\nmode: enforce\r\nmx: mx.example\r\nmax_age: 86400\r\n";
            let response =
                format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}", body.len());
            let port = serve(&ca, Behave::Send(response.into_bytes()));
            let got = fetcher(&ca).fetch_at(&request(5_000), port);
            assert_eq!(
                got,
                FetchResult::Response {
                    status: 200,
                    content_type: Some("text/plain".into()),
                    location: None,
                    body: body.as_bytes().to_vec()
                }
            );
        }

        #[test]
        fn a_redirect_is_handed_back_not_followed() {
            let ca = ca();
            let port = serve(
                &ca,
                Behave::Send(
                    b"HTTP/1.1 302 Found\r\nLocation: https://evil.example/p\r\nContent-Length: 0\r\n\r\n".to_vec(),
                ),
            );
            let got = fetcher(&ca).fetch_at(&request(5_000), port);
            assert!(
                matches!(got, FetchResult::Response { status: 302, location: Some(ref l), .. } if l == "https://evil.example/p"),
                "{got:?}"
            );
        }

        #[test]
        fn a_huge_policy_is_too_large_by_its_length_or_its_bytes() {
            let ca = ca();
            let port = serve(
                &ca,
                Behave::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\nversion: STSv1\r\n".to_vec()),
            );
            assert_eq!(
                fetcher(&ca).fetch_at(&request(5_000), port),
                FetchResult::Failed(FetchFailure::TooLarge { limit: 65_536 })
            );
            let started = Instant::now();
            let port = serve(&ca, Behave::Endless);
            assert_eq!(
                fetcher(&ca).fetch_at(&request(5_000), port),
                FetchResult::Failed(FetchFailure::TooLarge { limit: 65_536 })
            );
            assert!(started.elapsed() < Duration::from_secs(5), "an endless body stops at the limit");
        }

        #[test]
        fn a_silent_server_times_out_within_the_budget() {
            let ca = ca();
            let port = serve(&ca, Behave::Silent);
            let started = Instant::now();
            assert_eq!(
                fetcher(&ca).fetch_at(&request(300), port),
                FetchResult::Failed(FetchFailure::Timeout { after_ms: 300 })
            );
            assert!(started.elapsed() < Duration::from_secs(3));
        }

        #[test]
        fn a_certificate_from_an_untrusted_ca_fails_pkix() {
            let (ca, other) = (ca(), Spec::ca("Someone else").self_signed());
            let port = serve(&other, Behave::Send(b"HTTP/1.1 200 OK\r\n\r\n".to_vec()));
            let got = fetcher(&ca).fetch_at(&request(5_000), port);
            assert!(matches!(got, FetchResult::Failed(FetchFailure::Certificate { .. })), "{got:?}");
        }

        #[test]
        fn non_public_addresses_are_refused_without_an_allowed_range() {
            let ca = ca();
            let f = Fetcher { allow_ranges: Vec::new(), ..fetcher(&ca) };
            let got = f.fetch(&FetchRequest::for_domain("example.", vec![IpAddr::from([10, 1, 2, 3])]));
            assert_eq!(
                got,
                FetchResult::Failed(FetchFailure::Refused {
                    detail: "expected a public unicast address, found 10.1.2.3 in 10.0.0.0/8 (private, RFC 1918)"
                        .into()
                })
            );
        }
    }
}
