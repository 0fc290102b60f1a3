//! SMTP reply lines, read incrementally from untrusted bytes (RFC 5321 §4.2).
//!
//! ```text
//! Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//!              Reply-code [ SP textstring ] CRLF
//! Reply-code = %x32-35 %x30-35 %x30-39
//! ```
//!
//! The reader is fed one complete line at a time (the caller splits at LF and
//! enforces [`MAX_LINE_OCTETS`] before a line is complete) and says when a
//! reply is complete. Every size is bounded.
//!
//! Line endings: RFC 5321 §2.3.8 says lines end in CRLF and a bare CR or LF
//! must not be sent. A probe is a receiver and reports rather than delivers,
//! so it splits at LF, strips one CR before it, and accepts a bare LF (as
//! Postfix's own SMTP client does) while recording it in the report
//! (`Report::bare_lf`). A bare CR inside a line is text (shown escaped).

use thiserror::Error;

/// Longest reply line accepted, in octets including the line ending.
///
/// RFC 5321 §4.5.3.1.5 sets 512 octets for a reply line, and §4.5.3.1.6 1000
/// octets for a text line. Real servers send EHLO and banner lines somewhat
/// above 512 (long `AUTH` or banner text), and §4.5.3.1 asks implementations
/// to be liberal with these limits, so the probe allows the text-line limit of
/// 1000 octets and no more: a longer line ends the step with an error as soon
/// as octet 1001 arrives, without waiting for its end.
pub const MAX_LINE_OCTETS: usize = 1000;

/// Most lines in one (multi-line) reply. A busy EHLO reply has about 15.
pub const MAX_REPLY_LINES: usize = 64;

/// Most octets in one reply, all lines together.
pub const MAX_REPLY_OCTETS: usize = 16 * 1024;

/// Why a reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// A line grew past [`MAX_LINE_OCTETS`] without a line ending.
    #[error("expected a reply line of at most {limit} octets, found a longer one")]
    LineTooLong { limit: usize },
    /// A multi-line reply had more than [`MAX_REPLY_LINES`] lines.
    #[error("expected a reply of at most {limit} lines, found more")]
    TooManyLines { limit: usize },
    /// A multi-line reply had more than [`MAX_REPLY_OCTETS`] octets.
    #[error("expected a reply of at most {limit} octets, found more")]
    TooLarge { limit: usize },
    /// The line did not start with a three-digit reply code (RFC 5321 §4.2).
    #[error("expected a three-digit reply code (2xx to 5xx), found {found}")]
    BadCode { found: String },
    /// The code was not followed by SP, "-" or the end of the line.
    #[error("expected a space or \"-\" after reply code {code}, found {found}")]
    BadSeparator { code: u16, found: String },
    /// A continuation line carried another code than the first line
    /// (RFC 5321 §4.2.1: every line of a multi-line reply has the same code).
    #[error("expected reply code {expected} on every line of a multi-line reply, found {found}")]
    MixedCodes { expected: u16, found: u16 },
}

/// A complete reply: its code and the raw text of each line (after the code
/// and separator, without the line ending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<Vec<u8>>,
}

impl Reply {
    /// The text of every line joined by a space, sanitised for display.
    #[must_use]
    pub fn text(&self) -> String {
        let joined: Vec<u8> = self.lines.join(&b' ');
        super::sanitize::sanitize(&joined, super::sanitize::MAX_TEXT_CHARS)
    }
}

/// Collects the lines of one reply.
#[derive(Debug, Default)]
pub(crate) struct ReplyReader {
    code: Option<u16>,
    lines: Vec<Vec<u8>>,
    octets: usize,
}

impl ReplyReader {
    /// Takes one line (without its LF; a trailing CR is removed here) and
    /// returns the reply once its last line has been read.
    pub(crate) fn push_line(&mut self, line: &[u8]) -> Result<Option<Reply>, ReplyError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // +2 for the CRLF the line ended with (or would have).
        self.octets = self.octets.saturating_add(line.len()).saturating_add(2);
        if self.octets > MAX_REPLY_OCTETS {
            return Err(ReplyError::TooLarge { limit: MAX_REPLY_OCTETS });
        }
        if self.lines.len() >= MAX_REPLY_LINES {
            return Err(ReplyError::TooManyLines { limit: MAX_REPLY_LINES });
        }
        let (code, last, text) = parse_line(line)?;
        if let Some(expected) = self.code
            && expected != code
        {
            return Err(ReplyError::MixedCodes { expected, found: code });
        }
        self.code = Some(code);
        self.lines.push(text.to_vec());
        if last {
            let lines = std::mem::take(&mut self.lines);
            self.code = None;
            self.octets = 0;
            Ok(Some(Reply { code, lines }))
        } else {
            Ok(None)
        }
    }
}

/// Splits one reply line into code, "is last line" and text.
fn parse_line(line: &[u8]) -> Result<(u16, bool, &[u8]), ReplyError> {
    let bad_code = || ReplyError::BadCode { found: super::sanitize::sanitize(line.get(..3).unwrap_or(line), 16) };
    let (digits, rest) = line.split_at_checked(3).ok_or_else(bad_code)?;
    let &[a, b, c] = digits else {
        return Err(bad_code());
    };
    if !(b'2'..=b'5').contains(&a) || !(b'0'..=b'5').contains(&b) || !c.is_ascii_digit() {
        return Err(bad_code());
    }
    let code = u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
    match rest.split_first() {
        None => Ok((code, true, rest)),
        Some((b' ', text)) => Ok((code, true, text)),
        Some((b'-', text)) => Ok((code, false, text)),
        Some((other, _)) => {
            Err(ReplyError::BadSeparator { code, found: super::sanitize::sanitize(std::slice::from_ref(other), 8) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(lines: &[&[u8]]) -> Result<Option<Reply>, ReplyError> {
        let mut reader = ReplyReader::default();
        let mut out = None;
        for line in lines {
            out = reader.push_line(line)?;
        }
        Ok(out)
    }

    #[test]
    fn single_line_reply() {
        let reply = read_all(&[b"220 mx.example ESMTP\r"]).unwrap().unwrap();
        assert_eq!(reply.code, 220);
        assert_eq!(reply.lines, vec![b"mx.example ESMTP".to_vec()]);
    }

    #[test]
    fn bare_code_is_a_last_line() {
        let reply = read_all(&[b"250"]).unwrap().unwrap();
        assert_eq!(reply.code, 250);
        assert_eq!(reply.lines, vec![Vec::<u8>::new()]);
    }

    #[test]
    fn multi_line_reply_completes_on_space() {
        let mut reader = ReplyReader::default();
        assert_eq!(reader.push_line(b"250-mx.example\r").unwrap(), None);
        assert_eq!(reader.push_line(b"250-PIPELINING\r").unwrap(), None);
        let reply = reader.push_line(b"250 STARTTLS\r").unwrap().unwrap();
        assert_eq!(reply.lines.len(), 3);
        assert_eq!(reply.text(), "mx.example PIPELINING STARTTLS");
    }

    #[test]
    fn mixed_codes_are_rejected() {
        let err = read_all(&[b"250-a", b"251 b"]).unwrap_err();
        assert_eq!(err, ReplyError::MixedCodes { expected: 250, found: 251 });
        assert_eq!(err.to_string(), "expected reply code 250 on every line of a multi-line reply, found 251");
    }

    #[test]
    fn bad_codes_are_rejected() {
        for line in [&b"HTTP/1.1 400"[..], b"22", b"620 x", b"2a0 x", b"160 x", b""] {
            assert!(matches!(read_all(&[line]), Err(ReplyError::BadCode { .. })), "{line:?}");
        }
        let err = read_all(&[b"<b>x</b>"]).unwrap_err();
        assert_eq!(err.to_string(), "expected a three-digit reply code (2xx to 5xx), found \\x3cb\\x3e");
    }

    #[test]
    fn bad_separator_is_rejected() {
        let err = read_all(&[b"250_x"]).unwrap_err();
        assert_eq!(err.to_string(), "expected a space or \"-\" after reply code 250, found _");
    }

    #[test]
    fn endless_continuation_is_bounded() {
        let mut reader = ReplyReader::default();
        let mut result = Ok(None);
        for _ in 0..1000 {
            result = reader.push_line(b"250-x");
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(ReplyError::TooManyLines { limit: MAX_REPLY_LINES }));
    }

    #[test]
    fn total_size_is_bounded() {
        let mut reader = ReplyReader::default();
        let line = [b"250-".as_slice(), &[b'a'; 900]].concat();
        let mut result = Ok(None);
        for _ in 0..MAX_REPLY_LINES {
            result = reader.push_line(&line);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(ReplyError::TooLarge { limit: MAX_REPLY_OCTETS }));
    }

    #[test]
    fn reader_is_reusable_after_a_reply() {
        let mut reader = ReplyReader::default();
        assert!(reader.push_line(b"220 a").unwrap().is_some());
        assert_eq!(reader.push_line(b"250-b").unwrap(), None);
        assert_eq!(reader.push_line(b"250 c").unwrap().unwrap().code, 250);
    }
}
