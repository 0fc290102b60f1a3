//! # Geleit core
//!
//! Pure logic for checking DANE (RFC 6698, 7218, 7671, 7672) on mail servers.
//! This crate owns no sockets, no clock and no randomness: callers hand it
//! bytes and the current time, and it hands back parsed records, verdicts and
//! the next bytes to send. That keeps it deterministic, testable with plain
//! `cargo test`, and buildable for `wasm32-unknown-unknown`, so the browser,
//! the edge worker and the CLI all run the very same code.
//!
//! ```text
//!  pasted text / DER ──► tlsa (scan, parse, compose) ──► records
//!                                                          │
//!  presented chain (DER) ──► cert ────► dane (match) ◄─────┘──► verdict
//!  pasted PEM / DER ───────► cert ────► tlsa_gen ─────────────► records to publish
//!
//!  socket bytes + now ──► smtp::Client ──► Send / StartTls / NeedMore ──► Report
//!
//!  DoH answers (bytes, now) ──► dns (DNSSEC validation, RFC 7672 MX/TLSA) ──► queries to send,
//!                                                                            proven TLSA RRsets
//!  SmtpReport + probe reports + now ──► verdict (per address, host, domain) ──► findings + fixes
//!  check outcome + now ──► monitor ──► OK/WARNING/CRITICAL/UNKNOWN + per host/address facts
//!  new chain (or key) + validated TLSA per host + now ──► guard ──► safe / breaks (what to
//!                                                              publish, TTL to wait) / undecided
//!  rollover state + live key + validated TLSA per host + now ──► rollover ──► publish-next / wait /
//!                                                   switch-now / remove-old / done / undecided
//! ```
#![forbid(unsafe_code)]

pub mod api;
pub mod cert;
pub mod check;
pub mod dane;
pub mod dns;
pub mod guard;
pub mod idn;
pub mod mailpolicy;
pub mod monitor;
pub mod order;
mod quoted;
pub mod rollover;
pub mod smtp;
pub mod time;
pub mod tlsa;
pub mod tlsa_gen;
pub mod verdict;
