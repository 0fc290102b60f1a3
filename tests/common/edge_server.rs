//! A minimal stand-in for the edge's probe API on 127.0.0.1: answers
//! `GET /api/probe?host=<host>&port=25` with a recorded `geleit probe --json`
//! report for that host (the edge returns the same JSON), 404 otherwise.
//! Requests are appended to a log the test can inspect.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A running server: its base URL and the request targets it saw.
pub struct Edge {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// Serves `reports` (host name → JSON body) until the test process ends.
pub fn serve(reports: HashMap<String, String>) -> Edge {
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
            let query = target.strip_prefix("/api/probe?").unwrap_or_default();
            let params: HashMap<&str, &str> = query.split('&').filter_map(|kv| kv.split_once('=')).collect();
            let body = match (params.get("host"), params.get("port")) {
                (Some(host), Some(&"25")) => reports.get(*host).cloned(),
                _ => None,
            };
            let reply = match body {
                Some(b) => format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{b}",
                    b.len()
                ),
                None => {
                    let b = r#"{"error":"unknown_host"}"#;
                    format!(
                        "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{b}",
                        b.len()
                    )
                }
            };
            let _ = writer.write_all(reply.as_bytes());
        }
    });
    Edge { url: format!("http://127.0.0.1:{port}"), requests }
}
