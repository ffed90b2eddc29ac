//! Tools the tests need that Debian does not package, installed with `cargo install --locked`
//! into `target/tools` once and reused after: `tauri-driver` (the WebDriver bridge for Tauri
//! apps) and `cargo-deny` (the licence, ban and source check).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const TAURI_DRIVER_VERSION: &str = "2.1.0";
const CARGO_DENY_VERSION: &str = "0.20.2";

pub fn ensure_tauri_driver(root: &Path) -> Result<PathBuf> {
    ensure(root, "tauri-driver", TAURI_DRIVER_VERSION)
}

pub fn ensure_cargo_deny(root: &Path) -> Result<PathBuf> {
    ensure(root, "cargo-deny", CARGO_DENY_VERSION)
}

/// The binary `name` (same as its crate) at exactly `version`, installed when missing or
/// of another version.
pub fn ensure(root: &Path, name: &str, version: &str) -> Result<PathBuf> {
    let tools = root.join("target/tools");
    let binary = tools.join("bin").join(name);
    if binary.is_file() && installed_version(&tools, name).as_deref() == Some(version) {
        return Ok(binary);
    }
    eprintln!("{name} {version} installeren in {}", tools.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["install", name, "--locked", "--version", version, "--root"])
        .arg(&tools)
        // The tools' own release profiles may ask for whole-program optimisation (cargo-deny:
        // fat LTO in one codegen unit); a test tool needs none of it (cargo-deny's install took
        // 2 min 21 s here with it, 1 min 39 s without).
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .status()
        .context("cargo install kon niet starten")?;
    if !status.success() || !binary.is_file() {
        bail!("{name} kon niet worden geïnstalleerd");
    }
    Ok(binary)
}

/// The version cargo recorded for `name` in `target/tools/.crates.toml`.
fn installed_version(tools: &Path, name: &str) -> Option<String> {
    let record = std::fs::read_to_string(tools.join(".crates.toml")).ok()?;
    let prefix = format!("\"{name} ");
    let line = record.lines().find(|l| l.starts_with(&prefix))?;
    line[prefix.len()..].split_whitespace().next().map(str::to_string)
}
