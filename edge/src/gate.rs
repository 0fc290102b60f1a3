//! A limit on work in flight within one isolate (single-threaded): at most
//! `slots` holders of a [`Pass`] at once; the others wait in line and come
//! in by order of arrival.
//!
//! Used for the DoH upstream: every request of every check in the isolate
//! goes through one gate, so the isolate never holds more upstream
//! connections than the gate has slots. Without it, 32 checks at once meant
//! hundreds of fetches at once, one connection each, against a front with a
//! connection cap: the front closed connections to make room, fetches on
//! them were lost, and checks ended with an unreachable resolver. With it,
//! a fetch waits for a slot and the runtime's kept-alive connections serve
//! the next request.
//!
//! Waiting is by asking again ([`Place::try_enter`], the shell sleeps in
//! between), not by wakers: on Workers a future woken from another
//! request's handler would go on in that request's context, and I/O objects
//! may not cross requests.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// The shared state of a gate.
#[derive(Debug)]
struct State {
    slots: usize,
    in_use: usize,
    next_ticket: u64,
    /// Waiting tickets in order of arrival.
    line: VecDeque<u64>,
}

/// A limit of `slots` passes at once (clones share it).
#[derive(Debug, Clone)]
pub struct Gate(Rc<RefCell<State>>);

impl Gate {
    /// A gate with `slots` slots (at least one).
    #[must_use]
    pub fn new(slots: usize) -> Self {
        Self(Rc::new(RefCell::new(State { slots: slots.max(1), in_use: 0, next_ticket: 0, line: VecDeque::new() })))
    }

    /// Joins the line.
    #[must_use]
    pub fn line_up(&self) -> Place {
        let mut s = self.0.borrow_mut();
        let ticket = s.next_ticket;
        s.next_ticket += 1;
        s.line.push_back(ticket);
        Place { gate: self.clone(), ticket: Some(ticket) }
    }

    /// Slots in use now.
    #[must_use]
    pub fn in_use(&self) -> usize {
        self.0.borrow().in_use
    }

    /// Places in line now.
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.0.borrow().line.len()
    }
}

/// A place in line. Dropped before it got in (a timeout), it leaves the line.
#[derive(Debug)]
pub struct Place {
    gate: Gate,
    /// `None` once in.
    ticket: Option<u64>,
}

impl Place {
    /// A pass if a slot is free for this place: with `n` slots free, the
    /// first `n` in line may come in. `None`: ask again later.
    pub fn try_enter(&mut self) -> Option<Pass> {
        let ticket = self.ticket?;
        let mut s = self.gate.0.borrow_mut();
        let free = s.slots.saturating_sub(s.in_use);
        let position = s.line.iter().position(|t| *t == ticket)?;
        if position >= free {
            return None;
        }
        s.line.remove(position);
        s.in_use += 1;
        self.ticket = None;
        Some(Pass(self.gate.clone()))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.gate.0.borrow_mut().line.retain(|t| *t != ticket);
        }
    }
}

/// A slot held; dropping it frees the slot.
#[derive(Debug)]
#[must_use]
pub struct Pass(Gate);

impl Drop for Pass {
    fn drop(&mut self) {
        let mut s = (self.0).0.borrow_mut();
        s.in_use = s.in_use.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regression behind the gate: no more holders than slots, however
    /// many ask, and the rest come in as slots free up, in order of arrival.
    #[test]
    fn no_more_holders_than_slots_and_the_rest_in_order() {
        let gate = Gate::new(2);
        let mut places: Vec<Place> = (0..4).map(|_| gate.line_up()).collect();
        let [a, b, c, d] = places.as_mut_slice() else { unreachable!() };
        // d asks first, but two came before it: no slot for it yet.
        assert!(d.try_enter().is_none());
        let pa = a.try_enter().expect("a slot is free");
        let pb = b.try_enter().expect("a slot is free");
        assert!(c.try_enter().is_none(), "both slots taken");
        assert_eq!((gate.in_use(), gate.waiting()), (2, 2));
        drop(pa);
        assert!(d.try_enter().is_none(), "one slot free: c is first in line");
        let pc = c.try_enter().expect("c is first in line");
        assert_eq!((gate.in_use(), gate.waiting()), (2, 1));
        drop(pb);
        let pd = d.try_enter().expect("d next");
        assert_eq!((gate.in_use(), gate.waiting()), (2, 0));
        assert!(d.try_enter().is_none(), "a place gets in once");
        drop((pc, pd));
        assert_eq!(gate.in_use(), 0);
    }

    /// With two slots free, the second in line need not wait for the first
    /// to ask: no slot stays idle while someone who may have it waits.
    #[test]
    fn as_many_come_in_as_slots_are_free() {
        let gate = Gate::new(2);
        let mut a = gate.line_up();
        let mut b = gate.line_up();
        let mut c = gate.line_up();
        let pb = b.try_enter().expect("second in line, two slots free");
        assert!(c.try_enter().is_none(), "third in line, one slot left for a");
        let pa = a.try_enter().expect("first in line");
        drop((pa, pb));
        assert!(c.try_enter().is_some());
    }

    /// A place given up (its fetch timed out) leaves the line and holds
    /// nothing up.
    #[test]
    fn a_place_given_up_leaves_the_line() {
        let gate = Gate::new(1);
        let mut a = gate.line_up();
        let pa = a.try_enter().unwrap();
        let b = gate.line_up();
        let mut c = gate.line_up();
        drop(b);
        assert_eq!(gate.waiting(), 1);
        drop(pa);
        assert!(c.try_enter().is_some(), "c is first now");
    }

    #[test]
    fn zero_slots_means_one() {
        let gate = Gate::new(0);
        assert!(gate.line_up().try_enter().is_some());
    }
}
