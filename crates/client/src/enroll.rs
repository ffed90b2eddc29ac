//! Enrollment: make the device's two keys, create the vault (so the keyring is known to work
//! before the one-time code is spent), enroll with the relay signed by the new key, check the
//! answer is about these keys, and store everything. If anything fails before the relay
//! accepted, nothing is left behind.

use crate::client::{check_device_info, status_name, SchoolClient};
use crate::clock::{Clock, SystemClock};
use crate::error::{ClientError, Result};
use crate::relay_client::{DeviceAuth, RelayClient};
use crate::vault::{self, Setting, Vault};
use hwc_protocol::api::EnrollDevice;
use hwc_protocol::{DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, EnrollmentCode};
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroize;

impl SchoolClient {
    /// Enrolls this device with the relay at `relay_url` using the code leerplicht gave
    /// (`typed_code` as typed: case, spaces and dashes do not matter), and stores it in a new
    /// vault in `data_dir`. The device starts `pending` until leerplicht has compared safety codes.
    pub fn enroll(data_dir: &Path, relay_url: &str, typed_code: &str) -> Result<Self> {
        Self::enroll_with_clock(data_dir, relay_url, typed_code, Arc::new(SystemClock))
    }

    /// [`SchoolClient::enroll`] with the given clock.
    pub fn enroll_with_clock(
        data_dir: &Path,
        relay_url: &str,
        typed_code: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let code = EnrollmentCode::parse(typed_code)?;
        let relay = RelayClient::new(relay_url)?;
        clear_unfinished_enrollment(data_dir)?;

        let signing = DeviceSigningKey::generate()?;
        let open = DeviceOpenKey::generate()?;
        let keys = DevicePublicKeys::of(&signing, &open);
        let device_id = keys.device_id();

        let mut vault = Vault::create(data_dir)?;
        let stored = vault.store_device_keys(&signing, &open).and_then(|()| vault.set(Setting::RelayUrl, relay.url()));
        if let Err(e) = stored {
            let _ = vault.wipe();
            return Err(e.into());
        }

        let mut request = EnrollDevice { code: code.display(), keys };
        let answer = relay.enroll(&DeviceAuth { key: &signing, device_id }, &request, clock.now().timestamp());
        request.code.zeroize();
        let info =
            match answer.map_err(ClientError::from).and_then(|info| check_device_info(&info, &keys).map(|()| info)) {
                Ok(info) => info,
                Err(e) => {
                    let _ = vault.wipe();
                    return Err(e);
                }
            };

        vault.set_all(&[
            (Setting::OfficeKey, &info.office_key.to_string()),
            (Setting::School, info.school.as_str()),
            (Setting::Role, info.role.as_str()),
            (Setting::Status, status_name(info.status)),
            (Setting::InboxCursor, "0"),
            (Setting::DeviceId, &device_id.to_string()),
        ])?;
        Self::from_vault(vault, clock)
    }
}

/// A vault without a device id is what a crash during enrollment leaves: remove it. A complete
/// vault is never overwritten.
fn clear_unfinished_enrollment(data_dir: &Path) -> Result<()> {
    if !vault::exists(data_dir) {
        return Ok(());
    }
    match Vault::open(data_dir) {
        Ok(existing) if existing.get(Setting::DeviceId)?.is_none() => Ok(existing.wipe()?),
        _ => Err(ClientError::AlreadyEnrolled),
    }
}
