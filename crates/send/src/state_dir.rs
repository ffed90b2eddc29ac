//! Where the sender keeps its state: the directory chosen with `--state-dir` or `HWC_SEND_STATE`,
//! otherwise `%LOCALAPPDATA%\hwc-send` on Windows and `$XDG_DATA_HOME/hwc-send` or
//! `~/.local/share/hwc-send` elsewhere. The directory is private to its user (mode 0700, or on
//! Windows an access list for the user alone: `hwc_hardening::private_fs`) and holds only the
//! encrypted database `state.db` (and SQLite's short-lived rollback journal next to it).

use crate::error::{Result, SendError};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File name of the encrypted database inside the state directory.
pub const DB_FILE: &str = "state.db";
/// Keyring service name of the database key.
pub const KEYRING_SERVICE: &str = "nl.hwc.send";

/// The default state directory from the environment (`HWC_SEND_STATE`; then `LOCALAPPDATA` on
/// Windows, `XDG_DATA_HOME` or `HOME` elsewhere).
pub fn default_state_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("HWC_SEND_STATE").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if cfg!(windows) {
        return match std::env::var_os("LOCALAPPDATA").filter(|v| !v.is_empty()) {
            Some(local) => Ok(PathBuf::from(local).join("hwc-send")),
            None => Err(SendError::NoStateDir),
        };
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(data).join("hwc-send"));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/hwc-send")),
        None => Err(SendError::NoStateDir),
    }
}

fn dir_error(dir: &Path, err: std::io::Error) -> SendError {
    SendError::StateDir { dir: dir.to_path_buf(), reason: crate::io_reason(&err) }
}

/// Creates the directory if needed, makes it private to this user and returns its canonical path.
pub fn create_private_dir(dir: &Path) -> Result<PathBuf> {
    if dir.exists() && !dir.is_dir() {
        return Err(SendError::StateDir { dir: dir.to_path_buf(), reason: "dit is geen map".into() });
    }
    hwc_hardening::private_fs::create_private_dir(dir).map_err(|e| dir_error(dir, e))?;
    std::fs::canonicalize(dir).map_err(|e| dir_error(dir, e))
}

/// The canonical path of an existing state directory, or [`SendError::NotInitialised`].
pub fn existing_dir(dir: &Path) -> Result<PathBuf> {
    let canonical = std::fs::canonicalize(dir).map_err(|_| SendError::NotInitialised { dir: dir.to_path_buf() })?;
    if !canonical.join(DB_FILE).is_file() {
        return Err(SendError::NotInitialised { dir: dir.to_path_buf() });
    }
    Ok(canonical)
}

/// The keyring account that holds the database key of the state directory `canonical`:
/// `state-key-` and the hex of the first 8 bytes of SHA-256 over the canonical path.
pub fn keyring_account(canonical: &Path) -> String {
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    format!("state-key-{}", hex::encode(&digest[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_name_depends_on_the_path_only() {
        let a = keyring_account(Path::new("/tmp/a"));
        assert_eq!(a.len(), "state-key-".len() + 16);
        assert!(a.starts_with("state-key-"));
        assert_eq!(a, keyring_account(Path::new("/tmp/a")));
        assert_ne!(a, keyring_account(Path::new("/tmp/b")));
    }

    #[test]
    fn private_dir_is_created_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("Zoë de Vries").join("x y");
        let canonical = create_private_dir(&dir).unwrap();
        assert!(hwc_hardening::private_fs::is_private(&canonical).unwrap());
        assert!(matches!(existing_dir(&dir), Err(SendError::NotInitialised { .. })));
    }

    #[test]
    fn a_file_is_no_state_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("bestand");
        std::fs::write(&file, b"").unwrap();
        let err = create_private_dir(&file).unwrap_err();
        assert!(err.to_string().contains("dit is geen map"), "{err}");
    }
}
