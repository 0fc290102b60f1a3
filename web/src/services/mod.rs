//! What touches the browser or the network: clipboard, storage, history,
//! files, and the fetches of a check (DoH, the edge's `/api/probe`), run
//! by the one driver of the core's check ([`check::run`]).

pub mod browser;
pub mod check;
pub mod config;
pub mod doh;
pub mod policy;
pub mod probe;
