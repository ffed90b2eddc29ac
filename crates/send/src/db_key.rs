//! The 32-byte key of the encrypted sender database. It lives in the OS credential store
//! (`hwc-keystore`: Secret Service, Windows Credential Manager, macOS Keychain) under service
//! `nl.hwc.send`, account `state-key-<hash of the state dir>`; only when the caller explicitly
//! passes `--key-file PATH` does it live in a file instead, private to its user (mode 0600, or
//! on Windows an access list for the user alone) and refused when others may read it. The key
//! is held in memory that is wiped on drop.

use crate::error::{Result, SendError};
use crate::state_dir::{keyring_account, KEYRING_SERVICE};
use hwc_hardening::private_fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where the database key is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The OS credential store: the normal case.
    Keyring,
    /// A key file, only when explicitly asked for (`--key-file PATH`).
    File(PathBuf),
}

/// The database key. Never printed, wiped on drop.
pub struct DbKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(..)")
    }
}

impl DbKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *bytes).map_err(|_| SendError::Key(hwc_protocol::KeyError::NoRandomness))?;
        Ok(Self(bytes))
    }

    /// The key as 64 lowercase hex characters (for `PRAGMA key`).
    pub fn hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.0))
    }

    fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), &mut *bytes).ok()?;
        Some(Self(bytes))
    }

    /// For `init`: a new key stored in `source` (a key file that already exists is used as is).
    pub fn create(source: &KeySource, canonical_dir: &Path) -> Result<Self> {
        match source {
            KeySource::Keyring => {
                let key = Self::generate()?;
                // An entry left over for this path belongs to a database that no longer exists
                // (init refuses when one does), so it is replaced.
                hwc_keystore::store(KEYRING_SERVICE, &keyring_account(canonical_dir), key.hex().as_bytes())?;
                Ok(key)
            }
            KeySource::File(path) if path.exists() => read_key_file(path),
            KeySource::File(path) => {
                let key = Self::generate()?;
                write_key_file(path, &key)?;
                Ok(key)
            }
        }
    }

    /// For every later run: the stored key.
    pub fn load(source: &KeySource, canonical_dir: &Path) -> Result<Self> {
        match source {
            KeySource::Keyring => {
                let stored = hwc_keystore::load(KEYRING_SERVICE, &keyring_account(canonical_dir))?
                    .ok_or(SendError::KeyringEntryMissing)?;
                let text = std::str::from_utf8(&stored).map_err(|_| SendError::WrongKey)?;
                Self::from_hex(text).ok_or(SendError::WrongKey)
            }
            KeySource::File(path) => read_key_file(path),
        }
    }

    /// Removes the keyring entry of a state directory (used by tests and on a failed `init`).
    pub fn forget(source: &KeySource, canonical_dir: &Path) -> Result<()> {
        if let KeySource::Keyring = source {
            hwc_keystore::delete(KEYRING_SERVICE, &keyring_account(canonical_dir))?;
        }
        Ok(())
    }
}

fn file_error(path: &Path, reason: impl Into<String>) -> SendError {
    SendError::KeyFile { path: path.to_path_buf(), reason: reason.into() }
}

fn write_key_file(path: &Path, key: &DbKey) -> Result<()> {
    let mut file = private_fs::create_private_file(path).map_err(|e| file_error(path, crate::io_reason(&e)))?;
    let mut line = key.hex();
    line.push('\n');
    file.write_all(line.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| file_error(path, crate::io_reason(&e)))
}

fn read_key_file(path: &Path) -> Result<DbKey> {
    let meta = std::fs::metadata(path).map_err(|e| file_error(path, crate::io_reason(&e)))?;
    if !meta.is_file() {
        return Err(file_error(path, "dit is geen gewoon bestand"));
    }
    if !private_fs::is_private(path).map_err(|e| file_error(path, crate::io_reason(&e)))? {
        return Err(SendError::KeyFileTooOpen { path: path.to_path_buf(), fix: private_fs::how_to_make_private(path) });
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| file_error(path, crate::io_reason(&e)))?);
    DbKey::from_hex(&text).ok_or_else(|| file_error(path, "het bevat geen sleutel van 64 hexadecimale tekens"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_private_and_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("key");
        let source = KeySource::File(path.clone());
        let key = DbKey::create(&source, tmp.path()).unwrap();
        assert!(private_fs::is_private(&path).unwrap());
        let again = DbKey::load(&source, tmp.path()).unwrap();
        assert_eq!(*key.hex(), *again.hex());
        assert_eq!(format!("{key:?}"), "DbKey(..)");
    }

    #[cfg(unix)]
    #[test]
    fn key_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("key");
        let source = KeySource::File(path.clone());
        DbKey::create(&source, tmp.path()).unwrap();
        for mode in [0o640, 0o604, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = DbKey::load(&source, tmp.path()).unwrap_err();
            assert!(matches!(err, SendError::KeyFileTooOpen { .. }), "{mode:o}");
            assert!(err.to_string().contains("chmod 600"));
        }
    }

    #[test]
    fn garbage_key_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("key");
        std::fs::write(&path, "not a key").unwrap();
        private_fs::make_private(&path).unwrap();
        assert!(matches!(DbKey::load(&KeySource::File(path), tmp.path()), Err(SendError::KeyFile { .. })));
    }
}
