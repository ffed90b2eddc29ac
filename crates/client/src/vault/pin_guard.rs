//! Wrong PINs in a row and the time of the last one, kept in the vault so that closing or
//! restarting the app does not reset them. One row; absent means none.

use super::{Vault, VaultError};
use rusqlite::OptionalExtension;

/// Wrong PINs in a row and when the last one was counted (Unix seconds; 0 when none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinFailures {
    pub count: u32,
    pub last_at: i64,
}

impl Vault {
    pub fn pin_failures(&self) -> Result<PinFailures, VaultError> {
        let row = self
            .conn
            .query_row("SELECT wrong_in_a_row, last_wrong_at FROM pin_guard WHERE id = 1", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })
            .optional()?;
        match row {
            None => Ok(PinFailures::default()),
            Some((count, last_at)) => Ok(PinFailures {
                count: u32::try_from(count).map_err(|_| VaultError::Corrupt("pincodepogingen"))?,
                last_at,
            }),
        }
    }

    pub(crate) fn set_pin_failures(&mut self, failures: PinFailures) -> Result<(), VaultError> {
        self.conn.execute(
            "INSERT INTO pin_guard (id, wrong_in_a_row, last_wrong_at) VALUES (1, ?1, ?2)
             ON CONFLICT(id) DO UPDATE SET wrong_in_a_row = excluded.wrong_in_a_row, last_wrong_at = excluded.last_wrong_at",
            rusqlite::params![i64::from(failures.count), failures.last_at],
        )?;
        Ok(())
    }

    pub(crate) fn reset_pin_failures(&mut self) -> Result<(), VaultError> {
        self.conn.execute("DELETE FROM pin_guard", [])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::vault_with_key;
    use super::*;

    #[test]
    fn failures_survive_reopen_and_reset() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 11, true).unwrap();
        assert_eq!(vault.pin_failures().unwrap(), PinFailures::default());
        vault.set_pin_failures(PinFailures { count: 4, last_at: 1_795_417_200 }).unwrap();
        vault.set_pin_failures(PinFailures { count: 5, last_at: 1_795_417_260 }).unwrap();
        drop(vault);
        let mut vault = vault_with_key(dir.path(), 11, false).unwrap();
        assert_eq!(vault.pin_failures().unwrap(), PinFailures { count: 5, last_at: 1_795_417_260 });
        assert_eq!(vault.status().unwrap().wrong_pin_attempts, 5);
        vault.reset_pin_failures().unwrap();
        assert_eq!(vault.pin_failures().unwrap(), PinFailures::default());
    }
}
