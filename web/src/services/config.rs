//! The deployment's preset settings: `/geleit-config.json` next to the page
//! (written by `make demo` for the lab: its DoH endpoint and trust anchor).

use gloo_net::http::Request;

use crate::state::Settings;

/// The preset settings, if the site serves any.
pub async fn deployment_settings() -> Option<Settings> {
    let response = Request::get("/geleit-config.json").send().await.ok()?;
    if !response.ok() {
        return None;
    }
    Settings::from_json(&response.text().await.ok()?)
}
