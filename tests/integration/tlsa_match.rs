//! `geleit tlsa match` against OpenSSL's DANE client: for each fresh chain,
//! `openssl s_server` serves it on loopback and `openssl s_client
//! -dane_tlsa_domain -dane_tlsa_rrdata` gives the oracle verdict for the same
//! record sets and reference name.
//!
//! OpenSSL name-checks DANE-EE(3) by default; RFC 7672 §3.1.1 says not to, so
//! the oracle runs with `-dane_ee_no_namechecks` (as Postfix does).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use common::{HOSTILE_SHOWN, Server, TempDir, assert_no_terminal_controls, geleit, hostile_cert, s_client};
use geleit_test_support::certs::{HOSTILE_CN, HOSTILE_O};
use geleit_test_support::openssl::{Alg, Made, Spec, cert, chain_file, openssl_association, tool_text};

const MX: &str = "mx.example.com";

fn rr(dir: &TempDir, c: &Made, u: u8, s: u8, m: u8) -> String {
    format!("{u} {s} {m} {}", openssl_association(dir.path(), &c.cert, s, m))
}

fn rfc3339(dir: &TempDir, t: i64) -> String {
    tool_text(dir.path(), "date", &["-u", "-d", &format!("@{t}"), "+%Y-%m-%dT%H:%M:%SZ"]).trim().to_owned()
}

struct Case {
    records: Vec<String>,
    name: &'static str,
    /// The expected verdict, asserted for both tools (so a case cannot pass by both being wrong the same way).
    authenticated: bool,
}

fn case(records: Vec<String>, name: &'static str, authenticated: bool) -> Case {
    Case { records, name, authenticated }
}

/// Serves `served` (leaf first) and checks every case with both tools.
fn agree(dir: &TempDir, served: &[&Made], cases: &[Case], attime: Option<i64>) {
    let server = Server::start(dir.path(), served[0], &served[1..]);
    let chain = chain_file(dir.path(), &format!("{}-served.pem", served[0].name), served);
    for (i, c) in cases.iter().enumerate() {
        let oracle = s_client(server.port, c.name, &c.records, attime);
        let mut args =
            vec!["tlsa".to_owned(), "match".into(), "--chain".into(), chain.to_str().unwrap().into(), "--json".into()];
        for r in &c.records {
            args.extend(["--tlsa".into(), r.clone()]);
        }
        args.extend(["--name".into(), c.name.into()]);
        if let Some(t) = attime {
            args.extend(["--at".into(), rfc3339(dir, t)]);
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = geleit(&argv);
        let what = format!("case {i} ({}): {:?}", served[0].name, c.records);
        assert_eq!(oracle.authenticated, c.authenticated, "openssl, {what}");
        assert_eq!(run.code, if c.authenticated { 0 } else { 1 }, "geleit, {what}: {}{}", run.stdout, run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(v["authenticated"], c.authenticated, "{what}");
        if let Some(depth) = oracle.depth.filter(|_| c.authenticated) {
            let depths: Vec<u64> =
                v["matched"].as_array().unwrap().iter().map(|m| m["depth"].as_u64().unwrap()).collect();
            assert!(depths.contains(&(depth as u64)), "{what}: openssl matched at depth {depth}, geleit at {depths:?}");
        }
    }
}

fn flip(record: &str) -> String {
    let mut s = record.to_owned();
    let last = s.pop().unwrap();
    s.push(if last == '0' { '1' } else { '0' });
    s
}

#[test]
fn three_level_chain_sent_whole() {
    let dir = TempDir::new("match-a");
    let d = dir.path();
    let root = cert(d, &Spec::ca("root-a", Alg::Rsa(2048)), None);
    let inter = cert(d, &Spec::ca("inter-a", Alg::P256), Some(&root));
    let leaf = cert(d, &Spec::leaf("leaf-a", Alg::P384, &[MX]), Some(&inter));
    let r = |c: &Made, u, s, m| rr(&dir, c, u, s, m);
    let cases = [
        case(vec![r(&leaf, 3, 1, 1)], MX, true),
        case(vec![r(&leaf, 3, 0, 2)], MX, true),
        case(vec![r(&leaf, 3, 0, 0)], MX, true),
        case(vec![r(&leaf, 3, 1, 1)], "other.example.net", true),
        case(vec![r(&inter, 2, 1, 1)], MX, true),
        case(vec![r(&root, 2, 0, 1)], MX, true),
        case(vec![r(&root, 2, 1, 2)], "other.example.net", false),
        case(vec![r(&inter, 3, 1, 1)], MX, false),
        case(vec![r(&leaf, 2, 1, 1)], MX, false),
        case(vec![flip(&r(&leaf, 3, 1, 1))], MX, false),
        case(vec![flip(&r(&leaf, 3, 1, 1)), r(&inter, 2, 1, 1)], MX, true),
        case(vec![r(&leaf, 1, 1, 1)], MX, false),
    ];
    agree(&dir, &[&leaf, &inter, &root], &cases, None);
}

#[test]
fn anchor_not_sent_and_wildcards() {
    let dir = TempDir::new("match-b");
    let d = dir.path();
    let root = cert(d, &Spec::ca("root-b", Alg::Ed25519), None);
    let inter = cert(d, &Spec::ca("inter-b", Alg::Rsa(2048)), Some(&root));
    let leaf = cert(d, &Spec::leaf("leaf-b", Alg::Ed25519, &["*.example.com"]), Some(&inter));
    let r = |c: &Made, u, s, m| rr(&dir, c, u, s, m);
    let cases = [
        case(vec![r(&root, 2, 1, 0)], MX, true),
        case(vec![r(&root, 2, 0, 0)], MX, true),
        case(vec![r(&root, 2, 1, 1)], MX, false),
        case(vec![r(&inter, 2, 1, 1)], MX, true),
        case(vec![r(&inter, 2, 1, 1)], "a.mx.example.com", false),
        case(vec![r(&inter, 2, 1, 1)], "example.com", false),
    ];
    agree(&dir, &[&leaf, &inter], &cases, None);
}

#[test]
fn common_name_fallback_and_missing_intermediate() {
    let dir = TempDir::new("match-c");
    let d = dir.path();
    let root = cert(d, &Spec::ca("root-c", Alg::P384), None);
    let mut spec = Spec::leaf("leaf-c", Alg::P256, &[]);
    spec.cn = MX;
    let cn_leaf = cert(d, &spec, Some(&root));
    let r = |c: &Made, u, s, m| rr(&dir, c, u, s, m);
    agree(
        &dir,
        &[&cn_leaf, &root],
        &[case(vec![r(&root, 2, 1, 1)], MX, true), case(vec![r(&root, 2, 1, 1)], "mx2.example.com", false)],
        None,
    );

    let inter = cert(d, &Spec::ca("inter-c", Alg::P256), Some(&root));
    let leaf = cert(d, &Spec::leaf("leaf-c2", Alg::P256, &[MX]), Some(&inter));
    let cases = [case(vec![r(&root, 2, 1, 1)], MX, false), case(vec![r(&leaf, 3, 1, 1)], MX, true)];
    agree(&dir, &[&leaf, &root], &cases, None);
}

#[test]
fn expired_and_not_yet_valid_leaves() {
    let dir = TempDir::new("match-d");
    let d = dir.path();
    let mut root_spec = Spec::ca("root-d", Alg::P256);
    root_spec.dates = Some(("2019-01-01 00:00:00", "2045-01-01 00:00:00"));
    let root = cert(d, &root_spec, None);
    let r = |c: &Made, u, s, m| rr(&dir, c, u, s, m);
    for (name, dates) in [
        ("expired-d", ("2019-06-01 00:00:00", "2020-01-01 00:00:00")),
        ("future-d", ("2040-01-01 00:00:00", "2041-01-01 00:00:00")),
    ] {
        let mut spec = Spec::leaf(name, Alg::P256, &[MX]);
        spec.dates = Some(dates);
        let leaf = cert(d, &spec, Some(&root));
        // DANE-EE ignores validity dates (RFC 7672 §3.1.1); DANE-TA does not.
        let cases = [case(vec![r(&leaf, 3, 1, 1)], MX, true), case(vec![r(&root, 2, 1, 1)], MX, false)];
        agree(&dir, &[&leaf, &root], &cases, None);
    }

    // An expired root: anchoring there fails, anchoring at the valid intermediate works
    // (the root is then not on the path).
    let mut old_root = Spec::ca("old-root-d", Alg::P384);
    old_root.dates = Some(("2019-01-01 00:00:00", "2020-01-01 00:00:00"));
    let old_root = cert(d, &old_root, None);
    let mut inter = Spec::ca("inter-d", Alg::P256);
    inter.dates = Some(("2019-06-01 00:00:00", "2045-01-01 00:00:00"));
    let inter = cert(d, &inter, Some(&old_root));
    let leaf = cert(d, &Spec::leaf("leaf-d", Alg::P256, &[MX]), Some(&inter));
    let cases = [case(vec![r(&old_root, 2, 1, 1)], MX, false), case(vec![r(&inter, 2, 1, 1)], MX, true)];
    agree(&dir, &[&leaf, &inter, &old_root], &cases, None);
}

#[test]
fn look_ahead_agrees_with_openssl_attime() {
    let dir = TempDir::new("match-e");
    let d = dir.path();
    let mut root_spec = Spec::ca("root-e", Alg::P256);
    root_spec.dates = Some(("2019-01-01 00:00:00", "2045-01-01 00:00:00"));
    let root = cert(d, &root_spec, None);
    let mut spec = Spec::leaf("leaf-e", Alg::Ed25519, &[MX]);
    spec.dates = Some(("2020-01-01 00:00:00", "2031-01-01 00:00:00"));
    let leaf = cert(d, &spec, Some(&root));
    let ta = rr(&dir, &root, 2, 1, 1);
    let ee = rr(&dir, &leaf, 3, 1, 1);
    let at: i64 = 1_922_227_200; // 2030-12-01T00:00:00Z
    let day = 86_400;
    // The look-ahead answer must equal a plain check at the later moment, which openssl -attime confirms.
    agree(
        &dir,
        &[&leaf, &root],
        &[case(vec![ta.clone()], MX, true), case(vec![ee.clone()], MX, true)],
        Some(at + 20 * day),
    );
    agree(
        &dir,
        &[&leaf, &root],
        &[case(vec![ta.clone()], MX, false), case(vec![ee.clone()], MX, true)],
        Some(at + 40 * day),
    );

    let chain = chain_file(d, "e.pem", &[&leaf, &root]);
    let c = chain.to_str().unwrap();
    let ahead = |rec: &str, days: &str| {
        let run = geleit([
            "tlsa",
            "match",
            "--chain",
            c,
            "--tlsa",
            rec,
            "--name",
            MX,
            "--at",
            "2030-12-01T00:00:00Z",
            "--days",
            days,
            "--json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()
    };
    let v = ahead(&ta, "20");
    assert_eq!(v["look_ahead"]["authenticated"], true);
    assert_eq!(v["expiry"]["not_after"], 1_924_992_000); // 2031-01-01
    assert_eq!(v["expiry"]["depth"], 0);
    assert_eq!(ahead(&ta, "40")["look_ahead"]["authenticated"], false);
    let v = ahead(&ee, "4000");
    assert_eq!(v["look_ahead"]["authenticated"], true);
    assert_eq!(v["expiry"], serde_json::Value::Null);

    // Human output says the same.
    let run = geleit([
        "tlsa",
        "match",
        "--chain",
        c,
        "--tlsa",
        &ta,
        "--name",
        MX,
        "--at",
        "2030-12-01T00:00:00Z",
        "--days",
        "40",
    ]);
    assert_eq!(run.code, 0);
    let tail: Vec<&str> = run.stdout.lines().rev().take(3).collect();
    assert_eq!(
        tail,
        [
            "verdict: authenticated",
            "in 40 days (2031-01-10T00:00:00Z): not authenticated",
            "expires: 2031-01-01T00:00:00Z (depth 0, CN=leaf-e): DANE-TA authentication ends then",
        ]
    );
}

#[test]
fn records_from_a_file_and_input_errors() {
    let dir = TempDir::new("match-f");
    let d = dir.path();
    let leaf = cert(d, &Spec::leaf("leaf-f", Alg::P256, &[MX]), None);
    let c = leaf.cert.to_str().unwrap();
    let ee = rr(&dir, &leaf, 3, 1, 1);
    let file = d.join("tlsa.txt");
    std::fs::write(
        &file,
        format!(
            "; published records\n_25._tcp.{MX}. 3600 IN TLSA 1 1 1 {}\n\n_25._tcp.{MX}. 3600 IN TLSA {ee}\n",
            &ee[6..]
        ),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let run = geleit(["tlsa", "match", "--chain", c, "--tlsa-file", f, "--name", MX, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["matched"], serde_json::json!([{ "record": ee, "index": 1, "depth": 0 }]));
    assert_eq!(v["records"][0]["usable"], false);
    assert_eq!(
        v["records"][0]["reason"],
        "usage 1 (PKIX-EE) relies on public CAs, which SMTP clients do not use; expected DANE-TA(2) or DANE-EE(3) (RFC 7672 §3.1.3)"
    );
    assert_eq!(v["records"][1]["usable"], true);
    assert_eq!(v["records"][1]["reason"], serde_json::Value::Null);

    // Only unusable records: exit 1, and the verdict says TLS is still mandatory.
    let pkix = format!("1 1 1 {}", &ee[6..]);
    let run = geleit(["tlsa", "match", "--chain", c, "--tlsa", &pkix, "--name", MX]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.ends_with("verdict: no usable TLSA records (TLS still mandatory, unauthenticated; RFC 7672 §2.2)\n"),
        "{}",
        run.stdout
    );

    let run = geleit(["tlsa", "match", "--chain", c, "--tlsa", "3 1 1 abc", "--name", MX]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "geleit: --tlsa #1: line 1, column 7, token 4: expected an even number of hex digits in certificate association data, found 3\n"
    );
    let run = geleit(["tlsa", "match", "--chain", c, "--tlsa", &ee, "--name", "bad name"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "geleit: expected a host name as reference name (letters, digits, hyphens; labels of 1 to 63), found \"bad name\"\n"
        )
    );
    let run = geleit(["tlsa", "match", "--chain", c, "--tlsa", &ee, "--name", MX, "--at", "yesterday"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("geleit: --at: expected an RFC 3339 time such as 2030-01-01T00:00:00Z, found \"yesterday\""),
        "{}",
        run.stderr
    );
    let run = geleit(["tlsa", "match", "--chain", c, "--name", MX]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (2, "geleit: expected at least one TLSA record (--tlsa or --tlsa-file), found none\n")
    );
    let run = geleit(["tlsa", "match", "--chain", leaf.key.to_str().unwrap(), "--tlsa", &ee, "--name", MX]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("found only a private key"), "{}", run.stderr);
}

#[test]
fn rsa_pss_signatures() {
    let dir = TempDir::new("match-pss");
    let d = dir.path();
    let root = cert(d, &Spec::ca("root-pss", Alg::Rsa(2048)), None);
    let r = |c: &Made, u, s, m| rr(&dir, c, u, s, m);
    for (name, digest) in [("leaf-pss256", "-sha256"), ("leaf-pss384", "-sha384")] {
        let sign = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest", digest];
        let leaf = cert(d, &Spec { sign: &sign, ..Spec::leaf(name, Alg::P256, &[MX]) }, Some(&root));
        let text = tool_text(d, "openssl", &["x509", "-in", leaf.cert.to_str().unwrap(), "-noout", "-text"]);
        assert!(text.contains("Signature Algorithm: rsassaPss"), "{text}");
        agree(&dir, &[&leaf, &root], &[case(vec![r(&root, 2, 1, 1)], MX, true)], None);
    }
}

#[test]
fn terminal_escapes_in_certificate_names_are_shown_escaped() {
    let dir = TempDir::new("match-hostile");
    let chain = dir.join("hostile.pem");
    std::fs::write(&chain, hostile_cert().0).unwrap();
    let c = chain.to_str().unwrap();
    let zero = format!("3 1 1 {}", "0".repeat(64));
    let run = geleit(["tlsa", "match", "--chain", c, "--tlsa", &zero, "--name", MX]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    assert_no_terminal_controls("stdout", &run.stdout);
    let line = run.stdout.lines().find(|l| l.starts_with("  depth 0: ")).unwrap_or_default();
    assert!(line.starts_with(&format!("  depth 0: {HOSTILE_SHOWN} (issuer {HOSTILE_SHOWN}; valid ")), "{line}");

    // JSON carries the names unchanged, with every control as a \u escape.
    let run = geleit(["tlsa", "match", "--chain", c, "--tlsa", &zero, "--name", MX, "--json"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    assert_no_terminal_controls("JSON", &run.stdout);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let raw = format!("O={HOSTILE_O}, CN={HOSTILE_CN}");
    assert_eq!(
        (v["chain"][0]["subject"].as_str(), v["chain"][0]["issuer"].as_str()),
        (Some(raw.as_str()), Some(raw.as_str()))
    );
}

#[test]
fn closed_stdout_ends_quietly_with_the_verdict_as_exit_code() {
    let dir = TempDir::new("match-pipe");
    let leaf = cert(dir.path(), &Spec::leaf("leaf-pipe", Alg::P256, &[MX]), None);
    let zero = format!("3 1 1 {}", "0".repeat(64));
    let ee = rr(&dir, &leaf, 3, 1, 1);
    for (record, code) in [(&ee, 0), (&zero, 1)] {
        // The chain comes on standard input, after standard output has closed.
        let args = ["tlsa", "match", "--chain", "-", "--tlsa", record, "--name", MX];
        let run = common::geleit_closed_stdout(args, leaf.pem().as_bytes());
        assert_eq!((run.code, run.stderr.as_str()), (code, ""), "{record}");
    }
}
