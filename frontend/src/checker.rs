//! The checker's state and view model: the DNS report of the core's
//! [`SmtpCheck`](geleit::dns::SmtpCheck) and the edge's probe reports → what the
//! page shows, step by step, in the page's language: a verdict for the domain,
//! per MX host and per address, each finding with its RFC reason and a
//! concrete fix, and advice (rollover, Let's Encrypt, expiry, sending side).
//!
//! Decisions about DANE stay in the core: [`geleit::dns`] says what a sending
//! MTA does with each host (RFC 7672 §2.2), [`geleit::dane::check`] whether a
//! probed chain matches the validated TLSA records. This module only turns
//! those into words.

use geleit::dane::{Check, ReferenceNames, Report, Verdict, check};
use geleit::dns::{HostOutcome, HostReport, MxOutcome, Proof, ReasonKind, SmtpReport, Status};
use geleit::smtp;
use serde::Serialize;

use crate::dates::ymd;
use crate::domain::Domain;
use crate::generator::explain;
use crate::i18n::Strings;
use crate::matcher::{LOOK_AHEAD_DAYS, unusable_words};

/// What the checker is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Phase {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// DNS queries in flight: rounds and queries so far.
    Dns { rounds: u32, queries: u32 },
    /// DNS done, probes in flight.
    Probing,
    /// Everything is in.
    Done,
}

/// One MX host's probe through the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Not probed: the host has no DANE (nothing to match) or no address.
    Skipped,
    /// In flight.
    Running,
    /// The edge's report.
    Done(smtp::HostReport),
    /// The edge could not be reached or refused (its message).
    Failed(String),
}

/// A check of one domain.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckRun {
    /// Counter that tells results of an older run from this one's.
    pub id: u32,
    pub domain: Option<Domain>,
    pub phase: Phase,
    /// The core's DNS report.
    pub dns: Option<SmtpReport>,
    /// Per host of `dns.hosts`, same order.
    pub probes: Vec<Probe>,
    /// The DNS part could not run (bad settings, DoH unreachable before any answer).
    pub error: Option<String>,
    /// Unix seconds the check ran at.
    pub now: i64,
}

impl CheckRun {
    /// Starts a run for `domain`.
    #[must_use]
    pub fn start(id: u32, domain: Domain, now: i64) -> Self {
        Self { id, domain: Some(domain), phase: Phase::Dns { rounds: 0, queries: 0 }, now, ..Self::default() }
    }

    /// The DNS report arrived: decide which hosts to probe (those whose TLSA
    /// records are validated and usable, RFC 7672 §2.2: only there is a
    /// certificate to match).
    pub fn dns_done(&mut self, report: SmtpReport) {
        self.probes =
            report.hosts.iter().map(|h| if should_probe(h) { Probe::Running } else { Probe::Skipped }).collect();
        self.phase = if self.probes.contains(&Probe::Running) { Phase::Probing } else { Phase::Done };
        self.dns = Some(report);
    }

    /// A probe result for host `index`.
    pub fn probe_done(&mut self, index: usize, probe: Probe) {
        if let Some(slot) = self.probes.get_mut(index) {
            *slot = probe;
        }
        if !self.probes.contains(&Probe::Running) && self.dns.is_some() {
            self.phase = Phase::Done;
        }
    }

    /// Hosts to probe: index and name.
    #[must_use]
    pub fn hosts_to_probe(&self) -> Vec<(usize, String)> {
        let Some(dns) = &self.dns else { return Vec::new() };
        dns.hosts
            .iter()
            .enumerate()
            .filter(|(i, _)| self.probes.get(*i) == Some(&Probe::Running))
            .map(|(i, h)| (i, h.host.clone()))
            .collect()
    }
}

fn should_probe(h: &HostReport) -> bool {
    matches!(h.outcome, HostOutcome::DaneRequired | HostOutcome::TlsUnauthenticated)
}

/// A state as a CSS class and a word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Badge {
    /// `ok`, `bad`, `warn`, `pending` (styling, tests).
    pub class: &'static str,
    pub text: String,
}

/// Something wrong (or worth knowing), its reason and its fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code for tests and the JSON export (`tlsa_bogus`, `no_starttls`, …).
    pub code: &'static str,
    pub title: String,
    /// The RFC section behind it.
    pub rfc: &'static str,
    pub fix: String,
    /// The core's technical detail (English), e.g. the failing DNSSEC link.
    pub detail: Option<String>,
}

/// One TLSA record of a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsaLine {
    pub rdata: String,
    pub explanation: String,
    pub usable: bool,
    pub reasons: Vec<String>,
}

/// One handshake (per signature algorithm) at one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlgorithmView {
    /// `ECDSA` or `RSA`.
    pub family: &'static str,
    pub badge: Badge,
    pub tls_version: Option<String>,
    /// Which record matched at which depth ("3 1 1 …: depth 0").
    pub matched: Vec<String>,
    /// The chain: one line per certificate.
    pub chain: Vec<String>,
    pub findings: Vec<Finding>,
    /// Look-ahead in words.
    pub notes: Vec<String>,
}

/// One address of a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressView {
    pub address: String,
    pub badge: Badge,
    pub algorithms: Vec<AlgorithmView>,
    pub findings: Vec<Finding>,
}

/// One MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostView {
    pub host: String,
    pub preference: u16,
    /// `authenticated`, `pending`, `dns_only` (DANE published, certificates not
    /// looked at), `not_authenticated`, `unusable`, `no_dane`, `deferred`, `no_address`.
    pub state: &'static str,
    pub badge: Badge,
    /// What a DANE client does with the host, and why (RFC reference).
    pub outcome: String,
    pub outcome_rfc: &'static str,
    /// "A 127.0.1.1 (secure)".
    pub address_sets: Vec<String>,
    pub tlsa_base: Option<String>,
    pub tlsa_badge: Badge,
    pub tlsa: Vec<TlsaLine>,
    pub findings: Vec<Finding>,
    pub addresses: Vec<AddressView>,
    /// Probe still running, skipped, or failed (in words).
    pub probe_note: Option<String>,
    pub trace: Vec<String>,
}

/// Advice for the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    pub code: &'static str,
    pub title: String,
    pub text: String,
    /// Configuration to copy, if any.
    pub snippet: Option<String>,
}

/// Everything the checker shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckView {
    pub domain: String,
    pub domain_unicode: String,
    /// `ready`, `not_ready`, `pending`, `no_dane`, `failed`.
    pub verdict_class: &'static str,
    pub headline: String,
    pub summary: String,
    pub mx_badge: Badge,
    pub mx_findings: Vec<Finding>,
    pub mx_trace: Vec<String>,
    pub hosts: Vec<HostView>,
    pub advice: Vec<Advice>,
    /// Progress in words, for the live region.
    pub progress: String,
}

fn badge(class: &'static str, text: &str) -> Badge {
    Badge { class, text: text.to_owned() }
}

fn status_badge(status: Status, t: &Strings) -> Badge {
    match status {
        Status::Secure => badge("ok", t.ck_secure),
        Status::Insecure => badge("warn", t.ck_insecure),
        Status::Bogus => badge("bad", t.ck_bogus),
        Status::Indeterminate => badge("bad", t.ck_indeterminate),
    }
}

/// The fix for a DNSSEC failure, by kind (RFC 4035 §5, RFC 8914 codes).
fn dnssec_fix(kind: ReasonKind, t: &Strings) -> &'static str {
    match kind {
        ReasonKind::SignatureExpired | ReasonKind::SignatureNotYetValid => t.fix_resign,
        ReasonKind::DnskeyMissing | ReasonKind::UnsupportedDsDigest => t.fix_ds,
        ReasonKind::SignatureInvalid | ReasonKind::RrsigsMissing | ReasonKind::Inconsistent => t.fix_signatures,
        ReasonKind::NsecMissing | ReasonKind::Nsec3Iterations => t.fix_denial,
        ReasonKind::UnsupportedDnskeyAlgorithm => t.fix_algorithm,
        ReasonKind::Network | ReasonKind::Malformed => t.fix_network,
        _ => t.fix_anchor,
    }
}

/// A finding for a failed proof (bogus or indeterminate), naming the failing link.
fn proof_finding(code: &'static str, what: &str, proof: &Proof, t: &Strings) -> Option<Finding> {
    match proof {
        Proof::Bogus { reason } => Some(Finding {
            code,
            title: (t.ck_bogus_title)(what),
            rfc: "RFC 4035 §5, RFC 7672 §2.1.1",
            fix: dnssec_fix(reason.kind, t).to_owned(),
            detail: Some(reason.to_string()),
        }),
        Proof::Indeterminate { reason } => Some(Finding {
            code,
            title: (t.ck_indeterminate_title)(what),
            rfc: "RFC 4035 §4.3, RFC 7672 §2.1.1",
            fix: dnssec_fix(reason.kind, t).to_owned(),
            detail: Some(reason.to_string()),
        }),
        _ => None,
    }
}

/// Builds the view of a run; `None` before a run started.
#[must_use]
pub fn view(run: &CheckRun, t: &Strings) -> Option<CheckView> {
    let domain = run.domain.as_ref()?;
    let progress = match &run.phase {
        Phase::Idle => String::new(),
        Phase::Dns { rounds, queries } => (t.ck_progress_dns)(*rounds as usize, *queries as usize),
        Phase::Probing => {
            let left = run.probes.iter().filter(|p| **p == Probe::Running).count();
            (t.ck_progress_probe)(left)
        }
        Phase::Done => t.ck_progress_done.to_owned(),
    };
    let mut out = CheckView {
        domain: domain.ascii.clone(),
        domain_unicode: domain.unicode.clone(),
        verdict_class: "pending",
        headline: t.ck_pending.to_owned(),
        summary: String::new(),
        mx_badge: badge("pending", t.ck_pending),
        mx_findings: Vec::new(),
        mx_trace: Vec::new(),
        hosts: Vec::new(),
        advice: Vec::new(),
        progress,
    };
    if let Some(error) = &run.error {
        out.verdict_class = "failed";
        out.headline = t.ck_failed.to_owned();
        out.summary = error.clone();
        return Some(out);
    }
    let Some(dns) = &run.dns else { return Some(out) };
    out.mx_badge = status_badge(dns.mx_status, t);
    out.mx_trace.clone_from(&dns.trace);
    if let Some(f) = proof_finding("mx_dnssec", &format!("MX {}", dns.domain), &dns.mx_proof, t) {
        out.mx_findings.push(f);
    }
    if let Proof::Insecure { zone_cut, .. } = &dns.mx_proof {
        out.mx_findings.push(Finding {
            code: "mx_insecure",
            title: (t.ck_mx_insecure)(zone_cut),
            rfc: "RFC 7672 §2.2.1",
            fix: t.fix_sign_zone.to_owned(),
            detail: Some(dns.mx_proof.to_string()),
        });
    }
    match dns.mx_outcome {
        MxOutcome::NullMx => out.mx_findings.push(Finding {
            code: "null_mx",
            title: t.ck_null_mx.to_owned(),
            rfc: "RFC 7505 §3",
            fix: t.fix_null_mx.to_owned(),
            detail: None,
        }),
        MxOutcome::NxDomain => out.mx_findings.push(Finding {
            code: "nxdomain",
            title: t.ck_nxdomain.to_owned(),
            rfc: "RFC 1035 §4.1.1",
            fix: t.fix_nxdomain.to_owned(),
            detail: None,
        }),
        MxOutcome::Implicit => out.mx_findings.push(Finding {
            code: "implicit_mx",
            title: t.ck_implicit_mx.to_owned(),
            rfc: "RFC 5321 §5.1",
            fix: t.fix_implicit_mx.to_owned(),
            detail: None,
        }),
        _ => {}
    }

    let mut records_total = 0usize;
    let mut lets_encrypt = false;
    let mut single_record_hosts = Vec::new();
    for (i, host) in dns.hosts.iter().enumerate() {
        let probe = run.probes.get(i).unwrap_or(&Probe::Skipped);
        let (hv, le) = host_view(host, probe, run.now, t);
        lets_encrypt |= le;
        let usable = host.tlsa.secure().map_or(0, |r| r.iter().filter(|x| x.problems.is_empty()).count());
        records_total += usable;
        if host.outcome == HostOutcome::DaneRequired && usable == 1 {
            single_record_hosts.push(host.host.trim_end_matches('.').to_owned());
        }
        out.hosts.push(hv);
    }

    // The domain's verdict: one broken MX breaks it (RFC 7672 §2.2: a sender
    // tries the MX hosts in turn and must authenticate whichever it reaches).
    let mx_ok = dns.mx_status == Status::Secure && out.mx_findings.iter().all(|f| f.code == "implicit_mx");
    let count = |states: &[&str]| out.hosts.iter().filter(|h| states.contains(&h.state)).count();
    let all = out.hosts.len();
    let failing = count(&["not_authenticated", "unusable", "deferred", "no_address"]);
    (out.verdict_class, out.headline, out.summary) = if all > 0 && mx_ok && count(&["authenticated"]) == all {
        ("ready", t.ck_ready.to_owned(), (t.ck_ready_summary)(all))
    } else if failing > 0 || !mx_ok && count(&["no_dane"]) < all || all == 0 {
        let bad = if all == 0 { 0 } else { all - count(&["authenticated", "dns_only", "pending"]) };
        (
            "not_ready",
            t.ck_not_ready.to_owned(),
            if all == 0 { t.ck_no_hosts_summary.to_owned() } else { (t.ck_not_ready_summary)(bad, all) },
        )
    } else if count(&["pending"]) > 0 {
        ("pending", t.ck_pending.to_owned(), t.ck_pending_summary.to_owned())
    } else if count(&["no_dane"]) == all {
        ("no_dane", t.ck_no_dane.to_owned(), t.ck_no_dane_summary.to_owned())
    } else if count(&["no_dane"]) > 0 {
        ("not_ready", t.ck_not_ready.to_owned(), (t.ck_not_ready_summary)(count(&["no_dane"]), all))
    } else {
        // Every host has validated, usable TLSA records, and at least one was not probed.
        ("dns_ready", t.ck_dns_ready.to_owned(), t.ck_dns_ready_summary.to_owned())
    };

    // Advice.
    if !single_record_hosts.is_empty() {
        out.advice.push(Advice {
            code: "rollover",
            title: t.adv_rollover_title.to_owned(),
            text: (t.adv_rollover_single)(&single_record_hosts.join(", ")),
            snippet: None,
        });
    } else if records_total > 0 {
        out.advice.push(Advice {
            code: "rollover",
            title: t.adv_rollover_title.to_owned(),
            text: t.adv_rollover_ok.to_owned(),
            snippet: None,
        });
    }
    out.advice.push(Advice {
        code: "lets_encrypt",
        title: t.adv_le_title.to_owned(),
        text: if lets_encrypt { format!("{} {}", t.adv_le_seen, t.adv_le) } else { t.adv_le.to_owned() },
        snippet: Some("certbot renew --reuse-key".to_owned()),
    });
    out.advice.push(Advice {
        code: "postfix",
        title: t.adv_postfix_title.to_owned(),
        text: t.adv_postfix.to_owned(),
        snippet: Some("smtp_dns_support_level = dnssec\nsmtp_tls_security_level = dane\n".to_owned()),
    });
    out.advice.push(Advice {
        code: "exim",
        title: t.adv_exim_title.to_owned(),
        text: t.adv_exim.to_owned(),
        snippet: Some("# main section\ndns_dnssec_ok = 1\n\n# remote_smtp transport\ndnssec_request_domains = *\nhosts_try_dane = *\n# or, to insist on DANE where TLSA records exist:\n# hosts_require_dane = *\n".to_owned()),
    });
    Some(out)
}

fn host_view(host: &HostReport, probe: &Probe, now: i64, t: &Strings) -> (HostView, bool) {
    let (tlsa_proof, records) = host.tlsa.with_proof();
    let tlsa: Vec<TlsaLine> = records
        .iter()
        .map(|r| TlsaLine {
            rdata: r.to_text(),
            explanation: explain(&r.record, t),
            usable: r.problems.is_empty(),
            reasons: r.problems.iter().map(|p| unusable_words(p, t)).collect(),
        })
        .collect();
    let tlsa_owner = host.tlsa_base.clone().unwrap_or_else(|| format!("_25._tcp.{}", host.host));
    let mut findings = Vec::new();
    for set in &host.addresses {
        if let Some(f) = proof_finding("address_dnssec", &format!("{} {}", set.rtype, host.host), &set.proof, t) {
            findings.push(f);
        }
    }
    if let Some(f) = proof_finding("tlsa_dnssec", &format!("TLSA {tlsa_owner}"), tlsa_proof, t) {
        findings.push(f);
    }
    match host.outcome {
        HostOutcome::NoDane => {
            if let Proof::Insecure { zone_cut, .. } = tlsa_proof {
                findings.push(Finding {
                    code: "host_insecure",
                    title: (t.ck_host_insecure)(zone_cut),
                    rfc: "RFC 7672 §2.2.2",
                    fix: t.fix_sign_zone.to_owned(),
                    detail: Some(tlsa_proof.to_string()),
                });
            } else {
                findings.push(Finding {
                    code: "no_tlsa",
                    title: (t.ck_no_tlsa)(&tlsa_owner),
                    rfc: "RFC 7672 §2.2",
                    fix: t.fix_publish_tlsa.to_owned(),
                    detail: None,
                });
            }
        }
        HostOutcome::TlsUnauthenticated => findings.push(Finding {
            code: "no_usable_tlsa",
            title: t.verdict_no_usable.to_owned(),
            rfc: "RFC 7672 §3.1.3, RFC 7671 §4",
            fix: t.fix_no_usable.to_owned(),
            detail: None,
        }),
        HostOutcome::NoAddress => findings.push(Finding {
            code: "no_address",
            title: t.ck_no_address.to_owned(),
            rfc: "RFC 5321 §5.1",
            fix: t.fix_no_address.to_owned(),
            detail: None,
        }),
        _ => {}
    }

    let address_sets = host
        .addresses
        .iter()
        .map(|s| {
            let list = if s.addresses.is_empty() {
                "—".to_owned()
            } else {
                s.addresses.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            };
            format!("{} {list} ({})", s.rtype, status_badge(s.status, t).text)
        })
        .collect();

    // Probes: every address, every algorithm, matched against the validated records.
    let mut addresses = Vec::new();
    let mut lets_encrypt = false;
    let mut probe_note = None;
    let usable: Vec<geleit::tlsa::Tlsa> =
        host.tlsa.secure().map(|r| r.iter().map(|x| x.record.clone()).collect()).unwrap_or_default();
    match probe {
        Probe::Skipped => {}
        Probe::Running => probe_note = Some(t.ck_probe_running.to_owned()),
        Probe::Failed(e) => probe_note = Some((t.ck_probe_failed)(e)),
        Probe::Done(report) => {
            let base = host.tlsa_base.as_deref().map(|b| b.trim_start_matches("_25._tcp.").to_owned());
            let mut names: Vec<String> = vec![host.host.trim_end_matches('.').to_owned()];
            if let Some(b) = base {
                names.insert(0, b.trim_end_matches('.').to_owned());
            }
            match ReferenceNames::new(&names) {
                Ok(names) => {
                    for a in &report.addresses {
                        let (av, le) = address_view(a, &usable, &names, now, t);
                        lets_encrypt |= le;
                        addresses.push(av);
                    }
                    if report.addresses.is_empty() {
                        probe_note = Some(t.ck_no_address.to_owned());
                    }
                }
                Err(e) => probe_note = Some((t.ck_probe_failed)(&e.to_string())),
            }
        }
    }

    let (state, badge) = match host.outcome {
        HostOutcome::DaneRequired => match probe {
            Probe::Running => ("pending", badge("pending", t.ck_pending)),
            Probe::Done(_) if !addresses.is_empty() && addresses.iter().all(|a| a.badge.class == "ok") => {
                ("authenticated", badge("ok", t.verdict_authenticated))
            }
            Probe::Done(_) => ("not_authenticated", badge("bad", t.verdict_not_authenticated)),
            // DNS says DANE is set up; the certificates could not be looked at.
            _ => ("dns_only", badge("warn", t.ck_dns_only)),
        },
        HostOutcome::TlsUnauthenticated => ("unusable", badge("bad", t.verdict_no_usable)),
        HostOutcome::NoDane => ("no_dane", badge("warn", t.ck_no_dane)),
        HostOutcome::Deferred => ("deferred", badge("bad", t.ck_deferred)),
        _ => ("no_address", badge("bad", t.ck_no_address)),
    };
    let outcome = match host.outcome {
        HostOutcome::DaneRequired => t.ck_outcome_required,
        HostOutcome::TlsUnauthenticated => t.ck_outcome_unauthenticated,
        HostOutcome::NoDane => t.ck_outcome_no_dane,
        HostOutcome::Deferred => t.ck_outcome_deferred,
        _ => t.ck_no_address,
    };
    let view = HostView {
        host: host.host.clone(),
        preference: host.preference,
        state,
        badge,
        outcome: outcome.to_owned(),
        outcome_rfc: host.outcome.rfc(),
        address_sets,
        tlsa_base: host.tlsa_base.clone(),
        tlsa_badge: status_badge(tlsa_proof.status(), t),
        tlsa,
        findings,
        addresses,
        probe_note,
        trace: host.tlsa_trace.clone(),
    };
    (view, lets_encrypt)
}

fn address_view(
    a: &smtp::AddressReport,
    records: &[geleit::tlsa::Tlsa],
    names: &ReferenceNames,
    now: i64,
    t: &Strings,
) -> (AddressView, bool) {
    let mut findings = Vec::new();
    let mut algorithms = Vec::new();
    let mut lets_encrypt = false;
    if let Some(why) = &a.refused {
        findings.push(Finding {
            code: "probe_refused",
            title: (t.ck_probe_refused)(why),
            rfc: "",
            fix: t.fix_probe_refused.to_owned(),
            detail: None,
        });
    }
    for p in &a.probes {
        let family = match p.signature_family {
            smtp::SignatureFamily::Ecdsa => "ECDSA",
            smtp::SignatureFamily::Rsa => "RSA",
        };
        let mut av = AlgorithmView {
            family,
            badge: badge("bad", t.verdict_not_authenticated),
            tls_version: None,
            matched: Vec::new(),
            chain: Vec::new(),
            findings: Vec::new(),
            notes: Vec::new(),
        };
        let r = &p.report;
        if r.starttls_offered == Some(false) {
            av.findings.push(Finding {
                code: "no_starttls",
                title: t.ck_no_starttls.to_owned(),
                rfc: "RFC 7672 §2.2",
                fix: t.fix_starttls.to_owned(),
                detail: None,
            });
        } else if let Some(tls) = &r.tls {
            av.tls_version = Some(tls.version.clone());
            let chain: Vec<Vec<u8>> = tls.chain.iter().filter_map(|c| c.der().ok()).collect();
            match check(&chain, records, Check { names, now, look_ahead_days: Some(LOOK_AHEAD_DAYS) }) {
                Ok(report) => {
                    lets_encrypt |= report.chain.iter().any(|c| c.certificate.issuer.contains("Let's Encrypt"));
                    fill_from_report(&mut av, &report, t);
                }
                Err(e) => av.findings.push(Finding {
                    code: "bad_chain",
                    title: t.match_bad_chain.to_owned(),
                    rfc: "RFC 5280 §4.1",
                    fix: t.fix_chain.to_owned(),
                    detail: Some(e.to_string()),
                }),
            }
        } else if let Some(err) = &r.error {
            // A family the server has no chain for fails its handshake; that is allowed when another completed.
            av.badge = badge("warn", t.ck_no_chain_for_family);
            av.findings.push(Finding {
                code: "probe_error",
                title: (t.ck_probe_step_failed)(err.step.as_str()),
                rfc: "",
                fix: t.fix_probe_error.to_owned(),
                detail: Some(err.message.clone()),
            });
        }
        algorithms.push(av);
    }
    // A server without a chain for one family fails that handshake; next to a
    // completed one that is allowed, so it is a note, not a finding.
    if algorithms.iter().any(|a| a.tls_version.is_some()) {
        for alg in algorithms.iter_mut().filter(|a| a.tls_version.is_none()) {
            if alg.findings.iter().all(|f| f.code == "probe_error") {
                let details: Vec<String> = alg.findings.drain(..).filter_map(|f| f.detail).collect();
                alg.notes.push(format!("{} {}", t.ck_no_chain_for_family_note, details.join("; ")));
            }
        }
    }
    // An address authenticates when every algorithm it completed a handshake for authenticates.
    let completed: Vec<&AlgorithmView> = algorithms.iter().filter(|a| a.tls_version.is_some()).collect();
    let any_no_starttls = algorithms.iter().any(|a| a.findings.iter().any(|f| f.code == "no_starttls"));
    let badge = if a.refused.is_some() {
        badge("warn", t.ck_not_probed)
    } else if !completed.is_empty() && completed.iter().all(|a| a.badge.class == "ok") && !any_no_starttls {
        badge("ok", t.verdict_authenticated)
    } else if completed.is_empty() && !any_no_starttls {
        badge("bad", t.ck_unreachable)
    } else {
        badge("bad", t.verdict_not_authenticated)
    };
    (AddressView { address: a.address.to_string(), badge, algorithms, findings }, lets_encrypt)
}

fn fill_from_report(av: &mut AlgorithmView, report: &Report, t: &Strings) {
    av.chain = report
        .chain
        .iter()
        .map(|c| {
            let x = &c.certificate;
            format!(
                "{}: {} — {} {} · {} · {}",
                c.depth,
                x.subject,
                t.gen_issuer,
                x.issuer,
                (t.gen_valid)(&ymd(x.not_before), &ymd(x.not_after)),
                x.key
            )
        })
        .collect();
    for m in &report.matched {
        if let Some(r) = report.records.get(m.record) {
            av.matched.push((t.ck_matched_at)(&r.record.to_string(), m.depth));
        }
    }
    match report.verdict {
        Verdict::Authenticated => av.badge = badge("ok", t.verdict_authenticated),
        Verdict::NotAuthenticated => {
            av.findings.push(Finding {
                code: "not_authenticated",
                title: t.verdict_not_authenticated_why.to_owned(),
                rfc: "RFC 7672 §2.2, §3",
                fix: t.fix_not_authenticated.to_owned(),
                detail: Some(
                    report.records.iter().map(|r| format!("{}: {}", r.record, r.detail)).collect::<Vec<_>>().join("\n"),
                ),
            });
        }
        _ => av.findings.push(Finding {
            code: "no_usable_tlsa",
            title: t.verdict_no_usable_why.to_owned(),
            rfc: "RFC 7672 §3.1.3",
            fix: t.fix_no_usable.to_owned(),
            detail: None,
        }),
    }
    if let Some(e) = &report.expiry {
        av.notes.push((t.match_expires)(&ymd(e.not_after), &e.subject));
    }
    if let (Some(la), true) = (&report.look_ahead, report.authenticated) {
        if la.authenticated {
            av.notes.push((t.match_look_ahead_ok)(la.days));
        } else {
            av.findings.push(Finding {
                code: "expires_soon",
                title: (t.match_look_ahead_bad)(la.days),
                rfc: "RFC 7672 §3.1.2",
                fix: t.fix_renew.to_owned(),
                detail: None,
            });
        }
    }
}

/// The whole result as JSON (the export): the core's DNS report, the edge's
/// probe reports and the page's verdicts and findings.
#[must_use]
pub fn export_json(run: &CheckRun, view: &CheckView) -> String {
    #[derive(Serialize)]
    struct Export<'a> {
        domain: &'a str,
        domain_unicode: &'a str,
        checked_at: String,
        verdict: &'a str,
        view: &'a CheckView,
        dns: Option<&'a SmtpReport>,
        probes: Vec<Option<&'a smtp::HostReport>>,
    }
    let probes = run.probes.iter().map(|p| if let Probe::Done(r) = p { Some(r) } else { None }).collect();
    let export = Export {
        domain: &view.domain,
        domain_unicode: &view.domain_unicode,
        checked_at: crate::dates::ymd_hm(run.now),
        verdict: view.verdict_class,
        view,
        dns: run.dns.as_ref(),
        probes,
    };
    serde_json::to_string_pretty(&export).unwrap_or_default()
}
