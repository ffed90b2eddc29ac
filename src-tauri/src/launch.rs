//! How the app was started. One binary, two processes:
//!
//! - the **agent** (`hwc-school`, or `hwc-school --achtergrond` from the autostart entry): tray
//!   icon, long-poll and notifications, no web view at all, so it stays light all day;
//! - the **window** (`hwc-school --venster`, started by the agent when a person opens the app):
//!   the locked-down web view, and a process that ends when its window is closed, taking every
//!   web process and every byte of plaintext with it.
//!
//! Arguments come from outside (a shortcut, a second start forwarded by the single-instance
//! lock), so anything else is refused with a plain sentence.

/// What this process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The background agent; `open_window` when a person started it (not the autostart).
    Agent { open_window: bool },
    /// The window process.
    Window,
}

pub const BACKGROUND_FLAG: &str = "--achtergrond";
pub const WINDOW_FLAG: &str = "--venster";

impl Mode {
    /// Reads the arguments after the program name.
    pub fn from_args<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> Result<Self, String> {
        let args: Vec<std::ffi::OsString> = args.into_iter().collect();
        match args.as_slice() {
            [] => Ok(Mode::Agent { open_window: true }),
            [one] if one == BACKGROUND_FLAG => Ok(Mode::Agent { open_window: false }),
            [one] if one == WINDOW_FLAG => Ok(Mode::Window),
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
    fn anything_else_is_refused_without_echoing_it() {
        for args in [&["--venster", "--achtergrond"][..], &["Şeyma"], &["--VENSTER"], &[""]] {
            let error = mode(args).unwrap_err();
            assert!(error.starts_with("onbekende opdracht"), "{error}");
            assert!(!error.contains("Şeyma"));
        }
    }
}
