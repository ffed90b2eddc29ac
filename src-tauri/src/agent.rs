//! The agent (`hwc-school`, or `--achtergrond` from the autostart entry): tray icon, long-poll
//! and notifications, and no web view, so it holds no web process and no plaintext all day.
//! One agent per desktop session: a second start only asks this one to open the window.
//! Without a tray (no tray library on this desktop) the window opens at start instead.

use crate::launch::Mode;
use crate::paths::AppPaths;
use crate::session::Session;
use crate::window_process::WindowProcess;
use crate::{poller, tray};
use std::sync::Arc;
use tauri::{AppHandle, Context, Manager, RunEvent, Wry};

fn open_window(app: &AppHandle) {
    if let Some(window) = app.try_state::<Arc<WindowProcess>>() {
        window.open();
    }
}

pub fn run(paths: AppPaths, open_at_start: bool, context: Context<Wry>) -> Result<(), String> {
    let session = Arc::new(Session::new(paths));
    let window = Arc::new(WindowProcess::default());
    let app = tauri::Builder::default()
        // The forwarded arguments come from whoever started the second copy: only a plain
        // start opens the window; the autostart or anything odd does nothing.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            let args = argv.into_iter().skip(1).map(std::ffi::OsString::from);
            if Mode::from_args(args) == Ok(Mode::Agent { open_window: true }) {
                open_window(app);
            }
        }))
        .manage(window.clone())
        .setup(move |app| {
            crate::termination::exit_on_termination(app.handle().clone());
            // The person who started the app waits for the window: it starts first, and the
            // tray and the long-poll are set up while it loads.
            if open_at_start {
                window.open();
            }
            let tray = tray::build(app.handle(), &session.paths.tray_dir, open_window).map(Arc::new);
            let marker = tray.clone();
            let polling_window = window.clone();
            poller::start(
                session.clone(),
                poller::Hooks {
                    on_waiting: Box::new(move |waiting| {
                        if let Some(tray) = &marker {
                            tray.show_waiting(waiting);
                        }
                    }),
                    stand_aside: Box::new(move || polling_window.is_running()),
                },
            );
            if !open_at_start && tray.is_none() {
                window.open();
            }
            Ok(())
        })
        .build(context)
        .map_err(|e| e.to_string())?;
    app.run(|_, event| {
        // The agent has no window of its own; it ends only through "Afsluiten" (an explicit
        // exit code) or the end of the desktop session.
        if let RunEvent::ExitRequested { code: None, api, .. } = event {
            api.prevent_exit();
        }
    });
    Ok(())
}
