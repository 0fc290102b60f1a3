//! `geleit rollover` (issue 15): the guided next-key rollover of RFC 7671
//! §8.1, walked end to end against signed worlds (geleit-test-support)
//! served by local DoH servers: only the current record → publish next →
//! wait → (time advanced with `--at`) switch now → the server on the next
//! key → remove old → done. Records are computed by openssl, the next key
//! is the one `geleit rollover prepare` wrote.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

#[path = "../common/mod.rs"]
mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use geleit_test_support::certs::{self, Cert, Key, Spec};
use geleit_test_support::openssl::openssl_digest;
use geleit_test_support::zone::{KeyAlg, ZoneSpec};
use geleit_test_support::{NOW, World, doh};
use hickory_proto::rr::RecordType;

use common::{Run, TempDir, geleit};

const OWNER: &str = "_25._tcp.mx.roll.example.";

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

/// The SHA-256 of `spki`, hex, by openssl.
fn digest(spki: &[u8]) -> String {
    let dir = TempDir::new("roll-digest");
    openssl_digest(dir.path(), spki, "sha256")
}

/// A signed world where `mx.roll.example` (and `mx2`) publish `3 1 1` records
/// of these SPKI digests; `extra` adds zone specs (e.g. a bogus host).
struct Served {
    url: String,
    anchor: PathBuf,
    _dir: TempDir,
}

fn serve(digests: &[&str], tweak: impl FnOnce(ZoneSpec) -> ZoneSpec) -> Served {
    let mut zone = ZoneSpec::signed("roll.example.", KeyAlg::P256)
        .mx("@", 10, "mx")
        .a("mx", "192.0.2.1")
        .mx("@", 20, "mx2")
        .a("mx2", "192.0.2.2");
    for d in digests {
        zone = zone.tlsa("mx", 3, 1, 1, &unhex(d)).tlsa("mx2", 3, 1, 1, &unhex(d));
    }
    let zone = tweak(zone);
    let world =
        World::build(vec![ZoneSpec::signed(".", KeyAlg::P256), ZoneSpec::signed("example.", KeyAlg::P256), zone], NOW);
    let dir = TempDir::new("roll-anchor");
    let anchor = dir.join("anchor.ds");
    std::fs::write(&anchor, &world.anchor).unwrap();
    let url = doh::serve(move |qname, qtype, _| {
        let rtype: RecordType = qtype.parse().ok()?;
        Some(world.answer(&geleit_test_support::zone::name(qname), rtype).to_wire())
    });
    Served { url, anchor, _dir: dir }
}

fn status(s: &Served, live: &Path, state: &Path, at: u64, json: bool) -> Run {
    let at = at.to_string();
    let mut args = vec![
        "rollover",
        "status",
        "--live",
        live.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
        "--doh",
        &s.url,
        "--trust-anchor",
        s.anchor.to_str().unwrap(),
        "--at",
        &at,
    ];
    if json {
        args.push("--json");
    }
    geleit(&args)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr))
}

/// A chain for the MX hosts with `key` (PEM), valid around NOW.
fn chain(ca: &Cert, key: &str) -> String {
    let leaf = Spec::leaf("mx.roll.example", &["mx.roll.example", "mx2.roll.example"])
        .valid((2026, 12, 15), (2027, 3, 15))
        .make_with(Some(ca), &Key::from_pem(key))
        .pem;
    format!("{leaf}{}", ca.pem)
}

fn ca() -> Cert {
    Spec::ca("R10").years(2026, 2030).self_signed()
}

#[test]
fn a_whole_rollover_from_one_record_to_the_next_key() {
    let dir = TempDir::new("roll");
    let ca = ca();
    let current_key = Key::new(certs::KeyAlg::P256);
    let live = dir.join("fullchain.pem");
    std::fs::write(&live, chain(&ca, &current_key.pem)).unwrap();
    let (key_path, state) = (dir.join("next.key"), dir.join("rollover.json"));
    let cur = digest(&current_key.spki);

    // prepare: a new P-256 key, mode 0600, its record and the zone-file lines.
    let run = geleit([
        "rollover",
        "prepare",
        "--live",
        live.to_str().unwrap(),
        "--host",
        "mx.roll.example",
        "--host",
        "MX2.roll.example.",
        "--new-key",
        key_path.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let next_pem = std::fs::read_to_string(&key_path).unwrap();
    assert!(next_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{next_pem}");
    assert_eq!(std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777, 0o600);
    let next_key = Key::from_pem(&next_pem);
    let nxt = digest(&next_key.spki);
    assert_eq!(
        run.stdout,
        format!(
            "current key: ECDSA P-256; its record: 3 1 1 {cur}
next key: ECDSA P-256, new, written to {} (mode 0600)
  its record: 3 1 1 {nxt}
publish now, next to the current record:
  _25._tcp.mx.roll.example. IN TLSA 3 1 1 {nxt}
  _25._tcp.mx2.roll.example. IN TLSA 3 1 1 {nxt}
then, in this order (RFC 7671 §8.1):
  1. publish the record(s) above next to `3 1 1 {cur}`, which pins the key the server uses now: keep it
  2. reload and re-sign the zone, then run `geleit rollover status` (from cron, say hourly): it remembers when it first sees the next record published and validated
  3. keep the server on the current key until status says switch-now: both records live and validated for two TTLs on every host
  4. then deploy a certificate for the next key, and remove the old record when status says remove-old
state: {}
",
            key_path.display(),
            state.display()
        )
    );
    assert_eq!(run.stderr, "");

    // Only the current record: publish next (exit 1).
    let only_current = serve(&[&cur], |z| z);
    let run = status(&only_current, &live, &state, NOW, false);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("mx.roll.example.: publish-next\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "  1. publish `{OWNER} 3600 IN TLSA 3 1 1 {nxt}`, `_25._tcp.mx2.roll.example. 3600 IN TLSA 3 1 1 {nxt}` (keep `3 1 1 {cur}` while the server uses the current key)\n"
        )),
        "{}",
        run.stdout
    );

    // Both published: wait two TTLs from the first sighting.
    let both = serve(&[&cur, &nxt], |z| z);
    let t0 = NOW + 600;
    // The RRset in canonical order (RFC 4034 §6.3), as the answer carries it.
    let (lo, hi) = if cur < nxt { (&cur, &nxt) } else { (&nxt, &cur) };
    let run = status(&both, &live, &state, t0, false);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "current key: ECDSA P-256; its record: 3 1 1 {cur}
next key: ECDSA P-256; its record: 3 1 1 {nxt}
the server uses the current key
mx.roll.example.: wait
  TLSA at {OWNER} (secure, TTL 3600 s):
    3 1 1 {lo}
    3 1 1 {hi}
  the next key's record `3 1 1 {nxt}` has been published and validated at {OWNER} since 2027-01-15 08:10:00 UTC (0 s); two TTLs are 2 h: 2 h still to wait
mx2.roll.example.: wait
  TLSA at _25._tcp.mx2.roll.example. (secure, TTL 3600 s):
    3 1 1 {lo}
    3 1 1 {hi}
  the next key's record `3 1 1 {nxt}` has been published and validated at _25._tcp.mx2.roll.example. since 2027-01-15 08:10:00 UTC (0 s); two TTLs are 2 h: 2 h still to wait
stage: wait: both records are live and validated, but not yet for two TTLs: wait, do not switch keys yet
next steps:
  1. keep the server on the current key and both records published; wait 2 h (caches may still hold the TLSA RRset without the next key, RFC 7671 §8.1)
  2. then run `geleit rollover status` again; it says switch-now when it is safe
"
        )
    );
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["hosts"][0]["next_first_seen"], t0);
    assert_eq!(saved["hosts"][0]["ttl"], 3600);

    // An hour later: an hour still.
    let run = status(&both, &live, &state, t0 + 3600, true);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v = json(&run);
    assert_eq!(v["stage"], "wait");
    assert_eq!(v["hosts"][0]["wait_seconds"], 3600);
    assert_eq!(v["hosts"][0]["next_seen_for"], 3600);

    // The resolver goes down meanwhile: exit 2, the state untouched.
    let before = std::fs::read_to_string(&state).unwrap();
    let down = Served {
        url: doh::serve_replies(|_, _, _| doh::Reply::Status(503, "Service Unavailable")),
        anchor: both.anchor.clone(),
        _dir: TempDir::new("roll-down"),
    };
    let run = status(&down, &live, &state, t0 + 7200, false);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("geleit: cannot decide: the DNS resolver could not be reached ("), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&state).unwrap(), before);

    // Two TTLs after the first sighting: switch now (exit 0).
    let run = status(&both, &live, &state, t0 + 7200, false);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("mx2.roll.example.: switch-now\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("stage: switch-now: switch now: both records have been live and validated for two TTLs on every host; deploy the next key\n"),
        "{}",
        run.stdout
    );

    // The server on the next key, the old record still there: remove old (exit 1).
    let switched = dir.join("fullchain-next.pem");
    std::fs::write(&switched, chain(&ca, &next_pem)).unwrap();
    let run = status(&both, &switched, &state, t0 + 7300, true);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v = json(&run);
    assert_eq!(v["stage"], "remove-old");
    assert_eq!(v["live"], "next");
    assert_eq!(v["hosts"][0]["remove"], serde_json::json!([format!("3 1 1 {cur}")]));
    assert_eq!(
        v["steps"][0],
        format!(
            "remove `{OWNER} 3600 IN TLSA 3 1 1 {cur}`, `_25._tcp.mx2.roll.example. 3600 IN TLSA 3 1 1 {cur}` (keep `3 1 1 {nxt}`: it pins the key the server uses)"
        )
    );

    // The old record removed: done (exit 0).
    let only_next = serve(&[&nxt], |z| z);
    let run = status(&only_next, &switched, &state, t0 + 11_000, false);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.ends_with(&format!(
            "stage: done: rollover complete: the server uses the next key and only its record is published
next steps:
  1. nothing to do: `3 1 1 {nxt}` pins the key the server uses on every host; prepare the next rollover early with `geleit rollover prepare`
"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn switching_early_is_never_said_when_a_host_does_not_validate() {
    let dir = TempDir::new("roll");
    let ca = ca();
    let current = Key::new(certs::KeyAlg::P256);
    let next = Key::new(certs::KeyAlg::P256);
    let live = dir.join("fullchain.pem");
    std::fs::write(&live, chain(&ca, &current.pem)).unwrap();
    let next_pub = dir.join("next.pub");
    std::fs::write(&next_pub, &next.public_pem).unwrap();
    let state = dir.join("state.json");
    let run = geleit([
        "rollover",
        "prepare",
        "--live",
        live.to_str().unwrap(),
        "--host",
        "mx.roll.example",
        "--host",
        "mx2.roll.example",
        "--next",
        next_pub.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&format!("next key: ECDSA P-256, from {}\n", next_pub.display())), "{}", run.stdout);
    let (cur, nxt) = (digest(&current.spki), digest(&next.spki));
    // mx2's TLSA signatures expired: undecided for it, and overall, even a day later.
    let world = serve(&[&cur, &nxt], |z| z.window_of("_25._tcp.mx2", RecordType::TLSA, (-30 * 86_400, -86_400)));
    let run = status(&world, &live, &state, NOW, false);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let run = status(&world, &live, &state, NOW + 86_400, false);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("mx.roll.example.: switch-now\n"), "{}", run.stdout);
    assert!(run.stdout.contains("mx2.roll.example.: undecided\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  the TLSA lookup at _25._tcp.mx2.roll.example. is bogus: RRSIG over TLSA"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("stage: undecided: could not decide: do not switch keys until every host can be checked\n")
    );
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["hosts"][1]["next_first_seen"], serde_json::Value::Null, "nothing learnt of mx2");
}

#[test]
fn prepare_never_overwrites_and_refuses_bad_input() {
    let dir = TempDir::new("roll");
    let ca = ca();
    let current = Key::new(certs::KeyAlg::P256);
    let live = dir.join("fullchain.pem");
    std::fs::write(&live, chain(&ca, &current.pem)).unwrap();
    let key = dir.join("next.key");
    std::fs::write(&key, "precious\n").unwrap();
    let state = dir.join("state.json");
    let prepare = |extra: &[&str]| {
        let mut args =
            vec!["rollover", "prepare", "--live", live.to_str().unwrap(), "--host", "mx.roll.example", "--state"];
        args.push(state.to_str().unwrap());
        args.extend_from_slice(extra);
        geleit(&args)
    };
    let run = prepare(&["--new-key", key.to_str().unwrap()]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.clone()),
        (2, "", format!("geleit: {} exists: an existing file is never overwritten\n", key.display()))
    );
    assert_eq!(std::fs::read_to_string(&key).unwrap(), "precious\n");
    assert!(!state.exists());
    // The live key as the next key.
    let run = prepare(&["--next", live.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "geleit: expected the next key to differ from the current key, found the same key (3 1 1 {})\n",
            digest(&current.spki)
        )
    );
    // A private key as the live certificate.
    let privkey = dir.join("privkey.pem");
    std::fs::write(&privkey, &current.pem).unwrap();
    let run = geleit([
        "rollover",
        "prepare",
        "--live",
        privkey.to_str().unwrap(),
        "--host",
        "mx.roll.example",
        "--new-key",
        dir.join("k2").to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(
        (run.code, run.stderr.clone()),
        (
            2,
            format!(
                "geleit: {}: expected a certificate, public key or certificate request, found only a private key (refused and not read)\n",
                privkey.display()
            )
        )
    );
    assert!(!dir.join("k2").exists(), "no key made for a rollover that did not start");
    // A made key and state; a second prepare is refused.
    let k3 = dir.join("k3");
    let run = prepare(&["--new-key", k3.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let first = std::fs::read_to_string(&state).unwrap();
    let run = prepare(&["--new-key", dir.join("k4").to_str().unwrap()]);
    assert_eq!(
        (run.code, run.stderr.clone()),
        (
            2,
            format!(
                "geleit: {} exists: a rollover is under way (run `geleit rollover status`), or remove the file to start over\n",
                state.display()
            )
        )
    );
    assert_eq!(std::fs::read_to_string(&state).unwrap(), first);
    assert!(!dir.join("k4").exists());
}

#[test]
fn a_hostile_state_file_or_a_third_key_is_exit_2() {
    let dir = TempDir::new("roll");
    let ca = ca();
    let current = Key::new(certs::KeyAlg::P256);
    let live = dir.join("fullchain.pem");
    std::fs::write(&live, chain(&ca, &current.pem)).unwrap();
    let state = dir.join("state.json");
    let world = serve(&[], |z| z);
    std::fs::write(&state, "{\"geleit_rollover\": 1, \"current_key\": 5}").unwrap();
    let run = status(&world, &live, &state, NOW, false);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.clone()),
        (
            2,
            "",
            format!(
                "geleit: {}: expected a rollover state file (JSON), found invalid type: integer `5`, expected a string\n",
                state.display()
            )
        )
    );
    std::fs::remove_file(&state).unwrap();
    let next = dir.join("next.key");
    let run = geleit([
        "rollover",
        "prepare",
        "--live",
        live.to_str().unwrap(),
        "--host",
        "mx.roll.example",
        "--new-key",
        next.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let other = dir.join("other.pem");
    let third = Key::new(certs::KeyAlg::P256);
    std::fs::write(&other, chain(&ca, &third.pem)).unwrap();
    let run = status(&world, &other, &state, NOW, false);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("geleit: expected the server to use the current key (3 1 1 "), "{}", run.stderr);
    assert!(run.stderr.ends_with(&format!("found another key (3 1 1 {})\n", digest(&third.spki))), "{}", run.stderr);
    // Edited by hand to a first sighting in the future.
    let text = std::fs::read_to_string(&state)
        .unwrap()
        .replace("\"next_first_seen\": null", &format!("\"next_first_seen\": {}", NOW + 10));
    let text = text.replace("\"ttl\": 0", "\"ttl\": 3600");
    std::fs::write(&state, text).unwrap();
    let run = status(&world, &live, &state, NOW, false);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.ends_with(&format!(
            ": expected next_first_seen of mx.roll.example. between 1970 and now (2027-01-15 08:00:00 UTC), found {}\n",
            NOW + 10
        )),
        "{}",
        run.stderr
    );
}
