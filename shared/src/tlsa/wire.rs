//! The TLSA RDATA wire format (RFC 6698 §2.1): `parse` reads it, `compose`
//! writes it.
//!
//! ```text
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! |  Cert. Usage  |   Selector    | Matching Type |               /
//! /                 Certificate Association Data                  /
//! ```
//!
//! The three registry octets are kept whatever their value (an unassigned
//! value is carried and later reported as unusable, RFC 7671 §4); the data is
//! everything after them, bounded by [`MAX_DATA_LEN`].

use core::fmt;

use super::{MatchingType, Selector, Tlsa, Usage};

/// Bytes before the certificate association data: usage, selector, matching type.
pub const HEADER_LEN: usize = 3;

/// Largest RDATA a resource record can carry: RDLENGTH is 16 bits (RFC 1035 §3.2.1).
pub const MAX_RDATA_LEN: usize = 65_535;

/// Largest certificate association data that fits in one TLSA RDATA.
pub const MAX_DATA_LEN: usize = MAX_RDATA_LEN - HEADER_LEN;

/// Why TLSA RDATA could not be read or written.
/// Not `#[non_exhaustive]`: the web faces word every variant in each language,
/// and a variant added without its words must not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// Fewer than the three header octets (RFC 6698 §2.1).
    Short {
        /// Bytes present.
        found: usize,
    },
    /// More bytes than RDLENGTH can describe (RFC 1035 §3.2.1).
    TooLong {
        /// Bytes present (RDATA when parsing, data when composing).
        found: usize,
        /// The limit that applies.
        max: usize,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Short { found } => write!(
                f,
                "expected at least {HEADER_LEN} bytes of TLSA rdata (usage, selector, matching type), found {found} (RFC 6698 §2.1)"
            ),
            Self::TooLong { found, max } => {
                write!(
                    f,
                    "expected at most {max} bytes, found {found} (RFC 1035 §3.2.1 limits rdata to {MAX_RDATA_LEN})"
                )
            }
        }
    }
}

impl std::error::Error for WireError {}

impl Tlsa {
    /// Reads TLSA RDATA (RFC 6698 §2.1). Every value of the three registry
    /// octets is accepted; the rest of `rdata` is the certificate association
    /// data, which may be empty (its usability is judged by
    /// [`Tlsa::smtp_problems`], not here).
    ///
    /// # Errors
    /// [`WireError::Short`] below three bytes, [`WireError::TooLong`] above
    /// [`MAX_RDATA_LEN`].
    pub fn parse(rdata: &[u8]) -> Result<Self, WireError> {
        if rdata.len() > MAX_RDATA_LEN {
            return Err(WireError::TooLong { found: rdata.len(), max: MAX_RDATA_LEN });
        }
        match rdata {
            [usage, selector, matching_type, data @ ..] => Ok(Self::new(
                Usage::from_u8(*usage),
                Selector::from_u8(*selector),
                MatchingType::from_u8(*matching_type),
                data.to_vec(),
            )),
            _ => Err(WireError::Short { found: rdata.len() }),
        }
    }

    /// The length of this record's RDATA on the wire.
    #[must_use]
    pub fn compose_len(&self) -> usize {
        self.data.len().saturating_add(HEADER_LEN)
    }

    /// Appends this record's RDATA (RFC 6698 §2.1) to `target`.
    ///
    /// # Errors
    /// [`WireError::TooLong`] when the data exceeds [`MAX_DATA_LEN`]; nothing
    /// is written then.
    pub fn compose_into(&self, target: &mut Vec<u8>) -> Result<(), WireError> {
        if self.data.len() > MAX_DATA_LEN {
            return Err(WireError::TooLong { found: self.data.len(), max: MAX_DATA_LEN });
        }
        target.reserve(self.compose_len());
        target.extend_from_slice(&[self.usage.to_u8(), self.selector.to_u8(), self.matching_type.to_u8()]);
        target.extend_from_slice(&self.data);
        Ok(())
    }

    /// This record's RDATA (RFC 6698 §2.1).
    ///
    /// # Errors
    /// [`WireError::TooLong`] when the data exceeds [`MAX_DATA_LEN`].
    pub fn compose(&self) -> Result<Vec<u8>, WireError> {
        let mut out = Vec::new();
        self.compose_into(&mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_compose_round_trip() {
        let rdata = [3, 1, 1, 0xab, 0xcd];
        let tlsa = Tlsa::parse(&rdata).unwrap();
        assert_eq!(tlsa, Tlsa::new(Usage::DANE_EE, Selector::SPKI, MatchingType::SHA2_256, vec![0xab, 0xcd]));
        assert_eq!(tlsa.compose().unwrap(), rdata);
        assert_eq!(tlsa.compose_len(), 5);
    }

    #[test]
    fn unassigned_values_and_empty_data_are_kept() {
        let tlsa = Tlsa::parse(&[200, 7, 255]).unwrap();
        assert_eq!(tlsa.usage.to_u8(), 200);
        assert!(tlsa.data.is_empty());
        assert_eq!(tlsa.compose().unwrap(), [200, 7, 255]);
    }

    #[test]
    fn short_rdata_is_an_error() {
        for n in 0..3 {
            assert_eq!(Tlsa::parse(&[3; 3][..n]), Err(WireError::Short { found: n }));
        }
        assert_eq!(
            WireError::Short { found: 2 }.to_string(),
            "expected at least 3 bytes of TLSA rdata (usage, selector, matching type), found 2 (RFC 6698 §2.1)"
        );
    }

    #[test]
    fn length_limits() {
        let max = vec![0u8; MAX_RDATA_LEN];
        assert_eq!(Tlsa::parse(&max).unwrap().data.len(), MAX_DATA_LEN);
        let over = vec![0u8; MAX_RDATA_LEN + 1];
        assert_eq!(Tlsa::parse(&over), Err(WireError::TooLong { found: MAX_RDATA_LEN + 1, max: MAX_RDATA_LEN }));
        let big = Tlsa::new(Usage::DANE_EE, Selector::CERT, MatchingType::FULL, vec![0; MAX_DATA_LEN + 1]);
        let mut out = vec![9];
        assert_eq!(big.compose_into(&mut out), Err(WireError::TooLong { found: MAX_DATA_LEN + 1, max: MAX_DATA_LEN }));
        assert_eq!(out, [9], "nothing written on error");
    }
}
