//! The app as it runs all day, undriven and in its release configuration (incognito web
//! view): the agent started by the autostart entry (`--achtergrond`) holds no window and no
//! web process, marks its tray icon while a signal waits, and raises exactly "Nieuw Handle
//! with Care-signaal" for a new signal (read back from a real notification daemon, dunst, on
//! the tests' D-Bus session). A second start opens the window in a process of its own; ending
//! that process (as at logging out) ends every web process with it and wipes the web view's
//! directory, while the agent goes on polling. `cargo xtask test` provides the display, the
//! D-Bus session with keyring, and the daemon.

use chrono::{Timelike, Utc};
use hwc_protocol::{Role, Signal};
use hwc_system_tests::desktop::{
    descendants, is_alive, notification_history, notifications, terminate, tray_icon_dirs, wait_for, web_processes,
    AppProcess, Notification,
};
use hwc_system_tests::{scan_tree, world, Needles};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const TEXT: &str = "Nieuw Handle with Care-signaal";
const CHILDREN: [(&str, &str); 2] = [("Noah van den Berg", "2015-11-30"), ("Aïcha El Amrani", "2018-02-14")];
const WAIT: Duration = Duration::from_secs(30);

/// The app runs once per user session (a second start hands over to the first and ends), so
/// the tests here start their agents one at a time.
static ONE_AGENT_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_agent_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AGENT_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn app_binary() -> PathBuf {
    hwc_system_tests::relay_process::relay_binary().expect("binaries are built").with_file_name("hwc-school")
}

fn ours(after: i64) -> Vec<Notification> {
    notifications().unwrap().into_iter().filter(|n| n.app == "HwC School" && n.id > after).collect()
}

/// Whether the tray icon the agent last handed to the tray host carries the orange "new
/// signal" mark (top right; #c2410c) rather than the plain blue of `icons/icon.svg`.
fn tray_marked(dir: &Path) -> Option<bool> {
    let file =
        std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "png"))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(file).ok()?)).read_info().ok()?;
    let mut pixels = vec![0; reader.output_buffer_size()?];
    let frame = reader.next_frame(&mut pixels).ok()?;
    if frame.color_type != png::ColorType::Rgba || frame.bit_depth != png::BitDepth::Eight {
        return None;
    }
    let (width, height) = (frame.width as usize, frame.height as usize);
    let at = ((height * 52 / 256) * width + width * 204 / 256) * 4;
    let [red, green, blue] = [pixels[at], pixels[at + 1], pixels[at + 2]];
    Some(red > 150 && green < 120 && blue < 80)
}

#[test]
fn the_agent_notifies_without_a_web_process_and_the_window_process_ends_with_its_window() {
    let _alone = one_agent_at_a_time();
    assert!(std::env::var_os("DISPLAY").is_some(), "no display: run this through `cargo xtask test`");
    let root = tempfile::tempdir().unwrap();
    let school = world::World::school();
    let (mut office, relay) = world::office_and_relay(root.path(), &[]).unwrap();
    let director = world::enroll_and_verify(&mut office, &relay.url(), school, Role::Director, root.path()).unwrap();
    drop(director);
    let data_dir = world::device_dir(root.path(), school, Role::Director);
    let webview_dir = root.path().join("app-webview");
    let config = root.path().join("config.toml");
    std::fs::write(
        &config,
        format!("relay = \"{}\"\noffice_key_fingerprint = \"{}\"\n", relay.url(), office.public_key().fingerprint()),
    )
    .unwrap();
    let tmp_dir = root.path().join("app-tmp");
    std::fs::create_dir(&tmp_dir).unwrap();
    let env: [(&str, &Path); 4] = [
        ("HWC_SCHOOL_DATA_DIR", &data_dir),
        ("HWC_SCHOOL_WEBVIEW_DIR", &webview_dir),
        ("HWC_SCHOOL_CONFIG", &config),
        ("TMPDIR", &tmp_dir),
    ];
    let log = root.path().join("app.log");
    let log_file = std::fs::File::create(&log).unwrap();
    let before = notifications().unwrap().iter().map(|n| n.id).max().unwrap_or(0);

    // The autostart entry's start: tray and long-poll, no window.
    let agent = AppProcess(
        Command::new(app_binary())
            .arg("--achtergrond")
            .envs(env)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file.try_clone().unwrap())
            .spawn()
            .unwrap(),
    );
    let agent_pid = agent.pid();
    let tray_dir = root.path().join("tray");
    wait_for("the tray icon, unmarked", WAIT, || tray_marked(&tray_dir).filter(|marked| !marked));
    let first = Signal::from_input(CHILDREN[0].0, CHILDREN[0].1, Utc::now().date_naive()).unwrap();
    office.send_signal(school, &first).unwrap();
    drop(first);
    let raised = wait_for("the agent's notification", WAIT, || Some(ours(before)).filter(|n| !n.is_empty()));
    assert_eq!(raised.len(), 1, "one notification for one signal: {raised:?}");
    wait_for("the tray icon marked", WAIT, || tray_marked(&tray_dir).filter(|marked| *marked));
    let agent_tree = descendants(agent_pid);
    assert!(agent_tree.is_empty(), "the agent alone runs no other process: {agent_tree:?}");
    assert!(!webview_dir.exists(), "the agent has no web view and no web view directory");

    // A person starts the app (the menu entry): the running agent opens the window, in a
    // process of its own, and the second copy ends at once.
    let mut second = Command::new(app_binary()).envs(env).stdin(Stdio::null()).spawn().unwrap();
    let second_status = wait_for("the second copy to end", WAIT, || second.try_wait().unwrap());
    assert!(second_status.success(), "the second copy hands over and ends: {second_status}");
    let (window_pid, web) = wait_for("the window process and its web processes", WAIT, || {
        let tree = descendants(agent_pid);
        let window = tree.iter().find(|p| p.args.iter().any(|a| a == "--venster"))?.pid;
        let web = web_processes(&descendants(window));
        (web.len() >= 2).then_some((window, web))
    });
    assert!(webview_dir.is_dir(), "the window process made its private web view directory");

    // Logging out ends the window process politely: every web process goes with it, the
    // web view directory is wiped, and the agent carries on.
    terminate(window_pid, WAIT);
    wait_for("every web process to end", WAIT, || web.iter().all(|p| !is_alive(p.pid)).then_some(()));
    assert!(!webview_dir.exists(), "the web view directory is wiped at exit");
    assert!(is_alive(agent_pid), "the agent stays");
    assert!(descendants(agent_pid).is_empty(), "nothing of the window is left under the agent");

    // The agent took the long-poll back: the next signal is announced again.
    let second_signal = Signal::from_input(CHILDREN[1].0, CHILDREN[1].1, Utc::now().date_naive()).unwrap();
    office.send_signal(school, &second_signal).unwrap();
    drop(second_signal);
    let raised = wait_for("a notification for the second signal", WAIT, || Some(ours(before)).filter(|n| n.len() >= 2));

    // Every notification this app raised in this test says only the one sentence.
    for n in ours(before) {
        assert_eq!((n.summary.as_str(), n.body.as_str()), (TEXT, ""), "{n:?}");
    }
    assert_eq!(raised.len(), 2, "{raised:?}");

    // The agent ends politely too.
    terminate(agent_pid, WAIT);

    // No trace of either child in anything the app wrote: vault, web view dir, temp dir, its
    // output, the tray's icon files, and the notification daemon's whole history.
    let history = notification_history().unwrap();
    assert!(history.contains(TEXT), "the history holds the notifications: {history}");
    for (name, birthdate) in CHILDREN {
        let needles = Needles::for_child(name, birthdate);
        assert_eq!(needles.found_in(history.as_bytes()), Vec::<String>::new(), "in the notification history");
        for dir in [data_dir.clone(), webview_dir.clone(), tmp_dir.clone(), root.path().join("app.log")]
            .into_iter()
            .chain(tray_icon_dirs())
        {
            let found = if dir.is_file() {
                needles.found_in(&std::fs::read(&dir).unwrap())
            } else {
                scan_tree(&dir, &needles).unwrap().findings.into_iter().map(|f| f.form).collect()
            };
            assert!(found.is_empty(), "{} holds {found:?}", dir.display());
        }
    }
    let output = std::fs::read_to_string(&log).unwrap();
    assert!(!output.contains("panicked"), "{output}");
    assert!(!output.contains("systeemvak"), "the tray was built: {output}");
}

/// The backup's reminder: a signal the backup's device holds since before the school's time
/// (`reminder_at` in the machine configuration) makes the agent say exactly "Een signaal wacht
/// nog" at its first poll after that time.
#[test]
fn the_backups_agent_reminds_of_a_signal_still_waiting_after_the_schools_time() {
    let _alone = one_agent_at_a_time();
    assert!(std::env::var_os("DISPLAY").is_some(), "no display: run this through `cargo xtask test`");
    let root = tempfile::tempdir().unwrap();
    let school = world::World::school();
    let (mut office, relay) = world::office_and_relay(root.path(), &[]).unwrap();
    let mut backup = world::enroll_and_verify(&mut office, &relay.url(), school, Role::Backup, root.path()).unwrap();
    let child = Signal::from_input(CHILDREN[0].0, CHILDREN[0].1, Utc::now().date_naive()).unwrap();
    let id = office.send_signal(school, &child).unwrap();
    drop(child);
    assert_eq!(backup.fetch(5).unwrap().new_signals, vec![id]);
    drop(backup);
    // The school's time is the next whole minute (Dutch time); the agent starts just after it.
    let now = Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam);
    let next_minute = now.with_second(0).unwrap().with_nanosecond(0).unwrap() + chrono::Duration::minutes(1);
    let config = root.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "relay = \"{}\"\noffice_key_fingerprint = \"{}\"\nreminder_at = \"{}\"\n",
            relay.url(),
            office.public_key().fingerprint(),
            next_minute.format("%H:%M")
        ),
    )
    .unwrap();
    std::thread::sleep((next_minute + chrono::Duration::seconds(1) - now).to_std().unwrap());
    let data_dir = world::device_dir(root.path(), school, Role::Backup);
    let env: [(&str, &Path); 3] = [
        ("HWC_SCHOOL_DATA_DIR", &data_dir),
        ("HWC_SCHOOL_WEBVIEW_DIR", &root.path().join("app-webview")),
        ("HWC_SCHOOL_CONFIG", &config),
    ];
    let before = notifications().unwrap().iter().map(|n| n.id).max().unwrap_or(0);
    let agent =
        AppProcess(Command::new(app_binary()).arg("--achtergrond").envs(env).stdin(Stdio::null()).spawn().unwrap());
    // (Once a day, also across the agent and the window, is the school core's test:
    // `the_backup_reminds_once_a_day_after_the_set_time_while_a_signal_waits`.)
    let raised = wait_for("the backup's reminder", WAIT, || Some(ours(before)).filter(|n| !n.is_empty()));
    assert_eq!(
        raised.iter().map(|n| (n.summary.as_str(), n.body.as_str())).collect::<Vec<_>>(),
        vec![("Een signaal wacht nog", "")],
        "exactly the reminder's sentence"
    );
    terminate(agent.pid(), WAIT);
    let history = notification_history().unwrap();
    let needles = Needles::for_child(CHILDREN[0].0, CHILDREN[0].1);
    assert_eq!(needles.found_in(history.as_bytes()), Vec::<String>::new(), "in the notification history");
}

/// A pin school IT deploys after the device enrolled holds from the app's next start: a device
/// that trusts another office key than the pinned one is wiped, not used.
#[test]
fn a_key_pinned_after_enrollment_wipes_a_device_that_trusts_another() {
    let _alone = one_agent_at_a_time();
    assert!(std::env::var_os("DISPLAY").is_some(), "no display: run this through `cargo xtask test`");
    let root = tempfile::tempdir().unwrap();
    let school = world::World::school();
    let (mut office, relay) = world::office_and_relay(root.path(), &[]).unwrap();
    drop(world::enroll_and_verify(&mut office, &relay.url(), school, Role::Director, root.path()).unwrap());
    let data_dir = world::device_dir(root.path(), school, Role::Director);
    assert!(hwc_client::SchoolClient::is_enrolled(&data_dir));
    let pinned = hwc_protocol::OfficeSigningKey::generate().unwrap().public().fingerprint();
    let config = root.path().join("config.toml");
    std::fs::write(&config, format!("relay = \"{}\"\noffice_key_fingerprint = \"{pinned}\"\n", relay.url())).unwrap();
    let tmp_dir = root.path().join("app-tmp");
    std::fs::create_dir(&tmp_dir).unwrap();
    let agent = AppProcess(
        Command::new(app_binary())
            .arg("--achtergrond")
            .env("HWC_SCHOOL_DATA_DIR", &data_dir)
            .env("HWC_SCHOOL_WEBVIEW_DIR", root.path().join("app-webview"))
            .env("HWC_SCHOOL_CONFIG", &config)
            .env("TMPDIR", &tmp_dir)
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("the device to be wiped", WAIT, || (!hwc_client::SchoolClient::is_enrolled(&data_dir)).then_some(()));
    terminate(agent.pid(), WAIT);
}
