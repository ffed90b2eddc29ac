//! The 32-byte key of the encrypted sender database. It lives in the OS keyring (Secret
//! Service) under service `nl.hwc.send`, account `state-key-<hash of the state dir>`; only when
//! the caller explicitly passes `--key-file PATH` does it live in a file instead (mode 0600,
//! refused when group or others may read it). The key is held in memory that is wiped on drop.

use crate::error::{Result, SendError};
use crate::state_dir::{keyring_account, KEYRING_SERVICE};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where the database key is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The OS keyring (Secret Service): the normal case.
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
                keyring_entry(canonical_dir)?.set_password(&key.hex()).map_err(keyring_error)?;
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
                let text = Zeroizing::new(keyring_entry(canonical_dir)?.get_password().map_err(|e| match e {
                    keyring::Error::NoEntry => SendError::KeyringEntryMissing,
                    other => keyring_error(other),
                })?);
                Self::from_hex(&text).ok_or(SendError::WrongKey)
            }
            KeySource::File(path) => read_key_file(path),
        }
    }

    /// Removes the keyring entry of a state directory (used by tests and on a failed `init`).
    pub fn forget(source: &KeySource, canonical_dir: &Path) -> Result<()> {
        if let KeySource::Keyring = source {
            match keyring_entry(canonical_dir)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(keyring_error(e)),
            }
        }
        Ok(())
    }
}

fn keyring_entry(canonical_dir: &Path) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, &keyring_account(canonical_dir)).map_err(keyring_error)
}

fn keyring_error(err: keyring::Error) -> SendError {
    SendError::Keyring(err.to_string())
}

fn file_error(path: &Path, reason: impl Into<String>) -> SendError {
    SendError::KeyFile { path: path.to_path_buf(), reason: reason.into() }
}

fn write_key_file(path: &Path, key: &DbKey) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| file_error(path, crate::io_reason(&e)))?;
    let mut line = key.hex();
    line.push('\n');
    file.write_all(line.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| file_error(path, crate::io_reason(&e)))
}

fn read_key_file(path: &Path) -> Result<DbKey> {
    let meta = std::fs::metadata(path).map_err(|e| file_error(path, crate::io_reason(&e)))?;
    if !meta.is_file() {
        return Err(file_error(path, "dit is geen gewoon bestand"));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(SendError::KeyFileTooOpen { path: path.to_path_buf() });
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
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let again = DbKey::load(&source, tmp.path()).unwrap();
        assert_eq!(*key.hex(), *again.hex());
        assert_eq!(format!("{key:?}"), "DbKey(..)");
    }

    #[test]
    fn key_file_readable_by_others_is_refused() {
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
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(DbKey::load(&KeySource::File(path), tmp.path()), Err(SendError::KeyFile { .. })));
    }
}
