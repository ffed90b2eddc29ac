//! Where the app keeps things: the vault in the user's data directory, and the webview's data
//! in a private directory under the user's runtime directory (a tmpfs on Linux), created empty
//! when the window process starts and wiped when it ends. Debug builds let the tests point both elsewhere.

use hwc_client::MachineConfig;
use std::path::{Path, PathBuf};

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

/// Creates `dir` empty, with mode 0700 from the start.
pub fn fresh_private_dir(dir: &Path) -> std::io::Result<()> {
    wipe_dir(dir);
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Removes `dir` and everything in it; a missing directory is fine.
pub fn wipe_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

/// An environment override, honoured only in debug builds (the tests use them); a release
/// build always uses the standard places.
fn debug_override(var: &str) -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        std::env::var_os(var).map(PathBuf::from).filter(|p| p.is_absolute())
    } else {
        None
    }
}

impl AppPaths {
    pub fn from_environment() -> Result<Self, String> {
        let data_dir = match debug_override("HWC_SCHOOL_DATA_DIR") {
            Some(dir) => dir,
            None => home_subdir("XDG_DATA_HOME", ".local/share")
                .ok_or("de map voor gegevens is onbekend (HOME ontbreekt)")?
                .join("hwc-school"),
        };
        // One fixed place under the runtime directory (a tmpfs, private to the user), so a
        // directory left by a crashed run is wiped at the next start.
        let webview_dir = match debug_override("HWC_SCHOOL_WEBVIEW_DIR") {
            Some(dir) => dir,
            None => match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).filter(|p| p.is_dir()) {
                Some(runtime) => runtime.join("hwc-school").join("webview"),
                None => {
                    return Err(
                        "er is geen privé-map voor tijdelijke bestanden (XDG_RUNTIME_DIR); log opnieuw in".into()
                    )
                }
            },
        };
        let config = crate::config::load()?;
        let tray_dir = webview_dir.with_file_name("tray");
        Ok(Self { data_dir, webview_dir, tray_dir, config })
    }
}
