//! The page's addresses: `/` (checker), `/check/<domain>` (a shareable
//! result), `/generate`, `/match`, `/settings`.

/// Where the page is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    /// The checker, optionally with a domain to check at once.
    #[default]
    Check,
    /// A shareable check of one domain (ASCII form, as in the address bar).
    CheckDomain(String),
    /// The TLSA generator.
    Generate,
    /// The chain/records matcher.
    Match,
    /// Endpoints and trust anchor.
    Settings,
}

impl Route {
    /// Reads a location path (percent-encoded as the browser gives it).
    #[must_use]
    pub fn from_path(path: &str) -> Self {
        let path = path.trim_end_matches('/');
        match path {
            "" | "/check" => Self::Check,
            "/generate" => Self::Generate,
            "/match" => Self::Match,
            "/settings" => Self::Settings,
            _ => match path.strip_prefix("/check/") {
                Some(domain) if !domain.is_empty() && !domain.contains('/') => {
                    Self::CheckDomain(percent_decode(domain))
                }
                _ => Self::Check,
            },
        }
    }

    /// The path for the address bar.
    #[must_use]
    pub fn to_path(&self) -> String {
        match self {
            Self::Check => "/".into(),
            Self::CheckDomain(d) => format!("/check/{}", percent_encode(d)),
            Self::Generate => "/generate".into(),
            Self::Match => "/match".into(),
            Self::Settings => "/settings".into(),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        for r in [
            Route::Check,
            Route::Generate,
            Route::Match,
            Route::Settings,
            Route::CheckDomain("xn--bcher-kva.example".into()),
        ] {
            assert_eq!(Route::from_path(&r.to_path()), r);
        }
        assert_eq!(Route::from_path("/check/b%C3%BCcher.example"), Route::CheckDomain("bücher.example".into()));
        assert_eq!(Route::CheckDomain("bücher.example".into()).to_path(), "/check/b%C3%BCcher.example");
        assert_eq!(Route::from_path("/nowhere"), Route::Check);
        assert_eq!(Route::from_path("/check/a/b"), Route::Check);
    }
}
