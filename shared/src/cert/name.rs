//! Distinguished names as text (RFC 5280 §4.1.2.4), e.g. `CN=mx.example, O=Example`.
//!
//! The same text x509-parser's `Display` for `X509Name` writes for the usual
//! attribute types (RDNs joined by `, `, multi-valued RDNs by ` + `, string
//! values as they are, other values as upper-case hex), but from a small table
//! of attribute types instead of x509-parser's OID registry, which would put
//! hundreds of OID names into the web app. Attribute types outside the table
//! are shown as a dotted OID (`2.5.4.97=…`).

use x509_parser::der_parser::asn1_rs::{Any, Tag};
use x509_parser::x509::X509Name;

/// Short names of attribute types (RFC 4519 §2, RFC 4514 §3 and PKCS #9), by
/// the OID's content octets (DER without tag and length).
const ATTRIBUTE_TYPES: &[(&[u8], &str)] = &[
    (&[0x55, 0x04, 0x03], "CN"),
    (&[0x55, 0x04, 0x04], "surname"),
    (&[0x55, 0x04, 0x05], "serialNumber"),
    (&[0x55, 0x04, 0x06], "C"),
    (&[0x55, 0x04, 0x07], "L"),
    (&[0x55, 0x04, 0x08], "ST"),
    (&[0x55, 0x04, 0x09], "streetAddress"),
    (&[0x55, 0x04, 0x0a], "O"),
    (&[0x55, 0x04, 0x0b], "OU"),
    (&[0x55, 0x04, 0x0c], "title"),
    (&[0x55, 0x04, 0x0d], "description"),
    (&[0x55, 0x04, 0x0f], "businessCategory"),
    (&[0x55, 0x04, 0x11], "postalCode"),
    (&[0x55, 0x04, 0x29], "name"),
    (&[0x55, 0x04, 0x2a], "givenName"),
    (&[0x55, 0x04, 0x2b], "initials"),
    (&[0x55, 0x04, 0x2e], "dnQualifier"),
    // 0.9.2342.19200300.100.1.1 (RFC 4519 §2.39) and .25 (§2.4)
    (&[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01], "uid"),
    (&[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19], "DC"),
    // 1.2.840.113549.1.9.1 (PKCS #9 emailAddress)
    (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01], "Email"),
    // 1.3.6.1.4.1.311.60.2.1.1 to .3 (EV certificates: jurisdiction of incorporation)
    (&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x01], "msJurisdictionLocality"),
    (&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x02], "msJurisdictionStateOrProvince"),
    (&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03], "msJurisdictionCountry"),
];

/// The text of a distinguished name; `<X509Error: Invalid X.509 name>` (as
/// x509-parser writes) when a value is not valid in its string type.
pub(super) fn name_text(name: &X509Name<'_>) -> String {
    let mut out = String::new();
    for (i, rdn) in name.iter_rdn().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                out.push_str(" + ");
            }
            let oid = attr.attr_type();
            match ATTRIBUTE_TYPES.iter().find(|(raw, _)| *raw == oid.as_bytes()) {
                Some((_, short)) => out.push_str(short),
                None => out.push_str(&oid.to_id_string()),
            }
            out.push('=');
            if !push_value(&mut out, attr.attr_value()) {
                return "<X509Error: Invalid X.509 name>".to_owned();
            }
        }
    }
    out
}

/// Appends an attribute value: string types as text, BMPString from UTF-16,
/// anything else as upper-case hex of its content.
fn push_value(out: &mut String, value: &Any<'_>) -> bool {
    match value.tag() {
        Tag::NumericString
        | Tag::VisibleString
        | Tag::PrintableString
        | Tag::GeneralString
        | Tag::ObjectDescriptor
        | Tag::GraphicString
        | Tag::T61String
        | Tag::VideotexString
        | Tag::Utf8String
        | Tag::Ia5String => match core::str::from_utf8(value.data) {
            Ok(s) => out.push_str(s),
            Err(_) => return false,
        },
        Tag::BmpString => {
            if !value.data.len().is_multiple_of(2) {
                return false;
            }
            let units = value.data.chunks_exact(2).filter_map(|p| <[u8; 2]>::try_from(p).ok()).map(u16::from_be_bytes);
            for c in char::decode_utf16(units) {
                match c {
                    Ok(c) => out.push(c),
                    Err(_) => return false,
                }
            }
        }
        _ => {
            for b in value.data {
                out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
                out.push(char::from(HEX_UPPER[usize::from(b & 0xf)]));
            }
        }
    }
    true
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;
    use geleit_test_support::certs::Spec;
    use geleit_test_support::certs::rcgen::string::{BmpString, PrintableString};
    use geleit_test_support::certs::rcgen::{DistinguishedName, DnType, DnValue};
    use x509_parser::prelude::{FromDer, X509Certificate};

    fn subject_of(dn: DistinguishedName) -> (String, String) {
        let der = Spec::leaf("mx.example.com", &["mx.example.com"]).subject(dn).self_signed().der;
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        (name_text(cert.subject()), cert.subject().to_string())
    }

    #[test]
    fn same_text_as_x509_parser_for_the_table() {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, DnValue::PrintableString(PrintableString::try_from("DE").unwrap()));
        dn.push(DnType::StateOrProvinceName, "Berlin");
        dn.push(DnType::LocalityName, "Berlin");
        dn.push(DnType::OrganizationName, DnValue::BmpString(BmpString::try_from("Grüße GmbH").unwrap()));
        dn.push(DnType::OrganizationalUnitName, "Mail");
        dn.push(DnType::CommonName, "mx.example.com");
        for arc in [4u64, 5, 9, 12, 13, 15, 17, 41, 42, 43, 46] {
            dn.push(DnType::CustomDnType(vec![2, 5, 4, arc]), format!("v{arc}"));
        }
        dn.push(DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 1]), "jdoe");
        dn.push(DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25]), "example");
        dn.push(
            DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]),
            DnValue::Ia5String("a@example.com".try_into().unwrap()),
        );
        for arc in [1u64, 2, 3] {
            dn.push(DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 311, 60, 2, 1, arc]), "DE");
        }
        let (ours, theirs) = subject_of(dn);
        assert_eq!(ours, theirs);
        assert!(
            ours.starts_with("C=DE, ST=Berlin, L=Berlin, O=Grüße GmbH, OU=Mail, CN=mx.example.com, surname=v4"),
            "{ours}"
        );
    }

    #[test]
    fn unknown_types_as_dotted_oid() {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "mx.example.com");
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 97]), "VATDE-123");
        let (ours, theirs) = subject_of(dn);
        assert_eq!(ours, "CN=mx.example.com, 2.5.4.97=VATDE-123");
        assert_eq!(theirs, "CN=mx.example.com, OID(2.5.4.97)=VATDE-123");
    }
}
