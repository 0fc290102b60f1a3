//! # The `<geleit-check>` widget's in-browser engine
//!
//! A second wasm module, loaded by widget/geleit-check.js with `import()`
//! only when a widget on the page sets `doh` (a resolver the host page
//! chose): then the page trusts no one but the root. It runs the web app's
//! check in the page (`geleit_web::services::check`, the one browser
//! driver of the core's `DomainCheck`): DNSSEC validation and RFC 7672
//! resolution over DoH from the widget's `anchor`, the edge's SMTP probe of
//! each validated address, the core's verdict (or its unreachable
//! resolver), drawn with the default module's view code (`geleit-widget`)
//! and answered with the same event detail, the verdict serialised here.
//! Everything is wasm-only; natively the crate is empty.

#[cfg(target_arch = "wasm32")]
mod run;
