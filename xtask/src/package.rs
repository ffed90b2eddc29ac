//! `cargo xtask package`: the app's `.deb` from the release build, made by the Tauri bundler
//! (tauri-cli 2 from npm, installed into `target/tools/` on first use) and finished here with
//! what the bundler cannot say: the package name `hwc-school` (the bundler derives
//! `hw-c-school` from "HwC School") and every file under `/etc` marked as a conffile, so that
//! an upgrade keeps what IT wrote into `/etc/hwc-school/config.toml` and a purge removes it.
//!
//! `cargo xtask package --windows`: the Windows release build (see `windows.rs`) and its NSIS
//! installer, `HwC School_<version>_x64-setup.exe` in
//! `target/windows/x86_64-pc-windows-gnu/release/bundle/nsis/`, made here without the Tauri
//! bundler (see `package/nsis.rs`).

mod nsis;

use anyhow::{bail, Context, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The package's name, as `dpkg -i`, `dpkg --purge` and `apt` know it.
pub const PACKAGE_NAME: &str = "hwc-school";

/// `cargo xtask package`: builds the release app and its `.deb`, and prints where it is.
pub fn run(root: &Path) -> Result<()> {
    crate::system_packages::ensure(crate::system_packages::TEST)?;
    let status = Command::new(crate::cargo())
        .args(["build", "--release", "--locked", "--package", "hwc-school"])
        .current_dir(root)
        .status()
        .context("cargo kon niet starten")?;
    if !status.success() {
        bail!("cargo build --release --package hwc-school mislukte");
    }
    let deb = build_deb(root)?;
    println!("{}", deb.display());
    Ok(())
}

/// `cargo xtask package --windows`: builds the Windows release app and its installer, and
/// prints where the installer is.
pub fn run_windows(root: &Path) -> Result<()> {
    let exe_dir = crate::windows::build_release_app(root)?;
    let setup = nsis::build(root, &exe_dir)?;
    println!("{}", setup.display());
    Ok(())
}

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
    let bundled = std::fs::read_dir(&dir)
        .with_context(|| format!("{} ontbreekt", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(PACKAGE_NAME)))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .context("geen .deb gemaakt")?;
    finish_deb(&bundled)
}

/// Unpacks the bundler's `.deb`, names the package, lists the conffiles, packs it again as
/// `hwc-school_<version>_<arch>.deb` beside it and removes the bundler's file.
fn finish_deb(bundled: &Path) -> Result<PathBuf> {
    let dir = bundled.parent().context("map van de .deb")?;
    let tree = dir.join("hwc-school-tree");
    if tree.exists() {
        std::fs::remove_dir_all(&tree)?;
    }
    dpkg_deb(&[OsStr::new("--raw-extract"), bundled.as_os_str(), tree.as_os_str()])?;
    let control_path = tree.join("DEBIAN/control");
    let control = std::fs::read_to_string(&control_path)?;
    let field = |name: &str| {
        control
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
            .with_context(|| format!("{name} ontbreekt in DEBIAN/control"))
    };
    let (version, arch) = (field("Version")?, field("Architecture")?);
    let renamed: String = control
        .lines()
        .map(|l| if l.starts_with("Package: ") { format!("Package: {PACKAGE_NAME}") } else { l.to_string() })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(&control_path, renamed)?;
    let mut conffiles = Vec::new();
    collect_files(&tree, &tree.join("etc"), &mut conffiles)?;
    conffiles.sort();
    std::fs::write(tree.join("DEBIAN/conffiles"), conffiles.iter().map(|f| format!("{f}\n")).collect::<String>())?;
    let deb = dir.join(format!("{PACKAGE_NAME}_{version}_{arch}.deb"));
    dpkg_deb(&[OsStr::new("--root-owner-group"), OsStr::new("--build"), tree.as_os_str(), deb.as_os_str()])?;
    std::fs::remove_dir_all(&tree)?;
    std::fs::remove_file(bundled)?;
    Ok(deb)
}

/// Every file below `dir`, as an absolute path in the installed system (`/etc/...`).
fn collect_files(tree: &Path, dir: &Path, found: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(tree, &path, found)?;
        } else {
            found.push(format!("/{}", path.strip_prefix(tree)?.display()));
        }
    }
    Ok(())
}

fn dpkg_deb(args: &[&OsStr]) -> Result<()> {
    let status = Command::new("dpkg-deb").args(args).status().context("dpkg-deb kon niet starten (pakket dpkg)")?;
    if !status.success() {
        bail!("dpkg-deb {:?} mislukte", args);
    }
    Ok(())
}
