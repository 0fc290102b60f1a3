//! What the person typed into the checker → a mail domain in both forms
//! (IDNA2008/UTS 46 via the `idna` crate): A-labels for DNS, U-labels to show.

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
    let ascii = idna::domain_to_ascii_strict(s).map_err(|_| DomainError::Invalid)?;
    if ascii.is_empty() || ascii.len() > 253 || !ascii.contains('.') && ascii.len() > 63 {
        return Err(DomainError::Invalid);
    }
    let (unicode, result) = idna::domain_to_unicode(&ascii);
    if result.is_err() {
        return Err(DomainError::Invalid);
    }
    Ok(Domain { ascii, unicode })
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
    }
}
