//! Quoting of untrusted text inside error messages.
//!
//! Writes what `{:?}` writes for a plain string (`"…"` with `\"`, `\\`, `\n`,
//! `\r`, `\t`, `\0` and `\u{…}` for other control characters) but leaves every
//! other character as it is. The messages must not depend on `Debug`: the web
//! app is built with `-Zfmt-debug=none` (scripts/web-build.sh), which makes
//! every `{:?}` print nothing.

use std::fmt;

/// A string shown in double quotes with control characters escaped.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

/// A character shown in single quotes with control characters escaped.
pub(crate) struct QuotedChar(pub(crate) char);

fn escaped(f: &mut fmt::Formatter<'_>, c: char, quote: char) -> fmt::Result {
    match c {
        '\\' => f.write_str("\\\\"),
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\t' => f.write_str("\\t"),
        '\0' => f.write_str("\\0"),
        c if c == quote => write!(f, "\\{c}"),
        c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c)),
        c => fmt::Write::write_char(f, c),
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            escaped(f, c, '"')?;
        }
        f.write_str("\"")
    }
}

impl fmt::Display for QuotedChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("'")?;
        escaped(f, self.0, '\'')?;
        f.write_str("'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_debug_for_ascii_and_control_characters() {
        for s in ["", "mx.example", "a\"b\\c", "tab\there\nnew\rline\0", "bell\u{7}", "del\u{7f}", "ü.example", "'"] {
            assert_eq!(Quoted(s).to_string(), format!("{s:?}"));
        }
        for c in ['x', '\'', '"', '\n', '\u{1b}', 'ß'] {
            assert_eq!(QuotedChar(c).to_string(), format!("{c:?}"));
        }
    }

    #[test]
    fn leaves_other_characters_unescaped() {
        assert_eq!(Quoted("a\u{200b}b").to_string(), "\"a\u{200b}b\"");
    }
}
