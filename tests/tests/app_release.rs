//! The release build of the app, undriven: an incognito web view, devtools off, and every
//! `HWC_SCHOOL_*` test switch ignored (this test sets them and checks they did nothing).
//! A person's keyboard is played through the X server (xdotool): PIN and Enter, Tab and Enter
//! to open the signal, Tab and Enter to hand it over. The screens are recognised by the
//! window title the app sets per screen. Leerplicht gets the receipt, and nothing the app
//! wrote (home, data, cache and runtime directories, its output) holds the name or the
//! birthdate, while the signal is on screen and after the app has ended.

use chrono::Utc;
use hwc_client::SchoolClient;
use hwc_protocol::{Role, Signal};
use hwc_send::{KeySource, Office, ReceiptReport};
use hwc_system_tests::desktop::{terminate, wait_for, AppProcess};
use hwc_system_tests::{scan_tree, world, Needles, RelayProcess};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const NAME: &str = "Mees Verhoeven-Ouali";
const BIRTHDATE: &str = "2014-06-21";
const WAIT: Duration = Duration::from_secs(30);

/// `target/release/hwc-school`, built by `cargo xtask test`.
fn release_app() -> PathBuf {
    let debug = hwc_system_tests::relay_process::relay_binary().expect("binaries are built");
    let target = debug.parent().and_then(Path::parent).expect("target directory");
    let app = target.join("release/hwc-school");
    assert!(app.is_file(), "{} is missing: `cargo xtask test` builds it", app.display());
    app
}

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool").args(args).output().expect("xdotool (package xdotool)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Waits until the app's window shows the screen whose title contains `screen`; returns its id.
fn wait_for_screen(screen: &str) -> String {
    wait_for(&format!("the screen \"{screen}\""), WAIT, || {
        xdotool(&["search", "--name", &format!("^{screen} – HwC School$")]).lines().next().map(str::to_string)
    })
}

/// Plays keys into the app's window the way a person at the keyboard would.
fn keys(window: &str, keys: &[&str]) {
    xdotool(&["windowfocus", "--sync", window]);
    let mut args = vec!["key", "--delay", "60"];
    args.extend_from_slice(keys);
    xdotool(&args);
}

fn scan_all(dirs: &[&Path], needles: &Needles) -> Vec<String> {
    dirs.iter()
        .flat_map(|dir| scan_tree(dir, needles).unwrap().findings)
        .map(|f| format!("{} ({})", f.file.display(), f.form))
        .collect()
}

#[test]
fn the_release_build_is_used_by_keyboard_alone_and_leaves_nothing_behind() {
    assert!(std::env::var_os("DISPLAY").is_some(), "no display: run this through `cargo xtask test`");
    let app_binary = release_app();
    let root = tempfile::tempdir().unwrap();
    let school = world::World::school();
    let mut office = Office::init(&root.path().join("leerplicht"), KeySource::Keyring, "http://127.0.0.1:9").unwrap();
    let relay = RelayProcess::start(&root.path().join("relay.db"), &[office.public_key()]).unwrap();
    office.use_relay(&relay.url()).unwrap();

    // The standard places a release build uses, inside a home of its own.
    let home = root.path().join("home");
    let data_home = home.join(".local/share");
    let runtime = root.path().join("run");
    std::fs::create_dir_all(&data_home).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    // Enrolled and verified where the app looks for its vault (the keyring is shared).
    let vault = data_home.join("hwc-school");
    let code = office.add_school_slot(school, Role::Director).unwrap();
    let mut director = SchoolClient::enroll(&vault, &relay.url(), &code.display(), world::PIN).unwrap();
    office.verify_device(school, director.device_id(), &director.safety_code().to_string()).unwrap();
    director.refresh_status().unwrap();
    drop(director);
    let ignored = root.path().join("test-switch-ignored");

    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap();
    let id = office.send_signal(school, &signal).unwrap();
    drop(signal);

    let log = std::fs::File::create(root.path().join("app.log")).unwrap();
    let tmp = home.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let app = AppProcess(
        Command::new(&app_binary)
            .arg("--venster")
            .env("HOME", &home)
            .env("XDG_DATA_HOME", &data_home)
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_RUNTIME_DIR", &runtime)
            // The temp directory inside the home, so that the byte scan of the home covers it.
            .env("TMPDIR", &tmp)
            .env("HWC_SCHOOL_DATA_DIR", &ignored)
            .env("HWC_SCHOOL_WEBVIEW_DIR", &ignored)
            .env("HWC_SCHOOL_E2E_DRIVEN", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    );

    let window = wait_for_screen("Vergrendeld");
    let mut pin: Vec<String> = world::PIN.chars().map(String::from).collect();
    pin.push("Return".into());
    keys(&window, &pin.iter().map(String::as_str).collect::<Vec<_>>());
    let window = wait_for_screen("Overzicht");
    keys(&window, &["Tab", "Return"]);
    let window = wait_for_screen("Signaal");
    let needles = Needles::for_child(NAME, BIRTHDATE);
    let on_screen = scan_all(&[&home, &runtime], &needles);
    assert!(on_screen.is_empty(), "while the signal is on screen: {on_screen:?}");
    keys(&window, &["Tab", "Return"]);
    wait_for_screen("Bevestigd");

    let receipts = office.fetch_receipts().unwrap();
    assert!(
        matches!(receipts.as_slice(), [ReceiptReport::Acknowledged { signal_id, role: Role::Director, .. }] if *signal_id == id),
        "{receipts:?}"
    );

    // Logging out ends the app; its runtime directory is wiped.
    terminate(app.pid(), WAIT);
    assert!(!runtime.join("hwc-school/webview").exists(), "the web view directory is wiped at exit");
    assert!(!ignored.exists(), "a release build ignores the test switches");
    let after = scan_all(&[root.path()], &needles);
    assert!(after.is_empty(), "after the app ended: {after:?}");
}
