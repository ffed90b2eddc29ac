//! The real app in a real window (Xvfb), driven through WebDriver (tauri-driver with
//! WebKitWebDriver): enrollment checked by leerplicht's tool by safety code, a signal sent by
//! leerplicht, a wrong PIN and then the right one, opening the signal, "Doorgegeven aan de
//! leerkracht", leerplicht seeing the receipt, the backup's copy gone, and a byte scan of every
//! directory the app wrote to. Screenshots of each screen go to `target/e2e-screens/`.
//! `cargo xtask test` provides the display, the D-Bus session with a keyring, and tauri-driver.

use chrono::Utc;
use hwc_client::SchoolClient;
use hwc_protocol::{Role, Signal};
use hwc_send::{KeySource, Office, ReceiptReport};
use hwc_system_tests::webdriver::{Session, TauriDriver};
use hwc_system_tests::{scan_tree, Needles, RelayProcess};
use std::path::{Path, PathBuf};
use std::time::Duration;

const NAME: &str = "Şeyma Öztürk";
const BIRTHDATE: &str = "2017-05-09";
const PIN: &str = "246810";
const WAIT: Duration = Duration::from_secs(20);

fn app_binary() -> PathBuf {
    let relay = hwc_system_tests::relay_process::relay_binary().expect("binaries are built");
    relay.with_file_name("hwc-school")
}

fn screens() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screens")
}

#[test]
fn director_enrolls_unlocks_opens_and_hands_over_in_the_real_window() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no display: run the window tests through `cargo xtask test`, which starts Xvfb"
    );
    let root = tempfile::tempdir().unwrap();
    let school = "12AB".parse().unwrap();
    let mut office = Office::init(&root.path().join("leerplicht"), KeySource::Keyring, "http://127.0.0.1:9").unwrap();
    let relay = RelayProcess::start(&root.path().join("relay.db"), &[office.public_key()]).unwrap();
    office.use_relay(&relay.url()).unwrap();

    // The backup runs headless; the director uses the real window.
    let backup_code = office.add_school_slot(school, Role::Backup).unwrap();
    let mut backup =
        SchoolClient::enroll(&root.path().join("backup"), &relay.url(), &backup_code.display(), "135790").unwrap();
    office.verify_device(school, backup.device_id(), &backup.safety_code().to_string()).unwrap();
    backup.refresh_status().unwrap();
    let director_code = office.add_school_slot(school, Role::Director).unwrap();

    // The machine-wide configuration school IT deploys: relay address and pinned office key.
    let config = root.path().join("config.toml");
    std::fs::write(
        &config,
        format!("relay = \"{}\"\noffice_key_fingerprint = \"{}\"\n", relay.url(), office.public_key().fingerprint()),
    )
    .unwrap();
    let data_dir = root.path().join("app-data");
    let webview_dir = root.path().join("app-webview");
    std::fs::create_dir_all(screens()).unwrap();
    let driver = TauriDriver::start(
        &[
            ("HWC_SCHOOL_DATA_DIR", data_dir.as_path()),
            ("HWC_SCHOOL_WEBVIEW_DIR", webview_dir.as_path()),
            ("HWC_SCHOOL_CONFIG", config.as_path()),
            ("HWC_SCHOOL_E2E_DRIVEN", Path::new("1")),
        ],
        &screens().join("tauri-driver.log"),
    )
    .unwrap();
    let app = Session::start(&driver, &app_binary()).unwrap();
    let shots = screens();
    std::fs::create_dir_all(&shots).unwrap();

    // Enrollment.
    let relay_field = app.wait_for("#relay", WAIT).unwrap();
    assert_eq!(relay_field.property("value").unwrap(), relay.url(), "relay address from the machine config");
    assert!(relay_field.attribute("readonly").unwrap().is_some(), "a relay set by IT cannot be changed");
    app.screenshot(&shots.join("01-aanmelden.png")).unwrap();
    app.find("#code").unwrap().send_keys(&director_code.display()).unwrap();
    app.find("#pin").unwrap().send_keys(PIN).unwrap();
    app.find("#pin-again").unwrap().send_keys(PIN).unwrap();
    app.find("button[type=submit]").unwrap().click().unwrap();
    let shown_code = app.wait_for(".safety-code", WAIT).unwrap().text().unwrap();
    app.screenshot(&shots.join("02-veiligheidscode.png")).unwrap();

    // Leerplicht compares the code read out by phone and verifies the device.
    let pending = office.pending_devices(school).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(office.safety_code_for(&pending[0]).to_string(), shown_code);
    office.verify_device(school, pending[0].device_id, &shown_code).unwrap();
    app.wait_for("#unlock-pin", WAIT).unwrap();
    app.screenshot(&shots.join("03-vergrendeld.png")).unwrap();

    // A signal arrives while locked.
    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap();
    let id = office.send_signal(school, &signal).unwrap();
    drop(signal);
    app.wait_for_text("#status-line", "1 nieuw signaal", WAIT).unwrap();
    assert_eq!(backup.fetch(5).unwrap().new_signals, vec![id]);

    // A wrong PIN is refused; the right one opens the inbox.
    app.find("#unlock-pin").unwrap().send_keys("000000").unwrap();
    app.find("button[type=submit]").unwrap().click().unwrap();
    let refusal = app.wait_for_text("#message", "onjuist", WAIT).unwrap();
    assert!(refusal.to_lowercase().contains("pincode"), "{refusal}");
    app.find("#unlock-pin").expect("still locked after a wrong PIN");
    assert!(app.find(".signals").is_err(), "no inbox after a wrong PIN");
    app.screenshot(&shots.join("04-verkeerde-pincode.png")).unwrap();
    app.find("#unlock-pin").unwrap().send_keys(PIN).unwrap();
    app.find("button[type=submit]").unwrap().click().unwrap();
    app.wait_for_text("main h2", "1 nieuw signaal", WAIT).unwrap();
    app.screenshot(&shots.join("05-overzicht.png")).unwrap();

    // Open, check, hand over.
    app.wait_for(".signals button", WAIT).unwrap().click().unwrap();
    assert_eq!(app.wait_for(".child-name", WAIT).unwrap().text().unwrap(), NAME);
    assert!(app.find(".child-birthdate").unwrap().text().unwrap().contains("9 mei 2017"));
    assert_eq!(app.find(".codeword").unwrap().text().unwrap(), "Handle with Care");
    app.screenshot(&shots.join("06-signaal.png")).unwrap();
    // While the name is on screen, nothing the webview keeps on disk holds it.
    let needles = Needles::for_child(NAME, BIRTHDATE);
    let live = scan_tree(&webview_dir, &needles).unwrap();
    assert!(live.findings.is_empty(), "webview data while open: {:?}", live.findings);
    app.find(".signal button.primary").unwrap().click().unwrap();
    app.wait_for_text(".done", "Bevestiging verstuurd naar leerplicht", WAIT).unwrap();
    assert!(app.find(".child-name").is_err(), "the signal's text is gone from the page");
    std::thread::sleep(Duration::from_secs(3));
    assert!(app.find(".done").is_ok(), "the confirmation stays until the person goes back");
    app.screenshot(&shots.join("07-bevestigd.png")).unwrap();

    // Leerplicht has the receipt; the backup's copy is gone.
    let reports = office.fetch_receipts().unwrap();
    assert!(
        matches!(reports.as_slice(), [ReceiptReport::Acknowledged { signal_id, role: Role::Director, .. }] if *signal_id == id),
        "{reports:?}"
    );
    let later = backup.fetch(5).unwrap();
    assert!(later.handled_by_colleague.iter().any(|h| h.signal_id == id), "{later:?}");
    assert!(backup.pending().unwrap().is_empty());

    app.end().unwrap();
    drop(driver);

    // Nothing of the child in any directory the app, the backup, leerplicht or the relay wrote.
    for dir in [root.path().to_path_buf(), xdg_dir("XDG_CACHE_HOME"), xdg_dir("XDG_DATA_HOME"), screens()] {
        let report = scan_tree(&dir, &needles).unwrap();
        assert!(report.findings.is_empty(), "found in {}: {:?}", dir.display(), report.findings);
    }
}

/// A directory of the test session (the keyring wrapper points these into a temporary folder).
fn xdg_dir(var: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(std::env::temp_dir)
}
