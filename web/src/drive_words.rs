//! The browser driver's failures in the page's languages: why a DoH query,
//! a probe or the MTA-STS policy fetch brought no answer
//! ([`DriveError`]), why Geleit's resolver counts as unreachable (the
//! core's [`ResolverFailure`] with the last DoH failure), and why the edge's
//! policy fetch failed ([`FetchFailure`]).
//!
//! Both languages are worded here from the variants and their data, in
//! exhaustive matches over the driver's own enum: a variant added to
//! [`DriveError`] does not compile until it has its words. The core's enums
//! from another crate ([`ErrorCode`], [`FetchFailure`]) are
//! `#[non_exhaustive]`; what this version does not know is worded by what
//! it is (an error of the edge, a failed fetch), never in English. Free text
//! that came with a failure (a browser's or the edge's message, a parser's
//! words) is not part of these words: the views keep it, in English, behind
//! their details toggle ([`DriveError`]'s `Display`).

use geleit::api::ErrorCode;
use geleit::check::{MAX_TRANSPORT_ATTEMPTS, ResolverFailure};
use geleit::mailpolicy::FetchFailure;

use crate::drive::DriveError;
use crate::i18n::Lang;

/// A URL as shown in words: without its query (the probe's host and addresses are said elsewhere).
fn shown_url(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// Milliseconds as whole seconds, rounded up.
fn seconds(ms: u32) -> u32 {
    ms.div_ceil(1000)
}

/// Why the driver has no answer (or the check could not run), as a clause
/// that starts in lower case and has no final stop, to follow a colon.
#[must_use]
pub fn drive_error_text(e: &DriveError, lang: Lang) -> String {
    match lang {
        Lang::En => drive_en(e),
        Lang::De => drive_de(e),
    }
}

fn drive_en(e: &DriveError) -> String {
    match e {
        DriveError::Anchor { .. } => {
            "the trust anchor in the settings cannot be read: correct it, or empty the field for the IANA root"
                .to_owned()
        }
        DriveError::Name { .. } => "the name is not a domain name the check accepts".to_owned(),
        DriveError::NoAnswer { url, .. } => format!(
            "no answer from {} (no network, the connection was refused, or the browser blocked it for CORS)",
            shown_url(url)
        ),
        DriveError::Timeout { url, after_ms } => {
            format!("{} did not answer within {} s", shown_url(url), seconds(*after_ms))
        }
        DriveError::HttpStatus { url, status } => format!("{} answered with HTTP status {status}", shown_url(url)),
        DriveError::MediaType { url, found } => format!(
            "{} did not send a DNS message ({})",
            shown_url(url),
            found.as_deref().map_or_else(|| "no media type".to_owned(), |m| format!("media type {m}"))
        ),
        DriveError::TooLarge { limit, found } => {
            format!("the answer is larger than the page reads ({found} bytes, at most {limit})")
        }
        DriveError::Unreadable { .. } => "the answer could not be read".to_owned(),
        DriveError::Edge { status, code, retry_after_s, .. } => {
            let what = match code {
                ErrorCode::TargetRefused => {
                    "the edge refused to connect there (it connects to public addresses only)".to_owned()
                }
                ErrorCode::RateLimited => "the edge has too many requests".to_owned(),
                ErrorCode::BudgetExceeded => "the edge has used up its budget for now".to_owned(),
                ErrorCode::HostNotFound => "the edge found no address for the host".to_owned(),
                ErrorCode::DnsUnreachable | ErrorCode::ResolutionFailed | ErrorCode::UpstreamFailed => {
                    "a service the edge depends on did not answer".to_owned()
                }
                ErrorCode::Misconfigured | ErrorCode::Internal => format!("the edge failed (HTTP {status})"),
                // Every other code (a request the edge did not accept, a newer edge's code).
                _ => format!("the edge did not accept the request (HTTP {status})"),
            };
            match retry_after_s {
                Some(s) => format!("{what}; try again in {s} s"),
                None => what,
            }
        }
        DriveError::RateLimited { waits } => {
            format!("the edge still had too many requests after the page waited {waits} times")
        }
        DriveError::WrongHost { expected, found } => {
            format!("the edge sent the report of {found} instead of {expected}")
        }
        DriveError::NoEdge => "a web page cannot fetch it without the edge (CORS)".to_owned(),
        DriveError::NotKept { .. } => {
            "the check kept in this page does not hold this answer: check again for it".to_owned()
        }
        DriveError::Machine { .. } => "the check stopped without a result (a bug in Geleit)".to_owned(),
    }
}

fn drive_de(e: &DriveError) -> String {
    match e {
        DriveError::Anchor { .. } => {
            "der Vertrauensanker in den Einstellungen ist nicht lesbar: korrigieren Sie ihn, oder leeren Sie das Feld für den IANA-Root"
                .to_owned()
        }
        DriveError::Name { .. } => "der Name ist kein Domainname, den die Prüfung annimmt".to_owned(),
        DriveError::NoAnswer { url, .. } => format!(
            "keine Antwort von {} (kein Netz, die Verbindung wurde abgelehnt, oder der Browser hat sie wegen CORS blockiert)",
            shown_url(url)
        ),
        DriveError::Timeout { url, after_ms } => {
            format!("{} hat nicht innerhalb von {} s geantwortet", shown_url(url), seconds(*after_ms))
        }
        DriveError::HttpStatus { url, status } => format!("{} antwortete mit HTTP-Status {status}", shown_url(url)),
        DriveError::MediaType { url, found } => format!(
            "{} schickte keine DNS-Nachricht ({})",
            shown_url(url),
            found.as_deref().map_or_else(|| "ohne Medientyp".to_owned(), |m| format!("Medientyp {m}"))
        ),
        DriveError::TooLarge { limit, found } => {
            format!("die Antwort ist größer, als die Seite liest ({found} Bytes, höchstens {limit})")
        }
        DriveError::Unreadable { .. } => "die Antwort ließ sich nicht lesen".to_owned(),
        DriveError::Edge { status, code, retry_after_s, .. } => {
            let what = match code {
                ErrorCode::TargetRefused => {
                    "die Edge lehnte die Verbindung dorthin ab (sie verbindet sich nur mit öffentlichen Adressen)"
                        .to_owned()
                }
                ErrorCode::RateLimited => "die Edge hat zu viele Anfragen".to_owned(),
                ErrorCode::BudgetExceeded => "die Edge hat ihr Kontingent vorerst aufgebraucht".to_owned(),
                ErrorCode::HostNotFound => "die Edge fand keine Adresse für den Host".to_owned(),
                ErrorCode::DnsUnreachable | ErrorCode::ResolutionFailed | ErrorCode::UpstreamFailed => {
                    "ein Dienst, den die Edge braucht, hat nicht geantwortet".to_owned()
                }
                ErrorCode::Misconfigured | ErrorCode::Internal => format!("die Edge hatte einen Fehler (HTTP {status})"),
                // Every other code (a request the edge did not accept, a newer edge's code).
                _ => format!("die Edge nahm die Anfrage nicht an (HTTP {status})"),
            };
            match retry_after_s {
                Some(s) => format!("{what}; erneut versuchen in {s} s"),
                None => what,
            }
        }
        DriveError::RateLimited { waits } => {
            format!("die Edge hatte noch immer zu viele Anfragen, nachdem die Seite {waits}-mal gewartet hat")
        }
        DriveError::WrongHost { expected, found } => {
            format!("die Edge schickte den Bericht von {found} statt von {expected}")
        }
        DriveError::NoEdge => "ohne die Edge kann eine Webseite sie nicht abrufen (CORS)".to_owned(),
        DriveError::NotKept { .. } => {
            "die in dieser Seite gespeicherte Prüfung enthält diese Antwort nicht: prüfen Sie erneut".to_owned()
        }
        DriveError::Machine { .. } => "die Prüfung blieb ohne Ergebnis stehen (ein Fehler in Geleit)".to_owned(),
    }
}

/// Why the check could not run, as a sentence.
#[must_use]
pub fn failed_text(e: &DriveError, lang: Lang) -> String {
    let mut s = drive_error_text(e, lang);
    // Every clause starts with an ASCII letter (see the matches above).
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s.push('.');
    s
}

/// What failed when Geleit's resolver could not be reached: how many
/// queries got no answer after how many attempts each (the core's count),
/// and why the last attempt failed (`cause`, the driver's last DoH failure,
/// when known), as a sentence.
#[must_use]
pub fn resolver_failure_text(f: &ResolverFailure, cause: Option<&DriveError>, lang: Lang) -> String {
    let (failed, asked) = (f.failed, f.asked);
    let mut s = match lang {
        Lang::En => format!(
            "{failed} of {asked} {} got no answer after {MAX_TRANSPORT_ATTEMPTS} attempts each",
            if asked == 1 { "query" } else { "queries" }
        ),
        Lang::De => format!(
            "{failed} von {asked} {} nach je {MAX_TRANSPORT_ATTEMPTS} Versuchen ohne Antwort",
            if asked == 1 {
                "Abfrage blieb"
            } else if failed == 1 {
                "Abfragen blieb"
            } else {
                "Abfragen blieben"
            }
        ),
    };
    if let Some(e) = cause {
        s.push_str(": ");
        s.push_str(&drive_error_text(e, lang));
    }
    s.push('.');
    s
}

/// Why the edge's fetch of the MTA-STS policy failed (RFC 8461 §3.3), as a
/// clause to follow a colon; the free text that came with it stays in the
/// details.
#[must_use]
pub fn fetch_failure_text(f: &FetchFailure, lang: Lang) -> String {
    let de = lang == Lang::De;
    let words = match f {
        FetchFailure::Dns { .. } => {
            if de {
                "der Policy-Host hat keine nutzbare Adresse"
            } else {
                "the policy host has no usable address"
            }
        }
        FetchFailure::Connect { .. } => {
            if de {
                "keine Verbindung zum Policy-Host auf Port 443"
            } else {
                "no connection to the policy host on port 443"
            }
        }
        FetchFailure::Tls { .. } => {
            if de {
                "der TLS-Handshake mit dem Policy-Host scheiterte"
            } else {
                "the TLS handshake with the policy host failed"
            }
        }
        FetchFailure::Certificate { .. } => {
            if de {
                "das Zertifikat des Policy-Hosts ist nicht gültig (PKIX)"
            } else {
                "the policy host's certificate is not valid (PKIX)"
            }
        }
        FetchFailure::TooLarge { limit } => {
            return if de {
                format!("die Policy ist größer als {limit} Bytes")
            } else {
                format!("the policy is larger than {limit} bytes")
            };
        }
        FetchFailure::Timeout { after_ms } => {
            return if de {
                format!("keine Antwort innerhalb von {} s", seconds(*after_ms))
            } else {
                format!("no answer within {} s", seconds(*after_ms))
            };
        }
        FetchFailure::Refused { .. } => {
            if de {
                "die Adresse des Policy-Hosts ist nicht öffentlich (nicht abgerufen)"
            } else {
                "the policy host's address is not public (not fetched)"
            }
        }
        FetchFailure::Http { .. } => {
            if de {
                "die Antwort war kein HTTP"
            } else {
                "the answer was not HTTP"
            }
        }
        // Unavailable, and what a newer core adds.
        _ => {
            if de {
                "der Abruf war nicht möglich"
            } else {
                "the fetch could not be made"
            }
        }
    };
    words.to_owned()
}

/// The MTA-STS policy at `url` was not asked for, and why (the page's own
/// failure to ask the edge), as a sentence (RFC 8461 §3.3).
#[must_use]
pub fn policy_not_fetched_text(url: &str, why: &DriveError, lang: Lang) -> String {
    let why = drive_error_text(why, lang);
    match lang {
        Lang::En => format!("The MTA-STS policy at {url} was not fetched: {why}."),
        Lang::De => format!("Die MTA-STS-Policy unter {url} wurde nicht abgerufen: {why}."),
    }
}

/// The edge's fetch of the MTA-STS policy at `url` failed, and why, as
/// sentences (RFC 8461 §3.3: senders without a cached policy act as if there
/// were none).
#[must_use]
pub fn policy_fetch_failed_text(url: &str, why: &FetchFailure, lang: Lang) -> String {
    let why = fetch_failure_text(why, lang);
    match lang {
        Lang::En => format!(
            "Could not fetch the MTA-STS policy from {url}: {why}. Senders without a cached policy deliver as if there were none."
        ),
        Lang::De => format!(
            "Die MTA-STS-Policy unter {url} ließ sich nicht abrufen: {why}. Absender ohne zwischengespeicherte Policy stellen zu, als gäbe es keine."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<DriveError> {
        let url = "https://edge.example/api/probe?host=mx.example&addr=192.0.2.1";
        vec![
            DriveError::Anchor { detail: "line 1: expected a domain name".into() },
            DriveError::Name { detail: "expected a domain name".into() },
            DriveError::NoAnswer { url: url.into(), detail: "TypeError: Failed to fetch".into() },
            DriveError::Timeout { url: url.into(), after_ms: 60_000 },
            DriveError::HttpStatus { url: "https://doh.example/dns-query".into(), status: 502 },
            DriveError::MediaType { url: "https://doh.example/dns-query".into(), found: Some("text/html".into()) },
            DriveError::MediaType { url: "https://doh.example/dns-query".into(), found: None },
            DriveError::TooLarge { limit: 65_535, found: 70_000 },
            DriveError::Unreadable { detail: "expected the edge's JSON answer, found one it cannot read".into() },
            DriveError::Edge {
                status: 403,
                code: ErrorCode::TargetRefused,
                message: "refused by policy: 127.0.0.1 is loopback".into(),
                retry_after_s: None,
            },
            DriveError::Edge {
                status: 429,
                code: ErrorCode::RateLimited,
                message: "too many probes".into(),
                retry_after_s: Some(7),
            },
            DriveError::Edge {
                status: 418,
                code: ErrorCode::Other("teapot".into()),
                message: "short and stout".into(),
                retry_after_s: None,
            },
            DriveError::RateLimited { waits: 3 },
            DriveError::WrongHost { expected: "mx.example".into(), found: "evil.example".into() },
            DriveError::NoEdge,
            DriveError::NotKept { what: "the probe of mx.example".into() },
            DriveError::Machine { detail: "the check ended without an outcome".into() },
        ]
    }

    #[test]
    fn every_driver_failure_has_words_in_both_languages_without_its_english_detail() {
        for e in all() {
            let (en, de) = (drive_error_text(&e, Lang::En), drive_error_text(&e, Lang::De));
            assert!(!en.is_empty() && !de.is_empty() && en != de, "{e:?}");
            // The English log words (Display) and the free text stay behind the toggle.
            let raw = e.to_string();
            assert!(!de.contains(&raw) && !en.contains(&raw), "{e:?}: {de} / {en}");
            for english in ["refused by policy", "Failed to fetch", "expected", "found", "too many probes", "teapot"] {
                assert!(!de.contains(english), "{e:?}: {de}");
            }
            assert!(!de.contains("api/probe?"), "no query strings: {de}");
            assert!(failed_text(&e, Lang::De).ends_with('.'));
            assert!(failed_text(&e, Lang::De).starts_with(|c: char| c.is_ascii_uppercase()), "{de}");
        }
    }

    #[test]
    fn a_refused_probe_says_the_edge_refused_in_either_language() {
        let refused = &all()[9];
        assert_eq!(
            drive_error_text(refused, Lang::De),
            "die Edge lehnte die Verbindung dorthin ab (sie verbindet sich nur mit öffentlichen Adressen)"
        );
        assert_eq!(
            drive_error_text(refused, Lang::En),
            "the edge refused to connect there (it connects to public addresses only)"
        );
        assert_eq!(drive_error_text(&all()[10], Lang::De), "die Edge hat zu viele Anfragen; erneut versuchen in 7 s");
        assert_eq!(
            drive_error_text(&all()[3], Lang::De),
            "https://edge.example/api/probe hat nicht innerhalb von 60 s geantwortet"
        );
    }

    #[test]
    fn an_unreachable_resolver_says_what_failed_and_how_often() {
        let f = ResolverFailure {
            domain: "example.org.".into(),
            failed: 3,
            asked: 12,
            detail: "expected HTTP 2xx from https://doh.example/dns-query, found HTTP 502".into(),
        };
        let cause = DriveError::HttpStatus { url: "https://doh.example/dns-query".into(), status: 502 };
        assert_eq!(
            resolver_failure_text(&f, Some(&cause), Lang::De),
            "3 von 12 Abfragen blieben nach je 3 Versuchen ohne Antwort: https://doh.example/dns-query antwortete mit HTTP-Status 502."
        );
        assert_eq!(
            resolver_failure_text(&f, Some(&cause), Lang::En),
            "3 of 12 queries got no answer after 3 attempts each: https://doh.example/dns-query answered with HTTP status 502."
        );
        let one = ResolverFailure { failed: 1, asked: 1, ..f };
        assert_eq!(
            resolver_failure_text(&one, None, Lang::De),
            "1 von 1 Abfrage blieb nach je 3 Versuchen ohne Antwort."
        );
        let timeout = DriveError::Timeout { url: "https://doh.example/dns-query".into(), after_ms: 10_000 };
        let de = resolver_failure_text(&one, Some(&timeout), Lang::De);
        assert!(de.ends_with("https://doh.example/dns-query hat nicht innerhalb von 10 s geantwortet."), "{de}");
    }

    #[test]
    fn policy_fetch_failures_are_worded_without_their_detail() {
        let all = [
            FetchFailure::Dns { detail: "no address".into() },
            FetchFailure::Connect { detail: "connection refused".into() },
            FetchFailure::Tls { detail: "alert".into() },
            FetchFailure::Certificate { detail: "expired".into() },
            FetchFailure::TooLarge { limit: 65_536 },
            FetchFailure::Timeout { after_ms: 10_000 },
            FetchFailure::Refused { detail: "loopback".into() },
            FetchFailure::Http { detail: "garbage".into() },
            FetchFailure::Unavailable { detail: "not fetched".into() },
        ];
        for f in &all {
            let (en, de) = (fetch_failure_text(f, Lang::En), fetch_failure_text(f, Lang::De));
            assert!(en != de && !de.contains("expected") && !de.contains(&f.to_string()), "{f:?}: {de}");
        }
        assert_eq!(fetch_failure_text(&all[1], Lang::De), "keine Verbindung zum Policy-Host auf Port 443");
    }
}
