//! The vault's database key: 32 random bytes kept in the operating system's keyring (Secret
//! Service on Linux), one entry per data directory. The entry name is derived from the
//! canonical path of the data directory, so two data directories never share a key.
//! The key only ever leaves this module as a SQLCipher `PRAGMA key` statement in wiped memory.

use super::VaultError;
use sha2::{Digest, Sha256};
use std::path::Path;
use zeroize::Zeroizing;

/// The keyring service every vault key is filed under.
pub const KEYRING_SERVICE: &str = "nl.hwc.school";

/// A vault key, wiped from memory on drop. No `Debug`.
pub(crate) struct VaultKey(Zeroizing<[u8; 32]>);

impl VaultKey {
    /// Fresh random key (not yet stored anywhere).
    pub(crate) fn generate() -> Result<Self, VaultError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *bytes).map_err(|_| VaultError::NoRandomness)?;
        Ok(Self(bytes))
    }

    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The SQLCipher statement that unlocks the database with this raw key.
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode(*self.0));
        Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", hex.as_str()))
    }
}

/// The keyring user name for the vault in `canonical_dir`:
/// `vault-key-` and the hex of the first 8 bytes of SHA-256 over the path.
pub fn keyring_user(canonical_dir: &Path) -> String {
    let digest = Sha256::digest(canonical_dir.as_os_str().as_encoded_bytes());
    format!("vault-key-{}", hex::encode(&digest[..8]))
}

fn entry(canonical_dir: &Path) -> Result<keyring::Entry, VaultError> {
    keyring::Entry::new(KEYRING_SERVICE, &keyring_user(canonical_dir)).map_err(VaultError::keyring)
}

/// Stores `key` as the vault key of `canonical_dir`, replacing any earlier one.
pub(crate) fn store(canonical_dir: &Path, key: &VaultKey) -> Result<(), VaultError> {
    entry(canonical_dir)?.set_secret(&key.0[..]).map_err(VaultError::keyring)
}

/// Reads the vault key of `canonical_dir` from the keyring.
pub(crate) fn load(canonical_dir: &Path) -> Result<VaultKey, VaultError> {
    let secret = Zeroizing::new(entry(canonical_dir)?.get_secret().map_err(|e| match e {
        keyring::Error::NoEntry => VaultError::KeyMissing,
        other => VaultError::keyring(other),
    })?);
    let bytes: [u8; 32] = secret.as_slice().try_into().map_err(|_| VaultError::KeyMalformed)?;
    Ok(VaultKey(Zeroizing::new(bytes)))
}

/// Removes the vault key of `canonical_dir`; absent already is fine.
pub(crate) fn delete(canonical_dir: &Path) -> Result<(), VaultError> {
    match entry(canonical_dir)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(other) => Err(VaultError::keyring(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_user_depends_on_the_path_only() {
        let a = keyring_user(Path::new("/tmp/a"));
        assert_eq!(a, keyring_user(Path::new("/tmp/a")));
        assert_ne!(a, keyring_user(Path::new("/tmp/b")));
        assert!(a.starts_with("vault-key-") && a.len() == "vault-key-".len() + 16, "{a}");
    }

    #[test]
    fn pragma_is_a_raw_hex_key() {
        let key = VaultKey::from_bytes([0xab; 32]);
        assert_eq!(key.pragma().as_str(), format!("PRAGMA key = \"x'{}'\";", "ab".repeat(32)));
    }
}
