//! Reads criterion's results (`target/criterion/*/new/`) into records:
//! the median estimate with its 95% confidence interval, and the fastest and
//! slowest sample per iteration.

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use crate::record::Record;

/// One record per benchmark found under `dir`, sorted by name.
pub fn read_dir(dir: &Path, tool: &str) -> anyhow::Result<Vec<Record>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for e in entries {
        let new = e?.path().join("new");
        if !new.join("estimates.json").is_file() {
            continue;
        }
        out.push(read_one(&new, tool)?);
    }
    out.sort_by(|a, b| a.subject.cmp(&b.subject));
    Ok(out)
}

fn load(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: expected criterion JSON", path.display()))
}

/// One benchmark's `new/` folder.
pub fn read_one(new: &Path, tool: &str) -> anyhow::Result<Record> {
    let bench = load(&new.join("benchmark.json"))?;
    let est = load(&new.join("estimates.json"))?;
    let name = bench.get("full_id").and_then(Value::as_str).context("benchmark.json without full_id")?;
    let mut r = Record {
        section: crate::report::CPU.into(),
        subject: name.to_owned(),
        tool: tool.to_owned(),
        ..Default::default()
    };
    let median = est.get("median").context("estimates.json without median")?;
    let f = |v: Option<&Value>| v.and_then(Value::as_f64);
    let put = |r: &mut Record, k: &str, v: Option<f64>| {
        if let Some(x) = v {
            r.fields.insert(k.into(), serde_json::json!(x));
        }
    };
    put(&mut r, "median_ns", f(median.get("point_estimate")));
    put(&mut r, "median_lower_ns", f(median.pointer("/confidence_interval/lower_bound")));
    put(&mut r, "median_upper_ns", f(median.pointer("/confidence_interval/upper_bound")));
    if let Ok(sample) = load(&new.join("sample.json")) {
        let iters = sample.get("iters").and_then(Value::as_array);
        let times = sample.get("times").and_then(Value::as_array);
        if let (Some(i), Some(t)) = (iters, times) {
            let per: Vec<f64> =
                i.iter().zip(t).filter_map(|(i, t)| Some(t.as_f64()? / i.as_f64().filter(|x| *x > 0.0)?)).collect();
            if let Some(s) = crate::record::Stats::of(&per) {
                put(&mut r, "sample_min_ns", Some(s.min));
                put(&mut r, "sample_max_ns", Some(s.max));
                put(&mut r, "samples", Some(s.n as f64));
            }
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_estimates_and_samples() {
        let dir = std::env::temp_dir().join(format!("geleit-bench-crit-{}", std::process::id()));
        let new = dir.join("smtp_check two-mx").join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("benchmark.json"), r#"{"full_id":"smtp_check two-mx","title":"x"}"#).unwrap();
        std::fs::write(
            new.join("estimates.json"),
            r#"{"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":90.0,"upper_bound":110.0},"point_estimate":100.0,"standard_error":1.0}}"#,
        )
        .unwrap();
        std::fs::write(
            new.join("sample.json"),
            r#"{"sampling_mode":"Linear","iters":[1.0,2.0],"times":[120.0,160.0]}"#,
        )
        .unwrap();
        std::fs::create_dir_all(dir.join("report")).unwrap(); // criterion's own folder: skipped
        let recs = read_dir(&dir, "native").unwrap();
        assert_eq!(recs.len(), 1);
        let r = &recs[0];
        assert_eq!((r.section.as_str(), r.subject.as_str(), r.tool.as_str()), ("cpu", "smtp_check two-mx", "native"));
        assert_eq!(r.num("median_ns"), Some(100.0));
        assert_eq!(r.num("median_lower_ns"), Some(90.0));
        assert_eq!(r.num("median_upper_ns"), Some(110.0));
        assert_eq!(r.num("sample_min_ns"), Some(80.0));
        assert_eq!(r.num("sample_max_ns"), Some(120.0));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
