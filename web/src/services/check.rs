//! The browser's check: the core's `DomainCheck` run by the one driver
//! ([`crate::drive::drive`]) over fetch: DoH for the queries
//! ([`super::doh`]), the edge's `/api/probe` for the targets
//! ([`super::probe`]) and its `/api/sts-policy` for the MTA-STS policy
//! ([`super::policy`]). The web app and the widget's engine both call [`run`].

use std::cell::RefCell;

use geleit::check::{CheckOutcome, FetchRequest, FetchResult};
use geleit::dns::Query;
use geleit::smtp::HostReport;
use geleit::verdict::ProbeTarget;

use super::{doh, policy, probe};
use crate::drive::{self, DriveError, Recorded, Step, Transport};
use crate::state::Settings;

/// DoH and the edge, as the settings name them, noting what they bring;
/// or, without them, a kept check's answers. One transport type for both,
/// so the driver is built once into the wasm.
struct Page<'a> {
    live: Option<Fetch<'a>>,
    kept: RefCell<Recorded>,
}

struct Fetch<'a> {
    doh: String,
    settings: &'a Settings,
    /// Told of each wait after the edge's 429: host, seconds left.
    on_wait: OnWait,
}

type OnWait = Box<dyn Fn(&str, u64)>;

impl Transport for Page<'_> {
    async fn doh(&self, query: &Query) -> Result<Vec<u8>, DriveError> {
        let Some(live) = &self.live else { return self.kept.borrow().dns_for(query) };
        let answer = doh::fetch(&live.doh, query).await;
        if let Ok(bytes) = &answer {
            self.kept.borrow_mut().dns_answer(query, bytes);
        }
        answer
    }

    async fn probe(&self, target: &ProbeTarget) -> Result<HostReport, DriveError> {
        let Some(live) = &self.live else { return self.kept.borrow().probe_for(target) };
        let result = probe::probe(target, live.settings, &*live.on_wait).await;
        self.kept.borrow_mut().probe_result(target, &result);
        result
    }

    async fn fetch_policy(&self, request: &FetchRequest) -> Result<FetchResult, DriveError> {
        let Some(live) = &self.live else { return self.kept.borrow().policy_for() };
        let result = policy::fetch(request, live.settings).await;
        self.kept.borrow_mut().policy_result(&result);
        result
    }
}

/// Checks `domain` (A-labels) at Unix time `now` with `settings` (DoH
/// endpoint, edge, trust anchor), reporting every [`Step`] to `on_step`.
///
/// # Errors
/// Bad settings (trust anchor) or a name the core rejects (see
/// [`drive::domain_check`]); an unreachable resolver is an outcome, not an error.
pub async fn run(
    domain: &str,
    settings: &Settings,
    now: i64,
    on_step: impl FnMut(Step),
) -> Result<CheckOutcome, DriveError> {
    run_kept(domain, settings, now, on_step, |_, _| {}).await.0
}

/// [`run`], also giving what the network brought (to keep the result in the
/// history entry, see [`Recorded`]) and telling `on_wait` of each wait after
/// the edge's 429 (host, seconds left).
pub async fn run_kept(
    domain: &str,
    settings: &Settings,
    now: i64,
    on_step: impl FnMut(Step),
    on_wait: impl Fn(&str, u64) + 'static,
) -> (Result<CheckOutcome, DriveError>, Recorded) {
    let check = match drive::domain_check(domain, settings, now) {
        Ok(c) => c,
        Err(e) => return (Err(e), Recorded::default()),
    };
    let page = Page {
        live: Some(Fetch { doh: settings.doh_url(), settings, on_wait: Box::new(on_wait) }),
        kept: RefCell::new(Recorded { domain: domain.to_owned(), now, ..Recorded::default() }),
    };
    let outcome = drive::drive(check, &page, on_step).await;
    (outcome, page.kept.into_inner())
}

/// Runs a check kept in this page again, without the network: the same
/// answers through the same driver and core, at the same time.
///
/// # Errors
/// Bad settings (trust anchor) or a name the core rejects (see [`drive::domain_check`]).
pub async fn replay(
    kept: Recorded,
    settings: &Settings,
    on_step: impl FnMut(Step),
) -> Result<CheckOutcome, DriveError> {
    let check = drive::domain_check(&kept.domain, settings, kept.now)?;
    drive::drive(check, &Page { live: None, kept: RefCell::new(kept) }, on_step).await
}
