//! The release directory (`make release`: scripts/release.sh writes
//! `dist-release/geleit-<version>/`) started the way a provider starts it,
//! with its own `start` from another working directory, inside the lab: its
//! health endpoint, a lab domain checked through it, the DoH proxy, and the
//! web app and the widget from the same origin, byte for byte as built.
//!
//! Needs the release directory first (scripts/test.sh assembles it from the
//! run's builds with `scripts/release.sh --no-build`), then inside the lab:
//! `tests/lab/in cargo test -p geleit-cli --features lab --test release_lab`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn release() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../dist-release/geleit-{}", env!("CARGO_PKG_VERSION")));
    assert!(dir.join("start").exists(), "expected a release at {} (run scripts/release.sh)", dir.display());
    dir
}

/// A release started with `start`, killed on drop (`start` execs workerd).
struct Running {
    child: Child,
    base: String,
}

impl Running {
    /// Starts the release on a free port with the lab's DoH resolver and
    /// trust anchor (the file name `tests/lab/in` exports; `start` reads it)
    /// plus `vars`, and waits until `/api/health` answers (any status).
    fn start(vars: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let doh = std::env::var("GELEIT_DOH").expect("GELEIT_DOH: run inside tests/lab/in");
        let anchor = std::env::var("GELEIT_TRUST_ANCHOR").expect("GELEIT_TRUST_ANCHOR: run inside tests/lab/in");
        let mut command = Command::new(release().join("start"));
        command
            .current_dir(std::env::temp_dir())
            .env("GELEIT_LISTEN", &listen)
            .env("GELEIT_NETWORK", "private")
            .env("GELEIT_DOH_UPSTREAM", doh)
            .env("GELEIT_TRUST_ANCHOR", anchor)
            .env("GELEIT_ALLOW_RANGES", "127.0.0.0/8,::1/128")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in vars {
            command.env(k, v);
        }
        let running = Self { child: command.spawn().unwrap(), base: format!("http://{listen}") };
        let started = Instant::now();
        while running.try_get("/api/health").is_none() {
            assert!(started.elapsed() < Duration::from_secs(30), "the release did not answer on {listen}");
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("release answered /api/health after {} ms", started.elapsed().as_millis());
        running
    }

    /// (status, headers lower-cased, body), or `None` when nothing answered.
    fn try_get(&self, path: &str) -> Option<(u16, String, Vec<u8>)> {
        let out = Command::new("curl")
            .args(["-s", "--max-time", "60", "-D", "/dev/stderr"])
            .arg(format!("{}{path}", self.base))
            .output()
            .unwrap();
        let head = String::from_utf8_lossy(&out.stderr).to_ascii_lowercase();
        let status = head.split_whitespace().nth(1)?.parse().ok()?;
        Some((status, head, out.stdout))
    }

    fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        self.try_get(path).unwrap_or_else(|| panic!("no HTTP answer for {path}"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines().find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':'))).map_or("", str::trim)
}

#[test]
fn release_starts_checks_a_lab_domain_and_serves_app_and_widget() {
    let dir = release();
    let running = Running::start(&[]);

    let (status, head, body) = running.get("/api/health");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(header(&head, "cache-control"), "no-store");
    let health: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health, serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }));

    // The verdict comes from the edge, validated from the lab's anchor and
    // probed over the lab's loopback addresses.
    let (status, head, body) = running.get("/api/check?domain=ee-spki.example.");
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{text}");
    assert_eq!(header(&head, "content-type"), "application/json");
    let verdict: geleit::verdict::DomainVerdict =
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(verdict.authenticated, "expected ee-spki.example authenticated, found {text}");

    // The DoH proxy on the same origin: the lab root's NS (ID 0, RD, `. NS`).
    let (status, head, body) = running.get("/dns-query?dns=AAABAAABAAAAAAAAAAACAAE");
    assert_eq!((status, header(&head, "content-type")), (200, "application/dns-message"));
    assert!(body.len() > 12 && body[..2] == [0, 0], "expected a DNS answer to ID 0, found {body:?}");

    // The web app: its shell at / and at an app route, its wasm with its type.
    let index = std::fs::read(dir.join("www/index.html")).unwrap();
    for path in ["/", "/index.html", "/check/ee-spki.example"] {
        let (status, head, body) = running.get(path);
        assert_eq!((status, header(&head, "content-type")), (200, "text/html; charset=utf-8"), "{path}");
        assert!(body == index, "{path}: expected www/index.html");
    }
    let app_wasm = std::fs::read_dir(dir.join("www"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.ends_with("_bg.wasm"))
        .expect("a *_bg.wasm in www/");
    let (status, head, body) = running.get(&format!("/{app_wasm}"));
    assert_eq!((status, header(&head, "content-type")), (200, "application/wasm"));
    assert!(body == std::fs::read(dir.join("www").join(&app_wasm)).unwrap(), "/{app_wasm}");
    // No operator preset in this release: the page takes its defaults.
    assert_eq!(running.get("/geleit-config.json").0, 404);

    // The widget's module as built (widget/build.sh minifies widget/geleit-check.js), its wasm as built.
    let built = dir.join("www").join("widget").join("geleit-check.js");
    let (status, head, body) = running.get("/widget/geleit-check.js");
    assert_eq!((status, header(&head, "content-type")), (200, "text/javascript"));
    assert!(body == std::fs::read(built).unwrap(), "/widget/geleit-check.js differs from www/widget/geleit-check.js");
    assert!(
        String::from_utf8_lossy(&body).contains(r#"customElements.define("geleit-check""#),
        "/widget/geleit-check.js defines the element"
    );
    let (status, head, body) = running.get("/widget/geleit_widget_bg.wasm");
    assert_eq!((status, header(&head, "content-type")), (200, "application/wasm"));
    assert!(body.starts_with(b"\0asm"), "expected a wasm module");
    // The widget's directory without its slash: redirected, so its relative URLs resolve.
    let (status, head, _) = running.get("/widget");
    assert_eq!((status, header(&head, "location")), (301, "/widget/"));
}

#[test]
fn health_fails_when_the_settings_are_unusable() {
    let running = Running::start(&[("GELEIT_PROBE_RATE", "10")]);
    let (status, _, body) = running.get("/api/health");
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, &json["error"]["code"]), (500, &Value::from("misconfigured")));
}
