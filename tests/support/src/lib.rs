//! Test support for Geleit, one home for what several test crates need:
//! - DNSSEC: a zone signer ([`zone`]), an honest answerer over a hierarchy
//!   of signed zones ([`answer`]), the test hierarchy itself ([`world`]), a
//!   catalogue of attacks that splice, replay, strip and reorder the signed
//!   data the way an on-path attacker or a lying resolver can ([`attacks`]),
//!   and an RFC 8484 DoH server that answers through any function or from a
//!   recording ([`doh`]);
//! - a stand-in for the edge's `/api/probe` serving recorded reports ([`edge`]);
//! - the lab recordings (DNS answers and probe reports) and their replay
//!   into the core ([`recording`]);
//! - certificates: made in memory as DER/PEM bytes ([`certs`], usable by the
//!   core's own unit tests too), by the reference tools ([`openssl`]), and
//!   served by a TLS server that picks its chain as Postfix does ([`tls`]).
//!
//! Nothing here forges a signature: every RRSIG an attack serves was made by
//! the key of the zone it names (or by the attacker's own key, which no
//! trust chain vouches for).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure stops the test here

pub mod answer;
pub mod attacks;
pub mod certs;
pub mod doh;
pub mod edge;
pub mod openssl;
pub mod recording;
#[cfg(not(target_arch = "wasm32"))]
pub mod tls;
pub mod world;
pub mod zone;

pub use answer::{Response, World};
pub use attacks::{Case, Expect, Kind, catalogue};
pub use world::world;
pub use zone::NOW;

use hickory_proto::rr::Name;

/// The last `n` labels of `name` (the whole name if it has fewer).
pub fn trim_to(name: &Name, n: usize) -> Name {
    let total = usize::from(name.num_labels());
    if n >= total { name.clone() } else { name.trim_to(n) }
}
