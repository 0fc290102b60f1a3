//! The adversary catalogue through the core: every case through
//! `geleit::dns::Lookup`, and those with a mail domain through `SmtpCheck`.
//! A forged answer that validates as secure, or a DANE verdict on forged
//! data, fails the test; so does any other status than the RFCs call for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use geleit::dns::Status;
use geleit_test_support::attacks::{RECORDED, markdown_table, replay};
use geleit_test_support::{Kind, catalogue, world};

#[test]
fn catalogue_has_the_promised_size_and_unique_names() {
    let cases = catalogue();
    let forged = cases.iter().filter(|c| c.kind == Kind::Forged).count();
    assert!(forged >= 40, "{forged} attacks");
    let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    for c in &cases {
        if c.kind == Kind::Forged {
            assert!(!c.expect.status.contains(&Status::Secure), "{}: a forged case may not expect secure", c.name);
            if let Some(check) = &c.check {
                assert!(!check.dane_ready, "{}: a forged case may not expect DANE-ready", c.name);
            }
        }
    }
}

#[test]
fn every_case_validates_as_the_rfcs_say() {
    let w = world();
    let mut failures = Vec::new();
    for c in catalogue() {
        let (answer, _) = c.lookup(w);
        if let Err(e) = c.judge(&answer) {
            failures.push(format!("{} [{}] {} {}: {e}", c.name, c.kind.as_str(), c.qname, c.qtype));
        }
        if let Some((report, _)) = c.smtp_check(w)
            && let Err(e) = c.judge_check(&report)
        {
            failures.push(format!("{} [{}]: {e}", c.name, c.kind.as_str()));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

fn data_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/adversary")
}

#[test]
fn recordings_match_the_catalogue_and_replay_as_it_says() {
    // tests/data/adversary/ (`cargo run -p geleit-test-support --bin record-adversary`)
    // holds exactly the recorded cases, each with the catalogue's current expectation.
    let cases = catalogue();
    let mut files: Vec<String> = std::fs::read_dir(data_dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".json").map(str::to_owned))
        .collect();
    files.sort();
    let mut recorded: Vec<String> = RECORDED.iter().map(|s| (*s).to_owned()).collect();
    recorded.sort();
    assert_eq!(files, recorded, "recordings on disk");
    let browser =
        std::fs::read_to_string(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/tests/browser.rs"))
            .unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for name in RECORDED {
        assert!(browser.contains(&format!("adversary/{name}.json")), "web/tests/browser.rs replays {name}");
        let path = data_dir().join(format!("{name}.json"));
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}")))
                .unwrap_or_else(|e| panic!("{e}"));
        let case = cases.iter().find(|c| c.name == *name).unwrap_or_else(|| panic!("{name} is not in the catalogue"));
        let expect: Vec<&str> = case.expect.status.iter().map(|s| s.as_str()).collect();
        assert_eq!(doc["expect"], serde_json::json!(expect), "{name}: the recording's expectation is stale");
        if let Err(e) = replay(&doc) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn readme_lists_every_case() {
    let readme = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/adversary/README.md"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let table = markdown_table(&catalogue());
    assert!(
        readme.contains(&table),
        "tests/adversary/README.md is out of date: regenerate its table with `cargo run -p geleit-test-support --bin record-adversary -- --readme`"
    );
}

/// Every name of the signed zones (and a missing name beside and below each)
/// asked for A, MX, TXT and TLSA from the honest answerer must validate as
/// secure: no wrong "bogus" on valid data, whatever the answer's shape
/// (data, CNAME, wildcard, NODATA, NXDOMAIN, empty non-terminal).
#[test]
fn honest_answers_of_signed_zones_are_secure() {
    use geleit::dns::{Lookup, RecordType};
    use geleit_test_support::{Case, NOW, zone::rel};
    let w = world();
    let zones = [
        "nsec.example.",
        "nsec3.example.",
        "child.nsec.example.",
        "signed.optout.example.",
        "nsec3x.example.",
        "compact.example.",
        "whitelies.example.",
        "ed25519.example.",
        "rsa.example.",
        "rollover.example.",
        "rollmissing.example.",
        "ds1.example.",
        "ds4.example.",
        "dsunknown.example.",
        "edge.example.",
    ];
    // Shapes the catalogue covers on its own (tests/adversary/README.md): a
    // CNAME loop (bogus), a CNAME into an unsigned zone (insecure), a dangling
    // CNAME and a DNAME (secure, but see honest-dangling-cname and
    // dname-synthesised-cname).
    let skip = [
        "loop1.nsec.example.",
        "loop2.nsec.example.",
        "ext.nsec.example.",
        "dangling.nsec.example.",
        "dn.nsec.example.",
    ];
    let mut failures = Vec::new();
    let mut asked = 0;
    for apex in zones {
        let z = w.zone(apex);
        let mut names: Vec<_> = z.names.iter().filter(|n| !z.cuts.contains(*n)).cloned().collect();
        let extra: Vec<_> = names.iter().flat_map(|n| [rel("zz-missing", n), rel("a.zz-missing", n)]).collect();
        names.extend(extra);
        for n in names {
            if n.is_wildcard() || skip.iter().any(|s| geleit_test_support::zone::name(s).zone_of(&n)) {
                continue;
            }
            for t in [RecordType::A, RecordType::MX, RecordType::TXT, RecordType::TLSA] {
                asked += 1;
                let mut l = Lookup::new(n.clone(), t, Case::config(w), NOW);
                while !l.is_done() {
                    for q in l.poll_queries() {
                        let bytes = w.answer(q.name(), q.rtype()).to_wire();
                        l.handle_response(q.id(), &bytes).unwrap_or_else(|e| panic!("{e}"));
                    }
                }
                let a = l.poll_result().unwrap_or_else(|| panic!("no answer"));
                if a.status() != Status::Secure {
                    failures.push(format!("{n} {t}: {}", a.data.proof()));
                }
            }
        }
    }
    assert!(asked > 400, "{asked} questions");
    assert!(failures.is_empty(), "{} of {asked} honest answers not secure:\n{}", failures.len(), failures.join("\n"));
}

/// The edge test signs for the clock (workerd has no `--at`): a world signed
/// for another time gives every case the same status.
#[test]
fn catalogue_does_not_depend_on_the_validation_time() {
    let other = world::build(1_700_000_000);
    let mut differences = Vec::new();
    for c in catalogue() {
        let (here, _) = c.lookup(world());
        let (there, _) = c.lookup(&other);
        if here.status() != there.status() {
            differences.push(format!("{}: {} at NOW, {} at 1700000000", c.name, here.status(), there.status()));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
