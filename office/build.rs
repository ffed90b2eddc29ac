//! Generates the Tauri context and the permissions of the office app's own commands: its
//! window is granted exactly these (`capabilities/office-window.json`), nothing else.

const COMMANDS: &[&str] = &["office_status", "change_count", "today", "schools", "preview_signal", "send_signal"];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
