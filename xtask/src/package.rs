//! Building the app's `.deb` from the release build with the Tauri bundler (tauri-cli 2 from
//! npm, installed into `target/tools/` on first use).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Bundles `target/release/hwc-school` as a `.deb` and returns its path.
pub fn build_deb(root: &Path) -> Result<PathBuf> {
    crate::system_packages::ensure(crate::system_packages::PACKAGING)?;
    if Command::new("npm").arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
        crate::system_packages::ensure(&["npm"])?;
    }
    let tools = root.join("target/tools/npm");
    let cli = tools.join("node_modules/.bin/tauri");
    if !cli.is_file() {
        std::fs::create_dir_all(&tools)?;
        let status = Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
            .arg(&tools)
            .arg("@tauri-apps/cli@^2")
            .status()
            .context("npm kon niet starten (pakket npm)")?;
        if !status.success() {
            bail!("npm install @tauri-apps/cli@^2 mislukte");
        }
    }
    let status = Command::new(&cli)
        .args(["bundle", "--bundles", "deb"])
        .current_dir(root.join("src-tauri"))
        .status()
        .context("tauri bundle kon niet starten")?;
    if !status.success() {
        bail!("tauri bundle --bundles deb mislukte");
    }
    let dir = root.join("target/release/bundle/deb");
    let deb = std::fs::read_dir(&dir)
        .with_context(|| format!("{} ontbreekt", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .context("geen .deb gemaakt")?;
    Ok(deb)
}
