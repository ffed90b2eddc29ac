//! Desktop notifications. The text is always exactly [`TEXT`] for a new signal, or
//! [`REMINDER_TEXT`] for the backup's reminder: no name, no birthdate, no school, no count, because notification daemons keep a history (and Windows stores toasts in
//! a database). A D-Bus call can block for about 25 s when a daemon is broken, so every call
//! runs on its own thread and is given up after [`TIMEOUT`]; the caller never waits longer.
//!
//! On Windows a notification is a toast of the app's AppUserModelID, [`APP_ID`]: the installers
//! give the app's Start menu shortcut that ID (the Tauri bundler sets it to the identifier), so
//! Windows shows the toast under the app's own name and icon.

use std::sync::mpsc;
use std::time::Duration;

/// The text of the notification of a new signal.
pub const TEXT: &str = "Nieuw Handle with Care-signaal";

/// The text of the backup's reminder: a signal waits since before the school's time.
pub const REMINDER_TEXT: &str = "Een signaal wacht nog";

/// The app's AppUserModelID on Windows: its identifier in `tauri.conf.json`.
pub const APP_ID: &str = "nl.hwc.school";

/// How long a notification call may take before the app carries on without it.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Whether this computer shows desktop notifications, as far as the app last found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Availability {
    #[default]
    Unknown,
    Works,
    Unavailable,
}

/// Runs `call` on a thread of its own and waits at most [`TIMEOUT`] for it.
fn bounded<T: Send + 'static>(call: impl FnOnce() -> Result<T, notify_rust::error::Error> + Send + 'static) -> bool {
    let (done, answer) = mpsc::channel();
    let spawned = std::thread::Builder::new().name("hwc-notify".into()).spawn(move || {
        let _ = done.send(call().is_ok());
    });
    spawned.is_ok() && answer.recv_timeout(TIMEOUT).unwrap_or(false)
}

/// Asks the notification service whether it is there (at start, for the status line). Only
/// the XDG desktops (D-Bus) can be asked; elsewhere the first notification tells.
pub fn check() -> Availability {
    #[cfg(all(unix, not(target_os = "macos")))]
    return if bounded(notify_rust::get_server_information) { Availability::Works } else { Availability::Unavailable };
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    Availability::Unknown
}

/// Shows the notification of a new signal. Returns whether a notification service took it.
pub fn new_signal() -> Availability {
    show(TEXT)
}

/// Shows the backup's reminder. Returns whether a notification service took it.
pub fn reminder() -> Availability {
    show(REMINDER_TEXT)
}

/// Shows one of the two fixed texts.
fn show(text: &'static str) -> Availability {
    let shown = bounded(move || {
        let mut notification = notify_rust::Notification::new();
        notification.appname("HwC School").summary(text).icon(APP_ID).timeout(notify_rust::Timeout::Never);
        #[cfg(windows)]
        notification.app_id(APP_ID);
        notification.show().map(|_| ())
    });
    if shown {
        Availability::Works
    } else {
        Availability::Unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_says_nothing_about_the_child_the_school_or_how_many() {
        assert_eq!(TEXT, "Nieuw Handle with Care-signaal");
        assert_eq!(REMINDER_TEXT, "Een signaal wacht nog");
        assert!(!TEXT.chars().chain(REMINDER_TEXT.chars()).any(|c| c.is_ascii_digit()));
    }

    /// A private D-Bus session bus that knows no services: a bare desktop session.
    #[cfg(all(unix, not(target_os = "macos")))]
    struct BareBus(std::process::Child);

    #[cfg(all(unix, not(target_os = "macos")))]
    impl BareBus {
        fn start(dir: &std::path::Path) -> (Self, String) {
            use std::io::BufRead;
            let config = dir.join("bus.conf");
            std::fs::write(
                &config,
                format!(
                    "<busconfig><type>session</type><listen>unix:dir={}</listen>\
                     <policy context=\"default\"><allow send_destination=\"*\"/><allow receive_sender=\"*\"/><allow own=\"*\"/></policy></busconfig>",
                    dir.display()
                ),
            )
            .unwrap();
            let mut child = std::process::Command::new("dbus-daemon")
                .arg(format!("--config-file={}", config.display()))
                .args(["--print-address=1", "--nofork"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("dbus-daemon (package dbus-daemon)");
            let mut address = String::new();
            std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut address).unwrap();
            (Self(child), address.trim().to_string())
        }
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    impl Drop for BareBus {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn the_app_id_is_the_apps_identifier() {
        let config: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(config["identifier"], APP_ID);
    }

    /// Linux only: the other systems have no notification service to ask.
    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn without_a_notification_service_the_app_is_told_so_quickly() {
        let dir = tempfile::tempdir().unwrap();
        let (_bus, address) = BareBus::start(dir.path());
        // The only test in this binary that talks to D-Bus, so changing the variable is safe.
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
        let started = std::time::Instant::now();
        assert_eq!(check(), Availability::Unavailable);
        assert_eq!(new_signal(), Availability::Unavailable);
        assert!(started.elapsed() < TIMEOUT, "no daemon is an immediate answer, not a wait");
    }

    #[test]
    fn a_call_that_hangs_is_given_up_after_the_timeout() {
        let started = std::time::Instant::now();
        let shown = bounded(|| {
            std::thread::sleep(TIMEOUT * 3);
            Ok(())
        });
        assert!(!shown);
        assert!(started.elapsed() < TIMEOUT * 2);
    }
}
