//! The running lab matches its catalogue: run inside the lab
//! (`tests/lab/in cargo test -p geleit-cli --features lab --test lab_live`).
//! The reference tools' verdicts are checked by `tests/lab/verify`; this target
//! checks what the Rust tests rely on: the environment `tests/lab/in` sets, the
//! generated facts and that every SMTP listener answers as described.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/lab.rs"]
mod lab;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

#[test]
fn environment_points_at_the_lab() {
    let env = lab::env();
    let cat = lab::catalogue();
    assert_eq!(env.doh, cat.lab.doh);
    assert_eq!(env.resolver, cat.lab.resolver);
    let anchor = std::fs::read_to_string(&env.trust_anchor).expect("trust anchor file");
    let fields: Vec<&str> = anchor.split_whitespace().collect();
    assert_eq!(fields.get(..3), Some(&[".", "IN", "DS"][..]), "DS-format anchor, found {anchor:?}");
    let dnskey = std::fs::read_to_string(env.trust_anchor.with_file_name("root.key")).expect("DNSKEY anchor");
    assert!(dnskey.contains(" DNSKEY 257 3 13 "), "DNSKEY-format anchor, found {dnskey:?}");
    let resolv = std::fs::read_to_string("/etc/resolv.conf").expect("resolv.conf");
    assert!(resolv.contains(&format!("nameserver {}", cat.lab.resolver)), "resolv.conf: {resolv}");
}

#[test]
fn generated_records_match_the_catalogue() {
    let cat = lab::catalogue();
    let live = lab::live();
    for s in &cat.scenarios {
        for h in &s.hosts {
            let l = live.hosts.get(&h.name).unwrap_or_else(|| panic!("{}: no live facts", h.name));
            assert_eq!(l.tlsa_rdata.len(), h.tlsa.len(), "{}: record count", h.name);
            for (rd, spec) in l.tlsa_rdata.iter().zip(&h.tlsa) {
                let prefix = format!("{} {} {} ", spec.usage, spec.selector, spec.matching);
                assert!(rd.starts_with(&prefix), "{}: {rd} does not start with {prefix}", h.name);
            }
            assert_eq!(l.chain_files.len(), h.tls.chains.len(), "{}: chain files", h.name);
        }
    }
}

/// Reads one SMTP reply (possibly multi-line) and returns its lines.
fn reply(r: &mut impl BufRead) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        r.read_line(&mut line).expect("read SMTP reply");
        let done = line.as_bytes().get(3) != Some(&b'-');
        lines.push(line.trim_end().to_owned());
        if done || lines.len() > 50 {
            return lines;
        }
    }
}

#[test]
fn every_smtp_listener_greets_and_offers_starttls_as_described() {
    let cat = lab::catalogue();
    for s in &cat.scenarios {
        for h in &s.hosts {
            let served_name = h.cname.as_deref().unwrap_or(&h.name).trim_end_matches('.');
            for a in h.addresses() {
                let target = if a.contains(':') { format!("[{a}]:25") } else { format!("{a}:25") };
                let addr = target.to_socket_addrs().expect("address").next().expect("one address");
                let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
                    .unwrap_or_else(|e| panic!("{}: connect {target}: {e}", s.name));
                stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
                let mut w = stream.try_clone().expect("clone");
                let mut r = BufReader::new(stream);
                let greeting = reply(&mut r);
                assert!(greeting[0].starts_with(&format!("220 {served_name} ")), "{target}: {greeting:?}");
                w.write_all(b"EHLO lab-client.example\r\n").expect("EHLO");
                let ehlo = reply(&mut r);
                let offers = ehlo.iter().any(|l| l.get(4..) == Some("STARTTLS"));
                assert_eq!(offers, h.tls.starttls, "{}: {target}: STARTTLS in {ehlo:?}", s.name);
                w.write_all(b"QUIT\r\n").expect("QUIT");
            }
        }
    }
}
