//! `cargo xtask <command>`: the project's commands, so that a fresh Debian/Ubuntu machine with
//! Rust needs nothing else.
//!
//! - `demo`: installs missing system packages, builds, and runs the end-to-end demo.
//! - `test`: installs missing system packages, then runs every test in the workspace inside a
//!   private D-Bus session with an unlocked GNOME Keyring (the real Secret Service backend).

mod system_packages;
mod tools;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("demo") => demo(&args[1..]),
        _ => {
            eprintln!("gebruik: cargo xtask demo | cargo xtask test [extra argumenten voor cargo test]");
            std::process::exit(2);
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs `command` inside the private keyring session and fails on a non-zero exit.
fn run_with_test_keyring(command: &[&str]) -> Result<()> {
    let script = workspace_root().join("xtask/with-test-keyring.sh");
    let status = Command::new("sh")
        .arg(&script)
        .args(command)
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("kon {} niet starten", script.display()))?;
    if !status.success() {
        bail!("{} eindigde met {status}", command.join(" "));
    }
    Ok(())
}

fn test(extra: &[String]) -> Result<()> {
    system_packages::ensure(system_packages::TEST)?;
    let driver = tools::ensure_tauri_driver(&workspace_root())?;
    let cargo = cargo();
    // `cargo test` builds a package's binaries only for that package's own integration tests;
    // the system tests start hwc-relay and hwc-school as processes, so build them first.
    run(&[cargo.as_str(), "build", "--workspace", "--bins", "--locked"])?;
    let script = workspace_root().join("xtask/with-test-keyring.sh").to_string_lossy().into_owned();
    // The window tests need a display: Xvfb, started by xvfb-run around everything.
    let mut command = vec!["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", "sh", &script];
    command.extend([cargo.as_str(), "test", "--workspace", "--locked", "--no-fail-fast"]);
    command.extend(extra.iter().map(String::as_str));
    let (program, args) = command.split_first().context("leeg commando")?;
    let status = Command::new(program)
        .args(args)
        .env("HWC_TAURI_DRIVER", &driver)
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("kon {program} niet starten"))?;
    if !status.success() {
        bail!("de tests eindigden met {status}");
    }
    Ok(())
}

fn run(command: &[&str]) -> Result<()> {
    let (program, args) = command.split_first().context("leeg commando")?;
    let status = Command::new(program)
        .args(args)
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("kon {program} niet starten"))?;
    if !status.success() {
        bail!("{} eindigde met {status}", command.join(" "));
    }
    Ok(())
}

fn demo(extra: &[String]) -> Result<()> {
    system_packages::ensure(system_packages::BUILD)?;
    let cargo = cargo();
    let status = Command::new(&cargo)
        .args(["build", "--locked", "-p", "hwc-relay", "-p", "hwc-system-tests", "--bins"])
        .current_dir(workspace_root())
        .status()
        .context("cargo build kon niet starten")?;
    if !status.success() {
        bail!("bouwen mislukt");
    }
    let demo = workspace_root().join("target/debug/hwc-demo");
    let demo = demo.to_string_lossy();
    let mut command = vec![demo.as_ref()];
    command.extend(extra.iter().map(String::as_str));
    run_with_test_keyring(&command)
}
