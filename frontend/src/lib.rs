//! # Geleit in the browser
//!
//! The DANE checker and the offline TLSA generator/matcher as a Yew (CSR)
//! app, built by Trunk: only the components (one per file), which draw the
//! web layer's view models (`geleit_web`: state, reducer, words, fetch
//! services) and send its actions. Nothing here decides: the view models
//! are plain Rust in web/, shared with the widget, and `cargo test` covers them.
//!
//! This crate is the app's first module; the checker's machinery is the
//! engine module (`frontend/engine/`, crate `geleit-app-engine`), fetched
//! in parallel and loaded by [`engine`] (see `geleit_web::engine`).

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod engine;

/// Mounts the app on `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn run() {
    yew::Renderer::<components::app::App>::new().render();
}
