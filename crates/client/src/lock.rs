//! Locking: the open key (which decrypts signals) is in memory only between [`SchoolClient::unlock`]
//! and [`SchoolClient::lock`]. Opening a signal and acknowledging one (its receipt proves the
//! signal was opened) need it; fetching, delivering receipts already made and the privacy view
//! work while locked, with the signing key that the vault key alone protects.
//!
//! Every PIN check goes through the relay's PIN guard ([`crate::guard`]): the relay counts the
//! try and its answer is part of the key that opens the open key, so no copy of this computer's
//! files lets anyone test PINs, and a restored vault file gains no tries: after ten wrong PINs
//! since the last right one the relay evaluates none, and the device wipes itself. Without a
//! connection the PIN cannot be checked ([`ClientError::PinGuardOffline`], not counted).
//!
//! The vault keeps its own count as well, with the time of the last wrong PIN, so a restart does
//! not reset it. The first [`FREE_WRONG_PINS`] cost nothing; after that no PIN is even checked
//! until 2, 4, 8, … seconds have passed ([`ClientError::PinDelay`]). The try is counted before the
//! PIN is checked, in one transaction with the check that a try is allowed (so cutting the power
//! mid-check does not save a try, and a second process on the vault cannot check a PIN on the same
//! count), and the count is cleared by a correct PIN. The [`MAX_WRONG_PINS`]th wrong PIN in a row
//! (by either count) wipes the vault and both keyring entries: the device must be enrolled
//! again. Time comes from the client's [`crate::Clock`]; if it runs backwards, the wait starts
//! again from the new "now" instead of growing.

use crate::client::SchoolClient;
use crate::error::{ClientError, Result};
use crate::guard::tries_used_up;
use crate::pin::{self, check_pin_format, delay_after, tries_left, WrapError, MAX_WRONG_PINS};
use crate::reports::PinStatus;
use crate::vault::{PinClaim, PinFailures, VaultError};
use hwc_protocol::DeviceOpenKey;
use zeroize::Zeroizing;

/// Seconds still to wait at `now` after `failures`.
fn wait_at(failures: PinFailures, now: i64) -> u64 {
    let ready_at = failures.last_at.saturating_add(i64::try_from(delay_after(failures.count)).unwrap_or(i64::MAX));
    u64::try_from(ready_at.saturating_sub(now)).unwrap_or(0)
}

impl SchoolClient {
    /// Checks `pin` and keeps the open key in memory until [`SchoolClient::lock`]. Errors:
    /// [`ClientError::PinDelay`] (wait first; the PIN was not checked),
    /// [`ClientError::PinFormat`] (not counted), [`ClientError::WrongPin`] (counted; says how
    /// many tries are left from the 7th on), [`ClientError::WipedAfterWrongPins`] (the 10th),
    /// and a clear vault error when the pepper in the keyring is gone.
    pub fn unlock(&mut self, pin: &str) -> Result<()> {
        let secret = self.check_pin(pin)?;
        self.open_key = Some(secret);
        Ok(())
    }

    /// Forgets the open key (its memory is wiped). Signals cannot be opened until the next unlock.
    pub fn lock(&mut self) {
        self.open_key = None;
    }

    /// Whether the open key is in memory.
    pub fn is_unlocked(&self) -> bool {
        self.open_key.is_some()
    }

    /// Replaces the PIN: `old` is checked like [`SchoolClient::unlock`] (a wrong one counts),
    /// then the open key is sealed again under `new` with the relay's guard and a fresh salt and
    /// nonce. Locked or unlocked stays as it was.
    pub fn change_pin(&mut self, old: &str, new: &str) -> Result<()> {
        self.alive()?;
        check_pin_format(new).map_err(ClientError::NewPinFormat)?;
        let secret = self.check_pin(old)?;
        self.seal_with_guard(&secret, new)
    }

    /// Where the PIN stands (for the lock screen): unlocked, wrong tries so far, tries left,
    /// seconds to wait.
    pub fn pin_status(&self) -> Result<PinStatus> {
        self.alive()?;
        let failures = self.vault.pin_failures()?;
        let now = self.now();
        Ok(PinStatus {
            unlocked: self.is_unlocked(),
            wrong_in_a_row: failures.count,
            tries_left: tries_left(failures.count),
            wait_seconds: if now < failures.last_at { delay_after(failures.count) } else { wait_at(failures, now) },
        })
    }

    /// The PIN check shared by unlock and change_pin: the open key's secret on success.
    pub(crate) fn check_pin(&mut self, pin: &str) -> Result<Zeroizing<[u8; 32]>> {
        self.alive()?;
        let now = self.now();
        let failures = self.vault.pin_failures()?;
        if failures.count >= MAX_WRONG_PINS {
            // Only reachable if a wipe was interrupted: finish it.
            return Err(self.wipe_after_wrong_pins());
        }
        if now >= failures.last_at && wait_at(failures, now) > 0 {
            return Err(ClientError::PinDelay { seconds: wait_at(failures, now) });
        }
        check_pin_format(pin).map_err(ClientError::PinFormat)?;
        let wrapped = self.vault.wrapped_open_key()?.ok_or(VaultError::NoPinProtection)?;
        let pepper = self.vault.pin_pepper()?;

        // Count the try first, in one transaction with the check that a try is allowed now (a
        // clock gone back restarts the wait from now), so another process on this vault cannot
        // check a PIN on the same count; a correct PIN clears the count again.
        let allowed = |failures: PinFailures| failures.count < MAX_WRONG_PINS && wait_at(failures, now) == 0;
        let counted = match self.vault.claim_pin_try(now, allowed)? {
            PinClaim::Granted { counted } => counted,
            PinClaim::Refused { failures } if failures.count >= MAX_WRONG_PINS => {
                return Err(self.wipe_after_wrong_pins())
            }
            PinClaim::Refused { failures } => return Err(ClientError::PinDelay { seconds: wait_at(failures, now) }),
        };
        // The relay counts the try too, and its answer is part of the key. A vault sealed before
        // the guard is checked without it, once: a right PIN seals it again with the guard.
        let guard = if wrapped.guarded {
            match self.ask_guard(pin) {
                Ok(answer) => Some(answer),
                Err(e) if tries_used_up(&e) => return Err(self.wipe_after_guard_refused()),
                Err(e) => {
                    // Not checked, so not counted here either.
                    self.vault.return_pin_try()?;
                    return Err(e);
                }
            }
        } else {
            None
        };
        let relay_tries_left = guard.as_ref().map_or(MAX_WRONG_PINS, |g| g.tries_left);
        match pin::unwrap(&wrapped, pin, pepper.bytes(), &self.device_id, guard.as_ref().map(|g| &g.result)) {
            Ok(secret) => {
                let open =
                    DeviceOpenKey::from_secret_bytes(&secret).map_err(|_| VaultError::Corrupt("ontsleutelsleutel"))?;
                if open.public_bytes() != self.public_keys.seal_key {
                    return Err(VaultError::Corrupt("ontsleutelsleutel").into());
                }
                self.vault.reset_pin_failures()?;
                match &guard {
                    // When the reset fails (the connection dropped), the relay's count stays
                    // higher until the next right PIN clears it; the vault remembers by how
                    // much, so that those tries are not taken for someone else's.
                    Some(answer) => {
                        let _ = self.after_right_pin(&secret, answer, counted.count);
                    }
                    // Until this succeeds, the next right PIN tries again ([`Self::pin_guarded`]).
                    None => {
                        let _ = self.seal_with_guard(&secret, pin);
                    }
                }
                Ok(secret)
            }
            Err(WrapError::WrongPin) if counted.count >= MAX_WRONG_PINS => Err(self.wipe_after_wrong_pins()),
            // The relay's tenth wrong try, some of them not made here.
            Err(WrapError::WrongPin) if relay_tries_left == 0 => Err(self.wipe_after_guard_refused()),
            Err(WrapError::WrongPin) => Err(ClientError::WrongPin {
                tries_left: tries_left(counted.count).min(relay_tries_left),
                wait_seconds: delay_after(counted.count),
            }),
            Err(WrapError::Unavailable) => {
                // Not the user's fault: the try does not count.
                self.vault.return_pin_try()?;
                Err(ClientError::PinCheckUnavailable)
            }
        }
    }

    /// Wipes the vault and both keyring entries after too many wrong PINs; from then on every
    /// action answers [`ClientError::Wiped`].
    fn wipe_after_wrong_pins(&mut self) -> ClientError {
        self.wipe_with(ClientError::WipedAfterWrongPins)
    }

    /// Wipes as [`Self::wipe_after_wrong_pins`] when the relay's guard counted ten tries since
    /// the last right PIN, not all of them made here: the open key cannot be opened any more.
    /// (A relay that says so falsely can make the device wipe itself; it can as well withhold
    /// every signal, so it gains nothing it could not do already.)
    fn wipe_after_guard_refused(&mut self) -> ClientError {
        self.wipe_with(ClientError::WipedAfterGuardRefused)
    }

    fn wipe_with(&mut self, reason: ClientError) -> ClientError {
        self.open_key = None;
        self.wiped = true;
        match self.vault.wipe_in_place() {
            Ok(()) => reason,
            Err(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pin::FREE_WRONG_PINS;

    #[test]
    fn the_wait_counts_from_the_last_wrong_pin() {
        let at = 1_795_417_200;
        let none = PinFailures { count: FREE_WRONG_PINS, last_at: at };
        assert_eq!(wait_at(none, at), 0);
        let fourth = PinFailures { count: 4, last_at: at };
        assert_eq!(wait_at(fourth, at), 2);
        assert_eq!(wait_at(fourth, at + 1), 1);
        assert_eq!(wait_at(fourth, at + 2), 0);
        assert_eq!(wait_at(fourth, at + 1000), 0);
        let ninth = PinFailures { count: 9, last_at: at };
        assert_eq!(wait_at(ninth, at + 4), 60);
        assert_eq!(wait_at(PinFailures::default(), 0), 0);
    }
}
