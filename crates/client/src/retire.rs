//! Taking this device out of use at the person's request ("Wis dit apparaat"). The PIN comes
//! first, checked like unlocking (a wrong one counts; the tenth wipes, as always), so a
//! passer-by cannot switch the director's device off. Then the relay hears it from the device
//! itself (`POST /v1/device/remove`, signed with the device's key) and stops taking signals
//! sealed to it, and everything on this computer is wiped. A device leerplicht already removed
//! needs no PIN: nothing reaches it any more.

use crate::client::SchoolClient;
use crate::error::{ClientError, Result};
use hwc_protocol::api::DeviceStatus;

/// What became of the relay's side when the device was wiped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retired {
    /// The relay confirmed that it took the device out of use (or leerplicht had already).
    /// When false (the relay could not be reached), leerplicht should hear it by phone.
    pub relay_told: bool,
}

impl SchoolClient {
    /// Checks `pin` (not needed once leerplicht removed the device), tells the relay, and wipes
    /// this device. On a refused PIN nothing else happens and the device stays as it was.
    pub fn retire(&mut self, pin: Option<&str>) -> Result<Retired> {
        let removed = self.device_info()?.status == DeviceStatus::Removed;
        if !removed {
            drop(self.check_pin(pin.ok_or(ClientError::PinNeededToWipe)?)?);
        }
        let relay_told = removed || self.tell_relay_removed();
        self.wipe_now()?;
        Ok(Retired { relay_told })
    }

    /// Asks the relay to take this device out of use; whether it confirmed that.
    fn tell_relay_removed(&self) -> bool {
        let Ok(key) = self.signing_key() else { return false };
        match self.relay.remove_self(&self.auth(&key), self.now()) {
            Ok(info) => info.device_id == self.device_id && info.status == DeviceStatus::Removed,
            Err(_) => false,
        }
    }
}
