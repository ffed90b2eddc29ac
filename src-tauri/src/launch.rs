//! How the app was started. One binary, two processes:
//!
//! - the **agent** (`hwc-school`, or `hwc-school --achtergrond` from the autostart entry): tray
//!   icon, long-poll and notifications, no web view at all, so it stays light all day;
//! - the **window** (`hwc-school --venster`, started by the agent when a person opens the app):
//!   the locked-down web view, and a process that ends when its window is closed, taking every
//!   web process and every byte of plaintext with it.
//!
//! - **installing** (`hwc-school --installeer-config <relay> <office key fingerprint>`, run by
//!   the Windows installers and by hand by IT): writes the machine configuration and ends,
//!   without a window or a display.
//!
//! Arguments come from outside (a shortcut, a second start forwarded by the single-instance
//! lock), so anything else is refused with a plain sentence.

/// What this process is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The background agent; `open_window` when a person started it (not the autostart).
    Agent { open_window: bool },
    /// The window process.
    Window,
    /// Write the machine configuration from an installer's values (fingerprint may be empty).
    InstallConfig { relay: String, office_key_fingerprint: String },
}

pub const BACKGROUND_FLAG: &str = "--achtergrond";
pub const WINDOW_FLAG: &str = "--venster";
pub const INSTALL_CONFIG_FLAG: &str = "--installeer-config";

impl Mode {
    /// Reads the arguments after the program name.
    pub fn from_args<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> Result<Self, String> {
        let args: Vec<std::ffi::OsString> = args.into_iter().collect();
        match args.as_slice() {
            [] => Ok(Mode::Agent { open_window: true }),
            [one] if one == BACKGROUND_FLAG => Ok(Mode::Agent { open_window: false }),
            [one] if one == WINDOW_FLAG => Ok(Mode::Window),
            [flag, relay, fingerprint] if flag == INSTALL_CONFIG_FLAG => match (relay.to_str(), fingerprint.to_str()) {
                (Some(relay), Some(fingerprint)) => Ok(Mode::InstallConfig {
                    relay: relay.to_string(),
                    office_key_fingerprint: fingerprint.to_string(),
                }),
                _ => Err("de relay en de vingerafdruk mogen alleen gewone tekst zijn.".to_string()),
            },
            _ => Err(format!(
                "onbekende opdracht. Start HwC School zonder iets erachter, of met {BACKGROUND_FLAG} (bij het opstarten van de computer)."
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn mode(args: &[&str]) -> Result<Mode, String> {
        Mode::from_args(args.iter().map(OsString::from))
    }

    #[test]
    fn a_plain_start_opens_the_window_and_the_autostart_does_not() {
        assert_eq!(mode(&[]), Ok(Mode::Agent { open_window: true }));
        assert_eq!(mode(&["--achtergrond"]), Ok(Mode::Agent { open_window: false }));
        assert_eq!(mode(&["--venster"]), Ok(Mode::Window));
    }

    #[test]
    fn an_installer_passes_relay_and_fingerprint_even_when_the_fingerprint_is_empty() {
        assert_eq!(
            mode(&["--installeer-config", "https://relay.example.nl", ""]),
            Ok(Mode::InstallConfig { relay: "https://relay.example.nl".into(), office_key_fingerprint: String::new() })
        );
        assert!(mode(&["--installeer-config", "https://relay.example.nl"]).is_err(), "both values, always");
    }

    #[test]
    fn anything_else_is_refused_without_echoing_it() {
        for args in [&["--venster", "--achtergrond"][..], &["Şeyma"], &["--VENSTER"], &[""]] {
            let error = mode(args).unwrap_err();
            assert!(error.starts_with("onbekende opdracht"), "{error}");
            assert!(!error.contains("Şeyma"));
        }
    }
}
