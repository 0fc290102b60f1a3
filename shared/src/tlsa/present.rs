//! Text out: the presentation format (RFC 6698 §2.2), the zone-file line
//! (RFC 1035 §5.1), the RFC 3597 generic form, JSON, and a description of
//! what a record pins in words.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::wire::WireError;
use super::{MatchingType, Selector, Tlsa, Usage};

/// Writes `bytes` as lowercase hex.
pub(crate) fn write_hex(out: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        // Both indices are below 16 by construction.
        out.write_char(char::from(DIGITS[usize::from(b >> 4)]))?;
        out.write_char(char::from(DIGITS[usize::from(b & 0x0f)]))?;
    }
    Ok(())
}

/// `bytes` as a lowercase hex string.
#[must_use]
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    // Writing into a String cannot fail.
    let _ = write_hex(&mut s, bytes);
    s
}

/// The value of one hex digit, or `None` for any other character.
pub(crate) fn hex_value(c: char) -> Option<u8> {
    c.to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Decodes a contiguous hex string (either case); `None` on odd length or a non-hex character.
pub(crate) fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut chars = text.chars();
    while let (Some(hi), Some(lo)) = (chars.next(), chars.next()) {
        out.push(hex_value(hi)? << 4 | hex_value(lo)?);
    }
    Some(out)
}

/// The presentation format (RFC 6698 §2.2): three decimal fields and the data
/// as one run of lowercase hex, e.g. `3 1 1 0c72…`. A record with empty data
/// (possible on the wire) prints as `3 1 0`, which the scanner rejects as
/// missing its data; only the generic form ([`Tlsa::to_generic`], `\# 3 030100`)
/// writes such a record as text that scans back.
impl fmt::Display for Tlsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.usage, self.selector, self.matching_type)?;
        if self.data.is_empty() {
            return Ok(());
        }
        f.write_str(" ")?;
        write_hex(f, &self.data)
    }
}

impl Tlsa {
    /// The record in the RFC 3597 §5 generic form: `\# 35 030101…`.
    ///
    /// # Errors
    /// [`WireError::TooLong`] when the data does not fit in RDATA.
    pub fn to_generic(&self) -> Result<String, WireError> {
        let rdata = self.compose()?;
        let mut s = format!("\\# {} ", rdata.len());
        let _ = write_hex(&mut s, &rdata);
        Ok(s)
    }

    /// A zone-file line (RFC 1035 §5.1) in class IN:
    /// `_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 0c72…`. `owner` is written
    /// as given; build it with [`super::owner::tlsa_owner`].
    #[must_use]
    pub fn to_zone_line(&self, owner: &str, ttl: u32) -> String {
        format!("{owner} {ttl} IN TLSA {self}")
    }

    /// The three fields by mnemonic and number, e.g. `DANE-EE(3) SPKI(1) SHA2-256(1)`
    /// (RFC 7218); unassigned values read `unassigned(7)`.
    #[must_use]
    pub fn mnemonics(&self) -> String {
        let name = |m: Option<&'static str>| m.unwrap_or("unassigned");
        format!(
            "{}({}) {}({}) {}({})",
            name(self.usage.mnemonic()),
            self.usage,
            name(self.selector.mnemonic()),
            self.selector,
            name(self.matching_type.mnemonic()),
            self.matching_type
        )
    }

    /// What the record pins, in words, with the RFC section that says how a
    /// client uses it; e.g. for `3 1 1`: `DANE-EE(3) SPKI(1) SHA2-256(1): the
    /// SHA-256 digest of the server's own public key; names and dates are not
    /// checked (RFC 7672 §3.1.1)`.
    #[must_use]
    pub fn describe(&self) -> String {
        let how = match self.matching_type {
            MatchingType::FULL => Some("the exact bytes of"),
            MatchingType::SHA2_256 => Some("the SHA-256 digest of"),
            MatchingType::SHA2_512 => Some("the SHA-512 digest of"),
            _ => None,
        };
        let what = match self.selector {
            Selector::CERT => Some("certificate"),
            Selector::SPKI => Some("public key"),
            _ => None,
        };
        let whose = |what: &str| match self.usage {
            Usage::DANE_EE => {
                Some((format!("the server's own {what}"), "names and dates are not checked (RFC 7672 §3.1.1)"))
            }
            Usage::DANE_TA => Some((
                format!("the {what} of a trust anchor (issuing CA) in the chain the server sends"),
                "the server certificate must chain to it and match the expected names (RFC 7672 §3.1.2, §3.2.2)",
            )),
            Usage::PKIX_TA => Some((
                format!("the {what} of a public CA"),
                "it also needs PKIX validation, which SMTP clients do not do (RFC 7672 §3.1.3)",
            )),
            Usage::PKIX_EE => Some((
                format!("the server's own {what}"),
                "it also needs PKIX validation, which SMTP clients do not do (RFC 7672 §3.1.3)",
            )),
            _ => None,
        };
        let head = self.mnemonics();
        match (how, what.and_then(whose)) {
            (Some(how), Some((subject, note))) => format!("{head}: {how} {subject}; {note}"),
            _ => format!("{head}: uses values no client implements, so clients ignore this record (RFC 7671 §4)"),
        }
    }
}

/// JSON shape of a record: numbers for the registry fields, lowercase hex
/// data, and RFC 7218 mnemonics for assigned values.
#[derive(Serialize)]
struct JsonOut<'a> {
    usage: Usage,
    selector: Selector,
    matching_type: MatchingType,
    data: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage_mnemonic: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    selector_mnemonic: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matching_type_mnemonic: Option<&'a str>,
}

/// Serialises as `{"usage":3,"selector":1,"matching_type":1,"data":"0c72…",
/// "usage_mnemonic":"DANE-EE",…}`; mnemonics are left out for unassigned values.
impl Serialize for Tlsa {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        JsonOut {
            usage: self.usage,
            selector: self.selector,
            matching_type: self.matching_type,
            data: to_hex(&self.data),
            usage_mnemonic: self.usage.mnemonic(),
            selector_mnemonic: self.selector.mnemonic(),
            matching_type_mnemonic: self.matching_type.mnemonic(),
        }
        .serialize(serializer)
    }
}

#[derive(Deserialize)]
struct JsonIn {
    usage: Usage,
    selector: Selector,
    matching_type: MatchingType,
    data: String,
}

/// Reads the shape [`Serialize`] writes; the numbers rule, mnemonic fields are ignored.
impl<'de> Deserialize<'de> for Tlsa {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = JsonIn::deserialize(deserializer)?;
        if raw.data.len() > super::wire::MAX_DATA_LEN.saturating_mul(2) {
            return Err(serde::de::Error::custom(format_args!(
                "expected at most {} hex digits of data, found {}",
                super::wire::MAX_DATA_LEN * 2,
                raw.data.len()
            )));
        }
        let data = from_hex(&raw.data).ok_or_else(|| {
            serde::de::Error::custom(format_args!(
                "expected an even number of hex digits for data, found {}",
                crate::quoted::Quoted(&raw.data.chars().take(80).collect::<String>())
            ))
        })?;
        Ok(Self::new(raw.usage, raw.selector, raw.matching_type, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dane_ee() -> Tlsa {
        Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, vec![0xab, 0xcd, 0x01])
    }

    #[test]
    fn presentation_is_lowercase_hex() {
        assert_eq!(dane_ee().to_string(), "3 1 1 abcd01");
        let empty = Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::FULL, vec![]);
        assert_eq!(empty.to_string(), "3 1 0");
        assert_eq!(empty.to_generic().unwrap(), "\\# 3 030100");
    }

    #[test]
    fn generic_form_counts_rdata_bytes() {
        assert_eq!(dane_ee().to_generic().unwrap(), "\\# 6 030101abcd01");
    }

    #[test]
    fn zone_line() {
        assert_eq!(
            dane_ee().to_zone_line("_25._tcp.mx.example.com.", 3600),
            "_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 abcd01"
        );
    }

    #[test]
    fn json_has_numbers_hex_and_mnemonics() {
        let json = serde_json::to_string(&dane_ee()).unwrap();
        assert_eq!(
            json,
            r#"{"usage":3,"selector":1,"matching_type":1,"data":"abcd01","usage_mnemonic":"DANE-EE","selector_mnemonic":"SPKI","matching_type_mnemonic":"SHA2-256"}"#
        );
        assert_eq!(serde_json::from_str::<Tlsa>(&json).unwrap(), dane_ee());
        let odd = Tlsa::new(Usage::from_u8(9), Selector::SPKI, MatchingType::FULL, vec![]);
        assert_eq!(
            serde_json::to_string(&odd).unwrap(),
            r#"{"usage":9,"selector":1,"matching_type":0,"data":"","selector_mnemonic":"SPKI","matching_type_mnemonic":"Full"}"#
        );
        assert!(serde_json::from_str::<Tlsa>(r#"{"usage":3,"selector":1,"matching_type":1,"data":"abc"}"#).is_err());
        assert!(serde_json::from_str::<Tlsa>(r#"{"usage":256,"selector":1,"matching_type":1,"data":""}"#).is_err());
    }

    #[test]
    fn describe_names_what_is_pinned() {
        assert_eq!(
            dane_ee().describe(),
            "DANE-EE(3) SPKI(1) SHA2-256(1): the SHA-256 digest of the server's own public key; names and dates are not checked (RFC 7672 §3.1.1)"
        );
        let ta = Tlsa::new(Usage::DANE_TA, Selector::CERT, MatchingType::FULL, vec![1]);
        assert!(
            ta.describe()
                .starts_with("DANE-TA(2) Cert(0) Full(0): the exact bytes of the certificate of a trust anchor")
        );
        let odd = Tlsa::new(Usage::DANE_EE, Selector::from_u8(4), MatchingType::FULL, vec![1]);
        assert_eq!(
            odd.describe(),
            "DANE-EE(3) unassigned(4) Full(0): uses values no client implements, so clients ignore this record (RFC 7671 §4)"
        );
    }
}
