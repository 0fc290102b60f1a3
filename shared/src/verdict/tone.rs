//! One severity scale for everything a face shows: a verdict, a finding, a
//! DNSSEC status. Decided here, once, from the typed values (never from the
//! words or codes a face prints), so the CLI, the web app and the widget
//! cannot colour the same state differently.
//!
//! ```text
//!  Verdict ──┐
//!  Severity ─┼─► Tone: Good · Info · Warning · Error · Neutral
//!  Status ───┘
//! ```
//!
//! `Neutral` is for states that say nothing about the domain (a check that
//! could not run, a probe that was not made); it is never a verdict colour.

use serde::{Deserialize, Serialize};

use super::{DomainVerdict, HostVerdict, Reported, Severity, Verdict};
use crate::dns::Status;

/// How a state looks, from best to worst; `Neutral` stands apart (nothing is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Authenticated, secure: nothing to do.
    Good,
    /// Worth knowing; nothing is broken.
    Info,
    /// Works today, but weaker than it should be or fragile (no DANE, unsigned).
    Warning,
    /// Mail is deferred, unauthenticated where DANE asks for it, or undeliverable.
    Error,
    /// Nothing is known (Geleit could not check): no verdict colour.
    Neutral,
}

impl Tone {
    /// The lowercase word, as serialised (and as the faces' style classes).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Good => "ok",
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Neutral => "neutral",
        }
    }

    /// How urgent, for ordering (errors first): Error 0, Warning 1, Neutral 2, Info 3, Good 4.
    #[must_use]
    pub const fn urgency(self) -> u8 {
        match self {
            Self::Error => 0,
            Self::Warning => 1,
            Self::Neutral => 2,
            Self::Info => 3,
            Self::Good => 4,
        }
    }

    /// Whether something is to be fixed (an error or a warning).
    #[must_use]
    pub const fn needs_fix(self) -> bool {
        matches!(self, Self::Error | Self::Warning)
    }
}

impl core::fmt::Display for Tone {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Severity {
    /// The tone of a finding of this severity.
    #[must_use]
    pub const fn tone(self) -> Tone {
        match self {
            Self::Error => Tone::Error,
            Self::Warning => Tone::Warning,
            Self::Info => Tone::Info,
        }
    }
}

impl Verdict {
    /// The tone of this verdict (RFC 7672 §2.2): deferred mail, unauthenticated
    /// mandatory TLS, no STARTTLS, no address or a failed probe are errors; no
    /// DANE, an unsigned MX RRset or hosts not checked are warnings; a null MX
    /// is information; a probe that was not made says nothing (neutral).
    #[must_use]
    pub const fn tone(self) -> Tone {
        match self {
            Self::Authenticated => Tone::Good,
            Self::Trusted | Self::Incomplete | Self::NoDane => Tone::Warning,
            Self::NullMx => Tone::Info,
            Self::NotProbed => Tone::Neutral,
            Self::TlsUnauthenticated
            | Self::NotAuthenticated
            | Self::NoStarttls
            | Self::Unreachable
            | Self::NoAddress
            | Self::Deferred
            | Self::NxDomain => Tone::Error,
        }
    }
}

/// The tone of a DNSSEC status (RFC 4035 §4.3): secure is good, insecure a
/// warning (no DANE), bogus and indeterminate errors (delivery is deferred).
#[must_use]
pub const fn status_tone(status: Status) -> Tone {
    match status {
        Status::Secure => Tone::Good,
        Status::Insecure => Tone::Warning,
        Status::Bogus | Status::Indeterminate => Tone::Error,
    }
}

impl Reported {
    /// The tone of this finding.
    #[must_use]
    pub const fn tone(&self) -> Tone {
        self.severity.tone()
    }
}

/// Tones from the most urgent to the least (see [`Tone::urgency`]).
const BY_URGENCY: [Tone; 5] = [Tone::Error, Tone::Warning, Tone::Neutral, Tone::Info, Tone::Good];

/// Severities from the most severe.
const BY_SEVERITY: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

// These walk the lists once per tone instead of sorting a vector of
// references: no allocation, and nothing generic the widget's default
// module would have to link.
impl HostVerdict {
    /// The host's findings and those of its addresses, most severe first
    /// (the order within one severity kept).
    pub fn all_findings(&self) -> impl Iterator<Item = &Reported> {
        BY_SEVERITY.into_iter().flat_map(move |severity| {
            self.findings
                .iter()
                .chain(self.addresses.iter().flat_map(|a| &a.findings))
                .filter(move |r| r.severity == severity)
        })
    }
}

impl DomainVerdict {
    /// The hosts in the order to show them: those with something to fix
    /// first, worst first, then the others; within one tone in the order of
    /// the MX RRset, by preference (as [`evaluate`](super::evaluate) keeps them).
    pub fn hosts_worst_first(&self) -> impl Iterator<Item = &HostVerdict> {
        BY_URGENCY.into_iter().flat_map(move |tone| self.hosts.iter().filter(move |h| h.verdict.tone() == tone))
    }

    /// The MX hosts with something to fix (an error or a warning), worst
    /// first, by preference within one tone.
    pub fn failing_hosts(&self) -> impl Iterator<Item = &HostVerdict> {
        self.hosts_worst_first().filter(|h| h.verdict.tone().needs_fix())
    }

    /// The fix to make first: of the most severe finding that has one, the
    /// domain's own before its hosts', failing hosts worst first. With the
    /// MX host it concerns (`None` for the domain's own findings). A note
    /// (the rollover advice) is no fix to make first.
    #[must_use]
    pub fn first_fix(&self) -> Option<(Option<&HostVerdict>, &Reported)> {
        [Severity::Error, Severity::Warning].into_iter().find_map(|severity| {
            let domain = self.findings.iter().map(|r| (None, r));
            let hosts = self.hosts_worst_first().flat_map(|h| h.all_findings().map(move |r| (Some(h), r)));
            domain.chain(hosts).find(|(_, r)| r.severity == severity && r.fix.is_some())
        })
    }
}
