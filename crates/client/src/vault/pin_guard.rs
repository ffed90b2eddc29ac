//! Wrong PINs in a row and the time of the last one, kept in the vault so that closing or
//! restarting the app does not reset them. One row; absent means none. A try is claimed in one
//! write transaction ([`Vault::claim_pin_try`]), so two processes on one vault cannot both
//! check a PIN on the same count.

use super::{Vault, VaultError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// Wrong PINs in a row and when the last one was counted (Unix seconds; 0 when none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinFailures {
    pub count: u32,
    pub last_at: i64,
}

/// The outcome of [`Vault::claim_pin_try`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinClaim {
    /// The try is counted (`counted` is the new count and time); check the PIN now.
    Granted { counted: PinFailures },
    /// Not now: `failures` as they stand say why. Nothing was counted.
    Refused { failures: PinFailures },
}

impl Vault {
    pub fn pin_failures(&self) -> Result<PinFailures, VaultError> {
        read_failures(&self.conn)
    }

    /// In one write transaction: reads the failures; when the clock went back (`now` before the
    /// last wrong PIN), restarts the wait from `now`; asks `allowed` whether a try may be made;
    /// if so, counts it before the PIN is checked. Another process on the same vault waits for
    /// the transaction and then sees the count this one wrote.
    pub(crate) fn claim_pin_try(
        &mut self,
        now: i64,
        allowed: impl Fn(PinFailures) -> bool,
    ) -> Result<PinClaim, VaultError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut failures = read_failures(&tx)?;
        if now < failures.last_at {
            failures.last_at = now;
            write_failures(&tx, failures)?;
        }
        let claim = if allowed(failures) {
            let counted = PinFailures { count: failures.count.saturating_add(1), last_at: now };
            write_failures(&tx, counted)?;
            PinClaim::Granted { counted }
        } else {
            PinClaim::Refused { failures }
        };
        tx.commit()?;
        Ok(claim)
    }

    /// Takes back one counted try (the PIN could not be checked through no fault of the user).
    pub(crate) fn return_pin_try(&mut self) -> Result<(), VaultError> {
        self.conn.execute("UPDATE pin_guard SET wrong_in_a_row = MAX(wrong_in_a_row - 1, 0) WHERE id = 1", [])?;
        Ok(())
    }

    pub(crate) fn reset_pin_failures(&mut self) -> Result<(), VaultError> {
        self.conn.execute("DELETE FROM pin_guard", [])?;
        Ok(())
    }
}

fn read_failures(conn: &Connection) -> Result<PinFailures, VaultError> {
    let row = conn
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

fn write_failures(conn: &Connection, failures: PinFailures) -> Result<(), VaultError> {
    conn.execute(
        "INSERT INTO pin_guard (id, wrong_in_a_row, last_wrong_at) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET wrong_in_a_row = excluded.wrong_in_a_row, last_wrong_at = excluded.last_wrong_at",
        rusqlite::params![i64::from(failures.count), failures.last_at],
    )?;
    Ok(())
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
        let always = |_: PinFailures| true;
        assert_eq!(
            vault.claim_pin_try(1_795_417_200, always).unwrap(),
            PinClaim::Granted { counted: PinFailures { count: 1, last_at: 1_795_417_200 } }
        );
        vault.claim_pin_try(1_795_417_260, always).unwrap();
        drop(vault);
        let mut vault = vault_with_key(dir.path(), 11, false).unwrap();
        assert_eq!(vault.pin_failures().unwrap(), PinFailures { count: 2, last_at: 1_795_417_260 });
        assert_eq!(vault.status().unwrap().wrong_pin_attempts, 2);
        vault.return_pin_try().unwrap();
        assert_eq!(vault.pin_failures().unwrap().count, 1);
        vault.reset_pin_failures().unwrap();
        assert_eq!(vault.pin_failures().unwrap(), PinFailures::default());
    }

    #[test]
    fn a_refused_claim_counts_nothing_and_a_clock_gone_back_restarts_the_wait() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 11, true).unwrap();
        vault.claim_pin_try(1_000, |_| true).unwrap();
        let never = |_: PinFailures| false;
        let expected = PinFailures { count: 1, last_at: 1_000 };
        assert_eq!(vault.claim_pin_try(1_010, never).unwrap(), PinClaim::Refused { failures: expected });
        let back = PinFailures { count: 1, last_at: 500 };
        assert_eq!(vault.claim_pin_try(500, never).unwrap(), PinClaim::Refused { failures: back });
        assert_eq!(vault.pin_failures().unwrap(), back);
    }
}
