//! A minimal RFC 8484 DoH server (HTTP/1.1 GET and POST) on 127.0.0.1 that
//! answers from a recording (tests/data/dns), for offline CLI tests; it can
//! fail questions with HTTP 502, as a busy or broken resolver does.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// Which requests get HTTP 502 Bad Gateway instead of their answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failing {
    /// None.
    Never,
    /// The first request for every question.
    FirstAttempt,
    /// Every request for this question (lowercase name, type).
    Always(String, String),
}

/// A running server: its endpoint URL, and the questions it failed.
pub struct Doh {
    pub url: String,
    pub failed: Arc<Mutex<Vec<(String, String)>>>,
}

/// Starts the server on a free port; returns the endpoint URL. The thread
/// lives as long as the test process.
pub fn serve(responses: HashMap<(String, String), Vec<u8>>) -> String {
    serve_failing(responses, Failing::Never).url
}

/// As [`serve`], failing requests as `failing` says.
pub fn serve_failing(responses: HashMap<(String, String), Vec<u8>>, failing: Failing) -> Doh {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let failed = Arc::new(Mutex::new(Vec::new()));
    let state = Arc::new(State { responses, failing, asked: Mutex::new(Vec::new()), failed: Arc::clone(&failed) });
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = Arc::clone(&state);
            std::thread::spawn(move || connection(stream, &state));
        }
    });
    Doh { url: format!("http://127.0.0.1:{port}/dns-query"), failed }
}

struct State {
    responses: HashMap<(String, String), Vec<u8>>,
    failing: Failing,
    /// Every question asked so far, once per request.
    asked: Mutex<Vec<(String, String)>>,
    failed: Arc<Mutex<Vec<(String, String)>>>,
}

impl State {
    /// Whether this request for `key` fails.
    fn fails(&self, key: &(String, String)) -> bool {
        let Ok(mut asked) = self.asked.lock() else { return false };
        let before = asked.iter().filter(|k| *k == key).count();
        asked.push(key.clone());
        let fail = match &self.failing {
            Failing::Never => false,
            Failing::FirstAttempt => before == 0,
            Failing::Always(name, rtype) => key.0 == *name && key.1 == *rtype,
        };
        if fail {
            self.failed.lock().map(|mut f| f.push(key.clone())).ok();
        }
        fail
    }
}

fn connection(stream: TcpStream, state: &State) {
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
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
        let key = hickory_proto::op::Message::from_vec(&query).ok().and_then(|m| {
            let q = m.queries.first()?;
            Some((q.name().to_ascii().to_ascii_lowercase(), q.query_type().to_string()))
        });
        if key.as_ref().is_some_and(|k| state.fails(k)) {
            if writer.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n").is_err() {
                return;
            }
            continue;
        }
        let answer = key.and_then(|k| state.responses.get(&k).cloned());
        let reply = match answer {
            Some(body) => {
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/dns-message\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                r.extend_from_slice(&body);
                r
            }
            None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec(),
        };
        if writer.write_all(&reply).is_err() {
            return;
        }
    }
}
