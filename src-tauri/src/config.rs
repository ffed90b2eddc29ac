//! Where the machine-wide configuration that school IT deploys lives, and reading it. What it
//! may hold and how it is checked is `hwc_client::MachineConfig` (pure, and fuzzed there).

use hwc_client::MachineConfig;
use std::path::PathBuf;

/// Where the file lives on this operating system (debug builds: `HWC_SCHOOL_CONFIG` may point
/// elsewhere, for the tests).
pub fn path() -> PathBuf {
    if cfg!(debug_assertions) {
        if let Some(path) = std::env::var_os("HWC_SCHOOL_CONFIG") {
            return PathBuf::from(path);
        }
    }
    if cfg!(windows) {
        let base =
            std::env::var_os("ProgramData").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
        base.join("HwC School").join("config.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/HwC School/config.toml")
    } else {
        PathBuf::from("/etc/hwc-school/config.toml")
    }
}

/// Checks an installer's values and writes them as the file (its folder is created when
/// missing, and on Windows made changeable by administrators only; the file is replaced whole,
/// never half-written). A reminder time the school set in the file before is kept (an
/// installer only knows the relay and the fingerprint). Says what to fix when refused.
pub fn install(relay: &str, office_key_fingerprint: &str) -> Result<PathBuf, String> {
    let mut config = MachineConfig::from_installer(relay, office_key_fingerprint).map_err(|e| e.to_string())?;
    let path = path();
    if let Some(earlier) = std::fs::read_to_string(&path).ok().and_then(|text| MachineConfig::parse(&text).ok()) {
        config.reminder_at = earlier.reminder_at;
    }
    let folder = path.parent().ok_or_else(|| format!("{} heeft geen map", path.display()))?;
    std::fs::create_dir_all(folder).map_err(|e| format!("{} kan niet worden gemaakt: {e}", folder.display()))?;
    hwc_hardening::admin_only::make_admin_only(folder).map_err(|e| {
        format!("de rechten van {} kunnen niet worden gezet ({e}); installeer als beheerder", folder.display())
    })?;
    let fresh = folder.join(".config.toml.nieuw");
    std::fs::write(&fresh, config.to_toml()).and_then(|()| std::fs::rename(&fresh, &path)).map_err(|e| {
        let _ = std::fs::remove_file(&fresh);
        format!("{} kan niet worden geschreven: {e}", path.display())
    })?;
    Ok(path)
}

/// Reads and checks the file. No file means no settings; a bad file is an error that says
/// what to fix (the app then refuses to start rather than silently ignore a pin). On Windows
/// the file counts only in a folder that only administrators may change: otherwise any user
/// could have written it (see `hwc_hardening::admin_only`).
pub fn load() -> Result<MachineConfig, String> {
    let path = path();
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let folder = path.parent().unwrap_or(&path);
            let admin_only = |p: &std::path::Path| hwc_hardening::admin_only::is_admin_only(p).unwrap_or(false);
            if !admin_only(folder) || !admin_only(&path) {
                return Err(format!(
                    "de instellingen in {} kunnen door gewone gebruikers worden gewijzigd en worden daarom niet vertrouwd; \
                     laat de ICT-beheerder HwC School opnieuw installeren",
                    folder.display()
                ));
            }
            MachineConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(MachineConfig::default()),
        Err(e) => Err(format!("{} kan niet worden gelezen: {e}", path.display())),
    }
}
