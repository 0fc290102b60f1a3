//! A small JSON reader and writer (RFC 8259) for the app's first module.
//!
//! The first module (the page, [`crate::state`]) reads and writes only JSON
//! that Geleit writes itself: its settings (the browser's saved copy, the
//! site's `/geleit-config.json`), the head of a kept check
//! ([`crate::engine::Kept`]), the request it sends the engine module and the
//! updates it gets back ([`crate::engine`]). serde_json's parser, its
//! `Value` map and the derived serializers cost about 12 to 15 KB gzip of
//! that module; this is the part of them it needs. The engine module, the
//! edge and the CLI keep serde.
//!
//! ```text
//!  text ──► parse ──► Value (Null, Bool, Number, String, Array, Object) ──► fields, by hand
//!  fields ──► Object::push ──► Value::to_json ──► text
//! ```
//!
//! What it reads is what serde_json reads into its `Value`, with these rules:
//! - **Strings** (RFC 8259 §7): every escape, `\uXXXX` included; a UTF-16
//!   surrogate pair is one character. A lone surrogate (`"\ud800"`) is no
//!   Unicode character (RFC 8259 §8.2) and is **rejected**
//!   ([`Error::LoneSurrogate`]), as serde_json rejects it. Control
//!   characters (U+0000 to U+001F) must be escaped.
//! - **Numbers** (RFC 8259 §6) are checked against the grammar and kept as
//!   their text ([`Number`]), never converted to a float: the float parser
//!   (several KB of wasm) stays out. A number is read only as an integer,
//!   [`Number::as_i64`] or [`Number::as_u64`]: an integer literal (no
//!   fraction, no exponent) in range, as serde_json's `Value::as_i64` and
//!   `as_u64` and a derived `Deserialize` of an integer field read it; `-0`,
//!   `1.0` and `1e2` are floats there and no integer here. Every number the
//!   first module reads is an integer in what Geleit writes (an update's
//!   `id`, a host's `preference`, a kept check's `geleit_check` and `now`).
//!   Unlike serde_json, a number out of a float's range (`1e400`) is not an
//!   error: nobody reads it as one.
//! - **Objects**: members keep their order; a name given twice is kept
//!   twice and [`Object::get`] finds the last, as serde_json's map keeps the
//!   last.
//! - **Nesting**: at most [`MAX_DEPTH`] arrays and objects inside each
//!   other, serde_json's own limit, so that hostile input cannot exhaust the
//!   stack (the reader and the writer recurse once per level).
//!
//! [`indent`] lays compact text out as serde_json's pretty printer does (the
//! checker's export, which the engine serialises once, compactly).
//!
//! The writer writes what serde_json's compact writer writes: no spaces,
//! `"`, `\` and control characters escaped (`\n`, `\t`, `\r`, `\b`, `\f`,
//! else `\u00XX`), everything else as it is.

use core::fmt;

/// Arrays and objects nested deeper than this are refused: serde_json's
/// limit (its recursion limit of 128 refuses the 128th level).
pub const MAX_DEPTH: usize = 127;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Object),
}

/// A number as written (checked against RFC 8259 §6), read as an integer on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(String);

/// An object's members, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Object(Vec<(String, Value)>);

/// Why a text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Something the grammar does not allow at byte `offset`.
    Unexpected {
        /// What the grammar allows there, in words.
        expected: &'static str,
        found: Found,
        offset: usize,
    },
    /// An array or object at byte `offset` is nested deeper than [`MAX_DEPTH`].
    TooDeep { offset: usize },
    /// A `\u` escape at byte `offset` names half of a UTF-16 surrogate pair
    /// without the other half (RFC 8259 §8.2).
    LoneSurrogate { unit: u16, offset: usize },
}

/// What was found where something else was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Found {
    /// The text ended.
    End,
    Char(char),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::End => f.write_str("the end of the text"),
            Self::Char(c) if c.is_control() || c.is_whitespace() => write!(f, "U+{:04X}", u32::from(*c)),
            Self::Char(c) => write!(f, "'{c}'"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unexpected { expected, found, offset } => {
                write!(f, "expected {expected}, found {found} at byte {offset}")
            }
            Self::TooDeep { offset } => write!(
                f,
                "expected arrays and objects nested at most {MAX_DEPTH} deep, found a deeper one at byte {offset}"
            ),
            Self::LoneSurrogate { unit, offset } => {
                write!(f, "expected a UTF-16 surrogate pair, found a lone surrogate \\u{unit:04x} at byte {offset}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// Reads a JSON text (RFC 8259 §2: one value, whitespace around it).
///
/// # Errors
/// The text is not JSON, or nested deeper than [`MAX_DEPTH`].
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut p = Parser { text, at: 0 };
    p.space();
    let value = p.value(0)?;
    p.space();
    match p.peek() {
        None => Ok(value),
        Some(_) => Err(p.unexpected("the end of the text")),
    }
}

impl Value {
    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    #[must_use]
    pub const fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as an `i64` ([`Number::as_i64`]).
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The number as a `u64` ([`Number::as_u64`]).
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&[Self]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if this is an object.
    #[must_use]
    pub const fn as_object(&self) -> Option<&Object> {
        match self {
            Self::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The member `key`, if this is an object that has one ([`Object::get`]).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Self> {
        self.as_object()?.get(key)
    }

    /// The value as JSON text, compact.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// Appends the value as JSON text, compact (one level of recursion per
    /// level of nesting: what [`parse`] made is at most [`MAX_DEPTH`] deep).
    pub fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(true) => out.push_str("true"),
            Self::Bool(false) => out.push_str("false"),
            Self::Number(n) => out.push_str(&n.0),
            Self::String(s) => write_str(out, s),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Object(o) => {
                out.push('{');
                for (i, (key, value)) in o.0.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Self::Number(Number(n.to_string()))
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Self::Number(Number(n.to_string()))
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Self::from(u64::from(n))
    }
}

impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Self::Object(o)
    }
}

impl<T: Into<Self>> From<Option<T>> for Value {
    /// `None` is `null`, as serde writes it.
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

impl Number {
    /// The number as written (`-12`, `1.5e3`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as an `i64`: an integer literal (RFC 8259 §6: no fraction,
    /// no exponent) from `i64::MIN` to `i64::MAX`, except `-0`, which
    /// serde_json reads as a float.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        if self.0 == "-0" {
            return None;
        }
        self.0.parse().ok()
    }

    /// The number as a `u64`: an integer literal without a sign (RFC 8259
    /// §6: no fraction, no exponent) up to `u64::MAX`.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        // `str::parse` takes a leading `+`, which the grammar of `parse` never lets in.
        if self.0.starts_with('-') {
            return None;
        }
        self.0.parse().ok()
    }
}

impl Object {
    /// No members.
    #[must_use]
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    /// The value of the member `key`; of the last one, if the name is given
    /// more than once (as serde_json keeps the last).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Appends the member `key` (written in this order).
    pub fn push(&mut self, key: &str, value: impl Into<Value>) {
        self.0.push((key.to_owned(), value.into()));
    }

    /// The members in order, a name given twice twice.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many members (a name given twice counts twice).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// No members.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Appends `s` as a JSON string (RFC 8259 §7): `"` and `\` escaped, control
/// characters as `\n`, `\t`, `\r`, `\b`, `\f` or `\u00XX` (lowercase hex, as
/// serde_json writes them), everything else as it is.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            '\0'..='\u{1f}' => "",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or_default());
        run = i + c.len_utf8();
        if escape.is_empty() {
            let b = u32::from(c);
            out.push_str("\\u00");
            for nibble in [b >> 4, b & 0xf] {
                // A control character is below 0x20: both nibbles index HEX.
                out.push(HEX.get(nibble as usize).map_or('0', |h| char::from(*h)));
            }
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// The reader: a cursor over the text's bytes. Every structural character
/// is ASCII, so the text is only ever cut at character boundaries.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// What is at the cursor, for an error.
    fn found(&self) -> Found {
        self.text.get(self.at..).and_then(|rest| rest.chars().next()).map_or(Found::End, Found::Char)
    }

    fn unexpected(&self, expected: &'static str) -> Error {
        Error::Unexpected { expected, found: self.found(), offset: self.at }
    }

    /// Whitespace (RFC 8259 §2: space, tab, line feed, carriage return).
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Takes `byte` at the cursor, or says it expected `what`.
    fn eat(&mut self, byte: u8, what: &'static str) -> Result<(), Error> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    /// A value at the cursor (RFC 8259 §3), inside `depth` arrays and objects.
    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(b't') => self.literal("true", "`true`").map(|()| Value::Bool(true)),
            Some(b'f') => self.literal("false", "`false`").map(|()| Value::Bool(false)),
            Some(b'n') => self.literal("null", "`null`").map(|()| Value::Null),
            _ => Err(self.unexpected("a value")),
        }
    }

    fn literal(&mut self, word: &str, what: &'static str) -> Result<(), Error> {
        for b in word.bytes() {
            self.eat(b, what)?;
        }
        Ok(())
    }

    fn deeper(&self, depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH { Err(Error::TooDeep { offset: self.at }) } else { Ok(()) }
    }

    /// An array (RFC 8259 §5) at the cursor, the `depth`th level.
    fn array(&mut self, depth: usize) -> Result<Value, Error> {
        self.deeper(depth)?;
        self.at += 1;
        let mut items = Vec::new();
        self.space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.space();
            items.push(self.value(depth)?);
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.unexpected("',' or ']'")),
            }
        }
    }

    /// An object (RFC 8259 §4) at the cursor, the `depth`th level.
    fn object(&mut self, depth: usize) -> Result<Value, Error> {
        self.deeper(depth)?;
        self.at += 1;
        let mut members = Vec::new();
        self.space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(Object(members)));
        }
        loop {
            self.space();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a member's name (a string)"));
            }
            let key = self.string()?;
            self.space();
            self.eat(b':', "':'")?;
            self.space();
            members.push((key, self.value(depth)?));
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(Object(members)));
                }
                _ => return Err(self.unexpected("',' or '}'")),
            }
        }
    }

    /// A number (RFC 8259 §6) at the cursor, kept as written.
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.unexpected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digit()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.digit()?;
        }
        // The grammar took ASCII only: the cut is at character boundaries.
        self.text.get(start..self.at).map(|n| Number(n.to_owned())).ok_or(Error::Unexpected {
            expected: "a number",
            found: Found::End,
            offset: start,
        })
    }

    /// One digit or more.
    fn digit(&mut self) -> Result<(), Error> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.unexpected("a digit"));
        }
        self.digits();
        Ok(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    /// A string (RFC 8259 §7) at the cursor (its opening quote).
    fn string(&mut self) -> Result<String, Error> {
        self.at += 1;
        let mut out = String::new();
        loop {
            // Plain characters up to the next quote, backslash or control character, copied at once.
            let start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(self.text.get(start..self.at).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                Some(_) => return Err(self.unexpected("a character of the string (control characters escaped)")),
                None => return Err(self.unexpected("'\"'")),
            }
        }
    }

    /// The escape after a backslash.
    fn escape(&mut self) -> Result<char, Error> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode(),
            _ => return Err(self.unexpected("an escape (one of \" \\ / b f n r t u)")),
        };
        self.at += 1;
        Ok(c)
    }

    /// A `\u` escape (the cursor at its `u`): a character of the Basic
    /// Multilingual Plane, or a surrogate pair of two escapes (RFC 8259 §7).
    fn unicode(&mut self) -> Result<char, Error> {
        let offset = self.at.saturating_sub(1);
        self.at += 1;
        let unit = self.hex4()?;
        let code = match unit {
            0xd800..=0xdbff => {
                let lone = Error::LoneSurrogate { unit, offset };
                if self.peek() != Some(b'\\') || self.text.as_bytes().get(self.at + 1) != Some(&b'u') {
                    return Err(lone);
                }
                self.at += 2;
                let low = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&low) {
                    return Err(lone);
                }
                0x10000 + ((u32::from(unit) - 0xd800) << 10) + (u32::from(low) - 0xdc00)
            }
            0xdc00..=0xdfff => return Err(Error::LoneSurrogate { unit, offset }),
            _ => u32::from(unit),
        };
        char::from_u32(code).ok_or(Error::LoneSurrogate { unit, offset })
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u16, Error> {
        let mut unit = 0u16;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.unexpected("a hex digit")),
            };
            unit = (unit << 4) | u16::from(digit);
            self.at += 1;
        }
        Ok(unit)
    }
}

/// Compact JSON text (as [`Value::to_json`] and serde_json's compact writer
/// write it) as serde_json's `PrettyFormatter` writes the same value, for
/// text a person reads (the checker's export):
/// each member and element on a line of its own, indented by two spaces a
/// level, `": "` after a key, empty objects and arrays as `{}` and `[]`.
/// Strings are copied as they are (a `"` in one is escaped, so the end of a
/// string is a `"` after an even number of backslashes).
#[must_use]
pub fn indent(compact: &str) -> String {
    fn newline(out: &mut Vec<u8>, depth: usize) {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    }
    let bytes = compact.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'{' | b'[' => {
                out.push(b);
                let close = if b == b'{' { b'}' } else { b']' };
                if bytes.get(i) == Some(&close) {
                    out.push(close);
                    i += 1;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            b'"' => {
                in_string = true;
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    // Only ASCII was added or split at: the text is as much UTF-8 as the input.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether our reading is serde_json's: the same tree, the same strings,
    /// integers read the same, a float where serde_json has one (its value
    /// compared within rounding: serde_json's float parser is not always
    /// correctly rounded), an object's last member of a name where serde_json keeps one.
    fn same(ours: &Value, theirs: &serde_json::Value) -> bool {
        use serde_json::Value as S;
        match (ours, theirs) {
            (Value::Null, S::Null) => true,
            (Value::Bool(a), S::Bool(b)) => a == b,
            (Value::Number(n), S::Number(m)) => {
                let float = m.as_f64().is_some_and(|m| {
                    n.as_str().parse::<f64>().is_ok_and(|n| n == m || (n - m).abs() <= m.abs() * 1e-15)
                });
                n.as_i64() == m.as_i64() && n.as_u64() == m.as_u64() && (!m.is_f64() || float)
            }
            (Value::String(a), S::String(b)) => a == b,
            (Value::Array(a), S::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b)),
            (Value::Object(a), S::Object(b)) => {
                let names: std::collections::BTreeSet<&str> = a.iter().map(|(k, _)| k).collect();
                names.len() == b.len() && b.iter().all(|(k, v)| a.get(k).is_some_and(|a| same(a, v)))
            }
            _ => false,
        }
    }

    /// Both readers accept `text` and read the same, or both refuse it.
    fn agree(text: &str) -> Result<(), String> {
        match (parse(text), serde_json::from_str::<serde_json::Value>(text)) {
            (Ok(ours), Ok(theirs)) if same(&ours, &theirs) => Ok(()),
            (Err(_), Err(_)) => Ok(()),
            // Documented: a number beyond a float's range is text here, an error there.
            (Ok(_), Err(e)) if e.to_string().starts_with("number out of range") => Ok(()),
            (ours, theirs) => Err(format!("{text:?}: ours {ours:?}, serde_json {theirs:?}")),
        }
    }

    fn string(text: &str) -> Result<String, Error> {
        match parse(text)? {
            Value::String(s) => Ok(s),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_escape_is_read_as_rfc_8259_section_7_says() {
        let cases = [
            (r#""""#, ""),
            (r#""plain ü 😀""#, "plain ü 😀"),
            (r#""\" \\ \/ \b \f \n \r \t""#, "\" \\ / \u{8} \u{c} \n \r \t"),
            (r#""\u0041\u00e9\u00E9\u20AC\u0000\u001f""#, "Aéé€\0\u{1f}"),
            (r#""\uD83D\uDE00 \ud83d\ude00""#, "😀 😀"),
            (r#""\udbff\udfff""#, "\u{10ffff}"),
            (r#""a\nb\u000ac""#, "a\nb\nc"),
        ];
        for (text, expected) in cases {
            assert_eq!(string(text).as_deref(), Ok(expected), "{text}");
            agree(text).unwrap();
        }
        for text in [r#""\x41""#, r#""\u12""#, r#""\u12G4""#, r#""\'""#, r#""\U0041""#, "\"\\", "\"a\nb\"", "\"\t\""] {
            assert!(matches!(string(text), Err(Error::Unexpected { .. })), "{text}: {:?}", parse(text));
            agree(text).unwrap();
        }
    }

    #[test]
    fn a_lone_surrogate_is_refused() {
        for (text, unit, offset) in [
            (r#""\ud800""#, 0xd800, 1),
            (r#""ab\udc00""#, 0xdc00, 3),
            (r#""\ud800\u0041""#, 0xd800, 1),
            (r#""\ud800x""#, 0xd800, 1),
            (r#""\ud800\n""#, 0xd800, 1),
            (r#""\udbff\ud800""#, 0xdbff, 1),
            (r#""\ude00\ud83d""#, 0xde00, 1),
        ] {
            assert_eq!(parse(text), Err(Error::LoneSurrogate { unit, offset }), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_err(), "{text}");
        }
        assert_eq!(
            parse(r#""\ud800""#).unwrap_err().to_string(),
            "expected a UTF-16 surrogate pair, found a lone surrogate \\ud800 at byte 1"
        );
    }

    #[test]
    fn the_writer_escapes_what_serde_json_escapes() {
        let every: String = (0..0x80u8).map(char::from).chain("é€😀\u{7f}\u{2028}".chars()).collect();
        for s in [every.as_str(), "", "plain", "\"\\", "\u{0}\u{1f}", "a\nb\tc\rd\u{8}e\u{c}f\u{b}"] {
            let mut ours = String::new();
            write_str(&mut ours, s);
            assert_eq!(ours, serde_json::to_string(s).unwrap(), "{s:?}");
            assert_eq!(string(&ours).as_deref(), Ok(s));
        }
    }

    #[test]
    fn numbers_follow_section_6_and_are_read_as_integers_only() {
        for text in [
            "0",
            "-0",
            "7",
            "-7",
            "10",
            "1.5",
            "-0.0",
            "1e5",
            "1E+5",
            "1e-5",
            "0.25e2",
            "123456789012345678901234567890",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "1.0",
            "1e2",
        ] {
            let Ok(Value::Number(n)) = parse(text) else { panic!("{text}: {:?}", parse(text)) };
            assert_eq!(n.as_str(), text);
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!((n.as_i64(), n.as_u64()), (theirs.as_i64(), theirs.as_u64()), "{text}");
            agree(text).unwrap();
        }
        let read = |text: &str| parse(text).ok().map(|v| (v.as_i64(), v.as_u64()));
        assert_eq!(read("-9223372036854775808"), Some((Some(i64::MIN), None)));
        assert_eq!(read("18446744073709551615"), Some((None, Some(u64::MAX))));
        assert_eq!(read("42"), Some((Some(42), Some(42))));
        for text in ["-0", "1.0", "1e2", "18446744073709551616", "\"1\""] {
            assert_eq!(read(text), Some((None, None)), "{text}");
        }
        for text in ["01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "--1", "0x1", "1.e3", "NaN", "Infinity", "-a"] {
            assert!(matches!(parse(text), Err(Error::Unexpected { .. })), "{text}: {:?}", parse(text));
            agree(text).unwrap();
        }
        // Not read as a float at all: out of a float's range is no error (serde_json refuses it).
        assert!(parse("1e400").is_ok() && serde_json::from_str::<serde_json::Value>("1e400").is_err());
        assert_eq!(Value::from(-5i64).to_json(), "-5");
        assert_eq!(Value::from(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Value::from(u32::MAX).to_json(), "4294967295");
    }

    #[test]
    fn errors_say_what_was_expected_and_what_was_found() {
        for (text, words) in [
            ("", "expected a value, found the end of the text at byte 0"),
            ("  x", "expected a value, found 'x' at byte 2"),
            ("[1,]", "expected a value, found ']' at byte 3"),
            ("[1 2]", "expected ',' or ']', found '2' at byte 3"),
            ("{\"a\" 1}", "expected ':', found '1' at byte 5"),
            ("{\"a\":1,}", "expected a member's name (a string), found '}' at byte 7"),
            ("{1:2}", "expected a member's name (a string), found '1' at byte 1"),
            ("{\"a\":1", "expected ',' or '}', found the end of the text at byte 6"),
            ("tru", "expected `true`, found the end of the text at byte 3"),
            ("nul!", "expected `null`, found '!' at byte 3"),
            ("1 2", "expected the end of the text, found '2' at byte 2"),
            ("\"a", "expected '\"', found the end of the text at byte 2"),
            ("\"a\u{1}\"", "expected a character of the string (control characters escaped), found U+0001 at byte 2"),
            ("\"\\q\"", "expected an escape (one of \" \\ / b f n r t u), found 'q' at byte 2"),
            ("-x", "expected a digit, found 'x' at byte 1"),
            ("\u{feff}1", "expected a value, found '\u{feff}' at byte 0"),
        ] {
            assert_eq!(parse(text).map_err(|e| e.to_string()), Err(words.to_owned()), "{text:?}");
            agree(text).unwrap();
        }
    }

    #[test]
    fn objects_keep_their_order_and_the_last_of_a_name_counts() {
        let v = parse(r#" { "b" : 1 , "a" : [ true , false , null ] , "b" : "two" } "#).unwrap();
        let o = v.as_object().unwrap();
        assert_eq!(o.len(), 3);
        assert_eq!(v.get("b"), Some(&Value::from("two")));
        assert_eq!(v.get("a").and_then(Value::as_array).map(<[Value]>::len), Some(3));
        assert_eq!(v.get("c"), None);
        assert_eq!(v.to_json(), r#"{"b":1,"a":[true,false,null],"b":"two"}"#);
        agree(r#"{"b":1,"a":[true,false,null],"b":"two"}"#).unwrap();
        let mut built = Object::new();
        built.push("n", None::<&str>);
        built.push("s", Some("x"));
        built.push("e", Object::new());
        assert!(!built.is_empty());
        assert_eq!(Value::from(built).to_json(), r#"{"n":null,"s":"x","e":{}}"#);
        assert!(Object::new().is_empty() && Value::Array(Vec::new()).to_json() == "[]");
    }

    #[test]
    fn nesting_stops_at_serde_jsons_limit_without_exhausting_the_stack() {
        // `levels` arrays, objects, or both in turn, inside each other, around a 1.
        let nested = |levels: usize, array: &dyn Fn(usize) -> bool| {
            let (mut open, mut close) = (String::new(), String::new());
            for i in 0..levels {
                let (o, c) = if array(i) { ("[", "]") } else { ("{\"a\":", "}") };
                open.push_str(o);
                close.insert_str(0, c);
            }
            format!("{open}1{close}")
        };
        let shapes: [&dyn Fn(usize) -> bool; 3] = [&|_| true, &|_| false, &|i| i % 2 == 0];
        for shape in shapes {
            let at_limit = nested(MAX_DEPTH, shape);
            let over = nested(MAX_DEPTH + 1, shape);
            assert!(parse(&at_limit).is_ok(), "{at_limit}");
            assert!(serde_json::from_str::<serde_json::Value>(&at_limit).is_ok(), "{at_limit}");
            assert!(matches!(parse(&over), Err(Error::TooDeep { .. })), "{over}");
            assert!(serde_json::from_str::<serde_json::Value>(&over).is_err(), "serde_json's own limit: {over}");
        }
        let over = nested(MAX_DEPTH + 1, &|_| true);
        assert_eq!(parse(&over), Err(Error::TooDeep { offset: MAX_DEPTH }));
        assert_eq!(
            parse(&over).unwrap_err().to_string(),
            "expected arrays and objects nested at most 127 deep, found a deeper one at byte 127"
        );
        // Hostile: a million levels, open or closed, of arrays and objects.
        for hostile in ["[".repeat(1_000_000), "{\"a\":".repeat(1_000_000), nested(1_000_000, &|i| i % 3 == 0)] {
            assert!(matches!(parse(&hostile), Err(Error::TooDeep { .. })));
        }
    }

    #[test]
    fn every_truncation_and_every_changed_byte_of_a_document_is_read_as_serde_json_reads_it() {
        let doc = r#"{"id":4000000000,"view":{"domain":"b\u00fccher.example","hosts":[{"preference":10,"tlsa":[],
            "x":-1.5e-3,"s":"\ud83d\ude00\"\\\/\n"}],"retry":false,"detail":null},"kept":"{\"a\":[1,2]}"}"#;
        for (i, _) in doc.char_indices().chain([(doc.len(), ' ')]) {
            agree(&doc[..i]).unwrap();
            agree(&doc[i..]).unwrap();
        }
        let bytes = doc.as_bytes();
        for i in 0..bytes.len() {
            for b in [b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b'0', b'-', b'.', b'e', b'u', b' ', b'\n', 0] {
                let mut changed = bytes.to_vec();
                changed[i] = b;
                if let Ok(text) = std::str::from_utf8(&changed) {
                    agree(text).unwrap();
                }
            }
        }
    }

    #[test]
    fn huge_documents_are_read_whole() {
        let long = "ü\\n".repeat(300_000);
        assert_eq!(string(&format!("\"{long}\"")).map(|s| s.len()), Ok(300_000 * 3));
        let many = format!("[{}0]", "0,".repeat(200_000));
        assert_eq!(parse(&many).ok().and_then(|v| v.as_array().map(<[Value]>::len)), Some(200_001));
        let digits = format!("-{}", "9".repeat(100_000));
        assert_eq!(parse(&digits).ok().map(|v| (v.as_i64(), v.to_json().len())), Some((None, 100_001)));
        let members: String = (0..50_000).map(|i| format!("\"k{i}\":{i},")).collect();
        let object = parse(&format!("{{{members}\"k0\":true}}")).unwrap();
        assert_eq!((object.as_object().map(Object::len), object.get("k0")), (Some(50_001), Some(&Value::Bool(true))));
        assert_eq!(object.get("k49999").and_then(Value::as_u64), Some(49_999));
    }

    /// Generated documents (proptest, a native-only dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod generated {
        use proptest::prelude::*;

        use super::{agree, parse, same, write_str};

        /// Any JSON value serde_json can hold (finite floats, any string).
        fn value() -> impl Strategy<Value = serde_json::Value> {
            use serde_json::Value as S;
            let leaf = prop_oneof![
                Just(S::Null),
                any::<bool>().prop_map(S::Bool),
                any::<i64>().prop_map(S::from),
                any::<u64>().prop_map(S::from),
                any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(S::from),
                any::<String>().prop_map(S::String),
                "[a-z\"\\\\\u{0}-\u{1f}é😀]{0,8}".prop_map(S::String),
            ];
            leaf.prop_recursive(6, 96, 8, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..8).prop_map(S::Array),
                    prop::collection::btree_map("[a-z\"\\\\\n]{0,4}", inner, 0..8)
                        .prop_map(|m| S::Object(m.into_iter().collect())),
                ]
            })
        }

        /// Pieces of JSON and of almost-JSON.
        fn token() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec![
                "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "d83d", "de00", "00e9", "0", "1", "9", "-", ".", "e",
                "E", "+", " ", "\n", "\t", "true", "false", "null", "tru", "a", "é", "\u{1}", "\"k\":", "1e400",
            ])
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn what_serde_json_writes_is_read_as_serde_json_reads_it(v in value()) {
                let compact = serde_json::to_string(&v).unwrap();
                let ours = parse(&compact).unwrap();
                prop_assert!(same(&ours, &v), "{compact}");
                // Its keys come sorted, its numbers as written: written back byte for byte.
                prop_assert_eq!(ours.to_json(), compact);
                let pretty = serde_json::to_string_pretty(&v).unwrap();
                prop_assert!(same(&parse(&pretty).unwrap(), &v), "{pretty}");
            }

            #[test]
            fn strings_are_written_as_serde_json_writes_them(s in any::<String>()) {
                let mut ours = String::new();
                write_str(&mut ours, &s);
                prop_assert_eq!(&ours, &serde_json::to_string(&s).unwrap());
            }

            #[test]
            fn almost_json_is_refused_or_read_as_serde_json_does(tokens in prop::collection::vec(token(), 0..24)) {
                agree(&tokens.concat()).map_err(TestCaseError::fail)?;
            }

            #[test]
            fn a_changed_document_is_refused_or_read_as_serde_json_does(
                v in value(),
                at in any::<prop::sample::Index>(),
                cut in 0..4usize,
                insert in token(),
            ) {
                let text = serde_json::to_string(&v).unwrap();
                let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
                let from = *at.get(&bounds);
                let to = bounds.iter().copied().find(|&b| b >= from + cut).unwrap_or(text.len());
                let changed = format!("{}{insert}{}", &text[..from], &text[to..]);
                agree(&changed).map_err(TestCaseError::fail)?;
            }
        }
    }

    #[test]
    fn the_export_is_indented_as_serde_json_pretty_prints() {
        let value = serde_json::json!({
            "empty": {}, "none": [], "nested": [[], {}, [[]], {"a": {}}],
            "text": "a \"quoted\" {b: [c, d]}, e\\",
            "backslash at the end\\": "\\",
            "escapes": "\n\t\u{1}\u{7f} é ✓ 🦀",
            "numbers": [0, -1, 18446744073709551615u64, 1.5, -2.0e-7],
            "words": [true, false, null],
            "deep": {"list": [{"x": 1, "y": [2, 3]}, "z"]},
        });
        let compact = serde_json::to_string(&value).unwrap();
        assert_eq!(indent(&compact), serde_json::to_string_pretty(&value).unwrap());
        for text in ["{}", "[]", "\"\"", "0", "null", "\"{\\\"}\"", "[[[[]]]]"] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(indent(text), serde_json::to_string_pretty(&value).unwrap(), "{text}");
        }
    }
}
