//! A minimal RFC 8484 DoH server (HTTP/1.1, GET and POST) on 127.0.0.1 that
//! answers each DNS query through a function of (lowercase name, type
//! mnemonic, query bytes); `None` is answered with HTTP 404. With
//! [`serve_replies`] the function may also fail a query with any HTTP
//! status, as a busy or broken DoH front does. [`serve_recorded`] and
//! [`serve_failing`] answer from a recording (see [`crate::recording`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::recording::Responses;

/// How the server answers: (lowercase name with trailing dot, type such as
/// "TLSA", the query message) to the response message, or `None` for 404.
pub type Handler = dyn Fn(&str, &str, &[u8]) -> Reply + Send + Sync;

/// What the server sends for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 200 with this DNS message.
    Answer(Vec<u8>),
    /// This HTTP status (code and reason phrase) with an empty body.
    Status(u16, &'static str),
}

/// Starts a server on a free loopback port; returns its endpoint URL
/// (`http://127.0.0.1:PORT/dns-query`). The thread lives as long as the process.
pub fn serve(handler: impl Fn(&str, &str, &[u8]) -> Option<Vec<u8>> + Send + Sync + 'static) -> String {
    serve_replies(move |name, rtype, query| {
        handler(name, rtype, query).map_or(Reply::Status(404, "Not Found"), Reply::Answer)
    })
}

/// As [`serve`], with a handler that says the whole reply.
pub fn serve_replies(handler: impl Fn(&str, &str, &[u8]) -> Reply + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let handler: Arc<Handler> = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = Arc::clone(&handler);
            std::thread::spawn(move || connection(stream, &*handler));
        }
    });
    format!("http://127.0.0.1:{port}/dns-query")
}

/// The question of a query message: (lowercase name, type mnemonic).
pub fn question(query: &[u8]) -> Option<(String, String)> {
    let m = hickory_proto::op::Message::from_vec(query).ok()?;
    let q = m.queries.first()?;
    Some((q.name().to_ascii().to_ascii_lowercase(), q.query_type().to_string()))
}

fn connection(stream: TcpStream, handler: &Handler) {
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h.trim().is_empty() {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let query = if line.starts_with("POST") {
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            body
        } else {
            let b64 = target.split("dns=").nth(1).unwrap_or_default().split('&').next().unwrap_or_default();
            data_encoding::BASE64URL_NOPAD.decode(b64.as_bytes()).unwrap_or_default()
        };
        let answer = question(&query).map(|(name, rtype)| handler(&name, &rtype, &query));
        let reply = match answer {
            Some(Reply::Answer(body)) => {
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/dns-message\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                r.extend_from_slice(&body);
                r
            }
            Some(Reply::Status(code, reason)) => {
                format!("HTTP/1.1 {code} {reason}\r\ncontent-length: 0\r\n\r\n").into_bytes()
            }
            None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec(),
        };
        if writer.write_all(&reply).is_err() {
            return;
        }
    }
}

/// Serves recorded responses (by lowercase name and type); what was not
/// recorded gets HTTP 404. Returns the endpoint URL.
pub fn serve_recorded(responses: Responses) -> String {
    serve(move |name, rtype, _| responses.get(&(name.to_owned(), rtype.to_owned())).cloned())
}

/// Which requests get HTTP 502 Bad Gateway instead of their answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failing {
    /// The first request for every question.
    FirstAttempt,
    /// Every request for this question (lowercase name, type).
    Always(String, String),
}

/// A running server over a recording: its endpoint URL, and the questions
/// it failed, once per failed request.
pub struct Doh {
    pub url: String,
    pub failed: Arc<Mutex<Vec<(String, String)>>>,
}

/// As [`serve_recorded`], failing requests as `failing` says, as a busy or
/// broken DoH front does.
pub fn serve_failing(responses: Responses, failing: Failing) -> Doh {
    let failed = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&failed);
    let asked: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    let url = serve_replies(move |name, rtype, _| {
        let key = (name.to_owned(), rtype.to_owned());
        let before = asked.lock().map(|mut a| {
            let n = a.iter().filter(|k| **k == key).count();
            a.push(key.clone());
            n
        });
        let fail = match &failing {
            Failing::FirstAttempt => before.is_ok_and(|n| n == 0),
            Failing::Always(n, t) => key.0 == *n && key.1 == *t,
        };
        if fail {
            log.lock().map(|mut l| l.push(key)).ok();
            return Reply::Status(502, "Bad Gateway");
        }
        responses.get(&key).cloned().map_or(Reply::Status(404, "Not Found"), Reply::Answer)
    });
    Doh { url, failed }
}
