//! Reading TLSA records from text: the presentation format (RFC 6698 §2.2),
//! RFC 7218 mnemonics, the RFC 3597 §5 generic form `\# <len> <hex>`, and
//! whole zone-file lines (RFC 1035 §5.1) with owner, TTL and class in either
//! order and parenthesised multi-line data.
//!
//! The scanner works in two steps: a tokenizer splits the text into logical
//! records (one per line, or per parenthesised group; `;` comments and blank
//! lines skipped), then each record's tokens are read into a [`Scanned`].
//! Every error names the field and the position ([`Position`]: line, column
//! and token index) and stays with its own record, so [`scan_records`] goes on
//! after a bad line.
//!
//! ```text
//!  text ─► tokenizer ─► [token, token, …] per record ─► zone prefix? ─► rdata ─► Scanned
//!            (, ), ;                                    owner TTL class TLSA     U S M hex | \# len hex
//! ```
//!
//! Zone-line detection: a record is a zone line when one of its first four
//! tokens is `TLSA` (or `TYPE52`, RFC 3597 §5). Before that type, the owner is
//! the first token unless it reads as a TTL or a class (so an owner-less line,
//! `IN TLSA …`, works without the leading blank RFC 1035 asks for); the TTL
//! and class follow in either order, each at most once.
//!
//! In [`scan_records`], a zone line that begins with a blank and has no owner
//! takes the owner of the last record that named one (RFC 1035 §5.1). Not
//! followed: `$ORIGIN`/`$TTL`/`$INCLUDE` directives (reported as
//! [`ScanError::Directive`]). Owner names are kept as written, relative or not.

use core::fmt;

use super::present::hex_value;
use super::wire::{MAX_DATA_LEN, MAX_RDATA_LEN, WireError};
use super::{MatchingType, Selector, Tlsa, Usage};

/// Longest text of one logical record, in bytes: the hex of the largest RDATA
/// (131,070 digits) with generous room for white space and comments.
pub const MAX_RECORD_TEXT: usize = 1 << 20;

/// Largest TTL (RFC 2181 §8).
pub const MAX_TTL: u32 = 0x7fff_ffff;

/// Where something was found: 1-based line and column (in characters) in the
/// scanned text, and the 1-based index of the token within its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// Token within the record, from 1; `None` where no token applies.
    pub token: Option<usize>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)?;
        if let Some(token) = self.token {
            write!(f, ", token {token}")?;
        }
        Ok(())
    }
}

/// A field of a TLSA zone-file line, as named in error messages.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The record type (`TLSA`).
    Type,
    /// Certificate usage (RFC 6698 §2.1.1).
    Usage,
    /// Selector (RFC 6698 §2.1.2).
    Selector,
    /// Matching type (RFC 6698 §2.1.3).
    MatchingType,
    /// Certificate association data (RFC 6698 §2.1.4).
    Data,
    /// The length after `\#` (RFC 3597 §5).
    GenericLength,
    /// The hex after `\# <len>` (RFC 3597 §5).
    GenericData,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Type => "record type",
            Self::Usage => "certificate usage",
            Self::Selector => "selector",
            Self::MatchingType => "matching type",
            Self::Data => "certificate association data",
            Self::GenericLength => "rdata length after \\#",
            Self::GenericData => "rdata hex after \\# <length>",
        })
    }
}

impl Field {
    /// The RFC 7218 mnemonics this field accepts, for error messages.
    const fn mnemonics(self) -> &'static str {
        match self {
            Self::Usage => " or an RFC 7218 mnemonic (PKIX-TA, PKIX-EE, DANE-TA, DANE-EE, PrivCert)",
            Self::Selector => " or an RFC 7218 mnemonic (Cert, SPKI, PrivSel)",
            Self::MatchingType => " or an RFC 7218 mnemonic (Full, SHA2-256, SHA2-512, PrivMatch)",
            _ => "",
        }
    }
}

/// A DNS class (RFC 1035 §3.2.4), as read from a zone-file line.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Class(u16);

impl Class {
    /// The Internet.
    pub const IN: Self = Self(1);
    /// CSNET (obsolete).
    pub const CS: Self = Self(2);
    /// Chaos.
    pub const CH: Self = Self(3);
    /// Hesiod.
    pub const HS: Self = Self(4);

    /// Wraps a class number.
    #[must_use]
    pub const fn from_u16(value: u16) -> Self {
        Self(value)
    }

    /// The class number.
    #[must_use]
    pub const fn to_u16(self) -> u16 {
        self.0
    }

    /// Reads `IN`, `CS`, `CH`, `HS` or the RFC 3597 §5 form `CLASS<n>` (case-insensitive).
    #[must_use]
    pub fn from_text(text: &str) -> Option<Self> {
        for (name, class) in [("IN", Self::IN), ("CS", Self::CS), ("CH", Self::CH), ("HS", Self::HS)] {
            if text.eq_ignore_ascii_case(name) {
                return Some(class);
            }
        }
        let digits = strip_prefix_ignore_case(text, "CLASS")?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(Self)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::IN => f.write_str("IN"),
            Self::CS => f.write_str("CS"),
            Self::CH => f.write_str("CH"),
            Self::HS => f.write_str("HS"),
            Self(n) => write!(f, "CLASS{n}"),
        }
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) { text.get(prefix.len()..) } else { None }
}

/// A record read from text, with whatever zone-file context came with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scanned {
    /// The owner name exactly as written, if the text was a zone-file line.
    pub owner: Option<String>,
    /// The TTL, if given.
    pub ttl: Option<u32>,
    /// The class, if given.
    pub class: Option<Class>,
    /// Whether the data came in the RFC 3597 generic form.
    pub generic: bool,
    /// The line the record starts on, from 1.
    pub line: usize,
    /// The record itself.
    pub record: Tlsa,
}

/// Why a record's text could not be read.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanError {
    /// The text holds no record at all.
    Empty {
        /// End of the text.
        at: Position,
    },
    /// The record ends before a required field.
    Missing {
        /// The field that is missing.
        field: Field,
        /// Just after the last token.
        at: Position,
    },
    /// A registry field is neither a number nor a known mnemonic.
    NotANumber {
        /// The field.
        field: Field,
        /// The token found.
        found: String,
        /// Where.
        at: Position,
    },
    /// A number is larger than its field allows.
    TooLarge {
        /// The field.
        field: Field,
        /// The token found.
        found: String,
        /// The largest value allowed.
        max: u32,
        /// Where.
        at: Position,
    },
    /// A character that is not a hex digit.
    NotHex {
        /// The field.
        field: Field,
        /// The character found.
        found: char,
        /// Its position.
        at: Position,
    },
    /// An odd number of hex digits.
    OddHex {
        /// The field.
        field: Field,
        /// How many digits there were.
        digits: usize,
        /// The first data token.
        at: Position,
    },
    /// More hex than fits in RDATA.
    TooMuchHex {
        /// The field.
        field: Field,
        /// The largest number of digits allowed.
        max: usize,
        /// The first data token.
        at: Position,
    },
    /// The bytes after `\# <len>` do not number `len` (RFC 3597 §5).
    GenericLength {
        /// The declared length.
        declared: usize,
        /// Bytes found.
        found: usize,
        /// The length token.
        at: Position,
    },
    /// The generic form held bytes that are not TLSA RDATA.
    Wire {
        /// What was wrong with them.
        source: WireError,
        /// The `\#` token.
        at: Position,
    },
    /// A zone-file line of another type.
    Type {
        /// The type token found.
        found: String,
        /// Where.
        at: Position,
    },
    /// Between owner and type, a token that is neither TTL nor class.
    NotTtlOrClass {
        /// The token found.
        found: String,
        /// Where.
        at: Position,
    },
    /// A TTL that is not a number of seconds (with optional w/d/h/m/s units), or too large.
    Ttl {
        /// The token found.
        found: String,
        /// Where.
        at: Position,
    },
    /// A second TTL or class on the same line.
    Duplicate {
        /// `"TTL"` or `"class"`.
        what: &'static str,
        /// The second token.
        found: String,
        /// Where.
        at: Position,
    },
    /// A `)` with no `(` open.
    UnexpectedParen {
        /// Where.
        at: Position,
    },
    /// A `(` never closed.
    UnclosedParen {
        /// The `(`.
        at: Position,
    },
    /// A zone-file directive such as `$ORIGIN`, which this scanner does not follow.
    Directive {
        /// The directive.
        found: String,
        /// Where.
        at: Position,
    },
    /// A record's text is longer than [`MAX_RECORD_TEXT`].
    RecordTooLong {
        /// Where the record starts.
        at: Position,
    },
    /// More than one record where one was expected.
    TrailingText {
        /// Where the next record starts.
        at: Position,
    },
}

impl ScanError {
    /// Where the error was found.
    #[must_use]
    pub fn position(&self) -> Position {
        match self {
            Self::Empty { at }
            | Self::Missing { at, .. }
            | Self::NotANumber { at, .. }
            | Self::TooLarge { at, .. }
            | Self::NotHex { at, .. }
            | Self::OddHex { at, .. }
            | Self::TooMuchHex { at, .. }
            | Self::GenericLength { at, .. }
            | Self::Wire { at, .. }
            | Self::Type { at, .. }
            | Self::NotTtlOrClass { at, .. }
            | Self::Ttl { at, .. }
            | Self::Duplicate { at, .. }
            | Self::UnexpectedParen { at }
            | Self::UnclosedParen { at }
            | Self::Directive { at, .. }
            | Self::RecordTooLong { at }
            | Self::TrailingText { at } => *at,
        }
    }
}

/// Shortens a token for an error message.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 40;
        match self.0.char_indices().nth(MAX) {
            Some((cut, _)) => write!(f, "`{}…`", self.0.get(..cut).unwrap_or_default()),
            None => write!(f, "`{}`", self.0),
        }
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.position())?;
        match self {
            Self::Empty { .. } => f.write_str("expected a TLSA record, found no text"),
            Self::Missing { field, .. } => write!(f, "expected {field}{}, found end of record", missing_hint(*field)),
            Self::NotANumber { field, found, .. } => {
                write!(f, "expected {field} as a number 0-255{}, found {}", field.mnemonics(), Shown(found))
            }
            Self::TooLarge { field, found, max, .. } => {
                write!(f, "expected {field} as a number up to {max}, found {}", Shown(found))
            }
            Self::NotHex { field, found, .. } => {
                write!(f, "expected a hex digit in {field}, found {}", crate::quoted::QuotedChar(*found))
            }
            Self::OddHex { field, digits, .. } => {
                write!(f, "expected an even number of hex digits in {field}, found {digits}")
            }
            Self::TooMuchHex { field, max, .. } => {
                write!(f, "expected at most {max} hex digits in {field}, found more")
            }
            Self::GenericLength { declared, found, .. } => write!(
                f,
                "expected {declared} bytes of rdata as declared by `\\# {declared}`, found {found} (RFC 3597 §5)"
            ),
            Self::Wire { source, .. } => write!(f, "{source}"),
            Self::Type { found, .. } => write!(f, "expected record type TLSA, found {}", Shown(found)),
            Self::NotTtlOrClass { found, .. } => {
                write!(f, "expected a TTL or a class (such as IN) before TLSA, found {}", Shown(found))
            }
            Self::Ttl { found, .. } => {
                write!(f, "expected a TTL in seconds up to {MAX_TTL} (RFC 2181 §8), found {}", Shown(found))
            }
            Self::Duplicate { what, found, .. } => {
                write!(f, "expected one {what}, found a second one, {}", Shown(found))
            }
            Self::UnexpectedParen { .. } => f.write_str("expected `(` before `)`, found `)` with none open"),
            Self::UnclosedParen { .. } => f.write_str("expected `)` to close this `(`, found end of text"),
            Self::Directive { found, .. } => {
                write!(f, "expected a TLSA record, found the directive {}, which is not supported", Shown(found))
            }
            Self::RecordTooLong { .. } => {
                write!(f, "expected a record of at most {MAX_RECORD_TEXT} bytes of text, found more")
            }
            Self::TrailingText { .. } => f.write_str("expected one record, found another one here"),
        }
    }
}

fn missing_hint(field: Field) -> &'static str {
    match field {
        Field::Usage | Field::Selector | Field::MatchingType => " (a number 0-255 or an RFC 7218 mnemonic)",
        Field::Data => " (hex digits)",
        Field::Type => " (TLSA)",
        Field::GenericLength => " (a number of bytes)",
        Field::GenericData => "",
    }
}

impl std::error::Error for ScanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Wire { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// One token and where it starts.
#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    text: &'a str,
    line: usize,
    column: usize,
}

/// The tokens of one logical record, or the error the tokenizer found in it.
struct RawRecord<'a> {
    tokens: Vec<Token<'a>>,
    error: Option<ScanError>,
    line: usize,
}

/// Iterator over the records of a text; see [`scan_records`].
#[derive(Clone, Debug)]
pub struct Records<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    column: usize,
    /// The owner of the last record that named one, for owner-less lines.
    last_owner: Option<String>,
}

impl<'a> Records<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, offset: 0, line: 1, column: 1, last_owner: None }
    }

    fn here(&self) -> Position {
        Position { line: self.line, column: self.column, token: None }
    }

    /// Splits off the next logical record: tokens up to a newline outside
    /// parentheses (RFC 1035 §5.1). `None` at the end of the text.
    fn next_raw(&mut self) -> Option<RawRecord<'a>> {
        let mut tokens: Vec<Token<'a>> = Vec::new();
        let mut error: Option<ScanError> = None;
        let mut depth = 0usize;
        let mut open_at = self.here();
        let mut start: Option<(usize, usize, usize)> = None; // byte offset, line, column
        let mut record_start: Option<(usize, Position)> = None;
        let mut in_comment = false;
        let mut escaped = false;
        let rest = self.text.get(self.offset..).unwrap_or_default();
        let base = self.offset;
        let chars = rest.char_indices();
        let mut end_of_record = false;
        for (i, c) in chars {
            let at = base.saturating_add(i);
            let pos = self.here();
            let close = |tokens: &mut Vec<Token<'a>>, start: &mut Option<(usize, usize, usize)>| {
                if let Some((s, line, column)) = start.take()
                    && let Some(text) = self.text.get(s..at)
                {
                    tokens.push(Token { text, line, column });
                }
            };
            if c == '\n' {
                escaped = false;
                in_comment = false;
                close(&mut tokens, &mut start);
                self.line = self.line.saturating_add(1);
                self.column = 1;
                if depth == 0 && (record_start.is_some() || error.is_some()) {
                    self.offset = at.saturating_add(1);
                    end_of_record = true;
                    break;
                }
                continue;
            }
            self.column = self.column.saturating_add(1);
            if in_comment {
                continue;
            }
            if escaped {
                escaped = false;
                continue;
            }
            if let Some((rs, rpos)) = record_start
                && at.saturating_sub(rs) > MAX_RECORD_TEXT
                && error.is_none()
            {
                error = Some(ScanError::RecordTooLong { at: rpos });
                tokens = Vec::new();
            }
            match c {
                ';' => {
                    close(&mut tokens, &mut start);
                    in_comment = true;
                }
                '(' | ')' => {
                    close(&mut tokens, &mut start);
                    record_start.get_or_insert((at, pos));
                    if c == '(' {
                        if depth == 0 {
                            open_at = pos;
                        }
                        depth = depth.saturating_add(1);
                    } else if depth == 0 {
                        if error.is_none() {
                            error = Some(ScanError::UnexpectedParen { at: pos });
                        }
                    } else {
                        depth -= 1;
                    }
                }
                c if c.is_whitespace() => close(&mut tokens, &mut start),
                c => {
                    record_start.get_or_insert((at, pos));
                    if start.is_none() {
                        start = Some((at, pos.line, pos.column));
                    }
                    escaped = c == '\\';
                }
            }
            if error.is_some() {
                // Keep scanning to the end of the record, but keep no tokens.
                start = None;
                tokens.clear();
            }
        }
        if !end_of_record {
            // End of text.
            let at = self.text.len();
            if let Some((s, line, column)) = start.take()
                && let Some(text) = self.text.get(s..at)
            {
                tokens.push(Token { text, line, column });
            }
            self.offset = at;
            if depth > 0 && error.is_none() {
                error = Some(ScanError::UnclosedParen { at: open_at });
            }
            if record_start.is_none() && error.is_none() {
                return None;
            }
        }
        let line = record_start.map_or(self.line, |(_, p)| p.line);
        if error.is_some() {
            tokens.clear();
        }
        Some(RawRecord { tokens, error, line })
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Scanned, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let raw = self.next_raw()?;
            if let Some(error) = raw.error {
                return Some(Err(error));
            }
            if raw.tokens.is_empty() {
                // Only parentheses: nothing to read.
                continue;
            }
            let mut result = read_record(&raw.tokens, raw.line);
            if let Ok(scanned) = &mut result {
                match &scanned.owner {
                    Some(owner) => self.last_owner = Some(owner.clone()),
                    None => {
                        // RFC 1035 §5.1: a blank owner field means the previous owner.
                        let blank_start = raw.tokens.first().is_some_and(|t| t.column > 1);
                        let zone_line = raw.tokens.iter().take(4).any(|t| is_type(t.text));
                        if blank_start && zone_line {
                            scanned.owner.clone_from(&self.last_owner);
                        }
                    }
                }
            }
            return Some(result);
        }
    }
}

/// Scans every record in `text`, one per line or parenthesised group; blank
/// and comment-only lines are skipped. Each record succeeds or fails on its
/// own.
#[must_use]
pub fn scan_records(text: &str) -> Records<'_> {
    Records::new(text)
}

/// Scans exactly one record in any accepted form (see the module docs).
///
/// # Errors
/// A [`ScanError`] naming the field and position; [`ScanError::TrailingText`]
/// when a second record follows.
pub fn scan_record(text: &str) -> Result<Scanned, ScanError> {
    let mut records = Records::new(text);
    let first = match records.next() {
        Some(first) => first?,
        None => return Err(ScanError::Empty { at: records.here() }),
    };
    // Anything after the first record is an error, whatever it holds.
    let mut probe = records.clone();
    match probe.next_raw() {
        None => Ok(first),
        Some(raw) => {
            let at = raw.tokens.first().map_or(Position { line: raw.line, column: 1, token: None }, |t| Position {
                line: t.line,
                column: t.column,
                token: None,
            });
            Err(raw.error.unwrap_or(ScanError::TrailingText { at }))
        }
    }
}

impl Tlsa {
    /// Scans one record's text in any accepted form (see [`scan_record`]),
    /// dropping the zone-file context.
    ///
    /// # Errors
    /// A [`ScanError`] naming the field and position.
    pub fn scan(text: &str) -> Result<Self, ScanError> {
        scan_record(text).map(|s| s.record)
    }
}

fn position(tokens: &[Token<'_>], index: usize) -> Position {
    match tokens.get(index) {
        Some(t) => Position { line: t.line, column: t.column, token: Some(index.saturating_add(1)) },
        None => {
            // Just after the last token.
            let (line, column) =
                tokens.last().map_or((1, 1), |t| (t.line, t.column.saturating_add(t.text.chars().count())));
            Position { line, column, token: Some(index.saturating_add(1)) }
        }
    }
}

fn is_type(text: &str) -> bool {
    text.eq_ignore_ascii_case("TLSA") || text.eq_ignore_ascii_case("TYPE52")
}

/// Reads a TTL: plain seconds, or BIND-style units (`1h30m`, `2d`).
fn parse_ttl(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    let mut total: u32 = 0;
    let mut number: Option<u32> = None;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
        } else {
            let unit = match c.to_ascii_lowercase() {
                's' => 1,
                'm' => 60,
                'h' => 3_600,
                'd' => 86_400,
                'w' => 604_800,
                _ => return None,
            };
            total = total.checked_add(number.take()?.checked_mul(unit)?)?;
        }
    }
    if let Some(n) = number {
        total = total.checked_add(n)?;
    }
    (total <= MAX_TTL).then_some(total)
}

fn looks_like_ttl(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_digit())
}

/// Reads one record's tokens.
fn read_record(tokens: &[Token<'_>], line: usize) -> Result<Scanned, ScanError> {
    let mut scanned = Scanned {
        owner: None,
        ttl: None,
        class: None,
        generic: false,
        line,
        record: Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, Vec::new()),
    };
    let Some(first) = tokens.first() else {
        return Err(ScanError::Empty { at: Position { line, column: 1, token: None } });
    };
    if first.text.starts_with('$') {
        return Err(ScanError::Directive { found: first.text.to_owned(), at: position(tokens, 0) });
    }
    let type_index = tokens.iter().take(4).position(|t| is_type(t.text));
    let looks_like_owner = first.text.contains(['.', '_']) || first.text == "@";
    let rdata_start = match type_index {
        Some(i) => {
            read_prefix(tokens, i, &mut scanned)?;
            i.saturating_add(1)
        }
        None if looks_like_owner => {
            // A zone line of another type: find its type token to say so.
            let mut i = 1;
            let mut seen = 0;
            while seen < 2
                && tokens.get(i).is_some_and(|t| looks_like_ttl(t.text) || Class::from_text(t.text).is_some())
            {
                i += 1;
                seen += 1;
            }
            return Err(match tokens.get(i) {
                Some(t) => ScanError::Type { found: t.text.to_owned(), at: position(tokens, i) },
                None => ScanError::Missing { field: Field::Type, at: position(tokens, i) },
            });
        }
        None => 0,
    };
    let (record, generic) = read_rdata(tokens, rdata_start)?;
    scanned.record = record;
    scanned.generic = generic;
    Ok(scanned)
}

/// Reads owner, TTL and class: the tokens before the type at `type_index`.
fn read_prefix(tokens: &[Token<'_>], type_index: usize, scanned: &mut Scanned) -> Result<(), ScanError> {
    for (i, token) in tokens.iter().enumerate().take(type_index) {
        let text = token.text;
        if let Some(class) = Class::from_text(text) {
            if scanned.class.is_some() {
                return Err(ScanError::Duplicate { what: "class", found: text.to_owned(), at: position(tokens, i) });
            }
            scanned.class = Some(class);
        } else if looks_like_ttl(text) {
            let ttl =
                parse_ttl(text).ok_or_else(|| ScanError::Ttl { found: text.to_owned(), at: position(tokens, i) })?;
            if scanned.ttl.is_some() {
                return Err(ScanError::Duplicate { what: "TTL", found: text.to_owned(), at: position(tokens, i) });
            }
            scanned.ttl = Some(ttl);
        } else if i == 0 {
            scanned.owner = Some(text.to_owned());
        } else {
            return Err(ScanError::NotTtlOrClass { found: text.to_owned(), at: position(tokens, i) });
        }
    }
    Ok(())
}

/// Reads RDATA from `tokens[start..]`: `U S M hex…` or `\# len hex…`.
fn read_rdata(tokens: &[Token<'_>], start: usize) -> Result<(Tlsa, bool), ScanError> {
    let token = |i: usize| tokens.get(i).map(|t| t.text);
    if token(start) == Some("\\#") {
        return read_generic(tokens, start).map(|t| (t, true));
    }
    let usage = read_field(tokens, start, Field::Usage, Usage::from_mnemonic)?;
    let selector = read_field(tokens, start.saturating_add(1), Field::Selector, Selector::from_mnemonic)?;
    let matching_type = read_field(tokens, start.saturating_add(2), Field::MatchingType, MatchingType::from_mnemonic)?;
    let data_start = start.saturating_add(3);
    if data_start >= tokens.len() {
        return Err(ScanError::Missing { field: Field::Data, at: position(tokens, data_start) });
    }
    let data = read_hex(tokens, data_start, Field::Data, MAX_DATA_LEN)?;
    Ok((
        Tlsa::new(Usage::from_u8(usage), Selector::from_u8(selector), MatchingType::from_u8(matching_type), data),
        false,
    ))
}

/// Reads a registry field: a decimal 0-255 or an RFC 7218 mnemonic (RFC 7218 §2).
fn read_field<T: Into<u8>>(
    tokens: &[Token<'_>],
    index: usize,
    field: Field,
    from_mnemonic: fn(&str) -> Option<T>,
) -> Result<u8, ScanError> {
    let Some(token) = tokens.get(index) else {
        return Err(ScanError::Missing { field, at: position(tokens, index) });
    };
    let text = token.text;
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<u8>().map_err(|_| ScanError::TooLarge {
            field,
            found: text.to_owned(),
            max: 255,
            at: position(tokens, index),
        });
    }
    from_mnemonic(text).map(Into::into).ok_or_else(|| ScanError::NotANumber {
        field,
        found: text.to_owned(),
        at: position(tokens, index),
    })
}

/// Decodes hex split over `tokens[start..]` (RFC 6698 §2.2 allows white space
/// inside), at most `max_bytes` bytes.
fn read_hex(tokens: &[Token<'_>], start: usize, field: Field, max_bytes: usize) -> Result<Vec<u8>, ScanError> {
    let max_digits = max_bytes.saturating_mul(2);
    let mut out = Vec::new();
    let mut high: Option<u8> = None;
    let mut digits = 0usize;
    for (index, token) in tokens.iter().enumerate().skip(start) {
        for (offset, c) in token.text.chars().enumerate() {
            let Some(value) = hex_value(c) else {
                let mut at = position(tokens, index);
                at.column = at.column.saturating_add(offset);
                return Err(ScanError::NotHex { field, found: c, at });
            };
            digits = digits.saturating_add(1);
            if digits > max_digits {
                return Err(ScanError::TooMuchHex { field, max: max_digits, at: position(tokens, start) });
            }
            match high.take() {
                Some(h) => out.push(h << 4 | value),
                None => high = Some(value),
            }
        }
    }
    if high.is_some() {
        return Err(ScanError::OddHex { field, digits, at: position(tokens, start) });
    }
    Ok(out)
}

/// Reads the RFC 3597 §5 generic form at `tokens[start..]`: `\# <len> <hex>…`.
fn read_generic(tokens: &[Token<'_>], start: usize) -> Result<Tlsa, ScanError> {
    let len_index = start.saturating_add(1);
    let Some(len_token) = tokens.get(len_index) else {
        return Err(ScanError::Missing { field: Field::GenericLength, at: position(tokens, len_index) });
    };
    let len_at = position(tokens, len_index);
    let text = len_token.text;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScanError::NotANumber { field: Field::GenericLength, found: text.to_owned(), at: len_at });
    }
    let declared = text.parse::<usize>().ok().filter(|n| *n <= MAX_RDATA_LEN).ok_or_else(|| ScanError::TooLarge {
        field: Field::GenericLength,
        found: text.to_owned(),
        max: 65_535,
        at: len_at,
    })?;
    let rdata = read_hex(tokens, len_index.saturating_add(1), Field::GenericData, MAX_RDATA_LEN)?;
    if rdata.len() != declared {
        return Err(ScanError::GenericLength { declared, found: rdata.len(), at: len_at });
    }
    Tlsa::parse(&rdata).map_err(|source| ScanError::Wire { source, at: position(tokens, start) })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6";

    fn hash_bytes() -> Vec<u8> {
        (0..32).map(|i| u8::from_str_radix(&HASH[i * 2..i * 2 + 2], 16).unwrap()).collect()
    }

    fn expected() -> Tlsa {
        Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, hash_bytes())
    }

    fn err(text: &str) -> String {
        scan_record(text).unwrap_err().to_string()
    }

    #[test]
    fn presentation_form_with_split_hex() {
        assert_eq!(Tlsa::scan(&format!("3 1 1 {HASH}")).unwrap(), expected());
        let split = format!("3 1 1 {} {}\t{}", &HASH[..10], &HASH[10..40], &HASH[40..]);
        assert_eq!(Tlsa::scan(&split).unwrap(), expected());
        assert_eq!(Tlsa::scan(&format!("  3 1 1 {} ; a comment", HASH.to_uppercase())).unwrap(), expected());
    }

    #[test]
    fn mnemonics_any_case() {
        assert_eq!(Tlsa::scan(&format!("DANE-EE SPKI SHA2-256 {HASH}")).unwrap(), expected());
        assert_eq!(Tlsa::scan(&format!("dane-ee spki sha2-256 {HASH}")).unwrap(), expected());
        assert_eq!(Tlsa::scan(&format!("3 spki 1 {HASH}")).unwrap(), expected());
    }

    #[test]
    fn generic_form() {
        let s = scan_record(&format!("\\# 35 030101 {HASH}")).unwrap();
        assert!(s.generic);
        assert_eq!(s.record, expected());
        assert_eq!(
            err(&format!("\\# 36 030101{HASH}")),
            "line 1, column 4, token 2: expected 36 bytes of rdata as declared by `\\# 36`, found 35 (RFC 3597 §5)"
        );
        assert_eq!(
            err("\\# 2 0301"),
            "line 1, column 1, token 1: expected at least 3 bytes of TLSA rdata (usage, selector, matching type), found 2 (RFC 6698 §2.1)"
        );
        assert_eq!(
            err("\\# 70000"),
            "line 1, column 4, token 2: expected rdata length after \\# as a number up to 65535, found `70000`"
        );
        assert_eq!(Tlsa::scan("\\# 3 030100").unwrap().data, Vec::<u8>::new());
    }

    #[test]
    fn zone_lines_ttl_and_class_in_either_order() {
        for line in [
            format!("_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 {HASH}"),
            format!("_25._tcp.mx.example.com. IN 3600 TLSA 3 1 1 {HASH}"),
            format!("_25._tcp.mx.example.com. in 1h tlsa 3 1 1 {HASH}"),
        ] {
            let s = scan_record(&line).unwrap();
            assert_eq!(s.owner.as_deref(), Some("_25._tcp.mx.example.com."), "{line}");
            assert_eq!(s.ttl, Some(3600));
            assert_eq!(s.class, Some(Class::IN));
            assert_eq!(s.record, expected());
        }
        let bare = scan_record(&format!("_25._tcp.mx TLSA 3 1 1 {HASH}")).unwrap();
        assert_eq!((bare.ttl, bare.class), (None, None));
        let ownerless = scan_record(&format!("  IN TLSA 3 1 1 {HASH}")).unwrap();
        assert_eq!((ownerless.owner, ownerless.class), (None, Some(Class::IN)));
        let generic = scan_record(&format!("_25._tcp.mx. 300 CLASS1 TYPE52 \\# 35 030101{HASH}")).unwrap();
        assert_eq!((generic.class, generic.record), (Some(Class::IN), expected()));
    }

    #[test]
    fn parenthesised_multi_line_with_comments() {
        let text = format!(
            "_25._tcp.mx.example.com. 3600 IN TLSA ( 3 ; usage\n  1 ; selector\n  1 ; matching type\n  {}\n  {} )\n",
            &HASH[..32],
            &HASH[32..]
        );
        let s = scan_record(&text).unwrap();
        assert_eq!(s.record, expected());
        assert_eq!(s.line, 1);
    }

    #[test]
    fn errors_name_field_and_position() {
        assert_eq!(
            err("3 1 256 ab"),
            "line 1, column 5, token 3: expected matching type as a number up to 255, found `256`"
        );
        assert_eq!(
            err("3 1 1 abcg"),
            "line 1, column 10, token 4: expected a hex digit in certificate association data, found 'g'"
        );
        assert_eq!(
            err("3 1 1 abc"),
            "line 1, column 7, token 4: expected an even number of hex digits in certificate association data, found 3"
        );
        assert_eq!(
            err("3 1"),
            "line 1, column 4, token 3: expected matching type (a number 0-255 or an RFC 7218 mnemonic), found end of record"
        );
        assert_eq!(
            err("3 1 1"),
            "line 1, column 6, token 4: expected certificate association data (hex digits), found end of record"
        );
        assert_eq!(
            err("DANE-XX 1 1 ab"),
            "line 1, column 1, token 1: expected certificate usage as a number 0-255 or an RFC 7218 mnemonic (PKIX-TA, PKIX-EE, DANE-TA, DANE-EE, PrivCert), found `DANE-XX`"
        );
        assert_eq!(
            err("mx.example. 300 IN A 192.0.2.1"),
            "line 1, column 20, token 4: expected record type TLSA, found `A`"
        );
        assert_eq!(
            err("_25._tcp.mx 300 600 TLSA 3 1 1 ab"),
            "line 1, column 17, token 3: expected one TTL, found a second one, `600`"
        );
        assert_eq!(
            err("_25._tcp.mx 9999999999 TLSA 3 1 1 ab"),
            "line 1, column 13, token 2: expected a TTL in seconds up to 2147483647 (RFC 2181 §8), found `9999999999`"
        );
        assert_eq!(err("3 1 1 ( ab"), "line 1, column 7: expected `)` to close this `(`, found end of text");
        assert_eq!(err("3 1 1 ab )"), "line 1, column 10: expected `(` before `)`, found `)` with none open");
        assert_eq!(err("3 1 1 ab\n3 1 1 cd"), "line 2, column 1: expected one record, found another one here");
        assert_eq!(err(" ; only a comment\n"), "line 2, column 1: expected a TLSA record, found no text");
        assert_eq!(
            err("$ORIGIN example."),
            "line 1, column 1, token 1: expected a TLSA record, found the directive `$ORIGIN`, which is not supported"
        );
    }

    #[test]
    fn one_bad_line_does_not_stop_the_rest() {
        let text = format!(
            "; records\n\n3 1 1 {HASH}\n3 1 1 zz\n_25._tcp.mx IN TLSA (\n 2 0 1\n {HASH} )\n\n3 1 1 ab ; last\n"
        );
        let results: Vec<_> = scan_records(&text).collect();
        assert_eq!(results.len(), 4);
        assert_eq!(results[0].as_ref().unwrap().record, expected());
        assert_eq!(results[0].as_ref().unwrap().line, 3);
        assert_eq!(results[1].as_ref().unwrap_err().position().line, 4);
        assert_eq!(results[2].as_ref().unwrap().record.usage, Usage::DANE_TA);
        assert_eq!(results[2].as_ref().unwrap().line, 5);
        assert_eq!(results[3].as_ref().unwrap().line, 9);
    }

    #[test]
    fn blank_owner_field_means_the_previous_owner() {
        let text = "_25._tcp.mx.example. 300 IN TLSA 3 1 1 aa\n    IN TLSA 3 1 1 bb\n\tTLSA 2 1 1 cc\n3 1 1 dd\n";
        let owners: Vec<_> = scan_records(text).map(|r| r.unwrap().owner).collect();
        let mx = Some("_25._tcp.mx.example.".to_owned());
        assert_eq!(owners, [mx.clone(), mx.clone(), mx, None]);
        assert_eq!(scan_record("  IN TLSA 3 1 1 aa").unwrap().owner, None);
    }

    #[test]
    fn stray_paren_spoils_only_its_own_line() {
        let results: Vec<_> = scan_records("3 1 1 ab )\n3 1 1 cd\n").collect();
        assert_eq!(results.len(), 2);
        assert!(results[0].is_err());
        assert_eq!(results[1].as_ref().unwrap().record.data, [0xcd]);
    }

    #[test]
    fn escaped_characters_stay_in_the_token() {
        let s = scan_record("a\\;b._tcp.example. TLSA 3 1 1 ab").unwrap();
        assert_eq!(s.owner.as_deref(), Some("a\\;b._tcp.example."));
    }

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("1h30m"), Some(5400));
        assert_eq!(parse_ttl("1W"), Some(604_800));
        assert_eq!(parse_ttl("2147483647"), Some(MAX_TTL));
        assert_eq!(parse_ttl("2147483648"), None);
        assert_eq!(parse_ttl("1x"), None);
        assert_eq!(parse_ttl("h"), None);
    }

    #[test]
    fn non_ascii_input_reports_characters() {
        assert_eq!(
            err("3 1 1 abé0"),
            "line 1, column 9, token 4: expected a hex digit in certificate association data, found 'é'"
        );
    }
}
