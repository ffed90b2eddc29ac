//! The relay's half of every PIN check (`hwc_protocol::pin_guard`, `docs/design/pin-guard.md`):
//! the device blinds the PIN, the relay counts the try and evaluates it under this device's key,
//! and the result goes into the key that seals the open key ([`crate::pin`]). So a PIN can only
//! be tested through the relay, which allows ten tries between right PINs whatever happens to
//! the files on this computer. After a right PIN the device proves it with its reset key and
//! the relay clears the count.

use crate::client::SchoolClient;
use crate::error::{ClientError, Result};
use crate::pin::{self, GuardResult};
use crate::relay_client::RelayError;
use hwc_protocol::api::{PinGuardRequest, PinGuardReset};
use hwc_protocol::pin_guard::PinBlinding;

/// The relay's code for "ten tries used, no more evaluations": the device wipes itself.
pub(crate) const TRIES_USED_UP: &str = "pin_tries_used_up";

/// One counted try at the relay.
pub(crate) struct GuardAnswer {
    /// The PIN's result under this device's key at the relay.
    pub result: GuardResult,
    /// What [`SchoolClient::clear_guard`] signs.
    pub nonce: [u8; 32],
    /// Tries the relay still evaluates after this one.
    pub tries_left: u32,
}

/// Whether `error` is the relay refusing any more tries.
pub(crate) fn tries_used_up(error: &ClientError) -> bool {
    matches!(error, ClientError::Relay(RelayError::Refused { code, .. }) if *code == TRIES_USED_UP)
}

impl SchoolClient {
    /// Asks the relay to evaluate `pin`, which counts a try there. Without a connection:
    /// [`ClientError::PinGuardOffline`] (nothing was counted).
    pub(crate) fn ask_guard(&self, pin: &str) -> Result<GuardAnswer> {
        let blinding = PinBlinding::start(pin).map_err(|_| ClientError::PinCheckUnavailable)?;
        let key = self.signing_key()?;
        let request = PinGuardRequest { blinded: *blinding.blinded() };
        let answer = match self.relay.pin_guard_try(&self.auth(&key), &request, self.now()) {
            Ok(answer) => answer,
            Err(RelayError::Unreachable) => return Err(ClientError::PinGuardOffline),
            Err(e) => return Err(e.into()),
        };
        let result = blinding
            .finish(pin, &answer.evaluated)
            .map_err(|_| RelayError::BadAnswer("onbruikbare pincodecontrole".into()))?;
        Ok(GuardAnswer { result, nonce: answer.nonce, tries_left: answer.tries_left })
    }

    /// Tells the relay the PIN of the try that got `nonce` was right, signed with the reset key
    /// that only the open key gives; the relay clears its count (and, the first time, registers
    /// the reset key).
    pub(crate) fn clear_guard(&self, open_secret: &[u8; 32], nonce: &[u8; 32]) -> Result<()> {
        let reset_key = pin::reset_key(open_secret, &self.device_id);
        let request = PinGuardReset {
            nonce: *nonce,
            reset_key: reset_key.public(),
            signature: reset_key.sign_reset(&self.device_id, nonce),
        };
        let key = self.signing_key()?;
        match self.relay.pin_guard_reset(&self.auth(&key), &request, self.now()) {
            Ok(()) => Ok(()),
            Err(RelayError::Unreachable) => Err(ClientError::PinGuardOffline),
            Err(e) => Err(e.into()),
        }
    }

    /// Seals the open key again under `pin` with the relay's guard: at enrollment, for a vault
    /// sealed before the guard, and for a new PIN. The relay registers or confirms the reset key
    /// before the vault changes, so a failure leaves the vault as it was.
    pub(crate) fn seal_with_guard(&mut self, open_secret: &[u8; 32], pin: &str) -> Result<()> {
        let answer = self.ask_guard(pin)?;
        let pepper = self.vault.pin_pepper()?;
        let wrapped = pin::wrap(
            open_secret,
            self.public_keys.seal_key,
            pin,
            pepper.bytes(),
            &self.device_id,
            Some(&answer.result),
        )
        .map_err(|_| ClientError::PinCheckUnavailable)?;
        self.clear_guard(open_secret, &answer.nonce)?;
        self.vault.replace_wrapped_open_key(&wrapped)?;
        Ok(())
    }
}
