//! The office's real window (HwC Leerplicht, `hwc-office`) in Xvfb, driven through WebDriver
//! (tauri-driver): the officer types a signal, checks what goes out and to which devices, and
//! sends it; the school's director (the school core, headless, through a real relay process)
//! opens and hands it over, and "Vandaag" changes to "doorgegeven" without a reload. Then a
//! "niet onze leerling" shows as a data breach to handle. A byte scan of every directory the
//! office, the relay and the device wrote finds no name or birthdate. Screenshots go to
//! `target/e2e-screens/office/`. `cargo xtask test` provides the display, the D-Bus session
//! with a keyring, and tauri-driver.

use hwc_protocol::{ReceiptKind, Role};
use hwc_system_tests::webdriver::{Session, TauriDriver};
use hwc_system_tests::world::{enroll_and_verify, office_and_relay, PIN};
use hwc_system_tests::{scan_tree, Needles};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const NAME: &str = "Zoë van 't Hooft-Çelik";
const BIRTHDATE: &str = "07-03-2016";
const OTHER_NAME: &str = "Milan Jansen";
const WAIT: Duration = Duration::from_secs(20);

fn office_binary() -> PathBuf {
    let relay = hwc_system_tests::relay_process::relay_binary().expect("binaries are built");
    relay.with_file_name("hwc-office")
}

fn screens() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screens/office")
}

/// Types a signal for 12AB into "Nieuw signaal" and checks it; returns the preview's text.
fn check_signal(app: &Session, name: &str) -> String {
    app.find("#tab-new").unwrap().click().unwrap();
    app.wait_for("#name", WAIT).unwrap().send_keys(name).unwrap();
    app.find("#birthdate").unwrap().send_keys(BIRTHDATE).unwrap();
    app.find("#school option[value='12AB']").unwrap().click().unwrap();
    app.find("#check").unwrap().click().unwrap();
    app.wait_for_text("#preview", "dit gaat er weg", WAIT).unwrap()
}

/// Waits until the page's text no longer holds `needle` (the name leaves the page on sending).
fn assert_gone_from_page(app: &Session, needle: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let script = "return document.documentElement.outerHTML + [...document.querySelectorAll('input')].map((i) => i.value).join('|')";
        let text = app.execute(script).unwrap();
        if !text.as_str().unwrap_or_default().contains(needle) {
            return;
        }
        assert!(Instant::now() < deadline, "the name stays in the page after sending");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_officer_sends_from_the_window_and_sees_the_handover_arrive() {
    assert!(std::env::var_os("DISPLAY").is_some(), "no display: run the window tests through `cargo xtask test`");
    let root = tempfile::tempdir().unwrap();
    let (mut office, relay) = office_and_relay(root.path(), &[]).unwrap();
    let school = "12AB".parse().unwrap();
    let mut director = enroll_and_verify(&mut office, &relay.url(), school, Role::Director, root.path()).unwrap();
    office.set_phone(school, Some(&"030 123 45 67".parse().unwrap())).unwrap();
    // The window uses the stored relay address.
    office.set_relay(&relay.url()).unwrap();
    drop(office);
    std::fs::create_dir_all(screens()).unwrap();
    let state = root.path().join("leerplicht");
    let webview = root.path().join("office-webview");
    let driver = TauriDriver::start(
        &[
            ("HWC_SEND_STATE", state.as_path()),
            ("HWC_OFFICE_WEBVIEW_DIR", webview.as_path()),
            ("HWC_OFFICE_E2E_DRIVEN", Path::new("1")),
        ],
        &screens().join("tauri-driver-office.log"),
    )
    .unwrap();
    let app = Session::start_with_args(&driver, &office_binary(), &[]).unwrap();
    app.wait_for_text("main h2", "Vandaag", WAIT).unwrap();
    app.wait_for_text("#today-table", "Er staan geen signalen open", WAIT).unwrap();
    app.screenshot(&screens().join("01-vandaag-leeg.png")).unwrap();

    // A birthdate that does not exist is refused with the protocol's words, at its field.
    app.find("#tab-new").unwrap().click().unwrap();
    app.wait_for("#name", WAIT).unwrap().send_keys(NAME).unwrap();
    app.find("#birthdate").unwrap().send_keys("31-02-2016").unwrap();
    app.find("#school option[value='12AB']").unwrap().click().unwrap();
    app.find("#check").unwrap().click().unwrap();
    app.wait_for_text("#message", "eboortedatum", WAIT).unwrap();
    assert_eq!(app.find("#birthdate").unwrap().attribute("aria-invalid").unwrap().as_deref(), Some("true"));
    app.screenshot(&screens().join("02-nieuw-signaal-fout.png")).unwrap();

    // Checked: what goes out, to which device, and when the school reads it.
    let preview = check_signal(&app, NAME);
    assert!(preview.contains("Handle with Care") && preview.contains(NAME) && preview.contains(BIRTHDATE), "{preview}");
    assert!(
        preview.contains("school 12AB") && preview.contains(&format!("directeur (apparaat {})", director.device_id())),
        "{preview}"
    );
    assert!(preview.contains("De school kan het signaal lezen tot en met"), "{preview}");
    app.screenshot(&screens().join("03-controleren.png")).unwrap();
    app.find("#send").unwrap().click().unwrap();
    let sent = app.wait_for_text("#sent", "Verstuurd naar school 12AB", WAIT).unwrap();
    assert_gone_from_page(&app, "Hooft");
    let row = app.wait_for_text("#today-table", "verzonden", WAIT).unwrap();
    app.screenshot(&screens().join("04-vandaag-verzonden.png")).unwrap();

    // The director opens and hands it over; the office's window follows without a reload.
    let fetched = director.fetch(5).unwrap();
    assert_eq!(fetched.new_signals.len(), 1);
    let id = fetched.new_signals[0];
    assert!(sent.contains(&id.to_string()) && row.contains(&id.to_string()), "{sent} / {row}");
    director.unlock(PIN).unwrap();
    director.acknowledge(&id, ReceiptKind::HandedOver).unwrap();
    let handed = app.wait_for_text("#today-table", "doorgegeven", Duration::from_secs(30)).unwrap();
    assert!(handed.contains("door de directeur"), "{handed}");
    app.screenshot(&screens().join("05-vandaag-doorgegeven.png")).unwrap();

    // A signal at the wrong school: "niet onze leerling" shows as a data breach, with the steps.
    check_signal(&app, OTHER_NAME);
    app.find("#send").unwrap().click().unwrap();
    app.wait_for_text("#sent", "Verstuurd naar school 12AB", WAIT).unwrap();
    let wrong = director.fetch(5).unwrap().new_signals[0];
    director.acknowledge(&wrong, ReceiptKind::NotOurPupil).unwrap();
    app.wait_for_text("#today-table", "niet onze leerling", Duration::from_secs(30)).unwrap();
    let breach = app.wait_for_text(".notice", "datalekregister", WAIT).unwrap();
    assert!(breach.contains(&wrong.to_string()) && breach.contains("72 uur"), "{breach}");
    app.screenshot(&screens().join("06-datalek.png")).unwrap();
    app.end().unwrap();
    drop(driver);
    drop(relay);

    // Nothing of either child anywhere the office, the relay or the device wrote.
    for name in [NAME, OTHER_NAME] {
        let report = scan_tree(root.path(), &Needles::for_child(name, "2016-03-07")).unwrap();
        assert!(report.findings.is_empty(), "{:?}", report.findings);
    }
}
