//! Where the app keeps things: the vault in the user's data directory, and the webview's data
//! in a private directory under the user's runtime directory (a tmpfs on Linux), created empty
//! when the window process starts and wiped when it ends. Debug builds let the tests point both elsewhere.

use hwc_client::MachineConfig;
use std::path::PathBuf;

/// The app's directories.
#[derive(Debug, Clone)]
pub struct AppPaths {
    /// The vault (`hwc-client`'s data directory).
    pub data_dir: PathBuf,
    /// The webview's data directory: private, emptied at start and at exit.
    pub webview_dir: PathBuf,
    /// Where the tray library writes its icon files (Linux): beside the web view's directory,
    /// private to the user, wiped when the agent starts.
    pub tray_dir: PathBuf,
    /// The machine-wide configuration (relay address, pinned office key).
    pub config: MachineConfig,
}

fn home_subdir(var: &str, fallback: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(fallback)))
}

pub use hwc_desktop_shell::{fresh_private_dir, wipe_dir};

/// An environment override, honoured only in debug builds (the tests use them); a release
/// build always uses the standard places.
fn debug_override(var: &str) -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        std::env::var_os(var).map(PathBuf::from).filter(|p| p.is_absolute())
    } else {
        None
    }
}

/// The user's data directory for the vault: `$XDG_DATA_HOME/hwc-school` on Linux,
/// `%LOCALAPPDATA%\HwC School` on Windows, `~/Library/Application Support/nl.hwc.school`
/// on macOS.
fn standard_data_dir() -> Result<PathBuf, String> {
    let found = if cfg!(windows) {
        absolute_var("LOCALAPPDATA").map(|dir| dir.join("HwC School"))
    } else if cfg!(target_os = "macos") {
        absolute_var("HOME").map(|home| home.join("Library/Application Support/nl.hwc.school"))
    } else {
        home_subdir("XDG_DATA_HOME", ".local/share").map(|dir| dir.join("hwc-school"))
    };
    found.ok_or_else(|| "de map voor gegevens is onbekend (HOME ontbreekt)".to_string())
}

fn absolute_var(var: &str) -> Option<PathBuf> {
    std::env::var_os(var).map(PathBuf::from).filter(|p| p.is_absolute())
}

impl AppPaths {
    pub fn from_environment() -> Result<Self, String> {
        let data_dir = match debug_override("HWC_SCHOOL_DATA_DIR") {
            Some(dir) => dir,
            None => standard_data_dir()?,
        };
        let webview_dir = match debug_override("HWC_SCHOOL_WEBVIEW_DIR") {
            Some(dir) => dir,
            None => hwc_desktop_shell::private_runtime_dir("hwc-school")?.join("webview"),
        };
        let config = crate::config::load()?;
        let tray_dir = webview_dir.with_file_name("tray");
        Ok(Self { data_dir, webview_dir, tray_dir, config })
    }
}
