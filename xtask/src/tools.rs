//! Tools the tests need that Debian does not package: `tauri-driver` (the WebDriver bridge for
//! Tauri apps), installed with `cargo install` into `target/tools` once and reused after.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const TAURI_DRIVER_VERSION: &str = "2.1.0";

pub fn ensure_tauri_driver(root: &Path) -> Result<PathBuf> {
    let tools = root.join("target/tools");
    let binary = tools.join("bin/tauri-driver");
    if binary.is_file() {
        return Ok(binary);
    }
    eprintln!("tauri-driver {TAURI_DRIVER_VERSION} installeren in {}", tools.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["install", "tauri-driver", "--locked", "--version", TAURI_DRIVER_VERSION, "--root"])
        .arg(&tools)
        .status()
        .context("cargo install kon niet starten")?;
    if !status.success() || !binary.is_file() {
        bail!("tauri-driver kon niet worden geïnstalleerd");
    }
    Ok(binary)
}
