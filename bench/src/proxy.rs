//! A userspace delay proxy: the stand-in for `tc qdisc ... netem delay`,
//! which this kernel does not have.
//!
//! Every byte (TCP) or datagram (UDP) is held for the one-way delay `d` in
//! each direction, so one request/response exchange costs one round trip
//! (`2d`) as on a real link. TCP connection setup costs what it costs on a
//! real link too, whoever speaks first. The kernel completes the client's
//! handshake with the proxy at once, so the proxy replays the real timeline
//! itself: the server would accept at `3d` (SYN at `d`, SYN-ACK back at `2d`,
//! the client's ACK there at `3d`), so the proxy opens the upstream
//! connection `3d` after accepting; bytes the client sends early are
//! delivered no earlier than `3d` (a real client sends its first bytes with
//! its ACK at `2d`: they arrive at `3d`). So a client that speaks first
//! (HTTP, a TLS ClientHello) has its answer after two round trips, and a
//! server that speaks first (an SMTP greeting) is heard after two round
//! trips as well.
//!
//! Loss, jitter and bandwidth are not modelled: pure latency.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use socket2::SockRef;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket};
use tokio::sync::{Mutex, mpsc};
use tokio::time::{Instant, sleep_until};

/// A delay queue: (due time, bytes).
type Queue = mpsc::UnboundedSender<(Instant, Vec<u8>)>;
/// UDP sessions by client address.
type Sessions = Arc<Mutex<HashMap<SocketAddr, Queue>>>;

/// Largest chunk read at once (TCP) and largest datagram (UDP).
const BUF: usize = 64 * 1024;
/// A UDP client's session ends after this long without traffic.
const UDP_IDLE: Duration = Duration::from_secs(30);

/// One forwarding rule: `LISTEN=TARGET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub listen: SocketAddr,
    pub target: SocketAddr,
}

impl std::str::FromStr for Route {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (l, t) = s
            .split_once('=')
            .ok_or_else(|| format!("expected LISTEN=TARGET (e.g. 127.0.2.1:53=127.0.0.53:53), found {s:?}"))?;
        let parse = |a: &str| {
            a.parse::<SocketAddr>()
                .map_err(|_| format!("expected an address with port such as 127.0.0.1:53, found {a:?}"))
        };
        Ok(Self { listen: parse(l)?, target: parse(t)? })
    }
}

/// Copies `from` to `to`, delivering each chunk `delay` after it was read;
/// end of stream is passed on (as a write shutdown) after the same delay.
pub async fn delayed_pipe<R, W>(from: R, to: W, delay: Duration) -> std::io::Result<u64>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(deliver(rx, to));
    read_into(from, &tx, delay, None).await;
    drop(tx);
    writer.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

/// Reads `from` until it ends (or fails), queueing every chunk (and the end,
/// as an empty chunk) for delivery `delay` later, and no earlier than
/// `not_before`.
async fn read_into<R: AsyncRead + Unpin>(mut from: R, tx: &Queue, delay: Duration, not_before: Option<Instant>) {
    let mut buf = vec![0u8; BUF];
    // A read error (reset) stops the copy: the writer drops its half.
    while let Ok(n) = from.read(&mut buf).await {
        let due = Instant::now() + delay;
        let due = not_before.map_or(due, |t| due.max(t));
        let chunk = buf.get(..n).unwrap_or_default().to_vec();
        let eof = n == 0;
        if tx.send((due, chunk)).is_err() || eof {
            break;
        }
    }
}

/// Writes every queued chunk to `to` at its due time; an empty chunk shuts
/// `to` down. Unbounded on purpose: the reader must not be slowed by the
/// delay (that would add head-of-line waiting a real link does not have).
async fn deliver<W: AsyncWrite + Unpin>(
    mut rx: mpsc::UnboundedReceiver<(Instant, Vec<u8>)>,
    mut to: W,
) -> std::io::Result<u64> {
    let mut total = 0u64;
    while let Some((due, chunk)) = rx.recv().await {
        sleep_until(due).await;
        if chunk.is_empty() {
            to.shutdown().await?;
            return Ok(total);
        }
        to.write_all(&chunk).await?;
        total = total.saturating_add(chunk.len() as u64);
    }
    // The reader failed: drop the connection without a clean shutdown.
    Ok(total)
}

/// Serves one accepted TCP connection; `mark` (SO_MARK) on the upstream socket.
async fn tcp_connection(client: TcpStream, target: SocketAddr, delay: Duration, mark: Option<u32>) {
    let _ = client.set_nodelay(true);
    let open = async move {
        let upstream = connect(target, mark).await?;
        let _ = upstream.set_nodelay(true);
        Ok(upstream)
    };
    serve_connection(client, open, delay).await;
}

/// Proxies one accepted connection `client` to the connection `open` makes,
/// on the timeline of a real link with one-way delay `delay` (module
/// documentation): `open` starts `3 × delay` after the accept, the client's
/// first bytes reach it then and no earlier, and every later byte either
/// way is held `delay`. An upstream that cannot be opened closes `client`,
/// as a refused connection would.
pub async fn serve_connection<C, U, F>(client: C, open: F, delay: Duration)
where
    C: AsyncRead + AsyncWrite + Send + 'static,
    U: AsyncRead + AsyncWrite + Send + 'static,
    F: std::future::Future<Output = std::io::Result<U>>,
{
    // SYN, SYN-ACK, ACK: the server accepts (and may speak) three delays in.
    let opens_at = Instant::now() + delay * 3;
    let (client_read, client_write) = tokio::io::split(client);
    let (to_server, from_client) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = tokio::spawn(async move { read_into(client_read, &to_server, delay, Some(opens_at)).await });
    sleep_until(opens_at).await;
    let Ok(upstream) = open.await else {
        reader.abort();
        return;
    };
    let (server_read, server_write) = tokio::io::split(upstream);
    let up = tokio::spawn(deliver(from_client, server_write));
    let _ = delayed_pipe(server_read, client_write, delay).await;
    let _ = up.await;
    let _ = reader.await;
}

/// Connects to `target`, with socket mark `mark` if given.
async fn connect(target: SocketAddr, mark: Option<u32>) -> std::io::Result<TcpStream> {
    let socket = if target.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    if let Some(mark) = mark {
        SockRef::from(&socket).set_mark(mark)?;
    }
    socket.connect(target).await
}

/// Accepts on `listener` forever, proxying every connection to `target`.
pub async fn serve_tcp(listener: TcpListener, target: SocketAddr, delay: Duration) -> std::io::Result<()> {
    loop {
        let (client, _) = listener.accept().await?;
        tokio::spawn(tcp_connection(client, target, delay, None));
    }
}

/// The socket mark of a transparent listener's upstream connections: the
/// `dnat` rule that sends traffic to the listener must not match them.
pub const BYPASS_MARK: u32 = 0x6765;

/// The destination a connection had before an nftables/iptables `dnat` rule
/// redirected it to this listener (`SO_ORIGINAL_DST`).
fn original_destination(client: &TcpStream) -> std::io::Result<SocketAddr> {
    let sock = SockRef::from(client);
    let original = match client.local_addr()? {
        SocketAddr::V4(_) => sock.original_dst_v4()?,
        SocketAddr::V6(_) => sock.original_dst_v6()?,
    };
    original.as_socket().ok_or_else(|| std::io::Error::other("SO_ORIGINAL_DST is not an IP address"))
}

/// Accepts on `listener` forever, proxying every connection to the address
/// it was originally sent to: the delayed "link" in front of every mail
/// server of the lab at once, without changing any address in DNS.
pub async fn serve_transparent(listener: TcpListener, mark: u32, delay: Duration) -> std::io::Result<()> {
    let own = listener.local_addr()?;
    loop {
        let (client, _) = listener.accept().await?;
        match original_destination(&client) {
            // A connection made to this listener directly has nowhere to go.
            Ok(target) if target != own => {
                tokio::spawn(tcp_connection(client, target, delay, Some(mark)));
            }
            Ok(_) | Err(_) => drop(client),
        }
    }
}

/// Proxies datagrams from any client of `socket` to `target` and back, each
/// held `delay` in each direction; every client gets its own upstream socket
/// so that answers find their way back.
pub async fn serve_udp(socket: UdpSocket, target: SocketAddr, delay: Duration) -> std::io::Result<()> {
    let socket = Arc::new(socket);
    let sessions: Sessions = Arc::default();
    let mut buf = vec![0u8; BUF];
    loop {
        let (n, client) = socket.recv_from(&mut buf).await?;
        let due = Instant::now() + delay;
        let datagram = buf.get(..n).unwrap_or_default().to_vec();
        let mut map = sessions.lock().await;
        let tx = match map.get(&client) {
            Some(tx) if !tx.is_closed() => tx.clone(),
            _ => {
                let tx = udp_session(Arc::clone(&socket), client, target, delay, Arc::clone(&sessions)).await?;
                map.insert(client, tx.clone());
                tx
            }
        };
        drop(map);
        let _ = tx.send((due, datagram));
    }
}

async fn udp_session(
    downstream: Arc<UdpSocket>,
    client: SocketAddr,
    target: SocketAddr,
    delay: Duration,
    sessions: Sessions,
) -> std::io::Result<Queue> {
    let bind: SocketAddr =
        if target.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().map_err(std::io::Error::other)?;
    let upstream = Arc::new(UdpSocket::bind(bind).await?);
    upstream.connect(target).await?;
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    // Client -> target.
    let up = Arc::clone(&upstream);
    tokio::spawn(async move {
        while let Some((due, d)) = rx.recv().await {
            sleep_until(due).await;
            let _ = up.send(&d).await;
        }
    });
    // Target -> client, through a delay queue of its own.
    let (back_tx, mut back_rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    tokio::spawn(async move {
        while let Some((due, d)) = back_rx.recv().await {
            sleep_until(due).await;
            let _ = downstream.send_to(&d, client).await;
        }
    });
    tokio::spawn(async move {
        let mut buf = vec![0u8; BUF];
        loop {
            match tokio::time::timeout(UDP_IDLE, upstream.recv(&mut buf)).await {
                Ok(Ok(n)) => {
                    let due = Instant::now() + delay;
                    if back_tx.send((due, buf.get(..n).unwrap_or_default().to_vec())).is_err() {
                        break;
                    }
                }
                Ok(Err(_)) => continue, // e.g. ICMP port unreachable from a previous send
                Err(_) => break,        // idle
            }
        }
        sessions.lock().await.remove(&client);
    });
    Ok(tx)
}

/// Binds every route (TCP, UDP, transparent TCP) and serves until the process is killed.
pub async fn run(
    tcp: &[Route],
    udp: &[Route],
    transparent: &[SocketAddr],
    mark: u32,
    delay: Duration,
) -> anyhow::Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for &listen in transparent {
        let l = TcpListener::bind(listen).await.with_context(|| format!("cannot listen on tcp {listen}"))?;
        tasks.spawn(serve_transparent(l, mark, delay));
    }
    for r in tcp {
        let l = TcpListener::bind(r.listen).await.with_context(|| format!("cannot listen on tcp {}", r.listen))?;
        tasks.spawn(serve_tcp(l, r.target, delay));
    }
    for r in udp {
        let s = UdpSocket::bind(r.listen).await.with_context(|| format!("cannot listen on udp {}", r.listen))?;
        tasks.spawn(serve_udp(s, r.target, delay));
    }
    if tasks.is_empty() {
        anyhow::bail!("expected at least one --tcp, --udp or --transparent route, found none");
    }
    eprintln!("geleit-bench proxy: ready, one-way delay {} ms", delay.as_millis());
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_parses_and_explains_errors() {
        let r: Route = "127.0.2.1:53=127.0.0.53:53".parse().unwrap();
        assert_eq!(r.listen, "127.0.2.1:53".parse().unwrap());
        assert_eq!(r.target, "127.0.0.53:53".parse().unwrap());
        assert_eq!(
            "127.0.2.1:53".parse::<Route>().unwrap_err(),
            "expected LISTEN=TARGET (e.g. 127.0.2.1:53=127.0.0.53:53), found \"127.0.2.1:53\""
        );
        assert_eq!(
            "127.0.2.1=127.0.0.53:53".parse::<Route>().unwrap_err(),
            "expected an address with port such as 127.0.0.1:53, found \"127.0.2.1\""
        );
    }

    /// Virtual time (paused clock, in-memory pipes): each chunk arrives exactly
    /// `delay` after it was written, in order, and EOF follows the last chunk.
    #[tokio::test(start_paused = true)]
    async fn pipe_holds_every_chunk_for_the_delay() {
        let delay = Duration::from_millis(100);
        let (mut src, src_far) = tokio::io::duplex(1024);
        let (dst_far, mut dst) = tokio::io::duplex(1024);
        let pipe = tokio::spawn(delayed_pipe(src_far, dst_far, delay));
        let t0 = Instant::now();
        src.write_all(b"one").await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        src.write_all(b"two").await.unwrap();
        src.shutdown().await.unwrap();
        let mut buf = [0u8; 3];
        dst.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"one");
        assert_eq!(t0.elapsed(), delay);
        dst.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"two");
        assert_eq!(t0.elapsed(), delay + Duration::from_millis(30));
        assert_eq!(dst.read(&mut buf).await.unwrap(), 0, "EOF passed on");
        assert_eq!(pipe.await.unwrap().unwrap(), 6);
    }

    /// Virtual time: a server that speaks first (an SMTP greeting) is heard
    /// two round trips after the client connected, as on a real link (SYN,
    /// SYN-ACK, ACK, greeting); the proxy opens the upstream when the real
    /// server would accept, three one-way delays in.
    #[tokio::test(start_paused = true)]
    async fn server_first_greeting_arrives_after_two_round_trips() {
        let delay = Duration::from_millis(100);
        let (mut client, client_far) = tokio::io::duplex(1024);
        let (server_far, mut server) = tokio::io::duplex(1024);
        let t0 = Instant::now();
        let (opened_tx, opened_rx) = tokio::sync::oneshot::channel();
        let open = async move {
            let _ = opened_tx.send(Instant::now());
            Ok(server_far)
        };
        tokio::spawn(serve_connection(client_far, open, delay));
        let greeting = tokio::spawn(async move {
            server.write_all(b"220 hi\r\n").await.unwrap();
            let mut ehlo = [0u8; 6];
            server.read_exact(&mut ehlo).await.unwrap();
            (Instant::now(), ehlo)
        });
        let mut buf = [0u8; 8];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"220 hi\r\n");
        assert_eq!(opened_rx.await.unwrap() - t0, delay * 3, "the upstream opens when a real server would accept");
        assert_eq!(t0.elapsed(), delay * 4, "the greeting takes two round trips");
        client.write_all(b"EHLO\r\n").await.unwrap();
        let (at, ehlo) = greeting.await.unwrap();
        assert_eq!(&ehlo, b"EHLO\r\n");
        assert_eq!(at - t0, delay * 5, "later bytes take one delay");
    }

    /// Virtual time: a client that speaks first (HTTP, a TLS ClientHello)
    /// writes at once (the kernel accepted for the proxy), yet the server
    /// reads it three one-way delays in and the answer is back after two
    /// round trips, as on a real link.
    #[tokio::test(start_paused = true)]
    async fn client_first_request_is_answered_after_two_round_trips() {
        let delay = Duration::from_millis(100);
        let (mut client, client_far) = tokio::io::duplex(1024);
        let (server_far, mut server) = tokio::io::duplex(1024);
        let t0 = Instant::now();
        tokio::spawn(serve_connection(client_far, async move { Ok(server_far) }, delay));
        let answered = tokio::spawn(async move {
            let mut request = [0u8; 4];
            server.read_exact(&mut request).await.unwrap();
            let at = Instant::now();
            server.write_all(b"200").await.unwrap();
            (at, request)
        });
        client.write_all(b"GET ").await.unwrap();
        let mut buf = [0u8; 3];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"200");
        assert_eq!(t0.elapsed(), delay * 4);
        let (at, request) = answered.await.unwrap();
        assert_eq!((at - t0, &request), (delay * 3, b"GET "));
    }

    /// Real sockets: bytes both ways arrive intact and in order, half-close works.
    #[tokio::test]
    async fn tcp_proxy_forwards_both_ways() {
        let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let echo_addr = echo.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = echo.accept().await.unwrap();
            s.write_all(b"220 hello\r\n").await.unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).await.unwrap();
            got.reverse();
            s.write_all(&got).await.unwrap();
        });
        let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_addr = proxy.local_addr().unwrap();
        tokio::spawn(serve_tcp(proxy, echo_addr, Duration::from_millis(5)));
        let mut c = TcpStream::connect(proxy_addr).await.unwrap();
        let mut greeting = [0u8; 11];
        c.read_exact(&mut greeting).await.unwrap();
        assert_eq!(&greeting, b"220 hello\r\n");
        let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        c.write_all(&payload).await.unwrap();
        c.shutdown().await.unwrap();
        let mut back = Vec::new();
        c.read_to_end(&mut back).await.unwrap();
        back.reverse();
        assert_eq!(back, payload);
    }

    /// Real sockets: two UDP clients each get their own answers back.
    #[tokio::test]
    async fn udp_proxy_keeps_clients_apart() {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server_addr = server.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            loop {
                let (n, from) = server.recv_from(&mut buf).await.unwrap();
                let mut reply = b"re:".to_vec();
                reply.extend_from_slice(&buf[..n]);
                server.send_to(&reply, from).await.unwrap();
            }
        });
        let proxy = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let proxy_addr = proxy.local_addr().unwrap();
        tokio::spawn(serve_udp(proxy, server_addr, Duration::from_millis(5)));
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.send_to(b"alpha", proxy_addr).await.unwrap();
        b.send_to(b"beta", proxy_addr).await.unwrap();
        a.send_to(b"again", proxy_addr).await.unwrap();
        let mut buf = [0u8; 64];
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"re:alpha");
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"re:again");
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"re:beta");
    }

    /// A connection made to a transparent listener directly (not redirected
    /// by a `dnat` rule) has no other destination: it is closed, not looped.
    #[tokio::test]
    async fn transparent_listener_closes_direct_connections() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve_transparent(listener, BYPASS_MARK, Duration::ZERO));
        let mut c = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(c.read(&mut buf).await.unwrap_or(0), 0);
    }

    /// A refused upstream closes the client's connection (no hang).
    #[tokio::test]
    async fn refused_upstream_closes_client() {
        let gone = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gone_addr = gone.local_addr().unwrap();
        drop(gone);
        let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_addr = proxy.local_addr().unwrap();
        tokio::spawn(serve_tcp(proxy, gone_addr, Duration::ZERO));
        let mut c = TcpStream::connect(proxy_addr).await.unwrap();
        let mut buf = [0u8; 8];
        let n = c.read(&mut buf).await.unwrap_or(0);
        assert_eq!(n, 0);
    }
}
