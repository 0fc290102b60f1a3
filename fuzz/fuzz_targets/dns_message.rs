//! Arbitrary bytes as the DoH answer to a lookup's first query, then as the
//! answer to every query of the next round: the message parser and the
//! validator must turn anything into an error or a proof, never a panic.
#![no_main]

use geleit::dns::{Config, Lookup, RecordType, parse_name};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(name) = parse_name("_25._tcp.mx.example.") else { return };
    let mut lookup = Lookup::new(name, RecordType::TLSA, Config::default(), 1_800_000_000);
    for _round in 0..2 {
        let queries = lookup.poll_queries();
        if queries.is_empty() {
            break;
        }
        for query in queries {
            let _ = lookup.handle_response(query.id(), data);
        }
    }
    let _ = lookup.is_done();
});
