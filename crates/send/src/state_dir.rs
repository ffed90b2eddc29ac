//! Where the sender keeps its state: the directory chosen with `--state-dir` or `HWC_SEND_STATE`,
//! otherwise `$XDG_DATA_HOME/hwc-send` or `~/.local/share/hwc-send`. The directory is private
//! (mode 0700) and holds only the encrypted database `state.db` (and SQLite's short-lived
//! rollback journal next to it).

use crate::error::{Result, SendError};
use sha2::{Digest, Sha256};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// File name of the encrypted database inside the state directory.
pub const DB_FILE: &str = "state.db";
/// Keyring service name of the database key.
pub const KEYRING_SERVICE: &str = "nl.hwc.send";

/// The default state directory from the environment (`HWC_SEND_STATE`, `XDG_DATA_HOME`, `HOME`).
pub fn default_state_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("HWC_SEND_STATE").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
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

/// Creates the directory (mode 0700) if needed and returns its canonical path.
pub fn create_private_dir(dir: &Path) -> Result<PathBuf> {
    if !dir.exists() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| dir_error(dir, e))?;
    }
    let canonical = std::fs::canonicalize(dir).map_err(|e| dir_error(dir, e))?;
    let meta = std::fs::metadata(&canonical).map_err(|e| dir_error(dir, e))?;
    if !meta.is_dir() {
        return Err(SendError::StateDir { dir: dir.to_path_buf(), reason: "dit is geen map".into() });
    }
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(&canonical, std::fs::Permissions::from_mode(0o700)).map_err(|e| dir_error(dir, e))?;
    }
    Ok(canonical)
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
    let digest = Sha256::digest(canonical.as_os_str().as_bytes());
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
    fn private_dir_is_created_0700() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("x/y");
        let canonical = create_private_dir(&dir).unwrap();
        let mode = std::fs::metadata(&canonical).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert!(matches!(existing_dir(&dir), Err(SendError::NotInitialised { .. })));
    }
}
