//! The TLSA text scanner over arbitrary input: it must never panic, and a
//! record it accepts must survive its own presentation form.
#![no_main]

use geleit::tlsa::{Tlsa, scan_record, scan_records};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Arbitrary bytes as text: invalid UTF-8 becomes U+FFFD, as a paste would.
    let text = String::from_utf8_lossy(data);
    for result in scan_records(&text) {
        match result {
            Ok(scanned) => {
                let t = scanned.record;
                if !t.data.is_empty() {
                    assert_eq!(Tlsa::scan(&t.to_string()).as_ref(), Ok(&t));
                }
                if let Ok(generic) = t.to_generic() {
                    assert_eq!(Tlsa::scan(&generic).as_ref(), Ok(&t));
                }
            }
            Err(err) => {
                let _ = err.to_string();
            }
        }
    }
    let _ = scan_record(&text);
});
