//! Which test programs the PostgreSQL round of `cargo xtask test` runs: every library's and
//! binary's unit tests, and the integration tests of the relay and of the system tests, except
//! those that drive the app in a window or install its package. Those test the app, whose
//! behaviour does not depend on the relay's store, and they are a third of the round's time
//! (about four minutes here); they run in round one. The integration tests of the school core
//! and the office stay out, as before: they tamper with the relay's SQLite file directly.
//! Chosen by target, never by package, so the whole workspace stays selected and no dependency
//! is built again with other features.

use anyhow::{Context, Result};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Integration tests that drive the app or its package, not the relay's store.
pub const APP_ONLY: &[&str] =
    &["app_window", "app_agent", "app_release", "memory_dump", "deb_package", "office_window"];

/// The packages whose integration tests run against PostgreSQL.
const PACKAGES: &[&str] = &["hwc-relay", "hwc-system-tests"];

/// The `cargo test` target arguments of the PostgreSQL round: `--lib --bins` and `--test NAME`
/// for every integration test of [`PACKAGES`] that is not in [`APP_ONLY`].
pub fn postgres_round(root: &Path, cargo: &str) -> Result<Vec<String>> {
    let out = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .context("cargo metadata kon niet starten")?;
    if !out.status.success() {
        anyhow::bail!("cargo metadata mislukte: {}", String::from_utf8_lossy(&out.stderr));
    }
    let metadata: Value = serde_json::from_slice(&out.stdout).context("cargo metadata gaf geen JSON")?;
    Ok(select(&metadata))
}

fn select(metadata: &Value) -> Vec<String> {
    let mut names: Vec<String> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|package| package["name"].as_str().is_some_and(|name| PACKAGES.contains(&name)))
        .flat_map(|package| package["targets"].as_array().into_iter().flatten())
        .filter(|target| target["kind"].as_array().is_some_and(|kinds| kinds.iter().any(|k| k == "test")))
        .filter_map(|target| target["name"].as_str())
        .filter(|name| !APP_ONLY.contains(name))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    let mut args = vec!["--lib".to_string(), "--bins".to_string()];
    for name in names {
        args.extend(["--test".to_string(), name]);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relays_and_system_tests_but_the_app_ones_are_named_once() {
        let metadata = serde_json::json!({"packages": [
            {"name": "hwc-relay", "targets": [{"kind": ["lib"], "name": "hwc_relay"}, {"kind": ["test"], "name": "api"}]},
            {"name": "hwc-system-tests", "targets": [{"kind": ["test"], "name": "forensic"}, {"kind": ["test"], "name": "app_window"}]},
            {"name": "hwc-client", "targets": [{"kind": ["test"], "name": "flow"}, {"kind": ["test"], "name": "forensic"}]},
            {"name": "hwc-school", "targets": [{"kind": ["bin"], "name": "hwc-school"}]},
        ]});
        assert_eq!(select(&metadata), ["--lib", "--bins", "--test", "api", "--test", "forensic"]);
    }

    #[test]
    fn the_app_only_tests_exist() {
        let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tests");
        for name in APP_ONLY {
            assert!(tests.join(format!("{name}.rs")).is_file(), "{name} is not a test of tests/tests");
        }
    }
}
