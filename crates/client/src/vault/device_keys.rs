//! The device's two secret keys, split by duty. The signing key (requests, receipts) is a row
//! of `device_keys`, protected by the vault key alone, so the app can work while locked. The
//! open key (decrypting signals) is in `open_key` only sealed with the PIN and the keyring's
//! pepper ([`crate::pin`]): salt, nonce and ciphertext, with its public half. A vault from
//! before the PIN may still hold a plain `open` row in `device_keys`; it is reported, never used.

use super::{Vault, VaultError};
use crate::pin::{WrappedOpenKey, NONCE_LEN, SALT_LEN, SEALED_LEN};
use hwc_protocol::DeviceSigningKey;
use rusqlite::OptionalExtension;
use zeroize::Zeroizing;

const SIGNING: &str = "signing";
const PLAIN_OPEN: &str = "open";

/// Which keys a vault holds.
pub(super) struct KeyPresence {
    pub signing: bool,
    pub wrapped_open: bool,
    /// An unprotected open key left by a vault from before the PIN.
    pub plain_open: bool,
}

fn array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], VaultError> {
    bytes.try_into().map_err(|_| VaultError::Corrupt("ontsleutelsleutel"))
}

impl Vault {
    /// Stores the signing key alone (enrollment, before the relay knows the device; the open
    /// key follows with [`Vault::store_wrapped_open_key`] once it can be sealed with the guard).
    pub(crate) fn store_signing_key(&mut self, signing: &DeviceSigningKey) -> Result<(), VaultError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO device_keys (kind, secret) VALUES (?1, ?2)",
            rusqlite::params![SIGNING, &signing.secret_bytes()[..]],
        )?;
        Ok(())
    }

    /// Stores the sealed open key (enrollment).
    pub(crate) fn store_wrapped_open_key(&mut self, open: &WrappedOpenKey) -> Result<(), VaultError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO open_key (id, public_key, salt, nonce, sealed, guarded) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![&open.public_key[..], &open.salt[..], &open.nonce[..], &open.sealed[..], open.guarded],
        )?;
        Ok(())
    }

    /// Replaces the sealed open key (a new PIN, or sealed again with the PIN guard); the public
    /// half must stay the same.
    pub(crate) fn replace_wrapped_open_key(&mut self, open: &WrappedOpenKey) -> Result<(), VaultError> {
        let changed = self.conn.execute(
            "UPDATE open_key SET salt = ?1, nonce = ?2, sealed = ?3, guarded = ?4 WHERE id = 1 AND public_key = ?5",
            rusqlite::params![&open.salt[..], &open.nonce[..], &open.sealed[..], open.guarded, &open.public_key[..]],
        )?;
        if changed != 1 {
            return Err(VaultError::Corrupt("ontsleutelsleutel"));
        }
        Ok(())
    }

    pub(crate) fn signing_key(&self) -> Result<Option<DeviceSigningKey>, VaultError> {
        let row: Option<Zeroizing<Vec<u8>>> = self
            .conn
            .query_row("SELECT secret FROM device_keys WHERE kind = ?1", [SIGNING], |r| r.get::<_, Vec<u8>>(0))
            .optional()?
            .map(Zeroizing::new);
        match row {
            None => Ok(None),
            Some(bytes) => {
                let array: Zeroizing<[u8; 32]> =
                    Zeroizing::new(bytes.as_slice().try_into().map_err(|_| VaultError::Corrupt("ondertekensleutel"))?);
                Ok(Some(DeviceSigningKey::from_secret_bytes(&array)))
            }
        }
    }

    /// The sealed open key (nothing secret in it without the PIN and the pepper).
    pub(crate) fn wrapped_open_key(&self) -> Result<Option<WrappedOpenKey>, VaultError> {
        let row = self
            .conn
            .query_row("SELECT public_key, salt, nonce, sealed, guarded FROM open_key WHERE id = 1", [], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            })
            .optional()?;
        match row {
            None => Ok(None),
            Some((public_key, salt, nonce, sealed, guarded)) => Ok(Some(WrappedOpenKey {
                public_key: array::<32>(&public_key)?,
                salt: array::<SALT_LEN>(&salt)?,
                nonce: array::<NONCE_LEN>(&nonce)?,
                sealed: array::<SEALED_LEN>(&sealed)?,
                guarded,
            })),
        }
    }

    pub(super) fn key_presence(&self) -> Result<KeyPresence, VaultError> {
        let count = |sql: &str, kind: &str| -> Result<bool, VaultError> {
            Ok(self.conn.query_row(sql, [kind], |r| r.get::<_, i64>(0))? > 0)
        };
        let in_device_keys = "SELECT count(*) FROM device_keys WHERE kind = ?1";
        Ok(KeyPresence {
            signing: count(in_device_keys, SIGNING)?,
            plain_open: count(in_device_keys, PLAIN_OPEN)?,
            wrapped_open: self.conn.query_row("SELECT count(*) FROM open_key", [], |r| r.get::<_, i64>(0))? > 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::vault_with_key;
    use super::*;
    use crate::pin::{unwrap, wrap};
    use hwc_protocol::{DeviceId, DeviceOpenKey};

    #[test]
    fn keys_round_trip_across_reopen_and_the_open_key_only_sealed() {
        let dir = tempfile::tempdir().unwrap();
        let signing = DeviceSigningKey::generate().unwrap();
        let open = DeviceOpenKey::generate().unwrap();
        let device = DeviceId::from_bytes([5; 16]);
        let pepper = [6u8; 32];
        let wrapped = wrap(&open.secret_bytes(), open.public_bytes(), "246810", &pepper, &device, None).unwrap();
        let mut vault = vault_with_key(dir.path(), 9, true).unwrap();
        assert!(vault.signing_key().unwrap().is_none());
        assert!(vault.wrapped_open_key().unwrap().is_none());
        vault.store_signing_key(&signing).unwrap();
        vault.store_wrapped_open_key(&wrapped).unwrap();
        drop(vault);

        let mut vault = vault_with_key(dir.path(), 9, false).unwrap();
        assert_eq!(vault.signing_key().unwrap().unwrap().public_bytes(), signing.public_bytes());
        let stored = vault.wrapped_open_key().unwrap().unwrap();
        assert!(stored == wrapped);
        assert_eq!(*unwrap(&stored, "246810", &pepper, &device, None).unwrap(), *open.secret_bytes());
        assert!(!stored.guarded);
        let status = vault.status().unwrap();
        assert!(status.has_signing_key && status.has_open_key && status.open_key_pin_protected);

        // A new PIN (here also sealed with the guard) replaces salt, nonce, ciphertext and the
        // guard mark; the public half must match.
        let guard = Zeroizing::new([1u8; 64]);
        let rewrapped =
            wrap(&open.secret_bytes(), open.public_bytes(), "13579135", &pepper, &device, Some(&guard)).unwrap();
        vault.replace_wrapped_open_key(&rewrapped).unwrap();
        assert!(vault.wrapped_open_key().unwrap().unwrap() == rewrapped);
        assert!(vault.wrapped_open_key().unwrap().unwrap().guarded);
        let mut foreign = rewrapped.clone();
        foreign.public_key = [1; 32];
        assert!(matches!(vault.replace_wrapped_open_key(&foreign), Err(VaultError::Corrupt(_))));
    }

    #[test]
    fn a_version_3_open_key_gains_the_guard_mark_as_unguarded() {
        let dir = tempfile::tempdir().unwrap();
        let signing = DeviceSigningKey::generate().unwrap();
        let open = DeviceOpenKey::generate().unwrap();
        let device = DeviceId::from_bytes([5; 16]);
        let wrapped = wrap(&open.secret_bytes(), open.public_bytes(), "246810", &[6u8; 32], &device, None).unwrap();
        let mut vault = vault_with_key(dir.path(), 12, true).unwrap();
        vault.store_signing_key(&signing).unwrap();
        vault.store_wrapped_open_key(&wrapped).unwrap();
        // What a version-3 vault holds: the same table without the column.
        vault
            .conn
            .execute_batch(
                "CREATE TABLE old_open_key AS SELECT id, public_key, salt, nonce, sealed FROM open_key;
                 DROP TABLE open_key; ALTER TABLE old_open_key RENAME TO open_key; PRAGMA user_version = 3;",
            )
            .unwrap();
        drop(vault);
        let vault = vault_with_key(dir.path(), 12, false).unwrap();
        let stored = vault.wrapped_open_key().unwrap().unwrap();
        assert!(stored == wrapped && !stored.guarded);
        let version: i64 = vault.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, super::super::schema::SCHEMA_VERSION);
    }

    #[test]
    fn an_unprotected_open_key_from_an_old_vault_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_with_key(dir.path(), 10, true).unwrap();
        vault.conn.execute("INSERT INTO device_keys (kind, secret) VALUES ('open', zeroblob(32))", []).unwrap();
        let status = vault.status().unwrap();
        assert!(status.has_open_key && !status.open_key_pin_protected);
    }
}
