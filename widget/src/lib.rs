//! # `<geleit-check>`: Geleit's checker as an embeddable custom element
//!
//! For mail providers' help pages: one `<script type="module">` and the
//! element. The JS side (`widget/geleit-check.js`) defines the element,
//! loads this wasm once for every instance on the page, gives each a Shadow
//! DOM with a constructable stylesheet and dispatches `geleit-result`. This
//! crate does the rest with the app's own words and no Yew. Two modes
//! ([`options::Mode`]):
//!
//! ```text
//!  attributes ─► options::Options ─► view::frame ─► dom (shadow root)
//!  default (no doh):  start ─► JS fetch <edge>/api/check?view=<lang> ─► show: edge::read
//!            (geleit_web::worded: the edge's checker::verdict_view of the core's verdict)
//!            ─► view::result ─► dom
//!            ─► event::detail (JSON, with the verdict JSON the edge sent) ─► `geleit-result`
//!  doh set:  request: engine::request (geleit_web::engine::Request, JSON) ─► JS import()s the
//!            app's engine module (frontend/engine/, geleit-app-engine: the core's DNS check
//!            over DoH in the page, probes through the edge) and runs it ─► each Update (JSON)
//!            ─► update: engine::read ─► view::result ─► dom; the last ─► event::detail
//!            (with the verdict JSON from the engine's export) ─► `geleit-result`
//! ```
//!
//! `options`, `view`, `edge`, `engine` and `event` are plain Rust (`cargo
//! test`); `dom` and the exported functions exist only in the wasm build. See widget/README.md for the attributes, the
//! event and the Content-Security-Policy a host needs.

pub mod edge;
pub mod engine;
pub mod event;
pub mod options;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod dom;
#[cfg(target_arch = "wasm32")]
mod lean;
