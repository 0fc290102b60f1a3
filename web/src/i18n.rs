//! Every word the page shows, in English and German.
//!
//! One [`Strings`] table per language, built as a `const` struct literal: a
//! string added to the struct without a translation is a compile error, so no
//! language can fall behind. Parameterised texts are plain `fn`s in the table.
//! Technical details that come from the core (parse errors, DNSSEC
//! validation steps, the matcher's per-record details) are worded per
//! variant in [`crate::detail_words`], the verdicts and findings in
//! [`crate::verdict_words`], the browser driver's failures (DoH, the edge's
//! probe and policy fetch, an unreachable resolver) in [`crate::drive_words`].

use serde::{Deserialize, Serialize};

/// A language of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// German.
    De,
}

impl Lang {
    /// Every language, in the order the switcher shows them.
    pub const ALL: [Self; 2] = [Self::En, Self::De];

    /// The BCP 47 primary tag (`en`, `de`).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// A language tag such as `de-AT` or `en`; `None` for languages the page does not speak.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next().unwrap_or("").trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "de" => Some(Self::De),
            _ => None,
        }
    }

    /// The first language the browser prefers that the page speaks (`navigator.languages`), else English.
    #[must_use]
    pub fn from_preferences<S: AsRef<str>>(tags: &[S]) -> Self {
        tags.iter().find_map(|t| Self::from_tag(t.as_ref())).unwrap_or_default()
    }

    /// The checker's own words for this language (the engine module's; see [`CheckStrings`]).
    #[must_use]
    pub const fn ck(self) -> &'static CheckStrings {
        match self {
            Self::En => &EN_CHECK,
            Self::De => &DE_CHECK,
        }
    }

    /// The table of words for this language.
    #[must_use]
    pub const fn t(self) -> &'static Strings {
        match self {
            Self::En => &EN,
            Self::De => &DE,
        }
    }
}

/// Every string of the page for one language.
#[allow(clippy::struct_field_names)]
pub struct Strings {
    /// The language of this table (for the words of [`crate::detail_words`]).
    pub lang: Lang,
    pub lang_name: &'static str,
    pub lang_label: &'static str,
    pub app_title: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_check: &'static str,
    pub nav_generate: &'static str,
    pub nav_match: &'static str,
    pub nav_settings: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub copy_failed: &'static str,
    pub nothing_uploaded: &'static str,

    // Generator
    pub gen_heading: &'static str,
    pub gen_intro: &'static str,
    pub gen_input_label: &'static str,
    pub gen_input_hint: &'static str,
    pub gen_file_label: &'static str,
    pub gen_drop_here: &'static str,
    pub gen_host_label: &'static str,
    pub gen_host_hint: &'static str,
    pub gen_port_label: &'static str,
    pub gen_ttl_label: &'static str,
    pub gen_empty: &'static str,
    pub gen_unreadable: &'static str,
    pub gen_nothing_found: &'static str,
    pub gen_bad_port: fn(&str) -> String,
    pub gen_bad_ttl: fn(&str) -> String,
    pub gen_need_host: &'static str,
    pub gen_bad_host: fn(&str) -> String,
    pub gen_wildcard_host: fn(&str) -> String,
    pub gen_name_too_long: fn(usize) -> String,
    pub gen_bad_proto: fn(&str) -> String,
    pub gen_owner: &'static str,
    pub gen_host_from_cert: &'static str,
    pub gen_sources: &'static str,
    pub gen_recommended: &'static str,
    pub gen_recommended_why: &'static str,
    pub gen_others: &'static str,
    pub gen_zone: &'static str,
    pub gen_zone_hint: &'static str,
    pub gen_subject: &'static str,
    pub gen_issuer: &'static str,
    pub gen_valid: fn(&str, &str) -> String,
    pub gen_key: &'static str,
    pub gen_private_key_refused: &'static str,
    /// … and it was taken out of the text field.
    pub gen_private_key_cleared: &'static str,
    /// Above the other possible records: not for the zone as they are.
    pub gen_others_hint: &'static str,
    pub gen_ignored_block: fn(&str) -> String,
    pub gen_not_chained: fn(usize, &str, &str) -> String,
    pub gen_not_ca: fn(usize, &str) -> String,
    pub zone_recommended_comment: &'static str,
    pub zone_other_comment: fn(&str) -> String,

    // What a record or source is
    pub role_leaf: &'static str,
    pub role_issuing_ca: &'static str,
    pub role_upper_ca: &'static str,
    pub role_public_key: &'static str,
    pub role_request: &'static str,
    pub place_depth: fn(usize) -> String,
    pub place_key: fn(usize) -> String,
    pub usage_ee: fn(&str) -> String,
    pub usage_ta: fn(&str) -> String,
    /// Usage 0 (PKIX-TA): a public CA.
    pub usage_pkix: fn(&str) -> String,
    /// Usage 1 (PKIX-EE): the server's own certificate, validated with public CAs.
    pub usage_pkix_ee: fn(&str) -> String,
    pub usage_unknown: fn(&str) -> String,
    pub selector_cert: &'static str,
    pub selector_spki: &'static str,
    pub selector_unknown: &'static str,
    pub mt_full: &'static str,
    pub mt_sha256: &'static str,
    pub mt_sha512: &'static str,
    pub mt_unknown: &'static str,
    pub note_ee_spki: &'static str,
    pub note_ee_cert: &'static str,
    pub note_ta: &'static str,
    pub note_full: &'static str,
    pub note_sha512: &'static str,

    // Why a record is unusable
    pub unusable_pkix: fn(u8) -> String,
    pub unusable_usage: fn(u8) -> String,
    pub unusable_selector: fn(u8) -> String,
    pub unusable_matching: fn(u8) -> String,
    pub unusable_length: fn(usize, usize) -> String,
    pub unusable_empty: &'static str,

    // Matcher
    pub match_heading: &'static str,
    pub match_intro: &'static str,
    pub match_chain_label: &'static str,
    pub match_chain_hint: &'static str,
    pub match_records_label: &'static str,
    pub match_records_hint: &'static str,
    pub match_host_label: &'static str,
    pub match_host_hint: &'static str,
    pub match_need_chain: &'static str,
    pub match_need_records: &'static str,
    pub match_bad_record: fn(usize, &str) -> String,
    pub match_bad_chain: &'static str,
    pub match_bad_host: fn(&str) -> String,
    pub match_chain: &'static str,
    pub match_records: &'static str,
    pub match_authenticates_at: fn(usize) -> String,
    pub match_matches_at: fn(usize) -> String,
    /// DANE-TA(2): the record matches at this depth, only the name check failed.
    pub match_matches_name_failed: fn(usize) -> String,
    /// No host name was given, and DANE-TA(2) checks it.
    pub match_name_missing: &'static str,
    /// The certificate (its names second) does not carry the host (first).
    pub match_name_mismatch: fn(&str, &str) -> String,
    pub match_name_fix: &'static str,
    /// The verdict's reason when only the name check failed (the finding says more).
    pub match_name_why: &'static str,
    pub match_anchor_not_sent: &'static str,
    pub match_no_match: &'static str,
    pub match_unusable: &'static str,
    pub match_detail: &'static str,
    pub match_expires: fn(&str, &str) -> String,
    pub match_look_ahead_ok: fn(u32) -> String,
    pub match_look_ahead_bad: fn(u32) -> String,

    // Settings
    pub set_heading: &'static str,
    pub set_intro: &'static str,
    pub set_doh_label: &'static str,
    pub set_doh_hint: &'static str,
    pub set_edge_label: &'static str,
    pub set_edge_hint: &'static str,
    pub set_anchor_label: &'static str,
    pub set_anchor_hint: &'static str,
    pub set_saved: &'static str,
    pub set_reset: &'static str,
    pub set_reset_done: &'static str,

    // Checker
    pub ck_heading: &'static str,
    pub ck_intro: &'static str,
    pub ck_input_label: &'static str,
    pub ck_input_hint: &'static str,
    pub ck_button: &'static str,
    pub ck_running: &'static str,
    pub ck_empty_domain: &'static str,
    pub ck_bad_domain: fn(&str) -> String,
    /// An IP address was typed: DANE is looked up by name.
    pub ck_ip_address: fn(&str) -> String,
    /// One host in brackets, in the widget's default mode (the edge checks mail domains).
    pub ck_idn: fn(&str, &str) -> String,
    pub ck_mx_heading: &'static str,
    pub ck_hosts_heading: &'static str,
    /// MX hosts beyond the core's bound, listed by name: not checked.
    pub ck_unchecked_heading: &'static str,
    pub ck_addresses: &'static str,
    pub ck_tlsa_base: &'static str,
    pub ck_no_records: &'static str,
    pub ck_probe_heading: &'static str,
    pub ck_advice_heading: &'static str,
    /// TLSRPT and MTA-STS, beside the DANE verdict (issue 16).
    pub ck_policy_heading: &'static str,
    pub ck_policy_note: &'static str,
    pub ck_fix: &'static str,
    pub ck_export: &'static str,
    pub ck_share: &'static str,
    pub ck_trace: &'static str,
    pub ck_chain: &'static str,
    pub ck_preference: fn(usize) -> String,
    pub ck_pending: &'static str,
    pub ck_failed: &'static str,
    /// What to do about it, before a link to the settings (the app only).
    pub ck_unreachable_hint: &'static str,
    /// Runs the check again.
    pub ck_retry: &'static str,
    /// The browser is offline: the checker needs the network, the generator and matcher do not.
    pub ck_offline: &'static str,
    /// A domain asked for while offline is checked once the browser is online again.
    pub ck_offline_waiting: fn(&str) -> String,
    /// A check waits for the engine module (fetched in parallel with the page).
    pub ck_engine_loading: &'static str,
    /// The engine module did not arrive: the checker cannot run, the generator and matcher can.
    pub ck_engine_missing: &'static str,
    pub ck_suggested: &'static str,
    /// The probe's own words, behind a toggle.
    pub ck_raw: &'static str,
    /// The fix to make first, under the verdict.
    pub ck_first_fix: &'static str,
    /// … at this MX host.
    pub ck_first_fix_at: fn(&str) -> String,
    /// The record to publish, before its copy button.
    pub ck_record_to_publish: &'static str,
    pub ck_progress_done: &'static str,

    // Verdicts (shared by matcher and checker)
    pub verdict_authenticated: &'static str,
    pub verdict_not_authenticated: &'static str,
    pub verdict_no_usable: &'static str,
    pub verdict_authenticated_why: &'static str,
    pub verdict_not_authenticated_why: &'static str,
    pub verdict_no_usable_why: &'static str,
    pub fix_not_authenticated: &'static str,
    pub fix_no_usable: &'static str,
}

pub static EN: Strings = Strings {
    lang: Lang::En,
    lang_name: "English",
    lang_label: "Language",
    app_title: "Geleit — DANE for mail servers",
    tagline: "Check whether every MX host of a mail domain is DANE-ready, and make the TLSA records to publish.",
    skip_to_content: "Skip to content",
    nav_label: "Sections",
    nav_check: "Check a domain",
    nav_generate: "Make TLSA records",
    nav_match: "Match a chain",
    nav_settings: "Settings",
    copy: "Copy",
    copied: "Copied to the clipboard",
    copy_failed: "Could not copy: select the text and copy it by hand",
    nothing_uploaded: "Everything is computed in this page: nothing is uploaded.",

    gen_heading: "Make TLSA records",
    gen_intro: "Paste or drop a certificate, a chain (leaf first, as in fullchain.pem), a public key or a certificate request. You get the records to publish and the zone-file lines.",
    gen_input_label: "Certificate, chain, public key or CSR (PEM)",
    gen_input_hint: "Private keys are refused and never read.",
    gen_file_label: "Or choose a file (PEM or DER)",
    gen_drop_here: "You can also drop a file onto the text field.",
    gen_host_label: "Mail server host name",
    gen_host_hint: "Empty: taken from the certificate.",
    gen_port_label: "Port",
    gen_ttl_label: "TTL (seconds)",
    gen_empty: "Paste a certificate to see its records.",
    gen_unreadable: "The input could not be read.",
    gen_nothing_found: "No certificate, public key or certificate request was found in the input.",
    gen_bad_port: |v| format!("Expected a port number from 1 to 65535, found “{v}”."),
    gen_bad_ttl: |v| format!("Expected a TTL in seconds (0 to 2147483647), found “{v}”."),
    gen_need_host: "Enter the mail server's host name: the input names none.",
    gen_bad_host: |v| {
        format!("Expected a host name of letters, digits and hyphens in dot-separated labels, found “{v}”.")
    },
    gen_wildcard_host: |v| {
        format!(
            "TLSA records are published for one host name, not for the wildcard “{v}” (RFC 6698 §3): enter the MX host name."
        )
    },
    gen_name_too_long: |n| format!("The TLSA owner name would be {n} characters long; DNS allows 253."),
    gen_bad_proto: |v| format!("Expected a protocol name such as tcp, udp or sctp, found “{v}”."),
    gen_owner: "Publish at",
    gen_host_from_cert: "host name taken from the certificate",
    gen_sources: "What was read",
    gen_recommended: "Recommended records",
    gen_recommended_why: "Publish these. 3 1 1 pins the server's key and survives renewals that keep the key (RFC 7671 §8.1); 2 1 1 pins the issuing CA as a second anchor (RFC 7672 §3.1.2).",
    gen_others: "Other possible records",
    gen_zone: "Zone-file lines",
    gen_zone_hint: "Paste into your zone and re-sign it; the records only count once they are signed (DNSSEC).",
    gen_subject: "Subject",
    gen_issuer: "Issuer",
    gen_valid: |from, to| format!("valid from {from} to {to}"),
    gen_key: "Key",
    gen_private_key_refused: "A private key was pasted: it was refused and not read. TLSA records need only the certificate or public key; keep the private key secret.",
    gen_private_key_cleared: "It was removed from the text field.",
    gen_others_hint: "Not needed for DANE on SMTP: publish these only for a reason of your own (full certificates make large DNS answers, 3 0 1 changes with every renewal).",
    gen_ignored_block: |l| format!("Ignored a “{l}” block: expected CERTIFICATE, PUBLIC KEY or CERTIFICATE REQUEST."),
    gen_not_chained: |d, subject, issuer| {
        format!(
            "The certificate at depth {d} (“{subject}”) did not issue the one below it (expected “{issuer}”): give the chain leaf first, as in fullchain.pem."
        )
    },
    gen_not_ca: |d, subject| {
        format!("The certificate at depth {d} (“{subject}”) is not a CA, so DANE-TA(2) records for it will not verify.")
    },
    zone_recommended_comment: "; recommended (RFC 7671 §5, §8; RFC 7672 §3.1):",
    zone_other_comment: |place| format!("; other records for {place}:"),

    role_leaf: "server certificate",
    role_issuing_ca: "issuing CA",
    role_upper_ca: "CA above the issuer",
    role_public_key: "public key",
    role_request: "key of a certificate request",
    place_depth: |d| format!("depth {d}"),
    place_key: |i| format!("key {i}"),
    usage_ee: |what| format!("the server's own {what}"),
    usage_ta: |what| format!("the {what} of a trust-anchor CA in the chain"),
    usage_pkix: |what| format!("the {what} of a public CA (PKIX-TA; SMTP does not use it)"),
    usage_pkix_ee: |what| {
        format!("the server's own {what}, also validated with public CAs (PKIX-EE; SMTP does not use it)")
    },
    usage_unknown: |what| format!("the {what} under an unknown usage"),
    selector_cert: "certificate",
    selector_spki: "public key",
    selector_unknown: "unknown selector",
    mt_full: "in full",
    mt_sha256: "as SHA-256 digest",
    mt_sha512: "as SHA-512 digest",
    mt_unknown: "with an unknown matching type",
    note_ee_spki: "Names and dates are not checked; survives renewal with the same key (RFC 7672 §3.1.1, RFC 7671 §8.1).",
    note_ee_cert: "Changes with every renewal, even when the key stays: update the record before each new certificate (RFC 7671 §8.1).",
    note_ta: "The server must send this CA in its chain; the certificate must chain to it and carry the MX host name (RFC 7672 §3.1.2, §3.2).",
    note_full: "Whole data in DNS: large answers; prefer SHA2-256 (RFC 7671 §10.1.2).",
    note_sha512: "Works, but SHA2-256 is what every client supports (RFC 7671 §10.1.2).",

    unusable_pkix: |u| {
        format!(
            "Usage {u} relies on public CAs, which SMTP clients do not use: publish DANE-TA(2) or DANE-EE(3) instead (RFC 7672 §3.1.3)."
        )
    },
    unusable_usage: |u| {
        format!("Usage {u} is not one a client implements: use 2 (DANE-TA) or 3 (DANE-EE) (RFC 7671 §4).")
    },
    unusable_selector: |s| {
        format!("Selector {s} is not one a client implements: use 0 (Cert) or 1 (SPKI) (RFC 7671 §4).")
    },
    unusable_matching: |m| format!("Matching type {m} is not one a client implements: use 1 (SHA2-256) (RFC 7671 §4)."),
    unusable_length: |expected, found| {
        format!(
            "The digest must be {expected} bytes ({} hex digits), found {found} bytes (RFC 6698 §2.1.3).",
            expected * 2
        )
    },
    unusable_empty: "The record carries no data.",

    match_heading: "Match a chain against TLSA records",
    match_intro: "Paste the chain a server sends (leaf first) and TLSA records, to see which record matches which certificate, as a DANE-aware mail server would decide (RFC 7672).",
    match_chain_label: "Certificate chain (PEM, leaf first)",
    match_chain_hint: "For example the server's fullchain.pem.",
    match_records_label: "TLSA records",
    match_records_hint: "Zone-file lines or “3 1 1 <hex>”, one per line.",
    match_host_label: "MX host name",
    match_host_hint: "Needed for DANE-TA(2): the certificate must carry it (RFC 7672 §3.2.3).",
    match_need_chain: "Paste the certificate chain.",
    match_need_records: "Paste at least one TLSA record.",
    match_bad_record: |line, detail| format!("Record on line {line} could not be read: {detail}"),
    match_bad_chain: "The chain could not be read.",
    match_bad_host: |v| format!("Expected a host name, found “{v}”."),
    match_chain: "Chain",
    match_records: "Records",
    match_authenticates_at: |d| format!("Authenticates: matches the certificate at depth {d}"),
    match_matches_at: |d| format!("Matches the certificate at depth {d}, but does not authenticate"),
    match_matches_name_failed: |d| format!("Matches the certificate at depth {d}; the name check failed (see above)"),
    match_name_missing: "No MX host name was given: with DANE-TA(2) the server certificate must carry the MX host name, so the record matches but does not authenticate (RFC 7672 §3.2.3). Type the host name, or paste the records with their owner name.",
    match_name_mismatch: |host, names| {
        format!(
            "The record matches, but the server certificate does not carry {host} (it names {names}); DANE-TA(2) checks the name (RFC 7672 §3.2.3)."
        )
    },
    match_name_why: "A DANE-TA(2) record matches the chain, but the name check failed: the certificate must carry the MX host name (RFC 7672 §3.2.3).",
    match_name_fix: "Check the MX host name, or get a certificate that carries it; or pin the server key with 3 1 1 (DANE-EE checks no names).",
    match_anchor_not_sent: "Trust anchor carried in the record (not sent by the server)",
    match_no_match: "Matches no certificate of the chain",
    match_unusable: "Not usable for SMTP",
    match_detail: "Details",
    match_expires: |date, subject| format!("Authentication ends on {date}, when “{subject}” expires."),
    match_look_ahead_ok: |days| format!("Still authenticated in {days} days."),
    match_look_ahead_bad: |days| {
        format!("Not authenticated any more in {days} days: renew the certificate and update the records in time.")
    },

    set_heading: "Settings",
    set_intro: "Where the checker sends its DNS queries and probes, and which DNSSEC root it trusts. The page validates every answer itself, so the DoH resolver needs no trust.",
    set_doh_label: "DNS over HTTPS endpoint",
    set_doh_hint: "Empty: the edge's /dns-query. Any RFC 8484 endpoint that allows this page (CORS).",
    set_edge_label: "Edge URL (for the SMTP probe)",
    set_edge_hint: "Empty: this site. The edge connects to port 25 of each MX host for the page.",
    set_anchor_label: "Trust anchor (DS or DNSKEY lines)",
    set_anchor_hint: "Empty: the IANA root key. For a lab or a private root, paste its DS records.",
    set_saved: "Saved in this browser.",
    set_reset: "Reset to the defaults",
    set_reset_done: "Settings reset.",

    ck_heading: "Check a mail domain",
    ck_intro: "Type a mail domain (or an MX host name). The page asks DNS over HTTPS, validates DNSSEC itself from the root, and has the edge look at each MX host's certificate over STARTTLS.",
    ck_input_label: "Mail domain or MX host",
    ck_input_hint: "For example example.org, bücher.example or postmaster@example.org; [mx.example.org] checks one host without looking up MX records.",
    ck_button: "Check",
    ck_running: "Checking…",
    ck_empty_domain: "Type a domain to check.",
    ck_bad_domain: |v| {
        format!(
            "“{v}” is not a valid domain name: expected letters, digits and hyphens in dot-separated labels, as in example.org."
        )
    },
    ck_ip_address: |v| {
        format!(
            "“{v}” is an IP address: DANE is looked up by name (RFC 7672 §2.2). Type the mail domain (the part after @) or the MX host name."
        )
    },
    ck_idn: |u, a| format!("{u} is written {a} in DNS."),
    ck_mx_heading: "MX records and DNSSEC",
    ck_hosts_heading: "MX hosts",
    ck_unchecked_heading: "MX hosts not checked",
    ck_addresses: "Addresses",
    ck_tlsa_base: "TLSA records at",
    ck_no_records: "none",
    ck_probe_heading: "Certificates seen by the edge",
    ck_advice_heading: "Advice",
    ck_policy_heading: "Beside DANE: TLS reporting and MTA-STS",
    ck_policy_note: "These findings do not change the DANE verdict above.",
    ck_fix: "Fix",
    ck_export: "Download JSON",
    ck_share: "Link to this result",
    ck_trace: "DNSSEC validation path",
    ck_chain: "Chain",
    ck_preference: |p| format!("preference {p}"),
    ck_pending: "Checking",
    ck_failed: "The check could not run",
    ck_unreachable_hint: "If it stays unreachable, check the DNS over HTTPS endpoint:",
    ck_retry: "Try again",
    ck_offline: "You are offline. The checker needs the network: it asks DNS over HTTPS and has the edge connect to each MX host. Making TLSA records and matching a chain work offline.",
    ck_offline_waiting: |d| format!("{d} will be checked as soon as this browser is online again."),
    ck_engine_loading: "Loading the checker (DNSSEC validation runs in this page) …",
    ck_engine_missing: "The checker could not be loaded: its engine (DNSSEC validation in this page) did not arrive — the network or a blocker stopped it. Making TLSA records and matching a chain work without it.",
    ck_suggested: "Record for this key:",
    ck_raw: "Technical details",
    ck_first_fix: "Fix this first",
    ck_first_fix_at: |host| format!("Fix this first at {host}"),
    ck_record_to_publish: "Record to publish:",
    ck_progress_done: "Check complete.",
    verdict_authenticated: "Authenticated",
    verdict_not_authenticated: "Not authenticated",
    verdict_no_usable: "No usable records",
    verdict_authenticated_why: "At least one usable TLSA record matches the chain (RFC 7672 §2.2).",
    verdict_not_authenticated_why: "There are usable TLSA records and none matches: DANE-aware senders will not deliver (RFC 7672 §2.2).",
    verdict_no_usable_why: "None of the records can be used by an SMTP client: TLS stays mandatory, but nothing is authenticated (RFC 7672 §2.2, §3.1.3).",
    fix_not_authenticated: "Publish a record for the certificate the server sends now (3 1 1 of its key), or serve the certificate the records describe. During a change, publish the current and the next key together (RFC 7671 §8.1).",
    fix_no_usable: "Replace the records by 3 1 1 for the server's key (and 2 1 1 for its issuing CA).",
};

pub static DE: Strings = Strings {
    lang: Lang::De,
    lang_name: "Deutsch",
    lang_label: "Sprache",
    app_title: "Geleit — DANE für Mailserver",
    tagline: "Prüfen, ob jeder MX-Host einer Maildomain DANE-fähig ist, und die zu veröffentlichenden TLSA-Records erzeugen.",
    skip_to_content: "Zum Inhalt springen",
    nav_label: "Bereiche",
    nav_check: "Domain prüfen",
    nav_generate: "TLSA-Records erzeugen",
    nav_match: "Kette abgleichen",
    nav_settings: "Einstellungen",
    copy: "Kopieren",
    copied: "In die Zwischenablage kopiert",
    copy_failed: "Kopieren nicht möglich: Text markieren und von Hand kopieren",
    nothing_uploaded: "Alles wird in dieser Seite berechnet: nichts wird hochgeladen.",

    gen_heading: "TLSA-Records erzeugen",
    gen_intro: "Zertifikat, Kette (Blatt zuerst, wie in fullchain.pem), öffentlichen Schlüssel oder Zertifikatsanfrage einfügen oder hineinziehen. Sie erhalten die zu veröffentlichenden Records und die Zonendatei-Zeilen.",
    gen_input_label: "Zertifikat, Kette, öffentlicher Schlüssel oder CSR (PEM)",
    gen_input_hint: "Private Schlüssel werden abgelehnt und nie gelesen.",
    gen_file_label: "Oder eine Datei wählen (PEM oder DER)",
    gen_drop_here: "Sie können eine Datei auch auf das Textfeld ziehen.",
    gen_host_label: "Hostname des Mailservers",
    gen_host_hint: "Leer: wird dem Zertifikat entnommen.",
    gen_port_label: "Port",
    gen_ttl_label: "TTL (Sekunden)",
    gen_empty: "Fügen Sie ein Zertifikat ein, um seine Records zu sehen.",
    gen_unreadable: "Die Eingabe konnte nicht gelesen werden.",
    gen_nothing_found: "In der Eingabe wurde kein Zertifikat, kein öffentlicher Schlüssel und keine Zertifikatsanfrage gefunden.",
    gen_bad_port: |v| format!("Erwartet wird eine Portnummer von 1 bis 65535, gefunden „{v}“."),
    gen_bad_ttl: |v| format!("Erwartet wird eine TTL in Sekunden (0 bis 2147483647), gefunden „{v}“."),
    gen_need_host: "Geben Sie den Hostnamen des Mailservers ein: die Eingabe nennt keinen.",
    gen_bad_host: |v| {
        format!(
            "Erwartet wird ein Hostname aus Buchstaben, Ziffern und Bindestrichen in durch Punkte getrennten Labels, gefunden „{v}“."
        )
    },
    gen_wildcard_host: |v| {
        format!(
            "TLSA-Records werden für einen Hostnamen veröffentlicht, nicht für den Platzhalter „{v}“ (RFC 6698 §3): geben Sie den MX-Hostnamen ein."
        )
    },
    gen_name_too_long: |n| format!("Der TLSA-Name wäre {n} Zeichen lang; DNS erlaubt 253."),
    gen_bad_proto: |v| format!("Erwartet wird ein Protokollname wie tcp, udp oder sctp, gefunden „{v}“."),
    gen_owner: "Veröffentlichen unter",
    gen_host_from_cert: "Hostname aus dem Zertifikat",
    gen_sources: "Gelesen",
    gen_recommended: "Empfohlene Records",
    gen_recommended_why: "Diese veröffentlichen. 3 1 1 bindet den Schlüssel des Servers und übersteht Erneuerungen mit demselben Schlüssel (RFC 7671 §8.1); 2 1 1 bindet die ausstellende CA als zweiten Anker (RFC 7672 §3.1.2).",
    gen_others: "Weitere mögliche Records",
    gen_zone: "Zonendatei-Zeilen",
    gen_zone_hint: "In die Zone einfügen und neu signieren; die Records zählen erst, wenn sie signiert sind (DNSSEC).",
    gen_subject: "Inhaber",
    gen_issuer: "Aussteller",
    gen_valid: |from, to| format!("gültig vom {from} bis {to}"),
    gen_key: "Schlüssel",
    gen_private_key_refused: "Ein privater Schlüssel wurde eingefügt: er wurde abgelehnt und nicht gelesen. TLSA-Records brauchen nur das Zertifikat oder den öffentlichen Schlüssel; halten Sie den privaten Schlüssel geheim.",
    gen_private_key_cleared: "Er wurde aus dem Textfeld entfernt.",
    gen_others_hint: "Für DANE bei SMTP nicht nötig: nur aus eigenem Grund veröffentlichen (vollständige Zertifikate ergeben große DNS-Antworten, 3 0 1 ändert sich mit jeder Erneuerung).",
    gen_ignored_block: |l| {
        format!("Ein „{l}“-Block wurde übergangen: erwartet wird CERTIFICATE, PUBLIC KEY oder CERTIFICATE REQUEST.")
    },
    gen_not_chained: |d, subject, issuer| {
        format!(
            "Das Zertifikat in Tiefe {d} („{subject}“) hat das darunter nicht ausgestellt (erwartet „{issuer}“): die Kette mit dem Blatt zuerst angeben, wie in fullchain.pem."
        )
    },
    gen_not_ca: |d, subject| {
        format!(
            "Das Zertifikat in Tiefe {d} („{subject}“) ist keine CA, daher werden DANE-TA(2)-Records dafür nicht bestätigt."
        )
    },
    zone_recommended_comment: "; empfohlen (RFC 7671 §5, §8; RFC 7672 §3.1):",
    zone_other_comment: |place| format!("; weitere Records für {place}:"),

    role_leaf: "Serverzertifikat",
    role_issuing_ca: "ausstellende CA",
    role_upper_ca: "CA über der ausstellenden",
    role_public_key: "öffentlicher Schlüssel",
    role_request: "Schlüssel einer Zertifikatsanfrage",
    place_depth: |d| format!("Tiefe {d}"),
    place_key: |i| format!("Schlüssel {i}"),
    usage_ee: |what| format!("{what} des Servers selbst"),
    usage_ta: |what| format!("{what} einer Vertrauensanker-CA in der Kette"),
    usage_pkix: |what| format!("{what} einer öffentlichen CA (PKIX-TA; von SMTP nicht genutzt)"),
    usage_pkix_ee: |what| {
        format!("{what} des Servers selbst, zusätzlich mit öffentlichen CAs geprüft (PKIX-EE; von SMTP nicht genutzt)")
    },
    usage_unknown: |what| format!("{what} mit unbekannter Verwendung"),
    selector_cert: "Zertifikat",
    selector_spki: "öffentlicher Schlüssel",
    selector_unknown: "unbekannter Selektor",
    mt_full: "vollständig",
    mt_sha256: "als SHA-256-Hash",
    mt_sha512: "als SHA-512-Hash",
    mt_unknown: "mit unbekanntem Abgleichtyp",
    note_ee_spki: "Namen und Daten werden nicht geprüft; übersteht Erneuerungen mit demselben Schlüssel (RFC 7672 §3.1.1, RFC 7671 §8.1).",
    note_ee_cert: "Ändert sich mit jeder Erneuerung, auch wenn der Schlüssel bleibt: den Record vor jedem neuen Zertifikat anpassen (RFC 7671 §8.1).",
    note_ta: "Der Server muss diese CA in seiner Kette senden; das Zertifikat muss zu ihr führen und den MX-Hostnamen tragen (RFC 7672 §3.1.2, §3.2).",
    note_full: "Vollständige Daten im DNS: große Antworten; besser SHA2-256 (RFC 7671 §10.1.2).",
    note_sha512: "Funktioniert, aber SHA2-256 unterstützt jeder Client (RFC 7671 §10.1.2).",

    unusable_pkix: |u| {
        format!(
            "Verwendung {u} setzt auf öffentliche CAs, die SMTP-Clients nicht nutzen: stattdessen DANE-TA(2) oder DANE-EE(3) veröffentlichen (RFC 7672 §3.1.3)."
        )
    },
    unusable_usage: |u| {
        format!("Verwendung {u} implementiert kein Client: 2 (DANE-TA) oder 3 (DANE-EE) nutzen (RFC 7671 §4).")
    },
    unusable_selector: |s| {
        format!("Selektor {s} implementiert kein Client: 0 (Cert) oder 1 (SPKI) nutzen (RFC 7671 §4).")
    },
    unusable_matching: |m| format!("Abgleichtyp {m} implementiert kein Client: 1 (SHA2-256) nutzen (RFC 7671 §4)."),
    unusable_length: |expected, found| {
        format!(
            "Der Hash muss {expected} Bytes ({} Hexziffern) lang sein, gefunden {found} Bytes (RFC 6698 §2.1.3).",
            expected * 2
        )
    },
    unusable_empty: "Der Record enthält keine Daten.",

    match_heading: "Kette mit TLSA-Records abgleichen",
    match_intro: "Fügen Sie die Kette ein, die ein Server sendet (Blatt zuerst), und TLSA-Records, um zu sehen, welcher Record zu welchem Zertifikat passt – so, wie ein DANE-fähiger Mailserver entscheidet (RFC 7672).",
    match_chain_label: "Zertifikatskette (PEM, Blatt zuerst)",
    match_chain_hint: "Zum Beispiel die fullchain.pem des Servers.",
    match_records_label: "TLSA-Records",
    match_records_hint: "Zonendatei-Zeilen oder „3 1 1 <hex>“, einer pro Zeile.",
    match_host_label: "MX-Hostname",
    match_host_hint: "Nötig für DANE-TA(2): das Zertifikat muss ihn tragen (RFC 7672 §3.2.3).",
    match_need_chain: "Fügen Sie die Zertifikatskette ein.",
    match_need_records: "Fügen Sie mindestens einen TLSA-Record ein.",
    match_bad_record: |line, detail| format!("Der Record in Zeile {line} konnte nicht gelesen werden: {detail}"),
    match_bad_chain: "Die Kette konnte nicht gelesen werden.",
    match_bad_host: |v| format!("Erwartet wird ein Hostname, gefunden „{v}“."),
    match_chain: "Kette",
    match_records: "Records",
    match_authenticates_at: |d| format!("Authentifiziert: passt zum Zertifikat in Tiefe {d}"),
    match_matches_at: |d| format!("Passt zum Zertifikat in Tiefe {d}, authentifiziert aber nicht"),
    match_matches_name_failed: |d| {
        format!("Passt zum Zertifikat in Tiefe {d}; die Namensprüfung schlug fehl (siehe oben)")
    },
    match_name_missing: "Es wurde kein MX-Hostname angegeben: mit DANE-TA(2) muss das Serverzertifikat den MX-Hostnamen tragen, daher passt der Record, authentifiziert aber nicht (RFC 7672 §3.2.3). Geben Sie den Hostnamen ein oder fügen Sie die Records mit ihrem Namen ein.",
    match_name_mismatch: |host, names| {
        format!(
            "Der Record passt, aber das Serverzertifikat trägt {host} nicht (es nennt {names}); DANE-TA(2) prüft den Namen (RFC 7672 §3.2.3)."
        )
    },
    match_name_why: "Ein DANE-TA(2)-Record passt zur Kette, aber die Namensprüfung schlug fehl: das Zertifikat muss den MX-Hostnamen tragen (RFC 7672 §3.2.3).",
    match_name_fix: "Den MX-Hostnamen prüfen oder ein Zertifikat besorgen, das ihn trägt; oder den Serverschlüssel mit 3 1 1 binden (DANE-EE prüft keine Namen).",
    match_anchor_not_sent: "Vertrauensanker steht im Record (vom Server nicht gesendet)",
    match_no_match: "Passt zu keinem Zertifikat der Kette",
    match_unusable: "Für SMTP nicht nutzbar",
    match_detail: "Einzelheiten",
    match_expires: |date, subject| format!("Die Authentifizierung endet am {date}, wenn „{subject}“ abläuft."),
    match_look_ahead_ok: |days| format!("In {days} Tagen weiterhin authentifiziert."),
    match_look_ahead_bad: |days| {
        format!("In {days} Tagen nicht mehr authentifiziert: Zertifikat rechtzeitig erneuern und die Records anpassen.")
    },

    set_heading: "Einstellungen",
    set_intro: "Wohin die Prüfung ihre DNS-Anfragen und Proben schickt und welcher DNSSEC-Wurzel sie vertraut. Die Seite validiert jede Antwort selbst, daher muss man dem DoH-Resolver nicht vertrauen.",
    set_doh_label: "DNS-over-HTTPS-Endpunkt",
    set_doh_hint: "Leer: /dns-query der Edge. Jeder RFC-8484-Endpunkt, der diese Seite zulässt (CORS).",
    set_edge_label: "Edge-URL (für die SMTP-Probe)",
    set_edge_hint: "Leer: diese Website. Die Edge verbindet sich für die Seite mit Port 25 jedes MX-Hosts.",
    set_anchor_label: "Vertrauensanker (DS- oder DNSKEY-Zeilen)",
    set_anchor_hint: "Leer: der IANA-Wurzelschlüssel. Für ein Labor oder eine private Wurzel deren DS-Records einfügen.",
    set_saved: "In diesem Browser gespeichert.",
    set_reset: "Auf Standard zurücksetzen",
    set_reset_done: "Einstellungen zurückgesetzt.",

    ck_heading: "Maildomain prüfen",
    ck_intro: "Geben Sie eine Maildomain (oder einen MX-Hostnamen) ein. Die Seite fragt DNS über HTTPS, validiert DNSSEC selbst ab der Wurzel und lässt die Edge das Zertifikat jedes MX-Hosts über STARTTLS ansehen.",
    ck_input_label: "Maildomain oder MX-Host",
    ck_input_hint: "Zum Beispiel example.org, bücher.example oder postmaster@example.org; [mx.example.org] prüft einen einzelnen Host ohne MX-Abfrage.",
    ck_button: "Prüfen",
    ck_running: "Prüfe …",
    ck_empty_domain: "Geben Sie eine Domain ein.",
    ck_bad_domain: |v| {
        format!(
            "„{v}“ ist kein gültiger Domainname: erwartet werden Buchstaben, Ziffern und Bindestriche in durch Punkte getrennten Labels, wie in example.org."
        )
    },
    ck_ip_address: |v| {
        format!(
            "„{v}“ ist eine IP-Adresse: DANE wird über Namen nachgeschlagen (RFC 7672 §2.2). Geben Sie die Maildomain (den Teil nach @) oder den Namen des MX-Hosts ein."
        )
    },
    ck_idn: |u, a| format!("{u} wird im DNS {a} geschrieben."),
    ck_mx_heading: "MX-Records und DNSSEC",
    ck_hosts_heading: "MX-Hosts",
    ck_unchecked_heading: "Nicht geprüfte MX-Hosts",
    ck_addresses: "Adressen",
    ck_tlsa_base: "TLSA-Records unter",
    ck_no_records: "keine",
    ck_probe_heading: "Von der Edge gesehene Zertifikate",
    ck_advice_heading: "Hinweise",
    ck_policy_heading: "Neben DANE: TLS-Reporting und MTA-STS",
    ck_policy_note: "Diese Befunde ändern das DANE-Ergebnis oben nicht.",
    ck_fix: "Abhilfe",
    ck_export: "JSON herunterladen",
    ck_share: "Link zu diesem Ergebnis",
    ck_trace: "DNSSEC-Validierungspfad",
    ck_chain: "Kette",
    ck_preference: |p| format!("Präferenz {p}"),
    ck_pending: "Wird geprüft",
    ck_failed: "Die Prüfung konnte nicht laufen",
    ck_unreachable_hint: "Bleibt er unerreichbar, prüfen Sie den DNS-over-HTTPS-Endpunkt:",
    ck_retry: "Erneut versuchen",
    ck_offline: "Sie sind offline. Die Prüfung braucht das Netz: Sie fragt DNS über HTTPS und lässt die Edge jeden MX-Host ansprechen. TLSA-Records erzeugen und Ketten abgleichen funktioniert auch offline.",
    ck_offline_waiting: |d| format!("{d} wird geprüft, sobald dieser Browser wieder online ist."),
    ck_engine_loading: "Die Prüfung wird geladen (die DNSSEC-Validierung läuft in dieser Seite) …",
    ck_engine_missing: "Die Prüfung konnte nicht geladen werden: Ihr Modul (die DNSSEC-Validierung in dieser Seite) kam nicht an – das Netz oder ein Blocker hat es aufgehalten. TLSA-Records erzeugen und Ketten abgleichen funktioniert auch ohne es.",
    ck_suggested: "Record für diesen Schlüssel:",
    ck_raw: "Technische Einzelheiten",
    ck_first_fix: "Zuerst beheben",
    ck_first_fix_at: |host| format!("Zuerst beheben bei {host}"),
    ck_record_to_publish: "Zu veröffentlichender Record:",
    ck_progress_done: "Prüfung abgeschlossen.",
    verdict_authenticated: "Authentifiziert",
    verdict_not_authenticated: "Nicht authentifiziert",
    verdict_no_usable: "Keine nutzbaren Records",
    verdict_authenticated_why: "Mindestens ein nutzbarer TLSA-Record passt zur Kette (RFC 7672 §2.2).",
    verdict_not_authenticated_why: "Es gibt nutzbare TLSA-Records, aber keiner passt: DANE-fähige Absender stellen nicht zu (RFC 7672 §2.2).",
    verdict_no_usable_why: "Keiner der Records ist für einen SMTP-Client nutzbar: TLS bleibt Pflicht, aber nichts wird authentifiziert (RFC 7672 §2.2, §3.1.3).",
    fix_not_authenticated: "Einen Record für das Zertifikat veröffentlichen, das der Server jetzt sendet (3 1 1 seines Schlüssels), oder das Zertifikat ausliefern, das die Records beschreiben. Während eines Wechsels den aktuellen und den nächsten Schlüssel gemeinsam veröffentlichen (RFC 7671 §8.1).",
    fix_no_usable: "Die Records durch 3 1 1 für den Schlüssel des Servers ersetzen (und 2 1 1 für seine ausstellende CA).",
};

/// The checker's own words, in English and German: the words of the verdict
/// view that only the engine module (and the edge's worded answers) makes
/// ([`crate::checker`]), in a table of their own so that the first module,
/// which holds [`Strings`], does not carry them (issue 14). As for
/// [`Strings`], a word without a translation is a compile error.
#[allow(clippy::struct_field_names)]
pub struct CheckStrings {
    pub ck_secure: &'static str,
    pub ck_insecure: &'static str,
    pub ck_bogus: &'static str,
    pub ck_indeterminate: &'static str,
    pub ck_no_address: &'static str,
    pub ck_no_chain_for_family: &'static str,
    pub ck_outcome_required: &'static str,
    pub ck_outcome_unauthenticated: &'static str,
    pub ck_outcome_no_dane: &'static str,
    pub ck_outcome_deferred: &'static str,
    pub ck_pending_summary: &'static str,
    /// Geleit's DNS resolver could not be reached: a neutral state, never a verdict.
    pub ck_unreachable: &'static str,
    /// … and that this says nothing about the domain (its name).
    pub ck_unreachable_summary: fn(&str) -> String,
    /// A handshake for this algorithm (first) failed, another (second) completed.
    pub ck_no_chain_for_family_note: fn(&str, &str) -> String,
    /// The chain was read, but with an error (shown behind the details toggle).
    pub ck_family_error: &'static str,
    /// An MX host (first) that is an alias of the second: TLSA records are looked up there.
    pub ck_alias: fn(&str, &str) -> String,
    pub ck_progress_dns: fn(usize, usize) -> String,
    pub ck_progress_probe: fn(usize) -> String,
    pub ck_probe_running: &'static str,
    /// The edge answered 429: the probe is asked again in this many seconds.
    pub ck_probe_waiting: fn(u64) -> String,
    pub ck_probe_failed: fn(&str) -> String,
    pub ck_matched_at: fn(&str, usize) -> String,
    pub adv_rollover_title: &'static str,
    pub adv_rollover_single: fn(&str) -> String,
    pub adv_rollover_ok: &'static str,
    pub adv_le_title: &'static str,
    pub adv_le: &'static str,
    pub adv_le_seen: &'static str,
    pub adv_postfix_title: &'static str,
    pub adv_postfix: &'static str,
    pub adv_exim_title: &'static str,
    pub adv_exim: &'static str,
}

pub static EN_CHECK: CheckStrings = CheckStrings {
    ck_secure: "DNSSEC secure",
    ck_insecure: "DNSSEC insecure (unsigned)",
    ck_bogus: "DNSSEC bogus",
    ck_indeterminate: "DNSSEC undecided",
    ck_no_address: "The host has no addresses",
    ck_no_chain_for_family: "No chain for this algorithm",
    ck_outcome_required: "DANE required: senders must authenticate this host's certificate with its TLSA records.",
    ck_outcome_unauthenticated: "TLS mandatory but unauthenticated: every TLSA record is unusable.",
    ck_outcome_no_dane: "No DANE: senders fall back to opportunistic TLS, which an attacker can strip.",
    ck_outcome_deferred: "DANE-aware senders will not deliver to this host until its DNS validates.",
    ck_pending_summary: "Waiting for the certificates of the MX hosts.",
    ck_unreachable: "DNS resolver not reached",
    ck_unreachable_summary: |d| format!("Geleit could not reach its DNS resolver — this says nothing about {d}."),
    ck_no_chain_for_family_note: |family, other| {
        format!(
            "The server has no {family} certificate (it refused that handshake); that is fine, as the {other} handshake completed."
        )
    },
    ck_family_error: "The chain was read with a problem; see the details.",
    ck_alias: |host, target| {
        format!(
            "{host} is an alias (CNAME) of {target}: its TLSA records are looked up at {target}, and the certificate must match them (RFC 7672 §2.2.2)."
        )
    },
    ck_progress_dns: |rounds, queries| format!("Asking DNS: round {rounds}, {queries} queries so far…"),
    ck_progress_probe: |left| format!("DNS done. Looking at certificates: {left} host(s) to go…"),
    ck_probe_running: "The edge is connecting to the host…",
    ck_probe_waiting: |s| format!("The edge has had too many checks for now (HTTP 429): asking again in {s} s…"),
    ck_probe_failed: |e| format!("The edge could not probe this host: {e}"),
    ck_matched_at: |rdata, depth| format!("{rdata} matched the certificate at depth {depth}"),
    adv_rollover_title: "Key rollover (RFC 7671 §8.1)",
    adv_rollover_single: |hosts| {
        format!(
            "Only one usable TLSA record at {hosts}. Before a new key goes live, publish its 3 1 1 next to the current one, wait at least the TTL, then switch, then remove the old record."
        )
    },
    adv_rollover_ok: "More than one usable record is published per host (current + next key, or a 2 1 1 beside the 3 1 1): a key change will not break delivery if the next key is among them.",
    adv_le_title: "Let's Encrypt",
    adv_le: "Renew with the same key (certbot --reuse-key) so a 3 1 1 record stays valid across renewals. A 2 1 1 record pins a Let's Encrypt intermediate, which Let's Encrypt rotates: do not rely on it alone.",
    adv_le_seen: "A Let's Encrypt certificate was seen.",
    adv_postfix_title: "Your own server, sending: Postfix",
    adv_postfix: "So that your server verifies DANE when it sends mail (needs a local validating resolver), in main.cf:",
    adv_exim_title: "Your own server, sending: Exim",
    adv_exim: "Exim verifies DANE with DNSSEC requested for the MX lookups and DANE on the smtp transport:",
};

pub static DE_CHECK: CheckStrings = CheckStrings {
    ck_secure: "DNSSEC sicher",
    ck_insecure: "DNSSEC unsicher (unsigniert)",
    ck_bogus: "DNSSEC fehlerhaft",
    ck_indeterminate: "DNSSEC unentschieden",
    ck_no_address: "Der Host hat keine Adressen",
    ck_no_chain_for_family: "Keine Kette für diesen Algorithmus",
    ck_outcome_required: "DANE verlangt: Absender müssen das Zertifikat dieses Hosts mit seinen TLSA-Records authentifizieren.",
    ck_outcome_unauthenticated: "TLS Pflicht, aber nicht authentifiziert: alle TLSA-Records sind unbrauchbar.",
    ck_outcome_no_dane: "Kein DANE: Absender fallen auf opportunistisches TLS zurück, das ein Angreifer abschalten kann.",
    ck_outcome_deferred: "DANE-fähige Absender stellen an diesen Host nicht zu, bis sein DNS validiert.",
    ck_pending_summary: "Warte auf die Zertifikate der MX-Hosts.",
    ck_unreachable: "DNS-Resolver nicht erreicht",
    ck_unreachable_summary: |d| {
        format!("Geleit konnte seinen DNS-Resolver nicht erreichen – das sagt nichts über {d} aus.")
    },
    ck_no_chain_for_family_note: |family, other| {
        format!(
            "Der Server hat kein {family}-Zertifikat (er lehnte diesen Handshake ab); das ist in Ordnung, da der {other}-Handshake gelang."
        )
    },
    ck_family_error: "Die Kette wurde mit einem Problem gelesen; siehe die Einzelheiten.",
    ck_alias: |host, target| {
        format!(
            "{host} ist ein Alias (CNAME) von {target}: seine TLSA-Records werden unter {target} gesucht, und das Zertifikat muss zu ihnen passen (RFC 7672 §2.2.2)."
        )
    },
    ck_progress_dns: |rounds, queries| format!("DNS-Abfrage: Runde {rounds}, bisher {queries} Anfragen …"),
    ck_progress_probe: |left| format!("DNS fertig. Zertifikate werden angesehen: noch {left} Host(s) …"),
    ck_probe_running: "Die Edge verbindet sich mit dem Host …",
    ck_probe_waiting: |s| format!("Die Edge hatte gerade zu viele Prüfungen (HTTP 429): neuer Versuch in {s} s …"),
    ck_probe_failed: |e| format!("Die Edge konnte diesen Host nicht prüfen: {e}"),
    ck_matched_at: |rdata, depth| format!("{rdata} passt zum Zertifikat in Tiefe {depth}"),
    adv_rollover_title: "Schlüsselwechsel (RFC 7671 §8.1)",
    adv_rollover_single: |hosts| {
        format!(
            "Nur ein nutzbarer TLSA-Record bei {hosts}. Bevor ein neuer Schlüssel live geht, seinen 3 1 1 neben dem aktuellen veröffentlichen, mindestens die TTL abwarten, dann wechseln, dann den alten Record entfernen."
        )
    },
    adv_rollover_ok: "Pro Host ist mehr als ein nutzbarer Record veröffentlicht (aktueller + nächster Schlüssel oder ein 2 1 1 neben dem 3 1 1): ein Schlüsselwechsel unterbricht die Zustellung nicht, wenn der nächste Schlüssel darunter ist.",
    adv_le_title: "Let's Encrypt",
    adv_le: "Mit demselben Schlüssel erneuern (certbot --reuse-key), damit ein 3 1 1-Record über Erneuerungen hinweg gültig bleibt. Ein 2 1 1-Record bindet eine Let's-Encrypt-Zwischen-CA, die Let's Encrypt wechselt: sich nicht allein darauf verlassen.",
    adv_le_seen: "Ein Let's-Encrypt-Zertifikat wurde gesehen.",
    adv_postfix_title: "Ihr eigener Server beim Senden: Postfix",
    adv_postfix: "Damit Ihr Server beim Senden DANE prüft (braucht einen lokalen validierenden Resolver), in main.cf:",
    adv_exim_title: "Ihr eigener Server beim Senden: Exim",
    adv_exim: "Exim prüft DANE, wenn für die MX-Abfragen DNSSEC angefordert und DANE am smtp-Transport aktiviert ist:",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_preferences_pick_the_first_spoken_language() {
        assert_eq!(Lang::from_preferences(&["fr-FR", "de-AT", "en"]), Lang::De);
        assert_eq!(Lang::from_preferences(&["en-GB", "de"]), Lang::En);
        assert_eq!(Lang::from_preferences(&["fr", "it"]), Lang::En);
        assert_eq!(Lang::from_preferences::<&str>(&[]), Lang::En);
        assert_eq!(Lang::from_tag("DE_de"), Some(Lang::De));
    }

    #[test]
    fn both_tables_differ_where_words_are_language_specific() {
        // A table copied without translating would repeat the English words.
        assert_ne!(EN.gen_heading, DE.gen_heading);
        assert_ne!(EN.verdict_authenticated, DE.verdict_authenticated);
        assert_ne!((EN.gen_bad_port)("x"), (DE.gen_bad_port)("x"));
        assert_eq!(Lang::De.t().lang_name, "Deutsch");
        assert!(Lang::ALL.iter().all(|l| l.t().lang == *l), "each table knows its language");
        // The checker's own table too, and each language's accessor gives its own.
        assert_ne!(EN_CHECK.ck_secure, DE_CHECK.ck_secure);
        assert_ne!((EN_CHECK.ck_probe_waiting)(3), (DE_CHECK.ck_probe_waiting)(3));
        assert_eq!(Lang::De.ck().adv_exim_title, DE_CHECK.adv_exim_title);
        assert_eq!(Lang::En.ck().adv_exim_title, EN_CHECK.adv_exim_title);
    }
}
