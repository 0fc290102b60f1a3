//! A minimal stand-in for the edge's probe API on 127.0.0.1, for offline
//! tests of `geleit check --edge`: reads `GET /api/probe?...` as the edge
//! does (`geleit::api::ProbeRequest`) and answers with a recorded `geleit
//! probe --json` report for the host (the edge returns the same JSON; see
//! [`crate::recording::probes`]), or with the API's errors
//! (`api::error_body`). Requests are appended to a log the test can inspect.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use geleit::api::{self, ErrorCode, ProbeRequest};

/// A running server: its base URL and the request targets it saw.
pub struct Edge {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// Serves `reports` (host name → JSON body) until the test process ends.
pub fn serve(reports: BTreeMap<String, String>) -> Edge {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let Ok(mut writer) = stream.try_clone() else { continue };
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                    break;
                }
            }
            let target = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
            log.lock().map(|mut l| l.push(target.clone())).ok();
            let (status, body) = answer(&reports, &target);
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = writer.write_all(reply.as_bytes());
        }
    });
    Edge { url: format!("http://127.0.0.1:{port}"), requests }
}

/// The status line's code and reason, and the body, for a request target.
fn answer(reports: &BTreeMap<String, String>, target: &str) -> (&'static str, String) {
    let Some(query) = target.strip_prefix(api::PROBE_PATH).and_then(|q| q.strip_prefix('?')) else {
        return ("404 Not Found", api::error_body(&ErrorCode::NotFound, "expected /api/probe"));
    };
    let pairs = query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (decode(k), decode(v)));
    let request = match ProbeRequest::from_query(pairs) {
        Ok(r) => r,
        Err(e) => return ("400 Bad Request", api::error_body(&e.code(), &e.to_string())),
    };
    match reports.get(request.host()) {
        Some(report) if request.port() == 25 => ("200 OK", report.clone()),
        _ => (
            "422 Unprocessable Content",
            api::error_body(
                &ErrorCode::HostNotFound,
                &format!("expected A or AAAA records for {}, found none (NODATA)", request.host()),
            ),
        ),
    }
}

/// Percent-decoding (RFC 3986 §2.1) of a query part.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
