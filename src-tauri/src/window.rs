//! The one window: bundled page only (it cannot navigate away or open another window),
//! incognito, its webview data in the private runtime directory, and closing it destroys it.
//!
//! WebDriver cannot drive an incognito (ephemeral) WebKit context, so a *debug* build started
//! with `HWC_SCHOOL_E2E_DRIVEN=1` turns incognito off for the driven window tests; the data
//! directory stays private and is wiped as always. WebDriver also loses its page when the web
//! process is replaced after an acknowledgement ([`renew_web_process`]), so that driven build
//! keeps its web process; `tests/tests/memory_dump.rs` proves the replacement on the release
//! build. Release builds ignore the variable.

use crate::paths::AppPaths;
use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Url, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// Whether [`renew_web_process`] replaces the web process here: on Linux, except in the driven
/// test build. Elsewhere the page keeps what it showed until its window closes.
pub fn renews_web_process() -> bool {
    cfg!(target_os = "linux") && !driven_by_tests()
}

/// Ends the web process that showed a signal and loads the page again in a fresh one, so the
/// copies the page held (its DOM, its JavaScript heap, freed or not) end with that process.
/// Does nothing where [`renews_web_process`] says no.
pub fn renew_web_process(window: &WebviewWindow) {
    #[cfg(target_os = "linux")]
    if renews_web_process() {
        use webkit2gtk::WebViewExt;
        let renewed = window.with_webview(|platform| {
            let view = platform.inner();
            view.terminate_web_process();
            view.reload();
        });
        if renewed.is_err() {
            eprintln!("HwC School: de pagina kon niet worden vernieuwd; sluit het venster om alles te wissen.");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

fn driven_by_tests() -> bool {
    cfg!(debug_assertions) && std::env::var_os("HWC_SCHOOL_E2E_DRIVEN").is_some_and(|v| v == "1")
}

/// The window titles the page may ask for, one per screen (WCAG 2.4.2: a title that says
/// where you are). The title is seen by the taskbar, window switchers and screen readers, so
/// anything else the page sets is replaced by the plain app name: never a name or a date.
const TITLES: [&str; 12] = [
    "Aanmelden – HwC School",
    "Wachten op bevestiging – HwC School",
    "Afgemeld – HwC School",
    "Vergrendeld – HwC School",
    "Overzicht – HwC School",
    "Signaal – HwC School",
    "Bevestigd – HwC School",
    "Wat staat er op deze computer? – HwC School",
    "Instellingen – HwC School",
    "Pincode wijzigen – HwC School",
    "Studiedag doorgeven – HwC School",
    "Apparaat wissen – HwC School",
];

fn window_title(asked: &str) -> &'static str {
    TITLES.iter().find(|t| **t == asked).copied().unwrap_or("HwC School")
}

/// Whether `url` is one of the app's own bundled files: `tauri://localhost` on Linux and
/// macOS, `http(s)://tauri.localhost` on Windows. Everything else (a link, a redirect, a
/// script setting `location`) is refused, so the page can never leave the bundle.
fn is_bundled_page(url: &Url) -> bool {
    let host = url.host_str();
    let own_origin = match url.scheme() {
        "tauri" => host == Some("localhost"),
        "http" | "https" => host == Some("tauri.localhost"),
        _ => false,
    };
    own_origin && url.port().is_none() && url.username().is_empty() && url.password().is_none()
}

pub fn open_main_window(app: &AppHandle, paths: &AppPaths) -> tauri::Result<WebviewWindow> {
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("HwC School")
        .inner_size(880.0, 680.0)
        .min_inner_size(520.0, 480.0)
        .incognito(!driven_by_tests())
        .data_directory(paths.webview_dir.clone())
        .content_protected(true)
        .on_navigation(is_bundled_page)
        .on_new_window(|_, _| NewWindowResponse::Deny)
        .on_document_title_changed(|window, asked| {
            let _ = window.set_title(window_title(&asked));
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_known_screen_titles_reach_the_window() {
        assert_eq!(window_title("Vergrendeld – HwC School"), "Vergrendeld – HwC School");
        assert_eq!(window_title("Noor Bakker – HwC School"), "HwC School");
        assert_eq!(window_title(""), "HwC School");
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
