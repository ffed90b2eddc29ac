//! `hwc-bench <benchmark> [--quick] [--out DIR]`: runs one system benchmark and writes its
//! figures as JSON into DIR (default `target/bench`). `cargo xtask bench` runs them all and
//! writes `BENCHMARKS.md`. Benchmarks: `delivery`, `accept`, `idle`, `app`,
//! `package --deb FILE`; `baseline-server` is the baseline the delivery benchmark starts.

use anyhow::{bail, Context, Result};
use hwc_system_tests::bench::{accept, app, baseline_server, delivery, idle};
use std::path::PathBuf;

const USAGE: &str = "gebruik: hwc-bench delivery|accept|idle|app|package [--quick] [--out MAP] [--deb BESTAND]";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(benchmark) = args.first() else { bail!(USAGE) };
    let mut quick = false;
    let mut out = PathBuf::from("target/bench");
    let mut deb = None;
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--out" => out = rest.next().context(USAGE)?.into(),
            "--deb" => deb = Some(PathBuf::from(rest.next().context(USAGE)?)),
            other => bail!("onbekend argument {other:?}\n{USAGE}"),
        }
    }
    let report = match benchmark.as_str() {
        "baseline-server" => return baseline_server::serve(),
        "delivery" => delivery::run(if quick { delivery::Size::quick() } else { delivery::Size::full() }, quick)?,
        "accept" => accept::run(if quick { accept::Size::quick() } else { accept::Size::full() }, quick)?,
        "idle" => idle::run(if quick { idle::Size::quick() } else { idle::Size::full() }, quick)?,
        "app" => app::run(if quick { app::Size::quick() } else { app::Size::full() }, quick)?,
        "package" => app::deb_size(deb.as_deref(), quick)?,
        other => bail!("onbekende benchmark {other:?}\n{USAGE}"),
    };
    report.write(&out)
}
