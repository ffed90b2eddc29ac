//! A polite end on SIGTERM, SIGINT or SIGHUP (logging out, shutting down, the agent quitting):
//! the app exits through Tauri's normal path, so the window process still wipes its web view
//! directory and drops its open key, and the agent's window process sees its pipe close.

use tauri::AppHandle;

pub fn exit_on_termination(app: AppHandle) {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
            Ok(mut signals) => {
                let spawned = std::thread::Builder::new().name("hwc-termination".into()).spawn(move || {
                    if signals.forever().next().is_some() {
                        app.exit(0);
                    }
                });
                if let Err(e) = spawned {
                    eprintln!("HwC School: afsluiten bij uitloggen kan niet worden opgevangen: {e}");
                }
            }
            Err(e) => eprintln!("HwC School: afsluiten bij uitloggen kan niet worden opgevangen: {e}"),
        }
    }
    #[cfg(not(unix))]
    let _ = app;
}
