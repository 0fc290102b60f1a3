//! The browser's check: the core's `DomainCheck` run by the one driver
//! ([`crate::drive::drive`]) over fetch: DoH for the queries
//! ([`super::doh`]), the edge's `/api/probe` for the targets
//! ([`super::probe`]). The web app and the widget's engine both call [`run`].

use std::future::Future;

use geleit::check::CheckOutcome;
use geleit::dns::Query;
use geleit::smtp::HostReport;
use geleit::verdict::ProbeTarget;

use super::{doh, probe};
use crate::drive::{self, Step, Transport};
use crate::state::Settings;

/// DoH and the edge, as the settings name them.
struct Fetch<'a> {
    doh: String,
    settings: &'a Settings,
}

impl Transport for Fetch<'_> {
    fn doh(&self, query: &Query) -> impl Future<Output = Result<Vec<u8>, String>> {
        doh::fetch(&self.doh, query)
    }

    fn probe(&self, target: &ProbeTarget) -> impl Future<Output = Result<HostReport, String>> {
        probe::probe(target, self.settings)
    }
}

/// Checks `domain` (A-labels) at Unix time `now` with `settings` (DoH
/// endpoint, edge, trust anchor), reporting every [`Step`] to `on_step`.
///
/// # Errors
/// Bad settings (trust anchor) or a name the core rejects, in words; an
/// unreachable resolver is an outcome, not an error.
pub async fn run(
    domain: &str,
    settings: &Settings,
    now: i64,
    on_step: impl FnMut(Step),
) -> Result<CheckOutcome, String> {
    let check = drive::domain_check(domain, settings, now)?;
    let transport = Fetch { doh: settings.doh_url(), settings };
    drive::drive(check, &transport, on_step).await
}
