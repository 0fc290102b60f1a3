//! `geleit-bench`: the tools behind `make bench` (see bench/run.sh).
//!
//! - `proxy`: userspace delay proxy (TCP and UDP), the stand-in for netem
//! - `time`: run a command repeatedly, record wall times and facts
//! - `note`: record that something could not be measured, and why
//! - `sizes`: raw/gzip/brotli sizes and wasm contributors of build outputs
//! - `criterion`: import criterion's results
//! - `meta`: machine, tool versions, date, commit
//! - `load`: many `/api/check` requests at once against the edge; answers vs unloaded
//! - `report`: records + meta → report.json and report.md
//! - `merge`: new records of some sections into an existing report.json, both files written again

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

mod criterion;
mod load;
mod proxy;
mod record;
mod report;
mod runner;
mod sizes;

use record::Record;

#[derive(Debug, Parser)]
#[command(name = "geleit-bench", about = "Geleit benchmark tools (make bench)")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, clap::Args)]
struct Target {
    /// Records file (JSON lines) to append to.
    #[arg(long)]
    out: PathBuf,
    /// Report section (verdict, probe, cpu, size, ...).
    #[arg(long)]
    section: String,
    /// What is measured (domain, listener, ...).
    #[arg(long)]
    subject: String,
    /// Who does the work.
    #[arg(long)]
    tool: String,
    /// One-way delay added on the path, ms.
    #[arg(long)]
    delay_ms: Option<u64>,
}

impl Target {
    fn record(&self) -> Record {
        Record {
            section: self.section.clone(),
            subject: self.subject.clone(),
            tool: self.tool.clone(),
            delay_ms: self.delay_ms,
            ..Default::default()
        }
    }
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Forward TCP/UDP with a one-way delay in each direction.
    Proxy {
        /// One-way delay, ms.
        #[arg(long)]
        delay_ms: u64,
        /// TCP route LISTEN=TARGET (repeatable).
        #[arg(long)]
        tcp: Vec<proxy::Route>,
        /// UDP route LISTEN=TARGET (repeatable).
        #[arg(long)]
        udp: Vec<proxy::Route>,
        /// Transparent TCP listener (repeatable): takes connections that an
        /// nftables `dnat` rule redirected here and forwards each to its
        /// original destination (SO_ORIGINAL_DST), with upstream sockets
        /// marked `--mark` so that the rule can skip them.
        #[arg(long)]
        transparent: Vec<std::net::SocketAddr>,
        /// Socket mark of the transparent listener's upstream connections.
        #[arg(long, default_value_t = proxy::BYPASS_MARK)]
        mark: u32,
    },
    /// Run a command repeatedly and record its wall times.
    Time {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long, default_value_t = 1)]
        warmup: usize,
        /// Keep this top-level field of the JSON on stdout (repeatable).
        #[arg(long)]
        json_field: Vec<String>,
        /// Keep the first output line containing this text (repeatable).
        #[arg(long)]
        keep_line: Vec<String>,
        /// Free text shown next to the figure.
        #[arg(long)]
        note: Option<String>,
        /// Extra fact KEY=VALUE (numbers stay numbers; repeatable), e.g. batch=20.
        #[arg(long)]
        field: Vec<String>,
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Record samples measured elsewhere (JSON `{"iteration_ms": [...]}`).
    Samples {
        #[command(flatten)]
        target: Target,
        /// The JSON object holding the samples.
        #[arg(long)]
        json: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Time the two-MX check's DNS validation natively, sampled as in the
    /// browser (bench/wasm/tests/chromium.rs): 30 samples of 10 iterations.
    CpuNative {
        #[command(flatten)]
        target: Target,
        /// tests/data/dns recording and anchor.
        #[arg(long)]
        recording: PathBuf,
        #[arg(long)]
        anchor: PathBuf,
    },
    /// Drive the edge's `/api/check` with many checks at once (loopback
    /// only, bounded) and compare every answer with the unloaded one.
    Load {
        #[command(flatten)]
        target: Target,
        /// The edge, e.g. http://127.0.0.1:8787 (a loopback address).
        #[arg(long)]
        url: String,
        /// Checks in flight at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Checks in all (cycling through the domains).
        #[arg(long, default_value_t = 200)]
        total: usize,
        /// Seconds one check may take.
        #[arg(long, default_value_t = 60)]
        timeout_s: u64,
        /// Seconds the loaded run may take in all.
        #[arg(long, default_value_t = 300)]
        max_time_s: u64,
        /// The worker's process id (its CPU time gives the per-core rates).
        #[arg(long)]
        pid: Option<u32>,
        #[arg(long)]
        note: Option<String>,
        /// Mail domains.
        #[arg(required = true)]
        domains: Vec<String>,
    },
    /// Record why something was not measured.
    Note {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        status: String,
    },
    /// Sizes of build outputs.
    Sizes {
        #[arg(long)]
        out: PathBuf,
        /// Build label (e.g. "frontend app (trunk release)").
        #[arg(long)]
        build: String,
        /// Largest contributors listed per wasm file.
        #[arg(long, default_value_t = 10)]
        top: usize,
        files: Vec<PathBuf>,
    },
    /// Import criterion results.
    Criterion {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "target/criterion")]
        dir: PathBuf,
        #[arg(long, default_value = "native")]
        tool: String,
    },
    /// Write the run facts (machine, versions, date, commit) as JSON.
    Meta {
        #[arg(long)]
        out: PathBuf,
        /// NAME=SHELL COMMAND printing a version (repeatable).
        #[arg(long)]
        tool: Vec<String>,
        /// Extra KEY=VALUE facts (repeatable).
        #[arg(long)]
        set: Vec<String>,
    },
    /// Write report.json and report.md.
    Report {
        #[arg(long)]
        records: PathBuf,
        #[arg(long)]
        meta: PathBuf,
        #[arg(long)]
        json: PathBuf,
        #[arg(long)]
        md: PathBuf,
    },
    /// One part of the bench run alone (e.g. bench/phone.sh): the new records
    /// replace the existing report's records of the same sections; the run
    /// facts (meta) stay the full run's, and report.json and report.md are
    /// written again.
    Merge {
        /// The existing report.json (from a full `make bench`).
        #[arg(long)]
        report: PathBuf,
        /// The new records (JSON lines).
        #[arg(long)]
        records: PathBuf,
        #[arg(long)]
        json: PathBuf,
        #[arg(long)]
        md: PathBuf,
    },
}

fn sh_first_line(cmd: &str) -> String {
    match std::process::Command::new("sh").arg("-c").arg(cmd).output() {
        Ok(o) => {
            let text = format!("{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("not installed").to_owned()
        }
        Err(e) => format!("cannot run: {e}"),
    }
}

fn meta(tools: &[String], set: &[String]) -> anyhow::Result<serde_json::Value> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        .unwrap_or_else(|| "?".into());
    let mem_kib: f64 = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()))
        .unwrap_or(0.0);
    let mut m = serde_json::Map::new();
    m.insert("date".into(), sh_first_line("date -u +%Y-%m-%dT%H:%M:%SZ").into());
    let dirty = if sh_first_line(
        "git status --porcelain --untracked-files=no -- . ':!bench/report.md' ':!bench/report.json' | head -1 | wc -l",
    ) == "1"
    {
        " (with uncommitted changes)"
    } else {
        ""
    };
    m.insert("commit".into(), format!("{}{dirty}", sh_first_line("git rev-parse --short=12 HEAD")).into());
    m.insert("nproc".into(), std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0).to_string().into());
    m.insert("cpu".into(), cpu.into());
    m.insert("memory".into(), format!("{:.1} GiB", mem_kib / 1024.0 / 1024.0).into());
    m.insert("kernel".into(), read("/proc/sys/kernel/osrelease").trim().to_owned().into());
    // Other work on the machine (e.g. parallel builds) shows up here.
    m.insert("loadavg".into(), read("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" ").into());
    let mut t = serde_json::Map::new();
    for spec in tools {
        let (name, cmd) = spec.split_once('=').with_context(|| format!("expected NAME=COMMAND, found {spec:?}"))?;
        t.insert(name.to_owned(), sh_first_line(cmd).into());
    }
    m.insert("tools".into(), t.into());
    for kv in set {
        let (k, v) = kv.split_once('=').with_context(|| format!("expected KEY=VALUE, found {kv:?}"))?;
        let value = v.parse::<u64>().map_or_else(|_| serde_json::Value::from(v), serde_json::Value::from);
        m.insert(k.to_owned(), value);
    }
    Ok(m.into())
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Cmd::Proxy { delay_ms, tcp, udp, transparent, mark } => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(proxy::run(&tcp, &udp, &transparent, mark, Duration::from_millis(delay_ms)))
        }
        Cmd::Time { target, runs, warmup, json_field, keep_line, note, field, command } => {
            let mut rec = target.record();
            for kv in &field {
                let (k, v) = kv.split_once('=').with_context(|| format!("expected KEY=VALUE, found {kv:?}"))?;
                rec.fields.insert(k.to_owned(), v.parse::<f64>().map_or_else(|_| v.into(), serde_json::Value::from));
            }
            let plan = runner::Plan { runs, warmup, json_fields: json_field, keep_lines: keep_line };
            runner::time(&command, &plan, &mut rec)?;
            if let Some(n) = note {
                rec.fields.insert("note".into(), n.into());
            }
            record::append(&target.out, &rec)
        }
        Cmd::Samples { target, json, note } => {
            let v: serde_json::Value =
                serde_json::from_str(&json).context("expected a JSON object with iteration_ms")?;
            let mut rec = target.record();
            rec.runs_ms = v
                .get("iteration_ms")
                .and_then(serde_json::Value::as_array)
                .context("expected an \"iteration_ms\" array")?
                .iter()
                .filter_map(serde_json::Value::as_f64)
                .collect();
            if let Some(n) = note {
                rec.fields.insert("note".into(), n.into());
            }
            record::append(&target.out, &rec)
        }
        Cmd::CpuNative { target, recording, anchor } => {
            let read = |p: &PathBuf| std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()));
            let (doc, anchors) = (read(&recording)?, read(&anchor)?);
            let anchors = geleit::dns::TrustAnchors::scan(&anchors).map_err(|e| anyhow::anyhow!("{e}"))?;
            let rec_doc = geleit_bench_wasm::Recording::parse(&doc).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut rec = target.record();
            for _ in 0..20 {
                rec_doc.check(&anchors).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            for _ in 0..30 {
                let t0 = std::time::Instant::now();
                for _ in 0..10 {
                    std::hint::black_box(rec_doc.check(&anchors).map_err(|e| anyhow::anyhow!("{e}"))?);
                }
                rec.runs_ms.push(t0.elapsed().as_secs_f64() * 1000.0 / 10.0);
            }
            record::append(&target.out, &rec)
        }
        Cmd::Load { target, url, concurrency, total, timeout_s, max_time_s, pid, note, domains } => {
            let authority = url.strip_prefix("http://").unwrap_or(&url).trim_end_matches('/');
            let base: std::net::SocketAddr =
                authority.parse().with_context(|| format!("expected http://ADDRESS:PORT, found {url:?}"))?;
            let plan = load::Plan {
                base,
                domains,
                concurrency,
                total,
                timeout: Duration::from_secs(timeout_s),
                max_time: Duration::from_secs(max_time_s),
                pid,
            };
            let mut rec = target.record();
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(load::run(&plan, &mut rec))?;
            if let Some(n) = note {
                rec.fields.insert("note".into(), n.into());
            }
            record::append(&target.out, &rec)
        }
        Cmd::Note { target, status } => {
            let rec = Record { status: Some(status), ..target.record() };
            record::append(&target.out, &rec)
        }
        Cmd::Sizes { out, build, top, files } => {
            for f in files {
                let mut rec = Record {
                    section: report::SIZE.into(),
                    subject: f
                        .file_name()
                        .map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into_owned()),
                    tool: build.clone(),
                    ..Default::default()
                };
                rec.fields = sizes::file_fields(&f, top)?.into_iter().collect();
                record::append(&out, &rec)?;
            }
            Ok(())
        }
        Cmd::Criterion { out, dir, tool } => {
            for r in criterion::read_dir(&dir, &tool)? {
                record::append(&out, &r)?;
            }
            Ok(())
        }
        Cmd::Meta { out, tool, set } => {
            let m = meta(&tool, &set)?;
            std::fs::write(&out, serde_json::to_string_pretty(&m)? + "\n")
                .with_context(|| format!("cannot write {}", out.display()))
        }
        Cmd::Report { records, meta, json, md } => {
            let recs = record::read_all(&records)?;
            let m: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(&meta).with_context(|| format!("cannot read {}", meta.display()))?,
            )?;
            std::fs::write(&json, serde_json::to_string_pretty(&report::to_json(&m, &recs))? + "\n")
                .with_context(|| format!("cannot write {}", json.display()))?;
            std::fs::write(&md, report::to_markdown(&m, &recs))
                .with_context(|| format!("cannot write {}", md.display()))
        }
        Cmd::Merge { report: old, records, json, md } => {
            let text = std::fs::read_to_string(&old).with_context(|| format!("cannot read {}", old.display()))?;
            let (m, recs) = report::merge(&text, record::read_all(&records)?)
                .with_context(|| format!("{}: expected a report.json written by `make bench`", old.display()))?;
            std::fs::write(&json, serde_json::to_string_pretty(&report::to_json(&m, &recs))? + "\n")
                .with_context(|| format!("cannot write {}", json.display()))?;
            std::fs::write(&md, report::to_markdown(&m, &recs))
                .with_context(|| format!("cannot write {}", md.display()))
        }
    }
}
