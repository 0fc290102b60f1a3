//! # `<geleit-check>`: Geleit's checker as an embeddable custom element
//!
//! For mail providers' help pages: one `<script type="module">` and the
//! element. The JS side (`widget/geleit-check.js`) defines the element,
//! loads this wasm once for every instance on the page, gives each a Shadow
//! DOM with a constructable stylesheet and dispatches `geleit-result`. This
//! crate does the rest with the app's own pieces and no Yew:
//!
//! ```text
//!  attributes ─► options::Options ─► view::frame ─► dom (shadow root)
//!  submit ─► [wasm] check: geleit_frontend::services::doh (core DNS check over DoH)
//!                      └► geleit_frontend::services::probe per MX host (edge)
//!            ─► geleit_frontend::checker::{CheckRun, view} ─► view::result ─► dom
//!            ─► event::detail (JSON) ─► `geleit-result`
//! ```
//!
//! `options`, `view` and `event` are plain Rust (`cargo test`); `dom` and the
//! exported functions exist only in the wasm build. See widget/README.md for
//! the attributes, the event and the Content-Security-Policy a host needs.

pub mod event;
pub mod options;
pub mod view;

#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod run;
