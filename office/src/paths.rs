//! Where the office app keeps things: the office's encrypted state where `hwc-send` keeps it
//! (`$HWC_SEND_STATE`, else the user's data directory), and the web view's data in a private
//! directory created empty at start and wiped at exit. Debug builds let the tests move the
//! latter and drive the window.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct OfficePaths {
    pub state_dir: PathBuf,
    pub webview_dir: PathBuf,
}

impl OfficePaths {
    pub fn from_environment() -> Result<Self, String> {
        let state_dir = hwc_send::default_state_dir().map_err(|e| e.to_string())?;
        let webview_dir = match debug_override("HWC_OFFICE_WEBVIEW_DIR") {
            Some(dir) => dir,
            None => hwc_desktop_shell::private_runtime_dir("hwc-office")?.join("webview"),
        };
        Ok(Self { state_dir, webview_dir })
    }
}

fn debug_override(var: &str) -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        std::env::var_os(var).map(PathBuf::from).filter(|p| p.is_absolute())
    } else {
        None
    }
}

/// A debug build driven by the window tests (`HWC_OFFICE_E2E_DRIVEN=1`): WebDriver cannot
/// drive an incognito web view, and loses its page when the web process is replaced.
pub fn driven_by_tests() -> bool {
    cfg!(debug_assertions) && std::env::var_os("HWC_OFFICE_E2E_DRIVEN").is_some_and(|v| v == "1")
}
