//! `geleit check --format nagios|prometheus`: the core's monitoring view
//! (`geleit::monitor::Monitor`, which decides the state) as a Monitoring
//! Plugins status line with performance data, or as Prometheus text
//! exposition format 0.0.4 for node_exporter's textfile collector.

use std::fmt::Write as _;

use geleit::monitor::{Monitor, State};

/// Plugin output is one line up to `|` (where performance data starts):
/// neither may occur in the text.
fn plugin_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '|' => '/',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect()
}

/// A plugin that could not run: UNKNOWN with the reason.
pub fn nagios_unknown(why: &str) -> String {
    format!("DANE {} - {}\n", State::Unknown.as_str(), plugin_text(why))
}

/// The status line, performance data, and one line per host and address
/// (the plugin's long output).
pub fn nagios(m: &Monitor) -> String {
    let mut line = format!("DANE {} - {}: {}", m.state.as_str(), m.domain, m.summary);
    if m.checked && m.probed {
        let _ = write!(
            line,
            "; {} of {} MX hosts and {} of {} addresses authenticated",
            m.hosts_ok(),
            m.host_count(),
            m.addresses_authenticated(),
            m.address_count()
        );
    } else if m.checked {
        let _ = write!(line, "; {} of {} MX hosts DANE-ready", m.hosts_ok(), m.host_count());
    }
    if let Some(reason) = &m.reason {
        let _ = write!(line, "; {reason}");
    }
    let mut out = plugin_text(&line);
    if m.checked {
        let mut perf = if m.probed {
            format!(
                "hosts={} hosts_authenticated={} addresses={} addresses_authenticated={}",
                m.host_count(),
                m.hosts_ok(),
                m.address_count(),
                m.addresses_authenticated()
            )
        } else {
            format!("hosts={} hosts_dane={}", m.host_count(), m.hosts_ok())
        };
        if let Some(days) = m.days_to_expiry {
            let _ = write!(perf, " days_to_expiry={days}");
        }
        if let Some(days) = m.days_to_signature_expiry {
            let _ = write!(perf, " days_to_signature_expiry={days}");
        }
        let _ = write!(out, "|{perf}");
    }
    out.push('\n');
    for h in &m.hosts {
        let _ = writeln!(out, "{}", plugin_text(&format!("{}: {}", h.host, h.summary)));
        for a in &h.addresses {
            let _ = writeln!(out, "{}", plugin_text(&format!("  {}: {}", a.address, a.verdict.describe())));
        }
    }
    out
}

/// A label value (exposition format: backslash, double quote and line feed
/// escaped). Other control characters are written as `\\u{..}` text, so
/// that the terminal escapes added on output cannot turn into escape
/// sequences the format does not know.
fn label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control()
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}') =>
            {
                let _ = write!(out, "\\\\u{{{:04x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// One metric family: its samples, written with HELP and TYPE when it has any.
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(String, String)>,
}

impl Family {
    fn new(name: &'static str, help: &'static str) -> Self {
        Self { name, help, samples: Vec::new() }
    }

    fn add(&mut self, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        let labels = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", label(v))).collect::<Vec<_>>().join(",");
        self.samples.push((labels, value.to_string()));
    }

    fn write(&self, out: &mut String) {
        if self.samples.is_empty() {
            return;
        }
        let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
        let _ = writeln!(out, "# TYPE {} gauge", self.name);
        for (labels, value) in &self.samples {
            let _ = writeln!(out, "{}{{{labels}}} {value}", self.name);
        }
    }
}

fn flag(b: bool) -> u8 {
    u8::from(b)
}

/// The metrics of every domain, one family after the other.
pub fn prometheus(monitors: &[Monitor]) -> String {
    let mut success = Family::new(
        "geleit_check_success",
        "Whether the check reached a verdict (0: Geleit's DNS resolver could not be reached).",
    );
    let mut state = Family::new(
        "geleit_check_state",
        "The Monitoring Plugins state of the domain: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
    );
    let mut domain_auth = Family::new(
        "geleit_dane_domain_authenticated",
        "Whether DANE authenticates every address of every MX host and the MX records are DNSSEC-signed (with --no-probe: every MX host is DANE-ready).",
    );
    let mut required = Family::new(
        "geleit_dane_host_required",
        "Whether DNSSEC-validated usable TLSA records make DANE required for the MX host (RFC 7672 section 2.2).",
    );
    let mut usable = Family::new(
        "geleit_tlsa_usable_records",
        "Usable TLSA records of the MX host; fewer than 2 means no next key is published (RFC 7671 section 8.1).",
    );
    let mut host_auth =
        Family::new("geleit_dane_host_authenticated", "Whether DANE authenticates every address of the MX host.");
    let mut addr_auth = Family::new(
        "geleit_dane_authenticated",
        "Whether DANE authenticates the certificate chain the address presents to a default client.",
    );
    let mut expiry = Family::new(
        "geleit_certificate_expiry_timestamp_seconds",
        "notAfter of the first certificate to expire in the chain the address presents, Unix seconds.",
    );
    let mut signatures = Family::new(
        "geleit_dnssec_signature_expiry_timestamp_seconds",
        "Expiration of the first RRSIG to expire among those the verdict rests on (MX, A/AAAA, TLSA, denials, CNAMEs, DS and DNSKEY up to the root), Unix seconds; rrset names it.",
    );
    for m in monitors {
        let d = m.domain.as_str();
        if let Some(e) = &m.first_signature_expiry {
            signatures.add(&[("domain", d), ("rrset", e.rrset().as_str())], e.expiration);
        }
        success.add(&[("domain", d)], flag(m.checked));
        state.add(&[("domain", d)], m.state.code());
        if m.checked {
            domain_auth.add(&[("domain", d)], flag(m.authenticated));
        }
        for h in &m.hosts {
            let host = [("domain", d), ("host", h.host.as_str())];
            required.add(&host, flag(h.dane_required));
            usable.add(&host, h.usable_records);
            if let Some(auth) = h.authenticated {
                host_auth.add(&host, flag(auth));
            }
            for a in &h.addresses {
                let address = a.address.to_string();
                let labels = [("domain", d), ("host", h.host.as_str()), ("address", address.as_str())];
                addr_auth.add(&labels, flag(a.authenticated));
                if let Some(t) = a.first_expiry {
                    expiry.add(&labels, t);
                }
            }
        }
    }
    let mut out = String::new();
    for f in [&success, &state, &domain_auth, &required, &usable, &host_auth, &addr_auth, &expiry, &signatures] {
        f.write(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(label("x\ny"), "x\\ny");
        assert_eq!(label("e\u{1b}[31m\u{202e}"), "e\\\\u{001b}[31m\\\\u{202e}");
        assert_eq!(label("Grüße.example"), "Grüße.example");
    }

    #[test]
    fn plugin_text_is_one_line_without_a_pipe() {
        assert_eq!(plugin_text("a|b\nc\rd"), "a/b c d");
    }
}
