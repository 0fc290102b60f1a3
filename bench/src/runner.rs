//! `geleit-bench time`: runs a command repeatedly and records its wall times,
//! exit codes and chosen facts from its output.

use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Context;

use crate::record::Record;

/// What to run and what to keep.
#[derive(Debug, Clone)]
pub struct Plan {
    pub runs: usize,
    pub warmup: usize,
    /// Top-level keys of the command's JSON stdout to keep (from the last run).
    pub json_fields: Vec<String>,
    /// Keep the first output line (stdout, then stderr) containing one of these.
    pub keep_lines: Vec<String>,
}

/// Runs `argv` `warmup + runs` times (sequentially, stdin from /dev/null) and
/// fills `rec` with the timed runs.
pub fn time(argv: &[String], plan: &Plan, rec: &mut Record) -> anyhow::Result<()> {
    let (prog, args) = argv.split_first().context("expected a command after --, found nothing")?;
    let mut last = None;
    for i in 0..plan.warmup + plan.runs {
        let t0 = Instant::now();
        let out = Command::new(prog)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {prog}"))?;
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        if i >= plan.warmup {
            rec.runs_ms.push(ms);
            rec.exit_codes.push(out.status.code().unwrap_or(-1));
        }
        last = Some(out);
    }
    if let Some(out) = last {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        extract(&stdout, &stderr, plan, rec);
    }
    Ok(())
}

/// Copies the wanted JSON fields and the first matching line into `rec.fields`.
pub fn extract(stdout: &str, stderr: &str, plan: &Plan, rec: &mut Record) {
    if !plan.json_fields.is_empty()
        && let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(stdout)
    {
        for k in &plan.json_fields {
            if let Some(v) = map.get(k) {
                rec.fields.insert(k.clone(), v.clone());
            }
        }
    }
    if !plan.keep_lines.is_empty() {
        let line =
            stdout.lines().chain(stderr.lines()).find(|l| plan.keep_lines.iter().any(|k| l.contains(k.as_str())));
        if let Some(l) = line {
            rec.fields.insert("line".into(), l.trim().to_owned().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(json: &[&str], keep: &[&str]) -> Plan {
        Plan {
            runs: 3,
            warmup: 1,
            json_fields: json.iter().map(|s| s.to_string()).collect(),
            keep_lines: keep.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn extract_json_fields_and_line() {
        let mut r = Record::default();
        let out = r#"{"rounds": 3, "queries": 11, "dane_ready": true, "hosts": []}"#;
        let err = "posttls-finger: mx: Verified TLS connection established to x\nother";
        extract(out, err, &plan(&["rounds", "queries", "dane_ready", "absent"], &["TLS connection"]), &mut r);
        assert_eq!(r.num("rounds"), Some(3.0));
        assert_eq!(r.num("queries"), Some(11.0));
        assert_eq!(r.fields.get("dane_ready"), Some(&serde_json::Value::Bool(true)));
        assert!(!r.fields.contains_key("absent"));
        assert_eq!(r.text("line"), Some("posttls-finger: mx: Verified TLS connection established to x"));
    }

    #[test]
    fn extract_ignores_non_json() {
        let mut r = Record::default();
        extract("not json", "", &plan(&["rounds"], &[]), &mut r);
        assert!(r.fields.is_empty());
    }

    #[test]
    fn time_counts_runs_and_exit_codes() {
        let mut r = Record::default();
        let argv = ["sh", "-c", "echo '{\"rounds\": 2}'; exit 1"].map(String::from);
        time(&argv, &plan(&["rounds"], &[]), &mut r).unwrap();
        assert_eq!(r.runs_ms.len(), 3, "warm-up not counted");
        assert_eq!(r.exit_codes, vec![1, 1, 1]);
        assert_eq!(r.num("rounds"), Some(2.0));
        assert!(time(&[], &plan(&[], &[]), &mut r).is_err());
    }
}
