//! Reading a probe report ([`HostReport`]) from its JSON without serde's
//! derived `Deserialize`.
//!
//! The web app reads the edge's probe reports. Through the derived
//! `Deserialize` impls every struct and enum of the report gets its own field
//! and variant visitors, monomorphised for serde_json: about 35 KB of wasm,
//! more than the rest of the SMTP code. This reader walks a parsed
//! [`serde_json::Value`] instead and builds the same structs: the same field
//! names and defaults as the serde attributes on the types (a missing `Option`
//! is `None`; `params`, `error` and `refused` may be absent), unknown fields
//! ignored. `tests` checks it against the derived `Deserialize` on the same
//! JSON. The CLI and the edge keep using serde.

use serde_json::{Map, Value};

use super::report::{
    AddressReport, AlgorithmProbe, Capability, Certificate, Direction, EhloReport, HostReport, Report, SignatureFamily,
    Step, StepFailure, StepTiming, TlsFacts, TlsMode, TranscriptLine,
};

/// Why a text is not a probe report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportJsonError {
    /// The text is not JSON.
    #[error("expected JSON, found {detail}")]
    Syntax { detail: String },
    /// A field is missing.
    #[error("expected a field `{field}` in {within}, found none")]
    Missing { within: &'static str, field: &'static str },
    /// A value has the wrong type or is not one of the allowed words.
    #[error("expected {expected} in `{field}`, found {found}")]
    Invalid { field: &'static str, expected: &'static str, found: String },
}

type Result<T> = std::result::Result<T, ReportJsonError>;

impl HostReport {
    /// Reads a report from the JSON that `geleit probe --json` and the edge's
    /// `/api/probe` write (the same structure as its serde `Deserialize`).
    ///
    /// # Errors
    /// The text is not JSON, or not a report of this shape.
    pub fn from_json(text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text).map_err(|e| ReportJsonError::Syntax { detail: e.to_string() })?;
        host_report(&value)
    }
}

/// An object's fields, with the name of what it is for messages.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    what: &'static str,
}

fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(_) => "a string".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn invalid(field: &'static str, expected: &'static str, v: &Value) -> ReportJsonError {
    ReportJsonError::Invalid { field, expected, found: found(v) }
}

fn object<'a>(v: &'a Value, field: &'static str, what: &'static str) -> Result<Obj<'a>> {
    match v {
        Value::Object(map) => Ok(Obj { map, what }),
        other => Err(invalid(field, "an object", other)),
    }
}

impl<'a> Obj<'a> {
    /// A field that must be present (`null` counts as present).
    fn get(&self, field: &'static str) -> Result<&'a Value> {
        self.map.get(field).ok_or(ReportJsonError::Missing { within: self.what, field })
    }

    /// A field that may be absent or `null`.
    fn opt(&self, field: &'static str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    fn string(&self, field: &'static str) -> Result<String> {
        as_string(self.get(field)?, field)
    }

    fn opt_string(&self, field: &'static str) -> Result<Option<String>> {
        self.opt(field).map(|v| as_string(v, field)).transpose()
    }

    fn boolean(&self, field: &'static str) -> Result<bool> {
        let v = self.get(field)?;
        v.as_bool().ok_or_else(|| invalid(field, "true or false", v))
    }

    fn number(&self, field: &'static str) -> Result<u64> {
        let v = self.get(field)?;
        v.as_u64().ok_or_else(|| invalid(field, "a whole number", v))
    }

    fn port(&self, field: &'static str) -> Result<u16> {
        let v = self.get(field)?;
        v.as_u64().and_then(|n| u16::try_from(n).ok()).ok_or_else(|| invalid(field, "a port number", v))
    }

    fn list<T>(&self, field: &'static str, item: fn(&Value) -> Result<T>) -> Result<Vec<T>> {
        as_list(self.get(field)?, field, item)
    }

    fn word<T: Copy>(&self, field: &'static str, expected: &'static str, words: &[(&str, T)]) -> Result<T> {
        let v = self.get(field)?;
        v.as_str()
            .and_then(|s| words.iter().find(|(w, _)| *w == s))
            .map(|(_, t)| *t)
            .ok_or_else(|| invalid(field, expected, v))
    }
}

fn as_string(v: &Value, field: &'static str) -> Result<String> {
    v.as_str().map(str::to_owned).ok_or_else(|| invalid(field, "a string", v))
}

fn as_list<T>(v: &Value, field: &'static str, item: fn(&Value) -> Result<T>) -> Result<Vec<T>> {
    match v {
        Value::Array(items) => items.iter().map(item).collect(),
        other => Err(invalid(field, "a list", other)),
    }
}

const MODES: &[(&str, TlsMode)] = &[("starttls", TlsMode::Starttls), ("implicit_tls", TlsMode::ImplicitTls)];
const MODE_WORDS: &str = "starttls or implicit_tls";

fn host_report(v: &Value) -> Result<HostReport> {
    let o = object(v, "report", "the report")?;
    Ok(HostReport {
        host: o.string("host")?,
        port: o.port("port")?,
        mode: o.word("mode", MODE_WORDS, MODES)?,
        addresses: o.list("addresses", address)?,
    })
}

fn address(v: &Value) -> Result<AddressReport> {
    let o = object(v, "addresses", "an address report")?;
    let addr = o.get("address")?;
    Ok(AddressReport {
        address: addr.as_str().and_then(|s| s.parse().ok()).ok_or_else(|| invalid("address", "an IP address", addr))?,
        port: o.port("port")?,
        refused: o.opt_string("refused")?,
        probes: o.list("probes", algorithm_probe)?,
    })
}

fn algorithm_probe(v: &Value) -> Result<AlgorithmProbe> {
    let o = object(v, "probes", "a probe")?;
    Ok(AlgorithmProbe {
        signature_family: o.word(
            "signature_family",
            "ecdsa or rsa",
            &[("ecdsa", SignatureFamily::Ecdsa), ("rsa", SignatureFamily::Rsa)],
        )?,
        report: report(o.get("report")?)?,
    })
}

fn report(v: &Value) -> Result<Report> {
    let o = object(v, "report", "a probe's report")?;
    Ok(Report {
        mode: o.word("mode", MODE_WORDS, MODES)?,
        banner: o.list("banner", |v| as_string(v, "banner"))?,
        ehlo: o.opt("ehlo").map(|v| ehlo(v, "ehlo")).transpose()?,
        starttls_offered: o
            .opt("starttls_offered")
            .map(|v| v.as_bool().ok_or_else(|| invalid("starttls_offered", "true or false", v)))
            .transpose()?,
        starttls: o.boolean("starttls")?,
        tls: o.opt("tls").map(tls).transpose()?,
        ehlo_tls: o.opt("ehlo_tls").map(|v| ehlo(v, "ehlo_tls")).transpose()?,
        bare_lf: o.boolean("bare_lf")?,
        steps: o.list("steps", step_timing)?,
        transcript: o.list("transcript", transcript_line)?,
        transcript_truncated: o.boolean("transcript_truncated")?,
        error: o.opt("error").map(step_failure).transpose()?,
    })
}

fn ehlo(v: &Value, field: &'static str) -> Result<EhloReport> {
    let o = object(v, field, "an EHLO reply")?;
    Ok(EhloReport { greeting: o.string("greeting")?, capabilities: o.list("capabilities", capability)? })
}

fn capability(v: &Value) -> Result<Capability> {
    let o = object(v, "capabilities", "a capability")?;
    Ok(Capability {
        keyword: o.string("keyword")?,
        params: match o.map.get("params") {
            Some(p) => as_list(p, "params", |v| as_string(v, "params"))?,
            None => Vec::new(),
        },
    })
}

fn tls(v: &Value) -> Result<TlsFacts> {
    let o = object(v, "tls", "the TLS facts")?;
    Ok(TlsFacts {
        version: o.string("version")?,
        cipher_suite: o.string("cipher_suite")?,
        kx_group: o.opt_string("kx_group")?,
        chain: o.list("chain", certificate)?,
    })
}

fn certificate(v: &Value) -> Result<Certificate> {
    let o = object(v, "chain", "a certificate")?;
    Ok(Certificate { sha256: o.string("sha256")?, der_base64: o.string("der_base64")? })
}

const STEPS: &[(&str, Step)] = &[
    ("connect", Step::Connect),
    ("greeting", Step::Greeting),
    ("ehlo", Step::Ehlo),
    ("starttls", Step::Starttls),
    ("tls_handshake", Step::TlsHandshake),
    ("ehlo_tls", Step::EhloTls),
    ("quit", Step::Quit),
];
const STEP_WORDS: &str = "a probe step (connect, greeting, ehlo, starttls, tls_handshake, ehlo_tls, quit)";

fn step_timing(v: &Value) -> Result<StepTiming> {
    let o = object(v, "steps", "a step")?;
    Ok(StepTiming {
        step: o.word("step", STEP_WORDS, STEPS)?,
        started_ms: o.number("started_ms")?,
        duration_ms: o.number("duration_ms")?,
        ok: o.boolean("ok")?,
        error: o.opt_string("error")?,
    })
}

fn transcript_line(v: &Value) -> Result<TranscriptLine> {
    let o = object(v, "transcript", "a transcript line")?;
    Ok(TranscriptLine {
        at_ms: o.number("at_ms")?,
        direction: o.word(
            "direction",
            "client, server or event",
            &[("client", Direction::Client), ("server", Direction::Server), ("event", Direction::Event)],
        )?,
        text: o.string("text")?,
    })
}

fn step_failure(v: &Value) -> Result<StepFailure> {
    let o = object(v, "error", "a step failure")?;
    Ok(StepFailure { step: o.word("step", STEP_WORDS, STEPS)?, kind: o.string("kind")?, message: o.string("message")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> HostReport {
        let ehlo = EhloReport {
            greeting: "mx.example ESMTP".into(),
            capabilities: vec![
                Capability { keyword: "STARTTLS".into(), params: vec![] },
                Capability { keyword: "SIZE".into(), params: vec!["10240000".into(), "x".into()] },
            ],
        };
        let report = Report {
            mode: TlsMode::Starttls,
            banner: vec!["mx.example ESMTP".into(), "second line".into()],
            ehlo: Some(ehlo.clone()),
            starttls_offered: Some(true),
            starttls: true,
            tls: Some(TlsFacts {
                version: "TLSv1_3".into(),
                cipher_suite: "TLS13_AES_256_GCM_SHA384".into(),
                kx_group: Some("X25519".into()),
                chain: vec![Certificate::from_der(b"leaf"), Certificate::from_der(b"ca")],
            }),
            ehlo_tls: Some(ehlo),
            bare_lf: true,
            steps: vec![
                StepTiming { step: Step::Connect, started_ms: 0, duration_ms: 3, ok: true, error: None },
                StepTiming {
                    step: Step::TlsHandshake,
                    started_ms: 3,
                    duration_ms: u64::MAX,
                    ok: false,
                    error: Some("alert".into()),
                },
            ],
            transcript: vec![
                TranscriptLine { at_ms: 1, direction: Direction::Server, text: "220 mx".into() },
                TranscriptLine { at_ms: 2, direction: Direction::Client, text: "EHLO probe".into() },
                TranscriptLine { at_ms: 3, direction: Direction::Event, text: "TLS".into() },
            ],
            transcript_truncated: true,
            error: Some(StepFailure { step: Step::EhloTls, kind: "timeout".into(), message: "no reply".into() }),
        };
        let mut implicit = report.clone();
        implicit.mode = TlsMode::ImplicitTls;
        implicit.ehlo = None;
        implicit.starttls_offered = None;
        implicit.tls = None;
        implicit.error = None;
        HostReport {
            host: "mx.example".into(),
            port: 25,
            mode: TlsMode::Starttls,
            addresses: vec![
                AddressReport {
                    address: "192.0.2.1".parse().unwrap(),
                    port: 25,
                    refused: None,
                    probes: vec![
                        AlgorithmProbe { signature_family: SignatureFamily::Ecdsa, report },
                        AlgorithmProbe { signature_family: SignatureFamily::Rsa, report: implicit },
                    ],
                },
                AddressReport {
                    address: "2001:db8::1".parse().unwrap(),
                    port: 465,
                    refused: Some("not allowed".into()),
                    probes: vec![],
                },
            ],
        }
    }

    #[test]
    fn reads_what_serde_writes() {
        let r = full();
        for json in [serde_json::to_string(&r).unwrap(), serde_json::to_string_pretty(&r).unwrap()] {
            assert_eq!(HostReport::from_json(&json).unwrap(), r);
        }
    }

    #[test]
    fn same_as_serde_on_recorded_reports() {
        use geleit_test_support::recording::{check_scenarios, probes};
        let mut seen = 0;
        for scenario in check_scenarios() {
            for (host, text) in probes(&scenario) {
                let serde: HostReport = serde_json::from_str(&text).unwrap();
                assert_eq!(HostReport::from_json(&text).unwrap(), serde, "{scenario}: {host}");
                seen += 1;
            }
        }
        assert!(seen >= 4, "{seen}");
    }

    #[test]
    fn explicit_nulls_and_unknown_fields() {
        let mut v = serde_json::to_value(full()).unwrap();
        v["extra"] = serde_json::json!({"x": 1});
        v["addresses"][0]["refused"] = Value::Null;
        v["addresses"][0]["probes"][0]["report"]["kx_group"] = Value::Null;
        v["addresses"][0]["probes"][0]["report"]["tls"]["kx_group"] = Value::Null;
        let text = v.to_string();
        let serde: HostReport = serde_json::from_str(&text).unwrap();
        assert_eq!(HostReport::from_json(&text).unwrap(), serde);
    }

    #[test]
    fn errors_name_the_field() {
        let err = |text: &str| HostReport::from_json(text).unwrap_err().to_string();
        assert!(err("{").starts_with("expected JSON, found EOF while parsing"), "{}", err("{"));
        assert_eq!(err("[]"), "expected an object in `report`, found a list");
        assert_eq!(
            err(r#"{"host":"mx","port":25,"mode":"starttls"}"#),
            "expected a field `addresses` in the report, found none"
        );
        assert_eq!(
            err(r#"{"host":"mx","port":70000,"mode":"starttls","addresses":[]}"#),
            "expected a port number in `port`, found 70000"
        );
        assert_eq!(
            err(r#"{"host":"mx","port":25,"mode":"tls","addresses":[]}"#),
            "expected starttls or implicit_tls in `mode`, found a string"
        );
        let mut v = serde_json::to_value(full()).unwrap();
        v["addresses"][0]["address"] = "mx.example".into();
        assert_eq!(err(&v.to_string()), "expected an IP address in `address`, found a string");
        let mut v = serde_json::to_value(full()).unwrap();
        v["addresses"][0]["probes"][0]["report"]["steps"][0]["ok"] = 1.into();
        assert_eq!(err(&v.to_string()), "expected true or false in `ok`, found 1");
    }
}
