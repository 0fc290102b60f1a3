//! The core's verdicts, findings and fixes ([`geleit::verdict`]) in the
//! page's languages. English uses the core's own sentences (the same the
//! CLI prints, as reported with the finding); German translates each variant
//! with its data, in exhaustive matches: a variant the core adds does not
//! compile until it has its German words.

use geleit::dns::ReasonKind;
use geleit::mailpolicy::{Mode, PolicyFinding};
use geleit::smtp::{SignatureFamily, Step};
use geleit::verdict::{Finding, Fix, FixReport, Reported, Verdict, utc};

use crate::i18n::Lang;

/// What a domain verdict is about, for its words: the MX hosts with something
/// to fix (the core's [`geleit::verdict::DomainVerdict::failing_hosts`]), how
/// many hosts were checked, whether the host was named directly, and whether
/// DNSSEC proves what the MX lookup found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct About {
    /// Failing MX hosts, without the trailing dot, worst first.
    pub failing: Vec<String>,
    /// MX hosts checked.
    pub hosts: usize,
    /// A host named directly (`[mx.example.org]`), no MX lookup.
    pub direct: bool,
    /// The MX lookup is DNSSEC-secure (a nonexistent domain is proven so).
    pub proven: bool,
}

/// The short word for a verdict on a badge (one host, one address): never a
/// sentence about "every MX host".
#[must_use]
pub fn state_word(v: Verdict, lang: Lang) -> &'static str {
    match lang {
        Lang::En => match v {
            Verdict::Authenticated => "Authenticated",
            Verdict::Trusted => "Hosts authenticated, MX unsigned",
            Verdict::Incomplete => "Not every MX host checked",
            Verdict::NoDane => "No DANE",
            Verdict::TlsUnauthenticated => "TLS required, not authenticated",
            Verdict::NullMx => "Accepts no mail",
            Verdict::NotAuthenticated => "Not authenticated",
            Verdict::NoStarttls => "No STARTTLS",
            Verdict::Unreachable => "Probe failed",
            Verdict::NotProbed => "Certificates not checked",
            Verdict::NoAddress => "No address",
            Verdict::Deferred => "DNSSEC failure",
            Verdict::NxDomain => "Domain does not exist",
        },
        Lang::De => match v {
            Verdict::Authenticated => "Authentifiziert",
            Verdict::Trusted => "Hosts authentifiziert, MX unsigniert",
            Verdict::Incomplete => "Nicht jeder MX-Host geprüft",
            Verdict::NoDane => "Kein DANE",
            Verdict::TlsUnauthenticated => "TLS Pflicht, nicht authentifiziert",
            Verdict::NullMx => "Nimmt keine Mail an",
            Verdict::NotAuthenticated => "Nicht authentifiziert",
            Verdict::NoStarttls => "Kein STARTTLS",
            Verdict::Unreachable => "Probe gescheitert",
            Verdict::NotProbed => "Zertifikate nicht geprüft",
            Verdict::NoAddress => "Keine Adresse",
            Verdict::Deferred => "DNSSEC-Fehler",
            Verdict::NxDomain => "Domain existiert nicht",
        },
    }
}

/// The headline of a domain verdict.
#[must_use]
pub fn headline(v: Verdict, lang: Lang, about: &About) -> &'static str {
    match (v, lang) {
        (Verdict::Authenticated, Lang::En) if about.direct => "The host authenticates",
        (Verdict::Authenticated, Lang::En) if about.hosts == 1 => "The MX host authenticates",
        (Verdict::Authenticated, Lang::En) => "Every MX host authenticates",
        (Verdict::Authenticated, Lang::De) if about.direct => "Der Host authentifiziert sich",
        (Verdict::Authenticated, Lang::De) if about.hosts == 1 => "Der MX-Host authentifiziert sich",
        (Verdict::Authenticated, Lang::De) => "Jeder MX-Host authentifiziert sich",
        (Verdict::Trusted, Lang::En) => "Hosts authenticate, but the MX records are not signed",
        (Verdict::Trusted, Lang::De) => "Hosts authentifiziert, aber MX-Records unsigniert",
        _ => state_word(v, lang),
    }
}

/// The summary of a domain verdict, naming the failing MX hosts.
#[must_use]
pub fn summary(v: Verdict, lang: Lang, about: &About) -> String {
    let base = match lang {
        Lang::En => match v {
            Verdict::Authenticated if about.direct => {
                "Signed TLSA records and a matching certificate at every address of the host (RFC 7672 §2.2)."
            }
            Verdict::Authenticated => {
                "Signed MX records, signed TLSA records, and a matching certificate at every address of every MX host (RFC 7672 §2.2)."
            }
            Verdict::Trusted => {
                "Each MX host authenticates, but the MX RRset is not DNSSEC-signed, so an attacker could substitute other hosts (RFC 7672 §2.2.1)."
            }
            Verdict::Incomplete => {
                "The MX records name more hosts than the check examines; the hosts not checked are listed. A host that was not checked is not a host that passed, so the domain is not reported as authenticated (RFC 7672 §2.2)."
            }
            Verdict::NoDane => {
                "Mail to this domain is encrypted only opportunistically: an attacker can strip TLS (RFC 7672 §2.2.2)."
            }
            Verdict::TlsUnauthenticated => {
                "No TLSA record is usable for SMTP: senders must use TLS but cannot authenticate the server (RFC 7672 §3.1.3)."
            }
            Verdict::NullMx => "The domain publishes a null MX (RFC 7505).",
            Verdict::NotAuthenticated => {
                "The TLSA records do not authenticate the certificate an MX host presents: DANE-aware senders defer mail to it. One broken MX host is enough."
            }
            Verdict::NoStarttls => {
                "An MX host does not offer STARTTLS: where its TLSA records require TLS, DANE-aware senders defer mail; without them mail travels in plaintext."
            }
            Verdict::Unreachable => "An MX host could not be reached over SMTP and TLS.",
            Verdict::NotProbed => {
                "DNS was checked; the MX hosts' certificates were not (the edge's probe was not available). See each host for its DNS result."
            }
            Verdict::NoAddress => "An MX host has no A or AAAA records: mail to it cannot be delivered.",
            Verdict::Deferred => {
                "A lookup does not validate: DANE-aware senders defer mail until it does (RFC 7672 §2.1.1)."
            }
            Verdict::NxDomain if about.proven => "DNSSEC proves the domain does not exist.",
            Verdict::NxDomain => {
                "The domain does not exist (NXDOMAIN). Its zone is not signed, so DNSSEC does not prove it."
            }
        },
        Lang::De => match v {
            Verdict::Authenticated if about.direct => {
                "Signierte TLSA-Records und ein passendes Zertifikat an jeder Adresse des Hosts (RFC 7672 §2.2)."
            }
            Verdict::Authenticated => {
                "Signierte MX-Records, signierte TLSA-Records und ein passendes Zertifikat an jeder Adresse jedes MX-Hosts (RFC 7672 §2.2)."
            }
            Verdict::Trusted => {
                "Jeder MX-Host authentifiziert sich, aber die MX-Records sind nicht mit DNSSEC signiert; ein Angreifer könnte andere Hosts unterschieben (RFC 7672 §2.2.1)."
            }
            Verdict::Incomplete => {
                "Die MX-Records nennen mehr Hosts, als die Prüfung untersucht; die nicht geprüften Hosts sind aufgeführt. Ein Host, der nicht geprüft wurde, hat nicht bestanden, daher gilt die Domain nicht als authentifiziert (RFC 7672 §2.2)."
            }
            Verdict::NoDane => {
                "Mail an diese Domain wird nur opportunistisch verschlüsselt: ein Angreifer kann TLS abschalten (RFC 7672 §2.2.2)."
            }
            Verdict::TlsUnauthenticated => {
                "Kein TLSA-Record ist für SMTP nutzbar: Absender müssen TLS nutzen, können den Server aber nicht authentifizieren (RFC 7672 §3.1.3)."
            }
            Verdict::NullMx => "Die Domain veröffentlicht ein Null-MX (RFC 7505).",
            Verdict::NotAuthenticated => {
                "Die TLSA-Records authentifizieren das Zertifikat nicht, das ein MX-Host zeigt: DANE-fähige Absender stellen an ihn nicht zu. Ein kaputter MX-Host genügt."
            }
            Verdict::NoStarttls => {
                "Ein MX-Host bietet kein STARTTLS an: verlangen seine TLSA-Records TLS, stellen DANE-fähige Absender nicht zu; ohne sie geht Mail im Klartext."
            }
            Verdict::Unreachable => "Ein MX-Host war über SMTP und TLS nicht erreichbar.",
            Verdict::NotProbed => {
                "DNS wurde geprüft, die Zertifikate der MX-Hosts nicht (die Probe der Edge war nicht verfügbar). Das DNS-Ergebnis steht bei jedem Host."
            }
            Verdict::NoAddress => "Ein MX-Host hat keine A- oder AAAA-Records: Mail an ihn ist nicht zustellbar.",
            Verdict::Deferred => {
                "Eine Abfrage validiert nicht: DANE-fähige Absender stellen erst zu, wenn sie es tut (RFC 7672 §2.1.1)."
            }
            Verdict::NxDomain if about.proven => "DNSSEC beweist, dass die Domain nicht existiert.",
            Verdict::NxDomain => {
                "Die Domain existiert nicht (NXDOMAIN). Ihre Zone ist nicht signiert, daher beweist DNSSEC das nicht."
            }
        },
    };
    if about.failing.is_empty() || v.tone() == geleit::verdict::Tone::Good {
        return base.to_owned();
    }
    let hosts = about.failing.join(", ");
    match lang {
        Lang::En => format!("{base} Affected: {hosts}."),
        Lang::De => format!("{base} Betroffen: {hosts}."),
    }
}

/// The core's English messages with an upper-case first letter. They start
/// with an ASCII word; ASCII-only on purpose: `char::to_uppercase` would link
/// the Unicode case tables (about 17 KB gzip) into the web app.
fn capitalised(mut s: String) -> String {
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}

fn family(f: SignatureFamily) -> &'static str {
    match f {
        SignatureFamily::Ecdsa => "ECDSA",
        SignatureFamily::Rsa => "RSA",
    }
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|r| format!("„{r}“")).collect::<Vec<_>>().join(", ")
}

fn place_de(depth: Option<usize>) -> String {
    depth.map_or_else(|| "im TLSA-Record".to_owned(), |d| format!("in Tiefe {d}"))
}

/// Why a DNSSEC lookup failed (RFC 8914 info-codes), in German.
pub(crate) const fn reason_de(kind: ReasonKind) -> &'static str {
    match kind {
        ReasonKind::UnsupportedDnskeyAlgorithm => "DNSKEY-Algorithmus nicht unterstützt",
        ReasonKind::UnsupportedDsDigest => "DS-Hashverfahren nicht unterstützt",
        ReasonKind::UnsupportedKeySize => "Schlüssellänge nicht unterstützt",
        ReasonKind::SignatureInvalid => "Signatur ungültig",
        ReasonKind::SignatureExpired => "Signaturen abgelaufen",
        ReasonKind::SignatureNotYetValid => "Signaturen noch nicht gültig",
        ReasonKind::DnskeyMissing => "kein DNSKEY passt zum DS",
        ReasonKind::RrsigsMissing => "RRSIG fehlen",
        ReasonKind::NsecMissing => "kein NSEC/NSEC3-Beweis",
        ReasonKind::Nsec3Iterations => "zu viele NSEC3-Iterationen",
        ReasonKind::Inconsistent => "widersprüchliche Daten",
        ReasonKind::Network => "keine Antwort",
        ReasonKind::Malformed => "unbrauchbare Antwort",
        ReasonKind::NoTrustAnchor => "kein Vertrauensanker",
    }
}

/// A probe step in German (English: the core's [`Step::describe`], in its
/// message); a step word this version does not know as a step not named
/// (the word itself is in the finding's detail).
fn step_de(word: &str) -> &'static str {
    match Step::from_word(word) {
        Some(Step::Connect) => "beim Verbindungsaufbau",
        Some(Step::Greeting) => "bei der Begrüßung des Servers",
        Some(Step::Ehlo) => "bei EHLO",
        Some(Step::Starttls) => "bei STARTTLS",
        Some(Step::TlsHandshake) => "beim TLS-Handshake",
        Some(Step::EhloTls) => "bei EHLO nach TLS",
        Some(Step::Quit) => "bei QUIT",
        None => "bei einem unbekannten Schritt",
    }
}

/// What a TLSRPT or MTA-STS finding says, in the page's language (every
/// variant worded in German: a new one without words does not compile).
#[must_use]
pub fn policy_text(f: &PolicyFinding, lang: Lang) -> String {
    if lang == Lang::En {
        return capitalised(f.message().replace('`', ""));
    }
    let mode_de = |m: &Mode| match m {
        Mode::Enforce => "enforce (erzwingen)",
        Mode::Testing => "testing (testen)",
        Mode::None => "none (keine)",
    };
    match f {
        // The core's English details (a proof, a parser's words, a fetch's
        // failure) are not part of the German sentences: the page shows them
        // behind its details toggle.
        PolicyFinding::LookupFailed { name, .. } => format!("Die TXT-Abfrage für {name} ließ sich nicht durchführen: darüber ist nichts bekannt."),
        PolicyFinding::LookupBogus { name, .. } => format!("Die TXT-Abfrage für {name} ist fehlerhaft signiert (bogus): validierende Absender sehen keinen Record."),
        PolicyFinding::TlsRptPublished { name, rua, signed } => format!(
            "TLS-Reporting ist unter {name} eingerichtet{}: Absender melden fehlgeschlagene TLS-Zustellungen an {}.",
            if *signed { "" } else { " (nicht mit DNSSEC signiert)" },
            rua.join(", ")
        ),
        PolicyFinding::TlsRptMissing { name, domain, dane } => format!(
            "Kein TLS-Reporting-Record unter {name}: {} Veröffentlichen Sie {name} IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}\".",
            if *dane {
                "mit DANE sind Fehlerberichte der Weg zu erfahren, dass eine Zertifikatserneuerung DANE bei einem Absender gebrochen hat."
            } else {
                "Absender können Ihnen nicht melden, wenn TLS zu Ihren MX-Hosts scheitert."
            }
        ),
        PolicyFinding::TlsRptInvalid { name, .. } => format!("Der TLS-Reporting-Record unter {name} ist unbrauchbar: Absender senden keine Berichte."),
        PolicyFinding::StsMissing { dane: true } => "Keine MTA-STS-Policy: DANE schützt Mail von Absendern, die DANE prüfen; MTA-STS würde Absender abdecken, die das nicht tun.".to_owned(),
        PolicyFinding::StsMissing { dane: false } => "Keine MTA-STS-Policy: Absender ohne DANE stellen nur mit opportunistischem TLS zu.".to_owned(),
        PolicyFinding::StsRecordInvalid { name, .. } => format!("Der MTA-STS-Record unter {name} ist unbrauchbar: Absender verhalten sich, als gäbe es keine Policy."),
        PolicyFinding::StsNotFetched { url, .. } => format!("Die MTA-STS-Policy unter {url} wurde nicht abgerufen."),
        PolicyFinding::StsFetchFailed { url, .. } => format!("Die MTA-STS-Policy unter {url} ließ sich nicht abrufen; Absender ohne zwischengespeicherte Policy stellen zu, als gäbe es keine."),
        PolicyFinding::StsRedirect { url, status, location } => format!(
            "{url} antwortet mit einer Weiterleitung ({status}{}); Absender folgen keinen Weiterleitungen, es gibt also keine Policy: liefern Sie die Datei unter genau dieser URL aus.",
            location.as_deref().map(|l| format!(" nach {l}")).unwrap_or_default()
        ),
        PolicyFinding::StsHttpStatus { url, status } => format!("{url} antwortet mit HTTP {status} statt 200: Absender finden keine Policy."),
        PolicyFinding::StsContentType { url, found } => format!("{url} wird als {} ausgeliefert, nicht als text/plain: Absender verwerfen die Policy womöglich.", found.as_deref().unwrap_or("ohne Medientyp")),
        PolicyFinding::StsPolicyInvalid { url, .. } => format!("Die MTA-STS-Policy unter {url} ist fehlerhaft: Absender verhalten sich, als gäbe es keine."),
        PolicyFinding::StsPolicyActive { mode, max_age, mx, id } => format!(
            "MTA-STS-Policy im Modus {} (id {id}, max_age {max_age} s, mx {}): {}",
            mode_de(mode),
            if mx.is_empty() { "keine".to_owned() } else { mx.join(", ") },
            match mode {
                Mode::Enforce => "Absender, die MTA-STS anwenden, stellen nur an MX-Hosts zu, die zu einem Muster passen und über TLS ein gültiges (PKIX-)Zertifikat zeigen, sonst gar nicht.",
                Mode::Testing => "Absender stellen wie bisher zu und melden Fehler (TLSRPT), statt die Zustellung zu verweigern.",
                Mode::None => "Absender behandeln die Domain, als hätte sie keine aktive Policy.",
            }
        ),
        PolicyFinding::StsMxNotCovered { host, mode, patterns } => format!(
            "Der MX-Host {host} passt zu keinem mx-Muster der MTA-STS-Policy ({}): {} Ergänzen Sie „mx: {host}“.",
            patterns.join(", "),
            if *mode == Mode::Enforce {
                "Absender, die MTA-STS anwenden, stellen nicht an ihn zu."
            } else {
                "im Modus enforce würden Absender, die MTA-STS anwenden, nicht an ihn zustellen."
            }
        ),
        PolicyFinding::StsMaxAgeShort { max_age } => format!("max_age der MTA-STS-Policy ist {max_age} s: ein kurzer Cache lässt Absender öfter ohne Policy; üblich sind Wochen (z. B. 1209600)."),
        PolicyFinding::StsIdChanged { previous, current } => format!("Die MTA-STS-id hat sich von {previous} zu {current} geändert: Absender mit zwischengespeicherter Policy rufen sie neu ab."),
        PolicyFinding::DaneTakesPrecedence => "Die Domain hat DANE und MTA-STS: Absender, die DANE prüfen, wenden für ihre MX-Hosts DANE an und nicht MTA-STS.".to_owned(),
    }
}

/// What a finding says, in the page's language. English is the core's own
/// message as reported (computed where the verdict was made, in the page or
/// at the edge), so the widget's default bundle, which reads the edge's
/// verdict, does not link the core's English wording a second time.
#[must_use]
pub fn finding_text(r: &Reported, lang: Lang) -> String {
    if lang == Lang::En {
        return capitalised(r.message.replace('`', ""));
    }
    finding_de(&r.finding)
}

/// What a finding says in German.
fn finding_de(f: &Finding) -> String {
    match f {
        Finding::NullMx => "Die Domain veröffentlicht ein Null-MX: sie nimmt keine Mail an, es gibt nichts zu authentifizieren.".to_owned(),
        Finding::DomainMissing => "Die Domain existiert nicht (mit DNSSEC validiertes NXDOMAIN).".to_owned(),
        Finding::MxInsecure { zone_cut } => format!("Die MX-Records sind nicht mit DNSSEC signiert (die Vertrauenskette endet bei {zone_cut}): ein Angreifer kann andere MX-Hosts unterschieben, Absender können die Hostnamen nicht authentifizieren."),
        Finding::MxHostsUnchecked { checked, unchecked } => format!(
            "Die MX-Records nennen {} Hosts, mehr als die {checked}, die diese Prüfung untersucht: {unchecked} {} mit den höchsten Präferenzwerten {} nicht geprüft. Ein Host, der nicht geprüft wurde, hat nicht bestanden, daher gilt die Domain nicht als authentifiziert.",
            checked.saturating_add(*unchecked),
            if *unchecked == 1 { "Host" } else { "Hosts" },
            if *unchecked == 1 { "wurde" } else { "wurden" },
        ),
        Finding::DnssecBogus { name, rtype, kind, .. } => format!("Die {rtype}-Abfrage für {name} ist fehlerhaft signiert (bogus: {}): DANE-fähige Absender stellen erst zu, wenn sie validiert.", reason_de(*kind)),
        Finding::DnssecIndeterminate { name, rtype, kind, .. } => format!("Die {rtype}-Abfrage für {name} ließ sich nicht validieren ({}): DANE-fähige Absender stellen nicht zu.", reason_de(*kind)),
        Finding::NoAddress { host } => format!("{host} hat keine A- oder AAAA-Records."),
        Finding::InsecureNoDane { name, rtype, zone_cut } => format!("Die {rtype}-Records von {name} sind nicht mit DNSSEC signiert (die Vertrauenskette endet bei {zone_cut}), daher ignorieren Absender TLSA-Records und fallen auf opportunistisches TLS zurück."),
        Finding::NoTlsa { owner } => format!("DNSSEC beweist, dass es unter {owner} keine TLSA-Records gibt: kein DANE, Absender fallen auf opportunistisches TLS zurück."),
        Finding::OnlyUnusableRecords { owner, records } => format!(
            "Keiner der TLSA-Records unter {owner} ist für SMTP nutzbar ({}): Absender müssen TLS nutzen, können den Server aber nicht authentifizieren.",
            records.iter().map(|r| r.record.clone()).collect::<Vec<_>>().join(", ")
        ),
        Finding::UnusableRecordsIgnored { owner, records } => format!(
            "{} der TLSA-Records unter {owner} sind für SMTP unbrauchbar und werden ignoriert: {}.",
            records.len(),
            records.iter().map(|r| r.record.clone()).collect::<Vec<_>>().join(", ")
        ),
        Finding::SingleRecordPinned { owner, record } => format!("Unter {owner} ist nur ein Record veröffentlicht („{record}“): der nächste Schlüsselwechsel unterbricht die Zustellung, wenn der Record des nächsten Schlüssels nicht vorher veröffentlicht wird."),
        // Why (the driver's, the edge's or the core's English) is the detail behind the toggle.
        Finding::NotProbed { .. } => "Die Adresse wurde nicht geprüft.".to_owned(),
        Finding::ProbeFailed { step, .. } => format!("Die Probe scheiterte {}.", step_de(step)),
        Finding::StarttlsMissing { dane: true } => "Der Server bietet kein STARTTLS an, seine TLSA-Records verlangen aber TLS: DANE-fähige Absender stellen nicht zu.".to_owned(),
        Finding::StarttlsMissing { dane: false } => "Der Server bietet kein STARTTLS an: Mail an ihn geht im Klartext.".to_owned(),
        Finding::TlsaNoMatch { family: fam, matching_families, records } => {
            let mut m = format!(
                "{} passt zu keinem Zertifikat der {}-Kette, die der Server einem Standard-Client zeigt: DANE-fähige Absender stellen nicht zu.",
                quoted(records),
                family(*fam)
            );
            if !matching_families.is_empty() {
                m.push_str(&format!(
                    " Die {}-Kette des Servers passt, aber Clients, die beides anbieten, erhalten die {}-Kette.",
                    matching_families.iter().map(|f| family(*f)).collect::<Vec<_>>().join(" und "),
                    family(*fam)
                ));
            }
            m
        }
        Finding::TaNotSent { record } => format!("„{record}“ bindet eine CA, die der Server nicht sendet (er sendet nur sein eigenes Zertifikat), daher lässt sich keine Kette zur gebundenen CA bilden."),
        Finding::TaMatchesLeaf { record } => format!("„{record}“ ist ein DANE-TA(2)-Record, passt aber zum eigenen Zertifikat des Servers; DANE-TA bindet eine CA."),
        Finding::ChainExpiredUnderDaneTa { depth, subject, not_after } => format!("Das Zertifikat {} ({subject}) ist am {} abgelaufen; DANE-TA(2) prüft die Gültigkeit, daher ist der Server nicht authentifiziert.", place_de(*depth), utc(*not_after)),
        Finding::ChainNotYetValidUnderDaneTa { depth, subject, not_before } => format!("Das Zertifikat {} ({subject}) gilt erst ab {}; DANE-TA(2) prüft die Gültigkeit.", place_de(*depth), utc(*not_before)),
        Finding::NameMismatch { presented, reference } => format!(
            "Das Serverzertifikat nennt {}, aber keinen von {}; mit DANE-TA(2) muss es den MX-Hostnamen oder die TLSA-Basisdomain tragen.",
            if presented.is_empty() { "nichts".to_owned() } else { presented.join(", ") },
            reference.join(", ")
        ),
        Finding::TaPathInvalid { record, .. } => format!("„{record}“: der Pfad zur gebundenen CA ist ungültig."),
        Finding::UnpinnedChain { family: fam } => format!("Der Server hat auch eine {}-Zertifikatskette, zu der kein nutzbarer TLSA-Record passt: Absender, die sie aushandeln, stellen nicht zu.", family(*fam)),
        Finding::ChainExpiresSoon { depth, subject, not_after } => format!("Das Zertifikat {} ({subject}) auf dem DANE-TA(2)-Pfad läuft am {} ab; danach stellen DANE-fähige Absender nicht mehr zu.", place_de(*depth), utc(*not_after)),
        Finding::LeafExpiredUnderDaneEe { not_after } => format!("Das Serverzertifikat ist am {} abgelaufen; DANE-EE(3) ignoriert Daten, DANE-Absender stellen weiter zu, andere Absender beschweren sich eventuell.", utc(*not_after)),
        Finding::SignaturesExpireSoon { rrset, expiration, .. } => format!(
            "Die Signaturen von „{rrset}“ laufen am {} ab, spät in ihrer Gültigkeit: läuft das Neusignieren? Danach verwerfen validierende Resolver die Antwort und DANE-fähige Absender stellen nicht mehr zu.",
            utc(*expiration)
        ),
    }
}

/// What to do, in the page's language (English: the core's message as
/// reported, see [`finding_text`]).
#[must_use]
pub fn fix_text(f: &FixReport, lang: Lang) -> String {
    if lang == Lang::En {
        return capitalised(f.message.replace('`', ""));
    }
    fix_de(&f.fix)
}

/// What to do, in German.
fn fix_de(f: &Fix) -> String {
    match f {
        Fix::PublishTlsa { owner, record, replaces, keep } => {
            let mut m =
                format!("„{owner} IN TLSA {record}“ veröffentlichen (berechnet aus dem Schlüssel, den der Server zeigt)");
            if !keep.is_empty() {
                m.push_str(&format!(
                    " zusätzlich zu {}, der die andere Kette des Servers bindet: beide behalten",
                    quoted(keep)
                ));
            }
            if !replaces.is_empty() {
                m.push_str(&format!(" und {} entfernen", quoted(replaces)));
            }
            m.push('.');
            m
        }
        Fix::PublishNextKey { owner, current } if current.starts_with("2 ") => format!("Bevor die CA wechselt (Let's Encrypt wechselt seine Zwischen-CAs), den Record der nächsten CA unter {owner} neben „{current}“ veröffentlichen oder einen 3 1 1-Record des Serverschlüssels ergänzen; den alten Record erst entfernen, wenn die neue Kette ausgeliefert wird (RFC 7671 §8.1, §8.4)."),
        Fix::PublishNextKey { owner, current } => format!("Jetzt den nächsten Schlüssel erzeugen und seinen 3 1 1-Record unter {owner} neben „{current}“ veröffentlichen; den Server erst auf den neuen Schlüssel umstellen, wenn beide Records mindestens zwei TTLs sichtbar waren, dann den alten Record entfernen (RFC 7671 §8.1; „geleit rollover prepare“ und „geleit rollover status“ führen durch diese Schritte); mit Let's Encrypt mit demselben Schlüssel erneuern (certbot --reuse-key), damit 3 1 1 gültig bleibt."),
        Fix::ServeFullChain { record } => format!("Die vollständige Kette ausliefern: der Server sendet nur sein eigenes Zertifikat, daher erreicht die von „{record}“ gebundene CA den Client nie; die CA-Zertifikate nach dem Serverzertifikat angeben (Postfix: in smtpd_tls_chain_files) oder den Serverschlüssel mit 3 1 1 binden."),
        Fix::RenewCertificate { depth: Some(d), subject } => format!("Das Zertifikat in Tiefe {d} ({subject}) erneuern und die neue Kette installieren."),
        Fix::RenewCertificate { depth: None, subject } => format!("Das Vertrauensanker-Zertifikat ({subject}) erneuern und seinen neuen Record veröffentlichen."),
        Fix::ReissueWithNames { names, owner, record } => {
            let mut m = format!("Ein Zertifikat besorgen, dessen subjectAltName {} enthält", names.join(" oder "));
            if let Some(r) = record {
                m.push_str(&format!(", oder stattdessen den Serverschlüssel mit „{owner} IN TLSA {r}“ binden (DANE-EE prüft keine Namen)"));
            }
            m.push('.');
            m
        }
        Fix::EnableStarttls => "STARTTLS mit einem Zertifikat anbieten (Postfix: smtpd_tls_security_level = may und smtpd_tls_chain_files).".to_owned(),
        Fix::RepairDnssec { name, rtype, kind } => {
            let what = match kind {
                ReasonKind::SignatureExpired => "die Signaturen sind abgelaufen: die Zone neu signieren und sicherstellen, dass das automatische Neusignieren läuft",
                ReasonKind::SignatureNotYetValid => "die Signaturen gelten noch nicht: die Uhr des Signierers prüfen",
                ReasonKind::DnskeyMissing => "kein DNSKEY passt zum DS der Elternzone: den DS des aktuellen Schlüssels beim Registrar hinterlegen (oder den Schlüssel, den der DS nennt)",
                ReasonKind::RrsigsMissing => "die Records sind nicht signiert: die Zone signieren oder den DS aus der Elternzone entfernen",
                ReasonKind::NsecMissing => "die Zone beweist die Nichtexistenz nicht: sie mit NSEC oder NSEC3 neu signieren",
                ReasonKind::Network => "der Resolver hat nicht geantwortet: prüfen, ob die autoritativen Server antworten",
                ReasonKind::UnsupportedDnskeyAlgorithm
                | ReasonKind::UnsupportedDsDigest
                | ReasonKind::UnsupportedKeySize
                | ReasonKind::SignatureInvalid
                | ReasonKind::Nsec3Iterations
                | ReasonKind::Inconsistent
                | ReasonKind::Malformed
                | ReasonKind::NoTrustAnchor => {
                    "die Signaturen sind ungültig: die Zone neu signieren und den DS in der Elternzone prüfen"
                }
            };
            format!("{rtype} unter {name}: {what}.")
        }
        Fix::SignZone { zone } => format!("{zone} mit DNSSEC signieren und ihren DS-Record in der Elternzone veröffentlichen."),
        Fix::CheckReachability => "Sicherstellen, dass die Adresse SMTP auf Port 25 aus dem Internet annimmt, oder sie aus dem DNS entfernen.".to_owned(),
        Fix::ResignZone { owner, rtype } if rtype == "DS" => format!("Der DS-Record von {owner} wird von der Elternzone signiert: beim Betreiber der Elternzone (Registry oder Registrar) nachfragen, ob dort neu signiert wird."),
        Fix::ResignZone { owner, rtype } => format!("Die Zone mit den {rtype}-Records von {owner} jetzt neu signieren und prüfen, warum ihr automatisches Neusignieren stehen geblieben ist (Signer-Status und Log)."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_policy_finding_has_german_words() {
        use geleit::mailpolicy::FetchFailure;
        let all = [
            PolicyFinding::LookupFailed { name: "_mta-sts.a.example".into(), detail: "d".into() },
            PolicyFinding::LookupBogus { name: "_mta-sts.a.example".into(), detail: "d".into() },
            PolicyFinding::TlsRptPublished {
                name: "_smtp._tls.a.example".into(),
                rua: vec!["mailto:r@a.example".into()],
                signed: false,
            },
            PolicyFinding::TlsRptMissing {
                name: "_smtp._tls.a.example".into(),
                domain: "a.example".into(),
                dane: true,
            },
            PolicyFinding::TlsRptInvalid { name: "_smtp._tls.a.example".into(), detail: "d".into() },
            PolicyFinding::StsMissing { dane: true },
            PolicyFinding::StsMissing { dane: false },
            PolicyFinding::StsRecordInvalid { name: "_mta-sts.a.example".into(), detail: "d".into() },
            PolicyFinding::StsNotFetched { url: "u".into(), detail: "d".into() },
            PolicyFinding::StsFetchFailed { url: "u".into(), failure: FetchFailure::TooLarge { limit: 65536 } },
            PolicyFinding::StsRedirect { url: "u".into(), status: 301, location: Some("https://b.example/".into()) },
            PolicyFinding::StsHttpStatus { url: "u".into(), status: 404 },
            PolicyFinding::StsContentType { url: "u".into(), found: Some("text/html".into()) },
            PolicyFinding::StsPolicyInvalid { url: "u".into(), detail: "d".into() },
            PolicyFinding::StsPolicyActive {
                mode: Mode::Testing,
                max_age: 86400,
                mx: vec!["mx.a.example".into()],
                id: "1".into(),
            },
            PolicyFinding::StsMxNotCovered {
                host: "mx2.a.example".into(),
                mode: Mode::Enforce,
                patterns: vec!["mx.a.example".into()],
            },
            PolicyFinding::StsMaxAgeShort { max_age: 60 },
            PolicyFinding::StsIdChanged { previous: "1".into(), current: "2".into() },
            PolicyFinding::DaneTakesPrecedence,
        ];
        for f in &all {
            let (en, de) = (policy_text(f, Lang::En), policy_text(f, Lang::De));
            assert!(!de.is_empty() && de != en, "{f:?}");
            assert!(!en.contains('`'), "{en}");
        }
        assert_eq!(
            policy_text(&all[15], Lang::De),
            "Der MX-Host mx2.a.example passt zu keinem mx-Muster der MTA-STS-Policy (mx.a.example): Absender, die MTA-STS anwenden, stellen nicht an ihn zu. Ergänzen Sie „mx: mx2.a.example“."
        );
    }

    #[test]
    fn mx_hosts_not_checked_have_words_in_both_languages() {
        let f = Finding::MxHostsUnchecked { checked: 64, unchecked: 6 };
        let en = finding_text(&Reported::new(f.clone(), None), Lang::En);
        let de = finding_text(&Reported::new(f.clone(), None), Lang::De);
        assert!(en.starts_with("The MX records name 70 hosts, more than the 64"), "{en}");
        assert!(de.starts_with("Die MX-Records nennen 70 Hosts, mehr als die 64"), "{de}");
        assert!(de.contains("6 Hosts mit den höchsten Präferenzwerten wurden nicht geprüft"), "{de}");
        let one = finding_text(&Reported::new(Finding::MxHostsUnchecked { checked: 64, unchecked: 1 }, None), Lang::De);
        assert!(one.contains("1 Host mit den höchsten Präferenzwerten wurde nicht geprüft"), "{one}");
        let about = About::default();
        let en_head = headline(Verdict::Incomplete, Lang::En, &about);
        let de_head = headline(Verdict::Incomplete, Lang::De, &about);
        assert_eq!((en_head, de_head), ("Not every MX host checked", "Nicht jeder MX-Host geprüft"));
        let de_summary = summary(Verdict::Incomplete, Lang::De, &about);
        assert!(de_summary.contains("nicht als authentifiziert"), "{de_summary}");
    }

    #[test]
    fn a_single_host_is_not_every_mx_host_and_badges_are_short() {
        let one = About { hosts: 1, ..About::default() };
        assert_eq!(headline(Verdict::Authenticated, Lang::En, &one), "The MX host authenticates");
        let direct = About { hosts: 1, direct: true, ..About::default() };
        assert_eq!(headline(Verdict::Authenticated, Lang::De, &direct), "Der Host authentifiziert sich");
        let two = About { hosts: 2, ..About::default() };
        assert_eq!(headline(Verdict::Authenticated, Lang::En, &two), "Every MX host authenticates");
        assert_eq!(state_word(Verdict::Authenticated, Lang::En), "Authenticated");
    }

    #[test]
    fn german_dnssec_and_probe_findings_say_why_in_german() {
        let f = Finding::DnssecBogus {
            name: "example.".into(),
            rtype: "TLSA".into(),
            kind: ReasonKind::SignatureExpired,
            detail: "RRSIG over TLSA expired".into(),
        };
        let de = finding_text(&Reported::new(f.clone(), None), Lang::De);
        assert!(de.contains("Signaturen abgelaufen") && !de.contains("expired"), "{de}");
        let p = Finding::ProbeFailed { step: "tls_handshake".into(), message: "received fatal alert".into() };
        assert_eq!(finding_text(&Reported::new(p.clone(), None), Lang::De), "Die Probe scheiterte beim TLS-Handshake.");
    }

    #[test]
    fn the_verdict_names_the_failing_hosts() {
        let about = About { failing: vec!["mx2.two-mx.example".into()], hosts: 2, ..About::default() };
        let s = summary(Verdict::NotAuthenticated, Lang::En, &about);
        assert!(s.ends_with(" Affected: mx2.two-mx.example."), "{s}");
        assert!(!s.contains("do not match"), "{s}");
        assert!(summary(Verdict::NotAuthenticated, Lang::De, &about).ends_with(" Betroffen: mx2.two-mx.example."));
    }

    #[test]
    fn an_unsigned_nonexistent_domain_is_not_proven_by_dnssec() {
        let unsigned = About::default();
        assert!(!summary(Verdict::NxDomain, Lang::En, &unsigned).contains("DNSSEC proves"));
        let signed = About { proven: true, ..About::default() };
        assert_eq!(summary(Verdict::NxDomain, Lang::En, &signed), "DNSSEC proves the domain does not exist.");
    }
}
