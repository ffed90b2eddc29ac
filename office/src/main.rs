//! HwC Leerplicht (`hwc-office`): the office's window over `hwc-send`'s library, for the
//! leerplicht or Veilig Thuis officer who sends signals and needs the school's confirmation.
//! It opens the same encrypted state as `hwc-send` (the key in the OS credential store), shows
//! today's signals as they change, and sends a new one with exactly what goes out shown first.
//!
//! Locked down like the school's app, with the shared glue of `hwc-desktop-shell`: one window
//! over the bundled page with only these commands, incognito, its web view data in a private
//! directory wiped at start and exit, a single instance, no crash dumps, freed memory
//! overwritten, and on Linux the web process that held a typed name replaced after each send.

mod commands;
mod paths;
mod poller;
mod session;
mod today;
mod views;

use paths::OfficePaths;
use session::Session;
use std::sync::Arc;
use tauri::{Manager, RunEvent, Wry};

/// The window's label (the capability file grants the commands to it alone).
pub const WINDOW: &str = "office";

/// The titles the page may set, one per screen; anything else becomes the plain app name.
const TITLES: [&str; 4] = [
    "Vandaag – HwC Leerplicht",
    "Nieuw signaal – HwC Leerplicht",
    "Controleren – HwC Leerplicht",
    "Niet ingericht – HwC Leerplicht",
];

fn with_commands() -> tauri::Builder<Wry> {
    tauri::Builder::default().invoke_handler(tauri::generate_handler![
        commands::office_status,
        commands::change_count,
        commands::today,
        commands::schools,
        commands::preview_signal,
        commands::send_signal,
    ])
}

fn main() {
    // Before anything can hold a child's name, as in the school's app.
    if let Err(reason) = hwc_hardening::harden_desktop_app() {
        refuse_to_start(&reason);
    }
    if std::env::args_os().len() > 1 {
        refuse_to_start("onbekende opdracht. Start HwC Leerplicht zonder iets erachter.");
    }
    if let Err(message) = OfficePaths::from_environment().and_then(run) {
        refuse_to_start(&message);
    }
}

fn run(paths: OfficePaths) -> Result<(), String> {
    if cfg!(windows) && tauri::webview_version().is_err() {
        return Err("Microsoft Edge WebView2 ontbreekt op deze computer, en zonder WebView2 kan het venster niet openen. Vraag de ICT-beheerder om de WebView2 Runtime van Microsoft te installeren.".into());
    }
    hwc_desktop_shell::fresh_private_dir(&paths.webview_dir)
        .map_err(|e| format!("de tijdelijke map van het venster: {e}"))?;
    let session = Arc::new(Session::open(&paths.state_dir));
    let webview_dir = paths.webview_dir.clone();
    let state_dir = paths.state_dir.clone();
    let app = with_commands()
        // A second start brings this window to the front instead of opening another.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window(WINDOW) {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .manage(session.clone())
        .setup(move |app| {
            let window = hwc_desktop_shell::LockedWindow {
                label: WINDOW,
                app_name: "HwC Leerplicht",
                titles: &TITLES,
                size: (1000.0, 720.0),
                min_size: (640.0, 520.0),
                webview_dir: paths.webview_dir.clone(),
                incognito: !paths::driven_by_tests(),
            }
            .open(app.handle())?;
            // The page redraws when told; the event carries nothing, the page asks.
            let told = window.clone();
            session.on_change(move || {
                let _ = told.eval("window.dispatchEvent(new Event(\"hwc-change\"))");
            });
            poller::start(session.clone(), state_dir.clone());
            Ok(())
        })
        .build(tauri::generate_context!())
        .map_err(|e| e.to_string())?;
    app.run(move |_, event| {
        if let RunEvent::Exit = event {
            hwc_desktop_shell::wipe_dir(&webview_dir);
        }
    });
    Ok(())
}

/// Says why the app cannot start, and ends it.
fn refuse_to_start(message: &str) -> ! {
    eprintln!("HwC Leerplicht kan niet starten: {message}");
    std::process::exit(1);
}
