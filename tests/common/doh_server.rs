//! A minimal RFC 8484 DoH server (HTTP/1.1 GET and POST) on 127.0.0.1 that
//! answers from a recording (tests/data/dns), for offline CLI tests.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

/// Starts the server on a free port; returns the endpoint URL. The thread
/// lives as long as the test process.
pub fn serve(responses: HashMap<(String, String), Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let responses = responses.clone();
            std::thread::spawn(move || connection(stream, &responses));
        }
    });
    format!("http://127.0.0.1:{port}/dns-query")
}

fn connection(stream: TcpStream, responses: &HashMap<(String, String), Vec<u8>>) {
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
        let answer = hickory_proto::op::Message::from_vec(&query).ok().and_then(|m| {
            let q = m.queries.first()?;
            responses.get(&(q.name().to_ascii().to_ascii_lowercase(), q.query_type().to_string())).cloned()
        });
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
