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
    /// One host named directly (`[mx.example.org]`, Postfix's next-hop
    /// syntax): no MX lookup, the host itself is checked.
    pub direct: bool,
}

impl Domain {
    /// Whether the two forms differ (an internationalised name).
    #[must_use]
    pub fn is_idn(&self) -> bool {
        self.ascii != self.unicode
    }

    /// The form for the address bar and the input field: the A-labels
    /// (U-labels with `unicode`), in brackets for a host named directly.
    #[must_use]
    pub fn written(&self, unicode: bool) -> String {
        let name = if unicode { &self.unicode } else { &self.ascii };
        if self.direct { format!("[{name}]") } else { name.clone() }
    }
}

/// Why the input is not a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// Nothing typed.
    Empty,
    /// Not a valid domain name.
    Invalid,
    /// An IP address: DANE is looked up by name (RFC 7672 §2.2).
    Address,
}

/// How much of a typed text a message repeats.
pub const SHOWN_CHARS: usize = 60;

/// `text` for a message: at most [`SHOWN_CHARS`] characters, cut with `…`.
#[must_use]
pub fn shorten(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
        None => text.to_owned(),
    }
}

/// Why `input` cannot be checked, in the page's words (the input cut to
/// [`SHOWN_CHARS`] characters).
#[must_use]
pub fn problem_words(e: &DomainError, input: &str, t: &crate::i18n::Strings) -> String {
    match e {
        DomainError::Empty => t.ck_empty_domain.to_owned(),
        DomainError::Address => (t.ck_ip_address)(&shorten(input)),
        DomainError::Invalid => (t.ck_bad_domain)(&shorten(input)),
    }
}

/// Reads a domain, an MX host name, an e-mail address (`user@domain`), a
/// pasted `mailto:` link or web address (`https://example.org/`: its host),
/// or one host in brackets (`[mx.example.org]`, checked directly).
pub fn parse(input: &str) -> Result<Domain, DomainError> {
    let mut s = input.trim();
    s = s.strip_prefix("mailto:").unwrap_or(s);
    // A web address: its host (no user, port, path, query or fragment).
    if let Some((scheme, rest)) = s.split_once("://")
        && !scheme.is_empty()
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        s = if host.starts_with('[') { host } else { host.split(':').next().unwrap_or(host) };
    }
    if let Some((_, domain)) = s.rsplit_once('@') {
        s = domain;
    }
    let s = s.trim();
    let (s, direct) = match s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        Some(inner) => (inner.trim(), true),
        None => (s, false),
    };
    let s = s.trim_end_matches('.');
    if s.is_empty() {
        return Err(DomainError::Empty);
    }
    if s.parse::<std::net::IpAddr>().is_ok() {
        return Err(DomainError::Address);
    }
    let ascii = host_to_ascii(s).ok_or(DomainError::Invalid)?;
    if !is_ldh_name(&ascii) {
        return Err(DomainError::Invalid);
    }
    // All-numeric last label: an IPv4 address in another spelling, never a host name (RFC 1123 §2.1).
    if ascii.rsplit('.').next().is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return Err(DomainError::Address);
    }
    let unicode = to_unicode(&ascii).ok_or(DomainError::Invalid)?;
    Ok(Domain { ascii, unicode, direct })
}

/// A name already in A-label form (what the edge checked), with its
/// U-labels for display; `None` if it is no LDH host name or an `xn--`
/// label does not decode. No UTS 46 mapping is needed, so no browser API.
#[must_use]
pub fn from_ascii(ascii: &str, direct: bool) -> Option<Domain> {
    let ascii = ascii.trim_end_matches('.').to_ascii_lowercase();
    if !is_ldh_name(&ascii) {
        return None;
    }
    let unicode = to_unicode(&ascii)?;
    Some(Domain { ascii, unicode, direct })
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

/// U-labels for display: each `xn--` label decoded by the core's one rule
/// ([`geleit::idn::label_to_unicode`]: RFC 3492, encodes back to itself,
/// reads as what it is); `None` if one is no such label.
fn to_unicode(ascii: &str) -> Option<String> {
    let labels = ascii
        .split('.')
        .map(|l| if l.starts_with("xn--") { geleit::idn::label_to_unicode(l) } else { Some(l.to_owned()) });
    labels.collect::<Option<Vec<String>>>().map(|l| l.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labels_from_the_edge_read_as_u_labels() {
        let d = from_ascii("XN--BCHER-KVA.example.", false).unwrap_or_else(|| panic!("no domain"));
        assert_eq!(
            (d.ascii.as_str(), d.unicode.as_str(), d.direct),
            ("xn--bcher-kva.example", "bücher.example", false)
        );
        assert_eq!(from_ascii("mx.example", true).map(|d| d.written(true)).as_deref(), Some("[mx.example]"));
        assert_eq!(from_ascii("xn--zz.example", false), None, "does not decode");
        // One label that would read as two (`a.bé`), and one that is all ASCII: no U-labels to show.
        let dotted = format!("xn--{}.example", geleit::idn::encode("a.b\u{e9}").unwrap_or_default());
        assert_eq!(from_ascii(&dotted, false), None, "{dotted}");
        assert_eq!(from_ascii("xn--abc-.example", false), None);
        assert_eq!(from_ascii("bücher.example", false), None, "not A-labels");
        assert_eq!(from_ascii("", false), None);
    }

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

    #[test]
    fn web_addresses_brackets_and_ip_addresses() {
        for input in
            ["https://example.org/", "http://user@Example.org:8080/path?q=1#f", "example.org", "user@example.org"]
        {
            let d = parse(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!((d.ascii.as_str(), d.direct), ("example.org", false), "{input}");
        }
        let d = parse(" [MX.example.org] ").unwrap();
        assert_eq!((d.ascii.as_str(), d.direct), ("mx.example.org", true));
        assert_eq!(d.written(false), "[mx.example.org]");
        assert_eq!(parse(&d.written(false)), Ok(d));
        for ip in ["127.0.1.1", "[127.0.1.1]", "2001:db8::25", "[2001:db8::25]", "https://192.0.2.1/", "0x7f.1"] {
            assert_eq!(parse(ip), Err(DomainError::Address), "{ip}");
        }
        assert_eq!(parse("[]"), Err(DomainError::Empty));
    }

    #[test]
    fn messages_say_why_and_cut_long_input() {
        let t = crate::i18n::Lang::En.t();
        let long = format!("{}!", "x".repeat(10_000));
        let m = problem_words(&parse(&long).unwrap_err(), &long, t);
        assert!(m.len() < 200, "{m}");
        let m = problem_words(&parse("127.0.1.1").unwrap_err(), "127.0.1.1", t);
        assert!(m.starts_with("“127.0.1.1” is an IP address"), "{m}");
    }

    #[test]
    fn long_input_is_cut_in_messages() {
        let long = "a".repeat(5000);
        let shown = shorten(&long);
        assert_eq!(shown.chars().count(), SHOWN_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(shorten(" short "), "short");
        assert_eq!(shorten(&"ü".repeat(61)).chars().count(), 61);
    }
}
