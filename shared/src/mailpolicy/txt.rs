//! The `key=value; …` syntax that TLSRPT (RFC 8460 §3) and MTA-STS
//! (RFC 8461 §3.1) TXT records share, and the TXT string handling both
//! prescribe.
//!
//! ```text
//! record      = version 1*(field-delim field) [field-delim]
//! field-delim = *WSP ";" *WSP
//! field       = name "=" value
//! name        = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//! ```

/// One TXT record's strings, concatenated without separators (RFC 8460 §3,
/// RFC 8461 §3.1: a record may be split into several strings of at most 255
/// octets, RFC 1035 §3.3.14).
#[must_use]
pub fn concatenate(strings: &[Vec<u8>]) -> Vec<u8> {
    strings.concat()
}

/// Whether `record` begins with `version` followed by a field delimiter or
/// its end: a record of another kind (SPF, a verification token) is not an
/// error, it is not ours (RFC 8460 §3, RFC 8461 §3.1: records that do not
/// begin with the version are discarded).
#[must_use]
pub fn begins_with(record: &[u8], version: &str) -> bool {
    match record.strip_prefix(version.as_bytes()) {
        Some(rest) => matches!(rest.first(), None | Some(b';' | b' ' | b'\t')),
        None => false,
    }
}

/// What is wrong with a record's layout (turned into each module's own error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Not printable ASCII (the ABNF allows no other octets).
    NotAscii,
    /// The first field is not the version.
    Version(String),
    /// An empty field between two delimiters.
    EmptyField,
    /// A field without `=`, or with a name outside the ABNF.
    Field(String),
    /// A value outside the ABNF (empty, spaces, `=` or `;`).
    Value { name: String, value: String },
}

/// The fields after the version, as (name, value); `rua`'s value keeps its
/// own inner spaces (RFC 8460 §3 allows `*WSP "," *WSP` between URIs), the
/// caller passes the names whose values have their own grammar in `raw`.
pub fn fields<'a>(record: &'a [u8], version: &str, raw: &[&str]) -> Result<Vec<(&'a str, &'a str)>, Layout> {
    if !record.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b)) {
        return Err(Layout::NotAscii);
    }
    let text = core::str::from_utf8(record).map_err(|_| Layout::NotAscii)?;
    let mut parts = text.split(';');
    let first = parts.next().unwrap_or_default().trim_end_matches([' ', '\t']);
    if first != version {
        return Err(Layout::Version(first.to_owned()));
    }
    let parts: Vec<&str> = parts.collect();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let is_last = i + 1 == parts.len();
        // WSP around the delimiter belongs to it; only a final delimiter may
        // be followed by nothing.
        let field = part.trim_matches([' ', '\t']);
        if field.is_empty() {
            if is_last && i > 0 {
                break;
            }
            return Err(Layout::EmptyField);
        }
        // The last field without a delimiter after it ends the record: no WSP after it.
        if is_last && part.ends_with([' ', '\t']) {
            return Err(Layout::Field(field.to_owned()));
        }
        let Some((name, value)) = field.split_once('=') else {
            return Err(Layout::Field(field.to_owned()));
        };
        if !is_name(name) {
            return Err(Layout::Field(field.to_owned()));
        }
        if !raw.contains(&name) && !is_value(value) {
            return Err(Layout::Value { name: name.to_owned(), value: value.to_owned() });
        }
        out.push((name, value));
    }
    if out.is_empty() {
        return Err(Layout::EmptyField);
    }
    Ok(out)
}

/// `(ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`.
pub fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.len() <= 32
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// `1*(%x21-3A / %x3C / %x3E-7E)`: printable, no space, `;` or `=`.
pub fn is_value(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b';' && b != b'=')
}
