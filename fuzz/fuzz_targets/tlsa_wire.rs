//! The TLSA wire parser over arbitrary RDATA: it must never panic, and what it
//! accepts must compose back to the same bytes.
#![no_main]

use geleit::tlsa::Tlsa;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = Tlsa::parse(data) {
        assert_eq!(t.compose().as_deref(), Ok(data));
        let _ = t.to_string();
        let _ = t.describe();
        let _ = t.smtp_problems();
    }
});
