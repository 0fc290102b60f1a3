//! The core's technical details in the page's languages: TLSA text parse
//! errors ([`ScanError`]), certificate input errors ([`CertError`],
//! [`DaneError`]), the DNSSEC validation path
//! ([`Step`]) and the matcher's per-record details ([`RecordReport`]).
//!
//! English uses the core's own words (what the CLI prints); German words
//! each variant with its data. Every match is exhaustive (the core's enums
//! are not `#[non_exhaustive]` for this), so a variant the core adds without
//! German words does not compile. Free text the core carries as strings
//! (a [`Reason`]'s sentence, a DER or Base64 parser's message, why a zone
//! counts as unsigned at an unsupported DS or behind an insecure CNAME) is
//! not shown in German: the German line says what kind of problem it is (the
//! reason's kind and RFC 8914 code), and the English original stays in the
//! exported JSON and the CLI.

use geleit::cert::{CertError, DerObject, Nothing, PemBoundary};
use geleit::dane::{Anchor, ChainEntry, DaneError, Failure, NameError, RecordReport};
use geleit::dns::{Denial, Insecurity, Proof, Reason, Step, WalkRrset};
use geleit::tlsa::scan::{Field, MAX_RECORD_TEXT, MAX_TTL, Position};
use geleit::tlsa::{ScanError, Selector, Usage, WireError};

use crate::dates::ymd;
use crate::i18n::Lang;
use crate::verdict_words::reason_de;

/// A step of the DNSSEC validation path.
#[must_use]
pub fn trace_text(step: &Step, lang: Lang) -> String {
    match lang {
        Lang::En => step.to_string(),
        Lang::De => trace_de(step),
    }
}

/// Why a TLSA record's text could not be read, with its position.
#[must_use]
pub fn scan_error_text(e: &ScanError, lang: Lang) -> String {
    match lang {
        Lang::En => e.to_string(),
        Lang::De => format!("{}: {}", position_de(e.position()), scan_de(e)),
    }
}

/// Why certificate input could not be read.
#[must_use]
pub fn cert_error_text(e: &CertError, lang: Lang) -> String {
    match lang {
        Lang::En => e.to_string(),
        Lang::De => cert_de(e),
    }
}

/// Why a chain could not be checked at all.
#[must_use]
pub fn dane_error_text(e: &DaneError, lang: Lang) -> String {
    match lang {
        Lang::En => e.to_string(),
        Lang::De => match e {
            DaneError::EmptyChain => {
                "erwartet wird eine Zertifikatskette mit mindestens dem Serverzertifikat, gefunden keine".to_owned()
            }
            DaneError::ChainTooLong { max, found } => {
                format!("erwartet werden höchstens {max} Zertifikate in der Kette, gefunden {found}")
            }
            DaneError::Certificate { depth, source } => format!("Zertifikat in Tiefe {depth}: {}", cert_de(source)),
            DaneError::Name(n) => name_de(n),
        },
    }
}

/// What the matcher checked for one record and what failed; `chain` is the
/// report's chain (for the subject of a matching CA).
#[must_use]
pub fn record_detail_text(r: &RecordReport, chain: &[ChainEntry], lang: Lang) -> String {
    match lang {
        Lang::En => r.detail.clone(),
        Lang::De => record_de(r, chain),
    }
}

/// A token as found, quoted and shortened (as the core's messages do).
fn shown(token: &str) -> String {
    const MAX: usize = 40;
    match token.char_indices().nth(MAX) {
        Some((cut, _)) => format!("„{}…“", token.get(..cut).unwrap_or_default()),
        None => format!("„{token}“"),
    }
}

fn shown_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() { format!("U+{:04X}", u32::from(c)) } else { format!("„{c}“") }
}

fn position_de(p: Position) -> String {
    match p.token {
        Some(token) => format!("Zeile {}, Spalte {}, Token {token}", p.line, p.column),
        None => format!("Zeile {}, Spalte {}", p.line, p.column),
    }
}

const fn field_de(field: Field) -> &'static str {
    match field {
        Field::Type => "den Record-Typ",
        Field::Usage => "die Zertifikatsverwendung",
        Field::Selector => "den Selektor",
        Field::MatchingType => "den Abgleichtyp",
        Field::Data => "die Zertifikatsdaten",
        Field::GenericLength => "die RDATA-Länge nach \\#",
        Field::GenericData => "das RDATA-Hex nach \\# <Länge>",
    }
}

/// The field after „in“ (dative).
const fn field_in_de(field: Field) -> &'static str {
    match field {
        Field::Type => "im Record-Typ",
        Field::Usage => "in der Zertifikatsverwendung",
        Field::Selector => "im Selektor",
        Field::MatchingType => "im Abgleichtyp",
        Field::Data => "in den Zertifikatsdaten",
        Field::GenericLength => "in der RDATA-Länge nach \\#",
        Field::GenericData => "im RDATA-Hex nach \\# <Länge>",
    }
}

const fn missing_hint_de(field: Field) -> &'static str {
    match field {
        Field::Usage | Field::Selector | Field::MatchingType => " (eine Zahl 0–255 oder ein Kürzel nach RFC 7218)",
        Field::Data => " (Hexziffern)",
        Field::Type => " (TLSA)",
        Field::GenericLength => " (eine Anzahl Bytes)",
        Field::GenericData => "",
    }
}

const fn mnemonics_de(field: Field) -> &'static str {
    match field {
        Field::Usage => " oder ein Kürzel nach RFC 7218 (PKIX-TA, PKIX-EE, DANE-TA, DANE-EE, PrivCert)",
        Field::Selector => " oder ein Kürzel nach RFC 7218 (Cert, SPKI, PrivSel)",
        Field::MatchingType => " oder ein Kürzel nach RFC 7218 (Full, SHA2-256, SHA2-512, PrivMatch)",
        Field::Type | Field::Data | Field::GenericLength | Field::GenericData => "",
    }
}

fn scan_de(e: &ScanError) -> String {
    match e {
        ScanError::Empty { .. } => "erwartet wird ein TLSA-Record, gefunden kein Text".to_owned(),
        ScanError::Missing { field, .. } => {
            format!("erwartet wird {}{}, gefunden das Ende des Records", field_de(*field), missing_hint_de(*field))
        }
        ScanError::NotANumber { field, found, .. } => format!(
            "erwartet wird {} als Zahl 0–255{}, gefunden {}",
            field_de(*field),
            mnemonics_de(*field),
            shown(found)
        ),
        ScanError::TooLarge { field, found, max, .. } => {
            format!("erwartet wird {} als Zahl bis {max}, gefunden {}", field_de(*field), shown(found))
        }
        ScanError::NotHex { field, found, .. } => {
            format!("erwartet wird eine Hexziffer {}, gefunden {}", field_in_de(*field), shown_char(*found))
        }
        ScanError::OddHex { field, digits, .. } => {
            format!("erwartet wird eine gerade Anzahl Hexziffern {}, gefunden {digits}", field_in_de(*field))
        }
        ScanError::TooMuchHex { field, max, .. } => {
            format!("erwartet werden höchstens {max} Hexziffern {}, gefunden mehr", field_in_de(*field))
        }
        ScanError::GenericLength { declared, found, .. } => format!(
            "erwartet werden {declared} Bytes RDATA, wie „\\# {declared}“ angibt, gefunden {found} (RFC 3597 §5)"
        ),
        ScanError::Wire { source, .. } => wire_de(source),
        ScanError::Type { found, .. } => format!("erwartet wird der Record-Typ TLSA, gefunden {}", shown(found)),
        ScanError::NotTtlOrClass { found, .. } => {
            format!("erwartet wird vor TLSA eine TTL oder eine Klasse (etwa IN), gefunden {}", shown(found))
        }
        ScanError::Ttl { found, .. } => {
            format!("erwartet wird eine TTL in Sekunden bis {MAX_TTL} (RFC 2181 §8), gefunden {}", shown(found))
        }
        ScanError::Duplicate { what, found, .. } => {
            // The core names the field "TTL" or "class".
            let what = if what.eq_ignore_ascii_case("class") { "eine Klasse" } else { "eine TTL" };
            format!("erwartet wird {what}, gefunden eine zweite: {}", shown(found))
        }
        ScanError::UnexpectedParen { .. } => "erwartet wird „(“ vor „)“, gefunden „)“ ohne offene Klammer".to_owned(),
        ScanError::UnclosedParen { .. } => {
            "erwartet wird „)“, die diese „(“ schließt, gefunden das Ende des Textes".to_owned()
        }
        ScanError::Directive { found, .. } => format!(
            "erwartet wird ein TLSA-Record, gefunden die Direktive {}, die nicht unterstützt wird",
            shown(found)
        ),
        ScanError::RecordTooLong { .. } => {
            format!("erwartet wird ein Record von höchstens {MAX_RECORD_TEXT} Bytes Text, gefunden mehr")
        }
        ScanError::TrailingText { .. } => "erwartet wird ein Record, gefunden hier einen weiteren".to_owned(),
    }
}

fn wire_de(e: &WireError) -> String {
    match e {
        WireError::Short { found } => format!(
            "erwartet werden mindestens 3 Bytes TLSA-RDATA (Verwendung, Selektor, Abgleichtyp), gefunden {found} (RFC 6698 §2.1)"
        ),
        WireError::TooLong { found, max } => format!(
            "erwartet werden höchstens {max} Bytes, gefunden {found} (RFC 1035 §3.2.1 begrenzt RDATA auf 65535 Bytes)"
        ),
    }
}

const fn der_object_de(what: DerObject) -> &'static str {
    match what {
        DerObject::Certificate => "ein X.509-Zertifikat",
        DerObject::PublicKey => "ein SubjectPublicKeyInfo (öffentlicher Schlüssel)",
        DerObject::Request => "eine PKCS#10-Zertifikatsanfrage",
        DerObject::BasicConstraints => "eine basicConstraints-Erweiterung",
        DerObject::KeyUsage => "eine keyUsage-Erweiterung",
        DerObject::Any => "ein X.509-Zertifikat, ein SubjectPublicKeyInfo oder eine Zertifikatsanfrage",
    }
}

fn cert_de(e: &CertError) -> String {
    match e {
        CertError::TooLarge { max, found } => format!("erwartet werden höchstens {max} Bytes Eingabe, gefunden {found}"),
        CertError::TooMany { max, found } => {
            format!("erwartet werden höchstens {max} Zertifikate, Schlüssel oder Anfragen, gefunden {found}")
        }
        CertError::Nothing { found } => format!(
            "erwartet wird ein PEM-Block („-----BEGIN CERTIFICATE-----“) oder DER, gefunden {}",
            match found {
                Nothing::Empty => "eine leere Eingabe",
                Nothing::OtherPemBlocks => "nur PEM-Blöcke anderer Art",
                Nothing::NotDer => "keines von beiden (DER beginnt mit einer SEQUENCE, Byte 0x30)",
            }
        ),
        CertError::OnlyPrivateKey => "erwartet wird ein Zertifikat, ein öffentlicher Schlüssel oder eine Zertifikatsanfrage, gefunden nur ein privater Schlüssel (abgelehnt und nicht gelesen)".to_owned(),
        CertError::PemBoundary { detail } => match detail {
            PemBoundary::NoDashes => "erwartet wird „-----“ nach dem Label von „-----BEGIN“, gefunden keines".to_owned(),
            PemBoundary::BadLabel => {
                "erwartet wird ein einzeiliges Label nach „-----BEGIN“, gefunden ein Zeilenumbruch oder ein überlanges Label"
                    .to_owned()
            }
        },
        CertError::PemUnterminated { label } => format!("erwartet wird „-----END {label}-----“, gefunden keines"),
        // The decoder's own message stays in the JSON and the CLI.
        CertError::PemBase64 { label, .. } => {
            format!("erwartet wird Base64 im Block „{label}“, gefunden einen leeren Inhalt oder ungültige Zeichen")
        }
        CertError::Der { what, index, .. } => {
            format!("erwartet wird {} in DER an Position {index}, gefunden ungültige Daten", der_object_de(*what))
        }
        CertError::TrailingData { what, index, count } => format!(
            "erwartet wird, dass {} an Position {index} mit seiner DER-Länge endet, gefunden {count} weitere Bytes",
            der_object_de(*what)
        ),
    }
}

fn name_de(e: &NameError) -> String {
    match e {
        NameError::BadName { found } => format!(
            "erwartet wird ein Hostname als Referenzname (Buchstaben, Ziffern, Bindestriche; Labels von 1 bis 63 Zeichen), gefunden {}",
            shown(found)
        ),
        NameError::NoNames => "erwartet wird mindestens ein Referenzname (TLSA-Basisdomain oder MX-Host), um die Namen des Zertifikats zu prüfen, gefunden keiner".to_owned(),
        NameError::NoMatch { presented, reference } => format!(
            "das Serverzertifikat nennt {presented}, aber keinen der Referenznamen {reference} (RFC 7672 §3.2.3)"
        ),
    }
}

/// A failed proof's reason: its kind in German and its RFC 8914 code.
fn reason_words_de(r: &Reason) -> String {
    format!("{} (EDE {})", reason_de(r.kind), r.ede)
}

fn proof_de(p: &Proof) -> String {
    match p {
        Proof::Secure => "sicher".to_owned(),
        Proof::Insecure { zone_cut, .. } => format!("unsicher (die Vertrauenskette endet bei {zone_cut})"),
        Proof::Bogus { reason } => format!("fehlerhaft: {}", reason_words_de(reason)),
        Proof::Indeterminate { reason } => format!("unentschieden: {}", reason_words_de(reason)),
    }
}

const fn rrset_de(rrset: WalkRrset) -> &'static str {
    match rrset {
        WalkRrset::Ds => "DS",
        WalkRrset::DsDenial => "DS-Nichtexistenzbeweis",
        WalkRrset::Dnskey => "DNSKEY",
        WalkRrset::Dname => "DNAME",
    }
}

fn insecurity_de(why: &Insecurity) -> String {
    match why {
        Insecurity::Iterations { iterations, limit } => format!(
            "NSEC3 nutzt {iterations} Iterationen, mehr als die Grenze von {limit} (RFC 9276 §3.2), daher gilt der Beweis als unsicher"
        ),
        Insecurity::OptOut { name, zone } => format!(
            "{name} liegt in einem NSEC3-Opt-out-Bereich von {zone}, der unsignierte Delegationen enthalten kann (RFC 5155 §6)"
        ),
        Insecurity::WildcardOptOut { name } => {
            format!("der Wildcard-Beweis für {name} liegt in einem NSEC3-Opt-out-Bereich (RFC 5155 §8.8)")
        }
    }
}

fn trace_de(step: &Step) -> String {
    match step {
        Step::AnchorUnsupported { anchor } => format!(
            "{anchor}: der Vertrauensanker für {anchor} nutzt nur Algorithmen oder Hashverfahren, die dieser Validator nicht implementiert; es gibt keinen Authentifizierungspfad (RFC 4035 §5.2)"
        ),
        Step::AnchorSecure { anchor, key_tags } => {
            format!("{anchor} DNSKEY: sicher, Schlüssel-Tag {key_tags} passt zum Vertrauensanker")
        }
        Step::Bogus { owner, rrset, reason } => {
            format!("{owner} {}: fehlerhaft: {}", rrset_de(*rrset), reason_words_de(reason))
        }
        Step::BelowDname { name, dname } => format!("{name}: unterhalb des DNAME bei {dname}"),
        Step::Unproven { name, .. } => {
            format!(
                "{name}: nicht bewiesen (der CNAME dort ist nicht mit DNSSEC gesichert, daher bleibt offen, ob dort eine Zonengrenze liegt)"
            )
        }
        Step::InsecureDelegation { name, zone, why } => match why {
            Some(why) => format!("{name} DS: keiner, unsignierte Delegation: {}", insecurity_de(why)),
            None => format!(
                "{name} DS: keiner, unsignierte Delegation: {name} ist ohne DS-Record delegiert (bewiesen von {zone})"
            ),
        },
        Step::DsNotChecked { name, why } => match why {
            Some(why) => format!("{name} DS: nicht geprüft: {}", insecurity_de(why)),
            None => format!("{name} DS: nicht geprüft"),
        },
        Step::Insecure { name, why } => format!("{name}: unsicher: {}", insecurity_de(why)),
        Step::Nonexistent { name, zone } => format!("{name}: existiert nicht (bewiesen von {zone})"),
        Step::DsUnsupported { name, .. } => format!(
            "{name} DS: nutzt nur Algorithmen, Hashverfahren oder Schlüssellängen, die dieser Validator nicht implementiert; die Zone gilt als unsigniert (RFC 4035 §5.2)"
        ),
        Step::DnskeyMissing { name } => format!("{name} DNSKEY: fehlen"),
        Step::DsNoMatch { name } => format!("{name} DS: passt zu keinem DNSKEY"),
        Step::ZoneCut { name, key_tags, sha1_ds, sha1_key } => {
            let mut s = format!("{name} DS → DNSKEY: sichere Zonengrenze, Schlüssel-Tag {key_tags}");
            if *sha1_ds {
                s.push_str(" (Warnung: ein DS nutzt SHA-1, RFC 8624 §3.3)");
            }
            if *sha1_key {
                s.push_str(" (Warnung: ein Schlüssel nutzt einen RSA/SHA-1-Algorithmus, RFC 8624 §3.1)");
            }
            s
        }
        Step::Answer { name, rtype, proof } => format!("{name} {rtype}: {}", proof_de(proof)),
        Step::Denied { name, rtype, denial, proof } => {
            let what = match denial {
                Denial::NxDomain => "NXDOMAIN, ",
                Denial::NoData => "keine Daten, ",
                Denial::Unknown => "",
            };
            format!("{name} {rtype}: {what}{}", proof_de(proof))
        }
        Step::Cname { name, proof } => format!("{name} CNAME: {}", proof_de(proof)),
        Step::Dname { owner, proof } => format!("{owner} DNAME: {}", proof_de(proof)),
    }
}

fn subject_at(chain: &[ChainEntry], depth: usize) -> &str {
    chain.iter().find(|c| c.depth == depth).map_or("", |c| c.certificate.subject.as_str())
}

/// Where a certificate on the DANE-TA(2) path is.
fn place_de(depth: Option<usize>) -> String {
    depth.map_or_else(|| "im Record".to_owned(), |d| format!("in Tiefe {d}"))
}

fn record_de(r: &RecordReport, chain: &[ChainEntry]) -> String {
    if !r.usable {
        return "ignoriert: für SMTP nicht nutzbar".to_owned();
    }
    if r.record.usage == Usage::DANE_EE {
        return if r.authenticates {
            let what =
                if r.record.selector == Selector::CERT { "Zertifikat" } else { "öffentlichen Schlüssel (SPKI)" };
            format!(
                "DANE-EE(3) passt zum {what} des Servers in Tiefe 0; Namen und Gültigkeitsdaten werden nicht geprüft (RFC 7672 §3.1.1)"
            )
        } else {
            "DANE-EE(3) passt nicht zum Zertifikat des Servers (Tiefe 0)".to_owned()
        };
    }
    let in_record = if r.record.selector == Selector::CERT { "Das Zertifikat" } else { "Der öffentliche Schlüssel" };
    // DANE-TA(2): where the anchor matched, if it did.
    let anchor = match r.anchor {
        Some(Anchor::InChain { depth }) => {
            Some(format!("DANE-TA(2) passt zur CA in Tiefe {depth} ({})", subject_at(chain, depth)))
        }
        Some(Anchor::NotSent) => Some(format!(
            "DANE-TA(2): {in_record} im Record (vom Server nicht gesendet) hat das Zertifikat in Tiefe {} signiert",
            r.depth.unwrap_or(1).saturating_sub(1)
        )),
        None => None,
    };
    let Some(failure) = &r.failure else {
        return match anchor {
            Some(a) => format!(
                "{a}; der Pfad zum Serverzertifikat ist gültig (Signaturen, Daten, CA-Beschränkungen), und das Serverzertifikat trägt einen Referenznamen"
            ),
            None => "DANE-TA(2) passt zu keinem Zertifikat der Kette".to_owned(),
        };
    };
    let why = match failure {
        Failure::NoMatch => "DANE-TA(2) passt zu keinem Zertifikat der Kette".to_owned(),
        Failure::AnchorNotSent => "DANE-TA(2) passt zu keiner CA: der Server sendet nur sein eigenes Zertifikat, daher fehlt der Vertrauensanker in der Kette (RFC 7671 §5.2.2)".to_owned(),
        Failure::TaMatchesLeaf => "DANE-TA(2) passt zum eigenen Zertifikat des Servers in Tiefe 0, aber DANE-TA-Records binden eine CA; für das Serverzertifikat DANE-EE(3) nutzen (RFC 7671 §5.2)".to_owned(),
        Failure::Expired { depth, subject, not_after } => {
            format!("das Zertifikat {} ({subject}) ist abgelaufen (notAfter {})", place_de(*depth), ymd(*not_after))
        }
        Failure::NotYetValid { depth, subject, not_before } => format!(
            "das Zertifikat {} ({subject}) ist noch nicht gültig (notBefore {})",
            place_de(*depth),
            ymd(*not_before)
        ),
        Failure::NameMismatch { presented, reference } => format!(
            "das Serverzertifikat nennt {}, aber keinen der Referenznamen {} (RFC 7672 §3.2.3)",
            if presented.is_empty() { "nichts".to_owned() } else { presented.join(", ") },
            if reference.is_empty() { "(keine angegeben)".to_owned() } else { reference.join(", ") }
        ),
        Failure::InvalidPath => "der Pfad zum Serverzertifikat ist ungültig (CA-Eigenschaften, pathLenConstraint, Ausstellernamen oder Signaturen, RFC 5280 §6.1)".to_owned(),
    };
    match anchor {
        Some(a) if r.matched => format!("{a}, aber {why}"),
        _ => why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geleit::dns::ReasonKind;
    use geleit::tlsa::{MatchingType, Tlsa};

    /// English words that must not appear in a German line (names and
    /// technical tokens such as DS, DNSKEY, NXDOMAIN are the same in both).
    const ENGLISH: &[&str] = &[
        "expected",
        "found",
        " the ",
        "does not",
        "secure",
        "bogus",
        "missing",
        "matches",
        "certificate",
        "line ",
        "column",
        "record ",
        "ignored",
        "usable",
        "signed",
        "zone cut",
        "none",
        "at depth",
        "only",
        "warning",
        "indeterminate",
        "proven",
        "unproven",
        "not checked",
        "below",
        "delegation",
        "not exist",
    ];

    fn german(en: &str, de: &str) {
        assert_ne!(en, de, "the German words repeat the English: {de}");
        for word in ENGLISH {
            assert!(!de.contains(word), "English {word:?} in the German words: {de}");
        }
    }

    fn at(token: Option<usize>) -> Position {
        Position { line: 2, column: 7, token }
    }

    #[test]
    fn every_scan_error_has_german_words() {
        let t = Some(3);
        let errors = [
            ScanError::Empty { at: at(None) },
            ScanError::Missing { field: Field::Data, at: at(t) },
            ScanError::Missing { field: Field::Usage, at: at(t) },
            ScanError::NotANumber { field: Field::Selector, found: "xyz".into(), at: at(t) },
            ScanError::TooLarge { field: Field::MatchingType, found: "300".into(), max: 255, at: at(t) },
            ScanError::NotHex { field: Field::Data, found: 'z', at: at(t) },
            ScanError::OddHex { field: Field::GenericData, digits: 3, at: at(t) },
            ScanError::TooMuchHex { field: Field::Data, max: 131_064, at: at(t) },
            ScanError::GenericLength { declared: 4, found: 3, at: at(t) },
            ScanError::Wire { source: WireError::Short { found: 2 }, at: at(t) },
            ScanError::Wire { source: WireError::TooLong { found: 70_000, max: 65_535 }, at: at(t) },
            ScanError::Type { found: "AAAA".into(), at: at(t) },
            ScanError::NotTtlOrClass { found: "xyz".into(), at: at(t) },
            ScanError::Ttl { found: "9x".into(), at: at(t) },
            ScanError::Duplicate { what: "TTL", found: "300".into(), at: at(t) },
            ScanError::Duplicate { what: "class", found: "IN".into(), at: at(t) },
            ScanError::UnexpectedParen { at: at(t) },
            ScanError::UnclosedParen { at: at(t) },
            ScanError::Directive { found: "$ORIGIN".into(), at: at(t) },
            ScanError::RecordTooLong { at: at(None) },
            ScanError::TrailingText { at: at(None) },
        ];
        for e in &errors {
            let de = scan_error_text(e, Lang::De);
            german(&scan_error_text(e, Lang::En), &de);
            assert!(de.starts_with("Zeile 2, Spalte 7"), "{de}");
        }
        assert_eq!(
            scan_error_text(&errors[5], Lang::De),
            "Zeile 2, Spalte 7, Token 3: erwartet wird eine Hexziffer in den Zertifikatsdaten, gefunden „z“"
        );
        // A real parse, in the matcher's words.
        let e = geleit::tlsa::scan_record("3 1 1 zz").unwrap_err();
        german(&scan_error_text(&e, Lang::En), &scan_error_text(&e, Lang::De));
    }

    #[test]
    fn every_certificate_error_has_german_words() {
        let errors = [
            CertError::TooLarge { max: 262_144, found: 300_000 },
            CertError::TooMany { max: 32, found: 40 },
            CertError::Nothing { found: Nothing::Empty },
            CertError::Nothing { found: Nothing::OtherPemBlocks },
            CertError::Nothing { found: Nothing::NotDer },
            CertError::OnlyPrivateKey,
            CertError::PemBoundary { detail: PemBoundary::NoDashes },
            CertError::PemBoundary { detail: PemBoundary::BadLabel },
            CertError::PemUnterminated { label: "CERTIFICATE".into() },
            CertError::PemBase64 { label: "CERTIFICATE".into(), detail: "found invalid Base64 encoding".into() },
            CertError::Der { what: DerObject::Certificate, index: 1, detail: "Parsing Error".into() },
            CertError::Der { what: DerObject::PublicKey, index: 0, detail: "x".into() },
            CertError::Der { what: DerObject::Request, index: 0, detail: "x".into() },
            CertError::Der { what: DerObject::BasicConstraints, index: 0, detail: "x".into() },
            CertError::Der { what: DerObject::KeyUsage, index: 0, detail: "x".into() },
            CertError::Der { what: DerObject::Any, index: 0, detail: "x".into() },
            CertError::TrailingData { what: DerObject::Certificate, index: 0, count: 1 },
        ];
        for e in &errors {
            german(&cert_error_text(e, Lang::En), &cert_error_text(e, Lang::De));
        }
        let chain = [
            DaneError::EmptyChain,
            DaneError::ChainTooLong { max: 16, found: 20 },
            DaneError::Certificate { depth: 1, source: CertError::OnlyPrivateKey },
            DaneError::Name(NameError::BadName { found: "a..b".into() }),
            DaneError::Name(NameError::NoNames),
            DaneError::Name(NameError::NoMatch { presented: "a.example".into(), reference: "b.example".into() }),
        ];
        for e in &chain {
            german(&dane_error_text(e, Lang::En), &dane_error_text(e, Lang::De));
        }
        // Real input: garbage, read as the generator and matcher read it.
        let e = geleit::cert::read_input(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n").unwrap_err();
        german(&cert_error_text(&e, Lang::En), &cert_error_text(&e, Lang::De));
    }

    #[test]
    fn every_validation_step_has_german_words() {
        let reason = Reason::new(ReasonKind::SignatureExpired, "RRSIG over TLSA at x.example. expired");
        let proofs = [
            Proof::Secure,
            Proof::Insecure { zone_cut: "example.".into(), why: "example. is delegated without a DS record".into() },
            Proof::Bogus { reason: reason.clone() },
            Proof::Indeterminate { reason: Reason::new(ReasonKind::Network, "no answer for x.example. MX yet") },
        ];
        let why = "the wildcard proof for x.example. lies in an NSEC3 opt-out span".to_owned();
        let mut steps = vec![
            Step::AnchorUnsupported { anchor: ".".into() },
            Step::AnchorSecure { anchor: ".".into(), key_tags: "20326".into() },
            Step::BelowDname { name: "a.x.example.".into(), dname: "x.example.".into() },
            Step::Unproven { name: "a.example.".into(), why: why.clone() },
            Step::InsecureDelegation { name: "a.example.".into(), zone: "example.".into(), why: None },
            Step::DsNotChecked { name: "a.example.".into(), why: None },
            Step::Nonexistent { name: "a.example.".into(), zone: "example.".into() },
            Step::DsUnsupported { name: "a.example.".into(), why },
            Step::DnskeyMissing { name: "a.example.".into() },
            Step::DsNoMatch { name: "a.example.".into() },
            Step::ZoneCut { name: "example.".into(), key_tags: "1".into(), sha1_ds: true, sha1_key: true },
        ];
        let insecure = [
            Insecurity::Iterations { iterations: 500, limit: 150 },
            Insecurity::OptOut { name: "a.example.".into(), zone: "example.".into() },
            Insecurity::WildcardOptOut { name: "a.example.".into() },
        ];
        for why in insecure {
            steps.push(Step::InsecureDelegation {
                name: "a.example.".into(),
                zone: "example.".into(),
                why: Some(why.clone()),
            });
            steps.push(Step::DsNotChecked { name: "a.example.".into(), why: Some(why.clone()) });
            steps.push(Step::Insecure { name: "a.example.".into(), why });
        }
        for rrset in [WalkRrset::Ds, WalkRrset::DsDenial, WalkRrset::Dnskey, WalkRrset::Dname] {
            steps.push(Step::Bogus { owner: "example.".into(), rrset, reason: reason.clone() });
        }
        for proof in &proofs {
            steps.push(Step::Answer { name: "x.example.".into(), rtype: "TLSA".into(), proof: proof.clone() });
            for denial in [Denial::NxDomain, Denial::NoData, Denial::Unknown] {
                steps.push(Step::Denied {
                    name: "x.example.".into(),
                    rtype: "MX".into(),
                    denial,
                    proof: proof.clone(),
                });
            }
            steps.push(Step::Cname { name: "x.example.".into(), proof: proof.clone() });
            steps.push(Step::Dname { owner: "x.example.".into(), proof: proof.clone() });
        }
        for s in &steps {
            let en = trace_text(s, Lang::En);
            assert_eq!(en, s.to_string(), "English is the core's line, as the CLI prints it");
            german(&en, &trace_text(s, Lang::De));
        }
        let cut = steps.iter().find(|s| matches!(s, Step::ZoneCut { .. })).map(|s| trace_text(s, Lang::De)).unwrap();
        assert!(cut.starts_with("example. DS → DNSKEY: sichere Zonengrenze, Schlüssel-Tag 1"), "{cut}");
        let expired =
            trace_text(&Step::Answer { name: "x.".into(), rtype: "TLSA".into(), proof: proofs[2].clone() }, Lang::De);
        assert_eq!(expired, "x. TLSA: fehlerhaft: Signaturen abgelaufen (EDE 7)");
    }

    fn report(record: &str, failure: Option<Failure>) -> RecordReport {
        let record: Tlsa = geleit::tlsa::scan_record(record).unwrap().record;
        RecordReport {
            usable: record.matching_type != MatchingType::from_u8(9),
            record,
            reason: None,
            problems: Vec::new(),
            matched: true,
            depth: Some(1),
            anchor: Some(Anchor::InChain { depth: 1 }),
            authenticates: failure.is_none(),
            detail: "DANE-TA(2) matches the CA at depth 1 (CN=Test CA), but …".into(),
            failure,
            path_expires: None,
        }
    }

    #[test]
    fn every_record_failure_has_german_words() {
        let ta = "2 1 1 0000000000000000000000000000000000000000000000000000000000000000";
        let failures = [
            None,
            Some(Failure::NoMatch),
            Some(Failure::AnchorNotSent),
            Some(Failure::TaMatchesLeaf),
            Some(Failure::Expired { depth: Some(1), subject: "CN=Test CA".into(), not_after: 1_700_000_000 }),
            Some(Failure::NotYetValid { depth: None, subject: "CN=Test CA".into(), not_before: 1_900_000_000 }),
            Some(Failure::NameMismatch { presented: vec!["mx.example.com".into()], reference: vec![] }),
            Some(Failure::InvalidPath),
        ];
        for f in failures {
            let mut r = report(ta, f.clone());
            let de = record_detail_text(&r, &[], Lang::De);
            german(&record_detail_text(&r, &[], Lang::En), &de);
            r.anchor = Some(Anchor::NotSent);
            german(&r.detail, &record_detail_text(&r, &[], Lang::De));
        }
        let ee = report("3 1 1 0000000000000000000000000000000000000000000000000000000000000000", None);
        german(&ee.detail, &record_detail_text(&ee, &[], Lang::De));
        let unusable = RecordReport { usable: false, ..report("1 1 1 00", None) };
        german(&unusable.detail, &record_detail_text(&unusable, &[], Lang::De));
    }

    #[test]
    fn the_matcher_shows_its_details_in_german() {
        use crate::generator::{self, GenForm};
        use crate::matcher::{MatchForm, run};
        let (leaf, ca) = generator::tests::chain_pem();
        let chain = format!("{leaf}{ca}");
        let made = generator::run(&GenForm { text: chain.clone(), ..GenForm::default() }, Lang::En).unwrap().unwrap();
        let records = made.recommended.iter().map(|r| r.rdata.clone()).collect::<Vec<_>>().join("\n");
        for host in ["", "mx.example.com", "other.example.com"] {
            let form = MatchForm { chain: chain.clone(), records: records.clone(), host: host.into() };
            let en = run(&form, 1_800_000_000, Lang::En).unwrap().unwrap();
            let de = run(&form, 1_800_000_000, Lang::De).unwrap().unwrap();
            for (e, d) in en.records.iter().zip(&de.records) {
                german(&e.detail, &d.detail);
            }
        }
        let form = MatchForm { chain: "garbage".into(), records: "3 1 1 zz".into(), host: String::new() };
        let p = run(&form, 1_800_000_000, Lang::De).unwrap().unwrap_err();
        let detail = p.detail.expect("the reader's detail");
        assert!(!detail.contains("expected"), "{detail}");
        let form = MatchForm { chain, records: "3 1 1 zz".into(), host: String::new() };
        let p = run(&form, 1_800_000_000, Lang::De).unwrap().unwrap_err();
        assert!(p.message.contains("Hexziffer"), "{}", p.message);
    }
}
