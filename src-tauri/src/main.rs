//! HwC School, the school's desktop app: a thin Tauri shell over `hwc-client`. One binary
//! runs as two processes (see `launch.rs`): a light agent with the tray, the long-poll and
//! the notifications, and a window process with one locked-down window whose page (the
//! bundled `ui/`) may call only the commands in `commands.rs`; everything those commands do
//! is done by the headless core.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod agent;
mod commands;
mod config;
mod launch;
mod notify;
mod paths;
mod poller;
mod session;
mod session_lock;
mod termination;
mod tray;
mod views;
mod web_processes;
mod window;
mod window_app;
mod window_process;

use launch::Mode;

/// The window's builder with the page's commands: everything the page may ask for.
fn with_commands() -> tauri::Builder<tauri::Wry> {
    tauri::Builder::default().invoke_handler(tauri::generate_handler![
        commands::app_status,
        commands::change_count,
        commands::enroll,
        commands::refresh_enrollment,
        commands::unlock,
        commands::change_pin,
        commands::report_school_days,
        commands::lock,
        commands::list_signals,
        commands::open_signal,
        commands::close_signal,
        commands::acknowledge,
        commands::privacy_view,
        commands::wipe_device,
        commands::confirm_expired_seen,
    ])
}

fn main() {
    // Before anything can hold a child's name: no crash dumps, no foreign code, freed memory
    // overwritten (restarts the process in place on Linux).
    if let Err(reason) = hwc_hardening::harden_desktop_app() {
        refuse_to_start(&reason);
    }
    let context = || tauri::generate_context!();
    let started = Mode::from_args(std::env::args_os().skip(1)).and_then(|mode| match mode {
        Mode::InstallConfig { relay, office_key_fingerprint } => install_config(&relay, &office_key_fingerprint),
        Mode::Agent { open_window } => agent::run(paths::AppPaths::from_environment()?, open_window, context()),
        Mode::Window => window_app::run(paths::AppPaths::from_environment()?, with_commands(), context()),
    });
    if let Err(message) = started {
        refuse_to_start(&message);
    }
}

/// Says why the app cannot start, and ends it. On standard error; and in a release build on
/// Windows, which has no console to show it, in a message box as well.
fn refuse_to_start(message: &str) -> ! {
    let text = format!("HwC School kan niet starten: {message}");
    eprintln!("{text}");
    #[cfg(all(windows, not(debug_assertions)))]
    {
        use windows_sys::Win32::UI::WindowsAndMessaging::{MessageBoxW, MB_ICONERROR, MB_OK};
        let wide = |text: &str| text.encode_utf16().chain(Some(0)).collect::<Vec<u16>>();
        let (body, title) = (wide(&text), wide("HwC School"));
        // SAFETY: two NUL-terminated UTF-16 strings that outlive the call; no owner window.
        unsafe { MessageBoxW(std::ptr::null_mut(), body.as_ptr(), title.as_ptr(), MB_OK | MB_ICONERROR) };
    }
    std::process::exit(1);
}

/// For installers and IT: writes the machine configuration without a window or a display; the
/// exit code says whether it worked (2: a value was refused or the file could not be written).
fn install_config(relay: &str, office_key_fingerprint: &str) -> Result<(), String> {
    match config::install(relay, office_key_fingerprint) {
        Ok(path) => {
            println!("HwC School: instellingen geschreven naar {}", path.display());
            Ok(())
        }
        Err(message) => {
            eprintln!("HwC School: instellingen niet geschreven: {message}");
            std::process::exit(2);
        }
    }
}
