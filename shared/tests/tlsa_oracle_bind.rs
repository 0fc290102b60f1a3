//! Interoperability with BIND, the reference zone-file reader: BIND must load
//! the presentation, generic and zone-line forms Geleit writes, and Geleit
//! must scan what BIND writes back (upper-case hex split by spaces, tabs).
//! Needs `named-compilezone` (Debian bind9-utils, installed by scripts/setup.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::collections::BTreeMap;
use std::process::Command;

use geleit::tlsa::{MatchingType, Selector, Tlsa, Usage, owner::Protocol, scan_records, tlsa_owner};

/// A fixed spread of records: every usage/selector/matching type of note and
/// data lengths that make BIND split its hex output.
fn records() -> Vec<Tlsa> {
    let mut state: u32 = 0x2545_f491;
    let mut byte = move || {
        // xorshift32: deterministic filler bytes.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state.to_be_bytes()[0]
    };
    let mut out = Vec::new();
    for (i, (u, s, m, len)) in [
        (3, 1, 1, 32),
        (3, 0, 1, 32),
        (2, 1, 2, 64),
        (2, 0, 0, 300),
        (1, 1, 1, 31),
        (0, 0, 2, 64),
        (255, 255, 255, 1),
        (7, 9, 200, 5),
    ]
    .into_iter()
    .enumerate()
    {
        let data: Vec<u8> = (0..len + i).map(|_| byte()).collect();
        out.push(Tlsa::new(Usage::from_u8(u), Selector::from_u8(s), MatchingType::from_u8(m), data));
    }
    out
}

#[test]
fn bind_loads_what_geleit_writes_and_geleit_scans_what_bind_writes() {
    let records = records();
    let mut zone = String::from(
        "$TTL 3600\n@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300\n@ IN NS ns.example.com.\nns IN A 192.0.2.1\n",
    );
    let mut expected = BTreeMap::new();
    for (i, t) in records.iter().enumerate() {
        let presentation_owner = tlsa_owner(&format!("mx{i}.example.com"), 25, Protocol::Tcp).unwrap();
        zone.push_str(&t.to_zone_line(&presentation_owner, 300));
        zone.push('\n');
        let generic_owner = tlsa_owner(&format!("g{i}.example.com"), 25, Protocol::Tcp).unwrap();
        zone.push_str(&format!("{generic_owner} 300 IN TYPE52 {}\n", t.to_generic().unwrap()));
        expected.insert(presentation_owner, t.clone());
        expected.insert(generic_owner, t.clone());
    }
    let dir = std::env::temp_dir().join(format!("geleit-bind-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("example.com.zone");
    std::fs::write(&input, &zone).unwrap();
    let output = Command::new("named-compilezone")
        .args(["-q", "-o", "-", "example.com"])
        .arg(&input)
        .output()
        .expect("named-compilezone (bind9-utils) is installed; run scripts/setup.sh");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(output.status.success(), "BIND rejected the zone:\n{}", String::from_utf8_lossy(&output.stderr));
    let dumped = String::from_utf8(output.stdout).unwrap();

    let mut found = BTreeMap::new();
    for result in scan_records(&dumped) {
        match result {
            Ok(scanned) => {
                found.insert(scanned.owner.clone().unwrap(), scanned.record);
            }
            // SOA, NS and A lines are not TLSA records; the scanner says so and goes on.
            Err(err) => assert!(err.to_string().contains("expected record type TLSA"), "{err}"),
        }
    }
    assert_eq!(found, expected, "BIND's dump:\n{dumped}");
}
