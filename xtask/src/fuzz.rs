//! `cargo xtask fuzz --seconds N`: builds the cargo-fuzz targets in `fuzz/` with the nightly
//! toolchain, replays every committed seed and regression input once (a crash found once stays
//! a test forever), then fuzzes each target for N seconds. New inputs go to
//! `target/fuzz-corpus/<target>`, so the committed `fuzz/seeds` and `fuzz/regressions` never
//! change. The figures (executions, corpus size) are printed and written to
//! `target/fuzz-summary.json`. `cargo xtask test` starts the build early, in the background at
//! the lowest priority ([`start_build`]), so it uses the processor time the Linux rounds leave.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// Every target in `fuzz/fuzz_targets`: every parser that takes bytes from outside.
pub const TARGETS: [&str; 7] =
    ["envelope", "receipt", "profile", "request_auth", "signal", "csv_batch", "machine_config"];

/// What one target's run gave.
struct Summary {
    target: &'static str,
    seconds: u64,
    executions: u64,
    corpus: usize,
    replayed: usize,
}

const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Reads `--seconds N` (N from 1 to 86,400).
pub fn seconds_from_args(args: &[String]) -> Result<u64> {
    match args {
        [flag, n] if flag == "--seconds" => match n.parse::<u64>() {
            Ok(s) if (1..=86_400).contains(&s) => Ok(s),
            _ => bail!("--seconds verwacht een aantal seconden van 1 tot 86400, niet \"{n}\""),
        },
        [] => Ok(60),
        _ => bail!("gebruik: cargo xtask fuzz [--seconds N]"),
    }
}

/// The fuzz targets' build, running in the background at the lowest priority.
pub struct BackgroundBuild {
    child: Child,
    log: PathBuf,
    started: Instant,
}

/// Starts building the fuzz targets in the background (`nice -n 19`), its output in
/// `target/fuzz-build.log`; [`run`] waits for it.
pub fn start_build(root: &Path) -> Result<BackgroundBuild> {
    ensure_nightly()?;
    let cargo_fuzz = crate::tools::ensure(root, "cargo-fuzz", CARGO_FUZZ_VERSION)?;
    let log = root.join("target/fuzz-build.log");
    std::fs::create_dir_all(root.join("target")).context("target aanmaken")?;
    let out = std::fs::File::create(&log).with_context(|| format!("{} aanmaken", log.display()))?;
    let err = out.try_clone().context("logbestand")?;
    let child = Command::new("nice")
        .arg("-n")
        .arg("19")
        .arg(&cargo_fuzz)
        .arg("build")
        .env("RUSTUP_TOOLCHAIN", "nightly")
        .current_dir(root.join("fuzz"))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .context("cargo fuzz build kon niet starten")?;
    eprintln!("fuzz-doelen bouwen op de achtergrond (nightly, met sanitizer); verloop in {}", log.display());
    Ok(BackgroundBuild { child, log, started: Instant::now() })
}

impl Drop for BackgroundBuild {
    /// A round that failed before the fuzzers leaves no build running behind it.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl BackgroundBuild {
    /// Waits for the build; its log is shown when it failed.
    fn finish(&mut self) -> Result<()> {
        let status = self.child.wait().context("wachten op cargo fuzz build")?;
        if !status.success() {
            eprintln!("{}", std::fs::read_to_string(&self.log).unwrap_or_default());
            bail!("cargo fuzz build (op de achtergrond) eindigde met {status}");
        }
        eprintln!("fuzz-doelen gebouwd in {} s (op de achtergrond)", self.started.elapsed().as_secs());
        Ok(())
    }
}

/// Builds (or, with `built`, waits for the background build of) the targets, then replays and
/// fuzzes each for `seconds`.
pub fn run(root: &Path, seconds: u64, built: Option<BackgroundBuild>) -> Result<()> {
    ensure_nightly()?;
    let cargo_fuzz = crate::tools::ensure(root, "cargo-fuzz", CARGO_FUZZ_VERSION)?;
    let fuzz_dir = root.join("fuzz");
    let started = Instant::now();
    if let Some(mut build) = built {
        build.finish()?;
    }
    // After a background build this only checks that nothing is left to build.
    eprintln!("fuzz-doelen bouwen (nightly, met sanitizer)");
    fuzz_command(&cargo_fuzz, &fuzz_dir).args(["build"]).status_ok("cargo fuzz build")?;
    let mut summaries = Vec::new();
    for target in TARGETS {
        let saved: Vec<PathBuf> = [fuzz_dir.join("seeds").join(target), fuzz_dir.join("regressions").join(target)]
            .into_iter()
            .filter(|d| d.is_dir())
            .collect();
        let replayed = saved.iter().map(|d| count_files(d)).sum();
        // Every saved input once: a regression that crashes again fails here, at once.
        let mut replay = fuzz_command(&cargo_fuzz, &fuzz_dir);
        replay.args(["run", target]).args(&saved).args(["--", "-runs=0"]);
        replay.status_ok(&format!("{target}: de opgeslagen invoer opnieuw"))?;

        let corpus = root.join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).with_context(|| format!("{} aanmaken", corpus.display()))?;
        eprintln!("{target}: {seconds} s fuzzen");
        let output = fuzz_command(&cargo_fuzz, &fuzz_dir)
            .args(["run", target])
            .arg(&corpus)
            .args(&saved)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg("-print_final_stats=1")
            .output()
            .context("cargo fuzz run kon niet starten")?;
        let log = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            eprintln!("{log}");
            bail!(
                "{target}: de fuzzer vond een fout; de invoer staat in fuzz/artifacts/{target}/. \
                 Herstel de fout en zet die invoer in fuzz/regressions/{target}/, zodat hij een test blijft."
            );
        }
        let executions = stat(&log, "stat::number_of_executed_units:").context("geen aantal uitvoeringen")?;
        summaries.push(Summary { target, seconds, executions, corpus: count_files(&corpus), replayed });
    }
    report(root, &summaries, started.elapsed().as_secs())
}

fn ensure_nightly() -> Result<()> {
    let list = Command::new("rustup").args(["toolchain", "list"]).output().context("rustup ontbreekt")?;
    if !String::from_utf8_lossy(&list.stdout).lines().any(|l| l.starts_with("nightly")) {
        bail!("fuzzen vraagt de nightly-toolchain: rustup toolchain install nightly --profile minimal");
    }
    Ok(())
}

fn fuzz_command(cargo_fuzz: &Path, fuzz_dir: &Path) -> Command {
    let mut command = Command::new(cargo_fuzz);
    // cargo-fuzz needs nightly's -Zsanitizer; run directly, so choose the toolchain by name.
    command.env("RUSTUP_TOOLCHAIN", "nightly").current_dir(fuzz_dir);
    command
}

trait StatusOk {
    fn status_ok(&mut self, what: &str) -> Result<()>;
}

impl StatusOk for Command {
    fn status_ok(&mut self, what: &str) -> Result<()> {
        let status = self.status().with_context(|| format!("{what} kon niet starten"))?;
        if !status.success() {
            bail!("{what} eindigde met {status}");
        }
        Ok(())
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.flatten().filter(|e| e.path().is_file()).count()).unwrap_or(0)
}

/// The number after `label` on libFuzzer's final statistics line.
fn stat(log: &str, label: &str) -> Option<u64> {
    log.lines().rev().find_map(|l| l.trim().strip_prefix(label)).and_then(|n| n.trim().parse().ok())
}

fn report(root: &Path, summaries: &[Summary], total_seconds: u64) -> Result<()> {
    let mut json = String::from("{\n  \"targets\": [\n");
    eprintln!("\n| doel | seconden | uitvoeringen | corpus | opgeslagen invoer opnieuw |");
    eprintln!("|---|---|---|---|---|");
    for (i, s) in summaries.iter().enumerate() {
        eprintln!("| {} | {} | {} | {} | {} |", s.target, s.seconds, s.executions, s.corpus, s.replayed);
        json.push_str(&format!(
            "    {{\"target\": \"{}\", \"seconds\": {}, \"executions\": {}, \"corpus\": {}, \"replayed\": {}}}{}\n",
            s.target,
            s.seconds,
            s.executions,
            s.corpus,
            s.replayed,
            if i + 1 < summaries.len() { "," } else { "" }
        ));
    }
    json.push_str(&format!("  ],\n  \"total_seconds\": {total_seconds}\n}}\n"));
    let path = root.join("target/fuzz-summary.json");
    std::fs::write(&path, json).with_context(|| format!("{} schrijven", path.display()))?;
    eprintln!("samenvatting: {} (totaal {total_seconds} s)", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_checked() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(seconds_from_args(&args(&["--seconds", "30"])).unwrap(), 30);
        assert_eq!(seconds_from_args(&args(&[])).unwrap(), 60);
        for bad in [&["--seconds", "0"][..], &["--seconds", "x"], &["--seconds"], &["30"], &["--seconds", "99999999"]] {
            assert!(seconds_from_args(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_final_statistics_are_read() {
        let log =
            "#1 INITED\nDone 15426 runs in 9 second(s)\nstat::number_of_executed_units: 15426\nstat::peak_rss_mb: 40\n";
        assert_eq!(stat(log, "stat::number_of_executed_units:"), Some(15426));
        assert_eq!(stat("no stats", "stat::number_of_executed_units:"), None);
    }

    #[test]
    fn every_target_has_a_file_and_seeds() {
        let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("fuzz");
        for target in TARGETS {
            assert!(fuzz.join("fuzz_targets").join(format!("{target}.rs")).is_file(), "{target}");
            assert!(count_files(&fuzz.join("seeds").join(target)) > 0, "seeds for {target}");
        }
        let files = std::fs::read_dir(fuzz.join("fuzz_targets")).unwrap().count();
        assert_eq!(files, TARGETS.len(), "a target in fuzz/fuzz_targets that xtask does not run");
    }
}
