//! The system benchmarks behind `cargo xtask bench` (run by the `hwc-bench` binary): how fast a
//! signal reaches a school, how many signals and idle devices one relay takes, and how light
//! the app is. Each writes a [`Report`] as JSON into `target/bench/`; `cargo xtask bench` turns
//! them into `BENCHMARKS.md`. Nothing here asserts a timing: the figures are reported.

pub mod accept;
pub mod app;
pub mod baseline_server;
pub mod delivery;
pub mod http;
pub mod idle;
pub mod limits;
pub mod longpoll;
pub mod process;
pub mod seed;

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// The signal every benchmark sends: a made-up child (valid by the signal's rules, no real
/// person), dated today in the Netherlands.
pub fn made_up_signal() -> Result<hwc_protocol::Signal> {
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    Ok(hwc_protocol::Signal::from_input("Benchmark Kind", "01-01-2018", today)?)
}

/// One measured figure, with its target and, when the figure depends on the machine, the
/// baseline measured in the same run.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Stable key, like `delivery_p99_ms`.
    pub id: String,
    /// What was measured, in a few words.
    pub label: String,
    pub value: f64,
    pub unit: String,
    /// The target as written in the issue, like `≤ 1 ms`, when there is one.
    pub target: Option<String>,
    /// Whether the value meets the target.
    pub met: Option<bool>,
    /// The same quantity measured on the baseline in the same run.
    pub baseline: Option<f64>,
}

impl Figure {
    pub fn new(id: &str, label: &str, value: f64, unit: &str) -> Self {
        Self { id: id.into(), label: label.into(), value, unit: unit.into(), target: None, met: None, baseline: None }
    }

    /// With a target: `met` tells whether the value is at most `limit`.
    pub fn at_most(mut self, limit: f64, target: &str) -> Self {
        self.met = Some(self.value <= limit);
        self.target = Some(target.into());
        self
    }

    /// With a target: `met` tells whether the value is at least `limit`.
    pub fn at_least(mut self, limit: f64, target: &str) -> Self {
        self.met = Some(self.value >= limit);
        self.target = Some(target.into());
        self
    }

    pub fn baseline(mut self, baseline: f64) -> Self {
        self.baseline = Some(baseline);
        self
    }

    /// Value divided by baseline.
    pub fn ratio(&self) -> Option<f64> {
        self.baseline.filter(|b| *b > 0.0).map(|b| self.value / b)
    }
}

/// What one benchmark wrote: its figures and the raw numbers behind them.
#[derive(Debug, Serialize)]
pub struct Report {
    pub benchmark: String,
    pub quick: bool,
    pub figures: Vec<Figure>,
    pub raw: serde_json::Value,
}

impl Report {
    /// Writes `<dir>/<benchmark>.json` and prints the figures.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("kan {} niet maken", dir.display()))?;
        let path = dir.join(format!("{}.json", self.benchmark));
        std::fs::write(&path, serde_json::to_vec_pretty(self)?)
            .with_context(|| format!("kan {} niet schrijven", path.display()))?;
        for figure in &self.figures {
            let verdict = match figure.met {
                Some(true) => " (gehaald)",
                Some(false) => " (NIET gehaald)",
                None => "",
            };
            let baseline = figure.baseline.map(|b| format!(", basislijn {b:.3}")).unwrap_or_default();
            eprintln!("  {}: {:.3} {}{baseline}{verdict}", figure.label, figure.value, figure.unit);
        }
        eprintln!("  -> {}", path.display());
        Ok(())
    }
}

/// Latency percentiles of a set of samples.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles; `None` without samples.
    pub fn of(samples: &[Duration]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let rank = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
        Some(Self {
            count: ms.len(),
            p50_ms: rank(0.50),
            p90_ms: rank(0.90),
            p99_ms: rank(0.99),
            max_ms: ms[ms.len() - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let p = Percentiles::of(&samples).expect("samples");
        assert_eq!((p.p50_ms, p.p90_ms, p.p99_ms, p.max_ms), (50.0, 90.0, 99.0, 100.0));
        let one = Percentiles::of(&[Duration::from_millis(7)]).expect("one sample");
        assert_eq!((one.p50_ms, one.p99_ms), (7.0, 7.0));
        assert!(Percentiles::of(&[]).is_none());
    }

    #[test]
    fn a_figure_knows_whether_it_meets_its_target() {
        assert_eq!(Figure::new("a", "a", 0.9, "ms").at_most(1.0, "≤ 1 ms").met, Some(true));
        assert_eq!(Figure::new("a", "a", 1.1, "ms").at_most(1.0, "≤ 1 ms").met, Some(false));
        assert_eq!(Figure::new("a", "a", 1999.0, "/s").at_least(2000.0, "≥ 2000/s").met, Some(false));
        assert_eq!(Figure::new("a", "a", 3.0, "ms").baseline(2.0).ratio(), Some(1.5));
    }
}
