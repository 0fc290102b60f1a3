//! # Geleit's web layer
//!
//! What the app (frontend/, Yew) and the widget (widget/, plain DOM) share,
//! so that the two cannot drift: the view models with their tone and
//! severity (decided from the core's typed findings, never from strings),
//! the one words table per language, the input parsing, and the browser's
//! driver of the core's one check pipeline. The page decides nothing about
//! DANE itself: the core crate `geleit` does, exactly as in the CLI and the edge.
//!
//! ```text
//!  input events ──► frontend/components ──► Action ──► state::State::reduce ──► view models ──► html (app) / DOM (widget)
//!                                            ▲            (generator, matcher: plain Rust, both languages)
//!                          Action::CheckUpdate (engine::Update: the checker's view, JSON)
//!  the app's engine module: engine::Session ─┘ (checker::view of the CheckRun, in the page's words)
//!    ▲ drive (the core's DomainCheck) ◄─ services/ (fetch: DoH, /api/probe with the validated addresses)
//! ```
//!
//! The app is two wasm modules ([`engine`]): the first (the page, the
//! generator, the matcher, the reducer) links no DNS engine; the engine
//! module runs the check and sends the checker's view. The first module
//! reads and writes its JSON (settings, the request and the updates) with
//! its own small reader and writer ([`json`]), which link no serde.
//!
//! Everything but `services` is plain Rust and runs under `cargo test`; the
//! fetch services (feature `browser`) only exist in the wasm build.

pub mod checker;
pub mod dates;
pub mod detail_words;
pub mod domain;
pub mod drive;
pub mod drive_words;
pub mod engine;
pub mod generator;
pub mod i18n;
pub mod json;
pub mod matcher;
pub mod route;
pub mod state;
pub mod verdict_words;
pub mod worded;

#[cfg(all(target_arch = "wasm32", feature = "browser"))]
pub mod services;
