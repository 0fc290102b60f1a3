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
/// Section of the `/api/check` load figures (`geleit-bench load`).
pub const LOAD: &str = "load";
/// Section of the phone figures (bench/phone.mjs): navigation to a rendered
/// verdict in headless Chromium, network and CPU throttled.
pub const PHONE: &str = "phone";
/// The moments bench/phone.mjs records per navigation, in the order they happen.
pub const PHONE_MOMENTS: [&str; 3] = ["first wasm module arrived", "app usable", "verdict rendered"];

/// The SMTP part of a verdict's critical path, in round trips: TCP connect,
/// the server's greeting, EHLO, STARTTLS, the TLS 1.3 handshake (one each).
pub const SMTP_RTT: f64 = 5.0;
/// Goals (issue 13): the full verdict within 1.15× its critical-path bound,
/// and within 0.85× (one MX host) or 0.6× (two) of posttls-finger's time.
pub const GOAL_BOUND: f64 = 1.15;
pub const GOAL_POSTTLS_ONE_MX: f64 = 0.85;
pub const GOAL_POSTTLS_TWO_MX: f64 = 0.6;
/// Geleit verdicts that rest on a completed TLS handshake: the whole critical path was walked.
const TLS_VERDICTS: [&str; 5] = ["authenticated", "not_authenticated", "tls_unauthenticated", "no_dane", "trusted"];

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

/// An existing report.json's run facts and records, with `new` in place of
/// its records of the same sections (in the old records' order, the new ones
/// where the first replaced record stood, else at the end).
pub fn merge(report_json: &str, new: Vec<Record>) -> anyhow::Result<(Value, Vec<Record>)> {
    let v: Value = serde_json::from_str(report_json)?;
    let meta = v.get("meta").cloned().ok_or_else(|| anyhow::anyhow!("expected a \"meta\" object, found none"))?;
    let old: Vec<Record> = serde_json::from_value(v.get("records").cloned().unwrap_or(Value::Array(Vec::new())))?;
    let sections: BTreeSet<&str> = new.iter().map(|r| r.section.as_str()).collect();
    let at = old.iter().position(|r| sections.contains(r.section.as_str()));
    let mut out: Vec<Record> = old.iter().filter(|r| !sections.contains(r.section.as_str())).cloned().collect();
    let at = at.map_or(out.len(), |i| old[..i].iter().filter(|r| !sections.contains(r.section.as_str())).count());
    out.splice(at..at, new);
    Ok((meta, out))
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

/// One measured full verdict next to its critical-path bound.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRow {
    pub delay_ms: u64,
    /// Who computed the verdict (the native CLI, the edge, ...).
    pub path: String,
    pub domain: String,
    pub mx_hosts: u64,
    /// DoH connection setup + DNS rounds + [`SMTP_RTT`], in round trips.
    pub bound_rtt: f64,
    /// The median wall time, in round trips.
    pub rtt: f64,
    /// posttls-finger's median for the same domain, in round trips.
    pub posttls_rtt: Option<f64>,
}

impl PathRow {
    pub fn to_bound(&self) -> f64 {
        self.rtt / self.bound_rtt
    }

    pub fn to_posttls(&self) -> Option<f64> {
        self.posttls_rtt.filter(|p| *p > 0.0).map(|p| self.rtt / p)
    }
}

/// The tool name of the native CLI's full verdict in [`PathRow::path`].
pub const NATIVE_PATH: &str = "geleit check (native probes)";

/// Every full verdict measured at a delay whose verdict rests on a TLS
/// handshake, with its bound: the DoH connection setup the record states
/// (`doh_connect_rtt`: TCP and TLS for a fresh https connection, none for a
/// warm one), the DNS rounds Geleit's own check of the domain took (MX, then
/// addresses and TLSA, one more per CNAME hop: the fewest a validating
/// client can do) and [`SMTP_RTT`].
pub fn critical_paths(records: &[Record]) -> Vec<PathRow> {
    let mut rows = Vec::new();
    for r in records {
        let Some(d) = r.delay_ms.filter(|d| *d > 0) else { continue };
        let (path, domain) = if r.section == VERDICT && r.tool == GELEIT_FULL {
            (NATIVE_PATH.to_owned(), r.subject.clone())
        } else if r.section == PROBE && r.tool != NATIVE_PATH {
            match r.fields.get("domain").and_then(Value::as_str) {
                Some(dom) => (r.tool.clone(), dom.to_owned()),
                None => continue,
            }
        } else {
            continue;
        };
        let Some(full) = find(records, VERDICT, &domain, GELEIT_FULL, Some(d)) else { continue };
        let tls = full.fields.get("verdict").and_then(Value::as_str).is_some_and(|v| TLS_VERDICTS.contains(&v));
        let (Some(rounds), Some(connect), Some(mx), Some(s)) =
            (full.num("rounds"), r.num("doh_connect_rtt"), r.num("mx_hosts"), r.stats())
        else {
            continue;
        };
        if !tls || r.exit_codes.iter().any(|c| *c != 0 && *c != 1) {
            continue;
        }
        let posttls = find(records, VERDICT, &domain, POSTTLS, Some(d)).and_then(Record::stats);
        rows.push(PathRow {
            delay_ms: d,
            path,
            domain,
            mx_hosts: mx as u64,
            bound_rtt: connect + rounds + SMTP_RTT,
            rtt: rtt_eq(s.median, d),
            posttls_rtt: posttls.map(|p| rtt_eq(p.median, d)),
        });
    }
    rows
}

/// One line of the goals table: the medians of [`critical_paths`] rows per
/// delay, path and number of MX hosts.
#[derive(Debug, Clone, PartialEq)]
pub struct PathSummary {
    pub delay_ms: u64,
    pub path: String,
    pub mx_hosts: u64,
    pub domains: usize,
    pub bound_rtt: f64,
    pub rtt: f64,
    pub to_bound: f64,
    pub posttls_rtt: Option<f64>,
    pub to_posttls: Option<f64>,
}

pub fn path_summaries(rows: &[PathRow]) -> Vec<PathSummary> {
    let mut keys: Vec<(u64, String, u64)> = rows.iter().map(|r| (r.delay_ms, r.path.clone(), r.mx_hosts)).collect();
    keys.sort();
    keys.dedup();
    let median = |v: Vec<f64>| Stats::of(&v).map(|s| s.median);
    keys.into_iter()
        .filter_map(|(d, path, mx)| {
            let mine: Vec<&PathRow> =
                rows.iter().filter(|r| r.delay_ms == d && r.path == path && r.mx_hosts == mx).collect();
            Some(PathSummary {
                delay_ms: d,
                mx_hosts: mx,
                domains: mine.len(),
                bound_rtt: median(mine.iter().map(|r| r.bound_rtt).collect())?,
                rtt: median(mine.iter().map(|r| r.rtt).collect())?,
                to_bound: median(mine.iter().map(|r| r.to_bound()).collect())?,
                posttls_rtt: median(mine.iter().filter_map(|r| r.posttls_rtt).collect()),
                to_posttls: median(mine.iter().filter_map(|r| r.to_posttls()).collect()),
                path,
            })
        })
        .collect()
}

/// "0.93 ✓" / "1.20 ✗" against a goal (at most `goal`).
fn against(x: f64, goal: f64) -> String {
    format!("{x:.2} {}", if x <= goal { "✓" } else { "✗" })
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

    let paths = critical_paths(records);
    let summaries = path_summaries(&paths);
    if !summaries.is_empty() {
        let _ = writeln!(o, "## Critical path: the goals\n");
        let _ = writeln!(
            o,
            "Bound = DoH connection setup (TCP + TLS for a fresh https connection; none for the edge's warm one) + DNS rounds (MX, then addresses and TLSA, +1 per CNAME hop) + TCP connect + greeting + EHLO + STARTTLS + TLS handshake, in round trips at the injected delay. Medians over the domains whose verdict rests on a TLS handshake. Goals: full verdict ≤ {GOAL_BOUND}× the bound; ≤ {GOAL_POSTTLS_ONE_MX}× posttls-finger's time with one MX host, ≤ {GOAL_POSTTLS_TWO_MX}× with two.\n"
        );
        let _ = writeln!(
            o,
            "| one-way delay | path | MX hosts | domains | bound (RTT) | full verdict (RTT) | × bound (goal ≤ {GOAL_BOUND}) | posttls-finger (RTT) | × posttls-finger (goal) |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|");
        for p in &summaries {
            let goal = if p.mx_hosts >= 2 { GOAL_POSTTLS_TWO_MX } else { GOAL_POSTTLS_ONE_MX };
            let _ = writeln!(
                o,
                "| {} ms | {} | {} | {} | {:.1} | {:.1} | {} | {} | {} |",
                p.delay_ms,
                p.path,
                p.mx_hosts,
                p.domains,
                p.bound_rtt,
                p.rtt,
                against(p.to_bound, GOAL_BOUND),
                p.posttls_rtt.map_or("–".into(), |x| format!("{x:.1}")),
                p.to_posttls.map_or("–".into(), |x| format!("{} (≤ {goal})", against(x, goal))),
            );
        }
        let _ = writeln!(o);
    }

    let load: Vec<&Record> = records.iter().filter(|r| r.section == LOAD).collect();
    if !load.is_empty() {
        let _ = writeln!(o, "## Under load: `/api/check`\n");
        let _ = writeln!(
            o,
            "Many checks at once against the edge on workerd in the lab (no delay, loopback): every answer compared with the unloaded answer for the same domain (the domain's verdict, each host's DNS outcome and each address's verdict, or the error code). Goal: no answer differs. Per core: per CPU-second of the worker process.\n"
        );
        let _ = writeln!(
            o,
            "| tool | domains | in flight | checks | wall (s) | checks/s | probes/s | checks per worker CPU-s | probes per worker CPU-s | p50 (ms) | p99 (ms) | answers that differ (goal 0) | note |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for r in &load {
            if let Some(st) = &r.status {
                let _ = writeln!(o, "| {} | {} | – | – | – | – | – | – | – | – | – | – | {st} |", r.tool, r.subject);
                continue;
            }
            let n = |k: &str| r.num(k).map_or("–".into(), num);
            let whole = |k: &str| r.num(k).map_or("–".into(), |x| format!("{x:.0}"));
            let differ = match (r.num("differ"), r.num("checks")) {
                (Some(d), Some(c)) if c > 0.0 => format!("{d:.0} of {c:.0} ({:.1}%)", 100.0 * d / c),
                _ => "–".into(),
            };
            let mut note = field(Some(r), "note");
            if let Some(ex) = r.fields.get("differ_examples").and_then(Value::as_array).filter(|a| !a.is_empty()) {
                let ex: Vec<&str> = ex.iter().filter_map(Value::as_str).take(3).collect();
                note = format!("{note}; differing: {}", ex.join(" / "));
            }
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {differ} | {} |",
                r.tool,
                r.subject,
                whole("concurrency"),
                whole("checks"),
                n("wall_s"),
                n("checks_per_s"),
                n("probes_per_s"),
                n("checks_per_cpu_s"),
                n("probes_per_cpu_s"),
                n("p50_ms"),
                n("p99_ms"),
                note.replace('|', "\\|"),
            );
        }
        let _ = writeln!(o);
    }

    phone_section(&mut o, records);

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
                "| domain | Geleit DNS verdict | RTT× | rounds | queries | Geleit full verdict | RTT× | bound (RTT) | full / bound | posttls-finger | RTT× | DNS verdict / posttls-finger | full / posttls-finger | danetool (1st MX host) | full / danetool | Geleit says | posttls-finger says |"
            );
            let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
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
                let path = paths.iter().find(|r| r.path == NATIVE_PATH && r.domain == dom && Some(r.delay_ms) == d);
                let (bound, to_bound) = path.map_or(("–".into(), "–".into()), |r| {
                    (format!("{:.1}", r.bound_rtt), format!("{:.2}", r.to_bound()))
                });
                let _ = writeln!(
                    o,
                    "| {dom} | {gt} | {geq} | {} | {} | {ft} | {feq} | {bound} | {to_bound} | {pt} | {peq} | {} | {} | {} | {} | {} | {} |",
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
    let missing: Vec<&Record> = records
        .iter()
        .filter(|r| r.status.is_some() && ![PROBE, CPU, SIZE, LOAD, PHONE].contains(&r.section.as_str()))
        .collect();
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

/// The phone figures (bench/phone.mjs): one row per domain and navigation
/// (cold, warm service worker), one column per moment.
fn phone_section(o: &mut String, records: &[Record]) {
    let phone: Vec<&Record> = records.iter().filter(|r| r.section == PHONE).collect();
    if phone.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Phone: navigation to a rendered verdict (headless Chromium, throttled)\n");
    let first = phone.iter().find(|r| r.status.is_none()).copied();
    let _ = writeln!(
        o,
        "The built app (scripts/web-build.sh: release) served in the lab, gzip-compressed as a release's reverse proxy sends it (hosting/nginx.conf), `/check/<domain>` opened in headless Chromium ({}) with a phone's screen, throttled like a mid-range phone: {}. The throttling is the page's: the service worker's own fetches (the network-first page of a warm navigation, the precache on install) are not slowed, so a warm navigation misses about one round trip for the page. Cold: a fresh profile (no HTTP cache, no service worker). Warm service worker: a first visit installed the app's service worker (it precaches the build), then a second navigation in the same profile. Times in ms from the navigation's start (`performance.now()` in the page), median (min–max) over the runs after one warm-up: *app usable* = the form `#check-input` rendered (the app runs: the generator and matcher work from here); *verdict rendered* = `#check-verdict` shows the domain's verdict (not `pending`); the {}. Goal (issue 14): the app usable for generating and matching before the engine arrives.\n",
        field(first, "browser"),
        field(first, "throttling"),
        field(first, "verdict_kind"),
    );
    let _ = writeln!(
        o,
        "| domain | navigation | {} | verdict | app files from the service worker | runs | measured |",
        PHONE_MOMENTS.join(" | ")
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|");
    let mut rows: Vec<(&str, String)> = Vec::new();
    for r in &phone {
        let key = (r.subject.as_str(), field(Some(r), "navigation"));
        if !rows.contains(&key) {
            rows.push(key);
        }
    }
    for (subject, navigation) in rows {
        let of = |moment: &str| {
            phone.iter().copied().find(|r| {
                r.subject == subject && field(Some(r), "navigation") == navigation && field(Some(r), "moment") == moment
            })
        };
        if let Some(st) = phone
            .iter()
            .find(|r| r.subject == subject && field(Some(r), "navigation") == navigation)
            .and_then(|r| r.status.as_ref())
        {
            let _ = writeln!(o, "| {subject} | {navigation} | {st} | – | – | – | – | – | – |");
            continue;
        }
        let cells: Vec<String> = PHONE_MOMENTS.iter().map(|m| cell_time(of(m), None).0).collect();
        let any = PHONE_MOMENTS.iter().find_map(|m| of(m));
        let runs = any.and_then(Record::stats).map_or("–".into(), |s| s.n.to_string());
        let _ = writeln!(
            o,
            "| {subject} | {navigation} | {} | {} | {} | {runs} | {} |",
            cells.join(" | "),
            field(any, "verdict"),
            field(any, "app_files_from_service_worker"),
            field(any, "measured").replace('|', "\\|"),
        );
    }
    let _ = writeln!(o);
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
            md.contains("| two-mx.example | 155 (150–160) | 3.1 | 3 | 12 | not built yet | – | – | – | 600 (500–610) | 12.0 | 0.26 | – | 100 (90.0–110) | – | DNS: DANE-ready | posttls-finger: Verified TLS connection |"),
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

    fn full(domain: &str, delay: u64, runs: &[f64], rounds: u64, verdict: &str, mx: u64) -> Record {
        let mut f = rec(VERDICT, domain, GELEIT_FULL, delay, runs);
        f.fields.insert("rounds".into(), rounds.into());
        f.fields.insert("verdict".into(), verdict.into());
        f.fields.insert("mx_hosts".into(), mx.into());
        f.fields.insert("doh_connect_rtt".into(), 2.into());
        f
    }

    /// The bound is DoH setup + rounds + 5 SMTP round trips; verdicts without a
    /// TLS handshake have no row; the edge's rows take the rounds of the
    /// native check of the same domain and their own setup cost.
    #[test]
    fn critical_path_rows_and_goals() {
        let d = 100;
        let records = vec![
            // 9 RTT bound (2 + 2 + 5); 9.5 RTT measured.
            full("a.example", d, &[1900.0, 1900.0, 1950.0], 2, "authenticated", 1),
            rec(VERDICT, "a.example", POSTTLS, d, &[2300.0, 2300.0, 2300.0]),
            // A CNAME hop: 3 rounds, 10 RTT bound.
            full("c.example", d, &[2000.0], 3, "not_authenticated", 1),
            rec(VERDICT, "c.example", POSTTLS, d, &[2600.0]),
            full("two.example", d, &[1800.0], 2, "authenticated", 2),
            rec(VERDICT, "two.example", POSTTLS, d, &[2700.0]),
            // No TLS handshake: not on the critical-path table.
            full("null.example", d, &[400.0], 1, "null_mx", 0),
            // Unloaded (0 ms): never.
            full("a.example", 0, &[10.0], 2, "authenticated", 1),
        ];
        let mut edge = rec(PROBE, "a.example (all MX hosts)", "GET /api/check (edge on workerd)", d, &[1400.0]);
        edge.fields.insert("domain".into(), "a.example".into());
        edge.fields.insert("mx_hosts".into(), 1.into());
        edge.fields.insert("doh_connect_rtt".into(), 0.into());
        let records = [records, vec![edge]].concat();
        let rows = critical_paths(&records);
        let got: Vec<(&str, &str, f64, f64)> =
            rows.iter().map(|r| (r.path.as_str(), r.domain.as_str(), r.bound_rtt, r.rtt)).collect();
        assert_eq!(
            got,
            [
                (NATIVE_PATH, "a.example", 9.0, 9.5),
                (NATIVE_PATH, "c.example", 10.0, 10.0),
                (NATIVE_PATH, "two.example", 9.0, 9.0),
                ("GET /api/check (edge on workerd)", "a.example", 7.0, 7.0),
            ]
        );
        let sums = path_summaries(&rows);
        let one = sums.iter().find(|s| s.path == NATIVE_PATH && s.mx_hosts == 1).unwrap();
        assert_eq!((one.domains, one.bound_rtt, one.rtt), (2, 9.5, 9.75));
        assert!((one.to_bound - (9.5 / 9.0 + 1.0) / 2.0).abs() < 1e-9);
        let two = sums.iter().find(|s| s.mx_hosts == 2).unwrap();
        assert!((two.to_posttls.unwrap() - 1800.0 / 2700.0).abs() < 1e-9);
        let md = to_markdown(&meta(), &records);
        assert!(md.contains("## Critical path: the goals"), "{md}");
        assert!(
            md.contains(
                "| 100 ms | geleit check (native probes) | 2 | 1 | 9.0 | 9.0 | 1.00 ✓ | 13.5 | 0.67 ✗ (≤ 0.6) |"
            ),
            "{md}"
        );
        assert!(
            md.contains(
                "| 100 ms | GET /api/check (edge on workerd) | 1 | 1 | 7.0 | 7.0 | 1.00 ✓ | 11.5 | 0.61 ✓ (≤ 0.85) |"
            ),
            "{md}"
        );
        // The per-domain table shows the bound too.
        assert!(md.contains("| a.example | – | – | – | – | 1900 (1900–1950) | 9.5 | 9.0 | 1.06 | 2300"), "{md}");
    }

    #[test]
    fn load_section() {
        let mut l = rec(LOAD, "36 domains", "GET /api/check (edge on workerd)", 0, &[800.0, 900.0]);
        for (k, v) in [
            ("concurrency", json!(32)),
            ("checks", json!(200)),
            ("wall_s", json!(5.8)),
            ("checks_per_s", json!(34.3)),
            ("probes_per_s", json!(65.8)),
            ("checks_per_cpu_s", json!(57.3)),
            ("probes_per_cpu_s", json!(110.0)),
            ("p50_ms", json!(832.0)),
            ("p99_ms", json!(1500.0)),
            ("differ", json!(3)),
            ("differ_examples", json!(["3× x.example: 502 dns_unreachable (unloaded: 200 authenticated)"])),
        ] {
            l.fields.insert(k.into(), v);
        }
        let md = to_markdown(&meta(), &[l]);
        assert!(md.contains("## Under load: `/api/check`"), "{md}");
        assert!(
            md.contains("| GET /api/check (edge on workerd) | 36 domains | 32 | 200 | 5.80 | 34.3 | 65.8 | 57.3 | 110 | 832 | 1500 | 3 of 200 (1.5%) | –; differing: 3× x.example: 502 dns_unreachable (unloaded: 200 authenticated) |"),
            "{md}"
        );
    }

    fn phone(navigation: &str, moment: &str, runs: &[f64]) -> Record {
        let mut r = Record {
            section: PHONE.into(),
            subject: "ee-spki.example".into(),
            tool: format!("{moment}, {navigation}"),
            runs_ms: runs.to_vec(),
            ..Default::default()
        };
        for (k, v) in [
            ("navigation", navigation),
            ("moment", moment),
            ("browser", "Chromium 156"),
            ("throttling", "latency 150 ms"),
            ("verdict_kind", "full verdict"),
            ("verdict", "authenticated"),
            ("app_files_from_service_worker", "0 of 2"),
            ("measured", "2026-12-08 at abc123"),
        ] {
            r.fields.insert(k.into(), v.into());
        }
        r
    }

    #[test]
    fn phone_section_one_row_per_navigation() {
        let recs = [
            phone("cold", "first wasm module arrived", &[2000.0, 2100.0, 1900.0]),
            phone("cold", "app usable", &[2500.0, 2600.0, 2400.0]),
            phone("cold", "verdict rendered", &[4000.0, 4200.0, 3900.0]),
            phone("warm", "app usable", &[900.0, 950.0, 800.0]),
            phone("warm", "verdict rendered", &[2000.0, 2050.0, 1950.0]),
            Record { status: Some("not built yet: no dist/".into()), ..phone("none", "app usable", &[]) },
        ];
        let md = to_markdown(&meta(), &recs);
        assert!(md.contains("## Phone: navigation to a rendered verdict"), "{md}");
        assert!(
            md.contains("(Chromium 156) with a phone's screen, throttled like a mid-range phone: latency 150 ms."),
            "{md}"
        );
        assert!(
            md.contains("| ee-spki.example | cold | 2000 (1900–2100) | 2500 (2400–2600) | 4000 (3900–4200) | authenticated | 0 of 2 | 3 | 2026-12-08 at abc123 |"),
            "{md}"
        );
        assert!(
            md.contains("| ee-spki.example | warm | – | 900 (800–950) | 2000 (1950–2050) | authenticated |"),
            "{md}"
        );
        assert!(md.contains("| ee-spki.example | none | not built yet: no dist/ |"), "{md}");
        assert!(!md.contains("## Not measured"), "{md}");
    }

    #[test]
    fn merge_replaces_the_sections_it_brings() {
        let old = to_json(
            &meta(),
            &[
                rec(VERDICT, "a.example", GELEIT_DNS, 0, &[1.0]),
                phone("cold", "app usable", &[5.0]),
                rec(PROBE, "x", "geleit probe", 0, &[2.0]),
            ],
        );
        let new = phone("cold", "app usable", &[7.0, 8.0]);
        let (m, recs) = merge(&old.to_string(), vec![new.clone()]).unwrap();
        assert_eq!(m["commit"], json!("abc123"));
        assert_eq!(recs.iter().map(|r| r.section.as_str()).collect::<Vec<_>>(), [VERDICT, PHONE, PROBE]);
        assert_eq!(recs[1], new);
        let (_, recs) = merge(&old.to_string(), vec![Record { section: "other".into(), ..new }]).unwrap();
        assert_eq!(recs.len(), 4);
        assert_eq!(recs[3].section, "other");
        let err = merge("{\"records\": []}", Vec::new()).unwrap_err().to_string();
        assert!(err.contains("expected a \"meta\" object"), "{err}");
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
