//! `GET /api/probe`: the validated addresses of the request (or, for a bare
//! host name, those the upstream resolves), each checked by the SSRF
//! policy, probed once per signature family with the request's SNI, in
//! parallel (bounded), within the request's budget.
//!
//! The SMTP conversation, its limits and the report are the core's
//! `geleit::smtp::Client`; this file opens sockets (`cloudflare:sockets`
//! through workers-rs), runs rustls (in WebAssembly, so the chain is seen
//! as sent, self-signed or not) and keeps the clock.

use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use geleit::api::{ProbeRequest, RequestError};
use geleit::smtp::{Action, AfterTls, Client, Config, HostReport, Report, SignatureFamily};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use worker::{Request, Response, Socket};

use super::clock::{Waited, now_ms, timed_out, until};
use super::{internal, limit_client, limit_targets, platform_rate_limit, upstream};
use crate::budget::{Budget, Counted};
use crate::config::Settings;
use crate::dns::{self, AddressType};
use crate::doh;
use crate::error::EdgeError;
use crate::plan::{Plan, Target};
use crate::ratelimit::client_key;
use crate::request::{self, HostProbe};

/// The name the edge sends with EHLO (RFC 5321 §4.1.1.1), as the CLI does.
const EHLO_NAME: &str = "geleit.invalid";

/// Time to close a socket politely after the probe.
const CLOSE_MS: u64 = 1_000;

pub async fn probe(req: &Request, env: &worker::Env, settings: &Settings) -> Result<Response, EdgeError> {
    let url = req.url().map_err(internal)?;
    let request = request::probe_request(url.query_pairs())?;
    let client = client_key(settings.client_ip_header.as_deref(), req.cf().is_some(), |name| {
        req.headers().get(name).ok().flatten()
    });
    limit_client(settings, &client)?;
    platform_rate_limit(env, &client).await?;

    let started = now_ms();
    // A validated request brings its addresses; a name is resolved here.
    let resolved = match &request {
        ProbeRequest::Validated { .. } => Vec::new(),
        ProbeRequest::Name { host, .. } => resolve(settings, host).await?,
    };
    let host = HostProbe::plan(&request, &resolved, settings);
    if host.is_refused() {
        return Err(host.refusal());
    }
    limit_targets(settings, &host.addresses())?;
    // A validated target is a check's probe (the app, `geleit check --edge`):
    // it ends at the TLS handshake. A bare name (`geleit probe --edge`) gets
    // the whole session, EHLO over TLS included.
    let after_tls = match &request {
        ProbeRequest::Validated { .. } => AfterTls::Quit,
        ProbeRequest::Name { .. } => AfterTls::Ehlo,
    };
    let report = run_plan(host.plan, &host.sni, settings, started, after_tls).await?;
    let mut response = Response::from_json(&report).map_err(internal)?;
    // A probe result is of its moment: no HTTP cache may keep it.
    response.headers_mut().set("cache-control", "no-store").map_err(internal)?;
    Ok(response)
}

/// Runs a plan's probes (at most `max_parallel` connections at once) with
/// `sni` as the TLS server name, within one budget counted from
/// `started`, each session going on after TLS as `after_tls` says: the
/// code path of `/api/probe`, and of `/api/check` per host.
pub(crate) async fn run_plan(
    mut plan: Plan,
    sni: &str,
    settings: &Settings,
    started: u64,
    after_tls: AfterTls,
) -> Result<HostReport, EdgeError> {
    let port = plan.report.port;
    let mode = plan.report.mode;
    let server_name = ServerName::try_from(sni.to_owned()).map_err(|_| {
        EdgeError::from(RequestError::BadHost {
            found: geleit::smtp::sanitize(sni.as_bytes(), 80),
            reason: "not a DNS name",
        })
    })?;
    let config =
        Config { ehlo_name: EHLO_NAME.to_owned(), mode, step_timeout_ms: settings.limits.step_timeout_ms, after_tls };
    let budget = Rc::new(RefCell::new(Budget::new(&settings.limits, started)));
    let tls_configs = [
        geleit_probe_tls::client_config(SignatureFamily::Ecdsa).map_err(internal)?,
        geleit_probe_tls::client_config(SignatureFamily::Rsa).map_err(internal)?,
    ];
    let probes = plan.targets.clone().into_iter().map(|target| {
        let tls = match target.family {
            SignatureFamily::Ecdsa => Arc::clone(&tls_configs[0]),
            SignatureFamily::Rsa => Arc::clone(&tls_configs[1]),
        };
        let (name, config, budget) = (server_name.clone(), config.clone(), Rc::clone(&budget));
        async move {
            let report = probe_address(target, port, name, tls, config, budget).await;
            (target, report)
        }
    });
    let results: Vec<(Target, Result<Report, EdgeError>)> =
        stream::iter(probes).buffer_unordered(settings.limits.max_parallel).collect().await;
    for (target, report) in results {
        plan.record(target, report?);
    }
    Ok(plan.into_report())
}

/// A and AAAA of `host` through the DoH upstream, asked in parallel.
async fn resolve(settings: &Settings, host: &str) -> Result<Vec<IpAddr>, EdgeError> {
    let lookup = |ty: AddressType| async move {
        let query = dns::address_query(host, ty).map_err(|e| {
            EdgeError::from(RequestError::BadHost {
                found: geleit::smtp::sanitize(host.as_bytes(), 80),
                reason: if matches!(e, dns::DnsError::Compose { .. }) {
                    "not a DNS name"
                } else {
                    "cannot be looked up"
                },
            })
        })?;
        let query = dns::DohQuery::parse(&query).map_err(internal)?;
        let url = doh::upstream_get_url(&settings.doh_upstream, &query);
        let wire = upstream::get(&url, settings.limits.step_timeout_ms, settings.upstream_parallel).await?;
        dns::parse_address_answer(&wire, host, ty).map_err(|e| {
            worker::console_error!("geleit-edge: upstream answer for {host}: {e}");
            EdgeError::Upstream { found: "an answer that is not for the question asked" }
        })
    };
    let (a, aaaa) = futures_util::future::join(lookup(AddressType::A), lookup(AddressType::Aaaa)).await;
    dns::combine_answers(host, &a?, &aaaa?)
}

enum Conn {
    Closed,
    Plain(Counted<Socket>),
    Tls(Box<TlsStream<Counted<Socket>>>),
}

impl Conn {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Closed => Ok(0),
            Self::Plain(s) => s.read(buf).await,
            Self::Tls(s) => s.read(buf).await,
        }
    }

    async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Closed => Err(std::io::ErrorKind::NotConnected.into()),
            Self::Plain(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Self::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
        }
    }

    /// Closes the socket (both directions) with a short deadline.
    async fn close(self) {
        let mut socket = match self {
            Self::Closed => return,
            Self::Plain(s) => s.into_inner(),
            Self::Tls(s) => s.into_inner().0.into_inner(),
        };
        let _ = until(now_ms().saturating_add(CLOSE_MS), socket.close()).await;
    }
}

/// The address as `connect()` takes it: workerd joins host and port into
/// one string, so IPv6 goes in brackets (RFC 3986 §3.2.2).
fn socket_host(address: IpAddr) -> String {
    match address {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    }
}

/// The text of a runtime error for the report (sanitised by the core).
fn io_text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// One SMTP session with the core's state machine driving.
async fn probe_address(
    target: Target,
    port: u16,
    server_name: ServerName<'static>,
    tls: Arc<rustls::ClientConfig>,
    config: Config,
    budget: Rc<RefCell<Budget>>,
) -> Result<Report, EdgeError> {
    let mut client = Client::new(config, now_ms()).map_err(internal)?;
    let mut conn = Conn::Closed;
    let mut buf = vec![0u8; 8192];
    loop {
        let deadline = budget.borrow().deadline(client.poll_timeout());
        let at = deadline.at_ms();
        match client.poll_action() {
            Action::Connect => {
                if let Err(e) = budget.borrow_mut().admit_connection() {
                    client.handle_io_error(&e.to_string(), now_ms());
                    continue;
                }
                let socket = match Socket::builder().connect(socket_host(target.address), port) {
                    Ok(s) => s,
                    Err(e) => {
                        client.handle_io_error(&io_text(e), now_ms());
                        continue;
                    }
                };
                let opened = until(at, socket.opened()).await;
                conn = Conn::Plain(Counted::new(socket, Rc::clone(&budget)));
                match opened {
                    Waited::Done(Ok(_)) => client.handle_connected(now_ms()).map_err(internal)?,
                    Waited::Done(Err(e)) => client.handle_io_error(&io_text(e), now_ms()),
                    Waited::TimedOut => timed_out(&mut client, deadline, &budget.borrow()),
                }
            }
            Action::Send(bytes) => match until(at, conn.write_all(&bytes)).await {
                Waited::Done(Ok(())) => {}
                Waited::Done(Err(e)) => client.handle_io_error(&io_text(e), now_ms()),
                Waited::TimedOut => timed_out(&mut client, deadline, &budget.borrow()),
            },
            Action::StartTls => {
                let Conn::Plain(tcp) = std::mem::replace(&mut conn, Conn::Closed) else {
                    return Err(internal("tls requested on a connection that is not plain tcp"));
                };
                let handshake = TlsConnector::from(Arc::clone(&tls)).connect(server_name.clone(), tcp);
                match until(at, handshake).await {
                    Waited::Done(Ok(stream)) => {
                        let facts = geleit_probe_tls::facts(stream.get_ref().1);
                        conn = Conn::Tls(Box::new(stream));
                        client.handle_tls_established(facts, now_ms()).map_err(internal)?;
                    }
                    Waited::Done(Err(e)) => client.handle_tls_failed(&io_text(e), now_ms()).map_err(internal)?,
                    Waited::TimedOut => timed_out(&mut client, deadline, &budget.borrow()),
                }
            }
            Action::NeedMore => match until(at, conn.read(&mut buf)).await {
                Waited::Done(Ok(0)) => client.handle_eof(now_ms()),
                Waited::Done(Ok(n)) => {
                    client.handle_input(buf.get(..n).unwrap_or_default(), now_ms()).map_err(internal)?
                }
                Waited::Done(Err(e)) => client.handle_io_error(&io_text(e), now_ms()),
                Waited::TimedOut => timed_out(&mut client, deadline, &budget.borrow()),
            },
            Action::Done(report) => {
                conn.close().await;
                return Ok(*report);
            }
        }
    }
}
