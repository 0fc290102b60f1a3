//! Renewal day in the lab (issue 15), with real tools: BIND's signed
//! hierarchy and unbound's DoH for the live TLSA records, the lab's Postfix
//! serving the certificates, openssl making renewals and computing records,
//! posttls-finger as the oracle, and Debian's certbot renewing against a
//! local ACME server (Debian's pebble, `PEBBLE_VA_ALWAYS_VALID=1`: the lab
//! has no route for challenges, and none is needed to exercise the hook).
//!
//! - a renewal with a new key against `3 1 1`: `geleit guard` exit 1 and the record;
//! - a renewal keeping the key (certbot `--reuse-key`): exit 0;
//! - a DANE-TA `2 1 1` pinning a CA the new chain no longer uses: exit 1;
//! - a completed two-record rollover: `geleit rollover status` says remove-old, then done;
//! - `scripts/hooks/geleit-certbot-hook` as certbot's `--deploy-hook`, against Postfix;
//! - bad input: exit 2 with a clear message.
//!
//! Run inside the lab: `tests/lab/in cargo test -p geleit-cli --features lab --test guard_lab`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/lab.rs"]
mod lab;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, TempDir};

fn geleit_bin() -> &'static str {
    env!("CARGO_BIN_EXE_geleit")
}

fn to_run(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `geleit ARGS --doh <lab DoH> --trust-anchor <lab anchor>`.
fn geleit(args: &[&str]) -> Run {
    let env = lab::env();
    to_run(
        Command::new(geleit_bin())
            .args(args)
            .arg("--doh")
            .arg(&env.doh)
            .arg("--trust-anchor")
            .arg(&env.trust_anchor)
            .env_remove("GELEIT_DOH")
            .env_remove("GELEIT_TRUST_ANCHOR")
            .output()
            .unwrap(),
    )
}

/// `geleit ARGS` without resolver flags (commands that read no DNS).
fn geleit_offline(args: &[&str]) -> Run {
    to_run(Command::new(geleit_bin()).args(args).output().unwrap())
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A new ECDSA P-256 key (openssl).
fn new_key(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    openssl(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p(&key)]);
    key
}

/// SHA-256 of the DER SubjectPublicKeyInfo of `file` (a key, or with `cert`, a certificate), hex (openssl).
fn spki_sha256(file: &Path, cert: bool) -> String {
    let dir = TempDir::new("guard-lab-spki");
    let der = dir.join("spki.der");
    if cert {
        let pem = dir.join("pub.pem");
        std::fs::write(&pem, openssl(&["x509", "-in", p(file), "-pubkey", "-noout"])).unwrap();
        openssl(&["pkey", "-pubin", "-in", p(&pem), "-outform", "DER", "-out", p(&der)]);
    } else {
        openssl(&["pkey", "-in", p(file), "-pubout", "-outform", "DER", "-out", p(&der)]);
    }
    let out = openssl(&["dgst", "-sha256", "-r", p(&der)]);
    out.split_whitespace().next().unwrap().to_owned()
}

/// A self-signed leaf for `name` with `key`, valid now (openssl).
fn self_signed(dir: &Path, out: &str, key: &Path, name: &str) -> PathBuf {
    let pem = dir.join(out);
    openssl(&[
        "req",
        "-x509",
        "-key",
        p(key),
        "-out",
        p(&pem),
        "-days",
        "90",
        "-subj",
        &format!("/CN={name}"),
        "-addext",
        &format!("subjectAltName=DNS:{name}"),
    ]);
    pem
}

/// A leaf for `name` with `key` issued by `ca` (its key `ca_key`): leaf then CA, as fullchain.pem.
fn issued(dir: &Path, out: &str, key: &Path, name: &str, ca: &Path, ca_key: &Path) -> PathBuf {
    let csr = dir.join(format!("{out}.csr"));
    let ext = dir.join(format!("{out}.ext"));
    let leaf = dir.join(format!("{out}.leaf.pem"));
    openssl(&["req", "-new", "-key", p(key), "-out", p(&csr), "-subj", &format!("/CN={name}")]);
    std::fs::write(&ext, format!("subjectAltName=DNS:{name}\nbasicConstraints=critical,CA:FALSE\n")).unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        p(&csr),
        "-CA",
        p(ca),
        "-CAkey",
        p(ca_key),
        "-set_serial",
        "77",
        "-days",
        "90",
        "-extfile",
        p(&ext),
        "-out",
        p(&leaf),
    ]);
    let chain = dir.join(out);
    std::fs::write(&chain, std::fs::read_to_string(&leaf).unwrap() + &std::fs::read_to_string(ca).unwrap()).unwrap();
    chain
}

/// A new CA certificate and key (openssl): the CA the ACME provider moved to.
fn new_ca(dir: &Path, cn: &str) -> (PathBuf, PathBuf) {
    let key = new_key(dir, "ca2.key");
    let pem = dir.join("ca2.pem");
    openssl(&[
        "req",
        "-x509",
        "-key",
        p(&key),
        "-out",
        p(&pem),
        "-days",
        "365",
        "-subj",
        &format!("/CN={cn}"),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    (pem, key)
}

fn live_host(name: &str) -> lab::LiveHost {
    lab::live().hosts.remove(name).unwrap_or_else(|| panic!("{name}: not in live.json"))
}

/// The key file of the lab host's first chain (build.py: `<dir>/main.key`).
fn lab_key(host: &lab::LiveHost) -> PathBuf {
    Path::new(&host.dir).join("main.key")
}

// ── the guard against the lab's DNS ─────────────────────────────────────

#[test]
fn renewal_with_a_new_key_against_3_1_1_is_refused_with_the_record_to_publish() {
    let dir = TempDir::new("guard-lab");
    let key = new_key(dir.path(), "new.key");
    let chain = self_signed(dir.path(), "fullchain.pem", &key, "mx.ee-spki.example");
    let run = geleit(&["guard", p(&chain), "--host", "mx.ee-spki.example"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let live = live_host("mx.ee-spki.example.");
    let (old, new) = (&live.tlsa_rdata[0], spki_sha256(&key, false));
    assert!(run.stdout.contains("mx.ee-spki.example.: BREAKS\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "  publish now:\n    _25._tcp.mx.ee-spki.example. 3600 IN TLSA 3 1 1 {new}\n  then, in this order (RFC 7671 §8.1):\n"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!("remove the records that pin the old one: `{old}`")), "{}", run.stdout);
}

#[test]
fn renewal_keeping_the_key_is_safe() {
    let dir = TempDir::new("guard-lab");
    let live = live_host("mx.ee-spki.example.");
    let chain = self_signed(dir.path(), "fullchain.pem", &lab_key(&live), "mx.ee-spki.example");
    let run = geleit(&["guard", p(&chain), "--domain", "ee-spki.example"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "  authenticates: `{}`: DANE-EE(3) matches the server's public key",
            live.tlsa_rdata[0]
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("verdict: safe to deploy: the new certificate authenticates under the published TLSA records\n")
    );
}

#[test]
fn dane_ta_pinning_a_ca_the_new_chain_no_longer_uses_is_refused() {
    let dir = TempDir::new("guard-lab");
    let live = live_host("mx.ta-spki.example.");
    let ca = PathBuf::from(live.ca.as_deref().unwrap());
    let ca_key = Path::new(&live.dir).join("ca.key");
    let key = new_key(dir.path(), "new.key");
    // A new key under the pinned CA: fine.
    let same_ca = issued(dir.path(), "same-ca.pem", &key, "mx.ta-spki.example", &ca, &ca_key);
    let run = geleit(&["guard", p(&same_ca), "--host", "mx.ta-spki.example"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // The CA moved to another intermediate: `2 1 1` no longer matches.
    let (ca2, ca2_key) = new_ca(dir.path(), "Lab CA 2");
    let rotated = issued(dir.path(), "rotated.pem", &key, "mx.ta-spki.example", &ca2, &ca2_key);
    let run = geleit(&["guard", p(&rotated), "--host", "mx.ta-spki.example"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let owner = "_25._tcp.mx.ta-spki.example.";
    assert!(
        run.stdout.contains(&format!(
            "  publish now:\n    {owner} 3600 IN TLSA 3 1 1 {}\n    {owner} 3600 IN TLSA 2 1 1 {}\n",
            spki_sha256(&key, false),
            spki_sha256(&ca2, true)
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_input_is_exit_2_with_a_clear_message() {
    let dir = TempDir::new("guard-lab");
    let missing = dir.join("missing.pem");
    let run = geleit(&["guard", p(&missing), "--host", "mx.ee-spki.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.clone()),
        (2, "", format!("geleit: reading {}: No such file or directory (os error 2)\n", missing.display()))
    );
    let key = lab_key(&live_host("mx.ee-spki.example."));
    let run = geleit(&["guard", p(&key), "--host", "mx.ee-spki.example"]);
    assert_eq!(
        (run.code, run.stderr.clone()),
        (
            2,
            format!(
                "geleit: {}: expected a certificate, public key or certificate request, found only a private key (refused and not read)\n",
                key.display()
            )
        )
    );
    // The lab's expired leaf (certtool: valid 2020-01-01 to 2021-01-01).
    let expired = live_host("mx.ee-expired.example.").certs["main.leaf"].clone();
    let run = geleit(&["guard", &expired, "--host", "mx.ee-expired.example"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(": expected a certificate chain that is valid now (")
            && run.stderr.contains(") expired at 2021-01-01 00:00:00 UTC\n"),
        "{}",
        run.stderr
    );
    let chain = self_signed(dir.path(), "c.pem", &new_key(dir.path(), "k"), "mx.ee-spki.example");
    let run = geleit(&["guard", p(&chain), "--domain", "null-mx.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "geleit: expected null-mx.example. to have MX hosts, found a null MX: the domain accepts no mail (RFC 7505)\n"
        )
    );
    let run = geleit(&["guard", p(&chain), "--domain", "no-such-domain.example"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "geleit: expected no-such-domain.example. to have MX hosts, found that the domain does not exist (NXDOMAIN)\n"
        )
    );
    // The MX host itself does not exist: no addresses, never "safe".
    let run = geleit(&["guard", p(&chain), "--host", "missing.nx-mx.example"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("missing.nx-mx.example.: undecided\n"), "{}", run.stdout);
}

// ── the rollover against the lab's DNS ──────────────────────────────────

#[test]
fn a_completed_two_record_rollover_says_remove_old_then_done() {
    let dir = TempDir::new("guard-lab");
    // ee-rollover publishes `3 1 1` of the spare (old) key and of the served (next) key.
    let live = live_host("mx.ee-rollover.example.");
    let (old_cert, next_cert) = (&live.certs["spare"], &live.certs["main.leaf"]);
    let state = dir.join("rollover.json");
    let run = geleit_offline(&[
        "rollover",
        "prepare",
        "--live",
        old_cert,
        "--next",
        next_cert,
        "--host",
        "mx.ee-rollover.example",
        "--state",
        p(&state),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("  _25._tcp.mx.ee-rollover.example. IN TLSA {}\n", live.tlsa_rdata[1])),
        "{}",
        run.stdout
    );
    // Before the switch: both live and validated, first seen now: wait two TTLs.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let at = now.to_string();
    let run = geleit(&["rollover", "status", "--live", old_cert, "--state", p(&state), "--at", &at]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("mx.ee-rollover.example.: wait\n"), "{}", run.stdout);
    assert!(run.stdout.contains("two TTLs are 2 h: 2 h still to wait\n"), "{}", run.stdout);
    let later = (now + 7200).to_string();
    let run = geleit(&["rollover", "status", "--live", old_cert, "--state", p(&state), "--at", &later]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("mx.ee-rollover.example.: switch-now\n"), "{}", run.stdout);
    // The server already serves the next key (the lab's Postfix): remove the old record.
    let served = &live.chain_files[0];
    let run = geleit(&["rollover", "status", "--live", served, "--state", p(&state), "--json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["stage"], "remove-old");
    assert_eq!(v["hosts"][0]["remove"], serde_json::json!([live.tlsa_rdata[0]]));
    assert_eq!(v["hosts"][0]["tlsa_status"], "secure");

    // ee-spki publishes only the served key's record: after such a rollover, done.
    let spki = live_host("mx.ee-spki.example.");
    let before = self_signed(dir.path(), "before.pem", &new_key(dir.path(), "before.key"), "mx.ee-spki.example");
    let state = dir.join("done.json");
    let run = geleit_offline(&[
        "rollover",
        "prepare",
        "--live",
        p(&before),
        "--next",
        &spki.certs["main.leaf"],
        "--host",
        "mx.ee-spki.example",
        "--state",
        p(&state),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = geleit(&["rollover", "status", "--live", &spki.chain_files[0], "--state", p(&state)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("stage: done: rollover complete"), "{}", run.stdout);
    // Had the server still used the key before, its record missing: wait, and a warning.
    let run = geleit(&["rollover", "status", "--live", p(&before), "--state", p(&state)]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("mx.ee-spki.example.: wait\n"), "{}", run.stdout);
    assert!(run.stdout.contains("  warning: the record of the key the server uses now (`3 1 1 "), "{}", run.stdout);
}

// ── certbot, the deploy hook and Postfix ────────────────────────────────

/// Debian's pebble in the lab namespace, stopped on drop.
struct Pebble {
    child: Child,
    dir: TempDir,
    port: u16,
}

impl Pebble {
    fn start(port: u16) -> Self {
        let dir = TempDir::new("pebble");
        let (cert, key) = (dir.join("tls.pem"), dir.join("tls.key"));
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            p(&key),
            "-out",
            p(&cert),
            "-days",
            "30",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ]);
        let config = dir.join("pebble.json");
        std::fs::write(
            &config,
            serde_json::json!({"pebble": {
                "listenAddress": format!("127.0.0.1:{port}"),
                "managementListenAddress": format!("127.0.0.1:{}", port + 1000),
                "certificate": cert, "privateKey": key,
                "httpPort": 5002, "tlsPort": 5001, "ocspResponderURL": "",
                "externalAccountBindingRequired": false
            }})
            .to_string(),
        )
        .unwrap();
        let log = std::fs::File::create(dir.join("pebble.log")).unwrap();
        let child = Command::new("pebble")
            .arg("-config")
            .arg(&config)
            .env("PEBBLE_VA_ALWAYS_VALID", "1")
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("pebble (Debian package pebble; scripts/setup.sh installs it)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "pebble did not listen: {}",
                std::fs::read_to_string(dir.join("pebble.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, dir, port }
    }

    /// certbot with its own config, work and log directories, against this pebble.
    fn certbot(&self, http_port: u16, args: &[&str], env: &[(&str, String)]) -> Run {
        let d = self.dir.path();
        let mut cmd = Command::new("certbot");
        cmd.args(args)
            .args(["--non-interactive", "--server", &format!("https://127.0.0.1:{}/dir", self.port)])
            .arg("--config-dir")
            .arg(d.join("le"))
            .arg("--work-dir")
            .arg(d.join("work"))
            .arg("--logs-dir")
            .arg(d.join("logs"))
            .env("REQUESTS_CA_BUNDLE", d.join("tls.pem"));
        if args.first() == Some(&"certonly") {
            cmd.args([
                "--agree-tos",
                "--register-unsafely-without-email",
                "--standalone",
                "--http-01-address",
                "127.0.0.1",
                "--http-01-port",
                &http_port.to_string(),
                "--key-type",
                "ecdsa",
            ]);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        if args.first() == Some(&"renew") {
            // Without a terminal, `certbot renew` first sleeps up to 8 minutes (load spreading).
            cmd.arg("--no-random-sleep-on-renew");
        }
        to_run(cmd.output().unwrap())
    }

    fn lineage(&self, name: &str) -> PathBuf {
        self.dir.path().join("le/live").join(name)
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The leaf the lab's Postfix serves at `address` (base64 DER), by openssl s_client.
fn served_leaf(address: &str, name: &str) -> String {
    lab::openssl_chain(address, Some(name), "ECDSA+SHA256").unwrap().remove(0)
}

fn pem_body(pem: &str) -> String {
    pem.lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect()
}

/// posttls-finger's verdict line for `host`.
fn posttls_finger(host: &str) -> String {
    let out = Command::new("posttls-finger")
        .args(["-c", "-l", "dane", "-P", "/etc/ssl/certs", &format!("[{host}]:25")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines().find(|l| l.contains("TLS connection established")).unwrap_or(&text).to_owned()
}

/// Puts the lab's own files back into the install directory and reloads Postfix, whatever the test did.
struct Restore {
    saved: Vec<(PathBuf, Vec<u8>)>,
    reload: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        for (path, bytes) in &self.saved {
            let _ = std::fs::write(path, bytes);
        }
        let _ = Command::new("sh").arg("-c").arg(&self.reload).status();
    }
}

#[test]
fn certbot_renewals_through_the_deploy_hook_against_postfix() {
    const HOST: &str = "mx.renew-hook.example";
    const ADDR: &str = "127.0.1.36";
    let live = live_host("mx.renew-hook.example.");
    let install = PathBuf::from(live.install_dir.clone().expect("renew-hook has an install directory"));
    let postfix = lab::lab_dir().join("run/postfix");
    let reload = format!("postfix -c {} reload", postfix.display());
    let _restore = Restore {
        saved: ["privkey.pem", "fullchain.pem"]
            .iter()
            .map(|f| (install.join(f), std::fs::read(install.join(f)).unwrap()))
            .collect(),
        reload: reload.clone(),
    };
    let lab_env = lab::env();
    let hook_env: Vec<(&str, String)> = vec![
        ("GELEIT", geleit_bin().to_owned()),
        ("GELEIT_DOH", lab_env.doh.clone()),
        ("GELEIT_TRUST_ANCHOR", lab_env.trust_anchor.display().to_string()),
        ("GELEIT_HOOK_CONF", "/nonexistent".to_owned()),
        ("GELEIT_HOOK_HOSTS", HOST.to_owned()),
        ("GELEIT_HOOK_INSTALL_DIR", install.display().to_string()),
        ("GELEIT_HOOK_RELOAD", reload.clone()),
    ];
    let hook = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/hooks/geleit-certbot-hook");
    let pebble = Pebble::start(14000);
    let run = pebble.certbot(5002, &["certonly", "-d", HOST], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let lineage = pebble.lineage(HOST);
    // The admin's lineage holds the key the TLSA record pins (an existing key
    // brought into certbot): what `--reuse-key` keeps from here on.
    let archive = std::fs::canonicalize(lineage.join("privkey.pem")).unwrap();
    std::fs::copy(install.join("privkey.pem"), &archive).unwrap();
    let before = served_leaf(ADDR, HOST);

    // certbot renew --reuse-key: the guard says safe, the hook installs and reloads Postfix.
    let run = pebble.certbot(5002, &["renew", "--force-renewal", "--reuse-key", "--deploy-hook", p(&hook)], &hook_env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains(&format!("{HOST}.: safe\n")), "{all}");
    assert!(
        all.contains(&format!("geleit-certbot-hook: installed the new certificate into {}", install.display())),
        "{all}"
    );
    let renewed = std::fs::read_to_string(lineage.join("fullchain.pem")).unwrap();
    assert_eq!(std::fs::read_to_string(install.join("fullchain.pem")).unwrap(), renewed);
    assert!(renewed.contains("-----BEGIN CERTIFICATE-----"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut served = served_leaf(ADDR, HOST);
    while served != pem_body(&renewed) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        served = served_leaf(ADDR, HOST);
    }
    assert_ne!(served, before, "Postfix serves the renewal");
    assert_eq!(served, pem_body(&renewed), "Postfix serves the renewal");
    let verdict = posttls_finger(HOST);
    assert!(verdict.starts_with("posttls-finger: Verified TLS connection established"), "{verdict}");

    // certbot renew with a new key: the guard says it breaks, the hook keeps the old certificate.
    let run =
        pebble.certbot(5002, &["renew", "--force-renewal", "--no-reuse-key", "--deploy-hook", p(&hook)], &hook_env);
    let all = format!("{}{}", run.stdout, run.stderr);
    // certbot 2.1 reports a failed deploy hook but still exits 0.
    assert!(all.contains("Hook 'deploy-hook' reported error code 1"), "{all}");
    let new_key_record = spki_sha256(&lineage.join("privkey.pem"), false);
    assert!(
        all.contains(&format!("_25._tcp.{HOST}. 3600 IN TLSA 3 1 1 {new_key_record}")),
        "the record to publish: {all}"
    );
    assert!(all.contains("geleit-certbot-hook: NOT installed: publish the record(s) above"), "{all}");
    assert_eq!(std::fs::read_to_string(install.join("fullchain.pem")).unwrap(), renewed, "the old certificate stays");
    assert_eq!(served_leaf(ADDR, HOST), pem_body(&renewed));
    let verdict = posttls_finger(HOST);
    assert!(verdict.starts_with("posttls-finger: Verified TLS connection established"), "{verdict}");

    // The hook from cron later, still unpublished: still not installed, exit 1.
    let mut cmd = Command::new(&hook);
    cmd.env("RENEWED_LINEAGE", &lineage).env("RENEWED_DOMAINS", HOST);
    for (k, v) in &hook_env {
        cmd.env(k, v);
    }
    let run = to_run(cmd.output().unwrap());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);

    // certbot's --pre-hook path: is the lineage's current key pinned? Now it is not.
    let mut cmd = Command::new(&hook);
    cmd.arg("pre").env("GELEIT_HOOK_LINEAGE", &lineage);
    for (k, v) in &hook_env {
        cmd.env(k, v);
    }
    let run = to_run(cmd.output().unwrap());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "geleit-certbot-hook: the current key is NOT pinned: publish the record above before renewing\n"
    );
}

#[test]
fn a_certbot_renewal_from_another_ca_breaks_dane_ta() {
    // pebble makes a fresh root and intermediate on every start: the "rotated
    // intermediate" of a real CA. ta-spki pins the lab's own CA with `2 1 1`.
    const HOST: &str = "mx.ta-spki.example";
    let pebble = Pebble::start(14100);
    let run = pebble.certbot(5003, &["certonly", "-d", HOST], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let lineage = pebble.lineage(HOST);
    let run = geleit(&["guard", p(&lineage.join("fullchain.pem")), "--host", HOST]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(", issued by CN=Pebble Intermediate CA "), "{}", run.stdout);
    let live = live_host("mx.ta-spki.example.");
    assert!(
        run.stdout.contains(&format!("  does not authenticate: `{}`: DANE-TA(2)", live.tlsa_rdata[0])),
        "{}",
        run.stdout
    );
    let intermediate = spki_sha256(&lineage.join("chain.pem"), true);
    assert!(
        run.stdout.contains(&format!("    _25._tcp.{HOST}. 3600 IN TLSA 2 1 1 {intermediate}\n")),
        "the new issuer's record: {}",
        run.stdout
    );
}
