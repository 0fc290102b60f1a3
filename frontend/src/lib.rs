//! # Geleit in the browser
//!
//! The DANE checker and the offline TLSA generator/matcher as a Yew (CSR)
//! app, built by Trunk. The page decides nothing about DANE itself: the core
//! crate `geleit` does, exactly as in the CLI and the edge.
//!
//! ```text
//!  input events ──► components/ ──► Action ──► state::State::reduce ──► view models ──► components/ (html)
//!                                     ▲            (generator, matcher, checker: plain Rust, both languages)
//!  drive (the core's DomainCheck) ────┘
//!    ▲ services/ (fetch: DoH, /api/probe with the validated addresses)
//! ```
//!
//! Everything above the line `#[cfg(target_arch = "wasm32")]` is plain Rust
//! and runs under `cargo test`; the components (one per file) and the fetch
//! services only exist in the wasm build. Feature `app` (default) is the Yew
//! app; feature `web` alone gives the fetch services without Yew (the
//! `<geleit-check>` widget in widget/ uses it).

pub mod checker;
pub mod dates;
pub mod detail_words;
pub mod domain;
pub mod drive;
pub mod generator;
pub mod i18n;
pub mod matcher;
pub mod route;
pub mod state;
pub mod verdict_words;

#[cfg(all(target_arch = "wasm32", feature = "app"))]
pub mod components;
#[cfg(all(target_arch = "wasm32", feature = "web"))]
pub mod services;

/// Mounts the app on `<body>`.
#[cfg(all(target_arch = "wasm32", feature = "app"))]
pub fn run() {
    yew::Renderer::<components::app::App>::new().render();
}
