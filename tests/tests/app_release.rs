//! The release build of the app, undriven: an incognito web view, devtools off, and every
//! `HWC_SCHOOL_*` test switch ignored (this test sets them and checks they did nothing).
//! A person's keyboard is played through the X server (xdotool): PIN and Enter, Tab and Enter
//! to open the signal, Tab and Enter to hand it over. The screens are recognised by the
//! window title the app sets per screen. Leerplicht gets the receipt, and nothing the app
//! wrote (home, data, cache and runtime directories, its output) holds the name or the
//! birthdate, while the signal is on screen and after the app has ended.

use chrono::Utc;
use hwc_protocol::{Role, Signal};
use hwc_send::ReceiptReport;
use hwc_system_tests::desktop::{terminate, AppProcess};
use hwc_system_tests::release_app::{keys, type_pin, wait_for_screen, SchoolComputer, SCREEN_WAIT};
use hwc_system_tests::{scan_tree, world, Needles};
use std::path::Path;
use std::process::Stdio;

const NAME: &str = "Mees Verhoeven-Ouali";
const BIRTHDATE: &str = "2014-06-21";

fn scan_all(dirs: &[&Path], needles: &Needles) -> Vec<String> {
    dirs.iter()
        .flat_map(|dir| scan_tree(dir, needles).unwrap().findings)
        .map(|f| format!("{} ({})", f.file.display(), f.form))
        .collect()
}

#[test]
fn the_release_build_is_used_by_keyboard_alone_and_leaves_nothing_behind() {
    assert!(std::env::var_os("DISPLAY").is_some(), "no display: run this through `cargo xtask test`");
    let mut computer = SchoolComputer::new();
    let ignored = computer.root.path().join("test-switch-ignored");
    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap();
    let id = computer.office.send_signal(world::World::school(), &signal).unwrap();
    drop(signal);

    let log = std::fs::File::create(computer.root.path().join("app.log")).unwrap();
    let app = AppProcess(
        computer
            .app()
            .arg("--venster")
            .env("HWC_SCHOOL_DATA_DIR", &ignored)
            .env("HWC_SCHOOL_WEBVIEW_DIR", &ignored)
            .env("HWC_SCHOOL_E2E_DRIVEN", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let (home, runtime) = (computer.home.clone(), computer.runtime.clone());

    let window = wait_for_screen("Vergrendeld");
    type_pin(&window);
    let window = wait_for_screen("Overzicht");
    keys(&window, &["Tab", "Return"]);
    let window = wait_for_screen("Signaal");
    let needles = Needles::for_child(NAME, BIRTHDATE);
    let on_screen = scan_all(&[&home, &runtime], &needles);
    assert!(on_screen.is_empty(), "while the signal is on screen: {on_screen:?}");
    keys(&window, &["Tab", "Return"]);
    wait_for_screen("Bevestigd");

    let receipts = computer.office.fetch_receipts().unwrap();
    assert!(
        matches!(receipts.as_slice(), [ReceiptReport::Acknowledged { signal_id, role: Role::Director, .. }] if *signal_id == id),
        "{receipts:?}"
    );

    // Logging out ends the app; its runtime directory is wiped.
    terminate(app.pid(), SCREEN_WAIT);
    assert!(!runtime.join("hwc-school/webview").exists(), "the web view directory is wiped at exit");
    assert!(!ignored.exists(), "a release build ignores the test switches");
    let after = scan_all(&[computer.root.path()], &needles);
    assert!(after.is_empty(), "after the app ended: {after:?}");
}
