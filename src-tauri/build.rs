//! Generates the Tauri context and the permissions of the app's own commands: the window is
//! granted exactly these, and nothing from Tauri's core or any plugin beyond what the
//! capability file lists.

const COMMANDS: &[&str] = &[
    "app_status",
    "change_count",
    "enroll",
    "refresh_enrollment",
    "unlock",
    "change_pin",
    "report_school_days",
    "lock",
    "list_signals",
    "open_signal",
    "close_signal",
    "acknowledge",
    "privacy_view",
    "wipe_device",
    "confirm_expired_seen",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
