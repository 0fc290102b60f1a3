//! What one `/api/probe` request may spend: connections, octets read from
//! mail servers, and total time. A hostile or slow server can end its own
//! probe, but cannot hold the worker past the request's budget.
//!
//! The budget is shared by every probe of a request (the worker is single
//! threaded: `Rc<RefCell<Budget>>`). [`Counted`] charges every octet read
//! through a stream; the shell asks [`Budget::deadline`] before each wait.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::config::Limits;

/// Which budget ran out. The text goes into the probe report as the reason
/// the probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BudgetExceeded {
    #[error("expected at most {limit} connections per request, found no budget left")]
    Connections { limit: u32 },
    #[error("expected at most {limit} octets from mail servers per request, found more")]
    Bytes { limit: u64 },
    #[error("expected the request to finish within {limit_ms} ms, found its time budget spent")]
    Time { limit_ms: u64 },
}

/// The deadline to wait for next, and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// The probe's current step ends first (its own timeout).
    Step(u64),
    /// The request's total budget ends first.
    Request(u64),
}

impl Deadline {
    #[must_use]
    pub fn at_ms(self) -> u64 {
        match self {
            Self::Step(ms) | Self::Request(ms) => ms,
        }
    }
}

/// The spending of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    budget_ms: u64,
    deadline_ms: u64,
    max_connections: u32,
    connections: u32,
    max_bytes: u64,
    bytes: u64,
}

impl Budget {
    /// A budget for a request that starts at `now_ms`.
    #[must_use]
    pub fn new(limits: &Limits, now_ms: u64) -> Self {
        Self {
            budget_ms: limits.request_budget_ms,
            deadline_ms: now_ms.saturating_add(limits.request_budget_ms),
            max_connections: limits.max_connections(),
            connections: 0,
            max_bytes: limits.max_bytes,
            bytes: 0,
        }
    }

    /// Counts one connection about to be opened.
    pub fn admit_connection(&mut self) -> Result<(), BudgetExceeded> {
        if self.connections >= self.max_connections {
            return Err(BudgetExceeded::Connections { limit: self.max_connections });
        }
        self.connections += 1;
        Ok(())
    }

    /// Counts `n` octets read; fails once the total passes the limit.
    pub fn charge_bytes(&mut self, n: usize) -> Result<(), BudgetExceeded> {
        self.bytes = self.bytes.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        if self.bytes > self.max_bytes { Err(BudgetExceeded::Bytes { limit: self.max_bytes }) } else { Ok(()) }
    }

    /// The earlier of the probe's step deadline and the request's.
    #[must_use]
    pub fn deadline(&self, step_deadline_ms: Option<u64>) -> Deadline {
        match step_deadline_ms {
            Some(step) if step <= self.deadline_ms => Deadline::Step(step),
            _ => Deadline::Request(self.deadline_ms),
        }
    }

    /// The time budget, as an error, if it is spent at `now_ms`.
    pub fn check_time(&self, now_ms: u64) -> Result<(), BudgetExceeded> {
        if now_ms >= self.deadline_ms { Err(BudgetExceeded::Time { limit_ms: self.budget_ms }) } else { Ok(()) }
    }

    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    #[must_use]
    pub fn connections(&self) -> u32 {
        self.connections
    }
}

/// A stream that charges every octet read to a shared [`Budget`]; a read
/// past the byte budget fails with an IO error naming it.
#[derive(Debug)]
pub struct Counted<S> {
    inner: S,
    budget: Rc<RefCell<Budget>>,
}

impl<S> Counted<S> {
    pub fn new(inner: S, budget: Rc<RefCell<Budget>>) -> Self {
        Self { inner, budget }
    }

    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let n = buf.filled().len().saturating_sub(before);
            if let Err(e) = self.budget.borrow_mut().charge_bytes(n) {
                return Poll::Ready(Err(std::io::Error::other(e.to_string())));
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits { step_timeout_ms: 1_000, request_budget_ms: 5_000, max_addresses: 2, max_parallel: 2, max_bytes: 100 }
    }

    #[test]
    fn connections_are_bounded() {
        let mut b = Budget::new(&limits(), 0);
        for _ in 0..4 {
            assert_eq!(b.admit_connection(), Ok(()));
        }
        assert_eq!(b.admit_connection(), Err(BudgetExceeded::Connections { limit: 4 }));
        assert_eq!(b.connections(), 4);
    }

    #[test]
    fn the_earlier_deadline_wins() {
        let b = Budget::new(&limits(), 1_000);
        assert_eq!(b.deadline(Some(2_000)), Deadline::Step(2_000));
        assert_eq!(b.deadline(Some(6_000)), Deadline::Step(6_000));
        assert_eq!(b.deadline(Some(6_001)), Deadline::Request(6_000));
        assert_eq!(b.deadline(None), Deadline::Request(6_000));
        assert_eq!(b.check_time(5_999), Ok(()));
        assert_eq!(
            b.check_time(6_000).unwrap_err().to_string(),
            "expected the request to finish within 5000 ms, found its time budget spent"
        );
    }

    fn poll_read_once<S: AsyncRead + Unpin>(s: &mut S, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut rb = ReadBuf::new(buf);
        match Pin::new(s).poll_read(&mut cx, &mut rb) {
            Poll::Ready(r) => r.map(|()| rb.filled().len()),
            Poll::Pending => panic!("a slice reader is never pending"),
        }
    }

    #[test]
    fn counted_reads_fail_past_the_byte_budget() {
        let budget = Rc::new(RefCell::new(Budget::new(&limits(), 0)));
        let data = [7u8; 150];
        let mut a = Counted::new(&data[..60], Rc::clone(&budget));
        let mut b = Counted::new(&data[..90], Rc::clone(&budget));
        let mut buf = [0u8; 64];
        assert_eq!(poll_read_once(&mut a, &mut buf).unwrap(), 60);
        // The second stream shares the budget: 60 + 64 > 100.
        let err = poll_read_once(&mut b, &mut buf).unwrap_err();
        assert_eq!(err.to_string(), "expected at most 100 octets from mail servers per request, found more");
        assert_eq!(budget.borrow().bytes(), 124);
    }
}
