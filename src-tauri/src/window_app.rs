//! The window process (`hwc-school --venster`): the locked-down web view over the commands in
//! `commands.rs`, its own long-poll so the page stays current, the idle lock, and a lock when
//! the window is minimised. Closing the window ends this process; the agent stays.

use crate::paths::{fresh_private_dir, AppPaths};
use crate::session::Session;
use crate::{poller, window, window_process};
use std::sync::Arc;
use tauri::{Context, Manager, RunEvent, WindowEvent, Wry};

/// What a person sees on a Windows computer without the WebView2 runtime, which draws the window.
pub const NO_WEBVIEW2: &str = "Microsoft Edge WebView2 ontbreekt op deze computer, en zonder WebView2 kan het venster \
     niet openen. Vraag de ICT-beheerder om de WebView2 Runtime van Microsoft te installeren; de app kijkt intussen \
     wel of er signalen zijn.";

pub fn run(paths: AppPaths, builder: tauri::Builder<Wry>, context: Context<Wry>) -> Result<(), String> {
    // Windows draws the page with WebView2, which Windows 10 and 11 ship but which can be
    // missing (removed, or an old LTSC build): without it Tauri would stop with a panic.
    if cfg!(windows) && tauri::webview_version().is_err() {
        return Err(NO_WEBVIEW2.into());
    }
    // Created empty now, wiped at exit; a directory left by a crash is wiped here too.
    fresh_private_dir(&paths.webview_dir).map_err(|e| format!("de tijdelijke map van het venster: {e}"))?;
    let session = Arc::new(Session::new(paths));
    let app = builder
        .manage(session.clone())
        .setup(move |app| {
            crate::termination::exit_on_termination(app.handle().clone());
            let window = window::open_main_window(app.handle(), &session.paths)?;
            // The page redraws when told, instead of asking every second (no timer in the
            // page; the event carries nothing, the page asks the commands what changed).
            let told = window.clone();
            session.on_change(move || {
                let _ = told.eval("window.dispatchEvent(new Event(\"hwc-change\"))");
            });
            let minimised = session.clone();
            let watched = window.clone();
            window.on_window_event(move |event| {
                if matches!(event, WindowEvent::Resized(_)) && watched.is_minimized().unwrap_or(false) {
                    minimised.lock_now();
                }
            });
            let locked = session.clone();
            crate::session_lock::on_session_lock(move || locked.lock_now());
            let to_front = window.clone();
            let handle = app.handle().clone();
            window_process::listen_to_agent(
                move || {
                    let _ = to_front.unminimize();
                    let _ = to_front.show();
                    let _ = to_front.set_focus();
                },
                move || handle.exit(0),
            );
            poller::start(session.clone(), poller::Hooks::default());
            poller::start_idle_lock(session.clone());
            Ok(())
        })
        .build(context)
        .map_err(|e| e.to_string())?;
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            if let Some(session) = handle.try_state::<Arc<Session>>() {
                session.shutdown();
            }
        }
    });
    Ok(())
}
