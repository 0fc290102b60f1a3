//! Turning bytes a server sent into text that is safe to show anywhere.
//!
//! A mail server chooses its banner, EHLO text and error replies; the report
//! is shown in a terminal, in JSON and in a web page. So every byte outside
//! printable ASCII, and every printable character that has a meaning in HTML,
//! XML, shell or Markdown-ish contexts (`<`, `>`, `&`, `"`, `'`, `` ` ``), is
//! written as `\xNN`, a backslash as `\\`, and the text is capped. The result
//! contains no control characters (no terminal escapes, no line breaks) and
//! no markup.

/// Most characters kept from one transcript line or reply text.
pub const MAX_TEXT_CHARS: usize = 512;

/// Escapes `bytes` as described in the module documentation and caps the
/// result at `max_chars` characters (plus a marker saying how many input
/// octets were left out).
#[must_use]
pub fn sanitize(bytes: &[u8], max_chars: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max_chars));
    for (i, &b) in bytes.iter().enumerate() {
        let piece_len = match b {
            b'\\' => 2,
            b'<' | b'>' | b'&' | b'"' | b'\'' | b'`' => 4,
            0x20..=0x7e => 1,
            _ => 4,
        };
        if out.len().saturating_add(piece_len) > max_chars {
            let left = bytes.len().saturating_sub(i);
            out.push_str(&format!("[... {left} more octets]"));
            return out;
        }
        match b {
            b'\\' => out.push_str("\\\\"),
            b'<' | b'>' | b'&' | b'"' | b'\'' | b'`' => push_hex(&mut out, b),
            0x20..=0x7e => out.push(char::from(b)),
            _ => push_hex(&mut out, b),
        }
    }
    out
}

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\x");
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0x0f)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_is_kept() {
        assert_eq!(sanitize(b"220 mx.example ESMTP Postfix", 100), "220 mx.example ESMTP Postfix");
    }

    #[test]
    fn control_characters_and_markup_are_escaped() {
        assert_eq!(
            sanitize(b"a\x1b[31m\r\n<script>&\"'`\\\xff", 100),
            "a\\x1b[31m\\x0d\\x0a\\x3cscript\\x3e\\x26\\x22\\x27\\x60\\\\\\xff"
        );
    }

    #[test]
    fn long_text_is_capped() {
        let text = sanitize(&[b'a'; 2000], 10);
        assert_eq!(text, "aaaaaaaaaa[... 1990 more octets]");
    }

    #[test]
    fn an_escape_is_never_cut_in_half() {
        assert_eq!(sanitize(b"abc\x00", 5), "abc[... 1 more octets]");
    }

    #[test]
    fn output_never_holds_control_or_markup_characters() {
        let all: Vec<u8> = (0..=255).collect();
        let text = sanitize(&all, 10_000);
        assert!(text.chars().all(|c| (' '..='~').contains(&c)));
        assert!(!text.contains(['<', '>', '&', '"', '\'', '`']));
    }
}
