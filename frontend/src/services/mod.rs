//! What touches the browser or the network: clipboard, storage, history,
//! files, and the fetches (DoH, the edge's `/api/probe`).

pub mod browser;
pub mod config;
pub mod doh;
pub mod probe;
