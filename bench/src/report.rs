//! `geleit-bench report`: measurement records + run facts → report.json and
//! report.md. Pure functions of their input (tested below).

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::{Value, json};

use crate::record::{Record, Stats};

/// Section names used by the runner (bench/run.sh).
pub const VERDICT: &str = "verdict";
pub const PROBE: &str = "probe";
pub const CPU: &str = "cpu";
pub const SIZE: &str = "size";

/// Tools of the verdict section.
pub const GELEIT_DNS: &str = "geleit check --no-probe";
pub const GELEIT_FULL: &str = "geleit check";
pub const POSTTLS: &str = "posttls-finger -c -l dane";
/// danetool checks one host (no MX lookup): timed on the domain's first MX host.
pub const DANETOOL: &str = "danetool --check (first MX host)";

/// report.json: the run facts and every record with its statistics.
pub fn to_json(meta: &Value, records: &[Record]) -> Value {
    let recs: Vec<Value> = records
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let (Some(s), Value::Object(m)) = (r.stats(), &mut v) {
                m.insert("stats_ms".into(), json!(s));
                if let Some(d) = r.delay_ms.filter(|d| *d > 0) {
                    m.insert("rtt_equivalents".into(), json!(rtt_eq(s.median, d)));
                }
            }
            v
        })
        .collect();
    json!({ "schema": 1, "meta": meta, "records": recs })
}

/// Wall time in round trips of a link with this one-way delay.
pub fn rtt_eq(ms: f64, one_way_ms: u64) -> f64 {
    ms / (2.0 * one_way_ms as f64)
}

fn ms(s: &Stats) -> String {
    format!("{} ({}–{})", num(s.median), num(s.min), num(s.max))
}

fn num(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn bytes(n: f64) -> String {
    if n >= 1024.0 * 1024.0 {
        format!("{:.2} MiB", n / 1024.0 / 1024.0)
    } else if n >= 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{n:.0} B")
    }
}

fn find<'a>(records: &'a [Record], section: &str, subject: &str, tool: &str, delay: Option<u64>) -> Option<&'a Record> {
    records.iter().find(|r| r.section == section && r.subject == subject && r.tool == tool && r.delay_ms == delay)
}

fn cell_time(r: Option<&Record>, delay: Option<u64>) -> (String, String) {
    match r {
        None => ("–".into(), "–".into()),
        Some(Record { status: Some(st), .. }) if st.starts_with("not built yet") => {
            ("not built yet".into(), "–".into())
        }
        Some(r) if r.status.is_some() => ("not measured".into(), "–".into()),
        Some(r) => match r.stats() {
            None => ("no runs".into(), "–".into()),
            Some(s) => {
                let rtt = delay.filter(|d| *d > 0).map_or("–".into(), |d| format!("{:.1}", rtt_eq(s.median, d)));
                let failed = r.exit_codes.iter().filter(|c| **c == 2 || **c < 0).count();
                let mark = if failed > 0 { format!(" ⚠{failed} errors") } else { String::new() };
                (format!("{}{mark}", ms(&s)), rtt)
            }
        },
    }
}

fn ratio(a: Option<&Record>, b: Option<&Record>) -> String {
    match (a.and_then(Record::stats), b.and_then(Record::stats)) {
        (Some(a), Some(b)) if b.median > 0.0 => format!("{:.2}", a.median / b.median),
        _ => "–".into(),
    }
}

fn field(r: Option<&Record>, key: &str) -> String {
    r.and_then(|r| r.fields.get(key)).map_or("–".into(), |v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// One headline row: per delay and tool, the median over domains of the
/// RTT-equivalents and of the per-domain ratio to posttls-finger.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub delay_ms: u64,
    pub tool: String,
    pub rtt_eq: f64,
    pub ratio_to_posttls: Option<f64>,
    pub domains: usize,
}

/// Headline rows for every delay > 0 of the verdict section.
pub fn headline(records: &[Record]) -> Vec<Headline> {
    let delays: BTreeSet<u64> = records.iter().filter(|r| r.section == VERDICT).filter_map(|r| r.delay_ms).collect();
    let mut out = Vec::new();
    for d in delays.into_iter().filter(|d| *d > 0) {
        for tool in [GELEIT_DNS, GELEIT_FULL, POSTTLS, DANETOOL] {
            let mine: Vec<&Record> =
                records.iter().filter(|r| r.section == VERDICT && r.tool == tool && r.delay_ms == Some(d)).collect();
            let eqs: Vec<f64> = mine.iter().filter_map(|r| r.stats().map(|s| rtt_eq(s.median, d))).collect();
            let ratios: Vec<f64> = mine
                .iter()
                .filter_map(|r| {
                    let p = find(records, VERDICT, &r.subject, POSTTLS, Some(d))?.stats()?;
                    Some(r.stats()?.median / p.median)
                })
                .collect();
            if let Some(s) = Stats::of(&eqs) {
                out.push(Headline {
                    delay_ms: d,
                    tool: tool.to_owned(),
                    rtt_eq: s.median,
                    ratio_to_posttls: Stats::of(&ratios).map(|r| r.median),
                    domains: s.n,
                });
            }
        }
    }
    out
}

/// report.md.
pub fn to_markdown(meta: &Value, records: &[Record]) -> String {
    let mut o = String::new();
    let m = |k: &str| meta.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
    let _ = writeln!(o, "# Geleit benchmarks\n");
    let _ = writeln!(o, "Written by `make bench` ({}). Do not edit by hand.\n", m("date"));
    let _ = writeln!(o, "- Commit: `{}`", m("commit"));
    let _ =
        writeln!(o, "- Machine: {} cores ({}), {} memory, kernel {}", m("nproc"), m("cpu"), m("memory"), m("kernel"));
    if meta.get("loadavg").is_some() {
        let _ = writeln!(o, "- Load average when the report was written (other work on the machine): {}", m("loadavg"));
    }
    if let Some(tools) = meta.get("tools").and_then(Value::as_object) {
        let _ = writeln!(o, "- Tools:");
        for (k, v) in tools {
            let _ = writeln!(o, "  - {k}: {}", v.as_str().unwrap_or("?"));
        }
    }
    if let Some(runs) = meta.get("runs").and_then(Value::as_u64) {
        let _ = writeln!(o, "- Every timing: {runs} timed runs after one warm-up; figures are median (min–max) in ms.");
    }
    let _ = writeln!(o);

    let head = headline(records);
    if !head.is_empty() {
        let _ = writeln!(o, "## Headline\n");
        let _ = writeln!(o, "Median over the measured domains of the wall time in round trips (RTT-equivalents):\n");
        let _ = writeln!(
            o,
            "| one-way delay | tool | RTT-equivalents (median over domains) | time / posttls-finger's (median over domains) | domains |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|");
        for h in &head {
            let ratio = h.ratio_to_posttls.map_or("–".into(), |r| format!("{r:.2}"));
            let _ = writeln!(o, "| {} ms | {} | {:.1} | {ratio} | {} |", h.delay_ms, h.tool, h.rtt_eq, h.domains);
        }
        let _ = writeln!(o);
    }

    if let Some(text) = meta.get("latency_method").and_then(Value::as_str) {
        let _ = writeln!(o, "## How latency was produced\n\n{text}\n");
    }

    // Time to verdict.
    let verdict: Vec<&Record> = records.iter().filter(|r| r.section == VERDICT).collect();
    if !verdict.is_empty() {
        let _ = writeln!(o, "## Time to verdict\n");
        let delays: BTreeSet<Option<u64>> = verdict.iter().map(|r| r.delay_ms).collect();
        for d in delays {
            let dl = d.unwrap_or(0);
            let _ = writeln!(o, "### One-way delay {dl} ms (RTT {} ms)\n", 2 * dl);
            let _ = writeln!(
                o,
                "| domain | Geleit DNS verdict | RTT× | rounds | queries | Geleit full verdict | RTT× | posttls-finger | RTT× | DNS verdict / posttls-finger | full / posttls-finger | danetool (1st MX host) | full / danetool | Geleit says | posttls-finger says |"
            );
            let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            let mut domains: Vec<&str> =
                verdict.iter().filter(|r| r.delay_ms == d).map(|r| r.subject.as_str()).collect();
            domains.dedup();
            let mut seen = BTreeSet::new();
            for dom in domains.into_iter().filter(|x| seen.insert(*x)) {
                let g = find(records, VERDICT, dom, GELEIT_DNS, d);
                let f = find(records, VERDICT, dom, GELEIT_FULL, d);
                let p = find(records, VERDICT, dom, POSTTLS, d);
                let dt = find(records, VERDICT, dom, DANETOOL, d);
                let (gt, geq) = cell_time(g, d);
                let (ft, feq) = cell_time(f, d);
                let (pt, peq) = cell_time(p, d);
                let _ = writeln!(
                    o,
                    "| {dom} | {gt} | {geq} | {} | {} | {ft} | {feq} | {pt} | {peq} | {} | {} | {} | {} | {} | {} |",
                    field(g, "rounds"),
                    field(g, "queries"),
                    ratio(g, p),
                    ratio(f, p),
                    cell_time(dt, d).0,
                    ratio(f, dt),
                    geleit_says(g, f),
                    short_line(&field(p, "line")).replace('|', "\\|"),
                );
            }
            let _ = writeln!(o);
        }
    }

    // Probe.
    let probe: Vec<&Record> = records.iter().filter(|r| r.section == PROBE).collect();
    if !probe.is_empty() {
        let _ = writeln!(o, "## Probe (one STARTTLS handshake session, sequential)\n");
        let _ = writeln!(o, "| tool | listener | one-way delay | wall time | RTT× | probes/s (sequential) | note |");
        let _ = writeln!(o, "|---|---|---|---|---|---|---|");
        for r in &probe {
            let (t, eq) = cell_time(Some(r), r.delay_ms);
            // A batch record times `batch` probes in a row.
            let batch = r.num("batch").filter(|b| *b >= 1.0).unwrap_or(1.0);
            let rate = r
                .stats()
                .filter(|s| s.median > 0.0)
                .map_or("–".into(), |s| format!("{:.1}", batch * 1000.0 / s.median));
            let note = r.status.clone().unwrap_or_else(|| field(Some(r), "note"));
            let _ = writeln!(
                o,
                "| {} | {} | {} ms | {t} | {eq} | {rate} | {} |",
                r.tool,
                r.subject,
                r.delay_ms.unwrap_or(0),
                note.replace('|', "\\|")
            );
        }
        let _ = writeln!(o);
    }

    // CPU.
    let cpu: Vec<&Record> = records.iter().filter(|r| r.section == CPU).collect();
    if !cpu.is_empty() {
        let _ = writeln!(o, "## CPU\n");
        let _ = writeln!(
            o,
            "| benchmark | where | median per iteration | 95% CI of the median | fastest–slowest sample (per iteration) |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|");
        for r in &cpu {
            if let Some(st) = &r.status {
                let _ = writeln!(o, "| {} | {} | {st} | – | – |", r.subject, r.tool);
                continue;
            }
            if let Some(s) = r.stats() {
                // Samples in ms measured by the runner (native or in the browser).
                let d = |x: f64| duration(x * 1e6);
                let note = field(Some(r), "note");
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | – ({} samples; {note}) | {}–{} |",
                    r.subject,
                    r.tool,
                    d(s.median),
                    s.n,
                    d(s.min),
                    d(s.max)
                );
                continue;
            }
            let t = |k: &str| r.num(k).map_or("–".into(), duration);
            let _ = writeln!(
                o,
                "| {} | {} | {} | {}–{} | {}–{} |",
                r.subject,
                r.tool,
                t("median_ns"),
                t("median_lower_ns"),
                t("median_upper_ns"),
                t("sample_min_ns"),
                t("sample_max_ns")
            );
        }
        let _ = writeln!(o);
    }

    // Sizes.
    let size: Vec<&Record> = records.iter().filter(|r| r.section == SIZE).collect();
    if !size.is_empty() {
        let _ = writeln!(o, "## Sizes\n");
        let _ = writeln!(o, "| build | file | raw | gzip -9 | brotli -11 |");
        let _ = writeln!(o, "|---|---|---|---|---|");
        for r in &size {
            if let Some(st) = &r.status {
                let _ = writeln!(o, "| {} | {} | {st} | – | – |", r.tool, r.subject);
                continue;
            }
            let b = |k: &str| r.num(k).map_or("–".into(), bytes);
            let _ = writeln!(o, "| {} | {} | {} | {} | {} |", r.tool, r.subject, b("raw"), b("gzip"), b("brotli"));
        }
        let _ = writeln!(o);
        for r in size.iter().filter(|r| r.fields.contains_key("top_crates")) {
            let _ = writeln!(
                o,
                "Largest contributors to `{}` ({}): code {} in {} functions, data {}.\n",
                r.subject,
                r.tool,
                r.num("code_bytes").map_or("–".into(), bytes),
                field(Some(r), "functions"),
                r.num("data_bytes").map_or("–".into(), bytes)
            );
            for (key, title) in [("top_crates", "crate (code bytes)"), ("top_functions", "function (code bytes)")] {
                let items: Vec<String> = r
                    .fields
                    .get(key)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|e| {
                                format!(
                                    "`{}` {}",
                                    e.get("name").and_then(Value::as_str).unwrap_or("?"),
                                    e.get("bytes").and_then(Value::as_f64).map_or("?".into(), bytes)
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let _ = writeln!(o, "- by {title}: {}", items.join(", "));
            }
            let _ = writeln!(o);
        }
    }

    // Anything else that could not be measured.
    let missing: Vec<&Record> =
        records.iter().filter(|r| r.status.is_some() && ![PROBE, CPU, SIZE].contains(&r.section.as_str())).collect();
    if !missing.is_empty() {
        let _ = writeln!(o, "## Not measured\n");
        let mut seen = BTreeSet::new();
        for r in missing {
            let line = format!("- {} ({}): {}", r.tool, r.section, r.status.as_deref().unwrap_or(""));
            if seen.insert(line.clone()) {
                let _ = writeln!(o, "{line}");
            }
        }
        let _ = writeln!(o);
    }
    o
}

/// Geleit's verdict: the full check's, else whether the DNS stage found every MX host DANE-ready.
fn geleit_says(dns: Option<&Record>, full: Option<&Record>) -> String {
    if let Some(v) = full.and_then(|f| f.fields.get("verdict")) {
        return v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    }
    match dns.and_then(|d| d.fields.get("dane_ready")).and_then(Value::as_bool) {
        Some(true) => "DNS: DANE-ready".into(),
        Some(false) => "DNS: not DANE-ready".into(),
        None => "–".into(),
    }
}

/// A reference tool's verdict line without the cipher details.
fn short_line(line: &str) -> &str {
    line.split(": TLSv").next().unwrap_or(line)
}

fn duration(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(section: &str, subject: &str, tool: &str, delay: u64, runs: &[f64]) -> Record {
        Record {
            section: section.into(),
            subject: subject.into(),
            tool: tool.into(),
            delay_ms: Some(delay),
            runs_ms: runs.to_vec(),
            exit_codes: vec![0; runs.len()],
            ..Default::default()
        }
    }

    fn meta() -> Value {
        json!({"date": "2026-11-29T23:59:00Z", "commit": "abc123", "nproc": "2", "cpu": "AMD EPYC",
               "memory": "24 GiB", "kernel": "6.1", "runs": 5, "tools": {"openssl": "OpenSSL 3.0.17"},
               "latency_method": "userspace proxy"})
    }

    #[test]
    fn rtt_equivalents() {
        assert_eq!(rtt_eq(150.0, 25), 3.0);
        assert_eq!(rtt_eq(200.0, 100), 1.0);
    }

    #[test]
    fn markdown_verdict_table_and_headline() {
        let mut g = rec(VERDICT, "two-mx.example", GELEIT_DNS, 25, &[160.0, 150.0, 155.0]);
        g.fields.insert("rounds".into(), 3.into());
        g.fields.insert("queries".into(), 12.into());
        g.fields.insert("dane_ready".into(), true.into());
        let mut p = rec(VERDICT, "two-mx.example", POSTTLS, 25, &[600.0, 610.0, 500.0]);
        p.fields.insert("line".into(), "posttls-finger: Verified TLS connection: TLSv1.3 with cipher X".into());
        let f = Record {
            status: Some("not built yet: check without --no-probe".into()),
            ..rec(VERDICT, "two-mx.example", GELEIT_FULL, 25, &[])
        };
        let dt = rec(VERDICT, "two-mx.example", DANETOOL, 25, &[100.0, 110.0, 90.0]);
        let md = to_markdown(&meta(), &[g, p, f, dt]);
        assert!(md.contains("- Commit: `abc123`"), "{md}");
        assert!(md.contains("- Machine: 2 cores (AMD EPYC), 24 GiB memory, kernel 6.1"), "{md}");
        assert!(md.contains("  - openssl: OpenSSL 3.0.17"), "{md}");
        assert!(md.contains("### One-way delay 25 ms (RTT 50 ms)"), "{md}");
        assert!(
            md.contains("| two-mx.example | 155 (150–160) | 3.1 | 3 | 12 | not built yet | – | 600 (500–610) | 12.0 | 0.26 | – | 100 (90.0–110) | – | DNS: DANE-ready | posttls-finger: Verified TLS connection |"),
            "{md}"
        );
        assert!(md.contains("| 25 ms | geleit check --no-probe | 3.1 | 0.26 | 1 |"), "{md}");
        assert!(md.contains("| 25 ms | posttls-finger -c -l dane | 12.0 | 1.00 | 1 |"), "{md}");
        assert!(md.contains("| 25 ms | danetool --check (first MX host) | 2.0 | 0.17 | 1 |"), "{md}");
        assert!(md.contains("- geleit check (verdict): not built yet: check without --no-probe"), "{md}");
        assert!(md.contains("## How latency was produced\n\nuserspace proxy"), "{md}");
    }

    #[test]
    fn markdown_probe_cpu_size_sections() {
        let mut probe = rec(PROBE, "127.0.2.25:25", "geleit probe", 25, &[80.0, 100.0, 90.0]);
        probe.exit_codes = vec![0, 2, 0];
        let edge = Record {
            status: Some("not built yet: edge".into()),
            ..rec(PROBE, "127.0.2.25:25", "edge (workerd)", 25, &[])
        };
        let mut cpu = Record {
            section: CPU.into(),
            subject: "smtp_check two-mx".into(),
            tool: "native".into(),
            ..Default::default()
        };
        for (k, v) in [
            ("median_ns", 1_500_000.0),
            ("median_lower_ns", 1_400_000.0),
            ("median_upper_ns", 1_600_000.0),
            ("sample_min_ns", 1_300_000.0),
            ("sample_max_ns", 2_000_000.0),
        ] {
            cpu.fields.insert(k.into(), json!(v));
        }
        let mut size = Record {
            section: SIZE.into(),
            subject: "core.wasm".into(),
            tool: "core (wasm32, release)".into(),
            ..Default::default()
        };
        for (k, v) in [
            ("raw", json!(2048)),
            ("gzip", json!(1024)),
            ("brotli", json!(900)),
            ("code_bytes", json!(1500)),
            ("data_bytes", json!(300)),
            ("functions", json!(7)),
            ("top_crates", json!([{"name": "ring", "bytes": 1000}])),
            ("top_functions", json!([{"name": "ring::digest::f", "bytes": 600}])),
        ] {
            size.fields.insert(k.into(), v);
        }
        let mut batch = rec(PROBE, "x", "geleit probe, 20 in a row", 0, &[400.0]);
        batch.fields.insert("batch".into(), json!(20.0));
        let mut wasm = rec(CPU, "smtp_check two-mx", "wasm32 in headless Chromium", 0, &[9.0, 10.0, 12.0]);
        wasm.delay_ms = None;
        wasm.fields.insert("note".into(), json!("10 iterations per sample"));
        let wrangler =
            Record { status: Some("not measured: workerd only".into()), ..rec(PROBE, "h", "wrangler", 0, &[]) };
        let md = to_markdown(&meta(), &[probe, edge, cpu, size, batch, wasm, wrangler]);
        assert!(md.contains("| wrangler | h | 0 ms | not measured | – | – | not measured: workerd only |"), "{md}");
        assert!(md.contains("| smtp_check two-mx | wasm32 in headless Chromium | 10.00 ms | – (3 samples; 10 iterations per sample) | 9.00 ms–12.00 ms |"), "{md}");
        assert!(md.contains("| geleit probe, 20 in a row | x | 0 ms | 400 (400–400) | – | 50.0 | – |"), "{md}");
        assert!(
            md.contains("| geleit probe | 127.0.2.25:25 | 25 ms | 90.0 (80.0–100) ⚠1 errors | 1.8 | 11.1 | – |"),
            "{md}"
        );
        assert!(
            md.contains("| edge (workerd) | 127.0.2.25:25 | 25 ms | not built yet | – | – | not built yet: edge |"),
            "{md}"
        );
        assert!(md.contains("| smtp_check two-mx | native | 1.50 ms | 1.40 ms–1.60 ms | 1.30 ms–2.00 ms |"), "{md}");
        assert!(md.contains("| core (wasm32, release) | core.wasm | 2.0 KiB | 1.0 KiB | 900 B |"), "{md}");
        assert!(md.contains("- by crate (code bytes): `ring` 1000 B"), "{md}");
        assert!(md.contains("code 1.5 KiB in 7 functions, data 300 B"), "{md}");
    }

    #[test]
    fn json_carries_stats_and_rtt() {
        let r = rec(VERDICT, "a.example", GELEIT_DNS, 100, &[300.0, 200.0, 250.0]);
        let v = to_json(&meta(), &[r]);
        assert_eq!(v["records"][0]["stats_ms"]["median"], json!(250.0));
        assert_eq!(v["records"][0]["stats_ms"]["min"], json!(200.0));
        assert_eq!(v["records"][0]["rtt_equivalents"], json!(1.25));
        assert_eq!(v["meta"]["commit"], json!("abc123"));
    }
}
