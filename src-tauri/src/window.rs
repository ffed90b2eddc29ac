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
use hwc_desktop_shell::LockedWindow;
use tauri::{AppHandle, WebviewWindow};

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
    if renews_web_process() && !hwc_desktop_shell::renew_web_process(window) {
        eprintln!("HwC School: de pagina kon niet worden vernieuwd; sluit het venster om alles te wissen.");
    }
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

/// The one window: bundled page only, incognito (except for the driven tests), its web view
/// data in the private runtime directory (see `hwc_desktop_shell::LockedWindow`).
pub fn open_main_window(app: &AppHandle, paths: &AppPaths) -> tauri::Result<WebviewWindow> {
    LockedWindow {
        label: MAIN,
        app_name: "HwC School",
        titles: &TITLES,
        size: (880.0, 680.0),
        min_size: (520.0, 480.0),
        webview_dir: paths.webview_dir.clone(),
        incognito: !driven_by_tests(),
    }
    .open(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_title_of_the_page_is_allowed() {
        let page = include_str!("../../ui/app.js");
        for title in TITLES {
            let screen = title.trim_end_matches(" – HwC School");
            assert!(page.contains(&format!("\"{screen}\"")), "the page never sets {title}");
        }
    }
}
