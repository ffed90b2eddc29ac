//! The `.deb` that `cargo xtask package` makes, as school IT uses it: installed with
//! `dpkg -i`, configured with the installed app's own `--installeer-config` (relay and pinned
//! office key), started from `/usr/bin` under the test's X server to its first screen, then
//! removed with `dpkg --purge`, after which nothing of it is left on the system.
//!
//! Installing needs root (CI runs as root; elsewhere `sudo -n` is tried). The test refuses to
//! run when the package is already installed, rather than remove someone's installation.

use hwc_system_tests::desktop::{terminate, AppProcess};
use hwc_system_tests::release_app::{in_home, wait_for_screen, SCREEN_WAIT};
use hwc_system_tests::world;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PACKAGE: &str = "hwc-school";
const CONFIG: &str = "/etc/hwc-school/config.toml";

/// `target/release/bundle/deb/hwc-school_<version>_<arch>.deb`, made by `cargo xtask package`.
fn deb() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/bundle/deb");
    let found = std::fs::read_dir(&dir).ok().into_iter().flatten().flatten().map(|e| e.path()).find(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        name.starts_with(&format!("{PACKAGE}_{}_", env!("CARGO_PKG_VERSION"))) && name.ends_with(".deb")
    });
    found.unwrap_or_else(|| {
        panic!("no {PACKAGE} .deb in {}: `cargo xtask test` (or `cargo xtask package`) makes it", dir.display())
    })
}

/// Runs a command as root: directly when we are root, else through `sudo -n`.
fn as_root(program: &str, args: &[&str]) -> Output {
    let mut command = if unsafe { libc::geteuid() } == 0 {
        Command::new(program)
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("-n").arg(program);
        sudo
    };
    command.args(args).stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn succeed(program: &str, args: &[&str]) -> String {
    let out = as_root(program, args);
    assert!(out.status.success(), "{program} {args:?}: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn installed() -> bool {
    let out = Command::new("dpkg-query").args(["-W", "-f=${Status}", PACKAGE]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).contains("installed")
}

#[test]
fn the_deb_installs_configures_starts_and_purges_without_a_trace() {
    assert!(std::env::var_os("DISPLAY").is_some(), "no display: run this through `cargo xtask test`");
    let deb = deb();
    assert!(!installed(), "{PACKAGE} is already installed here; remove it first (this test would purge it)");

    succeed("dpkg", &["-i", deb.to_str().unwrap()]);
    let files: Vec<PathBuf> = succeed("dpkg", &["-L", PACKAGE]).lines().map(PathBuf::from).collect();
    for expected in ["/usr/bin/hwc-school", CONFIG, "/etc/xdg/autostart/hwc-school-autostart.desktop"] {
        assert!(files.contains(&PathBuf::from(expected)), "{expected} not in the package: {files:?}");
    }
    let conffiles = succeed("dpkg-query", &["-W", "-f=${Conffiles}", PACKAGE]);
    assert!(conffiles.contains(CONFIG), "the config is a conffile: {conffiles}");
    let shipped = std::fs::read_to_string(CONFIG).unwrap();
    assert_eq!(hwc_client::MachineConfig::parse(&shipped), Ok(Default::default()), "shipped config: all comments");

    // A bad setting is refused by the installed app, and the shipped file stays as it was.
    let refused = as_root("/usr/bin/hwc-school", &["--installeer-config", "http://relay.example.nl", ""]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("https://"), "says what to fix");
    assert_eq!(std::fs::read_to_string(CONFIG).unwrap(), shipped);

    // IT writes the relay and the pinned office key; the installed app starts to its first screen.
    let root = tempfile::tempdir().unwrap();
    let (office, relay) = world::office_and_relay(root.path(), &[]).unwrap();
    let fingerprint = office.public_key().fingerprint();
    succeed("/usr/bin/hwc-school", &["--installeer-config", &relay.url(), &fingerprint]);
    let written = hwc_client::MachineConfig::parse(&std::fs::read_to_string(CONFIG).unwrap()).unwrap();
    assert_eq!(written.relay.as_deref(), Some(relay.url().trim_end_matches('/')));
    assert_eq!(written.office_key_fingerprint, Some(fingerprint));

    let home = root.path().join("home");
    let runtime = root.path().join("run");
    std::fs::create_dir_all(home.join("tmp")).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let mut command = Command::new("/usr/bin/hwc-school");
    in_home(&mut command, &home, &runtime);
    let app = AppProcess(command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    wait_for_screen("Aanmelden");
    terminate(app.pid(), SCREEN_WAIT);

    succeed("dpkg", &["--purge", PACKAGE]);
    assert!(!installed(), "purged");
    let left: Vec<&PathBuf> = files.iter().filter(|f| f.is_file()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(!Path::new("/etc/hwc-school").exists(), "the config folder is gone");
}
