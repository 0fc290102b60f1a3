//! Every word the page shows, in English and German.
//!
//! One [`Strings`] table per language, built as a `const` struct literal: a
//! string added to the struct without a translation is a compile error, so no
//! language can fall behind. Parameterised texts are plain `fn`s in the table.
//! Technical details that come from the core (certificate parse errors, DNSSEC
//! validation steps) are shown as they are, in English, below the translated
//! finding.

use serde::Serialize;

/// A language of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
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
    pub gen_owner: &'static str,
    pub gen_host_from_cert: &'static str,
    pub gen_sources: &'static str,
    pub gen_recommended: &'static str,
    pub gen_recommended_why: &'static str,
    pub gen_others: &'static str,
    pub gen_zone: &'static str,
    pub gen_zone_hint: &'static str,
    pub gen_records_summary: fn(usize, usize) -> String,
    pub gen_subject: &'static str,
    pub gen_issuer: &'static str,
    pub gen_valid: fn(&str, &str) -> String,
    pub gen_key: &'static str,
    pub gen_private_key_refused: &'static str,
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
    pub usage_pkix: fn(&str) -> String,
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
    pub set_presets: &'static str,

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
    gen_bad_host: |v| format!("Expected a host name of letters, digits and hyphens in dot-separated labels, found “{v}”."),
    gen_wildcard_host: |v| format!("TLSA records are published for one host name, not for the wildcard “{v}” (RFC 6698 §3): enter the MX host name."),
    gen_name_too_long: |n| format!("The TLSA owner name would be {n} characters long; DNS allows 253."),
    gen_owner: "Publish at",
    gen_host_from_cert: "host name taken from the certificate",
    gen_sources: "What was read",
    gen_recommended: "Recommended records",
    gen_recommended_why: "Publish these. 3 1 1 pins the server's key and survives renewals that keep the key (RFC 7671 §8.1); 2 1 1 pins the issuing CA as a second anchor (RFC 7672 §3.1.2).",
    gen_others: "Other possible records",
    gen_zone: "Zone-file lines",
    gen_zone_hint: "Paste into your zone and re-sign it; the records only count once they are signed (DNSSEC).",
    gen_records_summary: |rec, all| format!("{rec} recommended of {all} records"),
    gen_subject: "Subject",
    gen_issuer: "Issuer",
    gen_valid: |from, to| format!("valid from {from} to {to}"),
    gen_key: "Key",
    gen_private_key_refused: "A private key was pasted: it was refused and not read. TLSA records need only the certificate or public key; keep the private key secret.",
    gen_ignored_block: |l| format!("Ignored a “{l}” block: expected CERTIFICATE, PUBLIC KEY or CERTIFICATE REQUEST."),
    gen_not_chained: |d, subject, issuer| format!("The certificate at depth {d} (“{subject}”) did not issue the one below it (expected “{issuer}”): give the chain leaf first, as in fullchain.pem."),
    gen_not_ca: |d, subject| format!("The certificate at depth {d} (“{subject}”) is not a CA, so DANE-TA(2) records for it will not verify."),
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
    usage_pkix: |what| format!("the {what} of a public CA (PKIX; SMTP does not use it)"),
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

    unusable_pkix: |u| format!("Usage {u} relies on public CAs, which SMTP clients do not use: publish DANE-TA(2) or DANE-EE(3) instead (RFC 7672 §3.1.3)."),
    unusable_usage: |u| format!("Usage {u} is not one a client implements: use 2 (DANE-TA) or 3 (DANE-EE) (RFC 7671 §4)."),
    unusable_selector: |s| format!("Selector {s} is not one a client implements: use 0 (Cert) or 1 (SPKI) (RFC 7671 §4)."),
    unusable_matching: |m| format!("Matching type {m} is not one a client implements: use 1 (SHA2-256) (RFC 7671 §4)."),
    unusable_length: |expected, found| format!("The digest must be {expected} bytes ({} hex digits), found {found} bytes (RFC 6698 §2.1.3).", expected * 2),
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
    match_anchor_not_sent: "Trust anchor carried in the record (not sent by the server)",
    match_no_match: "Matches no certificate of the chain",
    match_unusable: "Not usable for SMTP",
    match_detail: "Details",
    match_expires: |date, subject| format!("Authentication ends on {date}, when “{subject}” expires."),
    match_look_ahead_ok: |days| format!("Still authenticated in {days} days."),
    match_look_ahead_bad: |days| format!("Not authenticated any more in {days} days: renew the certificate and update the records in time."),

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
    set_presets: "Presets",

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
    gen_bad_host: |v| format!("Erwartet wird ein Hostname aus Buchstaben, Ziffern und Bindestrichen in durch Punkte getrennten Labels, gefunden „{v}“."),
    gen_wildcard_host: |v| format!("TLSA-Records werden für einen Hostnamen veröffentlicht, nicht für den Platzhalter „{v}“ (RFC 6698 §3): geben Sie den MX-Hostnamen ein."),
    gen_name_too_long: |n| format!("Der TLSA-Name wäre {n} Zeichen lang; DNS erlaubt 253."),
    gen_owner: "Veröffentlichen unter",
    gen_host_from_cert: "Hostname aus dem Zertifikat",
    gen_sources: "Gelesen",
    gen_recommended: "Empfohlene Records",
    gen_recommended_why: "Diese veröffentlichen. 3 1 1 bindet den Schlüssel des Servers und übersteht Erneuerungen mit demselben Schlüssel (RFC 7671 §8.1); 2 1 1 bindet die ausstellende CA als zweiten Anker (RFC 7672 §3.1.2).",
    gen_others: "Weitere mögliche Records",
    gen_zone: "Zonendatei-Zeilen",
    gen_zone_hint: "In die Zone einfügen und neu signieren; die Records zählen erst, wenn sie signiert sind (DNSSEC).",
    gen_records_summary: |rec, all| format!("{rec} empfohlen von {all} Records"),
    gen_subject: "Inhaber",
    gen_issuer: "Aussteller",
    gen_valid: |from, to| format!("gültig vom {from} bis {to}"),
    gen_key: "Schlüssel",
    gen_private_key_refused: "Ein privater Schlüssel wurde eingefügt: er wurde abgelehnt und nicht gelesen. TLSA-Records brauchen nur das Zertifikat oder den öffentlichen Schlüssel; halten Sie den privaten Schlüssel geheim.",
    gen_ignored_block: |l| format!("Ein „{l}“-Block wurde übergangen: erwartet wird CERTIFICATE, PUBLIC KEY oder CERTIFICATE REQUEST."),
    gen_not_chained: |d, subject, issuer| format!("Das Zertifikat in Tiefe {d} („{subject}“) hat das darunter nicht ausgestellt (erwartet „{issuer}“): die Kette mit dem Blatt zuerst angeben, wie in fullchain.pem."),
    gen_not_ca: |d, subject| format!("Das Zertifikat in Tiefe {d} („{subject}“) ist keine CA, daher werden DANE-TA(2)-Records dafür nicht bestätigt."),
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
    usage_pkix: |what| format!("{what} einer öffentlichen CA (PKIX; von SMTP nicht genutzt)"),
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

    unusable_pkix: |u| format!("Verwendung {u} setzt auf öffentliche CAs, die SMTP-Clients nicht nutzen: stattdessen DANE-TA(2) oder DANE-EE(3) veröffentlichen (RFC 7672 §3.1.3)."),
    unusable_usage: |u| format!("Verwendung {u} implementiert kein Client: 2 (DANE-TA) oder 3 (DANE-EE) nutzen (RFC 7671 §4)."),
    unusable_selector: |s| format!("Selektor {s} implementiert kein Client: 0 (Cert) oder 1 (SPKI) nutzen (RFC 7671 §4)."),
    unusable_matching: |m| format!("Abgleichtyp {m} implementiert kein Client: 1 (SHA2-256) nutzen (RFC 7671 §4)."),
    unusable_length: |expected, found| format!("Der Hash muss {expected} Bytes ({} Hexziffern) lang sein, gefunden {found} Bytes (RFC 6698 §2.1.3).", expected * 2),
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
    match_authenticates_at: |d| format!("Authentisiert: passt zum Zertifikat in Tiefe {d}"),
    match_matches_at: |d| format!("Passt zum Zertifikat in Tiefe {d}, authentisiert aber nicht"),
    match_anchor_not_sent: "Vertrauensanker steht im Record (vom Server nicht gesendet)",
    match_no_match: "Passt zu keinem Zertifikat der Kette",
    match_unusable: "Für SMTP nicht nutzbar",
    match_detail: "Einzelheiten",
    match_expires: |date, subject| format!("Die Authentisierung endet am {date}, wenn „{subject}“ abläuft."),
    match_look_ahead_ok: |days| format!("In {days} Tagen weiterhin authentisiert."),
    match_look_ahead_bad: |days| format!("In {days} Tagen nicht mehr authentisiert: Zertifikat rechtzeitig erneuern und die Records anpassen."),

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
    set_presets: "Voreinstellungen",

    verdict_authenticated: "Authentisiert",
    verdict_not_authenticated: "Nicht authentisiert",
    verdict_no_usable: "Keine nutzbaren Records",
    verdict_authenticated_why: "Mindestens ein nutzbarer TLSA-Record passt zur Kette (RFC 7672 §2.2).",
    verdict_not_authenticated_why: "Es gibt nutzbare TLSA-Records, aber keiner passt: DANE-fähige Absender stellen nicht zu (RFC 7672 §2.2).",
    verdict_no_usable_why: "Keiner der Records ist für einen SMTP-Client nutzbar: TLS bleibt Pflicht, aber nichts wird authentisiert (RFC 7672 §2.2, §3.1.3).",
    fix_not_authenticated: "Einen Record für das Zertifikat veröffentlichen, das der Server jetzt sendet (3 1 1 seines Schlüssels), oder das Zertifikat ausliefern, das die Records beschreiben. Während eines Wechsels den aktuellen und den nächsten Schlüssel gemeinsam veröffentlichen (RFC 7671 §8.1).",
    fix_no_usable: "Die Records durch 3 1 1 für den Schlüssel des Servers ersetzen (und 2 1 1 für seine ausstellende CA).",
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
    }
}
