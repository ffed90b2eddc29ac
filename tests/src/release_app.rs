//! The release build of the app, undriven, as a school runs it: a home of its own with the
//! standard directories, a director's device enrolled and verified where the app looks for its
//! vault, a real relay and leerplicht office, and a person's keyboard played through the X
//! server (xdotool). Screens are recognised by the window title the app sets per screen.

use crate::desktop::wait_for;
use crate::{world, RelayProcess};
use hwc_client::SchoolClient;
use hwc_protocol::Role;
use hwc_send::Office;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long a screen may take to appear.
pub const SCREEN_WAIT: Duration = Duration::from_secs(30);

/// `target/release/hwc-school`, built by `cargo xtask test`.
pub fn binary() -> PathBuf {
    let debug = crate::relay_process::relay_binary().expect("binaries are built");
    let target = debug.parent().and_then(Path::parent).expect("target directory");
    let app = target.join("release/hwc-school");
    assert!(app.is_file(), "{} is missing: `cargo xtask test` builds it", app.display());
    app
}

pub fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool").args(args).output().expect("xdotool (package xdotool)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Waits until the app's window shows the screen whose title contains `screen`; returns its id.
pub fn wait_for_screen(screen: &str) -> String {
    wait_for(&format!("the screen \"{screen}\""), SCREEN_WAIT, || {
        xdotool(&["search", "--name", &format!("^{screen} – HwC School$")]).lines().next().map(str::to_string)
    })
}

/// Plays keys into the app's window the way a person at the keyboard would.
pub fn keys(window: &str, keys: &[&str]) {
    xdotool(&["windowfocus", "--sync", window]);
    let mut args = vec!["key", "--delay", "60"];
    args.extend_from_slice(keys);
    xdotool(&args);
}

/// The PIN of the test world, digit by digit, then Enter.
pub fn type_pin(window: &str) {
    let mut pin: Vec<String> = world::PIN.chars().map(String::from).collect();
    pin.push("Return".into());
    keys(window, &pin.iter().map(String::as_str).collect::<Vec<_>>());
}

/// Runs `command` as a user whose home is `home` (with the standard directories under it, and
/// its temporary directory at `home/tmp`) and whose runtime directory is `runtime`.
pub fn in_home(command: &mut Command, home: &Path, runtime: &Path) {
    command
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_RUNTIME_DIR", runtime)
        .env("TMPDIR", home.join("tmp"));
}

/// A school computer for the release app: everything under `root`, removed when dropped.
pub struct SchoolComputer {
    pub root: tempfile::TempDir,
    pub office: Office,
    pub relay: RelayProcess,
    pub home: PathBuf,
    pub runtime: PathBuf,
}

impl SchoolComputer {
    /// Office, relay, and the director's device enrolled, verified and locked in the home's
    /// data directory (the keyring is the test session's).
    pub fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let (mut office, relay) = world::office_and_relay(root.path(), &[]).unwrap();
        let home = root.path().join("home");
        let runtime = root.path().join("run");
        for dir in [home.join(".local/share"), home.join("tmp"), runtime.clone()] {
            std::fs::create_dir_all(dir).unwrap();
        }
        #[cfg(unix)]
        std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        let school = world::World::school();
        let code = office.add_school_slot(school, Role::Director).unwrap();
        office.set_region(school, Some(hwc_send::Region::Eigen)).unwrap();
        let vault = home.join(".local/share/hwc-school");
        let mut director = SchoolClient::enroll(&vault, &relay.url(), &code.display(), world::PIN).unwrap();
        office.verify_device(school, director.device_id(), &director.safety_code().to_string()).unwrap();
        director.refresh_status().unwrap();
        Self { root, office, relay, home, runtime }
    }

    /// The release app with this computer's standard directories; the temp directory is
    /// inside the home, so a scan of the home covers it.
    pub fn app(&self) -> Command {
        let mut command = Command::new(binary());
        in_home(&mut command, &self.home, &self.runtime);
        command
    }
}

impl Default for SchoolComputer {
    fn default() -> Self {
        Self::new()
    }
}
