//! The TLSRPT (RFC 8460 §3) and MTA-STS (RFC 8461 §3.1, §3.2) parsers over
//! arbitrary input: they must never panic, and what they accept keeps the
//! RFCs' invariants.
#![no_main]

use geleit::mailpolicy::{MxPattern, Policy, StsRecord, TlsRpt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The bytes as TXT records of strings: split at 0xff (records) and 0xfe (strings).
    let records: Vec<Vec<Vec<u8>>> =
        data.split(|b| *b == 0xff).map(|r| r.split(|b| *b == 0xfe).map(<[u8]>::to_vec).collect()).collect();
    if let Ok(Some(r)) = TlsRpt::select(&records) {
        assert!(!r.rua.is_empty());
    }
    if let Ok(Some(r)) = StsRecord::select(&records) {
        assert!((1..=32).contains(&r.id.len()));
    }
    match Policy::parse(data) {
        Ok(p) => {
            assert!(p.max_age <= 31_557_600);
            for host in ["mx.example.com", "a.b.example.com", ""] {
                let _ = p.pattern_for(host);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let text = String::from_utf8_lossy(data);
    let _ = MxPattern { pattern: text.clone().into_owned() }.matches(&text);
});
