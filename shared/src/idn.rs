//! Internationalised host names for display: an A-label (`xn--bcher-kva`)
//! as the U-label a user reads (`bücher`), by the one rule the CLI, the
//! edge, the app and the widget share ([`label_to_unicode`]).
//!
//! Punycode (RFC 3492) is implemented here, by the RFC's own algorithm
//! (§6.2 decoding, §6.3 encoding), rather than taken from the `idna`
//! crate, which the core still uses for UTS 46 mapping: `idna`'s encoder
//! sorts the code points, which links a copy of the standard library's
//! sort (about 2 KB gzip) into the web app's first module, where a label is
//! only ever decoded for display (issue 14). The RFC's encoder scans for
//! the next code point instead. A test compares both with `idna` on
//! generated input.

/// RFC 3492 §5: the Punycode parameters.
const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 0x80;

/// Longer input is refused: a DNS label holds at most 63 octets (RFC 1035
/// §2.3.4), and the RFC's algorithm is quadratic in the length.
const MAX_INPUT: usize = 255;

/// The U-label to show for an A-label (`xn--` and what follows, any case),
/// or `None` when it is none to show: not Punycode (RFC 3492), not the
/// label it decodes to encoded back (a second spelling of one name), or a
/// label that would mislead as text: all ASCII (no IDN at all), or holding
/// a control character, white space, an upper-case letter or a dot (one
/// label that reads like two). Such labels are shown in ASCII.
#[must_use]
pub fn label_to_unicode(label: &str) -> Option<String> {
    let prefix = label.get(..4)?;
    if !prefix.eq_ignore_ascii_case("xn--") {
        return None;
    }
    let puny = label.get(4..)?.to_ascii_lowercase();
    let u = decode(&puny)?;
    let misleading =
        u.is_ascii() || u.chars().any(|c| c.is_control() || c.is_whitespace() || c.is_uppercase() || c == '.');
    (!misleading && encode(&u).as_deref() == Some(puny.as_str())).then_some(u)
}

/// RFC 3492 §6.1.
fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points.max(1);
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

/// The threshold of digit position `k` (RFC 3492 §6.2, §6.3).
fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

/// RFC 3492 §5: `a`–`z` (either case) are 0–25, `0`–`9` are 26–35.
fn digit_value(b: u8) -> Option<u32> {
    match b {
        b'a'..=b'z' => Some(u32::from(b - b'a')),
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 26),
        _ => None,
    }
}

/// RFC 3492 §5, lower case.
fn digit_char(d: u32) -> Option<char> {
    match d {
        0..=25 => char::from_u32(u32::from(b'a') + d),
        26..=35 => char::from_u32(u32::from(b'0') + d - 26),
        _ => None,
    }
}

/// Decodes Punycode (the part after `xn--`) as RFC 3492 §6.2 does; `None`
/// for anything that is not Punycode, overflows, or is longer than 255
/// bytes.
#[must_use]
pub fn decode(input: &str) -> Option<String> {
    if input.len() > MAX_INPUT || !input.is_ascii() {
        return None;
    }
    // The basic code points come before the last delimiter, if there is one.
    // A delimiter first is no delimiter (then it is no digit either), as
    // the `idna` crate reads it.
    let (basic, rest) = match input.rfind('-') {
        Some(at) if at > 0 => (input.get(..at)?, input.get(at + 1..)?),
        _ => ("", input),
    };
    let mut out: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let mut digits = rest.bytes();
    while digits.len() > 0 {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let digit = digit_value(digits.next()?)?;
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = threshold(k, bias);
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = u32::try_from(out.len()).ok()? + 1;
        bias = adapt(i - old_i, len, old_i == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        // A basic code point may not be encoded (§6.2: "if n is a basic code point then fail").
        if n < INITIAL_N {
            return None;
        }
        out.insert(usize::try_from(i).ok()?, char::from_u32(n)?);
        i += 1;
    }
    Some(out.into_iter().collect())
}

/// Encodes `input` as Punycode (without `xn--`) as RFC 3492 §6.3 does;
/// `None` on overflow or input longer than 255 bytes.
#[must_use]
pub fn encode(input: &str) -> Option<String> {
    if input.len() > MAX_INPUT {
        return None;
    }
    let points: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = u32::try_from(out.len()).ok()?;
    let total = u32::try_from(points.len()).ok()?;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (INITIAL_N, 0u32, INITIAL_BIAS, basic);
    while handled < total {
        // The smallest code point not handled yet (no sort: a scan, as the RFC does).
        let m = points.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &points {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    out.push(digit_char(t + (q - t) % (BASE - t))?);
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit_char(q)?);
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_rfc_samples_decode_and_encode() {
        // RFC 3492 §7.1 (A) Arabic, (B) Chinese, (L) Japanese, and the usual ones.
        let samples = [
            ("egbpdaj6bu4bxfgehfvwxn", "ليهمابتكلموشعربي؟"),
            ("ihqwcrb4cv8a8dqg056pqjye", "他们为什么不说中文"),
            ("3B-ww4c5e180e575a65lsy2b", "3年B組金八先生"),
            ("bcher-kva", "bücher"),
            ("mnchen-3ya", "münchen"),
            ("abc-", "abc"),
            ("", ""),
        ];
        for (puny, text) in samples {
            assert_eq!(decode(puny).as_deref(), Some(text), "{puny}");
            assert_eq!(encode(text).map(|e| e.to_ascii_lowercase()), Some(puny.to_ascii_lowercase()), "{text}");
        }
    }

    #[test]
    fn labels_are_shown_in_unicode_only_when_they_read_as_what_they_are() {
        assert_eq!(label_to_unicode("xn--bcher-kva").as_deref(), Some("bücher"));
        assert_eq!(label_to_unicode("XN--BCHER-KVA").as_deref(), Some("bücher"));
        for label in [
            "bucher",                                                       // no A-label
            "xn--",                                                         // nothing encoded
            "xn--abc-",                                                     // all ASCII
            "xn--zz",                                                       // not Punycode
            "xn--bcher-kva-",                                               // not the encoding of what it decodes to
            &format!("xn--{}", encode("a.b\u{e9}").unwrap_or_default()),    // a dot inside
            &format!("xn--{}", encode("a b\u{e9}").unwrap_or_default()),    // white space
            &format!("xn--{}", encode("\u{1b}\u{e9}").unwrap_or_default()), // control
            &format!("xn--{}", encode("\u{dc}ber").unwrap_or_default()),    // upper case
        ] {
            assert_eq!(label_to_unicode(label), None, "{label}");
        }
    }

    #[test]
    fn hostile_input_is_refused_without_panics() {
        for bad in ["99999999999999", "zzzzzzzzzzzzzzzzzzzz", "a-\u{e9}", "-9", "a-!"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(decode(&"a".repeat(MAX_INPUT + 1)), None);
        assert_eq!(encode(&"\u{e9}".repeat(200)), None, "longer than 255 bytes");
        let far = "\u{10ffff}\u{e9}".repeat(40);
        assert_eq!(encode(&far).and_then(|p| decode(&p)), Some(far), "240 bytes, the largest code point");
    }

    fn label_text() -> impl Strategy<Value = String> {
        // Mostly letters, some ASCII, some far code points: what labels hold.
        let c = prop_oneof![
            4 => proptest::char::range('a', 'z'),
            1 => proptest::char::range('0', '9'),
            1 => Just('-'),
            4 => proptest::char::range('\u{a0}', '\u{24f}'),
            2 => proptest::char::range('\u{370}', '\u{9fff}'),
            1 => proptest::char::range('\u{10000}', '\u{10ffff}'),
            1 => any::<char>(),
        ];
        proptest::collection::vec(c, 0..30).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn encodes_and_decodes_as_the_idna_crate_does(text in label_text()) {
            let ours = encode(&text);
            prop_assert_eq!(&ours, &idna::punycode::encode_str(&text));
            if let Some(puny) = ours {
                prop_assert_eq!(decode(&puny), Some(text.clone()));
            }
        }

        #[test]
        fn decodes_any_ascii_as_the_idna_crate_does(puny in "[a-z0-9-]{0,40}") {
            prop_assert_eq!(decode(&puny), idna::punycode::decode_to_string(&puny));
        }
    }
}
