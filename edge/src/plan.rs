//! From a host's addresses to the probes to run and the report to return
//! (the same [`HostReport`] JSON shape as `geleit probe --json`).
//!
//! Every address is checked against the core's SSRF policy
//! (`geleit::smtp::check_probe_target`) before any connection; refused
//! addresses stay in the report with the reason. Addresses past the
//! request's limit are reported as not probed. When nothing at all may be
//! probed the request fails with [`EdgeError::TargetRefused`].

use std::net::IpAddr;

use geleit::smtp::{
    AddressReport, AlgorithmProbe, Cidr, HostReport, Report, SignatureFamily, TlsMode, check_probe_target,
};

use crate::error::EdgeError;

/// One connection to make: an address (by its index in the report) and the
/// signature family to offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub index: usize,
    pub address: IpAddr,
    pub family: SignatureFamily,
}

/// The report skeleton and the probes that fill it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub report: HostReport,
    pub targets: Vec<Target>,
    /// The policy's reason for the first address it refused.
    pub first_refusal: Option<String>,
}

impl Plan {
    /// Plans probes of `addresses` (resolver order, duplicates removed) on
    /// `port`: policy first, then at most `max_addresses` allowed ones.
    /// Fails when nothing may be probed.
    pub fn new(
        host: &str,
        port: u16,
        mode: TlsMode,
        addresses: &[IpAddr],
        extra_allowed: &[Cidr],
        max_addresses: usize,
    ) -> Result<Self, EdgeError> {
        let plan = Self::with_refusals(host, port, mode, addresses, extra_allowed, max_addresses);
        if plan.targets.is_empty() {
            return Err(plan.refusal());
        }
        Ok(plan)
    }

    /// As [`Plan::new`], but a plan with nothing to probe is returned too:
    /// its report lists every address with the reason it is not probed.
    #[must_use]
    pub fn with_refusals(
        host: &str,
        port: u16,
        mode: TlsMode,
        addresses: &[IpAddr],
        extra_allowed: &[Cidr],
        max_addresses: usize,
    ) -> Self {
        let mut report = HostReport { host: host.to_owned(), port, mode, addresses: Vec::new() };
        let mut targets = Vec::new();
        let mut allowed = 0usize;
        let mut first_refusal = None;
        for &address in addresses {
            if report.addresses.iter().any(|a| a.address == address) {
                continue;
            }
            let index = report.addresses.len();
            let refused = match check_probe_target(address, port, extra_allowed) {
                Err(refusal) => {
                    let text = format!("refused by policy: {refusal}");
                    first_refusal.get_or_insert_with(|| refusal.to_string());
                    Some(text)
                }
                Ok(()) if allowed >= max_addresses => {
                    Some(format!("not probed: more than {max_addresses} addresses per request"))
                }
                Ok(()) => {
                    allowed += 1;
                    targets.extend(SignatureFamily::ALL.iter().map(|&family| Target { index, address, family }));
                    None
                }
            };
            report.addresses.push(AddressReport { address, port, refused, probes: Vec::new() });
        }
        Self { report, targets, first_refusal }
    }

    /// The error for a plan with nothing to probe.
    #[must_use]
    pub fn refusal(&self) -> EdgeError {
        EdgeError::TargetRefused {
            reason: self.first_refusal.clone().unwrap_or_else(|| "no address to probe".to_owned()),
        }
    }

    /// Files one probe's report under its address, in family order.
    pub fn record(&mut self, target: Target, report: Report) {
        if let Some(address) = self.report.addresses.get_mut(target.index) {
            address.probes.push(AlgorithmProbe { signature_family: target.family, report });
            address.probes.sort_by_key(|p| SignatureFamily::ALL.iter().position(|&f| f == p.signature_family));
        }
    }

    /// The finished report.
    #[must_use]
    pub fn into_report(self) -> HostReport {
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geleit::smtp::{Client, Config};

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn empty_report() -> Report {
        Client::new(Config::new("edge.invalid"), 0).unwrap().into_report()
    }

    #[test]
    fn private_addresses_are_reported_not_probed() {
        let addrs = ips(&["192.0.2.1", "8.8.8.8", "10.0.0.1", "8.8.8.8", "2a00:1450::1"]);
        let plan = Plan::new("mx.example", 25, TlsMode::Starttls, &addrs, &[], 8).unwrap();
        let r = &plan.report;
        assert_eq!(r.addresses.len(), 4);
        assert_eq!(
            r.addresses[0].refused.as_deref(),
            Some(
                "refused by policy: expected a public unicast address, found 192.0.2.1 in 192.0.2.0/24 (documentation TEST-NET-1, RFC 5737)"
            )
        );
        assert_eq!(r.addresses[1].refused, None);
        assert!(r.addresses[2].refused.is_some());
        assert_eq!(plan.targets.len(), 4);
        assert_eq!(plan.targets.iter().map(|t| t.index).collect::<Vec<_>>(), [1, 1, 3, 3]);
    }

    #[test]
    fn all_refused_is_an_error() {
        let e = Plan::new("mx.example", 25, TlsMode::Starttls, &ips(&["127.0.0.1", "::1"]), &[], 8).unwrap_err();
        assert_eq!(e.status(), 403);
        assert_eq!(
            e.to_string(),
            "refused: expected a public unicast address, found 127.0.0.1 in 127.0.0.0/8 (loopback, RFC 1122)"
        );
        // The operator's ranges let the lab through.
        let lab: Vec<Cidr> = vec!["127.0.0.0/8".parse().unwrap()];
        let plan = Plan::new("mx.example", 25, TlsMode::Starttls, &ips(&["127.0.0.1", "::1"]), &lab, 8).unwrap();
        assert_eq!(plan.targets.len(), 2);
        assert!(plan.report.addresses[1].refused.is_some());
    }

    #[test]
    fn address_limit() {
        let addrs = ips(&["8.8.8.8", "8.8.4.4", "1.1.1.1"]);
        let plan = Plan::new("mx.example", 587, TlsMode::Starttls, &addrs, &[], 2).unwrap();
        assert_eq!(plan.targets.len(), 4);
        assert_eq!(plan.report.addresses[2].refused.as_deref(), Some("not probed: more than 2 addresses per request"));
    }

    #[test]
    fn reports_are_filed_in_family_order() {
        let mut plan = Plan::new("mx.example", 25, TlsMode::Starttls, &ips(&["8.8.8.8"]), &[], 8).unwrap();
        let targets = plan.targets.clone();
        plan.record(targets[1], empty_report());
        plan.record(targets[0], empty_report());
        let report = plan.into_report();
        let families: Vec<_> = report.addresses[0].probes.iter().map(|p| p.signature_family).collect();
        assert_eq!(families, SignatureFamily::ALL);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["addresses"][0]["probes"][1]["signature_family"], "rsa");
        assert_eq!(json["mode"], "starttls");
    }
}
