//! Presentation-format text for TLSA records (RFC 6698 §2.2).
//!
//! A small private stand-in until the `tlsa` branch's scanner and presenter
//! land in `geleit::tlsa`.

// TODO(merge): replace with geleit::tlsa scan/present
use anyhow::{anyhow, bail};
use data_encoding::HEXLOWER;
use geleit::tlsa::{MatchingType, Selector, Tlsa, Usage};

/// `3 1 1 <hex>` (RFC 6698 §2.2).
pub fn rdata(record: &Tlsa) -> String {
    format!("{} {} {} {}", record.usage, record.selector, record.matching_type, HEXLOWER.encode(&record.data))
}

/// The RFC 3597 generic form `\# <len> <hex>` of the RDATA.
pub fn generic_rdata(record: &Tlsa) -> String {
    let mut wire = vec![record.usage.to_u8(), record.selector.to_u8(), record.matching_type.to_u8()];
    wire.extend_from_slice(&record.data);
    format!("\\# {} {}", wire.len(), HEXLOWER.encode(&wire))
}

fn field<T>(token: Option<&str>, what: &str, num: fn(u8) -> T, mnemonic: fn(&str) -> Option<T>) -> anyhow::Result<T> {
    let token = token.ok_or_else(|| anyhow!("expected a {what} field, found the end of the record"))?;
    if let Ok(n) = token.parse::<u8>() {
        return Ok(num(n));
    }
    mnemonic(token).ok_or_else(|| anyhow!("expected a {what} number (0-255) or mnemonic, found {token:?}"))
}

/// Scans `3 1 1 <hex>`, also with RFC 7218 mnemonics, hex split by spaces,
/// parentheses, or a whole zone-file line (`… IN TLSA 3 1 1 <hex>`).
pub fn scan(text: &str) -> anyhow::Result<Tlsa> {
    let text = text.split(';').next().unwrap_or("").replace(['(', ')'], " ");
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let start = tokens.iter().position(|t| t.eq_ignore_ascii_case("TLSA")).map_or(0, |i| i + 1);
    let mut it = tokens.get(start..).unwrap_or(&[]).iter().copied();
    let usage = field(it.next(), "usage", Usage::from_u8, Usage::from_mnemonic)?;
    let selector = field(it.next(), "selector", Selector::from_u8, Selector::from_mnemonic)?;
    let matching_type = field(it.next(), "matching type", MatchingType::from_u8, MatchingType::from_mnemonic)?;
    let hex: String = it.collect::<Vec<_>>().concat();
    if hex.is_empty() {
        bail!("expected certificate association data in hex, found none");
    }
    let data = HEXLOWER
        .decode(hex.to_ascii_lowercase().as_bytes())
        .map_err(|e| anyhow!("expected certificate association data in hex, found {} ({} digits)", e.kind, hex.len()))?;
    Ok(Tlsa::new(usage, selector, matching_type, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_forms() {
        let r = scan("_25._tcp.mx. 3600 IN TLSA ( 3 1 1 AB cd ) ; x").unwrap();
        assert_eq!(rdata(&r), "3 1 1 abcd");
        assert_eq!(generic_rdata(&r), "\\# 5 030101abcd");
        assert_eq!(rdata(&scan("DANE-TA SPKI SHA2-256 00").unwrap()), "2 1 1 00");
        assert!(scan("3 1 1 abc").is_err());
        assert!(scan("3 1").is_err());
    }
}
