//! The device's two secret keys, one row each: the signing key (requests, receipts) and the
//! open key (decrypting signals). Kept apart so the app can later protect the open key with a
//! PIN of its own without touching the signing key.

use super::{Vault, VaultError};
use hwc_protocol::{DeviceOpenKey, DeviceSigningKey};
use rusqlite::OptionalExtension;
use zeroize::Zeroizing;

const SIGNING: &str = "signing";
const OPEN: &str = "open";

impl Vault {
    fn secret(&self, kind: &str) -> Result<Option<Zeroizing<[u8; 32]>>, VaultError> {
        let row: Option<Zeroizing<Vec<u8>>> = self
            .conn
            .query_row("SELECT secret FROM device_keys WHERE kind = ?1", [kind], |r| r.get::<_, Vec<u8>>(0))
            .optional()?
            .map(Zeroizing::new);
        match row {
            None => Ok(None),
            Some(bytes) => {
                let array: [u8; 32] =
                    bytes.as_slice().try_into().map_err(|_| VaultError::Corrupt("apparaatsleutel"))?;
                Ok(Some(Zeroizing::new(array)))
            }
        }
    }

    /// Stores both keys in one transaction (enrollment).
    pub(crate) fn store_device_keys(
        &mut self,
        signing: &DeviceSigningKey,
        open: &DeviceOpenKey,
    ) -> Result<(), VaultError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO device_keys (kind, secret) VALUES (?1, ?2)",
            rusqlite::params![SIGNING, &signing.secret_bytes()[..]],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO device_keys (kind, secret) VALUES (?1, ?2)",
            rusqlite::params![OPEN, &open.secret_bytes()[..]],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn signing_key(&self) -> Result<Option<DeviceSigningKey>, VaultError> {
        Ok(self.secret(SIGNING)?.map(|bytes| DeviceSigningKey::from_secret_bytes(&bytes)))
    }

    pub(crate) fn open_key(&self) -> Result<Option<DeviceOpenKey>, VaultError> {
        match self.secret(OPEN)? {
            None => Ok(None),
            Some(bytes) => {
                DeviceOpenKey::from_secret_bytes(&bytes).map(Some).map_err(|_| VaultError::Corrupt("ontsleutelsleutel"))
            }
        }
    }

    pub(super) fn key_presence(&self) -> Result<(bool, bool), VaultError> {
        let count = |kind: &str| -> Result<bool, VaultError> {
            Ok(self
                .conn
                .query_row("SELECT count(*) FROM device_keys WHERE kind = ?1", [kind], |r| r.get::<_, i64>(0))?
                > 0)
        };
        Ok((count(SIGNING)?, count(OPEN)?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::vault_with_key;
    use hwc_protocol::{DeviceOpenKey, DevicePublicKeys, DeviceSigningKey};

    #[test]
    fn keys_round_trip_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let signing = DeviceSigningKey::generate().unwrap();
        let open = DeviceOpenKey::generate().unwrap();
        let mut vault = vault_with_key(dir.path(), 9, true).unwrap();
        assert!(vault.signing_key().unwrap().is_none());
        vault.store_device_keys(&signing, &open).unwrap();
        drop(vault);
        let vault = vault_with_key(dir.path(), 9, false).unwrap();
        let (s, o) = (vault.signing_key().unwrap().unwrap(), vault.open_key().unwrap().unwrap());
        assert_eq!(DevicePublicKeys::of(&s, &o), DevicePublicKeys::of(&signing, &open));
        let status = vault.status().unwrap();
        assert!(status.has_signing_key && status.has_open_key);
    }
}
