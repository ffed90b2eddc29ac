//! Envelopes not yet handled: the signed, sealed frames exactly as the relay delivered them,
//! with the signal id and the times the app shows. Never decrypted before storing; deleted as
//! soon as the signal is acknowledged (here or by a colleague; see [`super::handled`]) or has
//! expired.

use super::{Setting, Vault, VaultError};
use hwc_protocol::SignalId;
use rusqlite::OptionalExtension;

/// One sealed envelope in the vault.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredEnvelope {
    pub signal_id: SignalId,
    /// The signed frame as received (ciphertext and routing fields only).
    pub frame: Vec<u8>,
    /// Unix seconds.
    pub received_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

impl std::fmt::Debug for StoredEnvelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoredEnvelope({}, {} bytes)", self.signal_id, self.frame.len())
    }
}

fn parse_id(text: String) -> Result<SignalId, VaultError> {
    text.parse().map_err(|_| VaultError::Corrupt("signaal-id"))
}

impl Vault {
    /// In one transaction: stores the new envelopes (an id already held is left alone),
    /// deletes the handled ones and remembers their ids until the given expiry (the
    /// envelope's), and moves the inbox cursor. Either all of it happens or none.
    pub fn store_inbox(
        &mut self,
        new: &[StoredEnvelope],
        handled: &[(SignalId, i64)],
        cursor: u64,
    ) -> Result<(), VaultError> {
        let tx = self.conn.transaction()?;
        for env in new {
            tx.execute(
                "INSERT OR IGNORE INTO envelopes (signal_id, frame, received_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![env.signal_id.to_string(), env.frame, env.received_at, env.expires_at],
            )?;
        }
        for (id, expires_at) in handled {
            tx.execute("DELETE FROM envelopes WHERE signal_id = ?1", [id.to_string()])?;
            super::handled::remember(&tx, id, *expires_at)?;
        }
        tx.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [Setting::InboxCursor.name(), &cursor.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn has_envelope(&self, id: &SignalId) -> Result<bool, VaultError> {
        Ok(self.conn.query_row("SELECT count(*) FROM envelopes WHERE signal_id = ?1", [id.to_string()], |r| {
            r.get::<_, i64>(0)
        })? > 0)
    }

    pub fn envelope(&self, id: &SignalId) -> Result<Option<StoredEnvelope>, VaultError> {
        Ok(self
            .conn
            .query_row(
                "SELECT frame, received_at, expires_at FROM envelopes WHERE signal_id = ?1",
                [id.to_string()],
                |r| {
                    Ok(StoredEnvelope {
                        signal_id: *id,
                        frame: r.get(0)?,
                        received_at: r.get(1)?,
                        expires_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Every waiting envelope's id and times (no frames), oldest first.
    pub fn envelope_times(&self) -> Result<Vec<(SignalId, i64, i64)>, VaultError> {
        let mut stmt = self
            .conn
            .prepare("SELECT signal_id, received_at, expires_at FROM envelopes ORDER BY received_at, signal_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, received, expires) = row?;
            out.push((parse_id(id)?, received, expires));
        }
        Ok(out)
    }

    pub fn delete_envelope(&mut self, id: &SignalId) -> Result<bool, VaultError> {
        Ok(self.conn.execute("DELETE FROM envelopes WHERE signal_id = ?1", [id.to_string()])? > 0)
    }

    /// Deletes every envelope whose expiry is at or before `now` and returns their ids; forgets
    /// the handled ids whose expiry has passed too (an envelope for them is refused as expired).
    pub fn delete_expired(&mut self, now: i64) -> Result<Vec<SignalId>, VaultError> {
        let tx = self.conn.transaction()?;
        let ids = {
            let mut stmt =
                tx.prepare("SELECT signal_id FROM envelopes WHERE expires_at <= ?1 ORDER BY expires_at, signal_id")?;
            let rows = stmt.query_map([now], |r| r.get::<_, String>(0))?;
            let mut ids = Vec::new();
            for row in rows {
                ids.push(parse_id(row?)?);
            }
            ids
        };
        super::expired::remember_due(&tx, now)?;
        tx.execute("DELETE FROM envelopes WHERE expires_at <= ?1", [now])?;
        super::handled::forget_expired(&tx, now)?;
        tx.commit()?;
        Ok(ids)
    }

    pub(super) fn envelope_count(&self) -> Result<usize, VaultError> {
        Ok(self.conn.query_row("SELECT count(*) FROM envelopes", [], |r| r.get::<_, i64>(0))?.max(0) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{stub_envelope as env, vault_with_key};
    use super::*;

    #[test]
    fn inbox_store_dedups_deletes_handled_and_moves_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 5, true).unwrap();
        vault.store_inbox(&[env(1, 500), env(2, 300)], &[], 7).unwrap();
        let mut changed = env(1, 900);
        changed.frame = vec![9; 10];
        vault.store_inbox(&[changed], &[(SignalId::from_bytes([2; 16]), 300)], 8).unwrap();
        assert_eq!(vault.require::<u64>(Setting::InboxCursor).unwrap(), 8);
        let kept = vault.envelope(&SignalId::from_bytes([1; 16])).unwrap().unwrap();
        assert_eq!(kept, env(1, 500), "the first copy of a signal id is kept");
        assert!(!vault.has_envelope(&SignalId::from_bytes([2; 16])).unwrap());
        assert_eq!(vault.status().unwrap().sealed_signals, 1);
    }

    #[test]
    fn expired_envelopes_are_deleted_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 6, true).unwrap();
        vault.store_inbox(&[env(1, 500), env(2, 300), env(3, 301)], &[], 1).unwrap();
        assert_eq!(vault.delete_expired(300).unwrap(), vec![SignalId::from_bytes([2; 16])]);
        assert_eq!(vault.envelope_times().unwrap().len(), 2);
        assert_eq!(vault.delete_expired(1000).unwrap().len(), 2);
        assert_eq!(vault.status().unwrap().sealed_signals, 0);
    }
}
