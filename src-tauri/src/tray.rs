//! The tray icon of the agent, built in code: on Linux the tray needs
//! libayatana-appindicator3 at run time, and its loader panics when that library is missing,
//! so building it is caught and the app goes on without a tray (the window then opens at
//! start, see `agent.rs`). The icon is marked while a signal waits; the menu opens the window
//! or quits. Nothing here names a child or counts children. On Linux the icon is handed over
//! as a file, written into the app's own private runtime directory.

use crate::paths::fresh_private_dir;
use std::path::Path;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Wry};

const QUIET_ICON: &[u8] = include_bytes!("../../icons/tray.png");
const MARKED_ICON: &[u8] = include_bytes!("../../icons/tray-new.png");
const OPEN: &str = "open";
const QUIT: &str = "quit";

/// The tray icon and the menu line that says whether something waits.
pub struct Tray {
    icon: TrayIcon<Wry>,
    state_line: MenuItem<Wry>,
    shown: std::sync::Mutex<Option<bool>>,
}

/// Builds the tray on the main thread (call it from `setup`). `None` when this desktop has
/// no tray library; the reason goes to standard error.
pub fn build(app: &AppHandle, icon_dir: &Path, on_open: impl Fn(&AppHandle) + Send + Sync + 'static) -> Option<Tray> {
    if let Err(e) = fresh_private_dir(icon_dir) {
        eprintln!("HwC School: geen map voor het pictogram in het systeemvak ({e}); de app werkt verder zonder.");
        return None;
    }
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| try_build(app, icon_dir, on_open)));
    match attempt {
        Ok(Ok(tray)) => Some(tray),
        Ok(Err(e)) => {
            eprintln!("HwC School: geen pictogram in het systeemvak ({e}); de app werkt verder zonder.");
            None
        }
        Err(_) => {
            eprintln!("HwC School: geen pictogram in het systeemvak (de bibliotheek ervoor ontbreekt); de app werkt verder zonder.");
            None
        }
    }
}

fn try_build(
    app: &AppHandle,
    icon_dir: &Path,
    on_open: impl Fn(&AppHandle) + Send + Sync + 'static,
) -> tauri::Result<Tray> {
    let open = MenuItem::with_id(app, OPEN, "HwC School openen", true, None::<&str>)?;
    let state_line = MenuItem::with_id(app, "state", state_text(false), false, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let quit = MenuItem::with_id(app, QUIT, "Afsluiten", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &state_line, &separator, &quit])?;
    let icon = TrayIconBuilder::with_id("hwc-school")
        .icon(Image::from_bytes(QUIET_ICON)?)
        .tooltip("HwC School")
        .temp_dir_path(icon_dir)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(move |app, event| match event.id().as_ref() {
            OPEN => on_open(app),
            QUIT => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(Tray { icon, state_line, shown: Default::default() })
}

fn state_text(waiting: bool) -> &'static str {
    if waiting {
        "Er wacht een nieuw signaal"
    } else {
        "Geen nieuwe signalen"
    }
}

impl Tray {
    /// Marks the icon while at least one signal waits, and clears it after.
    pub fn show_waiting(&self, waiting: bool) {
        let mut shown = self.shown.lock().unwrap_or_else(|p| p.into_inner());
        if *shown == Some(waiting) {
            return;
        }
        *shown = Some(waiting);
        let bytes = if waiting { MARKED_ICON } else { QUIET_ICON };
        if let Ok(image) = Image::from_bytes(bytes) {
            let _ = self.icon.set_icon(Some(image));
        }
        let _ = self.state_line.set_text(state_text(waiting));
    }
}
