//! Certificate input (PEM or DER, any mix of blocks and garbage) through
//! generation and matching: nothing may panic, whatever the bytes.
#![no_main]

use geleit::cert::read_input;
use geleit::dane::{Check, ReferenceNames, check};
use geleit::tlsa_gen::generate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = read_input(data) else { return };
    let generated = generate(&input);
    let records: Vec<_> = generated.records.iter().map(|r| r.record.clone()).collect();
    let chain: Vec<&[u8]> = input.certificates().map(|c| c.der()).collect();
    let Ok(names) = ReferenceNames::new(&["mx.example.com"]) else { return };
    let _ = check(&chain, &records, Check { names: &names, now: 1_800_000_000, look_ahead_days: Some(30) });
    // Raw DER of each object, matched as a one-certificate chain against the records too.
    let _ = check(&[data], &records, Check { names: &names, now: 0, look_ahead_days: None });
});
