//! The human-readable form of a `verdict::DomainVerdict`. No timings and no
//! clock, so the text is stable for exact-output tests.

use std::fmt::Write as _;

use geleit::dns::MxOutcome;
use geleit::mailpolicy::MailPolicy;
use geleit::verdict::{AddressVerdict, DomainVerdict, Reported, Verdict, utc};

use super::serde_plain;

pub fn text(v: &DomainVerdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", v.domain, v.verdict.describe());
    if v.mx_outcome == MxOutcome::Direct {
        let _ = writeln!(out, "  MX records: not looked up (host given as [host])");
    } else {
        let _ = writeln!(out, "  MX records: {} ({})", v.mx_status, serde_plain(&v.mx_outcome));
    }
    findings(&mut out, "  ", &v.findings);
    for h in &v.hosts {
        let _ = writeln!(out, "  {} (preference {}): {}", h.host, h.preference, h.verdict.describe());
        let _ = writeln!(out, "    TLSA at {}: {}", h.tlsa_base.as_deref().unwrap_or("-"), h.tlsa_status);
        for t in &h.tlsa {
            let _ = writeln!(out, "      {t}");
        }
        findings(&mut out, "    ", &h.findings);
        for a in &h.addresses {
            address(&mut out, a);
        }
    }
    for u in &v.unchecked {
        let _ = writeln!(out, "  {} (preference {}): not checked", u.host, u.preference);
    }
    let summary = if v.authenticated {
        "every address of every MX host authenticates with DANE".to_owned()
    } else if v.verdict == Verdict::NotAuthenticated {
        "NOT authenticated: DANE senders defer mail to at least one MX host".to_owned()
    } else {
        format!("not authenticated: {}", v.verdict.describe())
    };
    let _ = writeln!(out, "verdict: {summary}");
    if let Some(mp) = &v.mail_policy {
        mail_policy(&mut out, mp);
    }
    let _ = writeln!(out, "{} rounds, {} queries", v.rounds, v.queries);
    out
}

/// TLSRPT and MTA-STS, after the DANE verdict and apart from it.
fn mail_policy(out: &mut String, mp: &MailPolicy) {
    let _ = writeln!(out, "beside DANE (not part of the verdict):");
    for t in [&mp.tlsrpt_txt, &mp.mta_sts_txt] {
        let _ = writeln!(out, "  TXT at {}: {} ({})", t.name, t.status, serde_plain(&t.outcome));
    }
    for f in &mp.findings {
        let _ = writeln!(out, "  {} {}: {} ({})", f.tone, f.finding.code(), f.message, f.rfc);
    }
}

fn address(out: &mut String, a: &AddressVerdict) {
    let _ = writeln!(out, "    {}: {}", a.address, a.verdict.describe());
    for f in &a.families {
        let default = if Some(f.family) == a.default_family { ", default" } else { "" };
        match (&f.tls_version, &f.error) {
            (Some(version), None) => {
                let m = if f.chain_matches { "matches" } else { "does not match" };
                let _ = writeln!(
                    out,
                    "      {} chain ({version}, {}{default}): {m}",
                    f.family.as_str(),
                    f.cipher_suite.as_deref().unwrap_or("?")
                );
                for c in &f.chain {
                    let _ = writeln!(
                        out,
                        "        {} {} ({}; issuer {}; expires {}) sha256 {}",
                        c.depth,
                        c.subject,
                        c.key,
                        c.issuer,
                        utc(c.not_after),
                        c.sha256
                    );
                }
                for m in &f.matched {
                    let _ = writeln!(out, "        matched {} at depth {}", m.record, m.depth);
                }
            }
            (_, Some(e)) => {
                let _ = writeln!(out, "      {} chain: none ({e})", f.family.as_str());
            }
            (None, None) => {
                let _ = writeln!(out, "      {} chain: none", f.family.as_str());
            }
        }
    }
    findings(out, "      ", &a.findings);
}

fn findings(out: &mut String, indent: &str, list: &[Reported]) {
    for f in list {
        let _ = writeln!(out, "{indent}{} {}: {} ({})", f.severity, f.code(), f.message, f.rfc);
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "{indent}  fix: {}", fix.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use geleit::dns::{Status, UncheckedHost};
    use geleit::verdict::{Finding, Reported};

    use super::*;

    #[test]
    fn mx_hosts_not_checked_are_listed_and_the_domain_does_not_pass() {
        let v = DomainVerdict {
            domain: "example.".into(),
            mx_status: Status::Secure,
            mx_outcome: MxOutcome::Hosts,
            verdict: Verdict::Incomplete,
            authenticated: false,
            findings: vec![Reported::new(Finding::MxHostsUnchecked { checked: 64, unchecked: 2 }, None)],
            hosts: Vec::new(),
            unchecked: vec![
                UncheckedHost { host: "mx65.example.".into(), preference: 65 },
                UncheckedHost { host: "mx66.example.".into(), preference: 66 },
            ],
            rounds: 2,
            queries: 580,
            first_signature_expiry: None,
            mail_policy: None,
        };
        assert_eq!(
            text(&v),
            "\
example.: not every MX host checked
  MX records: secure (hosts)
  error mx_hosts_unchecked: the MX records name 66 hosts, more than the 64 this check examines: 2 hosts with the highest preference values were not checked, and a host that was not checked is not a host that passed, so the domain is not reported as authenticated (RFC 7672 §2.2)
  mx65.example. (preference 65): not checked
  mx66.example. (preference 66): not checked
verdict: not authenticated: not every MX host checked
2 rounds, 580 queries
"
        );
    }
}
