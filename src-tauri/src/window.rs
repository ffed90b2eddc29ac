//! The one window: bundled page only, incognito, its webview data in the private runtime
//! directory, and closing it destroys it.
//!
//! WebDriver cannot drive an incognito (ephemeral) WebKit context, so a *debug* build started
//! with `HWC_SCHOOL_E2E_DRIVEN=1` turns incognito off for the driven window tests; the data
//! directory stays private and is wiped as always. Release builds ignore the variable.

use crate::paths::AppPaths;
use tauri::{AppHandle, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

pub const MAIN: &str = "main";

fn driven_by_tests() -> bool {
    cfg!(debug_assertions) && std::env::var_os("HWC_SCHOOL_E2E_DRIVEN").is_some_and(|v| v == "1")
}

pub fn open_main_window(app: &AppHandle, paths: &AppPaths) -> tauri::Result<WebviewWindow> {
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("HwC School")
        .inner_size(880.0, 680.0)
        .min_inner_size(520.0, 480.0)
        .incognito(!driven_by_tests())
        .data_directory(paths.webview_dir.clone())
        .content_protected(true)
        .build()
}
