//! `geleit-bench load`: drives the edge's `GET /api/check` with many
//! requests at once and compares every answer with the verdict the same
//! domain gets without load.
//!
//! Loopback only (the URL must name a loopback address), a bounded number
//! of checks and a bounded time: first every domain once, one at a time
//! (the unloaded answers), then `total` checks cycling through the domains
//! with `concurrency` in flight. An answer "differs" when its summary (the
//! domain verdict and every address's verdict, or the error code) is not the
//! unloaded one: under load the verdict must stay what it is.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::record::{Record, Stats};

/// What to drive.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `http://127.0.0.1:PORT` (loopback only).
    pub base: SocketAddr,
    pub domains: Vec<String>,
    pub concurrency: usize,
    pub total: usize,
    /// Time one request may take.
    pub timeout: Duration,
    /// Time the loaded run may take in all.
    pub max_time: Duration,
    /// The worker's process, for its CPU time (`/proc/PID/stat`).
    pub pid: Option<u32>,
}

/// One answer, reduced to what must not change under load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub summary: String,
    /// TLS handshakes the check's probes made (one per address and family).
    pub handshakes: usize,
}

/// The parts of an `/api/check` answer that are the verdict: the HTTP
/// status, then the domain's verdict and every address's verdict, or the
/// error code. Timings, transcripts and dates are left out.
pub fn summarize(status: u16, body: &str) -> Answer {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return Answer { summary: format!("{status} (not JSON)"), handshakes: 0 };
    };
    if status != 200 {
        let code = v.pointer("/error/code").or_else(|| v.get("code")).and_then(Value::as_str).unwrap_or("?");
        return Answer { summary: format!("{status} {code}"), handshakes: 0 };
    }
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
    let mut parts = vec![format!("{status} {} (MX {})", text(&v, "verdict"), text(&v, "mx_status"))];
    let mut handshakes = 0;
    for host in v.get("hosts").and_then(Value::as_array).into_iter().flatten() {
        let name = host.get("host").and_then(Value::as_str).unwrap_or("?");
        parts.push(format!("{name} {}", text(host, "outcome")));
        for a in host.get("addresses").and_then(Value::as_array).into_iter().flatten() {
            let families = a.get("families").and_then(Value::as_array).map_or(0, Vec::len);
            handshakes += families;
            parts.push(format!(
                "{name} {} {}",
                a.get("address").and_then(Value::as_str).unwrap_or("?"),
                a.get("verdict").and_then(Value::as_str).unwrap_or("?")
            ));
        }
    }
    Answer { summary: parts.join("; "), handshakes }
}

/// GET `path` from `base` (HTTP/1.0: the server closes, no chunking).
async fn get(base: SocketAddr, path: &str, timeout: Duration) -> anyhow::Result<(u16, String)> {
    let exchange = async {
        let mut s = TcpStream::connect(base).await?;
        s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {base}\r\nAccept: application/json\r\n\r\n").as_bytes())
            .await?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await?;
        anyhow::Ok(raw)
    };
    let raw = tokio::time::timeout(timeout, exchange).await.context("no answer in time")??;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").context("expected an HTTP response, found no header end")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .context("expected an HTTP status line, found none")?;
    Ok((status, body.to_owned()))
}

fn path(domain: &str) -> String {
    format!("/api/check?domain={domain}")
}

/// CPU seconds (user + system) of process `pid` and its threads so far.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Runs the plan: the unloaded answers, then the loaded run. Fills `rec`
/// (latencies in `runs_ms`, the rest in `fields`).
pub async fn run(plan: &Plan, rec: &mut Record) -> anyhow::Result<()> {
    let loopback = match plan.base.ip() {
        IpAddr::V4(a) => a.is_loopback(),
        IpAddr::V6(a) => a.is_loopback(),
    };
    if !loopback {
        bail!("expected a loopback address for the load, found {}", plan.base);
    }
    if plan.domains.is_empty() || plan.concurrency == 0 {
        bail!("expected domains and a concurrency of at least 1");
    }
    // Unloaded: each domain once, one at a time.
    let mut baseline = std::collections::HashMap::new();
    for d in &plan.domains {
        let answer = match get(plan.base, &path(d), plan.timeout).await {
            Ok((status, body)) => summarize(status, &body),
            Err(e) => Answer { summary: format!("no answer: {e:#}"), handshakes: 0 },
        };
        baseline.insert(d.clone(), answer);
    }
    let baseline = Arc::new(baseline);
    let cpu0 = plan.pid.and_then(cpu_seconds);
    let t0 = Instant::now();
    let deadline = t0 + plan.max_time;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..plan.concurrency.min(plan.total) {
        let (plan, next, baseline) = (plan.clone(), Arc::clone(&next), Arc::clone(&baseline));
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= plan.total || Instant::now() >= deadline {
                    return done;
                }
                let Some(domain) = plan.domains.get(i % plan.domains.len()) else { return done };
                let started = Instant::now();
                let answer = match get(plan.base, &path(domain), plan.timeout).await {
                    Ok((status, body)) => summarize(status, &body),
                    Err(e) => Answer { summary: format!("no answer: {e:#}"), handshakes: 0 },
                };
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                let same = baseline.get(domain).is_some_and(|b| b.summary == answer.summary);
                done.push((domain.clone(), ms, answer, same));
            }
        });
    }
    let mut results = Vec::new();
    while let Some(r) = workers.join_next().await {
        results.extend(r.context("a load worker failed")?);
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = match (cpu0, plan.pid.and_then(cpu_seconds)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let checks = results.len();
    let handshakes: usize = results.iter().map(|(_, _, a, _)| a.handshakes).sum();
    let differ: Vec<&(String, f64, Answer, bool)> = results.iter().filter(|r| !r.3).collect();
    rec.runs_ms = results.iter().map(|r| r.1).collect();
    let f = &mut rec.fields;
    let num = |x: f64| Value::from((x * 1000.0).round() / 1000.0);
    f.insert("concurrency".into(), plan.concurrency.into());
    f.insert("checks".into(), checks.into());
    f.insert("asked".into(), plan.total.into());
    f.insert("wall_s".into(), num(wall));
    f.insert("checks_per_s".into(), num(checks as f64 / wall));
    f.insert("probes_per_s".into(), num(handshakes as f64 / wall));
    f.insert("handshakes".into(), handshakes.into());
    if let Some(cpu) = cpu.filter(|c| *c > 0.0) {
        f.insert("worker_cpu_s".into(), num(cpu));
        f.insert("checks_per_cpu_s".into(), num(checks as f64 / cpu));
        f.insert("probes_per_cpu_s".into(), num(handshakes as f64 / cpu));
    }
    if let Some(s) = Stats::of(&rec.runs_ms) {
        f.insert("p50_ms".into(), num(s.median));
    }
    f.insert("p99_ms".into(), num(percentile(&rec.runs_ms, 0.99)));
    f.insert("differ".into(), differ.len().into());
    f.insert("differ_share".into(), num(if checks == 0 { 0.0 } else { differ.len() as f64 / checks as f64 }));
    // What the differing answers said, most frequent first.
    let mut kinds: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (domain, _, answer, _) in &differ {
        let unloaded = baseline.get(domain).map_or("?", |b| b.summary.as_str());
        *kinds.entry(format!("{domain}: {} (unloaded: {unloaded})", answer.summary)).or_default() += 1;
    }
    let mut kinds: Vec<(String, usize)> = kinds.into_iter().collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    f.insert(
        "differ_examples".into(),
        kinds.iter().take(8).map(|(k, n)| format!("{n}× {k}")).collect::<Vec<_>>().into(),
    );
    let errors = results.iter().filter(|r| r.2.summary.starts_with("no answer")).count();
    f.insert("no_answer".into(), errors.into());
    if checks < plan.total {
        f.insert("note".into(), format!("stopped after {checks} of {} checks (time bound)", plan.total).into());
    }
    Ok(())
}

/// The `q` quantile (nearest rank) of `samples`.
pub fn percentile(samples: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let rank = (q * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_keeps_the_verdicts_and_drops_the_rest() {
        let body = r#"{"domain":"a.example","verdict":"authenticated","mx_status":"secure","hosts":[
            {"host":"mx.a.example.","outcome":"dane_required","why":"x","addresses":[
              {"address":"127.0.1.1","verdict":"authenticated","families":[{"family":"ecdsa"},{"family":"rsa"}]},
              {"address":"::1","verdict":"not_authenticated","families":[{"family":"ecdsa"}]}]}]}"#;
        let a = summarize(200, body);
        assert_eq!(
            a.summary,
            "200 authenticated (MX secure); mx.a.example. dane_required; mx.a.example. 127.0.1.1 authenticated; \
             mx.a.example. ::1 not_authenticated"
        );
        assert_eq!(a.handshakes, 3);
        let e = summarize(502, r#"{"error":{"code":"dns_unreachable","message":"x"}}"#);
        assert_eq!(e.summary, "502 dns_unreachable");
        assert_eq!(summarize(500, "oops").summary, "500 (not JSON)");
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=200).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.99), 198.0);
        assert_eq!(percentile(&v, 0.5), 100.0);
        assert_eq!(percentile(&[5.0], 0.99), 5.0);
        assert!(percentile(&[], 0.99).is_nan());
    }

    #[tokio::test]
    async fn refuses_addresses_that_are_not_loopback() {
        let plan = Plan {
            base: "192.0.2.1:80".parse().unwrap(),
            domains: vec!["a.example".into()],
            concurrency: 1,
            total: 1,
            timeout: Duration::from_secs(1),
            max_time: Duration::from_secs(1),
            pid: None,
        };
        let err = run(&plan, &mut Record::default()).await.unwrap_err();
        assert_eq!(err.to_string(), "expected a loopback address for the load, found 192.0.2.1:80");
    }
}
