//! `cargo xtask bench [--quick]`: builds what the benchmarks measure, runs every benchmark
//! (criterion for the cryptography, `hwc-bench` for the relay and the app, the app under Xvfb
//! and a private keyring session), collects their JSON in `target/bench/` and writes the table
//! of figures into `BENCHMARKS.md` (between its markers; the explanations around it are kept).
//! `--quick` runs each briefly with debug builds of the relay and the benchmark, writes the
//! table to `target/bench/BENCHMARKS.quick.md` instead, and is what `cargo xtask test` runs:
//! it proves the benchmarks work and asserts no timing.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The benchmarks `hwc-bench` runs, in order; `app` needs the display and the keyring.
const SYSTEM_BENCHMARKS: &[&str] = &["accept", "delivery", "idle", "app"];
const BEGIN: &str = "<!-- figures:begin (written by cargo xtask bench) -->";
const END: &str = "<!-- figures:end -->";

pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let quick = match args {
        [] => false,
        [flag] if flag == "--quick" => true,
        _ => bail!("gebruik: cargo xtask bench [--quick]"),
    };
    crate::system_packages::ensure(crate::system_packages::TEST)?;
    let cargo = crate::cargo();
    let out = root.join("target/bench");
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("kan {} niet leegmaken", out.display()))?;
    }
    std::fs::create_dir_all(&out)?;
    let started = std::time::Instant::now();

    // The cryptography, with criterion (always optimised: `cargo bench` uses the release profile).
    let mut criterion = vec![cargo.as_str(), "bench", "--locked", "-p", "hwc-protocol", "--bench", "seal_open", "--"];
    if quick {
        criterion.extend(["--quick", "--warm-up-time", "0.5", "--measurement-time", "1"]);
    }
    crate::run(&criterion)?;
    write_crypto_report(root, &out, quick)?;

    // The app is always measured as it ships (release); the relay and the benchmark program
    // too for the full run, in debug for the quick one (already built by `cargo xtask test`).
    crate::run(&[cargo.as_str(), "build", "--release", "--locked", "-p", "hwc-school", "-p", "hwc-empty-window"])?;
    let profile = if quick { "debug" } else { "release" };
    // Quick: the workspace's debug binaries, as `cargo xtask test` built them (naming only these
    // two packages would unify features differently and rebuild part of the tree).
    let build: Vec<&str> = if quick {
        vec![cargo.as_str(), "build", "--locked", "--workspace", "--bins"]
    } else {
        vec![cargo.as_str(), "build", "--locked", "--release", "-p", "hwc-relay", "-p", "hwc-system-tests", "--bins"]
    };
    crate::run(&build)?;
    let bench = root.join("target").join(profile).join("hwc-bench");
    let out_arg = out.to_string_lossy().into_owned();
    for name in SYSTEM_BENCHMARKS {
        let mut command = if *name == "app" {
            let mut c = Command::new("xvfb-run");
            c.args(["-a", "-s", crate::XVFB_SERVER, "sh"])
                .arg(root.join("xtask/with-test-keyring.sh"))
                .arg(&bench);
            c
        } else {
            Command::new(&bench)
        };
        command.arg(name).args(["--out", &out_arg]).current_dir(root);
        if quick {
            command.arg("--quick");
        }
        eprintln!("bench: {name}");
        let status = command.status().with_context(|| format!("{} kon niet starten", bench.display()))?;
        if !status.success() {
            bail!("benchmark {name} eindigde met {status}");
        }
    }
    let deb = if quick { None } else { crate::package::build_deb(root).map(Some)? };
    let mut package = Command::new(&bench);
    package.args(["package", "--out", &out_arg]).current_dir(root);
    if let Some(deb) = &deb {
        package.arg("--deb").arg(deb);
    }
    if quick {
        package.arg("--quick");
    }
    if !package.status().context("hwc-bench package")?.success() {
        bail!("benchmark package mislukte");
    }

    let command = if quick { "cargo xtask bench --quick" } else { "cargo xtask bench" };
    let table = table(&out, command, started.elapsed())?;
    let target = if quick { out.join("BENCHMARKS.quick.md") } else { root.join("BENCHMARKS.md") };
    write_between_markers(&target, &table)?;
    eprintln!("bench: klaar in {:.0} s; cijfers in {}", started.elapsed().as_secs_f64(), target.display());
    Ok(())
}

/// Reads criterion's median estimates and writes them as `crypto.json`, like the others.
fn write_crypto_report(root: &Path, out: &Path, quick: bool) -> Result<()> {
    let median_ms = |id: &str| -> Result<f64> {
        let path = root.join("target/criterion/signal").join(id).join("new/estimates.json");
        let estimates: Value =
            serde_json::from_slice(&std::fs::read(&path).with_context(|| format!("{} ontbreekt", path.display()))?)?;
        estimates["median"]["point_estimate"]
            .as_f64()
            .map(|ns| ns / 1e6)
            .context("geen mediaan in criterion's schatting")
    };
    let (seal, open, both) =
        (median_ms("seal_for_2_devices")?, median_ms("verify_and_open")?, median_ms("seal_for_2_verify_and_open")?);
    let figure = |id: &str, label: &str, value: f64, target: Option<(f64, &str)>| {
        serde_json::json!({
            "id": id, "label": label, "value": value, "unit": "ms",
            "target": target.map(|t| t.1), "met": target.map(|t| value <= t.0), "baseline": null,
        })
    };
    let report = serde_json::json!({
        "benchmark": "crypto",
        "quick": quick,
        "figures": [
            figure("crypto_seal_verify_open_ms", "seal for 2 devices, verify and open one (criterion median)", both, Some((1.0, "≤ 1 ms"))),
            figure("crypto_seal_ms", "seal for 2 devices (criterion median)", seal, None),
            figure("crypto_verify_open_ms", "verify and open one copy (criterion median)", open, None),
        ],
        "raw": { "criterion": "target/criterion/signal" },
    });
    std::fs::write(out.join("crypto.json"), serde_json::to_vec_pretty(&report)?)?;
    Ok(())
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| "onbekende processor".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string()))
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{model}, {cores} cores, {mem_gib:.0} GiB RAM, {os}, Linux {}", kernel.trim())
}

fn output_of(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn number(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}

/// The Markdown table of every figure in `out/*.json`.
fn table(out: &Path, command: &str, took: std::time::Duration) -> Result<String> {
    let date = output_of("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let commit = output_of("git", &["rev-parse", "--short", "HEAD"]);
    let mut text = format!(
        "Command: `{command}` · machine: {} · date: {date} · commit: `{commit}` · took {:.0} s\n\n",
        machine(),
        took.as_secs_f64()
    );
    text.push_str("| benchmark | figure | value | target | met | baseline (same run) | ratio |\n");
    text.push_str("|---|---|---|---|---|---|---|\n");
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    let order = |p: &PathBuf| {
        let name = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let rank =
            ["crypto", "delivery", "accept", "idle", "app", "package"].iter().position(|n| *n == name).unwrap_or(99);
        (rank, name)
    };
    files.sort_by_key(order);
    for file in files {
        let report: Value = serde_json::from_slice(&std::fs::read(&file)?)?;
        let name = report["benchmark"].as_str().unwrap_or_default().to_string();
        for figure in report["figures"].as_array().into_iter().flatten() {
            let value = figure["value"].as_f64().unwrap_or(f64::NAN);
            let unit = figure["unit"].as_str().unwrap_or_default();
            let baseline = figure["baseline"].as_f64();
            let met = match figure["met"].as_bool() {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            };
            text.push_str(&format!(
                "| {name} | {} | {} {unit} | {} | {met} | {} | {} |\n",
                figure["label"].as_str().unwrap_or_default(),
                number(value),
                figure["target"].as_str().unwrap_or_default(),
                baseline.map(|b| format!("{} {unit}", number(b))).unwrap_or_default(),
                baseline.filter(|b| *b > 0.0).map(|b| format!("{:.2}×", value / b)).unwrap_or_default(),
            ));
        }
    }
    text.push_str("\nRaw figures: `target/bench/*.json` and `target/criterion/`.\n");
    Ok(text)
}

/// Replaces what is between the markers in `path` with `table` (or writes a new file).
fn write_between_markers(path: &Path, table: &str) -> Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            format!("{}{BEGIN}\n{table}{}", &old[..begin], &old[end..])
        }
        _ => format!("# Benchmarks\n\n{BEGIN}\n{table}{END}\n"),
    };
    std::fs::write(path, new).with_context(|| format!("kan {} niet schrijven", path.display()))
}
