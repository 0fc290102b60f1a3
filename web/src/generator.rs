//! The generator's view model: pasted text and options → the records to
//! publish, explained in the page's language.
//!
//! The records themselves come from the core ([`geleit::tlsa_gen::generate`]),
//! exactly as `geleit tlsa gen` makes them; the zone-file lines use the same
//! layout as the CLI's `zone` format (`owner TAB ttl TAB IN TAB TLSA TAB rdata`,
//! recommended records first), with the comments in the page's language.

use geleit::cert::{CertError, Warning, read_input};
use geleit::tlsa::{MatchingType, Selector, Tlsa, Usage};
use geleit::tlsa_gen::{GenError, GenWarning, Role, Source, default_host, generate as core_generate, owner_name};

use crate::dates::ymd;
use crate::detail_words::cert_error_text;
use crate::i18n::{Lang, Strings};

/// What the person typed into the generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenForm {
    /// Pasted PEM (or a dropped file's text).
    pub text: String,
    /// Host name; empty: from the certificate.
    pub host: String,
    /// Port, as typed.
    pub port: String,
    /// TTL, as typed.
    pub ttl: String,
}

impl Default for GenForm {
    fn default() -> Self {
        Self { text: String::new(), host: String::new(), port: "25".into(), ttl: "3600".into() }
    }
}

/// Something that stops the generator, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Translated message.
    pub message: String,
    /// The core's technical detail (English), if any.
    pub detail: Option<String>,
}

impl Problem {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), detail: None }
    }
}

/// One certificate or key that was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceView {
    /// "depth 0: server certificate".
    pub label: String,
    pub subject: Option<String>,
    pub issuer: Option<String>,
    /// "valid from … to …".
    pub validity: Option<String>,
    pub key: String,
}

/// One record, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    /// `3 1 1 <hex>`.
    pub rdata: String,
    /// The zone-file line (same layout as `geleit tlsa gen`).
    pub zone_line: String,
    /// `DANE-EE(3) SPKI(1) SHA2-256(1)`.
    pub mnemonics: String,
    /// What it pins, in words.
    pub explanation: String,
    /// Advice about this kind of record.
    pub note: Option<&'static str>,
    /// Which source it pins ("depth 0: server certificate").
    pub source: String,
}

/// The generator's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenView {
    /// `_25._tcp.mx.example.com.`
    pub owner: String,
    /// The host name was taken from the certificate.
    pub host_from_cert: bool,
    pub sources: Vec<SourceView>,
    pub recommended: Vec<RecordView>,
    pub others: Vec<RecordView>,
    /// Warnings about the input, translated.
    pub notes: Vec<String>,
    /// The zone-file text to paste: what was read (comments) and the
    /// recommended records only.
    pub zone: String,
    /// The zone-file lines of the other possible records (shown collapsed).
    pub others_zone: String,
}

/// The result the page shows: nothing yet, a problem, or records.
pub type GenResult = Option<Result<GenView, Problem>>;

/// Runs the generator; `None` while the text is empty.
#[must_use]
pub fn run(form: &GenForm, lang: Lang) -> GenResult {
    if form.text.trim().is_empty() {
        return None;
    }
    Some(run_bytes(form.text.as_bytes(), form, lang))
}

/// Runs the generator on raw input bytes (a dropped DER file).
pub fn run_bytes(bytes: &[u8], form: &GenForm, lang: Lang) -> Result<GenView, Problem> {
    let t = lang.t();
    let port: u16 = match form.port.trim().parse() {
        Ok(p) if p > 0 => p,
        _ => return Err(Problem::new((t.gen_bad_port)(form.port.trim()))),
    };
    let ttl: u32 = match form.ttl.trim().parse() {
        Ok(v) if v <= 2_147_483_647 => v,
        _ => return Err(Problem::new((t.gen_bad_ttl)(form.ttl.trim()))),
    };
    let input = read_input(bytes).map_err(|e| match e {
        CertError::OnlyPrivateKey => Problem::new(t.gen_private_key_refused),
        CertError::Nothing { .. } => {
            Problem { message: t.gen_nothing_found.into(), detail: Some(cert_error_text(&e, lang)) }
        }
        e => Problem { message: t.gen_unreadable.into(), detail: Some(cert_error_text(&e, lang)) },
    })?;
    let mut notes: Vec<String> = input.warnings.iter().map(|w| warning_words(w, t)).collect();
    if input.objects.is_empty() {
        return Err(Problem { message: t.gen_nothing_found.into(), detail: notes.first().cloned() });
    }
    let generated = core_generate(&input);
    notes.extend(generated.warnings.iter().map(|w| gen_warning_words(w, t)));

    let typed = form.host.trim();
    let (host, host_from_cert) = if typed.is_empty() {
        (default_host(&input).ok_or_else(|| Problem::new(t.gen_need_host))?, true)
    } else {
        (host_to_ascii(typed), false)
    };
    let owner = owner_name(port, "tcp", &host).map_err(|e| Problem::new(gen_error_words(&e, t)))?;

    let sources: Vec<SourceView> = generated.sources.iter().enumerate().map(|(i, s)| source_view(i, s, t)).collect();
    let label = |i: usize| sources.get(i).map(|s| s.label.clone()).unwrap_or_default();
    let view = |r: &geleit::tlsa_gen::GenRecord| RecordView {
        rdata: r.record.to_string(),
        zone_line: zone_line(&owner, ttl, &r.record),
        mnemonics: r.record.mnemonics(),
        explanation: explain(&r.record, t),
        note: note(&r.record, t),
        source: label(r.source),
    };
    let recommended: Vec<RecordView> = generated.records.iter().filter(|r| r.recommended).map(view).collect();
    let others: Vec<RecordView> = generated.records.iter().filter(|r| !r.recommended).map(view).collect();

    let mut zone = String::new();
    for s in &sources {
        zone.push_str(&format!("; {}\n", s.label));
        if let Some(subject) = &s.subject {
            zone.push_str(&format!(";   {} {subject}\n", t.gen_subject));
        }
        if let Some(v) = &s.validity {
            zone.push_str(&format!(";   {v}\n"));
        }
    }
    zone.push_str(t.zone_recommended_comment);
    zone.push('\n');
    for r in &recommended {
        zone.push_str(&r.zone_line);
        zone.push('\n');
    }
    let mut others_zone = String::new();
    let mut current: Option<&str> = None;
    for r in &others {
        if current != Some(r.source.as_str()) {
            current = Some(r.source.as_str());
            others_zone.push_str(&(t.zone_other_comment)(&r.source));
            others_zone.push('\n');
        }
        others_zone.push_str(&r.zone_line);
        others_zone.push('\n');
    }
    Ok(GenView { owner, host_from_cert, sources, recommended, others, notes, zone, others_zone })
}

/// `text` without its private key blocks (`-----BEGIN … PRIVATE KEY-----`
/// to the matching END line, or to the end of the text), or `None` when it
/// holds none: a refused key does not stay in the page.
#[must_use]
pub fn without_private_keys(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut found = false;
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !inside && trimmed.starts_with("-----BEGIN ") && trimmed.contains("PRIVATE KEY") {
            found = true;
            inside = true;
            continue;
        }
        if inside {
            if trimmed.starts_with("-----END ") {
                inside = false;
            }
            continue;
        }
        out.push_str(line);
    }
    found.then_some(out)
}

/// A zone-file line exactly as `geleit tlsa gen` prints it.
#[must_use]
pub fn zone_line(owner: &str, ttl: u32, record: &Tlsa) -> String {
    format!("{owner}\t{ttl}\tIN\tTLSA\t{record}")
}

/// An internationalised host name in its ASCII (A-label) form; the text as typed when it is not one.
#[must_use]
pub fn host_to_ascii(host: &str) -> String {
    crate::domain::host_to_ascii(host).unwrap_or_else(|| host.to_owned())
}

fn source_view(index: usize, s: &Source, t: &Strings) -> SourceView {
    let role = match s.role {
        Role::Leaf => t.role_leaf,
        Role::IssuingCa => t.role_issuing_ca,
        Role::UpperCa => t.role_upper_ca,
        Role::PublicKey => t.role_public_key,
        Role::Request => t.role_request,
    };
    let place = s.depth.map_or_else(|| (t.place_key)(index), |d| (t.place_depth)(d));
    let validity = match (s.not_before, s.not_after) {
        (Some(nb), Some(na)) => Some((t.gen_valid)(&ymd(nb), &ymd(na))),
        _ => None,
    };
    SourceView {
        label: format!("{place}: {role}"),
        subject: s.subject.clone(),
        issuer: s.issuer.clone(),
        validity,
        key: s.key.clone(),
    }
}

/// What a record pins, in words ("the server's own public key, as SHA-256 digest").
#[must_use]
pub fn explain(record: &Tlsa, t: &Strings) -> String {
    let what = match record.selector {
        Selector::CERT => t.selector_cert,
        Selector::SPKI => t.selector_spki,
        _ => t.selector_unknown,
    };
    let whose = match record.usage {
        Usage::DANE_EE => (t.usage_ee)(what),
        Usage::DANE_TA => (t.usage_ta)(what),
        Usage::PKIX_TA => (t.usage_pkix)(what),
        Usage::PKIX_EE => (t.usage_pkix_ee)(what),
        _ => (t.usage_unknown)(what),
    };
    let how = match record.matching_type {
        MatchingType::FULL => t.mt_full,
        MatchingType::SHA2_256 => t.mt_sha256,
        MatchingType::SHA2_512 => t.mt_sha512,
        _ => t.mt_unknown,
    };
    format!("{whose}, {how}")
}

/// Advice for a kind of record, if there is any.
#[must_use]
pub fn note(record: &Tlsa, t: &Strings) -> Option<&'static str> {
    match (record.usage, record.selector, record.matching_type) {
        (_, _, MatchingType::FULL) => Some(t.note_full),
        (_, _, MatchingType::SHA2_512) => Some(t.note_sha512),
        (Usage::DANE_EE, Selector::SPKI, _) => Some(t.note_ee_spki),
        (Usage::DANE_EE, Selector::CERT, _) => Some(t.note_ee_cert),
        (Usage::DANE_TA, _, _) => Some(t.note_ta),
        _ => None,
    }
}

fn warning_words(w: &Warning, t: &Strings) -> String {
    match w {
        Warning::PrivateKeyRefused { .. } => t.gen_private_key_refused.to_owned(),
        Warning::IgnoredBlock { label } => (t.gen_ignored_block)(label),
    }
}

fn gen_warning_words(w: &GenWarning, t: &Strings) -> String {
    match w {
        GenWarning::NotChained { depth, subject, expected_issuer } => {
            (t.gen_not_chained)(*depth, subject, expected_issuer)
        }
        GenWarning::NotCa { depth, subject } => (t.gen_not_ca)(*depth, subject),
    }
}

fn gen_error_words(e: &GenError, t: &Strings) -> String {
    match e {
        GenError::BadHost { found } => (t.gen_bad_host)(found),
        GenError::WildcardHost { found } => (t.gen_wildcard_host)(found),
        GenError::NameTooLong { found } => (t.gen_name_too_long)(*found),
        GenError::BadProto { found } => (t.gen_bad_proto)(found),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// (leaf PEM, CA PEM): an ECDSA leaf for `mx.example.com` under an ECDSA CA.
    pub(crate) fn chain_pem() -> (String, String) {
        use geleit_test_support::certs::Spec;
        let ca = Spec::ca("Test CA").self_signed();
        let leaf = Spec::leaf("mx.example.com", &["mx.example.com"]).signed_by(&ca);
        (leaf.pem, ca.pem)
    }

    fn form(text: &str) -> GenForm {
        GenForm { text: text.to_owned(), ..GenForm::default() }
    }

    #[test]
    fn empty_text_shows_nothing() {
        assert_eq!(run(&form("  \n"), Lang::En), None);
    }

    #[test]
    fn chain_gives_3_1_1_and_2_1_1_first_with_the_cli_layout() {
        let (leaf, ca) = chain_pem();
        let view = run(&form(&format!("{leaf}{ca}")), Lang::En).unwrap().unwrap();
        assert_eq!(view.owner, "_25._tcp.mx.example.com.");
        assert!(view.host_from_cert);
        assert_eq!(view.recommended.len(), 2);
        assert!(view.recommended[0].rdata.starts_with("3 1 1 "));
        assert!(view.recommended[1].rdata.starts_with("2 1 1 "));
        assert_eq!(view.others.len(), 10);
        assert!(view.recommended[0].zone_line.starts_with("_25._tcp.mx.example.com.\t3600\tIN\tTLSA\t3 1 1 "));
        // The block to paste holds the recommended records only; the others are apart.
        let record_lines: Vec<&str> = view.zone.lines().filter(|l| !l.starts_with(';')).collect();
        assert_eq!(record_lines.len(), 2);
        assert!(record_lines.iter().all(|l| l.contains("\t3 1 1 ") || l.contains("\t2 1 1 ")), "{record_lines:?}");
        let other_lines = view.others_zone.lines().filter(|l| !l.starts_with(';')).count();
        assert_eq!(other_lines, 10);
        assert_eq!(view.recommended[0].explanation, "the server's own public key, as SHA-256 digest");
        assert!(view.notes.is_empty());
    }

    #[test]
    fn usage_1_is_the_servers_own_certificate_not_a_public_ca() {
        let (leaf, _) = chain_pem();
        let view = run(&form(&leaf), Lang::En).unwrap().unwrap();
        let rdata = view.recommended[0].rdata.replacen("3 1 1", "1 1 1", 1);
        let pkix_ee = Tlsa::scan(&rdata).unwrap();
        let words = explain(&pkix_ee, Lang::En.t());
        assert!(words.starts_with("the server's own public key"), "{words}");
        assert!(!words.contains("public CA (PKIX"), "{words}");
        let pkix_ta = Tlsa::scan(&rdata.replacen("1 1 1", "0 1 1", 1)).unwrap();
        assert!(explain(&pkix_ta, Lang::En.t()).contains("of a public CA (PKIX-TA"));
    }

    #[test]
    fn german_words_for_the_same_records() {
        let (leaf, _) = chain_pem();
        let view = run(&form(&leaf), Lang::De).unwrap().unwrap();
        assert_eq!(view.recommended[0].explanation, "öffentlicher Schlüssel des Servers selbst, als SHA-256-Hash");
        assert_eq!(view.sources[0].label, "Tiefe 0: Serverzertifikat");
        assert!(view.zone.contains("; empfohlen (RFC 7671 §5, §8; RFC 7672 §3.1):\n"));
    }

    #[test]
    fn options_are_checked_and_used() {
        let (leaf, _) = chain_pem();
        let mut f = form(&leaf);
        f.port = "0".into();
        assert_eq!(
            run(&f, Lang::En).unwrap().unwrap_err().message,
            "Expected a port number from 1 to 65535, found “0”."
        );
        f.port = "465".into();
        f.ttl = "300".into();
        f.host = "Mail.Bücher.example".into();
        let view = run(&f, Lang::En).unwrap().unwrap();
        assert_eq!(view.owner, "_465._tcp.mail.xn--bcher-kva.example.");
        assert!(!view.host_from_cert);
        assert!(view.recommended[0].zone_line.contains("\t300\tIN\tTLSA\t"));
        f.host = "*.example.com".into();
        assert!(run(&f, Lang::En).unwrap().unwrap_err().message.contains("wildcard"));
    }

    #[test]
    fn private_key_is_refused_and_said_so() {
        let key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
        let problem = run(&form(key), Lang::En).unwrap().unwrap_err();
        assert!(problem.message.starts_with("A private key was pasted: it was refused and not read."));
        assert_eq!(run(&form("hello"), Lang::En).unwrap().unwrap_err().message, EN_NOTHING);
        let (leaf, _) = chain_pem();
        let view = run(&form(&format!("{key}{leaf}")), Lang::De).unwrap().unwrap();
        assert!(view.notes[0].starts_with("Ein privater Schlüssel wurde eingefügt"));
    }

    #[test]
    fn private_key_blocks_are_taken_out_of_the_text() {
        let (leaf, _) = chain_pem();
        let key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----\n";
        assert_eq!(without_private_keys(&format!("{key}{leaf}")).as_deref(), Some(leaf.as_str()));
        assert_eq!(without_private_keys(key).as_deref(), Some(""));
        assert_eq!(without_private_keys(&leaf), None);
        assert_eq!(without_private_keys("-----BEGIN PRIVATE KEY-----\nMC4CAQAw").as_deref(), Some(""));
    }

    const EN_NOTHING: &str = "No certificate, public key or certificate request was found in the input.";

    #[test]
    fn garbage_is_a_problem_with_the_core_detail() {
        let problem =
            run(&form("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"), Lang::En).unwrap().unwrap_err();
        assert_eq!(problem.message, "The input could not be read.");
        assert!(problem.detail.is_some());
    }
}
