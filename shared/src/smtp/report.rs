//! What one SMTP probe found, as plain serialisable data.
//!
//! The CLI prints it as JSON and the edge worker will return the same shape,
//! so field names are part of the interface. Every text that came from the
//! server has gone through [`sanitize`](super::sanitize::sanitize).

use serde::{Deserialize, Serialize};

/// How TLS is started on the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain SMTP, then `STARTTLS` (RFC 3207), as on ports 25 and 587.
    Starttls,
    /// TLS from the first byte, then SMTP (RFC 8314 §3.3), as on port 465.
    ImplicitTls,
}

/// One step of a probe, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Opening the TCP connection (done by the caller).
    Connect,
    /// Waiting for the 220 greeting (RFC 5321 §3.1, §4.3.2).
    Greeting,
    /// EHLO before TLS (RFC 5321 §4.1.1.1).
    Ehlo,
    /// The STARTTLS command and its 220 reply (RFC 3207 §4).
    Starttls,
    /// The TLS handshake (done by the caller).
    TlsHandshake,
    /// EHLO over TLS (RFC 3207 §4.2: the client must send EHLO again).
    EhloTls,
    /// QUIT and its 221 reply (RFC 5321 §4.1.1.10).
    Quit,
}

impl Step {
    /// Every step, in the order they happen.
    pub const ALL: [Self; 7] =
        [Self::Connect, Self::Greeting, Self::Ehlo, Self::Starttls, Self::TlsHandshake, Self::EhloTls, Self::Quit];

    /// The step named by its word ([`Self::as_str`], as in JSON); `None` for
    /// a word this version does not know (a newer probe's).
    #[must_use]
    pub fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }

    /// The step in words, for messages: "the TLS handshake".
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Connect => "the TCP connection",
            Self::Greeting => "the server's greeting",
            Self::Ehlo => "EHLO",
            Self::Starttls => "STARTTLS",
            Self::TlsHandshake => "the TLS handshake",
            Self::EhloTls => "EHLO over TLS",
            Self::Quit => "QUIT",
        }
    }

    /// The step's name as used in JSON and messages.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Greeting => "greeting",
            Self::Ehlo => "ehlo",
            Self::Starttls => "starttls",
            Self::TlsHandshake => "tls_handshake",
            Self::EhloTls => "ehlo_tls",
            Self::Quit => "quit",
        }
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long one step took, relative to the start of the probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTiming {
    pub step: Step,
    /// Milliseconds from the start of the probe to the start of this step.
    pub started_ms: u64,
    /// Milliseconds the step took (until it succeeded or failed).
    pub duration_ms: u64,
    /// Whether the step succeeded.
    pub ok: bool,
    /// Why the step failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Who a transcript line is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Sent by the probe.
    Client,
    /// Received from the server.
    Server,
    /// An event on the connection (connect, TLS handshake, close).
    Event,
}

/// One line of the conversation, sanitised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptLine {
    pub at_ms: u64,
    pub direction: Direction,
    pub text: String,
}

/// One capability line of an EHLO reply (RFC 5321 §4.1.1.1: ehlo-keyword
/// followed by parameters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capability {
    /// The keyword in upper case (keywords are case-insensitive).
    pub keyword: String,
    /// Parameters, sanitised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
}

/// A successful EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EhloReport {
    /// The text of the first line: the server's name and an optional greeting.
    pub greeting: String,
    /// The extensions advertised, one per further line. Lines that are not a
    /// valid ehlo-line are left out here (they are in the transcript).
    pub capabilities: Vec<Capability>,
}

impl EhloReport {
    /// Whether the server advertised `keyword` (case-insensitive).
    #[must_use]
    pub fn has(&self, keyword: &str) -> bool {
        self.capabilities.iter().any(|c| c.keyword.eq_ignore_ascii_case(keyword))
    }
}

/// One certificate as the server presented it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// SHA-256 of the DER, lower-case hex.
    pub sha256: String,
    /// The DER, standard base64 with padding.
    pub der_base64: String,
}

impl Certificate {
    /// Records a certificate from its DER (not parsed here).
    #[must_use]
    pub fn from_der(der: &[u8]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        Self { sha256: data_encoding::HEXLOWER.encode(digest.as_ref()), der_base64: data_encoding::BASE64.encode(der) }
    }

    /// The DER bytes back, if `der_base64` is valid base64.
    pub fn der(&self) -> Result<Vec<u8>, base64ct::Error> {
        <base64ct::Base64 as base64ct::Encoding>::decode_vec(&self.der_base64)
    }
}

/// What the caller's TLS stack negotiated; the shell fills this in after the
/// handshake and hands it to [`Client::handle_tls_established`](super::Client::handle_tls_established).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsFacts {
    /// Protocol version, e.g. `TLSv1.3`.
    pub version: String,
    /// Cipher suite, IANA name, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: String,
    /// Key-exchange group, e.g. `X25519`, when known.
    pub kx_group: Option<String>,
    /// The chain exactly as presented, leaf first.
    pub chain: Vec<Certificate>,
}

/// Why the probe ended early: the step and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFailure {
    pub step: Step,
    /// A stable, machine-readable name for the reason (e.g. `timeout`).
    pub kind: String,
    /// The reason in words.
    pub message: String,
}

/// Everything one probe of one address found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub mode: TlsMode,
    /// The greeting's lines (text after the code), sanitised.
    pub banner: Vec<String>,
    /// EHLO before TLS (`starttls` mode only).
    pub ehlo: Option<EhloReport>,
    /// Whether the plaintext EHLO advertised STARTTLS (`None` when it was not
    /// seen, or in implicit-TLS mode).
    pub starttls_offered: Option<bool>,
    /// TLS was established (by STARTTLS or implicitly) and EHLO over TLS
    /// succeeded; for a probe that ends at the handshake
    /// (`AfterTls::Quit`, a check's probe), TLS was established.
    pub starttls: bool,
    /// The negotiated TLS parameters and chain.
    pub tls: Option<TlsFacts>,
    /// EHLO over TLS.
    pub ehlo_tls: Option<EhloReport>,
    /// Some reply line ended in a bare LF instead of CRLF (RFC 5321 §2.3.8);
    /// accepted, but recorded.
    pub bare_lf: bool,
    pub steps: Vec<StepTiming>,
    pub transcript: Vec<TranscriptLine>,
    /// Lines were left out of the transcript (see `MAX_TRANSCRIPT_LINES`).
    pub transcript_truncated: bool,
    /// The failure that ended the probe early, if any. A failed QUIT is not
    /// one: it shows in `steps` only.
    pub error: Option<StepFailure>,
}

impl Report {
    /// TLS was established and EHLO over TLS succeeded (a probe that ends
    /// at the handshake: TLS was established), and nothing failed.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.starttls && self.error.is_none()
    }

    /// Total milliseconds from the start of the probe to the end of its last
    /// step.
    #[must_use]
    pub fn total_ms(&self) -> u64 {
        self.steps.iter().map(|s| s.started_ms.saturating_add(s.duration_ms)).max().unwrap_or(0)
    }
}

/// Which signature algorithms one handshake offered. A server may hold an
/// ECDSA and an RSA chain at once and picks by what the client offers, so a
/// probe runs one handshake per family to see every chain (RFC 8446 §4.2.3,
/// RFC 5246 §7.4.1.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureFamily {
    Ecdsa,
    Rsa,
}

impl SignatureFamily {
    /// Both families, in the order they are reported.
    pub const ALL: [Self; 2] = [Self::Ecdsa, Self::Rsa];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ecdsa => "ecdsa",
            Self::Rsa => "rsa",
        }
    }
}

/// One probe of one address, offering one [`SignatureFamily`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlgorithmProbe {
    pub signature_family: SignatureFamily,
    pub report: Report,
}

/// Everything learnt about one address of a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressReport {
    /// The IP address probed.
    pub address: std::net::IpAddr,
    pub port: u16,
    /// Why the address was not probed (SSRF policy), if it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    pub probes: Vec<AlgorithmProbe>,
}

impl AddressReport {
    /// The address was probed and at least one handshake completed
    /// STARTTLS (or implicit TLS) and EHLO over TLS. A failed handshake for
    /// one family next to a completed one means the server has no chain for
    /// that family, which is allowed.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.refused.is_none() && self.probes.iter().any(|p| p.report.is_complete())
    }
}

/// A probe of every address of one host name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostReport {
    pub host: String,
    pub port: u16,
    pub mode: TlsMode,
    pub addresses: Vec<AddressReport>,
}

impl HostReport {
    /// Every address is ok (and there is at least one).
    #[must_use]
    pub fn is_ok(&self) -> bool {
        !self.addresses.is_empty() && self.addresses.iter().all(AddressReport::is_ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_records_sha256_and_base64() {
        let cert = Certificate::from_der(b"abc");
        assert_eq!(cert.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(cert.der_base64, "YWJj");
        assert_eq!(cert.der().unwrap(), b"abc");
    }

    #[test]
    fn step_names_match_serde() {
        for step in
            [Step::Connect, Step::Greeting, Step::Ehlo, Step::Starttls, Step::TlsHandshake, Step::EhloTls, Step::Quit]
        {
            assert_eq!(serde_json::to_value(step).unwrap(), step.as_str());
        }
    }

    #[test]
    fn ehlo_keywords_are_case_insensitive() {
        let ehlo = EhloReport {
            greeting: "mx".into(),
            capabilities: vec![Capability { keyword: "STARTTLS".into(), params: vec![] }],
        };
        assert!(ehlo.has("starttls"));
        assert!(!ehlo.has("SMTPUTF8"));
    }
}
