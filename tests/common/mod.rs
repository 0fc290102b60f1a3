//! Helpers shared by the CLI integration tests.

#![allow(dead_code)]

use std::process::Command;

/// What a run of the `geleit` binary produced.
#[derive(Debug)]
pub struct Run {
    /// Standard output, as UTF-8.
    pub stdout: String,
    /// Standard error, as UTF-8.
    pub stderr: String,
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
}

/// Runs the `geleit` binary built for this test with `args`.
pub fn geleit<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = Command::new(env!("CARGO_BIN_EXE_geleit")).args(args).output().expect("geleit runs");
    Run {
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        code: output.status.code(),
    }
}
