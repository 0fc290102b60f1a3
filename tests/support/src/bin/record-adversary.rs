//! Writes the recordings of [`geleit_test_support::attacks::RECORDED`] to
//! tests/data/adversary/<case>.json (replayed in wasm by
//! web/tests/browser.rs), or with `--readme` prints the catalogue table
//! of tests/adversary/README.md.
//!
//! `cargo run -p geleit-test-support --bin record-adversary [-- --readme]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

use std::path::PathBuf;

use geleit_test_support::attacks::{RECORDED, markdown_table};
use geleit_test_support::{catalogue, world};

fn main() {
    let cases = catalogue();
    if std::env::args().any(|a| a == "--readme") {
        print!("{}", markdown_table(&cases));
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/adversary");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for name in RECORDED {
        let case = cases.iter().find(|c| c.name == *name).unwrap_or_else(|| panic!("no case {name}"));
        let doc = case.recording(world());
        let path = dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| panic!("{e}")) + "\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("{}", path.display());
    }
}
