//! The vault's database key: 32 random bytes kept in the operating system's credential store
//! (`hwc-keystore`: Secret Service, Windows Credential Manager, macOS Keychain), one entry per
//! data directory. The entry name is derived from the canonical path of the data directory, so
//! two data directories never share a key.
//! The key only ever leaves this module as a SQLCipher `PRAGMA key` statement in wiped memory.
//!
//! Next to it, in an entry of its own, the *PIN pepper*: 32 random bytes that go into the key
//! sealing the device's open key together with the PIN ([`crate::pin`]). It is never stored in
//! the vault, so a copy of the data directory (even with the vault key) cannot open signals.

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

/// The keyring user name for the PIN pepper of the device in `canonical_dir`:
/// `pin-pepper-` and the same path hash as [`keyring_user`].
pub fn pepper_keyring_user(canonical_dir: &Path) -> String {
    let digest = Sha256::digest(canonical_dir.as_os_str().as_encoded_bytes());
    format!("pin-pepper-{}", hex::encode(&digest[..8]))
}

/// Reads a 32-byte secret; `missing` is the error for an absent entry.
fn load_secret(user: &str, missing: VaultError, malformed: VaultError) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    let secret = hwc_keystore::load(KEYRING_SERVICE, user)?.ok_or(missing)?;
    let bytes: [u8; 32] = secret.as_slice().try_into().map_err(|_| malformed)?;
    Ok(Zeroizing::new(bytes))
}

/// Removes an entry; absent already is fine.
fn delete_entry(user: &str) -> Result<(), VaultError> {
    Ok(hwc_keystore::delete(KEYRING_SERVICE, user)?)
}

/// Stores `key` as the vault key of `canonical_dir`, replacing any earlier one.
pub(crate) fn store(canonical_dir: &Path, key: &VaultKey) -> Result<(), VaultError> {
    Ok(hwc_keystore::store(KEYRING_SERVICE, &keyring_user(canonical_dir), &key.0[..])?)
}

/// Reads the vault key of `canonical_dir` from the keyring.
pub(crate) fn load(canonical_dir: &Path) -> Result<VaultKey, VaultError> {
    load_secret(&keyring_user(canonical_dir), VaultError::KeyMissing, VaultError::KeyMalformed).map(VaultKey)
}

/// Removes the vault key and the PIN pepper of `canonical_dir`; absent already is fine.
/// Both are tried even when the first fails.
pub(crate) fn delete(canonical_dir: &Path) -> Result<(), VaultError> {
    let pepper = delete_entry(&pepper_keyring_user(canonical_dir));
    let key = delete_entry(&keyring_user(canonical_dir));
    pepper.and(key)
}

/// The PIN pepper, wiped from memory on drop. No `Debug`.
pub(crate) struct PinPepper(Zeroizing<[u8; 32]>);

impl PinPepper {
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Makes a fresh PIN pepper for `canonical_dir` and stores it, replacing any earlier one.
pub(crate) fn create_pepper(canonical_dir: &Path) -> Result<PinPepper, VaultError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut *bytes).map_err(|_| VaultError::NoRandomness)?;
    hwc_keystore::store(KEYRING_SERVICE, &pepper_keyring_user(canonical_dir), &bytes[..])?;
    Ok(PinPepper(bytes))
}

/// Reads the PIN pepper of `canonical_dir` from the keyring.
pub(crate) fn load_pepper(canonical_dir: &Path) -> Result<PinPepper, VaultError> {
    load_secret(&pepper_keyring_user(canonical_dir), VaultError::PepperMissing, VaultError::PepperMalformed)
        .map(PinPepper)
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
        let p = pepper_keyring_user(Path::new("/tmp/a"));
        assert_eq!(p, format!("pin-pepper-{}", &a["vault-key-".len()..]));
    }

    #[test]
    fn pragma_is_a_raw_hex_key() {
        let key = VaultKey::from_bytes([0xab; 32]);
        assert_eq!(key.pragma().as_str(), format!("PRAGMA key = \"x'{}'\";", "ab".repeat(32)));
    }
}
