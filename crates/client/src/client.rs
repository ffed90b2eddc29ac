//! [`SchoolClient`]: the school device without a window. It owns the vault, the relay client and
//! the clock, and keeps public facts in memory (device id, public keys, office key, school,
//! role). The signing key is read from the vault when needed and wiped after use. The open key
//! is in memory only while the device is unlocked with the PIN (`lock.rs`), in wiped memory.
//! Enrollment is in `enroll.rs`, fetching in `fetch.rs`, reading signals in `signals.rs`, and
//! acknowledging and the outbox in `acknowledge.rs`.

use crate::clock::{Clock, SystemClock};
use crate::error::{ClientError, Result};
use crate::machine_config::MachineConfig;
use crate::relay_client::{DeviceAuth, RelayClient};
use crate::reports::DeviceSummary;
use crate::vault::{self, Setting, Vault, VaultError, VaultStatus};
use hwc_protocol::api::{DeviceInfo, DeviceStatus};
use hwc_protocol::{Brin, DeviceId, DevicePublicKeys, DeviceSigningKey, OfficePublicKey, Role, SafetyCode};
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

/// One enrolled school device.
pub struct SchoolClient {
    pub(crate) vault: Vault,
    pub(crate) relay: RelayClient,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) device_id: DeviceId,
    pub(crate) public_keys: DevicePublicKeys,
    pub(crate) office_key: OfficePublicKey,
    pub(crate) school: Brin,
    pub(crate) role: Role,
    /// The open key's secret while unlocked; wiped when locked or dropped.
    pub(crate) open_key: Option<Zeroizing<[u8; 32]>>,
    /// Set once the vault is wiped (too many wrong PINs): every action then says so.
    pub(crate) wiped: bool,
    /// See [`SchoolClient::pin_tried_elsewhere`].
    pub(crate) pin_tried_elsewhere: u32,
}

impl std::fmt::Debug for SchoolClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SchoolClient({}, {}, {})", self.device_id, self.school, self.role)
    }
}

pub(crate) fn status_name(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Pending => "pending",
        DeviceStatus::Verified => "verified",
        DeviceStatus::Removed => "removed",
    }
}

fn status_from_name(name: &str) -> Option<DeviceStatus> {
    match name {
        "pending" => Some(DeviceStatus::Pending),
        "verified" => Some(DeviceStatus::Verified),
        "removed" => Some(DeviceStatus::Removed),
        _ => None,
    }
}

impl SchoolClient {
    /// Whether `data_dir` holds this app's vault (made only by an enrollment).
    pub fn is_enrolled(data_dir: &Path) -> bool {
        vault::exists(data_dir)
    }

    /// Opens the enrolled device in `data_dir`, using the system clock.
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with_clock(data_dir, Arc::new(SystemClock))
    }

    /// Opens the enrolled device in `data_dir` with the given clock.
    pub fn open_with_clock(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        let vault = Vault::open(data_dir)?;
        Self::from_vault(vault, clock)
    }

    /// Builds the in-memory state from a vault, checking that it is complete and consistent.
    /// The device starts locked.
    pub(crate) fn from_vault(vault: Vault, clock: Arc<dyn Clock>) -> Result<Self> {
        let signing = vault.signing_key()?.ok_or(VaultError::Corrupt("ondertekensleutel"))?;
        let open = vault.wrapped_open_key()?.ok_or(VaultError::NoPinProtection)?;
        let public_keys = DevicePublicKeys { sign_key: signing.public_bytes(), seal_key: open.public_key };
        drop(signing);
        let device_id: DeviceId = vault.require(Setting::DeviceId)?;
        if device_id != public_keys.device_id() {
            return Err(VaultError::Corrupt(Setting::DeviceId.name()).into());
        }
        let relay_url: String = vault.require(Setting::RelayUrl)?;
        let relay = RelayClient::new(&relay_url)?;
        Ok(Self {
            office_key: vault.require(Setting::OfficeKey)?,
            school: vault.require(Setting::School)?,
            role: vault.require(Setting::Role)?,
            device_id,
            public_keys,
            relay,
            vault,
            clock,
            open_key: None,
            wiped: false,
            pin_tried_elsewhere: 0,
        })
    }

    /// Holds this device to the machine's configuration, whenever it is opened or enrolled: a
    /// device that trusts another office key than the one school IT pinned (a pin deployed
    /// after enrollment, or an enrollment under a key the pin does not name) is wiped and
    /// refused. Should the wipe fail, the vault stays but every next opening refuses it again.
    pub fn held_to(self, config: &MachineConfig) -> Result<Self> {
        match &config.office_key_fingerprint {
            Some(pinned) if self.office_key.fingerprint() != *pinned => {
                self.wipe()?;
                Err(ClientError::OfficeKeyNotPinned)
            }
            _ => Ok(self),
        }
    }

    /// Removes the vault of `data_dir` and its keyring entry without opening it (for a vault
    /// that can no longer be opened, for instance because its key is gone).
    pub fn wipe_data_dir(data_dir: &Path) -> Result<()> {
        Ok(vault::destroy(data_dir)?)
    }

    /// The safety code to read out to leerplicht: office key and this device's public keys.
    /// The office key this device trusts (bound to its enrollment code).
    pub fn office_key(&self) -> OfficePublicKey {
        self.office_key
    }

    pub fn safety_code(&self) -> SafetyCode {
        SafetyCode::compute(&self.office_key, &self.public_keys)
    }

    pub fn device_id(&self) -> DeviceId {
        self.device_id
    }

    /// The relay this device talks to.
    pub fn relay_url(&self) -> &str {
        self.relay.url()
    }

    /// Points the device at another relay address (the relay moved). Keys and cursor stay.
    pub fn set_relay_url(&mut self, relay_url: &str) -> Result<()> {
        self.alive()?;
        let relay = RelayClient::new(relay_url)?;
        self.vault.set(Setting::RelayUrl, relay.url())?;
        self.relay = relay;
        Ok(())
    }

    /// Id, school, role and last known status (no network).
    pub fn device_info(&self) -> Result<DeviceSummary> {
        self.alive()?;
        let status = self
            .vault
            .get(Setting::Status)?
            .and_then(|s| status_from_name(&s))
            .ok_or(VaultError::Corrupt(Setting::Status.name()))?;
        Ok(DeviceSummary { device_id: self.device_id, school: self.school, role: self.role, status })
    }

    /// Asks the relay how it sees this device (`GET /v1/device`), checks the answer is about
    /// this device, its keys and its office, and stores the status.
    pub fn refresh_status(&mut self) -> Result<DeviceStatus> {
        self.alive()?;
        let key = self.signing_key()?;
        let info = self.relay.device(&self.auth(&key), self.now())?;
        self.check_device_info(&info)?;
        if info.office_key != self.office_key {
            return Err(ClientError::Mismatch("sleutel van leerplicht"));
        }
        self.vault.set(Setting::Status, status_name(info.status))?;
        if info.status != DeviceStatus::Removed {
            self.refresh_profile_if_due();
        }
        Ok(info.status)
    }

    /// What the vault holds, for the privacy view (no personal data). Works while locked.
    pub fn status(&self) -> Result<VaultStatus> {
        self.alive()?;
        Ok(self.vault.status()?)
    }

    /// Deletes everything of this device on this computer: rows, files, keyring entries.
    /// The relay still knows the device until leerplicht removes it.
    pub fn wipe(mut self) -> Result<()> {
        self.wipe_now()
    }

    /// [`SchoolClient::wipe`] in place: from then on every action answers [`ClientError::Wiped`].
    pub(crate) fn wipe_now(&mut self) -> Result<()> {
        self.open_key = None;
        if self.wiped {
            return Ok(());
        }
        self.wiped = true;
        Ok(self.vault.wipe_in_place()?)
    }

    /// Refuses every action once the device has been wiped.
    pub(crate) fn alive(&self) -> Result<()> {
        if self.wiped {
            return Err(ClientError::Wiped);
        }
        Ok(())
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    pub(crate) fn signing_key(&self) -> Result<DeviceSigningKey> {
        Ok(self.vault.signing_key()?.ok_or(VaultError::Corrupt("ondertekensleutel"))?)
    }

    pub(crate) fn auth<'a>(&self, key: &'a DeviceSigningKey) -> DeviceAuth<'a> {
        DeviceAuth { key, device_id: self.device_id }
    }

    /// Checks that a relay's device answer is about this very device.
    pub(crate) fn check_device_info(&self, info: &DeviceInfo) -> Result<()> {
        check_device_info(info, &self.public_keys)?;
        if info.school != self.school || info.role != self.role {
            return Err(ClientError::Mismatch("school of rol"));
        }
        Ok(())
    }
}

/// The relay's answer names this device and its exact public keys.
pub(crate) fn check_device_info(info: &DeviceInfo, keys: &DevicePublicKeys) -> Result<()> {
    if info.device_id != keys.device_id() || info.keys != *keys {
        return Err(ClientError::Mismatch("apparaat-id of sleutels"));
    }
    Ok(())
}
