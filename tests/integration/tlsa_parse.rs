//! `geleit tlsa parse`: exact output and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use common::geleit;

const HASH: &str = "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6";

fn dane_ee_text(n: usize) -> String {
    format!(
        "record {n}: 3 1 1 {HASH}\n  DANE-EE(3) SPKI(1) SHA2-256(1): the SHA-256 digest of the server's own public key; names and dates are not checked (RFC 7672 §3.1.1)\n  usable for SMTP: yes\n"
    )
}

#[test]
fn usable_record_in_every_form_exits_0() {
    let split = format!("3 1 1 {} {}", &HASH[..20], &HASH[20..]);
    let mnemonic = format!("dane-ee SPKI Sha2-256 {HASH}");
    let generic = format!("\\# 35 030101{HASH}");
    let run = geleit(["tlsa", "parse", &split, &mnemonic, &generic]);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, format!("{}{}{}", dane_ee_text(1), dane_ee_text(2), dane_ee_text(3)));
    assert_eq!(run.code, 0);
}

#[test]
fn zone_line_shows_owner_ttl_and_class() {
    let line = format!("_25._tcp.mx.example.com. IN 3600 TLSA ( 3 1 1 ; DANE-EE SPKI SHA2-256\n {HASH} )");
    let run = geleit(["tlsa", "parse", &line]);
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        format!(
            "record 1: 3 1 1 {HASH}\n  owner: _25._tcp.mx.example.com., TTL 3600, class IN\n  DANE-EE(3) SPKI(1) SHA2-256(1): the SHA-256 digest of the server's own public key; names and dates are not checked (RFC 7672 §3.1.1)\n  usable for SMTP: yes\n"
        )
    );
    assert_eq!(run.code, 0);
}

#[test]
fn unusable_record_exits_1_and_says_why() {
    let run = geleit(["tlsa", "parse", "1 0 1 abcd"]);
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        "record 1: 1 0 1 abcd\n  PKIX-EE(1) Cert(0) SHA2-256(1): the SHA-256 digest of the server's own certificate; it also needs PKIX validation, which SMTP clients do not do (RFC 7672 §3.1.3)\n  usable for SMTP: no\n    - usage 1 (PKIX-EE) relies on public CAs, which SMTP clients do not use; expected DANE-TA(2) or DANE-EE(3) (RFC 7672 §3.1.3)\n    - expected 32 bytes (64 hex digits) of SHA2-256 data, found 2 bytes (RFC 6698 §2.1.3)\n"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn scan_error_exits_2_names_record_field_and_position() {
    let good = format!("3 1 1 {HASH}");
    let run = geleit(["tlsa", "parse", &good, "3 1 256 ab", "3 1 1 abc", "3 1 1 ab ; ok", "3 1"]);
    assert_eq!(
        run.stderr,
        "geleit: record 2: line 1, column 5, token 3: expected matching type as a number up to 255, found `256`\n\
         geleit: record 3: line 1, column 7, token 4: expected an even number of hex digits in certificate association data, found 3\n\
         geleit: record 5: line 1, column 4, token 3: expected matching type (a number 0-255 or an RFC 7218 mnemonic), found end of record\n"
    );
    // The records that did scan are still explained.
    assert!(run.stdout.starts_with(&dane_ee_text(1)), "{}", run.stdout);
    assert!(run.stdout.contains("record 4: 3 1 1 ab\n"), "{}", run.stdout);
    assert_eq!(run.code, 2);
}

#[test]
fn json_output() {
    let run = geleit(["tlsa", "parse", "--json", &format!("3 1 1 {HASH}"), "_25._tcp.mx. 300 IN TLSA 2 1 9 ab"]);
    assert_eq!(run.stderr, "");
    let expected = format!(
        r#"[
  {{
    "record": 1,
    "usage": 3,
    "selector": 1,
    "matching_type": 1,
    "data": "{HASH}",
    "usage_mnemonic": "DANE-EE",
    "selector_mnemonic": "SPKI",
    "matching_type_mnemonic": "SHA2-256",
    "presentation": "3 1 1 {HASH}",
    "description": "DANE-EE(3) SPKI(1) SHA2-256(1): the SHA-256 digest of the server's own public key; names and dates are not checked (RFC 7672 §3.1.1)",
    "usable": true,
    "problems": []
  }},
  {{
    "record": 2,
    "usage": 2,
    "selector": 1,
    "matching_type": 9,
    "data": "ab",
    "usage_mnemonic": "DANE-TA",
    "selector_mnemonic": "SPKI",
    "presentation": "2 1 9 ab",
    "description": "DANE-TA(2) SPKI(1) unassigned(9): uses values no client implements, so clients ignore this record (RFC 7671 §4)",
    "usable": false,
    "problems": [
      "matching type 9 is not one a client implements; expected 0 (Full), 1 (SHA2-256) or 2 (SHA2-512) (RFC 7671 §4)"
    ],
    "owner": "_25._tcp.mx.",
    "ttl": 300,
    "class": "IN"
  }}
]
"#
    );
    assert_eq!(run.stdout, expected);
    assert_eq!(run.code, 1);
}

#[test]
fn json_with_a_scan_error_exits_2() {
    let run = geleit(["tlsa", "parse", "--json", "\\# 4 03010"]);
    assert_eq!(
        run.stderr,
        "geleit: record 1: line 1, column 6, token 3: expected an even number of hex digits in rdata hex after \\# <length>, found 5\n"
    );
    assert_eq!(run.stdout, "[]\n");
    assert_eq!(run.code, 2);
}

#[test]
fn wrong_record_type_and_trailing_text() {
    let run = geleit(["tlsa", "parse", "mx.example. 300 IN A 192.0.2.1", "3 1 1 ab\n3 1 1 cd"]);
    assert_eq!(
        run.stderr,
        "geleit: record 1: line 1, column 20, token 4: expected record type TLSA, found `A`\n\
         geleit: record 2: line 2, column 1: expected one record, found another one here\n"
    );
    assert_eq!(run.stdout, "");
    assert_eq!(run.code, 2);
}

#[test]
fn no_record_is_a_usage_error() {
    let run = geleit(["tlsa", "parse"]);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with("error: the following required arguments were not provided:"), "{}", run.stderr);
    assert_eq!(run.code, 2);
}
