//! Signals this device has seen handled: acknowledged here, or acknowledged by a colleague while
//! this device held the envelope. Only the signal id (random, not personal data) and the
//! envelope's expiry are kept, until that expiry, so that the relay cannot bring a handled
//! signal back: an envelope with such an id is refused at fetch. After its expiry an envelope is
//! refused anyway, so the id is then forgotten ([`Vault::delete_expired`]).

use super::{Vault, VaultError};
use hwc_protocol::SignalId;
use rusqlite::Connection;

/// Remembers `id` as handled until `expires_at` (the later expiry wins). Used inside the
/// transactions that delete the envelope.
pub(super) fn remember(conn: &Connection, id: &SignalId, expires_at: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO handled (signal_id, expires_at) VALUES (?1, ?2)
         ON CONFLICT(signal_id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)",
        rusqlite::params![id.to_string(), expires_at],
    )?;
    Ok(())
}

/// Forgets every handled id whose expiry is at or before `now`.
pub(super) fn forget_expired(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM handled WHERE expires_at <= ?1", [now])?;
    Ok(())
}

impl Vault {
    /// Whether the signal was handled (here or by a colleague) and its envelope has not expired.
    pub fn is_handled(&self, id: &SignalId) -> Result<bool, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM handled WHERE signal_id = ?1", [id.to_string()], |r| r.get::<_, i64>(0))?
            > 0)
    }

    pub(super) fn handled_count(&self) -> Result<usize, VaultError> {
        Ok(self.conn.query_row("SELECT count(*) FROM handled", [], |r| r.get::<_, i64>(0))?.max(0) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{stub_envelope as env, vault_with_key};
    use super::*;

    fn id(byte: u8) -> SignalId {
        SignalId::from_bytes([byte; 16])
    }

    #[test]
    fn handled_ids_are_kept_until_their_expiry_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 10, true).unwrap();
        vault.store_inbox(&[env(1, 500), env(2, 800)], &[], 1).unwrap();
        // Acknowledged here: the receipt is queued, the envelope goes, the id stays.
        vault.queue_receipt(&id(1), b"HWR1receipt", 150, 500).unwrap();
        // Handled by a colleague: the envelope goes, the id stays.
        vault.store_inbox(&[], &[(id(2), 800)], 2).unwrap();
        assert!(vault.is_handled(&id(1)).unwrap() && vault.is_handled(&id(2)).unwrap());
        assert!(!vault.is_handled(&id(3)).unwrap());
        let status = vault.status().unwrap();
        assert_eq!((status.sealed_signals, status.receipts_waiting, status.handled_signals), (0, 1, 2));

        // Remembering again never shortens the time.
        vault.store_inbox(&[], &[(id(1), 400)], 3).unwrap();
        drop(vault);
        let mut vault = vault_with_key(dir.path(), 10, false).unwrap();
        assert!(vault.delete_expired(499).unwrap().is_empty());
        assert_eq!(vault.status().unwrap().handled_signals, 2, "kept across reopen, until expiry");
        assert!(vault.delete_expired(500).unwrap().is_empty(), "only envelope ids are reported");
        assert!(!vault.is_handled(&id(1)).unwrap());
        assert!(vault.is_handled(&id(2)).unwrap());
        vault.delete_expired(800).unwrap();
        assert_eq!(vault.status().unwrap().handled_signals, 0);
    }

    #[test]
    fn a_version_1_vault_gains_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_with_key(dir.path(), 11, true).unwrap();
        vault.conn.execute_batch("DROP TABLE handled; PRAGMA user_version = 1;").unwrap();
        drop(vault);
        let vault = vault_with_key(dir.path(), 11, false).unwrap();
        assert_eq!(vault.status().unwrap().handled_signals, 0);
        let version: i64 = vault.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, super::super::schema::SCHEMA_VERSION);
    }
}
