//! Signals that expired on this device before anyone handled them. Only the signal id (random,
//! not personal data) and the moment it expired are kept, so the app can tell the person that a
//! signal went unread until they say they have seen that, or for [`EXPIRED_KEEP_SECS`] at most.

use super::{Vault, VaultError};
use hwc_protocol::SignalId;
use rusqlite::Connection;

/// How long the notice of an expired signal is kept when nobody confirms having seen it.
pub const EXPIRED_KEEP_SECS: i64 = 14 * 24 * 3600;

/// A signal that expired here unhandled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiredSignal {
    pub signal_id: SignalId,
    /// Unix seconds: the envelope's expiry.
    pub expired_at: i64,
}

/// Remembers every envelope whose expiry is at or before `now`, inside the transaction that
/// deletes them, and forgets notices older than [`EXPIRED_KEEP_SECS`].
pub(super) fn remember_due(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO expired (signal_id, expired_at)
         SELECT signal_id, expires_at FROM envelopes WHERE expires_at <= ?1",
        [now],
    )?;
    conn.execute("DELETE FROM expired WHERE expired_at <= ?1", [now.saturating_sub(EXPIRED_KEEP_SECS)])?;
    Ok(())
}

impl Vault {
    /// The signals that expired here unhandled and were not yet seen, oldest first.
    pub fn expired_unhandled(&self) -> Result<Vec<ExpiredSignal>, VaultError> {
        let mut stmt = self.conn.prepare("SELECT signal_id, expired_at FROM expired ORDER BY expired_at, signal_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, expired_at) = row?;
            let signal_id = id.parse().map_err(|_| VaultError::Corrupt("signaal-id"))?;
            out.push(ExpiredSignal { signal_id, expired_at });
        }
        Ok(out)
    }

    /// Forgets the notices of these expired signals (the person has seen them); returns how
    /// many there were. A notice noted after the page was drawn stays.
    pub fn forget_expired_unhandled(&mut self, ids: &[SignalId]) -> Result<usize, VaultError> {
        let tx = self.conn.transaction()?;
        let mut forgotten = 0;
        for id in ids {
            forgotten += tx.execute("DELETE FROM expired WHERE signal_id = ?1", [id.to_string()])?;
        }
        tx.commit()?;
        Ok(forgotten)
    }

    /// Whether `id` expired here unhandled (and its notice is still kept).
    pub fn expired_here(&self, id: &SignalId) -> Result<bool, VaultError> {
        let n: i64 =
            self.conn.query_row("SELECT count(*) FROM expired WHERE signal_id = ?1", [id.to_string()], |r| r.get(0))?;
        Ok(n > 0)
    }

    pub(super) fn expired_count(&self) -> Result<usize, VaultError> {
        Ok(self.conn.query_row("SELECT count(*) FROM expired", [], |r| r.get::<_, i64>(0))?.max(0) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{stub_envelope as env, vault_with_key};
    use super::*;

    #[test]
    fn an_envelope_that_expires_unhandled_is_noted_until_seen_or_two_weeks() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 10, true).unwrap();
        vault.store_inbox(&[env(1, 500), env(2, 800), env(3, 900)], &[], 1).unwrap();
        // Handled signals leave no notice: acknowledging deletes the envelope first.
        vault.delete_envelope(&SignalId::from_bytes([3; 16])).unwrap();
        assert_eq!(vault.delete_expired(600).unwrap(), vec![SignalId::from_bytes([1; 16])]);
        let noted = vault.expired_unhandled().unwrap();
        assert_eq!(noted, vec![ExpiredSignal { signal_id: SignalId::from_bytes([1; 16]), expired_at: 500 }]);
        assert_eq!(vault.status().unwrap().expired_unhandled, 1);
        // Kept across a reopen, and not noted twice.
        drop(vault);
        let mut vault = vault_with_key(dir.path(), 10, false).unwrap();
        vault.delete_expired(1000).unwrap();
        let noted = vault.expired_unhandled().unwrap();
        assert_eq!(noted.len(), 2);
        // Only the notices the person saw go.
        assert_eq!(vault.forget_expired_unhandled(&[noted[0].signal_id]).unwrap(), 1);
        assert_eq!(vault.expired_unhandled().unwrap(), vec![noted[1]]);
        assert_eq!(vault.forget_expired_unhandled(&[noted[1].signal_id, noted[0].signal_id]).unwrap(), 1);
        assert!(vault.expired_unhandled().unwrap().is_empty());
        // An unseen notice goes after two weeks.
        vault.store_inbox(&[env(4, 2000)], &[], 2).unwrap();
        vault.delete_expired(2000).unwrap();
        vault.delete_expired(2000 + EXPIRED_KEEP_SECS - 1).unwrap();
        assert_eq!(vault.expired_unhandled().unwrap().len(), 1);
        vault.delete_expired(2000 + EXPIRED_KEEP_SECS).unwrap();
        assert!(vault.expired_unhandled().unwrap().is_empty());
    }
}
