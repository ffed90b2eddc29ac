//! The relay's half of every PIN check (`hwc_protocol::pin_guard`, `docs/design/pin-guard.md`):
//! the device blinds the PIN, the relay counts the try and evaluates it under this device's key,
//! and the result goes into the key that seals the open key ([`crate::pin`]). So a PIN can only
//! be tested through the relay, which allows ten tries between right PINs whatever happens to
//! the files on this computer. After a right PIN the device proves it with its reset key (sent
//! to the relay with the enrollment) and the relay clears the count.
//!
//! The device compares the relay's count with its own at every right PIN: tries the relay
//! counted that this computer did not make mean that a copy of this device's keys was used
//! elsewhere ([`SchoolClient::pin_tried_elsewhere`]).

use crate::client::SchoolClient;
use crate::error::{ClientError, Result};
use crate::pin::{self, GuardResult};
use crate::relay_client::{DeviceAuth, RelayClient, RelayError};
use crate::vault::Setting;
use hwc_protocol::api::{PinGuardRequest, PinGuardReset};
use hwc_protocol::pin_guard::{PinBlinding, PIN_GUARD_TRIES};
use hwc_protocol::DeviceId;

/// The relay's code for "ten tries used, no more evaluations": the device wipes itself.
pub(crate) const TRIES_USED_UP: &str = "pin_tries_used_up";

/// One counted try at the relay.
pub(crate) struct GuardAnswer {
    /// The PIN's result under this device's key at the relay.
    pub result: GuardResult,
    /// What [`clear`] signs.
    pub nonce: [u8; 32],
    /// Tries the relay still evaluates after this one.
    pub tries_left: u32,
}

impl GuardAnswer {
    /// Tries the relay has counted since its last reset, this one included.
    pub fn counted(&self) -> u32 {
        PIN_GUARD_TRIES.saturating_sub(self.tries_left)
    }
}

/// Whether `error` is the relay refusing any more tries.
pub(crate) fn tries_used_up(error: &ClientError) -> bool {
    matches!(error, ClientError::Relay(RelayError::Refused { code, .. }) if *code == TRIES_USED_UP)
}

/// Asks the relay to evaluate `pin`, which counts a try there. Without a connection:
/// [`ClientError::PinGuardOffline`] (nothing was counted).
pub(crate) fn ask(relay: &RelayClient, auth: &DeviceAuth<'_>, now: i64, pin: &str) -> Result<GuardAnswer> {
    let blinding = PinBlinding::start(pin).map_err(|_| ClientError::PinCheckUnavailable)?;
    let request = PinGuardRequest { blinded: *blinding.blinded() };
    let answer = match relay.pin_guard_try(auth, &request, now) {
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
/// that only the open key gives; the relay clears its count.
pub(crate) fn clear(
    relay: &RelayClient,
    auth: &DeviceAuth<'_>,
    now: i64,
    open_secret: &[u8; 32],
    nonce: &[u8; 32],
) -> Result<()> {
    let reset_key = pin::reset_key(open_secret, &auth.device_id);
    let request = PinGuardReset {
        nonce: *nonce,
        reset_key: reset_key.public(),
        signature: reset_key.sign_reset(&auth.device_id, nonce),
    };
    match relay.pin_guard_reset(auth, &request, now) {
        Ok(()) => Ok(()),
        Err(RelayError::Unreachable) => Err(ClientError::PinGuardOffline),
        Err(e) => Err(e.into()),
    }
}

/// The public reset key this device registers with its enrollment.
pub(crate) fn reset_public_key(open_secret: &[u8; 32], device_id: &DeviceId) -> [u8; 32] {
    pin::reset_key(open_secret, device_id).public()
}

impl SchoolClient {
    /// [`ask`] as this device.
    pub(crate) fn ask_guard(&self, pin: &str) -> Result<GuardAnswer> {
        let key = self.signing_key()?;
        ask(&self.relay, &self.auth(&key), self.now(), pin)
    }

    /// After a right PIN: clears the relay's count, and notes how many of the tries it counted
    /// this computer did not make (`own_tries`: this one and the wrong ones before it, as the
    /// vault counted them). A reset that fails is remembered, so that the next comparison
    /// counts the tries it left standing as this computer's own.
    pub(crate) fn after_right_pin(
        &mut self,
        open_secret: &[u8; 32],
        answer: &GuardAnswer,
        own_tries: u32,
    ) -> Result<()> {
        let uncleared: u32 = self.vault.get(Setting::PinGuardUncleared)?.and_then(|v| v.parse().ok()).unwrap_or(0);
        self.pin_tried_elsewhere = answer.counted().saturating_sub(own_tries.saturating_add(uncleared));
        let key = self.signing_key()?;
        let cleared = clear(&self.relay, &self.auth(&key), self.now(), open_secret, &answer.nonce);
        let uncleared = if cleared.is_ok() { 0 } else { answer.counted().min(PIN_GUARD_TRIES) };
        self.vault.set(Setting::PinGuardUncleared, &uncleared.to_string())?;
        cleared
    }

    /// Seals the open key again under `pin` with the relay's guard: for a vault sealed before
    /// the guard, and for a new PIN. The relay clears the count of that try before the vault
    /// changes, so a failure leaves the vault as it was.
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
        let key = self.signing_key()?;
        clear(&self.relay, &self.auth(&key), self.now(), open_secret, &answer.nonce)?;
        self.vault.replace_wrapped_open_key(&wrapped)?;
        Ok(())
    }

    /// Tries the relay counted at the last right PIN that this computer did not make (0 when
    /// none, or not unlocked since the app started). More than 0 can mean that someone uses a
    /// copy of this device's keys to guess the PIN: enroll again (new keys) and have the computer
    /// checked. A connection that dropped just after the relay counted a try also shows here.
    pub fn pin_tried_elsewhere(&self) -> u32 {
        self.pin_tried_elsewhere
    }

    /// Whether the open key is sealed with the relay's PIN guard. False only for a vault from
    /// before the guard, or an enrollment during which the relay did not answer: the next right
    /// PIN seals it with the guard.
    pub fn pin_guarded(&self) -> Result<bool> {
        self.alive()?;
        Ok(self.vault.wrapped_open_key()?.is_some_and(|w| w.guarded))
    }
}
