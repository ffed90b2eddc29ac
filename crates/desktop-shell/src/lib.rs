//! The Tauri glue the school's app (`hwc-school`) and the office's app (`hwc-office`) share, so
//! each locked-down property is written once:
//!
//! - [`LockedWindow`]: the one window over the app's bundled page. It cannot navigate away or
//!   open another window, runs incognito with its web view data in a private directory, is
//!   hidden from screen capture where the system allows it, and its title is one of the app's
//!   screen titles or the plain app name (never a name or a date the page might set);
//! - [`fresh_private_dir`] and [`wipe_dir`] for that web view directory;
//! - [`renew_web_process`]: ends the web process that showed a child's name and loads the page
//!   again in a fresh one;
//! - [`off_the_ui_thread`]: runs a command's work on a blocking thread.

use std::path::{Path, PathBuf};
use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Runtime, Url, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// One locked-down window over the bundled `index.html`.
#[derive(Debug, Clone)]
pub struct LockedWindow {
    /// The window's label (the capability file grants its commands to this label only).
    pub label: &'static str,
    /// The app's name: the window's title before the page sets one, and for any title not in
    /// `titles`.
    pub app_name: &'static str,
    /// The titles the page may set, one per screen.
    pub titles: &'static [&'static str],
    /// Logical size and minimum size.
    pub size: (f64, f64),
    pub min_size: (f64, f64),
    /// The web view's data directory: private, created empty by the caller.
    pub webview_dir: PathBuf,
    /// Incognito (no web storage that outlives the process). Only driven window tests turn it
    /// off: WebDriver cannot drive an ephemeral WebKit context.
    pub incognito: bool,
}

impl LockedWindow {
    /// Builds and shows the window.
    pub fn open<R: Runtime>(self, app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
        let LockedWindow { label, app_name, titles, size, min_size, webview_dir, incognito } = self;
        WebviewWindowBuilder::new(app, label, WebviewUrl::App("index.html".into()))
            .title(app_name)
            .inner_size(size.0, size.1)
            .min_inner_size(min_size.0, min_size.1)
            .incognito(incognito)
            .data_directory(webview_dir)
            .content_protected(true)
            .on_navigation(is_bundled_page)
            .on_new_window(|_, _| NewWindowResponse::Deny)
            .on_document_title_changed(move |window, asked| {
                let _ = window.set_title(allowed_title(titles, &asked, app_name));
            })
            .build()
    }
}

/// `asked` when it is one of `titles`, else `fallback`.
pub fn allowed_title(titles: &[&'static str], asked: &str, fallback: &'static str) -> &'static str {
    titles.iter().find(|t| **t == asked).copied().unwrap_or(fallback)
}

/// Whether `url` is one of the app's own bundled files: `tauri://localhost` on Linux and
/// macOS, `http(s)://tauri.localhost` on Windows. Everything else (a link, a redirect, a
/// script setting `location`) is refused, so the page can never leave the bundle.
pub fn is_bundled_page(url: &Url) -> bool {
    let host = url.host_str();
    let own_origin = match url.scheme() {
        "tauri" => host == Some("localhost"),
        "http" | "https" => host == Some("tauri.localhost"),
        _ => false,
    };
    own_origin && url.port().is_none() && url.username().is_empty() && url.password().is_none()
}

/// Creates `dir` empty and private to the user (mode 0700 from the start, or on Windows an
/// access list for the user alone).
pub fn fresh_private_dir(dir: &Path) -> std::io::Result<()> {
    wipe_dir(dir);
    hwc_hardening::private_fs::create_private_dir(dir)
}

/// One fixed private place for an app's temporary files (its web view data), so a directory
/// left by a crashed run is wiped at the next start: `<runtime dir>/<app>` with the runtime
/// directory on Linux (a tmpfs, private to the user), the user's own temporary folder on
/// Windows (`%LOCALAPPDATA%`) and macOS (`$TMPDIR`).
pub fn private_runtime_dir(app: &str) -> Result<PathBuf, String> {
    let var = if cfg!(windows) {
        "LOCALAPPDATA"
    } else if cfg!(target_os = "macos") {
        "TMPDIR"
    } else {
        "XDG_RUNTIME_DIR"
    };
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_dir())
        .map(|dir| dir.join(app))
        .ok_or_else(|| format!("er is geen privé-map voor tijdelijke bestanden ({var}); log opnieuw in"))
}

/// Removes `dir` and everything in it; a missing directory is fine.
pub fn wipe_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

/// Ends the window's web process and loads the page again in a fresh one, so the copies the
/// page held (its DOM, its JavaScript heap, freed or not) end with that process. Linux only
/// (WebKitGTK can end its web process on request); elsewhere the page keeps what it showed
/// until its window closes. Returns whether it was done.
pub fn renew_web_process<R: Runtime>(window: &WebviewWindow<R>) -> bool {
    #[cfg(target_os = "linux")]
    {
        use webkit2gtk::WebViewExt;
        window
            .with_webview(|platform| {
                let view = platform.inner();
                view.terminate_web_process();
                view.reload();
            })
            .is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = window;
        false
    }
}

/// Runs a command's `work` on a blocking thread, so the window never waits on the disk, the
/// keyring or the relay. Its answer is the work's, or a plain sentence when the thread failed.
pub async fn off_the_ui_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|_| "Er ging intern iets mis; probeer het opnieuw.".to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    const TITLES: &[&str] = &["Vergrendeld – HwC School", "Overzicht – HwC School"];

    #[test]
    fn only_the_known_screen_titles_reach_the_window() {
        assert_eq!(allowed_title(TITLES, "Vergrendeld – HwC School", "HwC School"), "Vergrendeld – HwC School");
        assert_eq!(allowed_title(TITLES, "Noor Bakker – HwC School", "HwC School"), "HwC School");
        assert_eq!(allowed_title(TITLES, "", "HwC School"), "HwC School");
    }

    #[test]
    fn only_the_bundled_pages_may_be_loaded() {
        for own in ["tauri://localhost/index.html", "tauri://localhost/", "http://tauri.localhost/index.html"] {
            assert!(is_bundled_page(&Url::parse(own).unwrap()), "{own}");
        }
        for other in [
            "https://example.org/",
            "http://localhost/index.html",
            "tauri://localhost.example.org/",
            "http://tauri.localhost.example.org/",
            "http://tauri.localhost:8080/",
            "http://user@tauri.localhost/",
            "file:///etc/passwd",
            "about:blank",
            "data:text/html,hi",
            "javascript:alert(1)",
            "blob:tauri://localhost/1",
        ] {
            assert!(!is_bundled_page(&Url::parse(other).unwrap()), "{other}");
        }
    }
}
