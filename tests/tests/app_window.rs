//! The real app in a real window (Xvfb), driven through WebDriver (tauri-driver with
//! WebKitWebDriver): enrollment checked by leerplicht's tool by safety code, a signal sent by
//! leerplicht, a wrong PIN and then the right one, opening the signal, "Doorgegeven aan de
//! leerkracht", leerplicht seeing the receipt, the backup's copy gone, and a byte scan of every
//! directory the app wrote to. Then the settings (a study day told to leerplicht, a new PIN,
//! enrolling again), the lock
//! screen's warning before the last wrong PINs, and its message when the relay (whose PIN guard
//! takes part in every PIN check) cannot be reached. Screenshots of each screen go to
//! `target/e2e-screens/`. `cargo xtask test` provides the display, the D-Bus session with a
//! keyring, and tauri-driver. The tests take turns: one window on the display at a time.

use chrono::Utc;
use hwc_client::pin::delay_after;
use hwc_client::SchoolClient;
use hwc_protocol::{Brin, Role, Sector, SenderName, Signal};
use hwc_send::{Office, ReceiptReport};
use hwc_system_tests::webdriver::{Session, TauriDriver};
use hwc_system_tests::{scan_tree, Needles, RelayProcess};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

const NAME: &str = "Şeyma Öztürk";
const BIRTHDATE: &str = "2017-05-09";
const PIN: &str = "246810";
const NEW_PIN: &str = "97531864";
const WRONG_PIN: &str = "000000";
const WAIT: Duration = Duration::from_secs(20);

/// Held by each window test: a second window on the same display would take the focus, and a
/// window that loses the focus hides an open signal.
static ONE_WINDOW: Mutex<()> = Mutex::new(());

fn app_binary() -> PathBuf {
    let relay = hwc_system_tests::relay_process::relay_binary().expect("binaries are built");
    relay.with_file_name("hwc-school")
}

fn screens() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screens")
}

/// Leerplicht's office, a relay process and the machine-wide configuration of one school's
/// app, in a temporary directory, for one window test. Fields drop in this order: the relay
/// stops before its directory goes, and the next test's window waits until the very end.
struct Stage {
    office: Office,
    relay: RelayProcess,
    school: Brin,
    config: PathBuf,
    data_dir: PathBuf,
    webview_dir: PathBuf,
    root: tempfile::TempDir,
    _one_window: MutexGuard<'static, ()>,
}

impl Stage {
    fn new() -> Stage {
        let one_window = ONE_WINDOW.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no display: run the window tests through `cargo xtask test`, which starts Xvfb"
        );
        let root = tempfile::tempdir().unwrap();
        let (office, relay) = hwc_system_tests::world::office_and_relay(root.path(), &[]).unwrap();
        // The machine-wide configuration school IT deploys: relay address and pinned office key.
        let config = root.path().join("config.toml");
        let fingerprint = office.public_key().fingerprint();
        std::fs::write(&config, format!("relay = \"{}\"\noffice_key_fingerprint = \"{fingerprint}\"\n", relay.url()))
            .unwrap();
        std::fs::create_dir_all(screens()).unwrap();
        Stage {
            office,
            relay,
            school: "12AB".parse().unwrap(),
            config,
            data_dir: root.path().join("app-data"),
            webview_dir: root.path().join("app-webview"),
            root,
            _one_window: one_window,
        }
    }

    /// Starts tauri-driver, which starts the app in its window; `log` names the driver's log.
    fn launch(&self, log: &str) -> (TauriDriver, Session) {
        let driver = TauriDriver::start(
            &[
                ("HWC_SCHOOL_DATA_DIR", self.data_dir.as_path()),
                ("HWC_SCHOOL_WEBVIEW_DIR", self.webview_dir.as_path()),
                ("HWC_SCHOOL_CONFIG", self.config.as_path()),
                ("HWC_SCHOOL_E2E_DRIVEN", Path::new("1")),
            ],
            &screens().join(log),
        )
        .unwrap();
        let app = Session::start(&driver, &app_binary()).unwrap();
        (driver, app)
    }

    /// Enrolls the director's device in the window with [`PIN`], has leerplicht verify the
    /// safety code shown, and waits for the lock screen.
    fn enroll_director(&mut self, app: &Session) {
        let code = self.office.add_school_slot(self.school, Role::Director).unwrap();
        self.office.set_region(self.school, Some(hwc_send::Region::Eigen)).unwrap();
        app.wait_for("#code", WAIT).unwrap().send_keys(&code.display()).unwrap();
        app.find("#pin").unwrap().send_keys(PIN).unwrap();
        app.find("#pin-again").unwrap().send_keys(PIN).unwrap();
        app.find("button[type=submit]").unwrap().click().unwrap();
        let shown_code = app.wait_for(".safety-code", WAIT).unwrap().text().unwrap();
        let pending = self.office.pending_devices(self.school).unwrap();
        self.office.verify_device(self.school, pending[0].device_id, &shown_code).unwrap();
        app.wait_for("#unlock-pin", WAIT).unwrap();
    }
}

#[test]
fn director_enrolls_unlocks_opens_and_hands_over_in_the_real_window() {
    let mut stage = Stage::new();
    let school = stage.school;

    // The backup runs headless; the director uses the real window.
    let backup_code = stage.office.add_school_slot(school, Role::Backup).unwrap();
    stage.office.set_region(school, Some(hwc_send::Region::Eigen)).unwrap();
    let backup_dir = stage.root.path().join("backup");
    let mut backup = SchoolClient::enroll(&backup_dir, &stage.relay.url(), &backup_code.display(), "135790").unwrap();
    stage.office.verify_device(school, backup.device_id(), &backup.safety_code().to_string()).unwrap();
    backup.refresh_status().unwrap();
    let director_code = stage.office.add_school_slot(school, Role::Director).unwrap();

    let (driver, app) = stage.launch("tauri-driver.log");
    let Stage { ref mut office, ref relay, ref webview_dir, ref root, .. } = stage;
    let shots = screens();

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
    app.find("#unlock-pin").unwrap().send_keys(WRONG_PIN).unwrap();
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
    let live = scan_tree(webview_dir, &needles).unwrap();
    assert!(live.findings.is_empty(), "webview data while open: {:?}", live.findings);
    // Locking the desktop session (the screen saver's signal on the session bus) takes the
    // signal off the screen and locks the app; the PIN opens it again.
    let screen_saver = std::process::Command::new("dbus-send")
        .args(["--session", "--type=signal", "/org/freedesktop/ScreenSaver"])
        .args(["org.freedesktop.ScreenSaver.ActiveChanged", "boolean:true"])
        .status()
        .unwrap();
    assert!(screen_saver.success());
    app.wait_for("#unlock-pin", WAIT).unwrap();
    assert!(app.find(".child-name").is_err(), "the signal is off the screen once the session locks");
    app.find("#unlock-pin").unwrap().send_keys(PIN).unwrap();
    app.find("button[type=submit]").unwrap().click().unwrap();
    app.wait_for(".signals button", WAIT).unwrap().click().unwrap();
    assert_eq!(app.wait_for(".child-name", WAIT).unwrap().text().unwrap(), NAME);
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

#[test]
fn director_changes_pin_in_settings_and_reenrolls() {
    let mut stage = Stage::new();
    let (driver, app) = stage.launch("tauri-driver-instellingen.log");
    stage.enroll_director(&app);
    unlock(&app, PIN);
    let shots = screens();

    // The settings screen stays while the app keeps redrawing about once a second.
    app.find("#settings").unwrap().click().unwrap();
    app.wait_for_text("main h2", "Instellingen", WAIT).unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    assert!(app.find("#settings-title").is_ok(), "the settings are not drawn over");
    app.screenshot(&shots.join("08-instellingen.png")).unwrap();

    // A study day, told from the settings: a date that does not exist is refused at the field;
    // a real one reaches leerplicht's planning through the relay, signed by this device.
    app.find("#school-days").unwrap().click().unwrap();
    app.wait_for_text("main h2", "Studiedag doorgeven", WAIT).unwrap();
    let field = app.wait_for("#study-days", WAIT).unwrap();
    field.send_keys("31-02-2027").unwrap();
    app.find("form button[type=submit]").unwrap().click().unwrap();
    app.wait_for_text("#message", "dd-mm-jjjj", WAIT).unwrap();
    assert_eq!(app.find("#study-days").unwrap().attribute("aria-invalid").unwrap().as_deref(), Some("true"));
    let study_day = hwc_protocol::expiry::amsterdam_date(Utc::now()) + chrono::Days::new(30);
    let field = app.find("#study-days").unwrap();
    field.clear().unwrap();
    field.send_keys(&study_day.format("%d-%m-%Y").to_string()).unwrap();
    app.find("form button[type=submit]").unwrap().click().unwrap();
    let told = app.wait_for_text("#days-reported", "Doorgegeven aan leerplicht", WAIT).unwrap();
    assert!(told.ends_with(&format!("dicht op {}.", hwc_calendar::spoken_date(study_day))), "{told}");
    assert_eq!(app.find("#study-days").unwrap().property("value").unwrap(), "");
    app.screenshot(&shots.join("13-studiedag-doorgegeven.png")).unwrap();
    let reports = stage.office.fetch_receipts().unwrap();
    assert!(
        matches!(&reports[..], [ReceiptReport::SchoolDays { closed, .. }] if closed == &[study_day]),
        "{reports:?}"
    );
    assert!(stage.office.calendar(stage.school).unwrap().closed.contains(&study_day));
    app.find("#days-back").unwrap().click().unwrap();
    app.wait_for_text("main h2", "Instellingen", WAIT).unwrap();

    // Two different new PINs are refused without counting a try; then the change succeeds.
    app.find("#change-pin").unwrap().click().unwrap();
    fill_pin_change(&app, PIN, NEW_PIN, "97531865");
    app.wait_for_text("#message", "niet gelijk", WAIT).unwrap();
    assert_pin_fields_empty(&app);
    fill_pin_change(&app, PIN, NEW_PIN, NEW_PIN);
    app.wait_for_text("#pin-changed", "Uw pincode is gewijzigd.", WAIT).unwrap();
    assert_pin_fields_empty(&app);
    assert_eq!(app.find("#message").unwrap().text().unwrap(), "");
    app.screenshot(&shots.join("09-pincode-gewijzigd.png")).unwrap();

    // Locked again: the old PIN is refused, the new one unlocks.
    app.find("#pin-back").unwrap().click().unwrap();
    app.wait_for("#settings-back", WAIT).unwrap().click().unwrap();
    app.wait_for("#lock", WAIT).unwrap().click().unwrap();
    let refusal = refused_pin(&app, PIN);
    assert!(refusal.contains("onjuist"), "{refusal}");

    // Every PIN check goes through the relay's PIN guard: without the relay the lock screen
    // says so in plain words (the try is not counted: hwc-client's tests/pin.rs). With the relay
    // back, the PIN unlocks.
    stage.relay.kill();
    let offline = refused_pin(&app, NEW_PIN);
    assert!(offline.starts_with("Geen verbinding met de relay: zonder de relay kan de pincode"), "{offline}");
    app.screenshot(&shots.join("12-pincode-zonder-verbinding.png")).unwrap();
    stage.relay.restart().unwrap();
    unlock(&app, NEW_PIN);

    // Enrolling again asks once and for the PIN: a wrong one wipes nothing; the right one wipes
    // everything (leerplicht hears it through the relay) and shows the enrollment screen.
    app.find("#settings").unwrap().click().unwrap();
    app.wait_for("#reenroll", WAIT).unwrap().click().unwrap();
    app.wait_for_text("#reenroll-confirm", "Weet u het zeker?", WAIT).unwrap();
    assert!(SchoolClient::is_enrolled(&stage.data_dir), "nothing is wiped before the confirmation");
    app.find("#reenroll-pin").unwrap().send_keys(PIN).unwrap();
    app.find("#reenroll-yes").unwrap().click().unwrap();
    app.wait_for_text("#message", "onjuist", WAIT).unwrap();
    assert!(SchoolClient::is_enrolled(&stage.data_dir), "a wrong PIN wipes nothing");
    app.find("#reenroll-pin").unwrap().send_keys(NEW_PIN).unwrap();
    app.find("#reenroll-yes").unwrap().click().unwrap();
    app.wait_for("#code", WAIT).unwrap();
    assert!(!SchoolClient::is_enrolled(&stage.data_dir), "the enrolled device is gone");
    assert_eq!(app.find("#message").unwrap().text().unwrap(), "");

    app.end().unwrap();
    drop(driver);
}

#[test]
fn lock_screen_warns_before_the_last_wrong_pins() {
    let mut stage = Stage::new();
    let (driver, app) = stage.launch("tauri-driver-pincode.log");
    stage.enroll_director(&app);

    // No PIN is checked until 2, 4 and 8 seconds after the 4th, 5th and 6th wrong one: about
    // 15 seconds for seven.
    let started = Instant::now();
    let mut refusal = String::new();
    for wrong in 1..=7 {
        assert!(app.find("#pin-warning").is_err(), "no warning after {} wrong PINs", wrong - 1);
        std::thread::sleep(Duration::from_secs(delay_after(wrong - 1)));
        refusal = refused_pin_counted(&app);
    }
    eprintln!("seven wrong PINs took {:?}", started.elapsed());
    assert!(refusal.contains("nog 3 pogingen, daarna wordt dit apparaat gewist"), "{refusal}");
    let warning = app.find("#pin-warning").unwrap().text().unwrap();
    assert!(warning.contains("nog 3"), "{warning}");
    let field = app.find("#unlock-pin").unwrap();
    assert_eq!(field.attribute("aria-describedby").unwrap().as_deref(), Some("pin-warning"));
    app.screenshot(&screens().join("10-pincode-waarschuwing.png")).unwrap();

    // The count is kept in the vault: after a restart the warning is there before any try.
    app.end().unwrap();
    let app = Session::start(&driver, &app_binary()).unwrap();
    let warning = app.wait_for_text("#pin-warning", "nog 3", WAIT).unwrap();
    assert!(warning.contains("daarna wordt dit apparaat gewist"), "{warning}");
    assert_eq!(app.find("#message").unwrap().text().unwrap(), "");

    app.end().unwrap();
    drop(driver);
}

/// Keyboard only, with the focus contract documented at the top of `ui/app.js`: every field
/// has a label, the PIN field has the focus on the lock screen and Enter submits it, a wrong
/// PIN marks the field invalid, the inbox's heading has the focus and Tab reaches the first
/// signal, the signal's codeword has the focus and Tab reaches "Doorgegeven aan de
/// leerkracht", and the done screen's heading has the focus. Then the office names itself and
/// the school's sector: the next signal brings the profile along, and the screens say whom to
/// tell in a secondary school and who sends.
#[test]
fn keyboard_alone_unlocks_opens_and_hands_over_with_focus_where_promised() {
    const TAB: &str = "\u{E004}";
    const ENTER: &str = "\u{E007}";
    let mut stage = Stage::new();
    let (driver, app) = stage.launch("tauri-driver-toetsenbord.log");
    app.wait_for("#code", WAIT).unwrap();
    for id in ["relay", "code", "pin", "pin-again"] {
        app.find(&format!("label[for={id}]")).unwrap_or_else(|_| panic!("#{id} has a label"));
    }
    assert!(app.find("input:not([id])").is_err(), "every field has an id its label points at");
    stage.enroll_director(&app);
    app.wait_for("#unlock-pin:focus", WAIT).expect("the lock screen puts the focus in the PIN field");
    the_page_cannot_leave_the_bundle(&app);

    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap();
    stage.office.send_signal(stage.school, &signal).unwrap();
    drop(signal);
    app.wait_for_text("#status-line", "1 nieuw signaal", WAIT).unwrap();

    // A wrong PIN and Enter: still locked, the new field has the focus and is marked invalid.
    app.find("#unlock-pin:focus").unwrap().send_keys(&format!("{WRONG_PIN}{ENTER}")).unwrap();
    app.wait_for_text("#message", "onjuist", WAIT).unwrap();
    app.wait_for("#unlock-pin[aria-invalid=true]:focus", WAIT).expect("the refused PIN field is marked and focused");

    // The right PIN and Enter: the inbox, its heading focused; Tab reaches the first signal.
    app.find("#unlock-pin:focus").unwrap().send_keys(&format!("{PIN}{ENTER}")).unwrap();
    let heading = app.wait_for("main h2:focus", WAIT).expect("the inbox's heading has the focus");
    assert_eq!(heading.text().unwrap(), "1 nieuw signaal");
    heading.send_keys(TAB).unwrap();
    let open = app.wait_for(".signals button:focus", WAIT).expect("Tab goes from the heading to the first signal");
    app.screenshot(&screens().join("11-toetsenbord-overzicht.png")).unwrap();
    open.send_keys(ENTER).unwrap();

    // The signal: the codeword focused; Tab reaches "Doorgegeven aan de leerkracht"; Enter.
    let codeword = app.wait_for(".codeword:focus", WAIT).expect("the signal's codeword has the focus");
    assert_eq!(app.find(".child-name").unwrap().text().unwrap(), NAME);
    codeword.send_keys(TAB).unwrap();
    let hand_over = app.wait_for(".signal button.primary:focus", WAIT).expect("Tab goes to the hand-over button");
    assert_eq!(hand_over.text().unwrap(), "Doorgegeven aan de leerkracht");
    hand_over.send_keys(ENTER).unwrap();
    app.wait_for_text(".done", "Bevestiging verstuurd naar leerplicht", WAIT).unwrap();
    assert_eq!(app.find("main h2:focus").expect("the done screen's heading has the focus").text().unwrap(), "Klaar");
    assert!(app.find(".child-name").is_err(), "the signal's text is gone from the page");

    // The office sets its name and the school's sector; the next signal brings them along.
    let sender = SenderName::parse("Veilig Thuis Gooi en Vechtstreek").unwrap();
    stage.office.set_sender_name(Some(&sender)).unwrap();
    stage.office.set_sector(stage.school, Some(Sector::Vo)).unwrap();
    stage.office.publish_profile(stage.school, Utc::now()).unwrap();
    app.find("#done-back:focus").or_else(|_| app.find("#done-back")).unwrap().send_keys(ENTER).unwrap();
    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap();
    stage.office.send_signal(stage.school, &signal).unwrap();
    drop(signal);
    let open = app.wait_for(".signals button", WAIT).unwrap();
    open.send_keys(ENTER).unwrap();
    let codeword = app.wait_for(".codeword:focus", WAIT).expect("the signal's codeword has the focus");
    let instructions = app.find(".instructions").unwrap().text().unwrap();
    assert!(instructions.contains("Vertel het vandaag mondeling aan de mentor."), "{instructions}");
    codeword.send_keys(TAB).unwrap();
    let hand_over = app.wait_for(".signal button.primary:focus", WAIT).expect("Tab goes to the hand-over button");
    assert_eq!(hand_over.text().unwrap(), "Doorgegeven aan de mentor");
    app.screenshot(&screens().join("12-profiel-voortgezet-onderwijs.png")).unwrap();
    hand_over.send_keys(ENTER).unwrap();
    app.wait_for_text(".done", "Bevestiging verstuurd naar Veilig Thuis Gooi en Vechtstreek", WAIT).unwrap();

    app.end().unwrap();
    drop(driver);
}

/// A script that tries to leave the bundled page (a new address, a new window, a link with a
/// target) changes nothing: the window refuses every page that is not one of the app's own.
fn the_page_cannot_leave_the_bundle(app: &Session) {
    let own = app.url().unwrap();
    assert!(own == "tauri://localhost" || own.starts_with("tauri://localhost/"), "the app shows its own page: {own}");
    let opened = app
        .execute(
            "const w = window.open('https://example.org/', '_blank'); \
             const a = document.createElement('a'); a.href = 'https://example.org/a'; a.target = '_blank'; a.click(); \
             setTimeout(() => { location.href = 'https://example.org/b'; }, 0); \
             return w === null;",
        )
        .unwrap();
    assert_eq!(opened, serde_json::Value::Bool(true), "window.open must be refused");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(app.url().unwrap(), own, "the window navigated away from the bundle");
    app.find("#unlock-pin").expect("the lock screen is still there");
}

/// Unlocks with `pin` and waits for the inbox.
fn unlock(app: &Session, pin: &str) {
    app.wait_for("#unlock-pin", WAIT).unwrap().send_keys(pin).unwrap();
    app.find("button[type=submit]").unwrap().click().unwrap();
    app.wait_for("#settings", WAIT).unwrap();
}

/// Submits `pin` on the lock screen and returns the page's answer. The page shows it once the
/// lock screen is drawn anew, so the field of the next try is the one typed into.
fn refused_pin(app: &Session, pin: &str) -> String {
    let field = app.wait_for("#unlock-pin", WAIT).unwrap();
    field.send_keys(pin).unwrap();
    app.find("button[type=submit]").unwrap().click().unwrap();
    let deadline = Instant::now() + WAIT;
    // The old field is gone (stale) once the screen was drawn again.
    while field.property("value").is_ok() {
        assert!(Instant::now() < deadline, "the lock screen was not drawn again");
        std::thread::sleep(Duration::from_millis(100));
    }
    loop {
        let answer = app.find("#message").and_then(|m| m.text()).unwrap_or_default();
        if !answer.is_empty() {
            return answer;
        }
        assert!(Instant::now() < deadline, "no answer to the PIN");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A wrong PIN that counts: tried again while the app still asks to wait (that is not counted).
fn refused_pin_counted(app: &Session) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let answer = refused_pin(app, WRONG_PIN);
        if !answer.contains("wacht nog") {
            assert!(answer.contains("onjuist"), "{answer}");
            return answer;
        }
        assert!(Instant::now() < deadline, "the app kept asking to wait: {answer}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn fill_pin_change(app: &Session, current: &str, new: &str, new_again: &str) {
    app.wait_for("#current-pin", WAIT).unwrap().send_keys(current).unwrap();
    app.find("#new-pin").unwrap().send_keys(new).unwrap();
    app.find("#new-pin-again").unwrap().send_keys(new_again).unwrap();
    app.find("form button[type=submit]").unwrap().click().unwrap();
}

fn assert_pin_fields_empty(app: &Session) {
    for id in ["#current-pin", "#new-pin", "#new-pin-again"] {
        assert_eq!(app.find(id).unwrap().property("value").unwrap(), "", "{id} is cleared after each try");
    }
}

/// A directory of the test session (the keyring wrapper points these into a temporary folder).
fn xdg_dir(var: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(std::env::temp_dir)
}

#[test]
fn a_signal_that_expires_unhandled_is_shown_until_the_person_has_seen_it() {
    let mut stage = Stage::new();
    let (driver, app) = stage.launch("tauri-driver-expired.log");
    stage.enroll_director(&app);
    let shots = screens();

    // A signal that lives 20 seconds reaches the locked app and expires there unread.
    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap();
    let expiry = Utc::now() + chrono::Duration::seconds(20);
    stage.office.send_signal_expiring(stage.school, &signal, expiry).unwrap();
    drop(signal);
    app.wait_for_text("#status-line", "1 nieuw signaal", WAIT).unwrap();

    // The lock screen says so without the PIN: when, and that leerplicht is told.
    let notice = app
        .wait_for_text(".expired", "zonder dat het op deze computer is afgehandeld", Duration::from_secs(150))
        .unwrap();
    let at = expiry.with_timezone(&chrono_tz::Europe::Amsterdam).format("%H:%M").to_string();
    assert!(notice.starts_with("Een signaal is verlopen op ") && notice.contains(&at), "{notice}");
    assert!(notice.contains("krijgt leerplicht daarvan bericht"), "{notice}");
    app.wait_for_text("#status-line", "Geen nieuwe signalen", WAIT).unwrap();
    app.screenshot(&shots.join("20-verlopen-vergrendeld.png")).unwrap();

    // After the PIN the inbox shows it too, until "Gezien".
    unlock(&app, PIN);
    app.wait_for_text(".expired", "zonder dat het op deze computer is afgehandeld", WAIT).unwrap();
    app.screenshot(&shots.join("21-verlopen-overzicht.png")).unwrap();
    app.find("#expired-seen").unwrap().click().unwrap();
    let gone = Instant::now();
    while app.find(".expired").is_ok() {
        assert!(gone.elapsed() < WAIT, "the notice stays after Gezien");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(app.find("#expired-seen").is_err());
    app.end().unwrap();
    drop(driver);

    // Nothing of the child anywhere the app, leerplicht or the relay wrote.
    let needles = Needles::for_child(NAME, BIRTHDATE);
    let report = scan_tree(stage.root.path(), &needles).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}
