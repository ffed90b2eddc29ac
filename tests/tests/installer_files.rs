//! The desktop entries the `.deb` installs start the app in the modes it accepts (the menu
//! entry plainly, the autostart entry as the background agent), the bundler configuration
//! points at them, and the app refuses any other argument with a plain sentence.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `key=value` lines of a desktop entry's `[Desktop Entry]` group.
fn entry(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("installer/linux").join(file)).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("[Desktop Entry]"), "{file}");
    lines
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("{file}: no key=value: {l}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn value<'a>(entry: &'a [(String, String)], key: &str) -> &'a str {
    entry.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn the_menu_entry_opens_the_window_and_the_autostart_entry_starts_the_agent() {
    let menu = entry("nl.hwc.school.desktop");
    let autostart = entry("hwc-school-autostart.desktop");
    assert_eq!(value(&menu, "Exec"), "hwc-school");
    assert_eq!(value(&autostart, "Exec"), "hwc-school --achtergrond");
    for e in [&menu, &autostart] {
        assert_eq!(value(e, "Type"), "Application");
        assert_eq!(value(e, "Terminal"), "false");
    }
    assert_eq!(value(&autostart, "NoDisplay"), "true", "the autostart entry is not a second menu item");

    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("src-tauri/tauri.conf.json")).unwrap()).unwrap();
    let deb = &config["bundle"]["linux"]["deb"];
    assert_eq!(deb["desktopTemplate"], "../installer/linux/nl.hwc.school.desktop");
    assert_eq!(
        deb["files"]["/etc/xdg/autostart/hwc-school-autostart.desktop"],
        "../installer/linux/hwc-school-autostart.desktop"
    );
}

#[test]
fn the_app_refuses_an_unknown_argument_in_plain_dutch_without_repeating_it() {
    let app = hwc_system_tests::relay_process::relay_binary().expect("binaries are built").with_file_name("hwc-school");
    let out = Command::new(app).arg("--Noah-van-den-Berg").env_remove("DISPLAY").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("onbekende opdracht"), "{said}");
    assert!(!said.contains("Noah"), "{said}");
}
