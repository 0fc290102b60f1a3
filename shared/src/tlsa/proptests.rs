//! Property tests: every text and wire form round-trips, and no input makes
//! the scanner or the wire parser panic.

use proptest::prelude::*;

use super::scan::{Class, scan_record, scan_records};
use super::wire::MAX_RDATA_LEN;
use super::{MatchingType, Selector, Tlsa, Usage, tlsa_owner};
use crate::tlsa::owner::Protocol;

/// Any record, with any registry values, and 0..200 bytes of data.
fn any_tlsa(min_data: usize) -> impl Strategy<Value = Tlsa> {
    (any::<u8>(), any::<u8>(), any::<u8>(), prop::collection::vec(any::<u8>(), min_data..200))
        .prop_map(|(u, s, m, data)| Tlsa::new(Usage::from_u8(u), Selector::from_u8(s), MatchingType::from_u8(m), data))
}

/// Host names that `tlsa_owner` accepts: 1-4 LDH labels, the last not numeric.
fn any_host() -> impl Strategy<Value = String> {
    (prop::collection::vec("[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", 0..3), "[a-z]([a-z0-9-]{0,10}[a-z0-9])?").prop_map(
        |(mut labels, last)| {
            labels.push(last);
            labels.join(".")
        },
    )
}

/// Splits a hex string with white space, newlines inside parentheses and comments.
fn splice(hex: &str, cuts: &[usize]) -> String {
    let mut out = String::new();
    let mut last = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (hex.len() + 1)).collect();
    cuts.sort_unstable();
    for (i, cut) in cuts.into_iter().enumerate() {
        out.push_str(&hex[last..cut]);
        out.push_str(if i % 2 == 0 { " " } else { " ; note\n\t" });
        last = cut;
    }
    out.push_str(&hex[last..]);
    out
}

proptest! {
    #[test]
    fn scan_of_presentation_is_identity(t in any_tlsa(1)) {
        prop_assert_eq!(Tlsa::scan(&t.to_string()), Ok(t));
    }

    #[test]
    fn scan_of_split_and_commented_data_is_identity(t in any_tlsa(1), cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        let hex = super::to_hex(&t.data);
        let text = format!("{} {} {} ( {} )", t.usage, t.selector, t.matching_type, splice(&hex, &cuts));
        prop_assert_eq!(Tlsa::scan(&text), Ok(t));
    }

    #[test]
    fn scan_of_mnemonics_is_identity(t in any_tlsa(1)) {
        let name = |m: Option<&str>, n: u8| m.map_or_else(|| n.to_string(), str::to_owned);
        let text = format!(
            "{} {} {} {}",
            name(t.usage.mnemonic(), t.usage.to_u8()),
            name(t.selector.mnemonic(), t.selector.to_u8()),
            name(t.matching_type.mnemonic(), t.matching_type.to_u8()).to_lowercase(),
            super::to_hex(&t.data).to_uppercase()
        );
        prop_assert_eq!(Tlsa::scan(&text), Ok(t));
    }

    #[test]
    fn parse_of_compose_is_identity(t in any_tlsa(0)) {
        let wire = t.compose().unwrap();
        prop_assert_eq!(wire.len(), t.compose_len());
        prop_assert_eq!(Tlsa::parse(&wire), Ok(t));
    }

    #[test]
    fn compose_of_parse_is_identity(rdata in prop::collection::vec(any::<u8>(), 3..300)) {
        let t = Tlsa::parse(&rdata).unwrap();
        prop_assert_eq!(t.compose().unwrap(), rdata);
    }

    #[test]
    fn generic_round_trip(t in any_tlsa(0)) {
        let text = t.to_generic().unwrap();
        let s = scan_record(&text).unwrap();
        prop_assert!(s.generic);
        prop_assert_eq!(s.record, t);
    }

    #[test]
    fn zone_line_round_trip(t in any_tlsa(1), host in any_host(), port in any::<u16>(), ttl in 0..=super::scan::MAX_TTL) {
        let owner = tlsa_owner(&host, port, Protocol::Tcp).unwrap();
        let line = t.to_zone_line(&owner, ttl);
        let s = scan_record(&line).unwrap();
        prop_assert_eq!(s.owner.as_deref(), Some(owner.as_str()));
        prop_assert_eq!(s.ttl, Some(ttl));
        prop_assert_eq!(s.class, Some(Class::IN));
        prop_assert_eq!(s.record, t);
    }

    #[test]
    fn many_records_scan_one_by_one(ts in prop::collection::vec(any_tlsa(1), 0..8)) {
        let text: String = ts.iter().map(|t| format!("{t} ; comment\n\n")).collect();
        let got: Vec<Tlsa> = scan_records(&text).map(|r| r.map(|s| s.record)).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(got, ts);
    }

    #[test]
    fn scanner_never_panics_on_any_string(text in any::<String>()) {
        let _ = scan_record(&text);
        for result in scan_records(&text).take(10_000) {
            if let Err(e) = result {
                let _ = e.to_string();
            }
        }
    }

    #[test]
    fn scanner_never_panics_on_zone_like_text(text in r#"[ \t\n();\\#"$._a-zA-Z0-9éß-]{0,120}"#) {
        let _ = scan_record(&text).map_err(|e| e.to_string());
        let _ = scan_records(&text).count();
    }

    #[test]
    fn wire_parser_never_panics(rdata in prop::collection::vec(any::<u8>(), 0..600)) {
        match Tlsa::parse(&rdata) {
            Ok(t) => prop_assert_eq!(t.compose_len(), rdata.len()),
            Err(e) => prop_assert!(rdata.len() < 3 || rdata.len() > MAX_RDATA_LEN, "{e}"),
        }
    }

    #[test]
    fn json_round_trip(t in any_tlsa(0)) {
        let json = serde_json::to_string(&t).unwrap();
        prop_assert_eq!(serde_json::from_str::<Tlsa>(&json).unwrap(), t);
    }
}
