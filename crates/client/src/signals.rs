//! Reading signals: list the waiting ones (ids and times only) and open one. Opening verifies
//! the stored frame again and decrypts it in memory; the [`Signal`] goes to the caller, who
//! drops it when done (its memory is wiped and its `Debug` is redacted). Nothing decrypted is
//! ever written anywhere.

use crate::client::SchoolClient;
use crate::error::{ClientError, Result};
use crate::reports::{PendingSignal, Refusal};
use crate::vault::{ExpiredSignal, VaultError};
use chrono::DateTime;
use hwc_protocol::{DeviceOpenKey, Signal, SignalId};

impl SchoolClient {
    /// The sealed signals waiting on this device that have not expired, oldest first.
    pub fn pending(&self) -> Result<Vec<PendingSignal>> {
        self.alive()?;
        let now = self.now();
        Ok(self
            .vault
            .envelope_times()?
            .into_iter()
            .filter(|(_, _, expires)| *expires > now)
            .map(|(signal_id, received, expires)| PendingSignal {
                signal_id,
                received_at: DateTime::from_timestamp(received, 0).unwrap_or_default(),
                expires_at: DateTime::from_timestamp(expires, 0).unwrap_or_default(),
            })
            .collect())
    }

    /// Whether a sealed signal here has passed its expiry and waits for
    /// [`SchoolClient::sweep_expired`] to delete it (and note it as expired unhandled).
    pub fn has_expired_waiting(&self) -> Result<bool> {
        self.alive()?;
        let now = self.now();
        Ok(self.vault.envelope_times()?.iter().any(|(_, _, expires)| *expires <= now))
    }

    /// The signals that expired on this device before anyone handled them, whose notice the
    /// person has not yet confirmed seeing, oldest first (ids and times only).
    pub fn expired_unhandled(&self) -> Result<Vec<ExpiredSignal>> {
        self.alive()?;
        Ok(self.vault.expired_unhandled()?)
    }

    /// The person has seen the notices of these expired signals: they are forgotten. Needs the
    /// device unlocked, like everything a person confirms.
    pub fn confirm_expired_seen(&mut self, ids: &[SignalId]) -> Result<usize> {
        self.alive()?;
        if self.open_key.is_none() {
            return Err(ClientError::Locked);
        }
        Ok(self.vault.forget_expired_unhandled(ids)?)
    }

    /// Verifies and decrypts one waiting signal, in memory only. Needs the device unlocked
    /// ([`SchoolClient::unlock`]), else [`ClientError::Locked`]. An expired signal is deleted
    /// and refused with [`ClientError::Expired`].
    pub fn open_signal(&mut self, signal_id: &SignalId) -> Result<Signal> {
        self.alive()?;
        if self.open_key.is_none() {
            return Err(ClientError::Locked);
        }
        let stored = match self.vault.envelope(signal_id)? {
            Some(stored) => stored,
            // Deleted by an earlier sweep: say it expired, not that it is unknown.
            None if self.vault.expired_here(signal_id)? => return Err(ClientError::Expired),
            None => return Err(ClientError::UnknownSignal),
        };
        let verified = match self.check_envelope(&stored.frame, self.clock.now()) {
            Ok(verified) => verified,
            Err(Refusal::Expired) => {
                // With every other expired one, noted as expired unhandled.
                self.vault.delete_expired(self.now())?;
                return Err(ClientError::Expired);
            }
            Err(Refusal::Invalid(e)) => return Err(ClientError::Envelope(e)),
            Err(Refusal::WrongSchool | Refusal::NotForThisDevice | Refusal::AlreadyHandled) => {
                return Err(ClientError::Mismatch("envelop"))
            }
        };
        if verified.envelope.signal_id != *signal_id {
            return Err(VaultError::Corrupt("signaal-id").into());
        }
        let secret = self.open_key.as_ref().ok_or(ClientError::Locked)?;
        let open_key =
            DeviceOpenKey::from_secret_bytes(secret).map_err(|_| VaultError::Corrupt("ontsleutelsleutel"))?;
        Ok(verified.open(&self.device_id, &open_key)?)
    }
}
