//! # The web app's engine module
//!
//! The second of the app's two wasm modules (issue 14; the contract is
//! `geleit_web::engine`): the checker's machinery, which the first module
//! (the Yew page, generator and matcher, crate `geleit-frontend`) links
//! none of. index.html preloads this module's files with the page, and the
//! first module `import()`s it as it starts, so the generator and matcher
//! are usable before it arrives and without it.
//!
//! It runs the core's `DomainCheck` with the one browser driver
//! (`geleit_web::services::check`: DNSSEC validation and RFC 7672
//! resolution over DoH from the settings' trust anchor, the edge's probe
//! of each validated address, its MTA-STS policy fetch), keeps the run
//! (`geleit_web::engine::Session`) and sends the checker's view, in the
//! page's words, each time it changes. Everything is wasm-only; natively
//! the crate is empty.

#[cfg(target_arch = "wasm32")]
mod run;
