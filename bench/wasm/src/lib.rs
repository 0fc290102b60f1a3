//! The core's DNS stage of a full check (`geleit::dns::SmtpCheck`: every
//! DNSSEC signature and denial proof, RFC 7672 resolution), driven by
//! recorded DoH answers instead of the network, exported to JavaScript.
//!
//! Built as a wasm32 cdylib by bench/wasm.sh for two figures: how big the core's
//! validation is in WebAssembly, and how fast it runs in headless Chromium
//! next to the native criterion benchmark of the same recording.

#![forbid(unsafe_code)]

use std::collections::HashMap;

use geleit::dns::{Config, SmtpCheck, TrustAnchors};
use wasm_bindgen::prelude::*;

/// A recording as written by `geleit check --record` (tests/data/dns/*.json).
pub struct Recording {
    domain: String,
    now: u64,
    responses: HashMap<(String, String), Vec<u8>>,
}

impl Recording {
    /// Parses a recording; says what was expected when it is not one.
    pub fn parse(json: &str) -> Result<Self, String> {
        let doc: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("expected a JSON recording, found invalid JSON: {e}"))?;
        let domain = doc["domain"].as_str().ok_or("expected a \"domain\" string in the recording, found none")?;
        let now = doc["now"].as_u64().ok_or("expected a \"now\" Unix time in the recording, found none")?;
        let mut responses = HashMap::new();
        for r in doc["responses"].as_array().ok_or("expected a \"responses\" array in the recording, found none")? {
            let (Some(name), Some(rtype), Some(wire)) = (r["name"].as_str(), r["type"].as_str(), r["wire"].as_str())
            else {
                return Err("expected name, type and wire in every recorded response".to_owned());
            };
            let wire = data_encoding::BASE64
                .decode(wire.as_bytes())
                .map_err(|e| format!("expected base64 wire data for {name} {rtype}, found {e}"))?;
            responses.insert((name.to_ascii_lowercase(), rtype.to_owned()), wire);
        }
        Ok(Self { domain: domain.to_owned(), now, responses })
    }

    /// Runs the full DNS stage of a check over the recorded answers; returns
    /// whether every MX host is DANE-ready.
    pub fn check(&self, anchors: &TrustAnchors) -> Result<bool, String> {
        let domain = geleit::dns::parse_name(&self.domain).map_err(|e| e.to_string())?;
        let mut check = SmtpCheck::new(domain, Config { anchors: anchors.clone(), ..Config::default() }, self.now);
        while !check.is_done() {
            let queries = check.poll_queries();
            if queries.is_empty() {
                continue;
            }
            for q in queries {
                let key = (q.name().to_ascii().to_ascii_lowercase(), q.rtype().to_string());
                let step = match self.responses.get(&key) {
                    Some(bytes) => check.handle_response(q.id(), bytes),
                    None => check.handle_error(q.id(), "not in the recording"),
                };
                step.map_err(|e| e.to_string())?;
            }
        }
        check.poll_result().map(|r| r.dane_ready).ok_or_else(|| "the check ended without a report".to_owned())
    }
}

/// Parses `anchors` (DS/DNSKEY presentation format) and `recording`, then runs
/// the check `iterations` times; returns whether the domain is DANE-ready.
#[wasm_bindgen]
pub fn check_recording(recording: &str, anchors: &str, iterations: u32) -> Result<bool, JsError> {
    let anchors = TrustAnchors::scan(anchors).map_err(|e| JsError::new(&e.to_string()))?;
    let rec = Recording::parse(recording).map_err(|e| JsError::new(&e))?;
    let mut ready = false;
    for _ in 0..iterations.max(1) {
        ready = rec.check(&anchors).map_err(|e| JsError::new(&e))?;
    }
    Ok(ready)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_MX: &str = include_str!("../../../tests/data/dns/two-mx.json");
    const ANCHOR: &str = include_str!("../../../tests/data/dns/anchor.ds");

    #[test]
    fn two_mx_recording_is_dane_ready() {
        let anchors = TrustAnchors::scan(ANCHOR).unwrap();
        assert!(Recording::parse(TWO_MX).unwrap().check(&anchors).unwrap());
    }

    #[test]
    fn a_recording_without_answers_is_not_ready() {
        let anchors = TrustAnchors::scan(ANCHOR).unwrap();
        let empty = r#"{"domain": "two-mx.example", "now": 1, "responses": []}"#;
        assert!(!Recording::parse(empty).unwrap().check(&anchors).unwrap());
    }

    #[test]
    fn parse_errors_say_what_was_expected() {
        assert_eq!(
            Recording::parse(r#"{"now": 1, "responses": []}"#).err().unwrap(),
            "expected a \"domain\" string in the recording, found none"
        );
        assert!(Recording::parse("[").err().unwrap().starts_with("expected a JSON recording, found invalid JSON"));
    }
}
