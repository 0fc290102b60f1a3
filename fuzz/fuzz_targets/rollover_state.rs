//! The rollover's state file (JSON, any bytes): `State::parse` never panics;
//! an accepted file writes back to JSON that parses to the same state, and a
//! decision over it (no DNS reports: every host undecided) never panics.
#![no_main]

use geleit::rollover::{Stage, State, decide};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(state) = State::parse(data, NOW) else { return };
    let again = State::parse(state.to_json().as_bytes(), NOW);
    assert_eq!(again.as_ref(), Ok(&state), "the state written back parses to the same state");
    for live in [state.current().spki(), state.next().spki()] {
        let (report, next) = decide(&state, live, &[], NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.stage, Stage::Undecided, "nothing looked up is never a go");
        assert_eq!(next, state, "nothing looked up changes nothing");
    }
});
