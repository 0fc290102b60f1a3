//! Serves the signed test world (`geleit_test_support::world`, signed for
//! validation at [`NOW`]) over DoH on loopback, for benchmarks and manual
//! runs without the lab: writes the trust anchor and the world's mail
//! domains (one a line) and prints the endpoint URL, then serves until
//! killed.
//!
//! `cargo run --release -p geleit-test-support --bin serve-world -- DIR`
//! writes DIR/anchor.ds and DIR/domains.txt; then
//! `geleit check --from DIR/domains.txt --no-probe --doh URL --trust-anchor DIR/anchor.ds --at 1800000000`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::path::PathBuf;

use geleit_test_support::zone::name;
use geleit_test_support::{NOW, doh, world};
use hickory_proto::rr::RecordType;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_owned()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let w = world();
    std::fs::write(dir.join("anchor.ds"), &w.anchor).unwrap_or_else(|e| panic!("anchor.ds: {e}"));
    // The mail domains: every name of the world with an MX RRset.
    let mut domains: Vec<String> = w
        .zones
        .iter()
        .flat_map(|z| {
            z.rrsets.iter().filter(|(_, types)| types.contains_key(&u16::from(RecordType::MX))).map(|(n, _)| n.clone())
        })
        .map(|n| n.to_ascii().trim_end_matches('.').to_owned())
        .collect();
    domains.sort();
    domains.dedup();
    std::fs::write(dir.join("domains.txt"), domains.join("\n") + "\n").unwrap_or_else(|e| panic!("domains.txt: {e}"));
    let url = doh::serve(move |qname, qtype, _| {
        let rtype: RecordType = qtype.parse().ok()?;
        Some(w.answer(&name(qname), rtype).to_wire())
    });
    println!("{url} (validation time {NOW}; {} mail domains in {})", domains.len(), dir.join("domains.txt").display());
    loop {
        std::thread::park();
    }
}
