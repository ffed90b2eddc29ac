//! `cargo xtask <command>`: the project's commands, so that a fresh Debian/Ubuntu machine with
//! Rust needs nothing else.
//!
//! - `demo`: installs missing system packages, builds, and runs the end-to-end demo, ending in
//!   the real app window (under Xvfb, driven, with screenshots, when there is no display).
//! - `test`: installs missing system packages, checks licences and sources (cargo deny), runs
//!   every test in the workspace inside a private D-Bus session with an unlocked GNOME Keyring
//!   (the real Secret Service backend), including installing, starting and purging the `.deb`;
//!   then the relay's and the system tests again with the relay on a real PostgreSQL server (`postgres.rs`),
//!   including two relay instances on one database, apart from those that drive the app's
//!   window or package (`test_targets.rs`); then a bounded chaos run and every fuzz
//!   target for a bounded time; then the Windows builds of the protocol, the files from
//!   outside, the credential store, the hardening, the school core and `hwc-send` (compiled
//!   meanwhile in the background, at the lowest priority) with their tests under wine
//!   (`windows.rs`); then every benchmark in its quick mode.
//! - `fuzz --seconds N`: every fuzz target for N seconds (see `fuzz.rs`).
//! - `chaos --signals N --seed S`: signals to many schools while the relay and the devices are
//!   killed at random, judged afterwards (see `chaos.rs`).
//! - `bench [--quick]`: every benchmark, figures into `BENCHMARKS.md` (see `bench.rs`).
//! - `package [--windows]`: the app's `.deb` in `target/release/bundle/deb/`, or with
//!   `--windows` its NSIS installer in `target/windows/x86_64-pc-windows-gnu/release/bundle/nsis/`
//!   (see `package.rs`).
//! - `windows [--kern]`: the Windows builds, tested under wine (see `windows.rs`); `cargo xtask
//!   test` runs its core round.
//! - `postgres-smoke` (not in the usage line): starts and stops the tests' throwaway PostgreSQL
//!   cluster once, as a check of this machine (see `postgres.rs`).

mod bench;
mod chaos;
mod fuzz;
mod package;
mod postgres;
mod system_packages;
mod test_targets;
mod tools;
mod windows;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("demo") => demo(&args[1..]),
        Some("fuzz") => fuzz::run(&workspace_root(), fuzz::seconds_from_args(&args[1..])?, None),
        Some("chaos") => chaos::run(&workspace_root(), &args[1..]),
        Some("bench") => bench::run(&workspace_root(), &args[1..]),
        Some("package") => match &args[1..] {
            [] => package::run(&workspace_root()),
            [flag] if flag == "--windows" => package::run_windows(&workspace_root()),
            _ => bail!("gebruik: cargo xtask package [--windows]"),
        },
        Some("windows") => windows::run(&workspace_root(), &args[1..]),
        Some("postgres-smoke") => postgres::smoke(&workspace_root()),
        _ => {
            eprintln!("gebruik: cargo xtask demo | cargo xtask test [extra argumenten voor cargo test] | cargo xtask fuzz [--seconds N] | cargo xtask chaos --signals N --seed S | cargo xtask bench [--quick] | cargo xtask package [--windows] | cargo xtask windows [--kern]");
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

fn test(extra: &[String]) -> Result<()> {
    if std::env::var_os("CI").is_some() {
        // CI builds once, from a fresh clone: incremental compilation's cache would only cost
        // time and disk there. Set before any thread or child starts; every cargo below
        // inherits it.
        std::env::set_var("CARGO_INCREMENTAL", "0");
    }
    system_packages::ensure(system_packages::TEST)?;
    let driver = tools::ensure_tauri_driver(&workspace_root())?;
    let cargo = cargo();
    // Licences, banned crates and sources of every dependency (see deny.toml). Not advisories:
    // their database cannot be fetched here.
    let deny = tools::ensure_cargo_deny(&workspace_root())?;
    let deny = deny.to_string_lossy();
    eprintln!(
        "cargo deny: licenties, verboden crates en bronnen (geen advisories: die database is hier niet bereikbaar)"
    );
    run(&[deny.as_ref(), "--log-level", "error", "check", "licenses", "bans", "sources"])?;
    // The Windows builds (tested under wine after the Linux rounds) compile meanwhile, at the
    // lowest priority, in the processor time the Linux rounds leave.
    let windows = if extra.is_empty() { Some(windows::start(&workspace_root(), windows::Scope::Core)?) } else { None };
    // So do the fuzz targets (nightly, with a sanitizer): built by the time the fuzzers run.
    let fuzz_build = if extra.is_empty() { Some(fuzz::start_build(&workspace_root())?) } else { None };
    // `cargo test` builds a package's binaries only for that package's own integration tests;
    // the system tests start hwc-relay and hwc-school as processes, so build them first.
    run(&[cargo.as_str(), "build", "--workspace", "--bins", "--locked"])?;
    // One window test runs the release build, exactly as it ships; the benchmarks compare it
    // with an empty Tauri window built the same way (one invocation, so they share a build).
    run(&[
        cargo.as_str(),
        "build",
        "--release",
        "--package",
        "hwc-school",
        "--package",
        "hwc-empty-window",
        "--locked",
    ])?;
    // The package test installs, starts and purges the `.deb`, made from that release build.
    package::build_deb(&workspace_root())?;
    // Round one, on the relay's default store (SQLite): every test of the workspace. The tests
    // of two relay instances on one database need PostgreSQL and run in round two.
    let mut args: Vec<&str> = vec!["test", "--workspace", "--locked", "--no-fail-fast"];
    args.extend(extra.iter().map(String::as_str));
    if !extra.iter().any(|a| a == "--") {
        args.push("--");
    }
    args.extend(["--skip", TWO_INSTANCE_TESTS]);
    run_tests(&cargo, &args, &driver, None)?;
    if extra.is_empty() {
        // Round two: the unit tests, the relay's and the system tests again, with every relay
        // on a fresh database of a real PostgreSQL server (Debian's, started for this round),
        // including the tests of two
        // relay instances on one database; not those that drive the app's window or package
        // (`test_targets.rs`). The whole workspace stays selected, as in round one: naming
        // packages unifies the dependencies' features differently and rebuilt 141 crates
        // (4 minutes here).
        let cluster = postgres::Cluster::start(&workspace_root())?;
        let targets = test_targets::postgres_round(&workspace_root(), &cargo)?;
        let mut args = vec!["test", "--workspace", "--locked", "--no-fail-fast"];
        args.extend(targets.iter().map(String::as_str));
        run_tests(&cargo, &args, &driver, Some(&cluster.admin_url()))?;
        drop(cluster);
        // Chaos and fuzzing run while the Windows build still compiles at the lowest priority:
        // both often leave a core idle (a kill, a single-threaded fuzzer), which that build
        // then uses, instead of both waiting on each other one after the other.
        // Signals through a relay and devices that are killed at random, judged afterwards.
        chaos::bounded(&workspace_root())?;
        // Every fuzz target for a bounded time, after replaying every saved input.
        fuzz::run(&workspace_root(), FUZZ_SECONDS_IN_TEST, fuzz_build)?;
        // The Windows builds of what runs on school and office computers, tested under wine.
        if let Some(windows) = windows {
            windows.finish()?;
        }
        // Every benchmark, briefly: proves they still run; no timing is asserted. Last, once
        // nothing compiles beside them, so the quick figures are not skewed by a build.
        bench::run(&workspace_root(), &["--quick".to_string()])?;
    } else {
        eprintln!(
            "(PostgreSQL-ronde, Windows-ronde, chaos, benchmarks en fuzzen overgeslagen: alleen een deel van de tests gevraagd)"
        );
    }
    Ok(())
}

/// The tests of several relay instances on one PostgreSQL database (their names start with
/// this); they run in the PostgreSQL round only.
const TWO_INSTANCE_TESTS: &str = "two_instances_";

/// The virtual screen every window test, benchmark and demo runs on. `-noreset`: by default Xvfb
/// resets when its last client disconnects, and a client that connects during the reset fails
/// ("Failed to initialize GTK"); tests that end one window and start the next, or that poll with
/// `xdotool`, hit that often (measured here: 35 of 400 back-to-back connections failed, 0 with it).
pub const XVFB_SERVER: &str = "-screen 0 1280x900x24 -noreset";

/// Runs `cargo <args>` inside Xvfb (the window tests need a display) and a private D-Bus
/// session with an unlocked GNOME Keyring; with `postgres`, every relay the tests start uses a
/// fresh database on that server.
fn run_tests(cargo: &str, args: &[&str], driver: &Path, postgres: Option<&str>) -> Result<()> {
    let script = workspace_root().join("xtask/with-test-keyring.sh");
    let mut command = Command::new("xvfb-run");
    command
        .args(["-a", "-s", XVFB_SERVER, "sh"])
        .arg(&script)
        .arg(cargo)
        .args(args)
        .env("HWC_TAURI_DRIVER", driver)
        .current_dir(workspace_root());
    match postgres {
        Some(url) => command.env("HWC_TEST_POSTGRES", url),
        None => command.env_remove("HWC_TEST_POSTGRES"),
    };
    let status = command.status().context("kon xvfb-run niet starten")?;
    if !status.success() {
        let store = if postgres.is_some() { "PostgreSQL" } else { "SQLite" };
        bail!("de tests (relay op {store}) eindigden met {status}");
    }
    Ok(())
}

/// How long `cargo xtask test` fuzzes each target.
const FUZZ_SECONDS_IN_TEST: u64 = 20;

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
    // The demo uses a private keyring session and, without a display, Xvfb and WebDriver.
    system_packages::ensure(system_packages::TEST)?;
    let cargo = cargo();
    run(&[
        cargo.as_str(),
        "build",
        "--locked",
        "-p",
        "hwc-relay",
        "-p",
        "hwc-school",
        "-p",
        "hwc-system-tests",
        "--bins",
    ])?;
    let demo = workspace_root().join("target/debug/hwc-demo");
    let demo = demo.to_string_lossy();
    let script = workspace_root().join("xtask/with-test-keyring.sh").to_string_lossy().into_owned();
    let has_display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    let mut command: Vec<&str> = Vec::new();
    if !has_display {
        // No screen: a virtual one, and the demo drives the window and saves screenshots.
        command.extend(["xvfb-run", "-a", "-s", XVFB_SERVER]);
    }
    command.extend(["sh", &script, demo.as_ref()]);
    command.extend(extra.iter().map(String::as_str));
    let (program, args) = command.split_first().context("leeg commando")?;
    let mut process = Command::new(program);
    process.args(args).current_dir(workspace_root());
    if !has_display {
        process.env("HWC_DEMO_DRIVE", "1").env("HWC_TAURI_DRIVER", tools::ensure_tauri_driver(&workspace_root())?);
    }
    let status = process.status().with_context(|| format!("kon {program} niet starten"))?;
    if !status.success() {
        bail!("de demo eindigde met {status}");
    }
    Ok(())
}
