//! The installers' files, checked here because the Windows and macOS packages cannot be
//! built on this machine (the release workflow builds them on their own runners):
//!
//! - the desktop entries the `.deb` installs start the app in the modes it accepts (the menu
//!   entry plainly, the autostart entry as the background agent), and the app refuses any
//!   other argument with a plain sentence;
//! - every package names the app's version;
//! - the MSI fragment is well-formed WiX, declares `RELAY_URL` and `OFFICE_KEY`, and its
//!   custom action's command line, with values filled in as Windows Installer would, makes
//!   this app write the configuration (and fail on a bad value); the NSIS hooks read the same
//!   two options, call the same command and lock the config folder by SID, and Debian's
//!   `makensis` compiles them without a single warning (an unknown constant is one);
//! - the release workflow is valid YAML that builds each platform from a tag that must match
//!   the version.

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
    let out = Command::new(debug_app()).arg("--Noah-van-den-Berg").env_remove("DISPLAY").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("onbekende opdracht"), "{said}");
    assert!(!said.contains("Noah"), "{said}");
}

fn text(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn tauri_config() -> serde_json::Value {
    serde_json::from_str(&text("src-tauri/tauri.conf.json")).unwrap()
}

fn debug_app() -> PathBuf {
    hwc_system_tests::relay_process::relay_binary().expect("binaries are built").with_file_name("hwc-school")
}

const FINGERPRINT: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn every_package_names_the_apps_version_and_the_windows_installers_are_dutch_and_per_machine() {
    let config = tauri_config();
    assert_eq!(config["version"], env!("CARGO_PKG_VERSION"), "tauri.conf.json and Cargo.toml");
    let windows = &config["bundle"]["windows"];
    assert_eq!(windows["wix"]["language"], "nl-NL");
    assert_eq!(windows["nsis"]["installMode"], "perMachine");
    assert_eq!(windows["nsis"]["languages"], serde_json::json!(["Dutch"]));
    let from_src_tauri = |key: &serde_json::Value| root().join("src-tauri").join(key.as_str().unwrap());
    assert!(from_src_tauri(&windows["wix"]["fragmentPaths"][0]).is_file());
    assert!(from_src_tauri(&windows["nsis"]["installerHooks"]).is_file());
    let deb = &config["bundle"]["linux"]["deb"];
    assert_eq!(deb["files"]["/etc/hwc-school/config.toml"], "../installer/linux/config.toml");
    let shipped = text("installer/linux/config.toml");
    assert_eq!(hwc_client::MachineConfig::parse(&shipped), Ok(Default::default()), "the shipped file sets nothing");
}

/// Splits a Windows command line the simple way the fragment writes it: words, or "quoted".
fn split_command_line(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let (word, after) = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').expect("closing quote"),
            None => rest.split_once(' ').unwrap_or((rest, "")),
        };
        words.push(word.to_string());
        rest = after.trim_start();
    }
    words
}

#[test]
fn the_msi_fragment_is_well_formed_and_its_custom_action_makes_the_app_write_the_config() {
    let source = text("installer/windows/machine-config.wxs");
    let document = roxmltree::Document::parse(&source).expect("well-formed XML");
    let wix = document.root_element();
    assert_eq!(wix.tag_name().name(), "Wix");
    assert_eq!(wix.tag_name().namespace(), Some("http://schemas.microsoft.com/wix/2006/wi"));
    let element = |name: &str, id: &str| {
        document
            .descendants()
            .find(|n| n.tag_name().name() == name && n.attribute("Id") == Some(id))
            .unwrap_or_else(|| panic!("no <{name} Id=\"{id}\">"))
    };
    for property in ["RELAY_URL", "OFFICE_KEY"] {
        assert_eq!(
            element("Property", property).attribute("Secure"),
            Some("yes"),
            "{property} reaches the server side"
        );
    }
    let component_ref = tauri_config()["bundle"]["windows"]["wix"]["componentRefs"][0].as_str().unwrap().to_string();
    let component = element("Component", &component_ref);
    // The config folder's rights name the accounts through the properties that hold their
    // names in this Windows' language ("Gebruikers" on a Dutch one), never by English name.
    let users: Vec<&str> = component
        .descendants()
        .filter(|n| n.tag_name().name() == "PermissionEx")
        .filter_map(|n| n.attribute("User"))
        .collect();
    assert_eq!(users, ["[WIX_ACCOUNT_ADMINISTRATORS]", "[WIX_ACCOUNT_LOCALSYSTEM]", "[WIX_ACCOUNT_USERS]"]);
    for property in ["WIX_ACCOUNT_ADMINISTRATORS", "WIX_ACCOUNT_LOCALSYSTEM", "WIX_ACCOUNT_USERS"] {
        element("PropertyRef", property);
    }
    let run = component.descendants().find(|n| n.tag_name().name() == "RegistryValue").expect("autostart value");
    assert_eq!(run.attribute("Root"), Some("HKLM"));
    assert_eq!(run.attribute("Value"), Some("\"[#Path]\" --achtergrond"), "the agent, as the Linux autostart entry");

    let action = element("CustomAction", "HwcSchoolWriteConfig");
    assert_eq!(action.attribute("FileKey"), Some("Path"), "the installed app (Tauri's main.wxs names its file Path)");
    assert_eq!(action.attribute("Execute"), Some("deferred"));
    assert_eq!(action.attribute("Impersonate"), Some("no"));
    assert_eq!(action.attribute("Return"), Some("check"), "a refused value fails the installation");
    let scheduled = document
        .descendants()
        .find(|n| n.tag_name().name() == "Custom" && n.attribute("Action") == Some("HwcSchoolWriteConfig"))
        .expect("scheduled");
    assert_eq!(scheduled.text(), Some("RELAY_URL AND NOT REMOVE"));

    // The command line as Windows Installer formats it, run against this build of the app.
    let command = action.attribute("ExeCommand").unwrap();
    for (relay, key, expect_ok) in [
        ("https://relay.gemeente.nl", FINGERPRINT, true),
        ("https://relay.gemeente.nl", "", true),
        ("http://relay.gemeente.nl", FINGERPRINT, false),
    ] {
        let formatted = command.replace("[RELAY_URL]", relay).replace("[OFFICE_KEY]", key);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("HwC School/config.toml");
        let out = Command::new(debug_app())
            .args(split_command_line(&formatted))
            .env("HWC_SCHOOL_CONFIG", &config)
            .env_remove("DISPLAY")
            .output()
            .unwrap();
        assert_eq!(out.status.success(), expect_ok, "{formatted}: {}", String::from_utf8_lossy(&out.stderr));
        if expect_ok {
            let written = hwc_client::MachineConfig::parse(&std::fs::read_to_string(&config).unwrap()).unwrap();
            assert_eq!(written.relay.as_deref(), Some(relay));
            assert_eq!(written.office_key_fingerprint.as_deref(), (!key.is_empty()).then_some(key));
        } else {
            assert_eq!(out.status.code(), Some(2));
            assert!(!config.exists(), "nothing written for a refused value");
        }
    }
}

#[test]
fn the_nsis_hooks_read_the_same_options_and_call_the_same_command() {
    let hooks = text("installer/windows/hooks.nsh");
    let code: Vec<&str> = hooks.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with(';')).collect();
    let count = |prefix: &str| code.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("!macro "), count("!macroend"), "every macro ends");
    assert_eq!(count("${If"), count("${EndIf}"), "every If ends");
    for needed in [
        "!macro NSIS_HOOK_POSTINSTALL",
        "!macro NSIS_HOOK_POSTUNINSTALL",
        "${GetOptions} $R0 \"/RELAY_URL=\" $R1",
        "${GetOptions} $R0 \"/OFFICE_KEY=\" $R2",
        "ExecWait '\"$INSTDIR\\hwc-school.exe\" --installeer-config \"$R1\" \"$R2\"' $R3",
        "WriteRegStr HKLM \"Software\\Microsoft\\Windows\\CurrentVersion\\Run\" \"HwC School\" '\"$INSTDIR\\hwc-school.exe\" --achtergrond'",
        "Delete \"$COMMONPROGRAMDATA\\HwC School\\config.toml\"",
        // The config folder, with or without values: only administrators may change it.
        "CreateDirectory \"$COMMONPROGRAMDATA\\HwC School\"",
        "!insertmacro HWC_RUN_ICACLS '/reset /T /C /Q'",
        "!insertmacro HWC_RUN_ICACLS '/inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /T /C /Q'",
        "!insertmacro HWC_RUN_ICACLS '/setowner *S-1-5-32-544 /T /C /Q'",
    ] {
        assert!(code.contains(&needed), "hooks.nsh lacks: {needed}");
    }
    let position = |line: &str| code.iter().position(|l| *l == line).unwrap();
    assert!(
        position("!insertmacro HWC_RUN_ICACLS '/setowner *S-1-5-32-544 /T /C /Q'") < position("${GetParameters} $R0"),
        "the folder is locked before the app writes into it, and also when no values were given"
    );
}

#[test]
fn the_nsis_hooks_compile_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("hooks-test.nsi");
    let hooks = root().join("installer/windows/hooks.nsh");
    std::fs::write(
        &script,
        format!(
            "Unicode true\n!include \"LogicLib.nsh\"\n!include \"{}\"\nOutFile \"{}\"\nRequestExecutionLevel admin\n\
             Section\n  WriteUninstaller \"$INSTDIR\\uninstall.exe\"\n  !insertmacro NSIS_HOOK_POSTINSTALL\nSectionEnd\n\
             Section \"Uninstall\"\n  !insertmacro NSIS_HOOK_POSTUNINSTALL\nSectionEnd\n",
            hooks.display(),
            dir.path().join("hooks-test.exe").display()
        ),
    )
    .unwrap();
    let out = Command::new("makensis").args(["-WX", "-V2"]).arg(&script).output().expect("makensis (package nsis)");
    assert!(
        out.status.success(),
        "makensis: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_release_workflow_builds_every_platform_from_a_tag_that_must_match_the_version() {
    let docs = yaml_rust2::YamlLoader::load_from_str(&text(".github/workflows/release.yml")).expect("valid YAML");
    let workflow = &docs[0];
    assert_eq!(workflow["on"]["push"]["tags"][0].as_str(), Some("v*"));
    let jobs = &workflow["jobs"];
    let steps_text = |job: &str| {
        let steps = jobs[job]["steps"].as_vec().unwrap_or_else(|| panic!("job {job} has steps"));
        steps.iter().filter_map(|s| s["run"].as_str()).collect::<Vec<_>>().join("\n")
    };
    assert!(steps_text("version").contains("tauri.conf.json") && steps_text("version").contains("GITHUB_REF_NAME"));
    assert!(steps_text("linux").contains("cargo xtask package"));
    assert!(steps_text("windows").contains("--bundles msi,nsis"));
    assert!(steps_text("macos").contains("--bundles app,dmg"));
    let needs: Vec<&str> = jobs["release"]["needs"].as_vec().unwrap().iter().filter_map(|n| n.as_str()).collect();
    assert_eq!(needs, ["version", "linux", "windows", "macos"]);
    for job in ["linux", "windows", "macos"] {
        assert_eq!(jobs[job]["needs"].as_str(), Some("version"), "{job} waits for the version check");
    }
}
