//! The one way out: everything `geleit` writes for a person or a program
//! passes through here.
//!
//! A mail server chooses its certificate names, banner and error texts; a DNS
//! answer, a recorded probe report, a file or an argument can carry any
//! character. Written raw to a terminal, ESC and the C1 controls start escape
//! sequences (window title, hyperlinks, clipboard writes with OSC 52, cursor
//! movement), CR overwrites the line, and the Unicode bidi controls reorder
//! what is shown ("Trojan Source", CVE-2021-42574). So the human output is
//! written by [`print`], and the `geleit: …` lines on standard error by
//! [`error`] and [`warning`], which show those characters as visible escapes
//! (see [`escape`]). The renderers stay plain `String` builders and need not
//! know which of their values came from a peer.
//!
//! JSON (`--json`) goes through [`print_json`]: serde_json already writes the
//! C0 controls as `\u00XX`; DEL, the C1 controls and the bidi controls, which
//! it leaves raw, are written as `\uXXXX` too. Those characters can only occur
//! inside JSON strings, so the document means exactly the same.
//!
//! A closed standard output (`geleit … | head`) ends the output quietly: no
//! panic and no message. ripgrep does the same, and then exits 0 ("the Unix
//! convention"). Here the exit code stays the command's own instead: it is
//! the verdict (see `main.rs`), reached before printing began, and under
//! `set -o pipefail` a failed check must not turn into a success because the
//! reader stopped early.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io::{self, Write as _};

/// Writes human-readable `text` to standard output, escaped as [`escape`]
/// describes, keeping line breaks and tabs (they are the layout). A closed
/// pipe is not an error; any other write error is.
pub fn print(text: &str) -> io::Result<()> {
    stdout(escape(text, Keep::Layout).as_bytes())
}

/// Writes `value` as pretty JSON and a line break to standard output (see the
/// module documentation for the escapes added to serde_json's).
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut text = escape_json(&serde_json::to_string_pretty(value)?).into_owned();
    text.push('\n');
    Ok(stdout(text.as_bytes())?)
}

/// Writes `value` as compact JSON on one line (JSON Lines) to standard
/// output, with the same escapes as [`print_json`].
pub fn print_json_line<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut text = escape_json(&serde_json::to_string(value)?).into_owned();
    text.push('\n');
    Ok(stdout(text.as_bytes())?)
}

/// Writes `geleit: <message>` to standard error, on one line: every control
/// character, line breaks included, is escaped.
pub fn error(message: impl fmt::Display) {
    stderr(&format!("geleit: {message}"));
}

/// Writes `geleit: warning: <message>` to standard error, as [`error`] does.
pub fn warning(message: impl fmt::Display) {
    stderr(&format!("geleit: warning: {message}"));
}

/// Writes a message made elsewhere (clap's usage errors) to standard error,
/// escaped, keeping its line breaks.
pub fn stderr_text(text: &str) {
    // Nowhere left to report a failure to write to standard error.
    let _ = io::stderr().lock().write_all(escape(text, Keep::Layout).as_bytes());
}

fn stderr(line: &str) {
    let mut text = escape(line, Keep::Nothing).into_owned();
    text.push('\n');
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

fn stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(io::Error::new(e.kind(), format!("cannot write to standard output: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// Which control characters [`escape`] leaves as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Line break and tab: the layout of multi-line output.
    Layout,
    /// None: the text is one line.
    Nothing,
}

/// `text` with every character that a terminal would act on instead of
/// showing written as a visible escape:
///
/// - C0 controls and DEL as `\xNN` (ESC is `\x1b`), except line break and tab
///   when `keep` is [`Keep::Layout`];
/// - C1 controls (U+0080 to U+009F; U+009B is a one-character CSI), the
///   Unicode bidi controls (the `Bidi_Control` property: U+061C, U+200E,
///   U+200F, U+202A to U+202E, U+2066 to U+2069) and the line and paragraph
///   separators U+2028 and U+2029 as `\u{NNNN}`, as Rust writes them.
///
/// Everything else, other Unicode included, is kept, so `Grüße` stays
/// readable. A backslash is not doubled: the escapes are for the eye, and
/// names in DNS presentation format (`\.`, `\032`) keep their own.
#[must_use]
pub fn escape(text: &str, keep: Keep) -> Cow<'_, str> {
    let shown = |c: char| (keep == Keep::Layout && (c == '\n' || c == '\t')) || !is_terminal_control(c);
    if text.chars().all(shown) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if shown(c) {
            out.push(c);
        } else if c.is_ascii() {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    Cow::Owned(out)
}

/// Serialized JSON with DEL, the C1 controls and the bidi controls (see
/// [`escape`]) written as `\uXXXX` (RFC 8259 §7). serde_json has written
/// the C0 controls inside strings so already; those left are the layout of
/// pretty printing.
fn escape_json(json: &str) -> Cow<'_, str> {
    let escaped = |c: char| c >= '\u{7f}' && is_terminal_control(c);
    if !json.chars().any(escaped) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escaped(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Controls (C0, DEL, C1), the bidi controls and U+2028/U+2029.
fn is_terminal_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_become_visible() {
        let hostile = "CN=mx\u{1b}]0;pwned\u{7}.example\u{1b}[31m, O=\r\u{7f}\u{9b}31m\u{202e}txt.exe\u{2066}\u{2028}";
        assert_eq!(
            escape(hostile, Keep::Layout),
            "CN=mx\\x1b]0;pwned\\x07.example\\x1b[31m, O=\\x0d\\x7f\\u{9b}31m\\u{202e}txt.exe\\u{2066}\\u{2028}"
        );
    }

    #[test]
    fn layout_is_kept_only_where_asked() {
        assert_eq!(escape("a\tb\nc", Keep::Layout), "a\tb\nc");
        assert_eq!(escape("a\tb\nc", Keep::Nothing), "a\\x09b\\x0ac");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "O=Grüße GmbH, CN=mx.example \\032 «» 名前";
        assert!(matches!(escape(text, Keep::Nothing), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn every_control_is_escaped() {
        let all: String = (0..=0x3000u32).filter_map(char::from_u32).collect();
        let shown = escape(&all, Keep::Nothing);
        assert!(!shown.chars().any(is_terminal_control));
        for c in ['\u{0}', '\u{1b}', '\u{7f}', '\u{80}', '\u{9f}', '\u{61c}', '\u{200e}', '\u{202a}', '\u{2069}'] {
            assert!(is_terminal_control(c), "{c:?}");
        }
    }

    #[test]
    fn json_stays_the_same_document() {
        let value = serde_json::json!({ "subject": "CN=a\u{1b}[2J\u{7f}\u{9b}\u{202e}b\u{2029}", "plain": "Grüße" });
        let raw = serde_json::to_string_pretty(&value).unwrap_or_default();
        let text = escape_json(&raw);
        assert!(!text.chars().any(|c| c != '\n' && is_terminal_control(c)), "{text}");
        assert!(text.contains(r#""CN=a\u001b[2J\u007f\u009b\u202eb\u2029""#), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).ok(), Some(value));
    }
}
