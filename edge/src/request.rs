//! `GET /api/probe`: the request and what the edge probes for it. The query
//! is `geleit::api::ProbeRequest`, the API's one contract, checked before
//! any lookup or connection:
//!
//! - `host=H&sni=S&addr=A&addr=B&port=P` (validated): the addresses a caller
//!   validated itself with DNSSEC (the CLI's and the web app's checks send
//!   their `DomainCheck` targets so). The edge probes exactly these, sends
//!   `S` as SNI (RFC 7672 §8.1) and reports under `H`.
//! - `host=H&port=P` (a name): the edge resolves `H` through its DoH upstream
//!   and probes what it finds, with `H` as SNI (`/api/probe?host=` by hand).
//!
//! Either way every address is checked against the SSRF policy before any
//! connection ([`crate::plan::Plan`]: no private, loopback, link-local, …
//! address, only ports 25, 465 and 587); `/api/check` plans each of its
//! targets the same way ([`HostProbe::plan`]).

use std::net::IpAddr;

use geleit::api::{self, ProbeRequest};
use geleit::check::FetchRequest;
use geleit::smtp::TlsMode;

use crate::config::Settings;
use crate::error::EdgeError;
use crate::plan::Plan;

/// The checked request, from the decoded query pairs of the URL.
pub fn probe_request<I, K, V>(pairs: I) -> Result<ProbeRequest, EdgeError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    Ok(ProbeRequest::from_query(pairs)?)
}

/// `GET /api/sts-policy`: the checked policy fetch (see
/// [`crate::check::sts_policy`]), from the decoded query pairs of the URL.
pub fn policy_request<I, K, V>(pairs: I) -> Result<FetchRequest, EdgeError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    Ok(api::fetch_request_from_query(pairs)?)
}

/// STARTTLS on 25 and 587, implicit TLS on 465 (RFC 8314 §3.3).
#[must_use]
pub fn mode(port: u16) -> TlsMode {
    if port == 465 { TlsMode::ImplicitTls } else { TlsMode::Starttls }
}

/// The probes of one host: the plan (report skeleton, connections) and the
/// name to send as SNI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostProbe {
    pub plan: Plan,
    pub sni: String,
}

impl HostProbe {
    /// Plans `request`: a validated request's own addresses, or for a name
    /// the addresses the edge `resolved` for it; each address after the SSRF
    /// policy, at most `max_addresses` of them. A plan may have nothing to
    /// probe (every address refused, or a server name TLS cannot send: RFC
    /// 6066 §3 allows only host names); its report then says why for every
    /// address, and [`Self::refusal`] is the error for `/api/probe`.
    #[must_use]
    pub fn plan(request: &ProbeRequest, resolved: &[IpAddr], settings: &Settings) -> Self {
        let (host, sni, addresses) = match request {
            ProbeRequest::Validated { host, sni, addresses, .. } => (host, sni, addresses.as_slice()),
            ProbeRequest::Name { host, .. } => (host, host, resolved),
        };
        let port = request.port();
        let plan = Plan::with_refusals(
            host,
            port,
            mode(port),
            addresses,
            &settings.extra_allowed,
            settings.limits.max_addresses,
        );
        match api::check_host_name(sni) {
            Ok(sni) => Self { plan, sni },
            Err(e) => {
                let why = format!("not probed: the TLS server name is unusable: {e}");
                Self { plan: unprobeable(plan, why), sni: sni.clone() }
            }
        }
    }

    /// Whether there is nothing to probe.
    #[must_use]
    pub fn is_refused(&self) -> bool {
        self.plan.targets.is_empty()
    }

    /// The error for a plan with nothing to probe.
    #[must_use]
    pub fn refusal(&self) -> EdgeError {
        self.plan.refusal()
    }

    /// The addresses to connect to, each once.
    #[must_use]
    pub fn addresses(&self) -> Vec<IpAddr> {
        let mut addresses: Vec<IpAddr> = self.plan.targets.iter().map(|t| t.address).collect();
        addresses.dedup();
        addresses
    }
}

/// `plan` with nothing to probe: every address not yet refused gets `why`.
fn unprobeable(mut plan: Plan, why: String) -> Plan {
    for address in &mut plan.report.addresses {
        address.refused.get_or_insert_with(|| why.clone());
    }
    plan.targets.clear();
    plan.first_refusal.get_or_insert(why);
    plan
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use geleit::api::{ErrorCode, RequestError};
    use geleit::verdict::ProbeTarget;

    use super::*;

    fn req(q: &[(&str, &str)]) -> Result<ProbeRequest, EdgeError> {
        probe_request(q.iter().copied())
    }

    fn settings(allow: &str) -> Settings {
        let vars: HashMap<&str, String> = [("GELEIT_ALLOW_RANGES", allow.to_owned())].into_iter().collect();
        Settings::from_vars(|name| vars.get(name).cloned()).unwrap()
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    /// `/api/probe` up to the first connection: the request, then the plan.
    fn probe(q: &[(&str, &str)], resolved: &[IpAddr], settings: &Settings) -> Result<HostProbe, EdgeError> {
        let probe = HostProbe::plan(&req(q)?, resolved, settings);
        if probe.is_refused() { Err(probe.refusal()) } else { Ok(probe) }
    }

    #[test]
    fn the_validated_form_names_host_sni_addresses_and_port() {
        let q = [
            ("host", "MX.Example."),
            ("sni", "Mail.Provider.Example"),
            ("addr", "8.8.8.8"),
            ("addr", "2001:4860::8888"),
        ];
        let r = req(&q).unwrap();
        assert_eq!(
            r,
            ProbeRequest::Validated {
                host: "mx.example".into(),
                sni: "mail.provider.example".into(),
                addresses: ips(&["8.8.8.8", "2001:4860::8888"]),
                port: 25
            }
        );
        // Exactly these addresses are probed (the edge resolves nothing), with the SNI.
        let p = probe(&q, &ips(&["9.9.9.9"]), &settings("")).unwrap();
        assert_eq!((p.sni.as_str(), p.plan.report.host.as_str()), ("mail.provider.example", "mx.example"));
        assert_eq!(p.addresses(), ips(&["8.8.8.8", "2001:4860::8888"]));
        assert_eq!(p.plan.targets.len(), 4, "two signature families per address");
        // What the CLI's check sends reads back as the same request.
        let target = ProbeTarget {
            host: "mx.example".into(),
            sni: "mail.provider.example".into(),
            addresses: ips(&["8.8.8.8"]),
        };
        let sent = ProbeRequest::for_target(&target, 25);
        let pairs = sent.query_pairs();
        assert_eq!(probe_request(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap(), sent);
    }

    #[test]
    fn the_name_form_probes_what_the_edge_resolved() {
        let r = req(&[("host", "MX.Example.COM."), ("x", "1")]).unwrap();
        assert_eq!(r, ProbeRequest::Name { host: "mx.example.com".into(), port: 25 });
        let p = probe(&[("host", "mx.example.com")], &ips(&["8.8.4.4"]), &settings("")).unwrap();
        assert_eq!((p.sni.as_str(), p.addresses()), ("mx.example.com", ips(&["8.8.4.4"])));
        assert_eq!(mode(465), TlsMode::ImplicitTls);
        assert_eq!(mode(587), TlsMode::Starttls);
        let p = probe(&[("host", "smtp.example"), ("port", "465")], &ips(&["8.8.4.4"]), &settings("")).unwrap();
        assert_eq!((p.plan.report.port, p.plan.report.mode), (465, TlsMode::ImplicitTls));
    }

    #[test]
    fn a_private_addr_is_refused_by_the_ssrf_policy() {
        for (addr, range) in [
            ("10.0.0.1", "10.0.0.0/8 (private, RFC 1918)"),
            ("127.0.0.1", "127.0.0.0/8 (loopback, RFC 1122)"),
            ("169.254.1.1", "169.254.0.0/16 (link-local, RFC 3927)"),
            ("::1", "::1/128 (loopback, RFC 4291)"),
            ("fe80::1", "fe80::/10 (link-local, RFC 4291)"),
        ] {
            let q = [("host", "mx.example"), ("sni", "mx.example"), ("addr", addr), ("port", "25")];
            let e = probe(&q, &[], &settings("")).unwrap_err();
            assert_eq!((e.code(), e.status()), (ErrorCode::TargetRefused, 403), "{addr}");
            assert_eq!(e.to_string(), format!("refused: expected a public unicast address, found {addr} in {range}"));
        }
        // One private address beside a public one: only the public one is probed.
        let q = [("host", "mx.example"), ("addr", "10.0.0.1"), ("addr", "8.8.8.8")];
        let p = probe(&q, &[], &settings("")).unwrap();
        assert_eq!(p.addresses(), ips(&["8.8.8.8"]));
        assert!(p.plan.report.addresses[0].refused.as_deref().is_some_and(|r| r.starts_with("refused by policy: ")));
        // The operator's ranges let a lab through.
        let q = [("host", "mx.example"), ("addr", "127.0.1.16")];
        assert_eq!(probe(&q, &[], &settings("127.0.0.0/8")).unwrap().addresses(), ips(&["127.0.1.16"]));
    }

    #[test]
    fn only_smtp_ports_are_probed() {
        for port in ["0", "22", "80", "443", "2525", "65536", "25.0", "+25", " 25", ""] {
            for q in [
                vec![("host", "mx.example"), ("port", port)],
                vec![("host", "mx.example"), ("sni", "mx.example"), ("addr", "8.8.8.8"), ("port", port)],
            ] {
                let e = req(&q).unwrap_err();
                assert_eq!((e.code(), e.status()), (ErrorCode::BadPort, 400), "{port:?}");
            }
        }
        assert_eq!(
            req(&[("host", "mx.example"), ("addr", "8.8.8.8"), ("port", "22")]).unwrap_err().to_string(),
            "expected port 25, 465 or 587, found \"22\""
        );
    }

    #[test]
    fn bad_queries_are_refused_with_the_apis_words() {
        assert_eq!(req(&[("port", "25")]).unwrap_err(), EdgeError::missing("host"));
        assert_eq!(req(&[("host", "a.example"), ("host", "b.example")]).unwrap_err(), EdgeError::duplicate("host"));
        assert_eq!(
            req(&[("host", "mx.example"), ("sni", "mx.example")]).unwrap_err(),
            EdgeError::Request(RequestError::MissingParameter { name: "addr" })
        );
        for host in ["127.0.0.1", "::1", "[::1]", "10.1.2.3", "127.1", "2130706433"] {
            let e = req(&[("host", host), ("addr", "8.8.8.8")]).unwrap_err();
            assert_eq!((e.code(), e.status()), (ErrorCode::LiteralAddress, 400), "{host}");
        }
        assert_eq!(
            req(&[("host", "127.0.0.1")]).unwrap_err().to_string(),
            "expected a host name, found the IP address \"127.0.0.1\""
        );
        let e = req(&[("host", "mx.example"), ("addr", "8.8.8.8"), ("sni", "a\u{1b}[31m.example")]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadHost);
        assert_eq!(
            e.to_string(),
            "expected a mail server host name, found \"a\\x1b[31m.example\": only letters, digits, \"-\" and \".\" are allowed"
        );
        for addr in ["mx.example", "10.0.0.1/8", "[::1]", ""] {
            let e = req(&[("host", "mx.example"), ("addr", addr)]).unwrap_err();
            assert_eq!((e.code(), e.status()), (ErrorCode::BadAddress, 400), "{addr:?}");
        }
    }

    #[test]
    fn a_server_name_tls_cannot_send_is_not_probed() {
        // A TLSA base domain from DNS may hold what no host name may (`_`).
        let target =
            ProbeTarget { host: "mx.example".into(), sni: "mx_1.example".into(), addresses: ips(&["8.8.8.8"]) };
        let p = HostProbe::plan(&ProbeRequest::for_target(&target, 25), &[], &settings(""));
        assert!(p.is_refused());
        let why = "not probed: the TLS server name is unusable: expected a mail server host name, found \"mx_1.example\": only letters, digits, \"-\" and \".\" are allowed";
        assert_eq!(p.plan.report.addresses[0].refused.as_deref(), Some(why));
        assert_eq!(p.refusal().to_string(), format!("refused: {why}"));
    }
}
