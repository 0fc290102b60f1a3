//! The result of a command, mapped to the CLI's stable exit codes.

use std::process::ExitCode;

/// How a command ended; see the exit-code table in `main.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: success, or the check authenticated.
    Success,
    /// Exit 1: not authenticated, or records unusable.
    Failure,
    /// Exit 2: usage or input error.
    Error,
    /// Exit 3: could not decide: Geleit's DNS resolver could not be reached,
    /// so nothing is known about the domain (never a DNSSEC verdict).
    ResolverUnreachable,
    /// `--format nagios`: the Monitoring Plugins state is the exit code
    /// (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    Monitor(geleit::monitor::State),
}

impl Outcome {
    /// The process exit code for this outcome.
    #[must_use]
    pub fn exit_code(self) -> ExitCode {
        match self {
            Self::Success => ExitCode::SUCCESS,
            Self::Failure => ExitCode::from(1),
            Self::Error => ExitCode::from(2),
            Self::ResolverUnreachable => ExitCode::from(3),
            Self::Monitor(state) => ExitCode::from(state.code()),
        }
    }

    /// Success when `ok`, otherwise failure.
    #[must_use]
    pub fn from_ok(ok: bool) -> Self {
        if ok { Self::Success } else { Self::Failure }
    }
}
