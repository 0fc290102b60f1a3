//! The adversary catalogue through the core: every case through
//! `geleit::dns::Lookup`, and those with a mail domain through `SmtpCheck`.
//! A forged answer that validates as secure, or a DANE verdict on forged
//! data, fails the test; so does any other status than the RFCs call for.

use geleit::dns::Status;
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
