//! `cargo xtask windows`: the Windows builds of what runs on a school's or an office's
//! computer, made on this Linux machine and tested under wine, with wine's own Windows
//! Credential Manager (in a wine prefix under `target/windows/`, never the user's keyring).
//!
//! How (measured in `../shared/windows-cross.md`): the rustup toolchains here have no Windows
//! standard library, so Debian's `rustc-web`/`cargo-web` 1.96 build it from `rust-web-src`
//! (`-Zbuild-std`, allowed on that stable compiler by `RUSTC_BOOTSTRAP=1`) for
//! `x86_64-pc-windows-gnu`; MinGW-w64 links; wine 8 runs the tests. Everything goes into
//! `target/windows/`, apart from the Linux build.
//!
//! - `cargo xtask windows --kern`: builds the test programs of the protocol, the files from
//!   outside, the credential store, the hardening, the school core and `hwc-send` in one cargo
//!   call, and runs them under
//!   wine. Their relays are real `hwc-relay` processes on this Linux machine, started by
//!   `hwc-test-relay-host` and reached over loopback (see `hwc_relay::testing::remote`). The
//!   wine user is called "Zoë de Vries", so every path the tests use (`C:\users\Zoë de
//!   Vries\...`) has a space and a letter outside ASCII. `cargo xtask test` runs this round.
//! - `cargo xtask windows`: the same, and also the test programs of `hwc-school.exe` and the
//!   office's `hwc-office.exe`, and two
//!   checks of the built app under wine: `--installeer-config` writes and refuses as on Linux,
//!   and the window, which needs Microsoft's WebView2 (not in wine), says so in Dutch
//!   instead of crashing.
//!
//! Tests that cannot run under wine are in [`NOT_UNDER_WINE`], with the reason; they are
//! skipped by name here, listed in the output and in the README, and run in the Windows
//! workflow (`.github/workflows/ci.yml`).

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// What the Windows round needs from Debian: the compiler, cargo and the standard library's
/// source in one version, MinGW-w64, wine, and Perl and make for OpenSSL's build (SQLCipher's
/// crypto on Windows, built from source by `openssl-src`).
pub const PACKAGES: &[&str] = &[
    "rustc-web",
    "cargo-web",
    "rust-web-src",
    "gcc-mingw-w64-x86-64",
    "g++-mingw-w64-x86-64",
    "wine",
    "wine64",
    "perl",
    "make",
];

pub const TARGET: &str = "x86_64-pc-windows-gnu";

/// The packages whose tests run under wine in every round.
const CORE: &[&str] = &["hwc-protocol", "hwc-formats", "hwc-keystore", "hwc-hardening", "hwc-client", "hwc-send"];

/// The wine user: a name with a space and a letter outside ASCII, as school laptops have.
const WINE_USER: &str = "Zoë de Vries";

/// Why a test cannot run under wine.
const NO_ACLS: &str = "wine keeps no Windows access control lists: it reports one made from the Unix mode bits, \
                       in which Everyone may read, so a private file or folder cannot be told from an open one";

/// Tests that cannot run under wine (a name as libtest matches it, and why). They run in the
/// Windows workflow.
pub const NOT_UNDER_WINE: &[(&str, &str)] = &[
    ("private_fs::tests::a_created_folder_and_a_file_made_private_are_private", NO_ACLS),
    ("private_fs::tests::a_file_everyone_may_read_is_not_private_and_is_closed_again", NO_ACLS),
    ("admin_only::tests::a_folder_made_admin_only_is_admin_only_and_a_users_own_folder_is_not", NO_ACLS),
    ("vault::tests::vault_folder_and_file_are_private_to_the_user", NO_ACLS),
    ("state_dir::tests::private_dir_is_created_private", NO_ACLS),
    ("store::tests::file_is_private", NO_ACLS),
    ("db_key::tests::key_file_is_created_private_and_read_back", NO_ACLS),
    ("db_key::tests::garbage_key_file_is_refused", NO_ACLS),
    ("a_key_file_with_the_wrong_key_is_refused", NO_ACLS),
    (
        "crash_dumps::tests::error_reports_of_the_process_hold_no_heap",
        "wine's WerGetFlags is not implemented (E_NOTIMPL), so the flag cannot be read back; WerSetFlags itself succeeds",
    ),
    (
        "the_window_shows_its_own_page_protected_from_capture_with_private_data",
        "the window needs Microsoft's WebView2 runtime, which does not run under wine",
    ),
];

/// How much to build and test.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The core packages' tests (what `cargo xtask test` runs).
    Core,
    /// Also the app, its tests and the checks of the built app.
    Full,
}

/// `cargo xtask windows [--kern]`.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let scope = match args {
        [] => Scope::Full,
        [flag] if flag == "--kern" => Scope::Core,
        _ => bail!("gebruik: cargo xtask windows [--kern]"),
    };
    round(root, scope)
}

/// Builds and tests for Windows; prints the times and the counts.
pub fn round(root: &Path, scope: Scope) -> Result<()> {
    start(root, scope)?.finish()
}

/// Starts the Windows build in the background, at the lowest priority, so that it takes only
/// the processor time the Linux rounds of `cargo xtask test` leave (their tests often wait on
/// a window, a timer or the network); [`Build::finish`] waits for it and runs the tests. Its
/// output goes to `target/windows/build.log`, not between the Linux tests' lines.
pub fn start(root: &Path, scope: Scope) -> Result<Build> {
    crate::system_packages::ensure(PACKAGES)?;
    let cross = Cross::new(root)?;
    let mut packages = CORE.to_vec();
    if scope == Scope::Full {
        packages.extend(["hwc-school", "hwc-office"]);
    }
    std::fs::create_dir_all(&cross.dir)?;
    let log_path = cross.dir.join("build.log");
    let log = std::fs::File::create(&log_path).with_context(|| format!("kon {} niet maken", log_path.display()))?;
    eprintln!(
        "windows: de testprogramma's bouwen op de achtergrond ({}); verloop in {}",
        packages.join(", "),
        log_path.display()
    );
    let child = cross
        .cargo_test_command(&packages, &["--no-run"])
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("Debians cargo (cargo-web) kon niet starten")?;
    Ok(Build { cross, packages, scope, child, log_path, started: Instant::now() })
}

/// A Windows build running in the background (see [`start`]).
pub struct Build {
    cross: Cross,
    packages: Vec<&'static str>,
    scope: Scope,
    child: Child,
    log_path: PathBuf,
    started: Instant,
}

impl Build {
    /// Waits for the build, then runs every test program under wine against relays on this
    /// machine, and for the full scope checks the built app.
    pub fn finish(mut self) -> Result<()> {
        let built = self.child.wait().context("de Windows-build")?;
        let build_secs = self.started.elapsed().as_secs();
        if !built.success() {
            let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!(
                "de Windows-build mislukte ({built}); het einde van {}:\n{}",
                self.log_path.display(),
                tail.join("\n")
            );
        }
        eprintln!("windows: gebouwd in {build_secs} s (op de achtergrond)");
        let cross = &self.cross;
        cross.prepare_wine()?;
        let host = RelayHost::start(&cross.root)?;
        let _wineserver = cross.persistent_wineserver()?;
        let test_started = Instant::now();
        let skips: Vec<String> =
            NOT_UNDER_WINE.iter().flat_map(|(name, _)| ["--skip".to_string(), name.to_string()]).collect();
        let mut libtest = vec!["--test-threads=2".to_string()];
        libtest.extend(skips);
        let counts = cross.run_tests(&self.packages, &host.addr, &libtest)?;
        let test_secs = test_started.elapsed().as_secs();
        if self.scope == Scope::Full {
            check_built_app(cross)?;
        }
        eprintln!("windows: niet onder wine (draaien in .github/workflows/ci.yml):");
        for (name, why) in NOT_UNDER_WINE {
            eprintln!("  {name}: {why}");
        }
        eprintln!(
            "windows: {} geslaagd, {} mislukt, {} overgeslagen; bouwen {build_secs} s, testen onder wine {test_secs} s, alles {} s",
            counts.passed,
            counts.failed,
            NOT_UNDER_WINE.len(),
            self.started.elapsed().as_secs()
        );
        if counts.failed > 0 || !counts.ok {
            bail!("de Windows-tests onder wine zijn niet allemaal geslaagd");
        }
        Ok(())
    }
}

impl Drop for Build {
    /// A build left behind (the Linux rounds failed first) is stopped.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Debian's cross toolchain, the wine prefix and the build folder.
struct Cross {
    root: PathBuf,
    /// `target/windows`: the build, the prefix and the wine stand-in DLL.
    dir: PathBuf,
    prefix: PathBuf,
}

impl Cross {
    fn new(root: &Path) -> Result<Self> {
        let version = |package: &str| -> Result<String> {
            let out = Command::new("dpkg-query").args(["-W", "-f=${Version}", package]).output()?;
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        };
        let (compiler, source) = (version("rustc-web")?, version("rust-web-src")?);
        if compiler != source {
            bail!("rustc-web ({compiler}) en rust-web-src ({source}) moeten dezelfde versie hebben: apt-get install --only-upgrade rustc-web rust-web-src");
        }
        let dir = root.join("target/windows");
        let prefix = dir.join("wineprefix");
        Ok(Self { root: root.to_path_buf(), dir, prefix })
    }

    /// The environment every wine program of this round runs in.
    fn wine_env(&self, command: &mut Command) {
        command
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installer prompts when the prefix is made.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env("USER", WINE_USER);
    }

    /// Makes the wine prefix once, and puts the stand-in for `bcryptprimitives.dll` into it.
    fn prepare_wine(&self) -> Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        if !self.prefix.join("system.reg").is_file() {
            eprintln!("windows: wine-omgeving maken in {}", self.prefix.display());
            let mut boot = Command::new("wine");
            self.wine_env(&mut boot);
            // wineboot complains about a missing 32-bit wine; the 64-bit prefix works.
            let _ = boot.args(["wineboot", "--init"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
            let mut wait = Command::new("wineserver");
            self.wine_env(&mut wait);
            wait.arg("-w").status().context("wineserver kon niet starten")?;
            if !self.prefix.join("system.reg").is_file() {
                bail!("wine maakte geen omgeving in {}", self.prefix.display());
            }
        }
        let source = self.root.join("xtask/windows");
        let dll = self.dir.join("bcryptprimitives.dll");
        let status = Command::new("x86_64-w64-mingw32-gcc")
            .args(["-O2", "-shared", "-o"])
            .arg(&dll)
            .arg(source.join("bcryptprimitives.c"))
            .arg(source.join("bcryptprimitives.def"))
            .arg("-lbcrypt")
            .status()
            .context("x86_64-w64-mingw32-gcc kon niet starten")?;
        if !status.success() {
            bail!("de wine-vervanger van bcryptprimitives.dll bouwde niet");
        }
        std::fs::copy(&dll, self.prefix.join("drive_c/windows/system32/bcryptprimitives.dll"))?;
        Ok(())
    }

    /// A wineserver that stays for the whole round, so each test program starts quickly.
    fn persistent_wineserver(&self) -> Result<Wineserver> {
        let mut server = Command::new("wineserver");
        self.wine_env(&mut server);
        server.arg("-p").status().context("wineserver kon niet starten")?;
        Ok(Wineserver(self.prefix.clone()))
    }

    /// Debian's cargo for Windows at the lowest priority, in the environment of the cross
    /// build: `cargo <args> --locked -Zbuild-std --target x86_64-pc-windows-gnu`, then `extra`.
    fn cargo(&self, args: &[&str], extra: &[&str]) -> Command {
        let mut command = Command::new("nice");
        command.args(["-n", "19", "/usr/bin/cargo"]);
        command.args(args).args(["--locked", "-Zbuild-std=std,panic_abort", "--target", TARGET]).args(extra);
        let path = std::env::var("PATH").unwrap_or_default();
        command
            .current_dir(&self.root)
            .env("PATH", format!("/usr/bin:{path}"))
            .env("RUSTC", "/usr/bin/rustc")
            .env("RUSTDOC", "/usr/bin/rustdoc")
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_DIR", &self.dir)
            .env("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER", "x86_64-w64-mingw32-gcc")
            .env("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER", "wine")
            .env("CC_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-gcc")
            .env("CXX_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-g++")
            .env("AR_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-ar")
            // Set by the rustup cargo that started this xtask; Debian's cargo must not see them.
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("CARGO")
            .env_remove("RUSTC_WRAPPER");
        self.wine_env(&mut command);
        command
    }

    /// `cargo test` of `packages` for Windows, with `extra` (`--no-run` builds them).
    fn cargo_test_command(&self, packages: &[&str], extra: &[&str]) -> Command {
        let mut args = vec!["test"];
        for package in packages {
            args.extend(["--package", *package]);
        }
        self.cargo(&args, extra)
    }

    /// Runs every test program of `packages` under wine, with the relay host at `host` and
    /// these libtest arguments, and counts the results.
    fn run_tests(&self, packages: &[&str], host: &str, libtest: &[String]) -> Result<Counts> {
        let mut command = self.cargo_test_command(packages, &["--no-fail-fast"]);
        command
            .env(HOST_ENV, host)
            // The app's test program finds WebView2Loader.dll beside hwc-school.exe.
            .env("WINEPATH", windows_path(&self.dir.join(TARGET).join("debug")))
            .arg("--")
            .args(libtest)
            .stdout(Stdio::piped());
        let mut child = command.spawn().context("Debians cargo (cargo-web) kon niet starten")?;
        let mut counts = Counts::default();
        if let Some(stdout) = child.stdout.take() {
            let mut out = std::io::stdout();
            for line in BufReader::new(stdout).lines() {
                let line = line?;
                counts.add(&line);
                writeln!(out, "{line}")?;
            }
        }
        counts.ok = child.wait()?.success();
        Ok(counts)
    }
}

/// Builds the release `hwc-school.exe` for Windows (with `WebView2Loader.dll` beside it) and
/// returns its folder, for `cargo xtask package --windows`.
pub fn build_release_app(root: &Path) -> Result<PathBuf> {
    crate::system_packages::ensure(PACKAGES)?;
    let cross = Cross::new(root)?;
    eprintln!("windows: hwc-school.exe bouwen (release)");
    let status = cross
        .cargo(&["build", "--release", "--package", "hwc-school"], &[])
        .status()
        .context("Debians cargo (cargo-web) kon niet starten")?;
    if !status.success() {
        bail!("de Windows-build van hwc-school mislukte");
    }
    Ok(cross.dir.join(TARGET).join("release"))
}

/// A Linux path as wine sees it: on drive `Z:`, the Linux root.
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// The variable that points the tests at the relay host (`hwc_relay::testing::remote::HOST_ENV`).
const HOST_ENV: &str = "HWC_TEST_RELAY_HOST";

/// Stops the persistent wineserver at the end of the round.
struct Wineserver(PathBuf);

impl Drop for Wineserver {
    fn drop(&mut self) {
        let _ = Command::new("wineserver").env("WINEPREFIX", &self.0).arg("-k").status();
    }
}

/// The summed `test result:` lines of libtest.
#[derive(Default)]
struct Counts {
    passed: u64,
    failed: u64,
    /// Whether cargo itself succeeded.
    ok: bool,
}

impl Counts {
    fn add(&mut self, line: &str) {
        let Some(result) = line.strip_prefix("test result: ") else { return };
        let number = |label: &str| {
            result.split(';').find_map(|part| part.trim().strip_suffix(label)?.trim().rsplit(' ').next()?.parse().ok())
        };
        self.passed += number("passed").unwrap_or(0);
        self.failed += number("failed").unwrap_or(0);
    }
}

/// `hwc-test-relay-host` on this Linux machine, for the tests under wine.
struct RelayHost {
    child: Child,
    addr: String,
}

impl RelayHost {
    fn start(root: &Path) -> Result<Self> {
        let status = Command::new(crate::cargo())
            .args(["build", "--locked", "--package", "hwc-relay", "--package", "hwc-system-tests"])
            .args(["--bin", "hwc-relay", "--bin", "hwc-test-relay-host"])
            .current_dir(root)
            .status()
            .context("cargo kon niet starten")?;
        if !status.success() {
            bail!("hwc-relay en hwc-test-relay-host bouwden niet");
        }
        let mut child = Command::new(root.join("target/debug/hwc-test-relay-host"))
            .env_remove("HWC_TEST_POSTGRES")
            .stdout(Stdio::piped())
            .spawn()
            .context("hwc-test-relay-host kon niet starten")?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let Some(addr) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            bail!("hwc-test-relay-host meldde zich niet: {line:?}");
        };
        Ok(Self { addr: addr.to_string(), child })
    }
}

impl Drop for RelayHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The built `hwc-school.exe` under wine: the installer's config mode writes and refuses as on
/// Linux (paths with a space and a letter outside ASCII), and the window, without WebView2,
/// explains itself in Dutch and exits instead of panicking.
fn check_built_app(cross: &Cross) -> Result<()> {
    let debug = cross.dir.join(TARGET).join("debug");
    let app = debug.join("hwc-school.exe");
    let drive_c = cross.prefix.join("drive_c");
    let scratch = drive_c.join("users").join(WINE_USER).join("hwc-check");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let wine = |args: &[&str], env: &[(&str, String)]| -> Result<std::process::Output> {
        let mut command = Command::new("wine");
        cross.wine_env(&mut command);
        command.arg(&app).args(args).current_dir(&debug);
        for (name, value) in env {
            command.env(name, value);
        }
        command.env_remove("DISPLAY").output().context("wine kon niet starten")
    };
    let windows_path = |sub: &str| format!("C:\\users\\{WINE_USER}\\hwc-check\\{sub}");
    let config = [("HWC_SCHOOL_CONFIG", windows_path("HwC School\\config.toml"))];
    let fingerprint = "ab".repeat(32);

    let written = wine(&["--installeer-config", "https://relay.gemeente.nl", &fingerprint], &config)?;
    let file = scratch.join("HwC School/config.toml");
    if !written.status.success() || !file.is_file() {
        bail!("--installeer-config schreef niets: {}", String::from_utf8_lossy(&written.stderr));
    }
    let text = std::fs::read_to_string(&file)?;
    if !text.contains("https://relay.gemeente.nl") || !text.contains(&fingerprint) {
        bail!("--installeer-config schreef iets anders: {text}");
    }
    let refused = wine(&["--installeer-config", "http://relay.gemeente.nl", ""], &config)?;
    let said = String::from_utf8_lossy(&refused.stderr);
    if refused.status.code() != Some(2) || !said.contains("instellingen niet geschreven") {
        bail!("een http-relay werd niet geweigerd ({:?}): {said}", refused.status.code());
    }
    eprintln!("windows: hwc-school.exe --installeer-config schrijft en weigert zoals op Linux");

    let window = wine(
        &["--venster"],
        &[
            ("HWC_SCHOOL_CONFIG", windows_path("geen\\config.toml")),
            ("HWC_SCHOOL_DATA_DIR", windows_path("gegevens")),
            ("HWC_SCHOOL_WEBVIEW_DIR", windows_path("webview")),
        ],
    )?;
    let said = String::from_utf8_lossy(&window.stderr);
    if window.status.code() != Some(1) || !said.contains("WebView2 ontbreekt") || said.contains("panicked") {
        bail!("het venster zonder WebView2 zei niet wat er mist ({:?}): {said}", window.status.code());
    }
    eprintln!("windows: hwc-school.exe --venster zonder WebView2: {}", said.trim());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_result_lines_are_summed() {
        let mut counts = Counts::default();
        counts.add("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 3 filtered out; finished in 0.20s");
        counts.add("test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out");
        counts.add("running 5 tests");
        assert_eq!((counts.passed, counts.failed), (16, 2));
    }
}
