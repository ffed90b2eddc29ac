//! Receipts not yet delivered: signed, content-free frames waiting for the relay. A receipt
//! enters the outbox in the same transaction that deletes its envelope (and remembers the
//! signal's id as handled), so after an acknowledgement the device holds only the receipt and
//! the id, never the signal.

use super::{Vault, VaultError};
use hwc_protocol::SignalId;

/// One receipt waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedReceipt {
    pub signal_id: SignalId,
    pub frame: Vec<u8>,
}

impl Vault {
    /// In one transaction: queues the signed receipt, deletes the envelope it answers and
    /// remembers the signal as handled until `expires_at` (the envelope's expiry).
    pub fn queue_receipt(
        &mut self,
        signal_id: &SignalId,
        frame: &[u8],
        signed_at: i64,
        expires_at: i64,
    ) -> Result<(), VaultError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO outbox (signal_id, frame, signed_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![signal_id.to_string(), frame, signed_at],
        )?;
        tx.execute("DELETE FROM envelopes WHERE signal_id = ?1", [signal_id.to_string()])?;
        super::handled::remember(&tx, signal_id, expires_at)?;
        tx.commit()?;
        Ok(())
    }

    /// Every waiting receipt, oldest first.
    pub fn outbox(&self) -> Result<Vec<QueuedReceipt>, VaultError> {
        let mut stmt = self.conn.prepare("SELECT signal_id, frame FROM outbox ORDER BY signed_at, signal_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, frame) = row?;
            out.push(QueuedReceipt { signal_id: id.parse().map_err(|_| VaultError::Corrupt("signaal-id"))?, frame });
        }
        Ok(out)
    }

    pub fn in_outbox(&self, id: &SignalId) -> Result<bool, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox WHERE signal_id = ?1", [id.to_string()], |r| r.get::<_, i64>(0))?
            > 0)
    }

    pub fn delete_receipt(&mut self, id: &SignalId) -> Result<(), VaultError> {
        self.conn.execute("DELETE FROM outbox WHERE signal_id = ?1", [id.to_string()])?;
        Ok(())
    }

    pub(super) fn outbox_count(&self) -> Result<usize, VaultError> {
        Ok(self.conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))?.max(0) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::vault_with_key;
    use super::super::StoredEnvelope;
    use super::*;

    #[test]
    fn queueing_deletes_the_envelope_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let id = SignalId::from_bytes([1; 16]);
        let mut vault = vault_with_key(dir.path(), 8, true).unwrap();
        let env = StoredEnvelope { signal_id: id, frame: vec![1; 40], received_at: 1, expires_at: 2 };
        vault.store_inbox(&[env], &[], 1).unwrap();
        vault.queue_receipt(&id, b"HWR1receipt", 5, 2).unwrap();
        assert!(!vault.has_envelope(&id).unwrap());
        drop(vault);
        let mut vault = vault_with_key(dir.path(), 8, false).unwrap();
        assert_eq!(vault.outbox().unwrap(), vec![QueuedReceipt { signal_id: id, frame: b"HWR1receipt".to_vec() }]);
        assert!(vault.in_outbox(&id).unwrap());
        let status = vault.status().unwrap();
        assert_eq!((status.sealed_signals, status.receipts_waiting, status.handled_signals), (0, 1, 1));
        assert!(vault.is_handled(&id).unwrap());
        vault.delete_receipt(&id).unwrap();
        assert_eq!(vault.status().unwrap().receipts_waiting, 0);
    }
}
