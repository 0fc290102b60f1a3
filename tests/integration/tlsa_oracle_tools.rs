//! Records written by the reference tools — hash-slinger's `tlsa --create`
//! (RFC and RFC 3597 generic output) and `ldns-dane create` — scan through
//! `geleit tlsa parse` to the bytes openssl computes for the same
//! certificate. Needs openssl, hash-slinger and ldnsutils (scripts/setup.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::geleit;
use geleit::tlsa::{owner::Protocol, tlsa_owner};

fn run(program: &str, args: &[&str], dir: &Path) -> Output {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} is installed (scripts/setup.sh): {e}"));
    assert!(output.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The one line of `output` that holds the record.
fn record_line(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> =
        stdout.lines().filter(|l| l.split_whitespace().any(|w| w == "TLSA" || w == "TYPE52")).collect();
    assert_eq!(lines.len(), 1, "one record line in {stdout:?}");
    lines[0].to_owned()
}

/// `openssl … | openssl dgst` as lowercase hex: the digest of the DER certificate or SPKI.
fn openssl_digest(dir: &Path, spki: bool, algorithm: &str) -> String {
    let der = if spki {
        let pem = run("openssl", &["x509", "-in", "cert.pem", "-pubkey", "-noout"], dir);
        std::fs::write(dir.join("pub.pem"), pem.stdout).unwrap();
        run("openssl", &["pkey", "-pubin", "-in", "pub.pem", "-outform", "DER"], dir).stdout
    } else {
        run("openssl", &["x509", "-in", "cert.pem", "-outform", "DER"], dir).stdout
    };
    std::fs::write(dir.join("object.der"), der).unwrap();
    let out = run("openssl", &["dgst", algorithm, "-r", "object.der"], dir);
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[test]
fn reference_tools_output_scans_to_openssl_digests() {
    let dir = std::env::temp_dir().join(format!("geleit-tools-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-subj",
            "/CN=mx.example.com",
            "-days",
            "30",
        ],
        &dir,
    );
    let spki_256 = openssl_digest(&dir, true, "-sha256");
    let cert_512 = openssl_digest(&dir, false, "-sha512");

    let hash_slinger_rfc = record_line(&run(
        "tlsa",
        &[
            "--create",
            "--usage",
            "3",
            "--selector",
            "1",
            "--mtype",
            "1",
            "--certificate",
            "cert.pem",
            "--port",
            "25",
            "--output",
            "rfc",
            "mx.example.com",
        ],
        &dir,
    ));
    let hash_slinger_generic = record_line(&run(
        "tlsa",
        &[
            "--create",
            "--usage",
            "2",
            "--selector",
            "0",
            "--mtype",
            "2",
            "--certificate",
            "cert.pem",
            "--port",
            "25",
            "--output",
            "generic",
            "mx.example.com",
        ],
        &dir,
    ));
    let ldns =
        record_line(&run("ldns-dane", &["-c", "cert.pem", "create", "mx.example.com", "25", "3", "1", "1"], &dir));
    let _ = std::fs::remove_dir_all(&dir);

    let result = geleit(["tlsa", "parse", "--json", &hash_slinger_rfc, &hash_slinger_generic, &ldns]);
    assert_eq!(result.stderr, "");
    assert_eq!(result.code, 0, "all three are usable DANE records: {}", result.stdout);
    let json: serde_json::Value = serde_json::from_str(&result.stdout).unwrap();
    let owner = tlsa_owner("mx.example.com", 25, Protocol::Tcp).unwrap();
    let expected = [(3, 1, 1, &spki_256), (2, 0, 2, &cert_512), (3, 1, 1, &spki_256)];
    let records = json.as_array().unwrap();
    assert_eq!(records.len(), 3);
    for (record, (u, s, m, data)) in records.iter().zip(expected) {
        assert_eq!(record["owner"], owner.as_str(), "{record}");
        assert_eq!(record["usage"], u, "{record}");
        assert_eq!(record["selector"], s, "{record}");
        assert_eq!(record["matching_type"], m, "{record}");
        assert_eq!(record["data"], data.as_str(), "{record}");
        assert_eq!(record["usable"], true, "{record}");
    }
}
