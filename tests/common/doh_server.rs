//! A DoH server answering from a recording (tests/data/dns), for offline CLI
//! tests: the support crate's RFC 8484 server (tests/support/src/doh.rs)
//! with a lookup in the recording as its handler.

#![allow(dead_code)]

use std::collections::HashMap;

/// Starts the server on a free port; returns the endpoint URL. The thread
/// lives as long as the test process.
pub fn serve(responses: HashMap<(String, String), Vec<u8>>) -> String {
    geleit_test_support::doh::serve(move |name, rtype, _| responses.get(&(name.to_owned(), rtype.to_owned())).cloned())
}
