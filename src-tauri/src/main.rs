//! HwC School, the school's desktop app: a thin Tauri shell over `hwc-client`. It opens one
//! locked-down window whose page (the bundled `ui/`) may call only the commands in
//! `commands.rs`; everything those commands do is done by the headless core.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod config;
mod paths;
mod poller;
mod session;
mod views;
mod window;

use session::Session;
use std::sync::Arc;
use tauri::{Manager, RunEvent};

fn main() {
    let paths = match paths::AppPaths::from_environment() {
        Ok(paths) => paths,
        Err(message) => {
            eprintln!("HwC School kan niet starten: {message}");
            std::process::exit(1);
        }
    };
    let session = Arc::new(Session::new(paths));
    let app = tauri::Builder::default()
        .manage(session.clone())
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::change_count,
            commands::enroll,
            commands::refresh_enrollment,
            commands::unlock,
            commands::lock,
            commands::list_signals,
            commands::open_signal,
            commands::close_signal,
            commands::acknowledge,
            commands::privacy_view,
            commands::wipe_device,
        ])
        .setup(move |app| {
            window::open_main_window(app.handle(), &session.paths)?;
            poller::start(session.clone());
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("HwC School kan niet starten: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            if let Some(session) = handle.try_state::<Arc<Session>>() {
                session.shutdown();
            }
        }
    });
}
