//! `geleit guard` (issue 15): before a renewed certificate goes live, the
//! guard looks up the live TLSA records with Geleit's own DNSSEC validation
//! and says whether the new chain authenticates under them. A signed world
//! (geleit-test-support) is served by a local DoH server; certificates and
//! keys are made fresh (the support crate's rcgen builders), their records
//! computed by openssl.
//!
//! The certbot hook script (scripts/hooks/geleit-certbot-hook) runs here the
//! way certbot runs it: `RENEWED_LINEAGE` names a lineage directory with
//! `fullchain.pem` and `privkey.pem`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use geleit_test_support::certs::{self, Cert, Key, Spec};
use geleit_test_support::openssl::openssl_digest;
use geleit_test_support::zone::{KeyAlg, ZoneSpec};
use geleit_test_support::{NOW, World, doh};
use hickory_proto::rr::RecordType;

use common::{Run, TempDir, geleit};

const DAY: i64 = 86_400;

/// A certificate authority of the test.
type Ca = Cert;

fn ca(cn: &str) -> Ca {
    Spec::ca(cn).years(2026, 2030).self_signed()
}

/// A leaf for `names` under `ca` with `key` (PEM), valid from `from` to `until` (y, m, d).
fn leaf_with(ca: &Ca, names: &[&str], key: &str, from: (i32, u8, u8), until: (i32, u8, u8)) -> String {
    let cn = names.first().copied().unwrap_or("leaf");
    Spec::leaf(cn, names).valid(from, until).make_with(Some(ca), &Key::from_pem(key)).pem
}

/// A leaf valid around NOW (2027-01-15): 2026-12-15 to 2027-03-15.
fn leaf(ca: &Ca, names: &[&str], key: &str) -> String {
    leaf_with(ca, names, key, (2026, 12, 15), (2027, 3, 15))
}

fn new_key() -> String {
    Key::new(certs::KeyAlg::P256).pem
}

fn spki_of(key: &str) -> Vec<u8> {
    Key::from_pem(key).spki
}

/// `u 1 1 <SHA-256 of the SPKI>`, the digest made by openssl.
fn record(usage: u8, spki: &[u8]) -> String {
    let dir = TempDir::new("guard-digest");
    format!("{usage} 1 1 {}", openssl_digest(dir.path(), spki, "sha256"))
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

/// The keys, CAs and the signed world they are pinned in.
struct Fixture {
    world: World,
    /// The key `3 1 1` at `_25._tcp.mx.guard.example.` pins (the live key).
    live_key: String,
    /// R10 (pinned by `2 1 1` at `_25._tcp.mx-ta.guard.example.`) and R11.
    r10: Ca,
    r11: Ca,
    live_record: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let live_key = new_key();
        let r10 = ca("R10");
        let r11 = ca("R11");
        let live_record = record(3, &spki_of(&live_key));
        let ee = unhex(live_record.rsplit(' ').next().unwrap());
        let ta = unhex(record(2, &r10.spki).rsplit(' ').next().unwrap());
        let zone = ZoneSpec::signed("guard.example.", KeyAlg::P256)
            .mx("@", 10, "mx")
            .a("mx", "192.0.2.1")
            .tlsa("mx", 3, 1, 1, &ee)
            // A second MX host with the same key: one certificate for both.
            .mx("@", 20, "mx2")
            .a("mx2", "192.0.2.2")
            .tlsa("mx2", 3, 1, 1, &ee)
            // DANE-TA: the intermediate R10 pinned.
            .mx("ta", 10, "mx-ta")
            .a("mx-ta", "192.0.2.3")
            .tlsa("mx-ta", 2, 1, 1, &ta)
            // Re-signing stopped: the TLSA signatures expired yesterday.
            .mx("stale", 10, "mx-stale")
            .a("mx-stale", "192.0.2.4")
            .tlsa("mx-stale", 3, 1, 1, &ee)
            .window_of("_25._tcp.mx-stale", RecordType::TLSA, (-30 * DAY, -DAY))
            // No TLSA records at all.
            .mx("plain", 10, "mx-plain")
            .a("mx-plain", "192.0.2.5");
        let unsigned =
            ZoneSpec::unsigned("unsigned.example.").mx("@", 10, "mx").a("mx", "192.0.2.6").tlsa("mx", 3, 1, 1, &ee);
        let world = World::build(
            vec![ZoneSpec::signed(".", KeyAlg::P256), ZoneSpec::signed("example.", KeyAlg::P256), zone, unsigned],
            NOW,
        );
        Fixture { world, live_key, r10, r11, live_record }
    })
}

/// A DoH server over the world; `age` seconds are taken off every TTL, as
/// a caching resolver does (TTLs are not signed, RFC 4034 §3.1.4).
fn serve(age: u32) -> String {
    let w = &fixture().world;
    doh::serve(move |qname, qtype, _| {
        let rtype: RecordType = qtype.parse().ok()?;
        let mut resp = w.answer(&geleit_test_support::zone::name(qname), rtype);
        for r in resp.answers.iter_mut().chain(resp.authorities.iter_mut()) {
            r.ttl = r.ttl.saturating_sub(age);
        }
        Some(resp.to_wire())
    })
}

fn url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| serve(0))
}

/// The trust anchor file of the world, written once.
fn anchor() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("geleit-guard-anchor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("anchor.ds");
        std::fs::write(&path, &fixture().world.anchor).unwrap();
        path
    })
}

/// `geleit guard FILE ARGS --doh URL --trust-anchor FILE --at NOW`.
fn guard_at(doh: &str, file: &Path, args: &[&str]) -> Run {
    let at = NOW.to_string();
    let mut all = vec!["guard", file.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend(["--doh", doh, "--trust-anchor", anchor().to_str().unwrap(), "--at", &at]);
    geleit(&all)
}

fn guard(file: &Path, args: &[&str]) -> Run {
    guard_at(url(), file, args)
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// fullchain.pem of a renewal under R10: same key or a new one.
fn renewed(dir: &TempDir, key: &str, names: &[&str]) -> PathBuf {
    let f = fixture();
    write(dir, "fullchain.pem", &format!("{}{}", leaf(&f.r10, names, key), f.r10.pem))
}

const MX: &[&str] = &["mx.guard.example"];

#[test]
fn renewal_with_the_same_key_is_safe() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let chain = renewed(&dir, &f.live_key, MX);
    let run = guard(&chain, &["--host", "mx.guard.example"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
    let rec = &f.live_record;
    assert_eq!(
        run.stdout,
        format!(
            "new certificate: CN=mx.guard.example, issued by CN=R10
  names: mx.guard.example
  valid until 2027-03-15T00:00:00Z
  key ECDSA P-256; its DANE-EE record: {rec}
mx.guard.example.: safe
  TLSA at _25._tcp.mx.guard.example. (secure, TTL 3600 s):
    {rec}
  authenticates: `{rec}`: DANE-EE(3) matches the server's public key (SPKI) at depth 0; names and validity dates are not checked (RFC 7672 §3.1.1)
verdict: safe to deploy: the new certificate authenticates under the published TLSA records
"
        )
    );
}

#[test]
fn renewal_with_a_new_key_is_refused_with_the_record_to_publish_the_ttl_and_the_steps() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let key = new_key();
    let chain = renewed(&dir, &key, MX);
    let run = guard(&chain, &["--host", "mx.guard.example"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let (old, new) = (&f.live_record, record(3, &spki_of(&key)));
    let owner = "_25._tcp.mx.guard.example.";
    assert_eq!(
        run.stdout,
        format!(
            "new certificate: CN=mx.guard.example, issued by CN=R10
  names: mx.guard.example
  valid until 2027-03-15T00:00:00Z
  key ECDSA P-256; its DANE-EE record: {new}
mx.guard.example.: BREAKS
  TLSA at {owner} (secure, TTL 3600 s):
    {old}
  does not authenticate: `{old}`: DANE-EE(3) does not match the server's certificate (depth 0)
  publish now:
    {owner} 3600 IN TLSA {new}
  then, in this order (RFC 7671 §8.1):
    1. publish `{owner} IN TLSA {new}` at {owner}, next to the current records (keep those: the old certificate is still live)
    2. wait until the new records have been visible for the TLSA TTL, 1 h (3600 s): caches may hold the old RRset that long; then run the guard again, which says safe once the new records are live and validated
    3. deploy the new certificate (reload Postfix or Exim)
    4. once every MX host serves the new certificate, remove the records that pin the old one: `{old}`
verdict: do NOT deploy yet: the new certificate does not authenticate under the published TLSA records, and DANE-aware senders would defer mail
"
        )
    );
}

#[test]
fn the_wait_is_the_zone_ttl_even_when_the_resolver_counted_it_down() {
    let dir = TempDir::new("guard");
    let chain = renewed(&dir, &new_key(), MX);
    let aged = serve(3000);
    let run = guard_at(&aged, &chain, &["--host", "mx.guard.example", "--json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["hosts"][0]["ttl"], 3600, "the RRSIG's original TTL, not the 600 s left in the cache");
    assert_eq!(v["hosts"][0]["wait_seconds"], 3600);
}

#[test]
fn json_says_the_decision_per_host() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let key = new_key();
    let chain = renewed(&dir, &key, &["mx.guard.example", "mx2.guard.example"]);
    let run = guard(&chain, &["--domain", "guard.example", "--json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["verdict"], "breaks");
    assert_eq!(v["now"], NOW);
    assert_eq!(v["candidate"]["record"], record(3, &spki_of(&key)));
    let hosts = v["hosts"].as_array().unwrap();
    let names: Vec<&str> = hosts.iter().map(|h| h["host"].as_str().unwrap()).collect();
    assert_eq!(names, ["mx.guard.example.", "mx2.guard.example."], "the MX hosts the certificate names");
    for h in hosts {
        assert_eq!(h["decision"], "breaks");
        assert_eq!(h["tlsa_status"], "secure");
        assert_eq!(h["records"], serde_json::json!([f.live_record]));
        assert_eq!(h["publish"], serde_json::json!([record(3, &spki_of(&key))]));
        assert_eq!(h["remove_after"], serde_json::json!([f.live_record]));
        assert_eq!(h["steps"].as_array().map(Vec::len), Some(4));
    }
}

#[test]
fn the_domain_s_mx_hosts_named_by_the_certificate_are_checked() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let chain = renewed(&dir, &f.live_key, MX);
    let run = guard(&chain, &["--domain", "guard.example"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("mx.guard.example.: safe\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("mx2.guard.example."), "mx2 is not named by the certificate: {}", run.stdout);
}

#[test]
fn a_rotated_intermediate_under_dane_ta_needs_the_new_issuer_s_record() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let key = new_key();
    let names = &["mx-ta.guard.example"];
    let same = write(&dir, "r10.pem", &format!("{}{}", leaf(&f.r10, names, &key), f.r10.pem));
    let run = guard(&same, &["--host", "mx-ta.guard.example"]);
    assert_eq!(run.code, 0, "a new key under the pinned R10 is fine: {}{}", run.stdout, run.stderr);
    let rotated = write(&dir, "r11.pem", &format!("{}{}", leaf(&f.r11, names, &key), f.r11.pem));
    let run = guard(&rotated, &["--host", "mx-ta.guard.example"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let owner = "_25._tcp.mx-ta.guard.example.";
    let publish = format!(
        "  publish now:\n    {owner} 3600 IN TLSA {}\n    {owner} 3600 IN TLSA {}\n",
        record(3, &spki_of(&key)),
        record(2, &f.r11.spki)
    );
    assert!(run.stdout.contains(&publish), "{}", run.stdout);
}

#[test]
fn a_public_key_or_csr_is_judged_against_dane_ee_spki_records() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let pubkey = write(&dir, "live.pub", &Key::from_pem(&f.live_key).public_pem);
    let run = guard(&pubkey, &["--host", "mx.guard.example"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("new key: from a public key\n"), "{}", run.stdout);
    let request = Spec::leaf("mx.guard.example", &["mx.guard.example"]).request();
    let csr = write(&dir, "next.csr", &request.pem);
    let run = guard(&csr, &["--host", "mx.guard.example"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&format!("IN TLSA {}\n", record(3, &request.spki))), "{}", run.stdout);
    // DANE-TA depends on a chain a key does not have.
    let run = guard(&csr, &["--host", "mx-ta.guard.example"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("  cannot decide: the TLSA records at _25._tcp.mx-ta.guard.example. include DANE-TA(2) records"),
        "{}",
        run.stdout
    );
    // A key names no hosts.
    let run = guard(&csr, &["--domain", "guard.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "geleit: expected the MX host names the certificate serves, found none: a certificate request carries no host names, so name the hosts\n"
        )
    );
}

#[test]
fn dnssec_that_does_not_validate_or_is_missing_is_never_safe() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let chain = write(
        &dir,
        "fullchain.pem",
        &format!("{}{}", leaf(&f.r10, &["mx-stale.guard.example", "mx.unsigned.example"], &f.live_key), f.r10.pem),
    );
    let run = guard(&chain, &["--host", "mx-stale.guard.example"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let expected = format!(
        "mx-stale.guard.example.: undecided
  TLSA at _25._tcp.mx-stale.guard.example. (bogus):
    {}
  cannot decide: the TLSA lookup at _25._tcp.mx-stale.guard.example. is bogus: RRSIG over TLSA at _25._tcp.mx-stale.guard.example. (key tag ",
        f.live_record
    );
    assert!(run.stdout.contains(&expected), "{}", run.stdout);
    assert!(run.stdout.contains(") expired on 2027-01-14 08:00:00 UTC (EDE 7 Signature Expired)\n"), "{}", run.stdout);
    assert!(run.stdout.ends_with("verdict: could not decide: do not deploy until the guard can check every host\n"));
    let run = guard(&chain, &["--host", "mx.unsigned.example"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("are not DNSSEC-signed"), "{}", run.stdout);
}

#[test]
fn a_host_without_tlsa_records_has_no_dane_to_break() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let chain = renewed(&dir, &new_key(), &["mx-plain.guard.example"]);
    let run = guard(&chain, &["--host", "mx-plain.guard.example"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("  no DANE to break: DNSSEC proves there are no TLSA records at _25._tcp.mx-plain.guard.example.: DANE does not apply, any certificate keeps working (RFC 7672 §2.2.2)\n"), "{}", run.stdout);
    let _ = f;
}

#[test]
fn unreachable_dns_is_exit_2_never_safe() {
    let dir = TempDir::new("guard");
    let chain = renewed(&dir, &fixture().live_key, MX);
    let down = doh::serve_replies(|_, _, _| doh::Reply::Status(503, "Service Unavailable"));
    let run = guard_at(&down, &chain, &["--host", "mx.guard.example"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with("geleit: cannot decide: the DNS resolver could not be reached ("), "{}", run.stderr);
}

#[test]
fn bad_input_is_exit_2_with_a_clear_message() {
    let f = fixture();
    let dir = TempDir::new("guard");
    let missing = dir.join("missing.pem");
    let run = guard(&missing, &["--host", "mx.guard.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.clone()),
        (2, "", format!("geleit: reading {}: No such file or directory (os error 2)\n", missing.display()))
    );
    let privkey = write(&dir, "privkey.pem", &f.live_key);
    let run = guard(&privkey, &["--host", "mx.guard.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.clone()),
        (
            2,
            "",
            format!(
                "geleit: {}: expected a certificate, public key or certificate request, found only a private key (refused and not read)\n",
                privkey.display()
            )
        )
    );
    let expired = write(
        &dir,
        "expired.pem",
        &format!("{}{}", leaf_with(&f.r10, MX, &f.live_key, (2026, 1, 1), (2027, 1, 1)), f.r10.pem),
    );
    let run = guard(&expired, &["--host", "mx.guard.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.clone()),
        (
            2,
            "",
            format!(
                "geleit: {}: expected a certificate chain that is valid now (2027-01-15 08:00:00 UTC), found the certificate at depth 0 (CN=mx.guard.example) expired at 2027-01-01 00:00:00 UTC\n",
                expired.display()
            )
        )
    );
    let chain = renewed(&dir, &f.live_key, MX);
    let run = guard(&chain, &["--domain", "nothing.guard.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "geleit: expected nothing.guard.example. to have MX hosts, found that the domain does not exist (NXDOMAIN)\n"
        )
    );
    let run = guard(&chain, &["--domain", "guard.example", "--host", "mx-ta.guard.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "geleit: expected an MX host of guard.example. (mx.guard.example, mx2.guard.example), found mx-ta.guard.example\n"
        )
    );
    let run = guard(&chain, &["--domain", "ta.guard.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "geleit: expected the certificate to name an MX host of ta.guard.example. (mx-ta.guard.example), found the names mx.guard.example\n"
        )
    );
    let run = guard(&chain, &[]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "geleit: expected the MX hosts the certificate serves (--host HOST, repeatable) or the mail domain (--domain DOMAIN), found neither\n"
        )
    );
}

// ── the certbot hook ────────────────────────────────────────────────────

/// scripts/hooks/geleit-certbot-hook.
fn hook_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/hooks/geleit-certbot-hook")
}

/// Runs the hook as certbot's `--deploy-hook` does: `RENEWED_LINEAGE` and
/// `RENEWED_DOMAINS` in the environment, the rest of the set-up in the
/// hook's own variables. Returns the run and the installed files' contents.
fn run_hook(lineage: &Path, install: &Path, extra: &[(&str, &str)]) -> Run {
    let at = NOW.to_string();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_geleit"));
    let reload_log = install.join("reloads");
    let mut cmd = Command::new(hook_script());
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RENEWED_LINEAGE", lineage)
        .env("RENEWED_DOMAINS", "mx.guard.example")
        .env("GELEIT", &bin)
        .env("GELEIT_DOH", url())
        .env("GELEIT_TRUST_ANCHOR", anchor())
        .env("GELEIT_GUARD_ARGS", format!("--at {at}"))
        .env("GELEIT_HOOK_HOSTS", "mx.guard.example")
        .env("GELEIT_HOOK_INSTALL_DIR", install)
        .env("GELEIT_HOOK_RELOAD", format!("echo reloaded >> {}", reload_log.display()));
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A certbot lineage directory: fullchain.pem, cert.pem, chain.pem, privkey.pem.
fn lineage(dir: &TempDir, key: &str) -> PathBuf {
    let f = fixture();
    let live = dir.join("live/mx.guard.example");
    std::fs::create_dir_all(&live).unwrap();
    let cert = leaf(&f.r10, MX, key);
    std::fs::write(live.join("cert.pem"), &cert).unwrap();
    std::fs::write(live.join("chain.pem"), &f.r10.pem).unwrap();
    std::fs::write(live.join("fullchain.pem"), format!("{cert}{}", f.r10.pem)).unwrap();
    std::fs::write(live.join("privkey.pem"), key).unwrap();
    live
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn certbot_hook_installs_a_renewal_that_keeps_the_pinned_key() {
    let f = fixture();
    let dir = TempDir::new("hook");
    let live = lineage(&dir, &f.live_key);
    let install = dir.join("postfix");
    std::fs::create_dir_all(&install).unwrap();
    let run = run_hook(&live, &install, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&install.join("fullchain.pem")), read(&live.join("fullchain.pem")));
    assert_eq!(read(&install.join("privkey.pem")), f.live_key);
    assert_eq!(read(&install.join("reloads")), "reloaded\n");
    assert!(run.stdout.contains("verdict: safe to deploy"), "{}", run.stdout);
    assert!(run.stderr.contains("geleit-certbot-hook: installed the new certificate"), "{}", run.stderr);
    // Run again (from cron): nothing new, nothing reloaded.
    let run = run_hook(&live, &install, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&install.join("reloads")), "reloaded\n");
    assert!(run.stderr.contains("already installed"), "{}", run.stderr);
}

#[test]
fn certbot_hook_keeps_the_old_certificate_when_the_new_key_is_not_published() {
    let f = fixture();
    let dir = TempDir::new("hook");
    let install = dir.join("postfix");
    std::fs::create_dir_all(&install).unwrap();
    std::fs::write(install.join("fullchain.pem"), "old chain\n").unwrap();
    std::fs::write(install.join("privkey.pem"), "old key\n").unwrap();
    let key = new_key();
    let live = lineage(&dir, &key);
    let run = run_hook(&live, &install, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(&install.join("fullchain.pem")), "old chain\n", "the old certificate stays live");
    assert_eq!(read(&install.join("privkey.pem")), "old key\n");
    assert_eq!(read(&install.join("reloads")), "", "nothing reloaded");
    let owner = "_25._tcp.mx.guard.example.";
    assert!(
        run.stdout.contains(&format!("    {owner} 3600 IN TLSA {}\n", record(3, &spki_of(&key)))),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "geleit-certbot-hook: NOT installed: publish the record(s) above, wait the TTL, then run this hook again"
        ),
        "{}",
        run.stderr
    );
    let _ = f;
}

#[test]
fn certbot_hook_refuses_an_unusable_lineage() {
    let dir = TempDir::new("hook");
    let install = dir.join("postfix");
    std::fs::create_dir_all(&install).unwrap();
    let run = run_hook(&dir.join("nowhere"), &install, &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("geleit-certbot-hook: no fullchain.pem in"), "{}", run.stderr);
    let live = lineage(&dir, &fixture().live_key);
    let run = run_hook(&live, &install, &[("GELEIT_HOOK_HOSTS", "")]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "geleit-certbot-hook: expected GELEIT_HOOK_HOSTS (the MX hosts this certificate serves) or GELEIT_HOOK_DOMAIN, found neither\n"
    );
    let run = run_hook(&live, &dir.join("no-such-dir"), &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("is not a directory"), "{}", run.stderr);
    assert!(!dir.join("no-such-dir").exists());
}

/// Runs the hook as certbot's `--pre-hook` does: no `RENEWED_LINEAGE`; the
/// lineage to look at comes from the hook's settings.
fn run_pre_hook(lineage: &Path) -> Run {
    let at = NOW.to_string();
    let out = Command::new(hook_script())
        .arg("pre")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GELEIT", env!("CARGO_BIN_EXE_geleit"))
        .env("GELEIT_DOH", url())
        .env("GELEIT_TRUST_ANCHOR", anchor())
        .env("GELEIT_GUARD_ARGS", format!("--at {at}"))
        .env("GELEIT_HOOK_HOSTS", "mx.guard.example,mx2.guard.example")
        .env("GELEIT_HOOK_LINEAGE", lineage)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn certbot_pre_hook_confirms_that_reuse_key_keeps_the_pinned_key() {
    let f = fixture();
    let dir = TempDir::new("hook");
    let run = run_pre_hook(&lineage(&dir, &f.live_key));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("new key: from a public key\n"), "{}", run.stdout);
    assert!(run.stdout.contains("mx2.guard.example.: safe\n"), "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "geleit-certbot-hook: the current key is pinned: a renewal with --reuse-key will be installed\n"
    );
    let other = TempDir::new("hook");
    let run = run_pre_hook(&lineage(&other, &new_key()));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "geleit-certbot-hook: the current key is NOT pinned: publish the record above before renewing\n"
    );
}
