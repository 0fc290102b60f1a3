//! `geleit probe` against the lab's real Postfix listeners, with
//! `openssl s_client -starttls smtp -showcerts` as the oracle: for every
//! scenario address and each signature family, the chain geleit reports is
//! the one openssl sees offering the same signature algorithms (same DER,
//! same SHA-256), and where openssl gets no chain, geleit fails too.
//!
//! Run inside the lab: `tests/lab/in cargo test -p geleit-cli --features lab --test probe_lab`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/lab.rs"]
mod lab;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

fn lab_dir() -> PathBuf {
    std::env::var_os("GELEIT_LAB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/lab")))
}

fn scenarios() -> Value {
    let path = lab_dir().join("scenarios.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

struct Host {
    name: String,
    addresses: BTreeSet<String>,
    starttls: bool,
}

fn hosts() -> Vec<Host> {
    let mut out = Vec::new();
    for scenario in scenarios()["scenarios"].as_array().unwrap() {
        for host in scenario["hosts"].as_array().into_iter().flatten() {
            let addresses: BTreeSet<String> = ["a", "aaaa"]
                .iter()
                .flat_map(|k| host[k].as_array().into_iter().flatten())
                .map(|a| a.as_str().unwrap().to_owned())
                .collect();
            if addresses.is_empty() {
                continue;
            }
            out.push(Host {
                name: host["name"].as_str().unwrap().to_owned(),
                addresses,
                starttls: host["tls"]["starttls"].as_bool().unwrap_or(false),
            });
        }
    }
    assert!(out.len() >= 20, "expected the lab's scenario hosts, found {}", out.len());
    out
}

fn geleit(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_geleit")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

const ECDSA_SIGALGS: &str = "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512";
const RSA_SIGALGS: &str =
    "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:RSA+SHA256:RSA+SHA384:RSA+SHA512";

fn sha256sum(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[test]
fn chains_equal_openssl_s_client_for_every_scenario_address() {
    let mut compared = 0;
    for host in hosts() {
        // Names in bogus zones do not resolve through the validating resolver
        // (exit 2): probe their addresses directly, without SNI.
        let mut runs = Vec::new();
        let (code, stdout) = geleit(&["probe", &host.name, "--json", "--timeout-ms", "5000"]);
        if code == 2 {
            for ip in &host.addresses {
                let (code, stdout) = geleit(&["probe", ip, "--json", "--timeout-ms", "5000"]);
                runs.push((code, stdout, None));
            }
        } else {
            runs.push((code, stdout, Some(host.name.trim_end_matches('.').to_owned())));
        }
        let mut seen = BTreeSet::new();
        for (code, stdout, sni) in runs {
            let report: Value =
                serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{}: {e}: {stdout}", host.name));
            assert_eq!(code, if host.starttls { 0 } else { 1 }, "{}: exit code\n{stdout}", host.name);
            for address in report["addresses"].as_array().unwrap() {
                seen.insert(address["address"].as_str().unwrap().to_owned());
            }
            compared += compare(&host, &report, sni.as_deref());
        }
        assert_eq!(seen, host.addresses, "{}: addresses", host.name);
    }
    assert!(compared >= 25, "expected to compare the chains of every address, compared {compared} certificates");
}

/// Compares every probe of `report` with openssl; returns the number of
/// certificates compared.
fn compare(host: &Host, report: &Value, sni: Option<&str>) -> usize {
    let mut compared = 0;
    for address in report["addresses"].as_array().unwrap() {
        let ip = address["address"].as_str().unwrap();
        for probe in address["probes"].as_array().unwrap() {
            let family = probe["signature_family"].as_str().unwrap();
            let sigalgs = if family == "ecdsa" { ECDSA_SIGALGS } else { RSA_SIGALGS };
            let expected = lab::openssl_chain(ip, sni, sigalgs);
            let r = &probe["report"];
            let got: Option<Vec<String>> = r["tls"]["chain"]
                .as_array()
                .map(|chain| chain.iter().map(|c| c["der_base64"].as_str().unwrap().to_owned()).collect());
            let what = format!("{} {ip} {family}", host.name);
            if !host.starttls {
                assert_eq!(r["error"]["kind"], "starttls_not_offered", "{what}");
                assert_eq!(expected, None, "{what}: openssl found a chain");
                continue;
            }
            assert_eq!(got.is_some() && r["starttls"] == true, expected.is_some(), "{what}: {r}");
            assert_eq!(got, expected, "{what}: chain differs from openssl s_client");
            for cert in r["tls"]["chain"].as_array().into_iter().flatten() {
                let der = data_encoding::BASE64.decode(cert["der_base64"].as_str().unwrap().as_bytes()).unwrap();
                assert_eq!(cert["sha256"].as_str().unwrap(), sha256sum(&der), "{what}");
                compared += 1;
            }
        }
    }
    compared
}

#[test]
fn dual_chain_hosts_show_both_chains() {
    for name in ["mx.dual-ec-pinned.example", "mx.dual-rsa-pinned.example"] {
        let (code, stdout) = geleit(&["probe", name, "--json"]);
        assert_eq!(code, 0, "{stdout}");
        let report: Value = serde_json::from_str(&stdout).unwrap();
        let probes = report["addresses"][0]["probes"].as_array().unwrap();
        let leaves: BTreeSet<&str> =
            probes.iter().map(|p| p["report"]["tls"]["chain"][0]["sha256"].as_str().unwrap()).collect();
        assert_eq!(leaves.len(), 2, "{name}: expected two different leaves, found {leaves:?}");
    }
}

#[test]
fn public_only_with_the_lab_range() {
    let (code, stdout) = geleit(&["probe", "mx.ee-spki.example", "--public-only"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "mx.ee-spki.example port 25 (starttls)\n127.0.1.1: FAILED\n  refused by policy: expected a public unicast \
         address, found 127.0.1.1 in 127.0.0.0/8 (loopback, RFC 1122)\n"
    );
    let (code, stdout) = geleit(&["probe", "mx.ee-spki.example", "--public-only", "--allow-range", "127.0.1.0/24"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.starts_with("mx.ee-spki.example port 25 (starttls)\n127.0.1.1: ok\n  ecdsa: TLSv1."), "{stdout}");
}
