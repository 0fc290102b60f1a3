//! What the person typed into the checker → a mail domain in both forms:
//! A-labels for DNS, U-labels to show (IDNA2008/UTS 46).
//!
//! Mapping a typed name to A-labels (UTS 46 ToASCII) needs large Unicode
//! tables. In the browser the URL parser already implements it (WHATWG URL
//! host parsing), so the wasm build asks the browser and links no tables;
//! native builds (tests) use the `idna` crate. Everything else — the checks
//! on the A-labels and Punycode decoding for display — is the same code on
//! both.

/// A mail domain or MX host name, ready to query and to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// A-label form, lowercase, no trailing dot (`xn--bcher-kva.example`).
    pub ascii: String,
    /// U-label form (`bücher.example`).
    pub unicode: String,
}

impl Domain {
    /// Whether the two forms differ (an internationalised name).
    #[must_use]
    pub fn is_idn(&self) -> bool {
        self.ascii != self.unicode
    }
}

/// Why the input is not a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// Nothing typed.
    Empty,
    /// Not a valid domain name.
    Invalid,
}

/// Reads a domain, an MX host name, an e-mail address (`user@domain`) or a
/// pasted `mailto:` link.
pub fn parse(input: &str) -> Result<Domain, DomainError> {
    let mut s = input.trim();
    s = s.strip_prefix("mailto:").unwrap_or(s);
    if let Some((_, domain)) = s.rsplit_once('@') {
        s = domain;
    }
    let s = s.trim().trim_end_matches('.');
    if s.is_empty() {
        return Err(DomainError::Empty);
    }
    let ascii = host_to_ascii(s).ok_or(DomainError::Invalid)?;
    if !is_ldh_name(&ascii) {
        return Err(DomainError::Invalid);
    }
    let unicode = to_unicode(&ascii).ok_or(DomainError::Invalid)?;
    Ok(Domain { ascii, unicode })
}

/// A host name in A-label form, lowercase (UTS 46 ToASCII); `None` if it is
/// not one. Plain ASCII names without A-labels need no mapping.
#[must_use]
pub fn host_to_ascii(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    if lower.is_ascii() && !lower.contains("xn--") { Some(lower) } else { uts46_to_ascii(s) }
}

#[cfg(not(target_arch = "wasm32"))]
fn uts46_to_ascii(s: &str) -> Option<String> {
    idna::domain_to_ascii_strict(s).ok()
}

/// The browser's UTS 46 ToASCII: the host of `http://<s>/`. Only letters,
/// digits, dots and hyphens may be ASCII in `s`, so nothing else of the URL
/// syntax (port, path, user, percent-escapes) can take part.
#[cfg(target_arch = "wasm32")]
fn uts46_to_ascii(s: &str) -> Option<String> {
    if s.chars().any(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '.' || c == '-')) {
        return None;
    }
    let url = web_sys::Url::new(&format!("http://{s}/")).ok()?;
    let host = url.hostname();
    // An IPv4 address (the URL parser rewrites numeric hosts) is no domain.
    let numeric = host.rsplit('.').next().is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()));
    (!host.is_empty() && !numeric).then_some(host)
}

/// STD3 rules, hyphen checks and DNS lengths on an A-label name (UTS 46
/// `UseSTD3ASCIIRules`, `CheckHyphens`, `VerifyDnsLength`; RFC 1034 §3.5).
fn is_ldh_name(ascii: &str) -> bool {
    let labels_ok = ascii.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
            && (l.get(2..4) != Some("--") || l.starts_with("xn--"))
    });
    labels_ok && !ascii.is_empty() && ascii.len() <= 253 && (ascii.contains('.') || ascii.len() <= 63)
}

/// U-labels for display: each `xn--` label decoded (RFC 3492); `None` if one
/// does not decode or does not encode back to itself.
fn to_unicode(ascii: &str) -> Option<String> {
    let labels = ascii.split('.').map(|l| match l.strip_prefix("xn--") {
        Some(puny) => {
            idna::punycode::decode_to_string(puny).filter(|u| idna::punycode::encode_str(u).as_deref() == Some(puny))
        }
        None => Some(l.to_owned()),
    });
    labels.collect::<Option<Vec<String>>>().map(|l| l.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idn_both_ways() {
        let d = parse(" Bücher.Example. ").unwrap();
        assert_eq!(d.ascii, "xn--bcher-kva.example");
        assert_eq!(d.unicode, "bücher.example");
        assert!(d.is_idn());
        let d = parse("xn--bcher-kva.example").unwrap();
        assert_eq!(d.unicode, "bücher.example");
    }

    #[test]
    fn addresses_and_plain_names() {
        assert_eq!(parse("postmaster@ee-spki.example").unwrap().ascii, "ee-spki.example");
        assert_eq!(parse("mailto:a@MX.example.com").unwrap().ascii, "mx.example.com");
        assert!(!parse("mx.example.com").unwrap().is_idn());
        assert_eq!(parse("  "), Err(DomainError::Empty));
        assert_eq!(parse("exa mple.com"), Err(DomainError::Invalid));
        assert_eq!(parse("-mx.example"), Err(DomainError::Invalid));
        assert_eq!(parse("ab--c.example"), Err(DomainError::Invalid));
        assert_eq!(parse("mx_1.example"), Err(DomainError::Invalid));
        assert_eq!(parse(&format!("{}.example", "a".repeat(64))), Err(DomainError::Invalid));
        assert_eq!(parse("xn--a.example"), Err(DomainError::Invalid));
        assert_eq!(parse("MÜNCHEN.de").unwrap().ascii, "xn--mnchen-3ya.de");
    }
}
