//! Time for the core and the budgets, and waiting with a deadline.
//!
//! Workers' `Date.now()` advances only between IO events (not during pure
//! computation), which is all a probe needs: deadlines are checked around IO.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{Either, select};
use worker::Delay;

use crate::budget::{Budget, Deadline};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

/// What waiting with a deadline gave.
pub enum Waited<T> {
    Done(T),
    TimedOut,
}

/// Runs `future` until `at_ms`; every read and every connect goes through
/// here (a resolved `opened()` does not prove a peer, so reads need their
/// own deadline too).
pub async fn until<F: Future>(at_ms: u64, future: F) -> Waited<F::Output> {
    let now = now_ms();
    if now >= at_ms {
        return Waited::TimedOut;
    }
    let delay = Delay::from(Duration::from_millis(at_ms - now));
    match select(pin!(future), pin!(delay)).await {
        Either::Left((output, _)) => Waited::Done(output),
        Either::Right(((), _)) => Waited::TimedOut,
    }
}

/// Ends the probe's current step after its wait for `deadline` ran out:
/// a step timeout for the core, or the request's time budget.
pub fn timed_out(client: &mut geleit::smtp::Client, deadline: Deadline, budget: &Budget) {
    // The timer fired, so the deadline has passed even if the coarse clock
    // has not caught up yet.
    let now = now_ms().max(deadline.at_ms());
    match deadline {
        Deadline::Step(_) => client.handle_timeout(now),
        Deadline::Request(_) => {
            let reason =
                budget.check_time(now).err().map_or_else(|| "request time budget spent".to_owned(), |e| e.to_string());
            client.handle_io_error(&reason, now);
        }
    }
}
