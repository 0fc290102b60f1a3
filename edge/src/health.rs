//! `GET /api/health`: what an operator's monitor, a systemd watchdog script
//! or a reverse proxy's health check asks. The worker reaches this handler
//! only after its settings parsed (the router reads them first), so a 200
//! says: the runtime runs this build and its configuration is usable. It
//! says nothing about the DoH upstream or mail servers (it asks neither), and
//! it is not rate limited. The body carries no configuration values (see
//! [`crate::error`]): only the status and the build's version.

/// The path of the health endpoint.
pub const HEALTH_PATH: &str = "/api/health";

/// The JSON body of a healthy answer: `{"status":"ok","version":"…"}`.
#[must_use]
pub fn body() -> String {
    serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_names_status_and_version_only() {
        let v: serde_json::Value = serde_json::from_str(&body()).unwrap();
        assert_eq!(v, serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }));
    }
}
