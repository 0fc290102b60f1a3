//! The other half of the mail-transport picture next to DANE: SMTP TLS
//! Reporting (RFC 8460) and MTA Strict Transport Security (RFC 8461).
//!
//! ```text
//!  TXT _smtp._tls.<domain> ──► tlsrpt::TlsRpt::select ──► where reports go
//!  TXT _mta-sts.<domain>   ──► sts::StsRecord::select ──► policy id
//!  policy body (bytes)     ──► sts::Policy::parse      ──► mode, max_age, mx patterns
//! ```
//!
//! Parsers only: they take bytes and never fetch; the check
//! ([`crate::check`]) asks for the records and the policy and decides what
//! they mean next to the DANE verdict.

pub mod assess;
pub mod fetch;
pub mod sts;
pub mod tlsrpt;
mod txt;

pub use assess::{MailPolicy, PolicyFinding, PolicyReported, TxtState, assess};
pub use fetch::{FETCH_TIMEOUT_MS, FetchFailure, FetchRequest, FetchResult};
pub use sts::{MAX_POLICY_BYTES, Mode, MxPattern, Policy, PolicyError, StsError, StsRecord};
pub use tlsrpt::{ReportUri, TlsRpt, TlsRptError};

#[cfg(test)]
mod proptests {
    //! No input makes a parser panic, and every accepted input keeps its invariants.
    use proptest::prelude::*;

    use super::*;

    /// Bytes biased towards the records' own alphabet.
    fn recordish() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![
                any::<u8>(),
                prop::sample::select(b"v=TLSRPTv1STS;id:rua,mailto@https://*. \t\r\nmxmodeenforce".to_vec()),
            ],
            0..300,
        )
    }

    proptest! {
        #[test]
        fn txt_parsers_never_panic(strings in prop::collection::vec(prop::collection::vec(recordish(), 0..3), 0..3)) {
            if let Ok(Some(r)) = TlsRpt::select(&strings) {
                prop_assert!(!r.rua.is_empty());
            }
            if let Ok(Some(r)) = StsRecord::select(&strings) {
                prop_assert!((1..=32).contains(&r.id.len()));
            }
        }

        #[test]
        fn policy_parser_never_panics(body in recordish(), prefix in any::<bool>()) {
            let mut bytes = if prefix { b"version: STSv1\nmode: testing\nmax_age: 86400\nmx: ".to_vec() } else { Vec::new() };
            bytes.extend(body);
            if let Ok(p) = Policy::parse(&bytes) {
                prop_assert!(p.max_age <= sts::MAX_AGE_LIMIT);
                prop_assert!(p.mode == Mode::None || !p.mx.is_empty());
            }
        }

        #[test]
        fn patterns_match_exactly_one_label(label in "[a-z0-9]{1,10}", extra in "[a-z0-9]{1,10}") {
            let p = MxPattern { pattern: "*.example.com".into() };
            let one_label = format!("{label}.example.com");
            let two_labels = format!("{extra}.{label}.example.com");
            prop_assert!(p.matches(&one_label));
            prop_assert!(!p.matches(&two_labels));
        }
    }
}
