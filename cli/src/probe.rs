//! `geleit probe HOST`: STARTTLS (or implicit TLS) to every address of a
//! mail server, once offering only ECDSA and once only RSA signatures, and
//! report what was presented.
//!
//! The shell resolves, connects, runs rustls and keeps the clock; the SMTP
//! conversation, limits, timeouts and the report are the core's
//! `geleit::smtp::Client`. The SSRF policy is the core's too; it is off by
//! default here (the CLI runs as its own operator) and on with
//! `--public-only`. The edge worker always applies it.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use geleit::smtp::{
    Action, AddressReport, AfterTls, AlgorithmProbe, Cidr, Client, Config, HostReport, Report, SignatureFamily,
    TlsMode, check_probe_target,
};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::outcome::Outcome;
use crate::{term, tls};

/// Probe a mail server's STARTTLS and record the certificate chains.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// Mail server host name (used as SNI) or IP address.
    host: String,
    /// TCP port: 25 (SMTP), 587 (submission) or 465 (implicit TLS).
    #[arg(long, default_value_t = 25)]
    port: u16,
    /// Print the full report as JSON.
    #[arg(long)]
    json: bool,
    /// Time each step (connect, greeting, EHLO, STARTTLS, TLS handshake, ...)
    /// may take, in milliseconds.
    #[arg(long, default_value_t = geleit::smtp::DEFAULT_STEP_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    timeout_ms: u64,
    /// Refuse targets the edge would refuse: ports other than 25/465/587 and
    /// non-public addresses (loopback, private, link-local, ...).
    #[arg(long)]
    public_only: bool,
    /// With --public-only: also allow addresses in this range (repeatable).
    #[arg(long = "allow-range", value_name = "CIDR", requires = "public_only")]
    allow_ranges: Vec<Cidr>,
    /// TLS from the first byte instead of STARTTLS (default on port 465).
    #[arg(long)]
    implicit_tls: bool,
    /// Name sent with EHLO.
    #[arg(long, default_value = "geleit.invalid")]
    ehlo_name: String,
}

pub fn run(args: ProbeArgs) -> anyhow::Result<Outcome> {
    let mode = if args.implicit_tls || args.port == 465 { TlsMode::ImplicitTls } else { TlsMode::Starttls };
    let config =
        Config { ehlo_name: args.ehlo_name.clone(), mode, step_timeout_ms: args.timeout_ms, after_tls: AfterTls::Ehlo };
    Client::new(config.clone(), 0)?;
    let host = args.host.trim_end_matches('.');
    let server_name = server_name(host)?;
    let addresses = resolve(host, args.port)?;

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let policy = Policy { public_only: args.public_only, allow_ranges: args.allow_ranges.clone() };
    let report = runtime.block_on(probe_host(&policy, args.port, host, server_name, addresses, config))?;

    if args.json {
        term::print_json(&report)?;
    } else {
        term::print(&render_text(&report))?;
    }
    Ok(Outcome::from_ok(report.is_ok()))
}

/// Whether to apply the SSRF policy (the edge's rules) and which extra ranges it allows.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub public_only: bool,
    pub allow_ranges: Vec<Cidr>,
}

/// Probes the given addresses of one host with SNI = the target's TLSA base
/// domain (RFC 7672 §8.1), both signature families of every address in
/// parallel: what `geleit check` uses, with addresses from the validated
/// DNS rather than the system resolver. The report carries the MX host name.
pub fn probe_target(
    target: &geleit::verdict::ProbeTarget,
    port: u16,
    config: &Config,
    policy: &Policy,
) -> anyhow::Result<HostReport> {
    let name = server_name(&target.sni)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(probe_host(policy, port, &target.host, name, target.addresses.clone(), config.clone()))
}

fn server_name(host: &str) -> anyhow::Result<ServerName<'static>> {
    if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(host.to_owned()).with_context(|| format!("expected a host name or IP address, found {host:?}"))
}

/// A and AAAA of `host` (or the literal), without duplicates, in resolver order.
fn resolve(host: &str, port: u16) -> anyhow::Result<Vec<IpAddr>> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let found = (host, port).to_socket_addrs().with_context(|| format!("cannot resolve {host}"))?;
    let mut ips: Vec<IpAddr> = Vec::new();
    for addr in found {
        if !ips.contains(&addr.ip()) {
            ips.push(addr.ip());
        }
    }
    if ips.is_empty() {
        bail!("cannot resolve {host}: no addresses");
    }
    Ok(ips)
}

async fn probe_host(
    policy: &Policy,
    port: u16,
    host: &str,
    server_name: ServerName<'static>,
    ips: Vec<IpAddr>,
    config: Config,
) -> anyhow::Result<HostReport> {
    let clock = Clock(Instant::now());
    let mut tasks = tokio::task::JoinSet::new();
    let mut addresses = Vec::new();
    for (index, ip) in ips.into_iter().enumerate() {
        let refused = if policy.public_only {
            check_probe_target(ip, port, &policy.allow_ranges).err().map(|e| format!("refused by policy: {e}"))
        } else {
            None
        };
        if refused.is_none() {
            for family in SignatureFamily::ALL {
                let tls = tls::client_config(family)?;
                let target = SocketAddr::new(ip, port);
                let (config, name) = (config.clone(), server_name.clone());
                tasks.spawn(async move {
                    let report = probe_address(target, name, tls, config, clock).await;
                    (index, family, report)
                });
            }
        }
        addresses.push(AddressReport { address: ip, port, refused, probes: Vec::new() });
    }
    while let Some(joined) = tasks.join_next().await {
        let (index, family, report) = joined?;
        let report = report?;
        if let Some(address) = addresses.get_mut(index) {
            address.probes.push(AlgorithmProbe { signature_family: family, report });
        }
    }
    for address in &mut addresses {
        address.probes.sort_by_key(|p| SignatureFamily::ALL.iter().position(|&f| f == p.signature_family));
    }
    Ok(HostReport { host: host.to_owned(), port, mode: config.mode, addresses })
}

/// Milliseconds on a monotonic clock shared by every probe of a run.
#[derive(Debug, Clone, Copy)]
struct Clock(Instant);

impl Clock {
    fn now(self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn instant(self, ms: u64) -> Instant {
        self.0 + Duration::from_millis(ms)
    }
}

enum Conn {
    Closed,
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Conn {
    /// The TCP socket underneath, plain or under TLS.
    fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Self::Closed => None,
            Self::Plain(s) => Some(s),
            Self::Tls(s) => Some(s.get_ref().0),
        }
    }

    /// Asks the kernel to acknowledge what arrives at once instead of delaying
    /// the ACK. After a TLS 1.3 handshake the server's session tickets arrive
    /// after our EHLO has left; with a delayed ACK for them, a server that has
    /// Nagle's algorithm on holds its EHLO reply until the ACK timer fires
    /// (about 40 ms on Linux). Linux leaves quick-ACK mode on its own, so this
    /// is renewed before every read. Best effort: elsewhere it is a no-op.
    fn quickack(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Some(tcp) = self.tcp() {
            let _ = socket2::SockRef::from(tcp).set_tcp_quickack(true);
        }
    }

    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.quickack();
        match self {
            Self::Closed => Ok(0),
            Self::Plain(s) => s.read(buf).await,
            Self::Tls(s) => s.read(buf).await,
        }
    }

    /// Ends our side of the connection: close_notify under TLS, then FIN.
    /// Only writes; the peer is not waited for.
    async fn shutdown(&mut self) {
        let _ = match self {
            Self::Closed => Ok(()),
            Self::Plain(s) => s.shutdown().await,
            Self::Tls(s) => s.shutdown().await,
        };
    }

    async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        async fn write<S: AsyncWrite + AsyncRead + Unpin>(s: &mut S, bytes: &[u8]) -> std::io::Result<()> {
            s.write_all(bytes).await?;
            s.flush().await
        }
        match self {
            Self::Closed => Err(std::io::ErrorKind::NotConnected.into()),
            Self::Plain(s) => write(s, bytes).await,
            Self::Tls(s) => write(s.as_mut(), bytes).await,
        }
    }
}

/// Runs `future` until the client's current deadline; `None` on timeout.
async fn until<F: Future>(deadline: Option<u64>, clock: Clock, future: F) -> Option<F::Output> {
    match deadline {
        Some(ms) => tokio::time::timeout_at(clock.instant(ms).into(), future).await.ok(),
        None => Some(future.await),
    }
}

/// One SMTP session with the core's state machine driving.
async fn probe_address(
    target: SocketAddr,
    server_name: ServerName<'static>,
    tls: Arc<rustls::ClientConfig>,
    config: Config,
    clock: Clock,
) -> anyhow::Result<Report> {
    let mut client = Client::new(config, clock.now())?;
    let mut conn = Conn::Closed;
    let mut buf = vec![0u8; 8192];
    loop {
        let deadline = client.poll_timeout();
        match client.poll_action() {
            Action::Connect => match until(deadline, clock, TcpStream::connect(target)).await {
                Some(Ok(stream)) => {
                    stream.set_nodelay(true)?;
                    conn = Conn::Plain(stream);
                    client.handle_connected(clock.now())?;
                }
                Some(Err(e)) => client.handle_io_error(&e.to_string(), clock.now()),
                None => client.handle_timeout(clock.now()),
            },
            Action::Send(bytes) => match until(deadline, clock, conn.write_all(&bytes)).await {
                Some(Ok(())) => {}
                Some(Err(e)) => client.handle_io_error(&e.to_string(), clock.now()),
                None => client.handle_timeout(clock.now()),
            },
            Action::StartTls => {
                let Conn::Plain(tcp) = std::mem::replace(&mut conn, Conn::Closed) else {
                    bail!("the probe asked for TLS on a connection that is not plain TCP");
                };
                let handshake = TlsConnector::from(Arc::clone(&tls)).connect(server_name.clone(), tcp);
                match until(deadline, clock, handshake).await {
                    Some(Ok(stream)) => {
                        let facts = tls::facts(stream.get_ref().1);
                        conn = Conn::Tls(Box::new(stream));
                        client.handle_tls_established(facts, clock.now())?;
                    }
                    Some(Err(e)) => client.handle_tls_failed(&e.to_string(), clock.now())?,
                    None => client.handle_timeout(clock.now()),
                }
            }
            Action::NeedMore => match until(deadline, clock, conn.read(&mut buf)).await {
                Some(Ok(0)) => client.handle_eof(clock.now()),
                Some(Ok(n)) => client.handle_input(buf.get(..n).unwrap_or_default(), clock.now())?,
                Some(Err(e)) => client.handle_io_error(&e.to_string(), clock.now()),
                None => client.handle_timeout(clock.now()),
            },
            Action::Done(report) => {
                // Close politely (TLS close_notify, then FIN) without waiting
                // for the server: a check's probe is done at the handshake.
                let _ = tokio::time::timeout(Duration::from_secs(1), conn.shutdown()).await;
                return Ok(*report);
            }
        }
    }
}

/// The human-readable summary: no timings, so it is stable for tests.
fn render_text(report: &HostReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mode = match report.mode {
        TlsMode::Starttls => "starttls",
        TlsMode::ImplicitTls => "implicit tls",
    };
    let _ = writeln!(out, "{} port {} ({mode})", report.host, report.port);
    for address in &report.addresses {
        let verdict = if address.is_ok() { "ok" } else { "FAILED" };
        let _ = writeln!(out, "{}: {verdict}", address.address);
        if let Some(refused) = &address.refused {
            let _ = writeln!(out, "  {refused}");
        }
        for probe in &address.probes {
            let r = &probe.report;
            let family = probe.signature_family.as_str();
            match (&r.tls, &r.error) {
                (Some(tls), None) => {
                    let kx = tls.kx_group.as_deref().unwrap_or("unknown group");
                    let _ = writeln!(out, "  {family}: {} {} {kx}", tls.version, tls.cipher_suite);
                    for (depth, cert) in tls.chain.iter().enumerate() {
                        let _ = writeln!(out, "    {depth} sha256 {}", cert.sha256);
                    }
                }
                (_, Some(error)) => {
                    let _ = writeln!(out, "  {family}: failed at {}: {}", error.step, error.message);
                }
                (None, None) => {
                    let _ = writeln!(out, "  {family}: no tls");
                }
            }
        }
    }
    out
}
