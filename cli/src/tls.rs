//! rustls set-up for probing: lives in `geleit-probe-tls` (`probe-tls/`),
//! shared with the edge worker, which runs the same handshakes in
//! WebAssembly.

pub use geleit_probe_tls::{client_config, facts};
