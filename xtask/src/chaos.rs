//! `cargo xtask chaos --signals N --seed S [--schools K] [--rate R]`: builds the relay and the
//! chaos binaries and runs `hwc-chaos` (see `tests/src/chaos`) inside a private keyring
//! session. The summary goes to `target/chaos-summary.json`. `cargo xtask test` runs a
//! bounded version with a seed from the clock, printed so that a failure can be replayed.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// The bounded run inside `cargo xtask test`: about 70 s on the 2-core CI machine.
pub const SIGNALS_IN_TEST: usize = 300;

pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The workspace's binaries, as `cargo xtask test` builds them: naming only the two packages
    // chaos needs would unify the dependencies' features differently and rebuild part of the tree.
    let built = Command::new(&cargo)
        .args(["build", "--locked", "--workspace", "--bins"])
        .current_dir(root)
        .status()
        .context("cargo build kon niet starten")?;
    if !built.success() {
        bail!("bouwen mislukte");
    }
    let summary = root.join("target/chaos-summary.json");
    let status = Command::new("sh")
        .arg(root.join("xtask/with-test-keyring.sh"))
        .arg(root.join("target/debug/hwc-chaos"))
        .arg("--summary")
        .arg(&summary)
        .args(args)
        .current_dir(root)
        .status()
        .context("hwc-chaos kon niet starten")?;
    match status.code() {
        Some(0) => Ok(()),
        Some(2) => bail!("gebruik: cargo xtask chaos --signals N --seed S [--schools K] [--rate R]"),
        _ => bail!("de chaos-run eindigde met {status}; zie {}", summary.display()),
    }
}

/// The bounded run of `cargo xtask test`, with a fresh seed each time.
pub fn bounded(root: &Path) -> Result<()> {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(1);
    eprintln!("chaos: {SIGNALS_IN_TEST} signalen, zaad {seed} (opnieuw: cargo xtask chaos --signals {SIGNALS_IN_TEST} --seed {seed})");
    run(root, &["--signals".into(), SIGNALS_IN_TEST.to_string(), "--seed".into(), seed.to_string()])
}
