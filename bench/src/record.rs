//! One measurement as written (one JSON object per line) by the runner
//! subcommands and read by `report`, plus the summary statistics.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// One measured (or not measurable) item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Record {
    /// Report section: `dns_verdict`, `full_verdict`, `probe`, `cpu`, `size`, ...
    pub section: String,
    /// What was measured: a domain, a listener, a benchmark or a file.
    pub subject: String,
    /// Who did the work: `geleit check --no-probe`, `posttls-finger`, ...
    pub tool: String,
    /// One-way delay added by the proxy, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Wall time of every timed run, milliseconds (warm-up excluded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs_ms: Vec<f64>,
    /// Exit code of every timed run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exit_codes: Vec<i32>,
    /// Other facts: rounds, queries, sizes, the tool's verdict line, ...
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// Set when nothing could be measured, with the reason ("not built yet: ...").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl Record {
    pub fn stats(&self) -> Option<Stats> {
        Stats::of(&self.runs_ms)
    }

    /// A numeric field.
    pub fn num(&self, key: &str) -> Option<f64> {
        self.fields.get(key).and_then(serde_json::Value::as_f64)
    }

    /// A text field.
    #[cfg(test)]
    pub fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(serde_json::Value::as_str)
    }
}

/// Median, minimum and maximum of repeated runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    pub n: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    /// None for no samples; NaN samples are ignored. The median of an even
    /// count is the mean of the middle two.
    pub fn of(samples: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let mid = n / 2;
        let median = if n % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 };
        Some(Self { n, median, min: v[0], max: v[n - 1] })
    }
}

/// Appends one record as a JSON line.
pub fn append(path: &Path, r: &Record) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    writeln!(f, "{}", serde_json::to_string(r)?)?;
    Ok(())
}

/// Reads every record of a JSON-lines file (blank lines skipped).
pub fn read_all(path: &Path) -> anyhow::Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{} line {}: expected a measurement record", path.display(), i + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_odd_even_empty_nan() {
        assert_eq!(Stats::of(&[]), None);
        assert_eq!(Stats::of(&[f64::NAN]), None);
        assert_eq!(Stats::of(&[5.0]), Some(Stats { n: 1, median: 5.0, min: 5.0, max: 5.0 }));
        assert_eq!(Stats::of(&[9.0, 1.0, 4.0]), Some(Stats { n: 3, median: 4.0, min: 1.0, max: 9.0 }));
        assert_eq!(Stats::of(&[4.0, 1.0, 3.0, 10.0]), Some(Stats { n: 4, median: 3.5, min: 1.0, max: 10.0 }));
        assert_eq!(Stats::of(&[2.0, f64::NAN, 6.0]), Some(Stats { n: 2, median: 4.0, min: 2.0, max: 6.0 }));
    }

    #[test]
    fn records_round_trip_through_json_lines() {
        let dir = std::env::temp_dir().join(format!("geleit-bench-rec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.jsonl");
        let _ = std::fs::remove_file(&path);
        let mut a = Record { section: "probe".into(), subject: "x".into(), tool: "t".into(), ..Default::default() };
        a.runs_ms = vec![1.0, 2.0];
        a.fields.insert("rounds".into(), 3.into());
        let b = Record { status: Some("not built yet: no edge".into()), ..a.clone() };
        append(&path, &a).unwrap();
        append(&path, &b).unwrap();
        assert_eq!(read_all(&path).unwrap(), vec![a.clone(), b]);
        assert_eq!(a.num("rounds"), Some(3.0));
        std::fs::write(&path, "{\"section\":1}\n").unwrap();
        let err = format!("{:#}", read_all(&path).unwrap_err());
        assert!(err.contains("line 1: expected a measurement record"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
